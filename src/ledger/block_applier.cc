#include "phat/ledger/block_applier.h"

#include <fmt/format.h>

#include "ledger/block_state.h"
#include "phat/crypto/hash.h"
#include "phat/state/state_root.h"

namespace phat::ledger {
namespace {

using contracts::ExecResult;

Receipt Rejected(Receipt r, std::string why) {
  r.status = Receipt::Status::Rejected;
  r.error = std::move(why);
  return r;
}

// Fills a receipt from what the runtime said about a call or instantiation.
void Record(Receipt& r, ExecResult result) {
  r.gas_consumed = result.gas_consumed.ref_time;
  r.debug_message = std::move(result.debug_message);
  if (!result.result) {
    r.status = Receipt::Status::Failed;
    r.error = result.result.error().ToString();
    return;
  }
  r.output = std::move(result.result->data);
  if (result.result->reverted()) {
    r.status = Receipt::Status::Reverted;
    return;
  }
  r.status = Receipt::Status::Success;
  r.events = std::move(result.events);
  if (result.account) r.contract = result.account;
}

class CommandRunner {
 public:
  CommandRunner(contracts::Runtime& runtime, BlockState& state, const contracts::BlockContext& block,
                Receipt& receipt)
      : runtime_(runtime), state_(state), block_(block), r_(receipt) {}

  void operator()(const UploadCode& c) {
    auto prepared = runtime_.PrepareUpload(state_, r_.origin, c.code,
                                           c.deterministic ? contracts::Determinism::Enforced
                                                           : contracts::Determinism::Relaxed);
    if (!prepared) {
      r_.status = Receipt::Status::Failed;
      r_.error = prepared.error().ToString();
      return;
    }
    state_.Apply(prepared->second);
    r_.status = Receipt::Status::Success;
    r_.code_hash = prepared->first;
  }
  void operator()(const InstantiateContract& c) {
    Record(r_, runtime_.Instantiate(state_, block_,
                                    {r_.origin, c.code_hash, c.value, c.input, c.salt, gas_}));
  }
  void operator()(const CallContract& c) {
    r_.contract = c.dest;
    Record(r_, runtime_.Call(state_, block_, {r_.origin, c.dest, c.value, c.input, gas_}));
  }
  void operator()(const TransferBalance& c) {
    auto moved = runtime_.Transfer(state_, r_.origin, c.to, c.value);
    r_.status = moved ? Receipt::Status::Success : Receipt::Status::Failed;
    if (!moved) r_.error = moved.error().ToString();
  }
  contracts::Weight gas_;

 private:
  contracts::Runtime& runtime_;
  BlockState& state_;
  const contracts::BlockContext& block_;
  Receipt& r_;
};

}  // namespace

BlockApplier::Outcome BlockApplier::Apply(const contracts::StateReader& committed,
                                          const CodeHash& previous_root,
                                          const BlockEntry& entry,
                                          bool signatures_verified) const {
  BlockState state(committed);
  const contracts::BlockContext context{uint32_t(entry.number), entry.timestamp_ms};
  Outcome out;
  out.block.number = entry.number;
  out.block.timestamp_ms = entry.timestamp_ms;
  for (const Bytes& bytes : entry.commands) {
    Receipt r;
    r.command_hash = crypto::Blake2b256(bytes);
    auto signed_command = codec::DecodeAll<SignedCommand>(bytes);
    if (!signed_command) {
      out.block.receipts.push_back(Rejected(r, "malformed command: " + signed_command.error().ToString()));
      continue;
    }
    auto command = signatures_verified ? OpenCommand(*signed_command)
                                       : VerifyCommand(config_.cluster_id, *signed_command);
    if (!command) {
      out.block.receipts.push_back(Rejected(r, command.error()));
      continue;
    }
    r.origin = command->origin;
    r.nonce = command->nonce;
    const uint64_t expected = state.GetNonce(command->origin);
    if (command->nonce != expected) {
      out.block.receipts.push_back(
          Rejected(r, fmt::format("nonce {} is not the account's next nonce, {}", command->nonce,
                                  expected)));
      continue;
    }
    if (command->gas_limit > config_.max_gas_per_command) {
      out.block.receipts.push_back(Rejected(
          r, fmt::format("gas limit {} is above the maximum, {}", command->gas_limit,
                         config_.max_gas_per_command)));
      continue;
    }
    // A valid command uses up its nonce whatever becomes of it.
    contracts::StateChanges nonce;
    nonce.nonces.emplace(command->origin, expected + 1);
    state.Apply(nonce);
    CommandRunner run(runtime_, state, context, r);
    run.gas_ = contracts::Weight{command->gas_limit, 0};
    std::visit(run, command->body);
    out.block.receipts.push_back(std::move(r));
  }
  out.changes = state.changes();
  out.block.state_root = state::NextStateRoot(previous_root, out.changes);
  return out;
}

}  // namespace phat::ledger
