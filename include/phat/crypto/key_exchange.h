// X25519 key exchange (libsodium's crypto_kx) and keyed BLAKE2b, for the node's query sessions:
// a client and the node each make a key pair, swap public keys, and derive the same pair of
// 32-byte keys, one per direction, without the keys ever crossing the wire.
//
// Thread safety: all functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "phat/base/bytes.h"
#include "phat/crypto/hash.h"

namespace phat::crypto {

using KxPublicKey = std::array<uint8_t, 32>;

struct KxKeypair {
  KxPublicKey public_key;
  std::array<uint8_t, 32> secret_key;
};

// A fresh random key pair.
KxKeypair KxKeypairRandom();
// The key pair a 32-byte seed determines (tests and tools that need repeatable keys).
KxKeypair KxKeypairFromSeed(const std::array<uint8_t, 32>& seed);

// The key for messages from client to server, as each side derives it. nullopt if the other
// side's public key is unusable (a low-order point).
std::optional<Hash256> KxClientToServerKeyAtServer(const KxKeypair& server,
                                                   const KxPublicKey& client);
std::optional<Hash256> KxClientToServerKeyAtClient(const KxKeypair& client,
                                                   const KxPublicKey& server);

// Fills `out` from libsodium's CSPRNG (ids, nonces).
void RandomBytes(std::span<uint8_t> out);

// BLAKE2b-256 keyed with `key` (a MAC).
Hash256 Blake2b256Keyed(const Hash256& key, ByteView data);
// Compares in time that does not depend on where the inputs differ.
bool ConstantTimeEqual(const Hash256& a, const Hash256& b);

}  // namespace phat::crypto
