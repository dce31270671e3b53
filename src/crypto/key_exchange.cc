#include "phat/crypto/key_exchange.h"

#include <sodium.h>

#include "sodium_once.h"

namespace phat::crypto {

static_assert(crypto_kx_PUBLICKEYBYTES == 32 && crypto_kx_SECRETKEYBYTES == 32 &&
              crypto_kx_SESSIONKEYBYTES == 32 && crypto_kx_SEEDBYTES == 32);

KxKeypair KxKeypairRandom() {
  EnsureSodium();
  KxKeypair k;
  crypto_kx_keypair(k.public_key.data(), k.secret_key.data());
  return k;
}

KxKeypair KxKeypairFromSeed(const std::array<uint8_t, 32>& seed) {
  EnsureSodium();
  KxKeypair k;
  crypto_kx_seed_keypair(k.public_key.data(), k.secret_key.data(), seed.data());
  return k;
}

// crypto_kx names keys by direction from each side: the server's receive key is the client's
// transmit key.
std::optional<Hash256> KxClientToServerKeyAtServer(const KxKeypair& server,
                                                   const KxPublicKey& client) {
  EnsureSodium();
  Hash256 rx, tx;
  if (crypto_kx_server_session_keys(rx.data(), tx.data(), server.public_key.data(),
                                    server.secret_key.data(), client.data()) != 0)
    return std::nullopt;
  return rx;
}

std::optional<Hash256> KxClientToServerKeyAtClient(const KxKeypair& client,
                                                   const KxPublicKey& server) {
  EnsureSodium();
  Hash256 rx, tx;
  if (crypto_kx_client_session_keys(rx.data(), tx.data(), client.public_key.data(),
                                    client.secret_key.data(), server.data()) != 0)
    return std::nullopt;
  return tx;
}

void RandomBytes(std::span<uint8_t> out) {
  EnsureSodium();
  randombytes_buf(out.data(), out.size());
}

Hash256 Blake2b256Keyed(const Hash256& key, ByteView data) {
  EnsureSodium();
  static constexpr uint8_t kEmpty = 0;
  Hash256 out;
  crypto_generichash(out.data(), out.size(), data.empty() ? &kEmpty : data.data(), data.size(),
                     key.data(), key.size());
  return out;
}

bool ConstantTimeEqual(const Hash256& a, const Hash256& b) {
  EnsureSodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace phat::crypto
