// Copy loop: moves blocks of varying size and misalignment between two buffers with memcpy, as
// programs moving strings and structs do, and samples what arrived. Native calls glibc's memcpy;
// the wasm build (WebAssembly 2.0, bulk memory) uses memory.copy, so this measures how an engine
// does bulk copies plus the small loop around them.
#include "common.h"

#define kBufferBytes (64u * 1024)
BENCH_PARAM(kCopies, 2700000);

static uint8_t src[kBufferBytes + 4096], dst[kBufferBytes + 4096];

void* memcpy(void* restrict dst, const void* restrict src, __SIZE_TYPE__ n);

uint32_t run(void) {
  uint32_t seed = 99;
  for (uint32_t i = 0; i < sizeof src; ++i) src[i] = (uint8_t)XorShift32(&seed);
  uint32_t acc = 0, copies = kCopies;
  for (uint32_t i = 0; i < copies; ++i) {
    uint32_t r = XorShift32(&seed);
    uint32_t len = 64 + (r & 2047);  // 64 .. 2111 bytes
    uint32_t from = (r >> 11) & (kBufferBytes - 1);
    uint32_t to = (r >> 3) & (kBufferBytes - 1);
    memcpy(dst + to, src + from, len);
    acc = Mix(acc, dst[to + (r % len)]);
    src[from] ^= (uint8_t)i;  // the source drifts, so copies differ across iterations
  }
  return acc;
}
