// Ed25519 signatures (RFC 8032) on libsodium, for pink's sign/verify with SigType::Ed25519 and
// for keys of phat's own tools. Verification uses libsodium's rules, which are stricter than
// ZIP 215 (as Substrate's ed25519-zebra applies): it refuses small-order public keys and
// non-canonical encodings, so such edge-case signatures may verify on the chain but not here.
//
// Thread safety: all functions are pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>

#include "phat/base/bytes.h"

namespace phat::crypto {

using Ed25519Seed = std::array<uint8_t, 32>;  // RFC 8032's "secret key"
using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

struct Ed25519Keypair {
  Ed25519PublicKey public_key;
  std::array<uint8_t, 64> secret_key;  // libsodium's form: seed ‖ public key
};

// The key pair a 32-byte seed determines.
Ed25519Keypair Ed25519KeypairFromSeed(const Ed25519Seed& seed);

// A deterministic signature of `message`.
Ed25519Signature Ed25519Sign(const Ed25519Keypair& keypair, ByteView message);

bool Ed25519Verify(const Ed25519Signature& signature, ByteView message,
                   const Ed25519PublicKey& public_key);

}  // namespace phat::crypto
