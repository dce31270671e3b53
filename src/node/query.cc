#include "phat/node/query.h"

#include <fmt/format.h>

#include "phat/crypto/ed25519.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/secp256k1.h"

namespace phat::node {

using codec::Decoded;
using codec::ScaleReader;
using codec::ScaleWriter;

void Query::ScaleEncode(ScaleWriter& w) const {
  codec::Encode(w, origin, dest);
  w.ByteVec(input);
  w.U64(gas_limit);
  w.U64(expiry_ms);
}
Decoded<Query> Query::ScaleDecode(ScaleReader& r) {
  Query q;
  q.origin = PHAT_TRY(codec::Decode<AccountId>(r));
  q.dest = PHAT_TRY(codec::Decode<AccountId>(r));
  q.input = PHAT_TRY(r.ByteVec());
  q.gas_limit = PHAT_TRY(r.U64());
  q.expiry_ms = PHAT_TRY(r.U64());
  return q;
}

void SignedQuery::ScaleEncode(ScaleWriter& w) const {
  w.ByteVec(query);
  w.U8(uint8_t(scheme));
  w.ByteVec(public_key);
  w.ByteVec(signature);
}
Decoded<SignedQuery> SignedQuery::ScaleDecode(ScaleReader& r) {
  SignedQuery v;
  v.query = PHAT_TRY(r.ByteVec());
  const size_t at = r.offset();
  const uint8_t scheme = PHAT_TRY(r.U8());
  auto known = ledger::SignatureSchemeFromByte(scheme);
  if (!known)
    return unexpected(r.ErrorAt(at, "unknown signature scheme " + std::to_string(scheme)));
  v.scheme = *known;
  v.public_key = PHAT_TRY(r.ByteVec());
  v.signature = PHAT_TRY(r.ByteVec());
  return v;
}

Bytes QuerySigningPayload(const CodeHash& cluster_id, ByteView query) {
  return ledger::DomainPayload("phat-query-v1:", cluster_id, query);
}

Expected<AccountId, QueryError> VerifyEnvelope(const SignedQuery& envelope, ByteView payload,
                                               std::string_view how_signed) {
  using Kind = QueryError::Kind;
  auto signer = ledger::AccountOf(envelope.scheme, envelope.public_key);
  if (!signer) return unexpected(QueryError{Kind::Malformed, signer.error()});
  auto valid =
      ledger::VerifySignature(envelope.scheme, envelope.public_key, envelope.signature, payload);
  if (!valid) return unexpected(QueryError{Kind::Malformed, valid.error()});
  if (!*valid)
    return unexpected(QueryError{
        Kind::BadSignature,
        fmt::format("the signature does not match the request, the key and this cluster ({})",
                    how_signed)});
  return *signer;
}

Expected<void, QueryError> CheckOrigin(const AccountId& origin, const AccountId& signer) {
  if (origin == signer) return {};
  return unexpected(QueryError{
      QueryError::Kind::BadSignature,
      fmt::format("the origin 0x{} is not the signer's account 0x{}", ToHex(origin),
                  ToHex(signer))});
}

Expected<Query, QueryError> VerifyQuery(const CodeHash& cluster_id,
                                        const SignedQuery& signed_query) {
  auto query = codec::DecodeAll<Query>(signed_query.query);
  if (!query)
    return unexpected(QueryError{QueryError::Kind::Malformed,
                                 "the query does not decode: " + query.error().ToString()});
  const AccountId signer = PHAT_TRY(
      VerifyEnvelope(signed_query, QuerySigningPayload(cluster_id, signed_query.query),
                     "queries are signed over \"phat-query-v1:\" ‖ cluster id ‖ SCALE(query)"));
  PHAT_TRY_VOID(CheckOrigin(query->origin, signer));
  return std::move(*query);
}

SignedQuery SignEnvelopeEd25519(Bytes body, const Bytes& payload,
                                const std::array<uint8_t, 32>& seed) {
  SignedQuery out;
  out.query = std::move(body);
  out.scheme = ledger::SignatureScheme::Ed25519;
  std::tie(out.public_key, out.signature) = ledger::SignPayloadEd25519(seed, payload);
  return out;
}

Expected<SignedQuery, std::string> SignQuery(const CodeHash& cluster_id, const Query& query,
                                             ledger::SignatureScheme scheme,
                                             const std::array<uint8_t, 32>& secret) {
  SignedQuery out;
  out.query = codec::Encode(query);
  out.scheme = scheme;
  std::tie(out.public_key, out.signature) =
      PHAT_TRY(ledger::SignPayload(scheme, secret, QuerySigningPayload(cluster_id, out.query)));
  return out;
}

SignedQuery SignQueryEd25519(const CodeHash& cluster_id, const Query& query,
                             const std::array<uint8_t, 32>& seed) {
  Bytes body = codec::Encode(query);
  const Bytes payload = QuerySigningPayload(cluster_id, body);
  return SignEnvelopeEd25519(std::move(body), payload, seed);
}

Expected<void, QueryError> CheckExpiry(uint64_t expiry_ms, uint64_t now_ms,
                                       uint64_t max_future_ms) {
  if (expiry_ms <= now_ms)
    return unexpected(QueryError{
        QueryError::Kind::Expired,
        fmt::format("the query expired {} ms ago (expiry {} ms since the epoch, now {}): sign it "
                    "again with a later expiry",
                    now_ms - expiry_ms, expiry_ms, now_ms)});
  if (expiry_ms - now_ms > max_future_ms)
    return unexpected(QueryError{
        QueryError::Kind::Expired,
        fmt::format("the query's expiry is {} ms ahead; at most {} ms is accepted (check the "
                    "client's clock)",
                    expiry_ms - now_ms, max_future_ms)});
  return {};
}

bool ReplayGuard::CheckAndRecord(const CodeHash& hash, uint64_t expiry_ms, uint64_t now_ms) {
  std::lock_guard lock(mu_);
  // Forget what has expired: an expired query is refused by its expiry anyway.
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  if (seen_.contains(hash)) return false;
  while (capacity_ > 0 && seen_.size() >= capacity_) {
    seen_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  seen_.emplace(hash, expiry_ms);
  by_expiry_.emplace(expiry_ms, hash);
  return true;
}

void ReplayGuard::Forget(const CodeHash& hash) {
  std::lock_guard lock(mu_);
  auto it = seen_.find(hash);
  if (it == seen_.end()) return;
  by_expiry_.erase({it->second, hash});
  seen_.erase(it);
}

size_t ReplayGuard::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace phat::node
