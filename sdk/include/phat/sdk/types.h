// The value types a contract speaks in, each the counterpart of an ink!/Rust type with the same
// SCALE encoding (scale.h) and the same metadata (metadata.h): AccountId and Hash (32 bytes),
// Option<T>, Result<T, E>, Vec<T>, String, Compact<T>. The integers, bool, Tuple and Array
// come from base.h.
//
// Vec and String own memory from the bump allocator (memory.h); copying one copies its
// elements. Plain values otherwise; not thread-safe (a contract has one thread).
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/memory.h"

namespace phat::sdk {

// ---- AccountId and Hash: 32 raw bytes each, distinct types as in ink! ----
template <class Tag>
struct Bytes32 {
  Array<u8, 32> bytes{};
  constexpr u8* data() { return bytes.data(); }
  constexpr const u8* data() const { return bytes.data(); }
  friend constexpr bool operator==(const Bytes32& a, const Bytes32& b) {
    return a.bytes == b.bytes;
  }
  // All 32 bytes set to `byte` (tests and examples: alice = 0xaa…).
  static constexpr Bytes32 Filled(u8 byte) {
    Bytes32 out;
    for (u8& b : out.bytes) b = byte;
    return out;
  }
};
struct AccountIdTag;
struct HashTag;
using AccountId = Bytes32<AccountIdTag>;
using Hash = Bytes32<HashTag>;

// ---- Option<T> ----
struct NoneType {};
inline constexpr NoneType None{};

template <class T>
class Option {
 public:
  using ValueType = T;
  constexpr Option() = default;
  constexpr Option(NoneType) {}
  constexpr Option(const T& value) : has_value_(true), value_(value) {}
  constexpr Option(T&& value) : has_value_(true), value_(Move(value)) {}

  constexpr bool has_value() const { return has_value_; }
  constexpr explicit operator bool() const { return has_value_; }
  // The value; a trap if there is none (Rust's unwrap).
  constexpr T& value() {
    if (!has_value_) Trap();
    return value_;
  }
  constexpr const T& value() const {
    if (!has_value_) Trap();
    return value_;
  }
  constexpr T value_or(const T& fallback) const { return has_value_ ? value_ : fallback; }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }
  constexpr T& operator*() { return value(); }
  constexpr const T& operator*() const { return value(); }

  friend constexpr bool operator==(const Option& a, const Option& b) {
    return a.has_value_ == b.has_value_ && (!a.has_value_ || a.value_ == b.value_);
  }

 private:
  bool has_value_ = false;
  T value_{};
};
template <class T>
constexpr Option<Decay<T>> Some(T&& value) {
  return Option<Decay<T>>(static_cast<T&&>(value));
}

// ---- Result<T, E>; Result<void, E> holds Unit ----
template <class T>
struct OkValue {
  T value;
};
template <class E>
struct ErrValue {
  E error;
};
template <class T>
constexpr OkValue<Decay<T>> Ok(T&& value) {
  return {static_cast<T&&>(value)};
}
constexpr OkValue<Unit> Ok() {
  return {Unit{}};
}
template <class E>
constexpr ErrValue<Decay<E>> Err(E&& error) {
  return {static_cast<E&&>(error)};
}

template <class T, class E>
class Result {
 public:
  using ValueType = Conditional<kIsSame<T, void>, Unit, T>;
  using ErrorType = E;
  constexpr Result() = default;  // Ok(T{})
  template <class U>
  constexpr Result(OkValue<U> ok) : ok_(true), value_(Move(ok.value)) {}
  template <class U>
  constexpr Result(ErrValue<U> err) : ok_(false), error_(Move(err.error)) {}

  constexpr bool is_ok() const { return ok_; }
  constexpr bool is_err() const { return !ok_; }
  constexpr ValueType& value() {
    if (!ok_) Trap();
    return value_;
  }
  constexpr const ValueType& value() const {
    if (!ok_) Trap();
    return value_;
  }
  constexpr const E& error() const {
    if (ok_) Trap();
    return error_;
  }
  friend constexpr bool operator==(const Result& a, const Result& b) {
    return a.ok_ == b.ok_ && (a.ok_ ? a.value_ == b.value_ : a.error_ == b.error_);
  }

 private:
  bool ok_ = true;
  ValueType value_{};
  E error_{};
};

// ---- Vec<T> ----
template <class T>
class Vec {
 public:
  using ValueType = T;
  constexpr Vec() = default;
  Vec(const T* items, u32 n) { Assign(items, n); }
  Vec(const Vec& other) { Assign(other.data_, other.size_); }
  Vec(Vec&& other) : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  Vec& operator=(const Vec& other) {
    if (this != &other) Assign(other.data_, other.size_);
    return *this;
  }
  Vec& operator=(Vec&& other) {
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
    return *this;
  }

  u32 size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](u32 i) { return data_[i]; }
  const T& operator[](u32 i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

  void reserve(u32 n) {
    if (n <= capacity_) return;
    T* fresh = static_cast<T*>(Allocate(sizeof(T) * n, alignof(T)));
    for (u32 i = 0; i < size_; ++i) new (fresh + i) T(Move(data_[i]));
    data_ = fresh;  // the old block is not reused: the allocator only bumps
    capacity_ = n;
  }
  void push_back(const T& item) {
    if (size_ == capacity_) reserve(capacity_ < 8 ? 8 : capacity_ * 2);
    new (data_ + size_) T(item);
    ++size_;
  }
  // Grows with default values or shrinks to n elements.
  void resize(u32 n) {
    reserve(n);
    for (u32 i = size_; i < n; ++i) new (data_ + i) T();
    size_ = n;
  }
  void clear() { size_ = 0; }

  friend bool operator==(const Vec& a, const Vec& b) {
    if (a.size_ != b.size_) return false;
    for (u32 i = 0; i < a.size_; ++i) {
      if (!(a.data_[i] == b.data_[i])) return false;
    }
    return true;
  }

 private:
  void Assign(const T* items, u32 n) {
    size_ = 0;
    if (n > capacity_) {
      data_ = static_cast<T*>(Allocate(sizeof(T) * n, alignof(T)));
      capacity_ = n;
    }
    for (u32 i = 0; i < n; ++i) new (data_ + i) T(items[i]);
    size_ = n;
  }

  T* data_ = nullptr;
  u32 size_ = 0;
  u32 capacity_ = 0;
};
using Bytes = Vec<u8>;

// ---- String: UTF-8 bytes, Rust's String ----
class String {
 public:
  String() = default;
  String(const char* text) : chars_(text, static_cast<u32>(StrLen(text))) {}
  String(const char* text, u32 n) : chars_(text, n) {}
  u32 size() const { return chars_.size(); }
  const char* data() const { return chars_.data(); }
  void Append(const char* text, u32 n) {
    for (u32 i = 0; i < n; ++i) chars_.push_back(text[i]);
  }
  void Append(const char* text) { Append(text, static_cast<u32>(StrLen(text))); }
  void Resize(u32 n) { chars_.resize(n); }
  char* mutable_data() { return chars_.data(); }
  friend bool operator==(const String& a, const String& b) { return a.chars_ == b.chars_; }

 private:
  Vec<char> chars_;
};

// ---- Compact<T>: SCALE's variable-length integer (ABI.md §7) ----
template <class T>
struct Compact {
  static_assert(kIsSame<T, u8> || kIsSame<T, u16> || kIsSame<T, u32> || kIsSame<T, u64> ||
                    kIsSame<T, u128>,
                "Compact holds an unsigned integer");
  T value{};
  friend constexpr bool operator==(const Compact& a, const Compact& b) {
    return a.value == b.value;
  }
};

// ---- recognising the templates above, for the codec and metadata ----
template <class T>
struct IsOptionT {
  static constexpr bool kValue = false;
};
template <class T>
struct IsOptionT<Option<T>> {
  static constexpr bool kValue = true;
};
template <class T>
inline constexpr bool kIsOption = IsOptionT<T>::kValue;

template <class T>
struct IsResultT {
  static constexpr bool kValue = false;
};
template <class T, class E>
struct IsResultT<Result<T, E>> {
  static constexpr bool kValue = true;
};
template <class T>
inline constexpr bool kIsResult = IsResultT<T>::kValue;

}  // namespace phat::sdk
