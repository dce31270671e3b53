#include "ledger/block_state.h"

namespace phat::ledger {

using namespace contracts;

std::optional<Bytes> BlockState::GetStorage(const AccountId& contract, ByteView key) const {
  auto it = changes_.storage.find(StorageKeyRef{contract, key});
  if (it != changes_.storage.end()) return it->second;
  if (changes_.wiped.contains(contract)) return std::nullopt;
  return base_.GetStorage(contract, key);
}

std::optional<ContractInfo> BlockState::GetContract(const AccountId& account) const {
  auto it = changes_.contracts.find(account);
  return it != changes_.contracts.end() ? it->second : base_.GetContract(account);
}

Balance BlockState::GetBalance(const AccountId& account) const {
  auto it = changes_.balances.find(account);
  return it != changes_.balances.end() ? it->second : base_.GetBalance(account);
}

std::optional<Bytes> BlockState::GetCode(const CodeHash& hash) const {
  auto it = changes_.codes.find(hash);
  return it != changes_.codes.end() ? std::optional<Bytes>(it->second) : base_.GetCode(hash);
}

std::optional<CodeInfo> BlockState::GetCodeInfo(const CodeHash& hash) const {
  auto it = changes_.code_infos.find(hash);
  return it != changes_.code_infos.end() ? std::optional<CodeInfo>(it->second)
                                         : base_.GetCodeInfo(hash);
}

uint64_t BlockState::GetNonce(const AccountId& account) const {
  auto it = changes_.nonces.find(account);
  return it != changes_.nonces.end() ? it->second : base_.GetNonce(account);
}

void BlockState::Apply(const StateChanges& changes) {
  // A wipe removes what earlier commands wrote for that contract, then the later writes apply.
  for (const AccountId& contract : changes.wiped) {
    changes_.wiped.insert(contract);
    auto it = changes_.storage.lower_bound(StorageKeyRef{contract, ByteView()});
    while (it != changes_.storage.end() && it->first.first == contract)
      it = changes_.storage.erase(it);
  }
  for (const auto& [key, value] : changes.storage) changes_.storage.insert_or_assign(key, value);
  for (const auto& [account, info] : changes.contracts) changes_.contracts.insert_or_assign(account, info);
  for (const auto& [account, balance] : changes.balances) changes_.balances.insert_or_assign(account, balance);
  for (const auto& [hash, code] : changes.codes) changes_.codes.insert_or_assign(hash, code);
  for (const auto& [hash, info] : changes.code_infos) changes_.code_infos.insert_or_assign(hash, info);
  for (const auto& [account, nonce] : changes.nonces) changes_.nonces.insert_or_assign(account, nonce);
}

}  // namespace phat::ledger
