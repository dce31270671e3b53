#include "phat/pink/cache.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace phat::pink {
namespace {

using contracts::AccountId;
using Seconds = std::chrono::seconds;

// Contracts are spread over this many locks. More than the threads a worker runs queries on, so
// that two queries seldom meet on one; a contract's operations are short, so a few suffice.
constexpr size_t kShards = 16;

std::string_view AsText(const AccountId& id) {
  return {reinterpret_cast<const char*>(id.data()), id.size()};
}

struct AccountHash {
  size_t operator()(const AccountId& id) const { return std::hash<std::string_view>{}(AsText(id)); }
};

// Orders keys as bytes, and lets a ByteView look up a Bytes key without a copy.
struct KeyLess {
  using is_transparent = void;
  bool operator()(ByteView a, ByteView b) const {
    return std::ranges::lexicographical_compare(a, b);
  }
};

// Soonest expiry first, pointing at the key in the contract's entry map (map nodes stay put).
using ExpiryIndex = std::multimap<Seconds, const Bytes*>;

struct Entry {
  Bytes value;
  Seconds expires_at{};
  ExpiryIndex::iterator in_expiry;
};

using EntryMap = std::map<Bytes, Entry, KeyLess>;

// One contract's entries and what they are charged.
struct ContractCache {
  EntryMap entries;
  ExpiryIndex expiry;
  uint64_t bytes = 0;             // keys and values
  std::optional<uint64_t> quota;  // SetQuota's; none: the default
};

struct Shard {
  std::mutex mu;
  std::unordered_map<AccountId, ContractCache, AccountHash> contracts;
};

// Phala's rule: an entry is gone once its time has come.
bool Expired(const Entry& entry, Seconds now) {
  return entry.expires_at <= now;
}

// `now` + `seconds`, saturating, as Phala adds a contract's u64 expiration.
Seconds ExpiryFrom(Seconds now, uint64_t seconds) {
  const uint64_t room =
      uint64_t(std::numeric_limits<Seconds::rep>::max() - std::max<Seconds::rep>(now.count(), 0));
  return seconds >= room ? Seconds::max() : now + Seconds(seconds);
}

uint64_t Charge(ByteView key, ByteView value) {
  return key.size() + value.size();
}

}  // namespace

// ---- CacheOps ----

void CacheOps::Set(const AccountId& contract, ByteView key, ByteView value) {
  ops_.push_back(
      {Kind::Set, contract, Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end()), 0});
}

void CacheOps::SetExpiration(const AccountId& contract, ByteView key, uint64_t seconds) {
  ops_.push_back({Kind::SetExpiration, contract, Bytes(key.begin(), key.end()), {}, seconds});
}

void CacheOps::Remove(const AccountId& contract, ByteView key) {
  ops_.push_back({Kind::Remove, contract, Bytes(key.begin(), key.end()), {}, 0});
}

void CacheOps::Truncate(size_t size) {
  if (size < ops_.size()) ops_.erase(ops_.begin() + ptrdiff_t(size), ops_.end());
}

// ---- Cache ----

struct Cache::Impl {
  enum class SetOutcome { Ok, OverQuota, OverTotal };

  CacheOptions options;
  std::array<Shard, kShards> shards;
  std::atomic<uint64_t> total{0};  // keys, values and kEntryOverhead, over all contracts

  Seconds Now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<Seconds>(std::chrono::steady_clock::now().time_since_epoch());
  }

  Shard& ShardOf(const AccountId& contract) { return shards[AccountHash{}(contract) % kShards]; }

  uint64_t QuotaOf(const ContractCache& c) const {
    return c.quota.value_or(options.contract_quota);
  }

  // Takes `bytes` of the worker's bound, if they are there.
  bool Reserve(uint64_t bytes) {
    uint64_t used = total.load(std::memory_order_relaxed);
    do {
      if (used > options.total_bytes || bytes > options.total_bytes - used) return false;
    } while (!total.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }

  void Release(uint64_t bytes) { total.fetch_sub(bytes, std::memory_order_relaxed); }

  // Removes an entry, gives back what it was charged, and returns its value.
  Bytes Erase(ContractCache& c, EntryMap::iterator it) {
    const uint64_t charge = Charge(it->first, it->second.value);
    c.bytes -= charge;
    Release(charge + kEntryOverhead);
    c.expiry.erase(it->second.in_expiry);
    Bytes value = std::move(it->second.value);
    c.entries.erase(it);
    return value;
  }

  // Drops up to `limit` of the contract's expired entries, soonest-expired first.
  size_t DropExpired(ContractCache& c, Seconds now, size_t limit) {
    size_t dropped = 0;
    while (dropped < limit && !c.expiry.empty() && c.expiry.begin()->first <= now) {
      Erase(c, c.entries.find(*c.expiry.begin()->second));
      ++dropped;
    }
    return dropped;
  }

  // The contract's entry for `key`, unless there is none or it has expired (then it is dropped).
  EntryMap::iterator FindLive(ContractCache& c, ByteView key, Seconds now) {
    auto it = c.entries.find(key);
    if (it != c.entries.end() && Expired(it->second, now)) {
      Erase(c, it);
      return c.entries.end();
    }
    return it;
  }

  static void Index(ContractCache& c, EntryMap::iterator it, Seconds expires_at) {
    it->second.expires_at = expires_at;
    it->second.in_expiry = c.expiry.emplace(expires_at, &it->first);
  }

  static void Reindex(ContractCache& c, EntryMap::iterator it, Seconds expires_at) {
    c.expiry.erase(it->second.in_expiry);
    Index(c, it, expires_at);
  }

  // Forgets a contract that holds nothing and has no quota of its own, so that contracts that
  // once used the cache do not each keep a record.
  static void Tidy(Shard& shard, const AccountId& contract) {
    auto it = shard.contracts.find(contract);
    if (it != shard.contracts.end() && it->second.entries.empty() && !it->second.quota)
      shard.contracts.erase(it);
  }

  // Whether the contract may hold `key` with a value charged `new_charge` in place of
  // `old_charge` (`is_new`: no entry for the key yet).
  bool FitsQuota(const ContractCache& c, uint64_t old_charge, uint64_t new_charge,
                 bool is_new) const {
    const uint64_t quota = QuotaOf(c);
    if (quota == 0) return false;  // no cache at all, even for an empty key and value
    if (is_new && c.entries.size() >= options.max_entries_per_contract) return false;
    return c.bytes - old_charge + new_charge <= quota;
  }

  SetOutcome TrySet(const AccountId& contract, ByteView key, ByteView value, Seconds now) {
    Shard& shard = ShardOf(contract);
    std::lock_guard lock(shard.mu);
    ContractCache& c = shard.contracts[contract];
    const SetOutcome outcome = SetIn(c, key, value, now);
    if (outcome != SetOutcome::Ok) Tidy(shard, contract);
    return outcome;
  }

  SetOutcome SetIn(ContractCache& c, ByteView key, ByteView value, Seconds now) {
    DropExpired(c, now, kSweepPerOp);
    auto it = FindLive(c, key, now);
    const bool is_new = it == c.entries.end();
    const uint64_t old_charge = is_new ? 0 : Charge(key, it->second.value);
    const uint64_t new_charge = Charge(key, value);
    if (!FitsQuota(c, old_charge, new_charge, is_new)) {
      // Expired entries do not count: drop them all and look again. `it` is live, so it stays.
      DropExpired(c, now, std::numeric_limits<size_t>::max());
      if (!FitsQuota(c, old_charge, new_charge, is_new)) return SetOutcome::OverQuota;
    }
    // The worker's bound counts the overhead too; a replaced entry keeps its own.
    const uint64_t old_total = is_new ? 0 : old_charge + kEntryOverhead;
    const uint64_t new_total = new_charge + kEntryOverhead;
    if (new_total > old_total && !Reserve(new_total - old_total)) return SetOutcome::OverTotal;
    if (new_total < old_total) Release(old_total - new_total);

    const Seconds expires_at = ExpiryFrom(now, uint64_t(options.default_lifetime.count()));
    if (is_new) {
      it = c.entries.emplace(Bytes(key.begin(), key.end()), Entry{}).first;
      Index(c, it, expires_at);
    } else {
      Reindex(c, it, expires_at);  // a replaced value lives the default lifetime anew
    }
    it->second.value.assign(value.begin(), value.end());
    c.bytes = c.bytes - old_charge + new_charge;
    return SetOutcome::Ok;
  }

  size_t SweepAll(Seconds now) {
    size_t dropped = 0;
    for (Shard& shard : shards) {
      std::lock_guard lock(shard.mu);
      for (auto it = shard.contracts.begin(); it != shard.contracts.end();) {
        dropped += DropExpired(it->second, now, std::numeric_limits<size_t>::max());
        if (it->second.entries.empty() && !it->second.quota)
          it = shard.contracts.erase(it);
        else
          ++it;
      }
    }
    return dropped;
  }
};

Cache::Cache(CacheOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Cache::~Cache() = default;

Expected<void, StorageQuotaExceeded> Cache::Set(const AccountId& contract, ByteView key,
                                                ByteView value) {
  const Seconds now = impl_->Now();
  auto outcome = impl_->TrySet(contract, key, value, now);
  if (outcome == Impl::SetOutcome::OverTotal) {
    // Other contracts' expired entries may hold the worker's bytes. Sweeping takes each shard's
    // lock in turn, so it runs with none held.
    impl_->SweepAll(now);
    outcome = impl_->TrySet(contract, key, value, now);
  }
  if (outcome != Impl::SetOutcome::Ok) return unexpected(StorageQuotaExceeded{});
  return {};
}

void Cache::SetExpiration(const AccountId& contract, ByteView key, uint64_t seconds) {
  const Seconds now = impl_->Now();
  Shard& shard = impl_->ShardOf(contract);
  std::lock_guard lock(shard.mu);
  auto c = shard.contracts.find(contract);
  if (c == shard.contracts.end()) return;
  impl_->DropExpired(c->second, now, kSweepPerOp);
  auto it = impl_->FindLive(c->second, key, now);
  if (it != c->second.entries.end()) {
    if (seconds == 0)
      impl_->Erase(c->second, it);
    else
      Impl::Reindex(c->second, it, ExpiryFrom(now, seconds));
  }
  Impl::Tidy(shard, contract);
}

std::optional<Bytes> Cache::Get(const AccountId& contract, ByteView key) {
  const Seconds now = impl_->Now();
  Shard& shard = impl_->ShardOf(contract);
  std::lock_guard lock(shard.mu);
  auto c = shard.contracts.find(contract);
  if (c == shard.contracts.end()) return std::nullopt;
  auto it = impl_->FindLive(c->second, key, now);
  if (it == c->second.entries.end()) {
    Impl::Tidy(shard, contract);
    return std::nullopt;
  }
  return it->second.value;
}

std::optional<Bytes> Cache::Remove(const AccountId& contract, ByteView key) {
  const Seconds now = impl_->Now();
  Shard& shard = impl_->ShardOf(contract);
  std::lock_guard lock(shard.mu);
  auto c = shard.contracts.find(contract);
  if (c == shard.contracts.end()) return std::nullopt;
  impl_->DropExpired(c->second, now, kSweepPerOp);
  auto it = impl_->FindLive(c->second, key, now);
  std::optional<Bytes> old;
  if (it != c->second.entries.end()) old = impl_->Erase(c->second, it);
  Impl::Tidy(shard, contract);
  return old;
}

size_t Cache::Apply(const CacheOps& ops) {
  size_t refused = 0;
  for (const CacheOps::Op& op : ops.ops()) {
    switch (op.kind) {
      case CacheOps::Kind::Set:
        if (!Set(op.contract, op.key, op.value)) ++refused;
        break;
      case CacheOps::Kind::SetExpiration:
        SetExpiration(op.contract, op.key, op.seconds);
        break;
      case CacheOps::Kind::Remove:
        Remove(op.contract, op.key);
        break;
    }
  }
  return refused;
}

void Cache::SetQuota(const AccountId& contract, uint64_t bytes) {
  Shard& shard = impl_->ShardOf(contract);
  std::lock_guard lock(shard.mu);
  ContractCache& c = shard.contracts[contract];
  c.quota = bytes;
  // Soonest to expire first, which takes the expired ones before any live one.
  while (!c.expiry.empty() && (bytes == 0 || c.bytes > bytes))
    impl_->Erase(c, c.entries.find(*c.expiry.begin()->second));
}

size_t Cache::SweepExpired() {
  return impl_->SweepAll(impl_->Now());
}

CacheUsage Cache::Usage(const AccountId& contract) const {
  Shard& shard = impl_->ShardOf(contract);
  std::lock_guard lock(shard.mu);
  auto c = shard.contracts.find(contract);
  if (c == shard.contracts.end()) return {0, 0, impl_->options.contract_quota};
  return {c->second.bytes, c->second.entries.size(), impl_->QuotaOf(c->second)};
}

uint64_t Cache::total_bytes() const {
  return impl_->total.load(std::memory_order_relaxed);
}

}  // namespace phat::pink
