// Applies a block to the committed state, deterministically: every worker that applies the same
// block entry to the same state gets the same receipts, changes and state root. Each command is
// decoded, its signature and its origin's nonce checked (a bad one is Rejected and changes
// nothing), the nonce consumed, and the command run on the contract runtime; the commands of a
// block see each other's changes. Nothing is written: the caller commits the block's changes,
// its receipts and its root in one atomic write. Thread-safe (a Runtime is).
#pragma once

#include "phat/contracts/runtime.h"
#include "phat/ledger/block.h"

namespace phat::ledger {

struct ApplierConfig {
  CodeHash cluster_id{};                       // what commands are signed for
  uint64_t max_gas_per_command = 1'000'000'000'000;  // ref_time: 1 s of reference time
};

class BlockApplier {
 public:
  BlockApplier(contracts::Runtime& runtime, ApplierConfig config)
      : runtime_(runtime), config_(config) {}

  struct Outcome {
    AppliedBlock block;
    contracts::StateChanges changes;  // the block's net effect, nonces included
  };
  // `signatures_verified`: every command's signature was checked by this process when it was
  // submitted (the chain's own producer), so only the cheap checks are repeated. A signature
  // check costs ~60-90 us, more than applying an ERC-20 transfer; replays from the log check all.
  Outcome Apply(const contracts::StateReader& committed, const CodeHash& previous_root,
                const BlockEntry& entry, bool signatures_verified = false) const;

 private:
  contracts::Runtime& runtime_;
  ApplierConfig config_;
};

}  // namespace phat::ledger
