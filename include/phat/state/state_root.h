// The state root: a 32-byte commitment to the history of state changes a worker has applied, so
// that workers applying the same log can check they agree (DESIGN.md: "every worker of a cluster
// applies the same log and must reach the same state root"), and the canonical encoding of a
// StateChanges it is computed over, which the ledger also stores in receipts. Also the SCALE
// codecs of the contracts layer's records (ContractInfo, CodeInfo), as the state stores them.
// Pure functions; thread-safe.
//
//   NextStateRoot(previous, changes) = blake2b-256(previous ‖ EncodeStateChanges(changes))
//
// The root commits to the sequence of changes, not to the resulting state: two different
// histories that end in the same state have different roots, and an empty StateChanges still
// advances the root. The genesis root is whatever the ledger starts from (32 zero bytes unless
// it says otherwise).
//
// EncodeStateChanges is SCALE (ABI.md §7) of these seven fields in this order, each a Vec (compact
// length ‖ items) whose items are strictly ascending by their key, as the maps of StateChanges
// hold them; 32-byte ids and hashes are their raw bytes ([u8; 32], no length):
//   1. wiped:      Vec<AccountId>                                    by id
//   2. storage:    Vec<(AccountId, Vec<u8> key, Option<Vec<u8>>)>    by id, then key bytes
//                  compared lexicographically as unsigned (a proper prefix sorts first);
//                  None (00) clears the entry, Some (01 ‖ value) sets it
//   3. contracts:  Vec<(AccountId, Option<ContractInfo>)>            by id; None removes
//   4. balances:   Vec<(AccountId, u128)>                            by id; u128 little-endian
//   5. codes:      Vec<(CodeHash, Vec<u8> wasm)>                     by hash
//   6. code_infos: Vec<(CodeHash, CodeInfo)>                         by hash
//   7. nonces:     Vec<(AccountId, u64)>                             by id; the next nonce
// where
//   ContractInfo = code_hash: [u8; 32]
//   CodeInfo     = owner: [u8; 32] ‖ determinism: u8 (0 Enforced, 1 Relaxed) ‖ refcount: u64 ‖
//                  code_len: u32
// Example: a StateChanges whose only entry sets balance 5 for account 0x11…11 encodes as
//   00 00 00 04 11×32 05 00×15 00 00 00  (empty wiped, storage, contracts; one balance; …)
// Decoding is strict: truncated input, trailing bytes, bad Option/enum tags, and items out of
// order or repeated (which no map could produce, and which would encode differently) are errors,
// so every accepted input re-encodes to the same bytes.
#pragma once

#include "phat/base/bytes.h"
#include "phat/codec/scale.h"
#include "phat/contracts/state.h"
#include "phat/contracts/types.h"

namespace phat::codec {

template <>
struct ScaleCodec<contracts::Determinism> : EnumCodec<contracts::Determinism, 2> {};

template <>
struct ScaleCodec<contracts::ContractInfo> {
  static void Encode(ScaleWriter& w, const contracts::ContractInfo& info);
  static Decoded<contracts::ContractInfo> Decode(ScaleReader& r);
};

template <>
struct ScaleCodec<contracts::CodeInfo> {
  static void Encode(ScaleWriter& w, const contracts::CodeInfo& info);
  static Decoded<contracts::CodeInfo> Decode(ScaleReader& r);
};

}  // namespace phat::codec

namespace phat::state {

// The canonical encoding above.
Bytes EncodeStateChanges(const contracts::StateChanges& changes);
void EncodeStateChanges(codec::ScaleWriter& w, const contracts::StateChanges& changes);
// Its inverse: the whole input must be one canonical encoding.
codec::Decoded<contracts::StateChanges> DecodeStateChanges(ByteView bytes);

contracts::CodeHash NextStateRoot(const contracts::CodeHash& previous,
                                  const contracts::StateChanges& changes);

}  // namespace phat::state
