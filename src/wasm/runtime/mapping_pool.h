// Reserved address ranges for linear memories and value stacks, recycled across Stores so that
// instantiating costs no mmap. A range is reserved inaccessible and made usable as it grows;
// a released range is zeroed (by the kernel dropping its pages, or by its user) before anyone
// gets it again, except for a prefix the releaser declares scratch: ranges with scratch come back
// only to those who ask for scratch. Thread-safe.
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
// if the system refuses. With `scratch`, the range may instead come back from a releaser that
// kept a prefix as it was: for memory whose contents are always written before being read.
std::optional<Mapping> AcquireMapping(size_t reserved, bool scratch = false);
// Makes the first `bytes` usable (never shrinks). False if the system refuses.
bool CommitMapping(Mapping& m, size_t bytes);
// Returns the range to the pool. Its contents are discarded, except the first `keep` bytes of
// a scratch range: they stay resident, unzeroed, so the next user does not fault them in; the
// rest of a scratch range is uncommitted again.
void ReleaseMapping(Mapping m, bool scratch = false, size_t keep = 0);
// Returns a range its user has zeroed itself (every committed byte is zero) to the pool as is.
void ReleaseZeroedMapping(Mapping m);
// `n` rounded up to the system's page size.
size_t PageRound(size_t n);

}  // namespace phat::wasm
