// phat_pink_bench: what an HTTP request made by a contract costs, against curl making the same
// request (docs/PERFORMANCE.md, "pink: HTTP from a contract").
//
// A web server in this process (cpp-httplib on loopback, its own threads) answers GET
// /json?delay_ms=D with a small JSON body after sleeping D ms. The same request is then made by
// (the names are --only's):
//
//   curl-cli        `curl -s -f --noproxy '*' -o /dev/null URL`, a process spawned per request;
//   libcurl         pink::HttpClient::Fetch: libcurl with phat's policy, in this process, on
//                   the client's kept handles (so, with the server's keep-alive, on a connection
//                   an earlier request opened), as contracts' requests run;
//   libcurl-plain   libcurl's defaults on a new handle per request, without phat's checks;
//   libcurl-reused  libcurl's defaults on one handle kept across requests: with the server's
//                   keep-alive the connection is reused (what a connection per request costs);
//   phat            contracts::Runtime::Query of tests/contracts/fixtures/chain_extension.wat
//                   with pink registered, calling http_request: the Wasm engine, the host call,
//                   SCALE both ways, the HTTP request; how long of it was spent in pink too;
//   phatd           the same contract on a node in this process (the node phatd runs), asked
//                   over its HTTP API: POST /query in a session (a MAC, no signature per query);
//   phat-no-http, phatd-no-http   the same two calling pink's is_in_transaction: no HTTP at all.
//
// Then batch_http_request of five requests of 10, 20, 30, 40 and 50 ms through the contract
// (phat-batch), HttpClient::FetchBatch of the same five (libcurl-batch), and the 50 ms request
// alone through the contract (phat-slowest).
//
// Every answer is checked (status 200 and the body), so a run of errors cannot pass. Methods are
// interleaved, one request of each per round in a random order, so that drifting load on a
// shared machine hits all alike. Each run measures everything once; the tables give the median
// over runs and the range.
#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <httplib.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "phat/base/expected.h"
#include "phat/codec/scale.h"
#include "phat/contracts/runtime.h"
#include "phat/contracts/state.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/key_exchange.h"
#include "phat/ledger/command.h"
#include "phat/node/node.h"
#include "phat/node/session.h"
#include "phat/pink/extension.h"
#include "phat/pink/http_client.h"

extern char** environ;

namespace phat::bench {
namespace {

using contracts::AccountId;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

template <typename T>
using Result = Expected<T, std::string>;

constexpr std::string_view kBody = R"({"symbol":"PHA","price":"0.1337","source":"phat bench"})";
constexpr uint32_t kOutputCapacity = 16384;  // chain_extension.wat has 32 KiB for the output
constexpr uint64_t kQueryGas = 100'000'000'000;
const std::vector<int> kBatchDelays = {10, 20, 30, 40, 50};

template <typename T>
Result<T> Read(codec::Decoded<T> d, std::string_view what) {
  if (!d) return unexpected(fmt::format("{}: {}", what, d.error().ToString()));
  return std::move(*d);
}

// ---- the web server ----

class WebServer {
 public:
  explicit WebServer(bool keep_alive) {
    // Enough threads for a batch of five while another client holds a kept-alive connection.
    server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    server_.set_tcp_nodelay(true);
    if (!keep_alive) server_.set_keep_alive_max_count(1);  // "Connection: close" on every answer
    server_.Get("/json", [this](const httplib::Request& req, httplib::Response& res) {
      const int delay = std::atoi(req.get_param_value("delay_ms").c_str());
      if (delay > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      served_++;
      res.set_content(std::string(kBody), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WebServer() {
    server_.stop();
    thread_.join();
  }

  std::string Url(int delay_ms) const {
    return fmt::format("http://127.0.0.1:{}/json?delay_ms={}", port_, delay_ms);
  }
  uint64_t served() const { return served_.load(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<uint64_t> served_{0};
};

// ---- what the contract sends and gets back ----

pink::HttpRequest Get(const std::string& url) {
  return pink::HttpRequest{url, "GET", {}, {}};
}

// chain_extension.wat's input: function id ‖ output capacity ‖ the SCALE arguments.
Bytes HttpRequestInput(const std::string& url) {
  codec::ScaleWriter w;
  w.U32(1);  // http_request(HttpRequest)
  w.U32(kOutputCapacity);
  codec::Encode(w, url, std::string("GET"), std::vector<std::pair<std::string, std::string>>(),
                Bytes());
  return w.Take();
}

Bytes BatchInput(const std::vector<std::string>& urls, uint64_t timeout_ms) {
  codec::ScaleWriter w;
  w.U32(22);  // batch_http_request(Vec<HttpRequest>, timeout_ms)
  w.U32(kOutputCapacity);
  w.Compact(urls.size());
  for (const std::string& url : urls)
    codec::Encode(w, url, std::string("GET"), std::vector<std::pair<std::string, std::string>>(),
                  Bytes());
  w.U64(timeout_ms);
  return w.Take();
}

// An HttpResponse as SCALE: 200 and the server's body, or an error saying what came instead.
Result<void> CheckResponse(codec::ScaleReader& r) {
  const uint16_t status = PHAT_TRY(Read(r.U16(), "the response's status"));
  PHAT_TRY(Read(r.String(), "the reason phrase"));
  PHAT_TRY(Read(codec::Decode<std::vector<std::pair<std::string, std::string>>>(r),
                "the response headers"));
  const Bytes body = PHAT_TRY(Read(r.ByteVec(), "the response body"));
  if (status != 200 ||
      std::string_view(reinterpret_cast<const char*>(body.data()), body.size()) != kBody)
    return unexpected(fmt::format("the contract got HTTP {} with \"{}\"", status,
                                  std::string(body.begin(), body.end())));
  return {};
}

// chain_extension.wat's output: status ‖ length ‖ the function's output.
Result<ByteView> ExtensionOutput(ByteView data) {
  codec::ScaleReader r(data);
  const uint32_t status = PHAT_TRY(Read(r.U32(), "the extension's status"));
  const uint32_t length = PHAT_TRY(Read(r.U32(), "the output's length"));
  if (status != 0) return unexpected(fmt::format("the extension answered status {}", status));
  if (length != data.size() - 8) return unexpected(std::string("the output was cut short"));
  return data.subspan(8);
}

Result<void> CheckHttpRequestOutput(ByteView data) {
  codec::ScaleReader r(PHAT_TRY(ExtensionOutput(data)));
  return CheckResponse(r);
}

// Vec<Result<HttpResponse, HttpRequestError>>: every item Ok, 200, the body.
Result<void> CheckBatchOutput(ByteView data, size_t count) {
  codec::ScaleReader r(PHAT_TRY(ExtensionOutput(data)));
  const uint32_t n = PHAT_TRY(Read(r.CompactU32(), "the batch's length"));
  if (n != count) return unexpected(fmt::format("{} results for {} requests", n, count));
  for (size_t i = 0; i < n; ++i) {
    const uint8_t ok = PHAT_TRY(Read(r.U8(), "a batch item"));
    if (ok != 0) return unexpected(fmt::format("batch item {} is an error", i));
    PHAT_TRY(CheckResponse(r));
  }
  return {};
}

Result<void> CheckHttpResult(const pink::HttpResult& result) {
  if (!result)
    return unexpected(fmt::format("HttpClient: {}", pink::HttpRequestErrorName(result.error())));
  if (result->status_code != 200 ||
      std::string_view(reinterpret_cast<const char*>(result->body.data()), result->body.size()) !=
          kBody)
    return unexpected(fmt::format("HttpClient got HTTP {}", result->status_code));
  return {};
}

// ---- the contract in a Runtime ----

// pink with a stopwatch: how long the last call spent in the extension (the arguments decoded,
// the HTTP request, the answer encoded), to split a query's time between the engine and pink.
class TimedExtension final : public contracts::ChainExtension {
 public:
  explicit TimedExtension(std::shared_ptr<contracts::ChainExtension> inner)
      : inner_(std::move(inner)) {}
  Expected<contracts::ExtensionResult, contracts::Error> Call(
      uint16_t func_id, ByteView input, contracts::ExtensionContext& context) override {
    const auto start = Clock::now();
    auto result = inner_->Call(func_id, input, context);
    last_us_ = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    return result;
  }
  double last_us() const { return last_us_; }

 private:
  std::shared_ptr<contracts::ChainExtension> inner_;
  double last_us_ = NAN;
};

class ContractRunner {
 public:
  static Result<std::unique_ptr<ContractRunner>> Start(const Bytes& wasm,
                                                       const pink::HttpClient& http) {
    auto r = std::unique_ptr<ContractRunner>(new ContractRunner());
    pink::Services services;
    services.http = &http;
    r->pink_ = std::make_shared<TimedExtension>(std::make_shared<pink::PinkExtension>(services));
    r->runtime_.RegisterChainExtension(0, r->pink_);
    r->state_.SetBalance(r->origin_, contracts::Balance(1) << 100);
    auto code = r->runtime_.Upload(r->state_, r->origin_, wasm);
    if (!code) return unexpected("uploading chain_extension.wasm: " + code.error().ToString());
    contracts::InstantiateRequest request{r->origin_, *code, 0, {}, {}, r->gas_};
    contracts::ExecResult deployed = r->runtime_.Instantiate(r->state_, r->block_, request);
    if (!deployed.ok() || !deployed.account)
      return unexpected(
          "instantiating chain_extension.wasm: " +
          (deployed.result ? std::string("reverted") : deployed.result.error().ToString()));
    r->contract_ = *deployed.account;
    return r;
  }

  // One query, as the node runs it: a deadline, allowed to wait on the network.
  Result<Bytes> Query(const Bytes& input) {
    contracts::CallRequest request{origin_, contract_, 0, input, gas_};
    request.deadline = Clock::now() + std::chrono::seconds(10);
    request.may_wait = true;
    contracts::ExecResult r = runtime_.Query(state_, block_, request);
    if (!r.result) return unexpected("the query failed: " + r.result.error().ToString());
    if (r.result->reverted()) return unexpected(std::string("the query reverted"));
    return std::move(r.result->data);
  }
  // The time the last query spent in pink, µs.
  double last_extension_us() const { return pink_->last_us(); }

 private:
  ContractRunner() = default;

  std::shared_ptr<TimedExtension> pink_;
  contracts::Runtime runtime_;
  contracts::MemoryState state_;
  contracts::BlockContext block_{1, 1'700'000'000'000};
  contracts::Weight gas_{500'000'000'000, 1'000'000};
  AccountId origin_{0xaa};
  AccountId contract_{};
};

// ---- the same contract on a node, over its HTTP API ----

class NodeRunner {
 public:
  static Result<std::unique_ptr<NodeRunner>> Start(const Bytes& wasm) {
    auto r = std::unique_ptr<NodeRunner>(new NodeRunner());
    char dir[] = "/tmp/phat-pink-bench-XXXXXX";
    if (!mkdtemp(dir)) return unexpected(std::string("cannot make a temporary directory"));
    r->dir_ = dir;
    node::NodeConfig config;
    config.chain.data_dir = r->dir_.string();
    config.chain.cluster_id = node::DevClusterId();
    config.chain.genesis = node::DevGenesis();
    config.http_policy.allow_list = {"127.0.0.1"};
    auto started = node::Node::Start(std::move(config));
    if (!started) return unexpected("starting the node: " + started.error());
    r->node_ = std::move(*started);
    r->client_ = std::make_unique<httplib::Client>("127.0.0.1", r->node_->port());
    r->client_->set_keep_alive(true);
    r->client_->set_tcp_nodelay(true);
    r->client_->set_read_timeout(30, 0);
    PHAT_TRY(r->Deploy(wasm));
    PHAT_TRY(r->OpenSession());
    return r;
  }
  ~NodeRunner() {
    client_.reset();
    node_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // The next session query's body; made before the timed request.
  std::string Body(const Bytes& input) {
    const Bytes q =
        codec::Encode(node::SessionQuery{session_, ++counter_, contract_, input, kQueryGas});
    return json{{"session_query", Hex0x(q)}, {"mac", Hex0x(node::SessionQueryMac(key_, q))}}.dump();
  }
  // POST /query; the contract's output.
  Result<Bytes> Query(const std::string& body) {
    const json answer = PHAT_TRY(PostJson("/query", body));
    if (!answer.contains("result")) return unexpected("POST /query answered " + answer.dump());
    auto data = FromHex(answer["result"].value("data", ""));
    if (!data) return unexpected("POST /query answered " + answer.dump());
    return std::move(*data);
  }

 private:
  NodeRunner() = default;

  Result<json> PostJson(const std::string& path, const std::string& body) {
    auto res = client_->Post(path, body, "application/json");
    if (!res) return unexpected(fmt::format("POST {}: {}", path, httplib::to_string(res.error())));
    json out = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (res->status != 200 || out.is_discarded())
      return unexpected(fmt::format("POST {}: HTTP {}: {}", path, res->status, res->body));
    return out;
  }

  Result<json> Submit(ledger::CommandBody body) {
    const node::DevAccount& alice = node::DevAccounts().front();
    const Bytes command = codec::Encode(ledger::SignEd25519(
        node::DevClusterId(), ledger::Command{alice.id, nonce_++, kQueryGas, std::move(body)},
        alice.seed));
    json receipt =
        PHAT_TRY(PostJson("/commands", json{{"command", Hex0x(command)}, {"wait", true}}.dump()));
    if (receipt.value("status", "") != "success")
      return unexpected("a setup command failed: " + receipt.dump());
    return receipt;
  }

  Result<void> Deploy(const Bytes& wasm) {
    PHAT_TRY(Submit(ledger::UploadCode{wasm, true}));
    const json instantiated =
        PHAT_TRY(Submit(ledger::InstantiateContract{crypto::Blake2b256(wasm), 0, {}, {}}));
    auto address = FixedFromHex<32>(instantiated.value("contract", ""));
    if (!address) return unexpected("no contract in " + instantiated.dump());
    contract_ = *address;
    return {};
  }

  Result<void> OpenSession() {
    const node::DevAccount& alice = node::DevAccounts().front();
    const crypto::KxKeypair keys = crypto::KxKeypairRandom();
    const node::SessionRequest request{alice.id, keys.public_key, WallMs() + 3'000'000};
    const json opened = PHAT_TRY(
        PostJson("/sessions", json{{"session", Hex0x(codec::Encode(node::SignSessionRequestEd25519(
                                                   node::DevClusterId(), request, alice.seed)))}}
                                  .dump()));
    auto id = FixedFromHex<16>(opened.value("session_id", ""));
    auto node_key = FixedFromHex<32>(opened.value("node_key", ""));
    auto key = node_key ? node::SessionKeyAtClient(keys, *node_key) : std::nullopt;
    if (!id || !key) return unexpected("POST /sessions answered " + opened.dump());
    session_ = *id;
    key_ = *key;
    return {};
  }

  std::filesystem::path dir_;
  std::unique_ptr<node::Node> node_;
  std::unique_ptr<httplib::Client> client_;
  uint64_t nonce_ = 0;
  AccountId contract_{};
  node::SessionId session_{};
  crypto::Hash256 key_{};
  uint64_t counter_ = 0;
};

// ---- the curl command-line tool ----

Result<void> RunCurlCli(const std::string& curl, const std::string& url) {
  std::vector<std::string> args = {curl, "-s", "-f", "--noproxy", "*", "-o", "/dev/null", url};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, curl.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return unexpected(fmt::format("cannot run {}: {}", curl, strerror(spawned)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return unexpected(fmt::format("{} {} failed (exit status {})", curl, url,
                                  WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  return {};
}

// ---- libcurl without phat's policy ----

// A GET with libcurl's defaults and nothing of phat's checks: on one handle kept across requests
// (its connection kept alive when the server allows), or on a new handle each time, closed after
// the answer as HttpClient's are.
class PlainCurl {
 public:
  enum class Handle { Reused, PerRequest };
  explicit PlainCurl(Handle handle) : handle_(handle) {}
  ~PlainCurl() {
    if (easy_) curl_easy_cleanup(easy_);
  }
  PlainCurl(const PlainCurl&) = delete;
  PlainCurl& operator=(const PlainCurl&) = delete;

  Result<void> Fetch(const std::string& url) {
    if (!easy_) Open();
    body_.clear();
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    const CURLcode code = curl_easy_perform(easy_);
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    if (handle_ == Handle::PerRequest) {
      curl_easy_cleanup(easy_);
      easy_ = nullptr;
    }
    if (code != CURLE_OK || status != 200 || body_ != kBody)
      return unexpected(fmt::format("libcurl: {} (HTTP {})", curl_easy_strerror(code), status));
    return {};
  }

 private:
  void Open() {
    easy_ = curl_easy_init();
    curl_easy_setopt(easy_, CURLOPT_PROXY, "");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, 10'000L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &PlainCurl::OnBody);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &body_);
  }
  static size_t OnBody(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  }
  Handle handle_;
  CURL* easy_ = nullptr;
  std::string body_;
};

// ---- measuring ----

// The nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return NAN;
  const size_t rank = size_t(std::ceil(p / 100.0 * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return NAN;
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Stats {
  double p50 = NAN;  // µs
  double p90 = NAN;
};

// One request, timed by the caller. `prepare` runs before the clock starts (a session query's
// body); `request` is what is timed.
struct Method {
  std::string key;
  std::function<void()> prepare;
  std::function<Result<void>()> request;
  // A part of the request's time it measured itself (the phat query's time in pink), kept as
  // the samples of part_key.
  std::string part_key;
  std::function<double()> part;
};

// Warm-up, then `iterations` rounds of one request of each method, in a new random order each
// round: in a fixed order, a method always following the curl CLI paid ~50 µs for the exiting
// process and its closing connection.
Result<std::map<std::string, Stats>> Measure(const std::vector<Method>& methods, int iterations,
                                             int warmup) {
  std::map<std::string, std::vector<double>> samples;
  std::vector<size_t> order(methods.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 random(12345);
  for (int i = -warmup; i < iterations; ++i) {
    std::shuffle(order.begin(), order.end(), random);
    for (size_t j : order) {
      const Method& m = methods[j];
      if (m.prepare) m.prepare();
      const auto start = Clock::now();
      auto ok = m.request();
      const auto end = Clock::now();
      if (!ok) return unexpected(fmt::format("{}: {}", m.key, ok.error()));
      if (i < 0) continue;
      samples[m.key].push_back(std::chrono::duration<double, std::micro>(end - start).count());
      if (m.part) samples[m.part_key].push_back(m.part());
    }
  }
  std::map<std::string, Stats> out;
  for (auto& [key, v] : samples) {
    std::sort(v.begin(), v.end());
    out[key] = Stats{Percentile(v, 50), Percentile(v, 90)};
  }
  return out;
}

struct Options {
  int runs = 3;
  int iterations = 200;      // at 0 ms
  int slow_iterations = 50;  // at every other delay
  int batch_iterations = 30;
  int warmup = 10;
  std::vector<int> delays = {0, 5, 20};
  bool server_keep_alive = true;
  bool cli = true;
  bool node = true;
  std::string curl = "curl";
  std::vector<std::string> only;  // method names; empty: all
  std::string wasm = PHAT_PINK_BENCH_WASM;
};

std::string Key(std::string_view method, int delay) {
  return fmt::format("{}@{}", method, delay);
}

// Everything the runs share: the server, the client, the contract, the node.
struct Bench {
  const Options& o;
  WebServer server;
  pink::HttpClient http;
  std::unique_ptr<ContractRunner> contract;
  std::unique_ptr<NodeRunner> node;
  PlainCurl reused{PlainCurl::Handle::Reused};
  PlainCurl plain{PlainCurl::Handle::PerRequest};
  std::string node_body;

  static pink::HttpPolicy Policy() {
    pink::HttpPolicy p;
    p.allow_list = {"127.0.0.1"};
    return p;
  }
  explicit Bench(const Options& options)
      : o(options), server(options.server_keep_alive), http(Policy()) {}

  std::vector<Method> SingleRequestMethods(int delay) {
    const std::string url = server.Url(delay);
    const Bytes input = HttpRequestInput(url);
    std::vector<Method> m;
    if (o.cli)
      m.push_back(
          {Key("curl-cli", delay), nullptr, [this, url] { return RunCurlCli(o.curl, url); }});
    m.push_back({Key("libcurl", delay), nullptr, [this, url] {
                   return CheckHttpResult(
                       http.Fetch(Get(url), Clock::now() + std::chrono::seconds(10)));
                 }});
    m.push_back({Key("libcurl-reused", delay), nullptr, [this, url] { return reused.Fetch(url); }});
    m.push_back({Key("libcurl-plain", delay), nullptr, [this, url] { return plain.Fetch(url); }});
    m.push_back({Key("phat", delay), nullptr,
                 [this, input]() -> Result<void> {
                   return CheckHttpRequestOutput(PHAT_TRY(contract->Query(input)));
                 },
                 Key("phat-in-pink", delay), [this] { return contract->last_extension_us(); }});
    if (node)
      m.push_back({Key("phatd", delay), [this, input] { node_body = node->Body(input); },
                   [this]() -> Result<void> {
                     return CheckHttpRequestOutput(PHAT_TRY(node->Query(node_body)));
                   }});
    return m;
  }

  // The contract path without any HTTP: pink's is_in_transaction (false), in a Runtime and
  // through the node.
  std::vector<Method> NoHttpMethods() {
    codec::ScaleWriter w;
    w.U32(12);
    w.U32(16);
    const Bytes input = w.Take();
    const auto check = [](const Bytes& data) -> Result<void> {
      const ByteView out = PHAT_TRY(ExtensionOutput(data));
      if (out.size() != 1 || out[0] != 0)
        return unexpected(std::string("is_in_transaction did not answer false"));
      return {};
    };
    std::vector<Method> m;
    m.push_back({"phat-no-http", nullptr, [this, input, check]() -> Result<void> {
                   return check(PHAT_TRY(contract->Query(input)));
                 }});
    if (node)
      m.push_back(
          {"phatd-no-http", [this, input] { node_body = node->Body(input); },
           [this, check]() -> Result<void> { return check(PHAT_TRY(node->Query(node_body))); }});
    return m;
  }

  std::vector<Method> BatchMethods() {
    std::vector<std::string> urls;
    std::vector<pink::HttpRequest> requests;
    for (int d : kBatchDelays) {
      urls.push_back(server.Url(d));
      requests.push_back(Get(urls.back()));
    }
    const Bytes input = BatchInput(urls, 10'000);
    const Bytes slowest = HttpRequestInput(urls.back());
    return {
        {"phat-batch", nullptr,
         [this, input]() -> Result<void> {
           return CheckBatchOutput(PHAT_TRY(contract->Query(input)), kBatchDelays.size());
         }},
        {"libcurl-batch", nullptr,
         [this, requests]() -> Result<void> {
           auto results = http.FetchBatch(requests, Clock::now() + std::chrono::seconds(10));
           if (!results)
             return unexpected(
                 fmt::format("FetchBatch: {}", pink::HttpRequestErrorName(results.error())));
           for (const auto& r : *results) PHAT_TRY(CheckHttpResult(r));
           return {};
         }},
        {"phat-slowest", nullptr,
         [this, slowest]() -> Result<void> {
           return CheckHttpRequestOutput(PHAT_TRY(contract->Query(slowest)));
         }},
    };
  }

  // The methods --only leaves in (all without it): it names methods as the keys do, without
  // the delay ("libcurl,phat").
  std::vector<Method> Chosen(std::vector<Method> methods) const {
    if (o.only.empty()) return methods;
    std::erase_if(methods, [&](const Method& m) {
      const std::string name = m.key.substr(0, m.key.find('@'));
      return std::find(o.only.begin(), o.only.end(), name) == o.only.end();
    });
    return methods;
  }

  Result<std::map<std::string, Stats>> RunOnce(int run) {
    std::map<std::string, Stats> all;
    for (int delay : o.delays) {
      std::vector<Method> methods = SingleRequestMethods(delay);
      if (delay == 0) std::ranges::move(NoHttpMethods(), std::back_inserter(methods));
      methods = Chosen(std::move(methods));
      if (methods.empty()) continue;
      const int n = delay == 0 ? o.iterations : o.slow_iterations;
      fmt::print(stderr, "run {}: {} ms, {} rounds of {} methods\n", run + 1, delay, n,
                 methods.size());
      all.merge(PHAT_TRY(Measure(methods, n, o.warmup)));
    }
    std::vector<Method> batch = Chosen(BatchMethods());
    if (batch.empty()) return all;
    fmt::print(stderr, "run {}: batch of {}, {} rounds\n", run + 1, kBatchDelays.size(),
               o.batch_iterations);
    all.merge(PHAT_TRY(Measure(batch, o.batch_iterations, std::min(o.warmup, 3))));
    return all;
  }
};

// ---- the report ----

std::string Duration(double us) {
  if (std::isnan(us)) return "—";
  const double size = std::abs(us);
  if (size < 10) return fmt::format("{:.1f} µs", us);
  if (size < 1000) return fmt::format("{:.0f} µs", us);
  if (size < 10'000) return fmt::format("{:.2f} ms", us / 1000);
  return fmt::format("{:.1f} ms", us / 1000);
}

// Three decimals where a ratio is judged against a target, so that 1.104× does not print as a
// 1.10× that failed.
std::string Ratio(double r, int decimals = 2) {
  if (std::isnan(r)) return "—";
  return fmt::format("{:.{}f}×", r, decimals);
}

using RunStats = std::vector<std::map<std::string, Stats>>;

// A value per run (µs, or NaN where the run has no such measurement).
using Series = std::vector<double>;

Series Of(const RunStats& runs, const std::string& key, double Stats::* field) {
  Series out;
  for (const auto& run : runs) {
    auto it = run.find(key);
    out.push_back(it == run.end() ? NAN : it->second.*field);
  }
  return out;
}

Series Divide(const Series& a, const Series& b) {
  Series out;
  for (size_t i = 0; i < a.size(); ++i) out.push_back(a[i] / b[i]);
  return out;
}
Series Subtract(const Series& a, const Series& b) {
  Series out;
  for (size_t i = 0; i < a.size(); ++i) out.push_back(a[i] - b[i]);
  return out;
}
Series Constant(size_t n, double v) {
  return Series(n, v);
}

bool Present(const Series& s) {
  return !s.empty() && std::none_of(s.begin(), s.end(), [](double v) { return std::isnan(v); });
}

std::string Range(const Series& s, std::string (*format)(double)) {
  const auto [lo, hi] = std::minmax_element(s.begin(), s.end());
  return fmt::format("{} – {}", format(*lo), format(*hi));
}

// metric | median | range over runs | target | ratio | status. The ratio is the median of the
// runs' own ratios (each run's phat and comparator measured interleaved); the target is met when
// that median is at most `limit`.
void PrintRow(const std::string& metric, const Series& values, const std::string& target = "",
              const Series& ratios = {}, double limit = NAN) {
  if (!Present(values)) return;
  std::string ratio, status;
  if (Present(ratios)) {
    const double r = Median(ratios);
    const int decimals = std::isnan(limit) ? 2 : 3;
    const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
    ratio = ratios.size() > 1 ? fmt::format("{} ({} – {})", Ratio(r, decimals),
                                            Ratio(*lo, decimals), Ratio(*hi, decimals))
                              : Ratio(r, decimals);
    if (!std::isnan(limit)) status = r <= limit ? "met" : "**not met**";
  }
  fmt::print("| {} | {} | {} | {} | {} | {} |\n", metric, Duration(Median(values)),
             Range(values, Duration), target, ratio, status);
}

void PrintReport(const Options& o, const RunStats& runs) {
  constexpr double kLimit = 1.10;  // "adds at most 10% latency"
  const auto p50 = [&](const std::string& key) { return Of(runs, key, &Stats::p50); };
  const auto p90 = [&](const std::string& key) { return Of(runs, key, &Stats::p90); };

  fmt::print("\n| metric | median | range over runs | target | ratio | status |\n");
  fmt::print("|---|---|---|---|---|---|\n");
  for (int d : o.delays) {
    const Series cli = p50(Key("curl-cli", d)), lib = p50(Key("libcurl", d)),
                 phat = p50(Key("phat", d)), phatd = p50(Key("phatd", d));
    PrintRow(fmt::format("{} ms: curl CLI, p50", d), cli);
    PrintRow(fmt::format("{} ms: libcurl (HttpClient::Fetch), p50", d), lib);
    PrintRow(fmt::format("{} ms: phat query (Runtime::Query), p50", d), phat, "≤ 1.10× libcurl",
             Divide(phat, lib), kLimit);
    if (Present(cli))
      PrintRow(fmt::format("{} ms: phat query, p50, against curl CLI", d), phat, "≤ 1.10× curl CLI",
               Divide(phat, cli), kLimit);
    PrintRow(fmt::format("{} ms: phat query, p90", d), p90(Key("phat", d)), "",
             Divide(p90(Key("phat", d)), p90(Key("libcurl", d))));
    if (Present(phatd))
      PrintRow(fmt::format("{} ms: phatd POST /query (session), p50", d), phatd,
               "(end to end; × libcurl)", Divide(phatd, lib));
  }
  const size_t n = runs.size();
  const Series batch = p50("phat-batch");
  PrintRow("batch of 5 (10–50 ms): phat query, p50", batch, "≈ slowest: ≤ 1.10× 50 ms",
           Divide(batch, Constant(n, 50'000)), kLimit);
  PrintRow("batch of 5: phat query, p50, against the sum", batch, "< sum (150 ms)",
           Divide(batch, Constant(n, 150'000)), 1.0);
  PrintRow("batch of 5: phat query, p90", p90("phat-batch"), "",
           Divide(p90("phat-batch"), Constant(n, 50'000)));
  PrintRow("batch of 5: HttpClient::FetchBatch, p50", p50("libcurl-batch"), "(× 50 ms)",
           Divide(p50("libcurl-batch"), Constant(n, 50'000)));
  PrintRow("the slowest (50 ms) alone: phat query, p50", p50("phat-slowest"), "(× 50 ms)",
           Divide(p50("phat-slowest"), Constant(n, 50'000)));

  // Every method at every delay, p50 / p90.
  fmt::print(
      "\n| delay | curl CLI | libcurl: HttpClient::Fetch | libcurl: a plain handle per request | "
      "libcurl: one handle reused | phat query | phatd POST /query |\n");
  fmt::print("|---|---|---|---|---|---|---|\n");
  for (int d : o.delays) {
    std::string row = fmt::format("| {} ms |", d);
    for (const char* m :
         {"curl-cli", "libcurl", "libcurl-plain", "libcurl-reused", "phat", "phatd"}) {
      const Series a = p50(Key(m, d)), b = p90(Key(m, d));
      row += Present(a) ? fmt::format(" {} / {} |", Duration(Median(a)), Duration(Median(b)))
                        : std::string(" — |");
    }
    fmt::print("{}\n", row);
  }

  // Where the time goes, at 0 ms (medians over runs of each run's difference).
  fmt::print("\n| at 0 ms | µs (median, range over runs) |\n|---|---|\n");
  const auto diff = [&](const std::string& what, const Series& s) {
    if (Present(s)) fmt::print("| {} | {} ({}) |\n", what, Duration(Median(s)), Range(s, Duration));
  };
  diff("phat query − libcurl: the contract path around the request",
       Subtract(p50(Key("phat", 0)), p50(Key("libcurl", 0))));
  diff("phat query without HTTP (pink is_in_transaction)", p50("phat-no-http"));
  diff("phat query − its time in pink: the engine, the instance, the host call, the output",
       Subtract(p50(Key("phat", 0)), p50(Key("phat-in-pink", 0))));
  diff("its time in pink − HttpClient::Fetch alone: SCALE both ways, and the same Fetch inside",
       Subtract(p50(Key("phat-in-pink", 0)), p50(Key("libcurl", 0))));
  diff("HttpClient::Fetch − a plain libcurl handle per request: phat's policy and checks",
       Subtract(p50(Key("libcurl", 0)), p50(Key("libcurl-plain", 0))));
  diff("a plain handle per request − one handle reused: a new handle and connection",
       Subtract(p50(Key("libcurl-plain", 0)), p50(Key("libcurl-reused", 0))));
  diff("phatd query without HTTP (is_in_transaction, POST /query in a session)",
       p50("phatd-no-http"));
  diff(
      "phatd − phat query, with HTTP: the node's HTTP API, the session check, the stopped first "
      "attempt and the move to the pool",
      Subtract(p50(Key("phatd", 0)), p50(Key("phat", 0))));
  diff("the same without HTTP: the node's HTTP API and the session check",
       Subtract(p50("phatd-no-http"), p50("phat-no-http")));
  diff("curl CLI − libcurl: starting a process",
       Subtract(p50(Key("curl-cli", 0)), p50(Key("libcurl", 0))));
}

Result<void> Run(const Options& o) {
  std::ifstream in(o.wasm, std::ios::binary);
  if (!in)
    return unexpected(fmt::format("cannot read {} (build the pink_bench_wasm target)", o.wasm));
  const Bytes wasm{std::istreambuf_iterator<char>(in), {}};

  Bench bench(o);
  bench.contract = PHAT_TRY(ContractRunner::Start(wasm, bench.http));
  if (o.node) bench.node = PHAT_TRY(NodeRunner::Start(wasm));
  RunStats runs;
  for (int run = 0; run < o.runs; ++run) runs.push_back(PHAT_TRY(bench.RunOnce(run)));
  fmt::print(stderr, "the web server answered {} requests\n", bench.server.served());
  fmt::print(
      "server keep-alive {}; {} runs; per method {} requests at 0 ms, {} at each other delay; "
      "{} batches\n",
      o.server_keep_alive ? "on" : "off", o.runs, o.iterations, o.slow_iterations,
      o.batch_iterations);
  PrintReport(o, runs);
  return {};
}

}  // namespace
}  // namespace phat::bench

int main(int argc, char** argv) {
  using namespace phat::bench;
  CLI::App app{"phat_pink_bench: an HTTP request from a contract against curl doing the same"};
  Options o;
  app.add_option("--runs", o.runs, "Whole runs; the tables give medians over them")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_option("--iterations", o.iterations, "Requests per method at 0 ms")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--slow-iterations", o.slow_iterations, "Requests per method at the other delays")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--batch-iterations", o.batch_iterations, "Batches of five")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--warmup", o.warmup, "Untimed requests per method first")
      ->capture_default_str()
      ->check(CLI::Range(0, 10'000));
  app.add_option("--delays", o.delays, "The server's delays in ms (the first should be 0)")
      ->delimiter(',')
      ->capture_default_str();
  std::string keep_alive = "on";
  app.add_option("--server-keep-alive", keep_alive,
                 "off: the server closes every connection after its answer")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  bool no_cli = false, no_node = false;
  app.add_flag("--no-cli", no_cli, "Leave out the curl command-line tool");
  app.add_flag("--no-node", no_node, "Leave out the query through a node's HTTP API");
  app.add_option("--curl", o.curl, "The curl command")->capture_default_str();
  app.add_option("--only", o.only,
                 "Only these methods: curl-cli, libcurl, libcurl-plain, libcurl-reused, phat, "
                 "phatd, phat-no-http, phatd-no-http, phat-batch, libcurl-batch, phat-slowest")
      ->delimiter(',');
  app.add_option("--wasm", o.wasm, "chain_extension.wat assembled")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.server_keep_alive = keep_alive == "on";
  o.cli = !no_cli;
  o.node = !no_node;
  if (auto r = Run(o); !r) {
    fmt::print(stderr, "phat_pink_bench: {}\n", r.error());
    return 1;
  }
  return 0;
}
