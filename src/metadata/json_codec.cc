// JSON <-> SCALE driven by the type registry (the shapes are listed in type_registry.h).
#include <string>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join, which fmt 11 moved here

#include "phat/metadata/type_registry.h"

namespace phat::metadata {
namespace {

using codec::int128;
using codec::uint128;
using nlohmann::json;

// Deeper nesting than any real contract type means a recursive type fed a value that never ends
// (or bytes that never end); stop before the stack does.
constexpr int kMaxDepth = 64;

template <typename T>
Expected<T, std::string> Str(codec::Decoded<T> d) {
  if (!d) return unexpected(d.error().ToString());
  return std::move(*d);
}

std::string Decimal(uint128 v) {
  if (v == 0) return "0";
  std::string out;
  while (v != 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  return out;
}

std::string Decimal(bool negative, uint128 magnitude) {
  return (negative && magnitude != 0 ? "-" : "") + Decimal(magnitude);
}

// A value shown in an error: short, so a huge argument does not swamp the message.
std::string Shown(const json& v) {
  std::string s = v.dump();
  return s.size() > 80 ? s.substr(0, 77) + "..." : s;
}

struct IntInfo {
  bool is_signed;
  int bits;
};

std::optional<IntInfo> IntOf(Primitive p) {
  switch (p) {
    case Primitive::kU8:
      return IntInfo{false, 8};
    case Primitive::kU16:
      return IntInfo{false, 16};
    case Primitive::kU32:
      return IntInfo{false, 32};
    case Primitive::kU64:
      return IntInfo{false, 64};
    case Primitive::kU128:
      return IntInfo{false, 128};
    case Primitive::kI8:
      return IntInfo{true, 8};
    case Primitive::kI16:
      return IntInfo{true, 16};
    case Primitive::kI32:
      return IntInfo{true, 32};
    case Primitive::kI64:
      return IntInfo{true, 64};
    case Primitive::kI128:
      return IntInfo{true, 128};
    default:
      return std::nullopt;
  }
}

uint128 MaxMagnitude(IntInfo info, bool negative) {
  int value_bits = info.is_signed ? info.bits - 1 : info.bits;
  uint128 max = value_bits == 128 ? ~uint128{0} : (uint128{1} << value_bits) - 1;
  return negative && info.is_signed ? max + 1 : max;  // i8 reaches -128 but only +127
}

// An integer from a JSON number or a decimal string, range-checked for `type`.
// Returns the two's-complement bit pattern, widened to 128 bits.
Expected<uint128, std::string> ReadInteger(const json& v, IntInfo info, std::string_view type,
                                           const std::string& path) {
  bool negative = false;
  uint128 magnitude = 0;
  std::string text;
  if (v.is_number_unsigned()) {
    magnitude = v.get<uint64_t>();
    text = v.dump();
  } else if (v.is_number_integer()) {
    int64_t x = v.get<int64_t>();
    negative = x < 0;
    magnitude = negative ? uint128(-(x + 1)) + 1 : uint128(x);
    text = v.dump();
  } else if (v.is_number_float()) {
    // JSON parsers turn integers above 2^64 into doubles, which lose digits.
    return unexpected(fmt::format(
        "{}: {} is not an integer for {} (write large numbers as decimal strings, e.g. \"{}\")",
        path, Shown(v), type, "1000000000000000000000"));
  } else if (v.is_string()) {
    text = v.get<std::string>();
    std::string_view digits = text;
    if (digits.starts_with('-')) {
      negative = true;
      digits.remove_prefix(1);
    } else if (digits.starts_with('+')) {
      digits.remove_prefix(1);
    }
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return unexpected(
          fmt::format("{}: expected a decimal integer for {}, got {}", path, type, Shown(v)));
    }
    for (char c : digits) {
      uint128 digit = static_cast<uint128>(c - '0');
      if (magnitude > (~uint128{0} - digit) / 10) {
        return unexpected(fmt::format("{}: {} is out of range for {}", path, Shown(v), type));
      }
      magnitude = magnitude * 10 + digit;
    }
  } else {
    return unexpected(fmt::format("{}: expected {} as a number or a decimal string, got {}", path,
                                  type, Shown(v)));
  }
  if (negative && magnitude == 0) negative = false;
  if ((negative && !info.is_signed) || magnitude > MaxMagnitude(info, negative)) {
    std::string lo = info.is_signed ? Decimal(true, MaxMagnitude(info, true)) : "0";
    return unexpected(fmt::format("{}: {} is out of range for {} ({}..={})", path, text, type, lo,
                                  Decimal(MaxMagnitude(info, false))));
  }
  return negative ? ~magnitude + 1 : magnitude;
}

void WriteInteger(codec::ScaleWriter& out, int bits, uint128 v) {
  switch (bits) {
    case 8:
      out.U8(static_cast<uint8_t>(v));
      break;
    case 16:
      out.U16(static_cast<uint16_t>(v));
      break;
    case 32:
      out.U32(static_cast<uint32_t>(v));
      break;
    case 64:
      out.U64(static_cast<uint64_t>(v));
      break;
    default:
      out.U128(v);
      break;
  }
}

// Up to 32 bits a JSON number is exact everywhere (JavaScript included); beyond, a string.
json IntegerJson(IntInfo info, uint128 bits) {
  if (info.is_signed) {
    // Sign-extend from the type's width.
    int shift = 128 - info.bits;
    int128 v = static_cast<int128>(bits << shift) >> shift;
    if (info.bits <= 32) return static_cast<int64_t>(v);
    return Decimal(v < 0, v < 0 ? ~static_cast<uint128>(v) + 1 : static_cast<uint128>(v));
  }
  if (info.bits <= 32) return static_cast<uint64_t>(bits);
  return Decimal(bits);
}

std::string EncodeUtf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// The one code point of a UTF-8 string, if it is exactly one.
std::optional<uint32_t> SingleCodePoint(std::string_view s) {
  if (s.empty() || !codec::IsValidUtf8(AsBytes(s))) return std::nullopt;
  auto b = AsBytes(s);
  size_t len = b[0] < 0x80 ? 1 : b[0] < 0xE0 ? 2 : b[0] < 0xF0 ? 3 : 4;
  if (len != s.size()) return std::nullopt;
  if (len == 1) return b[0];
  uint32_t cp = b[0] & (0xFF >> (len + 1));
  for (size_t i = 1; i < len; ++i) cp = cp << 6 | (b[i] & 0x3F);
  return cp;
}

bool IsEmptyValue(const json& v) {
  return v.is_null() || ((v.is_object() || v.is_array()) && v.empty());
}

// Hex text to bytes, with an error that says what a byte string looks like here.
Expected<Bytes, std::string> HexArg(const json& v, const std::string& path,
                                    std::optional<size_t> want) {
  std::string what = want ? fmt::format("{} bytes of hex", *want) : std::string("hex bytes");
  std::string_view text = v.get_ref<const std::string&>();
  std::optional<Bytes> bytes = FromHex(text);
  if (!bytes) {
    return unexpected(
        fmt::format("{}: expected {} (\"0x…\"), got {} (SS58 addresses are not "
                    "accepted: give the account id in hex)",
                    path, what, Shown(v)));
  }
  if (want && bytes->size() != *want) {
    return unexpected(fmt::format("{}: expected {} (\"0x…\"), got {} byte{}", path, what,
                                  bytes->size(), bytes->size() == 1 ? "" : "s"));
  }
  return *std::move(bytes);
}

// Restores a path to its previous length when a nested step is done.
class PathScope {
 public:
  PathScope(std::string& path, std::string_view suffix) : path_(path), size_(path.size()) {
    path_ += suffix;
  }
  ~PathScope() { path_.resize(size_); }

 private:
  std::string& path_;
  size_t size_;
};

}  // namespace

Expected<Bytes, std::string> TypeRegistry::Encode(uint32_t id, const json& value,
                                                  std::string path) const {
  codec::ScaleWriter out;
  PHAT_TRY_VOID(EncodeAt(id, value, path, out, 0));
  return out.Take();
}

Expected<void, std::string> TypeRegistry::Encode(uint32_t id, const json& value, std::string path,
                                                 codec::ScaleWriter& out) const {
  return EncodeAt(id, value, path, out, 0);
}

Expected<void, std::string> TypeRegistry::EncodeFields(const std::vector<Field>& fields,
                                                       const json& value, std::string& path,
                                                       codec::ScaleWriter& out, int depth) const {
  if (fields.empty()) {
    if (!IsEmptyValue(value))
      return unexpected(fmt::format("{}: expected no value (null), got {}", path, Shown(value)));
    return {};
  }
  if (fields[0].name.empty()) {
    // A newtype (AccountId, Hash, Some(x)) is written as the value it wraps.
    if (fields.size() == 1) return EncodeAt(fields[0].type, value, path, out, depth + 1);
    if (!value.is_array() || value.size() != fields.size()) {
      return unexpected(fmt::format("{}: expected an array of {} values, got {}", path,
                                    fields.size(), Shown(value)));
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      PathScope scope(path, fmt::format("[{}]", i));
      PHAT_TRY_VOID(EncodeAt(fields[i].type, value[i], path, out, depth + 1));
    }
    return {};
  }
  std::vector<std::string> names;
  for (const Field& f : fields) names.push_back(f.name);
  if (!value.is_object()) {
    return unexpected(fmt::format("{}: expected an object with fields {}, got {}", path,
                                  fmt::join(names, ", "), Shown(value)));
  }
  for (const auto& [key, _] : value.items()) {
    if (std::ranges::find(names, key) == names.end()) {
      return unexpected(fmt::format("{}: unknown field `{}` (the fields are {})", path, key,
                                    fmt::join(names, ", ")));
    }
  }
  for (const Field& f : fields) {
    PathScope scope(path, "." + f.name);
    auto it = value.find(f.name);
    if (it == value.end()) return unexpected(fmt::format("{}: missing field", path));
    PHAT_TRY_VOID(EncodeAt(f.type, *it, path, out, depth + 1));
  }
  return {};
}

Expected<void, std::string> TypeRegistry::EncodeAt(uint32_t id, const json& value,
                                                   std::string& path, codec::ScaleWriter& out,
                                                   int depth) const {
  if (depth > kMaxDepth)
    return unexpected(fmt::format("{}: nested more than {} levels deep", path, kMaxDepth));
  const Type& t = types_.at(id);
  const TypeDef& d = t.def;
  switch (d.kind) {
    case TypeDef::Kind::kPrimitive: {
      std::string_view name = PrimitiveName(d.primitive);
      if (std::optional<IntInfo> info = IntOf(d.primitive)) {
        uint128 v = PHAT_TRY(ReadInteger(value, *info, name, path));
        WriteInteger(out, info->bits, v);
        return {};
      }
      switch (d.primitive) {
        case Primitive::kBool:
          if (value.is_boolean()) {
            out.Bool(value.get<bool>());
          } else if (value == "true" || value == "false") {
            out.Bool(value == "true");
          } else {
            return unexpected(
                fmt::format("{}: expected true or false, got {}", path, Shown(value)));
          }
          return {};
        case Primitive::kStr:
          if (!value.is_string())
            return unexpected(fmt::format("{}: expected a string, got {}", path, Shown(value)));
          out.Str(value.get_ref<const std::string&>());
          return {};
        case Primitive::kChar: {
          std::optional<uint32_t> cp;
          if (value.is_string()) cp = SingleCodePoint(value.get_ref<const std::string&>());
          if (!cp) {
            return unexpected(
                fmt::format("{}: expected a one-character string, got {}", path, Shown(value)));
          }
          out.U32(*cp);
          return {};
        }
        default:
          return unexpected(fmt::format("{}: {} is not supported", path, name));
      }
    }
    case TypeDef::Kind::kCompact: {
      // Compact wraps an unsigned integer, possibly through newtypes.
      const Type* inner = Find(d.element);
      while (inner && inner->def.kind == TypeDef::Kind::kComposite && inner->def.fields.size() == 1)
        inner = Find(inner->def.fields[0].type);
      std::optional<IntInfo> info;
      if (inner && inner->def.kind == TypeDef::Kind::kPrimitive) info = IntOf(inner->def.primitive);
      if (!info || info->is_signed) {
        return unexpected(
            fmt::format("{}: Compact<{}> is not supported", path, DisplayName(d.element)));
      }
      std::string name = fmt::format("Compact<{}>", PrimitiveName(inner->def.primitive));
      out.Compact(PHAT_TRY(ReadInteger(value, *info, name, path)));
      return {};
    }
    case TypeDef::Kind::kSequence:
    case TypeDef::Kind::kArray: {
      bool is_array = d.kind == TypeDef::Kind::kArray;
      if (IsU8(d.element) && value.is_string()) {
        Bytes bytes = PHAT_TRY(
            HexArg(value, path, is_array ? std::optional<size_t>(d.length) : std::nullopt));
        if (is_array)
          out.Raw(bytes);
        else
          out.ByteVec(bytes);
        return {};
      }
      if (!value.is_array()) {
        if (is_array && IsU8(d.element))
          return unexpected(fmt::format("{}: expected {} bytes of hex (\"0x…\"), got {}", path,
                                        d.length, Shown(value)));
        return unexpected(fmt::format("{}: expected an array for {}, got {}", path, DisplayName(id),
                                      Shown(value)));
      }
      if (is_array && value.size() != d.length) {
        return unexpected(
            fmt::format("{}: expected {} elements, got {}", path, d.length, value.size()));
      }
      if (!is_array) out.Compact(value.size());
      for (size_t i = 0; i < value.size(); ++i) {
        PathScope scope(path, fmt::format("[{}]", i));
        PHAT_TRY_VOID(EncodeAt(d.element, value[i], path, out, depth + 1));
      }
      return {};
    }
    case TypeDef::Kind::kTuple: {
      if (d.tuple.empty()) {
        if (!IsEmptyValue(value))
          return unexpected(fmt::format("{}: expected null for (), got {}", path, Shown(value)));
        return {};
      }
      if (!value.is_array() || value.size() != d.tuple.size()) {
        return unexpected(fmt::format("{}: expected an array of {} values for {}, got {}", path,
                                      d.tuple.size(), DisplayName(id), Shown(value)));
      }
      for (size_t i = 0; i < d.tuple.size(); ++i) {
        PathScope scope(path, fmt::format("[{}]", i));
        PHAT_TRY_VOID(EncodeAt(d.tuple[i], value[i], path, out, depth + 1));
      }
      return {};
    }
    case TypeDef::Kind::kComposite:
      return EncodeFields(d.fields, value, path, out, depth);
    case TypeDef::Kind::kVariant: {
      std::vector<std::string> names;
      for (const Variant& v : d.variants) names.push_back(v.name);
      auto find = [&](std::string_view name) -> const Variant* {
        for (const Variant& v : d.variants)
          if (v.name == name) return &v;
        return nullptr;
      };
      if (t.IsOption()) {
        const Variant* none = find("None");
        const Variant* some = find("Some");
        if (none && some) {
          if (value.is_null()) {
            out.U8(none->index);
            return {};
          }
          out.U8(some->index);
          return EncodeFields(some->fields, value, path, out, depth);
        }
      }
      const Variant* variant = nullptr;
      const json* fields = nullptr;
      static const json kNull;
      if (value.is_string()) {
        variant = find(value.get_ref<const std::string&>());
        fields = &kNull;
      } else if (value.is_object() && value.size() == 1) {
        variant = find(value.begin().key());
        fields = &value.begin().value();
      } else {
        return unexpected(
            fmt::format("{}: expected a variant of {} (\"Name\" or {{\"Name\": fields}}; one of "
                        "{}), got {}",
                        path, DisplayName(id), fmt::join(names, ", "), Shown(value)));
      }
      if (!variant) {
        std::string given = value.is_string() ? value.get<std::string>() : value.begin().key();
        return unexpected(fmt::format("{}: {} has no variant `{}` (one of {})", path,
                                      DisplayName(id), given, fmt::join(names, ", ")));
      }
      out.U8(variant->index);
      PathScope scope(path, "." + variant->name);
      return EncodeFields(variant->fields, *fields, path, out, depth);
    }
    case TypeDef::Kind::kBitSequence:
      return unexpected(fmt::format("{}: bit sequences are not supported", path));
  }
  return unexpected(fmt::format("{}: unknown type kind", path));
}

Expected<json, std::string> TypeRegistry::DecodeAll(uint32_t id, ByteView bytes) const {
  if (!Find(id)) return unexpected(fmt::format("no type with id {} in the metadata", id));
  codec::ScaleReader in(bytes);
  auto value = DecodeAt(id, in, 0);
  if (!value) return unexpected(fmt::format("decoding {}: {}", DisplayName(id), value.error()));
  if (!in.AtEnd()) {
    return unexpected(fmt::format("decoding {}: {} bytes left over after the value (at offset {})",
                                  DisplayName(id), in.remaining(), in.offset()));
  }
  return value;
}

Expected<json, std::string> TypeRegistry::Decode(uint32_t id, codec::ScaleReader& in) const {
  if (!Find(id)) return unexpected(fmt::format("no type with id {} in the metadata", id));
  return DecodeAt(id, in, 0);
}

Expected<json, std::string> TypeRegistry::DecodeFields(const std::vector<Field>& fields,
                                                       codec::ScaleReader& in, int depth) const {
  if (fields.empty()) return json();
  if (fields[0].name.empty()) {
    if (fields.size() == 1) return DecodeAt(fields[0].type, in, depth + 1);
    json arr = json::array();
    for (const Field& f : fields) arr.push_back(PHAT_TRY(DecodeAt(f.type, in, depth + 1)));
    return arr;
  }
  json obj = json::object();
  for (const Field& f : fields) obj[f.name] = PHAT_TRY(DecodeAt(f.type, in, depth + 1));
  return obj;
}

Expected<json, std::string> TypeRegistry::DecodeAt(uint32_t id, codec::ScaleReader& in,
                                                   int depth) const {
  if (depth > kMaxDepth)
    return unexpected(fmt::format("nested more than {} levels deep", kMaxDepth));
  const Type& t = types_.at(id);
  const TypeDef& d = t.def;
  switch (d.kind) {
    case TypeDef::Kind::kPrimitive: {
      if (std::optional<IntInfo> info = IntOf(d.primitive)) {
        uint128 bits = 0;
        switch (info->bits) {
          case 8:
            bits = PHAT_TRY(Str(in.U8()));
            break;
          case 16:
            bits = PHAT_TRY(Str(in.U16()));
            break;
          case 32:
            bits = PHAT_TRY(Str(in.U32()));
            break;
          case 64:
            bits = PHAT_TRY(Str(in.U64()));
            break;
          default:
            bits = PHAT_TRY(Str(in.U128()));
            break;
        }
        return IntegerJson(*info, bits);
      }
      switch (d.primitive) {
        case Primitive::kBool:
          return PHAT_TRY(Str(in.Bool()));
        case Primitive::kStr:
          return PHAT_TRY(Str(in.String()));
        case Primitive::kChar: {
          size_t at = in.offset();
          uint32_t cp = PHAT_TRY(Str(in.U32()));
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return unexpected(fmt::format("invalid char {:#x} at offset {}", cp, at));
          return EncodeUtf8(cp);
        }
        default:
          return unexpected(fmt::format("{} is not supported", PrimitiveName(d.primitive)));
      }
    }
    case TypeDef::Kind::kCompact: {
      const Type* inner = Find(d.element);
      while (inner && inner->def.kind == TypeDef::Kind::kComposite && inner->def.fields.size() == 1)
        inner = Find(inner->def.fields[0].type);
      std::optional<IntInfo> info;
      if (inner && inner->def.kind == TypeDef::Kind::kPrimitive) info = IntOf(inner->def.primitive);
      if (!info || info->is_signed)
        return unexpected(fmt::format("Compact<{}> is not supported", DisplayName(d.element)));
      uint128 max = info->bits == 128 ? ~uint128{0} : (uint128{1} << info->bits) - 1;
      uint128 v = PHAT_TRY(Str(in.CompactAtMost(max, PrimitiveName(inner->def.primitive))));
      return IntegerJson(*info, v);
    }
    case TypeDef::Kind::kSequence:
    case TypeDef::Kind::kArray: {
      uint32_t n = d.length;
      if (d.kind == TypeDef::Kind::kSequence) n = PHAT_TRY(Str(in.Length("Vec")));
      if (IsU8(d.element)) {
        ByteView bytes = PHAT_TRY(Str(in.Raw(n)));
        return "0x" + ToHex(bytes);
      }
      json arr = json::array();
      for (uint32_t i = 0; i < n; ++i) arr.push_back(PHAT_TRY(DecodeAt(d.element, in, depth + 1)));
      return arr;
    }
    case TypeDef::Kind::kTuple: {
      if (d.tuple.empty()) return json();
      json arr = json::array();
      for (uint32_t e : d.tuple) arr.push_back(PHAT_TRY(DecodeAt(e, in, depth + 1)));
      return arr;
    }
    case TypeDef::Kind::kComposite:
      return DecodeFields(d.fields, in, depth);
    case TypeDef::Kind::kVariant: {
      size_t at = in.offset();
      uint8_t tag = PHAT_TRY(Str(in.U8()));
      const Variant* variant = nullptr;
      for (const Variant& v : d.variants)
        if (v.index == tag) variant = &v;
      if (!variant) {
        std::vector<std::string> known;
        for (const Variant& v : d.variants) known.push_back(fmt::format("{} {}", v.index, v.name));
        return unexpected(fmt::format("invalid variant index {} for {} at offset {} (known: {})",
                                      tag, DisplayName(id), at, fmt::join(known, ", ")));
      }
      if (t.IsOption()) {
        if (variant->name == "None") return json();
        if (variant->name == "Some") return DecodeFields(variant->fields, in, depth);
      }
      if (variant->fields.empty()) return variant->name;
      json obj = json::object();
      obj[variant->name] = PHAT_TRY(DecodeFields(variant->fields, in, depth));
      return obj;
    }
    case TypeDef::Kind::kBitSequence:
      return unexpected(std::string("bit sequences are not supported"));
  }
  return unexpected(std::string("unknown type kind"));
}

}  // namespace phat::metadata
