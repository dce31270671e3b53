// Signed queries: how a client asks a worker to run a contract read-only. A query is signed like a
// command (ledger/command.h) but under its own domain tag, "phat-query-v1:" ‖ cluster id ‖
// SCALE(Query), so a signed query can never pass as a command or the other way round. A query
// carries no nonce (it changes nothing and is not ordered); instead it carries an expiry, and the
// worker refuses one that has expired, one that expires too far in the future, and the same signed
// query twice before it expires (ReplayGuard), so a captured query cannot be re-run at will.
//
// Thread safety: the free functions are pure and thread-safe; ReplayGuard is internally locked.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "phat/base/expected.h"
#include "phat/codec/scale.h"
#include "phat/ledger/command.h"

namespace phat::node {

using contracts::AccountId;
using contracts::CodeHash;

struct Query {
  AccountId origin{};
  AccountId dest{};
  Bytes input;
  uint64_t gas_limit = 0;  // ref_time, picoseconds
  uint64_t expiry_ms = 0;  // milliseconds since the Unix epoch
  void ScaleEncode(codec::ScaleWriter& w) const;
  static codec::Decoded<Query> ScaleDecode(codec::ScaleReader& r);
};

// The same shape as ledger::SignedCommand: the query's bytes exactly as signed, and the signature.
struct SignedQuery {
  Bytes query;  // SCALE(Query)
  ledger::SignatureScheme scheme = ledger::SignatureScheme::Ed25519;
  Bytes public_key;
  Bytes signature;
  void ScaleEncode(codec::ScaleWriter& w) const;
  static codec::Decoded<SignedQuery> ScaleDecode(codec::ScaleReader& r);
};

Bytes QuerySigningPayload(const CodeHash& cluster_id, ByteView query);

// Why a query was refused, so that the API can pick a status code.
struct QueryError {
  enum class Kind : uint8_t {
    Malformed,     // does not decode, wrong key or signature length (400)
    BadSignature,  // the signature or the origin does not match (401)
    Expired,       // expiry in the past, or too far ahead (400)
    Replayed,      // this exact signed query was seen before it expired (409)
  };
  Kind kind = Kind::Malformed;
  std::string message;
};

// Decodes and checks signature and origin; does not look at the expiry.
Expected<Query, QueryError> VerifyQuery(const CodeHash& cluster_id,
                                        const SignedQuery& signed_query);

// The parts every signed request shares: the signature over `payload` holds (else BadSignature,
// with `how_signed` telling the client what to sign), and the signer's account.
Expected<AccountId, QueryError> VerifyEnvelope(const SignedQuery& envelope, ByteView payload,
                                               std::string_view how_signed);
// BadSignature unless a request's origin is its signer.
Expected<void, QueryError> CheckOrigin(const AccountId& origin, const AccountId& signer);

// An envelope holding `body`, signed with an ed25519 seed over `payload` (tools and tests).
SignedQuery SignEnvelopeEd25519(Bytes body, const Bytes& payload,
                                const std::array<uint8_t, 32>& seed);
// Signs a query under `scheme` with a 32-byte secret as ledger::SignPayload takes it (tools).
Expected<SignedQuery, std::string> SignQuery(const CodeHash& cluster_id, const Query& query,
                                             ledger::SignatureScheme scheme,
                                             const std::array<uint8_t, 32>& secret);
// Signs a query with an ed25519 seed (tools and tests).
SignedQuery SignQueryEd25519(const CodeHash& cluster_id, const Query& query,
                             const std::array<uint8_t, 32>& seed);

// Remembers the hashes of accepted queries until they expire. Bounded: when full, the entries
// closest to expiry go first, and an evicted query could be replayed until its expiry; the bound
// is sized so that this takes more queries than max_future allows in flight at a normal rate.
class ReplayGuard {
 public:
  explicit ReplayGuard(size_t capacity) : capacity_(capacity) {}
  // Records `hash` (expiring at expiry_ms); false if it is already there and not yet expired.
  bool CheckAndRecord(const CodeHash& hash, uint64_t expiry_ms, uint64_t now_ms);
  // Drops `hash` again, for a query that was accepted but could not be run (the node was busy),
  // so that the client may send it once more.
  void Forget(const CodeHash& hash);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  size_t capacity_;
  std::map<CodeHash, uint64_t> seen_;                  // hash → expiry
  std::set<std::pair<uint64_t, CodeHash>> by_expiry_;  // for expiring and evicting in order
};

// Checks the expiry against `now_ms`: not expired, and at most max_future_ms ahead.
Expected<void, QueryError> CheckExpiry(uint64_t expiry_ms, uint64_t now_ms, uint64_t max_future_ms);

}  // namespace phat::node
