// The contract runtime on RocksDbState: upload, deploy and call the commands.wat fixture, reopen
// the database and find the code, the contract and its storage there; a fresh runtime runs the
// contract from the reopened state, and the same calls on MemoryState reach the same state root.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "phat/contracts/runtime.h"
#include "phat/state/state_root.h"
#include "state/state_test_util.h"
#include "wasm/test_util.h"

namespace phat::state::testing {
namespace {

using contracts::BlockContext;
using contracts::CallRequest;
using contracts::ExecResult;
using contracts::InstantiateRequest;
using contracts::Runtime;

const AccountId kAlice = Id(0xaa);
const contracts::Weight kGas{500'000'000'000, 1'000'000};
const BlockContext kBlock{42, 1'700'000'000'000};

Bytes CommandsWasm() {
  std::ifstream in(std::string(PHAT_CONTRACT_FIXTURES) + "/commands.wat");
  EXPECT_TRUE(in) << "no fixture commands.wat";
  std::stringstream text;
  text << in.rdbuf();
  return wasm::testing::Wat2Wasm(text.str());
}

Bytes Cmd(uint8_t command, std::string_view arg = {}) {
  Bytes out{command};
  out.insert(out.end(), arg.begin(), arg.end());
  return out;
}

// Uploads, deploys with "init" and stores "next"; returns the contract and the chain of roots
// over the changes each step applied.
struct Steps {
  CodeHash code{};
  AccountId contract{};
  CodeHash root{};
};
Steps UploadDeployAndCall(Runtime& runtime, contracts::State& state, const Bytes& wasm) {
  Steps run;
  StateChanges funding;
  funding.balances[kAlice] = Balance(1) << 100;
  state.Apply(funding);
  run.root = NextStateRoot(run.root, funding);

  auto prepared = runtime.PrepareUpload(state, kAlice, wasm);
  EXPECT_TRUE(prepared.has_value()) << (prepared ? "" : prepared.error().ToString());
  if (!prepared) return run;
  run.code = prepared->first;
  state.Apply(prepared->second);
  run.root = NextStateRoot(run.root, prepared->second);

  InstantiateRequest deploy{
      .origin = kAlice, .code_hash = run.code, .input = Str("init"), .gas_limit = kGas};
  ExecResult deployed = runtime.Instantiate(state, kBlock, deploy);
  EXPECT_TRUE(deployed.ok()) << (deployed.result ? "reverted" : deployed.result.error().ToString());
  if (!deployed.ok() || !deployed.account) return run;
  run.contract = *deployed.account;
  run.root = NextStateRoot(run.root, deployed.changes);

  ExecResult called = runtime.Call(
      state, kBlock,
      CallRequest{
          .origin = kAlice, .dest = run.contract, .input = Cmd(1, "next"), .gas_limit = kGas});
  EXPECT_TRUE(called.ok()) << (called.result ? "reverted" : called.result.error().ToString());
  run.root = NextStateRoot(run.root, called.changes);
  return run;
}

TEST(RuntimeOnRocksDbTest, ContractsRunOnTheDurableStateAndSurviveAReopen) {
  TempDir dir;
  const Bytes wasm = CommandsWasm();
  const Bytes kStorageKey{0, 0, 0, 0};  // commands.wat stores under ink!'s root key
  Steps run;
  {
    auto db = MustOpen(dir.path());
    ASSERT_TRUE(db);
    Runtime runtime;
    run = UploadDeployAndCall(runtime, *db, wasm);
    auto snapshot = db->Snapshot();
    ExecResult stored = runtime.Query(
        *snapshot, kBlock,
        CallRequest{.origin = kAlice, .dest = run.contract, .input = Cmd(0), .gas_limit = kGas});
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored.result->data, Str("next"));
    // A call that traps leaves nothing behind.
    ExecResult trapped = runtime.Call(
        *db, kBlock,
        CallRequest{
            .origin = kAlice, .dest = run.contract, .input = Cmd(3, "bad"), .gas_limit = kGas});
    EXPECT_FALSE(trapped.result.has_value());
  }

  auto db = MustOpen(dir.path());
  ASSERT_TRUE(db);
  EXPECT_EQ(db->StorageOf(run.contract), (std::map<Bytes, Bytes>{{kStorageKey, Str("next")}}));
  EXPECT_EQ(db->GetContract(run.contract), ContractInfo{run.code});
  EXPECT_EQ(db->GetCode(run.code), wasm);
  auto info = db->GetCodeInfo(run.code);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->refcount, 1u);
  EXPECT_EQ(info->owner, kAlice);

  // A runtime that never saw the upload compiles the code from the state and runs the contract.
  Runtime fresh;
  ExecResult r = fresh.Call(
      *db, kBlock,
      CallRequest{
          .origin = kAlice, .dest = run.contract, .input = Cmd(1, "again"), .gas_limit = kGas});
  ASSERT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
  EXPECT_EQ(db->GetStorage(run.contract, kStorageKey), Str("again"));

  // The same steps on the in-memory state reach the same storage and the same root.
  MemoryState memory;
  Runtime other;
  Steps in_memory = UploadDeployAndCall(other, memory, wasm);
  EXPECT_EQ(in_memory.contract, run.contract);
  EXPECT_EQ(in_memory.root, run.root);
  EXPECT_EQ(memory.StorageOf(run.contract), (std::map<Bytes, Bytes>{{kStorageKey, Str("next")}}));
}

}  // namespace
}  // namespace phat::state::testing
