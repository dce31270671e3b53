#include "phat/crypto/hash.h"

#include <crypto++/keccak.h>
#include <sodium.h>
#include <xxhash.h>

#include "sodium_once.h"

namespace phat::crypto {
namespace {

// Some C APIs do not promise to accept a null pointer even with length 0, which an empty span
// may carry.
const uint8_t* DataOrEmpty(ByteView data) {
  static constexpr uint8_t kEmpty = 0;
  return data.empty() ? &kEmpty : data.data();
}

void PutLe64(uint64_t v, uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

Hash256 Blake2b256(ByteView data) {
  EnsureSodium();
  Hash256 out;
  crypto_generichash(out.data(), out.size(), DataOrEmpty(data), data.size(), nullptr, 0);
  return out;
}

Hash128 Blake2b128(ByteView data) {
  EnsureSodium();
  static_assert(crypto_generichash_BYTES_MIN <= 16);
  Hash128 out;
  crypto_generichash(out.data(), out.size(), DataOrEmpty(data), data.size(), nullptr, 0);
  return out;
}

Hash256 Sha256(ByteView data) {
  EnsureSodium();
  Hash256 out;
  crypto_hash_sha256(out.data(), DataOrEmpty(data), data.size());
  return out;
}

// OpenSSL 3.0 (Debian 12) offers only SHA3-256, whose padding differs; Crypto++ keeps the
// original Keccak.
Hash256 Keccak256(ByteView data) {
  CryptoPP::Keccak_256 keccak;
  keccak.Update(DataOrEmpty(data), data.size());
  Hash256 out;
  static_assert(CryptoPP::Keccak_256::DIGESTSIZE == 32);
  keccak.Final(out.data());
  return out;
}

uint32_t Xxh32(ByteView data, uint32_t seed) {
  return XXH32(DataOrEmpty(data), data.size(), seed);
}

std::array<uint8_t, 8> Twox64(ByteView data) {
  std::array<uint8_t, 8> out;
  PutLe64(XXH64(DataOrEmpty(data), data.size(), 0), out.data());
  return out;
}

Hash128 Twox128(ByteView data) {
  Hash128 out;
  PutLe64(XXH64(DataOrEmpty(data), data.size(), 0), out.data());
  PutLe64(XXH64(DataOrEmpty(data), data.size(), 1), out.data() + 8);
  return out;
}

}  // namespace phat::crypto
