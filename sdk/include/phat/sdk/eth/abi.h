// The Solidity contract ABI (https://docs.soliditylang.org/en/latest/abi-spec.html), in
// `phat::sdk::eth::abi`: calls to an Ethereum contract, encoded for eth_call or a transaction's
// data, and the answers, decoded. The types are the C++ types that stand for them:
//
//   U256, u8 … u128   uint256 (and the narrower uintN: the same 32-byte word)
//   Address           address
//   bool              bool
//   Array<u8, 32>     bytes32
//   Bytes             bytes     (dynamic)
//   String            string    (dynamic, UTF-8)
//
// Each value takes one 32-byte head word; a dynamic one's head is the offset of its tail (length
// word, then the bytes padded to a multiple of 32), counted from the start of the tuple.
//
// An answer comes from an RPC node, which may lie or be broken, so decoding trusts nothing: every
// offset and length is checked against the data before it is used (in 64-bit arithmetic, so that
// no sum wraps), a number must fit the type asked for, an address's and a bool's unused bytes
// must be zero, a string must be UTF-8, and any failure is an AbiError, never a trap. Trailing
// data after what was asked for is allowed, as Solidity allows it; padding bytes after a dynamic
// value's bytes are not checked.
//
// Pure functions, except FunctionSelector, which asks the host for keccak-256.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/env.h"
#include "phat/sdk/eth/address.h"
#include "phat/sdk/eth/u256.h"
#include "phat/sdk/hash.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::eth {

// Why ABI-encoded data is not what was asked for.
PHAT_ENUM(AbiError,
          Truncated,     // a head word, a length word or a tail runs past the end
          BadOffset,     // a dynamic value's offset is not inside the data
          BadLength,     // a dynamic value's length is larger than the data
          OutOfRange,    // a number does not fit the type asked for
          BadPadding,    // an address or bool with nonzero bytes where zeros belong
          NotABool,      // a bool word other than 0 or 1
          InvalidUtf8);  // a string that is not UTF-8

namespace abi {

inline constexpr u32 kWord = 32;

// selector = keccak-256(signature)[0..4], e.g. "transfer(address,uint256)" → a9059cbb. The
// signature is the canonical one: no spaces, no parameter names, uint256 rather than uint.
inline Selector FunctionSelector(const char* signature) {
  Hash hash = env::HashKeccak256(reinterpret_cast<const u8*>(signature),
                                 static_cast<u32>(StrLen(signature)));
  return Selector{{hash.bytes[0], hash.bytes[1], hash.bytes[2], hash.bytes[3]}};
}

// ---- one codec per type ----
template <class T>
struct Codec;

namespace internal {

inline void PutWord(Bytes& out, const U256& value) {
  u32 at = out.size();
  out.resize(at + kWord);
  value.ToBigEndian(out.data() + at);
}
// The bytes, then zeros up to a multiple of 32.
inline void PutPadded(Bytes& out, const u8* data, u32 len) {
  u32 at = out.size();
  u32 padded = (len + kWord - 1) / kWord * kWord;
  out.resize(at + padded);
  CopyBytes(out.data() + at, data, len);
  for (u32 i = len; i < padded; ++i) out.data()[at + i] = 0;
}

// The word at `at`, which the caller has checked is inside the data.
inline U256 WordAt(const u8* data, u32 at) {
  return U256::FromBigEndian(data + at);
}

inline bool ZerosAt(const u8* p, u32 n) {
  for (u32 i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
inline bool IsUtf8(const u8* p, u32 n) {
  for (u32 i = 0; i < n;) {
    u8 c = p[i];
    u32 extra = 0;
    u32 code = 0;
    u32 min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, code = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, code = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, code = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (n - i <= extra) return false;
    for (u32 k = 1; k <= extra; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      code = code << 6 | (p[i + k] & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += 1 + extra;
  }
  return true;
}

// The tail a dynamic value's head at `head_at` points to: its bytes, checked to lie inside the
// data with their padding.
struct Tail {
  const u8* data = nullptr;
  u32 size = 0;
};
inline Result<Tail, AbiError> ReadTail(const u8* data, u32 size, u32 head_at) {
  Option<u64> offset = WordAt(data, head_at).ToU64();
  if (!offset || *offset > size || size - *offset < kWord) return Err(AbiError::BadOffset);
  Option<u64> len = WordAt(data, static_cast<u32>(*offset)).ToU64();
  u64 start = *offset + kWord;
  if (!len || *len > size - start) return Err(AbiError::BadLength);
  u64 padded = (*len + kWord - 1) / kWord * kWord;
  if (padded > size - start) return Err(AbiError::Truncated);
  return Ok(Tail{data + start, static_cast<u32>(*len)});
}

}  // namespace internal

template <>
struct Codec<U256> {
  static constexpr bool kDynamic = false;
  static void Head(Bytes& out, const U256& v, u32) { internal::PutWord(out, v); }
  static void Tail(Bytes&, const U256&) {}
  static Result<void, AbiError> Read(const u8* data, u32, u32 at, U256& out) {
    out = internal::WordAt(data, at);
    return Ok();
  }
};

template <class T>
  requires(kIsInteger<T> && static_cast<T>(-1) > 0)  // unsigned only: intN is two's complement
struct Codec<T> {
  static constexpr bool kDynamic = false;
  static void Head(Bytes& out, T v, u32) { internal::PutWord(out, U256::FromU128(v)); }
  static void Tail(Bytes&, T) {}
  static Result<void, AbiError> Read(const u8* data, u32, u32 at, T& out) {
    Option<u128> wide = internal::WordAt(data, at).ToU128();
    if (!wide || *wide > static_cast<T>(-1)) return Err(AbiError::OutOfRange);
    out = static_cast<T>(*wide);
    return Ok();
  }
};

template <>
struct Codec<bool> {
  static constexpr bool kDynamic = false;
  static void Head(Bytes& out, bool v, u32) { internal::PutWord(out, U256(v ? 1 : 0)); }
  static void Tail(Bytes&, bool) {}
  static Result<void, AbiError> Read(const u8* data, u32, u32 at, bool& out) {
    if (!internal::ZerosAt(data + at, kWord - 1)) return Err(AbiError::BadPadding);
    u8 last = data[at + kWord - 1];
    if (last > 1) return Err(AbiError::NotABool);
    out = last == 1;
    return Ok();
  }
};

template <>
struct Codec<Address> {
  static constexpr bool kDynamic = false;
  static void Head(Bytes& out, const Address& v, u32) {
    u8 word[kWord]{};
    CopyBytes(word + 12, v.data(), 20);
    internal::PutPadded(out, word, kWord);
  }
  static void Tail(Bytes&, const Address&) {}
  static Result<void, AbiError> Read(const u8* data, u32, u32 at, Address& out) {
    if (!internal::ZerosAt(data + at, 12)) return Err(AbiError::BadPadding);
    CopyBytes(out.data(), data + at + 12, 20);
    return Ok();
  }
};

template <>
struct Codec<Array<u8, 32>> {
  static constexpr bool kDynamic = false;
  static void Head(Bytes& out, const Array<u8, 32>& v, u32) {
    internal::PutPadded(out, v.data(), kWord);
  }
  static void Tail(Bytes&, const Array<u8, 32>&) {}
  static Result<void, AbiError> Read(const u8* data, u32, u32 at, Array<u8, 32>& out) {
    CopyBytes(out.data(), data + at, kWord);
    return Ok();
  }
};

template <>
struct Codec<Bytes> {
  static constexpr bool kDynamic = true;
  static void Head(Bytes& out, const Bytes&, u32 tail_offset) {
    internal::PutWord(out, U256(tail_offset));
  }
  static void Tail(Bytes& out, const Bytes& v) {
    internal::PutWord(out, U256(v.size()));
    internal::PutPadded(out, v.data(), v.size());
  }
  static Result<void, AbiError> Read(const u8* data, u32 size, u32 at, Bytes& out) {
    Result<internal::Tail, AbiError> tail = internal::ReadTail(data, size, at);
    if (tail.is_err()) return Err(tail.error());
    out = Bytes(tail.value().data, tail.value().size);
    return Ok();
  }
};

template <>
struct Codec<String> {
  static constexpr bool kDynamic = true;
  static void Head(Bytes& out, const String&, u32 tail_offset) {
    internal::PutWord(out, U256(tail_offset));
  }
  static void Tail(Bytes& out, const String& v) {
    internal::PutWord(out, U256(v.size()));
    internal::PutPadded(out, reinterpret_cast<const u8*>(v.data()), v.size());
  }
  static Result<void, AbiError> Read(const u8* data, u32 size, u32 at, String& out) {
    Result<internal::Tail, AbiError> tail = internal::ReadTail(data, size, at);
    if (tail.is_err()) return Err(tail.error());
    const internal::Tail& t = tail.value();
    if (!internal::IsUtf8(t.data, t.size)) return Err(AbiError::InvalidUtf8);
    out = String(reinterpret_cast<const char*>(t.data), t.size);
    return Ok();
  }
};

// ---- tuples ----

// The values as one ABI tuple (a function's arguments or return values, a constructor's
// arguments): heads, then the dynamic values' tails in order.
template <class... Ts>
Bytes Encode(const Ts&... values) {
  Bytes heads;
  Bytes tails;
  u32 heads_size = kWord * static_cast<u32>(sizeof...(Ts));
  auto put = [&](const auto& value) {
    using C = Codec<Decay<decltype(value)>>;
    C::Head(heads, value, heads_size + tails.size());
    C::Tail(tails, value);
  };
  (put(values), ...);
  u32 at = heads.size();
  heads.resize(at + tails.size());
  CopyBytes(heads.data() + at, tails.data(), tails.size());
  return heads;
}

// A call's data: the selector, then the arguments.
template <class... Ts>
Bytes EncodeCall(const Selector& selector, const Ts&... args) {
  Bytes tuple = Encode(args...);
  Bytes out(selector.bytes, 4);
  out.resize(4 + tuple.size());
  CopyBytes(out.data() + 4, tuple.data(), tuple.size());
  return out;
}

// Decodes an ABI tuple of `outs`' types from `size` bytes into `outs`; on an error the outs are
// left partly written.
template <class... Ts>
Result<void, AbiError> DecodeInto(const u8* data, u32 size, Ts&... outs) {
  if (size < kWord * sizeof...(Ts)) return Err(AbiError::Truncated);
  Result<void, AbiError> result = Ok();
  u32 at = 0;
  auto read = [&](auto& out) {
    if (result.is_ok()) result = Codec<Decay<decltype(out)>>::Read(data, size, at, out);
    at += kWord;
  };
  (read(outs), ...);
  return result;
}
template <class... Ts>
Result<void, AbiError> DecodeInto(const Bytes& data, Ts&... outs) {
  return DecodeInto(data.data(), data.size(), outs...);
}

// The one value a call answers (a balance, a name, …).
template <class T>
Result<T, AbiError> Decode(const Bytes& data) {
  T value{};
  Result<void, AbiError> result = DecodeInto(data, value);
  if (result.is_err()) return Err(result.error());
  return Ok(Move(value));
}

}  // namespace abi
}  // namespace phat::sdk::eth
