// The pink extension's function table, called as the host calls it: SCALE arguments in, status
// and SCALE output back, byte for byte as Phala's runtime answers; what a transaction gets
// instead; HTTP through a real server on loopback; a query that may not wait is stopped.
#include "phat/pink/extension.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "phat/codec/scale.h"

namespace phat::pink {
namespace {

using contracts::AccountId;
using contracts::ContractError;
using contracts::Mode;

// The context a frame gives the extension, with what each test sets.
class TestContext final : public contracts::ExtensionContext {
 public:
  Mode mode() const override { return mode_; }
  const AccountId& address() const override { return address_; }
  const AccountId& caller() const override { return caller_; }
  bool ChargeGas(uint64_t ref_time) override {
    charged_ += ref_time;
    return charged_ <= gas_;
  }
  const contracts::StateReader& state() const override { return state_; }
  std::chrono::steady_clock::time_point deadline() const override { return deadline_; }
  bool may_wait() const override { return may_wait_; }
  void WriteDebug(std::string_view text) override { debug_ += text; }
  const contracts::BlockContext& block() const override { return block_; }
  void OnCommit(std::function<void()> effect) override { effects_.push_back(std::move(effect)); }
  // The transaction ends without reverting: its effects run.
  void Commit() {
    for (auto& effect : effects_) effect();
    effects_.clear();
  }

  Mode mode_ = Mode::Query;
  AccountId address_{7};
  AccountId caller_{8};
  uint64_t gas_ = UINT64_MAX;
  uint64_t charged_ = 0;
  contracts::MemoryState state_;
  std::chrono::steady_clock::time_point deadline_ =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool may_wait_ = true;
  std::string debug_;
  contracts::BlockContext block_{42, 0};
  std::vector<std::function<void()>> effects_;
};

Bytes ToBytes(const std::array<uint8_t, 32>& a) {
  return Bytes(a.begin(), a.end());
}

class ExtensionTest : public ::testing::Test {
 protected:
  ExtensionTest() {
    HttpPolicy policy;
    policy.allow_list = {"127.0.0.1"};
    http_ = std::make_unique<HttpClient>(policy);
    Services services;
    services.http = http_.get();
    services.cache = &cache_;
    services.cluster_key = &cluster_key_;
    services.system_contract = AccountId{1};
    services.worker_pubkey = std::array<uint8_t, 32>{9};
    pink_ = std::make_unique<PinkExtension>(std::move(services));
  }
  ~ExtensionTest() override {
    server_.stop();
    if (server_thread_.joinable()) server_thread_.join();
  }

  void StartServer() {
    server_.Get("/price", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"price": 4200})", "application/json");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    server_thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  template <typename... Args>
  Expected<contracts::ExtensionResult, contracts::Error> Call(uint16_t id, const Args&... args) {
    codec::ScaleWriter w;
    codec::Encode(w, args...);
    return pink_->Call(id, w.bytes(), context_);
  }
  // Status 0 expected; the output.
  template <typename... Args>
  Bytes Output(uint16_t id, const Args&... args) {
    auto r = Call(id, args...);
    EXPECT_TRUE(r) << (r ? "" : r.error().ToString());
    if (!r) return {};
    EXPECT_EQ(r->status, 0u);
    return r->output;
  }
  static Bytes HttpRequestBytes(const std::string& url) {
    codec::ScaleWriter w;
    codec::Encode(w, url, std::string("GET"), std::vector<std::pair<std::string, std::string>>(),
                  Bytes());
    return w.Take();
  }

  Cache cache_;
  ClusterKey cluster_key_ = ClusterKey::FromSeed(crypto::Sr25519MiniSecret{5});
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<PinkExtension> pink_;
  TestContext context_;
  httplib::Server server_;
  std::thread server_thread_;
  int port_ = 0;
};

TEST_F(ExtensionTest, AnHttpRequestInAQueryReturnsTheResponse) {
  StartServer();
  auto r = pink_->Call(1, HttpRequestBytes(Url("/price")), context_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 0u);
  codec::ScaleReader reader(r->output);
  EXPECT_EQ(reader.U16().value_or(0), 200);
  EXPECT_EQ(reader.String().value_or(""), "OK");
  auto headers = codec::Decode<std::vector<std::pair<std::string, std::string>>>(reader);
  ASSERT_TRUE(headers);
  const std::string body = R"({"price": 4200})";
  EXPECT_EQ(reader.ByteVec().value_or(Bytes()), Bytes(body.begin(), body.end()));
}

TEST_F(ExtensionTest, AnHttpRequestInATransactionIs523AndReachesNothing) {
  context_.mode_ = Mode::Transaction;
  auto r = pink_->Call(1, HttpRequestBytes("http://127.0.0.1:1/never"), context_);
  ASSERT_TRUE(r);
  // HttpResponse{523, "API Unavailable", [], []}
  codec::ScaleWriter w;
  codec::Encode(w, uint16_t(523), std::string("API Unavailable"),
                std::vector<std::pair<std::string, std::string>>(), Bytes());
  EXPECT_EQ(r->output, w.bytes());
}

TEST_F(ExtensionTest, AnUnreachableServerIs523AndABadUrlFailsTheCall) {
  auto r = pink_->Call(1, HttpRequestBytes("http://127.0.0.1:1/refused"), context_);
  ASSERT_TRUE(r) << r.error().ToString();
  codec::ScaleReader reader(r->output);
  EXPECT_EQ(reader.U16().value_or(0), 523);
  auto bad = pink_->Call(1, HttpRequestBytes("not a url"), context_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ContractError::HostError);
  EXPECT_NE(bad.error().message.find("Invalid URL"), std::string::npos) << bad.error().message;
}

TEST_F(ExtensionTest, AQueryThatMayNotWaitIsStoppedBeforeItsRequest) {
  context_.may_wait_ = false;
  auto r = pink_->Call(1, HttpRequestBytes("http://127.0.0.1:1/x"), context_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ContractError::Interrupted);
}

TEST_F(ExtensionTest, ABatchAnswersEachRequestAndATransactionGetsNotAllowed) {
  StartServer();
  std::vector<HttpRequest> requests = {
      {Url("/price"), "GET", {}, {}},
      {"http://127.0.0.1:1/refused", "GET", {}, {}},
  };
  codec::ScaleWriter w;
  w.Compact(requests.size());
  for (const auto& q : requests) codec::Encode(w, q.url, q.method, q.headers, q.body);
  w.U64(5000);
  auto r = pink_->Call(22, w.bytes(), context_);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->status, 0u);
  codec::ScaleReader reader(r->output);
  EXPECT_EQ(reader.CompactU32().value_or(0), 2u);
  EXPECT_EQ(reader.U8().value_or(9), 0);  // Ok
  EXPECT_EQ(reader.U16().value_or(0), 200);

  context_.mode_ = Mode::Transaction;
  auto t = pink_->Call(22, w.bytes(), context_);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->status, uint32_t(HttpRequestError::NotAllowed) + 1);
  EXPECT_TRUE(t->output.empty());
}

TEST_F(ExtensionTest, TheCacheKeepsValuesPerContractAndATransactionOnlyWrites) {
  EXPECT_TRUE(Output(6, Bytes{'k'}, Bytes{'v', '1'}).empty());
  EXPECT_EQ(Output(8, Bytes{'k'}), (Bytes{1, 2 << 2, 'v', '1'}));  // Some(b"v1")
  context_.address_ = AccountId{99};
  EXPECT_EQ(Output(8, Bytes{'k'}), Bytes{0});  // another contract's key: None
  context_.address_ = AccountId{7};
  // Over the quota: status 1 (StorageQuotaExceeded), nothing stored.
  auto big = Call(6, Bytes{'b'}, Bytes(2 << 20, 'x'));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 1u);
  EXPECT_EQ(Output(8, Bytes{'b'}), Bytes{0});
  // A transaction writes and removes, but reads nothing back, and its operations wait for its
  // end (the runtime drops those of a frame that reverts: runtime_test).
  context_.mode_ = Mode::Transaction;
  EXPECT_TRUE(Output(6, Bytes{'t'}, Bytes{'x'}).empty());
  EXPECT_EQ(Output(8, Bytes{'t'}), Bytes{0});
  EXPECT_EQ(Output(9, Bytes{'k'}), Bytes{0});
  context_.mode_ = Mode::Query;
  EXPECT_EQ(Output(8, Bytes{'t'}), Bytes{0}) << "applied before the transaction ended";
  EXPECT_EQ(Output(8, Bytes{'k'}), (Bytes{1, 2 << 2, 'v', '1'}));
  context_.Commit();
  EXPECT_EQ(Output(8, Bytes{'t'}), (Bytes{1, 1 << 2, 'x'}));
  EXPECT_EQ(Output(8, Bytes{'k'}), Bytes{0});  // removed by the transaction
  // Expiration 0 removes; remove in a query answers the old value.
  EXPECT_TRUE(Output(7, Bytes{'t'}, uint64_t(0)).empty());
  EXPECT_EQ(Output(8, Bytes{'t'}), Bytes{0});
  Output(6, Bytes{'r'}, Bytes{'z'});
  EXPECT_EQ(Output(9, Bytes{'r'}), (Bytes{1, 1 << 2, 'z'}));
}

// Decodes a SCALE Vec<u8> output.
Bytes VecOf(const Bytes& output) {
  auto bytes = codec::DecodeAll<Bytes>(output);
  EXPECT_TRUE(bytes);
  return bytes.value_or(Bytes());
}

TEST_F(ExtensionTest, ADerivedKeySignsWhatItsPublicKeyVerifies) {
  const Bytes key = VecOf(Output(4, Bytes{'s'}));
  ASSERT_EQ(key.size(), 64u);
  EXPECT_EQ(VecOf(Output(4, Bytes{'s'})), key);  // the same contract and salt: the same key
  EXPECT_NE(VecOf(Output(4, Bytes{'t'})), key);  // another salt
  context_.address_ = AccountId{99};
  EXPECT_NE(VecOf(Output(4, Bytes{'s'})), key);  // another contract
  context_.address_ = AccountId{7};

  const Bytes message = {'h', 'i'};
  const Bytes public_key = VecOf(Output(5, uint8_t(1), key));
  ASSERT_EQ(public_key.size(), 32u);
  const Bytes signature = VecOf(Output(2, uint8_t(1), key, message));
  ASSERT_EQ(signature.size(), 64u);
  EXPECT_EQ(Output(3, uint8_t(1), public_key, message, signature), Bytes{1});
  EXPECT_EQ(Output(3, uint8_t(1), public_key, Bytes{'h', 'o'}, signature), Bytes{0});
  // A transaction gets no sr25519 signature (they are randomised), but ed25519 is deterministic.
  context_.mode_ = Mode::Transaction;
  EXPECT_EQ(VecOf(Output(2, uint8_t(1), key, message)), Bytes());
  const Bytes seed(32, 3);
  EXPECT_EQ(VecOf(Output(2, uint8_t(0), seed, message)).size(), 64u);
  // Bad input fails the call with Phala's words.
  auto bad = Call(2, uint8_t(0), Bytes(5, 1), message);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ContractError::HostError);
  auto bad_type = Call(2, uint8_t(7), seed, message);
  ASSERT_FALSE(bad_type);
  EXPECT_EQ(bad_type.error().kind, ContractError::DecodingFailed);
}

TEST_F(ExtensionTest, EcdsaPrehashedSignaturesVerify) {
  const Bytes secret(32, 1);
  const crypto::Hash256 hash{42};
  const Bytes signature = Output(13, secret, hash);
  ASSERT_EQ(signature.size(), 65u);  // [u8; 65]: no length prefix
  const Bytes public_key = VecOf(Output(5, uint8_t(2), secret));
  ASSERT_EQ(public_key.size(), 33u);
  crypto::EcdsaSignature sig;
  std::copy(signature.begin(), signature.end(), sig.begin());
  crypto::EcdsaPublicKey pub;
  std::copy(public_key.begin(), public_key.end(), pub.begin());
  EXPECT_EQ(Output(14, sig, hash, pub), Bytes{1});
  EXPECT_EQ(Output(14, sig, crypto::Hash256{43}, pub), Bytes{0});
}

TEST_F(ExtensionTest, LogLinesGoToTheDebugOutputWithTheirLevel) {
  EXPECT_TRUE(Output(10, uint8_t(3), std::string("hello")).empty());
  context_.mode_ = Mode::Transaction;
  Output(10, uint8_t(1), std::string("bad"));
  Output(10, uint8_t(9), std::string("odd"));
  EXPECT_EQ(context_.debug_, "info: hello\nerror: bad\nlevel ?: odd\n");
}

TEST_F(ExtensionTest, WhatAQueryGetsAndWhatATransactionGetsInstead) {
  const Bytes random = Output(11, uint8_t(16));
  EXPECT_EQ(random.size(), 17u);  // compact length 16 ‖ 16 bytes
  EXPECT_EQ(random[0], 16 << 2);
  EXPECT_EQ(Output(12), Bytes{0});  // is_in_transaction: false
  EXPECT_EQ(Output(17), ToBytes(std::array<uint8_t, 32>{9}));
  EXPECT_EQ(Output(18).size(), 8u);
  EXPECT_NE(Output(18), Bytes(8, 0));

  context_.mode_ = Mode::Transaction;
  EXPECT_EQ(Output(11, uint8_t(16)), Bytes{0});  // an empty Vec<u8>
  EXPECT_EQ(Output(12), Bytes{1});
  EXPECT_EQ(Output(17), Bytes(32, 0));
  EXPECT_EQ(Output(18), Bytes(8, 0));
}

TEST_F(ExtensionTest, ClusterFactsBalancesAndCode) {
  EXPECT_EQ(Output(15), ToBytes(AccountId{1}));
  context_.state_.SetBalance(AccountId{5}, 1000);
  Bytes balance = Output(16, AccountId{5});
  ASSERT_EQ(balance.size(), 32u);  // (u128 total, u128 free)
  EXPECT_EQ(balance[0], 0xe8);
  EXPECT_EQ(balance[1], 0x03);
  EXPECT_EQ(balance[16], 0xe8);
  EXPECT_EQ(Output(19, contracts::CodeHash{4}, false), Bytes{0});
  EXPECT_EQ(Output(21), (Bytes{1, 0, 0, 0, 2, 0, 0, 0}));
  Bytes head = Output(23);
  ASSERT_EQ(head.size(), 40u);
  EXPECT_EQ(head[0], 42);
  EXPECT_EQ(Bytes(head.begin() + 8, head.end()), Bytes(32, 0));
  // js_eval: JsValue::Exception(…); worker_sgx_quote: None.
  EXPECT_EQ(Output(24, std::vector<std::string>(), std::vector<std::string>())[0], 5);
  EXPECT_EQ(Output(25), Bytes{0});
  // Only the system contract may import system code.
  auto r = Call(20, AccountId{2});
  ASSERT_FALSE(r);
  context_.address_ = AccountId{1};
  EXPECT_EQ(Output(20, AccountId{2}), Bytes{0});
}

TEST_F(ExtensionTest, BadInputUnknownFunctionsAndGasAreErrors) {
  auto r = pink_->Call(10, Bytes{1, 2}, context_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ContractError::DecodingFailed);
  r = pink_->Call(99, {}, context_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ContractError::NoChainExtension);
  context_.gas_ = 0;
  r = Call(16, AccountId{5});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ContractError::OutOfGas);
}

}  // namespace
}  // namespace phat::pink
