// Reserved address ranges for linear memories and value stacks, recycled across Stores so that
// instantiating costs no mmap. A range is reserved inaccessible and made usable as it grows;
// a released range is zeroed (the kernel drops its pages) before anyone gets it again.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace phat::wasm {

struct Mapping {
  uint8_t* base = nullptr;
  size_t reserved = 0;   // bytes of address space
  size_t committed = 0;  // bytes readable and writable from base, all zero when handed out
};

// Reserves `reserved` bytes (rounded up to the page size) of zeroed address space, or nothing
// if the system refuses.
std::optional<Mapping> AcquireMapping(size_t reserved);
// Makes the first `bytes` usable (never shrinks). False if the system refuses.
bool CommitMapping(Mapping& m, size_t bytes);
// Returns the range to the pool. Its contents are discarded.
void ReleaseMapping(Mapping m);

}  // namespace phat::wasm
