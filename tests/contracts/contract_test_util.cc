#include "contracts/contract_test_util.h"

#include <fstream>
#include <sstream>

#include "wasm/test_util.h"

namespace phat::contracts::testing {

std::string Fixture(std::string_view name) {
  std::ifstream in(std::string(PHAT_CONTRACT_FIXTURES) + "/" + std::string(name));
  EXPECT_TRUE(in) << "no fixture " << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Bytes Wasm(std::string_view wat) { return wasm::testing::Wat2Wasm(wat); }

Bytes Hex(std::string_view hex) {
  auto bytes = FromHex(hex);
  EXPECT_TRUE(bytes) << "bad hex " << hex;
  return bytes.value_or(Bytes{});
}

ContractTest::ContractTest() {
  state_.SetBalance(kAlice, Balance(1) << 100);
  state_.SetBalance(kBob, 1'000'000);
}

CodeHash ContractTest::MustUpload(std::string_view wat, Determinism determinism) {
  auto hash = runtime_.Upload(state_, kAlice, Wasm(wat), determinism);
  EXPECT_TRUE(hash) << hash.error().ToString();
  return hash.value_or(CodeHash{});
}

ExecResult ContractTest::Deploy(const CodeHash& code, ByteView input, Balance value,
                                ByteView salt) {
  InstantiateRequest request{kAlice, code, value, Bytes(input.begin(), input.end()),
                             Bytes(salt.begin(), salt.end()), gas_limit_};
  return runtime_.Instantiate(state_, block_, request);
}

AccountId ContractTest::MustDeploy(const CodeHash& code, ByteView input, Balance value) {
  ExecResult r = Deploy(code, input, value);
  EXPECT_TRUE(r.result.has_value()) << r.result.error().ToString();
  EXPECT_TRUE(r.ok()) << "the constructor reverted";
  return r.account.value_or(AccountId{});
}

ExecResult ContractTest::Call(const AccountId& dest, ByteView input, Balance value,
                              const AccountId& origin) {
  CallRequest request{origin, dest, value, Bytes(input.begin(), input.end()), gas_limit_};
  return runtime_.Call(state_, block_, request);
}

ExecResult ContractTest::Query(const AccountId& dest, ByteView input, const AccountId& origin) {
  CallRequest request{origin, dest, 0, Bytes(input.begin(), input.end()), gas_limit_};
  return runtime_.Query(state_, block_, request);
}

}  // namespace phat::contracts::testing
