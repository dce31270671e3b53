#include "phat/crypto/ed25519.h"

#include <sodium.h>

#include "sodium_once.h"

namespace phat::crypto {
namespace {

static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_PUBLICKEYBYTES == 32 &&
              crypto_sign_SECRETKEYBYTES == 64 && crypto_sign_BYTES == 64);

// libsodium does not promise to accept a null pointer with length 0, which an empty span may
// carry.
const uint8_t* DataOrEmpty(ByteView data) {
  static constexpr uint8_t kEmpty = 0;
  return data.empty() ? &kEmpty : data.data();
}

}  // namespace

Ed25519Keypair Ed25519KeypairFromSeed(const Ed25519Seed& seed) {
  EnsureSodium();
  Ed25519Keypair keypair;
  crypto_sign_seed_keypair(keypair.public_key.data(), keypair.secret_key.data(), seed.data());
  return keypair;
}

Ed25519Signature Ed25519Sign(const Ed25519Keypair& keypair, ByteView message) {
  EnsureSodium();
  Ed25519Signature signature;
  crypto_sign_detached(signature.data(), nullptr, DataOrEmpty(message), message.size(),
                       keypair.secret_key.data());
  return signature;
}

bool Ed25519Verify(const Ed25519Signature& signature, ByteView message,
                   const Ed25519PublicKey& public_key) {
  EnsureSodium();
  return crypto_sign_verify_detached(signature.data(), DataOrEmpty(message), message.size(),
                                     public_key.data()) == 0;
}

}  // namespace phat::crypto
