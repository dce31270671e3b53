// The two hashes ink!'s ABI fixes at build time, as constexpr functions: BLAKE2b-256 (message
// and constructor selectors, event signature topics; ABI.md §3, §5) and xxHash32 with seed 0
// (storage root keys of Lazy and Mapping fields; ABI.md §4).
//
// Why our own: these values must be computed by the compiler, inside a freestanding wasm32 build
// where no library can run at compile time. The same functions run natively too (the metadata
// program hashes the built .wasm with Blake2b256). At run time a contract hashes through the
// host instead (seal0.hash_blake2_256, see env.h), which is cheaper than hashing in Wasm.
// Pure functions; no state.
#pragma once

#include "phat/sdk/base.h"

namespace phat::sdk {

// ---- BLAKE2b (RFC 7693), unkeyed, 32-byte digest ----
namespace blake2b_internal {

inline constexpr u64 kIv[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                               0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                               0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

inline constexpr u8 kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

constexpr u64 RotR(u64 x, int n) {
  return (x >> n) | (x << (64 - n));
}

constexpr void Mix(u64* v, int a, int b, int c, int d, u64 x, u64 y) {
  v[a] = v[a] + v[b] + x;
  v[d] = RotR(v[d] ^ v[a], 32);
  v[c] = v[c] + v[d];
  v[b] = RotR(v[b] ^ v[c], 24);
  v[a] = v[a] + v[b] + y;
  v[d] = RotR(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = RotR(v[b] ^ v[c], 63);
}

constexpr void Compress(u64* h, const u8* block, u64 counter, bool last) {
  u64 m[16]{};
  for (int i = 0; i < 16; ++i) {
    for (int j = 7; j >= 0; --j) m[i] = (m[i] << 8) | block[i * 8 + j];
  }
  u64 v[16]{};
  for (int i = 0; i < 8; ++i) {
    v[i] = h[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= counter;  // the high word of the 128-bit counter stays 0: inputs are < 2^64 bytes
  if (last) v[14] = ~v[14];
  for (int round = 0; round < 12; ++round) {
    const u8* s = kSigma[round % 10];
    Mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    Mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    Mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    Mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    Mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    Mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    Mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    Mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
}

}  // namespace blake2b_internal

// BLAKE2b with a 32-byte digest of `len` bytes (char or u8).
template <class Byte>
constexpr Array<u8, 32> Blake2b256(const Byte* data, size_t len) {
  using namespace blake2b_internal;
  u64 h[8]{};
  for (int i = 0; i < 8; ++i) h[i] = kIv[i];
  h[0] ^= 0x01010000 ^ 32;  // parameter block: depth 1, fanout 1, no key, 32-byte digest
  u8 block[128]{};
  u64 done = 0;
  while (len - done > 128) {
    for (int i = 0; i < 128; ++i) block[i] = static_cast<u8>(data[done + i]);
    done += 128;
    Compress(h, block, done, false);
  }
  size_t rest = len - done;
  for (size_t i = 0; i < 128; ++i) block[i] = i < rest ? static_cast<u8>(data[done + i]) : 0;
  Compress(h, block, len, true);
  Array<u8, 32> out{};
  for (int i = 0; i < 32; ++i) out[i] = static_cast<u8>(h[i / 8] >> (8 * (i % 8)));
  return out;
}
constexpr Array<u8, 32> Blake2b256(const char* text) {
  return Blake2b256(text, StrLen(text));
}

// ---- xxHash32 ----
namespace xxh32_internal {
inline constexpr u32 kP1 = 2654435761u, kP2 = 2246822519u, kP3 = 3266489917u, kP4 = 668265263u,
                     kP5 = 374761393u;
constexpr u32 RotL(u32 x, int n) {
  return (x << n) | (x >> (32 - n));
}
template <class Byte>
constexpr u32 Read32(const Byte* p) {
  return static_cast<u32>(static_cast<u8>(p[0])) | static_cast<u32>(static_cast<u8>(p[1])) << 8 |
         static_cast<u32>(static_cast<u8>(p[2])) << 16 |
         static_cast<u32>(static_cast<u8>(p[3])) << 24;
}
constexpr u32 Round(u32 acc, u32 lane) {
  return RotL(acc + lane * kP2, 13) * kP1;
}
}  // namespace xxh32_internal

template <class Byte>
constexpr u32 Xxh32(const Byte* data, size_t len, u32 seed = 0) {
  using namespace xxh32_internal;
  size_t i = 0;
  u32 h = 0;
  if (len >= 16) {
    u32 v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    for (; i + 16 <= len; i += 16) {
      v1 = Round(v1, Read32(data + i));
      v2 = Round(v2, Read32(data + i + 4));
      v3 = Round(v3, Read32(data + i + 8));
      v4 = Round(v4, Read32(data + i + 12));
    }
    h = RotL(v1, 1) + RotL(v2, 7) + RotL(v3, 12) + RotL(v4, 18);
  } else {
    h = seed + kP5;
  }
  h += static_cast<u32>(len);
  for (; i + 4 <= len; i += 4) h = RotL(h + Read32(data + i) * kP3, 17) * kP4;
  for (; i < len; ++i) h = RotL(h + static_cast<u8>(data[i]) * kP5, 11) * kP1;
  h ^= h >> 15;
  h *= kP2;
  h ^= h >> 13;
  h *= kP3;
  h ^= h >> 16;
  return h;
}
constexpr u32 Xxh32(const char* text) {
  return Xxh32(text, StrLen(text));
}

// ---- Selector: the 4 bytes that pick a message or constructor (ABI.md §3) ----
struct Selector {
  u8 bytes[4]{};

  // blake2b-256(label)[0..4], e.g. "flip" → 633aa551.
  static constexpr Selector FromLabel(const char* label) {
    Array<u8, 32> digest = Blake2b256(label);
    return Selector{{digest[0], digest[1], digest[2], digest[3]}};
  }
  // An explicit selector as written in ink! (`#[ink(selector = 0xCAFEBABE)]`): big-endian.
  static constexpr Selector FromU32(u32 value) {
    return Selector{{static_cast<u8>(value >> 24), static_cast<u8>(value >> 16),
                     static_cast<u8>(value >> 8), static_cast<u8>(value)}};
  }
  constexpr u32 ToU32() const {
    return static_cast<u32>(bytes[0]) << 24 | static_cast<u32>(bytes[1]) << 16 |
           static_cast<u32>(bytes[2]) << 8 | bytes[3];
  }
  friend constexpr bool operator==(const Selector& a, const Selector& b) {
    return a.ToU32() == b.ToU32();
  }
};

// A selector known at compile time: `SelectorOf("flip")` in a call to another contract.
consteval Selector SelectorOf(const char* label) {
  return Selector::FromLabel(label);
}

}  // namespace phat::sdk
