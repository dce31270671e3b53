// Hex text for contracts that talk to Ethereum: bytes to and from hex (with or without "0x"), and
// Ethereum JSON-RPC "quantities"
// (https://ethereum.org/en/developers/docs/apis/json-rpc/#hex-encoding): "0x" then the value in hex
// with no leading zeros ("0x0" is zero, "0x" and "0x0400" are invalid), into u64 or u128. A
// JSON-RPC node is not trusted, so parsing is strict and every way text can be wrong is its own
// HexError value, never a trap. Hex digits of either case are read; lower case is written.
//
// Freestanding (base.h, types.h); pure functions, no state.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::hex {

PHAT_ENUM(HexError,
          WrongPrefix,  // "0x" is required and missing, or forbidden and there
          OddLength,    // bytes need two digits each
          BadDigit,     // a character that is not a hex digit
          WrongLength,  // not the number of bytes asked for (an address is 20, a hash 32)
          Empty,        // a quantity with no digits: "0x"
          LeadingZero,  // a quantity written "0x01": JSON-RPC's form has none
          Overflow);    // a quantity larger than the integer asked for

// Whether "0x" comes first. Encoding writes it unless kNone; decoding requires it (k0x), forbids
// it (kNone) or takes either (kOptional).
enum class Prefix : u8 { k0x, kNone, kOptional };

namespace internal {
inline constexpr char kDigits[] = "0123456789abcdef";
}

// The value of a hex digit, or -1.
constexpr int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline bool HasPrefix(const char* text, u32 size) {
  return size >= 2 && text[0] == '0' && text[1] == 'x';
}

// ---- bytes ----

inline String Encode(const u8* data, u32 size, Prefix prefix = Prefix::k0x) {
  String out;
  u32 head = prefix == Prefix::kNone ? 0 : 2;
  out.Resize(head + 2 * size);
  char* p = out.mutable_data();
  if (head != 0) {
    p[0] = '0';
    p[1] = 'x';
  }
  for (u32 i = 0; i < size; ++i) {
    p[head + 2 * i] = internal::kDigits[data[i] >> 4];
    p[head + 2 * i + 1] = internal::kDigits[data[i] & 15];
  }
  return out;
}
inline String Encode(const Bytes& bytes, Prefix prefix = Prefix::k0x) {
  return Encode(bytes.data(), bytes.size(), prefix);
}
template <size_t kN>
String Encode(const Array<u8, kN>& bytes, Prefix prefix = Prefix::k0x) {
  return Encode(bytes.data(), static_cast<u32>(kN), prefix);
}

namespace internal {
struct Digits {
  const char* data = nullptr;
  u32 size = 0;
};
// The digits once the prefix rule is applied.
inline Result<Digits, HexError> AfterPrefix(const char* text, u32 size, Prefix prefix) {
  bool has = HasPrefix(text, size);
  if ((prefix == Prefix::k0x && !has) || (prefix == Prefix::kNone && has)) {
    return Err(HexError::WrongPrefix);
  }
  return has ? Ok(Digits{text + 2, size - 2}) : Ok(Digits{text, size});
}
}  // namespace internal

// Decodes exactly `n` bytes of digits into `out` (which has room for them); the digits must be
// 2n long.
inline Result<void, HexError> DecodeDigitsInto(const char* digits, u32 count, u8* out, u32 n) {
  if (count % 2 != 0) return Err(HexError::OddLength);
  if (count / 2 != n) return Err(HexError::WrongLength);
  for (u32 i = 0; i < n; ++i) {
    int hi = DigitValue(digits[2 * i]), lo = DigitValue(digits[2 * i + 1]);
    if (hi < 0 || lo < 0) return Err(HexError::BadDigit);
    out[i] = static_cast<u8>(hi << 4 | lo);
  }
  return Ok();
}

// Any number of bytes ("0x" alone is none).
inline Result<Bytes, HexError> Decode(const char* text, u32 size, Prefix prefix = Prefix::k0x) {
  auto digits = internal::AfterPrefix(text, size, prefix);
  if (digits.is_err()) return Err(digits.error());
  const internal::Digits& d = digits.value();
  if (d.size % 2 != 0) return Err(HexError::OddLength);
  Bytes out;
  out.resize(d.size / 2);
  auto decoded = DecodeDigitsInto(d.data, d.size, out.data(), out.size());
  if (decoded.is_err()) return Err(decoded.error());
  return Ok(Move(out));
}
inline Result<Bytes, HexError> Decode(const String& text, Prefix prefix = Prefix::k0x) {
  return Decode(text.data(), text.size(), prefix);
}

// Exactly kN bytes (an address, a hash); any other length is WrongLength.
template <size_t kN>
Result<Array<u8, kN>, HexError> DecodeFixed(const char* text, u32 size,
                                            Prefix prefix = Prefix::k0x) {
  auto digits = internal::AfterPrefix(text, size, prefix);
  if (digits.is_err()) return Err(digits.error());
  Array<u8, kN> out;
  auto decoded =
      DecodeDigitsInto(digits.value().data, digits.value().size, out.data(), static_cast<u32>(kN));
  if (decoded.is_err()) return Err(decoded.error());
  return Ok(out);
}
template <size_t kN>
Result<Array<u8, kN>, HexError> DecodeFixed(const String& text, Prefix prefix = Prefix::k0x) {
  return DecodeFixed<kN>(text.data(), text.size(), prefix);
}

// ---- quantities ----

// A quantity into T (u8 … u128): "0x", at least one digit, no leading zero unless the value is 0.
template <class T>
Result<T, HexError> ParseQuantity(const char* text, u32 size) {
  static_assert(kIsInteger<T> && static_cast<T>(-1) > 0, "a quantity is unsigned");
  if (!HasPrefix(text, size)) return Err(HexError::WrongPrefix);
  const char* p = text + 2;
  u32 count = size - 2;
  if (count == 0) return Err(HexError::Empty);
  if (p[0] == '0' && count > 1) return Err(HexError::LeadingZero);
  // No digit may be lost off the top: the value fits if its digits do.
  if (count > 2 * sizeof(T)) {
    for (u32 i = 0; i < count; ++i) {
      if (DigitValue(p[i]) < 0) return Err(HexError::BadDigit);
    }
    return Err(HexError::Overflow);
  }
  T value = 0;
  for (u32 i = 0; i < count; ++i) {
    int digit = DigitValue(p[i]);
    if (digit < 0) return Err(HexError::BadDigit);
    value = static_cast<T>(value << 4 | static_cast<T>(digit));
  }
  return Ok(value);
}
template <class T>
Result<T, HexError> ParseQuantity(const String& text) {
  return ParseQuantity<T>(text.data(), text.size());
}

// "0x" and the value's digits, none leading: "0x0", "0x539".
inline String FormatQuantity(u128 value) {
  char digits[32];
  u32 n = 0;
  // Two u64 halves: a 128-bit shift by a variable is a compiler-rt call on wasm32.
  u64 hi = static_cast<u64>(value >> 64), lo = static_cast<u64>(value);
  do {
    digits[n++] = internal::kDigits[lo & 15];
    lo = lo >> 4 | hi << 60;
    hi >>= 4;
  } while (lo != 0 || hi != 0);
  String out("0x");
  while (n > 0) out.Append(&digits[--n], 1);
  return out;
}

}  // namespace phat::sdk::hex
