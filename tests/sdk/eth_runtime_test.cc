// The SDK's Ethereum headers inside a contract (contracts/eth_calls.cc) on phat's runtime with
// pink::PinkExtension: what needs the host (keccak-256, seal0.ecdsa_to_eth_address) or pink (the
// derived key, get_public_key, ecdsa_sign_prehashed), compared with what ethers made of the same
// input when the test ran (eth_vectors.mjs). Signatures are deterministic on both sides (RFC 6979,
// low s), so a contract's signed transaction must be ethers' byte for byte.
//
// The derived key is the contract's own, known only once it is deployed, so ethers sees it after
// this test: DerivedKeySignsForItsAddress writes what the contract reported and signed to
// eth_derived.json, and the sdk_eth_derived_check test has ethers check it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "eth_vectors.h"
#include "phat/base/bytes.h"
#include "phat/codec/scale.h"
#include "phat/contracts/runtime.h"
#include "phat/contracts/state.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/secp256k1.h"
#include "phat/crypto/sr25519.h"
#include "phat/pink/cache.h"
#include "phat/pink/extension.h"
#include "phat/pink/keys.h"
#include "sdk_contract_test.h"

namespace phat::contracts {
namespace {

using nlohmann::json;

// ---- test-local hex and SCALE, by hand ----
std::string NoPrefix(const json& hex) {
  std::string s = hex.get<std::string>();
  if (s.rfind("0x", 0) == 0) s = s.substr(2);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Le64(uint64_t v) {
  return ToHex(codec::Encode(v));
}
std::string Le64(const json& decimal) {
  return Le64(std::stoull(decimal.get<std::string>()));
}
// Vec<u8> / String: compact length ‖ bytes.
std::string Vec(std::string_view hex) {
  return ToHex(codec::Encode(Unhex(hex)));
}
std::string Str(std::string_view text) {
  return Vec(ToHex(AsBytes(text)));
}
// U256 from 32 bytes big-endian hex: SCALE writes its limbs least significant first, so the 32
// bytes reversed.
std::string U256Le(const json& be) {
  Bytes b = Unhex(NoPrefix(be));
  EXPECT_EQ(b.size(), 32u);
  return ToHex(Bytes(b.rbegin(), b.rend()));
}
std::string OptionAddress(const json& to) {
  return to.is_null() ? "00" : "01" + NoPrefix(to);
}
std::string ScaleTx(const json& t) {
  std::string common = OptionAddress(t["to"]) + U256Le(t["value"]) + Vec(NoPrefix(t["data"]));
  if (t["type"] == 0) {
    return Le64(t["nonce"]) + U256Le(t["gas_price"]) + Le64(t["gas_limit"]) + common +
           Le64(t["chain_id"]);
  }
  return Le64(t["chain_id"]) + Le64(t["nonce"]) + U256Le(t["max_priority_fee_per_gas"]) +
         U256Le(t["max_fee_per_gas"]) + Le64(t["gas_limit"]) + common;
}
std::string Label(const json& t, std::string_view legacy, std::string_view eip1559) {
  return std::string(t["type"] == 0 ? legacy : eip1559);
}

class EthCallsTest : public SdkContractTest {
 protected:
  void SetUp() override {
    pink::Services services;
    services.cache = &cache_;
    services.cluster_key = &cluster_key_;
    services.system_contract = Account(0x5c);
    Deploy(std::make_shared<pink::PinkExtension>(std::move(services)), "eth_calls");
  }

  pink::Cache cache_;
  pink::ClusterKey cluster_key_ = pink::ClusterKey::FromSeed(crypto::Sr25519MiniSecret{9});
};

TEST_F(EthCallsTest, KeccakAndSelectorsMatchEthers) {
  for (const json& s : EthVectors()["abi"]["signatures"]) {
    std::string signature = s["signature"];
    EXPECT_EQ(Query("function_selector", Str(signature)), "00" + NoPrefix(s["selector"]))
        << signature;
  }
  const json& transfer = EthVectors()["abi"]["calls"][0];
  ASSERT_EQ(transfer["fn"], "transfer");
  EXPECT_EQ(Query("encode_transfer", NoPrefix(transfer["to"]) + U256Le(transfer["amount"])),
            "00" + Vec(NoPrefix(transfer["data"])));
  // keccak-256 of each unsigned transaction is ethers' signing hash.
  for (const json& t : EthVectors()["tx"]["txs"]) {
    EXPECT_EQ(Query("keccak", Vec(NoPrefix(t["unsigned"]))), "00" + NoPrefix(t["signing_hash"]));
  }
}

TEST_F(EthCallsTest, AKeyHasEthersPublicKeyAndAddress) {
  const json& tx = EthVectors()["tx"];
  const std::string public_key = NoPrefix(tx["public_key"]), address = NoPrefix(tx["address"]);
  EXPECT_EQ(Query("key_of", NoPrefix(tx["secret"])), "00" + public_key + address);
  EXPECT_EQ(Query("address_of", public_key), "0001" + address);
  // 0x05 starts no SEC1 point: the host answers an error, the SDK None.
  EXPECT_EQ(Query("address_of", "05" + public_key.substr(2)), "0000");
}

TEST_F(EthCallsTest, SignedTransactionsMatchEthers) {
  const json& vectors = EthVectors()["tx"];
  const std::string secret = NoPrefix(vectors["secret"]);
  ASSERT_FALSE(vectors["txs"].empty());
  for (const json& t : vectors["txs"]) {
    const std::string scale = ScaleTx(t);
    EXPECT_EQ(Query(Label(t, "legacy_signing_hash", "eip1559_signing_hash"), scale),
              "00" + NoPrefix(t["signing_hash"]))
        << t["name"];
    EXPECT_EQ(Query(Label(t, "sign_legacy", "sign_eip1559"), secret + scale),
              "00" + Vec(NoPrefix(t["raw"])) + NoPrefix(t["hash"]))
        << t["name"];
  }
}

TEST_F(EthCallsTest, DerivedKeySignsForItsAddress) {
  std::remove(PHAT_ETH_DERIVED);  // a failure below must not leave an old file to check
  const std::string salt = Str("ethereum");
  const crypto::Sr25519SecretKey derived =
      cluster_key_.DeriveContractKey(contract_, AsBytes("ethereum"));
  crypto::EcdsaSecretKey secret;
  std::copy_n(derived.begin(), 32, secret.begin());  // Phala's convention: the first 32 bytes

  const std::string key = Query("derived_key", salt);
  ASSERT_EQ(key.size(), 2 * (1 + 33 + 20u)) << key;
  auto public_key = crypto::PublicKeyFromSecret(secret);
  ASSERT_TRUE(public_key.has_value());
  EXPECT_EQ(key.substr(2, 66), ToHex(*public_key));
  EXPECT_EQ(Transact("derived_key", salt), key);  // the same in a transaction

  json out = {{"secret", "0x" + ToHex(secret)},
              {"public_key", "0x" + key.substr(2, 66)},
              {"address", "0x" + key.substr(68)},
              {"signed", json::array()}};
  for (const json& t : EthVectors()["tx"]["txs"]) {
    const std::string label = Label(t, "sign_legacy_derived", "sign_eip1559_derived");
    const std::string signed_ = Query(label, salt + ScaleTx(t));
    ASSERT_EQ(signed_.substr(0, 2), "00") << signed_;
    EXPECT_EQ(Transact(label, salt + ScaleTx(t)), signed_) << t["name"];  // deterministic
    // 00 ‖ compact length ‖ raw ‖ hash (32 bytes)
    Bytes answer = Unhex(signed_.substr(2));
    codec::ScaleReader reader(answer);
    auto raw = codec::Decode<Bytes>(reader);
    ASSERT_TRUE(raw.has_value());
    out["signed"].push_back({{"name", t["name"]},
                             {"raw", "0x" + ToHex(*raw)},
                             {"hash", "0x" + signed_.substr(signed_.size() - 64)}});
  }
  std::ofstream(PHAT_ETH_DERIVED) << out.dump(1) << "\n";
}

}  // namespace
}  // namespace phat::contracts
