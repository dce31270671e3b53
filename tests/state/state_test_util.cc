#include "state/state_test_util.h"

#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>

namespace phat::state::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "phat-state-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "cannot create a temporary directory from " << pattern;
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::unique_ptr<RocksDbState> MustOpen(const std::string& path, RocksDbOptions options) {
  auto opened = RocksDbState::Open(path, options);
  EXPECT_TRUE(opened.has_value()) << (opened ? "" : opened.error());
  return opened ? std::move(*opened) : nullptr;
}

ChangeGenerator::ChangeGenerator(uint64_t seed) : rng_(seed) {
  auto id = [](uint8_t fill, uint8_t last) {
    AccountId a = Id(fill);
    a.back() = last;
    return a;
  };
  accounts_ = {Id(0x00), id(0x00, 0x01), id(0x42, 0x41), Id(0x42), id(0x42, 0x43), Id(0xff)};
  keys_ = {{}, {0}, {0, 0}, {0, 1}, {1}, {0xff}, {0xff, 0xff}, {0, 0, 0, 0}, Bytes(40, 7)};
  code_hashes_ = {Id(0x10), Id(0x11), Id(0xfe)};
}

Bytes ChangeGenerator::RandomBytes(size_t max_len) {
  Bytes out(Below(max_len + 1));
  for (uint8_t& b : out) b = uint8_t(rng_());
  return out;
}

StateChanges ChangeGenerator::Next() {
  StateChanges c;
  if (Below(6) == 0) c.wiped.insert(accounts_[Below(accounts_.size())]);
  for (uint64_t n = Below(9); n > 0; --n) {
    std::optional<Bytes> value;
    if (Below(4) != 0) value = RandomBytes(Below(20) == 0 ? 2000 : 40);
    c.storage[{accounts_[Below(accounts_.size())], keys_[Below(keys_.size())]}] = value;
  }
  for (uint64_t n = Below(3); n > 0; --n) {
    std::optional<ContractInfo> info;
    if (Below(3) != 0) info = ContractInfo{code_hashes_[Below(code_hashes_.size())]};
    c.contracts[accounts_[Below(accounts_.size())]] = info;
  }
  for (uint64_t n = Below(4); n > 0; --n) {
    Balance balance = 0;
    switch (Below(3)) {
      case 0:
        break;
      case 1:
        balance = Below(1'000'000);
        break;
      default:
        balance = Balance(rng_()) << 64 | rng_();
    }
    c.balances[accounts_[Below(accounts_.size())]] = balance;
  }
  if (Below(5) == 0) c.codes[code_hashes_[Below(code_hashes_.size())]] = RandomBytes(100);
  for (uint64_t n = Below(3); n > 0; --n) {
    CodeInfo info;
    info.owner = accounts_[Below(accounts_.size())];
    info.determinism =
        Below(2) ? contracts::Determinism::Relaxed : contracts::Determinism::Enforced;
    info.refcount = Below(2) ? Below(5) : rng_();
    info.code_len = uint32_t(rng_());
    c.code_infos[code_hashes_[Below(code_hashes_.size())]] = info;
  }
  if (Below(3) == 0) c.nonces[accounts_[Below(accounts_.size())]] = Below(2) ? Below(10) : rng_();
  return c;
}

::testing::AssertionResult SameReads(const StateReader& expected, const StateReader& actual,
                                     const ChangeGenerator& pools) {
  auto fail = [](std::string what) { return ::testing::AssertionFailure() << what << " differs"; };
  for (const AccountId& account : pools.accounts()) {
    for (const Bytes& key : pools.keys()) {
      if (expected.GetStorage(account, key) != actual.GetStorage(account, key))
        return fail(fmt::format("GetStorage({}, {})", ToHex(account), ToHex(key)));
    }
    if (expected.GetContract(account) != actual.GetContract(account))
      return fail(fmt::format("GetContract({})", ToHex(account)));
    if (expected.GetBalance(account) != actual.GetBalance(account))
      return fail(fmt::format("GetBalance({})", ToHex(account)));
    if (expected.GetNonce(account) != actual.GetNonce(account))
      return fail(fmt::format("GetNonce({})", ToHex(account)));
  }
  for (const CodeHash& hash : pools.code_hashes()) {
    if (expected.GetCode(hash) != actual.GetCode(hash))
      return fail(fmt::format("GetCode({})", ToHex(hash)));
    if (expected.GetCodeInfo(hash) != actual.GetCodeInfo(hash))
      return fail(fmt::format("GetCodeInfo({})", ToHex(hash)));
  }
  return ::testing::AssertionSuccess();
}

}  // namespace phat::state::testing
