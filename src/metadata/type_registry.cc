// Reading scale-info's portable registry (the `types` array of ink! metadata).
#include "phat/metadata/type_registry.h"

#include <array>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join, which fmt 11 moved here

namespace phat::metadata {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<std::string_view, Primitive>, 15> kPrimitives = {{
    {"bool", Primitive::kBool},
    {"char", Primitive::kChar},
    {"str", Primitive::kStr},
    {"u8", Primitive::kU8},
    {"u16", Primitive::kU16},
    {"u32", Primitive::kU32},
    {"u64", Primitive::kU64},
    {"u128", Primitive::kU128},
    {"u256", Primitive::kU256},
    {"i8", Primitive::kI8},
    {"i16", Primitive::kI16},
    {"i32", Primitive::kI32},
    {"i64", Primitive::kI64},
    {"i128", Primitive::kI128},
    {"i256", Primitive::kI256},
}};

// Whether `j` is an integer in 0..=max. (Parsed JSON stores non-negative numbers as unsigned, but
// JSON built in code may hold them as signed.)
bool IsUintAtMost(const json& j, uint64_t max) {
  if (j.is_number_unsigned()) return j.get<uint64_t>() <= max;
  return j.is_number_integer() && j.get<int64_t>() >= 0 &&
         static_cast<uint64_t>(j.get<int64_t>()) <= max;
}

// A type id as metadata writes it: a non-negative integer.
Expected<uint32_t, std::string> TypeId(const json& j, std::string_view where) {
  if (!IsUintAtMost(j, UINT32_MAX))
    return unexpected(fmt::format("{}: expected a type id, got {}", where, j.dump()));
  return j.get<uint32_t>();
}

std::string StringOr(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Expected<std::vector<Field>, std::string> ParseFields(const json& obj, std::string_view where) {
  std::vector<Field> fields;
  auto it = obj.find("fields");
  if (it == obj.end() || it->is_null()) return fields;  // scale-info omits empty lists
  if (!it->is_array()) return unexpected(fmt::format("{}: `fields` is not an array", where));
  for (const json& f : *it) {
    if (!f.is_object()) return unexpected(fmt::format("{}: a field is not an object", where));
    auto type = f.find("type");
    if (type == f.end()) return unexpected(fmt::format("{}: a field has no `type`", where));
    fields.push_back(
        {StringOr(f, "name"), PHAT_TRY(TypeId(*type, where)), StringOr(f, "typeName")});
  }
  return fields;
}

Expected<TypeDef, std::string> ParseDef(const json& def, std::string_view where) {
  if (!def.is_object() || def.size() != 1)
    return unexpected(fmt::format("{}: `def` must be an object with one key", where));
  auto entry = def.begin();
  const std::string& kind = entry.key();
  const json& body = entry.value();
  // Every shape but `primitive` and `tuple` is an object; reading a key from anything else is
  // null, which the id checks below report.
  auto get = [&body](std::string_view key) -> json {
    if (!body.is_object()) return json();
    auto it = body.find(key);
    return it == body.end() ? json() : *it;
  };
  TypeDef out;
  if (kind == "composite") {
    out.kind = TypeDef::Kind::kComposite;
    if (!body.is_object())
      return unexpected(fmt::format("{}: `composite` is not an object", where));
    out.fields = PHAT_TRY(ParseFields(body, where));
  } else if (kind == "variant") {
    out.kind = TypeDef::Kind::kVariant;
    json variants = get("variants");
    if (!variants.is_null()) {
      if (!variants.is_array())
        return unexpected(fmt::format("{}: `variants` is not an array", where));
      for (const json& v : variants) {
        if (!v.is_object()) return unexpected(fmt::format("{}: a variant is not an object", where));
        auto index = v.find("index");
        if (index == v.end() || !IsUintAtMost(*index, 255))
          return unexpected(fmt::format("{}: a variant has no index in 0..=255", where));
        out.variants.push_back(
            {StringOr(v, "name"), index->get<uint8_t>(), PHAT_TRY(ParseFields(v, where))});
      }
    }
  } else if (kind == "sequence" || kind == "compact") {
    out.kind = kind == "sequence" ? TypeDef::Kind::kSequence : TypeDef::Kind::kCompact;
    out.element = PHAT_TRY(TypeId(get("type"), where));
  } else if (kind == "array") {
    out.kind = TypeDef::Kind::kArray;
    out.element = PHAT_TRY(TypeId(get("type"), where));
    out.length = PHAT_TRY(TypeId(get("len"), where));
  } else if (kind == "tuple") {
    out.kind = TypeDef::Kind::kTuple;
    if (!body.is_array()) return unexpected(fmt::format("{}: `tuple` is not an array", where));
    for (const json& t : body) out.tuple.push_back(PHAT_TRY(TypeId(t, where)));
  } else if (kind == "primitive") {
    out.kind = TypeDef::Kind::kPrimitive;
    std::string name = body.is_string() ? body.get<std::string>() : body.dump();
    auto it = std::ranges::find(kPrimitives, std::string_view(name),
                                &std::pair<std::string_view, Primitive>::first);
    if (it == kPrimitives.end())
      return unexpected(fmt::format("{}: unknown primitive type {}", where, name));
    out.primitive = it->second;
  } else if (kind == "bitSequence") {
    out.kind = TypeDef::Kind::kBitSequence;
  } else {
    return unexpected(fmt::format("{}: unknown type definition `{}`", where, kind));
  }
  return out;
}

// Every type id a definition mentions.
std::vector<uint32_t> Referenced(const TypeDef& def) {
  std::vector<uint32_t> ids;
  for (const Field& f : def.fields) ids.push_back(f.type);
  for (const Variant& v : def.variants)
    for (const Field& f : v.fields) ids.push_back(f.type);
  switch (def.kind) {
    case TypeDef::Kind::kSequence:
    case TypeDef::Kind::kArray:
    case TypeDef::Kind::kCompact:
      ids.push_back(def.element);
      break;
    case TypeDef::Kind::kTuple:
      ids.insert(ids.end(), def.tuple.begin(), def.tuple.end());
      break;
    default:
      break;
  }
  return ids;
}

}  // namespace

std::string_view PrimitiveName(Primitive p) {
  for (const auto& [name, prim] : kPrimitives)
    if (prim == p) return name;
  return "?";
}

std::string Type::PathString() const {
  return fmt::format("{}", fmt::join(path, "::"));
}

Expected<TypeRegistry, std::string> TypeRegistry::Parse(const json& types) {
  if (!types.is_array()) return unexpected(std::string("metadata `types` is not an array"));
  TypeRegistry registry;
  for (const json& entry : types) {
    if (!entry.is_object() || !entry.contains("id") || !entry.contains("type"))
      return unexpected(std::string("metadata `types`: an entry lacks `id` or `type`"));
    Type t;
    t.id = PHAT_TRY(TypeId(entry["id"], "metadata `types`"));
    std::string where = fmt::format("type {}", t.id);
    const json& body = entry["type"];
    if (!body.is_object() || !body.contains("def"))
      return unexpected(fmt::format("{}: no `def`", where));
    if (auto path = body.find("path"); path != body.end() && path->is_array()) {
      for (const json& seg : *path)
        if (seg.is_string()) t.path.push_back(seg.get<std::string>());
    }
    if (auto params = body.find("params"); params != body.end() && params->is_array()) {
      for (const json& p : *params) {
        TypeParam param{StringOr(p, "name"), std::nullopt};
        if (auto ty = p.find("type"); ty != p.end() && !ty->is_null())
          param.type = PHAT_TRY(TypeId(*ty, where));
        t.params.push_back(std::move(param));
      }
    }
    t.def = PHAT_TRY(ParseDef(body["def"], where));
    uint32_t id = t.id;
    if (!registry.types_.emplace(id, std::move(t)).second)
      return unexpected(fmt::format("metadata `types`: type id {} appears twice", id));
  }
  for (const auto& [id, t] : registry.types_) {
    for (uint32_t ref : Referenced(t.def)) {
      if (!registry.types_.contains(ref))
        return unexpected(fmt::format("type {} refers to type {}, which is not defined", id, ref));
    }
  }
  return registry;
}

const Type* TypeRegistry::Find(uint32_t id) const {
  auto it = types_.find(id);
  return it == types_.end() ? nullptr : &it->second;
}

bool TypeRegistry::IsU8(uint32_t id) const {
  const Type* t = Find(id);
  return t && t->def.kind == TypeDef::Kind::kPrimitive && t->def.primitive == Primitive::kU8;
}

std::string TypeRegistry::DisplayName(uint32_t id) const {
  return DisplayNameAt(id, 0);
}

std::string TypeRegistry::DisplayNameAt(uint32_t id, int depth) const {
  const Type* t = Find(id);
  // A recursive type would otherwise name itself forever.
  if (!t || depth > 8) return fmt::format("type {}", id);
  if (!t->path.empty()) {
    // Generic wrappers read better with their parameters: Option<AccountId>.
    std::string name = t->path.back();
    if (!t->params.empty()) {
      std::vector<std::string> params;
      for (const TypeParam& p : t->params)
        params.push_back(p.type ? DisplayNameAt(*p.type, depth + 1) : p.name);
      name += fmt::format("<{}>", fmt::join(params, ", "));
    }
    return name;
  }
  const TypeDef& d = t->def;
  switch (d.kind) {
    case TypeDef::Kind::kPrimitive:
      return std::string(PrimitiveName(d.primitive));
    case TypeDef::Kind::kSequence:
      return fmt::format("Vec<{}>", DisplayNameAt(d.element, depth + 1));
    case TypeDef::Kind::kArray:
      return fmt::format("[{}; {}]", DisplayNameAt(d.element, depth + 1), d.length);
    case TypeDef::Kind::kCompact:
      return fmt::format("Compact<{}>", DisplayNameAt(d.element, depth + 1));
    case TypeDef::Kind::kTuple: {
      std::vector<std::string> parts;
      for (uint32_t e : d.tuple) parts.push_back(DisplayNameAt(e, depth + 1));
      return fmt::format("({})", fmt::join(parts, ", "));
    }
    case TypeDef::Kind::kBitSequence:
      return "BitVec";
    default:
      return fmt::format("type {}", id);
  }
}

}  // namespace phat::metadata
