// The `phat` CLI end to end: the real binary against a real `phatd --dev --tmp` (started on a
// free port, its port read from its output, stopped by its PID when the suite ends; if this
// process dies first, PR_SET_PDEATHSIG stops it). The erc20 flow is the one a user follows:
// instantiate new(1000) as alice, transfer 10 to bob, query both balances.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "phat/node/node.h"
#include "run_phat.h"

namespace phat::cli {
namespace {

using nlohmann::json;

std::string Hex0x(const std::array<uint8_t, 32>& id) {
  return "0x" + ToHex(id);
}
const node::DevAccount& Dev(const std::string& name) {
  for (const auto& a : node::DevAccounts())
    if (a.name == name) return a;
  std::abort();
}

const std::string kErc20 = std::string(PHAT_CONTRACTS_DIR) + "/erc20.contract";

// A phatd started with `args` (and --tmp --listen 127.0.0.1:0) for a test: its URL read from
// its output, stopped by its PID when destroyed; if this process dies first, PR_SET_PDEATHSIG
// stops it.
class SpawnedPhatd {
 public:
  explicit SpawnedPhatd(std::vector<std::string> args) {
    args.insert(args.begin(), PHATD_BINARY);
    for (const char* a : {"--tmp", "--listen", "127.0.0.1:0"}) args.push_back(a);
    int out[2];
    if (pipe(out) != 0) return;
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(PHATD_BINARY, argv.data());
      _exit(127);
    }
    close(out[1]);
    out_ = out[0];
    ReadUrl();
  }
  ~SpawnedPhatd() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) close(out_);
  }
  SpawnedPhatd(const SpawnedPhatd&) = delete;
  SpawnedPhatd& operator=(const SpawnedPhatd&) = delete;

  // Empty if it did not start (output() says why).
  const std::string& url() const { return url_; }
  const std::string& output() const { return output_; }
  // `phat --node URL args…`
  Outcome Phat(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--node", url_});
    return RunPhat(args);
  }

 private:
  void ReadUrl() {
    const std::string marker = "listening on ";
    char buf[4096];
    while (url_.empty()) {
      pollfd fd{out_, POLLIN, 0};
      if (poll(&fd, 1, 30'000) <= 0) break;
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) break;
      output_.append(buf, size_t(n));
      if (auto at = output_.find(marker); at != std::string::npos) {
        auto end = output_.find('\n', at);
        if (end != std::string::npos)
          url_ = output_.substr(at + marker.size(), end - at - marker.size());
      }
    }
  }

  pid_t pid_ = -1;
  int out_ = -1;
  std::string url_;
  std::string output_;
};

// One phatd --dev for the tests of this process.
class WithNode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new SpawnedPhatd({"--dev"});
    ASSERT_FALSE(node_->url().empty()) << "phatd did not start:\n" << node_->output();
  }
  static void TearDownTestSuite() {
    delete node_;
    node_ = nullptr;
  }
  static Outcome Phat(std::vector<std::string> args) { return node_->Phat(std::move(args)); }

  static inline SpawnedPhatd* node_ = nullptr;
};

TEST_F(WithNode, Erc20DeployTransferAndQuery) {
  const std::string alice = Hex0x(Dev("alice").id), bob = Hex0x(Dev("bob").id);

  Outcome deploy = Phat({"--key", "alice", "instantiate", kErc20, "--args", "[1000]"});
  ASSERT_EQ(deploy.code, 0) << Describe(deploy);
  const std::string address = Line(deploy.out, "contract");
  ASSERT_TRUE(std::regex_match(address, std::regex("0x[0-9a-f]{64}"))) << Describe(deploy);
  EXPECT_EQ(Line(deploy.out, "status"), "success") << Describe(deploy);
  EXPECT_TRUE(std::regex_match(Line(deploy.out, "code hash"), std::regex("0x[0-9a-f]{64}")));
  // new() mints the supply to the deployer: Transfer(None → alice, 1000).
  EXPECT_EQ(Line(deploy.out, "event"),
            fmt::format(R"(Transfer {{"from":null,"to":"{}","value":"1000"}})", alice))
      << Describe(deploy);

  Outcome transfer = Phat({"--key", "alice", "call", address, "--metadata", kErc20, "--message",
                           "transfer", "--args", fmt::format(R"(["{}", "10"])", bob)});
  ASSERT_EQ(transfer.code, 0) << Describe(transfer);
  EXPECT_EQ(Line(transfer.out, "status"), "success");
  EXPECT_EQ(Line(transfer.out, "return"), R"({"Ok":null})") << Describe(transfer);
  EXPECT_EQ(Line(transfer.out, "event"),
            fmt::format(R"(Transfer {{"from":"{}","to":"{}","value":"10"}})", alice, bob))
      << Describe(transfer);

  for (const auto& [who, balance] : {std::pair{alice, "990"}, std::pair{bob, "10"}}) {
    Outcome query = Phat({"--key", "alice", "query", address, "--metadata", kErc20, "--message",
                          "balance_of", "--args", fmt::format(R"(["{}"])", who)});
    ASSERT_EQ(query.code, 0) << Describe(query);
    EXPECT_EQ(Line(query.out, "result"), balance) << Describe(query);
  }

  // A dev account's name stands for its id in an AccountId argument; the global options may
  // follow the command; --json prints one JSON document.
  Outcome json_query = Phat({"query", address, "--metadata", kErc20, "--message", "balance_of",
                             "--args", R"(["bob"])", "--key", "bob", "--json"});
  ASSERT_EQ(json_query.code, 0) << Describe(json_query);
  json q = json::parse(json_query.out, nullptr, false);
  ASSERT_FALSE(q.is_discarded()) << Describe(json_query);
  EXPECT_EQ(q["status"], "success");
  EXPECT_EQ(q["decoded_output"], json({{"Ok", "10"}}));

  Outcome json_call = Phat({"--json", "--key", "bob", "call", address, "--metadata", kErc20,
                            "--message", "transfer", "--args", R"({"to": "alice", "value": 3})"});
  ASSERT_EQ(json_call.code, 0) << Describe(json_call);
  json c = json::parse(json_call.out, nullptr, false);
  ASSERT_FALSE(c.is_discarded()) << Describe(json_call);
  EXPECT_EQ(c["status"], "success");
  ASSERT_EQ(c["events"].size(), 1u) << c.dump(2);
  EXPECT_EQ(c["events"][0]["decoded"]["name"], "Transfer");
  EXPECT_EQ(c["events"][0]["decoded"]["args"]["value"], "3");
  EXPECT_EQ(c["events"][0]["contract"], address);

  // Bob now has 7; transferring 100 fails inside the contract: the call succeeds and returns
  // Err(InsufficientBalance), which the output shows.
  Outcome too_much = Phat({"--key", "bob", "call", address, "--metadata", kErc20, "--message",
                           "transfer", "--args", R"(["alice", "100"])"});
  EXPECT_NE(Line(too_much.out, "return").find("InsufficientBalance"), std::string::npos)
      << Describe(too_much);
  EXPECT_EQ(Line(too_much.out, "event"), "") << Describe(too_much);

  Outcome account = Phat({"account", address});
  ASSERT_EQ(account.code, 0) << Describe(account);
  EXPECT_EQ(Line(account.out, "contract"), "yes");
  EXPECT_EQ(Line(account.out, "code hash"), Line(deploy.out, "code hash"));
}

TEST_F(WithNode, LogsShowWhatContractsWroteInCommandsAndQueries) {
  const std::string kIncrementer = std::string(PHAT_CONTRACTS_DIR) + "/incrementer.contract";
  Outcome deploy = Phat({"--key", "alice", "instantiate", kIncrementer, "--args", "[1]"});
  ASSERT_EQ(deploy.code, 0) << Describe(deploy);
  const std::string address = Line(deploy.out, "contract");
  Outcome inc = Phat({"--key", "alice", "call", address, "--metadata", kIncrementer, "--message",
                      "inc", "--args", "[2]"});
  ASSERT_EQ(inc.code, 0) << Describe(inc);
  Outcome dry = Phat({"--key", "bob", "query", address, "--metadata", kIncrementer, "--message",
                      "inc", "--args", "[5]"});
  ASSERT_EQ(dry.code, 0) << Describe(dry);

  Outcome logs = Phat({"logs", "--contract", address});
  ASSERT_EQ(logs.code, 0) << Describe(logs);
  EXPECT_TRUE(std::regex_search(
      logs.out, std::regex("#[0-9]+ \\[block [0-9]+\\] " + address + ": incremented\n")))
      << Describe(logs);
  EXPECT_TRUE(std::regex_search(logs.out,
                                std::regex("#[0-9]+ \\[query\\] " + address + ": incremented\n")))
      << Describe(logs);
  // Each call's output follows its lines: the constructor's, the command's, the query's.
  EXPECT_TRUE(std::regex_search(
      logs.out, std::regex("#[0-9]+ \\[block [0-9]+\\] " + address + " output: ok 0x")))
      << Describe(logs);
  Outcome json_logs = Phat({"logs", "--contract", address, "--json"});
  ASSERT_EQ(json_logs.code, 0) << Describe(json_logs);
  std::istringstream lines(json_logs.out);
  std::vector<std::string> kinds;
  for (std::string line; std::getline(lines, line);) {
    const json log = json::parse(line, nullptr, false);
    kinds.push_back(log.value("kind", ""));
    if (kinds.back() == "log") EXPECT_EQ(log.value("message", ""), "incremented") << line;
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"output", "log", "output", "log", "output"}));
  Outcome bad = Phat({"logs", "--contract", "nobody"});
  EXPECT_EQ(bad.code, 1) << Describe(bad);
}

// cargo-contract's bundles for ink! 4 have metadata version "4" (a string) and an older shape.
// ink! 4's and 5's flipper behave the same (shared/ink-vectors), so the SDK's flipper in an
// ink! 4 bundle is what cargo-contract would have made for ink! 4: the CLI must take it whole.
TEST_F(WithNode, AnInk4BundleIsAcceptedEndToEnd) {
  std::ifstream in(std::string(PHAT_CONTRACTS_DIR) + "/flipper.contract");
  json bundle = json::parse(in, nullptr, false);
  ASSERT_FALSE(bundle.is_discarded());
  bundle["version"] = "4";
  bundle["source"]["language"] = "ink! 4.3.0";
  bundle["source"]["compiler"] = "rustc 1.72.0";
  bundle["spec"]["environment"].erase("staticBufferSize");  // new in ink! 5
  const std::string path = (std::filesystem::temp_directory_path() /
                            fmt::format("phat-cli-flipper-v4-{}.contract", getpid()))
                               .string();
  std::ofstream(path) << bundle.dump(2);

  Outcome deploy = Phat({"--key", "dave", "instantiate", path, "--args", "[false]"});
  ASSERT_EQ(deploy.code, 0) << Describe(deploy);
  const std::string address = Line(deploy.out, "contract");
  Outcome flip = Phat({"--key", "dave", "call", address, "--metadata", path, "--message", "flip"});
  ASSERT_EQ(flip.code, 0) << Describe(flip);
  Outcome get = Phat({"--key", "dave", "query", address, "--metadata", path, "--message", "get"});
  ASSERT_EQ(get.code, 0) << Describe(get);
  EXPECT_EQ(Line(get.out, "result"), "true") << Describe(get);
  std::filesystem::remove(path);
}

// A key file of each scheme the node accepts signs commands and queries; the origin a contract
// sees is that key's account.
TEST_F(WithNode, KeyFilesOfEverySchemeSignCommandsAndQueries) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("phat-cli-schemes-{}", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const std::string scheme : {"sr25519", "secp256k1"}) {
    const std::string file = (dir / (scheme + ".json")).string();
    Outcome gen = RunPhat({"keys", "generate", "--scheme", scheme, "--out", file});
    ASSERT_EQ(gen.code, 0) << Describe(gen);
    const std::string account = Line(gen.out, "account");

    Outcome deploy = Phat({"--key", file, "instantiate", kErc20, "--args", "[77]"});
    ASSERT_EQ(deploy.code, 0) << Describe(deploy);
    EXPECT_EQ(Line(deploy.out, "status"), "success") << Describe(deploy);
    const std::string address = Line(deploy.out, "contract");
    // new() minted the supply to the caller: the key file's account.
    Outcome query = Phat({"--key", file, "query", address, "--metadata", kErc20, "--message",
                          "balance_of", "--args", fmt::format(R"(["{}"])", account)});
    ASSERT_EQ(query.code, 0) << Describe(query);
    EXPECT_EQ(Line(query.out, "result"), "77") << scheme << ": " << Describe(query);
    Outcome nonce = Phat({"account", account});
    EXPECT_EQ(Line(nonce.out, "nonce"), "2") << Describe(nonce);  // upload, instantiate
  }
  std::filesystem::remove_all(dir);
}

TEST_F(WithNode, UploadStatusAndAccount) {
  Outcome upload = Phat({"--key", "charlie", "--json", "upload", kErc20});
  ASSERT_EQ(upload.code, 0) << Describe(upload);
  json u = json::parse(upload.out, nullptr, false);
  ASSERT_FALSE(u.is_discarded()) << Describe(upload);
  EXPECT_EQ(u["status"], "success");
  EXPECT_TRUE(u["code_hash"].is_string());

  // The bare .wasm uploads to the same code hash.
  Outcome wasm =
      Phat({"--key", "charlie", "upload", std::string(PHAT_CONTRACTS_DIR) + "/erc20.wasm"});
  ASSERT_EQ(wasm.code, 0) << Describe(wasm);
  EXPECT_EQ(Line(wasm.out, "code hash"), u["code_hash"].get<std::string>());

  Outcome status = Phat({"status", "--json"});
  ASSERT_EQ(status.code, 0) << Describe(status);
  json s = json::parse(status.out, nullptr, false);
  ASSERT_FALSE(s.is_discarded()) << Describe(status);
  EXPECT_EQ(s["cluster_id"], Hex0x(node::DevClusterId()));
  EXPECT_GE(s["height"].get<uint64_t>(), 2u);

  Outcome account = Phat({"account", "charlie"});
  ASSERT_EQ(account.code, 0) << Describe(account);
  EXPECT_EQ(Line(account.out, "account"), Hex0x(Dev("charlie").id));
  EXPECT_EQ(Line(account.out, "nonce"), "2");
  EXPECT_EQ(Line(account.out, "contract"), "no");
}

TEST_F(WithNode, BadArgumentsSayWhatToDo) {
  const std::string somewhere = "0x" + std::string(64, '1');
  // An AccountId that is not 32 bytes.
  Outcome bad = Phat({"--key", "alice", "call", somewhere, "--metadata", kErc20, "--message",
                      "transfer", "--args", R"(["0x12", "10"])"});
  EXPECT_EQ(bad.code, 1) << Describe(bad);
  EXPECT_NE(bad.err.find("transfer(to: AccountId, value: Balance)"), std::string::npos)
      << Describe(bad);
  EXPECT_EQ(bad.out, "");

  Outcome not_json = Phat({"--key", "alice", "query", somewhere, "--metadata", kErc20, "--message",
                           "balance_of", "--args", "[0x12"});
  EXPECT_EQ(not_json.code, 1) << Describe(not_json);
  EXPECT_NE(not_json.err.find("--args is not JSON"), std::string::npos) << Describe(not_json);

  Outcome no_message =
      Phat({"--key", "alice", "query", somewhere, "--metadata", kErc20, "--message", "balance"});
  EXPECT_EQ(no_message.code, 1) << Describe(no_message);
  EXPECT_NE(no_message.err.find("balance_of"), std::string::npos) << Describe(no_message);

  Outcome no_key = Phat({"call", somewhere, "--metadata", kErc20, "--message", "total_supply"});
  EXPECT_EQ(no_key.code, 1) << Describe(no_key);
  EXPECT_NE(no_key.err.find("--key alice"), std::string::npos) << Describe(no_key);

  Outcome bad_key = Phat({"--key", "eve", "status"});  // status needs no key: fine
  EXPECT_EQ(bad_key.code, 0) << Describe(bad_key);
  Outcome unknown_key = Phat({"--key", "eve", "upload", kErc20});
  EXPECT_EQ(unknown_key.code, 1) << Describe(unknown_key);
  EXPECT_NE(unknown_key.err.find("neither a dev account"), std::string::npos)
      << Describe(unknown_key);

  Outcome bad_account = Phat({"account", "0x1234"});
  EXPECT_EQ(bad_account.code, 1) << Describe(bad_account);
  EXPECT_NE(bad_account.err.find("64 hex digits"), std::string::npos) << Describe(bad_account);

  // With --json the error is JSON too, for scripts.
  Outcome json_error = Phat({"--json", "account", "0x1234"});
  EXPECT_EQ(json_error.code, 1) << Describe(json_error);
  json e = json::parse(json_error.err, nullptr, false);
  ASSERT_FALSE(e.is_discarded()) << Describe(json_error);
  EXPECT_NE(e.value("error", "").find("64 hex digits"), std::string::npos) << e.dump();
  EXPECT_EQ(e["exit_code"], 1);
}

TEST(Cli, AnUnreachableNodeSaysHowToStartIt) {
  // A port nobody listens on: bind one, note it, close it.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);
  close(fd);

  const std::string url = fmt::format("http://127.0.0.1:{}", port);
  Outcome run = RunPhat({"--node", url, "status"});
  EXPECT_EQ(run.code, 2) << Describe(run);
  EXPECT_NE(run.err.find(fmt::format("cannot reach phatd at {}: is it running?", url)),
            std::string::npos)
      << Describe(run);
  EXPECT_NE(run.err.find("phatd --dev"), std::string::npos) << Describe(run);

  Outcome bad_url = RunPhat({"--node", "127.0.0.1:8000", "status"});
  EXPECT_EQ(bad_url.code, 1) << Describe(bad_url);
  EXPECT_NE(bad_url.err.find("http://"), std::string::npos) << Describe(bad_url);
}

TEST(Cli, KeysDevListsTheDevAccounts) {
  Outcome run = RunPhat({"keys", "dev"});
  ASSERT_EQ(run.code, 0) << Describe(run);
  for (const auto& a : node::DevAccounts())
    EXPECT_NE(run.out.find(fmt::format("{:<8} {}\n", a.name, Hex0x(a.id))), std::string::npos)
        << run.out;
  Outcome json_run = RunPhat({"keys", "dev", "--json"});
  json j = json::parse(json_run.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << Describe(json_run);
  ASSERT_EQ(j.size(), 4u);
  EXPECT_EQ(j[1]["name"], "bob");
  EXPECT_EQ(j[1]["account"], Hex0x(Dev("bob").id));
}

TEST(Cli, KeysGenerateWritesAPrivateFileAndShowReadsIt) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("phat-cli-keys-{}", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "me.json").string();

  Outcome gen = RunPhat({"keys", "generate", "--out", file});
  ASSERT_EQ(gen.code, 0) << Describe(gen);
  struct stat st{};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(file);
  json key = json::parse(in, nullptr, false);
  EXPECT_EQ(key["scheme"], "ed25519");
  EXPECT_TRUE(std::regex_match(key["seed"].get<std::string>(), std::regex("0x[0-9a-f]{64}")));

  Outcome show = RunPhat({"keys", "show", file});
  ASSERT_EQ(show.code, 0) << Describe(show);
  EXPECT_EQ(Line(show.out, "account"), Line(gen.out, "account"));
  EXPECT_EQ(show.out.find(key["seed"].get<std::string>()), std::string::npos)
      << "keys show must not print the seed";

  Outcome again = RunPhat({"keys", "generate", "--out", file});
  EXPECT_EQ(again.code, 1) << Describe(again);
  EXPECT_NE(again.err.find("exists already"), std::string::npos) << Describe(again);

  Outcome other = RunPhat({"keys", "generate", "--json"});
  ASSERT_EQ(other.code, 0) << Describe(other);
  json o = json::parse(other.out, nullptr, false);
  EXPECT_NE(o["account"], key["account"]);
  EXPECT_TRUE(o["seed"].is_string());

  std::filesystem::remove_all(dir);
}

// phatd --http-guard keeps contracts off private addresses as a production node does, and
// --http-allow names the ones they may reach: the oracle example fetches its price from a web
// server on 127.0.0.1 only on the node that allows it.
TEST(Cli, HttpAllowLetsContractsReachTheHostsItNames) {
  httplib::Server web;
  web.Get("/price", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"price": 4200})", "application/json");
  });
  const int web_port = web.bind_to_any_port("127.0.0.1");
  std::thread web_thread([&] { web.listen_after_bind(); });
  const std::string oracle = std::string(PHAT_CONTRACTS_DIR) + "/oracle.contract";
  auto fetch_on = [&](const SpawnedPhatd& node) {
    EXPECT_FALSE(node.url().empty()) << "phatd did not start:\n" << node.output();
    Outcome deploy = node.Phat({"--key", "alice", "instantiate", oracle});
    const std::string address = Line(deploy.out, "contract");
    node.Phat({"--key", "alice", "call", address, "--metadata", oracle, "--message", "set_source",
               "--args", fmt::format(R"(["http://127.0.0.1:{}/price"])", web_port)});
    Outcome fetch =
        node.Phat({"--key", "alice", "query", address, "--metadata", oracle, "--message", "fetch"});
    return Line(fetch.out, "result");
  };
  {
    SpawnedPhatd allowing({"--dev", "--http-guard", "--http-allow", "127.0.0.1"});
    EXPECT_TRUE(fetch_on(allowing).starts_with(R"({"Ok":["4200",)")) << fetch_on(allowing);
  }
  {
    SpawnedPhatd guarded({"--dev", "--http-guard"});
    // pink answers 524 (NotAllowed) and the oracle reports a status other than 200.
    EXPECT_EQ(fetch_on(guarded), R"({"Err":"BadStatus"})");
  }
  web.stop();
  web_thread.join();
}

TEST(Cli, KeysOfEachSchemeAndWhatIsRefused) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("phat-cli-keys2-{}", getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // An sr25519 key file holds the seed polkadot-js calls the seed: a known one gives the account
  // polkadot-js gives it (//Alice's seed and account, as subkey prints them).
  const std::string alice = (dir / "alice.json").string();
  std::ofstream(alice)
      << R"({"scheme": "sr25519", "seed": )"
      << R"("0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a"})";
  Outcome show = RunPhat({"keys", "show", alice, "--json"});
  ASSERT_EQ(show.code, 0) << Describe(show);
  json shown = json::parse(show.out, nullptr, false);
  EXPECT_EQ(shown["scheme"], "sr25519");
  EXPECT_EQ(shown["account"], "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");

  Outcome generated = RunPhat({"keys", "generate", "--scheme", "sr25519", "--json"});
  ASSERT_EQ(generated.code, 0) << Describe(generated);
  EXPECT_EQ(json::parse(generated.out, nullptr, false)["scheme"], "sr25519");

  Outcome unknown = RunPhat({"keys", "generate", "--scheme", "rsa"});
  EXPECT_EQ(unknown.code, 1) << Describe(unknown);
  EXPECT_NE(unknown.err.find("ed25519, sr25519 or secp256k1"), std::string::npos)
      << Describe(unknown);

  const std::string bad = (dir / "bad.json").string();
  std::ofstream(bad) << R"({"scheme": "secp256k1", "seed": "0x)" << std::string(64, 'f')
                     << R"("})";  // above the group order: not a secret key
  Outcome invalid = RunPhat({"keys", "show", bad});
  EXPECT_EQ(invalid.code, 1) << Describe(invalid);
  EXPECT_NE(invalid.err.find("not a valid secp256k1 key"), std::string::npos) << Describe(invalid);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace phat::cli
