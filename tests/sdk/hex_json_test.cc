// The SDK's hex.h and json.h, natively (PHAT_SDK_METADATA): what they read and write, and every
// way malformed or hostile text is refused — as values, never a trap.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "phat/sdk/hex.h"
#include "phat/sdk/json.h"

namespace phat::sdk {
namespace {

using hex::HexError;
using hex::Prefix;
using json::JsonError;

std::string Std(const String& s) {
  return std::string(s.data(), s.size());
}
std::string Std(json::Text t) {
  return std::string(t.data, t.size);
}
Bytes B(std::string_view s) {
  return Bytes(reinterpret_cast<const u8*>(s.data()), static_cast<u32>(s.size()));
}

// ---- hex ----

TEST(SdkHex, EncodesLowerCaseWithOrWithoutThePrefix) {
  const u8 bytes[] = {0x00, 0xab, 0xCD, 0x7f};
  EXPECT_EQ(Std(hex::Encode(bytes, 4)), "0x00abcd7f");
  EXPECT_EQ(Std(hex::Encode(bytes, 4, Prefix::kNone)), "00abcd7f");
  EXPECT_EQ(Std(hex::Encode(Bytes{})), "0x");
  Array<u8, 2> two{{0x12, 0x34}};
  EXPECT_EQ(Std(hex::Encode(two)), "0x1234");
}

Result<Bytes, HexError> Dec(std::string_view s, Prefix p = Prefix::k0x) {
  return hex::Decode(s.data(), static_cast<u32>(s.size()), p);
}

TEST(SdkHex, DecodesEitherCaseAndFollowsThePrefixRule) {
  EXPECT_EQ(Dec("0x00AbcD7f").value(), (Bytes{B(std::string("\x00\xab\xcd\x7f", 4))}));
  EXPECT_EQ(Dec("0x").value(), Bytes{});
  EXPECT_EQ(Dec("abcd", Prefix::kNone).value(), B("\xab\xcd"));
  EXPECT_EQ(Dec("0xabcd", Prefix::kOptional).value(), B("\xab\xcd"));
  EXPECT_EQ(Dec("abcd", Prefix::kOptional).value(), B("\xab\xcd"));
  EXPECT_EQ(Dec("abcd").error(), HexError::WrongPrefix);
  EXPECT_EQ(Dec("0xabcd", Prefix::kNone).error(), HexError::WrongPrefix);
  EXPECT_EQ(Dec("0Xabcd").error(), HexError::WrongPrefix);  // only lower-case x
  EXPECT_EQ(Dec("").error(), HexError::WrongPrefix);
  EXPECT_EQ(Dec("0").error(), HexError::WrongPrefix);
}

TEST(SdkHex, RefusesOddLengthsAndNonDigits) {
  EXPECT_EQ(Dec("0xabc").error(), HexError::OddLength);
  EXPECT_EQ(Dec("0xgg").error(), HexError::BadDigit);
  EXPECT_EQ(Dec("0x0 ").error(), HexError::BadDigit);
  EXPECT_EQ(Dec(" 0x00").error(), HexError::WrongPrefix);
  EXPECT_EQ(Dec("0x0x00").error(), HexError::BadDigit);
  EXPECT_EQ(Dec(std::string_view("0x0\0", 4)).error(), HexError::BadDigit);
  EXPECT_EQ(Dec("0x\xff\xff").error(), HexError::BadDigit);
}

TEST(SdkHex, FixedSizesMustMatch) {
  const std::string address = "0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1";
  auto a = hex::DecodeFixed<20>(address.data(), static_cast<u32>(address.size()));
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a.value()[0], 0x90);
  EXPECT_EQ(a.value()[19], 0xc1);
  EXPECT_EQ(hex::DecodeFixed<32>(address.data(), static_cast<u32>(address.size())).error(),
            HexError::WrongLength);
  EXPECT_EQ(hex::DecodeFixed<20>(address.data(), static_cast<u32>(address.size() - 2)).error(),
            HexError::WrongLength);
  EXPECT_EQ(hex::DecodeFixed<20>(address.data(), static_cast<u32>(address.size() - 1)).error(),
            HexError::OddLength);
}

template <class T>
Result<T, HexError> Q(std::string_view s) {
  return hex::ParseQuantity<T>(s.data(), static_cast<u32>(s.size()));
}

TEST(SdkHex, QuantitiesAreJsonRpcsCanonicalForm) {
  EXPECT_EQ(Q<u64>("0x0").value(), 0u);
  EXPECT_EQ(Q<u64>("0x539").value(), 1337u);
  EXPECT_EQ(Q<u64>("0xDE0B6B3A7640000").value(), 1'000'000'000'000'000'000u);
  EXPECT_EQ(Q<u64>("0xffffffffffffffff").value(), ~u64{0});
  EXPECT_EQ(Q<u128>("0xffffffffffffffffffffffffffffffff").value(), ~u128{0});
  EXPECT_EQ(Q<u128>("0x10000000000000000").value(), u128{1} << 64);
  EXPECT_EQ(Q<u8>("0xff").value(), 255);

  EXPECT_EQ(Q<u64>("0x").error(), HexError::Empty);
  EXPECT_EQ(Q<u64>("0x00").error(), HexError::LeadingZero);
  EXPECT_EQ(Q<u64>("0x0400").error(), HexError::LeadingZero);
  EXPECT_EQ(Q<u64>("539").error(), HexError::WrongPrefix);
  EXPECT_EQ(Q<u64>("").error(), HexError::WrongPrefix);
  EXPECT_EQ(Q<u64>("0x53g").error(), HexError::BadDigit);
  EXPECT_EQ(Q<u64>("-0x1").error(), HexError::WrongPrefix);
  EXPECT_EQ(Q<u64>("0x10000000000000000").error(), HexError::Overflow);
  EXPECT_EQ(Q<u8>("0x100").error(), HexError::Overflow);
  EXPECT_EQ(Q<u128>("0x1" + std::string(32, '0')).error(), HexError::Overflow);
  // A long run of garbage is a bad digit, not an overflow.
  EXPECT_EQ(Q<u64>("0x1" + std::string(40, 'z')).error(), HexError::BadDigit);
}

TEST(SdkHex, FormatsQuantitiesWithoutLeadingZeros) {
  EXPECT_EQ(Std(hex::FormatQuantity(0)), "0x0");
  EXPECT_EQ(Std(hex::FormatQuantity(1337)), "0x539");
  EXPECT_EQ(Std(hex::FormatQuantity(u128{1} << 64)), "0x10000000000000000");
  EXPECT_EQ(Std(hex::FormatQuantity(~u128{0})), "0x" + std::string(32, 'f'));
  for (u128 v : {u128{0}, u128{15}, u128{16}, u128{0xabcdef}, ~u128{0} >> 3}) {
    String text = hex::FormatQuantity(v);
    EXPECT_EQ(hex::ParseQuantity<u128>(text).value(), v);
  }
}

// ---- json: validation ----

Result<json::Value, json::JsonParseError> P(std::string_view s, u32 depth = 32) {
  return json::Parse(reinterpret_cast<const u8*>(s.data()), static_cast<u32>(s.size()), depth);
}

TEST(SdkJson, AcceptsRfc8259Documents) {
  for (std::string_view doc : {
           R"({})",
           R"([])",
           R"("")",
           "0",
           "-0",
           "1.5e-3",
           "true",
           "null",
           " \t\r\n{} ",
           R"({"a": [1, {"b": null}, "x\"y", -0.5E+3, true, false], "c": {}})",
           R"(["\u00e9\ud83d\ude00", "é😀", "\/\b\f\n\r\t\\"])",
           R"({"":""})",
       }) {
    EXPECT_TRUE(P(doc).is_ok()) << doc;
  }
}

TEST(SdkJson, RefusesWhatIsNotJsonSayingWhere) {
  struct Case {
    std::string_view text;
    u32 offset;
  };
  const Case cases[] = {
      {"", 0},
      {"   ", 3},
      {"{", 1},
      {R"({"a" 1})", 5},
      {R"({"a": 1,})", 8},
      {R"([1,])", 3},
      {R"([1 2])", 3},
      {R"({a: 1})", 1},
      {R"({"a": 01})", 7},  // a leading zero: "0" then "1" is not a separator
      {R"([-])", 1},
      {R"([1.])", 1},
      {R"([.5])", 1},
      {R"([1e])", 1},
      {R"([+1])", 1},
      {R"([tru])", 4},  // where the text stopped being JSON
      {R"([nul])", 4},
      {R"(["\x"])", 3},
      {R"(["\u12g4"])", 6},
      {"[\"a\tb\"]", 3},  // a raw control character
      {"\"abc", 4},
      {R"({} {})", 3},
      {R"([] x)", 3},
      {"[\"\xff\"]", 2},              // not UTF-8
      {"[\"\xc0\xaf\"]", 2},          // overlong '/'
      {"[\"\xed\xa0\x80\"]", 2},      // an encoded surrogate
      {"[\"\xf4\x90\x80\x80\"]", 2},  // above U+10FFFF
      {"[\"\xe2\x82\"]", 2},          // cut short
      {"\xef\xbb\xbf{}", 0},          // a byte order mark is not whitespace
      {std::string_view("[1]\0", 4), 3},
      {"NaN", 0},
      {"[Infinity]", 1},
      {"{\"a\":1}}", 7},
  };
  for (const Case& c : cases) {
    auto r = P(c.text);
    ASSERT_TRUE(r.is_err()) << c.text;
    EXPECT_EQ(r.error().error, JsonError::Syntax) << c.text;
    EXPECT_EQ(r.error().offset, c.offset) << c.text;
  }
}

std::string Nested(int depth, char open = '[', char close = ']') {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(SdkJson, NestingIsBoundedWithoutRecursingOnHostileInput) {
  EXPECT_TRUE(P(Nested(32)).is_ok());
  auto deep = P(Nested(33));
  ASSERT_TRUE(deep.is_err());
  EXPECT_EQ(deep.error().error, JsonError::TooDeep);
  EXPECT_EQ(deep.error().offset, 32u);
  EXPECT_EQ(P(Nested(3), 2).error().error, JsonError::TooDeep);
  EXPECT_TRUE(P("1", 0).is_ok());  // scalars have no depth
  EXPECT_EQ(P("[]", 0).error().error, JsonError::TooDeep);
  // A million brackets: refused at the limit, not after a million frames.
  EXPECT_EQ(P(std::string(1'000'000, '[')).error().error, JsonError::TooDeep);
  EXPECT_EQ(P(std::string(1'000'000, '{')).error().error, JsonError::Syntax);  // '{' is no key
}

// ---- json: reading ----

json::Value Doc(std::string_view s) {
  static std::string keep[64];  // the text must outlive the Value
  static int next = 0;
  std::string& text = keep[next++ % 64];
  text = s;
  auto r = json::Parse(reinterpret_cast<const u8*>(text.data()), static_cast<u32>(text.size()));
  EXPECT_TRUE(r.is_ok()) << s;
  return r.is_ok() ? r.value() : json::Value();
}
json::Value Field(const json::Value& v, const char* name) {
  auto f = v.Find(name);
  EXPECT_TRUE(f.is_ok() && f.value().has_value()) << name;
  return f.is_ok() && f.value().has_value() ? *f.value() : json::Value();
}

TEST(SdkJson, FindsFieldsInNestedObjects) {
  json::Value doc = Doc(R"( {"jsonrpc": "2.0", "id": 7, "result": {"status": "0x1",
      "logs": [{"a": 1}], "inner": {"deep": {"x": "y"}}}, "z": null} )");
  EXPECT_EQ(doc.type(), json::Type::kObject);
  EXPECT_EQ(Std(Field(doc, "jsonrpc").RawString()), "2.0");
  EXPECT_EQ(Field(doc, "id").ReadU64().value(), 7u);
  json::Value result = Field(doc, "result");
  EXPECT_EQ(Std(Field(result, "status").RawString()), "0x1");
  EXPECT_EQ(Std(Field(Field(Field(result, "inner"), "deep"), "x").ReadString().value()), "y");
  EXPECT_TRUE(Field(doc, "z").IsNull());
  EXPECT_FALSE(doc.Find("missing").value().has_value());
  EXPECT_FALSE(doc.Find("x").value().has_value());  // only this object's own members
  EXPECT_FALSE(doc.Find("").value().has_value());
  EXPECT_EQ(Field(doc, "id").Find("x").error(), JsonError::WrongType);
  EXPECT_EQ(Field(result, "logs").Find("a").error(), JsonError::WrongType);
}

TEST(SdkJson, ANameGivenTwiceIsAnErrorNotAGuess) {
  json::Value doc = Doc(R"({"result": 1, "other": 2, "result": 3})");
  EXPECT_EQ(doc.Find("result").error(), JsonError::DuplicateKey);
  EXPECT_EQ(Field(doc, "other").ReadU64().value(), 2u);
}

TEST(SdkJson, KeysAreComparedAsWritten) {
  json::Value doc = Doc(R"({"pr\u0069ce": 1, "a\"b": 2})");
  EXPECT_FALSE(doc.Find("price").value().has_value());
  EXPECT_EQ(Field(doc, "a\\\"b").ReadU64().value(), 2u);
}

TEST(SdkJson, StringsAreDecoded) {
  json::Value doc =
      Doc(R"(["plain", "q\"b\\s\/n\nt\tr\rb\bf\f", "\u00e9\u20ac\ud83d\ude00", "\u0000", "é"])");
  EXPECT_EQ(doc.Size(), 5u);
  EXPECT_EQ(Std(doc.At(0)->ReadString().value()), "plain");
  EXPECT_EQ(Std(doc.At(1)->ReadString().value()), "q\"b\\s/n\nt\tr\rb\bf\f");
  EXPECT_EQ(Std(doc.At(2)->ReadString().value()), "é€😀");
  EXPECT_EQ(Std(doc.At(3)->ReadString().value()), std::string(1, '\0'));
  EXPECT_EQ(Std(doc.At(4)->ReadString().value()), "é");
  EXPECT_EQ(Std(doc.At(1)->RawString()), R"(q\"b\\s\/n\nt\tr\rb\bf\f)");
  EXPECT_FALSE(doc.At(5).has_value());
  EXPECT_EQ(doc.At(0)->ReadU64().error(), JsonError::WrongType);
}

TEST(SdkJson, LoneSurrogateEscapesHaveNoUtf8) {
  for (std::string_view s :
       {R"("\ud83d")", R"("\ude00")", R"("\ud83dx")", R"("\ud83d\u0041")", R"("\ud83d\n")"}) {
    EXPECT_EQ(Doc(s).ReadString().error(), JsonError::BadString) << s;
  }
}

TEST(SdkJson, IntegersBoolsAndNull) {
  json::Value doc = Doc(R"([0, -1, 9223372036854775807, -9223372036854775808,
      9223372036854775808, 18446744073709551615, 18446744073709551616, 1.0, 1e3, true, false,
      null, "1"])");
  EXPECT_EQ(doc.At(0)->ReadI64().value(), 0);
  EXPECT_EQ(doc.At(1)->ReadI64().value(), -1);
  EXPECT_EQ(doc.At(1)->ReadU64().error(), JsonError::WrongType);
  EXPECT_EQ(doc.At(2)->ReadI64().value(), INT64_MAX);
  EXPECT_EQ(doc.At(3)->ReadI64().value(), INT64_MIN);
  EXPECT_EQ(doc.At(4)->ReadI64().error(), JsonError::OutOfRange);
  EXPECT_EQ(doc.At(4)->ReadU64().value(), 9223372036854775808u);
  EXPECT_EQ(doc.At(5)->ReadU64().value(), UINT64_MAX);
  EXPECT_EQ(doc.At(6)->ReadU64().error(), JsonError::OutOfRange);
  EXPECT_EQ(doc.At(7)->ReadI64().error(), JsonError::WrongType);
  EXPECT_EQ(Std(doc.At(8)->NumberText()), "1e3");
  EXPECT_EQ(doc.At(8)->ReadI64().error(), JsonError::WrongType);
  EXPECT_TRUE(doc.At(9)->ReadBool().value());
  EXPECT_FALSE(doc.At(10)->ReadBool().value());
  EXPECT_TRUE(doc.At(11)->IsNull());
  EXPECT_EQ(doc.At(11)->ReadBool().error(), JsonError::WrongType);
  EXPECT_EQ(doc.At(12)->ReadI64().error(), JsonError::WrongType);
  EXPECT_EQ(doc.At(12)->type(), json::Type::kString);
}

TEST(SdkJson, IntegersFromTextFollowJsonsGrammarExactly) {
  auto i64_of = [](std::string_view s) {
    return json::Value::ParseI64(json::Text{s.data(), static_cast<u32>(s.size())});
  };
  EXPECT_EQ(i64_of("42").value(), 42);
  EXPECT_EQ(i64_of("-42").value(), -42);
  for (std::string_view bad : {"", "-", " 42", "42 ", "+1", "01", "4\\u0032", "1.0", "0x10"}) {
    EXPECT_EQ(i64_of(bad).error(), JsonError::WrongType) << bad;
  }
  EXPECT_EQ(i64_of("-9223372036854775809").error(), JsonError::OutOfRange);
}

TEST(SdkJson, ScalarsAtTheTopAndEmptyContainers) {
  EXPECT_EQ(Doc("  17 ").ReadU64().value(), 17u);
  EXPECT_EQ(Std(Doc(R"("x")").ReadString().value()), "x");
  EXPECT_EQ(Doc("[]").Size(), 0u);
  EXPECT_EQ(Doc("[ ]").Size(), 0u);
  EXPECT_FALSE(Doc("{ }").Find("a").value().has_value());
  EXPECT_EQ(Doc("[[1, 2], [], {\"a\": [3]}]").Size(), 3u);
  EXPECT_EQ(Doc("[[1, 2], [], {\"a\": [3]}]").At(2)->Find("a").value()->At(0)->ReadU64().value(),
            3u);
  // A Value made by no document is null.
  EXPECT_TRUE(json::Value().IsNull());
}

// ---- json: writing ----

TEST(SdkJson, WriterBuildsAJsonRpcRequest) {
  json::Writer w;
  // clang-format off: the layout shows the structure
  w.BeginObject()
      .Key("jsonrpc").Str("2.0")
      .Key("id").U64(1)
      .Key("method").Str("eth_call")
      .Key("params").BeginArray()
          .BeginObject().Key("to").Str("0xab").Key("data").Str("0x").End()
          .Str("latest").Bool(true).Null().U64(0).Raw("[]")
      .End()
      .End();
  // clang-format on
  EXPECT_EQ(Std(w.text()),
            R"({"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"0xab","data":"0x"},)"
            R"("latest",true,null,0,[]]})");
  EXPECT_TRUE(json::Parse(w.TakeBytes()).is_ok());
}

TEST(SdkJson, WriterEscapesStringsSoTheyReadBackTheSame) {
  const std::string nasty = std::string("q\"b\\s/\n\r\t\x01\x1f\x7f é");
  json::Writer w;
  w.BeginArray().Str(nasty.data(), static_cast<u32>(nasty.size())).End();
  EXPECT_EQ(Std(w.text()), std::string("[\"q\\\"b\\\\s/\\n\\r\\t\\u0001\\u001f\x7f é\"]"));
  Bytes bytes = w.TakeBytes();
  auto doc = json::Parse(bytes);
  ASSERT_TRUE(doc.is_ok());
  EXPECT_EQ(Std(doc.value().At(0)->ReadString().value()), nasty);
}

}  // namespace
}  // namespace phat::sdk
