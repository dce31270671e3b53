// Commands: what clients submit to change the state (upload, instantiate, call, transfer), signed
// by their origin. The log stores a command as its SCALE encoding, exactly the bytes that were
// signed, so every worker re-checks and applies the same thing. The origin's account id comes
// from its public key as Substrate derives it (ed25519: the key itself; secp256k1: blake2b-256 of
// the compressed key), and a per-origin nonce makes a captured command useless a second time.
// Plain data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "phat/base/expected.h"
#include "phat/codec/scale.h"
#include "phat/contracts/types.h"

namespace phat::ledger {

using contracts::AccountId;
using contracts::Balance;
using contracts::CodeHash;

#define PHAT_LEDGER_SCALE_HOOKS(T)                \
  void ScaleEncode(codec::ScaleWriter& w) const; \
  static codec::Decoded<T> ScaleDecode(codec::ScaleReader& r)

struct UploadCode {
  Bytes code;
  bool deterministic = true;  // false: Relaxed code, for queries only
  PHAT_LEDGER_SCALE_HOOKS(UploadCode);
};
struct InstantiateContract {
  CodeHash code_hash{};
  Balance value = 0;
  Bytes input;
  Bytes salt;
  PHAT_LEDGER_SCALE_HOOKS(InstantiateContract);
};
struct CallContract {
  AccountId dest{};
  Balance value = 0;
  Bytes input;
  PHAT_LEDGER_SCALE_HOOKS(CallContract);
};
struct TransferBalance {
  AccountId to{};
  Balance value = 0;
  PHAT_LEDGER_SCALE_HOOKS(TransferBalance);
};
using CommandBody = std::variant<UploadCode, InstantiateContract, CallContract, TransferBalance>;

struct Command {
  AccountId origin{};
  uint64_t nonce = 0;              // the origin's next nonce: 0, 1, 2, ...
  uint64_t gas_limit = 0;          // ref_time, picoseconds
  CommandBody body;
  PHAT_LEDGER_SCALE_HOOKS(Command);
};

enum class SignatureScheme : uint8_t { Ed25519 = 0, Secp256k1 = 1, Sr25519 = 2 };
// The scheme a SCALE byte names; nothing for an unknown one.
std::optional<SignatureScheme> SignatureSchemeFromByte(uint8_t byte);

// A command with its signature: scheme, the signer's public key (32 bytes for ed25519 and
// sr25519, 33 compressed for secp256k1) and the signature (64, or 65 with secp256k1's recovery
// id) over SigningPayload(cluster, command). sr25519 signs under Substrate's context
// ("substrate"), as polkadot-js and Substrate wallets do.
struct SignedCommand {
  Bytes command;  // SCALE(Command)
  SignatureScheme scheme = SignatureScheme::Ed25519;
  Bytes public_key;
  Bytes signature;
  PHAT_LEDGER_SCALE_HOOKS(SignedCommand);
};

#undef PHAT_LEDGER_SCALE_HOOKS

// What is signed: a domain tag, the cluster's id (so a command for one cluster is worthless on
// another), and the command's bytes.
Bytes SigningPayload(const CodeHash& cluster_id, ByteView command);
// tag ‖ cluster id ‖ body: how every signed (or MACed) request is bound to its kind and cluster.
Bytes DomainPayload(std::string_view tag, ByteView cluster_id, ByteView body);

// Whether `signature` by `public_key` signs `payload` under `scheme` (secp256k1 signs the
// payload's blake2b-256). An error if the key or signature has the wrong size for the scheme.
// Commands and the node's signed queries share it.
Expected<bool, std::string> VerifySignature(SignatureScheme scheme, ByteView public_key,
                                            ByteView signature, ByteView payload);
// A signature of `payload` under `scheme` by the key a 32-byte secret makes (an ed25519 seed, a
// secp256k1 secret key, an sr25519 mini secret): (public key, signature). An error only for a
// secp256k1 secret that is not a valid key.
Expected<std::pair<Bytes, Bytes>, std::string> SignPayload(SignatureScheme scheme,
                                                           const std::array<uint8_t, 32>& secret,
                                                           ByteView payload);
// The public key such a secret makes under `scheme`.
Expected<Bytes, std::string> PublicKeyOfSecret(SignatureScheme scheme,
                                               const std::array<uint8_t, 32>& secret);
// SignPayload for ed25519, which cannot fail.
std::pair<Bytes, Bytes> SignPayloadEd25519(const std::array<uint8_t, 32>& seed, ByteView payload);

// The account a public key controls.
Expected<AccountId, std::string> AccountOf(SignatureScheme scheme, ByteView public_key);

// Decodes a signed command, checks its signature, and that its origin is the signer's account.
// Returns the command; an error says what is wrong (for the API to report as is).
Expected<Command, std::string> VerifyCommand(const CodeHash& cluster_id, const SignedCommand& signed_command);
// The same without the signature, for bytes whose signature this process has already verified.
Expected<Command, std::string> OpenCommand(const SignedCommand& signed_command);

// Signs under `scheme` with a 32-byte secret as SignPayload takes it (tools and tests).
Expected<SignedCommand, std::string> SignCommand(const CodeHash& cluster_id, const Command& command,
                                                 SignatureScheme scheme,
                                                 const std::array<uint8_t, 32>& secret);
// Signs with an ed25519 seed, a secp256k1 secret key or an sr25519 mini secret (tools and tests).
SignedCommand SignEd25519(const CodeHash& cluster_id, const Command& command,
                          const std::array<uint8_t, 32>& seed);
Expected<SignedCommand, std::string> SignSecp256k1(const CodeHash& cluster_id,
                                                   const Command& command,
                                                   const std::array<uint8_t, 32>& secret);
SignedCommand SignSr25519(const CodeHash& cluster_id, const Command& command,
                          const std::array<uint8_t, 32>& mini_secret);

}  // namespace phat::ledger
