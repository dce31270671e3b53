// Helpers for contract runtime tests: a runtime over an in-memory state with funded accounts,
// and WAT fixtures from tests/contracts/fixtures assembled with wat2wasm.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "phat/contracts/runtime.h"

namespace phat::contracts::testing {

inline AccountId Account(uint8_t fill) {
  AccountId id;
  id.fill(fill);
  return id;
}
inline const AccountId kAlice = Account(0xaa);
inline const AccountId kBob = Account(0xbb);

// The text of fixtures/NAME.
std::string Fixture(std::string_view name);
Bytes Wasm(std::string_view wat);
Bytes Hex(std::string_view hex);

// Integers as the pallet encodes them (little-endian), and reading them back.
Bytes Le32(uint32_t v);
Bytes Le64(uint64_t v);
Bytes Le128(Balance v);
uint32_t ReadLe32(ByteView bytes, size_t at = 0);
uint64_t ReadLe64(ByteView bytes, size_t at = 0);
// The parts one after the other.
Bytes Cat(std::initializer_list<ByteView> parts);
inline Bytes Str(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// Whether a call failed with `kind` (rather than succeeding or failing otherwise).
::testing::AssertionResult FailsWith(const ExecResult& r, ContractError kind);

class ContractTest : public ::testing::Test {
 protected:
  ContractTest();
  // The same, with a runtime built from `config` (e.g. a schedule with smaller limits).
  explicit ContractTest(RuntimeConfig config);

  // Uploads WAT text and returns what the runtime says, for tests of rejected code.
  Expected<CodeHash, Error> Upload(std::string_view wat,
                                   Determinism determinism = Determinism::Enforced);
  // Uploads WAT text; fails the test if the runtime rejects it.
  CodeHash MustUpload(std::string_view wat, Determinism determinism = Determinism::Enforced);
  // Instantiates; fails the test unless it succeeds, and returns the address.
  AccountId MustDeploy(const CodeHash& code, ByteView input = {}, Balance value = 0);
  ExecResult Deploy(const CodeHash& code, ByteView input = {}, Balance value = 0,
                    ByteView salt = {});
  ExecResult Call(const AccountId& dest, ByteView input, Balance value = 0,
                  const AccountId& origin = kAlice);
  ExecResult Query(const AccountId& dest, ByteView input, const AccountId& origin = kAlice);

  MemoryState state_;
  Runtime runtime_;
  BlockContext block_{42, 1'700'000'000'000};
  Weight gas_limit_{500'000'000'000, 1'000'000};
};

}  // namespace phat::contracts::testing
