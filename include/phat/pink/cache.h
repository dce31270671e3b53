// pink's local cache, behind cache_set, cache_set_expiration, cache_get and cache_remove (func
// ids 6-9, ABI.md §6, §10): a key-value store each contract keeps on this worker alone, in
// memory, for results of off-chain work (a fetched price, a token) that are worth keeping for a
// while but are not state. Nothing here is replicated, persisted or part of consensus: another
// worker has its own cache, and a restart empties this one.
//
// The rules are Phala's (crates/pink/chain-extension/src/local_cache.rs in phala-blockchain):
// - Each contract has its own keys. Its quota counts the bytes of its keys and values; a Set
//   that would go over it fails with StorageQuotaExceeded. Replacing a value charges the
//   difference.
// - A new or replaced entry lives CacheOptions::default_lifetime (Phala: one week), and
//   SetExpiration gives it a new lifetime from now, in whole seconds; 0 removes it. An entry is
//   expired once its time has come, and from then on it is gone for Get, Remove and
//   SetExpiration.
// - Expired entries stop counting against the quota: a Set that would go over the quota first
//   drops the contract's expired entries and tries again, as Phala's does.
// Where phat differs: a Set that fails changes nothing (Phala drops the old value before it
// checks the quota, so a failed replace loses it); Remove of an expired entry gives nothing
// (Phala returns the stale value); and there is a per-contract default quota (Phala divides a
// worker-wide 20 MiB among contracts by weights the system contract sets, in
// crates/phactory/src/contracts/support/keeper.rs; phat has no weights yet, so every contract
// gets CacheOptions::contract_quota unless SetQuota says otherwise).
//
// The worker's memory is bounded as a whole too: all contracts' entries together may take at
// most CacheOptions::total_bytes, each entry counted as its key, its value and kEntryOverhead
// for the bookkeeping around it; a Set past that bound is StorageQuotaExceeded as well. The
// overhead is counted there (not in the contract's quota, which stays Phala's key + value) so
// that many tiny entries cannot take the worker's memory for free, and a contract may hold at
// most max_entries_per_contract of them.
//
// Expired entries are dropped without a background thread: Get drops one it finds; every
// Set, SetExpiration and Remove drops a few of the contract's expired entries (kSweepPerOp,
// soonest-expired first); a Set over a quota drops all of the contract's, and one over the
// worker's bound drops every contract's (SweepExpired) before it gives up. The node may also
// call SweepExpired from time to time (Phala sweeps all contracts every 1000 operations).
//
// A transaction does not touch the cache while it runs: Phala records its cache_set,
// cache_set_expiration and cache_remove as events and applies them after the transaction (the
// contract is told Ok and None). CacheOps is that record; Cache::Apply plays it back in order.
//
// Thread safety: a Cache may be used from any number of threads at once. Contracts are spread
// over shards, each under its own mutex, so queries of different contracts seldom wait for
// each other; the worker-wide byte count is atomic. A CacheOps belongs to one transaction and
// is not locked.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"
#include "phat/contracts/types.h"

namespace phat::pink {

// pink's StorageQuotaExceeded: the contract's quota or the worker's bound is used up.
struct StorageQuotaExceeded {
  friend bool operator==(StorageQuotaExceeded, StorageQuotaExceeded) = default;
};

// Seconds on a clock that never goes back; only differences matter.
using CacheClock = std::function<std::chrono::seconds()>;

struct CacheOptions {
  // Bytes of keys and values per contract, unless SetQuota sets another figure. Phala has no
  // such default (see above); at 1 MiB, about twenty full contracts fill the worker's bound.
  uint64_t contract_quota = 1 << 20;
  uint64_t max_entries_per_contract = 1 << 16;
  // All contracts together, entry overhead included (Phala's worker-wide budget: 20 MiB).
  uint64_t total_bytes = 20 << 20;
  // Lifetime of a new or replaced entry (Phala: one week).
  std::chrono::seconds default_lifetime = std::chrono::hours(24 * 7);
  // The time, for expiry; empty reads std::chrono::steady_clock. Tests pass their own.
  CacheClock clock;
};

// The cache operations of one transaction, to be applied after it (Cache::Apply).
class CacheOps {
 public:
  enum class Kind : uint8_t { Set, SetExpiration, Remove };
  struct Op {
    Kind kind = Kind::Set;
    contracts::AccountId contract{};
    Bytes key;
    Bytes value;           // Set only
    uint64_t seconds = 0;  // SetExpiration only
    friend bool operator==(const Op&, const Op&) = default;
  };

  void Set(const contracts::AccountId& contract, ByteView key, ByteView value);
  void SetExpiration(const contracts::AccountId& contract, ByteView key, uint64_t seconds);
  void Remove(const contracts::AccountId& contract, ByteView key);

  std::span<const Op> ops() const { return ops_; }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }
  // Forgets the operations recorded after the first `size`: a call frame that reverts takes its
  // cache operations with it, as it takes its events in Phala. Take size() when the frame starts.
  void Truncate(size_t size);

 private:
  std::vector<Op> ops_;
};

// What a contract's entries are charged now. Expired entries not yet dropped are included.
struct CacheUsage {
  uint64_t bytes = 0;  // keys and values
  uint64_t entries = 0;
  uint64_t quota = 0;
  friend bool operator==(const CacheUsage&, const CacheUsage&) = default;
};

class Cache {
 public:
  // What one entry costs the worker beyond its key and value: map and expiry index nodes, the
  // two vectors' headers and allocator slack, roughly, on a 64-bit build.
  static constexpr uint64_t kEntryOverhead = 128;
  // Expired entries of the contract each Set, SetExpiration and Remove drops in passing.
  static constexpr size_t kSweepPerOp = 4;

  explicit Cache(CacheOptions options = {});
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // cache_set: stores `value` under `key` with the default lifetime, replacing what was there.
  // On StorageQuotaExceeded nothing changed.
  Expected<void, StorageQuotaExceeded> Set(const contracts::AccountId& contract, ByteView key,
                                           ByteView value);
  // cache_set_expiration: the entry now expires `seconds` from now; 0 removes it. Nothing if
  // there is no such entry (or it has expired, in which case it is dropped).
  void SetExpiration(const contracts::AccountId& contract, ByteView key, uint64_t seconds);
  // cache_get: the value, unless there is none or it has expired.
  std::optional<Bytes> Get(const contracts::AccountId& contract, ByteView key);
  // cache_remove: removes the entry and gives its value, unless there is none or it has expired.
  std::optional<Bytes> Remove(const contracts::AccountId& contract, ByteView key);

  // A transaction's operations, in order, as the contract would have made them in a query.
  // Returns how many of its Sets failed with StorageQuotaExceeded (the transaction was told Ok;
  // Phala drops them silently too, and the node may log the count).
  size_t Apply(const CacheOps& ops);

  // A contract's quota from now on, in bytes of keys and values. If its entries take more, the
  // soonest to expire are dropped until they fit (as Phala's apply_quotas does); 0 drops them
  // all and refuses every Set (a contract that is gone, or given no cache).
  void SetQuota(const contracts::AccountId& contract, uint64_t bytes);

  // Drops every expired entry of every contract; returns how many.
  size_t SweepExpired();

  CacheUsage Usage(const contracts::AccountId& contract) const;
  // Bytes charged against CacheOptions::total_bytes: keys, values and kEntryOverhead each.
  uint64_t total_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace phat::pink
