#include "phat/node/session.h"

#include <fmt/format.h>

namespace phat::node {

using codec::Decoded;
using codec::ScaleReader;
using codec::ScaleWriter;
using Kind = QueryError::Kind;

namespace {

SessionId RandomSessionId() {
  SessionId id;
  crypto::RandomBytes(id);
  return id;
}

}  // namespace

void SessionRequest::ScaleEncode(ScaleWriter& w) const {
  codec::Encode(w, origin, client_key);
  w.U64(expiry_ms);
}
Decoded<SessionRequest> SessionRequest::ScaleDecode(ScaleReader& r) {
  SessionRequest v;
  v.origin = PHAT_TRY(codec::Decode<AccountId>(r));
  v.client_key = PHAT_TRY(codec::Decode<crypto::KxPublicKey>(r));
  v.expiry_ms = PHAT_TRY(r.U64());
  return v;
}

Bytes SessionSigningPayload(const CodeHash& cluster_id, ByteView request) {
  return ledger::DomainPayload("phat-session-v1:", cluster_id, request);
}

void SessionQuery::ScaleEncode(ScaleWriter& w) const {
  codec::Encode(w, session);
  w.U64(counter);
  codec::Encode(w, dest);
  w.ByteVec(input);
  w.U64(gas_limit);
}
Decoded<SessionQuery> SessionQuery::ScaleDecode(ScaleReader& r) {
  SessionQuery v;
  v.session = PHAT_TRY(codec::Decode<SessionId>(r));
  v.counter = PHAT_TRY(r.U64());
  v.dest = PHAT_TRY(codec::Decode<AccountId>(r));
  v.input = PHAT_TRY(r.ByteVec());
  v.gas_limit = PHAT_TRY(r.U64());
  return v;
}

crypto::Hash256 SessionQueryMac(const crypto::Hash256& key, ByteView session_query) {
  return crypto::Blake2b256Keyed(key, ledger::DomainPayload("phat-session-query-v1:", {}, session_query));
}

Expected<OpenedSession, QueryError> SessionTable::Open(const CodeHash& cluster_id,
                                                       const SignedQuery& signed_request,
                                                       uint64_t now_ms) {
  auto request = codec::DecodeAll<SessionRequest>(signed_request.query);
  if (!request)
    return unexpected(QueryError{
        Kind::Malformed, "the session request does not decode: " + request.error().ToString()});
  PHAT_TRY_VOID(CheckExpiry(request->expiry_ms, now_ms, max_lifetime_ms_));
  const AccountId signer = PHAT_TRY(
      VerifyEnvelope(signed_request, SessionSigningPayload(cluster_id, signed_request.query),
                     "session requests are signed over \"phat-session-v1:\" ‖ cluster id ‖ "
                     "SCALE(SessionRequest)"));
  PHAT_TRY_VOID(CheckOrigin(request->origin, signer));

  // The node's half of the exchange lives only as long as this call.
  const crypto::KxKeypair node = crypto::KxKeypairRandom();
  auto key = crypto::KxClientToServerKeyAtServer(node, request->client_key);
  if (!key)
    return unexpected(
        QueryError{Kind::Malformed, "the client key is not a usable X25519 public key"});
  OpenedSession opened{RandomSessionId(), node.public_key, request->expiry_ms};

  std::lock_guard lock(mu_);
  DropExpired(now_ms);
  while (capacity_ > 0 && sessions_.size() >= capacity_) {
    sessions_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  Session s;
  s.origin = request->origin;
  s.key = *key;
  s.expiry_ms = request->expiry_ms;
  sessions_.emplace(opened.id, s);
  by_expiry_.emplace(s.expiry_ms, opened.id);
  return opened;
}

Expected<Query, QueryError> SessionTable::Authenticate(ByteView session_query,
                                                       const crypto::Hash256& mac,
                                                       uint64_t now_ms) {
  auto q = codec::DecodeAll<SessionQuery>(session_query);
  if (!q)
    return unexpected(
        QueryError{Kind::Malformed, "the session query does not decode: " + q.error().ToString()});
  std::lock_guard lock(mu_);
  DropExpired(now_ms);
  auto it = sessions_.find(q->session);
  if (it == sessions_.end())
    return unexpected(QueryError{
        Kind::BadSignature,
        "no such session: it expired, was never opened here, or was dropped to make room (the "
        "node keeps sessions in memory, so a restart ends them): open a new one with POST "
        "/sessions"});
  Session& s = it->second;
  if (!crypto::ConstantTimeEqual(SessionQueryMac(s.key, session_query), mac))
    return unexpected(QueryError{Kind::BadSignature,
                                 "the MAC does not match the query under this session's key "
                                 "(BLAKE2b-256 keyed, over \"phat-session-query-v1:\" ‖ "
                                 "SCALE(SessionQuery))"});
  if (!AcceptCounter(s, q->counter))
    return unexpected(QueryError{
        Kind::Replayed,
        fmt::format("counter {} was already used in this session, or is more than {} below the "
                    "highest seen ({}): use the next counter",
                    q->counter, kReplayWindow, s.highest)});
  return Query{s.origin, q->dest, std::move(q->input), q->gas_limit, s.expiry_ms};
}

// A sliding window over the counters, as IPsec and DTLS keep one: counters may arrive somewhat
// out of order, each is accepted once, and the memory per session is fixed.
bool SessionTable::AcceptCounter(Session& s, uint64_t counter) {
  if (!s.any || counter > s.highest) {
    const uint64_t shift = s.any ? counter - s.highest : kReplayWindow;
    s.seen = shift >= kReplayWindow ? std::bitset<kReplayWindow>{} : s.seen << shift;
    s.seen.set(0);
    s.highest = counter;
    s.any = true;
    return true;
  }
  const uint64_t behind = s.highest - counter;
  if (behind >= kReplayWindow || s.seen.test(behind)) return false;
  s.seen.set(behind);
  return true;
}

void SessionTable::DropExpired(uint64_t now_ms) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    sessions_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
}

size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

std::optional<crypto::Hash256> SessionKeyAtClient(const crypto::KxKeypair& client,
                                                  const crypto::KxPublicKey& node_key) {
  return crypto::KxClientToServerKeyAtClient(client, node_key);
}

SignedQuery SignSessionRequestEd25519(const CodeHash& cluster_id, const SessionRequest& request,
                                      const std::array<uint8_t, 32>& seed) {
  Bytes body = codec::Encode(request);
  const Bytes payload = SessionSigningPayload(cluster_id, body);
  return SignEnvelopeEd25519(std::move(body), payload, seed);
}

}  // namespace phat::node
