// A contract's Ethereum account: SigningKey, a secp256k1 key that pink derives for the contract
// and signs with, and the address of its public key.
//
// Phala's convention (pink-web3's KeyPair::derive_keypair): the secret is the first 32 bytes of
// pink's derive_sr25519_key(salt). Only this contract can derive it, it is the same on every
// worker of the cluster, in queries and in transactions, and the same salt always gives the same
// key, so the account's address can be funded before the contract first signs. The public key
// (33 bytes, compressed) comes from pink's get_public_key, the address from the host's
// seal0.ecdsa_to_eth_address, and signatures from pink's ecdsa_sign_prehashed: libsecp256k1's
// deterministic (RFC 6979) signatures with low s, as Ethereum requires since EIP-2.
//
// A SigningKey holds its secret in contract memory; a contract should not return or store it.
// Plain values; not thread-safe (a contract has one thread).
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/env.h"
#include "phat/sdk/eth/address.h"
#include "phat/sdk/pink.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::eth {

// The address of a compressed public key; None if the 33 bytes are not a point of the curve.
inline Option<Address> AddressOf(const pink::EcdsaPublicKey& public_key) {
  Option<Array<u8, 20>> bytes = env::EcdsaToEthAddress(public_key);
  if (!bytes) return None;
  return Address{*bytes};
}

class SigningKey {
 public:
  // The contract's key for `salt` (see the top of this file).
  static SigningKey Derive(const Bytes& salt) {
    Bytes derived = pink::DeriveSr25519Key(salt);
    if (derived.size() < 32) Trap();  // pink answers 64 bytes
    return SigningKey(Bytes(derived.data(), 32));
  }
  static SigningKey Derive(const char* salt) {
    return Derive(Bytes(reinterpret_cast<const u8*>(salt), static_cast<u32>(StrLen(salt))));
  }
  // A key from a secret the contract has (tests; a key given to it). pink refuses to sign with or
  // take the public key of a secret that is zero or not below the group order: a trap.
  static SigningKey FromSecret(const Array<u8, 32>& secret) {
    return SigningKey(Bytes(secret.data(), 32));
  }

  pink::EcdsaPublicKey PublicKey() const {
    Bytes key = pink::GetPublicKey(pink::SigType::Ecdsa, secret_);
    if (key.size() != 33) Trap();
    pink::EcdsaPublicKey out;
    CopyBytes(out.data(), key.data(), 33);
    return out;
  }
  Address GetAddress() const {
    Option<Address> address = AddressOf(PublicKey());
    if (!address) Trap();  // pink's own public key is always a point of the curve
    return *address;
  }
  // r ‖ s ‖ recovery id (0 or 1) over `hash` as given.
  pink::EcdsaSignature SignPrehashed(const Hash& hash) const {
    return pink::EcdsaSignPrehashed(secret_, hash);
  }

 private:
  explicit SigningKey(Bytes secret) : secret_(Move(secret)) {}
  Bytes secret_;
};

}  // namespace phat::sdk::eth
