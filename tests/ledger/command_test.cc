// Commands: their encoding, and signatures that bind them to one origin and one cluster.
#include "phat/ledger/command.h"

#include <gtest/gtest.h>

#include "phat/crypto/hash.h"
#include "phat/crypto/ed25519.h"
#include "phat/crypto/secp256k1.h"
#include "phat/crypto/sr25519.h"

namespace phat::ledger {
namespace {

const CodeHash kCluster = crypto::Blake2b256(AsBytes("test cluster"));
std::array<uint8_t, 32> Seed(uint8_t fill) {
  std::array<uint8_t, 32> s;
  s.fill(fill);
  return s;
}

Command CallFrom(const AccountId& origin, uint64_t nonce) {
  Command c;
  c.origin = origin;
  c.nonce = nonce;
  c.gas_limit = 1'000'000'000;
  c.body = CallContract{AccountId{}, 5, Bytes{0x84, 0xa1, 0x5d, 0xa1}};
  return c;
}

AccountId Ed25519Account(uint8_t fill) {
  auto key = crypto::Ed25519KeypairFromSeed(Seed(fill)).public_key;
  return AccountId(key);
}

TEST(Command, EveryKindRoundTripsThroughScale) {
  std::vector<CommandBody> bodies = {
      UploadCode{Bytes{0, 'a', 's', 'm'}, false},
      InstantiateContract{crypto::Blake2b256(AsBytes("code")), 7, Bytes{1, 2}, Bytes{3}},
      CallContract{Ed25519Account(1), 0, Bytes{9}},
      TransferBalance{Ed25519Account(2), contracts::Balance(1) << 100},
  };
  for (const CommandBody& body : bodies) {
    Command c = CallFrom(Ed25519Account(3), 42);
    c.body = body;
    Bytes bytes = codec::Encode(c);
    auto back = codec::DecodeAll<Command>(bytes);
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(codec::Encode(*back), bytes);
    EXPECT_EQ(back->body.index(), body.index());
    EXPECT_EQ(back->nonce, 42u);
  }
}

TEST(Command, MalformedBytesAreAnErrorNotACrash) {
  Bytes bytes = codec::Encode(CallFrom(Ed25519Account(3), 1));
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_FALSE(codec::DecodeAll<Command>(ByteView(bytes.data(), cut))) << cut;
  bytes[48] = 9;  // the body's variant index
  EXPECT_FALSE(codec::DecodeAll<Command>(bytes));
}

TEST(Command, AnEd25519SignatureVerifiesAndNamesTheOrigin) {
  Command c = CallFrom(Ed25519Account(1), 0);
  SignedCommand s = SignEd25519(kCluster, c, Seed(1));
  auto verified = VerifyCommand(kCluster, s);
  ASSERT_TRUE(verified) << verified.error();
  EXPECT_EQ(verified->origin, Ed25519Account(1));
  auto round = codec::DecodeAll<SignedCommand>(codec::Encode(s));
  ASSERT_TRUE(round);
  EXPECT_TRUE(VerifyCommand(kCluster, *round));
}

TEST(Command, ASecp256k1SignatureVerifiesForTheKeysAccount) {
  auto secret = Seed(7);
  auto key = crypto::PublicKeyFromSecret(secret);
  ASSERT_TRUE(key);
  AccountId account = *AccountOf(SignatureScheme::Secp256k1, *key);
  EXPECT_EQ(account, crypto::Blake2b256(*key));
  auto s = SignSecp256k1(kCluster, CallFrom(account, 0), secret);
  ASSERT_TRUE(s) << s.error();
  auto verified = VerifyCommand(kCluster, *s);
  ASSERT_TRUE(verified) << verified.error();
  EXPECT_EQ(verified->origin, account);
}

TEST(Command, AnSr25519SignatureVerifiesForThePublicKeysAccount) {
  const std::array<uint8_t, 32> secret = Seed(9);
  const crypto::Sr25519Keypair keys = crypto::Sr25519KeypairFromSeed(secret);
  const AccountId account = keys.public_key;  // as in Substrate
  SignedCommand s = SignSr25519(kCluster, CallFrom(account, 0), secret);
  auto round = codec::DecodeAll<SignedCommand>(codec::Encode(s));
  ASSERT_TRUE(round);
  auto verified = VerifyCommand(kCluster, *round);
  ASSERT_TRUE(verified) << verified.error();
  EXPECT_EQ(verified->origin, account);
  s.signature[10] ^= 1;
  EXPECT_FALSE(VerifyCommand(kCluster, s));
  // The same key read as ed25519 does not verify an sr25519 signature.
  SignedCommand as_ed = SignSr25519(kCluster, CallFrom(account, 0), secret);
  as_ed.scheme = SignatureScheme::Ed25519;
  EXPECT_FALSE(VerifyCommand(kCluster, as_ed));
}

TEST(Command, ATamperedCommandOrAnotherClusterIsRefused) {
  SignedCommand s = SignEd25519(kCluster, CallFrom(Ed25519Account(1), 0), Seed(1));
  SignedCommand tampered = s;
  tampered.command.back() ^= 1;
  EXPECT_FALSE(VerifyCommand(kCluster, tampered));
  EXPECT_FALSE(VerifyCommand(crypto::Blake2b256(AsBytes("other")), s));
  SignedCommand bad_sig = s;
  bad_sig.signature[0] ^= 1;
  EXPECT_FALSE(VerifyCommand(kCluster, bad_sig));
}

TEST(Command, SigningForSomeoneElseIsRefused) {
  // Key 2 signs a command whose origin is key 1's account.
  SignedCommand s = SignEd25519(kCluster, CallFrom(Ed25519Account(1), 0), Seed(2));
  auto verified = VerifyCommand(kCluster, s);
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().find("not the signer's account"), std::string::npos);
}

TEST(Command, KeysAndSignaturesOfTheWrongSizeAreRefused) {
  SignedCommand s = SignEd25519(kCluster, CallFrom(Ed25519Account(1), 0), Seed(1));
  s.public_key.pop_back();
  EXPECT_FALSE(VerifyCommand(kCluster, s));
  s = SignEd25519(kCluster, CallFrom(Ed25519Account(1), 0), Seed(1));
  s.signature.push_back(0);
  EXPECT_FALSE(VerifyCommand(kCluster, s));
  Bytes encoded = codec::Encode(s);
  encoded[codec::Encode(s.command).size()] = 7;  // the scheme byte
  EXPECT_FALSE(codec::DecodeAll<SignedCommand>(encoded));
}

}  // namespace
}  // namespace phat::ledger
