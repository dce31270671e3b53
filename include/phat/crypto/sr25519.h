// Sr25519: Schnorr signatures over ristretto255 with merlin transcripts, as the schnorrkel crate
// defines them and Substrate (sp_core::sr25519) and polkadot-js use them. For pink's sign,
// verify and get_public_key with SigType::Sr25519 (which take a 32-byte mini secret or a 64-byte
// secret key), seal's sr25519_verify, and Substrate's development accounts (//Alice). Group
// arithmetic is libsodium's ristretto255; merlin is written in src/crypto (no package offers it).
//
// Keys come from a 32-byte mini secret in schnorrkel's Ed25519 expansion mode, the only one
// Substrate uses: SHA-512 of the mini secret, the first half clamped as Ed25519 does and divided
// by the cofactor 8 (the secret scalar), the second half the nonce seed. The 64-byte secret key
// here is schnorrkel's SecretKey::to_bytes (scalar ‖ nonce seed, what sp_core and pink store).
// polkadot-js's `secretKey` is the other form, to_ed25519_bytes, with the scalar multiplied by 8.
//
// Signing is randomised as in schnorrkel: the witness comes from the transcript, the nonce seed
// and 32 fresh bytes from libsodium, so two signatures of one message differ and both verify.
//
// Thread safety: all functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"

namespace phat::crypto {

using Sr25519MiniSecret = std::array<uint8_t, 32>;  // schnorrkel's MiniSecretKey; sp_core's seed
using Sr25519SecretKey = std::array<uint8_t, 64>;   // scalar (canonical, little-endian) ‖ nonce
using Sr25519PublicKey = std::array<uint8_t, 32>;   // compressed ristretto255 point
using Sr25519Signature = std::array<uint8_t, 64>;   // R ‖ s, with 0x80 set in the last byte
using Sr25519ChainCode = std::array<uint8_t, 32>;

struct Sr25519Keypair {
  Sr25519PublicKey public_key;
  Sr25519SecretKey secret_key;
};

// The signing context Substrate signs and verifies every sr25519 signature under.
inline constexpr std::string_view kSr25519SubstrateContext = "substrate";

// The key pair of a mini secret, in the Ed25519 expansion mode (sp_core's Pair::from_seed).
Sr25519Keypair Sr25519KeypairFromSeed(const Sr25519MiniSecret& mini_secret);

// The key pair of a 64-byte secret key (sp_core's Pair::from_seed_slice with 64 bytes). Fails
// if the scalar is not below the group order, as schnorrkel's SecretKey::from_bytes does.
Expected<Sr25519Keypair, std::string> Sr25519KeypairFromSecretKey(const Sr25519SecretKey& secret);

// A signature of `message` under `context` (schnorrkel's sign_simple).
Sr25519Signature Sr25519Sign(const Sr25519Keypair& keypair, ByteView message,
                             ByteView context = AsBytes(kSr25519SubstrateContext));

// Whether `signature` is `public_key`'s over `message` under `context` (schnorrkel's
// verify_simple). As schnorrkel, it refuses a signature without the 0x80 marker (the
// pre-2019 unmarked form is not accepted), an s not below the group order, an R that is not
// the canonical encoding, and a public key that is not a canonical ristretto255 encoding. Like
// schnorrkel it accepts the identity as a public key, for which anyone can sign.
bool Sr25519Verify(const Sr25519Signature& signature, ByteView message,
                   const Sr25519PublicKey& public_key,
                   ByteView context = AsBytes(kSr25519SubstrateContext));

// The chain code of one junction of a derivation path, given as its text (for "//Alice", the
// text "Alice"), as sp_core's DeriveJunction makes it: a decimal that parses as a u64 is its 8
// little-endian bytes, other text is SCALE-encoded as a string (compact length, then its
// bytes); the encoding is zero-padded to 32 bytes, or hashed with BLAKE2b-256 if longer. Hard
// and soft junctions share the chain code. polkadot-js reads three kinds of text otherwise:
// "0x…" hex (as raw bytes; sp_core as text), "+5" (as text; sp_core as 5), and decimals of 2^64
// or more (as wider integers; sp_core as text).
Sr25519ChainCode Sr25519ChainCodeFromJunction(std::string_view junction);

// The mini secret of a hard junction under `secret` (sp_core's Pair::derive for
// DeriveJunction::Hard, which is schnorrkel's hard_derive_mini_secret_key with an empty index).
// The derived key pair is Sr25519KeypairFromSeed of it; sp_core also reports it as the new
// seed. Only the scalar half of `secret` enters, not the nonce seed.
Sr25519MiniSecret Sr25519HardDerive(const Sr25519SecretKey& secret,
                                    const Sr25519ChainCode& chain_code);

}  // namespace phat::crypto
