#include "phat/node/node.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "admission.h"
#include "http_server.h"
#include "phat/crypto/ed25519.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/key_exchange.h"
#include "phat/node/log_buffer.h"
#include "phat/node/metrics.h"
#include "phat/node/query.h"
#include "phat/node/session.h"
#include "phat/pink/extension.h"

namespace phat::node {

using nlohmann::json;

// ---- The development cluster ----

const std::vector<DevAccount>& DevAccounts() {
  static const std::vector<DevAccount> accounts = [] {
    std::vector<DevAccount> out;
    for (const char* name : {"alice", "bob", "charlie", "dave"}) {
      DevAccount a;
      a.name = name;
      a.seed = crypto::Blake2b256(AsBytes(std::string("phat dev account ") + name));
      a.id = crypto::Ed25519KeypairFromSeed(a.seed).public_key;
      out.push_back(std::move(a));
    }
    return out;
  }();
  return accounts;
}

contracts::CodeHash DevClusterId() {
  return crypto::Blake2b256(AsBytes("phat dev cluster"));
}

contracts::StateChanges DevGenesis() {
  contracts::StateChanges genesis;
  for (const DevAccount& a : DevAccounts()) genesis.balances[a.id] = kDevAccountBalance;
  return genesis;
}

namespace {

uint64_t MillisNow() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

std::string Hex0x(ByteView bytes) {
  return "0x" + ToHex(bytes);
}

json EventJson(const contracts::Event& e) {
  json topics = json::array();
  for (const auto& t : e.topics) topics.push_back(Hex0x(t));
  return {{"contract", Hex0x(e.contract)}, {"topics", topics}, {"data", Hex0x(e.data)}};
}

json ReceiptJson(const ledger::Receipt& r, std::optional<uint64_t> block) {
  json events = json::array();
  for (const auto& e : r.events) events.push_back(EventJson(e));
  json out = {
      {"hash", Hex0x(r.command_hash)},
      {"status", std::string(ledger::ReceiptStatusName(r.status))},
      {"error", r.error},
      {"origin", Hex0x(r.origin)},
      {"nonce", r.nonce},
      {"output", Hex0x(r.output)},
      {"events", events},
      {"gas_consumed", r.gas_consumed},
      {"contract", r.contract ? json(Hex0x(*r.contract)) : json(nullptr)},
      {"code_hash", r.code_hash ? json(Hex0x(*r.code_hash)) : json(nullptr)},
      {"block", block ? json(*block) : json(nullptr)},
      {"debug_message", r.debug_message},
  };
  return out;
}

// What a message returned, as an "output" log line says it.
std::string OutputLine(bool reverted, ByteView data) {
  return fmt::format("{} {}", reverted ? "reverted" : "ok", Hex0x(data));
}
std::string OutputLine(const Expected<contracts::ExecReturn, contracts::Error>& outcome) {
  return outcome ? OutputLine(outcome->reverted(), outcome->data) : outcome.error().ToString();
}
std::string OutputLine(const ledger::Receipt& r) {
  return r.status == ledger::Receipt::Status::Failed
             ? r.error
             : OutputLine(r.status == ledger::Receipt::Status::Reverted, r.output);
}

// The label a request is counted under in the metrics: its route, not its path, so that ids in
// paths do not make a label per account.
std::string EndpointOf(const http::Request& req) {
  static const char* kKnown[] = {"/health",    "/status",   "/metrics", "/commands/batch",
                                 "/commands",  "/receipts", "/query",   "/accounts",
                                 "/contracts", "/blocks",   "/events",  "/sessions"};
  for (const char* e : kKnown) {
    const std::string_view p = req.path;
    if (p == e || (p.starts_with(e) && p.size() > strlen(e) && p[strlen(e)] == '/'))
      return req.method + " " + e;
  }
  return req.method + " other";
}

void Reply(http::Response& res, int status, const json& body) {
  res.status = status;
  res.content_type = "application/json";
  res.body = body.dump() + "\n";
}
void Error(http::Response& res, int status, const std::string& message) {
  Reply(res, status, json{{"error", message}});
}

// The JSON object of a request body; an error says why not.
Expected<json, std::string> ParseBody(const std::string& text) {
  json body = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return unexpected(std::string("the request body is not valid JSON"));
  if (!body.is_object()) return unexpected(std::string("the request body must be a JSON object"));
  return body;
}

// A hex string field of a JSON body: present, a string, and hex.
Expected<Bytes, std::string> HexField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return unexpected(fmt::format("the field \"{}\" is missing", name));
  if (!it->is_string())
    return unexpected(fmt::format("the field \"{}\" must be a string of 0x-prefixed hex", name));
  auto bytes = FromHex(it->get<std::string>());
  if (!bytes)
    return unexpected(fmt::format("the field \"{}\" is not hex (whole bytes, 0x-prefixed)", name));
  return std::move(*bytes);
}

std::optional<std::array<uint8_t, 32>> Id32(const std::string& text) {
  if (!text.starts_with("0x") && !text.starts_with("0X")) return std::nullopt;
  return FixedFromHex<32>(text);
}

std::optional<uint64_t> ParseU64(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

std::string ReceiptKey(const contracts::CodeHash& hash) {
  return "receipt/" + std::string(hash.begin(), hash.end());
}

// A request refused: its HTTP status and what to tell the client.
struct Refusal {
  int status = 400;
  std::string message;
};

}  // namespace

struct Node::Impl {
  NodeConfig config;
  // Before the chain: the pink extension the chain's runtime holds uses them.
  std::unique_ptr<pink::HttpClient> http_client;
  pink::Cache cache;
  std::optional<pink::ClusterKey> cluster_key;
  std::unique_ptr<ledger::Chain> chain;
  http::Server server;
  Metrics metrics;
  ReplayGuard replay{100'000};
  SessionTable sessions;
  QueryGate query_gate;
  // Contracts whose queries ran too long for the HTTP loop or called the web (bounded: forgotten
  // all at once when full, so that a contract that changed gets another chance).
  class ContractSet {
   public:
    bool Contains(const contracts::AccountId& c) {
      std::lock_guard lock(mu_);
      return set_.contains(c);
    }
    void Add(const contracts::AccountId& c) {
      std::lock_guard lock(mu_);
      if (set_.size() >= kMax) set_.clear();
      set_.insert(c);
    }

   private:
    static constexpr size_t kMax = 10'000;
    std::mutex mu_;
    std::set<contracts::AccountId> set_;
  } pool_contracts;
  std::atomic<bool> stopping{false};
  std::thread watcher;
  LogBuffer logs;
  std::atomic<size_t> streams{0};
  std::mutex watch_mu;
  std::condition_variable watch_cv;
  int port = 0;
  std::once_flag stopped;

  explicit Impl(NodeConfig c)
      : config(std::move(c)),
        replay(config.replay_guard_capacity),
        sessions(config.max_sessions, config.max_session_lifetime_ms),
        query_gate(std::max<size_t>(config.query_workers, 1), config.query_queue),
        logs(config.log_capacity, config.log_per_contract) {}

  std::optional<uint64_t> BlockOfReceipt(const contracts::CodeHash& hash) {
    auto where = chain->Snapshot()->GetMeta(ReceiptKey(hash));
    if (!where) return std::nullopt;
    auto located = codec::DecodeAll<std::tuple<uint64_t, uint32_t>>(*where);
    if (!located) return std::nullopt;
    return std::get<0>(*located);
  }

  std::chrono::milliseconds WaitParam(const http::Request& req) {
    if (!req.HasParam("wait_ms")) return std::chrono::milliseconds(0);
    auto ms = ParseU64(*req.Param("wait_ms"));
    return std::min(std::chrono::milliseconds(ms.value_or(0)), config.max_wait);
  }

  void Routes();
  void PostCommand(const http::Request& req, http::Response& res);
  void PostCommandBatch(const std::string& request_body, http::Response& res);
  void PostQuery(const http::Request& req, http::Response& res);
  void PostSession(const http::Request& req, http::Response& res);
  // A query's two forms (docs/API.md): signed, or in a session with a MAC.
  Expected<Query, Refusal> AuthenticateSignedQuery(const json& body);
  Expected<Query, Refusal> AuthenticateSessionQuery(const json& body);
  // Runs the query on this loop thread for at most config.inline_query_time; if that is not
  // enough, again on the server's blocking pool when it gets a turn.
  void RunQuery(Query query, Clock::time_point started, http::Response& res);
  // may_wait: false on the loop thread, where an HTTP request stops the query (to run again).
  contracts::ExecResult ExecuteQuery(const Query& query, Clock::time_point deadline, bool may_wait);
  static bool Interrupted(const contracts::ExecResult& result);
  // The answer, the query's log lines and its timing.
  void AnswerQuery(const Query& query, contracts::ExecResult result, Clock::time_point started,
                   http::Response& res);
  // A call's records in the contract log: its lines, its events, then what it returned (output).
  void LogRun(const LogRecord& context, std::string output, std::string_view debug,
              const std::vector<contracts::Event>& events);
  // Follows committed blocks: metrics, contract logs, and now and then the pink cache's sweep.
  void WatchBlocks();
  void GetEvents(const http::Request& req, http::Response& res);
  void GetLogs(const http::Request& req, http::Response& res);
  // The events of blocks [from, to], at most kMaxBlocksPerPage blocks; the next block to read.
  uint64_t CollectEvents(uint64_t from, uint64_t to, json& events);
  // Answers with newline-delimited JSON for as long as the client stays: `next` returns the
  // lines to send (waiting up to about a second for some), and after kKeepAlive of silence a
  // blank line goes out (the only way to notice a client that left). At most max_streams at
  // once.
  void StreamNdjson(http::Response& res, std::function<std::vector<json>()> next);
};

void Node::Impl::Routes() {
  // Requests that arrive while the node stops get a clear answer instead of a reset connection.
  server.SetGate([this](const http::Request&, http::Response& res) {
    if (!stopping.load()) return false;
    Error(res, 503, "the node is stopping; retry on another worker or after it restarts");
    return true;
  });
  server.SetErrorWriter([](http::Response& res, int status, const std::string& message) {
    Error(res, status, status == 404 ? message + "; see docs/API.md" : message);
  });
  server.SetObserver([this](const http::Request& req, const http::Response& res) {
    metrics.CountRequest(EndpointOf(req), res.status);
  });

  server.Get("/health", [](const http::Request&, http::Response& res) {
    Reply(res, 200, json{{"ok", true}});
  });
  server.Get("/status", [this](const http::Request&, http::Response& res) {
    const ledger::ChainStatus s = chain->status();
    Reply(res, 200,
          json{{"height", s.height},
               {"state_root", Hex0x(s.state_root)},
               {"queued", s.queued},
               {"followers", streams.load()},
               {"cluster_id", Hex0x(chain->config().cluster_id)},
               {"version", config.version}});
  });
  server.Get("/metrics", [this](const http::Request&, http::Response& res) {
    res.content_type = "text/plain; version=0.0.4";
    res.body = metrics.Render(chain->status().height);
  });
  server.Post("/commands",
              [this](const http::Request& req, http::Response& res) { PostCommand(req, res); });
  // A batch verifies up to a thousand signatures: too long for a loop thread.
  server.Post("/commands/batch", [this](const http::Request& req, http::Response& res) {
    res.Defer([this, &req](http::Response& res) { PostCommandBatch(req.body, res); });
  });
  server.Get("/receipts/{}", [this](const http::Request& req, http::Response& res) {
    auto hash = Id32(req.path_param);
    if (!hash) return Error(res, 400, "a command hash is 0x followed by 64 hex digits");
    const auto wait = WaitParam(req);
    auto answer = [this, hash = *hash, wait](http::Response& res) {
      auto receipt = chain->WaitForReceipt(hash, wait);
      if (!receipt)
        return Error(res, 404,
                     "no receipt for this command yet: it is unknown, or its block is not "
                     "committed (add ?wait_ms=N to wait for it)");
      Reply(res, 200, ReceiptJson(*receipt, BlockOfReceipt(hash)));
    };
    if (wait.count() > 0) return res.Defer(std::move(answer));
    answer(res);
  });
  server.Post("/query",
              [this](const http::Request& req, http::Response& res) { PostQuery(req, res); });
  server.Post("/sessions",
              [this](const http::Request& req, http::Response& res) { PostSession(req, res); });
  server.Get("/accounts/{}", [this](const http::Request& req, http::Response& res) {
    auto id = Id32(req.path_param);
    if (!id) return Error(res, 400, "an account id is 0x followed by 64 hex digits");
    auto snapshot = chain->Snapshot();
    Reply(res, 200,
          json{{"account", Hex0x(*id)},
               {"balance", contracts::BalanceToString(snapshot->GetBalance(*id))},
               {"nonce", snapshot->GetNonce(*id)},
               {"is_contract", snapshot->GetContract(*id).has_value()}});
  });
  server.Get("/contracts/{}", [this](const http::Request& req, http::Response& res) {
    auto id = Id32(req.path_param);
    if (!id) return Error(res, 400, "a contract address is 0x followed by 64 hex digits");
    auto snapshot = chain->Snapshot();
    auto info = snapshot->GetContract(*id);
    if (!info) return Error(res, 404, "no contract at this address");
    Reply(res, 200,
          json{{"address", Hex0x(*id)},
               {"code_hash", Hex0x(info->code_hash)},
               {"balance", contracts::BalanceToString(snapshot->GetBalance(*id))}});
  });
  server.Get("/blocks/{}", [this](const http::Request& req, http::Response& res) {
    auto number = ParseU64(req.path_param);
    if (!number) return Error(res, 400, "a block number is a decimal integer");
    auto block = chain->GetBlock(*number);
    if (!block)
      return Error(
          res, 404,
          fmt::format("no block {}: the chain is at height {}", *number, chain->status().height));
    json receipts = json::array();
    for (const auto& r : block->receipts) receipts.push_back(ReceiptJson(r, block->number));
    Reply(res, 200,
          json{{"number", block->number},
               {"timestamp_ms", block->timestamp_ms},
               {"state_root", Hex0x(block->state_root)},
               {"receipts", receipts}});
  });
  server.Get("/events",
             [this](const http::Request& req, http::Response& res) { GetEvents(req, res); });
  server.Get("/logs", [this](const http::Request& req, http::Response& res) { GetLogs(req, res); });
}

// The status and message a refused command gets.
std::pair<int, std::string> SubmitRefusal(const ledger::SubmitError& e) {
  switch (e.kind) {
    case ledger::SubmitError::Kind::Malformed:
      return {400, e.message};
    case ledger::SubmitError::Kind::BadSignature:
      return {401, e.message +
                       " (commands are signed over \"phat-command-v1:\" ‖ cluster id ‖ "
                       "SCALE(command))"};
    case ledger::SubmitError::Kind::Stopping:
      break;
  }
  return {503, e.message};
}

void Node::Impl::PostCommandBatch(const std::string& request_body, http::Response& res) {
  auto body = ParseBody(request_body);
  if (!body) return Error(res, 400, body.error());
  auto list = body->find("commands");
  if (list == body->end() || !list->is_array() || list->empty() ||
      list->size() > config.max_batch_commands)
    return Error(res, 400,
                 fmt::format("send {{\"commands\": [\"0x<SCALE(SignedCommand)>\", …]}} with 1 to "
                             "{} commands",
                             config.max_batch_commands));
  // Each command stands alone: one that is refused does not stop the others, and those accepted
  // are queued in the order given (so one origin's nonces may follow each other).
  json results = json::array();
  for (const json& item : *list) {
    auto bytes = item.is_string() ? FromHex(item.get<std::string>()) : std::nullopt;
    if (!bytes) {
      results.push_back({{"status", 400}, {"error", "not a 0x-prefixed hex string"}});
      continue;
    }
    auto hash = chain->Submit(std::move(*bytes));
    if (!hash) {
      auto [status, message] = SubmitRefusal(hash.error());
      results.push_back({{"status", status}, {"error", message}});
      continue;
    }
    metrics.CountSubmitted();
    results.push_back({{"status", 202}, {"hash", Hex0x(*hash)}});
  }
  Reply(res, 200, json{{"results", results}});
}

void Node::Impl::PostCommand(const http::Request& req, http::Response& res) {
  auto body = ParseBody(req.body);
  if (!body) return Error(res, 400, body.error());
  auto bytes = HexField(*body, "command");
  if (!bytes)
    return Error(res, 400, bytes.error() + ": send {\"command\": \"0x<SCALE(SignedCommand)>\"}");
  bool wait = false;
  if (auto it = body->find("wait"); it != body->end()) {
    if (!it->is_boolean()) return Error(res, 400, "the field \"wait\" must be true or false");
    wait = it->get<bool>();
  }
  auto hash = chain->Submit(std::move(*bytes));
  if (!hash) {
    auto [status, message] = SubmitRefusal(hash.error());
    return Error(res, status, message);
  }
  metrics.CountSubmitted();
  if (!wait) return Reply(res, 202, json{{"hash", Hex0x(*hash)}});
  res.Defer([this, hash = *hash](http::Response& res) {
    auto receipt = chain->WaitForReceipt(hash, config.max_wait);
    if (!receipt)
      return Reply(res, 202,
                   json{{"hash", Hex0x(hash)},
                        {"pending", true},
                        {"error",
                         "the command is queued but its block was not committed in time; "
                         "poll GET /receipts/<hash>"}});
    Reply(res, 200, ReceiptJson(*receipt, BlockOfReceipt(hash)));
  });
}

Refusal RefusalOf(QueryError e) {
  switch (e.kind) {
    case QueryError::Kind::BadSignature:
      return {401, std::move(e.message)};
    case QueryError::Kind::Replayed:
      return {409, std::move(e.message)};
    default:
      return {400, std::move(e.message)};
  }
}

void Node::Impl::PostSession(const http::Request& req, http::Response& res) {
  auto body = ParseBody(req.body);
  if (!body) return Error(res, 400, body.error());
  auto bytes = HexField(*body, "session");
  if (!bytes)
    return Error(res, 400,
                 bytes.error() +
                     ": send {\"session\": \"0x<SCALE(SignedQuery) holding a "
                     "SessionRequest>\"}");
  auto envelope = codec::DecodeAll<SignedQuery>(*bytes);
  if (!envelope)
    return Error(
        res, 400,
        "the session request is not a SCALE SignedQuery envelope: " + envelope.error().ToString());
  auto opened = sessions.Open(chain->config().cluster_id, *envelope, MillisNow());
  if (!opened) {
    Refusal r = RefusalOf(std::move(opened).error());
    return Error(res, r.status, r.message);
  }
  Reply(res, 200,
        json{{"session_id", Hex0x(opened->id)},
             {"node_key", Hex0x(opened->node_key)},
             {"expiry_ms", opened->expiry_ms}});
}

Expected<Query, Refusal> Node::Impl::AuthenticateSessionQuery(const json& body) {
  auto bytes = HexField(body, "session_query");
  auto mac = bytes ? HexField(body, "mac") : bytes;
  if (!bytes || !mac || mac->size() != 32)
    return unexpected(
        Refusal{400, (!bytes ? bytes.error()
                      : !mac ? mac.error()
                             : "the MAC is 32 bytes") +
                         ": send {\"session_query\": \"0x<SCALE(SessionQuery)>\", \"mac\": \"0x<32 "
                         "bytes>\"}"});
  crypto::Hash256 tag;
  std::copy(mac->begin(), mac->end(), tag.begin());
  auto query = sessions.Authenticate(*bytes, tag, MillisNow());
  if (!query) return unexpected(RefusalOf(std::move(query).error()));
  return std::move(*query);
}

Expected<Query, Refusal> Node::Impl::AuthenticateSignedQuery(const json& body) {
  auto bytes = HexField(body, "query");
  if (!bytes)
    return unexpected(Refusal{
        400, bytes.error() + ": send {\"query\": \"0x<SCALE(SignedQuery)>\"}, or a session query"});
  auto signed_query = codec::DecodeAll<SignedQuery>(*bytes);
  if (!signed_query)
    return unexpected(
        Refusal{400, "the query is not a SCALE SignedQuery: " + signed_query.error().ToString()});
  auto query = VerifyQuery(chain->config().cluster_id, *signed_query);
  if (!query) return unexpected(RefusalOf(std::move(query).error()));
  const uint64_t now = MillisNow();
  if (auto fresh = CheckExpiry(query->expiry_ms, now, config.max_query_future_ms); !fresh)
    return unexpected(RefusalOf(std::move(fresh).error()));
  // Keyed by the signed bytes of the query, not the signature: a signature can have more than
  // one valid encoding (ECDSA's s and -s), the query cannot.
  if (!replay.CheckAndRecord(crypto::Blake2b256(signed_query->query), query->expiry_ms, now))
    return unexpected(Refusal{
        409, "this signed query was already run; sign a new one (e.g. with another expiry)"});
  return std::move(*query);
}

void Node::Impl::PostQuery(const http::Request& req, http::Response& res) {
  const auto started = Clock::now();
  auto body = ParseBody(req.body);
  if (!body) return Error(res, 400, body.error());
  auto query = body->contains("session_query") ? AuthenticateSessionQuery(*body)
                                               : AuthenticateSignedQuery(*body);
  if (!query) return Error(res, query.error().status, query.error().message);
  if (query->gas_limit == 0 || query->gas_limit > config.max_query_gas)
    return Error(res, 400,
                 fmt::format("the query's gas_limit must be between 1 and {} (ref_time ps)",
                             config.max_query_gas));
  RunQuery(std::move(*query), started, res);
}

void Node::Impl::RunQuery(Query query, Clock::time_point started, http::Response& res) {
  // The time limit counts from arrival: waiting for a turn uses it up too.
  const auto deadline = started + config.query_timeout;
  // First on the loop thread that read it, for a short while: almost every query ends well
  // within that, and no other thread is involved. (The loop's other connections wait meanwhile,
  // which is why the while is short.)
  // A contract whose query needed the pool before goes there at once: its attempt on the loop
  // would most likely be wasted again.
  if (config.inline_query_time.count() > 0 && !pool_contracts.Contains(query.dest)) {
    const auto inline_deadline = std::min(deadline, Clock::now() + config.inline_query_time);
    contracts::ExecResult result = ExecuteQuery(query, inline_deadline, /*may_wait=*/false);
    if (!Interrupted(result) || inline_deadline == deadline)
      return AnswerQuery(query, std::move(result), started, res);
    pool_contracts.Add(query.dest);
    metrics.CountRerun();
  }
  // A longer query, or one that waits on the network (pink HTTP), runs again from the start on
  // the blocking pool, in its turn, to its deadline.
  // (Its first attempt changed nothing: a query's writes are discarded and its logs were not
  // kept.)
  res.Defer([this, query = std::move(query), started, deadline](http::Response& res) {
    switch (query_gate.Enter(deadline)) {
      case QueryGate::Admission::Admitted:
        break;
      case QueryGate::Admission::Busy:
        return Error(res, 503,
                     fmt::format("the node is busy: {} queries are waiting; retry shortly",
                                 config.query_queue));
      case QueryGate::Admission::TimedOut:
        return Error(res, 504,
                     fmt::format("the query waited {} ms for a turn and was not run; retry later",
                                 config.query_timeout.count()));
    }
    contracts::ExecResult result = ExecuteQuery(query, deadline, /*may_wait=*/true);
    query_gate.Leave();
    AnswerQuery(query, std::move(result), started, res);
  });
}

bool Node::Impl::Interrupted(const contracts::ExecResult& result) {
  return !result.result && result.result.error().kind == contracts::ContractError::Interrupted;
}

contracts::ExecResult Node::Impl::ExecuteQuery(const Query& query, Clock::time_point deadline,
                                               bool may_wait) {
  contracts::CallRequest call{query.origin, query.dest, 0, query.input,
                              contracts::Weight{query.gas_limit, 0}};
  call.deadline = deadline;
  call.may_wait = may_wait;
  auto snapshot = chain->Snapshot();
  // The height the snapshot shows, so seal0.block_number agrees with the state read.
  uint64_t height = 0;
  if (auto h = snapshot->GetMeta("height")) height = codec::DecodeAll<uint64_t>(*h).value_or(0);
  const contracts::BlockContext block{uint32_t(height), MillisNow()};
  return chain->runtime().Query(*snapshot, block, call);
}

void Node::Impl::AnswerQuery(const Query& query, contracts::ExecResult result,
                             Clock::time_point started, http::Response& res) {
  LogRecord context;
  context.time_ms = MillisNow();
  context.from_query = true;
  context.contract = query.dest;
  context.origin = query.origin;
  if (!Interrupted(result))
    LogRun(context, OutputLine(result.result), result.debug_message, result.events);
  metrics.ObserveQuery(std::chrono::duration<double>(Clock::now() - started).count());

  if (Interrupted(result))
    return Error(res, 504,
                 fmt::format("the query ran for its time limit of {} ms and was stopped",
                             config.query_timeout.count()));
  json out = {{"gas_consumed", result.gas_consumed.ref_time},
              {"gas_required", result.gas_required.ref_time},
              {"debug_message", result.debug_message}};
  if (result.result)
    out["result"] = {{"flags", result.result->flags}, {"data", Hex0x(result.result->data)}};
  else
    out["error"] = result.result.error().ToString();
  Reply(res, 200, out);
}

void Node::Impl::LogRun(const LogRecord& context, std::string output, std::string_view debug,
                        const std::vector<contracts::Event>& events) {
  logs.AppendLines(context, debug);
  for (const contracts::Event& e : events) {
    LogRecord event = context;
    event.kind = "event";
    for (const auto& t : e.topics) event.message += "topic " + Hex0x(t) + " ";
    event.message += "data " + Hex0x(e.data);
    logs.Append(std::move(event));
  }
  LogRecord record = context;
  record.kind = "output";
  record.message = std::move(output);
  logs.Append(std::move(record));
}

json LogJson(const LogRecord& r) {
  return {{"seq", r.seq},
          {"time_ms", r.time_ms},
          {"source", r.from_query ? "query" : "command"},
          {"kind", r.kind},
          {"contract", Hex0x(r.contract)},
          {"origin", Hex0x(r.origin)},
          {"block", r.block ? json(*r.block) : json(nullptr)},
          {"command", r.command ? json(Hex0x(*r.command)) : json(nullptr)},
          {"message", r.message}};
}

// ?follow=true|false (default false); an error for anything else.
std::optional<bool> FollowParam(const http::Request& req) {
  if (!req.HasParam("follow")) return false;
  const std::string v = *req.Param("follow");
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return std::nullopt;
}

constexpr uint64_t kMaxBlocksPerPage = 100;
// A stream sends a blank line after this much silence: the only way to notice a client that
// went away.
constexpr auto kKeepAlive = std::chrono::seconds(10);

uint64_t Node::Impl::CollectEvents(uint64_t from, uint64_t to, json& events) {
  uint64_t n = from;
  for (; n <= to && n < from + kMaxBlocksPerPage; ++n) {
    auto block = chain->GetBlock(n);
    if (!block) break;
    for (const auto& r : block->receipts) {
      for (const auto& e : r.events) {
        json j = EventJson(e);
        j["block"] = n;
        j["command"] = Hex0x(r.command_hash);
        events.push_back(std::move(j));
      }
    }
  }
  return n;
}

void Node::Impl::GetEvents(const http::Request& req, http::Response& res) {
  uint64_t from = 1;
  if (req.HasParam("from_block")) {
    auto n = ParseU64(*req.Param("from_block"));
    if (!n) return Error(res, 400, "from_block is a decimal block number");
    from = std::max<uint64_t>(*n, 1);
  }
  const auto follow = FollowParam(req);
  if (!follow) return Error(res, 400, "follow is true or false");
  if (!*follow) {
    // Up to kMaxBlocksPerPage blocks read and turned into JSON: on the pool, not the loop.
    return res.Defer([this, from](http::Response& res) {
      json events = json::array();
      const uint64_t next = CollectEvents(from, chain->status().height, events);
      Reply(res, 200, json{{"events", events}, {"next_block", next}});
    });
  }
  auto next_block = std::make_shared<uint64_t>(from);
  StreamNdjson(res, [this, next_block] {
    const uint64_t height = chain->WaitForHeight(*next_block - 1, std::chrono::seconds(1));
    json events = json::array();
    *next_block = CollectEvents(*next_block, height, events);
    return std::vector<json>(events.begin(), events.end());
  });
}

void Node::Impl::GetLogs(const http::Request& req, http::Response& res) {
  uint64_t after = 0;
  if (req.HasParam("after")) {
    auto n = ParseU64(*req.Param("after"));
    if (!n) return Error(res, 400, "after is a decimal sequence number (a log's seq)");
    after = *n;
  }
  std::optional<contracts::AccountId> contract;
  if (req.HasParam("contract")) {
    contract = Id32(*req.Param("contract"));
    if (!contract) return Error(res, 400, "contract is 0x followed by 64 hex digits");
  }
  const auto follow = FollowParam(req);
  if (!follow) return Error(res, 400, "follow is true or false");
  constexpr size_t kMaxPage = 1000;
  if (!*follow) {
    LogPage page = logs.Read(after, contract, kMaxPage, std::chrono::milliseconds(0));
    json out = json::array();
    for (const LogRecord& r : page.records) out.push_back(LogJson(r));
    return Reply(res, 200, json{{"logs", out}, {"next", page.next}});
  }
  auto cursor = std::make_shared<uint64_t>(after);
  StreamNdjson(res, [this, cursor, contract] {
    LogPage page = logs.Read(*cursor, contract, kMaxPage, std::chrono::seconds(1));
    *cursor = page.next;
    std::vector<json> lines;
    for (const LogRecord& r : page.records) lines.push_back(LogJson(r));
    return lines;
  });
}

void Node::Impl::StreamNdjson(http::Response& res, std::function<std::vector<json>()> next) {
  if (streams.fetch_add(1) >= config.max_streams) {
    streams.fetch_sub(1);
    return Error(res, 503,
                 fmt::format("{} clients are following already; retry later, or poll without "
                             "follow=true",
                             config.max_streams));
  }
  auto last_write = Clock::now();
  res.Stream(
      "application/x-ndjson",
      [this, next = std::move(next), last_write](std::string& chunk) mutable {
        if (stopping.load()) return false;
        for (const json& line : next()) chunk += line.dump() + "\n";
        const auto now = Clock::now();
        if (chunk.empty() && now - last_write >= kKeepAlive) chunk = "\n";
        if (!chunk.empty()) last_write = now;
        return true;
      },
      [this] { streams.fetch_sub(1); });
}

void Node::Impl::WatchBlocks() {
  uint64_t seen = chain->status().height;
  auto last_sweep = Clock::now();
  while (!stopping.load()) {
    const uint64_t height = chain->WaitForHeight(seen, std::chrono::milliseconds(100));
    // The pink cache drops expired entries as it is used; this catches those no one touches.
    if (Clock::now() - last_sweep > std::chrono::seconds(10)) {
      cache.SweepExpired();
      last_sweep = Clock::now();
    }
    for (; seen < height; ++seen) {
      auto block = chain->GetBlock(seen + 1);
      if (!block) break;
      uint64_t committed = 0, rejected = 0;
      for (const auto& r : block->receipts) {
        (r.status == ledger::Receipt::Status::Rejected ? rejected : committed) += 1;
        if (!r.contract || r.status == ledger::Receipt::Status::Rejected) continue;
        LogRecord context;
        context.time_ms = block->timestamp_ms;
        context.contract = *r.contract;
        context.origin = r.origin;
        context.block = block->number;
        context.command = r.command_hash;
        LogRun(context, OutputLine(r), r.debug_message, r.events);
      }
      metrics.CountApplied(committed, rejected);
    }
  }
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Expected<std::unique_ptr<Node>, std::string> Node::Start(NodeConfig config) {
  auto impl = std::make_unique<Impl>(std::move(config));
  // The cluster's secret, made when the data directory is new and kept in it (pink/keys.h).
  auto cluster_key = pink::LoadOrCreateClusterKey(impl->config.chain.data_dir);
  if (!cluster_key) return unexpected("the cluster key: " + cluster_key.error());
  impl->cluster_key.emplace(std::move(*cluster_key));
  impl->http_client = std::make_unique<pink::HttpClient>(impl->config.http_policy);
  pink::Services services;
  services.http = impl->http_client.get();
  services.cache = &impl->cache;
  services.cluster_key = &*impl->cluster_key;
  // This worker's identity, made with its data directory and kept there (pink's worker_pubkey).
  auto worker_key = pink::LoadOrCreateWorkerKey(impl->config.chain.data_dir);
  if (!worker_key) return unexpected("the worker key: " + worker_key.error());
  services.worker_pubkey = *worker_key;
  impl->config.chain.extensions[0] = std::make_shared<pink::PinkExtension>(std::move(services));
  impl->chain = PHAT_TRY(ledger::Chain::Open(impl->config.chain));
  impl->Routes();
  http::ServerOptions options;
  options.host = impl->config.host;
  options.port = impl->config.port;
  options.max_body_bytes = impl->config.max_body_bytes;
  options.keep_alive_requests = impl->config.keep_alive_requests;
  // A blocking thread for every long query that may run or wait for a turn and every stream, and
  // as many as there may be streams for requests waiting for receipts.
  options.loop_threads = impl->config.http_threads;
  options.blocking_threads =
      impl->config.query_workers + impl->config.query_queue + 2 * impl->config.max_streams;
  impl->port = PHAT_TRY(impl->server.Start(options));
  Impl* p = impl.get();
  impl->watcher = std::thread([p] { p->WatchBlocks(); });
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::~Node() {
  Stop();
}

int Node::port() const {
  return impl_->port;
}
ledger::Chain& Node::chain() {
  return *impl_->chain;
}

void Node::Stop() {
  std::call_once(impl_->stopped, [this] {
    impl_->stopping.store(true);
    impl_->logs.Close();
    impl_->server.Stop();
    if (impl_->watcher.joinable()) impl_->watcher.join();
    impl_->chain.reset();  // finishes the block in progress
  });
}

}  // namespace phat::node
