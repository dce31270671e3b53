// The contract runtime: the pallet-contracts execution model over a State. Uploads validate,
// compile and cache code by hash; instantiate and call run a stack of frames, each a fresh
// instance of its contract's compiled module, with the ink! host ABI (ABI.md §2), gas, a
// journaled storage overlay, events and balances. A committing call applies its changes to the
// State only if the top frame neither trapped nor reverted; a query never writes.
//
// Thread safety: a Runtime may run calls from several threads at once, each against its own
// State (or a shared StateReader for queries); the code cache is internally locked.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "phat/base/expected.h"
#include "phat/contracts/schedule.h"
#include "phat/contracts/state.h"
#include "phat/contracts/types.h"

namespace phat::contracts {

// Why a call or upload failed, as pallet-contracts names it where it has a name.
#define PHAT_CONTRACT_ERRORS(X)                                                       \
  X(CodeRejected, "the code is not an acceptable contract")                          \
  X(CodeTooLarge, "the code is larger than the schedule allows")                     \
  X(CodeNotFound, "no code with this hash was uploaded")                             \
  X(ContractNotFound, "no contract at this address")                                 \
  X(DuplicateContract, "a contract already exists at this address")                 \
  X(ContractTrapped, "the contract trapped")                                         \
  X(OutOfGas, "the gas limit was reached")                                           \
  X(MaxCallDepthReached, "too many nested calls")                                    \
  X(ReentranceDenied, "the contract is already on the call stack")                  \
  X(TransferFailed, "the balance is too low for the transfer")                       \
  X(Indeterministic, "code that may use floats runs only in queries")                \
  X(StateChangeDenied, "a read-only call tried to change state")                     \
  X(InputForwarded, "the input was already forwarded to a callee")                   \
  X(InvalidCallFlags, "invalid call flags")                                          \
  X(OutputBufferTooSmall, "the contract's output buffer is too small")               \
  X(ValueTooLarge, "a storage value or event is larger than the schedule allows")     \
  X(TooManyTopics, "an event has more topics than the schedule allows")              \
  X(DecodingFailed, "the contract passed bytes that do not decode")                  \
  X(NoChainExtension, "the contract called a chain extension that does not exist")   \
  X(TerminatedWhileReentrant, "a contract on the call stack more than once terminated") \
  X(TerminatedInConstructor, "a constructor tried to terminate its contract")        \
  X(Interrupted, "the worker stopped the query at its time limit")                  \
  X(HostError, "the host failed")

enum class ContractError : uint8_t {
#define PHAT_X(name, text) name,
  PHAT_CONTRACT_ERRORS(PHAT_X)
#undef PHAT_X
};
std::string_view ContractErrorName(ContractError error);

struct Error {
  ContractError kind = ContractError::HostError;
  std::string message;  // what exactly, e.g. the engine's trap message
  std::string ToString() const;
};

// What the block the call runs in says about itself.
struct BlockContext {
  uint32_t block_number = 0;
  uint64_t timestamp_ms = 0;
};

// Who runs it and with what budget. A query is read-only at the top (its writes are discarded)
// and may run Relaxed code; a transaction is deterministic.
enum class Mode : uint8_t { Transaction, Query };

struct CallRequest {
  AccountId origin{};
  AccountId dest{};
  Balance value = 0;
  Bytes input;
  Weight gas_limit;
  // Queries only: while *interrupt is true, or once `deadline` has passed, the query stops with
  // ContractError::Interrupted (a worker's wall-time limit). Transactions ignore both: they must
  // end alike on every worker.
  const std::atomic<bool>* interrupt = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Queries only: false while the query must not wait on anything outside (it runs on a thread
  // that serves others): a chain extension function that would (an HTTP request) stops it with
  // ContractError::Interrupted instead, so that the caller can run it again where it may wait.
  bool may_wait = true;
};

struct InstantiateRequest {
  AccountId origin{};
  CodeHash code_hash{};
  Balance value = 0;
  Bytes input;
  Bytes salt;
  Weight gas_limit;
  const std::atomic<bool>* interrupt = nullptr;  // as CallRequest's
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool may_wait = true;
};

// What the top frame returned: seal_return's flags and data, or empty data with no flags when
// the export returned normally.
struct ExecReturn {
  uint32_t flags = 0;
  Bytes data;
  bool reverted() const { return (flags & 1) != 0; }
};

struct ExecResult {
  Expected<ExecReturn, Error> result = ExecReturn{};
  std::optional<AccountId> account;  // the new contract, for an instantiation that succeeded
  Weight gas_consumed;
  Weight gas_required;  // what the call needed at its peak, to set a gas limit that suffices
  std::vector<Event> events;  // empty unless the call succeeded and did not revert
  std::string debug_message;  // what the contracts wrote with debug_message, bounded
  StateChanges changes;       // what a committing call applied (empty for a query)
  bool ok() const { return result.has_value() && !result->reverted(); }
};

// A chain extension (ABI.md §6): pink is extension 0. Its functions get the call's input and
// write output through the context; the u32 they return goes back to the contract.
class ExtensionContext {
 public:
  virtual ~ExtensionContext() = default;
  virtual Mode mode() const = 0;
  virtual const AccountId& address() const = 0;  // the calling contract
  virtual const AccountId& caller() const = 0;
  // Charges gas for the extension's work; false if the call ran out (then return the failure).
  virtual bool ChargeGas(uint64_t ref_time) = 0;
  // The state as the call has made it so far (a transaction's own transfers included).
  virtual const StateReader& state() const = 0;
  // Queries: when the query must end (time_point::max() for transactions), and whether it may
  // wait on the outside world now (CallRequest::may_wait). A function that would wait when it
  // may not returns ContractError::Interrupted: the whole query stops, to be run again.
  virtual std::chrono::steady_clock::time_point deadline() const = 0;
  virtual bool may_wait() const = 0;
  // Adds to the call's debug output, as seal0.debug_message does (ExecResult::debug_message: a
  // query's answer and a command's receipt carry it, and the node keeps it as contract logs).
  virtual void WriteDebug(std::string_view text) = 0;
  virtual const BlockContext& block() const = 0;
  // Runs `effect` once the whole call has ended without reverting, unless a frame between this
  // one and the top reverted (then it is dropped, as that frame's events are): for what a
  // transaction changes outside the contract state, such as pink's cache. Effects run in the
  // order they were added, before Runtime::Call returns.
  virtual void OnCommit(std::function<void()> effect) = 0;
};
struct ExtensionResult {
  uint32_t status = 0;
  Bytes output;
};
class ChainExtension {
 public:
  virtual ~ChainExtension() = default;
  virtual Expected<ExtensionResult, Error> Call(uint16_t func_id, ByteView input,
                                                ExtensionContext& context) = 0;
};

struct RuntimeConfig {
  Schedule schedule;
};

class Runtime {
 public:
  explicit Runtime(RuntimeConfig config = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Schedule& schedule() const;

  // Validates the Wasm as a contract (ABI.md §1), compiles and caches it, and stores it under its
  // blake2b-256 hash. Uploading the same code again is not an error and changes nothing.
  Expected<CodeHash, Error> Upload(State& state, const AccountId& origin, ByteView wasm,
                                   Determinism determinism = Determinism::Enforced);
  // The same checks without storing: the changes an upload would make.
  Expected<std::pair<CodeHash, StateChanges>, Error> PrepareUpload(
      const StateReader& state, const AccountId& origin, ByteView wasm,
      Determinism determinism = Determinism::Enforced);

  // The address a contract instantiated by `deployer` from this code, input and salt gets.
  static AccountId ContractAddress(const AccountId& deployer, const CodeHash& code_hash,
                                   ByteView input, ByteView salt);

  // Run and, in Mode::Transaction, apply the changes to `state` if the top frame succeeded and
  // did not revert.
  ExecResult Instantiate(State& state, const BlockContext& block, const InstantiateRequest& request);
  ExecResult Call(State& state, const BlockContext& block, const CallRequest& request);
  // Run read-only: the same semantics, any writes discarded; Relaxed code allowed.
  ExecResult QueryInstantiate(const StateReader& state, const BlockContext& block,
                              const InstantiateRequest& request);
  ExecResult Query(const StateReader& state, const BlockContext& block, const CallRequest& request);

  // Moves `value` between accounts (no contract runs). TransferFailed if `from` has too little.
  Expected<StateChanges, Error> Transfer(State& state, const AccountId& from, const AccountId& to,
                                         Balance value);

  void RegisterChainExtension(uint16_t id, std::shared_ptr<ChainExtension> extension);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace phat::contracts
