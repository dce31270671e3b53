// Reading ink! 4/5 metadata and .contract bundles; encoding calls, decoding outputs and events.
#include "phat/metadata/contract_metadata.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join, which fmt 11 moved here

namespace phat::metadata {
namespace {

using nlohmann::json;

std::vector<std::string> Strings(const json& obj, std::string_view key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return out;
  for (const json& s : *it)
    if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

// A string member, "" if absent or not a string (json::value would throw on the wrong type).
std::string StringOr(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A member, null if absent.
json Member(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? json() : *it;
}

bool BoolOr(const json& obj, std::string_view key, bool fallback) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// `{"type": id, "displayName": [...]}`, as args and return types write a type.
Expected<uint32_t, std::string> TypeSpecId(const json& spec, const std::string& where,
                                           const TypeRegistry& types) {
  auto it = spec.is_object() ? spec.find("type") : spec.end();
  bool is_id = it != spec.end() && it->is_number_integer() && it->get<int64_t>() >= 0 &&
               it->get<int64_t>() <= INT64_C(0xFFFFFFFF);
  if (!is_id) return unexpected(fmt::format("{}: expected {{\"type\": <type id>}}", where));
  uint32_t id = it->get<uint32_t>();
  if (!types.Find(id)) return unexpected(fmt::format("{}: type {} is not defined", where, id));
  return id;
}

template <size_t N>
Expected<std::array<uint8_t, N>, std::string> FixedHex(const json& j, const std::string& where) {
  std::optional<std::array<uint8_t, N>> out;
  if (j.is_string()) out = FixedFromHex<N>(j.get<std::string>());
  if (!out)
    return unexpected(fmt::format("{}: expected {} bytes of hex, got {}", where, N, j.dump()));
  return *out;
}

Expected<std::vector<Message>, std::string> ParseMessages(const json& spec, std::string_view key,
                                                          const TypeRegistry& types) {
  bool ctor = key == "constructors";
  std::vector<Message> out;
  auto list = spec.find(key);
  if (list == spec.end() || !list->is_array())
    return unexpected(fmt::format("metadata spec.{} is missing or not an array", key));
  for (size_t i = 0; i < list->size(); ++i) {
    const json& m = (*list)[i];
    std::string where = fmt::format("spec.{}[{}]", key, i);
    if (!m.is_object() || !m.contains("label") || !m["label"].is_string())
      return unexpected(fmt::format("{}: no label", where));
    Message msg;
    msg.label = m["label"].get<std::string>();
    where += fmt::format(" ({})", msg.label);
    msg.selector = PHAT_TRY(FixedHex<4>(Member(m, "selector"), where + ".selector"));
    if (auto args = m.find("args"); args != m.end() && args->is_array()) {
      for (size_t a = 0; a < args->size(); ++a) {
        const json& arg = (*args)[a];
        std::string arg_where = fmt::format("{}.args[{}]", where, a);
        if (!arg.is_object()) return unexpected(fmt::format("{}: not an object", arg_where));
        Arg parsed;
        parsed.label = StringOr(arg, "label");
        json ty = Member(arg, "type");
        parsed.type = PHAT_TRY(TypeSpecId(ty, arg_where, types));
        parsed.display_name = Strings(ty, "displayName");
        msg.args.push_back(std::move(parsed));
      }
    }
    if (auto ret = m.find("returnType"); ret != m.end() && !ret->is_null())
      msg.return_type = PHAT_TRY(TypeSpecId(*ret, where + ".returnType", types));
    msg.payable = BoolOr(m, "payable", false);
    msg.mutates = !ctor && BoolOr(m, "mutates", false);
    msg.is_default = BoolOr(m, "default", false);
    msg.is_constructor = ctor;
    msg.docs = Strings(m, "docs");
    out.push_back(std::move(msg));
  }
  return out;
}

Expected<std::vector<Event>, std::string> ParseEvents(const json& spec, const TypeRegistry& types) {
  std::vector<Event> out;
  auto list = spec.find("events");
  if (list == spec.end() || list->is_null()) return out;
  if (!list->is_array()) return unexpected(std::string("metadata spec.events is not an array"));
  for (size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    if (!e.is_object()) return unexpected(fmt::format("spec.events[{}]: not an object", i));
    Event ev;
    ev.label = StringOr(e, "label");
    std::string where = fmt::format("spec.events[{}] ({})", i, ev.label);
    if (auto args = e.find("args"); args != e.end() && args->is_array()) {
      for (size_t a = 0; a < args->size(); ++a) {
        const json& arg = (*args)[a];
        if (!arg.is_object())
          return unexpected(fmt::format("{}.args[{}]: not an object", where, a));
        EventArg parsed;
        parsed.label = StringOr(arg, "label");
        parsed.type =
            PHAT_TRY(TypeSpecId(Member(arg, "type"), fmt::format("{}.args[{}]", where, a), types));
        parsed.indexed = BoolOr(arg, "indexed", false);
        ev.args.push_back(std::move(parsed));
      }
    }
    if (auto sig = e.find("signature_topic"); sig != e.end() && !sig->is_null())
      ev.signature_topic = PHAT_TRY(FixedHex<32>(*sig, where + ".signature_topic"));
    ev.module_path = StringOr(e, "module_path");
    ev.docs = Strings(e, "docs");
    out.push_back(std::move(ev));
  }
  return out;
}

const Message* FindByLabel(const std::vector<Message>& list, std::string_view label) {
  auto it = std::ranges::find(list, label, &Message::label);
  return it == list.end() ? nullptr : &*it;
}

}  // namespace

Expected<ContractMetadata, std::string> ContractMetadata::Parse(const json& j) {
  if (!j.is_object()) return unexpected(std::string("metadata is not a JSON object"));
  for (const char* legacy : {"V3", "V2", "V1", "V0"}) {
    if (j.contains(legacy)) {
      return unexpected(fmt::format(
          "ink! 3 metadata is not supported (found \"{}\"): rebuild the contract with ink! 4 or 5 "
          "(cargo-contract 3 or later)",
          legacy));
    }
  }
  if (j.contains("metadataVersion")) {
    return unexpected(std::string(
        "ink! 3 metadata is not supported (found \"metadataVersion\"): rebuild the contract "
        "with ink! 4 or 5"));
  }
  ContractMetadata md;
  auto version = j.find("version");
  if (version == j.end()) {
    return unexpected(
        std::string("metadata has no \"version\": expected ink! 4 (\"4\") or ink! 5 (5) metadata"));
  }
  if (*version == 5 || *version == "5") {
    md.version_ = 5;
  } else if (*version == 4 || *version == "4") {
    md.version_ = 4;
  } else {
    return unexpected(
        fmt::format("metadata version {} is not supported: expected ink! 4 (\"4\") or ink! 5 (5)",
                    version->dump()));
  }
  if (auto contract = j.find("contract"); contract != j.end() && contract->is_object())
    md.name_ = StringOr(*contract, "name");
  if (auto source = j.find("source"); source != j.end() && source->is_object()) {
    if (auto wasm = source->find("wasm"); wasm != source->end() && wasm->is_string()) {
      std::optional<Bytes> code = FromHex(wasm->get<std::string>());
      if (!code) return unexpected(std::string("metadata source.wasm is not hex"));
      md.wasm_ = std::move(code);
    }
  }
  if (!j.contains("types")) return unexpected(std::string("metadata has no \"types\""));
  md.types_ = PHAT_TRY(TypeRegistry::Parse(j["types"]));
  auto spec = j.find("spec");
  if (spec == j.end() || !spec->is_object())
    return unexpected(std::string("metadata has no \"spec\" object"));
  md.constructors_ = PHAT_TRY(ParseMessages(*spec, "constructors", md.types_));
  md.messages_ = PHAT_TRY(ParseMessages(*spec, "messages", md.types_));
  md.events_ = PHAT_TRY(ParseEvents(*spec, md.types_));
  return md;
}

Expected<ContractMetadata, std::string> ContractMetadata::FromFile(
    const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return unexpected(fmt::format("cannot open {}", path.string()));
  std::stringstream text;
  text << file.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return unexpected(fmt::format("{} is not valid JSON", path.string()));
  auto md = Parse(j);
  if (!md) return unexpected(fmt::format("{}: {}", path.string(), md.error()));
  return md;
}

const Message* ContractMetadata::FindMessage(std::string_view label) const {
  return FindByLabel(messages_, label);
}

const Message* ContractMetadata::FindConstructor(std::string_view label) const {
  return FindByLabel(constructors_, label);
}

namespace {

Expected<const Message*, std::string> Require(const std::vector<Message>& list,
                                              std::string_view label, std::string_view kind,
                                              std::string_view contract) {
  if (const Message* m = FindByLabel(list, label)) return m;
  std::vector<std::string_view> labels;
  for (const Message& m : list) labels.push_back(m.label);
  return unexpected(fmt::format(
      "no {} `{}` in contract {} (its {}s: {})", kind, label, contract.empty() ? "?" : contract,
      kind, labels.empty() ? "none" : fmt::format("{}", fmt::join(labels, ", "))));
}

}  // namespace

Expected<const Message*, std::string> ContractMetadata::RequireMessage(
    std::string_view label) const {
  return Require(messages_, label, "message", name_);
}

Expected<const Message*, std::string> ContractMetadata::RequireConstructor(
    std::string_view label) const {
  return Require(constructors_, label, "constructor", name_);
}

Expected<Bytes, std::string> ContractMetadata::EncodeCall(const Message& message,
                                                          const json& args) const {
  const char* kind = message.is_constructor ? "constructor" : "message";
  // The type as the contract's source spells it (Balance), else as the registry names it (u128).
  auto type_name = [&](const Arg& a) {
    return a.display_name.empty() ? types_.DisplayName(a.type)
                                  : fmt::format("{}", fmt::join(a.display_name, "::"));
  };
  auto signature = [&] {
    std::vector<std::string> parts;
    for (const Arg& a : message.args) parts.push_back(fmt::format("{}: {}", a.label, type_name(a)));
    return fmt::format("{}({})", message.label, fmt::join(parts, ", "));
  };
  // The arguments in declaration order, from an array or an object keyed by label.
  std::vector<const json*> values;
  if (args.is_null() && message.args.empty()) {
    // no arguments
  } else if (args.is_array()) {
    if (args.size() != message.args.size()) {
      return unexpected(fmt::format("{} {} takes {} argument{}, got {}", kind, signature(),
                                    message.args.size(), message.args.size() == 1 ? "" : "s",
                                    args.size()));
    }
    for (const json& a : args) values.push_back(&a);
  } else if (args.is_object()) {
    for (const auto& [key, _] : args.items()) {
      if (std::ranges::find(message.args, key, &Arg::label) == message.args.end())
        return unexpected(fmt::format("{} {} has no argument `{}`", kind, signature(), key));
    }
    for (const Arg& a : message.args) {
      auto it = args.find(a.label);
      if (it == args.end())
        return unexpected(
            fmt::format("{} {}: argument `{}` is missing", kind, signature(), a.label));
      values.push_back(&*it);
    }
  } else {
    return unexpected(fmt::format("{} {}: arguments must be a JSON array (or an object by name)",
                                  kind, signature()));
  }
  codec::ScaleWriter out(Bytes(message.selector.begin(), message.selector.end()));
  for (size_t i = 0; i < message.args.size(); ++i) {
    const Arg& a = message.args[i];
    auto done = types_.Encode(a.type, *values[i], fmt::format("args[{}]", i), out);
    if (!done) {
      return unexpected(fmt::format("{} (argument `{}: {}` of {} {})", done.error(), a.label,
                                    type_name(a), kind, message.label));
    }
  }
  return out.Take();
}

Expected<json, std::string> ContractMetadata::DecodeValue(uint32_t type_id, ByteView bytes) const {
  return types_.DecodeAll(type_id, bytes);
}

// ink! declares an infallible constructor's return type as ConstructorResult<()>, yet its deploy
// returns ConstructorResult<Result<(), _>>: Ok(Ok(())) = `00 00` (ABI.md §3; the golden traces
// show it). So `00 00` against Result<(), LangError> is that Ok.
bool ContractMetadata::IsInfallibleConstructorOk(uint32_t return_type, ByteView output) const {
  if (output.size() != 2 || output[0] != 0 || output[1] != 0) return false;
  const Type* t = types_.Find(return_type);
  if (!t || t->def.kind != TypeDef::Kind::kVariant) return false;
  for (const Variant& v : t->def.variants) {
    if (v.index != 0) continue;
    if (v.fields.size() != 1) return false;
    const Type* ok = types_.Find(v.fields[0].type);
    return ok && ok->def.kind == TypeDef::Kind::kTuple && ok->def.tuple.empty();
  }
  return false;
}

Expected<json, std::string> ContractMetadata::DecodeReturn(const Message& message,
                                                           ByteView output) const {
  if (!message.return_type) {
    if (!output.empty()) {
      return unexpected(fmt::format("{} declares no return type but returned {} bytes",
                                    message.label, output.size()));
    }
    return json();
  }
  auto value = types_.DecodeAll(*message.return_type, output);
  if (!value && message.is_constructor && IsInfallibleConstructorOk(*message.return_type, output))
    return json{{"Ok", nullptr}};
  if (!value) return unexpected(fmt::format("output of {}: {}", message.label, value.error()));
  return value;
}

Expected<json, std::string> ContractMetadata::DecodeEvent(std::span<const Topic> topics,
                                                          ByteView data) const {
  const Event* event = nullptr;
  ByteView fields = data;
  if (version_ >= 5) {
    if (!topics.empty()) {
      for (const Event& e : events_)
        if (e.signature_topic && *e.signature_topic == topics[0]) event = &e;
    }
    if (!event) {
      // Anonymous events have no signature topic: if there is exactly one, it must be that.
      const Event* anonymous = nullptr;
      int count = 0;
      for (const Event& e : events_) {
        if (!e.signature_topic) {
          anonymous = &e;
          ++count;
        }
      }
      if (count == 1) event = anonymous;
    }
    if (!event) {
      return unexpected(
          fmt::format("no event in the metadata has signature topic {}",
                      topics.empty() ? std::string("(no topics)") : "0x" + ToHex(topics[0])));
    }
  } else {
    // ink! 4: the data is the contract's event enum, led by the event's index.
    if (data.empty()) return unexpected(std::string("event data is empty (expected an index)"));
    if (data[0] >= events_.size()) {
      return unexpected(fmt::format("event index {} is out of range: the contract has {} events",
                                    data[0], events_.size()));
    }
    event = &events_[data[0]];
    fields = data.subspan(1);
  }
  codec::ScaleReader in(fields);
  json args = json::object();
  for (const EventArg& a : event->args) {
    auto value = types_.Decode(a.type, in);
    if (!value) {
      return unexpected(
          fmt::format("event {}: argument `{}`: {}", event->label, a.label, value.error()));
    }
    args[a.label] = *std::move(value);
  }
  if (!in.AtEnd()) {
    return unexpected(fmt::format("event {}: {} bytes left over after its arguments", event->label,
                                  in.remaining()));
  }
  return json{{"name", event->label}, {"args", std::move(args)}};
}

}  // namespace phat::metadata
