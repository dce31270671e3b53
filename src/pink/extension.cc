#include "phat/pink/extension.h"

#include <fmt/format.h>

#include <chrono>

#include "phat/codec/scale.h"
#include "phat/crypto/key_exchange.h"
#include "phat/crypto/secp256k1.h"

// pink's HTTP types travel as SCALE structs: their fields in order.
template <>
struct phat::codec::ScaleCodec<phat::pink::HttpRequest> {
  static void Encode(ScaleWriter& w, const pink::HttpRequest& r) {
    codec::Encode(w, r.url, r.method, r.headers, r.body);
  }
  static Decoded<pink::HttpRequest> Decode(ScaleReader& r) {
    pink::HttpRequest out;
    out.url = PHAT_TRY(r.String());
    out.method = PHAT_TRY(r.String());
    out.headers = PHAT_TRY((codec::Decode<std::vector<std::pair<std::string, std::string>>>(r)));
    out.body = PHAT_TRY(r.ByteVec());
    return out;
  }
};
template <>
struct phat::codec::ScaleCodec<phat::pink::HttpResponse> {
  static void Encode(ScaleWriter& w, const pink::HttpResponse& r) {
    codec::Encode(w, r.status_code, r.reason_phrase, r.headers, r.body);
  }
  static Decoded<pink::HttpResponse> Decode(ScaleReader& r) {
    pink::HttpResponse out;
    out.status_code = PHAT_TRY(r.U16());
    out.reason_phrase = PHAT_TRY(r.String());
    out.headers = PHAT_TRY((codec::Decode<std::vector<std::pair<std::string, std::string>>>(r)));
    out.body = PHAT_TRY(r.ByteVec());
    return out;
  }
};
// An enum without fields: its variant index.
template <>
struct phat::codec::ScaleCodec<phat::pink::HttpRequestError> {
  static void Encode(ScaleWriter& w, pink::HttpRequestError e) { w.U8(uint8_t(e)); }
  static Decoded<pink::HttpRequestError> Decode(ScaleReader& r) {
    const uint8_t index = PHAT_TRY(r.U8());
    if (index > uint8_t(pink::HttpRequestError::TooManyHeaders))
      return unexpected(r.Error(fmt::format("HttpRequestError has no variant {}", index)));
    return pink::HttpRequestError(index);
  }
};

namespace phat::pink {

using contracts::Error;
using contracts::ExtensionContext;
using contracts::ExtensionResult;
using contracts::Mode;

std::string_view LogLevelName(uint8_t level) {
  static constexpr std::string_view kNames[] = {"error", "warn", "info", "debug", "trace"};
  return level >= 1 && level <= 5 ? kNames[level - 1] : std::string_view("level ?");
}

namespace {

using Result = Expected<ExtensionResult, Error>;
using Handler = Result (*)(const Services&, ByteView input, ExtensionContext&);

// ---- Answers ----

// Status 0 and the SCALE value (what pink's EncodeOutput gives for everything but Result errors).
template <typename T>
Result Ok(const T& value) {
  return ExtensionResult{0, codec::Encode(value)};
}
Result Nothing() {
  return ExtensionResult{0, {}};
}
// A Result whose error pink encodes as a status code: the code and no output.
Result ErrStatus(uint32_t status) {
  return ExtensionResult{status, {}};
}
Error Failed(std::string_view function, std::string message) {
  return Error{contracts::ContractError::HostError, fmt::format("pink {}: {}", function, message)};
}

template <typename T>
Expected<T, Error> Args(ByteView input, std::string_view function) {
  auto args = codec::DecodeAll<T>(input);
  if (!args)
    return unexpected(Error{contracts::ContractError::DecodingFailed,
                            fmt::format("pink {}: {}", function, args.error().ToString())});
  return std::move(*args);
}

// ---- HTTP (ids 1 and 22) ----

// Before waiting on the network: only where the query may wait (see extension.h).
Expected<void, Error> MayWait(const ExtensionContext& context, std::string_view function) {
  if (context.may_wait()) return {};
  return unexpected(Error{contracts::ContractError::Interrupted,
                          fmt::format("pink {} waits on the network: run where it may", function)});
}

Result HttpRequestInQuery(const Services& s, ByteView input, ExtensionContext& context) {
  auto [request] = PHAT_TRY(Args<std::tuple<HttpRequest>>(input, "http_request"));
  PHAT_TRY_VOID(MayWait(context, "http_request"));
  HttpResult result = s.http ? s.http->Fetch(request, context.deadline())
                             : HttpResult(unexpected(HttpRequestError::NetworkError));
  if (!result) result = SingleRequestResult(result.error());
  // The errors Phala's first runtime knew fail the call with their text.
  if (!result)
    return unexpected(Failed("http_request", std::string(HttpRequestErrorText(result.error()))));
  return Ok(*result);
}
Result HttpRequestInTransaction(const Services&, ByteView input, ExtensionContext&) {
  PHAT_TRY(Args<std::tuple<HttpRequest>>(input, "http_request"));
  return Ok(HttpResponse{523, "API Unavailable", {}, {}});
}

// Result<Vec<Result<HttpResponse, HttpRequestError>>, HttpRequestError>, handle_status: Ok is
// status 0 and the list, Err is status (variant index + 1).
Result BatchHttpRequestInQuery(const Services& s, ByteView input, ExtensionContext& context) {
  auto [requests, timeout_ms] =
      PHAT_TRY((Args<std::tuple<std::vector<HttpRequest>, uint64_t>>(input, "batch_http_request")));
  PHAT_TRY_VOID(MayWait(context, "batch_http_request"));
  if (!s.http) return ErrStatus(uint32_t(HttpRequestError::NetworkError) + 1);
  auto batch = s.http->FetchBatch(requests, BatchDeadline(timeout_ms, context.deadline()));
  if (!batch) return ErrStatus(uint32_t(batch.error()) + 1);
  // As in Phala, a request that got no response is an Ok item 523 "Unreachable".
  std::vector<std::expected<HttpResponse, HttpRequestError>> items;
  for (HttpResult& item : *batch) {
    if (!item && (item.error() == HttpRequestError::Timeout ||
                  item.error() == HttpRequestError::NetworkError))
      item = SingleRequestResult(item.error());
    items.push_back(std::move(item));
  }
  return Ok(items);
}
Result BatchHttpRequestInTransaction(const Services&, ByteView input, ExtensionContext&) {
  PHAT_TRY((Args<std::tuple<std::vector<HttpRequest>, uint64_t>>(input, "batch_http_request")));
  return ErrStatus(uint32_t(HttpRequestError::NotAllowed) + 1);
}

// ---- Keys and signatures (ids 2-5, 13, 14) ----

Expected<SigType, Error> SigTypeArg(uint8_t index, std::string_view function) {
  auto type = SigTypeFromIndex(index);
  if (!type)
    return unexpected(Error{contracts::ContractError::DecodingFailed,
                            fmt::format("pink {}: SigType has no variant {}", function, index)});
  return *type;
}
Error KeyFailed(std::string_view function, const KeyError& e) {
  return Failed(function, e.message);
}

Result SignWith(const Services&, ByteView input, ExtensionContext& context) {
  auto [index, key, message] = PHAT_TRY((Args<std::tuple<uint8_t, Bytes, Bytes>>(input, "sign")));
  const SigType type = PHAT_TRY(SigTypeArg(index, "sign"));
  // sr25519 signatures are randomised: a transaction gets none, as it must end alike everywhere.
  if (type == SigType::Sr25519 && context.mode() == Mode::Transaction) return Ok(Bytes());
  auto signature = Sign(type, key, message);
  if (!signature) return unexpected(KeyFailed("sign", signature.error()));
  return Ok(*signature);
}

Result VerifyWith(const Services&, ByteView input, ExtensionContext&) {
  auto [index, public_key, message, signature] =
      PHAT_TRY((Args<std::tuple<uint8_t, Bytes, Bytes, Bytes>>(input, "verify")));
  const SigType type = PHAT_TRY(SigTypeArg(index, "verify"));
  auto valid = Verify(type, public_key, message, signature);
  if (!valid) return unexpected(KeyFailed("verify", valid.error()));
  return Ok(*valid);
}

Result DeriveSr25519Key(const Services& s, ByteView input, ExtensionContext& context) {
  auto [salt] = PHAT_TRY(Args<std::tuple<Bytes>>(input, "derive_sr25519_key"));
  if (!s.cluster_key)
    return unexpected(Failed("derive_sr25519_key", "this worker has no cluster key"));
  const crypto::Sr25519SecretKey key = s.cluster_key->DeriveContractKey(context.address(), salt);
  return Ok(Bytes(key.begin(), key.end()));
}

Result GetPublicKey(const Services&, ByteView input, ExtensionContext&) {
  auto [index, key] = PHAT_TRY((Args<std::tuple<uint8_t, Bytes>>(input, "get_public_key")));
  const SigType type = PHAT_TRY(SigTypeArg(index, "get_public_key"));
  auto public_key = PublicKeyOf(type, key);
  if (!public_key) return unexpected(KeyFailed("get_public_key", public_key.error()));
  return Ok(*public_key);
}

Result EcdsaSignPrehashedWith(const Services&, ByteView input, ExtensionContext&) {
  auto [key, hash] =
      PHAT_TRY((Args<std::tuple<Bytes, crypto::Hash256>>(input, "ecdsa_sign_prehashed")));
  auto signature = EcdsaSignPrehashed(key, hash);
  if (!signature) return unexpected(KeyFailed("ecdsa_sign_prehashed", signature.error()));
  return Ok(*signature);
}

Result EcdsaVerifyPrehashedWith(const Services&, ByteView input, ExtensionContext&) {
  auto [signature, hash, public_key] = PHAT_TRY(
      (Args<std::tuple<crypto::EcdsaSignature, crypto::Hash256, crypto::EcdsaPublicKey>>(
          input, "ecdsa_verify_prehashed")));
  return Ok(crypto::EcdsaVerifyPrehashed(signature, hash, public_key));
}

// ---- The cache (ids 6-9) ----
//
// A query's cache operations take effect at once. A transaction's are applied, on this worker's
// cache only, once the transaction has ended without reverting, and dropped with a frame that
// reverts: Phala records them as the transaction's side effects and applies them after it. The
// contract learns nothing from them (cache_set answers Ok, cache_remove None), so a transaction
// still ends alike on every worker.

// `op` on this contract's cache: now in a query, at the commit in a transaction.
template <class Op>
void ApplyCacheOp(const Services& s, ExtensionContext& context, Op op) {
  if (!s.cache) return;
  if (context.mode() == Mode::Query) {
    op(*s.cache, context.address());
    return;
  }
  context.OnCommit([cache = s.cache, contract = context.address(), op = std::move(op)] {
    op(*cache, contract);
  });
}

Result CacheSet(const Services& s, ByteView input, ExtensionContext& context) {
  auto [key, value] = PHAT_TRY((Args<std::tuple<Bytes, Bytes>>(input, "cache_set")));
  bool stored = true;
  ApplyCacheOp(s, context,
               [&stored, key, value](Cache& cache, const contracts::AccountId& contract) {
                 stored = cache.Set(contract, key, value).has_value();
               });
  if (context.mode() == Mode::Transaction || (s.cache && stored)) return Nothing();
  return ErrStatus(1);  // StorageQuotaExceeded (pink's CodableError: 1)
}

Result CacheSetExpiration(const Services& s, ByteView input, ExtensionContext& context) {
  auto [key, seconds] =
      PHAT_TRY((Args<std::tuple<Bytes, uint64_t>>(input, "cache_set_expiration")));
  ApplyCacheOp(s, context, [key, seconds](Cache& cache, const contracts::AccountId& contract) {
    cache.SetExpiration(contract, key, seconds);
  });
  return Nothing();
}

Result CacheGetInQuery(const Services& s, ByteView input, ExtensionContext& context) {
  auto [key] = PHAT_TRY(Args<std::tuple<Bytes>>(input, "cache_get"));
  return Ok(s.cache ? s.cache->Get(context.address(), key) : std::optional<Bytes>());
}
Result NoValue(const Services&, ByteView, ExtensionContext&) {
  return Ok(std::optional<Bytes>());
}

Result CacheRemove(const Services& s, ByteView input, ExtensionContext& context) {
  auto [key] = PHAT_TRY(Args<std::tuple<Bytes>>(input, "cache_remove"));
  std::optional<Bytes> removed;
  ApplyCacheOp(s, context, [&removed, key](Cache& cache, const contracts::AccountId& contract) {
    removed = cache.Remove(contract, key);
  });
  return Ok(removed);  // always None in a transaction: it has not happened yet
}

// ---- Logs, randomness, time, identity (ids 10-12, 15-21, 23-25) ----

Result Log(const Services&, ByteView input, ExtensionContext& context) {
  auto [level, message] = PHAT_TRY((Args<std::tuple<uint8_t, std::string>>(input, "log")));
  context.WriteDebug(fmt::format("{}: {}\n", LogLevelName(level), message));
  return Nothing();
}

Result GetRandomInQuery(const Services&, ByteView input, ExtensionContext&) {
  auto [length] = PHAT_TRY(Args<std::tuple<uint8_t>>(input, "getrandom"));
  Bytes bytes(length);
  crypto::RandomBytes(bytes);
  return Ok(bytes);
}
Result EmptyBytes(const Services&, ByteView, ExtensionContext&) {
  return Ok(Bytes());
}

Result IsInTransaction(const Services&, ByteView, ExtensionContext& context) {
  return Ok(context.mode() == Mode::Transaction);
}

Result SystemContractId(const Services& s, ByteView, ExtensionContext&) {
  return Ok(s.system_contract);
}

Result BalanceOf(const Services&, ByteView input, ExtensionContext& context) {
  auto [account] = PHAT_TRY(Args<std::tuple<contracts::AccountId>>(input, "balance_of"));
  const contracts::Balance balance = context.state().GetBalance(account);
  return Ok(std::tuple<codec::uint128, codec::uint128>(balance,
                                                       balance));  // (total, free): no locks here
}

Result WorkerPubkeyInQuery(const Services& s, ByteView, ExtensionContext&) {
  return Ok(s.worker_pubkey);
}
Result ZeroKey(const Services&, ByteView, ExtensionContext&) {
  return Ok(std::array<uint8_t, 32>{});
}

Result MillisInQuery(const Services&, ByteView, ExtensionContext&) {
  return Ok(uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()));
}
Result ZeroMillis(const Services&, ByteView, ExtensionContext&) {
  return Ok(uint64_t(0));
}

Result CodeExists(const Services&, ByteView input, ExtensionContext& context) {
  auto [hash, sidevm] =
      PHAT_TRY((Args<std::tuple<contracts::CodeHash, bool>>(input, "code_exists")));
  // phat has no SideVM: no SideVM code exists.
  return Ok(!sidevm && context.state().GetCodeInfo(hash).has_value());
}

Result ImportLatestSystemCode(const Services& s, ByteView input, ExtensionContext& context) {
  PHAT_TRY(Args<std::tuple<contracts::AccountId>>(input, "import_latest_system_code"));
  if (context.address() != s.system_contract)
    return unexpected(Failed("import_latest_system_code", "only the system contract may call it"));
  // phat's system code comes with the node, not from a chain: nothing newer to import.
  return Ok(std::optional<contracts::CodeHash>());
}

Result RuntimeVersion(const Services& s, ByteView, ExtensionContext&) {
  return Ok(std::tuple<uint32_t, uint32_t>(s.runtime_version.first, s.runtime_version.second));
}

// Phala's event chain links the cluster's on-chain events by hash; phat's blocks are its events,
// and the head is (the block being applied, or the one after the snapshot a query reads) with
// a zero hash: from the call's own block context, so that a replayed command sees what it saw.
Result EventChainHead(const Services&, ByteView, ExtensionContext& context) {
  return Ok(std::tuple<uint64_t, crypto::Hash256>(context.block().block_number, {}));
}

// pink's JsValue::Exception(String) is variant 5.
Result JsEvalUnavailable(const Services&, ByteView, ExtensionContext&) {
  codec::ScaleWriter w;
  w.U8(5);
  w.Str("js_eval is not available on this worker");
  return ExtensionResult{0, w.Take()};
}

Result NoSgxQuote(const Services&, ByteView, ExtensionContext&) {
  return Ok(std::optional<Bytes>());  // None: this worker runs outside SGX
}

// ---- The table ----

struct Function {
  uint16_t id;
  std::string_view name;
  uint64_t gas;  // ref_time charged on entry, on top of the host's per-byte cost
  Handler in_query;
  Handler in_transaction;  // what a transaction gets instead
};

// clang-format off
constexpr Function kFunctions[] = {
    // id name                                  gas (ps)      query                     transaction
    {1,  "http_request",                       0,            HttpRequestInQuery,       HttpRequestInTransaction},
    {2,  "sign",                               50'000'000,   SignWith,                 SignWith},
    {3,  "verify",                             50'000'000,   VerifyWith,               VerifyWith},
    {4,  "derive_sr25519_key",                 50'000'000,   DeriveSr25519Key,         DeriveSr25519Key},
    {5,  "get_public_key",                     20'000'000,   GetPublicKey,             GetPublicKey},
    {6,  "cache_set",                          2'000'000,    CacheSet,                 CacheSet},
    {7,  "cache_set_expiration",               2'000'000,    CacheSetExpiration,       CacheSetExpiration},
    {8,  "cache_get",                          2'000'000,    CacheGetInQuery,          NoValue},
    {9,  "cache_remove",                       2'000'000,    CacheRemove,              CacheRemove},
    {10, "log",                                1'000'000,    Log,                      Log},
    {11, "getrandom",                          1'000'000,    GetRandomInQuery,         EmptyBytes},
    {12, "is_in_transaction",                  0,            IsInTransaction,          IsInTransaction},
    {13, "ecdsa_sign_prehashed",               50'000'000,   EcdsaSignPrehashedWith,   EcdsaSignPrehashedWith},
    {14, "ecdsa_verify_prehashed",             50'000'000,   EcdsaVerifyPrehashedWith, EcdsaVerifyPrehashedWith},
    {15, "system_contract_id",                 0,            SystemContractId,         SystemContractId},
    {16, "balance_of",                         2'000'000,    BalanceOf,                BalanceOf},
    {17, "worker_pubkey",                      0,            WorkerPubkeyInQuery,      ZeroKey},
    {18, "untrusted_millis_since_unix_epoch",  0,            MillisInQuery,            ZeroMillis},
    {19, "code_exists",                        2'000'000,    CodeExists,               CodeExists},
    {20, "import_latest_system_code",          0,            ImportLatestSystemCode,   ImportLatestSystemCode},
    {21, "runtime_version",                    0,            RuntimeVersion,           RuntimeVersion},
    {22, "batch_http_request",                 0,            BatchHttpRequestInQuery,  BatchHttpRequestInTransaction},
    {23, "current_event_chain_head",           0,            EventChainHead,           EventChainHead},
    {24, "js_eval",                            0,            JsEvalUnavailable,        JsEvalUnavailable},
    {25, "worker_sgx_quote",                   0,            NoSgxQuote,               NoSgxQuote},
};
// clang-format on

const Function* Find(uint16_t id) {
  for (const Function& f : kFunctions)
    if (f.id == id) return &f;
  return nullptr;
}

}  // namespace

PinkExtension::PinkExtension(Services services) : services_(std::move(services)) {}
PinkExtension::~PinkExtension() = default;

std::vector<std::pair<uint16_t, std::string_view>> PinkExtension::Functions() {
  std::vector<std::pair<uint16_t, std::string_view>> out;
  for (const Function& f : kFunctions) out.emplace_back(f.id, f.name);
  return out;
}

Expected<ExtensionResult, Error> PinkExtension::Call(uint16_t func_id, ByteView input,
                                                     ExtensionContext& context) {
  const Function* f = Find(func_id);
  if (!f)
    return unexpected(Error{contracts::ContractError::NoChainExtension,
                            fmt::format("pink has no function {}", func_id)});
  if (f->gas && !context.ChargeGas(f->gas))
    return unexpected(Error{contracts::ContractError::OutOfGas, fmt::format("pink {}", f->name)});
  const Handler handler = context.mode() == Mode::Query ? f->in_query : f->in_transaction;
  return handler(services_, input, context);
}

}  // namespace phat::pink
