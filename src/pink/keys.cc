#include "phat/pink/keys.h"

#include <crypto++/hkdf.h>
#include <crypto++/sha.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "phat/crypto/ed25519.h"
#include "phat/crypto/key_exchange.h"

namespace phat::pink {
namespace {

namespace fs = std::filesystem;
using crypto::Sr25519MiniSecret;

// ---- The key file (layout in keys.h) ----

constexpr std::string_view kMagic = "phatCK\r\n";  // \r\n: a text-mode copy is caught by the magic
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 8 + 4;
constexpr size_t kFileSize = kHeaderSize + 32 + 32;

// Which key a file holds, for what errors say. Both kinds share the format: only the name
// differs.
struct KeyFile {
  std::string_view name;         // "cluster key"
  std::string_view if_replaced;  // what a new key in its place would do
};
constexpr KeyFile kClusterKeyFile{"cluster key", "change every contract's derived keys"};
constexpr KeyFile kWorkerKeyFile{"worker key", "change this worker's identity (worker_pubkey)"};

template <size_t N>
void Wipe(std::array<uint8_t, N>& secret) {
  explicit_bzero(secret.data(), N);  // not optimised away, unlike a plain fill
}

void Wipe(Bytes& secret) {
  explicit_bzero(secret.data(), secret.size());
}

std::string SysError(std::string_view what, const fs::path& path, int err) {
  return fmt::format("cannot {} {}: {}", what, path.string(), strerror(err));
}

Bytes EncodeKeyFile(const Sr25519MiniSecret& secret) {
  Bytes file(kMagic.begin(), kMagic.end());
  for (int shift = 0; shift < 32; shift += 8) file.push_back(uint8_t(kVersion >> shift));
  file.insert(file.end(), secret.begin(), secret.end());
  const crypto::Hash256 sum = crypto::Blake2b256(file);
  file.insert(file.end(), sum.begin(), sum.end());
  return file;
}

// What to do about a key file that is there but unusable. Making a new key is never the answer:
// every contract's derived keys would change.
std::string Unusable(const KeyFile& kind, const fs::path& path, std::string_view what) {
  return fmt::format(
      "the {} {} {}; restore it from a backup (phat does not replace it: a new {} would {})",
      kind.name, path.string(), what, kind.name, kind.if_replaced);
}

// The checksum is checked before the version is read, so that a damaged version field reads as
// damage; a later format keeps the magic, the version and a trailing checksum of the rest.
Expected<Sr25519MiniSecret, std::string> DecodeKeyFile(const KeyFile& kind, ByteView file,
                                                       const fs::path& path) {
  if (file.size() < kHeaderSize + 32)
    return unexpected(Unusable(
        kind, path, fmt::format("is only {} bytes: it is truncated or damaged", file.size())));
  if (!std::equal(kMagic.begin(), kMagic.end(), file.begin()))
    return unexpected(Unusable(kind, path, "does not start like a phat key file"));
  const ByteView body = file.first(file.size() - 32);
  const crypto::Hash256 sum = crypto::Blake2b256(body);
  if (!std::equal(sum.begin(), sum.end(), file.begin() + body.size()))
    return unexpected(Unusable(
        kind, path,
        fmt::format("({} bytes) fails its checksum: it is truncated or damaged", file.size())));
  uint32_t version = 0;
  for (int i = 0; i < 4; ++i) version |= uint32_t(file[8 + i]) << (8 * i);
  if (version != kVersion)
    return unexpected(fmt::format(
        "the {} {} has format version {}; this phat reads version {} (a newer phat wrote it?)",
        kind.name, path.string(), version, kVersion));
  if (file.size() != kFileSize)
    return unexpected(
        Unusable(kind, path, fmt::format("is {} bytes, not {}", file.size(), kFileSize)));
  Sr25519MiniSecret secret;
  std::copy_n(file.begin() + kHeaderSize, 32, secret.begin());
  return secret;
}

// "Sealed" without an enclave: only the node's user may read the file.
Expected<void, std::string> CheckPrivate(const KeyFile& kind, const struct stat& st,
                                         const fs::path& path) {
  if (!S_ISREG(st.st_mode))
    return unexpected(fmt::format("the {} {} is not a regular file", kind.name, path.string()));
  if (st.st_uid != ::geteuid())
    return unexpected(fmt::format(
        "the {} {} belongs to uid {}, but the node runs as uid {}; it must belong to the node's "
        "user (chown it)",
        kind.name, path.string(), st.st_uid, ::geteuid()));
  if ((st.st_mode & 077) != 0)
    return unexpected(fmt::format(
        "the {} {} has mode {:04o}, which gives users other than its owner access; run `chmod "
        "600 {}`",
        kind.name, path.string(), st.st_mode & 07777, path.string()));
  return {};
}

// Room for a later, longer format, so that it is told from damage (DecodeKeyFile).
constexpr size_t kMaxFileSize = 4096;

Expected<Bytes, std::string> ReadAll(const KeyFile& kind, int fd, const fs::path& path) {
  Bytes data(kMaxFileSize + 1);  // one more, to tell an overlong file from one at the limit
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unexpected(SysError(fmt::format("read the {}", kind.name), path, errno));
    if (n == 0) break;
    got += size_t(n);
  }
  if (got > kMaxFileSize)
    return unexpected(
        Unusable(kind, path, fmt::format("is over {} bytes: it is damaged", kMaxFileSize)));
  data.resize(got);
  return data;
}

// The contents of the open key file, once it is known to be private to the node's user.
Expected<Bytes, std::string> ReadPrivateFile(const KeyFile& kind, int fd, const fs::path& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return unexpected(SysError(fmt::format("stat the {}", kind.name), path, errno));
  PHAT_TRY_VOID(CheckPrivate(kind, st, path));
  return ReadAll(kind, fd, path);
}

// nullopt: there is no key file yet.
Expected<std::optional<ClusterKey>, std::string> LoadKeyFile(const KeyFile& kind,
                                                             const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  if (fd < 0) return unexpected(SysError(fmt::format("open the {}", kind.name), path, errno));
  auto file = ReadPrivateFile(kind, fd, path);
  ::close(fd);
  if (!file) return unexpected(file.error());
  auto secret = DecodeKeyFile(kind, *file, path);
  Wipe(*file);
  if (!secret) return unexpected(secret.error());
  ClusterKey key = ClusterKey::FromSeed(*secret);
  Wipe(*secret);
  return std::optional<ClusterKey>(std::move(key));
}

Expected<void, std::string> WriteAll(int fd, ByteView data, const fs::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return unexpected(SysError("write", path, n < 0 ? errno : EIO));
    done += size_t(n);
  }
  return {};
}

// The temp file: 0600 whatever the umask, and fsynced before it gets the key's name.
Expected<void, std::string> WriteTempFile(const fs::path& tmp, ByteView data) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return unexpected(SysError("create", tmp, errno));
  Expected<void, std::string> ok;
  if (::fchmod(fd, 0600) != 0) ok = unexpected(SysError("chmod", tmp, errno));
  if (ok) ok = WriteAll(fd, data, tmp);
  if (ok && ::fsync(fd) != 0) ok = unexpected(SysError("fsync", tmp, errno));
  if (::close(fd) != 0 && ok) ok = unexpected(SysError("close", tmp, errno));
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

// Gives `tmp` the name `path` unless something has that name already: a key that appeared
// meanwhile is never replaced.
Expected<void, std::string> RenameNoReplace(const KeyFile& kind, const fs::path& tmp,
                                            const fs::path& path) {
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0) return {};
  int err = errno;
  if (err == EINVAL || err == ENOSYS) {
    // A file system without RENAME_NOREPLACE: a hard link refuses an existing name too.
    if (::link(tmp.c_str(), path.c_str()) == 0) {
      ::unlink(tmp.c_str());
      return {};
    }
    err = errno;
  }
  ::unlink(tmp.c_str());
  if (err == EEXIST)
    return unexpected(fmt::format(
        "the {} {} appeared while this node was creating one; is another node using the same "
        "data directory?",
        kind.name, path.string()));
  return unexpected(SysError(fmt::format("rename the new {} to", kind.name), path, err));
}

Expected<void, std::string> SyncDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return unexpected(SysError("open the directory", dir, errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return unexpected(SysError("fsync the directory", dir, err));
  return {};
}

Expected<ClusterKey, std::string> CreateKeyFile(const KeyFile& kind, const fs::path& dir,
                                                const fs::path& path) {
  Sr25519MiniSecret secret;
  crypto::RandomBytes(secret);
  Bytes file = EncodeKeyFile(secret);
  fs::path tmp = path;
  tmp += ".tmp";
  auto written = WriteTempFile(tmp, file);
  Wipe(file);
  if (written) written = RenameNoReplace(kind, tmp, path);
  // Only once the directory entry is durable may a contract see a key derived from it.
  if (written) written = SyncDir(dir);
  if (!written) {
    Wipe(secret);
    return unexpected(written.error());
  }
  ClusterKey key = ClusterKey::FromSeed(secret);
  Wipe(secret);
  return key;
}

// ---- Key operations ----

KeyError Error(KeyErrorKind kind, std::string detail) {
  return KeyError{kind, fmt::format("{}: {}", KeyErrorText(kind), detail)};
}

KeyError WrongKeyLength(SigType type, size_t got) {
  std::string_view takes = type == SigType::Ed25519   ? "a 32-byte seed"
                           : type == SigType::Sr25519 ? "a 32-byte mini secret or a 64-byte "
                                                        "secret key"
                                                      : "a 32-byte secp256k1 secret";
  return Error(KeyErrorKind::InvalidKey,
               fmt::format("an {} key is {}, not {} bytes", SigTypeName(type), takes, got));
}

template <size_t N>
std::array<uint8_t, N> ToArray(ByteView bytes) {
  std::array<uint8_t, N> out;
  std::copy_n(bytes.begin(), N, out.begin());
  return out;
}

// sp_core's sr25519 Pair::from_seed_slice.
Expected<crypto::Sr25519Keypair, KeyError> Sr25519PairOf(ByteView key) {
  if (key.size() == 32) {
    auto seed = ToArray<32>(key);
    auto pair = crypto::Sr25519KeypairFromSeed(seed);
    Wipe(seed);
    return pair;
  }
  if (key.size() != 64) return unexpected(WrongKeyLength(SigType::Sr25519, key.size()));
  auto secret = ToArray<64>(key);
  auto pair = crypto::Sr25519KeypairFromSecretKey(secret);
  Wipe(secret);
  if (!pair)
    return unexpected(
        Error(KeyErrorKind::InvalidKey,
              "the 64-byte sr25519 secret key's scalar is not below the group order"));
  return *pair;
}

Expected<crypto::Ed25519Keypair, KeyError> Ed25519PairOf(ByteView key) {
  if (key.size() != 32) return unexpected(WrongKeyLength(SigType::Ed25519, key.size()));
  auto seed = ToArray<32>(key);
  auto pair = crypto::Ed25519KeypairFromSeed(seed);
  Wipe(seed);
  return pair;
}

Expected<crypto::EcdsaSecretKey, KeyError> EcdsaSecretOf(ByteView key) {
  if (key.size() != 32) return unexpected(WrongKeyLength(SigType::Ecdsa, key.size()));
  return ToArray<32>(key);
}

KeyError BadEcdsaSecret() {
  return Error(KeyErrorKind::InvalidKey, "the ecdsa secret is zero or not below the group order");
}

template <size_t N>
Bytes ToBytes(const std::array<uint8_t, N>& a) {
  return Bytes(a.begin(), a.end());
}

// The lengths sp_core's Public::from_slice and Signature::from_slice accept.
Expected<void, KeyError> CheckVerifyLengths(SigType type, ByteView public_key, ByteView signature) {
  const size_t public_size = type == SigType::Ecdsa ? 33 : 32;
  const size_t signature_size = type == SigType::Ecdsa ? 65 : 64;
  if (public_key.size() != public_size)
    return unexpected(Error(KeyErrorKind::InvalidPublicKey,
                            fmt::format("an {} public key is {} bytes, not {}", SigTypeName(type),
                                        public_size, public_key.size())));
  if (signature.size() != signature_size)
    return unexpected(Error(KeyErrorKind::InvalidSignature,
                            fmt::format("an {} signature is {} bytes, not {}", SigTypeName(type),
                                        signature_size, signature.size())));
  return {};
}

}  // namespace

// ---- ClusterKey ----

ClusterKey ClusterKey::FromSeed(const crypto::Sr25519MiniSecret& seed) {
  return ClusterKey(crypto::Sr25519KeypairFromSeed(seed));
}

ClusterKey::ClusterKey(ClusterKey&& other) noexcept : keypair_(other.keypair_) {
  Wipe(other.keypair_.secret_key);
}

ClusterKey& ClusterKey::operator=(ClusterKey&& other) noexcept {
  if (this != &other) {
    keypair_ = other.keypair_;
    Wipe(other.keypair_.secret_key);
  }
  return *this;
}

ClusterKey::~ClusterKey() {
  Wipe(keypair_.secret_key);
}

crypto::Sr25519SecretKey ClusterKey::DeriveContractKey(const contracts::AccountId& contract,
                                                       ByteView salt) const {
  // Phala's KDF_SALT (phala-crypto's sr25519.rs): the PoC-4 genesis block hash.
  static constexpr uint8_t kKdfSalt[32] = {0x18, 0xe8, 0x76, 0xad, 0xfa, 0x74, 0xcc, 0x74,
                                           0x3b, 0x4b, 0x7d, 0x7f, 0x92, 0xc9, 0x6e, 0x03,
                                           0xde, 0x55, 0x9a, 0x3c, 0x15, 0x27, 0x05, 0x81,
                                           0xfc, 0xe4, 0x45, 0x96, 0x3d, 0x90, 0xf8, 0x5e};
  static constexpr std::string_view kPurpose = "keygen";
  Bytes info(contract.begin(), contract.end());
  info.insert(info.end(), salt.begin(), salt.end());
  info.insert(info.end(), kPurpose.begin(), kPurpose.end());
  Sr25519MiniSecret seed;
  CryptoPP::HKDF<CryptoPP::SHA256>().DeriveKey(seed.data(), seed.size(), keypair_.secret_key.data(),
                                               keypair_.secret_key.size(), kKdfSalt,
                                               sizeof(kKdfSalt), info.data(), info.size());
  crypto::Sr25519Keypair derived = crypto::Sr25519KeypairFromSeed(seed);
  Wipe(seed);
  return derived.secret_key;
}

namespace {

Expected<ClusterKey, std::string> LoadOrCreateKey(const KeyFile& kind, const fs::path& data_dir,
                                                  std::string_view file_name) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec)
    return unexpected(
        fmt::format("cannot create the data directory {}: {}", data_dir.string(), ec.message()));
  const fs::path path = data_dir / file_name;
  auto loaded = LoadKeyFile(kind, path);
  if (!loaded) return unexpected(loaded.error());
  if (*loaded) return std::move(**loaded);
  return CreateKeyFile(kind, data_dir, path);
}

}  // namespace

Expected<ClusterKey, std::string> LoadOrCreateClusterKey(const fs::path& data_dir) {
  return LoadOrCreateKey(kClusterKeyFile, data_dir, kClusterKeyFileName);
}

Expected<crypto::Sr25519PublicKey, std::string> LoadOrCreateWorkerKey(const fs::path& data_dir) {
  auto key = PHAT_TRY(LoadOrCreateKey(kWorkerKeyFile, data_dir, kWorkerKeyFileName));
  return key.public_key();
}

// ---- SigType and key operations ----

std::optional<SigType> SigTypeFromIndex(uint8_t index) {
  if (index > uint8_t(SigType::Ecdsa)) return std::nullopt;
  return SigType(index);
}

std::string_view SigTypeName(SigType type) {
  switch (type) {
    case SigType::Ed25519:
      return "ed25519";
    case SigType::Sr25519:
      return "sr25519";
    case SigType::Ecdsa:
      return "ecdsa";
  }
  return "?";
}

std::string_view KeyErrorText(KeyErrorKind kind) {
  switch (kind) {
    case KeyErrorKind::InvalidKey:
      return "Invalid key";
    case KeyErrorKind::InvalidPublicKey:
      return "Invalid public key";
    case KeyErrorKind::InvalidSignature:
      return "Invalid signature";
  }
  return "?";
}

Expected<Bytes, KeyError> Sign(SigType type, ByteView key, ByteView message) {
  switch (type) {
    case SigType::Ed25519: {
      auto pair = PHAT_TRY(Ed25519PairOf(key));
      auto signature = crypto::Ed25519Sign(pair, message);
      Wipe(pair.secret_key);
      return ToBytes(signature);
    }
    case SigType::Sr25519: {
      auto pair = PHAT_TRY(Sr25519PairOf(key));
      auto signature = crypto::Sr25519Sign(pair, message);
      Wipe(pair.secret_key);
      return ToBytes(signature);
    }
    case SigType::Ecdsa: {
      // sp_core's ecdsa Pair::sign signs blake2b-256 of the message.
      auto signature = PHAT_TRY(EcdsaSignPrehashed(key, crypto::Blake2b256(message)));
      return ToBytes(signature);
    }
  }
  return unexpected(Error(KeyErrorKind::InvalidKey, "unknown signature type"));
}

Expected<bool, KeyError> Verify(SigType type, ByteView public_key, ByteView message,
                                ByteView signature) {
  PHAT_TRY_VOID(CheckVerifyLengths(type, public_key, signature));
  switch (type) {
    case SigType::Ed25519:
      return crypto::Ed25519Verify(ToArray<64>(signature), message, ToArray<32>(public_key));
    case SigType::Sr25519:
      return crypto::Sr25519Verify(ToArray<64>(signature), message, ToArray<32>(public_key));
    case SigType::Ecdsa:
      // sp_core recovers the signer from blake2b-256 of the message and compares.
      return crypto::EcdsaVerifyPrehashed(ToArray<65>(signature), crypto::Blake2b256(message),
                                          ToArray<33>(public_key));
  }
  return false;
}

Expected<Bytes, KeyError> PublicKeyOf(SigType type, ByteView key) {
  switch (type) {
    case SigType::Ed25519: {
      auto pair = PHAT_TRY(Ed25519PairOf(key));
      Wipe(pair.secret_key);
      return ToBytes(pair.public_key);
    }
    case SigType::Sr25519: {
      auto pair = PHAT_TRY(Sr25519PairOf(key));
      Wipe(pair.secret_key);
      return ToBytes(pair.public_key);
    }
    case SigType::Ecdsa: {
      auto secret = PHAT_TRY(EcdsaSecretOf(key));
      auto public_key = crypto::PublicKeyFromSecret(secret);
      Wipe(secret);
      if (!public_key) return unexpected(BadEcdsaSecret());
      return ToBytes(*public_key);
    }
  }
  return unexpected(Error(KeyErrorKind::InvalidKey, "unknown signature type"));
}

Expected<crypto::EcdsaSignature, KeyError> EcdsaSignPrehashed(ByteView key,
                                                              const crypto::Hash256& hash) {
  auto secret = PHAT_TRY(EcdsaSecretOf(key));
  auto signature = crypto::EcdsaSignPrehashed(secret, hash);
  Wipe(secret);
  if (!signature) return unexpected(BadEcdsaSecret());
  return *signature;
}

}  // namespace phat::pink
