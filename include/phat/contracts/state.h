// What the contract runtime reads and writes, behind a small interface: the node keeps it in
// RocksDB, tests in memory (MemoryState). The runtime never writes while a call runs: it reads
// through a journaled overlay and hands back one StateChanges, which a committing call applies
// at the end in one step, so a state never holds half a call.
// Readers must be safe to call from the thread running the call; MemoryState is not thread-safe.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "phat/contracts/types.h"

namespace phat::contracts {

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual std::optional<Bytes> GetStorage(const AccountId& contract, ByteView key) const = 0;
  virtual std::optional<ContractInfo> GetContract(const AccountId& account) const = 0;
  virtual Balance GetBalance(const AccountId& account) const = 0;
  virtual std::optional<Bytes> GetCode(const CodeHash& hash) const = 0;  // the Wasm as uploaded
  virtual std::optional<CodeInfo> GetCodeInfo(const CodeHash& hash) const = 0;
  // The account's next command nonce (the ledger's replay protection; contracts never see it).
  virtual uint64_t GetNonce(const AccountId& account) const = 0;
};

// A contract's storage entry: (contract, key).
using StorageKey = std::pair<AccountId, Bytes>;
// The same, borrowed: for lookups that should not copy the key.
struct StorageKeyRef {
  const AccountId& first;
  ByteView second;
};
// Orders storage keys by contract, then key bytes, and compares owned with borrowed ones.
struct StorageKeyLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    if (a.first != b.first) return a.first < b.first;
    return std::lexicographical_compare(a.second.begin(), a.second.end(), b.second.begin(),
                                        b.second.end());
  }
};

// The net effect of a committed call (or upload) on the state, in a canonical order.
struct StateChanges {
  using StorageKey = contracts::StorageKey;
  std::map<StorageKey, std::optional<Bytes>, StorageKeyLess> storage;  // nullopt: cleared
  std::set<AccountId> wiped;  // terminated contracts: all their storage goes (before `storage`)
  std::map<AccountId, std::optional<ContractInfo>> contracts;  // nullopt: removed
  std::map<AccountId, Balance> balances;
  std::map<CodeHash, Bytes> codes;               // newly uploaded Wasm
  std::map<CodeHash, CodeInfo> code_infos;       // new or changed (refcount)
  std::map<AccountId, uint64_t> nonces;          // set by the ledger, never by the runtime
  bool empty() const {
    return storage.empty() && wiped.empty() && contracts.empty() && balances.empty() &&
           codes.empty() && code_infos.empty() && nonces.empty();
  }
};

class State : public StateReader {
 public:
  virtual void Apply(const StateChanges& changes) = 0;
};

// The whole state in maps; for tests and benchmarks.
class MemoryState final : public State {
 public:
  std::optional<Bytes> GetStorage(const AccountId& contract, ByteView key) const override;
  std::optional<ContractInfo> GetContract(const AccountId& account) const override;
  Balance GetBalance(const AccountId& account) const override;
  std::optional<Bytes> GetCode(const CodeHash& hash) const override;
  std::optional<CodeInfo> GetCodeInfo(const CodeHash& hash) const override;
  uint64_t GetNonce(const AccountId& account) const override;
  void Apply(const StateChanges& changes) override;

  void SetBalance(const AccountId& account, Balance balance) { balances_[account] = balance; }
  // Every storage entry of one contract, by key.
  std::map<Bytes, Bytes> StorageOf(const AccountId& contract) const;

 private:
  std::map<StorageKey, Bytes, StorageKeyLess> storage_;
  std::map<AccountId, ContractInfo> contracts_;
  std::map<AccountId, Balance> balances_;
  std::map<CodeHash, Bytes> codes_;
  std::map<CodeHash, CodeInfo> code_infos_;
  std::map<AccountId, uint64_t> nonces_;
};

}  // namespace phat::contracts
