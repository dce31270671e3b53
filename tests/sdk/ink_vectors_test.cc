// The SDK's erc20 and flipper, run by phat's contract runtime, replay ink!'s golden traces
// (shared/ink-vectors/*_v5.trace.json): for every step the same output (flags and data), the same
// events (topics and data), the same storage changes, and at the end the same storage.
//
// Deploy steps instantiate (each with its own salt, so that a second deploy makes a second
// contract, which later steps then use); call steps call. The trace's caller is the origin. Host
// values the runtime chooses itself (the contract's address) are not compared: only what the
// contract's own logic determines.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "phat/base/bytes.h"
#include "phat/contracts/runtime.h"
#include "phat/contracts/state.h"

namespace phat::contracts {
namespace {

using Json = nlohmann::json;

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes Unhex(const std::string& text) {
  std::optional<Bytes> bytes = FromHex(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes.value_or(Bytes{});
}

AccountId Account(const std::string& text) {
  auto account = FixedFromHex<32>(text);
  EXPECT_TRUE(account.has_value()) << text;
  return account.value_or(AccountId{});
}

// Key → value (nullopt: cleared) as hex; the net effect of a list of writes.
using Writes = std::map<std::string, std::optional<std::string>>;

// Drops the writes that leave a key as it was: a runtime may or may not report those.
Writes WithoutNoOps(Writes writes, const std::map<Bytes, Bytes>& before) {
  for (auto it = writes.begin(); it != writes.end();) {
    auto old = before.find(Unhex(it->first));
    bool same = old == before.end() ? !it->second.has_value()
                                    : it->second.has_value() && *it->second == ToHex(old->second);
    it = same ? writes.erase(it) : std::next(it);
  }
  return writes;
}

void Replay(const std::string& contract, const std::string& trace_file) {
  std::ifstream in(std::string(PHAT_INK_VECTORS) + "/" + trace_file);
  ASSERT_TRUE(in) << "cannot read the trace " << trace_file;
  Json trace = Json::parse(in);

  MemoryState state;
  Runtime runtime;
  BlockContext block{.block_number = trace["host"]["block_number"].get<uint32_t>(),
                     .timestamp_ms = std::stoull(trace["host"]["now_ms"].get<std::string>())};
  const Weight gas{.ref_time = 100'000'000'000'000, .proof_size = 1ull << 32};
  AccountId uploader = Account(trace["steps"][0]["caller"]);
  Bytes wasm = ReadFile(std::string(PHAT_CONTRACTS_DIR) + "/" + contract + ".wasm");
  auto code_hash = runtime.Upload(state, uploader, wasm);
  ASSERT_TRUE(code_hash.has_value()) << code_hash.error().ToString();

  std::optional<AccountId> address;
  int index = 0;
  for (const Json& step : trace["steps"]) {
    SCOPED_TRACE(trace_file + ": " + step["what"].get<std::string>());
    AccountId caller = Account(step["caller"]);
    Bytes input = Unhex(step["input"]);
    std::map<Bytes, Bytes> before = address ? state.StorageOf(*address) : std::map<Bytes, Bytes>{};

    ExecResult result;
    if (step["entry"] == "deploy") {
      Bytes salt = {static_cast<uint8_t>(index)};
      result = runtime.Instantiate(state, block,
                                   InstantiateRequest{.origin = caller,
                                                      .code_hash = *code_hash,
                                                      .input = input,
                                                      .salt = salt,
                                                      .gas_limit = gas});
      if (result.ok() && result.account) {
        address = result.account;
        before.clear();
      }
    } else {
      ASSERT_TRUE(address.has_value()) << "a call before any deploy";
      result = runtime.Call(
          state, block,
          CallRequest{.origin = caller, .dest = *address, .input = input, .gas_limit = gas});
    }
    ++index;

    const Json& expected = step["result"];
    if (expected.contains("trap") && expected["trap"].get<bool>()) {
      ASSERT_FALSE(result.result.has_value());
      EXPECT_EQ(result.result.error().kind, ContractError::ContractTrapped);
      continue;
    }
    ASSERT_TRUE(result.result.has_value()) << result.result.error().ToString();
    EXPECT_EQ(result.result->flags, expected["flags"].get<uint32_t>());
    EXPECT_EQ(ToHex(result.result->data), expected["data"].get<std::string>());

    ASSERT_EQ(result.events.size(), step["events"].size());
    for (size_t i = 0; i < result.events.size(); ++i) {
      const Json& want = step["events"][i];
      ASSERT_EQ(result.events[i].topics.size(), want["topics"].size());
      for (size_t t = 0; t < want["topics"].size(); ++t) {
        EXPECT_EQ(ToHex(result.events[i].topics[t]), want["topics"][t].get<std::string>());
      }
      EXPECT_EQ(ToHex(result.events[i].data), want["data"].get<std::string>());
    }

    Writes want_writes, got_writes;
    for (const Json& write : step["storage_writes"]) {
      want_writes[write["key"]] =
          write["value"].is_null() ? std::nullopt : std::optional<std::string>(write["value"]);
    }
    for (const auto& [key, value] : result.changes.storage) {
      if (!address || key.first != *address) continue;
      got_writes[ToHex(key.second)] =
          value ? std::optional<std::string>(ToHex(*value)) : std::nullopt;
    }
    EXPECT_EQ(WithoutNoOps(got_writes, before), WithoutNoOps(want_writes, before));
  }

  ASSERT_TRUE(address.has_value());
  std::map<std::string, std::string> storage;
  for (const auto& [key, value] : state.StorageOf(*address)) storage[ToHex(key)] = ToHex(value);
  using Storage = std::map<std::string, std::string>;
  EXPECT_EQ(storage, trace["storage_after"].get<Storage>());
}

TEST(SdkInkVectors, Erc20) {
  Replay("erc20", "erc20_v5.trace.json");
}
TEST(SdkInkVectors, Flipper) {
  Replay("flipper", "flipper_v5.trace.json");
}

// The other examples, beyond the traces: a fallible constructor, Lazy and Mapping fields, and a
// contract that instantiates and calls another.
class SdkExamples : public ::testing::Test {
 protected:
  CodeHash Upload(const std::string& contract) {
    Bytes wasm = ReadFile(std::string(PHAT_CONTRACTS_DIR) + "/" + contract + ".wasm");
    auto hash = runtime_.Upload(state_, alice_, wasm);
    EXPECT_TRUE(hash.has_value()) << hash.error().ToString();
    return hash.value_or(CodeHash{});
  }
  ExecResult Instantiate(const CodeHash& code, const std::string& input) {
    return runtime_.Instantiate(
        state_, block_,
        InstantiateRequest{
            .origin = alice_, .code_hash = code, .input = Unhex(input), .gas_limit = gas_});
  }
  // Output data as hex, with "!" in front when the call reverted; the error when it failed.
  std::string Call(const AccountId& dest, const std::string& input) {
    ExecResult r = runtime_.Call(
        state_, block_,
        CallRequest{.origin = alice_, .dest = dest, .input = Unhex(input), .gas_limit = gas_});
    if (!r.result.has_value()) return "error: " + r.result.error().ToString();
    return (r.result->reverted() ? "!" : "") + ToHex(r.result->data);
  }

  MemoryState state_;
  Runtime runtime_;
  BlockContext block_{.block_number = 42, .timestamp_ms = 1'700'000'000'000};
  Weight gas_{.ref_time = 100'000'000'000'000, .proof_size = 1ull << 32};
  AccountId alice_ = Account(std::string(64, 'a'));
};

TEST_F(SdkExamples, Incrementer) {
  CodeHash code = Upload("incrementer");
  // try_new(-1): Err(NegativeStart), reverted: ConstructorResult Ok(Err(0)).
  ExecResult failed = Instantiate(code, "5b4fab81ffffffff");
  ASSERT_TRUE(failed.result.has_value());
  EXPECT_TRUE(failed.result->reverted());
  EXPECT_EQ(ToHex(failed.result->data), "000100");
  ExecResult made = Instantiate(code, "9bae9d5e05000000");  // new(5)
  ASSERT_TRUE(made.ok() && made.account);
  AccountId incrementer = *made.account;
  EXPECT_EQ(Call(incrementer, "1d32619f03000000"), "00");  // inc(3)
  EXPECT_EQ(Call(incrementer, "1d32619f02000000"), "00");  // inc(2)
  EXPECT_EQ(Call(incrementer, "2f865bd9"), "000a000000");  // get() = 10
  EXPECT_EQ(Call(incrementer, "2c371017"), "0005000000");  // get_mine() = 5
  EXPECT_EQ(Call(incrementer, "21fc47d7"), "0002000000");  // increments() = 2
  // The Lazy lives under its manual key, the Mapping under xxh32("Incrementer::by_caller").
  std::map<Bytes, Bytes> storage = state_.StorageOf(incrementer);
  EXPECT_EQ(ToHex(storage.at(Unhex("00000000"))), "0a000000");
  EXPECT_EQ(ToHex(storage.at(Unhex("eeffc000"))), "02000000");
  EXPECT_EQ(storage.size(), 3u);
}

TEST_F(SdkExamples, FlipCallerInstantiatesAndCallsFlipper) {
  CodeHash flipper = Upload("flipper");
  CodeHash caller = Upload("flip_caller");
  // new(flipper_code, true)
  ExecResult made = Instantiate(caller, "9bae9d5e" + ToHex(flipper) + "01");
  ASSERT_TRUE(made.result.has_value()) << made.result.error().ToString();
  ASSERT_EQ(ToHex(made.result->data), "0000");
  ASSERT_TRUE(made.account);
  AccountId flip_caller = *made.account;
  EXPECT_EQ(Call(flip_caller, "2f865bd9"), "000001");  // get() = Ok(true), via flipper
  EXPECT_EQ(Call(flip_caller, "633aa551"), "0000");    // flip() = Ok(())
  EXPECT_EQ(Call(flip_caller, "2f865bd9"), "000000");  // get() = Ok(false)
  // flipper() names the flipper it made, which answers directly too.
  std::string address = Call(flip_caller, "86c8a158");
  ASSERT_EQ(address.size(), 66u) << address;
  AccountId flipper_address = Account(address.substr(2));
  EXPECT_EQ(Call(flipper_address, "2f865bd9"), "0000");
}

}  // namespace
}  // namespace phat::contracts
