// The durable contract state: contracts::State on RocksDB, as the node keeps it. Applying a
// StateChanges is one atomic WriteBatch (optionally with the ledger's metadata in the same batch),
// synced to disk before it returns unless the caller chose otherwise, so after a crash the
// database holds every batch acknowledged and no part of any other. Queries read consistent
// snapshots that stay valid while the writer goes on.
//
// Key layout: one byte naming the space, then the space's key. Ids and hashes are their 32 raw
// bytes, so every key of one contract's storage shares the 33-byte prefix 0x01 ‖ contract id.
//   0x01 ‖ contract id ‖ key   → the storage value as stored                   (storage)
//   0x02 ‖ account id          → SCALE ContractInfo (see state_root.h)          (contracts)
//   0x03 ‖ account id          → balance: u128 little-endian, 16 bytes          (balances)
//   0x04 ‖ code hash           → the Wasm as uploaded                           (codes)
//   0x05 ‖ code hash           → SCALE CodeInfo (see state_root.h)              (code infos)
//   0x06 ‖ key (any bytes)     → the ledger's own records, e.g. height, root   (meta)
//   0x07 ‖ account id          → next command nonce: u64 little-endian         (nonces)
// A wiped contract's storage goes with one DeleteRange over its prefix.
//
// Thread safety: every method of RocksDbState and RocksDbSnapshot may be called from any thread
// at once (RocksDB synchronises). Many queries may read snapshots while one writer applies;
// concurrent writers are safe too, but each batch then lands in whichever order the writes reach
// the database, so the ledger applies from one thread to keep the log's order. A read that
// RocksDB fails, or a stored record that does not decode, aborts the process (see Apply).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"
#include "phat/contracts/state.h"
#include "phat/contracts/types.h"

namespace rocksdb {
class DB;
class Snapshot;
}  // namespace rocksdb

namespace phat::state {

using contracts::AccountId;
using contracts::Balance;
using contracts::CodeHash;
using contracts::CodeInfo;
using contracts::ContractInfo;
using contracts::StateChanges;

// The first byte of every key: which space it belongs to.
enum class KeySpace : uint8_t {
  kStorage = 0x01,
  kContracts = 0x02,
  kBalances = 0x03,
  kCodes = 0x04,
  kCodeInfos = 0x05,
  kMeta = 0x06,
  kNonces = 0x07,
};

struct RocksDbOptions {
  bool create_if_missing = true;
  // fsync the write-ahead log before a write returns: a write acknowledged survives a power
  // loss, not only a crash of the process. Off only for tests and benchmarks.
  bool sync = true;
};

// A consistent read-only view of the state as it was when it was taken. It shares the database
// with the RocksDbState that made it, so it stays readable even after that is destroyed (the
// database closes when the last of them goes).
class RocksDbSnapshot final : public contracts::StateReader {
 public:
  ~RocksDbSnapshot() override;
  RocksDbSnapshot(const RocksDbSnapshot&) = delete;
  RocksDbSnapshot& operator=(const RocksDbSnapshot&) = delete;

  std::optional<Bytes> GetStorage(const AccountId& contract, ByteView key) const override;
  std::optional<ContractInfo> GetContract(const AccountId& account) const override;
  Balance GetBalance(const AccountId& account) const override;
  uint64_t GetNonce(const AccountId& account) const override;
  std::optional<Bytes> GetCode(const CodeHash& hash) const override;
  std::optional<CodeInfo> GetCodeInfo(const CodeHash& hash) const override;

  // The ledger's record under `key` as of this snapshot, e.g. the height the state was at.
  std::optional<Bytes> GetMeta(std::string_view key) const;
  std::map<Bytes, Bytes> StorageOf(const AccountId& contract) const;

 private:
  friend class RocksDbState;
  RocksDbSnapshot(std::shared_ptr<rocksdb::DB> db, std::string path,
                  const rocksdb::Snapshot* snapshot);

  std::shared_ptr<rocksdb::DB> db_;
  std::string path_;  // for error messages
  const rocksdb::Snapshot* snapshot_;
};

class RocksDbState final : public contracts::State {
 public:
  using Options = RocksDbOptions;

  // Opens (or, with create_if_missing, creates) the database in the directory `path`. Errors
  // say which path and why: not a directory, missing, locked by another process, corrupt.
  static Expected<std::unique_ptr<RocksDbState>, std::string> Open(const std::string& path,
                                                                   Options options = {});
  ~RocksDbState() override;
  RocksDbState(const RocksDbState&) = delete;
  RocksDbState& operator=(const RocksDbState&) = delete;

  // The latest state.
  std::optional<Bytes> GetStorage(const AccountId& contract, ByteView key) const override;
  std::optional<ContractInfo> GetContract(const AccountId& account) const override;
  Balance GetBalance(const AccountId& account) const override;
  uint64_t GetNonce(const AccountId& account) const override;
  std::optional<Bytes> GetCode(const CodeHash& hash) const override;
  std::optional<CodeInfo> GetCodeInfo(const CodeHash& hash) const override;

  // Applies the changes and the ledger's metadata records in one atomic, (by default) synced
  // write: all of it is on disk when this returns success, and none of it on failure.
  Expected<void, std::string> ApplyWithMeta(const StateChanges& changes,
                                            const std::vector<std::pair<std::string, Bytes>>& meta);

  // ApplyWithMeta without metadata. The interface has no way to report a failure, and going on
  // after one would let this worker's state silently diverge from the log (and from every other
  // worker's), so a failed write aborts the process with the reason; a restart replays the log
  // from the last batch that did land.
  void Apply(const StateChanges& changes) override;

  // A consistent view of the state now, unaffected by later writes.
  std::unique_ptr<RocksDbSnapshot> Snapshot() const;

  std::optional<Bytes> GetMeta(std::string_view key) const;
  // Every storage entry of one contract, by key (as MemoryState::StorageOf).
  std::map<Bytes, Bytes> StorageOf(const AccountId& contract) const;

  const std::string& path() const { return path_; }

 private:
  RocksDbState(std::shared_ptr<rocksdb::DB> db, std::string path, Options options);

  std::shared_ptr<rocksdb::DB> db_;
  std::string path_;
  Options options_;
};

}  // namespace phat::state
