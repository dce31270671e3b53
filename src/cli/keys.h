// Signing keys for the `phat` CLI: the development cluster's well-known accounts (alice, bob,
// charlie, dave, as phatd --dev derives them) and key files written by `phat keys generate`,
// JSON {"scheme": "ed25519", "seed": "0x<32 bytes>"} with mode 0600. Only ed25519 so far: the
// node signs queries with ed25519 only (node/query.h).
//
// Thread safety: pure functions over files; no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "phat/base/expected.h"
#include "phat/contracts/types.h"

namespace phat::cli {

struct Signer {
  std::string name;  // the dev account's name, or the key file's path
  std::array<uint8_t, 32> seed{};
  contracts::AccountId account{};
};

// `--key NAME|FILE`: a dev account's name, or else the path of a key file.
Expected<Signer, std::string> LoadSigner(const std::string& name_or_file);

// A fresh ed25519 seed from the system's random source.
Expected<std::array<uint8_t, 32>, std::string> GenerateSeed();

std::string KeyFileJson(const std::array<uint8_t, 32>& seed);
// Creates `path` with mode 0600; refuses to overwrite an existing file (it may hold a key).
Expected<void, std::string> WriteKeyFile(const std::string& path,
                                         const std::array<uint8_t, 32>& seed);
Expected<Signer, std::string> ReadKeyFile(const std::string& path);

// An account given on the command line: 0x + 64 hex digits, or a dev account's name.
Expected<contracts::AccountId, std::string> ParseAccount(const std::string& text);

}  // namespace phat::cli
