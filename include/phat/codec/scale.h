// SCALE, the binary codec that ink! contracts and pallet-contracts speak (ABI.md §7): a writer that
// appends to a byte buffer, a bounds-checked reader whose every read yields a value or a
// DecodeError naming what was being read and where, and Encode/Decode templates over the C++ types
// that stand for Rust's: fixed ints, bool, u128, Vec, String, [T; N], Option, Result, tuples,
// Compact, and enums (std::variant, or a plain C++ enum through EnumCodec).
//
// Decoding is as strict as parity-scale-codec, because a contract and the host must agree on
// which bytes are valid: non-canonical compacts, bad bool/Option/Result/variant tags, invalid
// UTF-8 in a String and (with DecodeAll) trailing bytes are errors. No length read from the input
// allocates more than the input could fill.
//
// Own types: give a struct the member hooks
//   void ScaleEncode(ScaleWriter&) const;
//   static Expected<T, DecodeError> ScaleDecode(ScaleReader&);
// or specialise `phat::codec::ScaleCodec<T>` with static Encode/Decode of the same shape.
//
// Thread safety: a ScaleWriter or ScaleReader is a cursor for one thread; the free functions keep
// no state.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"

namespace phat::codec {

using uint128 = unsigned __int128;  // Rust u128 (ink!'s Balance)
using int128 = __int128;

struct DecodeError {
  std::string message;           // what was being read and what was wrong with it
  size_t offset = 0;             // where in the input that read started
  std::string ToString() const;  // "SCALE decode error at offset 5: truncated input reading u32…"
};

template <typename T>
using Decoded = Expected<T, DecodeError>;

// Whether `bytes` is UTF-8 as Rust's String::from_utf8 accepts it.
bool IsValidUtf8(ByteView bytes);

// Appends SCALE encodings to a byte buffer.
class ScaleWriter {
 public:
  ScaleWriter() = default;
  // Continues after bytes already there, e.g. a 4-byte selector before the arguments.
  explicit ScaleWriter(Bytes prefix) : out_(std::move(prefix)) {}

  // Fixed-width integers: little-endian, two's complement for the signed ones.
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) { PutLe(v); }
  void U32(uint32_t v) { PutLe(v); }
  void U64(uint64_t v) { PutLe(v); }
  void U128(uint128 v) { PutLe(v); }
  void I8(int8_t v) { U8(static_cast<uint8_t>(v)); }
  void I16(int16_t v) { PutLe(static_cast<uint16_t>(v)); }
  void I32(int32_t v) { PutLe(static_cast<uint32_t>(v)); }
  void I64(int64_t v) { PutLe(static_cast<uint64_t>(v)); }
  void I128(int128 v) { PutLe(static_cast<uint128>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }

  // Compact<uN>, in the shortest of its four modes (the only one a reader accepts).
  void Compact(uint128 v);
  // The OptionBool shim, one byte: 00 None, 01 Some(true), 02 Some(false). (A plain Option<bool>
  // is tagged like any Option; see ScaleCodec<std::optional<T>>.)
  void OptionBool(std::optional<bool> v) { U8(!v ? 0 : *v ? 1 : 2); }

  void Raw(ByteView bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }  // no length
  void ByteVec(ByteView bytes);                          // Vec<u8>: compact length ‖ bytes
  void Str(std::string_view s) { ByteVec(AsBytes(s)); }  // String / &str: as Vec<u8>

  void Reserve(size_t n) { out_.reserve(out_.size() + n); }
  const Bytes& bytes() const { return out_; }
  Bytes Take() {  // leaves the writer empty and reusable
    Bytes out = std::move(out_);
    out_.clear();
    return out;
  }

 private:
  template <typename U>
  void PutLe(U v) {
    uint8_t buf[sizeof(U)];
    for (size_t i = 0; i < sizeof(U); ++i) buf[i] = static_cast<uint8_t>(v >> (8 * i));
    out_.insert(out_.end(), buf, buf + sizeof(U));
  }

  Bytes out_;
};

// Reads SCALE from a byte view it does not own. A failed read leaves the cursor where it was.
class ScaleReader {
 public:
  explicit ScaleReader(ByteView input) : input_(input) {}
  // The reader keeps a view, so a temporary buffer would dangle.
  explicit ScaleReader(const Bytes&& input) = delete;

  Decoded<uint8_t> U8() { return GetLe<uint8_t>("u8"); }
  Decoded<uint16_t> U16() { return GetLe<uint16_t>("u16"); }
  Decoded<uint32_t> U32() { return GetLe<uint32_t>("u32"); }
  Decoded<uint64_t> U64() { return GetLe<uint64_t>("u64"); }
  Decoded<uint128> U128() { return GetLe<uint128>("u128"); }
  Decoded<int8_t> I8() { return Signed<int8_t, uint8_t>("i8"); }
  Decoded<int16_t> I16() { return Signed<int16_t, uint16_t>("i16"); }
  Decoded<int32_t> I32() { return Signed<int32_t, uint32_t>("i32"); }
  Decoded<int64_t> I64() { return Signed<int64_t, uint64_t>("i64"); }
  Decoded<int128> I128() { return Signed<int128, uint128>("i128"); }
  Decoded<bool> Bool();  // only 00 and 01

  // A canonical compact of any width (up to u128); CompactAtMost also checks the value fits the
  // Rust type named `type_name`, as decoding a Compact<u32> there would.
  Decoded<uint128> Compact();
  Decoded<uint128> CompactAtMost(uint128 max, std::string_view type_name);
  Decoded<uint32_t> CompactU32();
  Decoded<uint64_t> CompactU64();

  // A collection length (Compact<u32>, as SCALE defines it) for a collection named `what`. A
  // length above the bytes left is refused before anything is allocated: every element type
  // phat decodes takes at least one byte, so a larger count is a truncation or a lie. (This also
  // refuses a long Vec<()>, which no contract sends.)
  Decoded<uint32_t> Length(std::string_view what);

  Decoded<ByteView> Raw(size_t n);  // n bytes, no length; a view into the input
  Decoded<Bytes> ByteVec();         // Vec<u8>
  Decoded<std::string> String();    // Vec<u8> that must be valid UTF-8, as Rust's String::decode
  Decoded<std::optional<bool>> OptionBool();  // 00 / 01 / 02

  size_t offset() const { return pos_; }
  size_t remaining() const { return input_.size() - pos_; }
  bool AtEnd() const { return pos_ == input_.size(); }
  // Fails if input is left over: a whole message must be consumed exactly.
  Expected<void, DecodeError> Finish() const;

  // Errors for hooks and codecs outside this class: at the cursor, or where a read began.
  DecodeError Error(std::string message) const { return {std::move(message), pos_}; }
  DecodeError ErrorAt(size_t offset, std::string message) const {
    return {std::move(message), offset};
  }

 private:
  DecodeError Truncated(std::string_view what, size_t need) const;

  template <typename U>
  Decoded<U> GetLe(std::string_view what) {
    if (remaining() < sizeof(U)) [[unlikely]]
      return unexpected(Truncated(what, sizeof(U)));
    U v = 0;
    for (size_t i = 0; i < sizeof(U); ++i) v |= static_cast<U>(input_[pos_ + i]) << (8 * i);
    pos_ += sizeof(U);
    return v;
  }
  template <typename S, typename U>
  Decoded<S> Signed(std::string_view what) {
    U v = PHAT_TRY(GetLe<U>(what));
    return static_cast<S>(v);
  }

  ByteView input_;
  size_t pos_ = 0;
};

// ---- The generic layer: ScaleCodec<T> says how T is encoded; Encode/Decode dispatch to it. ----

template <typename T>
struct ScaleCodec;  // deliberately undefined: a type without a codec does not compile

template <typename T>
concept Codable = requires(ScaleWriter& w, ScaleReader& r, const T& v) {
  ScaleCodec<T>::Encode(w, v);
  { ScaleCodec<T>::Decode(r) } -> std::same_as<Decoded<T>>;
};

// Appends each value in turn (a struct's fields are just its fields one after another).
template <typename... Ts>
void Encode(ScaleWriter& w, const Ts&... values) {
  (ScaleCodec<Ts>::Encode(w, values), ...);
}

template <typename T>
Bytes Encode(const T& value) {
  ScaleWriter w;
  ScaleCodec<T>::Encode(w, value);
  return w.Take();
}

template <typename T>
Decoded<T> Decode(ScaleReader& r) {
  return ScaleCodec<T>::Decode(r);
}

// Decodes a whole message: bytes left over are an error, as for ink!'s input decoding.
template <typename T>
Decoded<T> DecodeAll(ByteView input) {
  ScaleReader r(input);
  T value = PHAT_TRY(ScaleCodec<T>::Decode(r));
  PHAT_TRY_VOID(r.Finish());
  return value;
}

// Rust's Result<T, E>: Ok is the value, Err the error. std::expected already has that shape,
// and Result<(), E> is std::expected<void, E>.
template <typename T, typename E>
using Result = std::expected<T, E>;

// Rust's unit type `()`: encodes to nothing.
using Unit = std::tuple<>;

// Compact<T> for an unsigned T up to 128 bits: the variable-length form of the number.
template <typename T>
concept CompactInt =
    std::same_as<T, uint8_t> || std::same_as<T, uint16_t> || std::same_as<T, uint32_t> ||
    std::same_as<T, uint64_t> || std::same_as<T, uint128>;

template <CompactInt T>
struct Compact {
  T value{};
  friend bool operator==(const Compact&, const Compact&) = default;
};

// ---- Codecs for the standard types ----

template <typename T>
concept FixedInt = std::integral<T> && !std::same_as<T, bool> && sizeof(T) <= 8;

template <FixedInt T>
struct ScaleCodec<T> {
  using U = std::make_unsigned_t<T>;
  static void Encode(ScaleWriter& w, T v) {
    if constexpr (sizeof(T) == 1)
      w.U8(static_cast<uint8_t>(v));
    else if constexpr (sizeof(T) == 2)
      w.U16(static_cast<uint16_t>(v));
    else if constexpr (sizeof(T) == 4)
      w.U32(static_cast<uint32_t>(v));
    else
      w.U64(static_cast<uint64_t>(v));
  }
  static Decoded<T> Decode(ScaleReader& r) {
    U v;
    if constexpr (sizeof(T) == 1)
      v = PHAT_TRY(r.U8());
    else if constexpr (sizeof(T) == 2)
      v = PHAT_TRY(r.U16());
    else if constexpr (sizeof(T) == 4)
      v = PHAT_TRY(r.U32());
    else
      v = PHAT_TRY(r.U64());
    return static_cast<T>(v);
  }
};

template <>
struct ScaleCodec<bool> {
  static void Encode(ScaleWriter& w, bool v) { w.Bool(v); }
  static Decoded<bool> Decode(ScaleReader& r) { return r.Bool(); }
};

template <>
struct ScaleCodec<uint128> {
  static void Encode(ScaleWriter& w, uint128 v) { w.U128(v); }
  static Decoded<uint128> Decode(ScaleReader& r) { return r.U128(); }
};

template <>
struct ScaleCodec<int128> {
  static void Encode(ScaleWriter& w, int128 v) { w.I128(v); }
  static Decoded<int128> Decode(ScaleReader& r) { return r.I128(); }
};

template <CompactInt T>
struct ScaleCodec<Compact<T>> {
  static void Encode(ScaleWriter& w, const Compact<T>& v) { w.Compact(v.value); }
  static Decoded<Compact<T>> Decode(ScaleReader& r) {
    static constexpr std::string_view kNames[] = {"u8", "u16", "", "u32", "", "", "", "u64",
                                                  "",   "",    "", "",    "", "", "", "u128"};
    uint128 v = PHAT_TRY(r.CompactAtMost(static_cast<T>(~T{0}), kNames[sizeof(T) - 1]));
    return Compact<T>{static_cast<T>(v)};
  }
};

template <>
struct ScaleCodec<std::string> {
  static void Encode(ScaleWriter& w, const std::string& s) { w.Str(s); }
  static Decoded<std::string> Decode(ScaleReader& r) { return r.String(); }
};

// Vec<u8> in one copy rather than byte by byte.
template <>
struct ScaleCodec<Bytes> {
  static void Encode(ScaleWriter& w, const Bytes& b) { w.ByteVec(b); }
  static Decoded<Bytes> Decode(ScaleReader& r) { return r.ByteVec(); }
};

template <typename T>
struct ScaleCodec<std::vector<T>> {
  static void Encode(ScaleWriter& w, const std::vector<T>& items) {
    w.Compact(items.size());
    for (const T& item : items) ScaleCodec<T>::Encode(w, item);
  }
  static Decoded<std::vector<T>> Decode(ScaleReader& r) {
    uint32_t n = PHAT_TRY(r.Length("Vec"));
    std::vector<T> out;
    // The length is already bounded by the input; cap the up-front reservation too, so a Vec of
    // large elements grows as elements actually decode.
    constexpr size_t kMaxReserveBytes = 64 * 1024;
    out.reserve(std::min<size_t>(n, kMaxReserveBytes / sizeof(T) + 1));
    for (uint32_t i = 0; i < n; ++i) out.push_back(PHAT_TRY(ScaleCodec<T>::Decode(r)));
    return out;
  }
};

// [u8; N] (AccountId, Hash, selectors) as one block copy.
template <size_t N>
struct ScaleCodec<std::array<uint8_t, N>> {
  static void Encode(ScaleWriter& w, const std::array<uint8_t, N>& a) { w.Raw(a); }
  static Decoded<std::array<uint8_t, N>> Decode(ScaleReader& r) {
    ByteView bytes = PHAT_TRY(r.Raw(N));
    std::array<uint8_t, N> out;
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
  }
};

// [T; N]: the N items, no length.
template <typename T, size_t N>
struct ScaleCodec<std::array<T, N>> {
  static void Encode(ScaleWriter& w, const std::array<T, N>& items) {
    for (const T& item : items) ScaleCodec<T>::Encode(w, item);
  }
  static Decoded<std::array<T, N>> Decode(ScaleReader& r) {
    return DecodeItems(r, std::make_index_sequence<N>{});
  }

 private:
  // Read in order into optionals, then moved out, so T need not be default-constructible.
  template <size_t... I>
  static Decoded<std::array<T, N>> DecodeItems(ScaleReader& r, std::index_sequence<I...>) {
    std::array<std::optional<T>, N> items;
    for (auto& item : items) item = PHAT_TRY(ScaleCodec<T>::Decode(r));
    return std::array<T, N>{std::move(*items[I])...};
  }
};

// Option<T>: 00 for None, 01 ‖ T for Some. Option<bool> too: parity-scale-codec has no
// specialisation for it (Rust cannot express one), so a Rust Option<bool> is two bytes when
// Some; the one-byte form is its separate OptionBool type (ScaleWriter/ScaleReader::OptionBool).
template <typename T>
struct ScaleCodec<std::optional<T>> {
  static void Encode(ScaleWriter& w, const std::optional<T>& v) {
    w.U8(v ? 1 : 0);
    if (v) ScaleCodec<T>::Encode(w, *v);
  }
  static Decoded<std::optional<T>> Decode(ScaleReader& r) {
    size_t at = r.offset();
    uint8_t tag = PHAT_TRY(r.U8());
    if (tag == 0) return std::optional<T>();
    if (tag != 1) return unexpected(r.ErrorAt(at, "invalid Option tag " + std::to_string(tag)));
    return std::optional<T>(PHAT_TRY(ScaleCodec<T>::Decode(r)));
  }
};

// Result<T, E>: 00 ‖ T for Ok, 01 ‖ E for Err.
template <typename T, typename E>
struct ScaleCodec<std::expected<T, E>> {
  static void Encode(ScaleWriter& w, const std::expected<T, E>& v) {
    w.U8(v ? 0 : 1);
    if (v)
      ScaleCodec<T>::Encode(w, *v);
    else
      ScaleCodec<E>::Encode(w, v.error());
  }
  static Decoded<std::expected<T, E>> Decode(ScaleReader& r) {
    size_t at = r.offset();
    uint8_t tag = PHAT_TRY(r.U8());
    // std::in_place keeps the outer expected (decode status) apart from the inner (the Result).
    if (tag == 0) {
      return Decoded<std::expected<T, E>>(std::in_place, std::in_place,
                                          PHAT_TRY(ScaleCodec<T>::Decode(r)));
    }
    if (tag == 1) {
      return Decoded<std::expected<T, E>>(std::in_place, std::unexpect,
                                          PHAT_TRY(ScaleCodec<E>::Decode(r)));
    }
    return unexpected(r.ErrorAt(at, "invalid Result tag " + std::to_string(tag)));
  }
};

template <typename E>
struct ScaleCodec<std::expected<void, E>> {
  static void Encode(ScaleWriter& w, const std::expected<void, E>& v) {
    w.U8(v ? 0 : 1);
    if (!v) ScaleCodec<E>::Encode(w, v.error());
  }
  static Decoded<std::expected<void, E>> Decode(ScaleReader& r) {
    size_t at = r.offset();
    uint8_t tag = PHAT_TRY(r.U8());
    if (tag == 0) return Decoded<std::expected<void, E>>(std::in_place);
    if (tag == 1) {
      return Decoded<std::expected<void, E>>(std::in_place, std::unexpect,
                                             PHAT_TRY(ScaleCodec<E>::Decode(r)));
    }
    return unexpected(r.ErrorAt(at, "invalid Result tag " + std::to_string(tag)));
  }
};

// Tuples and pairs: the fields one after another.
template <typename... Ts>
struct ScaleCodec<std::tuple<Ts...>> {
  static void Encode(ScaleWriter& w, const std::tuple<Ts...>& t) {
    std::apply([&](const Ts&... fields) { (ScaleCodec<Ts>::Encode(w, fields), ...); }, t);
  }
  static Decoded<std::tuple<Ts...>> Decode(ScaleReader& r) { return DecodeFrom<Ts...>(r); }

 private:
  template <typename... Us>
  static Decoded<std::tuple<Us...>> DecodeFrom(ScaleReader& r) {
    if constexpr (sizeof...(Us) == 0) {
      return std::tuple<>();
    } else {
      return DecodeFirst<Us...>(r);
    }
  }
  template <typename First, typename... Rest>
  static Decoded<std::tuple<First, Rest...>> DecodeFirst(ScaleReader& r) {
    First first = PHAT_TRY(ScaleCodec<First>::Decode(r));
    std::tuple<Rest...> rest = PHAT_TRY(DecodeFrom<Rest...>(r));
    return std::tuple_cat(std::tuple<First>(std::move(first)), std::move(rest));
  }
};

template <typename A, typename B>
struct ScaleCodec<std::pair<A, B>> {
  static void Encode(ScaleWriter& w, const std::pair<A, B>& p) {
    ScaleCodec<A>::Encode(w, p.first);
    ScaleCodec<B>::Encode(w, p.second);
  }
  static Decoded<std::pair<A, B>> Decode(ScaleReader& r) {
    A a = PHAT_TRY(ScaleCodec<A>::Decode(r));
    B b = PHAT_TRY(ScaleCodec<B>::Decode(r));
    return std::pair<A, B>(std::move(a), std::move(b));
  }
};

// A variant without fields, for use inside std::variant.
template <>
struct ScaleCodec<std::monostate> {
  static void Encode(ScaleWriter&, std::monostate) {}
  static Decoded<std::monostate> Decode(ScaleReader&) { return std::monostate(); }
};

// A Rust enum with data: u8 variant index (the alternative's position) ‖ its fields. Enums whose
// variants carry #[codec(index = N)] with gaps need their own codec.
template <typename... Ts>
struct ScaleCodec<std::variant<Ts...>> {
  using V = std::variant<Ts...>;
  static_assert(sizeof...(Ts) <= 256, "a SCALE enum has at most 256 variants");

  static void Encode(ScaleWriter& w, const V& v) {
    w.U8(static_cast<uint8_t>(v.index()));
    std::visit([&w](const auto& alt) { ScaleCodec<std::decay_t<decltype(alt)>>::Encode(w, alt); },
               v);
  }
  static Decoded<V> Decode(ScaleReader& r) {
    size_t at = r.offset();
    uint8_t index = PHAT_TRY(r.U8());
    if (index >= sizeof...(Ts)) {
      return unexpected(r.ErrorAt(at, "invalid enum variant index " + std::to_string(index) +
                                          " (the type has " + std::to_string(sizeof...(Ts)) +
                                          " variants)"));
    }
    static constexpr auto kDecoders = []<size_t... I>(std::index_sequence<I...>) {
      return std::array<Decoded<V> (*)(ScaleReader&), sizeof...(Ts)>{&DecodeAlt<I>...};
    }(std::index_sequence_for<Ts...>{});
    return kDecoders[index](r);
  }

 private:
  template <size_t I>
  static Decoded<V> DecodeAlt(ScaleReader& r) {
    using Alt = std::variant_alternative_t<I, V>;
    Alt alt = PHAT_TRY(ScaleCodec<Alt>::Decode(r));
    return V(std::in_place_index<I>, std::move(alt));
  }
};

// A Rust enum without fields as a C++ enum whose enumerators are 0 … kCount-1:
//   template <> struct phat::codec::ScaleCodec<Mode> : phat::codec::EnumCodec<Mode, 3> {};
template <typename E, size_t kCount>
  requires std::is_enum_v<E>
struct EnumCodec {
  static_assert(kCount >= 1 && kCount <= 256);
  static void Encode(ScaleWriter& w, E v) { w.U8(static_cast<uint8_t>(v)); }
  static Decoded<E> Decode(ScaleReader& r) {
    size_t at = r.offset();
    uint8_t index = PHAT_TRY(r.U8());
    if (index >= kCount) {
      return unexpected(r.ErrorAt(at, "invalid enum variant index " + std::to_string(index) +
                                          " (the type has " + std::to_string(kCount) +
                                          " variants)"));
    }
    return static_cast<E>(index);
  }
};

// Types that carry their own member hooks (see the top of this file).
template <typename T>
concept HasScaleHooks = requires(const T& v, ScaleWriter& w, ScaleReader& r) {
  v.ScaleEncode(w);
  { T::ScaleDecode(r) } -> std::same_as<Decoded<T>>;
};

template <HasScaleHooks T>
struct ScaleCodec<T> {
  static void Encode(ScaleWriter& w, const T& v) { v.ScaleEncode(w); }
  static Decoded<T> Decode(ScaleReader& r) { return T::ScaleDecode(r); }
};

}  // namespace phat::codec
