// The runtime's core semantics with the commands.wat fixture: storage through the journaled
// overlay, revert and trap rollback, gas, events, value, nested calls and their error codes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "contracts/contract_test_util.h"
#include "phat/codec/scale.h"

namespace phat::contracts::testing {
namespace {

Bytes Cmd(uint8_t command, ByteView arg = {}) {
  Bytes out{command};
  out.insert(out.end(), arg.begin(), arg.end());
  return out;
}
Bytes Cmd(uint8_t command, std::string_view arg) { return Cmd(command, AsBytes(arg)); }

// Command 8's argument: callee ‖ flags ‖ input.
Bytes CallCmd(const AccountId& callee, uint32_t flags, ByteView input) {
  Bytes arg(callee.begin(), callee.end());
  for (int i = 0; i < 4; ++i) arg.push_back(uint8_t(flags >> (8 * i)));
  arg.insert(arg.end(), input.begin(), input.end());
  return Cmd(8, arg);
}

uint32_t CodeOf(const ExecResult& r) {
  const Bytes& d = r.result->data;
  return d.size() < 4 ? 0xdead : uint32_t(d[0]) | d[1] << 8 | d[2] << 16 | uint32_t(d[3]) << 24;
}

class RuntimeTest : public ContractTest {
 protected:
  RuntimeTest() {
    code_ = MustUpload(Fixture("commands.wat"));
    contract_ = MustDeploy(code_, AsBytes("init"));
  }
  Bytes Stored() {
    ExecResult r = Query(contract_, Cmd(0));
    EXPECT_TRUE(r.ok());
    return r.result ? r.result->data : Bytes{};
  }
  CodeHash code_;
  AccountId contract_;
};

TEST_F(RuntimeTest, DeployWritesStorageAndCallsReadIt) {
  EXPECT_EQ(Stored(), Bytes(AsBytes("init").begin(), AsBytes("init").end()));
  ExecResult r = Call(contract_, Cmd(1, "next"));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.changes.storage.size(), 1u);
  EXPECT_EQ(Stored(), Hex("6e657874"));
  EXPECT_EQ(state_.StorageOf(contract_).at(Hex("00000000")), Hex("6e657874"));
  EXPECT_GT(r.gas_consumed.ref_time, 0u);
}

TEST_F(RuntimeTest, RevertKeepsTheOutputAndUndoesTheWrites) {
  ExecResult r = Call(contract_, Cmd(2, "nope"));
  ASSERT_TRUE(r.result.has_value());
  EXPECT_TRUE(r.result->reverted());
  EXPECT_EQ(r.result->data, Hex("6e6f7065"));
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(Stored(), Hex("696e6974"));
}

TEST_F(RuntimeTest, TrapFailsTheCallAndUndoesTheWrites) {
  ExecResult r = Call(contract_, Cmd(3, "bad"));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::ContractTrapped);
  EXPECT_EQ(Stored(), Hex("696e6974"));
}

TEST_F(RuntimeTest, AnEndlessLoopRunsOutOfGas) {
  gas_limit_.ref_time = 8'000'000'000;  // a million fuel
  ExecResult r = Call(contract_, Cmd(4));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::OutOfGas);
  EXPECT_EQ(r.gas_consumed.ref_time, 8'000'000'000u);
}

// A worker's wall-time limit: the flag stops a query however much gas it has, nested callees
// included, and the caller does not go on with a "callee trapped" code.
TEST_F(RuntimeTest, AnInterruptedQueryStopsItsCalleesAndFailsAsInterrupted) {
  gas_limit_.ref_time = uint64_t(1) << 62;
  std::atomic<bool> stop{false};
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    stop.store(true);
  });
  AccountId other = MustDeploy(code_, AsBytes("other"));
  CallRequest request{kAlice, contract_, 0, CallCmd(other, 0, Cmd(4)), gas_limit_};
  request.interrupt = &stop;
  ExecResult r = runtime_.Query(state_, block_, request);
  timer.join();
  EXPECT_TRUE(FailsWith(r, ContractError::Interrupted));
}

// The same by a deadline, which the engine checks itself: no other thread involved.
TEST_F(RuntimeTest, AQueryPastItsDeadlineStopsAndFailsAsInterrupted) {
  gas_limit_.ref_time = uint64_t(1) << 62;
  AccountId other = MustDeploy(code_, AsBytes("other"));
  CallRequest request{kAlice, contract_, 0, CallCmd(other, 0, Cmd(4)), gas_limit_};
  const auto started = std::chrono::steady_clock::now();
  request.deadline = started + std::chrono::milliseconds(30);
  ExecResult r = runtime_.Query(state_, block_, request);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(FailsWith(r, ContractError::Interrupted));
  EXPECT_GE(took, std::chrono::milliseconds(30));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(RuntimeTest, TransactionsIgnoreTheInterruptFlagAndDeadline) {
  std::atomic<bool> stop{true};
  gas_limit_.ref_time = 8'000'000'000 * 4;  // four million fuel: more than one slice
  CallRequest request{kAlice, contract_, 0, Cmd(4), gas_limit_};
  request.interrupt = &stop;
  request.deadline = std::chrono::steady_clock::now();
  ExecResult r = runtime_.Call(state_, block_, request);
  EXPECT_TRUE(FailsWith(r, ContractError::OutOfGas));
  EXPECT_EQ(r.gas_consumed.ref_time, gas_limit_.ref_time);
}

TEST_F(RuntimeTest, QueriesDiscardTheirWrites) {
  ExecResult r = Query(contract_, Cmd(1, "temp"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.changes.empty());
  EXPECT_EQ(Stored(), Hex("696e6974"));
}

TEST_F(RuntimeTest, EventsCarryTheirTopicsAndData) {
  Bytes topics = Hex("08");
  for (int i = 0; i < 64; ++i) topics.push_back(uint8_t(i));
  ExecResult r = Call(contract_, Cmd(5, topics));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].contract, contract_);
  ASSERT_EQ(r.events[0].topics.size(), 2u);
  EXPECT_EQ(r.events[0].topics[1][0], 32);
  EXPECT_EQ(r.events[0].data, Hex("6576"));
}

TEST_F(RuntimeTest, TooManyTopicsAndBadTopicEncodingsFail) {
  Bytes five = Hex("14");
  five.resize(1 + 5 * 32);
  ExecResult r = Call(contract_, Cmd(5, five));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::TooManyTopics);
  r = Call(contract_, Cmd(5, Hex("0800")));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::DecodingFailed);
}

TEST_F(RuntimeTest, ValueIsTransferredAndReported) {
  ExecResult r = Call(contract_, Cmd(6), 1234);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.result->data, codec::Encode(codec::uint128(1234)));
  EXPECT_EQ(state_.GetBalance(contract_), 1234u);
  r = Call(contract_, Cmd(6), 2'000'000, kBob);  // Bob has only 1,000,000
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::TransferFailed);
}

TEST_F(RuntimeTest, ANestedCallReturnsItsOutputAndCode) {
  AccountId other = MustDeploy(code_, AsBytes("other"));
  ExecResult r = Call(contract_, CallCmd(other, 0, Cmd(7)));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(CodeOf(r), 0u);
  EXPECT_EQ(Bytes(r.result->data.begin() + 4, r.result->data.end()),
            Bytes(contract_.begin(), contract_.end()));  // the callee's caller is the contract
}

TEST_F(RuntimeTest, ACalleeThatRevertsOrTrapsIsReportedByCode) {
  AccountId other = MustDeploy(code_, AsBytes("other"));
  ExecResult r = Call(contract_, CallCmd(other, 0, Cmd(2, "no")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CodeOf(r), 2u);
  EXPECT_EQ(Bytes(r.result->data.begin() + 4, r.result->data.end()), Hex("6e6f"));
  r = Call(contract_, CallCmd(other, 0, Cmd(3, "x")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CodeOf(r), 1u);
  // Neither callee's write survived.
  EXPECT_EQ(Query(other, Cmd(0)).result->data, Hex("6f74686572"));
  r = Call(contract_, CallCmd(Account(0x77), 0, Cmd(0)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CodeOf(r), 8u);  // NotCallable
}

TEST_F(RuntimeTest, ReentryNeedsTheFlag) {
  AccountId other = MustDeploy(code_, AsBytes("other"));
  // contract -> other -> contract: refused without ALLOW_REENTRY, which traps the middle frame.
  Bytes back = CallCmd(contract_, 0, Cmd(0));
  ExecResult r = Call(contract_, CallCmd(other, 0, back));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CodeOf(r), 1u);
  r = Call(contract_, CallCmd(other, 8, back));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CodeOf(r), 0u);
}

TEST_F(RuntimeTest, CallDepthIsLimited) {
  // Self-calls with ALLOW_REENTRY, nested deeper than 6 frames.
  Bytes input = Cmd(0);
  for (int i = 0; i < 6; ++i) input = CallCmd(contract_, 8, input);
  ExecResult r = Call(contract_, input);
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  // Frames 1..5 succeed; the sixth nested call is refused, which traps frame 6 -> code 1 there.
  Bytes data = r.result->data;
  std::vector<uint32_t> codes;
  for (size_t at = 0; at + 4 <= data.size(); at += 4) {
    uint32_t c = data[at] | data[at + 1] << 8 | data[at + 2] << 16 | uint32_t(data[at + 3]) << 24;
    codes.push_back(c);
    if (c != 0) break;
  }
  EXPECT_EQ(codes, (std::vector<uint32_t>{0, 0, 0, 0, 1}));
}

TEST_F(RuntimeTest, ReadOnlyCallsCannotWrite) {
  AccountId other = MustDeploy(code_, AsBytes("other"));
  ExecResult r = Call(contract_, CallCmd(other, 16, Cmd(1, "w")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CodeOf(r), 1u);
  r = Call(contract_, CallCmd(other, 16, Cmd(0)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CodeOf(r), 0u);
}

TEST_F(RuntimeTest, TerminateRemovesTheContractAndPaysOut) {
  ASSERT_TRUE(Call(contract_, Cmd(6), 500).ok());
  AccountId heir = Account(0x42);
  ExecResult r = Call(contract_, Cmd(9, heir));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_FALSE(state_.GetContract(contract_));
  EXPECT_TRUE(state_.StorageOf(contract_).empty());
  EXPECT_EQ(state_.GetBalance(heir), 500u);
  EXPECT_EQ(Call(contract_, Cmd(0)).result.error().kind, ContractError::ContractNotFound);
}

TEST_F(RuntimeTest, TheSameDeploymentTwiceIsADuplicate) {
  ExecResult r = Deploy(code_, AsBytes("init"));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::DuplicateContract);
  r = Deploy(code_, AsBytes("init"), 0, AsBytes("salt"));
  EXPECT_TRUE(r.ok());
}

}  // namespace
}  // namespace phat::contracts::testing
