// ECDSA over secp256k1: known keys and addresses, sign → recover → verify round trips, and the
// acceptance rules shared with Substrate (v forms, r/s range, high s).
#include "phat/crypto/secp256k1.h"

#include <gtest/gtest.h>

#include "fixed_hex.h"

namespace phat::crypto {
namespace {

// The group order n.
constexpr std::string_view kOrder =
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

// n - s, big-endian: the other, "high" s of the same signature.
std::array<uint8_t, 32> Negate(const uint8_t* s) {
  auto n = Fixed<32>(kOrder);
  std::array<uint8_t, 32> out;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - s[i] - borrow;
    borrow = d < 0;
    out[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

const EcdsaSecretKey kEthSecret =
    Fixed<32>("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

TEST(Secp256k1, PublicKeyOfOneIsTheGenerator) {
  EcdsaSecretKey one{};
  one[31] = 1;
  auto key = PublicKeyFromSecret(one);
  ASSERT_TRUE(key) << key.error();
  EXPECT_EQ(ToHex(*key), "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
}

TEST(Secp256k1, EthereumAddresses) {
  auto key = PublicKeyFromSecret(kEthSecret);
  ASSERT_TRUE(key);
  auto address = EthAddressFromPublicKey(*key);
  ASSERT_TRUE(address);
  EXPECT_EQ(ToHex(*address), "2c7536e3605d9c16a7a3d7b1898e529396a65c23");

  EcdsaSecretKey one{};
  one[31] = 1;
  EXPECT_EQ(ToHex(*EthAddressFromPublicKey(*PublicKeyFromSecret(one))),
            "7e5f4552091a69125d5dfcb7b8c2659029395bdf");

  // x = 5 has no point on the curve (5^3 + 7 = 132 is not a square mod p).
  EcdsaPublicKey not_a_point{};
  not_a_point[0] = 0x02;
  not_a_point[32] = 5;
  EXPECT_FALSE(EthAddressFromPublicKey(not_a_point));
}

TEST(Secp256k1, Rfc6979KnownSignature) {
  // Secret 1, sha256("Satoshi Nakamoto"): a widely published deterministic-nonce vector.
  EcdsaSecretKey one{};
  one[31] = 1;
  auto sig = EcdsaSignPrehashed(one, Sha256(AsBytes("Satoshi Nakamoto")));
  ASSERT_TRUE(sig) << sig.error();
  EXPECT_EQ(ToHex(ByteView(*sig).first(64)),
            "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8"
            "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5");
}

TEST(Secp256k1, SignRecoverVerifyRoundTrip) {
  auto key = PublicKeyFromSecret(kEthSecret);
  ASSERT_TRUE(key);
  for (std::string_view message : {"", "hello", "phat"}) {
    Hash256 hash = Keccak256(AsBytes(message));
    auto sig = EcdsaSignPrehashed(kEthSecret, hash);
    ASSERT_TRUE(sig) << sig.error();
    EXPECT_LE((*sig)[64], 1);
    EXPECT_EQ(*sig, *EcdsaSignPrehashed(kEthSecret, hash));  // deterministic

    auto recovered = EcdsaRecover(*sig, hash);
    ASSERT_TRUE(recovered);
    EXPECT_EQ(*recovered, *key);
    EXPECT_TRUE(EcdsaVerifyPrehashed(*sig, hash, *key));

    // Ethereum's v = 27 + recovery id recovers the same key.
    EcdsaSignature eth = *sig;
    eth[64] += 27;
    EXPECT_EQ(EcdsaRecover(eth, hash), key);
    // ...but verify, as sp_core's, takes only the raw recovery id.
    EXPECT_FALSE(EcdsaVerifyPrehashed(eth, hash, *key));

    // Another hash recovers some other key, which verify refuses.
    Hash256 other = hash;
    other[0] ^= 1;
    EXPECT_NE(EcdsaRecover(*sig, other), key);
    EXPECT_FALSE(EcdsaVerifyPrehashed(*sig, other, *key));
  }
}

TEST(Secp256k1, HighSIsAcceptedByRecovery) {
  Hash256 hash = Blake2b256(AsBytes("high s"));
  auto sig = EcdsaSignPrehashed(kEthSecret, hash);
  ASSERT_TRUE(sig);
  EcdsaSignature high = *sig;
  auto s = Negate(sig->data() + 32);
  std::copy(s.begin(), s.end(), high.begin() + 32);
  high[64] ^= 1;  // negating s flips the parity of the recovered point's y
  auto key = PublicKeyFromSecret(kEthSecret);
  EXPECT_EQ(EcdsaRecover(high, hash), key);
  EXPECT_TRUE(EcdsaVerifyPrehashed(high, hash, *key));
}

TEST(Secp256k1, BadSignaturesDoNotRecover) {
  Hash256 hash = Sha256(AsBytes("bad"));
  auto good = EcdsaSignPrehashed(kEthSecret, hash);
  ASSERT_TRUE(good);

  EcdsaSignature zero{};
  EXPECT_FALSE(EcdsaRecover(zero, hash));  // r = s = 0

  EcdsaSignature overflow = *good;  // r = n: out of range, not reduced
  auto n = Fixed<32>(kOrder);
  std::copy(n.begin(), n.end(), overflow.begin());
  EXPECT_FALSE(EcdsaRecover(overflow, hash));

  EcdsaSignature high_s_overflow = *good;  // s = n
  std::copy(n.begin(), n.end(), high_s_overflow.begin() + 32);
  EXPECT_FALSE(EcdsaRecover(high_s_overflow, hash));

  for (uint8_t v : {4, 26, 31, 255}) {  // neither 0-3 nor 27-30
    EcdsaSignature bad_v = *good;
    bad_v[64] = v;
    EXPECT_FALSE(EcdsaRecover(bad_v, hash)) << int{v};
    EXPECT_FALSE(EcdsaVerifyPrehashed(bad_v, hash, *PublicKeyFromSecret(kEthSecret)));
  }
}

TEST(Secp256k1, InvalidSecretsAreErrors) {
  EcdsaSecretKey zero{};
  EXPECT_FALSE(EcdsaSignPrehashed(zero, Hash256{}));
  EXPECT_FALSE(PublicKeyFromSecret(zero));
  auto n = Fixed<32>(kOrder);
  auto r = PublicKeyFromSecret(n);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("invalid secp256k1 secret key"), std::string::npos);
}

}  // namespace
}  // namespace phat::crypto
