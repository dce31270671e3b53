// Limits and gas costs of contract execution: one Schedule, documented in docs/CONTRACTS.md.
// Wasm execution is metered by engine fuel (about one unit per instruction, charged per basic
// block); each unit costs ref_time_per_fuel picoseconds of ref_time. Host functions charge a base
// plus a per-byte cost before they do their work. Plain data.
#pragma once

#include <cstdint>

namespace phat::contracts {

struct Limits {
  uint32_t max_code_len = 2 * 1024 * 1024;   // bytes of Wasm (pink: 2 MiB)
  uint32_t memory_pages = 64;                // per instance: 4 MiB (pink sets 64)
  uint32_t payload_len = 1024 * 1024;        // storage value, event data, return data
  uint32_t max_storage_key_len = 128;
  uint32_t event_topics = 4;
  uint32_t call_depth = 6;                   // frames, the top one included (pallet: 1 + 5)
  uint32_t debug_buffer_len = 128 * 1024;
  uint32_t max_locals = 1024;                // per function, params included
  uint32_t max_globals = 256;
  uint32_t max_table_size = 4096;
  uint32_t wasm_call_depth = 1024;           // nested Wasm calls within one frame
  uint32_t wasm_value_stack = 1u << 20;      // slots per frame
};

// Gas costs in ref_time picoseconds. The figures follow the order of magnitude of
// pallet-contracts' benchmarked weights on reference hardware, rounded.
struct HostCosts {
  uint64_t host_call = 20'000;            // any host function, on entry
  uint64_t per_byte = 100;                // bytes copied in or out of guest memory
  uint64_t storage_read = 2'000'000;
  uint64_t storage_write = 5'000'000;
  uint64_t hash_per_byte = 1'000;
  uint64_t hash_base = 200'000;
  uint64_t deposit_event = 2'000'000;
  uint64_t event_per_topic = 1'000'000;
  uint64_t call = 60'000'000;             // a nested call or instantiate, before the callee runs
  uint64_t transfer = 10'000'000;
  uint64_t ecdsa_recover = 40'000'000;
  uint64_t sr25519_verify = 50'000'000;
  uint64_t terminate = 100'000'000;
  uint64_t set_code_hash = 50'000'000;
  uint64_t chain_extension = 1'000'000;   // on entry; the extension charges its own work
  uint64_t instantiate_per_input_byte = 1'000;
};

struct Schedule {
  Limits limits;
  HostCosts costs;
  uint64_t ref_time_per_fuel = 8'000;  // pink's instruction weight
  uint64_t frame_cost = 5'000'000;     // per frame: instantiating its module
  uint64_t minimum_balance = 0;        // existential deposit; 0: accounts may be emptied
};

}  // namespace phat::contracts
