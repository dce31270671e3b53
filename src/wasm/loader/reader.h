// A bounds-checked cursor over a WebAssembly binary: LEB128 integers, floats, names and bytes,
// each read returning a value or a Malformed error that names the offset. Not thread-safe; cheap
// to copy (a sub-reader for a section or body is just a narrower cursor).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "phat/base/expected.h"
#include "phat/wasm/error.h"

namespace phat::wasm {

template <typename T>
using Load = Expected<T, LoadError>;

class Reader {
 public:
  // `base` is the offset of bytes[0] in the whole module, for error messages.
  Reader(std::span<const uint8_t> bytes, uint64_t base)
      : begin_(bytes.data()), pos_(bytes.data()), end_(bytes.data() + bytes.size()), base_(base) {}

  bool AtEnd() const { return pos_ == end_; }
  size_t Remaining() const { return static_cast<size_t>(end_ - pos_); }
  uint64_t Offset() const { return base_ + static_cast<uint64_t>(pos_ - begin_); }
  const uint8_t* Position() const { return pos_; }

  LoadError Malformed(std::string message) const {
    return LoadError{LoadError::Kind::Malformed, std::move(message), Offset(), {}};
  }
  LoadError Malformed(std::string message, uint64_t offset) const {
    return LoadError{LoadError::Kind::Malformed, std::move(message), offset, {}};
  }

  Load<uint8_t> U8() {
    if (pos_ == end_) return unexpected(Malformed("unexpected end"));
    return *pos_++;
  }

  // https://webassembly.github.io/spec/core/binary/values.html#integers
  Load<uint32_t> U32() {
    uint64_t v = PHAT_TRY(Leb(32, false));
    return static_cast<uint32_t>(v);
  }
  Load<int32_t> S32() {
    uint64_t v = PHAT_TRY(Leb(32, true));
    return static_cast<int32_t>(v);
  }
  Load<int64_t> S33() {
    uint64_t v = PHAT_TRY(Leb(33, true));
    return static_cast<int64_t>(v);
  }
  Load<int64_t> S64() {
    uint64_t v = PHAT_TRY(Leb(64, true));
    return static_cast<int64_t>(v);
  }

  Load<uint32_t> F32Bits() {
    auto bytes = PHAT_TRY(Bytes(4));
    uint32_t v;
    std::memcpy(&v, bytes.data(), 4);
    return v;
  }
  Load<uint64_t> F64Bits() {
    auto bytes = PHAT_TRY(Bytes(8));
    uint64_t v;
    std::memcpy(&v, bytes.data(), 8);
    return v;
  }

  Load<std::span<const uint8_t>> Bytes(size_t n) {
    if (Remaining() < n) return unexpected(Malformed("unexpected end"));
    std::span<const uint8_t> out(pos_, n);
    pos_ += n;
    return out;
  }

  // A vector length, checked against the bytes left so that a huge count fails early instead
  // of reserving memory: each element takes at least `min_element_size` bytes.
  Load<uint32_t> Count(size_t min_element_size = 1) {
    uint64_t at = Offset();
    uint32_t n = PHAT_TRY(U32());
    if (min_element_size > 0 && n > Remaining() / min_element_size)
      return unexpected(Malformed("length out of bounds: " + std::to_string(n), at));
    return n;
  }

  // https://webassembly.github.io/spec/core/binary/values.html#names
  Load<std::string> Name() {
    uint32_t n = PHAT_TRY(U32());
    uint64_t at = Offset();
    auto bytes = PHAT_TRY(Bytes(n));
    std::string_view s(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (!IsValidUtf8(s)) return unexpected(Malformed("malformed UTF-8 encoding", at));
    return std::string(s);
  }

  Reader Sub(size_t n) const { return Reader({pos_, n}, Offset()); }
  void Skip(size_t n) { pos_ += n; }

  static bool IsValidUtf8(std::string_view s);

 private:
  // Reads an LEB128 integer of `bits` width, rejecting over-long encodings and unused bits
  // that are not zero (unsigned) or the sign's copy (signed), as the spec requires.
  Load<uint64_t> Leb(unsigned bits, bool is_signed) {
    const unsigned max_bytes = (bits + 6) / 7;
    uint64_t result = 0;
    unsigned shift = 0;
    for (unsigned i = 0;; ++i) {
      if (pos_ == end_) return unexpected(Malformed("unexpected end"));
      uint8_t byte = *pos_++;
      if (i == max_bytes - 1) {
        if (byte & 0x80) return unexpected(Malformed("integer representation too long"));
        unsigned used = bits - shift;  // payload bits this last byte may carry
        uint8_t payload_mask = static_cast<uint8_t>((1u << used) - 1);
        uint8_t unused = byte & 0x7f & static_cast<uint8_t>(~payload_mask);
        if (is_signed) {
          bool negative = (byte >> (used - 1)) & 1;
          uint8_t expect = negative ? (0x7f & static_cast<uint8_t>(~payload_mask)) : 0;
          if (unused != expect) return unexpected(Malformed("integer too large"));
        } else if (unused != 0) {
          return unexpected(Malformed("integer too large"));
        }
      }
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) {
        if (is_signed && shift < 64 && (byte & 0x40)) result |= ~uint64_t{0} << shift;
        break;
      }
    }
    if (is_signed && bits < 64) {
      // Keep the low `bits` bits sign-extended to 64.
      unsigned unused_high = 64 - bits;
      result = static_cast<uint64_t>(static_cast<int64_t>(result << unused_high) >> unused_high);
    }
    return result;
  }

  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* end_;
  uint64_t base_;
};

}  // namespace phat::wasm
