// Query sessions without the server: opening (signature, origin, expiry, key agreement), the MAC,
// the replay window of counters, expiry and the table's bound.
#include "phat/node/session.h"

#include <gtest/gtest.h>

#include "phat/crypto/hash.h"
#include "phat/node/node.h"

namespace phat::node {
namespace {

constexpr uint64_t kNow = 1'000'000;

struct Client {
  crypto::KxKeypair keys = crypto::KxKeypairRandom();
  OpenedSession session;
  crypto::Hash256 key{};
  uint64_t counter = 0;

  // A query and its MAC under this client's key.
  std::pair<Bytes, crypto::Hash256> Query(Bytes input, uint64_t at_counter) {
    SessionQuery q{session.id, at_counter, DevAccounts()[1].id, std::move(input), 1000};
    Bytes bytes = codec::Encode(q);
    return {bytes, SessionQueryMac(key, bytes)};
  }
};

Client MustOpen(SessionTable& table, uint64_t expiry = kNow + 60'000) {
  const DevAccount& alice = DevAccounts()[0];
  Client c;
  SessionRequest request{alice.id, c.keys.public_key, expiry};
  auto opened = table.Open(DevClusterId(),
                           SignSessionRequestEd25519(DevClusterId(), request, alice.seed), kNow);
  EXPECT_TRUE(opened) << opened.error().message;
  if (!opened) return c;
  c.session = *opened;
  c.key = SessionKeyAtClient(c.keys, opened->node_key).value();
  return c;
}

TEST(Session, AQueryWithTheRightMacRunsAsTheSessionsOrigin) {
  SessionTable table(10, 3'600'000);
  Client c = MustOpen(table);
  auto [bytes, mac] = c.Query(Bytes{7}, 1);
  auto q = table.Authenticate(bytes, mac, kNow + 1);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->origin, DevAccounts()[0].id);
  EXPECT_EQ(q->dest, DevAccounts()[1].id);
  EXPECT_EQ(q->input, Bytes{7});
  EXPECT_EQ(q->expiry_ms, c.session.expiry_ms);
}

TEST(Session, AWrongMacOrAnotherSessionsKeyIsRefused) {
  SessionTable table(10, 3'600'000);
  Client c = MustOpen(table), other = MustOpen(table);
  auto [bytes, mac] = c.Query(Bytes{1}, 1);
  mac[0] ^= 1;
  EXPECT_EQ(table.Authenticate(bytes, mac, kNow).error().kind, QueryError::Kind::BadSignature);
  // The other session's key does not authenticate this session's query.
  Bytes same = bytes;
  EXPECT_EQ(table.Authenticate(same, SessionQueryMac(other.key, same), kNow).error().kind,
            QueryError::Kind::BadSignature);
  // Nor a tampered query under the right key's MAC.
  auto [good, good_mac] = c.Query(Bytes{1}, 2);
  good.back() ^= 1;
  EXPECT_EQ(table.Authenticate(good, good_mac, kNow).error().kind, QueryError::Kind::BadSignature);
}

TEST(Session, EachCounterIsAcceptedOnceWithinTheWindow) {
  SessionTable table(10, 3'600'000);
  Client c = MustOpen(table);
  auto run = [&](uint64_t counter) {
    auto [bytes, mac] = c.Query(Bytes{}, counter);
    return table.Authenticate(bytes, mac, kNow).has_value();
  };
  EXPECT_TRUE(run(5));
  EXPECT_FALSE(run(5));
  EXPECT_TRUE(run(3));  // out of order is fine, once
  EXPECT_FALSE(run(3));
  EXPECT_TRUE(run(5 + SessionTable::kReplayWindow));
  EXPECT_FALSE(run(5));                 // now outside the window
  EXPECT_FALSE(run(4));                 // never used, but too old to tell
  EXPECT_TRUE(run(6));                  // within the window and unused
  EXPECT_TRUE(run(uint64_t(1) << 63));  // a jump clears the window
  EXPECT_FALSE(run(uint64_t(1) << 63));
}

TEST(Session, OpeningChecksSignatureOriginAndExpiry) {
  SessionTable table(10, 3'600'000);
  const DevAccount& alice = DevAccounts()[0];
  const DevAccount& bob = DevAccounts()[1];
  crypto::KxKeypair keys = crypto::KxKeypairRandom();
  auto open = [&](const SessionRequest& r, const DevAccount& signer,
                  const CodeHash& cluster = DevClusterId()) {
    return table.Open(DevClusterId(), SignSessionRequestEd25519(cluster, r, signer.seed), kNow);
  };
  EXPECT_TRUE(open({alice.id, keys.public_key, kNow + 1000}, alice));
  EXPECT_EQ(open({alice.id, keys.public_key, kNow + 1000}, bob).error().kind,
            QueryError::Kind::BadSignature);  // bob cannot open alice's session
  EXPECT_EQ(open({alice.id, keys.public_key, kNow + 1000}, alice, crypto::Blake2b256(AsBytes("x")))
                .error()
                .kind,
            QueryError::Kind::BadSignature);  // signed for another cluster
  EXPECT_EQ(open({alice.id, keys.public_key, kNow}, alice).error().kind, QueryError::Kind::Expired);
  EXPECT_EQ(open({alice.id, keys.public_key, kNow + 3'600'001}, alice).error().kind,
            QueryError::Kind::Expired);  // longer than the longest session
  // A low-order point is not a usable key.
  EXPECT_EQ(open({alice.id, crypto::KxPublicKey{}, kNow + 1000}, alice).error().kind,
            QueryError::Kind::Malformed);
}

TEST(Session, SessionsEndAtTheirExpiryAndTheTableIsBounded) {
  SessionTable table(2, 3'600'000);
  Client soon = MustOpen(table, kNow + 10);
  Client later = MustOpen(table, kNow + 50'000);
  auto [bytes, mac] = soon.Query(Bytes{}, 1);
  EXPECT_TRUE(table.Authenticate(bytes, mac, kNow + 9));
  auto [again, again_mac] = soon.Query(Bytes{}, 2);
  EXPECT_EQ(table.Authenticate(again, again_mac, kNow + 10).error().kind,
            QueryError::Kind::BadSignature);  // expired: no such session
  EXPECT_EQ(table.size(), 1u);
  MustOpen(table, kNow + 60'000);
  Client fourth = MustOpen(table, kNow + 70'000);  // full: `later`, nearest its end, goes
  EXPECT_EQ(table.size(), 2u);
  auto [dropped, dropped_mac] = later.Query(Bytes{}, 1);
  EXPECT_FALSE(table.Authenticate(dropped, dropped_mac, kNow));
  auto [kept, kept_mac] = fourth.Query(Bytes{}, 1);
  EXPECT_TRUE(table.Authenticate(kept, kept_mac, kNow));
}

}  // namespace
}  // namespace phat::node
