#include "contracts/execution.h"

#include <algorithm>
#include <fmt/format.h>

namespace phat::contracts {
namespace {

Expected<Execution::Outcome, CallFailure> CallerFails(ContractError error, std::string message) {
  return unexpected(CallFailure{Error{error, std::move(message)}, /*in_callee=*/false});
}
CallFailure CalleeFails(ContractError error, std::string message) {
  return CallFailure{Error{error, std::move(message)}, /*in_callee=*/true};
}

}  // namespace

Execution::Execution(const CodeCache& codes, const Schedule& schedule, const StateReader& state,
                     const BlockContext& block, Mode mode, const AccountId& origin,
                     const std::map<uint16_t, std::shared_ptr<ChainExtension>>& extensions)
    : codes_(codes),
      schedule_(schedule),
      overlay_(state),
      block_(block),
      mode_(mode),
      origin_(origin),
      extensions_(extensions) {}

ChainExtension* Execution::extension(uint16_t id) const {
  auto it = extensions_.find(id);
  return it == extensions_.end() ? nullptr : it->second.get();
}

void Execution::AppendDebug(std::string_view text) {
  // As pallet-contracts: a message goes in whole or not at all; only the first may be cut.
  const size_t limit = schedule_.limits.debug_buffer_len;
  if (debug_.empty())
    debug_.assign(text.substr(0, limit));
  else if (debug_.size() + text.size() <= limit)
    debug_.append(text);
}

bool Execution::AllowsReentry(const AccountId& account) const {
  return std::none_of(frames_.begin(), frames_.end(), [&](const Frame* f) {
    return f->account == account && !f->allows_reentry;
  });
}

bool Execution::OnStack(const AccountId& account, int* count) const {
  int n = int(std::count_if(frames_.begin(), frames_.end(),
                            [&](const Frame* f) { return f->account == account; }));
  if (count) *count = n;
  return n > 0;
}

Expected<Execution::Outcome, CallFailure> Execution::Call(CallSpec spec,
                                                          uint64_t& fuel_used) {
  fuel_used = 0;
  if (frames_.size() >= schedule_.limits.call_depth)
    return CallerFails(ContractError::MaxCallDepthReached,
                       fmt::format("at most {} frames", schedule_.limits.call_depth));
  Frame frame;
  frame.exec = this;
  frame.account = spec.dest;
  frame.caller = spec.caller;
  frame.value = spec.value;
  frame.read_only = spec.read_only;
  if (spec.delegate) {
    frame.code = spec.delegate;
    frame.delegated = true;
  } else {
    std::optional<ContractInfo> info = overlay_.GetContract(spec.dest);
    if (!info) return CallerFails(ContractError::ContractNotFound, "0x" + ToHex(spec.dest));
    if (!AllowsReentry(spec.dest))
      return CallerFails(ContractError::ReentranceDenied, "0x" + ToHex(spec.dest));
    auto code = codes_.Get(info->code_hash, overlay_.base());
    if (!code) return CallerFails(code.error().kind, code.error().message);
    frame.code = *code;
  }
  if (mode_ == Mode::Transaction && frame.code->determinism == Determinism::Relaxed)
    return CallerFails(ContractError::Indeterministic, "in a transaction");
  frame.input = std::move(spec.input);

  const Overlay::Checkpoint checkpoint = overlay_.Mark();
  const OutputMark outputs_mark = MarkOutputs();
  if (!spec.delegate && !overlay_.Transfer(spec.caller, spec.dest, spec.value))
    return CallerFails(ContractError::TransferFailed,
                       fmt::format("the caller cannot pay {}", BalanceToString(spec.value)));
  auto ret = RunFrame(frame, "call", spec.fuel, fuel_used);
  if (!ret || ret->reverted()) {
    overlay_.RollbackTo(checkpoint);
    DropOutputsSince(outputs_mark);
  }
  if (!ret) return unexpected(std::move(ret).error());
  return Outcome{std::move(*ret), fuel_used, std::nullopt};
}

Expected<Execution::Outcome, CallFailure> Execution::Instantiate(InstantiateSpec spec,
                                                                 uint64_t& fuel_used) {
  fuel_used = 0;
  if (frames_.size() >= schedule_.limits.call_depth)
    return CallerFails(ContractError::MaxCallDepthReached,
                       fmt::format("at most {} frames", schedule_.limits.call_depth));
  if (!overlay_.GetCodeInfo(spec.code_hash))
    return CallerFails(ContractError::CodeNotFound, "code hash 0x" + ToHex(spec.code_hash));
  auto code = codes_.Get(spec.code_hash, overlay_.base());
  if (!code) return CallerFails(code.error().kind, code.error().message);
  // Relaxed code may only be called in queries, never instantiated (pallet-contracts).
  if ((*code)->determinism == Determinism::Relaxed)
    return CallerFails(ContractError::Indeterministic, "code that may use floats cannot be instantiated");
  const AccountId address =
      Runtime::ContractAddress(spec.caller, spec.code_hash, spec.input, spec.salt);
  if (overlay_.GetContract(address))
    return CallerFails(ContractError::DuplicateContract, "0x" + ToHex(address));

  Frame frame;
  frame.exec = this;
  frame.account = address;
  frame.caller = spec.caller;
  frame.value = spec.value;
  frame.code = *code;
  frame.input = std::move(spec.input);
  frame.is_constructor = true;

  const Overlay::Checkpoint checkpoint = overlay_.Mark();
  const OutputMark outputs_mark = MarkOutputs();
  overlay_.SetContract(address, ContractInfo{spec.code_hash});
  overlay_.AddCodeRef(spec.code_hash, +1);
  if (!overlay_.Transfer(spec.caller, address, spec.value)) {
    overlay_.RollbackTo(checkpoint);
    return CallerFails(ContractError::TransferFailed,
                       fmt::format("the caller cannot pay {}", BalanceToString(spec.value)));
  }
  auto ret = RunFrame(frame, "deploy", spec.fuel, fuel_used);
  if (!ret || ret->reverted()) {
    overlay_.RollbackTo(checkpoint);
    DropOutputsSince(outputs_mark);
  }
  if (!ret) return unexpected(std::move(ret).error());
  return Outcome{std::move(*ret), fuel_used, address};
}

Expected<ExecReturn, CallFailure> Execution::RunFrame(Frame& frame, const char* entry,
                                                      uint64_t fuel, uint64_t& fuel_used) {
  const uint64_t frame_fuel = FuelFor(schedule_.frame_cost);
  if (fuel < frame_fuel) {
    fuel_used = fuel;
    return unexpected(CalleeFails(ContractError::OutOfGas, "not enough gas to start a frame"));
  }
  frames_.push_back(&frame);
  struct Pop {
    std::vector<Frame*>& frames;
    ~Pop() { frames.pop_back(); }
  } pop{frames_};

  const PreparedCode& code = *frame.code;
  wasm::Store store(ContractEngineConfig(schedule_));
  store.set_user_data(&frame);
  store.set_interrupt(interrupt_, interrupt_deadline_);
  frame.store = &store;
  store.SetFuel(fuel - frame_fuel);
  auto finish = [&] { fuel_used = fuel - store.fuel_remaining(); };

  auto memory = store.NewMemory(code.memory);
  if (!memory) {
    fuel_used = fuel;
    return unexpected(CalleeFails(ContractError::HostError, memory.error().ToString()));
  }
  // Frames instantiate one at a time (a nested frame starts only once its caller runs), so one
  // scratch list of imports serves them all.
  import_scratch_.assign(code.imports.begin(), code.imports.end());
  import_scratch_[code.memory_import] = wasm::Extern::Of(*memory);
  auto instance = store.Instantiate(code.module, import_scratch_);
  if (!instance) {
    finish();
    return unexpected(CalleeFails(ContractError::ContractTrapped, instance.error().ToString()));
  }
  wasm::Func* func = (*instance)->GetFunc(entry);
  uint64_t results[1];
  auto run = store.CallRaw(func, {}, std::span<uint64_t>(results, func->type().results.size()));
  finish();
  if (run) return ExecReturn{};
  const wasm::ExecError& error = run.error();
  switch (error.kind) {
    case wasm::ExecError::Kind::Trap:
      return unexpected(CalleeFails(ContractError::ContractTrapped, error.message));
    case wasm::ExecError::Kind::FuelExhausted:
      fuel_used = fuel;
      return unexpected(CalleeFails(ContractError::OutOfGas, "the frame ran out of gas"));
    case wasm::ExecError::Kind::HostError:
      if (error.host_code == kReturnCode) return std::move(frame.output);
      if (error.host_code == kTerminateCode) return ExecReturn{};
      if (error.host_code >= kContractErrorCodeBase)
        return unexpected(
            CalleeFails(ContractError(error.host_code - kContractErrorCodeBase), error.message));
      return unexpected(CalleeFails(ContractError::HostError, error.message));
    case wasm::ExecError::Kind::Interrupted:
      interrupted_ = true;
      return unexpected(CalleeFails(ContractError::Interrupted, "the query's time ran out"));
    case wasm::ExecError::Kind::BadCall:
      break;
  }
  return unexpected(CalleeFails(ContractError::HostError, error.ToString()));
}

}  // namespace phat::contracts
