// The portable type registry of ink! metadata (scale-info's `types` array, ABI.md §8), and the
// conversion it drives between JSON a person writes or reads and the SCALE bytes a contract
// speaks (ABI.md §7). The CLI uses it to encode call arguments and decode results and events.
//
// JSON shapes, both directions:
//   bool                     true / false (encoding also accepts "true" / "false")
//   u8..u32, i8..i32         numbers (encoding also accepts decimal strings)
//   u64, u128, i64, i128     decimal strings when decoded; numbers or decimal strings encode
//   char, str                strings
//   Vec<u8>, [u8; N]         "0x…" hex
//   AccountId, Hash, and any composite with one unnamed field: the inner value ("0x…" hex).
//                            SS58 addresses are not accepted: hex only.
//   other sequences, arrays, tuples, tuple structs: JSON arrays
//   structs                  objects keyed by field name
//   Option<T>                null or the value (so Some(None) of an Option<Option<T>> cannot be
//                            written). Option<bool> is 00 / 01 01 / 01 00, as parity-scale-codec
//                            encodes it: only its OptionBool shim is one byte (ABI.md §7 says
//                            Option<bool> is special-cased; the codec's source says otherwise).
//   enums                    "Variant" for a unit variant, {"Variant": v} otherwise, where v is
//                            the field's value (one unnamed field), an array (several unnamed) or
//                            an object (named fields)
//   Compact<T>               as T
//
// Thread safety: a TypeRegistry is immutable after Parse; const use from any thread is safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"
#include "phat/codec/scale.h"

namespace phat::metadata {

// scale-info's primitive types (TypeDefPrimitive). u256/i256 exist in scale-info but no ink!
// contract uses them; they parse, and encoding or decoding them is an error.
enum class Primitive {
  kBool,
  kChar,
  kStr,
  kU8,
  kU16,
  kU32,
  kU64,
  kU128,
  kU256,
  kI8,
  kI16,
  kI32,
  kI64,
  kI128,
  kI256,
};
std::string_view PrimitiveName(Primitive p);

struct Field {
  std::string name;  // empty for a tuple struct's or a variant's unnamed fields
  uint32_t type = 0;
  std::string type_name;  // the Rust spelling, for messages ("[u8; 32]", "Balance")
};

struct Variant {
  std::string name;
  uint8_t index = 0;  // the SCALE tag, which need not be the position (#[codec(index)])
  std::vector<Field> fields;
};

struct TypeParam {
  std::string name;
  std::optional<uint32_t> type;  // absent for a parameter scale-info could not resolve
};

// scale-info TypeDef: exactly one of these shapes, picked by `kind`.
struct TypeDef {
  enum class Kind {
    kComposite,
    kVariant,
    kSequence,
    kArray,
    kTuple,
    kPrimitive,
    kCompact,
    kBitSequence
  };
  Kind kind = Kind::kTuple;
  std::vector<Field> fields;               // kComposite
  std::vector<Variant> variants;           // kVariant
  uint32_t element = 0;                    // kSequence, kArray, kCompact: the inner type
  uint32_t length = 0;                     // kArray
  std::vector<uint32_t> tuple;             // kTuple: the element types, in order
  Primitive primitive = Primitive::kBool;  // kPrimitive
};

struct Type {
  uint32_t id = 0;
  std::vector<std::string> path;  // e.g. {"ink_primitives", "types", "AccountId"}; empty if none
  std::vector<TypeParam> params;
  TypeDef def;

  std::string PathString() const;  // "ink_primitives::types::AccountId"
  bool IsOption() const { return path.size() == 1 && path[0] == "Option"; }
};

class TypeRegistry {
 public:
  TypeRegistry() = default;

  // Reads the `types` array. Every id a type refers to must exist, so later walks need no checks.
  static Expected<TypeRegistry, std::string> Parse(const nlohmann::json& types);

  const Type* Find(uint32_t id) const;
  size_t size() const { return types_.size(); }
  // A short human name for messages: the last path segment, a primitive's name, or the shape.
  std::string DisplayName(uint32_t id) const;

  // Appends the SCALE encoding of `value` as type `id`. `path` names the value in errors
  // ("args[1].to"), and each error starts with it.
  Expected<void, std::string> Encode(uint32_t id, const nlohmann::json& value, std::string path,
                                     codec::ScaleWriter& out) const;
  Expected<Bytes, std::string> Encode(uint32_t id, const nlohmann::json& value,
                                      std::string path) const;

  // Reads one value of type `id` at the reader's cursor.
  Expected<nlohmann::json, std::string> Decode(uint32_t id, codec::ScaleReader& in) const;
  // Decodes all of `bytes` as one value: bytes left over are an error.
  Expected<nlohmann::json, std::string> DecodeAll(uint32_t id, ByteView bytes) const;

 private:
  Expected<void, std::string> EncodeAt(uint32_t id, const nlohmann::json& value, std::string& path,
                                       codec::ScaleWriter& out, int depth) const;
  Expected<void, std::string> EncodeFields(const std::vector<Field>& fields,
                                           const nlohmann::json& value, std::string& path,
                                           codec::ScaleWriter& out, int depth) const;
  Expected<nlohmann::json, std::string> DecodeAt(uint32_t id, codec::ScaleReader& in,
                                                 int depth) const;
  Expected<nlohmann::json, std::string> DecodeFields(const std::vector<Field>& fields,
                                                     codec::ScaleReader& in, int depth) const;
  std::string DisplayNameAt(uint32_t id, int depth) const;
  // Whether `id` is u8, so that a sequence or array of it reads and writes as hex.
  bool IsU8(uint32_t id) const;

  std::unordered_map<uint32_t, Type> types_;
};

}  // namespace phat::metadata
