// SCALE: byte-exact encodings from the SCALE specification and ink!'s ABI, round trips through
// every supported type, and the decoder's strictness: truncation, trailing bytes, bad tags,
// non-canonical compacts, invalid UTF-8 and lengths that would allocate more than the input holds.
#include "phat/codec/scale.h"

#include <gtest/gtest.h>

#include <limits>

namespace phat::codec {
namespace {

Bytes Hex(std::string_view text) {
  auto bytes = FromHex(text);
  EXPECT_TRUE(bytes) << text;
  return bytes.value_or(Bytes{});
}

std::string CompactHex(uint128 v) {
  ScaleWriter w;
  w.Compact(v);
  return ToHex(w.bytes());
}

template <typename T>
void ExpectRoundTrip(const T& value, std::string_view hex) {
  Bytes encoded = Encode(value);
  EXPECT_EQ(ToHex(encoded), hex);
  auto decoded = DecodeAll<T>(encoded);
  ASSERT_TRUE(decoded) << decoded.error().ToString();
  EXPECT_TRUE(*decoded == value);
}

template <typename T>
DecodeError ExpectDecodeError(std::string_view hex) {
  auto decoded = DecodeAll<T>(Hex(hex));
  EXPECT_FALSE(decoded) << "decoding " << hex << " should fail";
  return decoded ? DecodeError{} : decoded.error();
}

// ---- Compact ----

TEST(ScaleCompact, SpecVectors) {
  EXPECT_EQ(CompactHex(0), "00");
  EXPECT_EQ(CompactHex(1), "04");
  EXPECT_EQ(CompactHex(42), "a8");
  EXPECT_EQ(CompactHex(63), "fc");
  EXPECT_EQ(CompactHex(64), "0101");
  EXPECT_EQ(CompactHex(69), "1501");
  EXPECT_EQ(CompactHex(16383), "fdff");
  EXPECT_EQ(CompactHex(16384), "02000100");
  EXPECT_EQ(CompactHex(65535), "feff0300");
  EXPECT_EQ(CompactHex((uint128{1} << 30) - 1), "feffffff");
  EXPECT_EQ(CompactHex(uint128{1} << 30), "0300000040");
  EXPECT_EQ(CompactHex(100000000000000), "0b00407a10f35a");
  EXPECT_EQ(CompactHex(UINT32_MAX), "03ffffffff");
  EXPECT_EQ(CompactHex(uint128{1} << 32), "070000000001");
  EXPECT_EQ(CompactHex(UINT64_MAX), "13ffffffffffffffff");
  EXPECT_EQ(CompactHex(~uint128{0}), "33ffffffffffffffffffffffffffffffff");
}

TEST(ScaleCompact, DecodesEveryModeBoundary) {
  for (uint128 v : {uint128{0}, uint128{63}, uint128{64}, uint128{16383}, uint128{16384},
                    (uint128{1} << 30) - 1, uint128{1} << 30, uint128{UINT32_MAX}, uint128{1} << 32,
                    uint128{UINT64_MAX}, uint128{1} << 64, ~uint128{0}}) {
    ScaleWriter w;
    w.Compact(v);
    ScaleReader r(w.bytes());
    auto got = r.Compact();
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_TRUE(*got == v);
    EXPECT_TRUE(r.AtEnd());
  }
}

TEST(ScaleCompact, RejectsNonCanonicalEncodings) {
  // Each encodes a value that a shorter mode could hold.
  for (std::string_view hex : {"0100",                                   // 0 in two-byte mode
                               "fd00",                                   // 63 in two-byte mode
                               "02000000",                               // 0 in four-byte mode
                               "feff0000",                               // 16383 in four-byte mode
                               "0300000000",                             // 0 in big mode
                               "03ffffff3f",                             // 2^30 - 1 in big mode
                               "07ffffffff00",                           // u32::MAX in five bytes
                               "3300000000000000000000000000000100"}) {  // 2^112 in 16 bytes
    Bytes input = Hex(hex);
    ScaleReader r(input);
    auto got = r.Compact();
    ASSERT_FALSE(got) << hex;
    EXPECT_NE(got.error().message.find("non-canonical"), std::string::npos)
        << got.error().ToString();
    EXPECT_EQ(r.offset(), 0u);  // the cursor did not move
  }
  // 2^120 in 16 bytes is canonical when the top byte is used.
  Bytes big = Hex("3300000000000000000000000000000001");
  ScaleReader ok(big);
  EXPECT_TRUE(ok.Compact());
}

TEST(ScaleCompact, RejectsMoreThan16Bytes) {
  Bytes input = Hex("37" + std::string(34, 'f'));
  ScaleReader r(input);
  auto got = r.Compact();
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("does not fit in u128"), std::string::npos);
}

TEST(ScaleCompact, TypedRangeChecks) {
  Bytes two_to_32 = Hex("070000000001");
  ScaleReader r32(two_to_32);
  auto u32 = r32.CompactU32();
  ASSERT_FALSE(u32);
  EXPECT_EQ(u32.error().ToString(),
            "SCALE decode error at offset 0: compact value 4294967296 out of range for u32");
  ScaleReader r64(two_to_32);
  EXPECT_EQ(r64.CompactU64().value(), uint64_t{1} << 32);

  ExpectRoundTrip(Compact<uint8_t>{255}, "fd03");
  ExpectDecodeError<Compact<uint8_t>>("0104");  // 256
  ExpectRoundTrip(Compact<uint16_t>{65535}, "feff0300");
  ExpectDecodeError<Compact<uint16_t>>("02000400");  // 65536
  ExpectRoundTrip(Compact<uint64_t>{UINT64_MAX}, "13ffffffffffffffff");
  ExpectRoundTrip(Compact<uint128>{~uint128{0}}, "33ffffffffffffffffffffffffffffffff");
}

// ---- Fixed-width values ----

TEST(ScaleFixed, LittleEndianIntegers) {
  ExpectRoundTrip(uint8_t{0x45}, "45");
  ExpectRoundTrip(uint16_t{42}, "2a00");
  ExpectRoundTrip(uint32_t{16777215}, "ffffff00");
  ExpectRoundTrip(uint64_t{0x0102030405060708}, "0807060504030201");
  ExpectRoundTrip(int8_t{-1}, "ff");
  ExpectRoundTrip(int16_t{-2}, "feff");
  ExpectRoundTrip(int32_t{-2147483647 - 1}, "00000080");
  ExpectRoundTrip(int64_t{-1}, "ffffffffffffffff");
  // 1 DOT-style balance: u128 = 10^12.
  ExpectRoundTrip(uint128{1000000000000}, "0010a5d4e80000000000000000000000");
  ExpectRoundTrip(~uint128{0}, std::string(32, 'f'));
  ExpectRoundTrip(int128{-2}, "fe" + std::string(30, 'f'));
}

TEST(ScaleFixed, Bool) {
  ExpectRoundTrip(true, "01");
  ExpectRoundTrip(false, "00");
  DecodeError e = ExpectDecodeError<bool>("02");
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.message.find("invalid bool"), std::string::npos);
}

TEST(ScaleFixed, WriterMethodsMatchTheTemplates) {
  ScaleWriter w;
  w.U8(1);
  w.U16(2);
  w.U32(3);
  w.U64(4);
  w.I8(-1);
  w.I16(-1);
  w.I32(-1);
  w.I64(-1);
  w.Bool(true);
  w.Raw(Hex("abcd"));
  EXPECT_EQ(ToHex(w.bytes()), "010200030000000400000000000000ffffffffffffffffffffffffffffff01abcd");
  ScaleReader r(w.bytes());
  EXPECT_EQ(r.U8().value(), 1);
  EXPECT_EQ(r.U16().value(), 2);
  EXPECT_EQ(r.U32().value(), 3u);
  EXPECT_EQ(r.U64().value(), 4u);
  EXPECT_EQ(r.I8().value(), -1);
  EXPECT_EQ(r.I16().value(), -1);
  EXPECT_EQ(r.I32().value(), -1);
  EXPECT_EQ(r.I64().value(), -1);
  EXPECT_EQ(r.Bool().value(), true);
  EXPECT_EQ(ToHex(r.Raw(2).value()), "abcd");
  EXPECT_TRUE(r.Finish());
}

// A reader views its input, so it refuses a temporary buffer at compile time.
static_assert(!std::is_constructible_v<ScaleReader, Bytes>);
static_assert(std::is_constructible_v<ScaleReader, const Bytes&>);

TEST(ScaleFixed, TakeEmptiesTheWriter) {
  ScaleWriter w(Hex("633aa551"));  // a selector, then the arguments
  w.U32(7);
  EXPECT_EQ(ToHex(w.Take()), "633aa55107000000");
  EXPECT_TRUE(w.bytes().empty());
}

// ---- Collections and text ----

TEST(ScaleCollections, VecOfU16) {
  ExpectRoundTrip(std::vector<uint16_t>{4, 8, 15, 16, 23, 42}, "18040008000f00100017002a00");
  ExpectRoundTrip(std::vector<uint16_t>{}, "00");
}

TEST(ScaleCollections, BytesAndStrings) {
  ExpectRoundTrip(Bytes{1, 2, 3}, "0c010203");
  ExpectRoundTrip(std::string("Erc20::balances"), "3c45726332303a3a62616c616e636573");
  ExpectRoundTrip(std::string(""), "00");
  ExpectRoundTrip(std::string("h\xc3\xa9llo \xf0\x9f\x98\x80"), "2c68c3a96c6c6f20f09f9880");
  // 64 bytes: the length needs the two-byte compact mode.
  Bytes long_bytes(64, 0xaa);
  EXPECT_EQ(ToHex(Encode(long_bytes)).substr(0, 6), "0101aa");
}

TEST(ScaleCollections, StringMustBeUtf8) {
  for (std::string_view hex : {"04ff",        // never valid
                               "08c0af",      // overlong '/'
                               "0ceda080",    // a UTF-16 surrogate
                               "10f4908080",  // above U+10FFFF
                               "08e282"}) {   // cut short inside a sequence
    DecodeError e = ExpectDecodeError<std::string>(hex);
    EXPECT_NE(e.message.find("UTF-8"), std::string::npos) << hex << ": " << e.ToString();
    EXPECT_EQ(e.offset, 1u) << hex;  // where the bad sequence starts
  }
  // The same bytes are fine as Vec<u8>.
  EXPECT_TRUE(DecodeAll<Bytes>(Hex("04ff")));
}

TEST(ScaleCollections, FixedArraysHaveNoLength) {
  std::array<uint8_t, 4> selector{0x9b, 0xae, 0x9d, 0x5e};
  ExpectRoundTrip(selector, "9bae9d5e");
  ExpectRoundTrip(std::array<uint16_t, 3>{1, 2, 3}, "010002000300");
  std::array<uint8_t, 32> account{};
  account[31] = 1;
  ExpectRoundTrip(account, std::string(62, '0') + "01");
}

TEST(ScaleCollections, Nested) {
  std::vector<std::vector<std::string>> v{{"a", "bc"}, {}};
  // 2 items: [2 items: "a", "bc"], [].
  ExpectRoundTrip(v, "0808046108626300");
  std::vector<std::pair<std::string, std::string>> headers{{"k", "v"}};
  ExpectRoundTrip(headers, "04046b0476");
}

// ---- Option, Result, tuples, enums ----

// A Rust Option<bool> is tagged like any Option (parity-scale-codec cannot specialise it);
// the one-byte form is the OptionBool shim, which ScaleWriter/ScaleReader offer by name.
TEST(ScaleOption, OptionBoolIsTaggedLikeAnyOption) {
  ExpectRoundTrip(std::optional<bool>(), "00");
  ExpectRoundTrip(std::optional<bool>(true), "0101");
  ExpectRoundTrip(std::optional<bool>(false), "0100");
  ExpectDecodeError<std::optional<bool>>("0102");
}

TEST(ScaleOption, TheOptionBoolShimIsOneByte) {
  codec::ScaleWriter w;
  w.OptionBool(std::nullopt);
  w.OptionBool(true);
  w.OptionBool(false);
  EXPECT_EQ(ToHex(w.bytes()), "000102");
  Bytes bytes = w.Take();
  codec::ScaleReader r(bytes);
  EXPECT_EQ(*r.OptionBool(), std::nullopt);
  EXPECT_EQ(*r.OptionBool(), std::optional<bool>(true));
  EXPECT_EQ(*r.OptionBool(), std::optional<bool>(false));
  Bytes bad{3};
  codec::ScaleReader r2(bad);
  EXPECT_FALSE(r2.OptionBool());
}

TEST(ScaleOption, OtherOptionsAreTagged) {
  ExpectRoundTrip(std::optional<uint32_t>(), "00");
  ExpectRoundTrip(std::optional<uint32_t>(65535), "01ffff0000");
  ExpectRoundTrip(std::optional<std::optional<bool>>(std::optional<bool>()), "0100");
  ExpectRoundTrip(std::optional<Bytes>(Bytes{}), "0100");
  DecodeError e = ExpectDecodeError<std::optional<uint32_t>>("02ffff0000");
  EXPECT_NE(e.message.find("invalid Option tag 2"), std::string::npos);
}

TEST(ScaleResult, OkAndErr) {
  using R = Result<uint8_t, bool>;
  ExpectRoundTrip(R(42), "002a");
  ExpectRoundTrip(R(unexpected(false)), "0100");
  ExpectDecodeError<R>("022a");
  // ink!'s MessageResult<Result<(), E>>: an infallible-looking Ok(Ok(())) is 00 00.
  using Inner = Result<void, uint8_t>;
  using Outer = Result<Inner, uint8_t>;
  ExpectRoundTrip(Outer(Inner()), "0000");
  ExpectRoundTrip(Outer(Inner(unexpected(uint8_t{0}))), "000100");
  ExpectRoundTrip(Outer(unexpected(uint8_t{1})), "0101");  // Err(LangError::CouldNotReadInput)
  // Same type on both sides must still keep Ok and Err apart.
  ExpectRoundTrip(Result<uint8_t, uint8_t>(unexpected(uint8_t{7})), "0107");
}

TEST(ScaleTuple, FieldsConcatenated) {
  ExpectRoundTrip(std::tuple<uint32_t, Bytes>(0x2623dce7, Bytes{0xaa}), "e7dc232604aa");
  ExpectRoundTrip(std::make_pair(std::string("key"), std::string("value")),
                  "0c6b65791476616c7565");  // pink cache_set("key", "value")
  ExpectRoundTrip(Unit(), "");
  ExpectRoundTrip(std::tuple<Compact<uint32_t>, bool>({1}, true), "0401");
}

TEST(ScaleEnum, VariantIndexThenFields) {
  using E = std::variant<std::monostate, uint32_t, std::string>;
  ExpectRoundTrip(E(), "00");
  ExpectRoundTrip(E(uint32_t{1}), "0101000000");
  ExpectRoundTrip(E(std::string("x")), "020478");
  DecodeError e = ExpectDecodeError<E>("03");
  EXPECT_NE(e.message.find("invalid enum variant index 3"), std::string::npos);
}

enum class Mode : uint8_t { kA, kB, kC };

}  // namespace

template <>
struct ScaleCodec<Mode> : EnumCodec<Mode, 3> {};

namespace {

TEST(ScaleEnum, PlainEnumThroughEnumCodec) {
  ExpectRoundTrip(Mode::kC, "02");
  ExpectDecodeError<Mode>("03");
}

// A user struct with member hooks, shaped like pink's HttpResponse.
struct Response {
  uint16_t status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  Bytes body;

  void ScaleEncode(ScaleWriter& w) const { Encode(w, status, reason, headers, body); }
  static Decoded<Response> ScaleDecode(ScaleReader& r) {
    Response out;
    out.status = PHAT_TRY(Decode<uint16_t>(r));
    out.reason = PHAT_TRY(Decode<std::string>(r));
    out.headers = PHAT_TRY((Decode<std::vector<std::pair<std::string, std::string>>>(r)));
    out.body = PHAT_TRY(Decode<Bytes>(r));
    return out;
  }
  bool operator==(const Response&) const = default;
};

TEST(ScaleStruct, MemberHooks) {
  Response resp{200, "OK", {{"a", "b"}}, {0x7b, 0x7d}};
  // 200u16 ‖ "OK" ‖ [("a", "b")] ‖ [0x7b, 0x7d]
  ExpectRoundTrip(resp, "c800084f4b0404610462087b7d");
  ExpectRoundTrip(std::vector<Response>{resp}, "04c800084f4b0404610462087b7d");
  ExpectRoundTrip(std::optional<Response>(), "00");
}

// ---- Strictness ----

TEST(ScaleErrors, TruncatedInputNamesTheReadAndOffset) {
  DecodeError e = ExpectDecodeError<std::tuple<uint8_t, uint32_t>>("01aabb");
  EXPECT_EQ(e.offset, 1u);
  EXPECT_EQ(e.ToString(),
            "SCALE decode error at offset 1: truncated input reading u32: needs 4 bytes, 2 left");

  e = ExpectDecodeError<uint128>("00");
  EXPECT_NE(e.message.find("u128"), std::string::npos);

  e = ExpectDecodeError<std::vector<uint32_t>>("08010000000200");  // second item cut short
  EXPECT_EQ(e.offset, 5u);

  e = ExpectDecodeError<std::array<uint8_t, 32>>("0102");
  EXPECT_NE(e.message.find("32 raw bytes"), std::string::npos);

  e = ExpectDecodeError<Compact<uint32_t>>("01");  // two-byte mode, one byte present
  EXPECT_NE(e.message.find("compact"), std::string::npos);

  e = ExpectDecodeError<uint8_t>("");
  EXPECT_EQ(e.offset, 0u);
}

TEST(ScaleErrors, TrailingBytes) {
  DecodeError e = ExpectDecodeError<uint16_t>("010203");
  EXPECT_EQ(e.offset, 2u);
  EXPECT_EQ(e.message, "1 trailing byte after the value");
  e = ExpectDecodeError<bool>("000000");
  EXPECT_EQ(e.message, "2 trailing bytes after the value");
  // Decode (unlike DecodeAll) stops where the value ends.
  Bytes input = Hex("0100ff");
  ScaleReader r(input);
  EXPECT_EQ(Decode<uint16_t>(r).value(), 1);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.Finish());
}

TEST(ScaleErrors, HugeLengthIsRefusedWithoutAllocating) {
  // Claims u32::MAX elements (or bytes) but carries three bytes. A decoder that reserved first
  // would ask for gigabytes; this one compares with the input first.
  for (std::string_view tail : {"", "010203"}) {
    std::string hex = std::string("03ffffffff") + std::string(tail);
    DecodeError e = ExpectDecodeError<Bytes>(hex);
    EXPECT_NE(e.message.find("length 4294967295 exceeds"), std::string::npos) << e.ToString();
    EXPECT_EQ(e.offset, 0u);
    ExpectDecodeError<std::vector<uint64_t>>(hex);
    ExpectDecodeError<std::vector<std::string>>(hex);
    ExpectDecodeError<std::string>(hex);
  }
  // A length above u32::MAX is not a SCALE length at all.
  DecodeError e = ExpectDecodeError<Bytes>("070000000001");
  EXPECT_NE(e.message.find("out of range"), std::string::npos);
}

TEST(ScaleErrors, LengthEqualToInputIsFine) {
  std::string hex = "9101";  // compact 100
  for (int i = 0; i < 100; ++i) hex += "07";
  ExpectRoundTrip(Bytes(100, 7), hex);
}

}  // namespace
}  // namespace phat::codec
