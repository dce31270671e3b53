// What the Ethereum tests share: the local ganache chain with the test ERC-20 (chain.mjs, started
// once per test binary and stopped by its PID), funding an address from it, asking it for
// balances directly (not through a contract), and local endpoints that fail: a closed port and a
// server that never answers.
//
// Child runs one process; Chain is a GoogleTest Environment that a binary's main() registers.
// Not thread-safe: the test thread uses them.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "phat/codec/scale.h"

namespace phat::eth::testing {

// A child process with its stdin and stdout on pipes. Its stdin stays open while this object
// lives: chain.mjs --watch-stdin exits when it closes, so even a test binary that crashes leaves
// no chain behind.
class Child {
 public:
  // argv[0] is a path, not looked up in PATH. Nothing if it cannot be started.
  static std::unique_ptr<Child> Start(const std::vector<std::string>& argv);
  ~Child() { Stop(); }

  // A line of its stdout, or "" if none came within `timeout`.
  std::string ReadLine(std::chrono::milliseconds timeout);
  // Waits for it to end by itself: its exit status, or -1 if it did not within `timeout` (it is
  // then stopped).
  int Wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL if it has not gone within 5 s; always reaped.
  void Stop();

  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string buffer_;
};

// The chain, started by the first test that needs it (ganache and solc take seconds to start)
// and stopped, by its PID, when the tests end.
class Chain : public ::testing::Environment {
 public:
  void TearDown() override;

  // Starts it if needed; false (with the test failed, saying why) if it cannot.
  static bool Ensure();

  // chain.mjs's line: rpc, chainId, token, deployer, deployerKey, pid.
  static const nlohmann::json& info() { return info_; }
  static std::string Url() { return info_.value("rpc", ""); }
  static std::string Token() { return info_.value("token", ""); }

 private:
  static inline std::unique_ptr<Child> process_;
  static inline nlohmann::json info_;
};

// `node chain.mjs fund …` for `to` (hex, 0x…): its JSON line (the transactions' hashes and raw
// bytes). "0" for either amount skips that transfer.
nlohmann::json Fund(const std::string& to, const std::string& eth = "1000000000000000000",
                    const std::string& tokens = "1000000000000000000000");

// A JSON-RPC call to the chain, straight from the test: the result, or null (the test failed,
// saying why) if the chain answered an error or nothing.
nlohmann::json ChainCall(const std::string& method, const nlohmann::json& params);
// The token's balanceOf(owner) and owner's ETH, read from the chain itself (eth_call and
// eth_getBalance at the latest block); owner is 0x-hex.
codec::uint128 TokenBalanceOnChain(const std::string& owner);
codec::uint128 EthBalanceOnChain(const std::string& owner);

// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
int ClosedPort();

// A port that accepts connections (the kernel does, from its backlog) and never answers.
class SilentServer {
 public:
  SilentServer();
  ~SilentServer();
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  int port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace phat::eth::testing
