// The plain data of the contracts layer: account ids, balances, weights, code and contract
// records, events. Encodings follow pallet-contracts (ABI.md §2, §7): AccountId and Hash are 32
// raw bytes, Balance is u128 little-endian. Plain data; no state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "phat/base/bytes.h"

namespace phat::contracts {

using AccountId = std::array<uint8_t, 32>;
using CodeHash = std::array<uint8_t, 32>;  // blake2b-256 of the uploaded Wasm
using Topic = std::array<uint8_t, 32>;
using Balance = unsigned __int128;

std::string BalanceToString(Balance value);  // decimal

// Execution cost, as in Substrate: ref_time in picoseconds, proof_size in bytes. phat has no
// proof of validity, so proof_size is reported as the limit asks but never runs out.
struct Weight {
  uint64_t ref_time = 0;
  uint64_t proof_size = 0;
  friend bool operator==(const Weight&, const Weight&) = default;
};

// Whether code may use floats (ABI.md §1). Relaxed code runs only in queries.
enum class Determinism : uint8_t { Enforced, Relaxed };

struct CodeInfo {
  AccountId owner{};
  Determinism determinism = Determinism::Enforced;
  uint64_t refcount = 0;  // contracts using this code
  uint32_t code_len = 0;
  friend bool operator==(const CodeInfo&, const CodeInfo&) = default;
};

struct ContractInfo {
  CodeHash code_hash{};
  friend bool operator==(const ContractInfo&, const ContractInfo&) = default;
};

// One deposit_event: topics and data as the contract gave them.
struct Event {
  AccountId contract{};
  std::vector<Topic> topics;
  Bytes data;
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace phat::contracts
