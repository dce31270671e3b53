// Contract code: the upload checks of pallet-contracts (ABI.md §1) and a cache of compiled
// modules by code hash, so each code is compiled once per process however many frames run it.
// Thread-safe.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "phat/contracts/runtime.h"
#include "phat/wasm/module.h"
#include "phat/wasm/runtime.h"

namespace phat::contracts {

// A compiled contract with its imports resolved: everything but the memory, which each frame
// makes afresh.
struct PreparedCode {
  CodeHash hash{};
  Determinism determinism = Determinism::Enforced;
  std::shared_ptr<const wasm::Module> module;
  wasm::MemoryType memory;          // the env.memory import, its maximum made explicit
  uint32_t memory_import = 0;       // its position among the imports
  std::vector<wasm::Extern> imports;  // host functions; the memory's slot is filled per frame
};

// The engine's limits for contract code and its frames, from the schedule.
wasm::EngineConfig ContractEngineConfig(const Schedule& schedule);

class CodeCache {
 public:
  explicit CodeCache(const Schedule& schedule, size_t capacity = 1024)
      : schedule_(schedule), capacity_(capacity) {}

  // Checks `wasm` as a contract and compiles it. CodeTooLarge or CodeRejected saying why.
  Expected<std::shared_ptr<const PreparedCode>, Error> Prepare(const CodeHash& hash, ByteView wasm,
                                                               Determinism determinism,
                                                               bool chain_extension) const;
  // The prepared code for `hash`: from the cache, or compiled from the state's copy.
  Expected<std::shared_ptr<const PreparedCode>, Error> Get(const CodeHash& hash,
                                                           const StateReader& state) const;
  void Insert(std::shared_ptr<const PreparedCode> code) const;

 private:
  struct HashOf {
    size_t operator()(const CodeHash& h) const {
      size_t v;
      std::memcpy(&v, h.data(), sizeof v);  // already a cryptographic hash
      return v;
    }
  };
  const Schedule& schedule_;
  size_t capacity_;
  mutable std::mutex mutex_;
  mutable std::list<CodeHash> lru_;  // most recently used first
  mutable std::unordered_map<CodeHash,
                             std::pair<std::shared_ptr<const PreparedCode>,
                                       std::list<CodeHash>::iterator>,
                             HashOf>
      entries_;
};

}  // namespace phat::contracts
