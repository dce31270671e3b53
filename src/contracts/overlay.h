// The state as one execution sees it: reads go through to a StateReader unless the execution
// changed the entry; every change is journaled so a failed or reverted frame can be undone to
// the point where it started (nested, like the call stack). At the end, Changes() is what a
// committing call applies. One execution, one thread.
#pragma once

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "phat/contracts/state.h"

namespace phat::contracts {

// A map of changes with an undo journal.
template <typename K, typename V, typename Less = std::less<K>>
class JournaledMap {
 public:
  template <typename Q>
  const V* Find(const Q& key) const {
    auto it = changes_.find(key);
    return it == changes_.end() ? nullptr : &it->second;
  }
  void Set(const K& key, V value) {
    auto [it, inserted] = changes_.try_emplace(key, value);
    if (inserted) {
      journal_.push_back({key, std::nullopt});
    } else {
      journal_.push_back({key, std::move(it->second)});
      it->second = std::move(value);
    }
  }
  size_t Mark() const { return journal_.size(); }
  void RollbackTo(size_t mark) {
    while (journal_.size() > mark) {
      Undo& undo = journal_.back();
      if (undo.previous)
        changes_[undo.key] = std::move(*undo.previous);
      else
        changes_.erase(undo.key);
      journal_.pop_back();
    }
  }
  const std::map<K, V, Less>& changes() const { return changes_; }

 private:
  struct Undo {
    K key;
    std::optional<V> previous;  // nothing: the key had no change before
  };
  std::map<K, V, Less> changes_;
  std::vector<Undo> journal_;
};

// Also a StateReader: what the execution has made of the state so far (chain extensions read
// balances and code through it).
class Overlay final : public StateReader {
 public:
  explicit Overlay(const StateReader& base) : base_(base) {}

  std::optional<Bytes> GetStorage(const AccountId& contract, ByteView key) const override;
  void SetStorage(const AccountId& contract, ByteView key, std::optional<Bytes> value);
  void WipeStorage(const AccountId& contract);

  std::optional<ContractInfo> GetContract(const AccountId& account) const override;
  void SetContract(const AccountId& account, std::optional<ContractInfo> info);

  Balance GetBalance(const AccountId& account) const override;
  void SetBalance(const AccountId& account, Balance balance);
  // Moves `value`; false (and nothing changed) if `from` has less.
  bool Transfer(const AccountId& from, const AccountId& to, Balance value);

  std::optional<CodeInfo> GetCodeInfo(const CodeHash& hash) const override;
  void SetCodeInfo(const CodeHash& hash, const CodeInfo& info);
  void AddCodeRef(const CodeHash& hash, int64_t delta);
  // Code and nonces are not changed by executions: the base's.
  std::optional<Bytes> GetCode(const CodeHash& hash) const override { return base_.GetCode(hash); }
  uint64_t GetNonce(const AccountId& account) const override { return base_.GetNonce(account); }

  const StateReader& base() const { return base_; }

  struct Checkpoint {
    size_t storage, wiped, contracts, balances, code_infos;
  };
  Checkpoint Mark() const {
    return {storage_.Mark(), wiped_.Mark(), contracts_.Mark(), balances_.Mark(),
            code_infos_.Mark()};
  }
  void RollbackTo(const Checkpoint& mark);

  // Everything changed, for the State to apply.
  StateChanges Changes() const;

 private:
  using StorageKey = StateChanges::StorageKey;
  const StateReader& base_;
  JournaledMap<StorageKey, std::optional<Bytes>, StorageKeyLess> storage_;
  JournaledMap<AccountId, bool> wiped_;
  JournaledMap<AccountId, std::optional<ContractInfo>> contracts_;
  JournaledMap<AccountId, Balance> balances_;
  JournaledMap<CodeHash, CodeInfo> code_infos_;
};

}  // namespace phat::contracts
