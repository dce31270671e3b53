#include "phat/contracts/runtime.h"

#include <fmt/format.h>

#include "contracts/code_cache.h"
#include "contracts/execution.h"
#include "phat/crypto/hash.h"

namespace phat::contracts {

std::string_view ContractErrorName(ContractError error) {
  switch (error) {
#define PHAT_X(name, text) \
  case ContractError::name: return #name;
    PHAT_CONTRACT_ERRORS(PHAT_X)
#undef PHAT_X
  }
  return "Unknown";
}

std::string Error::ToString() const {
  std::string_view what;
  switch (kind) {
#define PHAT_X(name, text) \
  case ContractError::name: what = text; break;
    PHAT_CONTRACT_ERRORS(PHAT_X)
#undef PHAT_X
  }
  if (message.empty()) return fmt::format("{}: {}", ContractErrorName(kind), what);
  return fmt::format("{}: {}: {}", ContractErrorName(kind), what, message);
}

struct Runtime::Impl {
  explicit Impl(RuntimeConfig c) : config(std::move(c)), codes(config.schedule) {}
  RuntimeConfig config;
  CodeCache codes;
  std::map<uint16_t, std::shared_ptr<ChainExtension>> extensions;

  uint64_t FuelOf(const Weight& limit) const {
    return limit.ref_time / config.schedule.ref_time_per_fuel;
  }
  // Runs one top-level call or instantiation (`request` a CallRequest or InstantiateRequest)
  // and fills in what every result reports.
  template <typename Request, typename Run>
  ExecResult RunTop(const StateReader& state, const BlockContext& block, Mode mode,
                    const Request& request, Run run) {
    Execution exec(codes, config.schedule, state, block, mode, request.origin, extensions);
    if (mode == Mode::Query) {
      exec.set_interrupt(request.interrupt, request.deadline);
      exec.set_may_wait(request.may_wait);
    }
    uint64_t fuel_used = 0;
    auto outcome = run(exec, FuelOf(request.gas_limit), fuel_used);
    ExecResult result;
    result.gas_consumed = {fuel_used * config.schedule.ref_time_per_fuel, 0};
    result.gas_required = result.gas_consumed;
    result.debug_message = std::move(exec.debug_buffer());
    // An interrupted callee is an error its caller may have handled and gone on from: whatever
    // the top frame made of it, the query did not finish.
    if (exec.interrupted()) {
      result.result = unexpected(Error{ContractError::Interrupted, ""});
      return result;
    }
    if (!outcome) {
      result.result = unexpected(std::move(outcome.error().error));
      return result;
    }
    result.result = std::move(outcome->ret);
    if (result.ok()) {
      result.account = outcome->account;
      result.events = std::move(exec.events());
      if (mode == Mode::Transaction) result.changes = exec.overlay().Changes();
      for (auto& effect : exec.commit_effects()) effect();
    }
    return result;
  }

  ExecResult RunCall(const StateReader& state, const BlockContext& block, Mode mode,
                     const CallRequest& request) {
    return RunTop(state, block, mode, request, [&](Execution& exec, uint64_t fuel, uint64_t& used) {
      Execution::CallSpec spec;
      spec.caller = request.origin;
      spec.dest = request.dest;
      spec.value = request.value;
      spec.input = request.input;
      spec.fuel = fuel;
      return exec.Call(std::move(spec), used);
    });
  }

  ExecResult RunInstantiate(const StateReader& state, const BlockContext& block, Mode mode,
                            const InstantiateRequest& request) {
    return RunTop(state, block, mode, request, [&](Execution& exec, uint64_t fuel, uint64_t& used) {
      Execution::InstantiateSpec spec;
      spec.caller = request.origin;
      spec.code_hash = request.code_hash;
      spec.value = request.value;
      spec.input = request.input;
      spec.salt = request.salt;
      spec.fuel = fuel;
      return exec.Instantiate(std::move(spec), used);
    });
  }
};

Runtime::Runtime(RuntimeConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Runtime::~Runtime() = default;

const Schedule& Runtime::schedule() const { return impl_->config.schedule; }

void Runtime::RegisterChainExtension(uint16_t id, std::shared_ptr<ChainExtension> extension) {
  impl_->extensions[id] = std::move(extension);
}

AccountId Runtime::ContractAddress(const AccountId& deployer, const CodeHash& code_hash,
                                   ByteView input, ByteView salt) {
  // pallet-contracts' derivation: blake2b-256 over a domain tag and everything that went in.
  Bytes preimage;
  const std::string_view tag = "contract_addr_v1";
  preimage.insert(preimage.end(), tag.begin(), tag.end());
  preimage.insert(preimage.end(), deployer.begin(), deployer.end());
  preimage.insert(preimage.end(), code_hash.begin(), code_hash.end());
  preimage.insert(preimage.end(), input.begin(), input.end());
  preimage.insert(preimage.end(), salt.begin(), salt.end());
  return crypto::Blake2b256(preimage);
}

Expected<std::pair<CodeHash, StateChanges>, Error> Runtime::PrepareUpload(
    const StateReader& state, const AccountId& origin, ByteView wasm, Determinism determinism) {
  const CodeHash hash = crypto::Blake2b256(wasm);
  StateChanges changes;
  if (state.GetCodeInfo(hash)) return std::pair{hash, std::move(changes)};
  const bool extension = !impl_->extensions.empty();
  // Relaxed code that needs no floats is stored as deterministic, so it can also be
  // instantiated and run in transactions (as pallet-contracts does).
  auto code = impl_->codes.Prepare(hash, wasm, Determinism::Enforced, extension);
  if (!code && determinism == Determinism::Relaxed)
    code = impl_->codes.Prepare(hash, wasm, Determinism::Relaxed, extension);
  if (!code) return unexpected(std::move(code).error());
  determinism = (*code)->determinism;
  impl_->codes.Insert(std::move(*code));
  changes.codes.emplace(hash, Bytes(wasm.begin(), wasm.end()));
  changes.code_infos.emplace(hash, CodeInfo{origin, determinism, 0, uint32_t(wasm.size())});
  return std::pair{hash, std::move(changes)};
}

Expected<CodeHash, Error> Runtime::Upload(State& state, const AccountId& origin, ByteView wasm,
                                          Determinism determinism) {
  auto [hash, changes] = PHAT_TRY(PrepareUpload(state, origin, wasm, determinism));
  if (!changes.empty()) state.Apply(changes);
  return hash;
}

ExecResult Runtime::Call(State& state, const BlockContext& block, const CallRequest& request) {
  ExecResult result = impl_->RunCall(state, block, Mode::Transaction, request);
  if (!result.changes.empty()) state.Apply(result.changes);
  return result;
}

ExecResult Runtime::Query(const StateReader& state, const BlockContext& block,
                          const CallRequest& request) {
  return impl_->RunCall(state, block, Mode::Query, request);
}

ExecResult Runtime::Instantiate(State& state, const BlockContext& block,
                                const InstantiateRequest& request) {
  ExecResult result = impl_->RunInstantiate(state, block, Mode::Transaction, request);
  if (!result.changes.empty()) state.Apply(result.changes);
  return result;
}

ExecResult Runtime::QueryInstantiate(const StateReader& state, const BlockContext& block,
                                     const InstantiateRequest& request) {
  return impl_->RunInstantiate(state, block, Mode::Query, request);
}

Expected<StateChanges, Error> Runtime::Transfer(State& state, const AccountId& from,
                                                const AccountId& to, Balance value) {
  Overlay overlay(state);
  if (!overlay.Transfer(from, to, value))
    return unexpected(Error{ContractError::TransferFailed,
                            fmt::format("0x{} has less than {}", ToHex(from),
                                        BalanceToString(value))});
  StateChanges changes = overlay.Changes();
  state.Apply(changes);
  return changes;
}

}  // namespace phat::contracts
