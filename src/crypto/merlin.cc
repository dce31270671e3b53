#include "merlin.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>

namespace phat::crypto::merlin {
namespace {

// ι's round constants (FIPS 202 §3.2.5), one per round.
constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001, 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
    0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
    0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
};

// ρ's rotation of lane (x, y), at index x + 5y (FIPS 202 §3.2.2, Table 2).
constexpr int kRotations[25] = {
    0,  1,  62, 28, 27,  //
    36, 44, 6,  55, 20,  //
    3,  10, 43, 25, 39,  //
    41, 45, 15, 21, 8,   //
    18, 2,  61, 56, 14,
};

void Permute(uint64_t (&a)[25]) {
  for (uint64_t round_constant : kRoundConstants) {
    // θ: each lane takes the parity of two neighbouring columns.
    uint64_t parity[5];
    for (int x = 0; x < 5; ++x) parity[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      uint64_t d = parity[(x + 4) % 5] ^ std::rotl(parity[(x + 1) % 5], 1);
      for (int y = 0; y < 5; ++y) a[x + 5 * y] ^= d;
    }
    // ρ then π: lane (x, y) is rotated and moves to (y, 2x + 3y).
    uint64_t b[25];
    for (int x = 0; x < 5; ++x)
      for (int y = 0; y < 5; ++y)
        b[y + 5 * ((2 * x + 3 * y) % 5)] = std::rotl(a[x + 5 * y], kRotations[x + 5 * y]);
    // χ: the only non-linear step, along each row.
    for (int y = 0; y < 5; ++y)
      for (int x = 0; x < 5; ++x)
        a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
    // ι
    a[0] ^= round_constant;
  }
}

// STROBE-128: a rate of 200 - 2·(128/8) - 2 bytes, the last two of them kept for padding.
constexpr uint8_t kRate = 166;

// STROBE's operation flags; merlin never sends or receives, so T (transport) is unused.
constexpr uint8_t kFlagI = 1;       // inbound: PRF output flows to the caller
constexpr uint8_t kFlagA = 1 << 1;  // application data
constexpr uint8_t kFlagC = 1 << 2;  // cipher: the state is keyed or squeezed
constexpr uint8_t kFlagM = 1 << 4;  // metadata (framing)
constexpr uint8_t kFlagK = 1 << 5;  // ratchet-style key tree; unused but part of the force-F rule

// merlin frames every length as a little-endian u32; a longer input is a caller bug (merlin
// panics), and truncating it would silently hash something else.
std::array<uint8_t, 4> Le32(size_t n) {
  if (n > UINT32_MAX) {
    std::fputs("phat: merlin transcript input of 4 GiB or more\n", stderr);
    std::abort();
  }
  return {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n >> 16),
          static_cast<uint8_t>(n >> 24)};
}

}  // namespace

void KeccakF1600(std::array<uint8_t, 200>& state) {
  uint64_t lanes[25];
  for (int i = 0; i < 25; ++i) {
    lanes[i] = 0;
    for (int j = 0; j < 8; ++j) lanes[i] |= uint64_t{state[8 * i + j]} << (8 * j);
  }
  Permute(lanes);
  for (int i = 0; i < 25; ++i)
    for (int j = 0; j < 8; ++j) state[8 * i + j] = static_cast<uint8_t>(lanes[i] >> (8 * j));
  sodium_memzero(lanes, sizeof lanes);
}

Strobe128::Strobe128(ByteView protocol_label) {
  // STROBE's initial block: its cSHAKE-style domain header, then the version string.
  static constexpr uint8_t kHeader[6] = {1, kRate + 2, 1, 0, 1, 96};
  static constexpr std::string_view kVersion = "STROBEv1.0.2";
  std::copy(std::begin(kHeader), std::end(kHeader), state_.begin());
  std::copy(kVersion.begin(), kVersion.end(), state_.begin() + sizeof kHeader);
  KeccakF1600(state_);
  MetaAd(protocol_label, false);
}

Strobe128::~Strobe128() {
  sodium_memzero(state_.data(), state_.size());
}

void Strobe128::MetaAd(ByteView data, bool more) {
  BeginOp(kFlagM | kFlagA, more);
  Absorb(data);
}

void Strobe128::Ad(ByteView data, bool more) {
  BeginOp(kFlagA, more);
  Absorb(data);
}

void Strobe128::Prf(std::span<uint8_t> out, bool more) {
  BeginOp(kFlagI | kFlagA | kFlagC, more);
  Squeeze(out);
}

void Strobe128::Key(ByteView data, bool more) {
  BeginOp(kFlagA | kFlagC, more);
  Overwrite(data);
}

void Strobe128::RunF() {
  state_[pos_] ^= pos_begin_;
  state_[pos_ + 1] ^= 0x04;
  state_[kRate + 1] ^= 0x80;
  KeccakF1600(state_);
  pos_ = 0;
  pos_begin_ = 0;
}

void Strobe128::Absorb(ByteView data) {
  for (uint8_t byte : data) {
    state_[pos_++] ^= byte;
    if (pos_ == kRate) RunF();
  }
}

void Strobe128::Overwrite(ByteView data) {
  for (uint8_t byte : data) {
    state_[pos_++] = byte;
    if (pos_ == kRate) RunF();
  }
}

void Strobe128::Squeeze(std::span<uint8_t> out) {
  for (uint8_t& byte : out) {
    byte = state_[pos_];
    state_[pos_++] = 0;
    if (pos_ == kRate) RunF();
  }
}

void Strobe128::BeginOp(uint8_t flags, bool more) {
  // A continuation keeps the operation open; here only a MetaAd continues a MetaAd.
  if (more) return;
  uint8_t old_begin = pos_begin_;
  pos_begin_ = pos_ + 1;
  const uint8_t frame[2] = {old_begin, flags};
  Absorb(frame);
  // Keyed and squeezed data must start a fresh block, so that it depends on all before it.
  if ((flags & (kFlagC | kFlagK)) != 0 && pos_ != 0) RunF();
}

void TranscriptRng::FillBytes(std::span<uint8_t> out) {
  strobe_.MetaAd(Le32(out.size()), false);
  strobe_.Prf(out, false);
}

TranscriptRngBuilder& TranscriptRngBuilder::RekeyWithWitnessBytes(std::string_view label,
                                                                  ByteView witness) {
  strobe_.MetaAd(AsBytes(label), false);
  strobe_.MetaAd(Le32(witness.size()), true);
  strobe_.Key(witness, false);
  return *this;
}

TranscriptRng TranscriptRngBuilder::Finalize(const std::array<uint8_t, 32>& randomness) {
  strobe_.MetaAd(AsBytes("rng"), false);
  strobe_.Key(randomness, false);
  return TranscriptRng(strobe_);
}

Transcript::Transcript(std::string_view label) : strobe_(AsBytes("Merlin v1.0")) {
  AppendMessage("dom-sep", AsBytes(label));
}

void Transcript::AppendMessage(std::string_view label, ByteView message) {
  strobe_.MetaAd(AsBytes(label), false);
  strobe_.MetaAd(Le32(message.size()), true);
  strobe_.Ad(message, false);
}

void Transcript::ChallengeBytes(std::string_view label, std::span<uint8_t> out) {
  strobe_.MetaAd(AsBytes(label), false);
  strobe_.MetaAd(Le32(out.size()), true);
  strobe_.Prf(out, false);
}

}  // namespace phat::crypto::merlin
