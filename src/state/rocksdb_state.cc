#include "phat/state/rocksdb_state.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "phat/codec/scale.h"
#include "phat/state/state_root.h"

namespace phat::state {
namespace {

// The state cannot be trusted after a failed read or a record that does not decode, and a
// StateReader cannot report either: stop rather than let a contract see a wrong value.
[[noreturn]] void Fatal(const std::string& message) {
  std::fprintf(stderr, "phat: fatal state error: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

std::string SpaceKey(KeySpace space, ByteView id) {
  std::string key;
  key.reserve(1 + id.size());
  key.push_back(static_cast<char>(space));
  key.append(reinterpret_cast<const char*>(id.data()), id.size());
  return key;
}

std::string StorageKey(const AccountId& contract, ByteView key) {
  std::string out = SpaceKey(KeySpace::kStorage, contract);
  out.append(reinterpret_cast<const char*>(key.data()), key.size());
  return out;
}

// The least key greater than every key that starts with `prefix`: the prefix with its last
// byte below 0xff incremented and what follows dropped. Our prefixes start with a space byte
// below 0xff, so there always is one.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (prefix.empty()) Fatal("a key prefix of only 0xff bytes has no end");
  prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

rocksdb::Slice AsSlice(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Bytes ToBytes(const rocksdb::Slice& slice) {
  const auto* p = reinterpret_cast<const uint8_t*>(slice.data());
  return Bytes(p, p + slice.size());
}

Bytes BalanceBytes(Balance balance) {
  codec::ScaleWriter w;
  w.U128(balance);
  return w.Take();
}

// The reads both the live state and its snapshots do: against `snapshot`, or the latest state
// when it is null.
class Reads {
 public:
  Reads(rocksdb::DB& db, const std::string& path, const rocksdb::Snapshot* snapshot)
      : db_(db), path_(path) {
    options_.snapshot = snapshot;
  }

  std::optional<Bytes> Get(const std::string& key) const {
    rocksdb::PinnableSlice value;
    rocksdb::Status status = db_.Get(options_, db_.DefaultColumnFamily(), key, &value);
    if (status.IsNotFound()) return std::nullopt;
    if (!status.ok())
      Fatal(fmt::format("reading the state database at {} failed: {}", path_, status.ToString()));
    return ToBytes(value);
  }

  template <typename T>
  std::optional<T> GetDecoded(KeySpace space, ByteView id, std::string_view what) const {
    std::optional<Bytes> bytes = Get(SpaceKey(space, id));
    if (!bytes) return std::nullopt;
    auto decoded = codec::DecodeAll<T>(*bytes);
    if (!decoded) {
      Fatal(fmt::format("the {} record for {} in the state database at {} is corrupt: {}", what,
                        ToHex(id), path_, decoded.error().ToString()));
    }
    return *decoded;
  }

  std::optional<Bytes> GetStorage(const AccountId& contract, ByteView key) const {
    return Get(StorageKey(contract, key));
  }
  std::optional<ContractInfo> GetContract(const AccountId& account) const {
    return GetDecoded<ContractInfo>(KeySpace::kContracts, account, "contract");
  }
  Balance GetBalance(const AccountId& account) const {
    return GetDecoded<codec::uint128>(KeySpace::kBalances, account, "balance").value_or(0);
  }
  uint64_t GetNonce(const AccountId& account) const {
    return GetDecoded<uint64_t>(KeySpace::kNonces, account, "nonce").value_or(0);
  }
  std::optional<Bytes> GetCode(const CodeHash& hash) const {
    return Get(SpaceKey(KeySpace::kCodes, hash));
  }
  std::optional<CodeInfo> GetCodeInfo(const CodeHash& hash) const {
    return GetDecoded<CodeInfo>(KeySpace::kCodeInfos, hash, "code info");
  }
  std::optional<Bytes> GetMeta(std::string_view key) const {
    return Get(SpaceKey(KeySpace::kMeta, AsBytes(key)));
  }

  std::map<Bytes, Bytes> StorageOf(const AccountId& contract) const {
    std::string prefix = SpaceKey(KeySpace::kStorage, contract);
    std::string end = PrefixEnd(prefix);
    rocksdb::Slice upper(end);
    rocksdb::ReadOptions options = options_;
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_.NewIterator(options));
    std::map<Bytes, Bytes> out;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      rocksdb::Slice key = it->key();
      key.remove_prefix(prefix.size());
      out.emplace_hint(out.end(), ToBytes(key), ToBytes(it->value()));
    }
    if (!it->status().ok()) {
      Fatal(fmt::format("reading the storage of {} from the state database at {} failed: {}",
                        ToHex(contract), path_, it->status().ToString()));
    }
    return out;
  }

 private:
  rocksdb::DB& db_;
  const std::string& path_;
  rocksdb::ReadOptions options_;
};

}  // namespace

// ---- RocksDbSnapshot ----

RocksDbSnapshot::RocksDbSnapshot(std::shared_ptr<rocksdb::DB> db, std::string path,
                                 const rocksdb::Snapshot* snapshot)
    : db_(std::move(db)), path_(std::move(path)), snapshot_(snapshot) {}

RocksDbSnapshot::~RocksDbSnapshot() {
  db_->ReleaseSnapshot(snapshot_);
}

std::optional<Bytes> RocksDbSnapshot::GetStorage(const AccountId& contract, ByteView key) const {
  return Reads(*db_, path_, snapshot_).GetStorage(contract, key);
}
std::optional<ContractInfo> RocksDbSnapshot::GetContract(const AccountId& account) const {
  return Reads(*db_, path_, snapshot_).GetContract(account);
}
Balance RocksDbSnapshot::GetBalance(const AccountId& account) const {
  return Reads(*db_, path_, snapshot_).GetBalance(account);
}
uint64_t RocksDbSnapshot::GetNonce(const AccountId& account) const {
  return Reads(*db_, path_, snapshot_).GetNonce(account);
}
std::optional<Bytes> RocksDbSnapshot::GetCode(const CodeHash& hash) const {
  return Reads(*db_, path_, snapshot_).GetCode(hash);
}
std::optional<CodeInfo> RocksDbSnapshot::GetCodeInfo(const CodeHash& hash) const {
  return Reads(*db_, path_, snapshot_).GetCodeInfo(hash);
}
std::optional<Bytes> RocksDbSnapshot::GetMeta(std::string_view key) const {
  return Reads(*db_, path_, snapshot_).GetMeta(key);
}
std::map<Bytes, Bytes> RocksDbSnapshot::StorageOf(const AccountId& contract) const {
  return Reads(*db_, path_, snapshot_).StorageOf(contract);
}

// ---- RocksDbState ----

Expected<std::unique_ptr<RocksDbState>, std::string> RocksDbState::Open(const std::string& path,
                                                                        Options options) {
  // RocksDB's own message for these ("While mkdir if missing: …: File exists") does not say
  // what to do.
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_directory(status)) {
    return unexpected(fmt::format(
        "cannot open the state database at {}: it is not a directory (give the path of a "
        "directory, or of one to create)",
        path));
  }
  if (!std::filesystem::exists(status) && !options.create_if_missing) {
    return unexpected(fmt::format(
        "cannot open the state database at {}: it does not exist (create it, or allow creating "
        "a new empty state)",
        path));
  }

  rocksdb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  // Contract storage is read key by key: a Bloom filter spares a disk read for most keys that
  // are not there.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  db_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, path, &raw);
  if (!opened.ok()) {
    std::string hint;
    if (opened.IsIOError() && opened.ToString().find("lock") != std::string::npos)
      hint = " (is another phat process using it?)";
    else if (opened.IsCorruption())
      hint = " (the database is damaged; restore it from a checkpoint or replay the log)";
    return unexpected(
        fmt::format("cannot open the state database at {}: {}{}", path, opened.ToString(), hint));
  }
  std::shared_ptr<rocksdb::DB> db(raw);
  return std::unique_ptr<RocksDbState>(new RocksDbState(std::move(db), path, options));
}

RocksDbState::RocksDbState(std::shared_ptr<rocksdb::DB> db, std::string path, Options options)
    : db_(std::move(db)), path_(std::move(path)), options_(options) {}

RocksDbState::~RocksDbState() = default;

std::optional<Bytes> RocksDbState::GetStorage(const AccountId& contract, ByteView key) const {
  return Reads(*db_, path_, nullptr).GetStorage(contract, key);
}
std::optional<ContractInfo> RocksDbState::GetContract(const AccountId& account) const {
  return Reads(*db_, path_, nullptr).GetContract(account);
}
Balance RocksDbState::GetBalance(const AccountId& account) const {
  return Reads(*db_, path_, nullptr).GetBalance(account);
}
uint64_t RocksDbState::GetNonce(const AccountId& account) const {
  return Reads(*db_, path_, nullptr).GetNonce(account);
}
std::optional<Bytes> RocksDbState::GetCode(const CodeHash& hash) const {
  return Reads(*db_, path_, nullptr).GetCode(hash);
}
std::optional<CodeInfo> RocksDbState::GetCodeInfo(const CodeHash& hash) const {
  return Reads(*db_, path_, nullptr).GetCodeInfo(hash);
}
std::optional<Bytes> RocksDbState::GetMeta(std::string_view key) const {
  return Reads(*db_, path_, nullptr).GetMeta(key);
}
std::map<Bytes, Bytes> RocksDbState::StorageOf(const AccountId& contract) const {
  return Reads(*db_, path_, nullptr).StorageOf(contract);
}

std::unique_ptr<RocksDbSnapshot> RocksDbState::Snapshot() const {
  return std::unique_ptr<RocksDbSnapshot>(new RocksDbSnapshot(db_, path_, db_->GetSnapshot()));
}

Expected<void, std::string> RocksDbState::ApplyWithMeta(
    const StateChanges& changes, const std::vector<std::pair<std::string, Bytes>>& meta) {
  if (changes.empty() && meta.empty()) return {};
  rocksdb::WriteBatch batch;
  // Each operation's status is kept until the first failure; the batch is then not written.
  rocksdb::Status status;
  auto check = [&](rocksdb::Status s) {
    if (status.ok()) status = std::move(s);
  };

  // Operations in a batch apply in order, so the range deletes come before this batch's writes
  // to the same contracts, as StateChanges says.
  for (const AccountId& contract : changes.wiped) {
    std::string prefix = SpaceKey(KeySpace::kStorage, contract);
    check(batch.DeleteRange(prefix, PrefixEnd(prefix)));
  }
  for (const auto& [key, value] : changes.storage) {
    std::string db_key = StorageKey(key.first, key.second);
    check(value ? batch.Put(db_key, AsSlice(*value)) : batch.Delete(db_key));
  }
  for (const auto& [account, info] : changes.contracts) {
    std::string db_key = SpaceKey(KeySpace::kContracts, account);
    check(info ? batch.Put(db_key, AsSlice(codec::Encode(*info))) : batch.Delete(db_key));
  }
  for (const auto& [account, balance] : changes.balances)
    check(batch.Put(SpaceKey(KeySpace::kBalances, account), AsSlice(BalanceBytes(balance))));
  for (const auto& [hash, wasm] : changes.codes)
    check(batch.Put(SpaceKey(KeySpace::kCodes, hash), AsSlice(wasm)));
  for (const auto& [hash, info] : changes.code_infos)
    check(batch.Put(SpaceKey(KeySpace::kCodeInfos, hash), AsSlice(codec::Encode(info))));
  for (const auto& [account, nonce] : changes.nonces)
    check(batch.Put(SpaceKey(KeySpace::kNonces, account), AsSlice(codec::Encode(nonce))));
  for (const auto& [key, value] : meta)
    check(batch.Put(SpaceKey(KeySpace::kMeta, AsBytes(key)), AsSlice(value)));

  if (status.ok()) {
    rocksdb::WriteOptions write;
    write.sync = options_.sync;
    status = db_->Write(write, &batch);
  }
  if (!status.ok()) {
    return unexpected(fmt::format(
        "writing a batch of {} operations to the state database at {} failed, so none of it "
        "was applied: {}",
        batch.Count(), path_, status.ToString()));
  }
  return {};
}

void RocksDbState::Apply(const StateChanges& changes) {
  auto applied = ApplyWithMeta(changes, {});
  if (!applied) Fatal(applied.error());
}

}  // namespace phat::state
