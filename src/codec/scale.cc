#include "phat/codec/scale.h"

#include <string>

namespace phat::codec {
namespace {

std::string Decimal(uint128 v) {
  if (v == 0) return "0";
  std::string out;
  for (; v != 0; v /= 10)
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
  return out;
}

// Reads n ≤ 16 little-endian bytes; the caller has checked they are there.
uint128 LittleEndian(ByteView bytes) {
  uint128 v = 0;
  for (size_t i = 0; i < bytes.size(); ++i) v |= static_cast<uint128>(bytes[i]) << (8 * i);
  return v;
}

// The offset of the first byte that breaks UTF-8 well-formedness (Unicode 15, table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF), or s.size() if there is none. This is
// the set Rust's String::from_utf8 accepts, which is what a contract's String::decode checks.
size_t FirstInvalidUtf8(ByteView s) {
  size_t i = 0;
  while (i < s.size()) {
    uint8_t b = s[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf;  // range of the second byte; later bytes are always 80..bf
    if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b == 0xe0) lo = 0xa0;  // overlong
      if (b == 0xed) hi = 0x9f;  // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b == 0xf0) lo = 0x90;  // overlong
      if (b == 0xf4) hi = 0x8f;  // above U+10FFFF
    } else {
      return i;
    }
    if (s.size() - i < len) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return i;
    }
    i += len;
  }
  return i;
}

}  // namespace

bool IsValidUtf8(ByteView bytes) { return FirstInvalidUtf8(bytes) == bytes.size(); }

std::string DecodeError::ToString() const {
  return "SCALE decode error at offset " + std::to_string(offset) + ": " + message;
}

// ---- ScaleWriter ----

// https://docs.substrate.io/reference/scale-codec/ (compact/general integers)
void ScaleWriter::Compact(uint128 v) {
  if (v < (uint128{1} << 6)) {
    U8(static_cast<uint8_t>(v << 2));
  } else if (v < (uint128{1} << 14)) {
    U16(static_cast<uint16_t>(v << 2 | 0b01));
  } else if (v < (uint128{1} << 30)) {
    U32(static_cast<uint32_t>(v << 2 | 0b10));
  } else {
    // Big-integer mode: the prefix's upper six bits hold (byte count - 4); as few bytes as hold v.
    size_t n = 4;
    while (n < 16 && (v >> (8 * n)) != 0) ++n;
    U8(static_cast<uint8_t>((n - 4) << 2 | 0b11));
    for (size_t i = 0; i < n; ++i) U8(static_cast<uint8_t>(v >> (8 * i)));
  }
}

void ScaleWriter::ByteVec(ByteView bytes) {
  Compact(bytes.size());
  Raw(bytes);
}

// ---- ScaleReader ----

DecodeError ScaleReader::Truncated(std::string_view what, size_t need) const {
  return Error("truncated input reading " + std::string(what) + ": needs " + std::to_string(need) +
               " bytes, " + std::to_string(remaining()) + " left");
}

Decoded<bool> ScaleReader::Bool() {
  size_t at = pos_;
  uint8_t b = PHAT_TRY(GetLe<uint8_t>("bool"));
  if (b > 1) {
    pos_ = at;
    return unexpected(ErrorAt(at, "invalid bool byte " + std::to_string(b) + " (only 0 and 1)"));
  }
  return b == 1;
}

// Accepts only the shortest encoding of each value, as parity-scale-codec does: otherwise one
// value would have several encodings, and storage keys or hashes built from them would differ.
Decoded<uint128> ScaleReader::Compact() {
  if (AtEnd()) return unexpected(Truncated("compact", 1));
  uint8_t prefix = input_[pos_];
  size_t n;         // bytes the encoding takes, prefix included (modes 0-2)
  uint128 min = 0;  // smallest value this mode may carry
  switch (prefix & 0b11) {
    case 0b00:
      ++pos_;
      return prefix >> 2;
    case 0b01:
      n = 2;
      min = uint128{1} << 6;
      break;
    case 0b10:
      n = 4;
      min = uint128{1} << 14;
      break;
    default: {
      size_t len = (prefix >> 2) + 4;  // value bytes after the prefix
      if (len > 16) {
        return unexpected(Error("compact in big-integer mode with " + std::to_string(len) +
                                " bytes does not fit in u128"));
      }
      if (remaining() < 1 + len) return unexpected(Truncated("compact", 1 + len));
      uint128 v = LittleEndian(input_.subspan(pos_ + 1, len));
      bool canonical = len == 4 ? v >= (uint128{1} << 30) : (v >> (8 * (len - 1))) != 0;
      if (!canonical) {
        return unexpected(Error("non-canonical compact: " + Decimal(v) + " encoded in " +
                                std::to_string(len) + "-byte big-integer mode"));
      }
      pos_ += 1 + len;
      return v;
    }
  }
  if (remaining() < n) return unexpected(Truncated("compact", n));
  uint128 v = LittleEndian(input_.subspan(pos_, n)) >> 2;
  if (v < min) {
    return unexpected(Error("non-canonical compact: " + Decimal(v) + " encoded in " +
                            std::to_string(n) + "-byte mode"));
  }
  pos_ += n;
  return v;
}

Decoded<uint128> ScaleReader::CompactAtMost(uint128 max, std::string_view type_name) {
  size_t at = pos_;
  uint128 v = PHAT_TRY(Compact());
  if (v > max) {
    pos_ = at;
    return unexpected(
        ErrorAt(at, "compact value " + Decimal(v) + " out of range for " + std::string(type_name)));
  }
  return v;
}

Decoded<uint32_t> ScaleReader::CompactU32() {
  uint128 v = PHAT_TRY(CompactAtMost(UINT32_MAX, "u32"));
  return static_cast<uint32_t>(v);
}

Decoded<uint64_t> ScaleReader::CompactU64() {
  uint128 v = PHAT_TRY(CompactAtMost(UINT64_MAX, "u64"));
  return static_cast<uint64_t>(v);
}

Decoded<uint32_t> ScaleReader::Length(std::string_view what) {
  size_t at = pos_;
  uint128 n = PHAT_TRY(CompactAtMost(UINT32_MAX, std::string(what) + " length (u32)"));
  if (n > remaining()) {
    pos_ = at;
    return unexpected(ErrorAt(at, std::string(what) + " length " + Decimal(n) + " exceeds the " +
                                      std::to_string(remaining()) + " bytes left"));
  }
  return static_cast<uint32_t>(n);
}

Decoded<ByteView> ScaleReader::Raw(size_t n) {
  if (remaining() < n) return unexpected(Truncated(std::to_string(n) + " raw bytes", n));
  ByteView out = input_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Decoded<Bytes> ScaleReader::ByteVec() {
  uint32_t n = PHAT_TRY(Length("Vec<u8>"));
  ByteView bytes = PHAT_TRY(Raw(n));
  return Bytes(bytes.begin(), bytes.end());
}

Decoded<std::string> ScaleReader::String() {
  size_t at = pos_;
  uint32_t n = PHAT_TRY(Length("String"));
  size_t body = pos_;
  ByteView bytes = PHAT_TRY(Raw(n));
  if (size_t bad = FirstInvalidUtf8(bytes); bad != bytes.size()) {
    pos_ = at;
    return unexpected(ErrorAt(body + bad, "String is not valid UTF-8"));
  }
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Decoded<std::optional<bool>> ScaleReader::OptionBool() {
  size_t at = pos_;
  uint8_t b = PHAT_TRY(GetLe<uint8_t>("Option<bool>"));
  switch (b) {
    case 0:
      return std::optional<bool>();
    case 1:
      return std::optional<bool>(true);
    case 2:
      return std::optional<bool>(false);
    default:
      pos_ = at;
      return unexpected(
          ErrorAt(at, "invalid Option<bool> byte " + std::to_string(b) + " (only 0, 1 and 2)"));
  }
}

Expected<void, DecodeError> ScaleReader::Finish() const {
  if (!AtEnd()) {
    return unexpected(Error(std::to_string(remaining()) + " trailing byte" +
                            (remaining() == 1 ? "" : "s") + " after the value"));
  }
  return {};
}

}  // namespace phat::codec
