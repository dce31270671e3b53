// Merlin transcripts (merlin.cool) on STROBE-128 (strobe.sourceforge.io) over Keccak-f[1600]:
// the Fiat-Shamir hashing that schnorrkel, and so sr25519, signs and derives keys with. Private to
// src/crypto.
//
// Written here because no Debian package offers merlin or STROBE, and Crypto++ keeps its
// Keccak-f[1600] permutation out of its public headers. Only what merlin needs is here: STROBE's
// meta-AD, AD, PRF and KEY operations at the 128-bit security level, and merlin's transcript and
// transcript RNG, byte for byte as the merlin crate (1.x and 2.x, which agree) computes them.
//
// Thread safety: each object is a value for one thread at a time; copies are independent.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "phat/base/bytes.h"

namespace phat::crypto::merlin {

// The Keccak-f[1600] permutation (FIPS 202 §3.3), on 25 lanes stored little-endian.
void KeccakF1600(std::array<uint8_t, 200>& state);

// A STROBE-128 duplex with only the operations merlin uses. `more` continues the previous
// operation (which must be of the same kind) with more data, as if both calls had been one.
class Strobe128 {
 public:
  explicit Strobe128(ByteView protocol_label);
  Strobe128(const Strobe128&) = default;
  Strobe128& operator=(const Strobe128&) = default;
  ~Strobe128();  // wipes the state: after a KEY it holds secrets

  void MetaAd(ByteView data, bool more);
  void Ad(ByteView data, bool more);
  void Prf(std::span<uint8_t> out, bool more);
  void Key(ByteView data, bool more);

 private:
  void BeginOp(uint8_t flags, bool more);
  void Absorb(ByteView data);
  void Overwrite(ByteView data);
  void Squeeze(std::span<uint8_t> out);
  void RunF();

  std::array<uint8_t, 200> state_{};
  uint8_t pos_ = 0;
  uint8_t pos_begin_ = 0;
};

// Pseudo-random bytes bound to a transcript, the prover's secrets and outside randomness.
class TranscriptRng {
 public:
  void FillBytes(std::span<uint8_t> out);

 private:
  friend class TranscriptRngBuilder;
  explicit TranscriptRng(const Strobe128& strobe) : strobe_(strobe) {}
  Strobe128 strobe_;
};

// A fork of a transcript, rekeyed with secret witness data and then with outside randomness.
class TranscriptRngBuilder {
 public:
  TranscriptRngBuilder& RekeyWithWitnessBytes(std::string_view label, ByteView witness);
  TranscriptRng Finalize(const std::array<uint8_t, 32>& randomness);

 private:
  friend class Transcript;
  explicit TranscriptRngBuilder(const Strobe128& strobe) : strobe_(strobe) {}
  Strobe128 strobe_;
};

// Labels are the protocol's constant names. Every message and output must be shorter than
// 4 GiB, as merlin frames lengths in 32 bits; a longer one aborts the process (merlin panics).
class Transcript {
 public:
  explicit Transcript(std::string_view label);

  void AppendMessage(std::string_view label, ByteView message);
  void ChallengeBytes(std::string_view label, std::span<uint8_t> out);
  TranscriptRngBuilder BuildRng() const { return TranscriptRngBuilder(strobe_); }

 private:
  Strobe128 strobe_;
};

}  // namespace phat::crypto::merlin
