// ECDSA over secp256k1 for the host: seal0.ecdsa_recover and seal0.ecdsa_to_eth_address, and
// pink's ecdsa_sign_prehashed / ecdsa_verify_prehashed. Built on libsecp256k1 with its recovery
// module. The acceptance rules follow Substrate's, because a contract must get the same answer
// from phat as from the chain (see each function).
//
// Thread safety: all functions are thread-safe. They share one process-wide library context,
// created and randomised (blinding against side channels when signing) on first use and only
// read afterwards, which libsecp256k1 documents as safe from many threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "phat/base/expected.h"
#include "phat/crypto/hash.h"

namespace phat::crypto {

using EcdsaSecretKey = std::array<uint8_t, 32>;
using EcdsaPublicKey = std::array<uint8_t, 33>;  // compressed SEC1: 02/03 ‖ x
using EcdsaSignature = std::array<uint8_t, 65>;  // r ‖ s ‖ v (recovery id)
using EthAddress = std::array<uint8_t, 20>;

// The signer's compressed public key, or nothing if the signature does not recover. As Substrate's
// secp256k1_ecdsa_recover_compressed (which seal0.ecdsa_recover calls): v is 0-3 or 27-30 (27 is
// subtracted), r and s must be below the group order, and a high s is accepted.
std::optional<EcdsaPublicKey> EcdsaRecover(const EcdsaSignature& signature,
                                           const Hash256& message_hash);

// The Ethereum address of a key: the last 20 bytes of keccak256 of the 64-byte uncompressed key
// (without its 0x04 tag). Nothing if `compressed` is not a point on the curve.
std::optional<EthAddress> EthAddressFromPublicKey(const EcdsaPublicKey& compressed);

// A deterministic (RFC 6979) recoverable signature of a 32-byte hash, with low s and v in {0, 1}
// (2 and 3 occur only with negligible probability). Fails if `secret` is zero or not below the
// group order.
Expected<EcdsaSignature, std::string> EcdsaSignPrehashed(const EcdsaSecretKey& secret,
                                                         const Hash256& hash);

// Whether `signature` over `hash` recovers to `public_key`. As sp_core's
// ecdsa::Pair::verify_prehashed (what pink uses): v must be 0-3 here (no 27/28 form), and a high
// s is accepted.
bool EcdsaVerifyPrehashed(const EcdsaSignature& signature, const Hash256& hash,
                          const EcdsaPublicKey& public_key);

// The compressed public key of `secret`; fails as EcdsaSignPrehashed does.
Expected<EcdsaPublicKey, std::string> PublicKeyFromSecret(const EcdsaSecretKey& secret);

}  // namespace phat::crypto
