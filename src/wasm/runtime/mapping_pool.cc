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


// Free ranges by reserved size. Bounded, so that a burst of large memories does not pin
// address space forever.
constexpr size_t kMaxFreePerSize = 64;
std::mutex pool_mu;
// Keyed by (reserved size, scratch): zeroed ranges never mix with scratch ones.
std::map<std::pair<size_t, bool>, std::vector<Mapping>>& FreeRanges() {
  static auto* free_ranges = new std::map<std::pair<size_t, bool>, std::vector<Mapping>>();
  return *free_ranges;
}

// Pools a range whose committed bytes are all zero; false if the pool for its size is full.
bool Pool(const Mapping& m, bool scratch) {
  std::lock_guard lock(pool_mu);
  auto& list = FreeRanges()[{m.reserved, scratch}];
  if (list.size() >= kMaxFreePerSize) return false;
  list.push_back(m);
  return true;
}

}  // namespace

size_t PageRound(size_t n) {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

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
  // Scratch: keep the prefix as it is; give back and make inaccessible what grew beyond it, so
  // the next user starts from the same small commitment. Otherwise drop every page: the range
  // reads as zero next time and costs only what is touched.
  const size_t from = scratch ? std::min(PageRound(keep), m.committed) : 0;
  if (m.committed > from) {
    if (madvise(m.base + from, m.committed - from, MADV_DONTNEED) != 0 ||
        (scratch && mprotect(m.base + from, m.committed - from, PROT_NONE) != 0)) {
      munmap(m.base, m.reserved);
      return;
    }
    if (scratch) m.committed = from;
  }
  if (!Pool(m, scratch)) munmap(m.base, m.reserved);
}

void ReleaseZeroedMapping(Mapping m) {
  if (m.base != nullptr && !Pool(m, /*scratch=*/false)) munmap(m.base, m.reserved);
}

}  // namespace phat::wasm
