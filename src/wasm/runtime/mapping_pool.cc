#include "wasm/runtime/mapping_pool.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
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
  // Drop the pages: the range reads as zero next time, and costs only what was touched.
  size_t from = scratch ? std::min(PageRound(keep), m.committed) : 0;
  if (m.committed > from && madvise(m.base + from, m.committed - from, MADV_DONTNEED) != 0) {
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
