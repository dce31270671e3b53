// One execution: a top-level call or instantiation and every frame it nests. It owns the
// journaled overlay, the events and the debug buffer, and runs each frame as a fresh instance of
// its contract's compiled module in a Store of its own. Host functions (host_functions.cc) reach
// their frame through the Store's user data. One thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contracts/code_cache.h"
#include "contracts/overlay.h"
#include "phat/contracts/runtime.h"
#include "phat/wasm/runtime.h"

namespace phat::contracts {

class Execution;

// pallet-contracts CallFlags (ABI.md §2).
enum CallFlags : uint32_t {
  kForwardInput = 1,
  kCloneInput = 2,
  kTailCall = 4,
  kAllowReentry = 8,
  kReadOnly = 16,
};

// How a host function ends its frame early: HostFailure::Error with one of these codes.
inline constexpr int64_t kReturnCode = 1;      // seal_return, or a tail call's return
inline constexpr int64_t kTerminateCode = 2;   // terminate
inline constexpr int64_t kContractErrorCodeBase = 1000;  // + ContractError: the frame fails

struct Frame {
  Execution* exec = nullptr;
  AccountId account{};  // whose storage and balance the code works on
  AccountId caller{};
  Balance value = 0;
  std::shared_ptr<const PreparedCode> code;  // for delegate_call, the delegate's code
  Bytes input;
  bool input_forwarded = false;
  bool read_only = false;
  bool allows_reentry = true;  // false while it makes a call that did not allow re-entry
  bool is_constructor = false;
  bool delegated = false;
  ExecReturn output;           // set by seal_return
  bool terminated = false;
  wasm::Store* store = nullptr;
};

// Why a nested call failed, and whose fault: errors from the callee become return codes for the
// caller; errors in setting the call up fail the caller itself.
struct CallFailure {
  Error error;
  bool in_callee = false;
};

class Execution {
 public:
  Execution(const CodeCache& codes, const Schedule& schedule, const StateReader& state,
            const BlockContext& block, Mode mode, const AccountId& origin,
            const std::map<uint16_t, std::shared_ptr<ChainExtension>>& extensions);

  // What a call asks for. `fuel` is the budget in engine fuel; `delegate` runs that code in the
  // calling frame's account instead of the callee's own.
  struct CallSpec {
    AccountId caller{};
    AccountId dest{};
    Balance value = 0;
    Bytes input;
    uint64_t fuel = 0;
    bool read_only = false;
    std::shared_ptr<const PreparedCode> delegate;
    const Frame* delegator = nullptr;
  };
  struct InstantiateSpec {
    AccountId caller{};
    CodeHash code_hash{};
    Balance value = 0;
    Bytes input;
    Bytes salt;
    uint64_t fuel = 0;
  };
  struct Outcome {
    ExecReturn ret;
    uint64_t fuel_used = 0;
    std::optional<AccountId> account;  // instantiate
  };
  // fuel_used is also reported on failure.
  Expected<Outcome, CallFailure> Call(CallSpec spec, uint64_t& fuel_used);
  Expected<Outcome, CallFailure> Instantiate(InstantiateSpec spec, uint64_t& fuel_used);

  // Queries: frames stop with ContractError::Interrupted once *flag is true or `deadline` has
  // passed.
  void set_interrupt(const std::atomic<bool>* flag,
                     std::chrono::steady_clock::time_point deadline) {
    interrupt_ = flag;
    interrupt_deadline_ = deadline;
  }
  // Whether a frame was stopped so (whatever its callers made of it).
  bool interrupted() const { return interrupted_; }
  // A chain extension stopped the query (it would have to wait and may not).
  void MarkInterrupted() { interrupted_ = true; }
  std::chrono::steady_clock::time_point deadline() const { return interrupt_deadline_; }
  bool may_wait() const { return may_wait_; }
  void set_may_wait(bool may_wait) { may_wait_ = may_wait; }

  Overlay& overlay() { return overlay_; }
  const Schedule& schedule() const { return schedule_; }
  const CodeCache& codes() const { return codes_; }
  const BlockContext& block() const { return block_; }
  Mode mode() const { return mode_; }
  const AccountId& origin() const { return origin_; }
  const std::vector<Frame*>& frames() const { return frames_; }
  ChainExtension* extension(uint16_t id) const;

  std::vector<Event>& events() { return events_; }
  // Work to do once the whole call has succeeded (ExtensionContext::OnCommit): kept and dropped
  // with the frame that asked for it, as its events are.
  void AddCommitEffect(std::function<void()> effect) { effects_.push_back(std::move(effect)); }
  std::vector<std::function<void()>>& commit_effects() { return effects_; }
  std::string& debug_buffer() { return debug_; }
  void AppendDebug(std::string_view text);

  // Fuel for `ref_time` picoseconds, rounded up.
  uint64_t FuelFor(uint64_t ref_time) const {
    return (ref_time + schedule_.ref_time_per_fuel - 1) / schedule_.ref_time_per_fuel;
  }
  // Whether `account` may be entered again: no frame of it is making a non-reentrant call.
  bool AllowsReentry(const AccountId& account) const;
  bool OnStack(const AccountId& account, int* count = nullptr) const;

 private:
  Expected<ExecReturn, CallFailure> RunFrame(Frame& frame, const char* entry, uint64_t fuel,
                                             uint64_t& fuel_used);
  // What a frame adds besides state (events, commit effects), to drop when it reverts.
  struct OutputMark {
    size_t events = 0;
    size_t effects = 0;
  };
  OutputMark MarkOutputs() const { return {events_.size(), effects_.size()}; }
  void DropOutputsSince(const OutputMark& mark) {
    events_.resize(mark.events);
    effects_.resize(mark.effects);
  }

  const CodeCache& codes_;
  const Schedule& schedule_;
  Overlay overlay_;
  BlockContext block_;
  Mode mode_;
  AccountId origin_;
  const std::atomic<bool>* interrupt_ = nullptr;
  std::chrono::steady_clock::time_point interrupt_deadline_ =
      std::chrono::steady_clock::time_point::max();
  bool interrupted_ = false;
  bool may_wait_ = true;
  const std::map<uint16_t, std::shared_ptr<ChainExtension>>& extensions_;
  std::vector<Frame*> frames_;
  std::vector<Event> events_;
  std::vector<std::function<void()>> effects_;
  std::string debug_;
  std::vector<wasm::Extern> import_scratch_;
};

}  // namespace phat::contracts
