// Signed queries without the server: the signature's domain, expiry bounds, and the replay
// guard's memory (expiry, capacity, Forget).
#include "phat/node/query.h"

#include <gtest/gtest.h>

#include "phat/crypto/hash.h"
#include "phat/crypto/sr25519.h"
#include "phat/node/node.h"

namespace phat::node {
namespace {

TEST(Query, SignedQueriesVerifyOnlyForTheirCluster) {
  const DevAccount& alice = DevAccounts()[0];
  Query q{alice.id, DevAccounts()[1].id, Bytes{1, 2}, 1000, 5000};
  SignedQuery s = SignQueryEd25519(DevClusterId(), q, alice.seed);
  auto decoded = codec::DecodeAll<SignedQuery>(codec::Encode(s));
  ASSERT_TRUE(decoded);
  auto verified = VerifyQuery(DevClusterId(), *decoded);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->input, q.input);
  EXPECT_EQ(verified->expiry_ms, 5000u);
  auto foreign = VerifyQuery(crypto::Blake2b256(AsBytes("x")), s);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().kind, QueryError::Kind::BadSignature);
  // A signature of the wrong length is malformed, not merely wrong.
  s.signature.resize(10);
  EXPECT_EQ(VerifyQuery(DevClusterId(), s).error().kind, QueryError::Kind::Malformed);
}

// sr25519, as polkadot-js wallets sign: the account is the public key.
TEST(Query, AnSr25519SignedQueryVerifies) {
  const crypto::Sr25519Keypair keys = crypto::Sr25519KeypairFromSeed(crypto::Sr25519MiniSecret{4});
  Query q{keys.public_key, DevAccounts()[1].id, Bytes{1}, 1000, 5000};
  SignedQuery s;
  s.query = codec::Encode(q);
  s.scheme = ledger::SignatureScheme::Sr25519;
  s.public_key.assign(keys.public_key.begin(), keys.public_key.end());
  const auto signature = crypto::Sr25519Sign(keys, QuerySigningPayload(DevClusterId(), s.query));
  s.signature.assign(signature.begin(), signature.end());
  auto decoded = codec::DecodeAll<SignedQuery>(codec::Encode(s));
  ASSERT_TRUE(decoded);
  auto verified = VerifyQuery(DevClusterId(), *decoded);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->origin, keys.public_key);
  s.signature[0] ^= 1;
  EXPECT_EQ(VerifyQuery(DevClusterId(), s).error().kind, QueryError::Kind::BadSignature);
}

TEST(Query, ExpiryMustBeAheadButNotTooFar) {
  EXPECT_TRUE(CheckExpiry(1001, 1000, 60'000));
  EXPECT_FALSE(CheckExpiry(1000, 1000, 60'000));
  EXPECT_TRUE(CheckExpiry(61'000, 1000, 60'000));
  EXPECT_FALSE(CheckExpiry(61'001, 1000, 60'000));
}

TEST(ReplayGuard, RemembersUntilExpiryWithinItsCapacity) {
  ReplayGuard guard(2);
  const CodeHash a = crypto::Blake2b256(AsBytes("a")), b = crypto::Blake2b256(AsBytes("b")),
                 c = crypto::Blake2b256(AsBytes("c"));
  EXPECT_TRUE(guard.CheckAndRecord(a, 100, 0));
  EXPECT_FALSE(guard.CheckAndRecord(a, 100, 50));
  EXPECT_TRUE(guard.CheckAndRecord(a, 200, 100));  // the first expired: forgotten
  EXPECT_TRUE(guard.CheckAndRecord(b, 300, 100));
  EXPECT_TRUE(guard.CheckAndRecord(c, 400, 100));  // full: a, closest to expiry, goes
  EXPECT_EQ(guard.size(), 2u);
  EXPECT_FALSE(guard.CheckAndRecord(c, 400, 100));
  guard.Forget(c);
  EXPECT_TRUE(guard.CheckAndRecord(c, 400, 100));
}

}  // namespace
}  // namespace phat::node
