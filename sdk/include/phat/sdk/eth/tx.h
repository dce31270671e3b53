// Ethereum transactions a contract signs with its own key (keys.h) and hands to an RPC node
// (eth_sendRawTransaction): legacy ones with EIP-155 replay protection
// (https://eips.ethereum.org/EIPS/eip-155) and EIP-1559 "type 2" ones
// (https://eips.ethereum.org/EIPS/eip-1559), which post-London chains price better.
//
//   legacy   signed: keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]))
//            raw:    rlp([nonce, gasPrice, gas, to, value, data, v, r, s]),
//                    v = 35 + 2·chainId + recovery id
//   type 2   signed: keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to,
//                                          value, data, accessList]))
//            raw:    0x02 ‖ rlp([… the same nine …, yParity, r, s])
//
// A legacy transaction with chain id 0 is the pre-EIP-155 form (no chain id in what is signed,
// v = 27 + recovery id), replayable on any chain; ethers writes it the same way. The access list
// is always empty. `to` None creates a contract. The transaction's hash, as nodes and explorers
// show it, is keccak-256 of the raw bytes.
//
// The payloads and the raw encoding are pure functions (testable natively); SigningHash and Sign
// ask the host for keccak-256 and pink for the signature. Plain values; no state.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/env.h"
#include "phat/sdk/eth/address.h"
#include "phat/sdk/eth/keys.h"
#include "phat/sdk/eth/rlp.h"
#include "phat/sdk/eth/u256.h"
#include "phat/sdk/pink.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/types.h"

namespace phat::sdk::eth {

struct LegacyTransaction {
  u64 nonce = 0;
  U256 gas_price;
  u64 gas_limit = 0;
  Option<Address> to;  // None: a contract creation
  U256 value;
  Bytes data;
  u64 chain_id = 0;  // 0: no replay protection (see the top of this file)
  PHAT_FIELDS(LegacyTransaction, nonce, gas_price, gas_limit, to, value, data, chain_id);
};

struct Eip1559Transaction {
  u64 chain_id = 0;
  u64 nonce = 0;
  U256 max_priority_fee_per_gas;
  U256 max_fee_per_gas;
  u64 gas_limit = 0;
  Option<Address> to;
  U256 value;
  Bytes data;
  PHAT_FIELDS(Eip1559Transaction, chain_id, nonce, max_priority_fee_per_gas, max_fee_per_gas,
              gas_limit, to, value, data);
};

struct SignedTransaction {
  Bytes raw;  // for eth_sendRawTransaction
  Hash hash;  // keccak-256 of raw
  PHAT_FIELDS(SignedTransaction, raw, hash);
};

namespace tx_internal {

inline constexpr u8 kEip1559Type = 0x02;

inline void AppendTo(Bytes& out, const Option<Address>& to) {
  if (to) {
    rlp::AppendString(out, to->data(), 20);
  } else {
    rlp::AppendString(out, nullptr, 0);
  }
}

// The fields both the signed payload and the raw transaction start with.
inline Bytes LegacyFields(const LegacyTransaction& tx) {
  Bytes fields;
  rlp::AppendUint(fields, tx.nonce);
  rlp::AppendUint(fields, tx.gas_price);
  rlp::AppendUint(fields, tx.gas_limit);
  AppendTo(fields, tx.to);
  rlp::AppendUint(fields, tx.value);
  rlp::AppendString(fields, tx.data);
  return fields;
}
inline Bytes Eip1559Fields(const Eip1559Transaction& tx) {
  Bytes fields;
  rlp::AppendUint(fields, tx.chain_id);
  rlp::AppendUint(fields, tx.nonce);
  rlp::AppendUint(fields, tx.max_priority_fee_per_gas);
  rlp::AppendUint(fields, tx.max_fee_per_gas);
  rlp::AppendUint(fields, tx.gas_limit);
  AppendTo(fields, tx.to);
  rlp::AppendUint(fields, tx.value);
  rlp::AppendString(fields, tx.data);
  rlp::AppendList(fields, Bytes());  // the access list: empty
  return fields;
}

// The recovery id of r ‖ s ‖ id. 2 and 3 (r overflowed the group order, a chance of about
// 2^-128) have no Ethereum form: a trap rather than a transaction that recovers to someone else.
inline u8 RecoveryId(const pink::EcdsaSignature& signature) {
  if (signature[64] > 1) Trap();
  return signature[64];
}

// r and s, as RLP integers (big-endian, without leading zeros).
inline void AppendRs(Bytes& out, const pink::EcdsaSignature& signature) {
  rlp::AppendUint(out, U256::FromBigEndian(signature.data()));
  rlp::AppendUint(out, U256::FromBigEndian(signature.data() + 32));
}

inline Bytes Typed(u8 type, const Bytes& list_payload) {
  Bytes out;
  out.push_back(type);
  rlp::AppendList(out, list_payload);
  return out;
}

}  // namespace tx_internal

// ---- what is signed: the bytes whose keccak-256 the key signs ----
inline Bytes SigningPayload(const LegacyTransaction& tx) {
  Bytes fields = tx_internal::LegacyFields(tx);
  if (tx.chain_id != 0) {
    rlp::AppendUint(fields, tx.chain_id);
    rlp::AppendUint(fields, u64{0});
    rlp::AppendUint(fields, u64{0});
  }
  return rlp::EncodeList(fields);
}
inline Bytes SigningPayload(const Eip1559Transaction& tx) {
  return tx_internal::Typed(tx_internal::kEip1559Type, tx_internal::Eip1559Fields(tx));
}

// ---- the raw signed transaction, from a signature r ‖ s ‖ recovery id ----
inline Bytes EncodeSigned(const LegacyTransaction& tx, const pink::EcdsaSignature& signature) {
  Bytes fields = tx_internal::LegacyFields(tx);
  u8 recovery_id = tx_internal::RecoveryId(signature);
  // v = 35 + 2·chainId + id (EIP-155), in 256 bits: a chain id near 2^64 must not wrap.
  U256 v(u64{recovery_id} + (tx.chain_id == 0 ? 27 : 35));
  if (tx.chain_id != 0) v = *U256(tx.chain_id).CheckedMul(2)->CheckedAdd(v);  // < 2^66
  rlp::AppendUint(fields, v);
  tx_internal::AppendRs(fields, signature);
  return rlp::EncodeList(fields);
}
inline Bytes EncodeSigned(const Eip1559Transaction& tx, const pink::EcdsaSignature& signature) {
  Bytes fields = tx_internal::Eip1559Fields(tx);
  rlp::AppendUint(fields, u64{tx_internal::RecoveryId(signature)});
  tx_internal::AppendRs(fields, signature);
  return tx_internal::Typed(tx_internal::kEip1559Type, fields);
}

// ---- hashing and signing, through the host and pink ----
template <class Tx>
Hash SigningHash(const Tx& tx) {
  Bytes payload = SigningPayload(tx);
  return env::HashKeccak256(payload.data(), payload.size());
}

template <class Tx>
SignedTransaction Sign(const Tx& tx, const SigningKey& key) {
  SignedTransaction out;
  out.raw = EncodeSigned(tx, key.SignPrehashed(SigningHash(tx)));
  out.hash = env::HashKeccak256(out.raw.data(), out.raw.size());
  return out;
}

}  // namespace phat::sdk::eth
