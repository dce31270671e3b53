// Helpers for contract runtime tests: a runtime over an in-memory state with funded accounts,
// and WAT fixtures from tests/contracts/fixtures assembled with wat2wasm.
#pragma once

#include <gtest/gtest.h>

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

class ContractTest : public ::testing::Test {
 protected:
  ContractTest();

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
