// What C++ cannot tell by itself about a contract's own types, declared once beside them:
//   PHAT_FIELDS(Type, a, b, c)   inside a struct: its name and fields, in declaration order.
//                                The SCALE codec, storage, events and metadata all read this.
//   PHAT_ENUM(Type, A, B, C)     at namespace scope: `enum class Type : u8 {A, B, C}` plus the
//                                variant names (a Rust enum without data; SCALE index = order).
// and TypeName<T>: the Rust spelling of a type ("Option<AccountId>"), which ink! hashes into
// event signature topics (ABI.md §5) and shows in metadata, built at compile time.
//
// Each field also gets its ink! storage key, xxh32("Type::field") (ABI.md §4), as a compile-time
// constant: the root struct hands it to its Lazy and Mapping fields (storage.h).
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/hash.h"
#include "phat/sdk/types.h"

// ---- a FOR_EACH over macro arguments (up to 256), passing a fixed first argument along ----
#define PHAT_SDK_PARENS ()
#define PHAT_SDK_EXPAND(...) PHAT_SDK_EXPAND3(PHAT_SDK_EXPAND3(PHAT_SDK_EXPAND3(__VA_ARGS__)))
#define PHAT_SDK_EXPAND3(...) PHAT_SDK_EXPAND2(PHAT_SDK_EXPAND2(PHAT_SDK_EXPAND2(__VA_ARGS__)))
#define PHAT_SDK_EXPAND2(...) PHAT_SDK_EXPAND1(PHAT_SDK_EXPAND1(PHAT_SDK_EXPAND1(__VA_ARGS__)))
#define PHAT_SDK_EXPAND1(...) __VA_ARGS__
#define PHAT_SDK_FOR_EACH(macro, fixed, ...) \
  __VA_OPT__(PHAT_SDK_EXPAND(PHAT_SDK_FOR_EACH_STEP(macro, fixed, __VA_ARGS__)))
#define PHAT_SDK_FOR_EACH_STEP(macro, fixed, x, ...) \
  macro(fixed, x) __VA_OPT__(PHAT_SDK_FOR_EACH_AGAIN PHAT_SDK_PARENS(macro, fixed, __VA_ARGS__))
#define PHAT_SDK_FOR_EACH_AGAIN() PHAT_SDK_FOR_EACH_STEP

#define PHAT_SDK_VISIT_FIELD(Type, field) \
  visit(#field, self.field, ::phat::sdk::KeyTag<::phat::sdk::Xxh32(#Type "::" #field)>{});

// Inside `struct Type { … };`: names the struct and its fields (all of them, in order).
#define PHAT_FIELDS(Type, ...)                                                 \
  static constexpr const char* kPhatName = #Type;                              \
  template <class PhatSelf, class PhatVisitor>                                 \
  static constexpr void PhatVisitFields(PhatSelf& self, PhatVisitor&& visit) { \
    (void)self;                                                                \
    (void)visit;                                                               \
    PHAT_SDK_FOR_EACH(PHAT_SDK_VISIT_FIELD, Type, __VA_ARGS__)                 \
  }

// At namespace scope: a data-less enum, numbered from 0 as SCALE encodes it.
#define PHAT_ENUM(Type, ...)                           \
  enum class Type : ::phat::sdk::u8 { __VA_ARGS__ };   \
  constexpr ::phat::sdk::EnumInfo PhatEnumInfo(Type) { \
    return ::phat::sdk::EnumInfo{#Type, #__VA_ARGS__}; \
  }

namespace phat::sdk {

// The storage key a field of a root struct gets unless it names its own (ManualKey).
template <u32 kKey>
struct KeyTag {
  static constexpr u32 kValue = kKey;
};

// A PHAT_ENUM's name and its variants as written: "A, B, C".
struct EnumInfo {
  const char* name;
  const char* variants;

  constexpr u32 VariantCount() const {
    u32 count = 0;
    bool in_name = false;
    for (const char* p = variants; *p != 0; ++p) {
      bool name_char = *p != ',' && *p != ' ' && *p != '\n' && *p != '\t';
      if (name_char && !in_name) ++count;
      in_name = name_char;
    }
    return count;
  }
  // The i-th variant's name, as [begin, begin + length).
  constexpr void Variant(u32 i, const char** begin, size_t* length) const {
    const char* p = variants;
    for (u32 k = 0;; ++k) {
      while (*p == ',' || *p == ' ' || *p == '\n' || *p == '\t') ++p;
      const char* start = p;
      while (*p != 0 && *p != ',' && *p != ' ' && *p != '\n' && *p != '\t') ++p;
      if (k == i) {
        *begin = start;
        *length = static_cast<size_t>(p - start);
        return;
      }
    }
  }
};

template <class T>
concept FieldStruct = requires { T::kPhatName; };
template <class T>
concept PhatEnum = requires(T value) { PhatEnumInfo(value).variants; };

// Marks an event field as indexed: it becomes a topic (event.h). Encodes as the value itself.
template <class T>
struct Topic {
  T value{};
  constexpr Topic() = default;
  template <class U>
  constexpr Topic(U&& v) : value(static_cast<U&&>(v)) {}
  friend constexpr bool operator==(const Topic& a, const Topic& b) { return a.value == b.value; }
};

// Lazy and Mapping (storage.h) say so with kPhatLazy: they live under their own keys and encode
// as nothing inside their struct.
template <class T>
concept LazyField = requires { T::kPhatLazy; };

// ---- TypeName<T>: Rust spelling, no spaces, as ink! writes signatures ----
template <class T>
struct TypeName;

template <class T, class S>
constexpr void AppendTypeName(S& out) {
  TypeName<T>::Append(out);
}

template <class T>
struct TypeName {
  template <class S>
  static constexpr void Append(S& out) {
    if constexpr (kIsSame<T, bool>) {
      out.Append("bool");
    } else if constexpr (kIsSame<T, u128>) {
      out.Append("Balance");  // ink!'s default environment; see sdk/README.md
    } else if constexpr (kIsInteger<T>) {
      out.Append(__is_signed(T) ? "i" : "u").AppendDecimal(sizeof(T) * 8);
    } else if constexpr (kIsSame<T, Unit>) {
      out.Append("()");
    } else if constexpr (kIsSame<T, AccountId>) {
      out.Append("AccountId");
    } else if constexpr (kIsSame<T, Hash>) {
      out.Append("Hash");
    } else if constexpr (kIsSame<T, String>) {
      out.Append("String");
    } else if constexpr (FieldStruct<T>) {
      out.Append(T::kPhatName);
    } else if constexpr (PhatEnum<T>) {
      out.Append(PhatEnumInfo(T{}).name);
    } else {
      static_assert(sizeof(T) == 0, "this type has no SCALE form: see sdk/README.md");
    }
  }
};
template <class T>
struct TypeName<Option<T>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("Option<");
    AppendTypeName<T>(out);
    out.Append(">");
  }
};
template <class T, class E>
struct TypeName<Result<T, E>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("Result<");
    AppendTypeName<typename Result<T, E>::ValueType>(out);
    out.Append(",");
    AppendTypeName<E>(out);
    out.Append(">");
  }
};
template <class T>
struct TypeName<Vec<T>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("Vec<");
    AppendTypeName<T>(out);
    out.Append(">");
  }
};
template <class T, size_t kN>
struct TypeName<Array<T, kN>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("[");
    AppendTypeName<T>(out);
    out.Append(";").AppendDecimal(kN).Append("]");
  }
};
template <class... Ts>
struct TypeName<Tuple<Ts...>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("(");
    bool first = true;
    ((first ? void() : void(out.Append(",")), first = false, AppendTypeName<Ts>(out)), ...);
    out.Append(")");
  }
};
template <class T>
struct TypeName<Compact<T>> {
  template <class S>
  static constexpr void Append(S& out) {
    out.Append("Compact<");
    AppendTypeName<T>(out);
    out.Append(">");
  }
};
template <class T>
struct TypeName<Topic<T>> : TypeName<T> {};

template <class T, size_t kCapacity = 128>
constexpr ConstString<kCapacity> TypeNameOf() {
  ConstString<kCapacity> out;
  AppendTypeName<T>(out);
  return out;
}

}  // namespace phat::sdk
