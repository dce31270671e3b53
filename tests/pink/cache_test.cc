// pink's local cache: the round trip of set, get and remove, contracts kept apart, expiry on a
// clock the test moves, the contract quota (key + value bytes, replacing charges the difference,
// a failed set changes nothing, expired entries free theirs), the worker-wide bound, a
// transaction's staged operations, and many threads at once.
#include "phat/pink/cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace phat::pink {
namespace {

using contracts::AccountId;
using namespace std::chrono_literals;

AccountId Contract(uint8_t n) {
  AccountId id{};
  id.fill(n);
  return id;
}

Bytes B(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// A clock that moves only when the test says so.
struct FakeClock {
  std::chrono::seconds now{1000};
  CacheClock AsClock() {
    return [this] { return now; };
  }
};

class CacheTest : public testing::Test {
 protected:
  CacheOptions Options() {
    CacheOptions options;
    options.clock = clock_.AsClock();
    options.default_lifetime = 60s;
    return options;
  }

  FakeClock clock_;
  const AccountId a_ = Contract(1);
  const AccountId b_ = Contract(2);
  const AccountId c_ = Contract(3);
};

TEST_F(CacheTest, SetGetRemoveRoundTrip) {
  Cache cache(Options());
  EXPECT_EQ(cache.Get(a_, B("k")), std::nullopt);
  ASSERT_TRUE(cache.Set(a_, B("k"), B("value")));
  EXPECT_EQ(cache.Get(a_, B("k")), B("value"));
  EXPECT_EQ(cache.Usage(a_), (CacheUsage{6, 1, 1 << 20}));
  EXPECT_EQ(cache.total_bytes(), 6 + Cache::kEntryOverhead);

  ASSERT_TRUE(cache.Set(a_, B("k"), B("other")));
  EXPECT_EQ(cache.Get(a_, B("k")), B("other"));

  EXPECT_EQ(cache.Remove(a_, B("k")), B("other"));
  EXPECT_EQ(cache.Get(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.Remove(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.Usage(a_).bytes, 0u);
  EXPECT_EQ(cache.total_bytes(), 0u);
}

TEST_F(CacheTest, EmptyKeysAndValuesAreEntriesToo) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, {}, {}));
  EXPECT_EQ(cache.Get(a_, {}), Bytes{});
  EXPECT_EQ(cache.Usage(a_).entries, 1u);
  EXPECT_EQ(cache.total_bytes(), Cache::kEntryOverhead);
}

TEST_F(CacheTest, ContractsHaveTheirOwnKeys) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("k"), B("a's")));
  ASSERT_TRUE(cache.Set(b_, B("k"), B("b's")));
  EXPECT_EQ(cache.Get(a_, B("k")), B("a's"));
  EXPECT_EQ(cache.Get(b_, B("k")), B("b's"));
  EXPECT_EQ(cache.Get(c_, B("k")), std::nullopt);

  EXPECT_EQ(cache.Remove(a_, B("k")), B("a's"));
  EXPECT_EQ(cache.Get(b_, B("k")), B("b's"));
  cache.SetExpiration(b_, B("k"), 0);
  EXPECT_EQ(cache.Get(b_, B("k")), std::nullopt);
}

TEST_F(CacheTest, AnEntryLivesTheDefaultLifetime) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("k"), B("v")));
  clock_.now += 59s;
  EXPECT_EQ(cache.Get(a_, B("k")), B("v"));
  clock_.now += 1s;  // its time has come: gone, as in Phala
  EXPECT_EQ(cache.Get(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.Remove(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.Usage(a_).entries, 0u);  // the Get dropped it
}

TEST_F(CacheTest, SetExpirationGivesANewLifetimeFromNow) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("short"), B("v")));
  ASSERT_TRUE(cache.Set(a_, B("long"), B("v")));
  clock_.now += 10s;
  cache.SetExpiration(a_, B("short"), 5);
  cache.SetExpiration(a_, B("long"), 100);  // past the default lifetime
  clock_.now += 4s;
  EXPECT_EQ(cache.Get(a_, B("short")), B("v"));
  clock_.now += 1s;
  EXPECT_EQ(cache.Get(a_, B("short")), std::nullopt);
  clock_.now += 94s;
  EXPECT_EQ(cache.Get(a_, B("long")), B("v"));
  clock_.now += 1s;
  EXPECT_EQ(cache.Get(a_, B("long")), std::nullopt);
}

TEST_F(CacheTest, SetExpirationZeroRemoves) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("k"), B("v")));
  cache.SetExpiration(a_, B("k"), 0);
  EXPECT_EQ(cache.Get(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.total_bytes(), 0u);
}

TEST_F(CacheTest, SetExpirationDoesNotCreateOrRevive) {
  Cache cache(Options());
  cache.SetExpiration(a_, B("missing"), 100);
  EXPECT_EQ(cache.Get(a_, B("missing")), std::nullopt);

  ASSERT_TRUE(cache.Set(a_, B("k"), B("v")));
  clock_.now += 60s;
  cache.SetExpiration(a_, B("k"), 100);  // already expired: dropped, not given more time
  EXPECT_EQ(cache.Get(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.Usage(a_).entries, 0u);
}

TEST_F(CacheTest, AHugeExpirationSaturates) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("k"), B("v")));
  cache.SetExpiration(a_, B("k"), UINT64_MAX);
  clock_.now += std::chrono::hours(24 * 365 * 1000);
  EXPECT_EQ(cache.Get(a_, B("k")), B("v"));
}

TEST_F(CacheTest, ReplacingAValueRestartsItsLifetime) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("k"), B("v1")));
  cache.SetExpiration(a_, B("k"), 5);
  ASSERT_TRUE(cache.Set(a_, B("k"), B("v2")));
  clock_.now += 59s;
  EXPECT_EQ(cache.Get(a_, B("k")), B("v2"));
}

TEST_F(CacheTest, TheQuotaCountsKeysAndValues) {
  CacheOptions options = Options();
  options.contract_quota = 10;
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("foo"), B("value")));                                    // 8
  EXPECT_EQ(cache.Set(a_, B("bar"), B("value")), unexpected(StorageQuotaExceeded{}));  // 16
  EXPECT_TRUE(cache.Set(a_, B("b"), B("a")));  // 10: exactly full
  EXPECT_FALSE(cache.Set(a_, B("c"), {}));
  EXPECT_TRUE(cache.Set(b_, B("bar"), B("value")));  // another contract, another quota
}

TEST_F(CacheTest, AFailedSetLeavesTheOldValue) {
  CacheOptions options = Options();
  options.contract_quota = 10;
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("k"), B("12345678")));     // 9
  EXPECT_FALSE(cache.Set(a_, B("k"), B("1234567890")));  // 11
  EXPECT_EQ(cache.Get(a_, B("k")), B("12345678"));
  EXPECT_EQ(cache.Usage(a_).bytes, 9u);
  EXPECT_EQ(cache.total_bytes(), 9 + Cache::kEntryOverhead);
}

TEST_F(CacheTest, ReplacingAValueChargesTheDifference) {
  CacheOptions options = Options();
  options.contract_quota = 10;
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("k"), B("12345678")));   // 9
  ASSERT_TRUE(cache.Set(a_, B("k"), B("123456789")));  // 10, not 9 + 10
  EXPECT_EQ(cache.Usage(a_).bytes, 10u);
  ASSERT_TRUE(cache.Set(a_, B("k"), B("1")));  // 2
  EXPECT_EQ(cache.Usage(a_).bytes, 2u);
  EXPECT_EQ(cache.total_bytes(), 2 + Cache::kEntryOverhead);
  EXPECT_TRUE(cache.Set(a_, B("j"), B("1234567")));  // 2 + 8
}

TEST_F(CacheTest, ExpiredEntriesFreeTheirQuota) {
  CacheOptions options = Options();
  options.contract_quota = 10;
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("old"), B("123456")));  // 9
  EXPECT_FALSE(cache.Set(a_, B("new"), B("123456")));
  clock_.now += 60s;
  // Not looked at since it expired, yet it no longer holds the quota.
  EXPECT_TRUE(cache.Set(a_, B("new"), B("123456")));
  EXPECT_EQ(cache.Usage(a_), (CacheUsage{9, 1, 10}));
  EXPECT_EQ(cache.total_bytes(), 9 + Cache::kEntryOverhead);
}

TEST_F(CacheTest, ASetOverTheQuotaDropsAllExpiredEntriesFirst) {
  CacheOptions options = Options();
  options.contract_quota = 10;
  Cache cache(options);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cache.Set(a_, B(std::to_string(i)), {}));
  clock_.now += 60s;
  // More expired entries than an operation drops in passing, and all are needed.
  EXPECT_TRUE(cache.Set(a_, B("k"), B("123456789")));
  EXPECT_EQ(cache.Usage(a_), (CacheUsage{10, 1, 10}));
}

TEST_F(CacheTest, OperationsDropAFewExpiredEntriesInPassing) {
  Cache cache(Options());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cache.Set(a_, B("k" + std::to_string(i)), B("v")));
  clock_.now += 60s;
  cache.Remove(a_, B("other"));
  EXPECT_EQ(cache.Usage(a_).entries, 10 - Cache::kSweepPerOp);
  cache.SetExpiration(a_, B("other"), 5);
  EXPECT_EQ(cache.Usage(a_).entries, 10 - 2 * Cache::kSweepPerOp);
}

TEST_F(CacheTest, SweepExpiredDropsEveryContractsExpiredEntries) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("k1"), B("v")));
  ASSERT_TRUE(cache.Set(b_, B("k1"), B("v")));
  ASSERT_TRUE(cache.Set(b_, B("k2"), B("v")));
  cache.SetExpiration(b_, B("k2"), 3600);
  clock_.now += 60s;
  EXPECT_EQ(cache.SweepExpired(), 2u);
  EXPECT_EQ(cache.Usage(a_).entries, 0u);
  EXPECT_EQ(cache.Usage(b_).entries, 1u);
  EXPECT_EQ(cache.total_bytes(), 3 + Cache::kEntryOverhead);
  EXPECT_EQ(cache.SweepExpired(), 0u);
}

TEST_F(CacheTest, TheWorkerBoundCoversAllContracts) {
  CacheOptions options = Options();
  options.total_bytes = 2 * (10 + Cache::kEntryOverhead);
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("k"), B("123456789")));
  ASSERT_TRUE(cache.Set(b_, B("k"), B("123456789")));
  EXPECT_EQ(cache.total_bytes(), options.total_bytes);
  EXPECT_EQ(cache.Set(c_, B("k"), {}), unexpected(StorageQuotaExceeded{}));
  EXPECT_FALSE(cache.Set(a_, B("k"), B("1234567890")));  // one byte more than it had
  EXPECT_EQ(cache.Get(a_, B("k")), B("123456789"));
  EXPECT_TRUE(cache.Set(a_, B("k"), B("1")));  // shrinking is always possible

  EXPECT_TRUE(cache.Remove(b_, B("k")));
  EXPECT_TRUE(cache.Set(c_, B("k"), B("123456789")));
}

TEST_F(CacheTest, OtherContractsExpiredEntriesMakeRoomInTheWorkerBound) {
  CacheOptions options = Options();
  options.total_bytes = 10 + Cache::kEntryOverhead;
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("k"), B("123456789")));
  EXPECT_FALSE(cache.Set(b_, B("k"), B("123456789")));
  clock_.now += 60s;
  EXPECT_TRUE(cache.Set(b_, B("k"), B("123456789")));
  EXPECT_EQ(cache.Usage(a_).entries, 0u);
}

TEST_F(CacheTest, AContractHoldsAtMostMaxEntries) {
  CacheOptions options = Options();
  options.max_entries_per_contract = 2;
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("1"), {}));
  ASSERT_TRUE(cache.Set(a_, B("2"), {}));
  EXPECT_FALSE(cache.Set(a_, B("3"), {}));
  EXPECT_TRUE(cache.Set(a_, B("2"), B("replaced")));
  clock_.now += 60s;
  EXPECT_TRUE(cache.Set(a_, B("3"), {}));  // the expired two made room
}

TEST_F(CacheTest, ALowerQuotaDropsTheSoonestToExpire) {
  Cache cache(Options());
  for (const char* k : {"a", "b", "c", "d"}) ASSERT_TRUE(cache.Set(a_, B(k), B("v")));
  cache.SetExpiration(a_, B("a"), 1000);
  cache.SetExpiration(a_, B("b"), 10);
  cache.SetExpiration(a_, B("c"), 500);
  cache.SetExpiration(a_, B("d"), 20);
  cache.SetQuota(a_, 4);  // room for two of the four
  EXPECT_EQ(cache.Usage(a_), (CacheUsage{4, 2, 4}));
  EXPECT_EQ(cache.Get(a_, B("a")), B("v"));
  EXPECT_EQ(cache.Get(a_, B("c")), B("v"));
  EXPECT_EQ(cache.Get(a_, B("b")), std::nullopt);
  EXPECT_EQ(cache.Get(a_, B("d")), std::nullopt);
  EXPECT_FALSE(cache.Set(a_, B("e"), B("v")));
}

TEST_F(CacheTest, AZeroQuotaMeansNoCache) {
  Cache cache(Options());
  ASSERT_TRUE(cache.Set(a_, B("k"), B("v")));
  cache.SetQuota(a_, 0);
  EXPECT_EQ(cache.Get(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.total_bytes(), 0u);
  EXPECT_FALSE(cache.Set(a_, {}, {}));
  cache.SetQuota(a_, 100);
  EXPECT_TRUE(cache.Set(a_, B("k"), B("v")));
}

TEST_F(CacheTest, StagedOperationsApplyInOrderAfterwards) {
  CacheOptions options = Options();
  options.contract_quota = 10;
  Cache cache(options);
  ASSERT_TRUE(cache.Set(a_, B("gone"), B("v")));
  CacheOps ops;
  ops.Set(a_, B("k"), B("1"));
  ops.Set(b_, B("k"), B("b"));
  ops.Remove(a_, B("gone"));
  ops.Set(a_, B("k"), B("2"));
  ops.Set(a_, B("big"), B("123456789"));  // over a's quota: refused
  ops.Set(a_, B("brief"), B("v"));
  ops.SetExpiration(a_, B("brief"), 5);
  ops.Set(b_, B("x"), B("x"));
  ops.SetExpiration(b_, B("x"), 0);
  ASSERT_EQ(ops.size(), 9u);
  EXPECT_EQ(ops.ops()[3], (CacheOps::Op{CacheOps::Kind::Set, a_, B("k"), B("2"), 0}));

  // Recording touches nothing.
  EXPECT_EQ(cache.Get(a_, B("k")), std::nullopt);
  EXPECT_EQ(cache.Get(a_, B("gone")), B("v"));

  EXPECT_EQ(cache.Apply(ops), 1u);
  EXPECT_EQ(cache.Get(a_, B("k")), B("2"));
  EXPECT_EQ(cache.Get(b_, B("k")), B("b"));
  EXPECT_EQ(cache.Get(a_, B("gone")), std::nullopt);
  EXPECT_EQ(cache.Get(a_, B("big")), std::nullopt);
  EXPECT_EQ(cache.Get(b_, B("x")), std::nullopt);
  EXPECT_EQ(cache.Get(a_, B("brief")), B("v"));
  clock_.now += 5s;
  EXPECT_EQ(cache.Get(a_, B("brief")), std::nullopt);
}

TEST_F(CacheTest, ARevertedFrameTakesItsOperationsWithIt) {
  Cache cache(Options());
  CacheOps ops;
  ops.Set(a_, B("outer"), B("v"));
  const size_t frame = ops.size();
  ops.Set(b_, B("inner"), B("v"));
  ops.Remove(a_, B("outer"));
  ops.Truncate(frame);
  ops.Truncate(10);  // past the end: nothing to forget
  ASSERT_EQ(ops.size(), 1u);

  EXPECT_EQ(cache.Apply(ops), 0u);
  EXPECT_EQ(cache.Get(a_, B("outer")), B("v"));
  EXPECT_EQ(cache.Get(b_, B("inner")), std::nullopt);
}

// Many threads on a few contracts, each with its own keys, on the real clock: no timing
// asserts, only that every thread reads back what it wrote and that the books balance after.
TEST(CacheConcurrencyTest, ManyThreadsAtOnce) {
  Cache cache;
  constexpr int kThreads = 8;
  constexpr int kRounds = 2000;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const AccountId contract = Contract(uint8_t(t % 3));
      for (int i = 0; i < kRounds; ++i) {
        const Bytes key = B("t" + std::to_string(t) + "-" + std::to_string(i % 50));
        const Bytes value = B(std::to_string(i));
        if (!cache.Set(contract, key, value)) ++wrong;
        if (cache.Get(contract, key) != value) ++wrong;
        if (i % 7 == 0 && cache.Remove(contract, key) != value) ++wrong;
        if (i % 11 == 0) cache.SetExpiration(contract, key, 3600);
        if (i % 500 == 0) cache.SweepExpired();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);

  uint64_t bytes = 0, entries = 0;
  for (uint8_t c = 0; c < 3; ++c) {
    bytes += cache.Usage(Contract(c)).bytes;
    entries += cache.Usage(Contract(c)).entries;
  }
  // Each thread keeps its 50 keys, less those whose last round removed them.
  uint64_t kept = 0;
  for (int i = kRounds - 50; i < kRounds; ++i) kept += i % 7 != 0;
  EXPECT_EQ(entries, kThreads * kept);
  EXPECT_EQ(cache.total_bytes(), bytes + entries * Cache::kEntryOverhead);
}

}  // namespace
}  // namespace phat::pink
