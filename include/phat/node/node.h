// phatd's core: a Chain (the ledger: log, state, block producer) behind an HTTP/JSON API
// (docs/API.md). Commands are checked and queued on the chain; queries (signed, or in a session)
// run read-only on a snapshot of the committed state (briefly on the HTTP loop, longer ones a
// bounded number at once on a pool) and are stopped at their wall-time limit; a watcher follows
// committed blocks for the metrics and the contract logs (LogBuffer), which clients can follow. The
// development cluster (`--dev`) is described here too: its well-known accounts and cluster id, so
// that tools and tests agree.
//
// Thread safety: Node's methods may be called from any thread; Stop() is idempotent and the
// destructor calls it. The HTTP server runs handlers on its event-loop threads, and waits (for a
// receipt, a query's turn, a stream's next lines) on a pool of its own.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "phat/base/expected.h"
#include "phat/ledger/chain.h"
#include "phat/pink/http_client.h"

namespace phat::node {

// ---- The development cluster ----

struct DevAccount {
  std::string name;                // alice, bob, charlie, dave
  std::array<uint8_t, 32> seed{};  // ed25519 seed: blake2b-256("phat dev account " + name)
  contracts::AccountId id{};       // the ed25519 public key
};
const std::vector<DevAccount>& DevAccounts();
contracts::CodeHash DevClusterId();  // blake2b-256("phat dev cluster")
inline constexpr contracts::Balance kDevAccountBalance =
    contracts::Balance(1'000'000'000'000'000'000ull) * 1000;  // 10^21 each
// The genesis of a dev cluster: every dev account prefunded.
contracts::StateChanges DevGenesis();

// ---- The node ----

struct NodeConfig {
  ledger::ChainConfig chain;
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port (Node::port() says which)
  size_t max_body_bytes = 4 << 20;
  size_t max_batch_commands = 1000;  // POST /commands/batch
  // HTTP: the server's event-loop threads (one per core) and how many requests one connection
  // may send before the server closes it.
  size_t http_threads = 2;
  size_t keep_alive_requests = 100'000;
  // A query runs first on the loop thread that read it, for at most inline_query_time (0: never);
  // one that needs longer is stopped and runs again from the start on the server's blocking pool:
  // there at most query_workers at once, at most query_queue waiting for a turn (more are refused
  // with 503). query_timeout counts from arrival; a query still running then is interrupted
  // (504). max_query_gas bounds the work of one query.
  std::chrono::microseconds inline_query_time{2'000};
  size_t query_workers = 4;
  size_t query_queue = 64;
  std::chrono::milliseconds query_timeout{10'000};
  uint64_t max_query_gas = 1'000'000'000'000;  // ref_time ps: 125 M units of fuel
  // Query sessions (session.h): how many are kept, and the longest one may last.
  size_t max_sessions = 10'000;
  uint64_t max_session_lifetime_ms = 3'600'000;
  size_t log_capacity = 100'000;  // contract log records kept in memory (LogBuffer), in all
  size_t log_per_contract = 10'000;  // and of any one contract
  size_t max_streams = 32;                // clients following /events or /logs at once
  // What contracts' HTTP requests (pink) may reach: by default no loopback, private or
  // link-local address; phatd --dev allows them, --http-allow names exceptions.
  pink::HttpPolicy http_policy;
  uint64_t max_query_future_ms = 60'000;  // how far ahead a query's expiry may be
  size_t replay_guard_capacity = 100'000;
  std::chrono::milliseconds max_wait{30'000};  // the longest a request waits for a receipt
  std::string version = "0.1.0";
};

class Node {
 public:
  // Opens the chain, binds the listening socket and starts serving. Errors say what failed
  // (the data directory, the address).
  static Expected<std::unique_ptr<Node>, std::string> Start(NodeConfig config);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  int port() const;
  ledger::Chain& chain();
  // Stops accepting requests (those in flight get 503), stops the server, the query workers and
  // the chain (which finishes the block in progress).
  void Stop();

 private:
  struct Impl;
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace phat::node
