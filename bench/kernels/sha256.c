// SHA-256 (FIPS 180-4) over a buffer, chained: 32-bit rotates, shifts, adds and table loads.
// A known-answer test runs first; a wrong digest returns 0xBAD5A256 instead of a checksum.
#include "common.h"

BENCH_PARAM(kBufferBytes, 16384);
BENCH_PARAM(kRounds, 1400);

static const uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t Rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

static uint32_t LoadBE(const uint8_t* p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void Compress(uint32_t h[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i) w[i] = LoadBE(block + 4 * i);
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t t1 =
        k + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[i] + w[i];
    uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

// Digest of `len` bytes; writes the eight state words (not serialised to bytes: not needed here).
static void Sha256(const uint8_t* data, uint32_t len, uint32_t h[8]) {
  static const uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (int i = 0; i < 8; ++i) h[i] = kInit[i];
  uint32_t done = 0;
  for (; len - done >= 64; done += 64) Compress(h, data + done);
  uint8_t tail[128] = {0};
  uint32_t rest = len - done;
  for (uint32_t i = 0; i < rest; ++i) tail[i] = data[done + i];
  tail[rest] = 0x80;
  uint32_t tail_len = rest + 9 <= 64 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
  for (uint32_t i = 0; i < tail_len; i += 64) Compress(h, tail + i);
}

static int KnownAnswerOk(void) {
  // SHA-256("abc") from FIPS 180-4, appendix B.1.
  static const uint32_t kAbc[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                   0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
  static const uint8_t kMsg[3] = {'a', 'b', 'c'};
  uint32_t h[8];
  Sha256(kMsg, 3, h);
  for (int i = 0; i < 8; ++i)
    if (h[i] != kAbc[i]) return 0;
  return 1;
}

static uint8_t buffer[65536];

uint32_t run(void) {
  if (!KnownAnswerOk()) return 0xBAD5A256u;
  uint32_t len = kBufferBytes, seed = 7;
  for (uint32_t i = 0; i < len; ++i) buffer[i] = (uint8_t)XorShift32(&seed);
  uint32_t h[8] = {0};
  for (uint32_t r = 0; r < kRounds; ++r) {
    // Chaining: each digest overwrites the start of the buffer hashed next.
    for (int i = 0; i < 8; ++i) {
      buffer[4 * i] ^= (uint8_t)h[i];
      buffer[4 * i + 1] ^= (uint8_t)(h[i] >> 8);
    }
    Sha256(buffer, len - (r & 63), h);
  }
  uint32_t acc = 0;
  for (int i = 0; i < 8; ++i) acc = Mix(acc, h[i]);
  return acc;
}
