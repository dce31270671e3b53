// Helpers for tests that drive a node through its HTTP API as a client would: the dev accounts,
// signed commands and queries, and TestNode, a node::Node started in-process on a data directory
// of the dev cluster with a cpp-httplib client to it. Used by the node's own tests and by the
// end-to-end tests of contracts that need a whole node (tests/eth).
//
// The helpers report failures through GoogleTest (EXPECT_…) and answer what they got, so that a
// test goes on to say what else is wrong. Not thread-safe: one test thread uses a TestNode.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"
#include "phat/ledger/command.h"
#include "phat/node/node.h"
#include "phat/node/query.h"

namespace phat::node::testing {

const DevAccount& Alice();
const DevAccount& Bob();

// The wall clock in ms since the epoch, as query expiries count it.
uint64_t NowMs();
std::string Hex0x(ByteView b);

// The gas limit of the commands these helpers sign (ref_time ps).
inline constexpr uint64_t kCommandGas = 100'000'000'000;

// A command of `who` with `nonce`, signed for the dev cluster, SCALE-encoded as POST /commands
// takes it.
Bytes SignCommand(const DevAccount& who, uint64_t nonce, ledger::CommandBody body);
// The body of POST /query for `q` signed by `who`.
std::string QueryBody(const Query& q, const DevAccount& who);

// A node of the dev cluster in this process on a free port of 127.0.0.1, and a client to it
// (30 s read timeout: a command's receipt and a query on the pool come well within that).
class TestNode {
 public:
  // Starts a node on `dir` (created if missing; a node made there before keeps its log, state and
  // keys). `config`'s data_dir, cluster id and genesis are set here.
  static Expected<std::unique_ptr<TestNode>, std::string> Start(const std::filesystem::path& dir,
                                                                NodeConfig config = {});
  ~TestNode();

  Node& node() { return *node_; }
  int port() const { return node_->port(); }
  httplib::Client& client() { return *client_; }

  // The answer's JSON (discarded JSON if it was none), having checked the status.
  nlohmann::json Get(const std::string& path, int expect_status = 200);
  nlohmann::json Post(const std::string& path, const std::string& body, int expect_status = 200);

  // POST /commands: with `wait`, the receipt.
  nlohmann::json Submit(const Bytes& command, bool wait = true, int expect_status = 200);
  // A command of `who` signed with the nonce the node has for them now, submitted and waited for:
  // its receipt.
  nlohmann::json Submit(const DevAccount& who, ledger::CommandBody body);
  // POST /query of `q` signed by `who`: the node's answer.
  nlohmann::json RunQuery(const Query& q, const DevAccount& who, int expect_status = 200);

  // Uploads `wasm` and instantiates it with `input` and `salt` as `who`: the contract's address,
  // or nothing (the test failed, saying why).
  std::optional<contracts::AccountId> Deploy(const DevAccount& who, const Bytes& wasm,
                                             const Bytes& input, const Bytes& salt);

 private:
  TestNode() = default;
  std::unique_ptr<Node> node_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace phat::node::testing
