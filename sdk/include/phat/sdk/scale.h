// SCALE, the encoding of every value that crosses the contract boundary (ABI.md §7): call
// input, return data, storage values and keys, event data and topics.
//
// Why not src/codec: the host's SCALE codec is built on the standard library and runs in the
// node. This one must run freestanding inside wasm32 (no allocator but the SDK's, no
// exceptions) and also at compile time, so it is separate, small, and constexpr. Errors are
// flags, not exceptions: a Writer past its capacity keeps counting (so callers learn the size
// needed) and a Reader that runs short stays failed. Neither owns its buffer.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk {

class Writer {
 public:
  constexpr Writer(u8* buffer, size_t capacity) : buffer_(buffer), capacity_(capacity) {}

  constexpr void Put(u8 byte) {
    if (size_ < capacity_) buffer_[size_] = byte;
    ++size_;
  }
  constexpr void Put(const u8* bytes, size_t n) {
    if (size_ + n <= capacity_) CopyBytes(buffer_ + size_, bytes, n);
    size_ += n;
  }
  // Bytes written, or needed when overflowed().
  constexpr size_t size() const { return size_; }
  constexpr bool overflowed() const { return size_ > capacity_; }
  constexpr u8* data() const { return buffer_; }

 private:
  u8* buffer_;
  size_t capacity_;
  size_t size_ = 0;
};

class Reader {
 public:
  constexpr Reader(const u8* data, size_t size) : data_(data), left_(size) {}

  constexpr u8 Byte() {
    if (left_ == 0) {
      failed_ = true;
      return 0;
    }
    --left_;
    return *data_++;
  }
  constexpr bool Take(u8* out, size_t n) {
    if (left_ < n) {
      failed_ = true;
      left_ = 0;
      return false;
    }
    CopyBytes(out, data_, n);
    data_ += n;
    left_ -= n;
    return true;
  }
  constexpr void Fail() { failed_ = true; }
  constexpr bool failed() const { return failed_; }
  constexpr size_t remaining() const { return left_; }
  // Decoded without error and with nothing left over (Rust's decode_all).
  constexpr bool done() const { return !failed_ && left_ == 0; }

 private:
  const u8* data_;
  size_t left_;
  bool failed_ = false;
};

template <class T>
struct Codec;

template <class T>
constexpr void Encode(Writer& w, const T& value) {
  Codec<T>::Encode(w, value);
}
template <class T>
constexpr void Decode(Reader& r, T& out) {
  Codec<T>::Decode(r, out);
}

// ---- little-endian integers; u128 as two u64 halves (wasm32 has no cheap 128-bit shift) ----
template <class T>
constexpr void EncodeInteger(Writer& w, T value) {
  if constexpr (sizeof(T) == 16) {
    auto u = static_cast<u128>(value);
    EncodeInteger(w, static_cast<u64>(u));
    EncodeInteger(w, static_cast<u64>(u >> 64));
  } else {
    auto u = static_cast<u64>(value);
    for (size_t i = 0; i < sizeof(T); ++i) w.Put(static_cast<u8>(u >> (8 * i)));
  }
}
template <class T>
constexpr T DecodeInteger(Reader& r) {
  if constexpr (sizeof(T) == 16) {
    u64 lo = DecodeInteger<u64>(r);
    u64 hi = DecodeInteger<u64>(r);
    return static_cast<T>(static_cast<u128>(hi) << 64 | lo);
  } else {
    u64 u = 0;
    for (size_t i = 0; i < sizeof(T); ++i) u |= static_cast<u64>(r.Byte()) << (8 * i);
    return static_cast<T>(u);
  }
}

// ---- Compact (ABI.md §7) ----
constexpr void EncodeCompact(Writer& w, u128 value) {
  if (value < (1u << 6)) {
    w.Put(static_cast<u8>(value << 2));
  } else if (value < (1u << 14)) {
    EncodeInteger(w, static_cast<u16>((value << 2) | 1));
  } else if (value < (1u << 30)) {
    EncodeInteger(w, static_cast<u32>((value << 2) | 2));
  } else {
    u64 lo = static_cast<u64>(value), hi = static_cast<u64>(value >> 64);
    u8 bytes[16]{};
    for (int i = 0; i < 8; ++i) {
      bytes[i] = static_cast<u8>(lo >> (8 * i));
      bytes[i + 8] = static_cast<u8>(hi >> (8 * i));
    }
    int n = 16;
    while (n > 4 && bytes[n - 1] == 0) --n;
    w.Put(static_cast<u8>(((n - 4) << 2) | 3));
    w.Put(bytes, static_cast<size_t>(n));
  }
}
// A Compact that does not fit `max`, or is not in its shortest form, fails the reader (as
// parity-scale-codec refuses it).
constexpr u128 DecodeCompact(Reader& r, u128 max) {
  u8 first = r.Byte();
  u128 value = 0;
  switch (first & 3) {
    case 0:
      value = first >> 2;
      break;
    case 1: {
      u32 v = (first | static_cast<u32>(r.Byte()) << 8) >> 2;
      if (v < (1u << 6)) r.Fail();
      value = v;
      break;
    }
    case 2: {
      u32 v = first | static_cast<u32>(r.Byte()) << 8 | static_cast<u32>(r.Byte()) << 16 |
              static_cast<u32>(r.Byte()) << 24;
      v >>= 2;
      if (v < (1u << 14)) r.Fail();
      value = v;
      break;
    }
    default: {
      int n = (first >> 2) + 4;
      if (n > 16) {
        r.Fail();
        return 0;
      }
      u64 lo = 0, hi = 0;
      u8 last = 0;
      for (int i = 0; i < n; ++i) {
        last = r.Byte();
        if (i < 8) {
          lo |= static_cast<u64>(last) << (8 * i);
        } else {
          hi |= static_cast<u64>(last) << (8 * (i - 8));
        }
      }
      value = static_cast<u128>(hi) << 64 | lo;
      if (last == 0 || value < (u128{1} << 30)) r.Fail();
    }
  }
  if (value > max) r.Fail();
  return r.failed() ? 0 : value;
}
constexpr void EncodeLength(Writer& w, size_t n) {
  EncodeCompact(w, n);
}
constexpr u32 DecodeLength(Reader& r) {
  u32 n = static_cast<u32>(DecodeCompact(r, 0xffffffffu));
  // Every element takes at least a byte here, so a longer length is a lie: refuse it before
  // allocating for it.
  if (n > r.remaining()) r.Fail();
  return r.failed() ? 0 : n;
}

// ---- the codecs ----
template <class T>
struct Codec {
  static constexpr void Encode(Writer& w, const T& value) {
    if constexpr (kIsSame<T, bool>) {
      w.Put(value ? 1 : 0);
    } else if constexpr (kIsInteger<T>) {
      EncodeInteger(w, value);
    } else if constexpr (kIsSame<T, Unit>) {
    } else if constexpr (FieldStruct<T>) {
      T::PhatVisitFields(value, [&w](const char*, const auto& field, auto) {
        if constexpr (!LazyField<Decay<decltype(field)>>) sdk::Encode(w, field);
      });
    } else if constexpr (PhatEnum<T>) {
      w.Put(static_cast<u8>(value));
    } else {
      static_assert(sizeof(T) == 0, "this type has no SCALE form: see sdk/README.md");
    }
  }
  static constexpr void Decode(Reader& r, T& out) {
    if constexpr (kIsSame<T, bool>) {
      u8 b = r.Byte();
      if (b > 1) r.Fail();
      out = b == 1;
    } else if constexpr (kIsInteger<T>) {
      out = DecodeInteger<T>(r);
    } else if constexpr (kIsSame<T, Unit>) {
    } else if constexpr (FieldStruct<T>) {
      T::PhatVisitFields(out, [&r](const char*, auto& field, auto) {
        if constexpr (!LazyField<Decay<decltype(field)>>) sdk::Decode(r, field);
      });
    } else if constexpr (PhatEnum<T>) {
      u8 index = r.Byte();
      if (index >= PhatEnumInfo(T{}).VariantCount()) r.Fail();
      out = static_cast<T>(index);
    } else {
      static_assert(sizeof(T) == 0, "this type has no SCALE form: see sdk/README.md");
    }
  }
};

template <class Tag>
struct Codec<Bytes32<Tag>> {
  static constexpr void Encode(Writer& w, const Bytes32<Tag>& v) { w.Put(v.data(), 32); }
  static constexpr void Decode(Reader& r, Bytes32<Tag>& out) { r.Take(out.data(), 32); }
};

template <class T, size_t kN>
struct Codec<Array<T, kN>> {
  static constexpr void Encode(Writer& w, const Array<T, kN>& v) {
    for (const T& item : v) sdk::Encode(w, item);
  }
  static constexpr void Decode(Reader& r, Array<T, kN>& out) {
    for (T& item : out) sdk::Decode(r, item);
  }
};

template <class T>
struct Codec<Compact<T>> {
  static constexpr void Encode(Writer& w, const Compact<T>& v) { EncodeCompact(w, v.value); }
  static constexpr void Decode(Reader& r, Compact<T>& out) {
    out.value = static_cast<T>(DecodeCompact(r, static_cast<T>(~T{0})));
  }
};

template <class T>
struct Codec<Option<T>> {
  // Option<bool> included: a Rust Option<bool> is tagged like any Option (parity-scale-codec
  // cannot specialise it; its one-byte OptionBool is a separate type).
  static constexpr void Encode(Writer& w, const Option<T>& v) {
    w.Put(v.has_value() ? 1 : 0);
    if (v.has_value()) sdk::Encode(w, *v);
  }
  static constexpr void Decode(Reader& r, Option<T>& out) {
    u8 tag = r.Byte();
    if (tag == 0) {
      out = None;
    } else if (tag == 1) {
      T value{};
      sdk::Decode(r, value);
      out = Move(value);
    } else {
      r.Fail();
    }
  }
};

template <class T, class E>
struct Codec<Result<T, E>> {
  using V = typename Result<T, E>::ValueType;
  static constexpr void Encode(Writer& w, const Result<T, E>& v) {
    w.Put(v.is_ok() ? 0 : 1);
    if (v.is_ok()) {
      sdk::Encode(w, v.value());
    } else {
      sdk::Encode(w, v.error());
    }
  }
  static constexpr void Decode(Reader& r, Result<T, E>& out) {
    u8 tag = r.Byte();
    if (tag == 0) {
      V value{};
      sdk::Decode(r, value);
      out = Ok(Move(value));
    } else if (tag == 1) {
      E error{};
      sdk::Decode(r, error);
      out = Err(Move(error));
    } else {
      r.Fail();
    }
  }
};

template <class... Ts>
struct Codec<Tuple<Ts...>> {
  static constexpr void Encode(Writer& w, const Tuple<Ts...>& v) {
    EncodeAll(w, v, MakeIndexSequence<sizeof...(Ts)>{});
  }
  static constexpr void Decode(Reader& r, Tuple<Ts...>& out) {
    DecodeAll(r, out, MakeIndexSequence<sizeof...(Ts)>{});
  }
  template <size_t... kIs>
  static constexpr void EncodeAll(Writer& w, const Tuple<Ts...>& v, IndexSequence<kIs...>) {
    (sdk::Encode(w, Get<kIs>(v)), ...);
  }
  template <size_t... kIs>
  static constexpr void DecodeAll(Reader& r, Tuple<Ts...>& out, IndexSequence<kIs...>) {
    (sdk::Decode(r, Get<kIs>(out)), ...);
  }
};

template <class T>
struct Codec<Vec<T>> {
  static void Encode(Writer& w, const Vec<T>& v) {
    EncodeLength(w, v.size());
    if constexpr (sizeof(T) == 1 && kIsInteger<T>) {
      w.Put(reinterpret_cast<const u8*>(v.data()), v.size());
    } else {
      for (const T& item : v) sdk::Encode(w, item);
    }
  }
  static void Decode(Reader& r, Vec<T>& out) {
    u32 n = DecodeLength(r);
    out.clear();
    out.resize(n);
    if constexpr (sizeof(T) == 1 && kIsInteger<T>) {
      r.Take(reinterpret_cast<u8*>(out.data()), n);
    } else {
      for (u32 i = 0; i < n && !r.failed(); ++i) sdk::Decode(r, out[i]);
    }
    if (r.failed()) out.clear();
  }
};

template <>
struct Codec<String> {
  static void Encode(Writer& w, const String& v) {
    EncodeLength(w, v.size());
    w.Put(reinterpret_cast<const u8*>(v.data()), v.size());
  }
  static void Decode(Reader& r, String& out) {
    u32 n = DecodeLength(r);
    out.Resize(n);
    if (!r.Take(reinterpret_cast<u8*>(out.mutable_data()), n)) out.Resize(0);
  }
};

template <class T>
struct Codec<Topic<T>> {
  static constexpr void Encode(Writer& w, const Topic<T>& v) { sdk::Encode(w, v.value); }
  static constexpr void Decode(Reader& r, Topic<T>& out) { sdk::Decode(r, out.value); }
};

// ---- conveniences ----

// The values' encodings one after another, as one Bytes (e.g. a chain extension's input).
template <class... Ts>
Bytes EncodeToBytes(const Ts&... values) {
  u8 probe = 0;
  Writer counter(&probe, 0);
  (sdk::Encode(counter, values), ...);
  Bytes out;
  out.resize(static_cast<u32>(counter.size()));
  Writer w(out.data(), out.size());
  (sdk::Encode(w, values), ...);
  return out;
}

// Decodes all of `size` bytes into `out`; false if they do not decode or some are left over.
template <class T>
constexpr bool DecodeAll(const u8* data, size_t size, T& out) {
  Reader r(data, size);
  sdk::Decode(r, out);
  return r.done();
}

}  // namespace phat::sdk
