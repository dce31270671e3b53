// Calls between contracts (ABI.md §2, pallet-contracts exec.rs and runtime.rs `call`): seal0,
// seal1 and seal2 call with each flag, their return codes, value, rollback of the callee, nested
// gas, delegate_call, instantiate, set_code_hash, terminate and the call depth. The contracts are
// fixtures/script.wat running programs the tests write (script_program.h), and echo.wat.
#include <gtest/gtest.h>

#include "contracts/contract_test_util.h"
#include "contracts/script_program.h"

namespace phat::contracts::testing {
namespace {

class CallsTest : public ContractTest {
 protected:
  CallsTest() {
    script_ = MustUpload(Fixture("script.wat"));
    echo_code_ = MustUpload(Fixture("echo.wat"));
    a_ = New(Program().Store(Str("a0")), "a");
    b_ = New(Program().Store(Str("b0")), "b");
    echo_ = MustDeploy(echo_code_);
  }
  // A script contract whose constructor runs `constructor`.
  AccountId New(const Program& constructor, std::string_view salt) {
    ExecResult r = Deploy(script_, constructor, 0, AsBytes(salt));
    EXPECT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
    return r.account.value_or(AccountId{});
  }
  // Runs `program` in A and expects it to succeed.
  ExecResult Run(const Program& program, Balance value = 0) {
    ExecResult r = Call(a_, program, value);
    EXPECT_TRUE(r.ok()) << (r.result ? "reverted: " + ToHex(r.result->data)
                                     : r.result.error().ToString());
    return r;
  }
  // Runs `program` in A and returns the outcome of its first call op.
  CallOutcome RunCall(const Program& program, Balance value = 0) {
    return Output(Run(program, value)).Call();
  }
  Bytes RootOf(const AccountId& contract) {
    return state_.GetStorage(contract, Hex("00000000")).value_or(Str("<none>"));
  }

  CodeHash script_, echo_code_;
  AccountId a_, b_, echo_;
};

// ---- Input: FORWARD_INPUT and CLONE_INPUT ----

TEST_F(CallsTest, ForwardInputPassesTheCallersWholeInputToTheCallee) {
  Program program = Program().Call(echo_, Str("ignored"), kForwardInput);
  CallOutcome call = RunCall(program);
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, program.bytes());
}

TEST_F(CallsTest, ReadingTheInputAfterForwardingItIsInputForwarded) {
  EXPECT_TRUE(FailsWith(Call(a_, Program().Call(echo_, {}, kForwardInput).Input()),
                        ContractError::InputForwarded));
}

TEST_F(CallsTest, ForwardingTheInputTwiceIsInputForwarded) {
  EXPECT_TRUE(
      FailsWith(Call(a_, Program().Call(echo_, {}, kForwardInput).Call(echo_, {}, kForwardInput)),
                ContractError::InputForwarded));
}

TEST_F(CallsTest, CloneInputPassesTheInputAndKeepsIt) {
  Program program = Program().Call(echo_, {}, kCloneInput).Input();
  Output out(Run(program));
  CallOutcome call = out.Call();
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, program.bytes());
  EXPECT_EQ(out.Take(out.remaining()), program.bytes());
}

TEST_F(CallsTest, CloningAfterForwardingIsInputForwarded) {
  EXPECT_TRUE(
      FailsWith(Call(a_, Program().Call(echo_, {}, kForwardInput).Call(echo_, {}, kCloneInput)),
                ContractError::InputForwarded));
}

// ---- TAIL_CALL ----

TEST_F(CallsTest, ATailCallMakesTheCalleesOutputTheCallersAndEndsTheCaller) {
  ExecResult r =
      Run(Program().Store(Str("a1")).Call(echo_, Str("tail"), kTailCall).Store(Str("a2")));
  EXPECT_EQ(r.result->flags, 0u);
  EXPECT_EQ(r.result->data, Str("tail"));
  EXPECT_EQ(RootOf(a_), Str("a1"));
}

TEST_F(CallsTest, ATailCallToARevertingCalleeRevertsTheCallerToo) {
  ExecResult r = Call(a_, Program().Store(Str("a1")).Call(
                              b_, Program().Store(Str("b1")).Revert(Str("no")), kTailCall));
  ASSERT_TRUE(r.result.has_value()) << r.result.error().ToString();
  EXPECT_TRUE(r.result->reverted());
  EXPECT_EQ(r.result->data, Str("no"));
  EXPECT_EQ(RootOf(a_), Str("a0"));
  EXPECT_EQ(RootOf(b_), Str("b0"));
}

TEST_F(CallsTest, ATailCallToATrappingCalleeReturnsCalleeTrappedAndTheCallerGoesOn) {
  Output out(Run(Program().Call(b_, Program().Trap(), kTailCall).Store(Str("a1"))));
  EXPECT_EQ(out.Call().code, kCalleeTrapped);
  EXPECT_EQ(RootOf(a_), Str("a1"));
}

TEST_F(CallsTest, ForwardInputWithTailCallHandsTheWholeCallOver) {
  // ink!'s forwarding proxy: the callee gets the caller's input and answers for it.
  Program program = Program().Call(echo_, {}, kForwardInput | kTailCall).Store(Str("a1"));
  ExecResult r = Run(program);
  EXPECT_EQ(r.result->data, program.bytes());
  EXPECT_EQ(RootOf(a_), Str("a0"));
}

// ---- ALLOW_REENTRY ----

TEST_F(CallsTest, CallingItselfWithoutAllowReentryIsReentranceDeniedForTheCaller) {
  // pallet-contracts marks the caller non-reentrant before it checks, so direct recursion is
  // refused too; ReentranceDenied is the caller's error, not a return code.
  EXPECT_TRUE(FailsWith(Call(a_, Program().Call(a_, Program().Return(Str("x")))),
                        ContractError::ReentranceDenied));
}

TEST_F(CallsTest, CallingItselfWithAllowReentryIsAllowed) {
  CallOutcome call = RunCall(Program().Call(a_, Program().Return(Str("x")), kAllowReentry));
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Str("x"));
}

TEST_F(CallsTest, TheLegacySeal0CallImpliesAllowReentry) {
  CallOutcome call = RunCall(Program().CallV0(a_, Program().Return(Str("x"))));
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Str("x"));
}

TEST_F(CallsTest, ReentryThroughAnotherContractNeedsTheFirstCallersFlag) {
  Program back = Program().Call(a_, Program().Return(Str("x")));
  // A -> B -> A, A not allowing re-entry: B's call is refused, which traps B.
  EXPECT_EQ(RunCall(Program().Call(b_, back)).code, kCalleeTrapped);
  // The same with A allowing it.
  CallOutcome call = RunCall(Program().Call(b_, back, kAllowReentry));
  EXPECT_EQ(call.code, kSuccess);
  CallOutcome inner = Output(call.output).Call();
  EXPECT_EQ(inner.code, kSuccess);
  EXPECT_EQ(inner.output, Str("x"));
}

TEST_F(CallsTest, ReentryProtectionLastsOnlyForTheCallThatAskedForIt) {
  Output out(Run(Program()
                     .Call(b_, Program().Return(Str("b")))  // without ALLOW_REENTRY
                     .Call(a_, Program().Return(Str("x")), kAllowReentry)));
  EXPECT_EQ(out.Call().code, kSuccess);
  EXPECT_EQ(out.Call().code, kSuccess);
}

// ---- READ_ONLY ----

TEST_F(CallsTest, AReadOnlyCalleeMayRead) {
  CallOutcome call = RunCall(Program().Call(b_, Program().Load(), kReadOnly));
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Str("b0"));
}

TEST_F(CallsTest, AReadOnlyCalleeThatWritesStorageTraps) {
  EXPECT_EQ(RunCall(Program().Call(b_, Program().Store(Str("b1")), kReadOnly)).code,
            kCalleeTrapped);
  EXPECT_EQ(RootOf(b_), Str("b0"));
}

TEST_F(CallsTest, AReadOnlyCalleeThatEmitsAnEventTraps) {
  ExecResult r = Run(Program().Call(b_, Program().EmitEvent(), kReadOnly));
  EXPECT_EQ(Output(r).Call().code, kCalleeTrapped);
  EXPECT_TRUE(r.events.empty());
}

TEST_F(CallsTest, AReadOnlyCalleeThatTransfersTraps) {
  ASSERT_TRUE(Call(b_, Program(), 100).ok());  // fund B
  EXPECT_EQ(RunCall(Program().Call(b_, Program().Transfer(kBob, 10), kReadOnly)).code,
            kCalleeTrapped);
  EXPECT_EQ(state_.GetBalance(b_), 100u);
}

TEST_F(CallsTest, AReadOnlyCalleeThatCallsWithValueTraps) {
  ASSERT_TRUE(Call(b_, Program(), 100).ok());
  EXPECT_EQ(RunCall(Program().Call(b_, Program().Call(echo_, {}, 0, 10), kReadOnly)).code,
            kCalleeTrapped);
}

TEST_F(CallsTest, AReadOnlyCalleeCannotInstantiateSetItsCodeOrTerminate) {
  EXPECT_EQ(
      RunCall(Program().Call(b_, Program().Instantiate(script_, {}, Str("ro")), kReadOnly)).code,
      kCalleeTrapped);
  EXPECT_EQ(RunCall(Program().Call(b_, Program().SetCodeHash(echo_code_), kReadOnly)).code,
            kCalleeTrapped);
  EXPECT_EQ(RunCall(Program().Call(b_, Program().Terminate(kBob), kReadOnly)).code, kCalleeTrapped);
  EXPECT_TRUE(state_.GetContract(b_));
  EXPECT_EQ(state_.GetContract(b_)->code_hash, script_);
}

TEST_F(CallsTest, ReadOnlyIsInheritedByTheCalleesOwnCalls) {
  AccountId c = New(Program().Store(Str("c0")), "c");
  CallOutcome call =
      RunCall(Program().Call(b_, Program().Call(c, Program().Store(Str("c1"))), kReadOnly));
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(Output(call.output).Call().code, kCalleeTrapped);
  EXPECT_EQ(RootOf(c), Str("c0"));
}

TEST_F(CallsTest, AReadOnlyCallWithValueIsStateChangeDeniedForTheCaller) {
  EXPECT_TRUE(FailsWith(Call(a_, Program().Call(b_, Program(), kReadOnly, 1), 10),
                        ContractError::StateChangeDenied));
}

// ---- Return codes ----

TEST_F(CallsTest, ASuccessfulCallIsCodeZeroWithTheCalleesOutput) {
  CallOutcome call = RunCall(Program().Call(b_, Program().Return(Str("hi"))));
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Str("hi"));
}

TEST_F(CallsTest, ARevertedCalleeIsCodeTwoWithItsOutputAndItsWritesUndone) {
  CallOutcome call = RunCall(Program().Call(b_, Program().Store(Str("b1")).Revert(Str("no"))));
  EXPECT_EQ(call.code, kCalleeReverted);
  EXPECT_EQ(call.output, Str("no"));
  EXPECT_EQ(RootOf(b_), Str("b0"));
}

TEST_F(CallsTest, ATrappedCalleeIsCodeOneWithoutOutputAndItsWritesUndone) {
  CallOutcome call = RunCall(Program().Call(b_, Program().Store(Str("b1")).Trap()));
  EXPECT_EQ(call.code, kCalleeTrapped);
  EXPECT_TRUE(call.output.empty());
  EXPECT_EQ(RootOf(b_), Str("b0"));
}

TEST_F(CallsTest, TheCallersWritesSurviveItsCalleesTrapAndRevert) {
  Run(Program()
          .Store(Str("a1"))
          .Call(b_, Program().Store(Str("b1")).Trap())
          .Call(b_, Program().Store(Str("b2")).Revert({})));
  EXPECT_EQ(RootOf(a_), Str("a1"));
  EXPECT_EQ(RootOf(b_), Str("b0"));
}

TEST_F(CallsTest, TheEventsOfARevertedCalleeAreDropped) {
  ExecResult r = Run(Program().EmitEvent().Call(b_, Program().EmitEvent().Revert({})));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].contract, a_);
}

TEST_F(CallsTest, ACallWithMoreValueThanTheCallerHasIsTransferFailed) {
  EXPECT_EQ(RunCall(Program().Call(b_, Program(), 0, 101), 100).code, kTransferFailed);
  EXPECT_EQ(state_.GetBalance(a_), 100u);
  EXPECT_EQ(state_.GetBalance(b_), 0u);
}

TEST_F(CallsTest, ACallToAnAccountWithoutAContractIsNotCallable) {
  EXPECT_EQ(RunCall(Program().Call(kBob, Program())).code, kNotCallable);
}

TEST_F(CallsTest, AnOutputPointerOfSentinelSkipsTheOutput) {
  // out_ptr = u32::MAX: nothing is written and out_len_ptr (outside the memory) is not read.
  Output out(Run(Program()
                     .CallSkippingOutput(b_, Program().Return(Str("hi")))
                     .CallSkippingOutput(b_, Program().Revert(Str("no")))));
  EXPECT_EQ(out.U32(), kSuccess);
  EXPECT_EQ(out.U32(), kCalleeReverted);
  EXPECT_TRUE(out.done());
}

TEST_F(CallsTest, UnknownCallFlagsAreInvalidCallFlagsForTheCaller) {
  EXPECT_TRUE(
      FailsWith(Call(a_, Program().Call(b_, Program(), 32)), ContractError::InvalidCallFlags));
  EXPECT_TRUE(
      FailsWith(Call(a_, Program().CallV2(b_, Program(), 32)), ContractError::InvalidCallFlags));
}

// ---- Value ----

TEST_F(CallsTest, ValueSentWithACallMovesToTheCalleeWhoSeesIt) {
  CallOutcome call = RunCall(Program().Call(b_, Program().ValueTransferred(), 0, 300), 1000);
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Le128(300));
  EXPECT_EQ(state_.GetBalance(a_), 700u);
  EXPECT_EQ(state_.GetBalance(b_), 300u);
}

TEST_F(CallsTest, ValueSentToATrappingCalleeStaysWithTheCaller) {
  EXPECT_EQ(RunCall(Program().Call(b_, Program().Trap(), 0, 300), 1000).code, kCalleeTrapped);
  EXPECT_EQ(state_.GetBalance(a_), 1000u);
  EXPECT_EQ(state_.GetBalance(b_), 0u);
}

TEST_F(CallsTest, TheCalleesCallerIsTheCallingContract) {
  CallOutcome call = RunCall(Program().Call(b_, Program().Caller()));
  EXPECT_EQ(call.output, Bytes(a_.begin(), a_.end()));
}

// ---- The three call versions ----

// script.wat passes 0 for seal0.call's callee_len and value_len, which the pallet ignores.
TEST_F(CallsTest, Seal0CallPassesInputAndValue) {
  CallOutcome call = RunCall(Program().CallV0(b_, Program().ValueTransferred(), 5), 10);
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Le128(5));
}

TEST_F(CallsTest, Seal2CallPassesInputAndValue) {
  CallOutcome call = RunCall(Program().CallV2(b_, Program().ValueTransferred(), 0, 5), 10);
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Le128(5));
  EXPECT_EQ(RunCall(Program().CallV2(echo_, Str("hi"))).output, Str("hi"));
}

// ---- Gas of nested calls ----

TEST_F(CallsTest, ACalleeThatRunsOutOfItsGasIsCodeOneAndTheCallerGoesOn) {
  Output out(Run(Program()
                     .Call(b_, Program().Store(Str("b1")).Spin(0xFFFFFFFF), 0, 0, 200'000'000)
                     .Store(Str("a1"))));
  EXPECT_EQ(out.Call().code, kCalleeTrapped);
  EXPECT_EQ(RootOf(a_), Str("a1"));
  EXPECT_EQ(RootOf(b_), Str("b0"));
}

TEST_F(CallsTest, ACalleeWhoseRefTimeLimitIsTooSmallEvenToStartIsCodeOne) {
  EXPECT_EQ(RunCall(Program().Call(b_, Program(), 0, 0, 1)).code, kCalleeTrapped);
  EXPECT_EQ(RunCall(Program().CallV2(b_, Program(), 0, 0, 1, 1)).code, kCalleeTrapped);
}

TEST_F(CallsTest, Seal2CallsRefTimeLimitBoundsTheCallee) {
  Output out(Run(Program().CallV2(b_, Program().Spin(0xFFFFFFFF), 0, 0, 200'000'000, 1 << 20)));
  EXPECT_EQ(out.Call().code, kCalleeTrapped);
}

TEST_F(CallsTest, ACalleesGasCountsTowardsTheCallers) {
  ExecResult light = Run(Program().Call(b_, Program().Spin(10)));
  ExecResult heavy = Run(Program().Call(b_, Program().Spin(100'000)));
  EXPECT_GT(heavy.gas_consumed.ref_time, light.gas_consumed.ref_time);
}

// ---- delegate_call ----

class DelegateCallTest : public CallsTest {
 protected:
  DelegateCallTest() {
    storage_code_ = MustUpload(Fixture("storage.wat"));
    getters_code_ = MustUpload(Fixture("getters.wat"));
  }
  CodeHash storage_code_, getters_code_;
};

TEST_F(DelegateCallTest, RunsTheOtherCodeOnTheCallersStorage) {
  // storage.wat's seal2.set_storage("k", "v"), run as A.
  Bytes set = Cat({Bytes{6}, Le32(1), Le32(1), Le32(0), Str("k"), Str("v")});
  CallOutcome call = RunCall(Program().DelegateCall(storage_code_, set));
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(call.output, Le32(kSentinel));  // there was no "k" before
  EXPECT_EQ(state_.GetStorage(a_, Str("k")), Str("v"));
}

TEST_F(DelegateCallTest, TheDelegatedCodeSeesTheCallersCallerValueAndAddress) {
  auto getter = [](uint8_t which) { return Cat({Bytes{which}, Le32(0x1000), Le32(64)}); };
  Output out(Run(Program()
                     .DelegateCall(getters_code_, getter(0))   // caller
                     .DelegateCall(getters_code_, getter(2))   // value_transferred
                     .DelegateCall(getters_code_, getter(1)),  // address
                 55));
  EXPECT_EQ(out.Call().output, Bytes(kAlice.begin(), kAlice.end()));
  EXPECT_EQ(out.Call().output, Le128(55));
  EXPECT_EQ(out.Call().output, Bytes(a_.begin(), a_.end()));
}

TEST_F(DelegateCallTest, TheDelegatedCodesWritesAreUndoneWhenItTraps) {
  CallOutcome call = RunCall(Program().DelegateCall(script_, Program().Store(Str("a1")).Trap()));
  EXPECT_EQ(call.code, kCalleeTrapped);
  EXPECT_EQ(RootOf(a_), Str("a0"));
}

TEST_F(DelegateCallTest, ForwardInputWithTailCallMakesAnUpgradeableProxy) {
  // ink!'s upgradeable-contract example: delegate_call(FORWARD_INPUT | TAIL_CALL).
  Program program = Program().DelegateCall(echo_code_, {}, kForwardInput | kTailCall);
  ExecResult r = Run(program);
  EXPECT_EQ(r.result->data, program.bytes());
}

TEST_F(DelegateCallTest, AllowReentryIsInvalidCallFlags) {
  EXPECT_TRUE(FailsWith(Call(a_, Program().DelegateCall(script_, Program(), kAllowReentry)),
                        ContractError::InvalidCallFlags));
}

TEST_F(DelegateCallTest, ReadOnlyIsInvalidCallFlags) {
  EXPECT_TRUE(FailsWith(Call(a_, Program().DelegateCall(script_, Program(), kReadOnly)),
                        ContractError::InvalidCallFlags));
}

TEST_F(DelegateCallTest, AnUnknownCodeHashIsCodeNotFound) {
  CodeHash unknown;
  unknown.fill(0x77);
  EXPECT_EQ(RunCall(Program().DelegateCall(unknown, Program())).code, kCodeNotFound);
}

// ---- Instantiation from a contract ----

TEST_F(CallsTest, Seal1InstantiateCreatesAContractAndWritesItsAddressAndOutput) {
  Program constructor = Program().Store(Str("child")).Return(Str("hi"));
  NewOutcome made = Output(Run(Program().Instantiate(script_, constructor, Str("s1")))).New();
  EXPECT_EQ(made.code, kSuccess);
  AccountId expected = Runtime::ContractAddress(a_, script_, constructor, Str("s1"));
  ASSERT_TRUE(made.address);
  EXPECT_EQ(*made.address, expected);
  EXPECT_EQ(made.output, Str("hi"));
  ASSERT_TRUE(state_.GetContract(expected));
  EXPECT_EQ(state_.GetContract(expected)->code_hash, script_);
  EXPECT_EQ(RootOf(expected), Str("child"));
}

TEST_F(CallsTest, Seal2InstantiateCreatesAContractAndWritesItsAddressAndOutput) {
  Program constructor = Program().Store(Str("child")).Return(Str("hi"));
  NewOutcome made = Output(Run(Program().InstantiateV2(script_, constructor, Str("s2")))).New();
  EXPECT_EQ(made.code, kSuccess);
  ASSERT_TRUE(made.address);
  EXPECT_EQ(*made.address, Runtime::ContractAddress(a_, script_, constructor, Str("s2")));
  EXPECT_EQ(made.output, Str("hi"));
  EXPECT_EQ(RootOf(*made.address), Str("child"));
}

TEST_F(CallsTest, TheLegacySeal0InstantiateIgnoresItsLengthArguments) {
  Program constructor = Program().Store(Str("child")).Return(Str("hi"));
  NewOutcome made = Output(Run(Program().InstantiateV0(script_, constructor, Str("s0")))).New();
  EXPECT_EQ(made.code, kSuccess);
  ASSERT_TRUE(made.address);
  EXPECT_EQ(*made.address, Runtime::ContractAddress(a_, script_, constructor, Str("s0")));
  EXPECT_EQ(made.output, Str("hi"));
  EXPECT_EQ(RootOf(*made.address), Str("child"));
}

TEST_F(CallsTest, InstantiatingCountsAReferenceToTheCode) {
  uint64_t before = state_.GetCodeInfo(script_)->refcount;
  Run(Program().Instantiate(script_, Program(), Str("s")));
  EXPECT_EQ(state_.GetCodeInfo(script_)->refcount, before + 1);
}

TEST_F(CallsTest, InstantiateWithValueFundsTheNewContract) {
  NewOutcome made =
      Output(Run(Program().Instantiate(script_, Program().ValueTransferred(), Str("s"), 40), 100))
          .New();
  EXPECT_EQ(made.code, kSuccess);
  EXPECT_EQ(made.output, Le128(40));
  ASSERT_TRUE(made.address);
  EXPECT_EQ(state_.GetBalance(*made.address), 40u);
  EXPECT_EQ(state_.GetBalance(a_), 60u);
}

TEST_F(CallsTest, InstantiateWithMoreValueThanTheCallerHasIsTransferFailed) {
  NewOutcome made =
      Output(Run(Program().Instantiate(script_, Program(), Str("s"), 101), 100)).New();
  EXPECT_EQ(made.code, kTransferFailed);
  EXPECT_FALSE(made.address);
}

TEST_F(CallsTest, InstantiatingTheSameCodeInputAndSaltAgainIsDuplicateContract) {
  Program make = Program().Instantiate(script_, Program(), Str("same"));
  Run(make);
  // The pallet refuses the frame before it exists: the caller's error, not a return code.
  EXPECT_TRUE(FailsWith(Call(a_, make), ContractError::DuplicateContract));
}

TEST_F(CallsTest, AConstructorThatRevertsIsCodeTwoAndLeavesNoContract) {
  Program constructor = Program().Store(Str("x")).Revert(Str("no"));
  NewOutcome made = Output(Run(Program().Instantiate(script_, constructor, Str("s")))).New();
  EXPECT_EQ(made.code, kCalleeReverted);
  EXPECT_FALSE(made.address);  // not written for a revert
  EXPECT_EQ(made.output, Str("no"));
  AccountId would_be = Runtime::ContractAddress(a_, script_, constructor, Str("s"));
  EXPECT_FALSE(state_.GetContract(would_be));
  EXPECT_TRUE(state_.StorageOf(would_be).empty());
}

TEST_F(CallsTest, AConstructorThatTrapsIsCodeOneAndLeavesNoContract) {
  Program constructor = Program().Store(Str("x")).Trap();
  NewOutcome made = Output(Run(Program().InstantiateV2(script_, constructor, Str("s")))).New();
  EXPECT_EQ(made.code, kCalleeTrapped);
  EXPECT_FALSE(made.address);
  EXPECT_TRUE(made.output.empty());
  EXPECT_FALSE(state_.GetContract(Runtime::ContractAddress(a_, script_, constructor, Str("s"))));
}

TEST_F(CallsTest, ATopLevelConstructorThatRevertsCreatesNoContract) {
  Program constructor = Program().Store(Str("x")).Revert(Str("no"));
  ExecResult r = Deploy(script_, constructor, 0, Str("top"));
  ASSERT_TRUE(r.result.has_value()) << r.result.error().ToString();
  EXPECT_TRUE(r.result->reverted());
  EXPECT_EQ(r.result->data, Str("no"));
  EXPECT_FALSE(r.account);
  EXPECT_FALSE(
      state_.GetContract(Runtime::ContractAddress(kAlice, script_, constructor, Str("top"))));
}

TEST_F(CallsTest, InstantiatingAnUnknownCodeHashIsCodeNotFound) {
  CodeHash unknown;
  unknown.fill(0x77);
  EXPECT_EQ(Output(Run(Program().Instantiate(unknown, Program(), Str("s")))).New().code,
            kCodeNotFound);
}

// ---- set_code_hash ----

TEST_F(CallsTest, SetCodeHashSucceedsAndTheNextCallRunsTheNewCode) {
  CodeHash getters = MustUpload(Fixture("getters.wat"));
  EXPECT_EQ(Output(Run(Program().SetCodeHash(getters))).U32(), kSuccess);
  EXPECT_EQ(state_.GetContract(a_)->code_hash, getters);
  // getters.wat's "address" now answers for A; A's storage is untouched.
  ExecResult r = Call(a_, Cat({Bytes{1}, Le32(0x1000), Le32(64)}));
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_EQ(r.result->data, Bytes(a_.begin(), a_.end()));
  EXPECT_EQ(RootOf(a_), Str("a0"));
}

TEST_F(CallsTest, AReentrantCallAfterSetCodeHashRunsTheNewCode) {
  // ink! documents it: "Re-entrant calls use new code_hash."
  Output out(Run(Program().SetCodeHash(echo_code_).Call(a_, Str("x"), kAllowReentry)));
  EXPECT_EQ(out.U32(), kSuccess);
  CallOutcome reentered = out.Call();
  EXPECT_EQ(reentered.code, kSuccess);
  EXPECT_EQ(reentered.output, Str("x"));
}

TEST_F(CallsTest, SetCodeHashMovesTheCodeReferences) {
  CodeHash getters = MustUpload(Fixture("getters.wat"));
  uint64_t script_refs = state_.GetCodeInfo(script_)->refcount;
  Run(Program().SetCodeHash(getters));
  EXPECT_EQ(state_.GetCodeInfo(script_)->refcount, script_refs - 1);
  EXPECT_EQ(state_.GetCodeInfo(getters)->refcount, 1u);
}

TEST_F(CallsTest, SetCodeHashToAnUnknownHashIsCodeNotFound) {
  CodeHash unknown;
  unknown.fill(0x77);
  EXPECT_EQ(Output(Run(Program().SetCodeHash(unknown))).U32(), kCodeNotFound);
  EXPECT_EQ(state_.GetContract(a_)->code_hash, script_);
}

// ---- terminate ----

TEST_F(CallsTest, Seal1TerminateRemovesTheContractAndPaysTheBeneficiary) {
  AccountId heir = Account(0x42);
  ExecResult r = Call(a_, Program().Terminate(heir), 500);
  ASSERT_TRUE(r.ok()) << r.result.error().ToString();
  EXPECT_FALSE(state_.GetContract(a_));
  EXPECT_TRUE(state_.StorageOf(a_).empty());
  EXPECT_EQ(state_.GetBalance(heir), 500u);
}

TEST_F(CallsTest, AContractTerminatedEarlierInTheCallIsNotCallable) {
  Output out(Run(Program().Call(b_, Program().Terminate(kBob)).Call(b_, Program())));
  EXPECT_EQ(out.Call().code, kSuccess);
  EXPECT_EQ(out.Call().code, kNotCallable);
  EXPECT_FALSE(state_.GetContract(b_));
}

TEST_F(CallsTest, TerminatingInTheConstructorIsTerminatedInConstructor) {
  ExecResult r = Deploy(script_, Program().Terminate(kBob), 0, Str("t"));
  EXPECT_TRUE(FailsWith(r, ContractError::TerminatedInConstructor));
}

TEST_F(CallsTest, TerminatingWhileOnTheCallStackTwiceIsRefused) {
  // A -> B -> A(terminate): the inner A traps (TerminatedWhileReentrant), so B sees code 1.
  CallOutcome call =
      RunCall(Program().Call(b_, Program().Call(a_, Program().Terminate(kBob)), kAllowReentry));
  EXPECT_EQ(call.code, kSuccess);
  EXPECT_EQ(Output(call.output).Call().code, kCalleeTrapped);
  EXPECT_TRUE(state_.GetContract(a_));
}

TEST_F(CallsTest, TerminatingFromDelegatedCodeInANestedFrameOfTheSameContractIsRefused) {
  // A delegates to code that terminates: A's account is on the stack twice.
  CallOutcome call = RunCall(Program().DelegateCall(script_, Program().Terminate(kBob)));
  EXPECT_EQ(call.code, kCalleeTrapped);
  EXPECT_TRUE(state_.GetContract(a_));
}

// ---- Call depth ----

// A program that calls A `depth` times, each frame calling the next, the last returning "bottom".
Program Nested(const AccountId& self, int depth) {
  if (depth == 0) return Program().Return(Str("bottom"));
  return Program().Call(self, Nested(self, depth - 1), kAllowReentry);
}

TEST_F(CallsTest, TheTopFrameAndFiveNestedCallsRun) {
  Output out(Run(Nested(a_, 5)));
  for (int level = 1; level <= 5; ++level) {
    CallOutcome call = out.Call();
    ASSERT_EQ(call.code, kSuccess) << "level " << level;
    out = Output(call.output);
  }
  EXPECT_EQ(out.Take(out.remaining()), Str("bottom"));
}

TEST_F(CallsTest, ASixthNestedCallIsRefusedWhichTrapsTheFrameThatMadeIt) {
  Output out(Run(Nested(a_, 6)));
  for (int level = 1; level <= 4; ++level) {
    CallOutcome call = out.Call();
    ASSERT_EQ(call.code, kSuccess) << "level " << level;
    out = Output(call.output);
  }
  // The sixth frame's call failed with MaxCallDepthReached, trapping it: the fifth sees code 1.
  EXPECT_EQ(out.Call().code, kCalleeTrapped);
}

}  // namespace
}  // namespace phat::contracts::testing
