// Applying blocks: signed commands run in order against the state, bad ones are rejected without
// changing anything, nonces stop replays, and the same blocks applied again from the start give
// the same receipts and the same state roots, on memory and on RocksDB alike.
#include "phat/ledger/block_applier.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "phat/crypto/ed25519.h"
#include "phat/crypto/hash.h"
#include "phat/state/rocksdb_state.h"
#include "wasm/test_util.h"

namespace phat::ledger {
namespace {

const CodeHash kCluster = crypto::Blake2b256(AsBytes("block applier test"));
const std::array<uint8_t, 32> kAliceSeed = [] {
  std::array<uint8_t, 32> s;
  s.fill(0xa1);
  return s;
}();
const AccountId kAlice = crypto::Ed25519KeypairFromSeed(kAliceSeed).public_key;

Bytes CommandsWasm() {
  std::ifstream in(std::string(PHAT_CONTRACT_FIXTURES) + "/commands.wat");
  std::stringstream text;
  text << in.rdbuf();
  return wasm::testing::Wat2Wasm(text.str());
}

Bytes Signed(uint64_t nonce, CommandBody body, uint64_t gas = 100'000'000'000) {
  Command c{kAlice, nonce, gas, std::move(body)};
  return codec::Encode(SignEd25519(kCluster, c, kAliceSeed));
}

// A funded genesis and three blocks: upload, instantiate, calls (one that reverts, one replayed,
// one with a bad signature).
std::vector<BlockEntry> Blocks() {
  const Bytes wasm = CommandsWasm();
  const CodeHash code = crypto::Blake2b256(wasm);
  const AccountId contract = contracts::Runtime::ContractAddress(kAlice, code, Bytes{'i'}, {});
  Bytes tampered = Signed(4, CallContract{contract, 0, Bytes{1, 'z'}});
  tampered[10] ^= 1;
  return {
      {1, 1000, {Signed(0, UploadCode{wasm, true})}},
      {2, 2000, {Signed(1, InstantiateContract{code, 0, Bytes{'i'}, {}})}},
      {3, 3000,
       {Signed(2, CallContract{contract, 0, Bytes{1, 'a'}}),    // stores "a"
        Signed(3, CallContract{contract, 0, Bytes{2, 'b'}}),    // reverts
        Signed(3, CallContract{contract, 0, Bytes{1, 'c'}}),    // nonce 3 is used up: rejected
        tampered,                                              // bad signature: rejected
        Signed(4, TransferBalance{AccountId{}, 10})}},
  };
}

contracts::StateChanges Genesis() {
  contracts::StateChanges g;
  g.balances[kAlice] = 1'000'000;
  return g;
}

struct History {
  std::vector<AppliedBlock> blocks;
};

History ApplyAll(contracts::State& state) {
  contracts::Runtime runtime;
  BlockApplier applier(runtime, {kCluster});
  state.Apply(Genesis());
  CodeHash root{};
  History run;
  for (const BlockEntry& entry : Blocks()) {
    auto outcome = applier.Apply(state, root, entry);
    state.Apply(outcome.changes);
    root = outcome.block.state_root;
    run.blocks.push_back(std::move(outcome.block));
  }
  return run;
}

TEST(BlockApplier, ReceiptsSayWhatBecameOfEachCommand) {
  contracts::MemoryState state;
  History run = ApplyAll(state);
  ASSERT_EQ(run.blocks.size(), 3u);
  const auto& upload = run.blocks[0].receipts.at(0);
  EXPECT_EQ(upload.status, Receipt::Status::Success) << upload.error;
  ASSERT_TRUE(upload.code_hash);
  const auto& deploy = run.blocks[1].receipts.at(0);
  EXPECT_EQ(deploy.status, Receipt::Status::Success) << deploy.error;
  ASSERT_TRUE(deploy.contract);
  const auto& r = run.blocks[2].receipts;
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].status, Receipt::Status::Success) << r[0].error;
  EXPECT_GT(r[0].gas_consumed, 0u);
  EXPECT_EQ(r[1].status, Receipt::Status::Reverted);
  EXPECT_EQ(r[1].output, Bytes{'b'});
  EXPECT_EQ(r[2].status, Receipt::Status::Rejected);
  EXPECT_NE(r[2].error.find("nonce 3"), std::string::npos) << r[2].error;
  EXPECT_EQ(r[3].status, Receipt::Status::Rejected);
  EXPECT_EQ(r[4].status, Receipt::Status::Success) << r[4].error;

  EXPECT_EQ(state.StorageOf(*deploy.contract).at(Bytes{0, 0, 0, 0}), Bytes{'a'});
  EXPECT_EQ(state.GetNonce(kAlice), 5u);  // 0..4 used; the rejected ones used nothing
  EXPECT_EQ(state.GetBalance(AccountId{}), 10u);
}

TEST(BlockApplier, ReplayingTheSameBlocksGivesTheSameRootsAndReceipts) {
  contracts::MemoryState first, second;
  History a = ApplyAll(first), b = ApplyAll(second);
  for (size_t i = 0; i < a.blocks.size(); ++i) {
    EXPECT_EQ(a.blocks[i].state_root, b.blocks[i].state_root) << "block " << i + 1;
    EXPECT_EQ(codec::Encode(a.blocks[i]), codec::Encode(b.blocks[i])) << "block " << i + 1;
  }
  // Every block moves the root.
  EXPECT_NE(a.blocks[0].state_root, a.blocks[1].state_root);
}

TEST(BlockApplier, RocksDbAndMemoryReachTheSameRoots) {
  auto dir = std::filesystem::temp_directory_path() /
             ("phat-block-applier-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    auto db = state::RocksDbState::Open(dir.string());
    ASSERT_TRUE(db) << db.error();
    contracts::MemoryState memory;
    History on_disk = ApplyAll(**db), in_memory = ApplyAll(memory);
    for (size_t i = 0; i < on_disk.blocks.size(); ++i)
      EXPECT_EQ(on_disk.blocks[i].state_root, in_memory.blocks[i].state_root) << i + 1;
  }
  std::filesystem::remove_all(dir);
}

TEST(BlockApplier, AppliedBlocksRoundTripThroughScale) {
  contracts::MemoryState state;
  History run = ApplyAll(state);
  for (const AppliedBlock& block : run.blocks) {
    Bytes bytes = codec::Encode(block);
    auto back = codec::DecodeAll<AppliedBlock>(bytes);
    ASSERT_TRUE(back) << back.error().ToString();
    EXPECT_EQ(codec::Encode(*back), bytes);
  }
  for (const BlockEntry& entry : Blocks()) {
    Bytes bytes = codec::Encode(entry);
    auto back = codec::DecodeAll<BlockEntry>(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->commands, entry.commands);
  }
}

TEST(BlockApplier, AGasLimitAboveTheMaximumIsRejected) {
  contracts::MemoryState state;
  state.Apply(Genesis());
  contracts::Runtime runtime;
  BlockApplier applier(runtime, {kCluster, 1'000'000});
  auto outcome = applier.Apply(state, {}, {1, 1, {Signed(0, TransferBalance{AccountId{}, 1}, 2'000'000)}});
  ASSERT_EQ(outcome.block.receipts.size(), 1u);
  EXPECT_EQ(outcome.block.receipts[0].status, Receipt::Status::Rejected);
  EXPECT_TRUE(outcome.changes.empty());
}

// The producer skips the signature check for commands Submit verified; everything else must come
// out the same, and a replay (which checks) is what catches bytes nobody verified.
TEST(BlockApplier, SkippingVerifiedSignaturesChangesNothingElse) {
  contracts::Runtime runtime;
  BlockApplier applier(runtime, {kCluster});
  Bytes forged = Signed(1, TransferBalance{AccountId{}, 5});
  forged[forged.size() - 1] ^= 1;  // the signature's last byte
  const BlockEntry entry{1, 1, {Signed(0, TransferBalance{AccountId{}, 3}), forged}};
  contracts::MemoryState state;
  state.Apply(Genesis());
  auto checked = applier.Apply(state, {}, entry);
  auto trusted = applier.Apply(state, {}, entry, /*signatures_verified=*/true);
  ASSERT_EQ(checked.block.receipts.size(), 2u);
  EXPECT_EQ(checked.block.receipts[0].status, Receipt::Status::Success);
  EXPECT_EQ(trusted.block.receipts[0].status, Receipt::Status::Success);
  EXPECT_EQ(checked.block.receipts[1].status, Receipt::Status::Rejected);
  EXPECT_EQ(trusted.block.receipts[1].status, Receipt::Status::Success);
}

}  // namespace
}  // namespace phat::ledger
