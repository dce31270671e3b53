// Chain extensions (ABI.md §6; pallet-contracts chain_extension.rs): seal0.call_chain_extension's
// id split into extension and function, the input passed through, the output written with the
// out/out_len_ptr convention, the extension's status returned to the contract, the mode the
// extension sees, and an id no extension is registered for. fixtures/chain_extension.wat passes
// the test's id, capacity and input straight through.
#include <gtest/gtest.h>

#include "contracts/contract_test_util.h"
#include "contracts/script_program.h"

namespace phat::contracts::testing {
namespace {

// Remembers what it was called with and answers with a chosen status and output.
class RecordingExtension : public ChainExtension {
 public:
  struct Seen {
    uint16_t func_id = 0;
    Bytes input;
    Mode mode = Mode::Transaction;
    AccountId address{};
    AccountId caller{};
    Balance bob_balance = 0;  // as the extension's state() had it
  };
  Expected<ExtensionResult, Error> Call(uint16_t func_id, ByteView input,
                                        ExtensionContext& context) override {
    calls.push_back({func_id, Bytes(input.begin(), input.end()), context.mode(), context.address(),
                     context.caller(), context.state().GetBalance(kBob)});
    if (gas_to_charge && !context.ChargeGas(gas_to_charge))
      return unexpected(Error{ContractError::OutOfGas, "the extension ran out of gas"});
    if (fail) return unexpected(*fail);
    if (add_effect) context.OnCommit([this, func_id] { committed.push_back(func_id); });
    return ExtensionResult{status, output};
  }
  std::vector<Seen> calls;
  // Each call adds an effect for the commit that records the function id in `committed`.
  std::vector<uint16_t> committed;
  bool add_effect = false;
  uint32_t status = 0;
  Bytes output;
  uint64_t gas_to_charge = 0;
  std::optional<Error> fail;
};

class ExtensionTest : public ContractTest {
 protected:
  ExtensionTest() {
    runtime_.RegisterChainExtension(0, pink_);
    runtime_.RegisterChainExtension(7, other_);
    contract_ = MustDeploy(MustUpload(Fixture("chain_extension.wat")));
  }
  static Bytes Input(uint32_t id, ByteView input, uint32_t capacity = 256) {
    return Cat({Le32(id), Le32(capacity), input});
  }
  // The status and output the contract got back.
  std::pair<uint32_t, Bytes> Run(uint32_t id, ByteView input) {
    ExecResult r = Call(contract_, Input(id, input));
    EXPECT_TRUE(r.ok()) << (r.result ? "reverted" : r.result.error().ToString());
    if (!r.ok() || r.result->data.size() < 8) return {0xdead, {}};
    const Bytes& data = r.result->data;
    EXPECT_EQ(ReadLe32(data, 4), data.size() - 8);
    return {ReadLe32(data), Bytes(data.begin() + 8, data.end())};
  }

  std::shared_ptr<RecordingExtension> pink_ = std::make_shared<RecordingExtension>();
  std::shared_ptr<RecordingExtension> other_ = std::make_shared<RecordingExtension>();
  AccountId contract_;
};

TEST_F(ExtensionTest, TheHighHalfOfTheIdPicksTheExtensionAndTheLowHalfTheFunction) {
  Run((7u << 16) | 3, {});
  ASSERT_EQ(other_->calls.size(), 1u);
  EXPECT_EQ(other_->calls[0].func_id, 3);
  EXPECT_TRUE(pink_->calls.empty());
}

TEST_F(ExtensionTest, AnInk4IdBelow65536GoesToExtensionZero) {
  Run(42, {});  // #[ink(extension = 42)]: the id verbatim
  ASSERT_EQ(pink_->calls.size(), 1u);
  EXPECT_EQ(pink_->calls[0].func_id, 42);
  EXPECT_TRUE(other_->calls.empty());
}

TEST_F(ExtensionTest, TheFunctionIdIsAllSixteenLowBits) {
  Run((7u << 16) | 0xFFFF, {});
  ASSERT_EQ(other_->calls.size(), 1u);
  EXPECT_EQ(other_->calls[0].func_id, 0xFFFF);
}

TEST_F(ExtensionTest, TheContractsInputReachesTheExtensionUnchanged) {
  Bytes input = Hex("0c6b65791476616c7565");  // pink cache_set("key", "value")
  Run(6, input);
  ASSERT_EQ(pink_->calls.size(), 1u);
  EXPECT_EQ(pink_->calls[0].input, input);
}

TEST_F(ExtensionTest, TheExtensionsOutputAndStatusReachTheContract) {
  pink_->status = 0x01020304;
  pink_->output = Str("answer");
  auto [status, output] = Run(1, {});
  EXPECT_EQ(status, 0x01020304u);
  EXPECT_EQ(output, Str("answer"));
}

TEST_F(ExtensionTest, AnEmptyOutputIsWrittenWithLengthZero) {
  auto [status, output] = Run(1, {});
  EXPECT_EQ(status, 0u);
  EXPECT_TRUE(output.empty());
}

TEST_F(ExtensionTest, OutputLargerThanTheContractsBufferIsOutputBufferTooSmall) {
  pink_->output = Bytes(9, 1);
  ExecResult r = Call(contract_, Input(1, {}, 8));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::OutputBufferTooSmall);
}

TEST_F(ExtensionTest, TheExtensionSeesTransactionInACallAndQueryInAQuery) {
  ASSERT_TRUE(Call(contract_, Input(1, {})).ok());
  ASSERT_TRUE(Query(contract_, Input(1, {})).ok());
  ASSERT_EQ(pink_->calls.size(), 2u);
  EXPECT_EQ(pink_->calls[0].mode, Mode::Transaction);
  EXPECT_EQ(pink_->calls[1].mode, Mode::Query);
}

TEST_F(ExtensionTest, TheExtensionSeesTheCallingContractAndItsCaller) {
  ASSERT_TRUE(Call(contract_, Input(1, {}), 0, kBob).ok());
  ASSERT_EQ(pink_->calls.size(), 1u);
  EXPECT_EQ(pink_->calls[0].address, contract_);
  EXPECT_EQ(pink_->calls[0].caller, kBob);
}

// ExtensionContext::OnCommit: an effect runs when the whole call has succeeded, and is dropped
// with a frame that reverts, even one whose caller goes on and succeeds.
TEST_F(ExtensionTest, EffectsRunAtTheCommitAndGoWithARevertedFrame) {
  pink_->add_effect = true;
  const CodeHash script_code = MustUpload(Fixture("script.wat"));
  const AccountId script = MustDeploy(script_code);
  const AccountId inner = MustDeploy(script_code, Program().Return({}));  // another address
  auto calls_extension = [&](uint16_t func_id) {
    return Program().Call(contract_, Input(func_id, {}));
  };

  ASSERT_TRUE(Call(script, calls_extension(1).Return({})).ok());
  EXPECT_EQ(pink_->committed, std::vector<uint16_t>{1});

  ExecResult reverted = Call(script, calls_extension(2).Revert({}));
  ASSERT_TRUE(reverted.result && reverted.result->reverted());
  // A callee that reverts after the extension call, under a caller that succeeds.
  ASSERT_TRUE(Call(script, Program().Call(inner, calls_extension(3).Revert({})).Return({})).ok());
  EXPECT_FALSE(Call(script, calls_extension(4).Trap()).result.has_value());  // trapped
  EXPECT_EQ(pink_->committed, std::vector<uint16_t>{1});

  ASSERT_TRUE(Query(script, calls_extension(5).Return({})).ok());
  EXPECT_EQ(pink_->committed, (std::vector<uint16_t>{1, 5}));
  EXPECT_EQ(pink_->calls.size(), 5u);  // every extension call was made
}

// The state an extension reads is the call's so far: a transfer made before the extension call
// in the same transaction shows (pink's balance_of).
TEST_F(ExtensionTest, TheExtensionReadsTheStateAsTheCallHasMadeIt) {
  const AccountId script = MustDeploy(MustUpload(Fixture("script.wat")), {}, 1000);
  const Balance before = state_.GetBalance(kBob);
  ASSERT_TRUE(
      Call(script, Program().Transfer(kBob, 5).Call(contract_, Input(1, {})).Return({})).ok());
  ASSERT_EQ(pink_->calls.size(), 1u);
  EXPECT_EQ(pink_->calls[0].bob_balance, before + 5);
}

TEST_F(ExtensionTest, AnIdOfNoRegisteredExtensionIsNoChainExtension) {
  ExecResult r = Call(contract_, Input(5u << 16, {}));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::NoChainExtension);
  EXPECT_TRUE(pink_->calls.empty());
  EXPECT_TRUE(other_->calls.empty());
}

TEST_F(ExtensionTest, AnExtensionsErrorFailsTheContractWithThatError) {
  pink_->fail = Error{ContractError::DecodingFailed, "bad request"};
  ExecResult r = Call(contract_, Input(1, {}));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::DecodingFailed);
}

TEST_F(ExtensionTest, GasTheExtensionChargesIsPartOfTheCallsGas) {
  ExecResult cheap = Call(contract_, Input(1, {}));
  pink_->gas_to_charge = 1'000'000'000;
  ExecResult dear = Call(contract_, Input(1, {}));
  ASSERT_TRUE(cheap.ok());
  ASSERT_TRUE(dear.ok());
  EXPECT_GE(dear.gas_consumed.ref_time, cheap.gas_consumed.ref_time + 1'000'000'000);
}

TEST_F(ExtensionTest, AnExtensionThatRunsOutOfGasFailsTheCall) {
  pink_->gas_to_charge = gas_limit_.ref_time * 2;
  ExecResult r = Call(contract_, Input(1, {}));
  ASSERT_FALSE(r.result.has_value());
  EXPECT_EQ(r.result.error().kind, ContractError::OutOfGas);
}

}  // namespace
}  // namespace phat::contracts::testing
