// Injected disk faults (FaultEnv): a failed write, fdatasync, file creation or directory sync is
// an Io error, the log refuses appends until reopened, and no acknowledged record is lost, even
// when the machine then loses everything that was not synced. The last test runs random rounds of
// appends, faults and power cuts.
#include <gtest/gtest.h>

#include <filesystem>

#include "ledger/fault_env.h"
#include "ledger/format.h"
#include "phat/ledger/embedded_log.h"

namespace phat::ledger {
namespace {

using testing::FaultEnv;
using testing::RecordFor;
using testing::TempDir;

class FaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<EmbeddedLog> Open() {
    EmbeddedLog::Options options;
    options.env = &env_;
    options.segment_bytes = segment_bytes_;
    auto log = EmbeddedLog::Open(dir_.path(), options);
    EXPECT_TRUE(log) << log.error().ToString();
    return log ? std::move(*log) : nullptr;
  }

  // Appends RecordFor(first..first+n-1) as one batch.
  Expected<uint64_t, LogError> Append(CommandLog& log, uint64_t first, size_t n) {
    std::vector<Bytes> batch;
    for (size_t i = 0; i < n; ++i) batch.push_back(RecordFor(first + i));
    return log.Append(batch);
  }

  // Records 1..LastIndex() are RecordFor's, and LastIndex() is `acknowledged` or, if an
  // unacknowledged batch [acknowledged + 1, maybe_last] survived, all of it.
  void ExpectIntact(const CommandLog& log, uint64_t acknowledged, uint64_t maybe_last = 0) {
    uint64_t last = log.LastIndex();
    if (last != acknowledged) EXPECT_EQ(last, maybe_last) << "acknowledged " << acknowledged;
    auto entries = log.Read(1, SIZE_MAX, SIZE_MAX);
    ASSERT_TRUE(entries) << entries.error().ToString();
    ASSERT_EQ(entries->size(), last);
    for (uint64_t i = 0; i < last; ++i) ASSERT_EQ((*entries)[i].data, RecordFor(i + 1));
  }

  void ExpectRefused(CommandLog& log, uint64_t next) {
    auto again = Append(log, next, 1);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, LogError::Kind::Io);
    EXPECT_NE(again.error().message.find("reopen"), std::string::npos) << again.error().message;
  }

  TempDir dir_;
  FaultEnv env_;
  uint64_t segment_bytes_ = 64 << 20;
};

TEST_F(FaultTest, FailedWriteStopsTheLog) {
  auto log = Open();
  ASSERT_TRUE(Append(*log, 1, 3));
  env_.writes_until_failure = 0;
  auto failed = Append(*log, 4, 2);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, LogError::Kind::Io);
  EXPECT_NE(failed.error().message.find("injected"), std::string::npos);
  env_.HealAll();
  ExpectRefused(*log, 4);  // even though the disk is fine again
  ExpectIntact(*log, 3);   // reads go on
  log.reset();
  log = Open();
  ExpectIntact(*log, 3);
  EXPECT_EQ(Append(*log, 4, 2).value_or(0), 4u);
}

TEST_F(FaultTest, TornFailedWriteIsCutAtReopen) {
  auto log = Open();
  ASSERT_TRUE(Append(*log, 1, 3));
  env_.writes_until_failure = 0;
  env_.tear_failed_writes = true;
  ASSERT_FALSE(Append(*log, 4, 5));
  env_.HealAll();
  log.reset();
  log = Open();
  EXPECT_GT(log->recovery().truncated_bytes, 0u);
  ExpectIntact(*log, 3);
}

TEST_F(FaultTest, FailedSyncLosesOnlyTheUnacknowledgedBatch) {
  auto log = Open();
  ASSERT_TRUE(Append(*log, 1, 2));
  ASSERT_TRUE(Append(*log, 3, 2));
  env_.syncs_until_failure = 0;
  auto failed = Append(*log, 5, 3);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, LogError::Kind::Io);
  EXPECT_NE(failed.error().message.find("fdatasync"), std::string::npos);
  EXPECT_EQ(log->LastIndex(), 4u);  // never visible to readers
  env_.HealAll();
  ExpectRefused(*log, 5);
  log.reset();
  env_.DropUnsyncedData();  // the power goes
  log = Open();
  ExpectIntact(*log, 4);
}

TEST_F(FaultTest, FailedSyncWithoutPowerLossMayKeepTheWholeBatch) {
  auto log = Open();
  ASSERT_TRUE(Append(*log, 1, 2));
  env_.syncs_until_failure = 0;
  ASSERT_FALSE(Append(*log, 3, 3));
  env_.HealAll();
  log.reset();
  // The batch is still in the file, whole: Open keeps it and syncs it before serving it...
  log = Open();
  ExpectIntact(*log, 5);
  log.reset();
  // ...so a power cut now loses nothing that a reader may have seen.
  env_.DropUnsyncedData();
  log = Open();
  ExpectIntact(*log, 5);
}

TEST_F(FaultTest, FailedSegmentCreation) {
  segment_bytes_ = 600;
  for (int step = 0; step < 4; ++step) {
    SCOPED_TRACE(::testing::Message() << "failing step " << step);
    auto log = Open();
    ASSERT_TRUE(Append(*log, 1, 1));
    switch (step) {  // each step of making the next segment
      case 0:
        env_.creates_until_failure = 0;
        break;
      case 1:
        env_.writes_until_failure = 0;
        break;  // its header
      case 2:
        env_.syncs_until_failure = 0;
        break;
      case 3:
        env_.dir_syncs_until_failure = 0;
        break;
    }
    auto failed = Append(*log, 2, 20);  // too big for what is left of segment 1
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().kind, LogError::Kind::Io);
    env_.HealAll();
    ExpectRefused(*log, 2);
    log.reset();
    env_.DropUnsyncedData();
    log = Open();
    ExpectIntact(*log, 1);
    EXPECT_EQ(Append(*log, 2, 20).value_or(0), 2u);
    ExpectIntact(*log, 21);
    log.reset();
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path()))
      std::filesystem::remove(entry.path());
  }
}

// Rounds of random batches with a fault at a random moment, then a power cut that keeps a random
// part of the unsynced bytes (and maybe zeroes a sector of it). After each reopen: every
// acknowledged record is there and intact, and the one batch in flight is all there or not at all.
TEST_F(FaultTest, RandomFaultsAndPowerCuts) {
  segment_bytes_ = 2048;
  std::mt19937_64 rng(20240611);
  uint64_t acknowledged = 0;
  for (int round = 0; round < 150; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    auto log = Open();
    ASSERT_TRUE(log);
    uint64_t last = log->LastIndex();
    ASSERT_GE(last, acknowledged);
    ExpectIntact(*log, last);
    acknowledged = last;
    int fault_after = static_cast<int>(rng() % 12);
    switch (rng() % 4) {
      case 0:
        env_.writes_until_failure = fault_after;
        break;
      case 1:
        env_.syncs_until_failure = fault_after;
        break;
      case 2:
        env_.creates_until_failure = fault_after % 2;
        break;
      case 3:
        env_.dir_syncs_until_failure = fault_after % 3;
        break;
    }
    env_.tear_failed_writes = rng() % 2 == 0;
    uint64_t in_flight_last = 0;
    for (int i = 0; i < 20; ++i) {
      size_t n = 1 + rng() % 6;
      auto appended = Append(*log, acknowledged + 1, n);
      if (!appended) {
        in_flight_last = acknowledged + n;
        break;
      }
      ASSERT_EQ(*appended, acknowledged + 1);
      acknowledged += n;
    }
    env_.HealAll();
    log.reset();
    env_.DropUnsyncedData(&rng);
    log = Open();
    ASSERT_TRUE(log);
    ExpectIntact(*log, acknowledged, in_flight_last);
    acknowledged = log->LastIndex();
  }
  EXPECT_GT(acknowledged, 100u);
}

}  // namespace
}  // namespace phat::ledger
