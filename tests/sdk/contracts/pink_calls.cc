// A test fixture: one message per wrapper of <phat/sdk/pink.h>, passing its arguments through and
// answering what the wrapper decoded, so that tests/sdk/pink_test.cc can check the bytes each
// wrapper sends (a recording chain extension sees them) and that it decodes pink's answers.
#include <phat/sdk.h>

using namespace phat::sdk;
namespace pink = phat::sdk::pink;

struct PinkCalls {
  PHAT_FIELDS(PinkCalls);

  void New() {}

  pink::HttpResponse HttpRequest(pink::HttpRequest request, u32 capacity) const {
    return pink::SendHttpRequest(request, capacity);
  }
  // Only the body's size: a large response may come in, but not go out again as this call's
  // answer (return data passes through the 16 KiB static buffer).
  u32 HttpBodySize(pink::HttpRequest request, u32 capacity) const {
    return pink::SendHttpRequest(request, capacity).body.size();
  }
  pink::HttpResponse HttpGet(String url) const { return pink::HttpGet(url); }
  pink::BatchHttpResult BatchHttpRequest(Vec<pink::HttpRequest> requests, u64 timeout_ms) const {
    return pink::BatchHttpRequest(requests, timeout_ms);
  }
  Bytes Sign(pink::SigType type, Bytes key, Bytes message) const {
    return pink::Sign(type, key, message);
  }
  bool Verify(pink::SigType type, Bytes public_key, Bytes message, Bytes signature) const {
    return pink::Verify(type, public_key, message, signature);
  }
  Bytes DeriveSr25519Key(Bytes salt) const { return pink::DeriveSr25519Key(salt); }
  Bytes GetPublicKey(pink::SigType type, Bytes key) const { return pink::GetPublicKey(type, key); }
  // The Result itself is the answer: a quota error must not revert this call (and so it is
  // wrapped in an Option, which the dispatch does not treat as a failure).
  Option<Result<void, pink::StorageQuotaExceeded>> CacheSet(Bytes key, Bytes value) const {
    return pink::CacheSet(key, value);
  }
  void CacheSetExpiration(Bytes key, u64 seconds) const { pink::CacheSetExpiration(key, seconds); }
  Option<Bytes> CacheGet(Bytes key, u32 capacity) const { return pink::CacheGet(key, capacity); }
  Option<Bytes> CacheRemove(Bytes key) const { return pink::CacheRemove(key); }
  void Log(u8 level, String message) const {
    pink::Log(static_cast<pink::LogLevel>(level), message);
  }
  void LogAtEachLevel(String message) const {
    pink::LogError(message);
    pink::LogWarn(message);
    pink::LogInfo(message);
    pink::LogDebug(message);
    pink::LogTrace(message);
  }
  Bytes GetRandom(u8 length) const { return pink::GetRandom(length); }
  bool IsInTransaction() const { return pink::IsInTransaction(); }
  pink::EcdsaSignature EcdsaSignPrehashed(Bytes key, Hash message_hash) const {
    return pink::EcdsaSignPrehashed(key, message_hash);
  }
  bool EcdsaVerifyPrehashed(pink::EcdsaSignature signature, Hash message_hash,
                            pink::EcdsaPublicKey public_key) const {
    return pink::EcdsaVerifyPrehashed(signature, message_hash, public_key);
  }
  AccountId SystemContractId() const { return pink::SystemContractId(); }
  Tuple<Balance, Balance> BalanceOf(AccountId account) const { return pink::BalanceOf(account); }
  Array<u8, 32> WorkerPubkey() const { return pink::WorkerPubkey(); }
  u64 UntrustedMillisSinceUnixEpoch() const { return pink::UntrustedMillisSinceUnixEpoch(); }
  bool CodeExists(Hash code_hash, bool sidevm) const { return pink::CodeExists(code_hash, sidevm); }
  Option<Hash> ImportLatestSystemCode(AccountId payer) const {
    return pink::ImportLatestSystemCode(payer);
  }
  Tuple<u32, u32> RuntimeVersion() const { return pink::RuntimeVersion(); }
  Tuple<u64, Hash> CurrentEventChainHead() const { return pink::CurrentEventChainHead(); }
};

// clang-format off: one item per line
PHAT_CONTRACT(PinkCalls,
              Constructor<&PinkCalls::New>("new"),
              Message<&PinkCalls::HttpRequest>("http_request").Args("request", "capacity"),
              Message<&PinkCalls::HttpBodySize>("http_body_size").Args("request", "capacity"),
              Message<&PinkCalls::HttpGet>("http_get").Args("url"),
              Message<&PinkCalls::BatchHttpRequest>("batch_http_request")
                  .Args("requests", "timeout_ms"),
              Message<&PinkCalls::Sign>("sign").Args("type", "key", "message"),
              Message<&PinkCalls::Verify>("verify")
                  .Args("type", "public_key", "message", "signature"),
              Message<&PinkCalls::DeriveSr25519Key>("derive_sr25519_key").Args("salt"),
              Message<&PinkCalls::GetPublicKey>("get_public_key").Args("type", "key"),
              Message<&PinkCalls::CacheSet>("cache_set").Args("key", "value"),
              Message<&PinkCalls::CacheSetExpiration>("cache_set_expiration")
                  .Args("key", "seconds"),
              Message<&PinkCalls::CacheGet>("cache_get").Args("key", "capacity"),
              Message<&PinkCalls::CacheRemove>("cache_remove").Args("key"),
              Message<&PinkCalls::Log>("log").Args("level", "message"),
              Message<&PinkCalls::LogAtEachLevel>("log_at_each_level").Args("message"),
              Message<&PinkCalls::GetRandom>("getrandom").Args("length"),
              Message<&PinkCalls::IsInTransaction>("is_in_transaction"),
              Message<&PinkCalls::EcdsaSignPrehashed>("ecdsa_sign_prehashed")
                  .Args("key", "message_hash"),
              Message<&PinkCalls::EcdsaVerifyPrehashed>("ecdsa_verify_prehashed")
                  .Args("signature", "message_hash", "public_key"),
              Message<&PinkCalls::SystemContractId>("system_contract_id"),
              Message<&PinkCalls::BalanceOf>("balance_of").Args("account"),
              Message<&PinkCalls::WorkerPubkey>("worker_pubkey"),
              Message<&PinkCalls::UntrustedMillisSinceUnixEpoch>(
                  "untrusted_millis_since_unix_epoch"),
              Message<&PinkCalls::CodeExists>("code_exists").Args("code_hash", "sidevm"),
              Message<&PinkCalls::ImportLatestSystemCode>("import_latest_system_code")
                  .Args("payer"),
              Message<&PinkCalls::RuntimeVersion>("runtime_version"),
              Message<&PinkCalls::CurrentEventChainHead>("current_event_chain_head"));
// clang-format on
