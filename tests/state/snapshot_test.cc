// Snapshots: a consistent view that later writes do not change, readable from many threads while
// one writer applies, and still readable after the RocksDbState that made it is gone.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "state/state_test_util.h"

namespace phat::state::testing {
namespace {

constexpr int kKeys = 16;
const AccountId kContract = Id(0x42);
const AccountId kAccount = Id(0x07);

// Batch `seq` sets every key to seq and the balance to seq, and records seq in the metadata; on
// odd seqs it first wipes the storage and writes only half the keys. So in any consistent view
// every value present equals the metadata's seq, and the number of keys follows from it.
StateChanges Batch(uint32_t seq) {
  StateChanges c;
  if (seq % 2 == 1) c.wiped.insert(kContract);
  int n = seq % 2 == 1 ? kKeys / 2 : kKeys;
  for (int k = 0; k < n; ++k) c.storage[{kContract, Bytes{uint8_t(k)}}] = Le32(seq);
  c.balances[kAccount] = seq;
  return c;
}

// Empty if the view is consistent, else what is wrong with it.
template <typename Reader>
std::string CheckConsistent(const Reader& view, uint32_t* seq_out) {
  std::optional<Bytes> meta = view.GetMeta("seq");
  uint32_t seq =
      meta ? uint32_t((*meta)[0]) | (*meta)[1] << 8 | (*meta)[2] << 16 | uint32_t((*meta)[3]) << 24
           : 0;
  *seq_out = seq;
  size_t expected_keys = seq == 0 ? 0 : seq % 2 == 1 ? kKeys / 2 : kKeys;
  auto storage = view.StorageOf(kContract);
  if (storage.size() != expected_keys)
    return "seq " + std::to_string(seq) + " with " + std::to_string(storage.size()) + " keys";
  for (int k = 0; k < kKeys; ++k) {
    auto value = view.GetStorage(kContract, Bytes{uint8_t(k)});
    bool present = size_t(k) < expected_keys;
    if (present != value.has_value() || (value && *value != Le32(seq)))
      return "seq " + std::to_string(seq) + ": key " + std::to_string(k) + " is wrong";
  }
  if (view.GetBalance(kAccount) != seq) return "seq " + std::to_string(seq) + ": balance";
  return "";
}

class SnapshotTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(SnapshotTest, ASnapshotDoesNotSeeLaterWrites) {
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ApplyWithMeta(Batch(2), {{"seq", Le32(2)}}).has_value());
  auto snapshot = db->Snapshot();
  ASSERT_TRUE(db->ApplyWithMeta(Batch(3), {{"seq", Le32(3)}}).has_value());
  uint32_t seq = 0;
  EXPECT_EQ(CheckConsistent(*snapshot, &seq), "");
  EXPECT_EQ(seq, 2u);
  EXPECT_EQ(CheckConsistent(*db, &seq), "");
  EXPECT_EQ(seq, 3u);
  EXPECT_EQ(snapshot->GetStorage(kContract, Bytes{15}), Le32(2));  // wiped after the snapshot
  EXPECT_EQ(db->GetStorage(kContract, Bytes{15}), std::nullopt);
}

TEST_F(SnapshotTest, ASnapshotOutlivesTheStateThatMadeIt) {
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ApplyWithMeta(Batch(4), {{"seq", Le32(4)}}).has_value());
  std::unique_ptr<contracts::StateReader> reader = db->Snapshot();
  auto snapshot = db->Snapshot();
  db.reset();
  uint32_t seq = 0;
  EXPECT_EQ(CheckConsistent(*snapshot, &seq), "");
  EXPECT_EQ(seq, 4u);
  EXPECT_EQ(reader->GetBalance(kAccount), 4u);
  // The database closes when the last snapshot goes; then it opens again.
  reader.reset();
  snapshot.reset();
  EXPECT_TRUE(MustOpen(dir_.path()));
}

TEST_F(SnapshotTest, ReadersSeeWholeBatchesWhileOneThreadWrites) {
  auto db = MustOpen(dir_.path(), {.sync = false});
  ASSERT_TRUE(db);
  auto at_start = db->Snapshot();
  constexpr uint32_t kBatches = 300;
  std::atomic<bool> done{false};
  std::atomic<int> views{0};
  std::vector<std::string> errors(3);

  std::atomic<int> readers_started{0};
  std::thread writer([&] {
    // Start when the readers do, so that they read while it writes.
    while (readers_started < 2) std::this_thread::yield();
    for (uint32_t seq = 1; seq <= kBatches; ++seq) {
      auto applied = db->ApplyWithMeta(Batch(seq), {{"seq", Le32(seq)}});
      if (!applied) {
        errors[0] = applied.error();
        break;
      }
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int r = 1; r < 3; ++r) {
    readers.emplace_back([&, r] {
      ++readers_started;
      uint32_t last = 0;
      while (!done && errors[r].empty()) {
        auto snapshot = db->Snapshot();
        uint32_t seq = 0;
        std::string error = CheckConsistent(*snapshot, &seq);
        if (error.empty() && seq < last) error = "went back from " + std::to_string(last);
        if (!error.empty()) errors[r] = error;
        last = seq;
        ++views;
      }
    });
  }
  writer.join();
  for (std::thread& t : readers) t.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  EXPECT_GT(views.load(), 0);

  uint32_t seq = 1;
  EXPECT_EQ(CheckConsistent(*at_start, &seq), "");
  EXPECT_EQ(seq, 0u);
  EXPECT_EQ(CheckConsistent(*db, &seq), "");
  EXPECT_EQ(seq, kBatches);
}

}  // namespace
}  // namespace phat::state::testing
