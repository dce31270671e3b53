#include "cli/keys.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "phat/crypto/ed25519.h"
#include "phat/node/node.h"

namespace phat::cli {
namespace {

using nlohmann::json;

std::string DevNames() {
  std::string names;
  for (const auto& a : node::DevAccounts()) names += (names.empty() ? "" : ", ") + a.name;
  return names;
}

}  // namespace

Expected<Signer, std::string> LoadSigner(const std::string& name_or_file) {
  for (const auto& a : node::DevAccounts())
    if (a.name == name_or_file) return Signer{a.name, SignatureScheme::Ed25519, a.seed, a.id};
  std::error_code ec;
  if (!std::filesystem::exists(name_or_file, ec))
    return unexpected(fmt::format(
        "--key \"{}\" is neither a dev account ({}) nor a key file; write one with `phat keys "
        "generate --out FILE`",
        name_or_file, DevNames()));
  return ReadKeyFile(name_or_file);
}

std::string_view SchemeName(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::Ed25519:
      return "ed25519";
    case SignatureScheme::Secp256k1:
      return "secp256k1";
    case SignatureScheme::Sr25519:
      return "sr25519";
  }
  return "unknown";
}

Expected<SignatureScheme, std::string> SchemeFromName(std::string_view name) {
  for (auto scheme :
       {SignatureScheme::Ed25519, SignatureScheme::Sr25519, SignatureScheme::Secp256k1})
    if (SchemeName(scheme) == name) return scheme;
  return unexpected(fmt::format("unknown key scheme \"{}\": ed25519, sr25519 or secp256k1", name));
}

namespace {

Expected<std::array<uint8_t, 32>, std::string> RandomSecret() {
  std::array<uint8_t, 32> seed{};
  size_t got = 0;
  while (got < seed.size()) {
    const ssize_t n = getrandom(seed.data() + got, seed.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return unexpected(fmt::format("cannot read the system's random source: {}", strerror(errno)));
    }
    got += size_t(n);
  }
  return seed;
}

Expected<Signer, std::string> KeyFromSecret(std::string name, SignatureScheme scheme,
                                            const std::array<uint8_t, 32>& secret) {
  const Bytes public_key = PHAT_TRY(ledger::PublicKeyOfSecret(scheme, secret));
  const contracts::AccountId account = PHAT_TRY(ledger::AccountOf(scheme, public_key));
  return Signer{std::move(name), scheme, secret, account};
}

}  // namespace

Expected<Signer, std::string> GenerateKey(SignatureScheme scheme) {
  // A secp256k1 secret must be below the group order: all but ~2^-128 of random ones are.
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto key = KeyFromSecret("", scheme, PHAT_TRY(RandomSecret()));
    if (key) return key;
  }
  return unexpected(std::string("cannot make a valid key from the system's random source"));
}

std::string KeyFileJson(const Signer& key) {
  return json{{"scheme", SchemeName(key.scheme)}, {"seed", "0x" + ToHex(key.seed)}}.dump() + "\n";
}

Expected<void, std::string> WriteKeyFile(const std::string& path, const Signer& key) {
  // O_EXCL: never overwrite, since the file there may be the only copy of another key; 0600 from
  // the start, so the seed is never readable by others, not even for a moment.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return unexpected(
        errno == EEXIST
            ? fmt::format("{} exists already; pick another file (it may hold a key)", path)
            : fmt::format("cannot create {}: {}", path, strerror(errno)));
  const std::string text = KeyFileJson(key);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return unexpected(fmt::format("cannot write {}: {}", path, why));
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    return unexpected(fmt::format("cannot write {}: {}", path, strerror(errno)));
  return {};
}

Expected<Signer, std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return unexpected(fmt::format("cannot read the key file {}", path));
  const std::string text(std::istreambuf_iterator<char>(in), {});
  const json key = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const std::string shape =
      "a key file is JSON {\"scheme\": \"ed25519\" (or \"sr25519\", \"secp256k1\"), \"seed\": "
      "\"0x<64 hex digits>\"}, as `phat keys generate --out FILE` writes";
  if (!key.is_object()) return unexpected(fmt::format("{} is not JSON: {}", path, shape));
  if (!key.contains("scheme") || !key["scheme"].is_string())
    return unexpected(fmt::format("{} has no \"scheme\": {}", path, shape));
  auto scheme = SchemeFromName(key["scheme"].get<std::string>());
  if (!scheme) return unexpected(fmt::format("{}: {}", path, scheme.error()));
  if (!key.contains("seed") || !key["seed"].is_string())
    return unexpected(fmt::format("{} has no \"seed\": {}", path, shape));
  auto seed = FixedFromHex<32>(key["seed"].get<std::string>());
  if (!seed) return unexpected(fmt::format("{}: the seed is not 32 bytes of hex: {}", path, shape));
  auto signer = KeyFromSecret(path, *scheme, *seed);
  if (!signer)
    return unexpected(
        fmt::format("{}: not a valid {} key: {}", path, SchemeName(*scheme), signer.error()));
  return signer;
}

Expected<contracts::AccountId, std::string> ParseAccount(const std::string& text) {
  for (const auto& a : node::DevAccounts())
    if (a.name == text) return a.id;
  if (text.starts_with("0x") || text.starts_with("0X"))
    if (auto id = FixedFromHex<32>(text)) return *id;
  return unexpected(fmt::format(
      "\"{}\" is not an account: give 0x followed by 64 hex digits, or a dev account ({})", text,
      DevNames()));
}

}  // namespace phat::cli
