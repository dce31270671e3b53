// The token_operator example (sdk/examples/token_operator.cc) end to end, as a user runs it: a
// phat node of the dev cluster in-process, the contract deployed and configured through the
// node's HTTP API with signed commands, and signed queries that reach a local ganache chain with
// the test ERC-20 (chain.mjs, started once for the binary and stopped by its PID).
//
// Each test has a node of its own on a fresh data directory, so a fresh cluster key, so a
// contract Ethereum address no other test has used: the tests share the chain, not accounts.
// Answers are decoded with the contract's metadata (build/contracts/token_operator.contract), as
// the phat CLI decodes them. Balances after a transfer are read from the chain itself, not only
// through the contract.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "eth/test_chain.h"
#include "node/node_test_util.h"
#include "phat/base/bytes.h"
#include "phat/metadata/contract_metadata.h"
#include "phat/node/node.h"
#include "phat/node/query.h"

namespace phat::node {
namespace {

namespace fs = std::filesystem;
using codec::uint128;
using eth::testing::Chain;
using eth::testing::ClosedPort;
using eth::testing::EthBalanceOnChain;
using eth::testing::Fund;
using eth::testing::SilentServer;
using eth::testing::TokenBalanceOnChain;
using metadata::ContractMetadata;
using nlohmann::json;
using testing::Alice;
using testing::Bob;
using testing::NowMs;
using testing::TestNode;
using Clock = std::chrono::steady_clock;

constexpr uint128 kEther = 1'000'000'000'000'000'000ull;

const ContractMetadata& TokenOperator() {
  static const ContractMetadata metadata = [] {
    auto m =
        ContractMetadata::FromFile(std::string(PHAT_CONTRACTS_DIR) + "/token_operator.contract");
    if (!m) ADD_FAILURE() << m.error();
    return m.value_or(ContractMetadata{});
  }();
  return metadata;
}

std::string DecimalOf(uint128 v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), char('0' + int(v % 10)));
    v /= 10;
  } while (v != 0);
  return digits;
}

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A fresh Ethereum address for each recipient, so that its balance is only what a test sent.
std::string FreshAddress() {
  static int n = 0;
  char buffer[43];
  std::snprintf(buffer, sizeof(buffer), "0x%040x", 0xbeef0000 + ++n);
  return buffer;
}

// What a message answered, as JSON: for most, their Result<T, Error> ({"Ok": T} or {"Err": Error});
// for eth_address and config, the value itself.
struct Answer {
  json result;
  bool ok() const { return result.is_object() && result.contains("Ok"); }
  bool failed() const { return result.is_object() && result.contains("Err"); }
  json value() const { return result.is_object() ? result.value("Ok", json()) : json(); }
  json error() const { return result.is_object() ? result.value("Err", json()) : json(); }
};
std::ostream& operator<<(std::ostream& os, const Answer& a) {
  return os << a.result.dump();
}

class TokenOperatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Chain::Ensure());
    ASSERT_TRUE(TokenOperator().wasm()) << "token_operator.contract has no code";
    dir_ = NewDataDir();
    node_ = StartNode(dir_);
    ASSERT_TRUE(node_);
    contract_ = Instantiate(Bytes{});
    ASSERT_TRUE(contract_);
  }
  void TearDown() override {
    nodes_.clear();
    node_.reset();
    for (const fs::path& dir : dirs_) fs::remove_all(dir);
  }

  fs::path NewDataDir() {
    static int counter = 0;
    fs::path dir =
        fs::temp_directory_path() / ("phat-token-operator-test-" + std::to_string(::getpid()) +
                                     "-" + std::to_string(counter++));
    fs::remove_all(dir);
    dirs_.push_back(dir);
    return dir;
  }
  // A node whose contracts may reach loopback (the chain and the test's servers).
  static std::unique_ptr<TestNode> StartNode(const fs::path& dir) {
    NodeConfig config;
    config.http_policy.allow_list = {"127.0.0.1"};
    auto node = TestNode::Start(dir, std::move(config));
    EXPECT_TRUE(node) << node.error();
    return node ? std::move(*node) : nullptr;
  }

  // A token_operator owned by alice; another `salt` makes another instance.
  std::optional<AccountId> Instantiate(const Bytes& salt) {
    const metadata::Message* ctor = TokenOperator().FindConstructor("new");
    auto input = TokenOperator().EncodeCall(*ctor, nullptr);
    EXPECT_TRUE(input) << input.error();
    if (!input) return std::nullopt;
    return node_->Deploy(Alice(), *TokenOperator().wasm(), *input, salt);
  }

  static Bytes Input(std::string_view message, const json& args) {
    auto m = TokenOperator().RequireMessage(message);
    EXPECT_TRUE(m) << m.error();
    if (!m) return {};
    auto input = TokenOperator().EncodeCall(**m, args);
    EXPECT_TRUE(input) << message << ": " << input.error();
    return input.value_or(Bytes{});
  }
  // The message's output decoded: MessageResult's Ok unwrapped, so the message's own value.
  static Answer Decode(std::string_view message, const std::string& hex) {
    auto bytes = FromHex(hex);
    auto decoded = TokenOperator().DecodeReturn(**TokenOperator().RequireMessage(message),
                                                bytes.value_or(Bytes{}));
    EXPECT_TRUE(decoded) << message << " answered " << hex << ": " << decoded.error();
    if (!decoded || !decoded->contains("Ok")) return {json{{"Err", decoded.value_or(json())}}};
    return {(*decoded)["Ok"]};
  }

  // `message` as a signed query of `who` on `node` (this test's node by default).
  Answer Query(std::string_view message, const json& args = nullptr,
               const DevAccount& who = Alice(), TestNode* node = nullptr,
               std::optional<AccountId> contract = std::nullopt) {
    node = node ? node : node_.get();
    // A query's expiry makes it unique: the same signed query twice would be a replay.
    const node::Query q{who.id, contract.value_or(*contract_), Input(message, args),
                        100'000'000'000, NowMs() + 30'000 + queries_++};
    json answer = node->RunQuery(q, who);
    debug_ = answer.value("debug_message", "");
    if (!answer.contains("result")) {
      ADD_FAILURE() << message << " failed: " << answer.dump();
      return {};
    }
    const json& result = answer["result"];
    Answer decoded = Decode(message, result.value("data", "0x"));
    // The SDK reverts a message that answers Err, so that a query's caller sees the flag too.
    EXPECT_EQ(result.value("flags", 0) == 1, decoded.failed()) << decoded;
    return decoded;
  }
  // `message` in a signed command of `who`: the receipt, with the decoded output in "decoded".
  json Command(std::string_view message, const json& args, const DevAccount& who = Alice(),
               std::optional<AccountId> contract = std::nullopt) {
    json receipt = node_->Submit(
        who, ledger::CallContract{contract.value_or(*contract_), 0, Input(message, args)});
    receipt["decoded"] = Decode(message, receipt.value("output", "0x")).result;
    return receipt;
  }
  void Configure(const std::string& url, std::optional<AccountId> contract = std::nullopt) {
    json receipt = Command("configure", {url, Chain::Token()}, Alice(), contract);
    ASSERT_EQ(receipt["status"], "success") << receipt.dump();
  }
  std::string EthAddress(TestNode* node = nullptr,
                         std::optional<AccountId> contract = std::nullopt) {
    Answer a = Query("eth_address", nullptr, Alice(), node, contract);
    EXPECT_TRUE(a.result.is_string()) << a;  // infallible: the address itself
    return a.result.is_string() ? a.result.get<std::string>() : "";
  }
  static uint128 Uint128Of(const json& decimal) {
    EXPECT_TRUE(decimal.is_string()) << decimal;
    uint128 v = 0;
    if (decimal.is_string())
      for (char c : decimal.get<std::string>()) v = v * 10 + uint128(c - '0');
    return v;
  }

  // The error an answer should be, of `kind`, with `words` in its message.
  static json Failed(const Answer& answer, std::string_view kind, std::string_view words) {
    EXPECT_TRUE(answer.failed()) << "expected " << kind << ", got " << answer;
    const json error = answer.error().is_object() ? answer.error() : json::object();
    EXPECT_EQ(error.value("kind", ""), kind) << answer;
    EXPECT_NE(error.value("message", "").find(words), std::string::npos)
        << "\"" << words << "\" not in " << answer;
    return error;
  }

  std::vector<fs::path> dirs_;
  fs::path dir_;
  std::unique_ptr<TestNode> node_;
  std::vector<std::unique_ptr<TestNode>> nodes_;  // other workers
  std::optional<AccountId> contract_;
  uint64_t queries_ = 0;
  std::string debug_;
};

// ---- the address ----

// The key is derived from the cluster key, which every worker of a cluster holds, and not from
// the worker's own key: another worker with the same chain and cluster key but its own identity
// signs as the same Ethereum account.
TEST_F(TokenOperatorTest, AnotherWorkerOfTheClusterDerivesTheSameAddress) {
  Configure(Chain::Url());
  const std::string address = EthAddress();
  ASSERT_TRUE(FixedFromHex<20>(address)) << address;
  EXPECT_NE(address, "0x" + std::string(40, '0'));
  EXPECT_EQ(Query("config").result, json::array({Chain::Url(), Lower(Chain::Token())}));

  // The second worker's data directory: the first's log, state and cluster key, without its
  // worker key (it makes its own). Copied with the first stopped, so that nothing is mid-write.
  node_.reset();
  const fs::path other = NewDataDir();
  fs::copy(dir_, other, fs::copy_options::recursive);
  ASSERT_TRUE(fs::remove(other / "worker.key"));
  node_ = StartNode(dir_);
  ASSERT_TRUE(node_);
  nodes_.push_back(StartNode(other));
  ASSERT_TRUE(nodes_.back());
  TestNode* second = nodes_.back().get();
  ASSERT_TRUE(fs::exists(other / "worker.key"));
  auto read = [](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  EXPECT_NE(read(other / "worker.key"), read(dir_ / "worker.key")) << "the same worker";
  EXPECT_EQ(read(other / "cluster.key"), read(dir_ / "cluster.key"));

  EXPECT_EQ(EthAddress(second), address);
  EXPECT_EQ(EthAddress(), address);  // and the first, restarted, still has it
  // The second worker reaches the chain as well: the same account's balance.
  Answer eth = Query("eth_balance", nullptr, Alice(), second);
  ASSERT_TRUE(eth.ok()) << eth;
  EXPECT_EQ(Uint128Of(eth.value()), EthBalanceOnChain(address));

  // Another instance of the same code has a key of its own.
  auto instance = Instantiate(Bytes{2});
  ASSERT_TRUE(instance);
  EXPECT_NE(EthAddress(nullptr, instance), address);
}

// ---- a transfer ----

TEST_F(TokenOperatorTest, FundedItTransfersTokensThatTheChainShowsMoved) {
  Configure(Chain::Url());
  const std::string address = EthAddress();
  const uint128 funded = 1000 * kEther;
  Fund(address, DecimalOf(kEther), DecimalOf(funded));

  Answer tokens = Query("token_balance");
  ASSERT_TRUE(tokens.ok()) << tokens;
  EXPECT_EQ(Uint128Of(tokens.value()), funded);
  Answer eth = Query("eth_balance");
  ASSERT_TRUE(eth.ok()) << eth;
  EXPECT_EQ(Uint128Of(eth.value()), kEther);

  const std::string to = FreshAddress();
  const uint128 amount = 1234;
  Answer sent = Query("transfer", {to, DecimalOf(amount)});
  ASSERT_TRUE(sent.ok()) << sent << "\n" << debug_;
  const std::string hash = sent.value().get<std::string>();
  ASSERT_TRUE(FixedFromHex<32>(hash)) << hash;
  EXPECT_NE(debug_.find("token_operator: sent " + hash), std::string::npos) << debug_;

  // ganache mines at once (instamine); a real chain would answer None for a while.
  json receipt;
  for (auto until = Clock::now() + std::chrono::seconds(10); Clock::now() < until;) {
    Answer r = Query("receipt", {hash});
    ASSERT_TRUE(r.ok()) << r;
    if (!r.value().is_null()) {
      receipt = r.value();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(receipt.is_object()) << "no receipt for " << hash;
  EXPECT_EQ(receipt["success"], true) << receipt;
  EXPECT_EQ(receipt["transaction_hash"], hash);
  EXPECT_GT(Uint128Of(receipt["gas_used"]), 21'000u);

  // The chain itself, not the contract, says where the tokens are.
  EXPECT_EQ(TokenBalanceOnChain(to), amount);
  EXPECT_EQ(TokenBalanceOnChain(address), funded - amount);
  const uint128 eth_after = EthBalanceOnChain(address);
  EXPECT_LT(eth_after, kEther);  // gas was paid from the contract's account
  EXPECT_GT(eth_after, kEther / 2);
  Answer after = Query("token_balance");
  ASSERT_TRUE(after.ok()) << after;
  EXPECT_EQ(Uint128Of(after.value()), funded - amount);
}

// ---- what goes wrong ----

TEST_F(TokenOperatorTest, OnlyTheOwnerConfiguresAndTransfers) {
  Configure(Chain::Url());
  Failed(Query("transfer", {FreshAddress(), "1"}, Bob()), "NotOwner", "only the owner");
  json refused = Command("configure", {"http://127.0.0.1:1/", Chain::Token()}, Bob());
  EXPECT_EQ(refused["status"], "reverted") << refused.dump();
  Failed(Answer{refused["decoded"]}, "NotOwner", "only the owner");
  EXPECT_EQ(Query("config").result[0], Chain::Url());
}

TEST_F(TokenOperatorTest, ATransferOverTheBalanceRevertsWithTheTokensReason) {
  Configure(Chain::Url());
  const std::string address = EthAddress();
  Fund(address, DecimalOf(kEther), "10");
  json error = Failed(Query("transfer", {FreshAddress(), "11"}), "Reverted", "balance too low");
  EXPECT_EQ(error["message"], "Token: balance too low");           // Token.sol's require, decoded
  EXPECT_EQ(error.value("data", "").substr(0, 10), "0x08c379a0");  // Error(string)
  EXPECT_EQ(TokenBalanceOnChain(address), 10u);                    // nothing was sent
}

// ganache checks the sender's ETH when the transaction arrives, after the contract has estimated
// and signed it: the node's refusal comes back in its own words.
TEST_F(TokenOperatorTest, WithoutEtherForGasTheNodeRejectsTheTransaction) {
  auto poor = Instantiate(Bytes{1});
  ASSERT_TRUE(poor);
  Configure(Chain::Url(), poor);
  const std::string address = EthAddress(nullptr, poor);
  EXPECT_NE(address, EthAddress());
  Fund(address, "0", "500");
  Answer tokens = Query("token_balance", nullptr, Alice(), nullptr, poor);
  ASSERT_TRUE(tokens.ok()) << tokens;
  EXPECT_EQ(Uint128Of(tokens.value()), 500u);

  json error = Failed(Query("transfer", {FreshAddress(), "1"}, Alice(), nullptr, poor), "Rejected",
                      "insufficient funds");
  EXPECT_EQ(error["message"], "insufficient funds for gas * price + value") << error;
  EXPECT_NE(error["code"], "0") << error;  // the node's JSON-RPC code (ganache: -32003)
  EXPECT_EQ(TokenBalanceOnChain(address), 500u);
}

TEST_F(TokenOperatorTest, BeforeConfigureItSaysSo) {
  Failed(Query("token_balance"), "NotConfigured", "configure()");
  Failed(Query("transfer", {FreshAddress(), "1"}), "NotConfigured", "configure()");
  EXPECT_TRUE(FixedFromHex<20>(EthAddress()));  // the address needs no chain
}

// A JSON-RPC endpoint on loopback that answers each method with the result the test gives it.
class ScriptedEndpoint {
 public:
  explicit ScriptedEndpoint(std::map<std::string, json> results) : results_(std::move(results)) {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      const json request = json::parse(req.body, nullptr, false);
      const std::string method = request.value("method", "");
      json answer = {{"jsonrpc", "2.0"}, {"id", request.value("id", json(0))}};
      if (auto it = results_.find(method); it != results_.end())
        answer["result"] = it->second;
      else
        answer["error"] = {{"code", -32601}, {"message", "no such method here: " + method}};
      res.set_content(answer.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ScriptedEndpoint() {
    server_.stop();
    thread_.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  const std::map<std::string, json> results_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// The node's numbers are not trusted to be sane: a gas estimate no block could hold is refused
// before anything is signed (its margin would wrap a u64).
TEST_F(TokenOperatorTest, AnAbsurdGasEstimateIsMalformedAndNothingIsSent) {
  ScriptedEndpoint endpoint({{"eth_chainId", "0x539"},
                             {"eth_getTransactionCount", "0x0"},
                             {"eth_maxPriorityFeePerGas", "0x1"},
                             {"eth_feeHistory", {{"baseFeePerGas", {"0x7", "0x7"}}}},
                             {"eth_estimateGas", "0xffffffffffffffff"}});
  Configure(endpoint.Url());
  // Had it signed, eth_sendRawTransaction would be answered "no such method here" (Rejected).
  Failed(Query("transfer", {FreshAddress(), "1"}), "Malformed", "gas estimate is beyond any block");
}

TEST_F(TokenOperatorTest, AClosedPortIsUnreachable) {
  Configure("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/");
  Failed(Query("token_balance"), "Unreachable", "no response from the endpoint");
  Failed(Query("transfer", {FreshAddress(), "1"}), "Unreachable", "no response");
}

// The contract gives each JSON-RPC call less time than the node gives a query (10 s by default),
// so an endpoint that never answers is the contract's Timeout, in time for the query to say so,
// and not a query stopped at its limit (504).
TEST_F(TokenOperatorTest, AnEndpointThatNeverAnswersTimesOut) {
  SilentServer silent;
  Configure(silent.Url());
  const auto start = Clock::now();
  Failed(Query("eth_balance"), "Timeout", "no response from the endpoint: Timeout");
  const auto took = Clock::now() - start;
  EXPECT_GE(took, std::chrono::seconds(4));
  EXPECT_LT(took, NodeConfig{}.query_timeout - std::chrono::seconds(2));
}

TEST_F(TokenOperatorTest, TransferInACommandIsRefused) {
  Configure(Chain::Url());
  json receipt = Command("transfer", {FreshAddress(), "1"}, Alice());
  EXPECT_EQ(receipt["status"], "reverted") << receipt.dump();
  Failed(Answer{receipt["decoded"]}, "InTransaction", "queries only");
}

}  // namespace
}  // namespace phat::node

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new phat::eth::testing::Chain);
  return RUN_ALL_TESTS();
}
