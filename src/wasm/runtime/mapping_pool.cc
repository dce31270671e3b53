#include "wasm/runtime/mapping_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

namespace phat::wasm {
namespace {

size_t PageRound(size_t n) {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

// Free ranges by reserved size. Bounded, so that a burst of large memories does not pin
// address space forever.
constexpr size_t kMaxFreePerSize = 64;
std::mutex pool_mu;
// Keyed by (reserved size, scratch): zeroed ranges never mix with scratch ones.
std::map<std::pair<size_t, bool>, std::vector<Mapping>>& FreeRanges() {
  static auto* free_ranges = new std::map<std::pair<size_t, bool>, std::vector<Mapping>>();
  return *free_ranges;
}

// Zeroes the resident pages of `m` in place, if there are few: for the small memories contracts
// use, a memset of the pages the last instance touched is far cheaper than dropping them and
// taking a page fault for each again in the next instance. False (nothing done) if many are
// resident or the range is large: then dropping the pages is the better deal.
bool ZeroResidentPages(const Mapping& m) {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  constexpr size_t kMaxPages = 1024;              // ranges up to 4 MiB, a contract's memory
  constexpr size_t kMaxResidentBytes = 1 << 20;   // zeroed by hand at most
  const size_t pages = m.committed / page;
  if (pages > kMaxPages) return false;
  unsigned char resident[kMaxPages];
  if (mincore(m.base, m.committed, resident) != 0) return false;
  size_t count = 0;
  for (size_t i = 0; i < pages; ++i) count += resident[i] & 1;
  if (count * page > kMaxResidentBytes) return false;
  for (size_t i = 0; i < pages;) {
    size_t end = i;
    while (end < pages && (resident[end] & 1)) ++end;
    if (end > i) std::memset(m.base + i * page, 0, (end - i) * page);
    i = end + 1;
  }
  return true;
}

}  // namespace

std::optional<Mapping> AcquireMapping(size_t reserved, bool scratch) {
  reserved = PageRound(reserved == 0 ? 1 : reserved);
  {
    std::lock_guard lock(pool_mu);
    auto it = FreeRanges().find({reserved, scratch});
    if (it != FreeRanges().end() && !it->second.empty()) {
      Mapping m = it->second.back();
      it->second.pop_back();
      return m;
    }
  }
  void* p = mmap(nullptr, reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return std::nullopt;
  return Mapping{static_cast<uint8_t*>(p), reserved, 0};
}

bool CommitMapping(Mapping& m, size_t bytes) {
  bytes = PageRound(bytes);
  if (bytes <= m.committed) return true;
  if (bytes > m.reserved) return false;
  if (mprotect(m.base + m.committed, bytes - m.committed, PROT_READ | PROT_WRITE) != 0) return false;
  m.committed = bytes;
  return true;
}

void ReleaseMapping(Mapping m, bool scratch, size_t keep) {
  if (m.base == nullptr) return;
  if (scratch) {
    // Keep the prefix as it is; give back and make inaccessible what grew beyond it, so the next
    // user starts from the same small commitment.
    const size_t from = std::min(PageRound(keep), m.committed);
    if (m.committed > from) {
      if (madvise(m.base + from, m.committed - from, MADV_DONTNEED) != 0 ||
          mprotect(m.base + from, m.committed - from, PROT_NONE) != 0) {
        munmap(m.base, m.reserved);
        return;
      }
      m.committed = from;
    }
  } else if (!ZeroResidentPages(m) &&
             m.committed > 0 && madvise(m.base, m.committed, MADV_DONTNEED) != 0) {
    // Drop the pages: the range reads as zero next time, and costs only what was touched.
    munmap(m.base, m.reserved);
    return;
  }
  std::lock_guard lock(pool_mu);
  auto& list = FreeRanges()[{m.reserved, scratch}];
  if (list.size() >= kMaxFreePerSize) {
    munmap(m.base, m.reserved);
    return;
  }
  list.push_back(m);
}

}  // namespace phat::wasm
