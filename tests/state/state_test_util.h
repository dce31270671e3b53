// Helpers for the state tests: a temporary directory per test, a seeded generator of StateChanges
// whose ids and keys collide often (so later changes overwrite, clear and wipe earlier ones), and
// a comparison of two states through every StateReader method.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "phat/contracts/state.h"
#include "phat/state/rocksdb_state.h"

namespace phat::state::testing {

using contracts::MemoryState;
using contracts::StateReader;

// A fresh directory under the system's temporary directory, removed with all it holds when the
// object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline AccountId Id(uint8_t fill) {
  AccountId id;
  id.fill(fill);
  return id;
}
inline Bytes Le32(uint32_t v) {
  return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
}
inline Bytes Str(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// Opens a RocksDbState, failing the test (and returning null) if it does not open.
std::unique_ptr<RocksDbState> MustOpen(const std::string& path, RocksDbOptions options = {});

class ChangeGenerator {
 public:
  explicit ChangeGenerator(uint64_t seed);
  StateChanges Next();

  // The pools every change draws from: ids side by side in key order (all zero, all 0xff, and
  // pairs differing in the last byte), keys that are prefixes of one another, three code hashes.
  const std::vector<AccountId>& accounts() const { return accounts_; }
  const std::vector<Bytes>& keys() const { return keys_; }
  const std::vector<CodeHash>& code_hashes() const { return code_hashes_; }

 private:
  uint64_t Below(uint64_t n) { return rng_() % n; }
  Bytes RandomBytes(size_t max_len);

  std::mt19937_64 rng_;
  std::vector<AccountId> accounts_;
  std::vector<Bytes> keys_;
  std::vector<CodeHash> code_hashes_;
};

// Whether `actual` reads as `expected` for every id, key and hash of the pools (and no storage
// entries beyond them).
::testing::AssertionResult SameReads(const StateReader& expected, const StateReader& actual,
                                     const ChangeGenerator& pools);

// SameReads plus StorageOf, which is not part of StateReader.
template <typename Actual>
::testing::AssertionResult SameState(const MemoryState& expected, const Actual& actual,
                                     const ChangeGenerator& pools) {
  auto reads = SameReads(expected, actual, pools);
  if (!reads) return reads;
  for (const AccountId& account : pools.accounts()) {
    if (expected.StorageOf(account) != actual.StorageOf(account))
      return ::testing::AssertionFailure() << "StorageOf(" << ToHex(account) << ") differs";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace phat::state::testing
