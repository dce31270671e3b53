#include "phat/crypto/sr25519.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "merlin.h"
#include "phat/codec/scale.h"
#include "phat/crypto/hash.h"
#include "sodium_once.h"

namespace phat::crypto {
namespace {

static_assert(crypto_core_ristretto255_BYTES == 32 && crypto_core_ristretto255_SCALARBYTES == 32 &&
              crypto_core_ristretto255_NONREDUCEDSCALARBYTES == 64);

using Scalar = std::array<uint8_t, 32>;  // little-endian, below the group order
using Point = std::array<uint8_t, 32>;   // ristretto255 encoding

// The encoding of the identity. libsodium's scalar multiplications report an identity result as
// a failure (-1); schnorrkel has no such case, so callers map it back to this point.
constexpr Point kIdentity{};

Scalar ReduceWide(const std::array<uint8_t, 64>& wide) {
  Scalar out;
  crypto_core_ristretto255_scalar_reduce(out.data(), wide.data());
  return out;
}

// Whether `s` is already below the group order (curve25519-dalek's from_canonical_bytes).
bool IsCanonical(const Scalar& s) {
  std::array<uint8_t, 64> wide{};
  std::copy(s.begin(), s.end(), wide.begin());
  return ReduceWide(wide) == s;
}

Point BaseMul(const Scalar& s) {
  Point out;
  if (crypto_scalarmult_ristretto255_base(out.data(), s.data()) != 0) return kIdentity;
  return out;
}

// `p` must be a valid encoding: then a failure can only mean an identity result.
Point Mul(const Scalar& s, const Point& p) {
  Point out;
  if (crypto_scalarmult_ristretto255(out.data(), s.data(), p.data()) != 0) return kIdentity;
  return out;
}

Scalar SecretScalar(const Sr25519SecretKey& secret) {
  Scalar key;
  std::copy_n(secret.begin(), 32, key.begin());
  return key;
}

Sr25519PublicKey PublicKeyOf(const Scalar& key) {
  return BaseMul(key);
}

// A byte string of the transcript read as a scalar: 64 bytes reduced, so the result is uniform.
Scalar ChallengeScalar(merlin::Transcript& t, std::string_view label) {
  std::array<uint8_t, 64> wide;
  t.ChallengeBytes(label, wide);
  return ReduceWide(wide);
}

// schnorrkel's signing_context(context).bytes(message), then the two commitments sign and
// verify share: the protocol name and the signer's public key.
merlin::Transcript SignatureTranscript(ByteView context, ByteView message,
                                       const Sr25519PublicKey& public_key) {
  merlin::Transcript t("SigningContext");
  t.AppendMessage("", context);
  t.AppendMessage("sign-bytes", message);
  t.AppendMessage("proto-name", AsBytes("Schnorr-sig"));
  t.AppendMessage("sign:pk", public_key);
  return t;
}

// The secret nonce r: a transcript RNG keyed with the nonce seed and fresh randomness, so that
// r stays unpredictable even if one of the two is weak.
Scalar WitnessScalar(const merlin::Transcript& t, const Sr25519SecretKey& secret) {
  std::array<uint8_t, 32> randomness;
  randombytes_buf(randomness.data(), randomness.size());
  merlin::TranscriptRng rng = t.BuildRng()
                                  .RekeyWithWitnessBytes("signing", ByteView(secret).subspan(32))
                                  .Finalize(randomness);
  std::array<uint8_t, 64> wide;
  rng.FillBytes(wide);
  Scalar r = ReduceWide(wide);
  sodium_memzero(wide.data(), wide.size());
  sodium_memzero(randomness.data(), randomness.size());
  return r;
}

// Ed25519's clamping leaves a multiple of 8; schnorrkel divides it back out (a right shift by 3
// of the little-endian integer) so the scalar is used directly mod the group order.
void DivideByCofactor(Scalar& key) {
  uint8_t carry = 0;
  for (auto it = key.rbegin(); it != key.rend(); ++it) {
    uint8_t low = *it & 7;
    *it = static_cast<uint8_t>((*it >> 3) | carry);
    carry = static_cast<uint8_t>(low << 5);
  }
}

// A decimal junction as Rust's str::parse::<u64> reads it: an optional '+', then digits.
std::optional<uint64_t> ParseU64(std::string_view text) {
  if (text.starts_with('+')) text.remove_prefix(1);
  if (text.empty() || !std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  uint64_t value;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Sr25519Keypair Sr25519KeypairFromSeed(const Sr25519MiniSecret& mini_secret) {
  EnsureSodium();
  std::array<uint8_t, 64> hash;
  crypto_hash_sha512(hash.data(), mini_secret.data(), mini_secret.size());
  Scalar key;
  std::copy_n(hash.begin(), 32, key.begin());
  key[0] &= 248;
  key[31] &= 63;
  key[31] |= 64;
  DivideByCofactor(key);  // now in [2^251, 2^252): below the group order, no reduction needed

  Sr25519Keypair keypair;
  std::copy(key.begin(), key.end(), keypair.secret_key.begin());
  std::copy(hash.begin() + 32, hash.end(), keypair.secret_key.begin() + 32);
  keypair.public_key = PublicKeyOf(key);
  sodium_memzero(hash.data(), hash.size());
  sodium_memzero(key.data(), key.size());
  return keypair;
}

Expected<Sr25519Keypair, std::string> Sr25519KeypairFromSecretKey(const Sr25519SecretKey& secret) {
  EnsureSodium();
  Scalar key = SecretScalar(secret);
  if (!IsCanonical(key)) {
    sodium_memzero(key.data(), key.size());
    return unexpected(std::string(
        "sr25519 secret key: the scalar (first 32 bytes) is not below the group order; "
        "is it polkadot-js's form (scalar times 8)? Give schnorrkel's SecretKey::to_bytes"));
  }
  Sr25519Keypair keypair{PublicKeyOf(key), secret};
  sodium_memzero(key.data(), key.size());
  return keypair;
}

Sr25519Signature Sr25519Sign(const Sr25519Keypair& keypair, ByteView message, ByteView context) {
  EnsureSodium();
  merlin::Transcript t = SignatureTranscript(context, message, keypair.public_key);
  Scalar r = WitnessScalar(t, keypair.secret_key);
  Point big_r = BaseMul(r);
  t.AppendMessage("sign:R", big_r);
  Scalar k = ChallengeScalar(t, "sign:c");

  // s = k·key + r
  Scalar key = SecretScalar(keypair.secret_key);
  Scalar s;
  crypto_core_ristretto255_scalar_mul(s.data(), k.data(), key.data());
  crypto_core_ristretto255_scalar_add(s.data(), s.data(), r.data());
  sodium_memzero(key.data(), key.size());
  sodium_memzero(r.data(), r.size());

  Sr25519Signature signature;
  std::copy(big_r.begin(), big_r.end(), signature.begin());
  std::copy(s.begin(), s.end(), signature.begin() + 32);
  signature[63] |= 0x80;  // schnorrkel's marker, telling its signatures from Ed25519's
  return signature;
}

bool Sr25519Verify(const Sr25519Signature& signature, ByteView message,
                   const Sr25519PublicKey& public_key, ByteView context) {
  EnsureSodium();
  if ((signature[63] & 0x80) == 0) return false;
  Scalar s;
  std::copy(signature.begin() + 32, signature.end(), s.begin());
  s[31] &= 0x7f;
  if (!IsCanonical(s)) return false;
  if (crypto_core_ristretto255_is_valid_point(public_key.data()) != 1) return false;
  // merlin frames lengths in 32 bits; no signer can have signed a longer message.
  if (message.size() > UINT32_MAX || context.size() > UINT32_MAX) return false;

  Point big_r;
  std::copy_n(signature.begin(), 32, big_r.begin());
  merlin::Transcript t = SignatureTranscript(context, message, public_key);
  t.AppendMessage("sign:R", big_r);
  Scalar minus_k = ChallengeScalar(t, "sign:c");
  crypto_core_ristretto255_scalar_negate(minus_k.data(), minus_k.data());

  // R must equal s·B − k·A. The sum is encoded canonically, so comparing encodings also refuses
  // an R given in any other (non-canonical or invalid) encoding, as schnorrkel's comparison does.
  Point expected;
  crypto_core_ristretto255_add(expected.data(), BaseMul(s).data(), Mul(minus_k, public_key).data());
  return expected == big_r;
}

Sr25519ChainCode Sr25519ChainCodeFromJunction(std::string_view junction) {
  codec::ScaleWriter w;
  if (auto number = ParseU64(junction)) {
    w.U64(*number);
  } else {
    w.Compact(junction.size());
    for (char c : junction) w.U8(static_cast<uint8_t>(c));
  }
  const Bytes& encoded = w.bytes();
  if (encoded.size() > 32) return Blake2b256(encoded);
  Sr25519ChainCode chain_code{};
  std::copy(encoded.begin(), encoded.end(), chain_code.begin());
  return chain_code;
}

Sr25519MiniSecret Sr25519HardDerive(const Sr25519SecretKey& secret,
                                    const Sr25519ChainCode& chain_code) {
  merlin::Transcript t("SchnorrRistrettoHDKD");
  t.AppendMessage("sign-bytes", {});
  t.AppendMessage("chain-code", chain_code);
  t.AppendMessage("secret-key", ByteView(secret).first(32));
  Sr25519MiniSecret mini_secret;
  t.ChallengeBytes("HDKD-hard", mini_secret);
  return mini_secret;
}

}  // namespace phat::crypto
