// The semantics of every Unary, Binary, Load and Store row of opcodes.def, one function per row
// with the row's name. Handlers and constant folding are generated from these; nothing else
// computes Wasm arithmetic. Float results follow the spec exactly: NaN propagation, signed
// zeros in min/max, bitwise abs/neg/copysign, round-to-nearest-even, trapping conversions.
// https://webassembly.github.io/spec/core/exec/numerics.html
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "phat/wasm/error.h"

namespace phat::wasm::ops {

using u32 = uint32_t;
using u64 = uint64_t;
using i32 = int32_t;
using i64 = int64_t;
using f32 = float;
using f64 = double;

// The C++ type each value type of the table maps to.
template <typename Tag>
struct Repr;
struct I32 {};
struct I64 {};
struct F32 {};
struct F64 {};
struct None {};
template <> struct Repr<I32> { using type = u32; };
template <> struct Repr<I64> { using type = u64; };
template <> struct Repr<F32> { using type = f32; };
template <> struct Repr<F64> { using type = f64; };

// Values in 8-byte slots: integers zero-extended, floats as their bits.
template <typename T>
inline T FromSlot(uint64_t s) {
  if constexpr (std::is_same_v<T, f32>) return std::bit_cast<f32>(static_cast<u32>(s));
  else if constexpr (std::is_same_v<T, f64>) return std::bit_cast<f64>(s);
  else return static_cast<T>(s);
}
template <typename T>
inline uint64_t ToSlot(T v) {
  if constexpr (std::is_same_v<T, f32>) return std::bit_cast<u32>(v);
  else if constexpr (std::is_same_v<T, f64>) return std::bit_cast<u64>(v);
  else return static_cast<uint64_t>(v);
}

// A trapping operation's result: a value, or the trap.
template <typename T>
struct Trapping {
  T value;
  bool trapped;
  TrapKind trap;
  static Trapping Ok(T v) { return {v, false, TrapKind::Unreachable}; }
  static Trapping Fail(TrapKind k) { return {T{}, true, k}; }
};

// ---- Integer comparison ----
inline u32 I32Eqz(u32 a) { return a == 0; }
inline u32 I32Eq(u32 a, u32 b) { return a == b; }
inline u32 I32Ne(u32 a, u32 b) { return a != b; }
inline u32 I32LtS(u32 a, u32 b) { return i32(a) < i32(b); }
inline u32 I32LtU(u32 a, u32 b) { return a < b; }
inline u32 I32GtS(u32 a, u32 b) { return i32(a) > i32(b); }
inline u32 I32GtU(u32 a, u32 b) { return a > b; }
inline u32 I32LeS(u32 a, u32 b) { return i32(a) <= i32(b); }
inline u32 I32LeU(u32 a, u32 b) { return a <= b; }
inline u32 I32GeS(u32 a, u32 b) { return i32(a) >= i32(b); }
inline u32 I32GeU(u32 a, u32 b) { return a >= b; }
inline u32 I64Eqz(u64 a) { return a == 0; }
inline u32 I64Eq(u64 a, u64 b) { return a == b; }
inline u32 I64Ne(u64 a, u64 b) { return a != b; }
inline u32 I64LtS(u64 a, u64 b) { return i64(a) < i64(b); }
inline u32 I64LtU(u64 a, u64 b) { return a < b; }
inline u32 I64GtS(u64 a, u64 b) { return i64(a) > i64(b); }
inline u32 I64GtU(u64 a, u64 b) { return a > b; }
inline u32 I64LeS(u64 a, u64 b) { return i64(a) <= i64(b); }
inline u32 I64LeU(u64 a, u64 b) { return a <= b; }
inline u32 I64GeS(u64 a, u64 b) { return i64(a) >= i64(b); }
inline u32 I64GeU(u64 a, u64 b) { return a >= b; }

// ---- Float comparison (false for NaN operands, except ne) ----
inline u32 F32Eq(f32 a, f32 b) { return a == b; }
inline u32 F32Ne(f32 a, f32 b) { return a != b; }
inline u32 F32Lt(f32 a, f32 b) { return a < b; }
inline u32 F32Gt(f32 a, f32 b) { return a > b; }
inline u32 F32Le(f32 a, f32 b) { return a <= b; }
inline u32 F32Ge(f32 a, f32 b) { return a >= b; }
inline u32 F64Eq(f64 a, f64 b) { return a == b; }
inline u32 F64Ne(f64 a, f64 b) { return a != b; }
inline u32 F64Lt(f64 a, f64 b) { return a < b; }
inline u32 F64Gt(f64 a, f64 b) { return a > b; }
inline u32 F64Le(f64 a, f64 b) { return a <= b; }
inline u32 F64Ge(f64 a, f64 b) { return a >= b; }

// ---- Integer arithmetic ----
inline u32 I32Clz(u32 a) { return std::countl_zero(a); }
inline u32 I32Ctz(u32 a) { return std::countr_zero(a); }
inline u32 I32Popcnt(u32 a) { return std::popcount(a); }
inline u32 I32Add(u32 a, u32 b) { return a + b; }
inline u32 I32Sub(u32 a, u32 b) { return a - b; }
inline u32 I32Mul(u32 a, u32 b) { return a * b; }
inline u32 I32And(u32 a, u32 b) { return a & b; }
inline u32 I32Or(u32 a, u32 b) { return a | b; }
inline u32 I32Xor(u32 a, u32 b) { return a ^ b; }
inline u32 I32Shl(u32 a, u32 b) { return a << (b & 31); }
inline u32 I32ShrS(u32 a, u32 b) { return u32(i32(a) >> (b & 31)); }
inline u32 I32ShrU(u32 a, u32 b) { return a >> (b & 31); }
inline u32 I32Rotl(u32 a, u32 b) { return std::rotl(a, int(b & 31)); }
inline u32 I32Rotr(u32 a, u32 b) { return std::rotr(a, int(b & 31)); }
inline u64 I64Clz(u64 a) { return std::countl_zero(a); }
inline u64 I64Ctz(u64 a) { return std::countr_zero(a); }
inline u64 I64Popcnt(u64 a) { return std::popcount(a); }
inline u64 I64Add(u64 a, u64 b) { return a + b; }
inline u64 I64Sub(u64 a, u64 b) { return a - b; }
inline u64 I64Mul(u64 a, u64 b) { return a * b; }
inline u64 I64And(u64 a, u64 b) { return a & b; }
inline u64 I64Or(u64 a, u64 b) { return a | b; }
inline u64 I64Xor(u64 a, u64 b) { return a ^ b; }
inline u64 I64Shl(u64 a, u64 b) { return a << (b & 63); }
inline u64 I64ShrS(u64 a, u64 b) { return u64(i64(a) >> (b & 63)); }
inline u64 I64ShrU(u64 a, u64 b) { return a >> (b & 63); }
inline u64 I64Rotl(u64 a, u64 b) { return std::rotl(a, int(b & 63)); }
inline u64 I64Rotr(u64 a, u64 b) { return std::rotr(a, int(b & 63)); }

template <typename U>
inline Trapping<U> DivS(U a, U b) {
  using S = std::make_signed_t<U>;
  if (b == 0) return Trapping<U>::Fail(TrapKind::IntegerDivideByZero);
  if (S(a) == std::numeric_limits<S>::min() && S(b) == -1)
    return Trapping<U>::Fail(TrapKind::IntegerOverflow);
  return Trapping<U>::Ok(U(S(a) / S(b)));
}
template <typename U>
inline Trapping<U> DivU(U a, U b) {
  if (b == 0) return Trapping<U>::Fail(TrapKind::IntegerDivideByZero);
  return Trapping<U>::Ok(a / b);
}
template <typename U>
inline Trapping<U> RemS(U a, U b) {
  using S = std::make_signed_t<U>;
  if (b == 0) return Trapping<U>::Fail(TrapKind::IntegerDivideByZero);
  if (S(b) == -1) return Trapping<U>::Ok(0);  // also INT_MIN % -1, which C leaves undefined
  return Trapping<U>::Ok(U(S(a) % S(b)));
}
template <typename U>
inline Trapping<U> RemU(U a, U b) {
  if (b == 0) return Trapping<U>::Fail(TrapKind::IntegerDivideByZero);
  return Trapping<U>::Ok(a % b);
}
inline Trapping<u32> I32DivS(u32 a, u32 b) { return DivS(a, b); }
inline Trapping<u32> I32DivU(u32 a, u32 b) { return DivU(a, b); }
inline Trapping<u32> I32RemS(u32 a, u32 b) { return RemS(a, b); }
inline Trapping<u32> I32RemU(u32 a, u32 b) { return RemU(a, b); }
inline Trapping<u64> I64DivS(u64 a, u64 b) { return DivS(a, b); }
inline Trapping<u64> I64DivU(u64 a, u64 b) { return DivU(a, b); }
inline Trapping<u64> I64RemS(u64 a, u64 b) { return RemS(a, b); }
inline Trapping<u64> I64RemU(u64 a, u64 b) { return RemU(a, b); }

// ---- Float arithmetic ----
template <typename F>
using Bits = std::conditional_t<sizeof(F) == 4, u32, u64>;
template <typename F>
inline constexpr Bits<F> kSignBit = Bits<F>(1) << (sizeof(F) * 8 - 1);

template <typename F>
inline F Abs(F a) { return std::bit_cast<F>(Bits<F>(std::bit_cast<Bits<F>>(a) & ~kSignBit<F>)); }
template <typename F>
inline F Neg(F a) { return std::bit_cast<F>(Bits<F>(std::bit_cast<Bits<F>>(a) ^ kSignBit<F>)); }
template <typename F>
inline F Copysign(F a, F b) {
  auto sign = std::bit_cast<Bits<F>>(b) & kSignBit<F>;
  return std::bit_cast<F>(Bits<F>((std::bit_cast<Bits<F>>(a) & ~kSignBit<F>) | sign));
}
// NaN if either is NaN; -0 below +0.
template <typename F>
inline F Min(F a, F b) {
  if (a != a || b != b) return a + b;  // a quiet NaN carrying one of the payloads
  if (a == b) return std::bit_cast<F>(Bits<F>(std::bit_cast<Bits<F>>(a) | std::bit_cast<Bits<F>>(b)));
  return a < b ? a : b;
}
template <typename F>
inline F Max(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::bit_cast<F>(Bits<F>(std::bit_cast<Bits<F>>(a) & std::bit_cast<Bits<F>>(b)));
  return a > b ? a : b;
}

inline f32 F32Abs(f32 a) { return Abs(a); }
inline f32 F32Neg(f32 a) { return Neg(a); }
inline f32 F32Ceil(f32 a) { return std::ceil(a); }
inline f32 F32Floor(f32 a) { return std::floor(a); }
inline f32 F32Trunc(f32 a) { return std::trunc(a); }
inline f32 F32Nearest(f32 a) { return std::nearbyint(a); }
inline f32 F32Sqrt(f32 a) { return std::sqrt(a); }
inline f32 F32Add(f32 a, f32 b) { return a + b; }
inline f32 F32Sub(f32 a, f32 b) { return a - b; }
inline f32 F32Mul(f32 a, f32 b) { return a * b; }
inline f32 F32Div(f32 a, f32 b) { return a / b; }
inline f32 F32Min(f32 a, f32 b) { return Min(a, b); }
inline f32 F32Max(f32 a, f32 b) { return Max(a, b); }
inline f32 F32Copysign(f32 a, f32 b) { return Copysign(a, b); }
inline f64 F64Abs(f64 a) { return Abs(a); }
inline f64 F64Neg(f64 a) { return Neg(a); }
inline f64 F64Ceil(f64 a) { return std::ceil(a); }
inline f64 F64Floor(f64 a) { return std::floor(a); }
inline f64 F64Trunc(f64 a) { return std::trunc(a); }
inline f64 F64Nearest(f64 a) { return std::nearbyint(a); }
inline f64 F64Sqrt(f64 a) { return std::sqrt(a); }
inline f64 F64Add(f64 a, f64 b) { return a + b; }
inline f64 F64Sub(f64 a, f64 b) { return a - b; }
inline f64 F64Mul(f64 a, f64 b) { return a * b; }
inline f64 F64Div(f64 a, f64 b) { return a / b; }
inline f64 F64Min(f64 a, f64 b) { return Min(a, b); }
inline f64 F64Max(f64 a, f64 b) { return Max(a, b); }
inline f64 F64Copysign(f64 a, f64 b) { return Copysign(a, b); }

// ---- Conversions ----
// Float to integer, trapping when NaN or out of range. `lo` and `hi` are the exclusive bounds
// of the representable range, exact in the float type.
template <typename I, typename F>
inline Trapping<I> TruncChecked(F a, F lo, F hi) {
  if (a != a) return Trapping<I>::Fail(TrapKind::InvalidConversionToInteger);
  if (!(a > lo && a < hi)) return Trapping<I>::Fail(TrapKind::IntegerOverflow);
  return Trapping<I>::Ok(static_cast<I>(a));
}
// Saturating: NaN is 0, out of range clamps.
template <typename I, typename F>
inline I TruncSat(F a, F lo, F hi) {
  if (a != a) return 0;
  if (!(a > lo)) return std::numeric_limits<I>::min();
  if (!(a < hi)) return std::numeric_limits<I>::max();
  return static_cast<I>(a);
}
// Exclusive bounds: the largest float below the minimum, and 2^N.
inline constexpr f32 kF32I32Lo = -2147483904.0f, kF32I32Hi = 2147483648.0f;
inline constexpr f64 kF64I32Lo = -2147483649.0, kF64I32Hi = 2147483648.0;
inline constexpr f32 kF32U32Lo = -1.0f, kF32U32Hi = 4294967296.0f;
inline constexpr f64 kF64U32Lo = -1.0, kF64U32Hi = 4294967296.0;
inline constexpr f32 kF32I64Lo = -9223373136366403584.0f, kF32I64Hi = 9223372036854775808.0f;
inline constexpr f64 kF64I64Lo = -9223372036854777856.0, kF64I64Hi = 9223372036854775808.0;
inline constexpr f32 kF32U64Lo = -1.0f, kF32U64Hi = 18446744073709551616.0f;
inline constexpr f64 kF64U64Lo = -1.0, kF64U64Hi = 18446744073709551616.0;

inline u32 I32WrapI64(u64 a) { return u32(a); }
inline Trapping<u32> I32TruncF32S(f32 a) {
  auto r = TruncChecked<i32>(a, kF32I32Lo, kF32I32Hi);
  return {u32(r.value), r.trapped, r.trap};
}
inline Trapping<u32> I32TruncF32U(f32 a) { return TruncChecked<u32>(a, kF32U32Lo, kF32U32Hi); }
inline Trapping<u32> I32TruncF64S(f64 a) {
  auto r = TruncChecked<i32>(a, kF64I32Lo, kF64I32Hi);
  return {u32(r.value), r.trapped, r.trap};
}
inline Trapping<u32> I32TruncF64U(f64 a) { return TruncChecked<u32>(a, kF64U32Lo, kF64U32Hi); }
inline u64 I64ExtendI32S(u32 a) { return u64(i64(i32(a))); }
inline u64 I64ExtendI32U(u32 a) { return u64(a); }
inline Trapping<u64> I64TruncF32S(f32 a) {
  auto r = TruncChecked<i64>(a, kF32I64Lo, kF32I64Hi);
  return {u64(r.value), r.trapped, r.trap};
}
inline Trapping<u64> I64TruncF32U(f32 a) { return TruncChecked<u64>(a, kF32U64Lo, kF32U64Hi); }
inline Trapping<u64> I64TruncF64S(f64 a) {
  auto r = TruncChecked<i64>(a, kF64I64Lo, kF64I64Hi);
  return {u64(r.value), r.trapped, r.trap};
}
inline Trapping<u64> I64TruncF64U(f64 a) { return TruncChecked<u64>(a, kF64U64Lo, kF64U64Hi); }
inline f32 F32ConvertI32S(u32 a) { return f32(i32(a)); }
inline f32 F32ConvertI32U(u32 a) { return f32(a); }
inline f32 F32ConvertI64S(u64 a) { return f32(i64(a)); }
inline f32 F32ConvertI64U(u64 a) { return f32(a); }
inline f32 F32DemoteF64(f64 a) { return f32(a); }
inline f64 F64ConvertI32S(u32 a) { return f64(i32(a)); }
inline f64 F64ConvertI32U(u32 a) { return f64(a); }
inline f64 F64ConvertI64S(u64 a) { return f64(i64(a)); }
inline f64 F64ConvertI64U(u64 a) { return f64(a); }
inline f64 F64PromoteF32(f32 a) { return f64(a); }
inline u32 I32ReinterpretF32(f32 a) { return std::bit_cast<u32>(a); }
inline u64 I64ReinterpretF64(f64 a) { return std::bit_cast<u64>(a); }
inline f32 F32ReinterpretI32(u32 a) { return std::bit_cast<f32>(a); }
inline f64 F64ReinterpretI64(u64 a) { return std::bit_cast<f64>(a); }
inline u32 I32Extend8S(u32 a) { return u32(i32(int8_t(a))); }
inline u32 I32Extend16S(u32 a) { return u32(i32(int16_t(a))); }
inline u64 I64Extend8S(u64 a) { return u64(i64(int8_t(a))); }
inline u64 I64Extend16S(u64 a) { return u64(i64(int16_t(a))); }
inline u64 I64Extend32S(u64 a) { return u64(i64(int32_t(a))); }
inline u32 I32TruncSatF32S(f32 a) { return u32(TruncSat<i32>(a, kF32I32Lo, kF32I32Hi)); }
inline u32 I32TruncSatF32U(f32 a) { return TruncSat<u32>(a, kF32U32Lo, kF32U32Hi); }
inline u32 I32TruncSatF64S(f64 a) { return u32(TruncSat<i32>(a, kF64I32Lo, kF64I32Hi)); }
inline u32 I32TruncSatF64U(f64 a) { return TruncSat<u32>(a, kF64U32Lo, kF64U32Hi); }
inline u64 I64TruncSatF32S(f32 a) { return u64(TruncSat<i64>(a, kF32I64Lo, kF32I64Hi)); }
inline u64 I64TruncSatF32U(f32 a) { return TruncSat<u64>(a, kF32U64Lo, kF32U64Hi); }
inline u64 I64TruncSatF64S(f64 a) { return u64(TruncSat<i64>(a, kF64I64Lo, kF64I64Hi)); }
inline u64 I64TruncSatF64U(f64 a) { return TruncSat<u64>(a, kF64U64Lo, kF64U64Hi); }

// ---- Memory: little-endian, unaligned ----
template <typename T>
inline T ReadLe(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename T>
inline void WriteLe(uint8_t* p, T v) { std::memcpy(p, &v, sizeof v); }

inline u32 I32Load(const uint8_t* p) { return ReadLe<u32>(p); }
inline u64 I64Load(const uint8_t* p) { return ReadLe<u64>(p); }
inline f32 F32Load(const uint8_t* p) { return ReadLe<f32>(p); }
inline f64 F64Load(const uint8_t* p) { return ReadLe<f64>(p); }
inline u32 I32Load8S(const uint8_t* p) { return u32(i32(ReadLe<int8_t>(p))); }
inline u32 I32Load8U(const uint8_t* p) { return ReadLe<uint8_t>(p); }
inline u32 I32Load16S(const uint8_t* p) { return u32(i32(ReadLe<int16_t>(p))); }
inline u32 I32Load16U(const uint8_t* p) { return ReadLe<uint16_t>(p); }
inline u64 I64Load8S(const uint8_t* p) { return u64(i64(ReadLe<int8_t>(p))); }
inline u64 I64Load8U(const uint8_t* p) { return ReadLe<uint8_t>(p); }
inline u64 I64Load16S(const uint8_t* p) { return u64(i64(ReadLe<int16_t>(p))); }
inline u64 I64Load16U(const uint8_t* p) { return ReadLe<uint16_t>(p); }
inline u64 I64Load32S(const uint8_t* p) { return u64(i64(ReadLe<int32_t>(p))); }
inline u64 I64Load32U(const uint8_t* p) { return ReadLe<uint32_t>(p); }
inline void I32Store(uint8_t* p, u32 v) { WriteLe(p, v); }
inline void I64Store(uint8_t* p, u64 v) { WriteLe(p, v); }
inline void F32Store(uint8_t* p, f32 v) { WriteLe(p, v); }
inline void F64Store(uint8_t* p, f64 v) { WriteLe(p, v); }
inline void I32Store8(uint8_t* p, u32 v) { WriteLe(p, uint8_t(v)); }
inline void I32Store16(uint8_t* p, u32 v) { WriteLe(p, uint16_t(v)); }
inline void I64Store8(uint8_t* p, u64 v) { WriteLe(p, uint8_t(v)); }
inline void I64Store16(uint8_t* p, u64 v) { WriteLe(p, uint16_t(v)); }
inline void I64Store32(uint8_t* p, u64 v) { WriteLe(p, uint32_t(v)); }

}  // namespace phat::wasm::ops
