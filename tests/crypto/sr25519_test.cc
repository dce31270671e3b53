// Sr25519 against Substrate's well-known development keys and a signature polkadot-js made,
// and verification refusing what schnorrkel refuses. sr25519.test.mjs checks the same functions
// against polkadot-js live, both ways, on random keys and messages.
#include "phat/crypto/sr25519.h"

#include <gtest/gtest.h>

#include "fixed_hex.h"

namespace phat::crypto {
namespace {

// The mini secret of Substrate's development phrase "bottom drive obey lake curtain smoke basket
// hold race lonely fit walk" (polkadot-js mnemonicToMiniSecret), its public key, and the hard
// junction //Alice under it: the mini secret and public key `subkey inspect //Alice` prints.
constexpr std::string_view kDevSeed =
    "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e";
constexpr std::string_view kDevPublic =
    "46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a";
constexpr std::string_view kAliceSeed =
    "e5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a";
constexpr std::string_view kAlicePublic =
    "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
// //Alice's secret key as polkadot-js gives it (sr25519PairFromSeed): schnorrkel's
// to_ed25519_bytes, the scalar times 8, then the nonce seed.
constexpr std::string_view kAliceEd25519FormSecret =
    "98319d4ff8a9508c4bb0cf0b5a78d760a0b2082c02775e6e82370816fedfff48"
    "925a225d97aa00682d6a59b95b18780c10d7032336e88f3442b42361f4a66011";

Sr25519SecretKey TimesCofactor(Sr25519SecretKey secret) {
  uint8_t carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    uint8_t high = secret[i] >> 5;
    secret[i] = static_cast<uint8_t>(secret[i] << 3 | carry);
    carry = high;
  }
  return secret;
}

Sr25519Keypair Alice() {
  return Sr25519KeypairFromSeed(Fixed<32>(kAliceSeed));
}

TEST(Sr25519, KeypairFromSeedMatchesSubstrate) {
  EXPECT_EQ(ToHex(Sr25519KeypairFromSeed(Fixed<32>(kDevSeed)).public_key), kDevPublic);
  Sr25519Keypair alice = Alice();
  EXPECT_EQ(ToHex(alice.public_key), kAlicePublic);
  // The same scalar and nonce seed as polkadot-js holds, in schnorrkel's other layout.
  EXPECT_EQ(ToHex(TimesCofactor(alice.secret_key)), kAliceEd25519FormSecret);
}

TEST(Sr25519, KeypairFromSecretKey) {
  Sr25519Keypair alice = Alice();
  auto restored = Sr25519KeypairFromSecretKey(alice.secret_key);
  ASSERT_TRUE(restored) << restored.error();
  EXPECT_EQ(restored->public_key, alice.public_key);
  EXPECT_EQ(restored->secret_key, alice.secret_key);
  // polkadot-js's layout has the scalar times 8, above the group order: refused, not misread.
  auto other_form = Sr25519KeypairFromSecretKey(Fixed<64>(kAliceEd25519FormSecret));
  ASSERT_FALSE(other_form);
  EXPECT_NE(other_form.error().find("group order"), std::string::npos);
}

TEST(Sr25519, ChainCodeFromJunction) {
  // "Alice": compact length 5 (0x14), the bytes, zero padding (as polkadot-js's keyExtractPath).
  EXPECT_EQ(ToHex(Sr25519ChainCodeFromJunction("Alice")),
            "14416c6963650000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(Sr25519ChainCodeFromJunction("0"), Sr25519ChainCode{});
  EXPECT_EQ(ToHex(Sr25519ChainCodeFromJunction("18446744073709551615")),
            "ffffffffffffffff000000000000000000000000000000000000000000000000");
  // More than 32 bytes of encoding: its BLAKE2b-256 (value from polkadot-js).
  EXPECT_EQ(ToHex(Sr25519ChainCodeFromJunction("a-very-long-junction-name-that-exceeds-32-bytes")),
            "2faed4cf23b4488ccefadab325044f1306e7a911a604a3b0545e266f31cda6ca");
  // Where sp_core and polkadot-js part: Rust's u64 parse takes "+5" as 5 and 2^64 as text.
  EXPECT_EQ(Sr25519ChainCodeFromJunction("+5"), Sr25519ChainCodeFromJunction("5"));
  EXPECT_EQ(ToHex(Sr25519ChainCodeFromJunction("18446744073709551616")),
            "503138343436373434303733373039353531363136"
            "0000000000000000000000");
}

TEST(Sr25519, HardDeriveAliceFromDevSeed) {
  Sr25519Keypair dev = Sr25519KeypairFromSeed(Fixed<32>(kDevSeed));
  Sr25519MiniSecret alice =
      Sr25519HardDerive(dev.secret_key, Sr25519ChainCodeFromJunction("Alice"));
  EXPECT_EQ(ToHex(alice), kAliceSeed);
  EXPECT_EQ(ToHex(Sr25519KeypairFromSeed(alice).public_key), kAlicePublic);
  // Only the scalar enters: a different nonce seed derives the same key.
  Sr25519SecretKey renonced = dev.secret_key;
  renonced[40] ^= 1;
  EXPECT_EQ(Sr25519HardDerive(renonced, Sr25519ChainCodeFromJunction("Alice")), alice);
}

TEST(Sr25519, VerifiesPolkadotJsSignature) {
  // //Alice's signature of 01 02 03, made by polkadot-js 14.0.3 (sr25519Sign, context
  // "substrate").
  Sr25519Signature signature = Fixed<64>(
      "5ce9ae664a4c2b99c43409273d482db95a972988a7af4c2d5e694fb7ab5dfc40"
      "2e1eacd965b5468cb3ae83456161900599880fb312c46585992e588b2086ec84");
  const Bytes message = {1, 2, 3};
  EXPECT_TRUE(Sr25519Verify(signature, message, Fixed<32>(kAlicePublic)));
  EXPECT_FALSE(Sr25519Verify(signature, message, Fixed<32>(kAlicePublic), AsBytes("other")));
}

TEST(Sr25519, SignVerifyRoundTrip) {
  Sr25519Keypair alice = Alice();
  for (const Bytes& message : {Bytes{}, Bytes{0x42}, Bytes(1000, 0xab)}) {
    Sr25519Signature signature = Sr25519Sign(alice, message);
    EXPECT_EQ(signature[63] & 0x80, 0x80);
    EXPECT_TRUE(Sr25519Verify(signature, message, alice.public_key));
    // Randomised: a second signature differs and verifies too.
    Sr25519Signature again = Sr25519Sign(alice, message);
    EXPECT_NE(again, signature);
    EXPECT_TRUE(Sr25519Verify(again, message, alice.public_key));
  }
  Sr25519Signature in_context = Sr25519Sign(alice, Bytes{7}, AsBytes("pink"));
  EXPECT_TRUE(Sr25519Verify(in_context, Bytes{7}, alice.public_key, AsBytes("pink")));
  EXPECT_FALSE(Sr25519Verify(in_context, Bytes{7}, alice.public_key));
}

TEST(Sr25519, VerifyRefusesTampering) {
  Sr25519Keypair alice = Alice();
  const Bytes message = {1, 2, 3};
  Sr25519Signature signature = Sr25519Sign(alice, message);
  ASSERT_TRUE(Sr25519Verify(signature, message, alice.public_key));

  EXPECT_FALSE(Sr25519Verify(signature, Bytes{1, 2, 4}, alice.public_key));
  for (size_t at : {0, 31, 32, 62}) {
    Sr25519Signature flipped = signature;
    flipped[at] ^= 1;
    EXPECT_FALSE(Sr25519Verify(flipped, message, alice.public_key)) << at;
  }
  Sr25519PublicKey dev = Sr25519KeypairFromSeed(Fixed<32>(kDevSeed)).public_key;
  EXPECT_FALSE(Sr25519Verify(signature, message, dev));
}

TEST(Sr25519, VerifyRequiresMarker) {
  Sr25519Keypair alice = Alice();
  Sr25519Signature signature = Sr25519Sign(alice, Bytes{9});
  signature[63] &= 0x7f;
  EXPECT_FALSE(Sr25519Verify(signature, Bytes{9}, alice.public_key));
}

// s + ℓ is the same scalar mod the group order ℓ: only the canonical-encoding check refuses it.
TEST(Sr25519, VerifyRefusesNonCanonicalScalar) {
  static constexpr uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                         0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  Sr25519Keypair alice = Alice();
  Sr25519Signature signature = Sr25519Sign(alice, Bytes{5});
  signature[63] &= 0x7f;
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    unsigned sum = signature[32 + i] + kOrder[i] + carry;
    signature[32 + i] = static_cast<uint8_t>(sum);
    carry = sum >> 8;
  }
  ASSERT_EQ(signature[63] & 0x80, 0);  // s + ℓ < 2^254: the marker bit is still free
  signature[63] |= 0x80;
  EXPECT_FALSE(Sr25519Verify(signature, Bytes{5}, alice.public_key));
}

TEST(Sr25519, VerifyRefusesBadEncodings) {
  Sr25519Keypair alice = Alice();
  Sr25519Signature signature = Sr25519Sign(alice, Bytes{6});
  // R: not a ristretto255 encoding at all.
  Sr25519Signature bad_r = signature;
  std::fill_n(bad_r.begin(), 32, 0xff);
  EXPECT_FALSE(Sr25519Verify(bad_r, Bytes{6}, alice.public_key));
  // Public key: the field element p, a non-canonical encoding of 0 (the identity).
  Sr25519PublicKey p =
      Fixed<32>("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  EXPECT_FALSE(Sr25519Verify(signature, Bytes{6}, p));
}

// schnorrkel decodes the identity as a public key, and then s·B = R holds for any s: a signature
// anyone can make. Kept, so that a contract gets the chain's answer.
TEST(Sr25519, IdentityPublicKeyAsSchnorrkel) {
  Sr25519Signature signature = Fixed<64>(
      "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"    // the base point B
      "0100000000000000000000000000000000000000000000000000000000000080");  // s = 1, marked
  EXPECT_TRUE(Sr25519Verify(signature, AsBytes("anything"), Sr25519PublicKey{}));
}

}  // namespace
}  // namespace phat::crypto
