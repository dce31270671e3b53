// The freestanding parts of the C++ contract SDK, compiled natively: the compile-time hashes
// (selectors, storage keys, event signature topics) against ink!'s known values, SCALE
// encodings (ABI.md §7), Rust type names, storage keys, and the metadata a small contract gets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "phat/sdk.h"

namespace {

using namespace phat::sdk;

std::string Hex(const u8* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}
template <size_t kN>
std::string Hex(const Array<u8, kN>& a) {
  return Hex(a.data(), kN);
}

template <class... Ts>
std::string EncodeHex(const Ts&... values) {
  Bytes bytes = EncodeToBytes(values...);
  return Hex(bytes.data(), bytes.size());
}

std::vector<u8> Unhex(const std::string& text) {
  std::vector<u8> out;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<u8>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

template <class T>
bool DecodeHex(const std::string& text, T& out) {
  std::vector<u8> bytes = Unhex(text);
  return DecodeAll(bytes.data(), bytes.size(), out);
}

// ---- hashes: computed by the compiler, as the wasm build needs them ----
static_assert(Selector::FromLabel("flip").ToU32() == 0x633aa551);
static_assert(Selector::FromLabel("new").ToU32() == 0x9bae9d5e);
static_assert(Selector::FromLabel("get").ToU32() == 0x2f865bd9);
static_assert(Xxh32("Erc20::balances") == 0x2623dce7);

TEST(SdkHash, SelectorsAreInkSelectors) {
  EXPECT_EQ(SelectorOf("flip").ToU32(), 0x633aa551u);
  EXPECT_EQ(SelectorOf("new").ToU32(), 0x9bae9d5eu);
  EXPECT_EQ(SelectorOf("get").ToU32(), 0x2f865bd9u);
  EXPECT_EQ(SelectorOf("new_default").ToU32(), 0x61ef7e3eu);
  EXPECT_EQ(SelectorOf("transfer").ToU32(), 0x84a15da1u);
  EXPECT_EQ(SelectorOf("transfer_from").ToU32(), 0x0b396f18u);
  EXPECT_EQ(Selector::FromU32(0xcafebabe).bytes[0], 0xca);
}

TEST(SdkHash, Blake2b256KnownAnswers) {
  EXPECT_EQ(Hex(Blake2b256("")),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(Hex(Blake2b256("abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  // Several blocks, and exactly one block.
  std::string long_text(300, 'a');
  EXPECT_EQ(Hex(Blake2b256(long_text.data(), long_text.size())),
            "3c1292de00a518e36823f9ff908ac2da46be38718c018713403461df077e15f6");
  std::string block(128, 'x');
  EXPECT_EQ(Blake2b256(block.data(), block.size()).size(), 32u);
}

TEST(SdkHash, Xxh32StorageKeys) {
  EXPECT_EQ(Xxh32("Erc20::balances"), 0x2623dce7u);
  EXPECT_EQ(Xxh32("Erc20::allowances"), 0xeca021b7u);
  EXPECT_EQ(Xxh32("", 0), 0x02cc5d05u);  // xxHash32's empty input, seed 0
}

// ---- events: signature topics as ink! 5 computes them ----
struct Transfer {
  Topic<Option<AccountId>> from;
  Topic<Option<AccountId>> to;
  Balance value = 0;
  PHAT_EVENT(Transfer, from, to, value);
};
struct Approval {
  Topic<AccountId> owner;
  Topic<AccountId> spender;
  Balance value = 0;
  PHAT_EVENT(Approval, owner, spender, value);
};
struct Note {
  String text;
  PHAT_ANONYMOUS_EVENT(Note, text);
};

TEST(SdkEvent, SignatureTopics) {
  constexpr auto kSignature = EventSignature<Transfer>();
  EXPECT_STREQ(kSignature.c_str(), "Transfer(Option<AccountId>,Option<AccountId>,Balance)");
  EXPECT_EQ(Hex(EventSignatureTopic<Transfer>()),
            "b5b61a3e6a21a16be4f044b517c28ac692492f73c5bfd3f60178ad98c767f4cb");
  EXPECT_EQ(Hex(EventSignatureTopic<Approval>()),
            "1a35e726f5feffda199144f6097b2ba23713e549bfcbe090c0981e3bcdfbcc1d");
  static_assert(EventTopicCount<Transfer>() == 3);
  static_assert(EventTopicCount<Note>() == 0);
}

TEST(SdkEvent, DataIsTheFieldsEncoded) {
  AccountId alice = AccountId::Filled(0xaa);
  Transfer minted{.from = None, .to = Some(alice), .value = 1000};
  EXPECT_EQ(EncodeHex(minted), "0001" + std::string(64, 'a') + "e8030000000000000000000000000000");
}

// ---- SCALE ----
TEST(SdkScale, Integers) {
  EXPECT_EQ(EncodeHex(u8{1}, u16{0x0102}, u32{0x01020304}),
            "01"
            "0201"
            "04030201");
  EXPECT_EQ(EncodeHex(i32{-1}), "ffffffff");
  EXPECT_EQ(EncodeHex(Balance{1000}), "e8030000000000000000000000000000");
  EXPECT_EQ(EncodeHex(~u128{0} - 1), "fe" + std::string(30, 'f'));
  u128 big = 0;
  ASSERT_TRUE(
      DecodeHex("0100000000000000"
                "0200000000000000",
                big));
  EXPECT_TRUE(big == (u128{2} << 64 | 1));
  i64 negative = 0;
  ASSERT_TRUE(DecodeHex("feffffffffffffff", negative));
  EXPECT_EQ(negative, -2);
  u32 short_value = 0;
  EXPECT_FALSE(DecodeHex("010203", short_value));
  EXPECT_FALSE(DecodeHex("0102030405", short_value));  // left over
}

TEST(SdkScale, BoolAndOptionBool) {
  EXPECT_EQ(EncodeHex(true, false), "0100");
  bool b = false;
  EXPECT_FALSE(DecodeHex("02", b));
  // Tagged like any Option, as a Rust Option<bool> is.
  EXPECT_EQ(EncodeHex(Option<bool>(), Option<bool>(true), Option<bool>(false)), "0001010100");
  Option<bool> ob;
  ASSERT_TRUE(DecodeHex("0100", ob));
  EXPECT_TRUE(ob.has_value() && !*ob);
  EXPECT_FALSE(DecodeHex("02", ob));
  EXPECT_FALSE(DecodeHex("0102", ob));
}

TEST(SdkScale, Compact) {
  struct Case {
    u128 value;
    const char* hex;
  };
  const Case cases[] = {
      {0, "00"},
      {1, "04"},
      {63, "fc"},
      {64, "0101"},
      {16383, "fdff"},
      {16384, "02000100"},
      {1073741823, "feffffff"},
      {1073741824, "0300000040"},
      {~u64{0}, "13ffffffffffffffff"},
      {~u128{0}, "33ffffffffffffffffffffffffffffffff"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(EncodeHex(Compact<u128>{c.value}), c.hex);
    Compact<u128> back;
    ASSERT_TRUE(DecodeHex(c.hex, back)) << c.hex;
    EXPECT_TRUE(back.value == c.value) << c.hex;
  }
  Compact<u32> small;
  EXPECT_FALSE(DecodeHex("0100", small));                // 0 in two bytes: not canonical
  EXPECT_FALSE(DecodeHex("0300000000", small));          // big-int mode below 2^30
  EXPECT_FALSE(DecodeHex("13ffffffffffffffff", small));  // does not fit u32
  ASSERT_TRUE(DecodeHex("a10f", small));
  EXPECT_EQ(small.value, 1000u);
}

// Encoding works at compile time too.
constexpr u32 CompactSizeOf(u128 value) {
  u8 buffer[17]{};
  Writer w(buffer, sizeof(buffer));
  EncodeCompact(w, value);
  return static_cast<u32>(w.size());
}
static_assert(CompactSizeOf(1000) == 2);
static_assert(CompactSizeOf(~u128{0}) == 17);

PHAT_ENUM(Color, Red, Green, Blue);

struct Point {
  i32 x = 0;
  i32 y = 0;
  Option<Color> color;
  PHAT_FIELDS(Point, x, y, color);
};

TEST(SdkScale, ContainersAndCompounds) {
  u8 raw[] = {1, 2, 3};
  EXPECT_EQ(EncodeHex(Bytes(raw, 3)), "0c010203");
  EXPECT_EQ(EncodeHex(String("cache")), "146361636865");
  EXPECT_EQ(EncodeHex(Vec<u16>()), "00");
  EXPECT_EQ(EncodeHex(Array<u8, 2>{{7, 8}}), "0708");
  EXPECT_EQ(EncodeHex(Tuple<u8, bool>(5, true)), "0501");
  EXPECT_EQ(EncodeHex(Option<u32>()), "00");
  EXPECT_EQ(EncodeHex(Option<u32>(7)), "0107000000");
  Result<void, Color> ok = Ok();
  Result<u8, Color> err = Err(Color::Blue);
  EXPECT_EQ(EncodeHex(ok, err),
            "00"
            "0102");
  EXPECT_EQ(EncodeHex(AccountId::Filled(0xbb)), std::string(64, 'b'));
  Point p{.x = -1, .y = 2, .color = Some(Color::Green)};
  EXPECT_EQ(EncodeHex(p),
            "ffffffff"
            "02000000"
            "0101");

  Point back;
  ASSERT_TRUE(DecodeHex("ffffffff0200000000", back));
  EXPECT_EQ(back.x, -1);
  EXPECT_FALSE(back.color.has_value());
  EXPECT_FALSE(DecodeHex("ffffffff020000000103", back));  // no fourth color

  Vec<String> words;
  ASSERT_TRUE(DecodeHex("080c6f6e650c74776f", words));
  ASSERT_EQ(words.size(), 2u);
  EXPECT_TRUE(words[1] == String("two"));
  Bytes lying;
  EXPECT_FALSE(DecodeHex("fd0f01", lying));  // claims 1023 bytes, has 1
}

TEST(SdkScale, VecCopiesItsElements) {
  Vec<u32> a;
  for (u32 i = 0; i < 20; ++i) a.push_back(i);
  Vec<u32> b = a;
  b[0] = 99;
  EXPECT_EQ(a[0], 0u);
  EXPECT_EQ(b.size(), 20u);
  EXPECT_EQ(b[19], 19u);
}

TEST(SdkReflect, RustTypeNames) {
  EXPECT_STREQ((TypeNameOf<Option<AccountId>>().c_str()), "Option<AccountId>");
  EXPECT_STREQ((TypeNameOf<Result<void, Color>>().c_str()), "Result<(),Color>");
  EXPECT_STREQ((TypeNameOf<Vec<u8>>().c_str()), "Vec<u8>");
  EXPECT_STREQ((TypeNameOf<Tuple<AccountId, AccountId>>().c_str()), "(AccountId,AccountId)");
  EXPECT_STREQ((TypeNameOf<Array<u8, 32>>().c_str()), "[u8;32]");
  EXPECT_STREQ((TypeNameOf<Topic<i64>>().c_str()), "i64");
  EXPECT_STREQ((TypeNameOf<Point>().c_str()), "Point");
  EXPECT_STREQ((TypeNameOf<Mapping<AccountId, Balance>>().c_str()), "Mapping<AccountId,Balance>");
  EXPECT_EQ(PhatEnumInfo(Color{}).VariantCount(), 3u);
}

// ---- storage keys ----
struct Erc20Like {
  Balance total_supply = 0;
  Mapping<AccountId, Balance> balances;
  Mapping<Tuple<AccountId, AccountId>, Balance> allowances;
  Lazy<u32, ManualKey<0x01020304>> fixed;
  PHAT_FIELDS(Erc20, total_supply, balances, allowances, fixed);
};

TEST(SdkStorage, KeysAreInkKeys) {
  Erc20Like contract;
  BindStorageKeys(contract);
  EXPECT_EQ(contract.balances.root_key(), 0x2623dce7u);
  EXPECT_EQ(contract.allowances.root_key(), 0xeca021b7u);
  EXPECT_EQ(contract.fixed.root_key(), 0x01020304u);
  AccountId alice = AccountId::Filled(0xaa);
  auto key = storage_internal::MakeKey(contract.balances.root_key(), alice);
  EXPECT_EQ(Hex(key.bytes, key.size), "e7dc2326" + std::string(64, 'a'));
  // The root struct holds only its plain fields.
  contract.total_supply = 1000;
  EXPECT_EQ(EncodeHex(contract), "e8030000000000000000000000000000");
}

// ---- metadata ----
struct Counter {
  u64 count = 0;
  Lazy<AccountId> owner;
  PHAT_FIELDS(Counter, count, owner);
  void New() {}
  Result<void, Color> TryNew(u64 start) {
    return start == 0 ? Result<void, Color>(Err(Color::Red)) : Ok();
  }
  void Add(u64 by) { count += by; }
  u64 Get() const { return count; }
};
inline constexpr auto kCounterSpec = MakeContract<Counter>(
    Constructor<&Counter::New>("new").Default(),
    Constructor<&Counter::TryNew>("try_new").Args("start").Payable(),
    Message<&Counter::Add>("add").Args("by").WithSelector(0xcafebabe),
    Message<&Counter::Get>("get").Docs("The count.\nSo far."), Event<Transfer>(), Event<Note>());

TEST(SdkMetadata, SpecStorageAndTypes) {
  using Json = metadata::Json;
  Json m = metadata::Generate<kCounterSpec>({.name = "counter", .wasm_hash = "0x00"});
  EXPECT_EQ(m["version"], 5);
  EXPECT_EQ(m["contract"]["name"], "counter");
  const Json& spec = m["spec"];
  ASSERT_EQ(spec["constructors"].size(), 2u);
  EXPECT_EQ(spec["constructors"][0]["selector"], "0x9bae9d5e");
  EXPECT_EQ(spec["constructors"][0]["default"], true);
  EXPECT_EQ(spec["constructors"][1]["payable"], true);
  EXPECT_EQ(spec["messages"][0]["selector"], "0xcafebabe");
  EXPECT_EQ(spec["messages"][0]["mutates"], true);
  EXPECT_EQ(spec["messages"][1]["mutates"], false);
  EXPECT_EQ(spec["messages"][1]["docs"], Json::array({"The count.", "So far."}));
  EXPECT_EQ(spec["messages"][0]["args"][0]["label"], "by");
  EXPECT_EQ(spec["messages"][0]["args"][0]["type"]["displayName"], Json::array({"u64"}));
  EXPECT_EQ(spec["events"][0]["signature_topic"],
            "0xb5b61a3e6a21a16be4f044b517c28ac692492f73c5bfd3f60178ad98c767f4cb");
  EXPECT_TRUE(spec["events"][1]["signature_topic"].is_null());
  EXPECT_EQ(spec["events"][0]["module_path"], "counter::counter");
  EXPECT_EQ(spec["environment"]["staticBufferSize"], 16384);
  EXPECT_EQ(spec["environment"]["maxEventTopics"], 4);

  const Json& types = m["types"];
  auto type = [&](const Json& id) { return types.at(id.get<size_t>())["type"]; };
  for (size_t i = 0; i < types.size(); ++i) EXPECT_EQ(types[i]["id"], i);
  // ConstructorResult<Result<(), Color>> for the fallible constructor.
  Json ctor_result = type(spec["constructors"][1]["returnType"]["type"]);
  EXPECT_EQ(ctor_result["path"], Json::array({"Result"}));
  Json inner = type(ctor_result["params"][0]["type"]);
  EXPECT_EQ(inner["path"], Json::array({"Result"}));
  EXPECT_EQ(type(inner["params"][1]["type"])["path"], Json::array({"counter", "counter", "Color"}));
  EXPECT_EQ(type(spec["lang_error"]["type"])["def"]["variant"]["variants"][0]["name"],
            "CouldNotReadInput");
  EXPECT_EQ(type(spec["environment"]["accountId"]["type"])["path"],
            Json::array({"ink_primitives", "types", "AccountId"}));

  const Json& root = m["storage"]["root"];
  EXPECT_EQ(root["root_key"], "0x00000000");
  const Json& fields = root["layout"]["struct"]["fields"];
  EXPECT_EQ(fields[0]["layout"]["leaf"]["key"], "0x00000000");
  char key[11];
  u32 owner_key = Xxh32("Counter::owner");
  std::snprintf(key, sizeof(key), "0x%02x%02x%02x%02x", owner_key & 0xff, (owner_key >> 8) & 0xff,
                (owner_key >> 16) & 0xff, owner_key >> 24);
  EXPECT_EQ(fields[1]["layout"]["root"]["root_key"], key);
  EXPECT_EQ(type(fields[1]["layout"]["root"]["ty"])["path"],
            Json::array({"ink_storage", "lazy", "Lazy"}));
}

}  // namespace
