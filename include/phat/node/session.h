// Query sessions: the cheap way to run many queries. A signature check costs 60-90 us on a small
// machine, more than the query itself, so a client may sign once to open a session and then
// authenticate each query with a MAC (keyed BLAKE2b, ~1 us) under a key that only it and the node
// know:
//
//   1. The client makes an X25519 key pair and signs SessionRequest{origin, its public key,
//      expiry} over "phat-session-v1:" ‖ cluster id ‖ SCALE(request), with the origin's key (as
//      a signed query: the same SignedQuery envelope).
//   2. The node checks it, makes its own X25519 key pair for the session, derives the
//      client-to-node key (crypto_kx), forgets its secret, and answers with a session id and its
//      public key. The client derives the same key.
//   3. Each query is SCALE(SessionQuery{session id, counter, dest, input, gas limit}) with
//      mac = BLAKE2b-256 keyed by that key over "phat-session-query-v1:" ‖ those bytes. The query
//      runs as the session's origin.
//
// A captured query cannot be replayed: each counter is accepted once (a window of the last
// kReplayWindow counters; older ones are refused, so a client sending from several threads keeps
// counters roughly in order). A captured session request is useless without the client's X25519
// secret. Sessions end at their expiry (at most max_lifetime_ms after opening); the table is
// bounded, and when full the session nearest its expiry is dropped.
//
// Thread safety: SessionTable is internally locked; the free functions are pure.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>

#include "phat/base/expected.h"
#include "phat/crypto/key_exchange.h"
#include "phat/node/query.h"

namespace phat::node {

using SessionId = std::array<uint8_t, 16>;

struct SessionRequest {
  AccountId origin{};
  crypto::KxPublicKey client_key{};
  uint64_t expiry_ms = 0;
  void ScaleEncode(codec::ScaleWriter& w) const;
  static codec::Decoded<SessionRequest> ScaleDecode(codec::ScaleReader& r);
};
Bytes SessionSigningPayload(const CodeHash& cluster_id, ByteView request);

struct SessionQuery {
  SessionId session{};
  uint64_t counter = 0;
  AccountId dest{};
  Bytes input;
  uint64_t gas_limit = 0;  // ref_time, picoseconds
  void ScaleEncode(codec::ScaleWriter& w) const;
  static codec::Decoded<SessionQuery> ScaleDecode(codec::ScaleReader& r);
};
// The MAC of SCALE(SessionQuery) under the session's key.
crypto::Hash256 SessionQueryMac(const crypto::Hash256& key, ByteView session_query);

// What the node answers to a session request.
struct OpenedSession {
  SessionId id{};
  crypto::KxPublicKey node_key{};
  uint64_t expiry_ms = 0;
};

class SessionTable {
 public:
  static constexpr uint64_t kReplayWindow = 4096;  // 512 bytes a session
  SessionTable(size_t capacity, uint64_t max_lifetime_ms)
      : capacity_(capacity), max_lifetime_ms_(max_lifetime_ms) {}

  // Checks a signed session request (signature, origin, expiry) and opens the session.
  Expected<OpenedSession, QueryError> Open(const CodeHash& cluster_id,
                                           const SignedQuery& signed_request, uint64_t now_ms);
  // Checks a session query's session, MAC and counter; returns it as a query of the session's
  // origin (expiring with the session).
  Expected<Query, QueryError> Authenticate(ByteView session_query, const crypto::Hash256& mac,
                                           uint64_t now_ms);
  size_t size() const;

 private:
  struct Session {
    AccountId origin{};
    crypto::Hash256 key{};
    uint64_t expiry_ms = 0;
    uint64_t highest = 0;             // the highest counter accepted
    bool any = false;                 // whether any counter was accepted
    std::bitset<kReplayWindow> seen;  // bit i: counter highest - i was accepted
  };
  static bool AcceptCounter(Session& s, uint64_t counter);
  void DropExpired(uint64_t now_ms);

  mutable std::mutex mu_;
  size_t capacity_;
  uint64_t max_lifetime_ms_;
  std::map<SessionId, Session> sessions_;
  std::set<std::pair<uint64_t, SessionId>> by_expiry_;
};

// Client side (tools, tests, benchmarks): the session key from the client's key pair and the
// node's answer; nullopt if the node's key is unusable.
std::optional<crypto::Hash256> SessionKeyAtClient(const crypto::KxKeypair& client,
                                                  const crypto::KxPublicKey& node_key);
// A signed session request for an ed25519 origin.
SignedQuery SignSessionRequestEd25519(const CodeHash& cluster_id, const SessionRequest& request,
                                      const std::array<uint8_t, 32>& seed);

}  // namespace phat::node
