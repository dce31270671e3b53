// Phala's pink chain extension for contracts (ABI.md §6 and §10), in `phat::sdk::pink`: HTTP
// requests, keys the cluster derives for the contract and signing with them, the worker's local
// cache, logs, randomness, the worker's clock and identity. One thin typed wrapper per function of
// pink's table, named after pink's function in the SDK's CamelCase (http_request is
// SendHttpRequest, since HttpRequest names the request type), with pink's argument and result
// types; the host side is src/pink/extension.cc.
//
// On the wire each is ink! 4's #[ink(extension = N)] with pink's ids: call_chain_extension's id is
// the function id itself (extension 0), the input is the SCALE tuple of the arguments and the
// output the SCALE of the result. Functions pink declares with handle_status = false answer
// status 0 and their value, and ink! ignores the status, so these wrappers do too. cache_set and
// batch_http_request (handle_status = true) answer their error as a status instead: cache_set 1
// for StorageQuotaExceeded, batch_http_request the HttpRequestError's index + 1, each with no
// output; status 0 comes with the Ok value (not wrapped in a Result). An output that does not
// decode, or a status pink never gives, is a trap, where ink! panics.
//
// Output buffers. Most answers are small and arrive in the SDK's 16 KiB static buffer (memory.h).
// An HTTP response may be much larger (pink allows a 2 MiB body), so the HTTP functions write into
// a fresh block whose capacity the caller chooses (kDefaultHttpCapacity if not). pallet-contracts
// cannot ask for an output's size first, and the host never truncates: a larger answer fails the
// whole call with OutputBufferTooSmall ("N bytes of output for a buffer of M"), which the contract
// cannot catch. So choose the capacity for the largest response the contract accepts. The SDK's
// contracts have at most 1 MiB of memory (16 pages) and the decoded body is a copy, so about
// 450 KiB is the most a capacity can usefully be; a capacity the memory cannot hold is a trap,
// with a debug message that says so. cache_get and cache_remove take a capacity for the same
// reason (default: the static buffer).
//
// Queries and transactions. A transaction runs on every worker and must end alike on all of them,
// so there pink gives fixed answers (ABI.md §10): http_request a 523 response, batch_http_request
// NotAllowed, an Sr25519 sign empty bytes, cache_get None, getrandom empty bytes, worker_pubkey
// zeros, the clock 0. The wrappers pass these through; IsInTransaction tells a contract which it
// is in.
//
// Not here: js_eval (24), whose JsValue is a Rust enum with data (the SDK's enums have none
// yet), and worker_sgx_quote (25), which phat's workers answer None to anyway. Call them with
// env::CallChainExtension if needed.
//
// Like env.h, nothing here keeps the static buffer past its return. Not thread-safe (a contract
// has one thread).
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/env.h"
#include "phat/sdk/memory.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/scale.h"
#include "phat/sdk/types.h"

namespace phat::sdk::pink {

// ---- pink's types (pink's chain_extension.rs); each encodes as pink's does ----

// The key type of sign, verify and get_public_key.
PHAT_ENUM(SigType, Ed25519, Sr25519, Ecdsa);

// Why an HTTP request failed, in pink's order: SCALE encodes the position, and a status code is
// the position + 1.
PHAT_ENUM(HttpRequestError, InvalidUrl, InvalidMethod, InvalidHeaderName, InvalidHeaderValue,
          FailedToCreateClient, Timeout, NotAllowed, TooManyRequests, NetworkError,
          ResponseTooLarge, TooManyHeaders);

using HttpHeaders = Vec<Tuple<String, String>>;  // (name, value), in order

struct HttpRequest {
  String url;
  String method;  // "GET", "POST", …
  HttpHeaders headers;
  Bytes body;
  PHAT_FIELDS(HttpRequest, url, method, headers, body);
  friend bool operator==(const HttpRequest&, const HttpRequest&) = default;
};

// A request that got no response at all answers 523 "Unreachable" (pink's convention), and a
// transaction's request 523 "API Unavailable".
struct HttpResponse {
  u16 status_code = 0;
  String reason_phrase;
  HttpHeaders headers;
  Bytes body;
  PHAT_FIELDS(HttpResponse, status_code, reason_phrase, headers, body);
  friend bool operator==(const HttpResponse&, const HttpResponse&) = default;
};

// cache_set's error: the contract's share of the worker's cache is full. A unit struct in pink, so
// it encodes as nothing.
struct StorageQuotaExceeded {
  PHAT_FIELDS(StorageQuotaExceeded);
  friend constexpr bool operator==(StorageQuotaExceeded, StorageQuotaExceeded) { return true; }
};

// pink's log levels, sent as the number.
enum class LogLevel : u8 { kError = 1, kWarn = 2, kInfo = 3, kDebug = 4, kTrace = 5 };

using EcdsaSignature = Array<u8, 65>;  // r ‖ s ‖ recovery id
using EcdsaPublicKey = Array<u8, 33>;  // compressed

// The function ids (ABI.md §10).
enum class FunctionId : u32 {
  kHttpRequest = 1,
  kSign = 2,
  kVerify = 3,
  kDeriveSr25519Key = 4,
  kGetPublicKey = 5,
  kCacheSet = 6,
  kCacheSetExpiration = 7,
  kCacheGet = 8,
  kCacheRemove = 9,
  kLog = 10,
  kGetRandom = 11,
  kIsInTransaction = 12,
  kEcdsaSignPrehashed = 13,
  kEcdsaVerifyPrehashed = 14,
  kSystemContractId = 15,
  kBalanceOf = 16,
  kWorkerPubkey = 17,
  kUntrustedMillisSinceUnixEpoch = 18,
  kCodeExists = 19,
  kImportLatestSystemCode = 20,
  kRuntimeVersion = 21,
  kBatchHttpRequest = 22,
  kCurrentEventChainHead = 23,
};

// The capacity the HTTP functions give the host for their answer unless told otherwise: the whole
// SCALE answer (status line, headers and body, for all the requests of a batch).
inline constexpr u32 kDefaultHttpCapacity = 256 * 1024;

namespace internal {

struct Answer {
  u32 status = 0;
  const u8* data = nullptr;
  u32 size = 0;
};

// Where an answer of up to `capacity` bytes goes: the static buffer if it fits there, else a fresh
// block (never the static buffer's neighbour, which the next host call would overwrite).
inline u8* OutputBuffer(u32 capacity) {
  if (capacity <= kStaticBufferSize) return StaticBuffer();
  void* block = TryAllocate(capacity, 1);
  if (block == nullptr) {
    env::DebugMessage(
        "pink: the contract's memory cannot hold an output buffer of the capacity "
        "asked for; ask for less\n");
    Trap();
  }
  return static_cast<u8*>(block);
}

// Calls pink's function `id` with SCALE((args…)) and an output buffer of `capacity` bytes.
template <class... Args>
Answer Call(FunctionId id, u32 capacity, const Args&... args) {
  // The input gets its own block: a request body may be larger than the static buffer.
  Bytes input = EncodeToBytes(args...);
  u8* out = OutputBuffer(capacity);
  u32 size = capacity;
  u32 status =
      env::CallChainExtensionInto(static_cast<u32>(id), input.data(), input.size(), out, &size);
  return Answer{status, out, size};
}

// The answer of a handle_status = false function, decoded as T (the status is ignored, as ink!
// ignores it).
template <class T>
T Decoded(const Answer& answer) {
  T value{};
  if (!DecodeAll(answer.data, answer.size, value)) Trap();
  return value;
}

template <class T, class... Args>
T CallFor(FunctionId id, const Args&... args) {
  return Decoded<T>(Call(id, kStaticBufferSize, args...));
}

}  // namespace internal

// ---- HTTP (ids 1 and 22): queries only; a transaction gets 523 / NotAllowed ----

// http_request: one request, given what remains of the query's time. A request that got no
// response (refused, timed out, unknown host) is a response 523 "Unreachable", not an error; an
// invalid URL, method or header fails the call (pink fails it too). `capacity` bounds the answer
// (see the top of this file).
inline HttpResponse SendHttpRequest(const HttpRequest& request,
                                    u32 capacity = kDefaultHttpCapacity) {
  return internal::Decoded<HttpResponse>(
      internal::Call(FunctionId::kHttpRequest, capacity, request));
}

// A GET of `url` with `headers` and no body.
inline HttpResponse HttpGet(const String& url, const HttpHeaders& headers = {},
                            u32 capacity = kDefaultHttpCapacity) {
  return SendHttpRequest(HttpRequest{.url = url, .method = "GET", .headers = headers, .body = {}},
                         capacity);
}

using BatchHttpResult = Result<Vec<Result<HttpResponse, HttpRequestError>>, HttpRequestError>;

// batch_http_request: up to 5 requests at once, all given `timeout_ms` (no more than the query has
// left). Each request has its own result; the batch as a whole fails with TooManyRequests, or
// NotAllowed in a transaction. `capacity` bounds the answer for all of them together.
inline BatchHttpResult BatchHttpRequest(const Vec<HttpRequest>& requests, u64 timeout_ms,
                                        u32 capacity = kDefaultHttpCapacity) {
  internal::Answer answer =
      internal::Call(FunctionId::kBatchHttpRequest, capacity, requests, timeout_ms);
  if (answer.status != 0) {
    if (answer.status > PhatEnumInfo(HttpRequestError{}).VariantCount()) Trap();
    return Err(static_cast<HttpRequestError>(answer.status - 1));
  }
  return Ok(internal::Decoded<Vec<Result<HttpResponse, HttpRequestError>>>(answer));
}

// ---- keys (ids 2-5, 13, 14) ----

// sign: a signature of `message` with `key` (Ed25519: a 32-byte seed; Sr25519: a 32-byte mini
// secret or a 64-byte secret key, signed in the "substrate" context; Ecdsa: a 32-byte secret, over
// blake2b-256 of the message). A key of the wrong size fails the call. In a transaction an
// Sr25519 signature is empty: it is randomised, so workers would disagree.
inline Bytes Sign(SigType type, const Bytes& key, const Bytes& message) {
  return internal::CallFor<Bytes>(FunctionId::kSign, type, key, message);
}

// verify: whether `signature` is `public_key`'s over `message`.
inline bool Verify(SigType type, const Bytes& public_key, const Bytes& message,
                   const Bytes& signature) {
  return internal::CallFor<bool>(FunctionId::kVerify, type, public_key, message, signature);
}

// derive_sr25519_key: a 64-byte Sr25519 secret key only this contract gets, from the cluster's key
// and `salt`: the same on every worker of the cluster, in queries and transactions.
inline Bytes DeriveSr25519Key(const Bytes& salt) {
  return internal::CallFor<Bytes>(FunctionId::kDeriveSr25519Key, salt);
}
inline Bytes DeriveSr25519Key(const char* salt) {
  return DeriveSr25519Key(Bytes(reinterpret_cast<const u8*>(salt), static_cast<u32>(StrLen(salt))));
}

// get_public_key: the public key of `key` (Ecdsa: 33 bytes, compressed; the others 32).
inline Bytes GetPublicKey(SigType type, const Bytes& key) {
  return internal::CallFor<Bytes>(FunctionId::kGetPublicKey, type, key);
}

// ecdsa_sign_prehashed: a signature of the 32-byte hash as given (not hashed again).
inline EcdsaSignature EcdsaSignPrehashed(const Bytes& key, const Hash& message_hash) {
  return internal::CallFor<EcdsaSignature>(FunctionId::kEcdsaSignPrehashed, key, message_hash);
}

inline bool EcdsaVerifyPrehashed(const EcdsaSignature& signature, const Hash& message_hash,
                                 const EcdsaPublicKey& public_key) {
  return internal::CallFor<bool>(FunctionId::kEcdsaVerifyPrehashed, signature, message_hash,
                                 public_key);
}

// ---- the worker's cache (ids 6-9): local to the worker, lost on restart, never consensus ----
//
// In a transaction a write takes effect on this worker only and reads learn nothing (cache_get and
// cache_remove answer None), so that the transaction ends alike everywhere.

inline Result<void, StorageQuotaExceeded> CacheSet(const Bytes& key, const Bytes& value) {
  internal::Answer answer = internal::Call(FunctionId::kCacheSet, kStaticBufferSize, key, value);
  if (answer.status == 0) return Ok();
  if (answer.status == 1) return Err(StorageQuotaExceeded{});
  Trap();
}

// The entry expires `seconds` from now.
inline void CacheSetExpiration(const Bytes& key, u64 seconds) {
  internal::Call(FunctionId::kCacheSetExpiration, kStaticBufferSize, key, seconds);
}

// `capacity` bounds the answer: the value plus up to 6 bytes of SCALE around it.
inline Option<Bytes> CacheGet(const Bytes& key, u32 capacity = kStaticBufferSize) {
  return internal::Decoded<Option<Bytes>>(internal::Call(FunctionId::kCacheGet, capacity, key));
}

// Removes the entry; the value it had (in a query).
inline Option<Bytes> CacheRemove(const Bytes& key, u32 capacity = kStaticBufferSize) {
  return internal::Decoded<Option<Bytes>>(internal::Call(FunctionId::kCacheRemove, capacity, key));
}

// ---- logs (id 10): "<level>: <message>" in the call's debug output and the node's logs ----

inline void Log(LogLevel level, const String& message) {
  internal::Call(FunctionId::kLog, kStaticBufferSize, static_cast<u8>(level), message);
}
inline void LogError(const String& message) {
  Log(LogLevel::kError, message);
}
inline void LogWarn(const String& message) {
  Log(LogLevel::kWarn, message);
}
inline void LogInfo(const String& message) {
  Log(LogLevel::kInfo, message);
}
inline void LogDebug(const String& message) {
  Log(LogLevel::kDebug, message);
}
inline void LogTrace(const String& message) {
  Log(LogLevel::kTrace, message);
}

// ---- randomness, time, identity, the chain (ids 11, 12, 15-21, 23) ----

// getrandom: `length` random bytes (empty in a transaction).
inline Bytes GetRandom(u8 length) {
  return internal::CallFor<Bytes>(FunctionId::kGetRandom, length);
}

inline bool IsInTransaction() {
  return internal::CallFor<bool>(FunctionId::kIsInTransaction);
}

inline AccountId SystemContractId() {
  return internal::CallFor<AccountId>(FunctionId::kSystemContractId);
}

// (total, free) balance of `account`.
inline Tuple<Balance, Balance> BalanceOf(const AccountId& account) {
  return internal::CallFor<Tuple<Balance, Balance>>(FunctionId::kBalanceOf, account);
}

// The worker's public key (zeros in a transaction).
inline Array<u8, 32> WorkerPubkey() {
  return internal::CallFor<Array<u8, 32>>(FunctionId::kWorkerPubkey);
}

// The worker's wall clock, in milliseconds: untrusted, since the worker's operator sets it (0 in a
// transaction; env::BlockTimestamp is the agreed time).
inline u64 UntrustedMillisSinceUnixEpoch() {
  return internal::CallFor<u64>(FunctionId::kUntrustedMillisSinceUnixEpoch);
}

// Whether code with this hash was uploaded (`sidevm`: SideVM code, which phat does not have).
inline bool CodeExists(const Hash& code_hash, bool sidevm) {
  return internal::CallFor<bool>(FunctionId::kCodeExists, code_hash, sidevm);
}

// For the system contract only (any other caller fails the call).
inline Option<Hash> ImportLatestSystemCode(const AccountId& payer) {
  return internal::CallFor<Option<Hash>>(FunctionId::kImportLatestSystemCode, payer);
}

// pink's runtime version, (major, minor).
inline Tuple<u32, u32> RuntimeVersion() {
  return internal::CallFor<Tuple<u32, u32>>(FunctionId::kRuntimeVersion);
}

// The head of the cluster's event chain, (number, hash).
inline Tuple<u64, Hash> CurrentEventChainHead() {
  return internal::CallFor<Tuple<u64, Hash>>(FunctionId::kCurrentEventChainHead);
}

}  // namespace phat::sdk::pink
