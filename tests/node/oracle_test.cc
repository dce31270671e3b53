// The oracle example (sdk/examples/oracle.cc, built by the SDK) on a node started in-process,
// against a cpp-httplib web server on loopback, end to end: the owner sets the source by command,
// a signed query fetches and signs the price, the signature verifies against the contract's
// public key, a command stores the value, and a malformed body and a server that is down give
// the oracle's error results.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "node/node_test_util.h"
#include "phat/codec/scale.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/sr25519.h"
#include "phat/node/node.h"
#include "phat/node/query.h"

namespace phat::node {
namespace {

namespace fs = std::filesystem;
using ledger::CommandBody;
using nlohmann::json;
using testing::Alice;
using testing::Bob;
using testing::NowMs;
using testing::TestNode;

// The oracle's Error variants, in order (oracle.cc).
enum OracleError : uint8_t { kNotOwner = 0, kNotInQuery = 2, kUnreachable = 3, kInvalidJson = 5 };

// A message's call data: blake2b-256(label)[0..4] ‖ the SCALE arguments.
template <typename... Args>
Bytes CallData(std::string_view label, const Args&... args) {
  crypto::Hash256 hash = crypto::Blake2b256(AsBytes(label));
  codec::ScaleWriter w;
  for (int i = 0; i < 4; ++i) w.U8(hash[i]);
  if constexpr (sizeof...(Args) > 0) codec::Encode(w, args...);
  return w.Take();
}

class OracleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    web_.Get("/price", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"price": 4200})", "application/json");
    });
    web_.Get("/quoted", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"price": "4200"})", "application/json");
    });
    web_.Get("/malformed", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"price": 42)", "application/json");
    });
    web_port_ = web_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(web_port_, 0);
    web_thread_ = std::thread([this] { web_.listen_after_bind(); });

    dir_ = fs::temp_directory_path() / ("phat-oracle-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    NodeConfig config;
    config.http_policy.allow_list = {"127.0.0.1"};  // the web server is on loopback
    auto node = TestNode::Start(dir_, std::move(config));
    ASSERT_TRUE(node) << node.error();
    node_ = std::move(*node);
    Deploy();
  }
  void TearDown() override {
    StopWeb();
    node_.reset();
    fs::remove_all(dir_);
  }
  void StopWeb() {
    if (!web_thread_.joinable()) return;
    web_.stop();
    web_thread_.join();
  }

  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(web_port_) + std::string(path);
  }

  // A command signed by `who`, submitted and waited for: its receipt.
  json Submit(const DevAccount& who, CommandBody body) {
    return node_->Submit(who, std::move(body));
  }
  json Call(const DevAccount& who, const Bytes& input) {
    return Submit(who, ledger::CallContract{contract_, 0, input});
  }
  // A signed query of the oracle as alice: the node's answer.
  json Query(const Bytes& input) {
    node::Query q{Alice().id, contract_, input, 100'000'000'000, NowMs() + 30'000 + queries_++};
    return node_->RunQuery(q, Alice());
  }
  // The answer's data, with "!" in front when the message reverted; the error if it failed.
  static std::string Data(const json& answer) {
    if (!answer.contains("result")) return "error: " + answer.dump();
    std::string data = answer["result"]["data"].get<std::string>().substr(2);
    return (answer["result"]["flags"] == 1 ? "!" : "") + data;
  }
  static std::string Failed(OracleError error) { return "!0001" + ToHex(Bytes{uint8_t(error)}); }

  void Deploy() {
    std::ifstream in(std::string(PHAT_CONTRACTS_DIR) + "/oracle.wasm", std::ios::binary);
    ASSERT_TRUE(in) << "no oracle.wasm in " << PHAT_CONTRACTS_DIR;
    Bytes wasm((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto address = node_->Deploy(Alice(), wasm, CallData("new"), Bytes{'o'});
    ASSERT_TRUE(address);
    contract_ = *address;
  }

  httplib::Server web_;
  int web_port_ = 0;
  std::thread web_thread_;
  fs::path dir_;
  std::unique_ptr<TestNode> node_;
  AccountId contract_{};
  uint64_t queries_ = 0;
};

TEST_F(OracleTest, FetchSignsThePriceWithAKeyAnyoneCanCheckAndTheOwnerStoresIt) {
  json set = Call(Alice(), CallData("set_source", Url("/price")));
  ASSERT_EQ(set["status"], "success") << set.dump();
  EXPECT_EQ(set["output"], "0x0000");  // Ok(())

  // fetch() = Ok((4200, signature)): 00 00 ‖ i64 ‖ compact(64) ‖ 64 bytes.
  json fetched = Query(CallData("fetch"));
  const std::string data = Data(fetched);
  ASSERT_EQ(data.size(), 2 * (2 + 8 + 2 + 64)) << fetched.dump();
  ASSERT_EQ(data.substr(0, 4), "0000") << fetched.dump();
  Bytes value = codec::Encode(int64_t{4200});
  EXPECT_EQ(data.substr(4, 16), ToHex(value));
  EXPECT_EQ(data.substr(20, 4), "0101");
  auto signature = FixedFromHex<64>(data.substr(24));
  ASSERT_TRUE(signature);

  // public_key() = the derived key's: 00 ‖ compact(32) ‖ 32 bytes.
  const std::string key = Data(Query(CallData("public_key")));
  ASSERT_EQ(key.size(), 2 * (1 + 1 + 32)) << key;
  ASSERT_EQ(key.substr(0, 4), "0080");
  auto public_key = FixedFromHex<32>(key.substr(4));
  ASSERT_TRUE(public_key);
  EXPECT_TRUE(crypto::Sr25519Verify(*signature, value, *public_key));  // context "substrate"
  EXPECT_FALSE(crypto::Sr25519Verify(*signature, codec::Encode(int64_t{4201}), *public_key));
  // The key is the contract's, derived again each time: the same on the next query.
  EXPECT_EQ(Data(Query(CallData("public_key"))), key);

  // A quoted number is read too.
  ASSERT_EQ(Call(Alice(), CallData("set_source", Url("/quoted")))["status"], "success");
  EXPECT_EQ(Data(Query(CallData("fetch"))).substr(0, 20), "0000" + ToHex(value));

  // store(4200) by command, by the owner only; last() reads it.
  EXPECT_EQ(Data(Query(CallData("last"))), "0000");  // None yet
  json stored = Call(Alice(), CallData("store", int64_t{4200}));
  ASSERT_EQ(stored["status"], "success") << stored.dump();
  EXPECT_EQ(Data(Query(CallData("last"))), "0001" + ToHex(value));
  json refused = Call(Bob(), CallData("store", int64_t{1}));
  EXPECT_EQ(refused["status"], "reverted") << refused.dump();
  EXPECT_EQ(refused["output"], "0x" + Failed(kNotOwner).substr(1));
  EXPECT_EQ(Data(Query(CallData("last"))), "0001" + ToHex(value));
}

TEST_F(OracleTest, AMalformedBodyAndADownServerAreErrorResults) {
  ASSERT_EQ(Call(Alice(), CallData("set_source", Url("/malformed")))["status"], "success");
  EXPECT_EQ(Data(Query(CallData("fetch"))), Failed(kInvalidJson));

  ASSERT_EQ(Call(Alice(), CallData("set_source", Url("/price")))["status"], "success");
  StopWeb();  // nothing listens on the port now: pink answers 523
  json down = Query(CallData("fetch"));
  EXPECT_EQ(Data(down), Failed(kUnreachable));
  EXPECT_NE(
      down["debug_message"].get<std::string>().find("warn: oracle: the source is unreachable"),
      std::string::npos)
      << down.dump();
}

TEST_F(OracleTest, FetchAsACommandIsRefusedWithoutReachingTheServer) {
  ASSERT_EQ(Call(Alice(), CallData("set_source", Url("/price")))["status"], "success");
  json receipt = Call(Alice(), CallData("fetch"));
  EXPECT_EQ(receipt["status"], "reverted") << receipt.dump();
  EXPECT_EQ(receipt["output"], "0x" + Failed(kNotInQuery).substr(1));
}

}  // namespace
}  // namespace phat::node
