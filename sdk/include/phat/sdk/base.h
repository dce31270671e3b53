// Freestanding basics the rest of the SDK stands on: integer names, a few type traits, index
// sequences, a tuple, a fixed array and a compile-time string.
//
// A contract is compiled for wasm32 with no C++ standard library at all (no sysroot, -nostdlib,
// -ffreestanding): <type_traits>, <tuple> and <array> are not there. So this file uses only
// clang's built-in headers (stdint.h, stddef.h) and its type-trait builtins. The same code also
// compiles natively, for tests and for the metadata program. Nothing here has state.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace phat::sdk {

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using u128 = unsigned __int128;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using i128 = __int128;

// ink!'s default environment (ABI.md §2): Balance u128, Timestamp u64 (ms), BlockNumber u32.
using Balance = u128;
using Timestamp = u64;
using BlockNumber = u32;

// Rust's `()`: what a message without a return value returns.
struct Unit {
  friend constexpr bool operator==(Unit, Unit) { return true; }
};

// ---- type traits, from clang builtins ----
template <class T, class U>
inline constexpr bool kIsSame = __is_same(T, U);
template <class T>
using Decay = __decay(T);
template <class T>
using RemoveRef = __remove_reference_t(T);
template <bool kCond, class A, class B>
struct ConditionalT {
  using Type = A;
};
template <class A, class B>
struct ConditionalT<false, A, B> {
  using Type = B;
};
template <bool kCond, class A, class B>
using Conditional = typename ConditionalT<kCond, A, B>::Type;

template <class T>
constexpr RemoveRef<T>&& Move(T&& value) {
  return static_cast<RemoveRef<T>&&>(value);
}

template <class T>
inline constexpr bool kIsInteger =
    kIsSame<T, u8> || kIsSame<T, u16> || kIsSame<T, u32> || kIsSame<T, u64> || kIsSame<T, u128> ||
    kIsSame<T, i8> || kIsSame<T, i16> || kIsSame<T, i32> || kIsSame<T, i64> || kIsSame<T, i128>;

// ---- index sequences ----
template <class T, T... kIs>
struct IntegerSequence {};
template <size_t... kIs>
using IndexSequence = IntegerSequence<size_t, kIs...>;
template <size_t kN>
using MakeIndexSequence = __make_integer_seq<IntegerSequence, size_t, kN>;

// ---- Tuple: Rust's (A, B, …); encodes as its elements in order ----
template <size_t kI, class T>
struct TupleLeaf {
  T value{};
};
template <class Seq, class... Ts>
struct TupleBase;
template <size_t... kIs, class... Ts>
struct TupleBase<IndexSequence<kIs...>, Ts...> : TupleLeaf<kIs, Ts>... {
  constexpr TupleBase() = default;
  constexpr TupleBase(const Ts&... values) : TupleLeaf<kIs, Ts>{values}... {}
};
template <>
struct TupleBase<IndexSequence<>> {};
template <class... Ts>
struct Tuple : TupleBase<MakeIndexSequence<sizeof...(Ts)>, Ts...> {
  static constexpr size_t kSize = sizeof...(Ts);
  using TupleBase<MakeIndexSequence<sizeof...(Ts)>, Ts...>::TupleBase;
  friend constexpr bool operator==(const Tuple& a, const Tuple& b) {
    return a.EqualTo(b, MakeIndexSequence<sizeof...(Ts)>{});
  }

 private:
  template <size_t... kIs>
  constexpr bool EqualTo(const Tuple& other, IndexSequence<kIs...>) const {
    return ((static_cast<const TupleLeaf<kIs, Ts>&>(*this).value ==
             static_cast<const TupleLeaf<kIs, Ts>&>(other).value) &&
            ...);
  }
};
template <class... Ts>
Tuple(Ts...) -> Tuple<Ts...>;

template <size_t kI, class T>
constexpr T& Get(TupleLeaf<kI, T>& leaf) {
  return leaf.value;
}
template <size_t kI, class T>
constexpr const T& Get(const TupleLeaf<kI, T>& leaf) {
  return leaf.value;
}

// The type of element I of a pack.
template <size_t kI, class T, class... Ts>
struct NthTypeT {
  using Type = typename NthTypeT<kI - 1, Ts...>::Type;
};
template <class T, class... Ts>
struct NthTypeT<0, T, Ts...> {
  using Type = T;
};
template <size_t kI, class... Ts>
using NthType = typename NthTypeT<kI, Ts...>::Type;

// ---- Array: Rust's [T; N] ----
template <class T, size_t kN>
struct Array {
  static_assert(kN > 0, "an Array needs at least one element");
  T data_[kN]{};
  static constexpr size_t size() { return kN; }
  constexpr T& operator[](size_t i) { return data_[i]; }
  constexpr const T& operator[](size_t i) const { return data_[i]; }
  constexpr T* data() { return data_; }
  constexpr const T* data() const { return data_; }
  constexpr T* begin() { return data_; }
  constexpr T* end() { return data_ + kN; }
  constexpr const T* begin() const { return data_; }
  constexpr const T* end() const { return data_ + kN; }
  friend constexpr bool operator==(const Array& a, const Array& b) {
    for (size_t i = 0; i < kN; ++i) {
      if (!(a.data_[i] == b.data_[i])) return false;
    }
    return true;
  }
};

// ---- compile-time strings, for event signatures and type names ----
constexpr size_t StrLen(const char* s) {
  size_t n = 0;
  while (s[n] != 0) ++n;
  return n;
}
constexpr bool StrEqual(const char* a, const char* b) {
  size_t i = 0;
  for (; a[i] != 0 && a[i] == b[i]; ++i) {
  }
  return a[i] == b[i];
}

// A string built at compile time; running past kCapacity is a compile error (out of bounds).
template <size_t kCapacity>
struct ConstString {
  char data[kCapacity + 1]{};
  size_t size = 0;
  constexpr ConstString& Append(const char* s) {
    while (*s != 0) data[size++] = *s++;
    return *this;
  }
  constexpr ConstString& Append(const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) data[size++] = s[i];
    return *this;
  }
  constexpr ConstString& AppendDecimal(u64 value) {
    char digits[20]{};
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n > 0) data[size++] = digits[--n];
    return *this;
  }
  constexpr const char* c_str() const { return data; }
};

// Copies bytes; a plain loop while constant-evaluating, memcpy otherwise.
constexpr void CopyBytes(u8* dst, const u8* src, size_t n) {
  if (__builtin_is_constant_evaluated()) {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  } else if (n != 0) {
    __builtin_memcpy(dst, src, n);
  }
}

// A trap: the contract's equivalent of a Rust panic. pallet-contracts reports it as
// ContractTrapped and reverts the frame.
[[noreturn]] inline void Trap() {
  __builtin_trap();
}

}  // namespace phat::sdk
