// The chain: a node's command log, durable state and block applier, tied into one loop. Submitted
// commands are grouped into blocks by one producer thread; each block is appended to the log
// (durable) before it is applied, then its state changes, receipts, height and root are written in
// one atomic batch. On open, any block the log has and the state does not is applied again, so a
// crash between the two loses nothing; applying a log from genesis always gives the same roots.
//
// Meta records in the state (RocksDbState's meta space): "cluster" (32 bytes), "height" (u64 LE),
// "root" (32 bytes), "block/" ‖ number (u64 big-endian) → SCALE(AppliedBlock), and
// "receipt/" ‖ command hash → SCALE((block number u64, index u32)).
//
// Thread safety: every method may be called from any thread. Queries read snapshots while blocks
// are applied.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "phat/ledger/block_applier.h"
#include "phat/ledger/command_log.h"
#include "phat/state/rocksdb_state.h"

namespace phat::ledger {

struct ChainConfig {
  std::string data_dir;  // holds state/ (RocksDB) and log/ (the embedded log)
  CodeHash cluster_id{};
  contracts::StateChanges genesis;  // applied once, when the data directory is new
  std::chrono::milliseconds block_interval{2};  // how long a block waits for more commands
  size_t max_block_commands = 1000;
  uint64_t max_gas_per_command = 1'000'000'000'000;
  contracts::RuntimeConfig runtime;
  // Chain extensions by id (pink is 0), registered before the log is replayed: commands must
  // meet the same functions when replayed as when first applied.
  std::map<uint16_t, std::shared_ptr<contracts::ChainExtension>> extensions;
};

struct ChainStatus {
  uint64_t height = 0;
  CodeHash state_root{};
  size_t queued = 0;
};

// Why Submit refused a command, so that the API can tell the client's mistakes apart.
struct SubmitError {
  enum class Kind : uint8_t {
    Malformed,     // not a SCALE SignedCommand holding a SCALE Command
    BadSignature,  // the signature, key or origin does not hold
    Stopping,      // the node is shutting down
  };
  Kind kind = Kind::Malformed;
  std::string message;
};

class Chain {
 public:
  static Expected<std::unique_ptr<Chain>, std::string> Open(ChainConfig config);
  ~Chain();  // finishes the block in progress, then stops
  Chain(const Chain&) = delete;
  Chain& operator=(const Chain&) = delete;

  // Checks a signed command (it decodes and its signature holds) and queues it for the next
  // block. Returns its hash, by which its receipt is found. The nonce is checked when it applies.
  // The signature is checked here, once: the producer does not check it again.
  Expected<CodeHash, SubmitError> Submit(Bytes signed_command);
  // The receipt of a command once its block is committed; waits up to `timeout` for it.
  std::optional<Receipt> WaitForReceipt(const CodeHash& command_hash,
                                        std::chrono::milliseconds timeout) const;
  std::optional<AppliedBlock> GetBlock(uint64_t number) const;
  // Waits up to `timeout` for the height to pass `height`; returns the height then.
  uint64_t WaitForHeight(uint64_t height, std::chrono::milliseconds timeout) const;

  ChainStatus status() const;
  const ChainConfig& config() const { return config_; }
  // A consistent view of the latest committed state, for queries.
  std::unique_ptr<state::RocksDbSnapshot> Snapshot() const { return state_->Snapshot(); }
  contracts::Runtime& runtime() { return *runtime_; }

 private:
  explicit Chain(ChainConfig config) : config_(std::move(config)) {}
  Expected<void, std::string> Start();
  Expected<void, std::string> ApplyEntry(const BlockEntry& entry, bool signatures_verified);
  void ProduceBlocks();

  ChainConfig config_;
  std::unique_ptr<contracts::Runtime> runtime_;
  std::unique_ptr<state::RocksDbState> state_;
  std::unique_ptr<CommandLog> log_;
  std::unique_ptr<BlockApplier> applier_;

  mutable std::mutex mu_;
  mutable std::condition_variable applied_;  // a block was committed
  std::condition_variable queued_;           // a command was queued, or stop
  std::deque<Bytes> queue_;
  uint64_t height_ = 0;
  CodeHash root_{};
  bool stopping_ = false;
  std::thread producer_;
};

}  // namespace phat::ledger
