// Signing keys for the `phat` CLI: the development cluster's well-known accounts (alice, bob,
// charlie, dave, as phatd --dev derives them; ed25519) and key files written by `phat keys
// generate`, JSON {"scheme": "ed25519" | "sr25519" | "secp256k1", "seed": "0x<32 bytes>"} with
// mode 0600. An sr25519 seed is the mini secret polkadot-js calls the seed, so a key file holding
// it signs for the same account as polkadot-js's sr25519PairFromSeed.
//
// Thread safety: pure functions over files; no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "phat/base/expected.h"
#include "phat/contracts/types.h"
#include "phat/ledger/command.h"

namespace phat::cli {

using ledger::SignatureScheme;

struct Signer {
  std::string name;  // the dev account's name, or the key file's path
  SignatureScheme scheme = SignatureScheme::Ed25519;
  std::array<uint8_t, 32> seed{};  // the secret, as ledger::SignPayload takes it
  contracts::AccountId account{};
};

// The names key files and `phat keys generate --scheme` use.
std::string_view SchemeName(SignatureScheme scheme);
Expected<SignatureScheme, std::string> SchemeFromName(std::string_view name);

// `--key NAME|FILE`: a dev account's name, or else the path of a key file.
Expected<Signer, std::string> LoadSigner(const std::string& name_or_file);

// A fresh key from the system's random source (for secp256k1, one that is a valid secret).
Expected<Signer, std::string> GenerateKey(SignatureScheme scheme);

std::string KeyFileJson(const Signer& key);
// Creates `path` with mode 0600; refuses to overwrite an existing file (it may hold a key).
Expected<void, std::string> WriteKeyFile(const std::string& path, const Signer& key);
Expected<Signer, std::string> ReadKeyFile(const std::string& path);

// An account given on the command line: 0x + 64 hex digits, or a dev account's name.
Expected<contracts::AccountId, std::string> ParseAccount(const std::string& text);

}  // namespace phat::cli
