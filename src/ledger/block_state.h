// The state as the commands of one block see it: reads go to the committed state unless an
// earlier command of the block changed the entry; each command's changes are merged into the
// block's, which the node then commits in one atomic write with the block's receipts. One
// thread.
#pragma once

#include "phat/contracts/state.h"

namespace phat::ledger {

class BlockState final : public contracts::State {
 public:
  explicit BlockState(const contracts::StateReader& base) : base_(base) {}

  std::optional<Bytes> GetStorage(const contracts::AccountId& contract, ByteView key) const override;
  std::optional<contracts::ContractInfo> GetContract(const contracts::AccountId& account) const override;
  contracts::Balance GetBalance(const contracts::AccountId& account) const override;
  std::optional<Bytes> GetCode(const contracts::CodeHash& hash) const override;
  std::optional<contracts::CodeInfo> GetCodeInfo(const contracts::CodeHash& hash) const override;
  uint64_t GetNonce(const contracts::AccountId& account) const override;
  // Merges `changes` as if applied after everything merged before.
  void Apply(const contracts::StateChanges& changes) override;

  const contracts::StateChanges& changes() const { return changes_; }

 private:
  const contracts::StateReader& base_;
  contracts::StateChanges changes_;
};

}  // namespace phat::ledger
