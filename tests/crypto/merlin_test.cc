// The private merlin module: Keccak-f[1600] against a known state and against Crypto++'s
// Keccak-256, merlin transcripts against the merlin crate's published test vectors, and the
// transcript RNG's dependence on what it is keyed with.
#include "crypto/merlin.h"

#include <gtest/gtest.h>

#include "phat/crypto/hash.h"

namespace phat::crypto::merlin {
namespace {

// Keccak-256 (original padding) as a sponge over KeccakF1600, to compare with Crypto++'s.
Hash256 SpongeKeccak256(ByteView data) {
  constexpr size_t kRate = 136;
  std::array<uint8_t, 200> state{};
  size_t pos = 0;
  for (uint8_t byte : data) {
    state[pos++] ^= byte;
    if (pos == kRate) {
      KeccakF1600(state);
      pos = 0;
    }
  }
  state[pos] ^= 0x01;
  state[kRate - 1] ^= 0x80;
  KeccakF1600(state);
  Hash256 out;
  std::copy_n(state.begin(), out.size(), out.begin());
  return out;
}

TEST(MerlinKeccak, PermutationOfZeroState) {
  // The first lane of Keccak-f[1600] applied to the all-zero state (the Keccak team's
  // KeccakF-1600 intermediate values), stored little-endian.
  std::array<uint8_t, 200> state{};
  KeccakF1600(state);
  EXPECT_EQ(ToHex(ByteView(state).first(8)), "e7dde140798f25f1");
}

TEST(MerlinKeccak, SpongeMatchesCryptoPP) {
  for (size_t size : {0, 1, 135, 136, 137, 300}) {
    Bytes data(size);
    for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(i * 7 + 1);
    EXPECT_EQ(SpongeKeccak256(data), Keccak256(data)) << size;
  }
}

// merlin's transcript::tests::equivalence_simple, whose output the crate's docs publish.
TEST(MerlinTranscript, SimpleVector) {
  Transcript t("test protocol");
  t.AppendMessage("some label", AsBytes("some data"));
  std::array<uint8_t, 32> challenge;
  t.ChallengeBytes("challenge", challenge);
  EXPECT_EQ(ToHex(challenge), "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615");
}

// merlin's equivalence_complex: messages longer than STROBE's block, many rounds.
TEST(MerlinTranscript, ComplexVector) {
  Transcript t("test protocol");
  t.AppendMessage("step1", AsBytes("some data"));
  Bytes data(1024, 99);
  std::array<uint8_t, 32> challenge;
  for (int i = 0; i < 32; ++i) {
    t.ChallengeBytes("challenge", challenge);
    t.AppendMessage("bigdata", data);
    t.AppendMessage("challengedata", challenge);
  }
  EXPECT_EQ(ToHex(challenge), "a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c");
}

TEST(MerlinTranscript, RngDependsOnWitnessAndRandomness) {
  Transcript t("rng test");
  t.AppendMessage("public", AsBytes("data"));
  auto draw = [&](std::string_view witness, uint8_t random_byte) {
    std::array<uint8_t, 32> randomness;
    randomness.fill(random_byte);
    TranscriptRng rng =
        t.BuildRng().RekeyWithWitnessBytes("w", AsBytes(witness)).Finalize(randomness);
    std::array<uint8_t, 64> out;
    rng.FillBytes(out);
    return out;
  };
  EXPECT_EQ(draw("secret", 1), draw("secret", 1));
  EXPECT_NE(draw("secret", 1), draw("secret", 2));
  EXPECT_NE(draw("secret", 1), draw("secreT", 1));

  // Building an RNG forks the transcript: it leaves the transcript's own challenges alone.
  Transcript fresh("rng test");
  fresh.AppendMessage("public", AsBytes("data"));
  std::array<uint8_t, 32> a, b;
  t.ChallengeBytes("c", a);
  fresh.ChallengeBytes("c", b);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace phat::crypto::merlin
