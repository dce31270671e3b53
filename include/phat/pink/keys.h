// pink's keys (ABI.md §6, §10): the cluster's secret key, the sr25519 keys contracts derive from
// it (derive_sr25519_key, func id 4), and the key operations pink offers a contract for keys it
// holds: sign (2), verify (3), get_public_key (5) and ecdsa_sign_prehashed (13). The chain
// extension decodes arguments, encodes results and applies the query/transaction policy (a
// transaction's sr25519 sign gets empty bytes); this is the library it calls.
//
// The cluster key. In Phala every worker of a cluster holds the same sr25519 key inside its SGX
// enclave, so a contract derives the same key on every worker. phat has no enclave. Its cluster
// key lives in <data_dir>/cluster.key, which only the node's user may read (mode 0600, owned by
// that user; anything looser is refused, not repaired), and the secret never leaves the process:
// nothing here returns it, only keys derived from it and its public key. Workers that must derive
// the same contract keys share the file (copied with its mode) or a dev seed.
//
// The file is 76 bytes: the magic "phatCK\r\n" (8), a version (u32 little-endian, 1), the 32-byte
// sr25519 mini secret, and BLAKE2b-256 of those 44 bytes. The checksum catches a damaged or
// truncated file; it is no MAC, since whoever can rewrite the file can read the secret anyway. It
// is checked before the version is believed, and later versions are to keep the magic, the
// version and a trailing checksum of the rest, so that a newer file is told from a damaged one. A
// damaged file is an error and never replaced: a new key would silently change every contract's
// derived keys. It is created once, durably: written to cluster.key.tmp (mode 0600), fsynced,
// renamed without replacing an existing key, and the directory fsynced, so after a crash either
// the whole key is there or none is (a leftover temp file never served as a key; it is
// overwritten).
//
// Contract keys, as Phala derives them. Facts from phala-blockchain: derive_sr25519_key in
// crates/pink/runtime/src/runtime/extension.rs (commit a42f5c549ca0) and
// KDF::derive_sr25519_pair in crates/phala-crypto/src/sr25519.rs (commits 9fcfc9a938a8 and
// 3ec0e5bd6ff1 agree):
//   - the cluster key is pallet_pink's Key, a 64-byte schnorrkel secret key (scalar ‖ nonce
//     seed, SecretKey::to_bytes), restored with sp_core's Pair::from_seed_slice;
//   - HKDF-SHA256 (RFC 5869, ring's hkdf) with salt = the fixed 32 bytes Phala calls
//     KDF_SALT (the PoC-4 genesis hash, 18e876ad…3d90f85e) and input key material = all 64
//     bytes of that secret key (not only the scalar half);
//   - info = contract address (32) ‖ salt ‖ "keygen" (ring's expand takes the parts as a
//     list and joins them with nothing between);
//   - 32 bytes of output are an sr25519 mini secret, expanded in Ed25519 mode (sp_core's
//     Pair::from_seed); derive_sr25519_key returns that pair's 64-byte secret key (to_bytes).
// phat's cluster key is a mini secret expanded the same way, so ClusterKey::FromSeed(s) derives
// what a Phala cluster whose Key is the secret key of sp_core::sr25519::Pair::from_seed(s) does.
// tests/pink/keys_test.cc checks vectors computed independently with node's crypto.hkdfSync
// (OpenSSL) and polkadot-js (tests/pink/keys_vector.mjs).
//
// Key operations, as Phala's DefaultPinkExtension (crates/pink/chain-extension/src/lib.rs, commit
// 14afeb48b967) does them on sp_core (polkadot-sdk substrate/primitives/core, ecdsa.rs and
// sr25519.rs):
//   type     key (Pair::from_seed_slice)                signature                 public key
//   Ed25519  32-byte seed                               64, RFC 8032              32
//   Sr25519  32-byte mini secret or 64-byte secret key  64, context "substrate"   32
//   Ecdsa    32-byte secp256k1 secret k, 0 < k < n      65 (r‖s‖v), signing       33, compressed
//                                                       blake2b-256(message)
// Sr25519 signatures are randomised, the others deterministic (ECDSA as RFC 6979 with low s, as
// libsecp256k1 signs for sp_core: the bytes match sp_core's published vector). verify checks the
// public key's and the signature's lengths first and fails the call on a wrong one, as the newest
// Phala does (older pink-extension-runtime used verify_weak and answered false); beyond that it
// answers true or false. Ed25519 verification is libsodium's, stricter than Substrate's ZIP 215 at
// the edges (crypto/ed25519.h). ecdsa_verify_prehashed needs no wrapper:
// crypto::EcdsaVerifyPrehashed takes pink's fixed-size arguments and applies sp_core's rules.
//
// Thread safety: a ClusterKey is immutable after construction, so its const methods may be called
// from any number of threads. The free functions are thread-safe. LoadOrCreateClusterKey expects to
// be the only one creating a key in its directory (one node per data directory).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"
#include "phat/contracts/types.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/secp256k1.h"
#include "phat/crypto/sr25519.h"

namespace phat::pink {

inline constexpr std::string_view kClusterKeyFileName = "cluster.key";
inline constexpr std::string_view kWorkerKeyFileName = "worker.key";

// The cluster's sr25519 key pair. Movable, not copyable; the secret is wiped when it is destroyed.
class ClusterKey {
 public:
  // A cluster key from a 32-byte mini secret: for tests and development clusters, whose contract
  // keys must come out the same on every run. The node chooses between this and the key file.
  static ClusterKey FromSeed(const crypto::Sr25519MiniSecret& seed);

  ClusterKey(ClusterKey&& other) noexcept;
  ClusterKey& operator=(ClusterKey&& other) noexcept;
  ClusterKey(const ClusterKey&) = delete;
  ClusterKey& operator=(const ClusterKey&) = delete;
  ~ClusterKey();

  const crypto::Sr25519PublicKey& public_key() const { return keypair_.public_key; }

  // derive_sr25519_key: the 64-byte sr25519 secret key `contract` gets for `salt` (see above).
  // The same contract, salt and cluster key give the same key on every worker and every start.
  crypto::Sr25519SecretKey DeriveContractKey(const contracts::AccountId& contract,
                                             ByteView salt) const;

 private:
  explicit ClusterKey(const crypto::Sr25519Keypair& keypair) : keypair_(keypair) {}
  crypto::Sr25519Keypair keypair_;
};

// The key in <data_dir>/cluster.key; on first start (no such file) a fresh one from libsodium's
// CSPRNG, written durably as described above. data_dir is created if missing. The error says what
// is wrong with the file and what to do; an unusable file is never replaced.
Expected<ClusterKey, std::string> LoadOrCreateClusterKey(const std::filesystem::path& data_dir);

// This worker's own sr25519 key, its identity (pink's worker_pubkey): <data_dir>/worker.key, kept
// and created exactly as the cluster key is (same format, same checks), but never shared: each
// worker makes its own. Only the public key is handed out.
Expected<crypto::Sr25519PublicKey, std::string> LoadOrCreateWorkerKey(
    const std::filesystem::path& data_dir);

// pink's SigType (pink's chain_extension.rs); SCALE encodes the variant's index.
enum class SigType : uint8_t { Ed25519 = 0, Sr25519 = 1, Ecdsa = 2 };

std::optional<SigType> SigTypeFromIndex(uint8_t index);  // nothing past Ecdsa
std::string_view SigTypeName(SigType type);              // "ed25519", "sr25519", "ecdsa"

// Why a key operation failed. Phala fails the contract's call in each case
// (DispatchError::Other with the kind's text: "Invalid key", "Invalid public key",
// "Invalid signature"); it is not a value the contract receives.
enum class KeyErrorKind : uint8_t { InvalidKey, InvalidPublicKey, InvalidSignature };

struct KeyError {
  KeyErrorKind kind;
  std::string message;  // Phala's text, then what was wrong and what the function takes
  friend bool operator==(const KeyError&, const KeyError&) = default;
};

std::string_view KeyErrorText(KeyErrorKind kind);  // Phala's text for the kind

// sign: a signature of `message` with `key` (see the table above).
Expected<Bytes, KeyError> Sign(SigType type, ByteView key, ByteView message);

// verify: whether `signature` is `public_key`'s over `message`; an error if either has the wrong
// length for `type`.
Expected<bool, KeyError> Verify(SigType type, ByteView public_key, ByteView message,
                                ByteView signature);

// get_public_key: the public key of `key`.
Expected<Bytes, KeyError> PublicKeyOf(SigType type, ByteView key);

// ecdsa_sign_prehashed: a signature of a 32-byte hash, which is signed as given (not hashed
// again). `key` is a 32-byte secp256k1 secret.
Expected<crypto::EcdsaSignature, KeyError> EcdsaSignPrehashed(ByteView key,
                                                              const crypto::Hash256& hash);

}  // namespace phat::pink
