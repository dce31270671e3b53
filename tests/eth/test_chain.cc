#include "eth/test_chain.h"

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <thread>
#include <utility>

extern char** environ;

namespace phat::eth::testing {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---- processes: started with pipes, stopped by PID ----

std::unique_ptr<Child> Child::Start(const std::vector<std::string>& argv) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return nullptr;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    return nullptr;
  }
  auto child = std::make_unique<Child>();
  child->pid_ = pid;
  child->stdin_ = in[1];
  child->stdout_ = out[0];
  return child;
}

std::string Child::ReadLine(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    size_t end = buffer_.find('\n');
    if (end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return "";
    pollfd p{stdout_, POLLIN, 0};
    if (poll(&p, 1, int(left.count())) <= 0) continue;
    char chunk[4096];
    ssize_t n = read(stdout_, chunk, sizeof(chunk));
    if (n <= 0) return "";
    buffer_.append(chunk, size_t(n));
  }
}

int Child::Wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  return -1;
}

void Child::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    auto deadline = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }
  if (stdin_ >= 0) close(std::exchange(stdin_, -1));
  if (stdout_ >= 0) close(std::exchange(stdout_, -1));
}

// ---- the chain ----

namespace {
const std::string kChainScript = std::string(PHAT_SOURCE_DIR) + "/tests/eth/chain.mjs";
}  // namespace

void Chain::TearDown() {
  process_.reset();
}

bool Chain::Ensure() {
  if (process_) return info_.is_object();
  process_ = Child::Start({PHAT_NODE_BINARY, kChainScript, "--watch-stdin"});
  if (!process_) {
    ADD_FAILURE() << "cannot start " << PHAT_NODE_BINARY << " " << kChainScript;
    return false;
  }
  std::string line = process_->ReadLine(std::chrono::seconds(120));
  info_ = json::parse(line, nullptr, false);
  if (!info_.is_object() || info_["pid"] != process_->pid()) {
    ADD_FAILURE() << "chain.mjs printed \"" << line
                  << "\" (its stderr says why; node_modules: tests/sdk/node-deps.sh)";
    info_ = json();
    return false;
  }
  return true;
}

json Fund(const std::string& to, const std::string& eth, const std::string& tokens) {
  auto child =
      Child::Start({PHAT_NODE_BINARY, kChainScript, "fund", "--rpc", Chain::Url(), "--token",
                    Chain::Token(), "--key", Chain::info()["deployerKey"].get<std::string>(),
                    "--to", to, "--eth", eth, "--tokens", tokens});
  EXPECT_NE(child, nullptr);
  if (!child) return json();
  std::string line = child->ReadLine(std::chrono::seconds(60));
  EXPECT_EQ(child->Wait(std::chrono::seconds(30)), 0) << line;
  json out = json::parse(line, nullptr, false);
  EXPECT_TRUE(out.is_object()) << "fund printed: " << line;
  return out;
}

// ---- the chain's own answers ----

json ChainCall(const std::string& method, const json& params) {
  httplib::Client client(Chain::Url());
  client.set_read_timeout(10, 0);
  const json request = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  auto res = client.Post("/", request.dump(), "application/json");
  EXPECT_TRUE(res) << method << ": " << httplib::to_string(res.error());
  if (!res) return nullptr;
  json answer = json::parse(res->body, nullptr, false);
  EXPECT_TRUE(answer.is_object() && answer.contains("result")) << method << ": " << res->body;
  return answer.is_object() ? answer.value("result", json()) : json();
}

namespace {

// A JSON-RPC quantity ("0x…") or a 32-byte ABI word ("0x" and 64 digits) that fits 128 bits.
codec::uint128 Uint128Of(const json& hex) {
  const std::string text = hex.is_string() ? hex.get<std::string>() : "";
  EXPECT_TRUE(text.starts_with("0x")) << hex.dump();
  std::string_view digits = std::string_view(text).substr(std::min<size_t>(2, text.size()));
  digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size()));
  EXPECT_LE(digits.size(), 32u) << text << " does not fit 128 bits";
  codec::uint128 value = 0;
  for (char c : digits) {
    const int nibble =
        std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value << 4 | codec::uint128(nibble);
  }
  return value;
}

}  // namespace

codec::uint128 TokenBalanceOnChain(const std::string& owner) {
  // balanceOf(address): selector 70a08231, then the address left-padded to 32 bytes.
  std::string address = owner.substr(2);
  std::transform(address.begin(), address.end(), address.begin(), ::tolower);
  const std::string data = "0x70a08231" + std::string(24, '0') + address;
  return Uint128Of(ChainCall("eth_call", {{{"to", Chain::Token()}, {"data", data}}, "latest"}));
}

codec::uint128 EthBalanceOnChain(const std::string& owner) {
  return Uint128Of(ChainCall("eth_getBalance", {owner, "latest"}));
}

// ---- endpoints that fail ----

int ClosedPort() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

SilentServer::SilentServer() {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  listen(fd_, 16);
  socklen_t len = sizeof(a);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
}

SilentServer::~SilentServer() {
  close(fd_);
}

}  // namespace phat::eth::testing
