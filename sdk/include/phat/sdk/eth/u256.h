// U256: the unsigned 256-bit integer of Ethereum, the type of ABI uint256 and of a transaction's
// value and fees. Small on purpose: a contract converts amounts in and out (32 bytes big-endian,
// a decimal or 0x-hex string, u64/u128), compares them and adds or subtracts with overflow
// checked; anything that could wrap answers None or an error instead of a wrong number.
//
// Four u64 limbs, least significant first: wasm32 has 64-bit integer instructions, and SCALE
// encodes the limbs as primitive-types' U256 ([u64; 4]) does, so a U256 can be a message argument
// or a storage value with ink!'s encoding. Plain value; no state.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::eth {

// Why a string is not a U256.
PHAT_ENUM(NumberError,
          Empty,         // no digits at all ("", "0x")
          InvalidDigit,  // a character that is not a digit of the base (or a missing "0x")
          Overflow);     // the value needs more than 256 bits

class U256 {
 public:
  constexpr U256() = default;
  constexpr U256(u64 value) : limbs_{{value, 0, 0, 0}} {}
  static constexpr U256 FromU128(u128 value) {
    U256 out;
    out.limbs_[0] = static_cast<u64>(value);
    out.limbs_[1] = static_cast<u64>(value >> 64);
    return out;
  }
  static constexpr U256 Max() {
    U256 out;
    for (u64& limb : out.limbs_) limb = ~u64{0};
    return out;
  }

  // ---- bytes ----
  static constexpr U256 FromBigEndian(const u8* bytes32) {
    U256 out;
    for (u32 i = 0; i < 32; ++i) {
      u32 bit = 8 * (31 - i);
      out.limbs_[bit / 64] |= static_cast<u64>(bytes32[i]) << (bit % 64);
    }
    return out;
  }
  static constexpr U256 FromBigEndian(const Array<u8, 32>& bytes) {
    return FromBigEndian(bytes.data());
  }
  constexpr void ToBigEndian(u8* out32) const {
    for (u32 i = 0; i < 32; ++i) {
      u32 bit = 8 * (31 - i);
      out32[i] = static_cast<u8>(limbs_[bit / 64] >> (bit % 64));
    }
  }
  constexpr Array<u8, 32> ToBigEndian() const {
    Array<u8, 32> out;
    ToBigEndian(out.data());
    return out;
  }
  // How many bytes the value needs: 0 for zero (RLP writes integers in this many bytes).
  constexpr u32 ByteLength() const {
    for (u32 i = 32; i > 0; --i) {
      u32 bit = 8 * (i - 1);
      if (static_cast<u8>(limbs_[bit / 64] >> (bit % 64)) != 0) return i;
    }
    return 0;
  }

  // ---- narrowing ----
  constexpr bool IsZero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  constexpr Option<u64> ToU64() const {
    if ((limbs_[1] | limbs_[2] | limbs_[3]) != 0) return None;
    return limbs_[0];
  }
  constexpr Option<u128> ToU128() const {
    if ((limbs_[2] | limbs_[3]) != 0) return None;
    return static_cast<u128>(limbs_[1]) << 64 | limbs_[0];
  }

  // ---- arithmetic: None where the true result is not a U256 ----
  constexpr Option<U256> CheckedAdd(const U256& other) const {
    U256 out;
    u64 carry = 0;
    for (u32 i = 0; i < 4; ++i) {
      u64 sum = limbs_[i] + other.limbs_[i];
      u64 carried = sum + carry;
      carry = (sum < limbs_[i] || carried < sum) ? 1 : 0;
      out.limbs_[i] = carried;
    }
    if (carry != 0) return None;
    return out;
  }
  constexpr Option<U256> CheckedSub(const U256& other) const {
    if (*this < other) return None;
    U256 out;
    u64 borrow = 0;
    for (u32 i = 0; i < 4; ++i) {
      u64 diff = limbs_[i] - other.limbs_[i];
      u64 borrowed = diff - borrow;
      borrow = (limbs_[i] < other.limbs_[i] || diff < borrow) ? 1 : 0;
      out.limbs_[i] = borrowed;
    }
    return out;
  }
  // By a u64 (fees: gas × price, units: × 10^decimals by steps).
  constexpr Option<U256> CheckedMul(u64 factor) const {
    U256 out;
    u64 carry = 0;
    for (u32 i = 0; i < 4; ++i) {
      u128 product = static_cast<u128>(limbs_[i]) * factor + carry;
      out.limbs_[i] = static_cast<u64>(product);
      carry = static_cast<u64>(product >> 64);
    }
    if (carry != 0) return None;
    return out;
  }

  // ---- strings ----
  // Decimal digits only (no sign, no spaces); leading zeros are allowed.
  static constexpr Result<U256, NumberError> FromDecimal(const char* text, u32 len) {
    if (len == 0) return Err(NumberError::Empty);
    U256 value;
    for (u32 i = 0; i < len; ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return Err(NumberError::InvalidDigit);
      Option<U256> next = value.CheckedMul(10);
      if (next) next = next->CheckedAdd(U256(static_cast<u64>(c - '0')));
      if (!next) return Err(NumberError::Overflow);
      value = *next;
    }
    return Ok(value);
  }
  // "0x" then hex digits of either case, as JSON-RPC writes quantities; leading zeros are allowed.
  static constexpr Result<U256, NumberError> FromHex(const char* text, u32 len) {
    if (len < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
      return Err(NumberError::InvalidDigit);
    }
    if (len == 2) return Err(NumberError::Empty);
    U256 value;
    for (u32 i = 2; i < len; ++i) {
      int digit = HexDigit(text[i]);
      if (digit < 0) return Err(NumberError::InvalidDigit);
      if ((value.limbs_[3] >> 60) != 0) return Err(NumberError::Overflow);
      for (u32 k = 3; k > 0; --k) {
        value.limbs_[k] = value.limbs_[k] << 4 | value.limbs_[k - 1] >> 60;
      }
      value.limbs_[0] = value.limbs_[0] << 4 | static_cast<u64>(digit);
    }
    return Ok(value);
  }
  static Result<U256, NumberError> FromDecimal(const String& text) {
    return FromDecimal(text.data(), text.size());
  }
  static Result<U256, NumberError> FromHex(const String& text) {
    return FromHex(text.data(), text.size());
  }

  // Shortest decimal form ("0" for zero).
  String ToDecimal() const {
    char digits[81];  // 2^256 - 1 has 78 digits; nine at a time makes 81
    u32 n = 0;
    U256 rest = *this;
    do {
      // Nine digits at a time, dividing 32-bit pieces: only u64 arithmetic, which wasm32 has (a
      // u128 division would be compiler-rt's slow loop).
      u64 chunk = rest.DivideInPlace(1000000000);
      for (int k = 0; k < 9; ++k) {
        digits[n++] = static_cast<char>('0' + chunk % 10);
        chunk /= 10;
      }
    } while (!rest.IsZero());
    while (n > 1 && digits[n - 1] == '0') --n;
    String out;
    out.Resize(n);
    for (u32 i = 0; i < n; ++i) out.mutable_data()[i] = digits[n - 1 - i];
    return out;
  }

  // ---- comparison ----
  friend constexpr bool operator==(const U256& a, const U256& b) { return a.limbs_ == b.limbs_; }
  friend constexpr bool operator<(const U256& a, const U256& b) {
    for (u32 i = 4; i > 0; --i) {
      if (a.limbs_[i - 1] != b.limbs_[i - 1]) return a.limbs_[i - 1] < b.limbs_[i - 1];
    }
    return false;
  }
  friend constexpr bool operator>(const U256& a, const U256& b) { return b < a; }
  friend constexpr bool operator<=(const U256& a, const U256& b) { return !(b < a); }
  friend constexpr bool operator>=(const U256& a, const U256& b) { return !(a < b); }

  PHAT_FIELDS(U256, limbs_);

 private:
  static constexpr int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  // Divides by `divisor` (< 2^32) and answers the remainder.
  constexpr u64 DivideInPlace(u32 divisor) {
    u64 rem = 0;
    for (u32 i = 8; i > 0; --i) {
      u32 shift = 32 * ((i - 1) % 2);
      u64& limb = limbs_[(i - 1) / 2];
      u64 current = (rem << 32) | ((limb >> shift) & 0xffffffffu);
      u64 quotient = current / divisor;
      rem = current % divisor;
      limb = (limb & ~(u64{0xffffffffu} << shift)) | (quotient << shift);
    }
    return rem;
  }

  Array<u64, 4> limbs_{};
};

}  // namespace phat::sdk::eth
