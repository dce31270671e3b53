// phatd through its HTTP API: the node started in-process on a free port (and, once, the real
// binary, stopped by its PID), driven with cpp-httplib's client as any client would: health and
// status, a transfer and its receipt, a contract uploaded, instantiated, called and queried with
// signed queries, refused queries (expired, replayed, badly signed), malformed requests, metrics.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "node/node_test_util.h"
#include "phat/codec/scale.h"
#include "phat/crypto/hash.h"
#include "phat/node/node.h"
#include "phat/node/query.h"
#include "phat/node/session.h"
#include "wasm/test_util.h"

namespace phat::node {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Alice;
using testing::Bob;
using testing::Hex0x;
using testing::NowMs;
using testing::QueryBody;
using testing::SignCommand;
using testing::TestNode;

Bytes FixtureWasm(const std::string& name) {
  std::ifstream in(std::string(PHAT_CONTRACT_FIXTURES) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return wasm::testing::Wat2Wasm(text.str());
}
Bytes CommandsWasm() {
  return FixtureWasm("commands.wat");
}

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override { StartNode({}); }
  void TearDown() override {
    node_.reset();
    fs::remove_all(dir_);
  }

  // A node on a fresh data directory (the last one's is removed).
  void StartNode(NodeConfig config) {
    node_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
    dir_ = fs::temp_directory_path() /
           ("phat-node-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(dir_);
    RestartNode(std::move(config));
  }
  // A node on the data directory the last one used.
  void RestartNode(NodeConfig config) {
    node_.reset();
    auto node = TestNode::Start(dir_, std::move(config));
    ASSERT_TRUE(node) << node.error();
    node_ = std::move(*node);
  }

  json Get(const std::string& path, int expect_status) { return node_->Get(path, expect_status); }
  json Post(const std::string& path, const std::string& body, int expect_status) {
    return node_->Post(path, body, expect_status);
  }
  json Submit(const Bytes& command, bool wait, int expect_status) {
    return node_->Submit(command, wait, expect_status);
  }

  // Uploads and instantiates commands.wat as alice (nonces 0 and 1); returns the address.
  AccountId DeployCommandsContract() { return Deploy(CommandsWasm()); }
  // The contract log's last sequence number once it has at least `n` records (the node adds a
  // committed block's records as it sees the block, a moment after the commit).
  uint64_t LogsAtLeast(uint64_t n) {
    uint64_t next = 0;
    for (int i = 0; i < 500 && next < n; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      next = Get("/logs", 200)["next"].get<uint64_t>();
    }
    EXPECT_GE(next, n);
    return next;
  }
  AccountId Deploy(const Bytes& wasm) {
    json up = Submit(SignCommand(Alice(), 0, ledger::UploadCode{wasm, true}), true, 200);
    EXPECT_EQ(up["status"], "success") << up.dump();
    EXPECT_EQ(up["code_hash"], Hex0x(crypto::Blake2b256(wasm)));
    json inst = Submit(
        SignCommand(Alice(), 1,
                    ledger::InstantiateContract{crypto::Blake2b256(wasm), 0, Bytes{'x'}, {}}),
        true, 200);
    EXPECT_EQ(inst["status"], "success") << inst.dump();
    auto address = FixedFromHex<32>(inst["contract"].get<std::string>());
    EXPECT_TRUE(address);
    return address.value_or(AccountId{});
  }

  static inline int counter_ = 0;
  fs::path dir_;
  std::unique_ptr<TestNode> node_;
};

TEST_F(NodeTest, HealthAndStatus) {
  EXPECT_EQ(Get("/health", 200)["ok"], true);
  json status = Get("/status", 200);
  EXPECT_EQ(status["height"], 0);
  EXPECT_EQ(status["queued"], 0);
  EXPECT_EQ(status["cluster_id"], Hex0x(DevClusterId()));
  EXPECT_EQ(status["state_root"].get<std::string>().size(), 66u);
  EXPECT_TRUE(status["version"].is_string());
}

TEST_F(NodeTest, DevAccountsAreWellKnownAndPrefunded) {
  EXPECT_EQ(DevAccounts().size(), 4u);
  EXPECT_EQ(Alice().seed, crypto::Blake2b256(AsBytes("phat dev account alice")));
  json alice = Get("/accounts/" + Hex0x(Alice().id), 200);
  EXPECT_EQ(alice["balance"], "1000000000000000000000");
  EXPECT_EQ(alice["nonce"], 0);
}

TEST_F(NodeTest, ATransferCommitsAndItsReceiptCanBeFetched) {
  const Bytes transfer = SignCommand(Alice(), 0, ledger::TransferBalance{Bob().id, 5});
  json receipt = Submit(transfer, true, 200);
  EXPECT_EQ(receipt["status"], "success") << receipt.dump();
  EXPECT_EQ(receipt["hash"], Hex0x(crypto::Blake2b256(transfer)));
  ASSERT_TRUE(receipt["block"].is_number());
  EXPECT_EQ(Get("/accounts/" + Hex0x(Bob().id), 200)["balance"], "1000000000000000000005");
  EXPECT_EQ(Get("/accounts/" + Hex0x(Alice().id), 200)["nonce"], 1);
  json again = Get("/receipts/" + receipt["hash"].get<std::string>(), 200);
  EXPECT_EQ(again, receipt);
  json block = Get("/blocks/" + std::to_string(receipt["block"].get<uint64_t>()), 200);
  EXPECT_EQ(block["receipts"][0]["hash"], receipt["hash"]);

  // Without waiting: 202 and the hash, then the receipt by polling with wait_ms.
  json queued = Submit(SignCommand(Alice(), 1, ledger::TransferBalance{Bob().id, 7}), false, 202);
  json later = Get("/receipts/" + queued["hash"].get<std::string>() + "?wait_ms=10000", 200);
  EXPECT_EQ(later["status"], "success");

  // A stale nonce is found only when the block applies: it comes back in the receipt.
  json stale = Submit(SignCommand(Alice(), 0, ledger::TransferBalance{Bob().id, 9}), true, 200);
  EXPECT_EQ(stale["status"], "rejected");
  EXPECT_NE(stale["error"].get<std::string>(), "");
  EXPECT_GE(Get("/status", 200)["height"].get<uint64_t>(), 3u);
}

TEST_F(NodeTest, AContractIsUploadedInstantiatedCalledAndQueried) {
  const AccountId contract = DeployCommandsContract();
  json info = Get("/contracts/" + Hex0x(contract), 200);
  EXPECT_EQ(info["code_hash"], Hex0x(crypto::Blake2b256(CommandsWasm())));

  // Store "y", then emit an event with one topic.
  EXPECT_EQ(Submit(SignCommand(Alice(), 2, ledger::CallContract{contract, 0, Bytes{1, 'y'}}), true,
                   200)["status"],
            "success");
  Bytes event_input = {5, 0x04};  // command 5; SCALE Vec of one 32-byte topic
  event_input.resize(2 + 32, 0xab);
  json ev =
      Submit(SignCommand(Alice(), 3, ledger::CallContract{contract, 0, event_input}), true, 200);
  ASSERT_EQ(ev["status"], "success") << ev.dump();
  ASSERT_EQ(ev["events"].size(), 1u);
  EXPECT_EQ(ev["events"][0]["contract"], Hex0x(contract));
  EXPECT_EQ(ev["events"][0]["data"], "0x6576");  // "ev"
  EXPECT_EQ(ev["events"][0]["topics"][0], Hex0x(Bytes(32, 0xab)));
  json events = Get("/events?from_block=1", 200);
  ASSERT_EQ(events["events"].size(), 1u);
  EXPECT_EQ(events["events"][0]["block"], ev["block"]);
  EXPECT_EQ(events["events"][0]["command"], ev["hash"]);

  // A signed query reads the committed value, and changes nothing.
  Query q{Alice().id, contract, Bytes{0}, 10'000'000'000, NowMs() + 30'000};
  json answer = Post("/query", QueryBody(q, Alice()), 200);
  EXPECT_EQ(answer["result"]["data"], "0x79") << answer.dump();  // "y"
  EXPECT_EQ(answer["result"]["flags"], 0);
  EXPECT_GT(answer["gas_consumed"].get<uint64_t>(), 0u);

  // A query that writes and traps reports the error; the state stays as it was.
  Query trap{Alice().id, contract, Bytes{3, 'z'}, 10'000'000'000, NowMs() + 30'000};
  json trapped = Post("/query", QueryBody(trap, Alice()), 200);
  EXPECT_TRUE(trapped["error"].get<std::string>().find("ContractTrapped") != std::string::npos)
      << trapped.dump();
  q.expiry_ms += 1;  // a different query, so not a replay
  EXPECT_EQ(Post("/query", QueryBody(q, Alice()), 200)["result"]["data"], "0x79");
}

TEST_F(NodeTest, BadQueriesAreRefused) {
  const AccountId contract = DeployCommandsContract();
  Query q{Alice().id, contract, Bytes{0}, 10'000'000'000, NowMs() + 30'000};
  const std::string body = QueryBody(q, Alice());
  Post("/query", body, 200);
  json replayed = Post("/query", body, 409);
  EXPECT_TRUE(replayed["error"].get<std::string>().find("already") != std::string::npos);

  Query expired = q;
  expired.expiry_ms = NowMs() - 1000;
  EXPECT_TRUE(Post("/query", QueryBody(expired, Alice()), 400)["error"].get<std::string>().find(
                  "expired") != std::string::npos);
  Query far = q;
  far.expiry_ms = NowMs() + 120'000;
  Post("/query", QueryBody(far, Alice()), 400);

  // Signed by bob, claiming to be alice; and a signature with a bit flipped.
  Query other = q;
  other.expiry_ms += 5;
  Post("/query", QueryBody(other, Bob()), 401);
  SignedQuery tampered = SignQueryEd25519(DevClusterId(), other, Alice().seed);
  tampered.signature[3] ^= 1;
  Post("/query", json{{"query", Hex0x(codec::Encode(tampered))}}.dump(), 401);
  // Signed for another cluster.
  SignedQuery foreign =
      SignQueryEd25519(crypto::Blake2b256(AsBytes("another cluster")), other, Alice().seed);
  Post("/query", json{{"query", Hex0x(codec::Encode(foreign))}}.dump(), 401);
  // Bytes that are no SignedQuery.
  Post("/query", json{{"query", "0x0102"}}.dump(), 400);
  Query greedy = q;
  greedy.expiry_ms += 7;
  greedy.gas_limit = ~uint64_t{0};
  Post("/query", QueryBody(greedy, Alice()), 400);
}

TEST_F(NodeTest, MalformedRequestsGetClearErrors) {
  auto error_of = [](const json& j) { return j.value("error", std::string()); };
  EXPECT_NE(error_of(Post("/commands", "{not json", 400)), "");
  EXPECT_NE(error_of(Post("/commands", "[1,2]", 400)), "");
  EXPECT_TRUE(error_of(Post("/commands", "{}", 400)).find("\"command\"") != std::string::npos);
  EXPECT_TRUE(error_of(Post("/commands", R"({"command": "0xzz"})", 400)).find("not hex") !=
              std::string::npos);
  EXPECT_NE(error_of(Post("/commands", R"({"command": "0x010203"})", 400)), "");
  EXPECT_NE(error_of(Post("/commands", R"({"command": 5})", 400)), "");
  Bytes transfer = SignCommand(Alice(), 0, ledger::TransferBalance{Bob().id, 5});
  EXPECT_NE(
      error_of(Post("/commands", json{{"command", Hex0x(transfer)}, {"wait", "yes"}}.dump(), 400)),
      "");
  transfer[transfer.size() - 1] ^= 1;  // the signature's last byte
  EXPECT_TRUE(error_of(Submit(transfer, false, 401)).find("signature") != std::string::npos);

  EXPECT_NE(error_of(Post("/query", "nope", 400)), "");
  EXPECT_NE(error_of(Get("/accounts/0x1234", 400)), "");
  EXPECT_NE(error_of(Get("/contracts/" + Hex0x(Bob().id), 404)), "");
  EXPECT_NE(error_of(Get("/blocks/999", 404)), "");
  EXPECT_NE(error_of(Get("/blocks/abc", 400)), "");
  EXPECT_NE(error_of(Get("/receipts/" + Hex0x(Bytes(32, 1)), 404)), "");
  EXPECT_NE(error_of(Get("/events?from_block=x", 400)), "");
  EXPECT_NE(error_of(Get("/no/such/endpoint", 404)), "");

  const std::string big = R"({"command": ")" + std::string(5 << 20, 'a') + "\"}";
  json too_large = Post("/commands", big, 413);
  EXPECT_TRUE(error_of(too_large).find("limit") != std::string::npos) << too_large.dump();
}

TEST_F(NodeTest, MetricsCountRequestsCommandsAndQueries) {
  const AccountId contract = DeployCommandsContract();
  Submit(SignCommand(Alice(), 1, ledger::TransferBalance{Bob().id, 1}), true,
         200);  // stale: rejected
  Post("/query",
       QueryBody(Query{Alice().id, contract, Bytes{0}, 10'000'000'000, NowMs() + 30'000}, Alice()),
       200);
  Get("/health", 200);
  Get("/blocks/999", 404);
  const std::vector<std::string> expected = {
      "phat_http_requests_total{endpoint=\"GET /health\",status=\"200\"} 1",
      "phat_http_requests_total{endpoint=\"GET /blocks\",status=\"404\"} 1",
      "phat_http_requests_total{endpoint=\"POST /commands\",status=\"200\"} 3",
      "phat_commands_submitted_total 3",
      "phat_commands_committed_total 2",
      "phat_commands_rejected_total 1",
      "phat_block_height 3",
      "phat_query_duration_seconds_count 1",
      "phat_query_duration_seconds_bucket{le=\"+Inf\"} 1",
  };
  auto all_there = [&](const std::string& text) {
    return std::all_of(expected.begin(), expected.end(),
                       [&](const std::string& e) { return text.find(e) != std::string::npos; });
  };
  // The watcher counts committed blocks as they commit, and a request is counted once its answer
  // is sent (so possibly after the client has it): wait a little for both.
  std::string text;
  for (int i = 0; i < 100 && !all_there(text); ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto res = node_->client().Get("/metrics");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    text = res->body;
  }
  for (const std::string& e : expected)
    EXPECT_TRUE(text.find(e) != std::string::npos) << e << "\n" << text;
}

TEST_F(NodeTest, ABatchQueuesEachGoodCommandInOrderAndRefusesTheRest) {
  Bytes forged = SignCommand(Alice(), 1, ledger::TransferBalance{Bob().id, 5});
  forged.back() ^= 1;
  json batch = {{"commands",
                 {Hex0x(SignCommand(Alice(), 0, ledger::TransferBalance{Bob().id, 3})), "0x0102",
                  Hex0x(forged), "nothex",
                  Hex0x(SignCommand(Alice(), 1, ledger::TransferBalance{Bob().id, 4}))}}};
  json answer = Post("/commands/batch", batch.dump(), 200);
  ASSERT_EQ(answer["results"].size(), 5u) << answer.dump();
  std::vector<int> statuses;
  for (const json& r : answer["results"]) statuses.push_back(r["status"].get<int>());
  EXPECT_EQ(statuses, (std::vector<int>{202, 400, 401, 400, 202}));
  const std::string last = answer["results"][4]["hash"].get<std::string>();
  json receipt = Get("/receipts/" + last + "?wait_ms=10000", 200);
  EXPECT_EQ(receipt["status"], "success") << receipt.dump();
  const std::string first = answer["results"][0]["hash"].get<std::string>();
  EXPECT_EQ(Get("/receipts/" + first, 200)["status"], "success");
  // Too many, or none, is refused whole.
  NodeConfig small;
  small.max_batch_commands = 1;
  StartNode(small);
  Post("/commands/batch", json{{"commands", {"0x00", "0x00"}}}.dump(), 400);
  Post("/commands/batch", json{{"commands", json::array()}}.dump(), 400);
}

TEST_F(NodeTest, ASecondNodeOnTheSamePortIsRefused) {
  NodeConfig config;
  config.chain.data_dir = (dir_ / "second").string();
  config.chain.cluster_id = DevClusterId();
  config.chain.genesis = DevGenesis();
  config.port = node_->port();
  auto second = Node::Start(std::move(config));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
}

// Follows an NDJSON stream on its own connection until `lines` lines (blank keep-alives aside)
// have come; returns them.
std::vector<json> FollowLines(int port, const std::string& path, size_t lines) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  std::string buffer;
  std::vector<json> out;
  c.Get(path.c_str(), [&](const char* data, size_t len) {
    buffer.append(data, len);
    for (size_t end; (end = buffer.find('\n')) != std::string::npos; buffer.erase(0, end + 1))
      if (end > 0 && out.size() < lines)
        out.push_back(json::parse(buffer.substr(0, end), nullptr, false));
    return out.size() < lines;
  });
  return out;
}

TEST_F(NodeTest, ContractLogsOfCommandsAndQueriesCanBeReadAndFollowed) {
  const AccountId contract = DeployCommandsContract();
  const uint64_t deployed = LogsAtLeast(1);  // the constructor's output
  std::vector<json> followed;
  std::thread follower([&] {
    followed = FollowLines(node_->port(), fmt::format("/logs?follow=true&after={}", deployed), 7);
  });
  std::vector<json> events;
  std::thread event_follower(
      [&] { events = FollowLines(node_->port(), "/events?follow=true&from_block=1", 1); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let both connect

  Bytes debug{10};
  for (char c : std::string("first\nsecond\n")) debug.push_back(uint8_t(c));
  json receipt =
      Submit(SignCommand(Alice(), 2, ledger::CallContract{contract, 0, debug}), true, 200);
  EXPECT_EQ(receipt["debug_message"], "first\nsecond\n");
  Query q{Alice().id, contract, Bytes{10, 'q'}, 1'000'000'000, NowMs() + 30'000};
  Post("/query", QueryBody(q, Alice()), 200);
  Bytes event_input{5, 0};  // no topics
  Submit(SignCommand(Alice(), 3, ledger::CallContract{contract, 0, event_input}), true, 200);
  follower.join();
  event_follower.join();

  // Each call's lines, then its events, then what it returned.
  ASSERT_EQ(followed.size(), 7u);
  const std::vector<std::string> kinds = {"log",    "log",   "output", "log",
                                          "output", "event", "output"};
  for (size_t i = 0; i < kinds.size(); ++i) EXPECT_EQ(followed[i]["kind"], kinds[i]) << i;
  EXPECT_EQ(followed[0]["message"], "first");
  EXPECT_EQ(followed[0]["source"], "command");
  EXPECT_EQ(followed[0]["contract"], Hex0x(contract));
  EXPECT_EQ(followed[0]["block"], receipt["block"]);
  EXPECT_EQ(followed[1]["message"], "second");
  EXPECT_EQ(followed[2]["message"], "ok " + receipt["output"].get<std::string>());
  EXPECT_EQ(followed[3]["message"], "q");
  EXPECT_EQ(followed[3]["source"], "query");
  EXPECT_EQ(followed[3]["block"], nullptr);
  EXPECT_EQ(followed[5]["message"], "data 0x6576");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["data"], "0x6576");  // "ev"

  // Without follow: a page, and where to go on from; filtered by contract.
  json page = Get("/logs", 200);
  EXPECT_EQ(page["logs"].size(), deployed + 7);
  EXPECT_EQ(page["next"], deployed + 7);
  EXPECT_EQ(Get(fmt::format("/logs?after={}", deployed + 6), 200)["logs"].size(), 1u);
  json other = Get("/logs?contract=0x" + std::string(64, '1'), 200);
  EXPECT_EQ(other["logs"].size(), 0u);
  EXPECT_EQ(other["next"], deployed + 7);
  Get("/logs?follow=maybe", 400);
  Get("/logs?contract=bob", 400);
}

TEST_F(NodeTest, FollowersAreBoundedAndTheRestAreToldToPoll) {
  NodeConfig config;
  config.max_streams = 1;
  StartNode(config);
  // The first follower holds the only stream until it has one line (a query's log line).
  const AccountId contract = DeployCommandsContract();
  const uint64_t deployed = LogsAtLeast(1);
  std::vector<json> followed;
  std::thread follower([&] {
    followed = FollowLines(node_->port(), fmt::format("/logs?follow=true&after={}", deployed), 1);
  });
  for (int i = 0; i < 500 && Get("/status", 200)["followers"] != 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(Get("/status", 200)["followers"], 1);
  json refused = Get("/events?follow=true", 503);
  EXPECT_NE(refused.value("error", "").find("poll"), std::string::npos) << refused.dump();
  Query q{Alice().id, contract, Bytes{10, 'x'}, 1'000'000'000, NowMs() + 30'000};
  Post("/query", QueryBody(q, Alice()), 200);
  follower.join();
  ASSERT_EQ(followed.size(), 1u);
  EXPECT_EQ(followed[0]["message"], "x");
}

// A session: signed once over HTTP, then queries with a MAC, each counter once.
TEST_F(NodeTest, SessionQueriesRunWithAMacAndCannotBeReplayed) {
  const AccountId contract = DeployCommandsContract();
  crypto::KxKeypair keys = crypto::KxKeypairRandom();
  SessionRequest request{Alice().id, keys.public_key, NowMs() + 60'000};
  json opened = Post(
      "/sessions",
      json{{"session",
            Hex0x(codec::Encode(SignSessionRequestEd25519(DevClusterId(), request, Alice().seed)))}}
          .dump(),
      200);
  auto id = FixedFromHex<16>(opened["session_id"].get<std::string>());
  auto node_key = FixedFromHex<32>(opened["node_key"].get<std::string>());
  ASSERT_TRUE(id && node_key) << opened.dump();
  const crypto::Hash256 key = SessionKeyAtClient(keys, *node_key).value();
  auto body = [&](uint64_t counter, const crypto::Hash256& mac_key) {
    Bytes q = codec::Encode(SessionQuery{*id, counter, contract, Bytes{0}, 1'000'000'000});
    return json{{"session_query", Hex0x(q)}, {"mac", Hex0x(SessionQueryMac(mac_key, q))}}.dump();
  };
  json answer = Post("/query", body(1, key), 200);
  EXPECT_EQ(answer["result"]["flags"], 0) << answer.dump();
  EXPECT_EQ(Post("/query", body(2, key), 200)["result"], answer["result"]);
  EXPECT_EQ(Post("/query", body(1, key), 409)["error"].get<std::string>().find("counter"), 0u);
  crypto::Hash256 wrong = key;
  wrong[0] ^= 1;
  Post("/query", body(3, wrong), 401);
  Post("/sessions", json{{"session", "0x00"}}.dump(), 400);
}

TEST_F(NodeTest, AQueryOverItsWallTimeIsStoppedWithA504) {
  NodeConfig config;
  config.query_timeout = std::chrono::milliseconds(50);
  config.max_query_gas = uint64_t(1) << 62;  // gas that would last for days
  StartNode(config);
  const AccountId contract = DeployCommandsContract();
  // Command 4 loops until something stops it.
  Query loop{Alice().id, contract, Bytes{4}, config.max_query_gas, NowMs() + 30'000};
  const auto started = std::chrono::steady_clock::now();
  json answer = Post("/query", QueryBody(loop, Alice()), 504);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_TRUE(answer["error"].get<std::string>().find("stopped") != std::string::npos)
      << answer.dump();
  // The worker is free again: a normal query runs.
  Query get{Alice().id, contract, Bytes{0}, 1'000'000'000, NowMs() + 30'000};
  EXPECT_TRUE(Post("/query", QueryBody(get, Alice()), 200).contains("result"));
}

// A query longer than its turn on the HTTP loop is stopped there and runs again, from the start,
// on the blocking pool, up to its own limits (here its gas, which a loop spends in ~50 ms).
TEST_F(NodeTest, AQueryLongerThanItsInlineTimeRunsAgainOnThePool) {
  for (auto inline_time : {std::chrono::microseconds(1'000), std::chrono::microseconds(0)}) {
    NodeConfig config;
    config.inline_query_time = inline_time;
    StartNode(config);
    const AccountId contract = DeployCommandsContract();
    const uint64_t gas = 8'000 * uint64_t(50'000'000);  // 50 million fuel
    Query loop{Alice().id, contract, Bytes{4}, gas, NowMs() + 30'000};
    json answer = Post("/query", QueryBody(loop, Alice()), 200);
    EXPECT_EQ(answer["gas_consumed"].get<uint64_t>(), gas) << answer.dump();
    EXPECT_TRUE(answer["error"].get<std::string>().find("gas") != std::string::npos)
        << answer.dump();
  }
}

// A contract's pink http_request, made in a query: the node's HTTP client reaches a real server
// on loopback (the test's policy allows it); the query starts on the HTTP loop, where it may not
// wait, and answers from the pool. In a command the same call gets 523 and reaches nothing.
TEST_F(NodeTest, AQueryReachesAWebServerThroughPinkAndACommandDoesNot) {
  std::atomic<int> served{0};
  httplib::Server web;
  web.Get("/price", [&](const httplib::Request&, httplib::Response& res) {
    served++;
    res.set_content("4200", "text/plain");
  });
  const int web_port = web.bind_to_any_port("127.0.0.1");
  std::thread web_thread([&] { web.listen_after_bind(); });
  NodeConfig config;
  config.http_policy.allow_list = {"127.0.0.1"};
  StartNode(config);
  const AccountId contract = Deploy(FixtureWasm("chain_extension.wat"));
  // chain_extension.wat's input: function id ‖ output capacity ‖ SCALE((HttpRequest,)).
  codec::ScaleWriter w;
  w.U32(1);
  w.U32(4096);
  codec::Encode(w, "http://127.0.0.1:" + std::to_string(web_port) + "/price", std::string("GET"),
                std::vector<std::pair<std::string, std::string>>(), Bytes());
  const Bytes input = w.Take();

  Query get{Alice().id, contract, input, 10'000'000'000, NowMs() + 30'000};
  json answer = Post("/query", QueryBody(get, Alice()), 200);
  ASSERT_TRUE(answer.contains("result")) << answer.dump();
  auto data = FromHex(answer["result"]["data"].get<std::string>());
  ASSERT_TRUE(data);
  // status 0 ‖ out_len ‖ HttpResponse{200, "OK", headers, "4200"}
  codec::ScaleReader reader(*data);
  EXPECT_EQ(reader.U32().value_or(99), 0u);
  reader.U32();
  EXPECT_EQ(reader.U16().value_or(0), 200);
  const std::string text(data->end() - 4, data->end());
  EXPECT_EQ(text, "4200");
  EXPECT_EQ(served.load(), 1);  // the attempt on the loop stopped before its request
  // The node remembers: the next query of this contract goes straight to the pool.
  Query again{Alice().id, contract, input, 10'000'000'000, NowMs() + 31'000};
  Post("/query", QueryBody(again, Alice()), 200);
  EXPECT_EQ(served.load(), 2);
  auto metrics = node_->client().Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("phat_queries_rerun_total 1\n"), std::string::npos) << metrics->body;

  const int served_by_queries = served.load();
  json receipt =
      Submit(SignCommand(Alice(), 2, ledger::CallContract{contract, 0, input}), true, 200);
  ASSERT_EQ(receipt["status"], "success") << receipt.dump();
  auto output = FromHex(receipt["output"].get<std::string>());
  ASSERT_TRUE(output);
  codec::ScaleReader in_command(*output);
  in_command.U32();
  in_command.U32();
  EXPECT_EQ(in_command.U16().value_or(0), 523);
  EXPECT_EQ(served.load(), served_by_queries);  // the command reached nothing
  web.stop();
  web_thread.join();
}

// pink's derive_sr25519_key and worker_pubkey: the cluster key and the worker's key are made with
// the data directory and kept in it, so a contract's derived key and the worker's identity are
// the same after a restart.
TEST_F(NodeTest, DerivedKeysAndTheWorkerKeyOutliveARestart) {
  const AccountId contract = Deploy(FixtureWasm("chain_extension.wat"));
  auto pink_call = [&](uint32_t func_id, const Bytes& args, uint64_t expiry_ms) {
    codec::ScaleWriter w;
    w.U32(func_id);
    w.U32(256);  // output capacity
    w.Raw(args);
    const Query query{Alice().id, contract, w.Take(), 10'000'000'000, expiry_ms};
    json answer = Post("/query", QueryBody(query, Alice()), 200);
    return answer["result"]["data"].get<std::string>();
  };
  const Bytes salt = codec::Encode(Bytes{'k', 'e', 'y'});
  const std::string derived = pink_call(4, salt, NowMs() + 30'000);  // derive_sr25519_key(salt)
  EXPECT_EQ(derived.size(), 2 + 2 * (8 + 2 + 64)) << derived;        // status, len, Vec<u8> of 64
  const std::string worker = pink_call(17, {}, NowMs() + 30'000);    // worker_pubkey()
  EXPECT_EQ(worker.size(), 2 + 2 * (8 + 32)) << worker;              // status, len, [u8; 32]
  EXPECT_NE(worker.substr(18), std::string(64, '0'));
  EXPECT_TRUE(fs::exists(dir_ / "cluster.key"));
  EXPECT_TRUE(fs::exists(dir_ / "worker.key"));

  RestartNode({});
  EXPECT_EQ(pink_call(4, salt, NowMs() + 31'000), derived);
  EXPECT_EQ(pink_call(17, {}, NowMs() + 31'000), worker);
}

// The real binary, started with port 0 (its port read from its output): its pid, port and output.
struct Spawned {
  pid_t pid = -1;
  int port = 0;
  int out = -1;
  std::string output;
};
Spawned SpawnPhatd(std::vector<std::string> args) {
  Spawned p;
  int out[2];
  if (pipe(out) != 0) return p;
  p.pid = fork();
  if (p.pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv{const_cast<char*>(PHATD_BINARY)};
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(PHATD_BINARY, argv.data());
    _exit(127);
  }
  close(out[1]);
  p.out = out[0];
  char buf[4096];
  const std::string marker = "listening on http://127.0.0.1:";
  while (p.port == 0) {
    const ssize_t n = read(p.out, buf, sizeof buf);
    if (n <= 0) break;
    p.output.append(buf, size_t(n));
    if (auto at = p.output.find(marker); at != std::string::npos) {
      if (p.output.find('\n', at) != std::string::npos)
        p.port = std::stoi(p.output.substr(at + marker.size()));
    }
  }
  return p;
}

Bytes SignedTransfer(uint64_t nonce, uint64_t amount) {
  return SignCommand(Alice(), nonce, ledger::TransferBalance{Bob().id, amount});
}

TEST(Phatd, TheBinaryServesAndStopsOnSigterm) {
  Spawned node = SpawnPhatd({"--dev", "--tmp", "--listen", "127.0.0.1:0"});
  ASSERT_GT(node.pid, 0);
  ASSERT_NE(node.port, 0) << node.output;
  EXPECT_TRUE(node.output.find("account alice") != std::string::npos) << node.output;
  EXPECT_TRUE(node.output.find(ToHex(Alice().id)) != std::string::npos) << node.output;
  EXPECT_TRUE(node.output.find(ToHex(Alice().seed)) != std::string::npos) << node.output;

  httplib::Client client("127.0.0.1", node.port);
  auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  // A transfer through the real binary, signed for the dev cluster.
  auto res = client.Post("/commands",
                         json{{"command", Hex0x(SignedTransfer(0, 1))}, {"wait", true}}.dump(),
                         "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["status"], "success");

  ASSERT_EQ(kill(node.pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(node.pid, &status, 0), node.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(node.out);
}

// Durability: phatd killed with SIGKILL while it commits transfers; after a restart on the same
// data directory every command it had answered with a receipt is there, and the state rebuilt
// from the log alone reaches the same root.
TEST(Phatd, AKilledNodeLosesNoAcknowledgedCommand) {
  const fs::path dir = fs::temp_directory_path() / ("phatd-kill-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::vector<std::string> args = {"--dev", "--data-dir", dir.string(), "--listen",
                                         "127.0.0.1:0"};
  Spawned node = SpawnPhatd(args);
  ASSERT_NE(node.port, 0) << node.output;
  std::vector<std::string> acknowledged;
  {
    httplib::Client client("127.0.0.1", node.port);
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    for (uint64_t nonce = 0; std::chrono::steady_clock::now() < until; ++nonce) {
      auto res = client.Post(
          "/commands", json{{"command", Hex0x(SignedTransfer(nonce, 1))}, {"wait", true}}.dump(),
          "application/json");
      ASSERT_TRUE(res);
      ASSERT_EQ(res->status, 200) << res->body;
      acknowledged.push_back(json::parse(res->body)["hash"]);
    }
  }
  ASSERT_EQ(kill(node.pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(node.pid, &status, 0), node.pid);
  close(node.out);
  ASSERT_GT(acknowledged.size(), 5u);

  auto status_of = [](int port) {
    httplib::Client client("127.0.0.1", port);
    auto res = client.Get("/status");
    return res ? json::parse(res->body) : json();
  };
  auto stop = [](Spawned& n) {
    kill(n.pid, SIGTERM);
    int s = 0;
    waitpid(n.pid, &s, 0);
    close(n.out);
  };
  Spawned restarted = SpawnPhatd(args);
  ASSERT_NE(restarted.port, 0) << restarted.output;
  {
    httplib::Client client("127.0.0.1", restarted.port);
    for (const std::string& hash : acknowledged) {
      auto res = client.Get("/receipts/" + hash);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200) << "lost " << hash << ": " << res->body;
    }
  }
  const json recovered = status_of(restarted.port);
  stop(restarted);
  ASSERT_TRUE(recovered.contains("height")) << recovered.dump();
  EXPECT_GE(recovered["height"].get<uint64_t>(), 1u);

  ASSERT_TRUE(fs::exists(dir / "state"));
  fs::remove_all(dir / "state");
  Spawned replayed = SpawnPhatd(args);
  ASSERT_NE(replayed.port, 0) << replayed.output;
  const json rebuilt = status_of(replayed.port);
  stop(replayed);
  ASSERT_TRUE(rebuilt.contains("height")) << rebuilt.dump();
  EXPECT_EQ(rebuilt["height"], recovered["height"]);
  EXPECT_EQ(rebuilt["state_root"], recovered["state_root"]);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace phat::node
