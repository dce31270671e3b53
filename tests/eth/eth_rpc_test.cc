// The SDK's Ethereum JSON-RPC client (sdk/include/phat/sdk/eth/rpc.h) inside a contract
// (contracts/eth_rpc_calls.cc) on phat's runtime with pink's own extension and HTTP client, end to
// end: against a local ganache chain with an ERC-20 deployed (chain.mjs, started once for the
// binary and stopped by its PID), and against local servers that misbehave — a closed port, one
// that never answers, and one that answers whatever a test tells it to.
//
// The expected values are written out here (ganache's chain id 1337, its 2 gwei gas price, the
// ERC-20 balanceOf selector 70a08231 and its ABI word), not computed by code the contract shares.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <expected>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "eth/test_chain.h"
#include "phat/base/bytes.h"
#include "phat/codec/scale.h"
#include "phat/contracts/runtime.h"
#include "phat/contracts/state.h"
#include "phat/crypto/hash.h"
#include "phat/pink/extension.h"
#include "phat/pink/http_client.h"

namespace phat::contracts {
namespace {

using eth::testing::Chain;
using eth::testing::ClosedPort;
using eth::testing::Fund;
using eth::testing::SilentServer;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---- servers that misbehave ----

// Answers each POST with the status and body it is told; "$ID" in the body becomes the request's
// id. Remembers the last request's body and Content-Type.
class FakeNode {
 public:
  FakeNode() {
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      last_body_ = req.body;
      last_content_type_ = req.get_header_value("Content-Type");
      json request = json::parse(req.body, nullptr, false);
      std::string body = body_;
      std::string id = request.is_object() && request.contains("id") ? request["id"].dump() : "0";
      for (size_t at; (at = body.find("$ID")) != std::string::npos;) body.replace(at, 3, id);
      res.status = status_;
      res.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeNode() {
    server_.stop();
    thread_.join();
  }
  void Answer(std::string body, int status = 200) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
    status_ = status;
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::string last_body() {
    std::lock_guard lock(mutex_);
    return last_body_;
  }
  std::string last_content_type() {
    std::lock_guard lock(mutex_);
    return last_content_type_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::string body_ = "{}";
  int status_ = 200;
  std::string last_body_, last_content_type_;
};

// ---- the contract on the runtime ----

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using Address20 = std::array<uint8_t, 20>;
using Hash32 = std::array<uint8_t, 32>;

Address20 AddressOf(std::string hex) {
  std::transform(hex.begin(), hex.end(), hex.begin(), ::tolower);
  auto a = FixedFromHex<20>(std::string_view(hex).substr(2));
  EXPECT_TRUE(a.has_value()) << hex;
  return a.value_or(Address20{});
}
Hash32 HashOf(const std::string& hex) {
  auto h = FixedFromHex<32>(std::string_view(hex).substr(2));
  EXPECT_TRUE(h.has_value()) << hex;
  return h.value_or(Hash32{});
}
Bytes BytesOf(const std::string& hex) {
  auto b = FromHex(std::string_view(hex).substr(2));
  EXPECT_TRUE(b.has_value()) << hex;
  return b.value_or(Bytes{});
}

// The contract's RpcError, as SCALE has it.
struct RpcError {
  enum Kind : uint8_t { kUnreachable, kTimeout, kHttpStatus, kTooLarge, kMalformed, kRpc };
  uint8_t kind = 0;
  uint16_t http_status = 0;
  int64_t code = 0;
  std::string message;
  Bytes data;
};
std::ostream& operator<<(std::ostream& os, const RpcError& e) {
  return os << "RpcError{kind " << int(e.kind) << ", http " << e.http_status << ", code " << e.code
            << ", \"" << e.message << "\", data " << ToHex(e.data) << "}";
}

template <typename T>
using Answer = std::expected<T, RpcError>;

class EthRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pink::Services services;
    services.http = &http_;
    runtime_.RegisterChainExtension(0, std::make_shared<pink::PinkExtension>(std::move(services)));
    auto code = runtime_.Upload(state_, alice_,
                                ReadFile(std::string(PHAT_CONTRACTS_DIR) + "/eth_rpc_calls.wasm"));
    ASSERT_TRUE(code.has_value()) << code.error().ToString();
    ExecResult made = runtime_.Instantiate(
        state_, block_,
        InstantiateRequest{
            .origin = alice_, .code_hash = *code, .input = Selector("new"), .gas_limit = gas_});
    ASSERT_TRUE(made.ok() && made.account)
        << (made.result ? "reverted" : made.result.error().ToString());
    contract_ = *made.account;
  }

  static Bytes Selector(std::string_view label) {
    crypto::Hash256 hash = crypto::Blake2b256(AsBytes(label));
    return Bytes(hash.begin(), hash.begin() + 4);
  }

  // Runs message `label` with `args` as a query and decodes its Result<T, RpcError>.
  template <typename T, typename... Args>
  Answer<T> Query(std::string_view label, const Args&... args) {
    codec::ScaleWriter w;
    for (uint8_t b : Selector(label)) w.U8(b);
    codec::Encode(w, args...);
    ExecResult r = runtime_.Query(
        state_, block_,
        CallRequest{.origin = alice_, .dest = contract_, .input = w.Take(), .gas_limit = gas_});
    debug_ = r.debug_message;
    if (!r.result.has_value()) {
      ADD_FAILURE() << label << " failed: " << r.result.error().ToString();
      return std::unexpected(RpcError{.message = "the call failed"});
    }
    const Bytes& data = r.result->data;
    // MessageResult Ok (00), then the message's Result.
    using Wire = std::expected<T, std::tuple<uint8_t, uint16_t, int64_t, std::string, Bytes>>;
    auto decoded = data.empty() || data[0] != 0
                       ? codec::Decoded<Wire>(std::unexpected(codec::DecodeError{}))
                       : codec::DecodeAll<Wire>(ByteView(data).subspan(1));
    if (!decoded) {
      ADD_FAILURE() << label << " answered " << ToHex(data) << ", which does not decode";
      return std::unexpected(RpcError{.message = "undecodable"});
    }
    EXPECT_EQ(r.result->reverted(), !decoded->has_value()) << "an Err reverts, an Ok does not";
    if (decoded->has_value()) return **decoded;
    auto& [kind, status, code, message, bytes] = decoded->error();
    return std::unexpected(RpcError{kind, status, code, message, bytes});
  }

  // The answer of a message that should have failed with `kind`.
  template <typename T>
  RpcError Failed(const Answer<T>& answer, RpcError::Kind kind) {
    EXPECT_FALSE(answer.has_value()) << "expected an error, got a value";
    if (answer.has_value()) return {};
    EXPECT_EQ(answer.error().kind, kind) << answer.error();
    return answer.error();
  }

  // ganache's URL and the token's address.
  static std::string Url() { return Chain::Url(); }
  static Address20 Token() { return AddressOf(Chain::info()["token"].get<std::string>()); }
  static Address20 Deployer() { return AddressOf(Chain::info()["deployer"].get<std::string>()); }
  // A fresh address for each test that funds one.
  static std::string FreshAddressHex() {
    static int n = 0;
    char buffer[43];
    std::snprintf(buffer, sizeof(buffer), "0x%040x", 0xfeed0000 + ++n);
    return buffer;
  }
  // eth_call data for balanceOf(owner): selector 70a08231 ‖ the address left-padded to 32 bytes.
  static Bytes BalanceOfCall(const Address20& owner) {
    Bytes data = *FromHex("70a08231");
    data.insert(data.end(), 12, 0);
    data.insert(data.end(), owner.begin(), owner.end());
    return data;
  }
  // A uint256 ABI word of a value that fits u128.
  static Bytes Word(codec::uint128 v) {
    Bytes word(32, 0);
    for (int i = 0; i < 16; ++i) word[31 - i] = uint8_t(v >> (8 * i));
    return word;
  }

  pink::HttpClient http_{pink::HttpPolicy{.allow_list = {"127.0.0.1"}}};  // the servers are local
  MemoryState state_;
  Runtime runtime_;
  BlockContext block_{.block_number = 1, .timestamp_ms = 1'700'000'000'000};
  Weight gas_{.ref_time = 100'000'000'000'000, .proof_size = 1ull << 32};
  AccountId alice_ = [] {
    AccountId id;
    id.fill(0xaa);
    return id;
  }();
  AccountId contract_{};
  std::string debug_;
};

constexpr codec::uint128 kEther = 1'000'000'000'000'000'000ull;

// The tests that need ganache.
class EthRpcChain : public EthRpcTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Chain::Ensure());
    EthRpcTest::SetUp();
  }
};
// The tests against local servers that misbehave.
using EthRpcFake = EthRpcTest;

// ---- against ganache ----

TEST_F(EthRpcChain, ChainIdIs1337ByEitherPinkFunction) {
  EXPECT_EQ(Query<uint64_t>("chain_id", Url()), 1337u);
  // timeout 0: http_request instead of batch_http_request.
  EXPECT_EQ(Query<uint64_t>("chain_id_with", Url(), uint64_t{0}, uint32_t{65536}), 1337u);
  // Two calls on one client: ids 1 and 2, each checked against its answer.
  auto both = Query<std::tuple<uint64_t, codec::uint128>>("chain_id_and_gas_price", Url());
  ASSERT_TRUE(both.has_value()) << both.error();
  EXPECT_EQ(std::get<0>(*both), 1337u);
}

TEST_F(EthRpcChain, BalancesOfEtherAndTokensAfterFunding) {
  const std::string who = FreshAddressHex();
  EXPECT_EQ(Query<codec::uint128>("balance", Url(), AddressOf(who)), codec::uint128(0));
  EXPECT_EQ(Query<Bytes>("call", Url(), Token(), BalanceOfCall(AddressOf(who))), Word(0));

  json funded = Fund(who, "1500000000000000000", "42000000000000000000");  // 1.5 ETH, 42 tokens
  EXPECT_EQ(Query<codec::uint128>("balance", Url(), AddressOf(who)), kEther * 3 / 2);
  EXPECT_EQ(Query<Bytes>("call", Url(), Token(), BalanceOfCall(AddressOf(who))), Word(42 * kEther));
  // The deployer has spent ether on gas: less than ganache's 1000 ETH, more than nothing.
  auto deployer = Query<codec::uint128>("balance", Url(), Deployer());
  ASSERT_TRUE(deployer.has_value()) << deployer.error();
  EXPECT_LT(*deployer, 1000 * kEther);
  EXPECT_GT(*deployer, 900 * kEther);
}

TEST_F(EthRpcChain, NonceCountsTheDeployersTransactions) {
  auto before = Query<uint64_t>("nonce", Url(), Deployer(), true);
  ASSERT_TRUE(before.has_value()) << before.error();
  EXPECT_GE(*before, 1u);   // the token's deployment at least
  Fund(FreshAddressHex());  // two more: ETH, then tokens
  EXPECT_EQ(Query<uint64_t>("nonce", Url(), Deployer(), true), *before + 2);
  EXPECT_EQ(Query<uint64_t>("nonce", Url(), Deployer(), false), *before + 2);  // instamine
  EXPECT_EQ(Query<uint64_t>("nonce", Url(), AddressOf(FreshAddressHex()), false), 0u);
}

TEST_F(EthRpcChain, GasPricesAndFees) {
  EXPECT_EQ(Query<codec::uint128>("gas_price", Url()), codec::uint128(2'000'000'000));  // 2 gwei
  EXPECT_EQ(Query<codec::uint128>("priority_fee", Url()), codec::uint128(1'000'000'000));
  auto base = Query<codec::uint128>("base_fee", Url());
  ASSERT_TRUE(base.has_value()) << base.error();
  EXPECT_GT(*base, 0u);
  EXPECT_LE(*base, codec::uint128(1'000'000'000));  // ganache starts at 1 gwei and only falls
}

TEST_F(EthRpcChain, EstimateGasAndARevertWithItsData) {
  // transfer(0x…01, 1): selector a9059cbb, the address, the amount.
  Bytes transfer = *FromHex("a9059cbb" + std::string(62, '0') + "01" + std::string(62, '0') + "01");
  auto gas = Query<uint64_t>("estimate_gas", Url(), Deployer(), Token(), transfer);
  ASSERT_TRUE(gas.has_value()) << gas.error();
  EXPECT_GT(*gas, 21'000u);
  EXPECT_LT(*gas, 100'000u);

  // eth_call without `from` calls as the zero address, which holds no tokens: a revert, whose
  // data is Error("Token: balance too low") — selector 08c379a0.
  RpcError reverted = Failed(Query<Bytes>("call", Url(), Token(), transfer), RpcError::kRpc);
  EXPECT_EQ(reverted.code, -32000);
  EXPECT_NE(reverted.message.find("revert Token: balance too low"), std::string::npos) << reverted;
  EXPECT_EQ(ToHex(ByteView(reverted.data).first(std::min<size_t>(4, reverted.data.size()))),
            "08c379a0");
  EXPECT_NE(std::string(reverted.data.begin(), reverted.data.end()).find("balance too low"),
            std::string::npos);
  // eth_estimateGas reverts alike, with its data inside an object (ganache's form).
  Bytes too_much = transfer;
  std::fill(too_much.end() - 32, too_much.end(), 0xff);
  RpcError estimate =
      Failed(Query<uint64_t>("estimate_gas", Url(), Deployer(), Token(), too_much), RpcError::kRpc);
  EXPECT_EQ(ToHex(ByteView(estimate.data).first(std::min<size_t>(4, estimate.data.size()))),
            "08c379a0")
      << estimate;
}

TEST_F(EthRpcChain, ARawTransactionIsRefusedWithGanachesMessage) {
  json funded = Fund(FreshAddressHex(), "1", "0");
  // The same signed transaction again: its nonce is used.
  RpcError stale =
      Failed(Query<Hash32>("send_raw", Url(), BytesOf(funded["ethRaw"].get<std::string>())),
             RpcError::kRpc);
  EXPECT_EQ(stale.code, -32000);
  EXPECT_NE(stale.message.find("the tx doesn't have the correct nonce"), std::string::npos)
      << stale;
  // Not RLP at all.
  RpcError garbage = Failed(Query<Hash32>("send_raw", Url(), *FromHex("1234")), RpcError::kRpc);
  EXPECT_NE(garbage.message.find("invalid RLP"), std::string::npos) << garbage;
  RpcError empty = Failed(Query<Hash32>("send_raw", Url(), Bytes{}), RpcError::kRpc);
  EXPECT_FALSE(empty.message.empty()) << empty;
}

TEST_F(EthRpcChain, TheReceiptOfATransactionSentByEthers) {
  json funded = Fund(FreshAddressHex());
  using Receipt = std::tuple<bool, uint64_t, uint64_t, Hash32>;
  auto eth =
      Query<std::optional<Receipt>>("receipt", Url(), HashOf(funded["ethTx"].get<std::string>()));
  ASSERT_TRUE(eth.has_value()) << eth.error();
  ASSERT_TRUE(eth->has_value()) << "no receipt";
  auto [success, block, gas_used, hash] = **eth;
  EXPECT_TRUE(success);
  EXPECT_GE(block, 1u);
  EXPECT_EQ(gas_used, 21'000u);  // a plain transfer of ether
  EXPECT_EQ(hash, HashOf(funded["ethTx"].get<std::string>()));
  auto token =
      Query<std::optional<Receipt>>("receipt", Url(), HashOf(funded["tokenTx"].get<std::string>()));
  ASSERT_TRUE(token.has_value() && token->has_value());
  EXPECT_EQ(std::get<1>(**token), funded["block"].get<uint64_t>());
  EXPECT_GT(std::get<2>(**token), 21'000u);
  // A transaction the node has never seen: no receipt, not an error.
  Hash32 unknown{};
  unknown[31] = 1;
  EXPECT_EQ(Query<std::optional<Receipt>>("receipt", Url(), unknown), std::nullopt);
}

// ---- endpoints that fail ----

TEST_F(EthRpcFake, AClosedPortIsUnreachable) {
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/";
  RpcError e = Failed(Query<uint64_t>("chain_id", url), RpcError::kUnreachable);
  EXPECT_EQ(e.http_status, 523);
  e = Failed(Query<uint64_t>("chain_id_with", url, uint64_t{0}, uint32_t{65536}),
             RpcError::kUnreachable);
  EXPECT_EQ(e.http_status, 523);
}

TEST_F(EthRpcFake, AnEndpointThatNeverAnswersTimesOut) {
  SilentServer silent;
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/";
  auto start = Clock::now();
  RpcError e = Failed(Query<uint64_t>("chain_id_with", url, uint64_t{700}, uint32_t{65536}),
                      RpcError::kTimeout);
  auto took = Clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(650)) << e;
  EXPECT_LT(took, std::chrono::seconds(5)) << e;
}

TEST_F(EthRpcFake, TheRequestIsAJsonRpcPost) {
  FakeNode node;
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"result":"0x0"})");
  Address20 who{};
  who[19] = 0xab;
  EXPECT_EQ(Query<codec::uint128>("balance", node.Url(), who), codec::uint128(0));
  EXPECT_EQ(node.last_content_type(), "application/json");
  EXPECT_EQ(node.last_body(), R"({"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":)"
                              R"(["0x00000000000000000000000000000000000000ab","latest"]})");
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"result":"0x"})");
  EXPECT_EQ(Query<Bytes>("call", node.Url(), who, Bytes{0x70, 0xa0}), Bytes{});
  EXPECT_EQ(node.last_body(),
            R"({"jsonrpc":"2.0","id":1,"method":"eth_call","params":)"
            R"([{"to":"0x00000000000000000000000000000000000000ab","data":"0x70a0"},"latest"]})");
}

TEST_F(EthRpcFake, ANodeAnsweringGarbageIsMalformedSayingWhat) {
  FakeNode node;
  struct Case {
    std::string body;
    std::string message;  // a part of the error's message
  };
  const Case cases[] = {
      {"garbage", "the response is not JSON"},
      {"", "the response is not JSON"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":"0x539"} trailing)", "not JSON"},
      {R"(["0x539"])", "not a JSON object"},
      {R"({"id":$ID,"result":"0x539"})", "jsonrpc is missing"},
      {R"({"jsonrpc":"1.0","id":$ID,"result":"0x539"})", "jsonrpc is not \"2.0\""},
      {R"({"jsonrpc":"2.0","id":99,"result":"0x539"})", "id is not the request's"},
      {R"({"jsonrpc":"2.0","id":"1","result":"0x539"})", "id is not the request's"},
      {R"({"jsonrpc":"2.0","id":$ID})", "not exactly one of result and error"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":"0x1","error":{"code":1,"message":"x"}})",
       "not exactly one of result and error"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":"0x1","result":"0x2"})", "given twice"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":1337})", "result is not a string"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":"0x0539"})", "result is not a quantity: LeadingZero"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":"0x"})", "result is not a quantity: Empty"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":"539"})", "result is not a quantity: WrongPrefix"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":"0x10000000000000000"})", "Overflow"},
      {R"({"jsonrpc":"2.0","id":$ID,"result":null})", "result is not a string"},
      {R"({"jsonrpc":"2.0","id":$ID,"error":"bad"})", "error is not an object"},
      {R"({"jsonrpc":"2.0","id":$ID,"error":{"code":"x","message":"m"}})", "error.code"},
      {R"({"jsonrpc":"2.0","id":$ID,"error":{"code":1.5,"message":"m"}})", "error.code"},
      {R"({"jsonrpc":"2.0","id":$ID,"error":{"code":1}})", "message is missing"},
      {std::string(40, '[') + std::string(40, ']'), "TooDeep"},
  };
  for (const Case& c : cases) {
    node.Answer(c.body);
    RpcError e = Failed(Query<uint64_t>("chain_id", node.Url()), RpcError::kMalformed);
    EXPECT_NE(e.message.find(c.message), std::string::npos) << c.body << " → " << e;
    EXPECT_TRUE(e.message.starts_with("eth_chainId: ")) << e;
  }
}

TEST_F(EthRpcFake, ANodesErrorKeepsItsCodeMessageAndData) {
  FakeNode node;
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"error":{"code":-32000,)"
              R"("message":"insufficient funds for gas * price + value \u2013 \"x\"",)"
              R"("data":"0x08c379a0"}})");
  RpcError e = Failed(Query<uint64_t>("chain_id", node.Url()), RpcError::kRpc);
  EXPECT_EQ(e.code, -32000);
  EXPECT_EQ(e.message, "insufficient funds for gas * price + value – \"x\"");
  EXPECT_EQ(e.data, *FromHex("08c379a0"));
  // Data that is not revert bytes is left out, not an error.
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"error":{"code":3,"message":"m","data":"oops"}})");
  e = Failed(Query<uint64_t>("chain_id", node.Url()), RpcError::kRpc);
  EXPECT_EQ(e.code, 3);
  EXPECT_TRUE(e.data.empty());
}

TEST_F(EthRpcFake, HttpStatusesAndSizeLimits) {
  FakeNode node;
  node.Answer("upstream down", 502);
  RpcError e = Failed(Query<uint64_t>("chain_id", node.Url()), RpcError::kHttpStatus);
  EXPECT_EQ(e.http_status, 502);
  EXPECT_NE(e.message.find("upstream down"), std::string::npos) << e;

  // A body over max_response (but within the capacity around it) is TooLarge, not a trap.
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"result":"0x539","pad":")" + std::string(2000, 'x') +
              R"("})");
  Failed(Query<uint64_t>("chain_id_with", node.Url(), uint64_t{5000}, uint32_t{1024}),
         RpcError::kTooLarge);
  EXPECT_EQ(Query<uint64_t>("chain_id_with", node.Url(), uint64_t{5000}, uint32_t{4096}), 1337u);
}

TEST_F(EthRpcFake, ReceiptsAreCheckedFieldByField) {
  FakeNode node;
  Hash32 hash{};
  hash.fill(0x11);
  const std::string h = "0x" + ToHex(hash);
  using Receipt = std::tuple<bool, uint64_t, uint64_t, Hash32>;
  auto receipt = [&](const std::string& fields) {
    node.Answer(R"({"jsonrpc":"2.0","id":$ID,"result":{)" + fields + "}}");
    return Query<std::optional<Receipt>>("receipt", node.Url(), hash);
  };
  auto ok = receipt(R"("transactionHash":")" + h +
                    R"(","blockNumber":"0x7","gasUsed":"0x5208","status":"0x0","logs":[])");
  ASSERT_TRUE(ok.has_value()) << ok.error();
  EXPECT_EQ(*ok, Receipt(false, 7, 21000, hash));  // reverted, but mined
  // Known but not mined (blockNumber null): no receipt yet.
  EXPECT_EQ(receipt(R"("transactionHash":")" + h + R"(","blockNumber":null)"), std::nullopt);

  const std::pair<std::string, std::string> bad[] = {
      {R"("transactionHash":"0x)" + std::string(64, '2') +
           R"(","blockNumber":"0x7","gasUsed":"0x1","status":"0x1")",
       "transactionHash is not the one asked for"},
      {R"("transactionHash":")" + h + R"(","blockNumber":"0x7","gasUsed":"0x1","status":"0x2")",
       "status is neither"},
      {R"("transactionHash":")" + h + R"(","blockNumber":"0x7","gasUsed":"0x1")",
       "status is missing"},
      {R"("transactionHash":")" + h + R"(","blockNumber":"0x7","status":"0x1")",
       "gasUsed is missing"},
      {R"("transactionHash":"0x11","blockNumber":"0x7","gasUsed":"0x1","status":"0x1")",
       "transactionHash is not hex of the right size"},
      {R"("transactionHash":")" + h + R"(","blockNumber":"7","gasUsed":"0x1","status":"0x1")",
       "blockNumber is not a quantity"},
  };
  for (const auto& [fields, message] : bad) {
    RpcError e = Failed(receipt(fields), RpcError::kMalformed);
    EXPECT_NE(e.message.find(message), std::string::npos) << fields << " → " << e;
  }
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"result":[]})");
  Failed(Query<std::optional<Receipt>>("receipt", node.Url(), hash), RpcError::kMalformed);
}

TEST_F(EthRpcFake, SendRawTransactionWantsAHashBack) {
  FakeNode node;
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"result":"0x)" + std::string(64, 'a') + R"("})");
  Hash32 expected;
  expected.fill(0xaa);
  EXPECT_EQ(Query<Hash32>("send_raw", node.Url(), Bytes{0x02, 0x01}), expected);
  EXPECT_EQ(node.last_body(),
            R"({"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x0201"]})");
  node.Answer(R"({"jsonrpc":"2.0","id":$ID,"result":"0x)" + std::string(62, 'a') + R"("})");
  Failed(Query<Hash32>("send_raw", node.Url(), Bytes{0x02}), RpcError::kMalformed);
}

}  // namespace
}  // namespace phat::contracts

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new phat::eth::testing::Chain);
  return RUN_ALL_TESTS();
}
