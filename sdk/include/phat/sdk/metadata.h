// ink! v5 metadata for a C++ contract (ABI.md §8), the way ink! makes it: the contract's source is
// compiled a second time, natively and with PHAT_SDK_METADATA, into a program that walks the same
// declarations the wasm build dispatches on (PHAT_CONTRACT, PHAT_FIELDS, PHAT_EVENT, PHAT_ENUM)
// and prints JSON: source, contract, spec (constructors, messages, events, environment,
// lang_error), storage layout, and the scale-info type registry. It also writes the .contract
// bundle (the metadata plus the Wasm as "0x…" in source.wasm).
//
// Native only (uses the standard library and nlohmann/json). Not thread-safe; one run per
// program.
#pragma once

#ifndef PHAT_SDK_METADATA
#error "metadata.h is for the native metadata build (-DPHAT_SDK_METADATA)"
#endif

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "phat/sdk/contract.h"
#include "phat/sdk/eth/address.h"

namespace phat::sdk::metadata {

using Json = nlohmann::json;

inline constexpr const char* kSdkVersion = "0.1.0";

// Types that exist only to be described.
struct LangError {
  friend bool operator==(LangError, LangError) { return true; }
};
struct NoChainExtension {};
template <class L, class R>
struct ResolverKey {};

inline std::string Hex(const u8* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}
inline std::string KeyHex(u32 key) {
  u8 le[4] = {static_cast<u8>(key), static_cast<u8>(key >> 8), static_cast<u8>(key >> 16),
              static_cast<u8>(key >> 24)};
  return Hex(le, 4);
}

template <class T>
std::string RustName() {
  ConstString<512> name = TypeNameOf<T, 512>();
  return std::string(name.data, name.size);
}

// ink!'s displayName: the type's path without generic arguments ("Option", "Balance").
template <class T>
Json DisplayName() {
  std::string name = RustName<T>();
  if (name.empty() || name[0] == '(' || name[0] == '[') return Json::array();
  return Json::array({name.substr(0, name.find('<'))});
}

inline Json DocLines(const char* text) {
  Json lines = Json::array();
  if (text == nullptr || *text == 0) return lines;
  std::string s(text);
  size_t start = 0;
  for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(s.substr(start, nl - start));
  }
  lines.push_back(s.substr(start));
  return lines;
}

// The scale-info portable registry: each distinct C++ type once, by id in order of first use.
class Registry {
 public:
  explicit Registry(std::string crate) : crate_(std::move(crate)) {}

  template <class T>
  int Id();

  Json Path(const char* name) const { return Json::array({crate_, crate_, name}); }
  Json Types() const { return Json(types_); }

 private:
  template <class T>
  static const void* Key() {
    static const char key = 0;
    return &key;
  }
  std::string crate_;
  std::map<const void*, int> ids_;
  std::vector<Json> types_;
};

inline Json Def(const char* kind, Json body) {
  return Json{{"def", {{kind, std::move(body)}}}};
}
inline Json Param(const char* name, int type) {
  return Json{{"name", name}, {"type", type}};
}
inline Json Variants(Json variants) {
  return variants.empty() ? Json::object() : Json{{"variants", std::move(variants)}};
}

// Describer<T>::Describe(registry) → the registry entry's "type" object.
template <class T>
struct Describer {
  static Json Describe(Registry& r) {
    if constexpr (kIsSame<T, bool>) {
      return Def("primitive", "bool");
    } else if constexpr (kIsInteger<T>) {
      return Def("primitive", (__is_signed(T) ? "i" : "u") + std::to_string(sizeof(T) * 8));
    } else if constexpr (kIsSame<T, Unit>) {
      return Def("tuple", Json::array());
    } else if constexpr (kIsSame<T, String>) {
      return Def("primitive", "str");
    } else if constexpr (kIsSame<T, AccountId> || kIsSame<T, Hash>) {
      Json field = {{"type", r.Id<Array<u8, 32>>()}, {"typeName", "[u8; 32]"}};
      Json out = Def("composite", {{"fields", Json::array({field})}});
      out["path"] = {"ink_primitives", "types", kIsSame<T, AccountId> ? "AccountId" : "Hash"};
      return out;
    } else if constexpr (kIsSame<T, eth::Address>) {
      // As Rust's primitive_types::H160, a newtype: tools write and show it as its 20 bytes.
      Json field = {{"type", r.Id<Array<u8, 20>>()}, {"typeName", "[u8; 20]"}};
      Json out = Def("composite", {{"fields", Json::array({field})}});
      out["path"] = {"primitive_types", "H160"};
      return out;
    } else if constexpr (kIsSame<T, LangError>) {
      Json out =
          Def("variant", Variants(Json::array({{{"index", 1}, {"name", "CouldNotReadInput"}}})));
      out["path"] = {"ink_primitives", "LangError"};
      return out;
    } else if constexpr (kIsSame<T, NoChainExtension>) {
      Json out = Def("variant", Json::object());
      out["path"] = {"ink_env", "types", "NoChainExtension"};
      return out;
    } else if constexpr (kIsSame<T, AutoKey>) {
      Json out = Def("composite", Json::object());
      out["path"] = {"ink_storage_traits", "impls", "AutoKey"};
      return out;
    } else if constexpr (FieldStruct<T>) {
      Json fields = Json::array();
      T value{};
      T::PhatVisitFields(value, [&](const char* name, auto& field, auto) {
        using F = Decay<decltype(field)>;
        fields.push_back({{"name", name}, {"type", r.Id<F>()}, {"typeName", RustName<F>()}});
      });
      Json out = Def("composite", fields.empty() ? Json::object() : Json{{"fields", fields}});
      out["path"] = r.Path(T::kPhatName);
      return out;
    } else if constexpr (PhatEnum<T>) {
      EnumInfo info = PhatEnumInfo(T{});
      Json variants = Json::array();
      for (u32 i = 0; i < info.VariantCount(); ++i) {
        const char* name;
        size_t length;
        info.Variant(i, &name, &length);
        variants.push_back({{"index", i}, {"name", std::string(name, length)}});
      }
      Json out = Def("variant", Variants(variants));
      out["path"] = r.Path(info.name);
      return out;
    } else {
      static_assert(sizeof(T) == 0, "no metadata for this type");
    }
  }
};

template <class T, size_t kN>
struct Describer<Array<T, kN>> {
  static Json Describe(Registry& r) { return Def("array", {{"len", kN}, {"type", r.Id<T>()}}); }
};
template <class T>
struct Describer<Vec<T>> {
  static Json Describe(Registry& r) { return Def("sequence", {{"type", r.Id<T>()}}); }
};
template <class... Ts>
struct Describer<Tuple<Ts...>> {
  static Json Describe(Registry& r) { return Def("tuple", Json::array({r.Id<Ts>()...})); }
};
template <class T>
struct Describer<Compact<T>> {
  static Json Describe(Registry& r) { return Def("compact", {{"type", r.Id<T>()}}); }
};
template <class T>
struct Describer<Option<T>> {
  static Json Describe(Registry& r) {
    int t = r.Id<T>();
    Json out =
        Def("variant",
            Variants(Json::array({{{"index", 0}, {"name", "None"}},
                                  {{"fields", {{{"type", t}}}}, {"index", 1}, {"name", "Some"}}})));
    out["params"] = Json::array({Param("T", t)});
    out["path"] = {"Option"};
    return out;
  }
};
template <class T, class E>
struct Describer<Result<T, E>> {
  static Json Describe(Registry& r) {
    int t = r.Id<typename Result<T, E>::ValueType>();
    int e = r.Id<E>();
    Json out =
        Def("variant",
            Variants(Json::array({{{"fields", {{{"type", t}}}}, {"index", 0}, {"name", "Ok"}},
                                  {{"fields", {{{"type", e}}}}, {"index", 1}, {"name", "Err"}}})));
    out["params"] = Json::array({Param("T", t), Param("E", e)});
    out["path"] = {"Result"};
    return out;
  }
};
template <u32 kKey>
struct Describer<ManualKey<kKey>> {
  static Json Describe(Registry& r) {
    Json out = Def("composite", Json::object());
    out["params"] = Json::array({Param("ParentKey", r.Id<Unit>())});
    out["path"] = {"ink_storage_traits", "impls", "ManualKey"};
    return out;
  }
};
template <class L, class R>
struct Describer<ResolverKey<L, R>> {
  static Json Describe(Registry& r) {
    Json out = Def("composite", Json::object());
    out["params"] = Json::array({Param("L", r.Id<L>()), Param("R", r.Id<R>())});
    out["path"] = {"ink_storage_traits", "impls", "ResolverKey"};
    return out;
  }
};
// ink! describes an auto-keyed field's key type as ResolverKey<AutoKey, ManualKey<key>>.
template <class KeyType>
using StorageKeyType = Conditional<KeyType::kManual, KeyType, ResolverKey<AutoKey, ManualKey<0>>>;
template <class K, class V, class KeyType>
struct Describer<Mapping<K, V, KeyType>> {
  static Json Describe(Registry& r) {
    Json out = Def("composite", Json::object());
    out["params"] = Json::array({Param("K", r.Id<K>()), Param("V", r.Id<V>()),
                                 Param("KeyType", r.Id<StorageKeyType<KeyType>>())});
    out["path"] = {"ink_storage", "lazy", "mapping", "Mapping"};
    return out;
  }
};
template <class V, class KeyType>
struct Describer<Lazy<V, KeyType>> {
  static Json Describe(Registry& r) {
    Json out = Def("composite", Json::object());
    out["params"] =
        Json::array({Param("V", r.Id<V>()), Param("KeyType", r.Id<StorageKeyType<KeyType>>())});
    out["path"] = {"ink_storage", "lazy", "Lazy"};
    return out;
  }
};

template <class T>
int Registry::Id() {
  if constexpr (kIsSame<T, void>) {
    return Id<Unit>();
  } else if constexpr (kIsTopic<T>) {
    return Id<decltype(T{}.value)>();  // a topic is its value, marked
  } else {
    const void* key = Key<T>();
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    int id = static_cast<int>(types_.size());
    ids_[key] = id;
    types_.emplace_back();  // reserved: ids follow first use, parents before children
    Json type = Describer<T>::Describe(*this);
    types_[id] = Json{{"id", id}, {"type", std::move(type)}};
    return id;
  }
}

template <class T>
Json TypeSpec(Registry& r, Json display) {
  return Json{{"displayName", std::move(display)}, {"type", r.Id<T>()}};
}

template <class Item>
Json ArgsOf(Registry& r, const Item& item) {
  using Fn = typename Item::Fn;
  Json args = Json::array();
  [&]<size_t... kIs>(IndexSequence<kIs...>) {
    ((args.push_back({{"label", item.arg_names[kIs]},
                      {"type", TypeSpec<typename Fn::template Arg<kIs>>(
                                   r, DisplayName<typename Fn::template Arg<kIs>>())}})),
     ...);
  }(MakeIndexSequence<Fn::kArity>{});
  return args;
}

template <class F, class AutoKeyTag>
Json FieldLayout(Registry& r, const std::string& parent_key, AutoKeyTag);

// The storage layout of a value stored inside a struct at `key`. Enums and Options are shown as
// leaves (ink! shows them as "enum" layouts); the bytes are the same.
template <class T>
Json LayoutOf(Registry& r, const std::string& key) {
  if constexpr (FieldStruct<T>) {
    Json fields = Json::array();
    T value{};
    T::PhatVisitFields(value, [&](const char* name, auto& field, auto auto_key) {
      fields.push_back(
          {{"layout", FieldLayout<Decay<decltype(field)>>(r, key, auto_key)}, {"name", name}});
    });
    return Json{{"struct", {{"fields", fields}, {"name", T::kPhatName}}}};
  } else {
    return Json{{"leaf", {{"key", key}, {"ty", r.Id<T>()}}}};
  }
}
template <class F, class AutoKeyTag>
Json FieldLayout(Registry& r, const std::string& parent_key, AutoKeyTag) {
  if constexpr (LazyField<F>) {
    using KeyType = typename F::KeyTypeT;
    std::string key = KeyHex(KeyType::kManual ? KeyType::kValue : AutoKeyTag::kValue);
    return Json{
        {"root",
         {{"layout", LayoutOf<typename F::ValueT>(r, key)}, {"root_key", key}, {"ty", r.Id<F>()}}}};
  } else {
    return LayoutOf<F>(r, parent_key);
  }
}

struct Package {
  std::string name;
  std::string version = "0.1.0";
  std::vector<std::string> authors;
  std::string wasm_hash;  // "0x…", of the built Wasm
};

template <const auto& kSpec>
Json Generate(const Package& package) {
  using Spec = Decay<decltype(kSpec)>;
  using C = typename Spec::Contract;
  Registry r(package.name);
  Json constructors = Json::array(), messages = Json::array(), events = Json::array();

  [&]<size_t... kIs>(IndexSequence<kIs...>) {
    auto add = [&]<size_t kI>() {
      using Item = typename Spec::template Item<kI>;
      const Item& item = kSpec.template Get<kI>();
      if constexpr (Item::kKind == ItemKind::kEvent) {
        using E = typename Item::Type;
        Json args = Json::array();
        E value{};
        E::PhatVisitFields(value, [&](const char* name, auto& field, auto) {
          using F = Decay<decltype(field)>;
          args.push_back({{"docs", Json::array()},
                          {"indexed", kIsTopic<F>},
                          {"label", name},
                          {"type", TypeSpec<F>(r, DisplayName<F>())}});
        });
        Json topic = nullptr;
        if constexpr (!E::kPhatAnonymous) {
          constexpr Array<u8, 32> kTopic = EventSignatureTopic<E>();
          topic = Hex(kTopic.data(), 32);
        }
        events.push_back({{"args", args},
                          {"docs", Json::array()},
                          {"label", E::kPhatName},
                          {"module_path", package.name + "::" + package.name},
                          {"signature_topic", topic}});
      } else {
        using Fn = typename Item::Fn;
        Json entry = {{"args", ArgsOf(r, item)},     {"default", item.is_default},
                      {"docs", DocLines(item.docs)}, {"label", item.label},
                      {"payable", item.payable},     {"selector", Hex(item.selector.bytes, 4)}};
        using R = typename Fn::Return;
        if constexpr (Item::kKind == ItemKind::kConstructor) {
          entry["returnType"] = TypeSpec<Result<R, LangError>>(
              r, Json::array({"ink_primitives", "ConstructorResult"}));
          constructors.push_back(entry);
        } else {
          entry["mutates"] = Item::kMutates;
          entry["returnType"] =
              TypeSpec<Result<Decay<R>, LangError>>(r, Json::array({"ink", "MessageResult"}));
          messages.push_back(entry);
        }
      }
    };
    (add.template operator()<kIs>(), ...);
  }(MakeIndexSequence<Spec::kItems>{});

  Json spec = {
      {"constructors", constructors},
      {"docs", Json::array()},
      {"environment",
       {{"accountId", TypeSpec<AccountId>(r, {"AccountId"})},
        {"balance", TypeSpec<sdk::Balance>(r, {"Balance"})},
        {"blockNumber", TypeSpec<sdk::BlockNumber>(r, {"BlockNumber"})},
        {"chainExtension", TypeSpec<NoChainExtension>(r, {"ChainExtension"})},
        {"hash", TypeSpec<Hash>(r, {"Hash"})},
        {"maxEventTopics", kMaxEventTopics},
        {"staticBufferSize", kStaticBufferSize},
        {"timestamp", TypeSpec<Timestamp>(r, {"Timestamp"})}}},
      {"events", events},
      {"lang_error", TypeSpec<LangError>(r, {"ink", "LangError"})},
      {"messages", messages},
  };
  const std::string root_key = KeyHex(0);
  Json storage = {
      {"root", {{"layout", LayoutOf<C>(r, root_key)}, {"root_key", root_key}, {"ty", r.Id<C>()}}}};

#if defined(__clang__)
  std::string compiler = "clang " __clang_version__;
#else
  std::string compiler = "gcc " __VERSION__;
#endif
  Json source = {{"hash", package.wasm_hash},
                 {"language", std::string("C++ (phat SDK ") + kSdkVersion + ")"},
                 {"compiler", compiler},
                 {"build_info",
                  {{"build_mode", "Release"},
                   {"phat_sdk_version", kSdkVersion},
                   {"target", "wasm32, clang -O2 -mcpu=mvp -msign-ext"}}}};
  return Json{
      {"source", source},
      {"contract",
       {{"name", package.name}, {"version", package.version}, {"authors", package.authors}}},
      {"spec", spec},
      {"storage", storage},
      {"types", r.Types()},
      {"version", 5}};
}

inline bool ReadFile(const std::string& path, std::vector<u8>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}
inline bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

// <program> --name NAME [--version V] [--author A]... --wasm FILE [--json OUT] [--contract OUT]
// Without --json the metadata goes to standard output.
template <const auto& kSpec>
int Main(int argc, char** argv) {
  Package package;
  std::string wasm_path, json_path, contract_path;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a value\n", argv[0], flag.c_str());
      return 2;
    }
    std::string value = argv[++i];
    if (flag == "--name") {
      package.name = value;
    } else if (flag == "--version") {
      package.version = value;
    } else if (flag == "--author") {
      package.authors.push_back(value);
    } else if (flag == "--wasm") {
      wasm_path = value;
    } else if (flag == "--json") {
      json_path = value;
    } else if (flag == "--contract") {
      contract_path = value;
    } else {
      std::fprintf(stderr, "%s: unknown flag %s\n", argv[0], flag.c_str());
      return 2;
    }
  }
  if (package.name.empty() || wasm_path.empty()) {
    std::fprintf(stderr,
                 "usage: %s --name NAME [--version V] [--author A]... --wasm FILE [--json OUT] "
                 "[--contract OUT]\n",
                 argv[0]);
    return 2;
  }
  std::vector<u8> wasm;
  if (!ReadFile(wasm_path, wasm)) {
    std::fprintf(stderr, "%s: cannot read %s\n", argv[0], wasm_path.c_str());
    return 1;
  }
  Array<u8, 32> hash = Blake2b256(wasm.data(), wasm.size());
  package.wasm_hash = Hex(hash.data(), 32);

  Json metadata = Generate<kSpec>(package);
  std::string text = metadata.dump(2) + "\n";
  if (json_path.empty()) {
    std::fputs(text.c_str(), stdout);
  } else if (!WriteFile(json_path, text)) {
    std::fprintf(stderr, "%s: cannot write %s\n", argv[0], json_path.c_str());
    return 1;
  }
  if (!contract_path.empty()) {
    metadata["source"]["wasm"] = Hex(wasm.data(), wasm.size());
    if (!WriteFile(contract_path, metadata.dump(2) + "\n")) {
      std::fprintf(stderr, "%s: cannot write %s\n", argv[0], contract_path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace phat::sdk::metadata
