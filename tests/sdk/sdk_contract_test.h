// What the SDK's runtime tests share: an SDK contract (built into PHAT_CONTRACTS_DIR) deployed
// on phat's runtime with a chain extension, and its messages run by label with SCALE arguments
// written as hex, answers read back as hex.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "phat/base/bytes.h"
#include "phat/contracts/runtime.h"
#include "phat/contracts/state.h"
#include "phat/crypto/hash.h"

namespace phat::contracts {

inline Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline Bytes Unhex(std::string_view text) {
  std::optional<Bytes> bytes = FromHex(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or(Bytes{});
}

inline AccountId Account(uint8_t fill) {
  AccountId id;
  id.fill(fill);
  return id;
}

// The SDK's selector of a message or constructor: the first 4 bytes of BLAKE2b-256 of its label.
inline std::string SelectorHex(std::string_view label) {
  crypto::Hash256 hash = crypto::Blake2b256(AsBytes(label));
  return ToHex(ByteView(hash.data(), 4));
}

class SdkContractTest : public ::testing::Test {
 protected:
  // Deploys <PHAT_CONTRACTS_DIR>/<name>.wasm with its constructor "new", `extension` registered
  // as extension 0.
  void Deploy(std::shared_ptr<ChainExtension> extension, const std::string& name) {
    runtime_.RegisterChainExtension(0, std::move(extension));
    auto code = runtime_.Upload(state_, alice_,
                                ReadFile(std::string(PHAT_CONTRACTS_DIR) + "/" + name + ".wasm"));
    ASSERT_TRUE(code.has_value()) << code.error().ToString();
    code_hash_ = *code;
    ExecResult made = runtime_.Instantiate(state_, block_,
                                           InstantiateRequest{.origin = alice_,
                                                              .code_hash = *code,
                                                              .input = Unhex(SelectorHex("new")),
                                                              .gas_limit = gas_});
    ASSERT_TRUE(made.ok() && made.account)
        << (made.result ? "reverted" : made.result.error().ToString());
    contract_ = *made.account;
  }

  // Runs message `label` with the SCALE arguments `args` (hex) as a query, or as a transaction:
  // its output as hex with "!" in front when it reverted, or "error: <kind>: <message>".
  std::string Query(std::string_view label, std::string_view args = "") {
    last_ = runtime_.Query(state_, block_, Request(label, args));
    return Answer(last_);
  }
  std::string Transact(std::string_view label, std::string_view args = "",
                       const AccountId* origin = nullptr) {
    CallRequest request = Request(label, args);
    if (origin != nullptr) request.origin = *origin;
    last_ = runtime_.Call(state_, block_, request);
    return Answer(last_);
  }

  CallRequest Request(std::string_view label, std::string_view args) const {
    return CallRequest{.origin = alice_,
                       .dest = contract_,
                       .input = Unhex(SelectorHex(label) + std::string(args)),
                       .gas_limit = gas_};
  }
  static std::string Answer(const ExecResult& r) {
    if (!r.result.has_value()) return "error: " + r.result.error().ToString();
    return (r.result->reverted() ? "!" : "") + ToHex(r.result->data);
  }

  MemoryState state_;
  Runtime runtime_;
  BlockContext block_{.block_number = 42, .timestamp_ms = 1'700'000'000'000};
  Weight gas_{.ref_time = 100'000'000'000'000, .proof_size = 1ull << 32};
  AccountId alice_ = Account(0xaa);
  AccountId bob_ = Account(0xbb);
  CodeHash code_hash_{};
  AccountId contract_{};
  ExecResult last_;
};

}  // namespace phat::contracts
