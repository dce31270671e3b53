// phatd, the worker node. For now only a development cluster: `phatd --dev` runs a single-node
// cluster with prefunded, well-known accounts; it prints them, then `listening on http://...`,
// and serves until SIGINT or SIGTERM.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "phat/node/node.h"

#ifndef PHAT_VERSION
#define PHAT_VERSION "0.0.0"
#endif

namespace {

// "host:port" → (host, port); port 0 means any free port.
bool ParseListen(const std::string& text, std::string& host, int& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = text.substr(0, colon);
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
    return false;
  port = std::stoi(p);
  return port <= 65535;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"phatd: the phat worker node (docs/API.md)"};
  bool dev = false, tmp = false, http_guard = false;
  std::string data_dir = "./phat-data";
  std::string listen = "127.0.0.1:8000";
  size_t query_workers = 4;
  size_t http_threads = phat::node::NodeConfig().http_threads;
  std::vector<std::string> http_allow;
  unsigned query_timeout_ms = 10'000;
  app.add_flag("--dev", dev, "run a single-node development cluster with prefunded accounts");
  app.add_option("--data-dir", data_dir, "where the log and the state live")->capture_default_str();
  app.add_flag("--tmp", tmp, "use a fresh temporary data directory, removed at exit");
  app.add_option("--listen", listen, "address to serve HTTP on; port 0 picks a free one")
      ->capture_default_str();
  app.add_option("--query-workers", query_workers, "queries run at once")->capture_default_str();
  app.add_option("--http-threads", http_threads,
                 "HTTP event-loop threads for I/O (queries get --query-workers more)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--query-timeout-ms", query_timeout_ms, "wall-time limit of a query")
      ->capture_default_str();
  app.add_option("--http-allow", http_allow,
                 "a host, address or CIDR range contracts' HTTP requests may reach although it "
                 "is private (repeatable; --dev allows every private address unless --http-guard)");
  app.add_flag("--http-guard", http_guard,
               "keep contracts off private addresses on a dev cluster too, as a production node "
               "does: only --http-allow names exceptions");
  CLI11_PARSE(app, argc, argv);

  if (!dev) {
    fmt::print(stderr, "phatd: only development clusters exist so far: run `phatd --dev`\n");
    return 2;
  }
  std::string host;
  int port = 0;
  if (!ParseListen(listen, host, port)) {
    fmt::print(stderr, "phatd: --listen wants HOST:PORT, e.g. 127.0.0.1:8000 (got \"{}\")\n",
               listen);
    return 2;
  }
  std::filesystem::path tmp_dir;
  if (tmp) {
    tmp_dir = std::filesystem::temp_directory_path() / fmt::format("phatd-{}", ::getpid());
    std::filesystem::remove_all(tmp_dir);
    data_dir = tmp_dir.string();
  }

  // Block the stop signals before any thread starts, so that every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  phat::node::NodeConfig config;
  config.chain.data_dir = data_dir;
  config.chain.cluster_id = phat::node::DevClusterId();
  config.chain.genesis = phat::node::DevGenesis();
  config.host = host;
  config.port = port;
  config.query_workers = query_workers;
  config.http_threads = http_threads;
  // A development cluster's contracts may call services on this machine and its network, unless
  // it is to behave as a production node would.
  config.http_policy.allow_private_addresses = dev && !http_guard;
  config.http_policy.allow_list = http_allow;
  config.query_timeout = std::chrono::milliseconds(query_timeout_ms);
  config.version = PHAT_VERSION;

  fmt::print("phatd {} (development cluster: these keys are public, never use them for value)\n",
             PHAT_VERSION);
  fmt::print("cluster id 0x{}\n", phat::ToHex(config.chain.cluster_id));
  fmt::print("data dir {}\n", data_dir);
  for (const auto& a : phat::node::DevAccounts())
    fmt::print("account {:<8} id 0x{} seed 0x{}\n", a.name, phat::ToHex(a.id), phat::ToHex(a.seed));

  auto node = phat::node::Node::Start(std::move(config));
  if (!node) {
    fmt::print(stderr, "phatd: {}\n", node.error());
    if (!tmp_dir.empty()) std::filesystem::remove_all(tmp_dir);  // --tmp: nothing to keep
    return 1;
  }
  fmt::print("listening on http://{}:{}\n", host, (*node)->port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  fmt::print("phatd: stopping (signal {})\n", sig);
  std::fflush(stdout);
  (*node)->Stop();
  node->reset();
  if (!tmp_dir.empty()) std::filesystem::remove_all(tmp_dir);
  return 0;
}
