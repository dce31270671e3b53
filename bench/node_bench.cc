// phat_node_bench: load for phatd's HTTP API (docs/PERFORMANCE.md, "The node (HTTP API) under
// load").
// bench/node.mjs drives it together with wrk (bench/wrk_bodies.lua); each step stands alone:
//
//   setup     over HTTP, with commands signed by the dev account alice: uploads and instantiates
//             the SDK's flipper and erc20, gives K benchmark origins erc20 tokens, checks one
//             query of each kind, and writes what later steps need to a JSON state file;
//   queries   writes N pre-signed POST /query bodies, one per line, for wrk to send;
//   commands  pre-signs M erc20 transfers over the K origins, sends them over K connections,
//             waits until all are committed and checks every receipt;
//   stages    times, in process, the pieces of work the node does per request (signatures,
//             decoding, the replay guard, the hand-off to a query worker, the worker's snapshot
//             and contract call on RocksDB), to tell where the time under load goes.
//
// Signing always happens before anything is timed: the load generator measures the node, not
// itself.
#include <fmt/format.h>
#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <latch>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "phat/base/expected.h"
#include "phat/codec/scale.h"
#include "phat/crypto/ed25519.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/secp256k1.h"
#include "phat/ledger/chain.h"
#include "phat/ledger/command.h"
#include "phat/metadata/contract_metadata.h"
#include "phat/node/node.h"
#include "phat/node/query.h"
#include "phat/node/session.h"

namespace phat::bench {
namespace {

using contracts::AccountId;
using contracts::Balance;
using contracts::CodeHash;
using metadata::ContractMetadata;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

template <typename T>
using Result = Expected<T, std::string>;

// Gas for every command and query: 0.1 s of reference time, far above what an erc20 transfer or
// a balance_of needs (the phat CLI's default too).
constexpr uint64_t kGas = 100'000'000'000;
// The erc20's total supply, and what each benchmark origin is given: enough for 10^12 transfers
// of one token each, so no run ever fails for want of tokens.
constexpr Balance kTotalSupply = Balance(1'000'000'000'000'000'000ull);
constexpr Balance kTokensPerOrigin = Balance(1'000'000'000'000ull);
// How long commands and waits may take over HTTP before the bench gives up on the node.
constexpr auto kHttpTimeout = std::chrono::seconds(60);
constexpr int kReceiptWaitMs = 30'000;  // the node's limit for ?wait_ms

double MicrosSince(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double, std::micro>(end - start).count();
}

Result<Bytes> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(fmt::format("cannot read {}", path.string()));
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

Result<void> WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return unexpected(fmt::format("cannot write {}", path.string()));
  out.write(text.data(), std::streamsize(text.size()));
  if (!out.flush()) return unexpected(fmt::format("cannot write {}", path.string()));
  return {};
}

Result<json> ReadJsonFile(const std::filesystem::path& path) {
  const Bytes bytes = PHAT_TRY(ReadFile(path));
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return unexpected(fmt::format("{} is not JSON", path.string()));
  return j;
}

Result<std::array<uint8_t, 32>> Hex32(const json& j, const char* what) {
  auto bytes = j.is_string() ? FixedFromHex<32>(j.get<std::string>()) : std::nullopt;
  if (!bytes) return unexpected(fmt::format("{} is not 0x followed by 64 hex digits", what));
  return *bytes;
}

// The nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = size_t(std::ceil(p / 100.0 * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// ---- CPU accounting: who used the machine's cores during a timed part ----

struct CpuSample {
  double node = NAN;  // phatd's user+system seconds (NaN: no --pid)
  double self = 0;    // this process's
  double busy = 0;    // every process's, the whole machine
};

double TicksToSeconds(const std::string& ticks) {
  return double(std::stoull(ticks)) / double(sysconf(_SC_CLK_TCK));
}

// utime + stime of a process, from /proc/PID/stat (fields 14 and 15, after the command name,
// which may itself hold spaces and parentheses).
double ProcessCpuSeconds(int pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const size_t end_of_name = stat.rfind(')');
  if (end_of_name == std::string::npos) return NAN;
  std::istringstream rest(stat.substr(end_of_name + 2));
  std::vector<std::string> fields{std::istream_iterator<std::string>(rest), {}};
  if (fields.size() < 13) return NAN;
  return TicksToSeconds(fields[11]) + TicksToSeconds(fields[12]);
}

// The machine's busy time: the first line of /proc/stat less idle, iowait and steal.
double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t v[8] = {};
  in >> cpu >> v[0] >> v[1] >> v[2] >> v[3] >> v[4] >> v[5] >> v[6] >> v[7];
  const uint64_t busy = v[0] + v[1] + v[2] + v[5] + v[6];  // user nice system irq softirq
  return double(busy) / double(sysconf(_SC_CLK_TCK));
}

CpuSample SampleCpu(int node_pid) {
  CpuSample s;
  if (node_pid > 0) s.node = ProcessCpuSeconds(node_pid);
  rusage self{};
  getrusage(RUSAGE_SELF, &self);
  s.self = double(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
           double(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
  s.busy = MachineBusySeconds();
  return s;
}

// Cores in use on average between two samples: phatd, this process, everything else.
json CoresBusy(const CpuSample& a, const CpuSample& b, double seconds) {
  const double node = b.node - a.node, self = b.self - a.self;
  const double others = (b.busy - a.busy) - self - (std::isnan(node) ? 0 : node);
  return {{"phatd", std::isnan(node) ? json(nullptr) : json(node / seconds)},
          {"generator", self / seconds},
          {"others", std::max(0.0, others) / seconds}};
}

// ---- HTTP ----

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// How requests travel: all over one kept-alive connection (httplib reconnects by itself when the
// node closes it), or each over a connection of its own, closed after the answer. The second is
// there because phatd does not set TCP_NODELAY and writes an answer's headers and body in two
// sends: on a kept-alive connection the body then waits for the client's delayed ACK, about
// 40 ms (docs/PERFORMANCE.md); a fresh connection acknowledges at once.
enum class Connection { KeepAlive, Close };
// What the requests outside the timed part use (setup, nonces, checking receipts): they are many
// small ones, each of which would wait ~40 ms on a kept-alive connection.
constexpr Connection kUntimed = Connection::Close;

class Http {
 public:
  static Result<Http> Connect(std::string url, Connection connection) {
    while (url.ends_with('/')) url.pop_back();
    auto client = std::make_unique<httplib::Client>(url);
    if (!client->is_valid())
      return unexpected(fmt::format("--url wants http://HOST:PORT (got \"{}\")", url));
    client->set_keep_alive(connection == Connection::KeepAlive);
    // httplib too writes a request's headers and body in two sends: without this the body would
    // wait for the node's delayed ACK.
    client->set_tcp_nodelay(true);
    client->set_connection_timeout(std::chrono::seconds(5));
    client->set_read_timeout(kHttpTimeout);
    client->set_write_timeout(kHttpTimeout);
    return Http(std::move(url), std::move(client));
  }

  Result<HttpAnswer> Get(const std::string& path) {
    return Answer("GET " + path, client_->Get(path));
  }
  Result<HttpAnswer> Post(const std::string& path, const std::string& body) {
    return Answer("POST " + path, client_->Post(path, body, "application/json"));
  }

  // The JSON of a 2xx answer; anything else is an error with the node's own message.
  Result<json> GetJson(const std::string& path) { return Json("GET " + path, Get(path)); }
  Result<json> PostJson(const std::string& path, const json& body) {
    return Json("POST " + path, Post(path, body.dump()));
  }

 private:
  Http(std::string url, std::unique_ptr<httplib::Client> client)
      : url_(std::move(url)), client_(std::move(client)) {}

  Result<HttpAnswer> Answer(const std::string& what, const httplib::Result& res) {
    if (!res)
      return unexpected(
          fmt::format("{} to {} failed: {}", what, url_, httplib::to_string(res.error())));
    return HttpAnswer{res->status, res->body};
  }

  static Result<json> Json(const std::string& what, Result<HttpAnswer> answer) {
    if (!answer) return unexpected(answer.error());
    json body = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
    if (answer->status < 200 || answer->status >= 300)
      return unexpected(fmt::format("{}: HTTP {}: {}", what, answer->status, answer->body));
    if (body.is_discarded()) return unexpected(fmt::format("{}: the answer is not JSON", what));
    return body;
  }

  std::string url_;
  std::unique_ptr<httplib::Client> client_;
};

Result<CodeHash> ClusterId(Http& http) {
  const json status = PHAT_TRY(http.GetJson("/status"));
  return Hex32(status.value("cluster_id", json()), "the node's cluster_id");
}

Result<uint64_t> NonceOf(Http& http, const AccountId& account) {
  const json a = PHAT_TRY(http.GetJson("/accounts/" + Hex0x(account)));
  return a.value("nonce", uint64_t(0));
}

// A committed receipt, waiting for its block; an error if it does not come in time.
Result<json> WaitForReceipt(Http& http, const CodeHash& hash) {
  const auto deadline = Clock::now() + 2 * kHttpTimeout;
  const std::string path = fmt::format("/receipts/{}?wait_ms={}", Hex0x(hash), kReceiptWaitMs);
  for (;;) {
    auto answer = http.Get(path);
    if (!answer && Clock::now() < deadline) {  // a dropped connection: asking again is harmless
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    const HttpAnswer a = PHAT_TRY(std::move(answer));
    if (a.status == 200) {
      json receipt = json::parse(a.body, nullptr, /*allow_exceptions=*/false);
      if (receipt.is_discarded()) return unexpected("a receipt that is not JSON: " + a.body);
      return receipt;
    }
    if (a.status != 404 || Clock::now() > deadline)
      return unexpected(
          fmt::format("no receipt for command {}: HTTP {}: {}", Hex0x(hash), a.status, a.body));
  }
}

// ---- signing ----

// An ed25519 key whose keypair is derived once: deriving it is a scalar multiplication, as costly
// as the signature itself, and the bench signs hundreds of thousands of bodies.
struct Signer {
  crypto::Ed25519Keypair keys;
  AccountId account{};

  static Signer FromSeed(const std::array<uint8_t, 32>& seed) {
    Signer s;
    s.keys = crypto::Ed25519KeypairFromSeed(seed);
    s.account = s.keys.public_key;
    return s;
  }

  // SCALE(SignedCommand), as POST /commands takes it.
  Bytes SignCommand(const CodeHash& cluster, const ledger::Command& command) const {
    ledger::SignedCommand out;
    out.command = codec::Encode(command);
    out.scheme = ledger::SignatureScheme::Ed25519;
    out.public_key.assign(keys.public_key.begin(), keys.public_key.end());
    const auto sig = crypto::Ed25519Sign(keys, ledger::SigningPayload(cluster, out.command));
    out.signature.assign(sig.begin(), sig.end());
    return codec::Encode(out);
  }

  // SCALE(SignedQuery), as POST /query takes it.
  Bytes SignQuery(const CodeHash& cluster, const node::Query& query) const {
    node::SignedQuery out;
    out.query = codec::Encode(query);
    out.scheme = ledger::SignatureScheme::Ed25519;
    out.public_key.assign(keys.public_key.begin(), keys.public_key.end());
    const auto sig = crypto::Ed25519Sign(keys, node::QuerySigningPayload(cluster, out.query));
    out.signature.assign(sig.begin(), sig.end());
    return codec::Encode(out);
  }
};

const node::DevAccount& Alice() {
  return node::DevAccounts().front();
}

// The i-th benchmark origin: a fresh account nobody else uses, the same on every run.
std::array<uint8_t, 32> OriginSeed(size_t i) {
  return crypto::Blake2b256(AsBytes(fmt::format("phat bench origin {}", i)));
}

std::string CommandBody(ByteView signed_command) {
  return json{{"command", Hex0x(signed_command)}, {"wait", false}}.dump();
}

// ---- the contracts ----

struct Contract {
  ContractMetadata meta;
  Bytes wasm;
};

Result<Contract> LoadContract(const std::filesystem::path& dir, const std::string& name) {
  const auto json_path = dir / (name + ".json");
  auto meta = ContractMetadata::FromFile(json_path);
  if (!meta)
    return unexpected(
        fmt::format("{}: {} (build the sdk_examples target)", json_path.string(), meta.error()));
  Bytes wasm = PHAT_TRY(ReadFile(dir / (name + ".wasm")));
  return Contract{std::move(*meta), std::move(wasm)};
}

Result<Bytes> EncodeMessage(const ContractMetadata& meta, std::string_view label, const json& args,
                            bool constructor = false) {
  auto message = constructor ? meta.RequireConstructor(label) : meta.RequireMessage(label);
  if (!message) return unexpected(message.error());
  return meta.EncodeCall(**message, args);
}

Result<Bytes> Erc20Transfer(const ContractMetadata& erc20, const AccountId& to, Balance value) {
  return EncodeMessage(erc20, "transfer",
                       json::array({Hex0x(to), contracts::BalanceToString(value)}));
}

Result<Bytes> Erc20BalanceOf(const ContractMetadata& erc20, const AccountId& owner) {
  return EncodeMessage(erc20, "balance_of", json::array({Hex0x(owner)}));
}

// ---- the state file: what setup leaves for the other steps ----

struct BenchState {
  std::string url;
  CodeHash cluster{};
  std::filesystem::path contracts_dir;
  AccountId flipper{};
  AccountId erc20{};
  std::vector<std::array<uint8_t, 32>> origin_seeds;

  json ToJson() const {
    json origins = json::array();
    for (size_t i = 0; i < origin_seeds.size(); ++i)
      origins.push_back({{"seed", Hex0x(origin_seeds[i])},
                         {"account", Hex0x(Signer::FromSeed(origin_seeds[i]).account)}});
    return {{"url", url},
            {"cluster_id", Hex0x(cluster)},
            {"contracts_dir", contracts_dir.string()},
            {"flipper", Hex0x(flipper)},
            {"erc20", Hex0x(erc20)},
            {"alice", Hex0x(Alice().id)},
            {"tokens_per_origin", contracts::BalanceToString(kTokensPerOrigin)},
            {"origins", origins}};
  }

  static Result<BenchState> Load(const std::filesystem::path& path) {
    const json j = PHAT_TRY(ReadJsonFile(path));
    BenchState s;
    s.url = j.value("url", "");
    s.cluster = PHAT_TRY(Hex32(j.value("cluster_id", json()), "cluster_id"));
    s.contracts_dir = j.value("contracts_dir", "");
    s.flipper = PHAT_TRY(Hex32(j.value("flipper", json()), "flipper"));
    s.erc20 = PHAT_TRY(Hex32(j.value("erc20", json()), "erc20"));
    for (const json& o : j.value("origins", json::array()))
      s.origin_seeds.push_back(PHAT_TRY(Hex32(o.value("seed", json()), "an origin's seed")));
    return s;
  }
};

// ---- setup ----

// Submits signed commands in order without waiting for each (they share blocks), then waits for
// every receipt; fails unless all succeeded.
Result<std::vector<json>> SubmitAll(Http& http, const std::vector<Bytes>& commands) {
  std::vector<CodeHash> hashes;
  for (const Bytes& c : commands) {
    const HttpAnswer a = PHAT_TRY(http.Post("/commands", CommandBody(c)));
    if (a.status != 202)
      return unexpected(fmt::format("POST /commands: HTTP {}: {}", a.status, a.body));
    hashes.push_back(crypto::Blake2b256(c));
  }
  std::vector<json> receipts;
  for (const CodeHash& h : hashes) {
    json r = PHAT_TRY(WaitForReceipt(http, h));
    if (r.value("status", "") != "success")
      return unexpected(fmt::format("command {} was {}: {}", Hex0x(h), r.value("status", "?"),
                                    r.value("error", "")));
    receipts.push_back(std::move(r));
  }
  return receipts;
}

struct SetupOptions {
  std::string url;
  std::string contracts_dir;
  size_t origins = 16;
  std::string out;
};

// Alice's commands, signed with consecutive nonces from her current one.
class AliceCommands {
 public:
  AliceCommands(const CodeHash& cluster, uint64_t nonce)
      : cluster_(cluster), nonce_(nonce), alice_(Signer::FromSeed(Alice().seed)) {}
  Bytes Next(ledger::CommandBody body, uint64_t gas) {
    return alice_.SignCommand(cluster_,
                              ledger::Command{alice_.account, nonce_++, gas, std::move(body)});
  }
  uint64_t nonce() const { return nonce_; }

 private:
  CodeHash cluster_;
  uint64_t nonce_;
  Signer alice_;
};

Result<std::array<uint8_t, 32>> ReceiptId(const json& receipt, const char* field) {
  return Hex32(receipt.value(field, json()), fmt::format("the receipt's {}", field).c_str());
}

// Runs one query over HTTP and returns its decoded return value ({"Ok": …}).
Result<json> QueryOnce(Http& http, const CodeHash& cluster, const ContractMetadata& meta,
                       const AccountId& dest, std::string_view message, const json& args) {
  const Signer alice = Signer::FromSeed(Alice().seed);
  const Bytes input = PHAT_TRY(EncodeMessage(meta, message, args));
  const node::Query q{alice.account, dest, input, kGas, WallMs() + 30'000};
  const json answer =
      PHAT_TRY(http.PostJson("/query", {{"query", Hex0x(alice.SignQuery(cluster, q))}}));
  if (answer.contains("error"))
    return unexpected(fmt::format("query {}: {}", message, answer.dump()));
  auto data = FromHex(answer["result"].value("data", ""));
  if (!data) return unexpected(fmt::format("query {}: no result data", message));
  auto decoded = meta.DecodeReturn(*meta.FindMessage(message), *data);
  if (!decoded) return unexpected(fmt::format("query {}: {}", message, decoded.error()));
  return *decoded;
}

Result<void> Setup(const SetupOptions& o) {
  const auto dir = std::filesystem::absolute(o.contracts_dir);
  const Contract flipper = PHAT_TRY(LoadContract(dir, "flipper"));
  const Contract erc20 = PHAT_TRY(LoadContract(dir, "erc20"));
  Http http = PHAT_TRY(Http::Connect(o.url, kUntimed));
  const CodeHash cluster = PHAT_TRY(ClusterId(http));
  AliceCommands alice(cluster, PHAT_TRY(NonceOf(http, Alice().id)));

  // Uploads, then instantiations (which need the code hashes the uploads report). The salt is
  // alice's nonce, so that setup can run twice against one node.
  const auto uploads =
      PHAT_TRY(SubmitAll(http, {alice.Next(ledger::UploadCode{flipper.wasm, true}, 0),
                                alice.Next(ledger::UploadCode{erc20.wasm, true}, 0)}));
  const CodeHash flipper_code = PHAT_TRY(ReceiptId(uploads[0], "code_hash"));
  const CodeHash erc20_code = PHAT_TRY(ReceiptId(uploads[1], "code_hash"));
  const Bytes flipper_new =
      PHAT_TRY(EncodeMessage(flipper.meta, "new", json::array({false}), true));
  const Bytes erc20_new = PHAT_TRY(EncodeMessage(
      erc20.meta, "new", json::array({contracts::BalanceToString(kTotalSupply)}), true));
  const Bytes salt = codec::Encode(alice.nonce());
  const auto deployed = PHAT_TRY(SubmitAll(
      http, {alice.Next(ledger::InstantiateContract{flipper_code, 0, flipper_new, salt}, kGas),
             alice.Next(ledger::InstantiateContract{erc20_code, 0, erc20_new, salt}, kGas)}));

  BenchState state;
  state.url = o.url;
  state.cluster = cluster;
  state.contracts_dir = dir;
  state.flipper = PHAT_TRY(ReceiptId(deployed[0], "contract"));
  state.erc20 = PHAT_TRY(ReceiptId(deployed[1], "contract"));

  std::vector<Bytes> grants;
  for (size_t i = 0; i < o.origins; ++i) {
    state.origin_seeds.push_back(OriginSeed(i));
    const AccountId origin = Signer::FromSeed(state.origin_seeds.back()).account;
    const Bytes input = PHAT_TRY(Erc20Transfer(erc20.meta, origin, kTokensPerOrigin));
    grants.push_back(alice.Next(ledger::CallContract{state.erc20, 0, input}, kGas));
  }
  PHAT_TRY(SubmitAll(http, grants));

  // One query of each kind the bench sends, checked, so that a load run of answers that are
  // errors (HTTP 200 all the same) cannot pass unnoticed.
  const json flipped =
      PHAT_TRY(QueryOnce(http, cluster, flipper.meta, state.flipper, "get", nullptr));
  if (flipped != json{{"Ok", false}})
    return unexpected("flipper get answered " + flipped.dump() + ", not {\"Ok\": false}");
  const json balance = PHAT_TRY(QueryOnce(http, cluster, erc20.meta, state.erc20, "balance_of",
                                          json::array({Hex0x(Alice().id)})));
  const std::string expected =
      contracts::BalanceToString(kTotalSupply - kTokensPerOrigin * o.origins);
  if (balance != json{{"Ok", expected}})
    return unexpected(fmt::format("erc20 balance_of(alice) answered {}, not {{\"Ok\": \"{}\"}}",
                                  balance.dump(), expected));

  PHAT_TRY(WriteFile(o.out, state.ToJson().dump(2) + "\n"));
  fmt::print("flipper {}\nerc20 {}\norigins {} with {} tokens each\nstate {}\n",
             Hex0x(state.flipper), Hex0x(state.erc20), o.origins,
             contracts::BalanceToString(kTokensPerOrigin), o.out);
  return {};
}

// ---- queries: pre-signed bodies for wrk ----

// Makes the JSON body of the index-th query of a batch. Every body must differ (the node refuses a
// signed query it has seen with 409), so each kind varies something harmless per index.
using BodyMaker = std::function<std::string(uint64_t index)>;

// Signed queries (POST /query, "phat-query-v1") by alice. They differ in gas_limit, kGas + index,
// which changes neither the work nor the answer; all expire at `expiry_ms`.
BodyMaker SignedQueryBodies(const CodeHash& cluster, const AccountId& dest, Bytes input,
                            uint64_t expiry_ms) {
  return [cluster, dest, input = std::move(input), expiry_ms,
          alice = Signer::FromSeed(Alice().seed)](uint64_t index) {
    const node::Query q{alice.account, dest, input, kGas + index, expiry_ms};
    return json{{"query", Hex0x(alice.SignQuery(cluster, q))}}.dump();
  };
}

// Session queries (POST /query with a MAC, docs/API.md): one session opened by alice over HTTP
// now, then each body with the next counter. wrk sends the bodies roughly in order (each thread
// takes every T-th line), well within the node's window of 4096 counters.
Result<BodyMaker> SessionQueryBodies(const std::string& url, const CodeHash& cluster,
                                     const AccountId& dest, Bytes input, uint64_t expiry_ms) {
  Http http = PHAT_TRY(Http::Connect(url, kUntimed));
  const crypto::KxKeypair keys = crypto::KxKeypairRandom();
  const node::SessionRequest request{Alice().id, keys.public_key, expiry_ms};
  const json opened = PHAT_TRY(http.PostJson(
      "/sessions",
      json{{"session", Hex0x(codec::Encode(node::SignSessionRequestEd25519(cluster, request,
                                                                           Alice().seed)))}}));
  auto id = FixedFromHex<16>(opened.value("session_id", ""));
  auto node_key = FixedFromHex<32>(opened.value("node_key", ""));
  auto key = node_key ? node::SessionKeyAtClient(keys, *node_key) : std::nullopt;
  if (!id || !key) return unexpected("POST /sessions answered " + opened.dump());
  return BodyMaker([id = *id, key = *key, dest, input = std::move(input)](uint64_t index) {
    const Bytes q = codec::Encode(node::SessionQuery{id, index + 1, dest, input, kGas});
    return json{{"session_query", Hex0x(q)}, {"mac", Hex0x(node::SessionQueryMac(key, q))}}.dump();
  });
}

// The kinds of query body --kind chooses from. Another form of query (another endpoint, another
// kind of authentication) is one more entry here and one more generator above.
const std::map<std::string, std::string> kQueryKinds = {
    {"erc20-balance-of", "a signed query: erc20 balance_of(alice)"},
    {"flipper-get", "a signed query: flipper get()"},
    {"erc20-balance-of-session", "a session query (MAC): erc20 balance_of(alice); needs --url"},
};

Result<BodyMaker> MakeBodyMaker(const std::string& kind, const BenchState& s, uint64_t expiry_ms,
                                const std::string& url) {
  if (kind == "erc20-balance-of-session") {
    if (url.empty()) return unexpected(std::string("session queries need --url to open one"));
    const Contract erc20 = PHAT_TRY(LoadContract(s.contracts_dir, "erc20"));
    return SessionQueryBodies(url, s.cluster, s.erc20,
                              PHAT_TRY(Erc20BalanceOf(erc20.meta, Alice().id)), expiry_ms);
  }
  if (kind == "erc20-balance-of") {
    const Contract erc20 = PHAT_TRY(LoadContract(s.contracts_dir, "erc20"));
    return SignedQueryBodies(s.cluster, s.erc20, PHAT_TRY(Erc20BalanceOf(erc20.meta, Alice().id)),
                             expiry_ms);
  }
  if (kind == "flipper-get") {
    const Contract flipper = PHAT_TRY(LoadContract(s.contracts_dir, "flipper"));
    return SignedQueryBodies(s.cluster, s.flipper,
                             PHAT_TRY(EncodeMessage(flipper.meta, "get", nullptr)), expiry_ms);
  }
  return unexpected(fmt::format("no query kind \"{}\"", kind));
}

struct QueriesOptions {
  std::string state;
  uint64_t count = 0;
  std::string out;
  std::string kind = "erc20-balance-of";
  std::string url;  // session kinds open their session here
  // The node accepts an expiry at most 60 s ahead; the bodies must be sent before they expire.
  uint64_t lifetime_ms = 55'000;
};

Result<void> WriteQueries(const QueriesOptions& o) {
  const BenchState state = PHAT_TRY(BenchState::Load(o.state));
  const auto started = Clock::now();
  const uint64_t expiry = WallMs() + o.lifetime_ms;
  const BodyMaker make = PHAT_TRY(MakeBodyMaker(o.kind, state, expiry, o.url));
  std::FILE* f = std::fopen(o.out.c_str(), "wb");
  if (!f) return unexpected(fmt::format("cannot write {}", o.out));
  std::string line;
  for (uint64_t i = 0; i < o.count; ++i) {
    line = make(i);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), f);
  }
  if (std::fclose(f) != 0) return unexpected(fmt::format("cannot write {}", o.out));
  fmt::print("wrote {} {} bodies to {} in {:.1f} s; they expire in {:.1f} s\n", o.count, o.kind,
             o.out, MicrosSince(started, Clock::now()) / 1e6, double(expiry - WallMs()) / 1000);
  return {};
}

// ---- commands: erc20 transfers committed end to end ----

struct CommandsOptions {
  std::string url;
  std::string state;
  uint64_t count = 20'000;
  size_t concurrency = 16;
  Connection connection = Connection::KeepAlive;
  int node_pid = 0;  // phatd's, to account for its CPU time; 0: unknown
  bool json = false;
  size_t batch = 1;  // > 1: POST /commands/batch with this many commands per request
};

// One origin's share of the run: its transfers in nonce order, and what happened to them.
struct OriginRun {
  std::vector<std::string> bodies;  // POST /commands (or /commands/batch) bodies, in order
  std::vector<CodeHash> hashes;
  std::vector<double> submit_us;  // per accepted command
  uint64_t resent = 0;            // requests sent again after the node dropped the connection
  Clock::time_point committed{};  // when its last command's receipt came back
  std::string error;
};

// How often a request the node dropped without answering is sent again. phatd's listen queue
// holds 5 connections (cpp-httplib 0.11's backlog); when it overflows the kernel drops the
// handshake, and with SYN cookies it may reset a connection just after it, before the node has
// read anything (docs/PERFORMANCE.md). Clients retry such a request. Should the node have
// queued the first copy after all, the second is committed as `rejected` (its nonce is used) under
// the same hash, and the first one's success still counts.
constexpr int kResends = 3;

// Pre-signs `count` transfers of one token, spread over the origins round-robin; each origin
// sends to the next one, so no account is a hot spot.
Result<std::vector<OriginRun>> SignTransfers(Http& http, const BenchState& s, uint64_t count,
                                             size_t origins, size_t batch) {
  const Contract erc20 = PHAT_TRY(LoadContract(s.contracts_dir, "erc20"));
  std::vector<OriginRun> runs(origins);
  for (size_t i = 0; i < origins; ++i) {
    const Signer from = Signer::FromSeed(s.origin_seeds[i]);
    const AccountId to = Signer::FromSeed(s.origin_seeds[(i + 1) % origins]).account;
    const Bytes input = PHAT_TRY(Erc20Transfer(erc20.meta, to, 1));
    uint64_t nonce = PHAT_TRY(NonceOf(http, from.account));
    const uint64_t share = count / origins + (i < count % origins ? 1 : 0);
    json group = json::array();
    for (uint64_t k = 0; k < share; ++k) {
      const Bytes signed_command = from.SignCommand(
          s.cluster,
          ledger::Command{from.account, nonce++, kGas, ledger::CallContract{s.erc20, 0, input}});
      runs[i].hashes.push_back(crypto::Blake2b256(signed_command));
      if (batch <= 1) {
        runs[i].bodies.push_back(CommandBody(signed_command));
        continue;
      }
      group.push_back(Hex0x(signed_command));
      if (group.size() == batch || k + 1 == share) {
        runs[i].bodies.push_back(json{{"commands", group}}.dump());
        group = json::array();
      }
    }
  }
  return runs;
}

// Whether the node took every command of a request: 202 for one, 200 with every result 202 for
// a batch.
bool AllQueued(const HttpAnswer& a, bool batch) {
  if (!batch) return a.status == 202;
  if (a.status != 200) return false;
  const json body = json::parse(a.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.contains("results")) return false;
  for (const json& r : body["results"])
    if (r.value("status", 0) != 202) return false;
  return true;
}

// Sends one origin's commands in order on its own connection (so they reach the node in nonce
// order), then waits for the receipt of the last, which commits after all the others.
void SendOrigin(const CommandsOptions& o, OriginRun& run, std::latch& go) {
  auto http = Http::Connect(o.url, o.connection);
  go.wait();
  if (!http) {
    run.error = http.error();
    return;
  }
  const bool batch = o.batch > 1;
  const std::string path = batch ? "/commands/batch" : "/commands";
  for (const std::string& body : run.bodies) {
    const auto sent = Clock::now();
    auto answer = http->Post(path, body);
    for (int i = 0; !answer && i < kResends; ++i, ++run.resent) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      answer = http->Post(path, body);
    }
    if (!answer || !AllQueued(*answer, batch)) {
      run.error = fmt::format(
          "after {} of its {} transfers: {}", run.submit_us.size(), run.bodies.size(),
          answer ? fmt::format("HTTP {}: {}", answer->status, answer->body) : answer.error());
      return;
    }
    run.submit_us.push_back(MicrosSince(sent, Clock::now()));
  }
  if (run.hashes.empty()) return;
  if (auto last = WaitForReceipt(*http, run.hashes.back()); !last) run.error = last.error();
  run.committed = Clock::now();
}

// Every receipt of the run, looked up in the blocks committed since `from_height`. A command sent
// twice has two receipts; the successful one is kept.
Result<std::map<CodeHash, std::string>> ReceiptStatuses(Http& http, uint64_t from_height) {
  const json status = PHAT_TRY(http.GetJson("/status"));
  const uint64_t height = status.value("height", uint64_t(0));
  std::map<CodeHash, std::string> out;
  for (uint64_t n = from_height + 1; n <= height; ++n) {
    const json block = PHAT_TRY(http.GetJson(fmt::format("/blocks/{}", n)));
    for (const json& r : block.value("receipts", json::array()))
      if (auto hash = FixedFromHex<32>(r.value("hash", ""))) {
        std::string& status = out[*hash];
        if (status != "success")
          status = r.value("status", "?") +
                   (r.value("error", "").empty() ? "" : ": " + r.value("error", ""));
      }
  }
  return out;
}

Result<void> RunCommands(const CommandsOptions& o) {
  const BenchState state = PHAT_TRY(BenchState::Load(o.state));
  if (o.concurrency == 0 || o.concurrency > state.origin_seeds.size())
    return unexpected(fmt::format("--concurrency must be between 1 and the {} origins setup made",
                                  state.origin_seeds.size()));
  Http http = PHAT_TRY(Http::Connect(o.url, kUntimed));
  std::vector<OriginRun> runs =
      PHAT_TRY(SignTransfers(http, state, o.count, o.concurrency, o.batch));
  const uint64_t start_height = PHAT_TRY(http.GetJson("/status")).value("height", uint64_t(0));

  std::latch go(1);
  std::vector<std::thread> threads;
  for (OriginRun& run : runs) threads.emplace_back([&o, &go, r = &run] { SendOrigin(o, *r, go); });
  const CpuSample cpu_before = SampleCpu(o.node_pid);
  const auto started = Clock::now();
  go.count_down();
  for (std::thread& t : threads) t.join();
  const CpuSample cpu_after = SampleCpu(o.node_pid);
  const auto ended = Clock::now();

  Clock::time_point last_commit = started;
  std::vector<double> submit_us;
  uint64_t resent = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    const OriginRun& run = runs[i];
    if (!run.error.empty())
      return unexpected(fmt::format("sending transfers: origin {} {}", i, run.error));
    last_commit = std::max(last_commit, run.committed);
    resent += run.resent;
    submit_us.insert(submit_us.end(), run.submit_us.begin(), run.submit_us.end());
  }
  std::sort(submit_us.begin(), submit_us.end());
  const double seconds = MicrosSince(started, last_commit) / 1e6;

  // Every transfer must have succeeded: a rejected nonce or a failed call would make the rate a
  // lie.
  const auto statuses = PHAT_TRY(ReceiptStatuses(http, start_height));
  uint64_t succeeded = 0, missing = 0;
  std::map<std::string, uint64_t> failures;
  for (const OriginRun& run : runs)
    for (const CodeHash& h : run.hashes) {
      auto it = statuses.find(h);
      if (it == statuses.end())
        ++missing;
      else if (it->second == "success")
        ++succeeded;
      else
        ++failures[it->second];
    }
  const uint64_t end_height = PHAT_TRY(http.GetJson("/status")).value("height", uint64_t(0));
  const uint64_t blocks = end_height - start_height;

  const json result = {
      {"transfers", o.count},
      {"concurrency", o.concurrency},
      {"batch", o.batch},
      {"connection", o.connection == Connection::KeepAlive ? "keep-alive" : "close"},
      {"seconds", seconds},
      {"committed_per_s", double(o.count) / seconds},
      {"submit_p50_us", Percentile(submit_us, 50)},
      {"submit_p99_us", Percentile(submit_us, 99)},
      {"submit_max_us", Percentile(submit_us, 100)},
      {"succeeded", succeeded},
      {"resent", resent},
      {"failed", o.count - succeeded},
      {"blocks", blocks},
      {"commands_per_block", blocks ? double(o.count) / double(blocks) : 0.0},
      // From the start until every sender has its last receipt: the CPU time
      // of the timed part, in cores (CPU-seconds per second).
      {"cpu", CoresBusy(cpu_before, cpu_after, MicrosSince(started, ended) / 1e6)},
      {"phatd_cpu_us_per_transfer",
       o.node_pid ? json((cpu_after.node - cpu_before.node) * 1e6 / double(o.count))
                  : json(nullptr)}};
  if (o.json) {
    fmt::print("{}\n", result.dump());
  } else {
    fmt::print("{} erc20 transfers over {} connections committed in {:.3f} s: {:.0f}/s\n", o.count,
               o.concurrency, seconds, double(o.count) / seconds);
    fmt::print("submit latency p50 {:.0f} us, p99 {:.0f} us; {} blocks, {:.0f} commands each\n",
               Percentile(submit_us, 50), Percentile(submit_us, 99), blocks,
               result["commands_per_block"].get<double>());
    if (resent)
      fmt::print("{} requests sent again after the node dropped their connection\n", resent);
  }
  if (succeeded != o.count) {
    std::string why;
    for (const auto& [status, n] : failures) why += fmt::format("; {} {}", n, status);
    return unexpected(fmt::format("{} of {} transfers did not succeed ({} without a receipt{})",
                                  o.count - succeeded, o.count, missing, why));
  }
  return {};
}

// ---- stages: the node's per-request work, in process ----

// The median over `repeats` batches of the time per call of `fn`, in microseconds.
double MicrosPerCall(size_t iterations, const std::function<void(size_t)>& fn) {
  constexpr int kRepeats = 5;
  std::vector<double> per_call;
  size_t i = 0;
  for (int r = 0; r < kRepeats; ++r) {
    const auto start = Clock::now();
    for (size_t k = 0; k < iterations; ++k) fn(i++);
    per_call.push_back(MicrosSince(start, Clock::now()) / double(iterations));
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[kRepeats / 2];
}

struct Stage {
  std::string name;
  double us = 0;
};

// A realistic query body: alice's erc20 balance_of, as `queries` writes it (the contract address
// is made up: nothing here runs it).
node::Query SampleQuery() {
  Bytes input = {0x0f, 0x75, 0x5a, 0x56};  // balance_of's selector
  input.insert(input.end(), Alice().id.begin(), Alice().id.end());
  AccountId dest{};
  dest.fill(0xee);
  return node::Query{Alice().id, dest, input, kGas, WallMs() + 30'000};
}

// The round trip of handing a task to another thread and waiting for its result, as phatd's HTTP
// threads do for every query (src/node/node.cc: a WorkerPool of threads waiting on a condition
// variable, and a promise the worker fulfils). A stand-in built the same way, since the node's
// pool is private to it.
double MeasureHandoff(size_t n) {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> tasks;
  bool stopping = false;
  std::thread worker([&] {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !tasks.empty(); });
        if (tasks.empty()) return;
        task = std::move(tasks.front());
        tasks.pop_front();
      }
      task();
    }
  });
  const double us = MicrosPerCall(n, [&](size_t i) {
    auto promise = std::make_shared<std::promise<size_t>>();
    auto future = promise->get_future();
    {
      std::lock_guard lock(mu);
      tasks.push_back([promise, i] { promise->set_value(i); });
    }
    cv.notify_one();
    future.wait();
  });
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  cv.notify_all();
  worker.join();
  return us;
}

// A chain of its own in a temporary directory, with erc20 deployed by alice: for timing what a
// query worker does, on RocksDB as in phatd.
class ScratchChain {
 public:
  static Result<std::unique_ptr<ScratchChain>> Open(const std::filesystem::path& contracts) {
    auto scratch = std::unique_ptr<ScratchChain>(new ScratchChain());
    scratch->dir_ = std::filesystem::temp_directory_path() /
                    fmt::format("phat-node-bench-stages-{}", ::getpid());
    std::filesystem::remove_all(scratch->dir_);
    ledger::ChainConfig config;
    config.data_dir = scratch->dir_.string();
    config.cluster_id = node::DevClusterId();
    config.genesis = node::DevGenesis();
    scratch->chain_ = PHAT_TRY(ledger::Chain::Open(std::move(config)));
    scratch->erc20_ = PHAT_TRY(LoadContract(contracts, "erc20"));
    const Signer alice = Signer::FromSeed(Alice().seed);
    const ledger::Receipt upload = PHAT_TRY(scratch->Run(alice.SignCommand(
        node::DevClusterId(), {alice.account, 0, 0, ledger::UploadCode{scratch->erc20_.wasm}})));
    const Bytes ctor =
        PHAT_TRY(EncodeMessage(scratch->erc20_.meta, "new",
                               json::array({contracts::BalanceToString(kTotalSupply)}), true));
    const ledger::Receipt deployed = PHAT_TRY(scratch->Run(alice.SignCommand(
        node::DevClusterId(),
        {alice.account, 1, kGas, ledger::InstantiateContract{*upload.code_hash, 0, ctor, {}}})));
    scratch->erc20_address_ = *deployed.contract;
    return scratch;
  }
  ~ScratchChain() {
    chain_.reset();
    std::filesystem::remove_all(dir_);
  }

  ledger::Chain& chain() { return *chain_; }
  const ContractMetadata& erc20() const { return erc20_.meta; }
  const AccountId& erc20_address() const { return erc20_address_; }

 private:
  ScratchChain() = default;
  Result<ledger::Receipt> Run(Bytes signed_command) {
    auto hash = chain_->Submit(std::move(signed_command));
    if (!hash) return unexpected("submitting to the scratch chain: " + hash.error().message);
    auto receipt = chain_->WaitForReceipt(*hash, std::chrono::seconds(10));
    if (!receipt || receipt->status != ledger::Receipt::Status::Success)
      return unexpected(std::string("setting up the scratch chain: a command did not succeed") +
                        (receipt ? ": " + receipt->error : ""));
    return *receipt;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ledger::Chain> chain_;
  Contract erc20_;
  AccountId erc20_address_{};
};

// One query as a worker runs it (src/node/node.cc, PostQuery's task): a snapshot of the committed
// state, its height, and erc20 balance_of(alice).
Result<double> MeasureWorkerQuery(const std::filesystem::path& contracts, size_t n) {
  auto scratch = PHAT_TRY(ScratchChain::Open(contracts));
  const Bytes input = PHAT_TRY(Erc20BalanceOf(scratch->erc20(), Alice().id));
  const contracts::CallRequest call{Alice().id, scratch->erc20_address(), 0, input,
                                    contracts::Weight{kGas, 0}};
  static std::atomic<size_t> sink{0};
  return MicrosPerCall(n, [&](size_t) {
    auto snapshot = scratch->chain().Snapshot();
    uint64_t height = 0;
    if (auto h = snapshot->GetMeta("height")) height = codec::DecodeAll<uint64_t>(*h).value_or(0);
    const contracts::BlockContext block{uint32_t(height), WallMs()};
    sink += scratch->chain().runtime().Query(*snapshot, block, call).ok();
  });
}

std::vector<Stage> MeasureStages(size_t n, const std::string& contracts_dir) {
  // Keep results alive so the compiler cannot drop the work.
  static std::atomic<size_t> sink{0};
  const CodeHash cluster = node::DevClusterId();
  const Signer alice = Signer::FromSeed(Alice().seed);
  const node::Query query = SampleQuery();
  const Bytes query_bytes = codec::Encode(query);
  const Bytes signed_query = alice.SignQuery(cluster, query);
  const std::string body = json{{"query", Hex0x(signed_query)}}.dump();
  const Bytes payload = node::QuerySigningPayload(cluster, query_bytes);
  const auto signature = crypto::Ed25519Sign(alice.keys, payload);

  std::array<uint8_t, 32> ecdsa_secret = crypto::Blake2b256(AsBytes("phat bench secp256k1"));
  const crypto::Hash256 digest = crypto::Blake2b256(payload);
  const auto ecdsa_key = crypto::PublicKeyFromSecret(ecdsa_secret).value();
  const auto ecdsa_sig = crypto::EcdsaSignPrehashed(ecdsa_secret, digest).value();

  const Bytes transfer = alice.SignCommand(
      cluster,
      ledger::Command{alice.account, 0, kGas, ledger::CallContract{query.dest, 0, query.input}});
  const auto decoded_command = codec::DecodeAll<ledger::SignedCommand>(transfer).value();
  const auto decoded_query = codec::DecodeAll<node::SignedQuery>(signed_query).value();

  // The replay guard as the node has it under load: full (100,000 entries), so that every new
  // query also evicts the one closest to expiry.
  node::ReplayGuard guard(100'000);
  const uint64_t now = WallMs();
  for (size_t i = 0; i < 100'000; ++i)
    guard.CheckAndRecord(crypto::Blake2b256(AsBytes(fmt::format("{}", i))), now + 30'000 + i, now);
  std::vector<CodeHash> fresh;
  for (size_t i = 0; i < 6 * n; ++i)
    fresh.push_back(crypto::Blake2b256(AsBytes(fmt::format("q{}", i))));

  std::vector<Stage> stages;
  auto add = [&](std::string name, size_t iterations, const std::function<void(size_t)>& fn) {
    stages.push_back({std::move(name), MicrosPerCall(iterations, fn)});
  };
  add("ed25519 verify", n,
      [&](size_t) { sink += crypto::Ed25519Verify(signature, payload, alice.keys.public_key); });
  add("secp256k1 verify (prehashed)", n,
      [&](size_t) { sink += crypto::EcdsaVerifyPrehashed(ecdsa_sig, digest, ecdsa_key); });
  add("ed25519 sign (keypair derived once)", n,
      [&](size_t) { sink += crypto::Ed25519Sign(alice.keys, payload)[0]; });
  add(fmt::format("blake2b-256 of a query ({} B)", query_bytes.size()), 20 * n,
      [&](size_t) { sink += crypto::Blake2b256(query_bytes)[0]; });
  add("query body: JSON parse + hex decode", 10 * n, [&](size_t) {
    const json j = json::parse(body);
    sink += FromHex(j["query"].get_ref<const std::string&>())->size();
  });
  add("query: SCALE decode of SignedQuery", 20 * n,
      [&](size_t) { sink += codec::DecodeAll<node::SignedQuery>(signed_query)->query.size(); });
  add("query: VerifyQuery (decode + ed25519 verify)", n,
      [&](size_t) { sink += node::VerifyQuery(cluster, decoded_query).has_value(); });
  add("query: ReplayGuard record (full, 100k)", n,
      [&](size_t i) { sink += guard.CheckAndRecord(fresh[i], now + 60'000 + i, now); });
  add("command: VerifyCommand (erc20 transfer)", n,
      [&](size_t) { sink += ledger::VerifyCommand(cluster, decoded_command).has_value(); });
  stages.push_back({"thread handoff and back (condition variable + promise)", MeasureHandoff(n)});
  if (auto us = MeasureWorkerQuery(contracts_dir, n))
    stages.push_back({"query worker: snapshot + erc20 balance_of on RocksDB", *us});
  else
    fmt::print(stderr, "phat_node_bench: the query worker stage is left out: {}\n", us.error());
  return stages;
}

void PrintStages(const std::vector<Stage>& stages, bool as_json) {
  if (as_json) {
    json out = json::array();  // in the order measured
    for (const Stage& s : stages) out.push_back({{"stage", s.name}, {"us", s.us}});
    fmt::print("{}\n", out.dump());
    return;
  }
  fmt::print("{:<56} {:>10} {:>10}\n", "stage (in process)", "us/call", "calls/s");
  for (const Stage& s : stages)
    fmt::print("{:<56} {:>10.2f} {:>10.0f}\n", s.name, s.us, 1e6 / s.us);
}

int Finish(Result<void> r) {
  if (!r) {
    fmt::print(stderr, "phat_node_bench: {}\n", r.error());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace phat::bench

int main(int argc, char** argv) {
  using namespace phat::bench;
  CLI::App app{"phat_node_bench: load for phatd's HTTP API (bench/node.mjs runs it with wrk)"};
  app.require_subcommand(1);
  int rc = 0;

  SetupOptions setup;
  CLI::App* setup_cmd = app.add_subcommand(
      "setup", "Deploy flipper and erc20, fund the origins, write the state file");
  setup_cmd->add_option("--url", setup.url, "phatd's URL, http://127.0.0.1:PORT")->required();
  setup_cmd
      ->add_option("--contracts", setup.contracts_dir, "Where flipper and erc20 .wasm/.json are")
      ->required();
  setup_cmd->add_option("--origins", setup.origins, "Benchmark origins to fund")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  setup_cmd->add_option("--out", setup.out, "The state file to write")->required();
  setup_cmd->callback([&] { rc = Finish(Setup(setup)); });

  QueriesOptions queries;
  CLI::App* queries_cmd =
      app.add_subcommand("queries", "Write pre-signed POST /query bodies, one per line");
  queries_cmd->add_option("--state", queries.state, "The state file setup wrote")->required();
  queries_cmd->add_option("--count", queries.count, "How many bodies")->required();
  queries_cmd->add_option("--out", queries.out, "The file to write")->required();
  std::string kinds;
  for (const auto& [kind, what] : kQueryKinds) kinds += fmt::format("\n  {}: {}", kind, what);
  queries_cmd->add_option("--kind", queries.kind, "Which query body:" + kinds)
      ->capture_default_str()
      ->check(CLI::IsMember(kQueryKinds));
  queries_cmd
      ->add_option("--lifetime-ms", queries.lifetime_ms,
                   "Expiry from now (the node accepts at most 60000)")
      ->capture_default_str();
  queries_cmd->add_option("--url", queries.url, "phatd's URL (session kinds open a session)");
  queries_cmd->callback([&] { rc = Finish(WriteQueries(queries)); });

  CommandsOptions commands;
  CLI::App* commands_cmd = app.add_subcommand(
      "commands", "Send pre-signed erc20 transfers and measure them committed end to end");
  commands_cmd->add_option("--url", commands.url, "phatd's URL")->required();
  commands_cmd->add_option("--state", commands.state, "The state file setup wrote")->required();
  commands_cmd->add_option("--count", commands.count, "Transfers")->capture_default_str();
  commands_cmd
      ->add_option("--concurrency", commands.concurrency,
                   "Connections, one origin each (at most the origins setup made)")
      ->capture_default_str();
  std::string connection = "keep-alive";
  commands_cmd
      ->add_option("--connection", connection,
                   "keep-alive: each connection carries all its origin's transfers; close: a "
                   "connection per transfer")
      ->check(CLI::IsMember({"keep-alive", "close"}))
      ->capture_default_str();
  commands_cmd->add_option("--pid", commands.node_pid,
                           "phatd's process id, to report the CPU time it used");
  commands_cmd->add_flag("--json", commands.json, "Print one JSON line");
  commands_cmd
      ->add_option("--batch", commands.batch,
                   "Commands per request: above 1, POST /commands/batch (at most 1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  commands_cmd->callback([&] {
    commands.connection = connection == "close" ? Connection::Close : Connection::KeepAlive;
    rc = Finish(RunCommands(commands));
  });

  size_t stage_iterations = 2000;
  bool stages_json = false;
  CLI::App* stages_cmd =
      app.add_subcommand("stages", "Time the node's per-request work in process (no node needed)");
  stages_cmd->add_option("--iterations", stage_iterations, "Calls per batch (5 batches)")
      ->capture_default_str();
  stages_cmd->add_flag("--json", stages_json, "Print the stages as a JSON array");
  std::string stage_contracts = PHAT_CONTRACTS_DIR;
  stages_cmd->add_option("--contracts", stage_contracts, "Where erc20.wasm and erc20.json are")
      ->capture_default_str();
  stages_cmd->callback(
      [&] { PrintStages(MeasureStages(stage_iterations, stage_contracts), stages_json); });

  CLI11_PARSE(app, argc, argv);
  return rc;
}
