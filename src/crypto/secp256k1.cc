#include "phat/crypto/secp256k1.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "sodium_once.h"

namespace phat::crypto {
namespace {

const secp256k1_context* Context() {
  static const secp256k1_context* const context = [] {
    secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    // Randomising mutates the context, so it happens here, once, before any other thread can
    // see it.
    EnsureSodium();
    std::array<uint8_t, 32> seed;
    randombytes_buf(seed.data(), seed.size());
    if (ctx == nullptr || !secp256k1_context_randomize(ctx, seed.data())) {
      std::fputs("phat: cannot set up the secp256k1 context\n", stderr);
      std::abort();
    }
    sodium_memzero(seed.data(), seed.size());
    return ctx;
  }();
  return context;
}

// Recovers with recovery id `recid` (0-3); nothing for a malformed signature or no such key.
std::optional<EcdsaPublicKey> Recover(const EcdsaSignature& signature, int recid,
                                      const Hash256& hash) {
  const secp256k1_context* ctx = Context();
  secp256k1_ecdsa_recoverable_signature sig;
  // parse_compact refuses r or s not below the group order (Substrate: BadRS).
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, signature.data(), recid)) {
    return std::nullopt;
  }
  secp256k1_pubkey key;
  if (!secp256k1_ecdsa_recover(ctx, &key, &sig, hash.data())) return std::nullopt;
  EcdsaPublicKey out;
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(ctx, out.data(), &len, &key, SECP256K1_EC_COMPRESSED);
  return out;
}

Expected<void, std::string> CheckSecret(const EcdsaSecretKey& secret) {
  if (!secp256k1_ec_seckey_verify(Context(), secret.data())) {
    return unexpected(std::string("invalid secp256k1 secret key: zero or not below the order"));
  }
  return {};
}

}  // namespace

std::optional<EcdsaPublicKey> EcdsaRecover(const EcdsaSignature& signature,
                                           const Hash256& message_hash) {
  // Ethereum writes v as 27/28 (27 + recovery id); Substrate accepts both forms this way.
  int v = signature[64] > 26 ? signature[64] - 27 : signature[64];
  if (v > 3) return std::nullopt;
  return Recover(signature, v, message_hash);
}

std::optional<EthAddress> EthAddressFromPublicKey(const EcdsaPublicKey& compressed) {
  const secp256k1_context* ctx = Context();
  secp256k1_pubkey key;
  if (!secp256k1_ec_pubkey_parse(ctx, &key, compressed.data(), compressed.size())) {
    return std::nullopt;
  }
  std::array<uint8_t, 65> uncompressed;
  size_t len = uncompressed.size();
  secp256k1_ec_pubkey_serialize(ctx, uncompressed.data(), &len, &key, SECP256K1_EC_UNCOMPRESSED);
  Hash256 hash = Keccak256(ByteView(uncompressed).subspan(1));
  EthAddress out;
  std::copy(hash.end() - out.size(), hash.end(), out.begin());
  return out;
}

Expected<EcdsaSignature, std::string> EcdsaSignPrehashed(const EcdsaSecretKey& secret,
                                                         const Hash256& hash) {
  PHAT_TRY_VOID(CheckSecret(secret));
  const secp256k1_context* ctx = Context();
  secp256k1_ecdsa_recoverable_signature sig;
  // Null nonce function: the library's RFC 6979 default. Its output has low s already.
  if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, hash.data(), secret.data(), nullptr, nullptr)) {
    return unexpected(std::string("secp256k1 signing failed"));
  }
  EcdsaSignature out;
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out.data(), &recid, &sig);
  out[64] = static_cast<uint8_t>(recid);
  return out;
}

bool EcdsaVerifyPrehashed(const EcdsaSignature& signature, const Hash256& hash,
                          const EcdsaPublicKey& public_key) {
  if (signature[64] > 3) return false;
  std::optional<EcdsaPublicKey> recovered = Recover(signature, signature[64], hash);
  return recovered && *recovered == public_key;
}

Expected<EcdsaPublicKey, std::string> PublicKeyFromSecret(const EcdsaSecretKey& secret) {
  PHAT_TRY_VOID(CheckSecret(secret));
  const secp256k1_context* ctx = Context();
  secp256k1_pubkey key;
  if (!secp256k1_ec_pubkey_create(ctx, &key, secret.data())) {
    return unexpected(std::string("secp256k1 public key derivation failed"));
  }
  EcdsaPublicKey out;
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(ctx, out.data(), &len, &key, SECP256K1_EC_COMPRESSED);
  return out;
}

}  // namespace phat::crypto
