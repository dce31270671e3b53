// Ed25519 against RFC 8032 §7.1, and verification refusing what it must.
#include "phat/crypto/ed25519.h"

#include <gtest/gtest.h>

#include "fixed_hex.h"

namespace phat::crypto {
namespace {

struct Rfc8032Vector {
  std::string_view seed, public_key, message, signature;
};

// RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte).
constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

TEST(Ed25519, Rfc8032Vectors) {
  for (const auto& v : kVectors) {
    Ed25519Keypair keypair = Ed25519KeypairFromSeed(Fixed<32>(v.seed));
    EXPECT_EQ(ToHex(keypair.public_key), v.public_key);
    Bytes message = *FromHex(v.message);
    Ed25519Signature signature = Ed25519Sign(keypair, message);
    EXPECT_EQ(ToHex(signature), v.signature);
    EXPECT_TRUE(Ed25519Verify(signature, message, keypair.public_key));
  }
}

TEST(Ed25519, VerifyRefusesTampering) {
  Ed25519Keypair keypair = Ed25519KeypairFromSeed(Fixed<32>(kVectors[1].seed));
  Bytes message = {0x72};
  Ed25519Signature signature = Ed25519Sign(keypair, message);

  Bytes other = {0x73};
  EXPECT_FALSE(Ed25519Verify(signature, other, keypair.public_key));
  Ed25519Signature flipped = signature;
  flipped[10] ^= 1;
  EXPECT_FALSE(Ed25519Verify(flipped, message, keypair.public_key));
  Ed25519PublicKey wrong = Ed25519KeypairFromSeed(Fixed<32>(kVectors[0].seed)).public_key;
  EXPECT_FALSE(Ed25519Verify(signature, message, wrong));
  EXPECT_FALSE(Ed25519Verify(signature, message, Ed25519PublicKey{}));  // small order
}

}  // namespace
}  // namespace phat::crypto
