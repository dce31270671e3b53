// RocksDbState against MemoryState, the model it must read exactly like, on a real database in a
// fresh directory per test: a long seeded sequence of changes, wiped storage, metadata, reopening,
// and the errors Open gives.
#include <gtest/gtest.h>

#include <fstream>

#include "phat/state/state_root.h"
#include "state/state_test_util.h"

namespace phat::state::testing {
namespace {

class RocksDbStateTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(RocksDbStateTest, ReadsLikeMemoryStateAfterEveryApply) {
  ChangeGenerator gen(20240601);
  MemoryState model;
  auto db = MustOpen(dir_.path(), {.sync = false});
  ASSERT_TRUE(db);
  for (int step = 0; step < 400; ++step) {
    StateChanges changes = gen.Next();
    MemoryState before = model;
    auto snapshot = db->Snapshot();
    model.Apply(changes);
    db->Apply(changes);
    ASSERT_TRUE(SameState(model, *db, gen)) << "after step " << step;
    // The snapshot taken before this step still reads the state before it.
    ASSERT_TRUE(SameState(before, *snapshot, gen)) << "snapshot before step " << step;
  }
  // And all of it is on disk.
  db.reset();
  db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  EXPECT_TRUE(SameState(model, *db, gen));
}

TEST_F(RocksDbStateTest, AnEmptyDatabaseReadsAsNothing) {
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  EXPECT_TRUE(SameState(MemoryState(), *db, ChangeGenerator(1)));
  EXPECT_EQ(db->GetMeta("height"), std::nullopt);
  db->Apply(StateChanges{});  // nothing to write is not an error
}

TEST_F(RocksDbStateTest, AllOfABatchOrNoneIsThereAfterReopening) {
  ChangeGenerator gen(7);
  MemoryState model;
  {
    auto db = MustOpen(dir_.path());
    ASSERT_TRUE(db);
    for (int i = 0; i < 20; ++i) {
      StateChanges changes = gen.Next();
      model.Apply(changes);
      ASSERT_TRUE(db->ApplyWithMeta(changes, {{"step", Le32(i)}}).has_value());
    }
  }
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  EXPECT_TRUE(SameState(model, *db, gen));
  EXPECT_EQ(db->GetMeta("step"), Le32(19));
}

TEST_F(RocksDbStateTest, WipingAContractDeletesAllItsStorageBeforeTheBatchWrites) {
  // Neighbours in key order on both sides (ids that differ only in their last byte, and ones
  // that differ in the first), and the all-0xff id whose prefix end carries over.
  auto ending = [](uint8_t last) {
    AccountId id = Id(0x42);
    id.back() = last;
    return id;
  };
  const AccountId low = ending(0x41), target = Id(0x42), high = ending(0x43), last = Id(0xff);
  const AccountId far_low = Id(0x41), far_high = Id(0x43);
  StateChanges fill;
  for (const AccountId& a : {far_low, low, target, high, far_high, last}) {
    for (uint8_t k = 0; k < 10; ++k) fill.storage[{a, Bytes(k, k)}] = Bytes{k};
    fill.storage[{a, Bytes(300, 0xff)}] = Str("long");
  }
  fill.balances[high] = 5;  // the space after storage must not be touched either
  fill.contracts[target] = ContractInfo{Id(1)};
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  MemoryState model;
  db->Apply(fill);
  model.Apply(fill);

  StateChanges wipe;
  wipe.wiped = {target, last};
  wipe.storage[{target, Str("new")}] = Str("after");
  wipe.storage[{target, Bytes{}}] = std::nullopt;  // clearing a wiped key is fine too
  wipe.contracts[target] = std::nullopt;
  db->Apply(wipe);
  model.Apply(wipe);

  EXPECT_EQ(db->StorageOf(target), (std::map<Bytes, Bytes>{{Str("new"), Str("after")}}));
  EXPECT_TRUE(db->StorageOf(last).empty());
  EXPECT_EQ(db->StorageOf(low).size(), 11u);
  EXPECT_EQ(db->StorageOf(high).size(), 11u);
  EXPECT_EQ(db->StorageOf(far_low).size(), 11u);
  EXPECT_EQ(db->StorageOf(far_high).size(), 11u);
  EXPECT_EQ(db->GetBalance(high), 5u);
  EXPECT_EQ(db->GetContract(target), std::nullopt);
  for (const AccountId& a : {far_low, low, target, high, far_high, last}) {
    EXPECT_EQ(db->StorageOf(a), model.StorageOf(a));
    for (uint8_t k = 0; k < 10; ++k)
      EXPECT_EQ(db->GetStorage(a, Bytes(k, k)), model.GetStorage(a, Bytes(k, k)));
  }
}

TEST_F(RocksDbStateTest, BalancesKeepAllOf128Bits) {
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  const Balance big = ~Balance(0) - 1;
  StateChanges c;
  c.balances[Id(1)] = big;
  c.balances[Id(2)] = 0;
  db->Apply(c);
  EXPECT_EQ(db->GetBalance(Id(1)), big);
  EXPECT_EQ(db->GetBalance(Id(2)), 0u);
  EXPECT_EQ(db->GetBalance(Id(3)), 0u);
}

TEST_F(RocksDbStateTest, MetaIsWrittenWithTheChangesAndReadBack) {
  const CodeHash root = NextStateRoot(CodeHash{}, StateChanges{});
  StateChanges c;
  c.storage[{Id(1), Str("k")}] = Str("v");
  {
    auto db = MustOpen(dir_.path());
    ASSERT_TRUE(db);
    auto before = db->Snapshot();
    auto applied =
        db->ApplyWithMeta(c, {{"height", Le32(1)}, {"root", Bytes(root.begin(), root.end())}});
    ASSERT_TRUE(applied.has_value()) << applied.error();
    EXPECT_EQ(db->GetMeta("height"), Le32(1));
    EXPECT_EQ(db->GetMeta("root"), Bytes(root.begin(), root.end()));
    EXPECT_EQ(db->GetMeta("other"), std::nullopt);
    EXPECT_EQ(db->GetMeta(""), std::nullopt);
    EXPECT_EQ(before->GetMeta("height"), std::nullopt);
    EXPECT_EQ(db->Snapshot()->GetMeta("height"), Le32(1));
    // Metadata alone, and a key that is a prefix of another.
    ASSERT_TRUE(db->ApplyWithMeta({}, {{"height", Le32(2)}, {"h", Bytes{}}}).has_value());
    // Metadata keys live apart from storage: the same bytes as a storage key do not collide.
    EXPECT_EQ(db->GetStorage(Id(1), AsBytes("height")), std::nullopt);
  }
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  EXPECT_EQ(db->GetMeta("height"), Le32(2));
  EXPECT_EQ(db->GetMeta("h"), Bytes{});
  EXPECT_EQ(db->GetStorage(Id(1), AsBytes("k")), Str("v"));
}

TEST_F(RocksDbStateTest, OpeningAFileIsAClearError) {
  std::string file = dir_.Join("not-a-db");
  std::ofstream(file) << "hello";
  auto opened = RocksDbState::Open(file);
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().find(file), std::string::npos) << opened.error();
  EXPECT_NE(opened.error().find("not a directory"), std::string::npos) << opened.error();
  // A path under a file fails too, with RocksDB's reason.
  opened = RocksDbState::Open(file + "/db");
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().find("cannot open the state database at " + file + "/db"),
            std::string::npos)
      << opened.error();
}

TEST_F(RocksDbStateTest, OpeningAMissingDatabaseWithoutCreateIsAClearError) {
  auto opened = RocksDbState::Open(dir_.Join("missing"), {.create_if_missing = false});
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().find("does not exist"), std::string::npos) << opened.error();
  // An existing empty directory is not a database either.
  opened = RocksDbState::Open(dir_.path(), {.create_if_missing = false});
  ASSERT_FALSE(opened.has_value());
  EXPECT_NE(opened.error().find(dir_.path()), std::string::npos) << opened.error();
}

TEST_F(RocksDbStateTest, ADatabaseInUseCannotBeOpenedTwice) {
  auto db = MustOpen(dir_.path());
  ASSERT_TRUE(db);
  auto again = RocksDbState::Open(dir_.path());
  ASSERT_FALSE(again.has_value());
  EXPECT_NE(again.error().find("another phat process"), std::string::npos) << again.error();
}

TEST_F(RocksDbStateTest, ReopeningKeepsEverythingAndAcceptsMore) {
  ChangeGenerator gen(99);
  MemoryState model;
  for (int round = 0; round < 5; ++round) {
    auto db = MustOpen(dir_.path());
    ASSERT_TRUE(db);
    ASSERT_TRUE(SameState(model, *db, gen)) << "on opening, round " << round;
    for (int i = 0; i < 10; ++i) {
      StateChanges changes = gen.Next();
      model.Apply(changes);
      db->Apply(changes);
    }
  }
}

}  // namespace
}  // namespace phat::state::testing
