// ink! metadata on the SDK-built examples (ink! 5 shape), a hand-written ink! 4 file, and the
// golden traces: encoding calls, decoding outputs and events, and the errors a user sees.
#include "phat/metadata/contract_metadata.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace phat::metadata {
namespace {

using nlohmann::json;

const std::string kContracts = PHAT_CONTRACTS_DIR;
const std::string kVectors = PHAT_INK_VECTORS;
const std::string kTestData = PHAT_METADATA_TESTDATA;

json ReadJson(const std::string& path) {
  std::ifstream f(path);
  EXPECT_TRUE(f) << "cannot open " << path;
  return json::parse(f);
}

Bytes Hex(std::string_view text) {
  auto bytes = FromHex(text);
  EXPECT_TRUE(bytes) << text;
  return bytes.value_or(Bytes());
}

std::string Rep(std::string_view byte, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += byte;
  return out;
}

const std::string kAlice = "0x" + Rep("aa", 32);
const std::string kBob = "0x" + Rep("bb", 32);

class MetadataErc20Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto md = ContractMetadata::FromFile(kContracts + "/erc20.json");
    ASSERT_TRUE(md) << md.error();
    md_ = *std::move(md);
    trace_ = ReadJson(kVectors + "/erc20_v5.trace.json");
  }
  const Message& Msg(std::string_view label) {
    const Message* m = md_.FindMessage(label);
    EXPECT_NE(m, nullptr) << label;
    return *m;
  }
  // The input of the first trace step whose description starts with `what`.
  std::string StepInput(std::string_view what) {
    for (const json& step : trace_["steps"])
      if (step["what"].get<std::string>().starts_with(what)) return step["input"];
    ADD_FAILURE() << "no trace step " << what;
    return "";
  }
  std::string EncodeError(std::string_view label, const json& args) {
    auto r = md_.EncodeCall(Msg(label), args);
    EXPECT_FALSE(r) << "expected an error for " << args.dump();
    return r ? "" : r.error();
  }

  ContractMetadata md_;
  json trace_;
};

TEST_F(MetadataErc20Test, ParsesSpec) {
  EXPECT_EQ(md_.version(), 5);
  EXPECT_EQ(md_.name(), "erc20");
  EXPECT_FALSE(md_.wasm());
  ASSERT_EQ(md_.constructors().size(), 1u);
  EXPECT_EQ(md_.messages().size(), 6u);
  const Message& transfer = Msg("transfer");
  EXPECT_EQ(ToHex(transfer.selector), "84a15da1");
  ASSERT_EQ(transfer.args.size(), 2u);
  EXPECT_EQ(transfer.args[0].label, "to");
  EXPECT_EQ(md_.types().Find(transfer.args[0].type)->PathString(),
            "ink_primitives::types::AccountId");
  EXPECT_TRUE(transfer.mutates);
  EXPECT_FALSE(transfer.payable);
  EXPECT_FALSE(Msg("balance_of").mutates);
  ASSERT_TRUE(transfer.return_type);
  EXPECT_EQ(md_.types().Find(*transfer.return_type)->PathString(), "Result");
  EXPECT_EQ(md_.types().DisplayName(transfer.args[1].type), "u128");
  ASSERT_EQ(md_.events().size(), 2u);
  EXPECT_EQ(md_.events()[0].label, "Transfer");
  EXPECT_TRUE(md_.events()[0].args[0].indexed);
  EXPECT_EQ(md_.FindMessage("nope"), nullptr);
  EXPECT_EQ(md_.FindConstructor("transfer"), nullptr);
  ASSERT_NE(md_.FindConstructor("new"), nullptr);
  EXPECT_TRUE(md_.FindConstructor("new")->is_constructor);
}

TEST_F(MetadataErc20Test, UnknownNamesListTheKnownOnes) {
  auto m = md_.RequireMessage("transferr");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error(),
            "no message `transferr` in contract erc20 (its messages: total_supply, balance_of, "
            "allowance, transfer, approve, transfer_from)");
  auto c = md_.RequireConstructor("default");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), "no constructor `default` in contract erc20 (its constructors: new)");
  auto ok = md_.RequireMessage("transfer");
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)->label, "transfer");
}

TEST(MetadataIncrementerTest, SignedArgsAndFallibleConstructor) {
  auto md = ContractMetadata::FromFile(kContracts + "/incrementer.json");
  ASSERT_TRUE(md) << md.error();
  for (const Message& c : md->constructors()) {
    // Each constructor takes at most an i32; its output Ok(Ok(())) decodes.
    json args = json::array();
    for (size_t i = 0; i < c.args.size(); ++i) args.push_back(-2);
    auto input = md->EncodeCall(c, args);
    ASSERT_TRUE(input) << input.error();
    if (!c.args.empty()) EXPECT_EQ(ToHex(*input).substr(8, 8), "feffffff");
    auto out = md->DecodeReturn(c, Hex("0000"));
    ASSERT_TRUE(out) << c.label << ": " << out.error();
  }
  for (const Message& m : md->messages()) {
    if (!m.return_type) continue;
    const Type* result = md->types().Find(*m.return_type);
    ASSERT_NE(result, nullptr);
    EXPECT_EQ(result->PathString(), "Result");
  }
}

TEST_F(MetadataErc20Test, EncodesTransferAsTheTraceInput) {
  auto input = md_.EncodeCall(Msg("transfer"), json::array({kBob, "10"}));
  ASSERT_TRUE(input) << input.error();
  EXPECT_EQ(ToHex(*input), StepInput("transfer(bob, 10)"));
  EXPECT_EQ(ToHex(*input).substr(0, 8), "84a15da1");
  // A JSON number and an object keyed by label mean the same.
  auto by_name = md_.EncodeCall(Msg("transfer"), json{{"value", 10}, {"to", kBob}});
  ASSERT_TRUE(by_name) << by_name.error();
  EXPECT_EQ(*by_name, *input);
}

TEST_F(MetadataErc20Test, EncodesOtherTraceInputs) {
  auto ctor = md_.EncodeCall(*md_.FindConstructor("new"), json::array({1000}));
  ASSERT_TRUE(ctor) << ctor.error();
  EXPECT_EQ(ToHex(*ctor), StepInput("new(1000)"));
  auto supply = md_.EncodeCall(Msg("total_supply"), json::array());
  ASSERT_TRUE(supply);
  EXPECT_EQ(ToHex(*supply), StepInput("total_supply()"));
  auto no_args = md_.EncodeCall(Msg("total_supply"), json());
  ASSERT_TRUE(no_args);
  EXPECT_EQ(*no_args, *supply);
  std::string charlie = "0x" + Rep("cc", 31) + "c1";
  auto from = md_.EncodeCall(Msg("transfer_from"), json::array({kAlice, kBob, "30"}));
  ASSERT_TRUE(from);
  EXPECT_EQ(ToHex(*from), StepInput("transfer_from(alice, bob, 30)"));
  auto allowance = md_.EncodeCall(Msg("allowance"), json::array({kAlice, charlie}));
  ASSERT_TRUE(allowance);
  EXPECT_EQ(ToHex(*allowance), StepInput("allowance(alice, charlie)"));
  // The largest u128.
  auto max = md_.EncodeCall(Msg("transfer"),
                            json::array({kBob, "340282366920938463463374607431768211455"}));
  ASSERT_TRUE(max) << max.error();
  EXPECT_EQ(ToHex(*max), "84a15da1" + Rep("bb", 32) + Rep("ff", 16));
}

TEST_F(MetadataErc20Test, DecodesReturns) {
  auto ok = md_.DecodeReturn(Msg("transfer"), Hex("0000"));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(*ok, json::parse(R"({"Ok": {"Ok": null}})"));
  auto insufficient = md_.DecodeReturn(Msg("transfer"), Hex("000100"));
  ASSERT_TRUE(insufficient) << insufficient.error();
  EXPECT_EQ(*insufficient, json::parse(R"({"Ok": {"Err": "InsufficientBalance"}})"));
  auto allowance = md_.DecodeReturn(Msg("transfer_from"), Hex("000101"));
  ASSERT_TRUE(allowance);
  EXPECT_EQ(*allowance, json::parse(R"({"Ok": {"Err": "InsufficientAllowance"}})"));
  auto balance = md_.DecodeReturn(Msg("balance_of"), Hex("00e8030000000000000000000000000000"));
  ASSERT_TRUE(balance) << balance.error();
  EXPECT_EQ(*balance, json::parse(R"({"Ok": "1000"})"));
  auto lang = md_.DecodeReturn(Msg("transfer"), Hex("0101"));
  ASSERT_TRUE(lang) << lang.error();
  EXPECT_EQ(*lang, json::parse(R"({"Err": "CouldNotReadInput"})"));
  auto ctor = md_.DecodeReturn(*md_.FindConstructor("new"), Hex("0000"));
  ASSERT_TRUE(ctor);
  EXPECT_EQ(*ctor, json::parse(R"({"Ok": null})"));
}

TEST_F(MetadataErc20Test, EveryTraceOutputDecodes) {
  for (const json& step : trace_["steps"]) {
    std::string input = step["input"];
    const Message* m = nullptr;
    for (const Message& c : md_.constructors())
      if (input.starts_with(ToHex(c.selector))) m = &c;
    for (const Message& c : md_.messages())
      if (input.starts_with(ToHex(c.selector))) m = &c;
    if (!m) continue;  // the unknown-selector step
    auto out = md_.DecodeReturn(*m, Hex(step["result"]["data"].get<std::string>()));
    EXPECT_TRUE(out) << step["what"] << ": " << out.error();
  }
}

TEST_F(MetadataErc20Test, DecodeErrors) {
  auto trailing = md_.DecodeReturn(Msg("transfer"), Hex("000000"));
  ASSERT_FALSE(trailing);
  EXPECT_NE(trailing.error().find("left over"), std::string::npos) << trailing.error();
  auto truncated = md_.DecodeReturn(Msg("balance_of"), Hex("00e803"));
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().find("balance_of"), std::string::npos) << truncated.error();
  auto bad_tag = md_.DecodeReturn(Msg("transfer"), Hex("02"));
  ASSERT_FALSE(bad_tag);
  EXPECT_NE(bad_tag.error().find("invalid variant index 2"), std::string::npos) << bad_tag.error();
  EXPECT_FALSE(md_.DecodeValue(9999, Hex("00")));
}

TEST_F(MetadataErc20Test, DecodesValues) {
  uint32_t account = Msg("transfer").args[0].type;
  auto id = md_.DecodeValue(account, Hex(kAlice));
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, kAlice);
  const Event& transfer = md_.events()[0];
  auto none = md_.DecodeValue(transfer.args[0].type, Hex("00"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->is_null());
  auto some = md_.DecodeValue(transfer.args[0].type, Hex("01" + Rep("aa", 32)));
  ASSERT_TRUE(some);
  EXPECT_EQ(*some, kAlice);
}

TEST_F(MetadataErc20Test, DecodesTraceEvents) {
  const json& deploy = trace_["steps"][0]["events"][0];
  std::vector<Topic> topics;
  for (const json& t : deploy["topics"]) topics.push_back(*FixedFromHex<32>(t.get<std::string>()));
  auto event = md_.DecodeEvent(topics, Hex(deploy["data"].get<std::string>()));
  ASSERT_TRUE(event) << event.error();
  EXPECT_EQ(*event, (json{{"name", "Transfer"},
                          {"args", {{"from", nullptr}, {"to", kAlice}, {"value", "1000"}}}}));
  // Every event of the trace decodes.
  for (const json& step : trace_["steps"]) {
    for (const json& e : step["events"]) {
      std::vector<Topic> ts;
      for (const json& t : e["topics"]) ts.push_back(*FixedFromHex<32>(t.get<std::string>()));
      auto decoded = md_.DecodeEvent(ts, Hex(e["data"].get<std::string>()));
      EXPECT_TRUE(decoded) << step["what"] << ": " << decoded.error();
    }
  }
  std::vector<Topic> unknown = {Topic{}};
  auto bad = md_.DecodeEvent(unknown, Hex("00"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("signature topic"), std::string::npos);
}

TEST_F(MetadataErc20Test, ArgumentErrorsNameTheArgument) {
  std::string e =
      EncodeError("transfer", json::array({kBob, "340282366920938463463374607431768211456"}));
  EXPECT_NE(e.find("args[1]"), std::string::npos) << e;
  EXPECT_NE(e.find("out of range for u128"), std::string::npos) << e;
  EXPECT_NE(e.find("value"), std::string::npos) << e;

  e = EncodeError("transfer", json::array({kBob, -1}));
  EXPECT_NE(e.find("args[1]: -1 is out of range for u128"), std::string::npos) << e;
  e = EncodeError("transfer", json::array({kBob, 1.5}));
  EXPECT_NE(e.find("not an integer"), std::string::npos) << e;
  e = EncodeError("transfer", json::array({kBob, "12abc"}));
  EXPECT_NE(e.find("expected a decimal integer"), std::string::npos) << e;

  e = EncodeError("transfer", json::array({"0xbbbb", "10"}));
  EXPECT_NE(e.find("args[0]: expected 32 bytes of hex"), std::string::npos) << e;
  EXPECT_NE(e.find("`to: AccountId`"), std::string::npos) << e;
  e = EncodeError("transfer", json::array({"0x" + Rep("zz", 32), "10"}));
  EXPECT_NE(e.find("args[0]: expected 32 bytes of hex"), std::string::npos) << e;
  e = EncodeError("transfer",
                  json::array({"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "1"}));
  EXPECT_NE(e.find("SS58"), std::string::npos) << e;

  e = EncodeError("transfer", json::array({kBob}));
  EXPECT_NE(e.find("takes 2 arguments, got 1"), std::string::npos) << e;
  e = EncodeError("transfer", json::array({kBob, "1", "2"}));
  EXPECT_NE(e.find("takes 2 arguments, got 3"), std::string::npos) << e;
  e = EncodeError("transfer", json{{"to", kBob}});
  EXPECT_NE(e.find("`value` is missing"), std::string::npos) << e;
  e = EncodeError("transfer", json{{"to", kBob}, {"value", 1}, {"extra", 2}});
  EXPECT_NE(e.find("no argument `extra`"), std::string::npos) << e;
  e = EncodeError("transfer", json("0xbb"));
  EXPECT_NE(e.find("JSON array"), std::string::npos) << e;
}

TEST(MetadataFlipperTest, EncodesAndDecodes) {
  auto md = ContractMetadata::FromFile(kContracts + "/flipper.json");
  ASSERT_TRUE(md) << md.error();
  json trace = ReadJson(kVectors + "/flipper_v5.trace.json");
  const Message* ctor = md->FindConstructor("new");
  ASSERT_NE(ctor, nullptr);
  auto input = md->EncodeCall(*ctor, json::array({false}));
  ASSERT_TRUE(input);
  EXPECT_EQ(ToHex(*input), "9bae9d5e00");
  auto yes = md->EncodeCall(*ctor, json::array({"true"}));
  ASSERT_TRUE(yes);
  EXPECT_EQ(ToHex(*yes), "9bae9d5e01");
  auto bad = md->EncodeCall(*ctor, json::array({2}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("expected true or false"), std::string::npos) << bad.error();
  const Message* get = md->FindMessage("get");
  ASSERT_NE(get, nullptr);
  auto flip = md->EncodeCall(*md->FindMessage("flip"), json::array());
  ASSERT_TRUE(flip);
  EXPECT_EQ(ToHex(*flip), "633aa551");
  auto value = md->DecodeReturn(*get, Hex("0001"));
  ASSERT_TRUE(value);
  EXPECT_EQ(*value, json::parse(R"({"Ok": true})"));
  // Each `get` in the trace decodes to a bool.
  for (const json& step : trace["steps"]) {
    if (step["input"] != "2f865bd9") continue;
    auto out = md->DecodeReturn(*get, Hex(step["result"]["data"].get<std::string>()));
    ASSERT_TRUE(out) << out.error();
    EXPECT_TRUE((*out)["Ok"].is_boolean());
  }
}

TEST(MetadataBundleTest, ExtractsWasm) {
  auto md = ContractMetadata::FromFile(kContracts + "/erc20.contract");
  ASSERT_TRUE(md) << md.error();
  ASSERT_TRUE(md->wasm());
  std::ifstream f(kContracts + "/erc20.wasm", std::ios::binary);
  ASSERT_TRUE(f);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string wasm = ss.str();
  EXPECT_EQ(*md->wasm(), Bytes(wasm.begin(), wasm.end()));
  EXPECT_NE(md->FindMessage("transfer"), nullptr);
}

TEST(MetadataParseTest, RefusesOtherVersions) {
  json v3 = {{"source", json::object()}, {"contract", json::object()}, {"V3", json::object()}};
  auto r = ContractMetadata::Parse(v3);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("ink! 3 metadata is not supported"), std::string::npos) << r.error();
  auto old = ContractMetadata::Parse(json{{"metadataVersion", "0.1.0"}});
  ASSERT_FALSE(old);
  EXPECT_NE(old.error().find("ink! 3 metadata is not supported"), std::string::npos);
  auto v6 = ContractMetadata::Parse(json{{"version", 6}});
  ASSERT_FALSE(v6);
  EXPECT_NE(v6.error().find("version 6 is not supported"), std::string::npos) << v6.error();
  EXPECT_FALSE(ContractMetadata::Parse(json::array()));
  auto missing = ContractMetadata::FromFile(kTestData + "/no_such_file.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("cannot open"), std::string::npos);
}

TEST(MetadataParseTest, RefusesDanglingTypeIds) {
  json md = ReadJson(kContracts + "/flipper.json");
  md["spec"]["messages"][0]["returnType"]["type"] = 999;
  auto r = ContractMetadata::Parse(md);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("type 999"), std::string::npos) << r.error();
  json types = ReadJson(kContracts + "/flipper.json")["types"];
  types[1]["type"]["def"]["variant"]["variants"][0]["fields"][0]["type"] = 777;
  auto t = TypeRegistry::Parse(types);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().find("777"), std::string::npos) << t.error();
}

class MetadataTinyV4Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto md = ContractMetadata::FromFile(kTestData + "/tiny_v4.json");
    ASSERT_TRUE(md) << md.error();
    md_ = *std::move(md);
  }
  ContractMetadata md_;
};

TEST_F(MetadataTinyV4Test, Parses) {
  EXPECT_EQ(md_.version(), 4);
  EXPECT_EQ(md_.name(), "tiny");
  ASSERT_NE(md_.FindMessage("set"), nullptr);
  EXPECT_TRUE(md_.FindMessage("set")->payable);
  EXPECT_EQ(md_.FindMessage("set")->args.size(), 8u);
  EXPECT_FALSE(md_.events()[0].signature_topic);
}

TEST_F(MetadataTinyV4Test, EncodesEveryShape) {
  const Message& set = *md_.FindMessage("set");
  json args = json::array({kBob,
                           "hi",
                           {1, 2},
                           {{"x", -1}, {"y", "2"}},
                           {{"Rect", {3, 4}}},
                           {true, "x"},
                           "64",
                           "0xdead"});
  auto input = md_.EncodeCall(set, args);
  ASSERT_TRUE(input) << input.error();
  EXPECT_EQ(ToHex(*input),
            "12345678"
            "01" +
                Rep("bb", 32) +                     // Some(AccountId)
                "086869"                            // "hi"
                "080100000002000000"                // vec![1u32, 2]
                "ffffffffffffffff0200000000000000"  // Point {x: -1, y: 2}
                "010300000004000000"                // Shape::Rect(3, 4)
                "010478"                            // (true, "x")
                "0101"                              // Compact(64)
                "08dead");                          // Vec<u8>

  args[0] = nullptr;
  args[4] = {{"Circle", {{"radius", 5}}}};
  auto none = md_.EncodeCall(set, args);
  ASSERT_TRUE(none) << none.error();
  EXPECT_EQ(ToHex(*none).substr(8, 2), "00");
  EXPECT_NE(ToHex(*none).find("0005000000"), std::string::npos);

  args[4] = "Empty";
  ASSERT_TRUE(md_.EncodeCall(set, args));
  args[4] = "Rect";
  auto unit = md_.EncodeCall(set, args);
  ASSERT_FALSE(unit);
  EXPECT_NE(unit.error().find("args[4].Rect: expected an array of 2 values"), std::string::npos)
      << unit.error();
  args[4] = "Square";
  auto unknown = md_.EncodeCall(set, args);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("no variant `Square`"), std::string::npos) << unknown.error();

  args[4] = "Empty";
  args[3] = {{"x", 1}};
  auto missing = md_.EncodeCall(set, args);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("args[3].y: missing field"), std::string::npos) << missing.error();
  args[3] = {{"x", 1}, {"y", "9223372036854775808"}};
  auto range = md_.EncodeCall(set, args);
  ASSERT_FALSE(range);
  EXPECT_NE(range.error().find("args[3].y: 9223372036854775808 is out of range for i64 "
                               "(-9223372036854775808..=9223372036854775807)"),
            std::string::npos)
      << range.error();
  args[3] = {{"x", 1}, {"y", 2}};
  args[2] = {1, "4294967296"};
  auto elem = md_.EncodeCall(set, args);
  ASSERT_FALSE(elem);
  EXPECT_NE(elem.error().find("args[2][1]: 4294967296 is out of range for u32"), std::string::npos)
      << elem.error();
}

TEST_F(MetadataTinyV4Test, RoundTripsValues) {
  const Message& set = *md_.FindMessage("set");
  json values[] = {kAlice,
                   "héllo",
                   json::array({7, 4294967295u}),
                   json{{"x", "-9223372036854775808"}, {"y", "5"}},
                   json{{"Circle", {{"radius", 1}}}},
                   json::array({false, ""}),
                   "18446744073709551615",
                   "0x"};
  for (size_t i = 0; i < set.args.size(); ++i) {
    auto bytes = md_.types().Encode(set.args[i].type, values[i], "v");
    ASSERT_TRUE(bytes) << bytes.error();
    auto back = md_.DecodeValue(set.args[i].type, *bytes);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, values[i]) << i;
  }
}

TEST_F(MetadataTinyV4Test, DecodesInk4EventsFromTheTrace) {
  json trace = ReadJson(kVectors + "/erc20_v4.trace.json");
  const json& e = trace["steps"][0]["events"][0];
  std::vector<Topic> topics;
  for (const json& t : e["topics"]) topics.push_back(*FixedFromHex<32>(t.get<std::string>()));
  auto event = md_.DecodeEvent(topics, Hex(e["data"].get<std::string>()));
  ASSERT_TRUE(event) << event.error();
  EXPECT_EQ(*event, (json{{"name", "Transfer"},
                          {"args", {{"from", nullptr}, {"to", kAlice}, {"value", "1000"}}}}));
  auto bad = md_.DecodeEvent(topics, Hex("05"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("event index 5"), std::string::npos) << bad.error();
}

}  // namespace
}  // namespace phat::metadata
