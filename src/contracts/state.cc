#include "phat/contracts/state.h"

#include <algorithm>

namespace phat::contracts {

std::string BalanceToString(Balance value) {
  if (value == 0) return "0";
  std::string digits;
  while (value > 0) {
    digits.push_back(char('0' + int(value % 10)));
    value /= 10;
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::optional<Bytes> MemoryState::GetStorage(const AccountId& contract, ByteView key) const {
  auto it = storage_.find(StorageKeyRef{contract, key});
  if (it == storage_.end()) return std::nullopt;
  return it->second;
}

std::optional<ContractInfo> MemoryState::GetContract(const AccountId& account) const {
  auto it = contracts_.find(account);
  if (it == contracts_.end()) return std::nullopt;
  return it->second;
}

Balance MemoryState::GetBalance(const AccountId& account) const {
  auto it = balances_.find(account);
  return it == balances_.end() ? 0 : it->second;
}

std::optional<Bytes> MemoryState::GetCode(const CodeHash& hash) const {
  auto it = codes_.find(hash);
  if (it == codes_.end()) return std::nullopt;
  return it->second;
}

std::optional<CodeInfo> MemoryState::GetCodeInfo(const CodeHash& hash) const {
  auto it = code_infos_.find(hash);
  if (it == code_infos_.end()) return std::nullopt;
  return it->second;
}

uint64_t MemoryState::GetNonce(const AccountId& account) const {
  auto it = nonces_.find(account);
  return it == nonces_.end() ? 0 : it->second;
}

void MemoryState::Apply(const StateChanges& changes) {
  for (const AccountId& account : changes.wiped) {
    auto first = storage_.lower_bound(std::pair{account, Bytes{}});
    auto last = first;
    while (last != storage_.end() && last->first.first == account) ++last;
    storage_.erase(first, last);
  }
  for (const auto& [key, value] : changes.storage) {
    if (value)
      storage_[key] = *value;
    else
      storage_.erase(key);
  }
  for (const auto& [account, info] : changes.contracts) {
    if (info)
      contracts_[account] = *info;
    else
      contracts_.erase(account);
  }
  for (const auto& [account, balance] : changes.balances) balances_[account] = balance;
  for (const auto& [hash, code] : changes.codes) codes_[hash] = code;
  for (const auto& [hash, info] : changes.code_infos) code_infos_[hash] = info;
  for (const auto& [account, nonce] : changes.nonces) nonces_[account] = nonce;
}

std::map<Bytes, Bytes> MemoryState::StorageOf(const AccountId& contract) const {
  std::map<Bytes, Bytes> out;
  for (auto it = storage_.lower_bound(std::pair{contract, Bytes{}});
       it != storage_.end() && it->first.first == contract; ++it)
    out.emplace(it->first.second, it->second);
  return out;
}

}  // namespace phat::contracts
