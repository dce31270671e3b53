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

Bytes Le32(uint32_t v) {
  Bytes out(4);
  for (int i = 0; i < 4; ++i) out[i] = uint8_t(v >> (8 * i));
  return out;
}

Bytes Le64(uint64_t v) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[i] = uint8_t(v >> (8 * i));
  return out;
}

Bytes Le128(Balance v) {
  Bytes out(16);
  for (int i = 0; i < 16; ++i) out[i] = uint8_t(v >> (8 * i));
  return out;
}

uint32_t ReadLe32(ByteView bytes, size_t at) {
  EXPECT_LE(at + 4, bytes.size()) << "no u32 at " << at;
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && at + i < bytes.size(); ++i) v |= uint32_t(bytes[at + i]) << (8 * i);
  return v;
}

uint64_t ReadLe64(ByteView bytes, size_t at) {
  EXPECT_LE(at + 8, bytes.size()) << "no u64 at " << at;
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && at + i < bytes.size(); ++i) v |= uint64_t(bytes[at + i]) << (8 * i);
  return v;
}

Bytes Cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

::testing::AssertionResult FailsWith(const ExecResult& r, ContractError kind) {
  if (r.result.has_value())
    return ::testing::AssertionFailure()
           << "succeeded (flags " << r.result->flags << ", data " << ToHex(r.result->data)
           << ") instead of failing with " << ContractErrorName(kind);
  if (r.result.error().kind != kind)
    return ::testing::AssertionFailure() << "failed with " << r.result.error().ToString()
                                         << " instead of " << ContractErrorName(kind);
  return ::testing::AssertionSuccess();
}

ContractTest::ContractTest() {
  state_.SetBalance(kAlice, Balance(1) << 100);
  state_.SetBalance(kBob, 1'000'000);
}

ContractTest::ContractTest(RuntimeConfig config) : runtime_(std::move(config)) {
  state_.SetBalance(kAlice, Balance(1) << 100);
  state_.SetBalance(kBob, 1'000'000);
}

Expected<CodeHash, Error> ContractTest::Upload(std::string_view wat, Determinism determinism) {
  return runtime_.Upload(state_, kAlice, Wasm(wat), determinism);
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
