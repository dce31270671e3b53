#include "contracts/overlay.h"

namespace phat::contracts {

std::optional<Bytes> Overlay::GetStorage(const AccountId& contract, ByteView key) const {
  if (const auto* changed = storage_.Find(StorageKeyRef{contract, key})) return *changed;
  if (const bool* wiped = wiped_.Find(contract); wiped && *wiped) return std::nullopt;
  return base_.GetStorage(contract, key);
}

void Overlay::SetStorage(const AccountId& contract, ByteView key, std::optional<Bytes> value) {
  storage_.Set(StorageKey{contract, Bytes(key.begin(), key.end())}, std::move(value));
}

void Overlay::WipeStorage(const AccountId& contract) {
  // Entries changed earlier in this execution go too: clear them explicitly.
  for (const auto& [key, value] : storage_.changes())
    if (key.first == contract && value) storage_.Set(key, std::nullopt);
  wiped_.Set(contract, true);
}

std::optional<ContractInfo> Overlay::GetContract(const AccountId& account) const {
  if (const auto* changed = contracts_.Find(account)) return *changed;
  return base_.GetContract(account);
}

void Overlay::SetContract(const AccountId& account, std::optional<ContractInfo> info) {
  contracts_.Set(account, info);
}

Balance Overlay::GetBalance(const AccountId& account) const {
  if (const Balance* changed = balances_.Find(account)) return *changed;
  return base_.GetBalance(account);
}

void Overlay::SetBalance(const AccountId& account, Balance balance) {
  balances_.Set(account, balance);
}

bool Overlay::Transfer(const AccountId& from, const AccountId& to, Balance value) {
  if (value == 0 || from == to) return GetBalance(from) >= value;
  Balance from_balance = GetBalance(from);
  if (from_balance < value) return false;
  SetBalance(from, from_balance - value);
  SetBalance(to, GetBalance(to) + value);
  return true;
}

std::optional<CodeInfo> Overlay::GetCodeInfo(const CodeHash& hash) const {
  if (const CodeInfo* changed = code_infos_.Find(hash)) return *changed;
  return base_.GetCodeInfo(hash);
}

void Overlay::SetCodeInfo(const CodeHash& hash, const CodeInfo& info) {
  code_infos_.Set(hash, info);
}

void Overlay::AddCodeRef(const CodeHash& hash, int64_t delta) {
  std::optional<CodeInfo> info = GetCodeInfo(hash);
  if (!info) return;
  info->refcount = delta < 0 && info->refcount < uint64_t(-delta) ? 0 : info->refcount + delta;
  SetCodeInfo(hash, *info);
}

void Overlay::RollbackTo(const Checkpoint& mark) {
  storage_.RollbackTo(mark.storage);
  wiped_.RollbackTo(mark.wiped);
  contracts_.RollbackTo(mark.contracts);
  balances_.RollbackTo(mark.balances);
  code_infos_.RollbackTo(mark.code_infos);
}

StateChanges Overlay::Changes() const {
  StateChanges out;
  for (const auto& [account, wiped] : wiped_.changes())
    if (wiped) out.wiped.insert(account);
  for (const auto& [key, value] : storage_.changes()) {
    // A write of what the base already holds still counts: ink! rewrites its root on every
    // mutating message, and receipts show what the contract wrote.
    out.storage.emplace(key, value);
  }
  out.contracts = contracts_.changes();
  out.balances = balances_.changes();
  out.code_infos = code_infos_.changes();
  return out;
}

}  // namespace phat::contracts
