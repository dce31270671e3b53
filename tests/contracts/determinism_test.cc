// Determinism and gas (ABI.md §1, §9; pallet-contracts prepare.rs `validate` and exec.rs
// `new_frame`): Relaxed (float-using) code runs only in queries, never in a transaction and never
// as a constructor; and gas is a deterministic measure of the work done.
#include <gtest/gtest.h>

#include <cstring>

#include "contracts/contract_test_util.h"
#include "contracts/script_program.h"

namespace phat::contracts::testing {
namespace {

Bytes Sqrt2() {
  double value = 1.4142135623730951;
  Bytes out(8);
  std::memcpy(out.data(), &value, 8);  // little-endian hosts only, as Wasm is
  return out;
}

class DeterminismTest : public ContractTest {
 protected:
  DeterminismTest() {
    floats_ = MustUpload(Fixture("floats.wat"), Determinism::Relaxed);
    script_ = MustUpload(Fixture("script.wat"));
    caller_ = MustDeploy(script_);
  }
  // The pallet never instantiates Relaxed code, so a contract running it directly exists only if
  // the state holds one; the test writes it in.
  AccountId InstallRelaxedContract() {
    AccountId account = Account(0x5e);
    StateChanges changes;
    changes.contracts[account] = ContractInfo{floats_};
    CodeInfo info = *state_.GetCodeInfo(floats_);
    ++info.refcount;
    changes.code_infos[floats_] = info;
    state_.Apply(changes);
    return account;
  }
  InstantiateRequest NewFloats() const {
    return InstantiateRequest{kAlice, floats_, 0, {}, {}, gas_limit_};
  }
  CodeHash floats_, script_;
  AccountId caller_;
};

TEST_F(DeterminismTest, RelaxedCodeRunsInAQuery) {
  AccountId contract = InstallRelaxedContract();
  ExecResult r = Query(contract, {});
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data, Sqrt2());
}

TEST_F(DeterminismTest, RelaxedCodeCalledInATransactionIsIndeterministic) {
  AccountId contract = InstallRelaxedContract();
  EXPECT_TRUE(FailsWith(Call(contract, {}), ContractError::Indeterministic));
}

TEST_F(DeterminismTest, RelaxedCodeRunsThroughDelegateCallInAQuery) {
  // How pink runs its JS engine: an Enforced contract delegate-calls Relaxed code in a query.
  ExecResult r = Query(caller_, Program().DelegateCall(floats_, {}));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  CallOutcome call = Output(r).Call();
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Sqrt2());
}

TEST_F(DeterminismTest, DelegateCallToRelaxedCodeInATransactionIsIndeterministic) {
  EXPECT_TRUE(FailsWith(Call(caller_, Program().DelegateCall(floats_, {})),
                        ContractError::Indeterministic));
}

TEST_F(DeterminismTest, InstantiatingRelaxedCodeInATransactionIsIndeterministic) {
  EXPECT_TRUE(
      FailsWith(runtime_.Instantiate(state_, block_, NewFloats()), ContractError::Indeterministic));
}

// exec.rs new_frame: "Instantiations are never allowed even when executing off-chain."
TEST_F(DeterminismTest, InstantiatingRelaxedCodeIsIndeterministicEvenInAQuery) {
  EXPECT_TRUE(FailsWith(runtime_.QueryInstantiate(state_, block_, NewFloats()),
                        ContractError::Indeterministic));
}

// prepare.rs validate: code uploaded as Relaxed that loads as Enforced is stored as Enforced.
TEST_F(DeterminismTest, ARelaxedUploadOfCodeWithoutFloatsIsStoredAsEnforced) {
  CodeHash code = MustUpload(Fixture("echo.wat"), Determinism::Relaxed);
  EXPECT_EQ(state_.GetCodeInfo(code)->determinism, Determinism::Enforced);
  ExecResult r = Deploy(code, Str("hi"));  // so it may run in a transaction
  EXPECT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
}

// exec.rs set_code_hash: `if !E::from_storage(hash, ..)?.is_deterministic() { Indeterministic }`,
// an error of the caller, not a return code.
TEST_F(DeterminismTest, SetCodeHashToRelaxedCodeIsIndeterministic) {
  EXPECT_TRUE(
      FailsWith(Call(caller_, Program().SetCodeHash(floats_)), ContractError::Indeterministic));
  EXPECT_EQ(state_.GetContract(caller_)->code_hash, script_);
}

// ---- Gas ----

class GasTest : public DeterminismTest {};

TEST_F(GasTest, GasConsumedGrowsWithTheWorkDone) {
  ExecResult little = Call(caller_, Program().Spin(10));
  ExecResult more = Call(caller_, Program().Spin(1000));
  ExecResult most = Call(caller_, Program().Spin(100'000));
  ASSERT_TRUE(little.ok() && more.ok() && most.ok());
  EXPECT_GT(more.gas_consumed.ref_time, little.gas_consumed.ref_time);
  EXPECT_GT(most.gas_consumed.ref_time, more.gas_consumed.ref_time);
}

TEST_F(GasTest, TheSameCallTwiceConsumesTheSameGas) {
  // The same state before each: the value the program stores is already there.
  ASSERT_TRUE(Call(caller_, Program().Store(Str("same"))).ok());
  Program program = Program().Load().Spin(500).Store(Str("same")).EmitEvent();
  ExecResult first = Call(caller_, program);
  ExecResult second = Call(caller_, program);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.gas_consumed, second.gas_consumed);
  EXPECT_GT(first.gas_consumed.ref_time, 0u);
}

TEST_F(GasTest, TheSameQueryTwiceConsumesTheSameGas) {
  Program program =
      Program().Load().Spin(500).Store(Str("q")).Call(caller_, Program().Load(), kAllowReentry);
  ExecResult first = Query(caller_, program);
  ExecResult second = Query(caller_, program);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.gas_consumed, second.gas_consumed);
}

TEST_F(GasTest, AQueryConsumesTheSameGasAsTheTransaction) {
  Program program = Program().Spin(500).Store(Str("q"));
  ExecResult query = Query(caller_, program);
  ExecResult call = Call(caller_, program);
  ASSERT_TRUE(query.ok() && call.ok());
  EXPECT_EQ(query.gas_consumed, call.gas_consumed);
}

TEST_F(GasTest, GasConsumedNeverExceedsTheLimit) {
  gas_limit_.ref_time = 50'000'000;
  ExecResult r = Call(caller_, Program().Spin(0xFFFFFFFF));
  EXPECT_TRUE(FailsWith(r, ContractError::OutOfGas));
  EXPECT_LE(r.gas_consumed.ref_time, gas_limit_.ref_time);
}

TEST_F(GasTest, ACallSucceedsWithItsGasRequiredAsTheLimit) {
  Program program = Program().Store(Str("v")).Call(caller_, Program().Spin(1000), kAllowReentry);
  ExecResult probe = Query(caller_, program);
  ASSERT_TRUE(probe.ok()) << probe.result.error().ToString();
  ASSERT_GE(probe.gas_required.ref_time, probe.gas_consumed.ref_time);
  gas_limit_ = probe.gas_required;
  ExecResult r = Call(caller_, program);
  EXPECT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
  Output out(r);
  EXPECT_EQ(out.Call().code, kSuccess);
}

}  // namespace
}  // namespace phat::contracts::testing
