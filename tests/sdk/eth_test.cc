// The pure parts of the SDK's Ethereum headers (sdk/include/phat/sdk/eth/), compiled natively,
// against vectors ethers made when the test ran (eth_vectors.mjs, the sdk_eth_vectors fixture):
// U256 conversions, RLP both ways, ABI encoding of calls and decoding of answers (and refusing
// what is malformed), and transaction payloads and raw signed transactions from the signatures
// ethers made. Hashing and signing need the host; eth_runtime_test.cc runs those in a contract.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "eth_vectors.h"
#include "phat/sdk.h"

namespace {

using namespace phat::sdk;
using nlohmann::json;

// ---- test-local hex, with or without 0x ----
using metadata::Hex;  // 0x + lower-case hex of raw bytes
std::string Hex(const Bytes& b) {
  return Hex(b.data(), b.size());
}
Bytes Unhex(std::string text) {
  if (text.rfind("0x", 0) == 0) text = text.substr(2);
  Bytes out;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<u8>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}
std::string S(const json& j) {
  return j.get<std::string>();
}
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

eth::U256 FromBe(const std::string& hex) {
  Bytes be = Unhex(hex);
  EXPECT_EQ(be.size(), 32u) << hex;
  return eth::U256::FromBigEndian(be.data());
}
eth::Address AddressFrom(const std::string& hex) {
  Bytes b = Unhex(hex);
  EXPECT_EQ(b.size(), 20u) << hex;
  eth::Address a;
  CopyBytes(a.data(), b.data(), 20);
  return a;
}
std::string Str(const String& s) {
  return std::string(s.data(), s.size());
}

// ---- U256 ----
TEST(EthU256, ConvertsAsEthersDoes) {
  for (const json& v : EthVectors()["u256"]) {
    std::string decimal = v["decimal"], hex = v["hex"], be = v["be"];
    eth::U256 from_be = FromBe(be);
    Result<eth::U256, eth::NumberError> from_decimal =
        eth::U256::FromDecimal(decimal.c_str(), decimal.size());
    Result<eth::U256, eth::NumberError> from_hex = eth::U256::FromHex(hex.c_str(), hex.size());
    ASSERT_TRUE(from_decimal.is_ok()) << decimal;
    ASSERT_TRUE(from_hex.is_ok()) << hex;
    EXPECT_TRUE(from_decimal.value() == from_be) << decimal;
    EXPECT_TRUE(from_hex.value() == from_be) << hex;
    EXPECT_EQ(Str(from_be.ToDecimal()), decimal);
    Array<u8, 32> back = from_be.ToBigEndian();
    EXPECT_EQ(Hex(back.data(), 32), be);
  }
}

TEST(EthU256, RefusesBadStrings) {
  using eth::NumberError;
  auto decimal = [](const char* s) { return eth::U256::FromDecimal(s, StrLen(s)); };
  auto hex = [](const char* s) { return eth::U256::FromHex(s, StrLen(s)); };
  EXPECT_EQ(decimal("").error(), NumberError::Empty);
  EXPECT_EQ(decimal("-1").error(), NumberError::InvalidDigit);
  EXPECT_EQ(decimal("12 ").error(), NumberError::InvalidDigit);
  EXPECT_EQ(decimal("0x10").error(), NumberError::InvalidDigit);
  // 2^256 and 2^256 - 1
  EXPECT_EQ(
      decimal("115792089237316195423570985008687907853269984665640564039457584007913129639936")
          .error(),
      NumberError::Overflow);
  EXPECT_TRUE(
      decimal("115792089237316195423570985008687907853269984665640564039457584007913129639935")
          .value() == eth::U256::Max());
  EXPECT_TRUE(decimal("000000000000000000000000000000000000000000000000000000000000000000000000000"
                      "000000000042")
                  .value() == eth::U256(42));
  EXPECT_EQ(hex("").error(), NumberError::InvalidDigit);
  EXPECT_EQ(hex("10").error(), NumberError::InvalidDigit);
  EXPECT_EQ(hex("0x").error(), NumberError::Empty);
  EXPECT_EQ(hex("0xg").error(), NumberError::InvalidDigit);
  EXPECT_EQ(hex(("0x1" + std::string(64, '0')).c_str()).error(), NumberError::Overflow);
  EXPECT_TRUE(hex(("0x00" + std::string(64, 'F')).c_str()).value() == eth::U256::Max());
}

TEST(EthU256, ChecksArithmetic) {
  eth::U256 max = eth::U256::Max();
  EXPECT_FALSE(max.CheckedAdd(1).has_value());
  EXPECT_TRUE(*max.CheckedSub(max) == eth::U256(0));
  EXPECT_FALSE(eth::U256(1).CheckedSub(2).has_value());
  EXPECT_FALSE(max.CheckedMul(2).has_value());
  EXPECT_TRUE(*max.CheckedMul(1) == max);
  EXPECT_TRUE(*max.CheckedMul(0) == eth::U256(0));
  // carries across every limb
  eth::U256 low = eth::U256::FromU128(~u128{0});
  EXPECT_EQ(Str(low.CheckedAdd(1)->ToDecimal()), "340282366920938463463374607431768211456");
  EXPECT_TRUE(*low.CheckedAdd(1)->CheckedSub(1) == low);
  EXPECT_EQ(Str(eth::U256(10).CheckedMul(1000000000000000000ull)->ToDecimal()),
            "10000000000000000000");
  EXPECT_TRUE(eth::U256(1) < eth::U256::FromU128(u128{1} << 64));
  EXPECT_TRUE(max > eth::U256(0));
  EXPECT_EQ(*eth::U256::FromU128(u128{1} << 100).ToU128(), u128{1} << 100);
  EXPECT_FALSE(max.ToU128().has_value());
  EXPECT_FALSE(eth::U256::FromU128(u128{1} << 64).ToU64().has_value());
  EXPECT_EQ(eth::U256(0).ByteLength(), 0u);
  EXPECT_EQ(eth::U256(256).ByteLength(), 2u);
  EXPECT_EQ(max.ByteLength(), 32u);
}

TEST(EthU256, EncodesInScaleAsPrimitiveTypesDoes) {
  // [u64; 4], least significant limb first: 32 bytes little-endian.
  Bytes scale = EncodeToBytes(eth::U256::FromU128((u128{0x0102} << 64) | 0x03));
  EXPECT_EQ(Hex(scale), "0x0300000000000000020100000000000000000000000000000000000000000000");
}

// ---- RLP ----

// An ethers RLP value (a hex string or an array of them) encoded by the SDK.
void EncodeJson(Bytes& out, const json& value) {
  if (value.is_string()) {
    eth::rlp::AppendString(out, Unhex(value.get<std::string>()));
    return;
  }
  Bytes payload;
  for (const json& item : value) EncodeJson(payload, item);
  eth::rlp::AppendList(out, payload);
}
// Whether a decoded item is the ethers value.
bool Same(const eth::rlp::Item& item, const json& value) {
  if (value.is_string()) return !item.is_list && Hex(item.bytes) == Lower(value.get<std::string>());
  if (!item.is_list || item.items.size() != value.size()) return false;
  for (u32 i = 0; i < item.items.size(); ++i) {
    if (!Same(item.items[i], value[i])) return false;
  }
  return true;
}

TEST(EthRlp, EncodesAndDecodesAsEthersDoes) {
  for (const json& v : EthVectors()["rlp"]["values"]) {
    Bytes encoded;
    EncodeJson(encoded, v["value"]);
    EXPECT_EQ(Hex(encoded), S(v["rlp"])) << v["value"].dump();
    Result<eth::rlp::Item, eth::RlpError> decoded = eth::rlp::Decode(Unhex(v["rlp"]));
    ASSERT_TRUE(decoded.is_ok()) << v["rlp"];
    EXPECT_TRUE(Same(decoded.value(), v["value"])) << v["value"].dump();
  }
}

TEST(EthRlp, WritesIntegersInTheFewestBytes) {
  for (const json& v : EthVectors()["rlp"]["uints"]) {
    std::string decimal = v["value"];
    eth::U256 value = eth::U256::FromDecimal(decimal.c_str(), decimal.size()).value();
    Bytes encoded;
    eth::rlp::AppendUint(encoded, value);
    EXPECT_EQ(Hex(encoded), S(v["rlp"])) << decimal;
    Result<eth::U256, eth::RlpError> back = eth::rlp::ToUint(eth::rlp::Decode(encoded).value());
    EXPECT_TRUE(back.is_ok() && back.value() == value) << decimal;
  }
  Bytes small;
  eth::rlp::AppendUint(small, u64{0x7f});
  EXPECT_EQ(Hex(small), "0x7f");
}

TEST(EthRlp, RefusesMalformedInput) {
  for (const json& v : EthVectors()["rlp"]["bad"]) {
    Result<eth::rlp::Item, eth::RlpError> decoded = eth::rlp::Decode(Unhex(v["hex"]));
    ASSERT_TRUE(decoded.is_err()) << v["hex"];
    const char* name;
    size_t len;
    PhatEnumInfo(eth::RlpError{}).Variant(static_cast<u32>(decoded.error()), &name, &len);
    EXPECT_EQ(std::string(name, len), S(v["error"])) << v["hex"];
  }
  // An integer with a leading zero, or wider than 32 bytes.
  EXPECT_EQ(eth::rlp::ToUint(eth::rlp::Decode(Unhex("820001")).value()).error(),
            eth::RlpError::BadInteger);
  Bytes wide;
  eth::rlp::AppendString(wide, Unhex("01" + std::string(64, '0')));
  EXPECT_EQ(eth::rlp::ToUint(eth::rlp::Decode(wide).value()).error(), eth::RlpError::BadInteger);
  EXPECT_EQ(eth::rlp::ToUint(eth::rlp::Decode(Unhex("c0")).value()).error(),
            eth::RlpError::NotAString);
  // The depth limit is the caller's: two levels of lists pass a limit of 2, not of 1.
  EXPECT_TRUE(eth::rlp::Decode(Unhex("c1c0"), 2).is_ok());
  EXPECT_EQ(eth::rlp::Decode(Unhex("c1c0"), 1).error(), eth::RlpError::TooDeep);
}

// ---- ABI ----
TEST(EthAbi, EncodesCallsAsEthersDoes) {
  for (const json& c : EthVectors()["abi"]["calls"]) {
    Bytes selector_bytes = Unhex(c["selector"]);
    Selector selector{{selector_bytes[0], selector_bytes[1], selector_bytes[2], selector_bytes[3]}};
    eth::Address to = AddressFrom(c["to"]);
    Bytes data = c["amount"].is_null() ? eth::abi::EncodeCall(selector, to)
                                       : eth::abi::EncodeCall(selector, to, FromBe(c["amount"]));
    EXPECT_EQ(Hex(data), S(c["data"])) << c["fn"];
  }
}

using Mixed = Tuple<eth::U256, eth::Address, bool, Bytes, String, Array<u8, 32>>;
Mixed MixedFrom(const json& values) {
  Mixed m;
  Get<0>(m) = FromBe(values[0]);
  Get<1>(m) = AddressFrom(values[1]);
  Get<2>(m) = values[2].get<bool>();
  Get<3>(m) = Unhex(values[3]);
  std::string text = values[4];
  Get<4>(m) = String(text.data(), static_cast<u32>(text.size()));
  Bytes b32 = Unhex(values[5]);
  CopyBytes(Get<5>(m).data(), b32.data(), 32);
  return m;
}

TEST(EthAbi, EncodesAndDecodesEveryTypeAsEthersDoes) {
  for (const json& t : EthVectors()["abi"]["tuples"]) {
    Mixed m = MixedFrom(t["values"]);
    Bytes encoded =
        eth::abi::Encode(Get<0>(m), Get<1>(m), Get<2>(m), Get<3>(m), Get<4>(m), Get<5>(m));
    EXPECT_EQ(Hex(encoded), S(t["encoded"]));
    Mixed back;
    Bytes from_ethers = Unhex(t["encoded"]);
    ASSERT_TRUE(eth::abi::DecodeInto(from_ethers, Get<0>(back), Get<1>(back), Get<2>(back),
                                     Get<3>(back), Get<4>(back), Get<5>(back))
                    .is_ok());
    EXPECT_TRUE(back == m) << t["encoded"];
  }
}

TEST(EthAbi, DecodesAnswers) {
  const json& r = EthVectors()["abi"]["results"];
  EXPECT_EQ(Str(eth::abi::Decode<eth::U256>(Unhex(r["balance"])).value().ToDecimal()),
            "123456789000000000000000000");
  EXPECT_TRUE(eth::abi::Decode<bool>(Unhex(r["ok"])).value());
  EXPECT_EQ(Str(eth::abi::Decode<String>(Unhex(r["name"])).value()), "Wrapped Ether");
  EXPECT_EQ(eth::abi::Decode<u8>(Unhex(r["decimals"])).value(), 18);
}

TEST(EthAbi, RefusesMalformedAnswers) {
  for (const json& v : EthVectors()["abi"]["bad"]) {
    Bytes data = Unhex(v["hex"]);
    std::string type = v["types"][0];
    Result<void, eth::AbiError> result = Ok();
    if (type == "uint256") {
      eth::U256 out;
      result = eth::abi::DecodeInto(data, out);
    } else if (type == "bytes") {
      Bytes out;
      result = eth::abi::DecodeInto(data, out);
    } else if (type == "string") {
      String out;
      result = eth::abi::DecodeInto(data, out);
    } else if (type == "address") {
      eth::Address out;
      result = eth::abi::DecodeInto(data, out);
    } else if (type == "bool") {
      bool out;
      result = eth::abi::DecodeInto(data, out);
    } else if (type == "uint8") {
      u8 out;
      result = eth::abi::DecodeInto(data, out);
    } else {
      FAIL() << type;
    }
    if (v["error"].is_null()) {
      EXPECT_TRUE(result.is_ok()) << v["hex"];
      continue;
    }
    ASSERT_TRUE(result.is_err()) << v["hex"];
    const char* name;
    size_t len;
    PhatEnumInfo(eth::AbiError{}).Variant(static_cast<u32>(result.error()), &name, &len);
    EXPECT_EQ(std::string(name, len), S(v["error"])) << v["hex"];
  }
}

// ---- transactions ----
eth::LegacyTransaction LegacyFrom(const json& t) {
  eth::LegacyTransaction tx;
  tx.nonce = std::stoull(t["nonce"].get<std::string>());
  tx.gas_price = FromBe(t["gas_price"]);
  tx.gas_limit = std::stoull(t["gas_limit"].get<std::string>());
  if (!t["to"].is_null()) tx.to = AddressFrom(t["to"]);
  tx.value = FromBe(t["value"]);
  tx.data = Unhex(t["data"]);
  tx.chain_id = std::stoull(t["chain_id"].get<std::string>());
  return tx;
}
eth::Eip1559Transaction Eip1559From(const json& t) {
  eth::Eip1559Transaction tx;
  tx.chain_id = std::stoull(t["chain_id"].get<std::string>());
  tx.nonce = std::stoull(t["nonce"].get<std::string>());
  tx.max_priority_fee_per_gas = FromBe(t["max_priority_fee_per_gas"]);
  tx.max_fee_per_gas = FromBe(t["max_fee_per_gas"]);
  tx.gas_limit = std::stoull(t["gas_limit"].get<std::string>());
  if (!t["to"].is_null()) tx.to = AddressFrom(t["to"]);
  tx.value = FromBe(t["value"]);
  tx.data = Unhex(t["data"]);
  return tx;
}
pink::EcdsaSignature SignatureFrom(const json& t) {
  Bytes b = Unhex(t["signature"]);
  EXPECT_EQ(b.size(), 65u);
  pink::EcdsaSignature s;
  CopyBytes(s.data(), b.data(), 65);
  return s;
}

TEST(EthTx, PayloadsAndRawTransactionsMatchEthers) {
  const json& txs = EthVectors()["tx"]["txs"];
  ASSERT_FALSE(txs.empty());
  for (const json& t : txs) {
    Bytes unsigned_, raw;
    if (t["type"] == 0) {
      eth::LegacyTransaction tx = LegacyFrom(t);
      unsigned_ = eth::SigningPayload(tx);
      raw = eth::EncodeSigned(tx, SignatureFrom(t));
    } else {
      eth::Eip1559Transaction tx = Eip1559From(t);
      unsigned_ = eth::SigningPayload(tx);
      raw = eth::EncodeSigned(tx, SignatureFrom(t));
    }
    EXPECT_EQ(Hex(unsigned_), S(t["unsigned"])) << t["name"];
    EXPECT_EQ(Hex(raw), S(t["raw"])) << t["name"];
  }
}

TEST(EthTx, ARawTransactionReadsBack) {
  for (const json& t : EthVectors()["tx"]["txs"]) {
    if (t["type"] != 0) continue;
    Result<eth::rlp::Item, eth::RlpError> item = eth::rlp::Decode(Unhex(t["raw"]));
    ASSERT_TRUE(item.is_ok()) << t["name"];
    ASSERT_EQ(item.value().items.size(), 9u);
    eth::LegacyTransaction tx = LegacyFrom(t);
    EXPECT_TRUE(eth::rlp::ToUint(item.value().items[0]).value() == eth::U256(tx.nonce));
    EXPECT_TRUE(eth::rlp::ToUint(item.value().items[4]).value() == tx.value);
    EXPECT_EQ(Hex(item.value().items[5].bytes), Lower(t["data"].get<std::string>()));
  }
}

}  // namespace
