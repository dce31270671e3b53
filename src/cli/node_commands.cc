#include "cli/node_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "cli/keys.h"
#include "cli/node_client.h"
#include "phat/codec/scale.h"
#include "phat/crypto/ed25519.h"
#include "phat/ledger/command.h"
#include "phat/metadata/contract_metadata.h"
#include "phat/node/node.h"
#include "phat/node/query.h"

namespace phat::cli {
namespace {

using contracts::AccountId;
using contracts::Balance;
using contracts::CodeHash;
using metadata::ContractMetadata;
using nlohmann::json;

// 10^11 ps = 0.1 s of reference time: far more than an ERC-20 transfer needs, and a tenth of the
// node's limit, so that a contract looping by mistake stops soon.
constexpr uint64_t kDefaultGas = 100'000'000'000;
constexpr uint64_t kMaxGas = 1'000'000'000'000;  // the node's max_gas_per_command and query limit
// A query's expiry: the node accepts at most 60 s ahead; 30 s leaves room for clock skew.
constexpr uint64_t kQueryLifetimeMs = 30'000;
// POST /commands waits 30 s for the block; after a pending answer, poll the receipt this often.
constexpr int kReceiptPolls = 4;

uint64_t NowMs() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

// A decimal u128 (--value).
Result<Balance> ParseBalance(const std::string& text, const char* option) {
  Balance v = 0;
  const Balance max = ~Balance(0);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return unexpected(Usage(fmt::format("{} wants a decimal amount (got \"{}\")", option, text)));
  for (char c : text) {
    const unsigned digit = unsigned(c - '0');
    if (v > (max - digit) / 10)
      return unexpected(Usage(fmt::format("{} {} does not fit in a u128", option, text)));
    v = v * 10 + digit;
  }
  return v;
}

Result<AccountId> ParseAddress(const std::string& text) {
  auto id = ParseAccount(text);
  if (!id) return unexpected(Usage(id.error()));
  return *id;
}

// The contract a command deploys: its metadata and its code. CONTRACT is a .contract bundle, a
// .json metadata file with the .wasm beside it, or a .wasm with its .json (or .contract) beside it.
struct Bundle {
  std::optional<ContractMetadata> metadata;  // absent: a bare .wasm (enough for upload)
  Bytes wasm;
};

Result<Bundle> LoadBundle(const std::string& file, bool need_metadata) {
  const std::filesystem::path path(file);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return unexpected(Usage(fmt::format("{} does not exist", file)));
  Bundle bundle;
  if (path.extension() == ".wasm") {
    bundle.wasm = PHAT_TRY(ReadBinary(path));
    if (!need_metadata) return bundle;
    for (const char* ext : {".json", ".contract"}) {
      auto beside = std::filesystem::path(path).replace_extension(ext);
      if (!std::filesystem::exists(beside, ec)) continue;
      auto meta = ContractMetadata::FromFile(beside);
      if (!meta) return unexpected(Usage(fmt::format("{}: {}", beside.string(), meta.error())));
      bundle.metadata = std::move(*meta);
      return bundle;
    }
    return unexpected(Usage(fmt::format(
        "{} has no metadata beside it ({} or {}): give the .contract bundle or the .json", file,
        std::filesystem::path(path).replace_extension(".json").string(),
        std::filesystem::path(path).replace_extension(".contract").string())));
  }
  auto meta = ContractMetadata::FromFile(path);
  if (!meta) return unexpected(Usage(fmt::format("{}: {}", file, meta.error())));
  if (meta->wasm()) {
    bundle.wasm = *meta->wasm();
  } else {
    const auto beside = std::filesystem::path(path).replace_extension(".wasm");
    if (!std::filesystem::exists(beside, ec))
      return unexpected(Usage(fmt::format(
          "{} is metadata without code, and there is no {} beside it: give the .contract bundle",
          file, beside.string())));
    bundle.wasm = PHAT_TRY(ReadBinary(beside));
  }
  bundle.metadata = std::move(*meta);
  return bundle;
}

Result<ContractMetadata> LoadMetadata(const std::string& file) {
  if (file.empty())
    return unexpected(
        Usage("give the contract's metadata with --metadata FILE (.contract or .json)"));
  auto meta = ContractMetadata::FromFile(file);
  if (!meta) return unexpected(Usage(fmt::format("{}: {}", file, meta.error())));
  return std::move(*meta);
}

// --args: JSON, an array in declaration order or an object by label. As a convenience for the
// development cluster, an AccountId argument may be a dev account's name ("bob").
Result<Bytes> EncodeArgs(const ContractMetadata& meta, const metadata::Message& message,
                         const std::optional<std::string>& text) {
  json args;  // null: no arguments
  if (text) {
    args = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (args.is_discarded())
      return unexpected(Usage(fmt::format(
          "--args is not JSON (got {}): give an array such as '[\"0x…\", \"10\"]' or an object "
          "keyed by argument name",
          *text)));
  }
  auto replace_name = [&](const metadata::Arg& arg, json& value) {
    if (!value.is_string() || arg.display_name.empty() || arg.display_name.back() != "AccountId")
      return;
    for (const auto& a : node::DevAccounts())
      if (value.get<std::string>() == a.name) value = Hex0x(a.id);
  };
  if (args.is_array()) {
    for (size_t i = 0; i < args.size() && i < message.args.size(); ++i)
      replace_name(message.args[i], args[i]);
  } else if (args.is_object()) {
    for (const auto& arg : message.args)
      if (args.contains(arg.label)) replace_name(arg, args[arg.label]);
  }
  auto input = meta.EncodeCall(message, args);
  if (!input) {
    std::string signature;
    for (const auto& a : message.args)
      signature += fmt::format("{}{}: {}", signature.empty() ? "" : ", ", a.label,
                               a.display_name.empty() ? "?" : a.display_name.back());
    const std::string call = fmt::format("{}({})", message.label, signature);
    // The metadata's error may already spell out the signature; say it once.
    if (input.error().find(call) != std::string::npos)
      return unexpected(Usage("--args: " + input.error()));
    return unexpected(Usage(fmt::format("--args for {}: {}", call, input.error())));
  }
  return std::move(*input);
}

// A value for people: a string as itself, anything else as compact JSON.
std::string Show(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// A decoded MessageResult<T> for people: T itself when the call got through to the message
// (the Ok of the outer, LangError, Result), else the LangError.
std::string ShowReturn(const json& decoded) {
  if (decoded.is_object() && decoded.size() == 1 && decoded.contains("Ok"))
    return Show(decoded["Ok"]);
  return Show(decoded);
}

// The events of a receipt, decoded where they come from `contract` and the metadata knows them.
json DecodeEvents(const json& events, const ContractMetadata* meta, const AccountId* contract) {
  json out = json::array();
  for (const json& e : events) {
    json item = e;
    item["decoded"] = nullptr;
    if (meta && contract && e.value("contract", "") == Hex0x(*contract)) {
      std::vector<metadata::Topic> topics;
      for (const json& t : e.value("topics", json::array()))
        if (auto topic = FixedFromHex<32>(t.get<std::string>())) topics.push_back(*topic);
      auto data = FromHex(e.value("data", "0x"));
      if (data) {
        if (auto decoded = meta->DecodeEvent(topics, *data)) item["decoded"] = std::move(*decoded);
      }
    }
    out.push_back(std::move(item));
  }
  return out;
}

void PrintEvents(const json& events) {
  for (const json& e : events) {
    if (!e["decoded"].is_null())
      fmt::print("event {} {}\n", e["decoded"].value("name", "?"),
                 e["decoded"].value("args", json::object()).dump());
    else
      fmt::print("event from {} topics {} data {}\n", e.value("contract", "?"),
                 e.value("topics", json::array()).dump(), e.value("data", "0x"));
  }
}

// One invocation's connection to the node, with what it learns (cluster id) kept for reuse.
class Session {
 public:
  explicit Session(const GlobalOptions& g) : g_(g) {}

  Result<NodeClient*> Node() {
    if (!client_) {
      auto client = NodeClient::Connect(g_.node);
      if (!client) return unexpected(Usage(client.error()));
      client_ = std::move(*client);
    }
    return client_.get();
  }

  Result<json> Get(const std::string& path) {
    NodeClient* node = PHAT_TRY(Node());
    auto answer = node->Get(path);
    if (!answer) return unexpected(Failure{kNode, answer.error().message});
    return std::move(*answer);
  }

  Result<Signer> RequireSigner() {
    if (g_.key.empty())
      return unexpected(Usage(
          "this command is signed: pass --key alice (a dev account: alice, bob, charlie, dave) or "
          "--key FILE (from `phat keys generate --out FILE`)"));
    auto signer = LoadSigner(g_.key);
    if (!signer) return unexpected(Usage(signer.error()));
    return std::move(*signer);
  }

  Result<CodeHash> Cluster() {
    if (cluster_) return *cluster_;
    if (!g_.cluster.empty()) {
      auto id = FixedFromHex<32>(g_.cluster);
      if (!id || !g_.cluster.starts_with("0x"))
        return unexpected(
            Usage(fmt::format("--cluster wants 0x followed by 64 hex digits (got \"{}\"); leave it "
                              "out to ask the node",
                              g_.cluster)));
      cluster_ = *id;
      return *cluster_;
    }
    json status = PHAT_TRY(Get("/status"));
    auto id = FixedFromHex<32>(status.value("cluster_id", ""));
    if (!id)
      return unexpected(Failure{kNode, "the node's /status has no cluster_id: is --node phatd?"});
    cluster_ = *id;
    return *cluster_;
  }

  // Signs `body` with the account's next nonce, submits it and waits for its receipt.
  Result<json> Submit(const Signer& signer, ledger::CommandBody body, uint64_t gas) {
    const CodeHash cluster = PHAT_TRY(Cluster());
    json account = PHAT_TRY(Get("/accounts/" + Hex0x(signer.account)));
    const ledger::Command command{signer.account, account.value("nonce", uint64_t(0)), gas,
                                  std::move(body)};
    auto signed_command = ledger::SignCommand(cluster, command, signer.scheme, signer.seed);
    if (!signed_command) return unexpected(Usage(signed_command.error()));
    const Bytes bytes = codec::Encode(*signed_command);
    NodeClient* node = PHAT_TRY(Node());
    auto answer = node->Post("/commands", json{{"command", Hex0x(bytes)}, {"wait", true}});
    if (!answer) {
      std::string message = answer.error().message;
      if (answer.error().status == 401 && g_.cluster.size())
        message += " (is --cluster this node's cluster? leave it out to ask the node)";
      return unexpected(Failure{kNode, message});
    }
    json receipt = std::move(*answer);
    for (int i = 0; receipt.value("pending", false) && i < kReceiptPolls; ++i) {
      auto again = node->Get("/receipts/" + receipt.value("hash", "") + "?wait_ms=30000");
      if (again)
        receipt = std::move(*again);
      else if (again.error().status != 404)
        return unexpected(Failure{kNode, again.error().message});
    }
    if (receipt.value("pending", false))
      return unexpected(Failure{
          kNode, fmt::format("command {} is queued but its block was not committed in time; its "
                             "receipt will be at GET {}/receipts/{}",
                             receipt.value("hash", ""), g_.node, receipt.value("hash", ""))});
    return receipt;
  }

 private:
  const GlobalOptions& g_;
  std::unique_ptr<NodeClient> client_;
  std::optional<CodeHash> cluster_;
};

// Hints for the usual ways a command fails.
std::string Hint(const json& receipt, uint64_t gas) {
  const std::string status = receipt.value("status", "");
  const std::string error = receipt.value("error", "");
  if (status == "rejected" && error.find("nonce") != std::string::npos)
    return "another command from this account got in first; run it again";
  if (error.find("OutOfGas") != std::string::npos || error.find("out of gas") != std::string::npos)
    return fmt::format("it ran out of gas at --gas {}; raise --gas (at most {})", gas, kMaxGas);
  if (error.find("DuplicateContract") != std::string::npos ||
      error.find("already exists") != std::string::npos)
    return "a contract with this code, constructor input and salt exists; pass another --salt";
  if (error.find("CodeNotFound") != std::string::npos)
    return "the node does not have this code; `phat upload` it first";
  return "";
}

// The lines every receipt gets, for people.
void PrintReceiptHead(const json& r) {
  fmt::print("status {}\n", r.value("status", "?"));
  if (!r.value("error", "").empty()) fmt::print("error {}\n", r.value("error", ""));
  fmt::print("command {}\n", r.value("hash", "?"));
  if (!r["block"].is_null()) fmt::print("block {}\n", r["block"].dump());
  fmt::print("gas consumed {}\n", r.value("gas_consumed", uint64_t(0)));
}

// The output of a call or deploy, decoded by the message's return type where possible.
json DecodeOutput(const ContractMetadata& meta, const metadata::Message& message,
                  const std::string& hex) {
  auto bytes = FromHex(hex);
  if (!bytes || bytes->empty()) return nullptr;
  auto decoded = meta.DecodeReturn(message, *bytes);
  if (!decoded) return nullptr;
  return std::move(*decoded);
}

// ---- the commands ----

Result<int> Status(const GlobalOptions& g) {
  Session s(g);
  const json status = PHAT_TRY(s.Get("/status"));
  if (g.json) {
    json out = status;
    out["node"] = g.node;
    fmt::print("{}\n", out.dump(2));
    return kOk;
  }
  fmt::print("node {}\n", g.node);
  fmt::print("version {}\n", status.value("version", "?"));
  fmt::print("cluster {}\n", status.value("cluster_id", "?"));
  fmt::print("height {}\n", status.value("height", uint64_t(0)));
  fmt::print("state root {}\n", status.value("state_root", "?"));
  fmt::print("queued {}\n", status.value("queued", uint64_t(0)));
  return kOk;
}

struct LogsArgs {
  std::string contract;  // empty: every contract
  bool follow = false;
  uint64_t after = 0;
};

void PrintLog(const GlobalOptions& g, const json& log) {
  if (g.json) return fmt::print("{}\n", log.dump());
  const std::string where = log["block"].is_number()
                                ? fmt::format("block {}", log["block"].get<uint64_t>())
                                : std::string("query");
  // A contract's own lines as they are; its events and outputs say what they are.
  const std::string kind = log.value("kind", "log");
  fmt::print("#{} [{}] {}{}: {}\n", log.value("seq", uint64_t(0)), where,
             log.value("contract", "?"), kind == "log" ? "" : " " + kind,
             log.value("message", ""));
  std::fflush(stdout);  // a follower reads as lines come
}

Result<int> Logs(const GlobalOptions& g, const LogsArgs& args) {
  std::string query = fmt::format("?after={}", args.after);
  if (!args.contract.empty()) query += "&contract=" + Hex0x(PHAT_TRY(ParseAddress(args.contract)));
  Session s(g);
  if (!args.follow) {
    const json page = PHAT_TRY(s.Get("/logs" + query));
    for (const json& log : page["logs"]) PrintLog(g, log);
    if (!g.json && page["logs"].empty())
      fmt::print(stderr, "no contract logs{} yet (add --follow to wait for them)\n",
                 args.contract.empty() ? "" : " for this contract");
    return kOk;
  }
  NodeClient* node = PHAT_TRY(s.Node());
  auto followed = node->Follow("/logs" + query + "&follow=true", [&](const json& log) {
    PrintLog(g, log);
    return true;
  });
  if (!followed) return unexpected(Failure{kNode, followed.error().message});
  return kOk;
}

Result<int> Account(const GlobalOptions& g, const std::string& text) {
  const AccountId id = PHAT_TRY(ParseAddress(text));
  Session s(g);
  json account = PHAT_TRY(s.Get("/accounts/" + Hex0x(id)));
  if (account.value("is_contract", false)) {
    json contract = PHAT_TRY(s.Get("/contracts/" + Hex0x(id)));
    account["code_hash"] = contract.value("code_hash", "");
  }
  if (g.json) {
    fmt::print("{}\n", account.dump(2));
    return kOk;
  }
  fmt::print("account {}\n", account.value("account", "?"));
  fmt::print("balance {}\n", account.value("balance", "?"));
  fmt::print("nonce {}\n", account.value("nonce", uint64_t(0)));
  fmt::print("contract {}\n", account.value("is_contract", false) ? "yes" : "no");
  if (account.contains("code_hash")) fmt::print("code hash {}\n", account.value("code_hash", ""));
  return kOk;
}

// Uploads `wasm` (uploading code the node has is harmless: it changes nothing) and returns the
// receipt; fails unless it succeeded.
Result<json> UploadCode(Session& s, const Signer& signer, Bytes wasm) {
  json receipt = PHAT_TRY(s.Submit(signer, ledger::UploadCode{std::move(wasm), true}, 0));
  if (receipt.value("status", "") != "success" || receipt["code_hash"].is_null())
    return unexpected(
        Failure{kNotSuccess, fmt::format("the upload {}: {}", receipt.value("status", "?"),
                                         receipt.value("error", ""))});
  return receipt;
}

Result<int> Upload(const GlobalOptions& g, const std::string& file) {
  Bundle bundle = PHAT_TRY(LoadBundle(file, /*need_metadata=*/false));
  Session s(g);
  const Signer signer = PHAT_TRY(s.RequireSigner());
  json receipt = PHAT_TRY(UploadCode(s, signer, std::move(bundle.wasm)));
  if (g.json) {
    fmt::print("{}\n", receipt.dump(2));
    return kOk;
  }
  fmt::print("code hash {}\n", receipt.value("code_hash", ""));
  PrintReceiptHead(receipt);
  return kOk;
}

struct InstantiateOptions {
  std::string contract;
  std::string constructor = "new";
  std::optional<std::string> args;
  std::string value = "0";
  std::string salt;
  uint64_t gas = kDefaultGas;
};

Result<int> Instantiate(const GlobalOptions& g, const InstantiateOptions& o) {
  Bundle bundle = PHAT_TRY(LoadBundle(o.contract, /*need_metadata=*/true));
  const ContractMetadata& meta = *bundle.metadata;
  auto ctor = meta.RequireConstructor(o.constructor);
  if (!ctor) return unexpected(Usage("--constructor: " + ctor.error()));
  const Bytes input = PHAT_TRY(EncodeArgs(meta, **ctor, o.args));
  const Balance value = PHAT_TRY(ParseBalance(o.value, "--value"));
  if (value != 0 && !(*ctor)->payable)
    return unexpected(
        Usage(fmt::format("the constructor {} is not payable: leave out --value", o.constructor)));
  auto salt = FromHex(o.salt);
  if (!salt) return unexpected(Usage(fmt::format("--salt wants hex bytes (got \"{}\")", o.salt)));
  if (o.gas == 0 || o.gas > kMaxGas)
    return unexpected(Usage(fmt::format("--gas must be between 1 and {}", kMaxGas)));

  Session s(g);
  const Signer signer = PHAT_TRY(s.RequireSigner());
  // The API has no way to ask whether the node has some code, so upload it every time: an
  // upload of known code changes nothing, and costs only a nonce and a block.
  json upload = PHAT_TRY(UploadCode(s, signer, std::move(bundle.wasm)));
  const auto code_hash = FixedFromHex<32>(upload.value("code_hash", ""));
  if (!code_hash) return unexpected(Failure{kNode, "the upload's receipt has no code_hash"});
  json receipt = PHAT_TRY(s.Submit(
      signer, ledger::InstantiateContract{*code_hash, value, input, std::move(*salt)}, o.gas));

  std::optional<AccountId> address;
  if (receipt["contract"].is_string())
    address = FixedFromHex<32>(receipt["contract"].get<std::string>());
  json events =
      DecodeEvents(receipt.value("events", json::array()), &meta, address ? &*address : nullptr);
  json output = DecodeOutput(meta, **ctor, receipt.value("output", "0x"));
  const bool ok = receipt.value("status", "") == "success";
  const std::string hint = ok ? "" : Hint(receipt, o.gas);
  if (g.json) {
    json out = receipt;
    out["code_hash"] = upload["code_hash"];
    out["events"] = events;
    out["decoded_output"] = output;
    if (!hint.empty()) out["hint"] = hint;
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("code hash {}\n", upload.value("code_hash", ""));
    if (address) fmt::print("contract {}\n", Hex0x(*address));
    PrintReceiptHead(receipt);
    if (!ok && !output.is_null()) fmt::print("return {}\n", ShowReturn(output));
    PrintEvents(events);
    if (!hint.empty()) fmt::print(stderr, "phat: {}\n", hint);
  }
  return ok ? kOk : kNotSuccess;
}

struct CallOptions {
  std::string address;
  std::string metadata;
  std::string message;
  std::optional<std::string> args;
  std::string value = "0";
  uint64_t gas = kDefaultGas;
};

Result<int> Call(const GlobalOptions& g, const CallOptions& o) {
  const AccountId dest = PHAT_TRY(ParseAddress(o.address));
  const ContractMetadata meta = PHAT_TRY(LoadMetadata(o.metadata));
  auto message = meta.RequireMessage(o.message);
  if (!message) return unexpected(Usage("--message: " + message.error()));
  const Bytes input = PHAT_TRY(EncodeArgs(meta, **message, o.args));
  const Balance value = PHAT_TRY(ParseBalance(o.value, "--value"));
  if (value != 0 && !(*message)->payable)
    return unexpected(
        Usage(fmt::format("the message {} is not payable: leave out --value", o.message)));
  if (o.gas == 0 || o.gas > kMaxGas)
    return unexpected(Usage(fmt::format("--gas must be between 1 and {}", kMaxGas)));

  Session s(g);
  const Signer signer = PHAT_TRY(s.RequireSigner());
  if (!(*message)->mutates && !g.json)
    fmt::print(stderr, "phat: note: {} changes nothing; `phat query` runs it without a command\n",
               o.message);
  json receipt = PHAT_TRY(s.Submit(signer, ledger::CallContract{dest, value, input}, o.gas));
  json events = DecodeEvents(receipt.value("events", json::array()), &meta, &dest);
  json output = DecodeOutput(meta, **message, receipt.value("output", "0x"));
  const bool ok = receipt.value("status", "") == "success";
  const std::string hint = ok ? "" : Hint(receipt, o.gas);
  if (g.json) {
    json out = receipt;
    out["events"] = events;
    out["decoded_output"] = output;
    if (!hint.empty()) out["hint"] = hint;
    fmt::print("{}\n", out.dump(2));
  } else {
    PrintReceiptHead(receipt);
    if (!output.is_null())
      fmt::print("return {}\n", ShowReturn(output));
    else if (receipt.value("output", "0x") != "0x")
      fmt::print("output {}\n", receipt.value("output", ""));
    PrintEvents(events);
    if (!hint.empty()) fmt::print(stderr, "phat: {}\n", hint);
  }
  return ok ? kOk : kNotSuccess;
}

struct QueryOptions {
  std::string address;
  std::string metadata;
  std::string message;
  std::optional<std::string> args;
  uint64_t gas = kDefaultGas;
};

Result<int> RunQuery(const GlobalOptions& g, const QueryOptions& o) {
  const AccountId dest = PHAT_TRY(ParseAddress(o.address));
  const ContractMetadata meta = PHAT_TRY(LoadMetadata(o.metadata));
  auto message = meta.RequireMessage(o.message);
  if (!message) return unexpected(Usage("--message: " + message.error()));
  Bytes input = PHAT_TRY(EncodeArgs(meta, **message, o.args));
  if (o.gas == 0 || o.gas > kMaxGas)
    return unexpected(Usage(fmt::format("--gas must be between 1 and {}", kMaxGas)));

  Session s(g);
  const Signer signer = PHAT_TRY(s.RequireSigner());
  const CodeHash cluster = PHAT_TRY(s.Cluster());
  const node::Query query{signer.account, dest, std::move(input), o.gas,
                          NowMs() + kQueryLifetimeMs};
  auto signed_query = node::SignQuery(cluster, query, signer.scheme, signer.seed);
  if (!signed_query) return unexpected(Usage(signed_query.error()));
  NodeClient* client = PHAT_TRY(s.Node());
  auto answer = client->Post("/query", json{{"query", Hex0x(codec::Encode(*signed_query))}});
  if (!answer) {
    std::string message = answer.error().message;
    if (answer.error().status == 400 && message.find("expir") != std::string::npos)
      message += " (is this machine's clock right?)";
    return unexpected(Failure{kNode, message});
  }
  const json& a = *answer;
  json out = {{"gas_consumed", a.value("gas_consumed", uint64_t(0))},
              {"gas_required", a.value("gas_required", uint64_t(0))},
              {"debug_message", a.value("debug_message", "")}};
  bool ok = true;
  if (a.contains("error")) {
    ok = false;
    out["status"] = "failed";
    out["error"] = a["error"];
  } else {
    const json& result = a["result"];
    const bool reverted = (result.value("flags", 0u) & 1u) != 0;
    ok = !reverted;
    out["status"] = reverted ? "reverted" : "success";
    out["flags"] = result.value("flags", 0u);
    out["output"] = result.value("data", "0x");
    out["decoded_output"] = DecodeOutput(meta, **message, result.value("data", "0x"));
  }
  if (g.json) {
    fmt::print("{}\n", out.dump(2));
    return ok ? kOk : kNotSuccess;
  }
  if (!ok) fmt::print("status {}\n", out["status"].get<std::string>());
  if (out.contains("error")) fmt::print("error {}\n", out["error"].get<std::string>());
  const json& decoded = out.contains("decoded_output") ? out["decoded_output"] : json();
  if (!decoded.is_null())
    fmt::print("result {}\n", ShowReturn(decoded));
  else if (out.contains("output"))
    fmt::print("output {}\n", out["output"].get<std::string>());
  fmt::print("gas consumed {}\n", out["gas_consumed"].get<uint64_t>());
  if (!out["debug_message"].get<std::string>().empty())
    fmt::print("debug message {}\n", out["debug_message"].get<std::string>());
  if (!ok && out.contains("error") &&
      out["error"].get<std::string>().find("OutOfGas") != std::string::npos)
    fmt::print(stderr, "phat: it ran out of gas at --gas {}; raise --gas (at most {})\n", o.gas,
               kMaxGas);
  return ok ? kOk : kNotSuccess;
}

// ---- keys ----

Result<int> KeysDev(const GlobalOptions& g) {
  json out = json::array();
  for (const auto& a : node::DevAccounts())
    out.push_back({{"name", a.name}, {"account", Hex0x(a.id)}});
  if (g.json) {
    fmt::print("{}\n", out.dump(2));
    return kOk;
  }
  for (const auto& a : node::DevAccounts()) fmt::print("{:<8} {}\n", a.name, Hex0x(a.id));
  fmt::print(stderr,
             "phat: these keys are public (phatd --dev prefunds them): never use them for value\n");
  return kOk;
}

Result<int> KeysGenerate(const GlobalOptions& g, const std::string& scheme_name,
                         const std::string& out_file) {
  auto scheme = SchemeFromName(scheme_name);
  if (!scheme) return unexpected(Usage(scheme.error()));
  auto key = GenerateKey(*scheme);
  if (!key) return unexpected(Failure{kUsage, key.error()});
  if (out_file.empty()) {
    // No file: the key itself is the output, as `phat keys generate > FILE` would keep it.
    json file = json::parse(KeyFileJson(*key));
    if (g.json) {
      file["account"] = Hex0x(key->account);
      fmt::print("{}\n", file.dump(2));
    } else {
      fmt::print("scheme {}\naccount {}\nseed {}\n", SchemeName(key->scheme), Hex0x(key->account),
                 file["seed"].get<std::string>());
      fmt::print(
          stderr,
          "phat: keep the seed secret; `--out FILE` writes it to a file only you can read\n");
    }
    return kOk;
  }
  if (auto written = WriteKeyFile(out_file, *key); !written)
    return unexpected(Usage(written.error()));
  if (g.json)
    fmt::print("{}\n", json{{"scheme", SchemeName(key->scheme)},
                            {"account", Hex0x(key->account)},
                            {"file", out_file}}
                           .dump(2));
  else
    fmt::print("scheme {}\naccount {}\nkey file {}\n", SchemeName(key->scheme), Hex0x(key->account),
               out_file);
  return kOk;
}

Result<int> KeysShow(const GlobalOptions& g, const std::string& file) {
  auto signer = ReadKeyFile(file);
  if (!signer) return unexpected(Usage(signer.error()));
  // The seed stays in the file: showing it is never needed to use the key.
  if (g.json)
    fmt::print("{}\n", json{{"scheme", SchemeName(signer->scheme)},
                            {"account", Hex0x(signer->account)},
                            {"file", file}}
                           .dump(2));
  else
    fmt::print("scheme {}\naccount {}\n", SchemeName(signer->scheme), Hex0x(signer->account));
  return kOk;
}

}  // namespace

void AddNodeCommands(CLI::App& app, std::shared_ptr<GlobalOptions> g) {
  // keys
  CLI::App* keys = app.add_subcommand("keys", "Dev accounts and key files");
  keys->require_subcommand(1);
  keys->add_subcommand("dev", "List the development cluster's accounts (public keys!)")
      ->callback([g] { Finish(*g, KeysDev(*g)); });
  auto out_file = std::make_shared<std::string>();
  auto scheme = std::make_shared<std::string>("ed25519");
  CLI::App* generate = keys->add_subcommand("generate", "Make a new key");
  generate->add_option("--out", *out_file, "Write it to this file (mode 0600; never overwrites)");
  generate->add_option("--scheme", *scheme, "ed25519 (the default), sr25519 or secp256k1");
  generate->callback([g, scheme, out_file] { Finish(*g, KeysGenerate(*g, *scheme, *out_file)); });
  auto show_file = std::make_shared<std::string>();
  CLI::App* show = keys->add_subcommand("show", "Show the account of a key file");
  show->add_option("file", *show_file, "The key file")->required();
  show->callback([g, show_file] { Finish(*g, KeysShow(*g, *show_file)); });

  // status, account
  app.add_subcommand("status", "The node's height, cluster and version")->callback([g] {
    Finish(*g, Status(*g));
  });
  auto account_id = std::make_shared<std::string>();
  CLI::App* account = app.add_subcommand("account", "An account's balance and nonce");
  account->add_option("id", *account_id, "0x… account id, or a dev account's name")->required();
  account->callback([g, account_id] { Finish(*g, Account(*g, *account_id)); });

  // logs
  auto logs_args = std::make_shared<LogsArgs>();
  CLI::App* logs = app.add_subcommand(
      "logs",
      "Contract logs of commands and queries as the node keeps them: lines, events, outputs");
  logs->add_option("--contract", logs_args->contract, "Only this contract's (0x… address)");
  logs->add_flag("-f,--follow", logs_args->follow, "Keep printing new logs as they come (Ctrl-C ends)");
  logs->add_option("--after", logs_args->after, "Start after this sequence number (a log's #)");
  logs->callback([g, logs_args] { Finish(*g, Logs(*g, *logs_args)); });

  // upload
  auto upload_file = std::make_shared<std::string>();
  CLI::App* upload = app.add_subcommand("upload", "Upload a contract's code; prints its code hash");
  upload->add_option("contract", *upload_file, "A .wasm, or a .contract bundle")->required();
  upload->callback([g, upload_file] { Finish(*g, Upload(*g, *upload_file)); });

  // instantiate
  auto inst = std::make_shared<InstantiateOptions>();
  CLI::App* instantiate = app.add_subcommand(
      "instantiate", "Upload a contract's code if needed and deploy it; prints its address");
  instantiate
      ->add_option("contract", inst->contract,
                   "A .contract bundle, or .json metadata with the .wasm beside it")
      ->required();
  instantiate->add_option("--constructor", inst->constructor, "The constructor")
      ->capture_default_str();
  instantiate->add_option("--args", inst->args,
                          "Its arguments as JSON: an array in order, or an object by name");
  instantiate->add_option("--value", inst->value, "Balance to endow it with")
      ->capture_default_str();
  instantiate->add_option("--salt", inst->salt, "Hex salt, to deploy the same code and args again");
  instantiate->add_option("--gas", inst->gas, "Gas limit (ref_time ps)")->capture_default_str();
  instantiate->callback([g, inst] { Finish(*g, Instantiate(*g, *inst)); });

  // call
  auto call = std::make_shared<CallOptions>();
  CLI::App* call_cmd =
      app.add_subcommand("call", "Call a contract's message in a signed command; waits for it");
  call_cmd->add_option("address", call->address, "The contract's address, 0x…")->required();
  call_cmd->add_option("--metadata", call->metadata, "The contract's .contract or .json")
      ->required();
  call_cmd->add_option("--message", call->message, "The message to call")->required();
  call_cmd->add_option("--args", call->args,
                       "Its arguments as JSON: an array in order, or an object by name");
  call_cmd->add_option("--value", call->value, "Balance to send with it")->capture_default_str();
  call_cmd->add_option("--gas", call->gas, "Gas limit (ref_time ps)")->capture_default_str();
  call_cmd->callback([g, call] { Finish(*g, Call(*g, *call)); });

  // query
  auto query = std::make_shared<QueryOptions>();
  CLI::App* query_cmd =
      app.add_subcommand("query", "Run a contract's message read-only (a signed query)");
  query_cmd->add_option("address", query->address, "The contract's address, 0x…")->required();
  query_cmd->add_option("--metadata", query->metadata, "The contract's .contract or .json")
      ->required();
  query_cmd->add_option("--message", query->message, "The message to run")->required();
  query_cmd->add_option("--args", query->args,
                        "Its arguments as JSON: an array in order, or an object by name");
  query_cmd->add_option("--gas", query->gas, "Gas limit (ref_time ps)")->capture_default_str();
  query_cmd->callback([g, query] { Finish(*g, RunQuery(*g, *query)); });
}

}  // namespace phat::cli
