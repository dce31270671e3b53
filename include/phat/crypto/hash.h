// The hash functions contracts reach through the host (seal0.hash_*), ink! uses for selectors,
// event topics and storage keys, and Ethereum uses for addresses. Thin wrappers over libsodium
// (BLAKE2b, SHA-256), libxxhash (xxHash) and Crypto++ (Keccak-256). All functions are pure and
// thread-safe.
#pragma once

#include <array>
#include <cstdint>

#include "phat/base/bytes.h"

namespace phat::crypto {

using Hash256 = std::array<uint8_t, 32>;
using Hash128 = std::array<uint8_t, 16>;

// BLAKE2b, unkeyed, with a 32- or 16-byte digest (RFC 7693; the digest length is a parameter of
// the hash, so Blake2b128 is not a truncated Blake2b256).
Hash256 Blake2b256(ByteView data);
Hash128 Blake2b128(ByteView data);

Hash256 Sha256(ByteView data);  // FIPS 180-4

// Keccak-256 as Ethereum and seal0.hash_keccak_256 define it: the original Keccak padding
// (0x01), not the SHA3-256 (FIPS 202) padding 0x06, so the digests differ from SHA3-256's.
Hash256 Keccak256(ByteView data);

// xxHash32, e.g. ink!'s storage root keys: xxh32("Erc20::balances", 0).
uint32_t Xxh32(ByteView data, uint32_t seed = 0);

// Substrate's twox hashes: xxHash64 with seed 0 (and seed 1 for the second half of Twox128),
// each 64-bit result written little-endian.
std::array<uint8_t, 8> Twox64(ByteView data);
Hash128 Twox128(ByteView data);

}  // namespace phat::crypto
