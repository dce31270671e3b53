#include "node/node_test_util.h"

#include <gtest/gtest.h>

#include <chrono>
#include <utility>

#include "phat/codec/scale.h"
#include "phat/crypto/hash.h"

namespace phat::node::testing {

using nlohmann::json;

const DevAccount& Alice() {
  return DevAccounts()[0];
}
const DevAccount& Bob() {
  return DevAccounts()[1];
}

uint64_t NowMs() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

std::string Hex0x(ByteView b) {
  return "0x" + ToHex(b);
}

Bytes SignCommand(const DevAccount& who, uint64_t nonce, ledger::CommandBody body) {
  return codec::Encode(ledger::SignEd25519(
      DevClusterId(), ledger::Command{who.id, nonce, kCommandGas, std::move(body)}, who.seed));
}

std::string QueryBody(const Query& q, const DevAccount& who) {
  return json{{"query", Hex0x(codec::Encode(SignQueryEd25519(DevClusterId(), q, who.seed)))}}
      .dump();
}

Expected<std::unique_ptr<TestNode>, std::string> TestNode::Start(const std::filesystem::path& dir,
                                                                 NodeConfig config) {
  config.chain.data_dir = dir.string();
  config.chain.cluster_id = DevClusterId();
  config.chain.genesis = DevGenesis();
  auto node = Node::Start(std::move(config));
  if (!node) return unexpected(node.error());
  std::unique_ptr<TestNode> test_node(new TestNode);
  test_node->node_ = std::move(*node);
  test_node->client_ = std::make_unique<httplib::Client>("127.0.0.1", test_node->port());
  test_node->client_->set_read_timeout(30, 0);
  return test_node;
}

// The client goes first: the node waits for connections in flight when it stops.
TestNode::~TestNode() {
  client_.reset();
  node_.reset();
}

json TestNode::Get(const std::string& path, int expect_status) {
  auto res = client_->Get(path.c_str());
  EXPECT_TRUE(res) << "GET " << path << ": " << httplib::to_string(res.error());
  if (!res) return json();
  EXPECT_EQ(res->status, expect_status) << "GET " << path << ": " << res->body;
  return json::parse(res->body, nullptr, false);
}

json TestNode::Post(const std::string& path, const std::string& body, int expect_status) {
  auto res = client_->Post(path.c_str(), body, "application/json");
  EXPECT_TRUE(res) << "POST " << path << ": " << httplib::to_string(res.error());
  if (!res) return json();
  EXPECT_EQ(res->status, expect_status) << "POST " << path << ": " << res->body;
  json out = json::parse(res->body, nullptr, false);
  EXPECT_FALSE(out.is_discarded()) << "not JSON: " << res->body;
  return out;
}

json TestNode::Submit(const Bytes& command, bool wait, int expect_status) {
  return Post("/commands", json{{"command", Hex0x(command)}, {"wait", wait}}.dump(), expect_status);
}

json TestNode::Submit(const DevAccount& who, ledger::CommandBody body) {
  const json account = Get("/accounts/" + Hex0x(who.id));
  const uint64_t nonce = account.value("nonce", uint64_t(0));
  return Submit(SignCommand(who, nonce, std::move(body)));
}

json TestNode::RunQuery(const Query& q, const DevAccount& who, int expect_status) {
  return Post("/query", QueryBody(q, who), expect_status);
}

std::optional<contracts::AccountId> TestNode::Deploy(const DevAccount& who, const Bytes& wasm,
                                                     const Bytes& input, const Bytes& salt) {
  const json up = Submit(who, ledger::UploadCode{wasm, true});
  EXPECT_EQ(up["status"], "success") << up.dump();
  const json made =
      Submit(who, ledger::InstantiateContract{crypto::Blake2b256(wasm), 0, input, salt});
  EXPECT_EQ(made["status"], "success") << made.dump();
  if (!made["contract"].is_string()) return std::nullopt;
  auto address = FixedFromHex<32>(made["contract"].get<std::string>());
  EXPECT_TRUE(address) << made.dump();
  return address;
}

}  // namespace phat::node::testing
