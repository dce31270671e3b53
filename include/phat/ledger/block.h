// Blocks: the unit the node orders, applies and commits. A block's log entry holds what every
// worker needs to apply it identically (its number, its timestamp and its signed commands); the
// result of applying it is one receipt per command and the state root after it. Plain data and
// pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "phat/codec/scale.h"
#include "phat/contracts/runtime.h"
#include "phat/ledger/command.h"

namespace phat::ledger {

// What the log stores for a block.
struct BlockEntry {
  uint64_t number = 0;        // 1, 2, 3, ...
  uint64_t timestamp_ms = 0;  // chosen by the node that made the block; seal0.now reads it
  std::vector<Bytes> commands;  // SCALE(SignedCommand) each
  void ScaleEncode(codec::ScaleWriter& w) const;
  static codec::Decoded<BlockEntry> ScaleDecode(codec::ScaleReader& r);
};

// What became of one command.
struct Receipt {
  enum class Status : uint8_t {
    Success,   // ran and committed (or, for a call, returned without REVERT)
    Reverted,  // the contract reverted: nothing committed; output holds its data
    Failed,    // the call failed (trap, out of gas, ...): nothing committed; error says why
    Rejected,  // never ran: bad signature, stale nonce, malformed: error says why
  };
  Status status = Status::Rejected;
  std::string error;
  AccountId origin{};
  uint64_t nonce = 0;
  Bytes output;                          // the contract's return data
  std::vector<contracts::Event> events;  // only when the status is Success
  uint64_t gas_consumed = 0;             // ref_time
  std::optional<AccountId> contract;     // the contract called, or instantiated (if it was)
  std::optional<CodeHash> code_hash;     // an uploaded code's hash
  CodeHash command_hash{};               // blake2b-256 of the signed command's bytes
  std::string debug_message;             // what the contracts wrote with debug_message
  void ScaleEncode(codec::ScaleWriter& w) const;
  static codec::Decoded<Receipt> ScaleDecode(codec::ScaleReader& r);
};

std::string_view ReceiptStatusName(Receipt::Status status);

// A block after it was applied: its header and receipts.
struct AppliedBlock {
  uint64_t number = 0;
  uint64_t timestamp_ms = 0;
  CodeHash state_root{};
  std::vector<Receipt> receipts;
  void ScaleEncode(codec::ScaleWriter& w) const;
  static codec::Decoded<AppliedBlock> ScaleDecode(codec::ScaleReader& r);
};

}  // namespace phat::ledger
