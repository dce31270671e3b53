// Sieve of Eratosthenes over a byte array, repeated: byte loads and stores with a stride, and a
// tight counting loop.
#include "common.h"

BENCH_PARAM(kLimit, 1u << 20);
BENCH_PARAM(kRounds, 35);

static uint8_t composite[1u << 20];

// Marks composites below `limit` and returns the primes found, folded into a checksum.
static uint32_t Sieve(uint32_t limit) {
  for (uint32_t i = 0; i < limit; ++i) composite[i] = 0;
  uint32_t count = 0, sum = 0;
  for (uint32_t i = 2; i < limit; ++i) {
    if (composite[i]) continue;
    ++count;
    sum += i;
    for (uint32_t j = i * 2; j < limit; j += i) composite[j] = 1;
  }
  return Mix(count, sum);
}

uint32_t run(void) {
  uint32_t acc = 0;
  // Each round sieves a slightly different bound so no round can be reused for the next.
  for (uint32_t r = 0; r < kRounds; ++r) acc = Mix(acc, Sieve(kLimit - r * 7));
  return acc;
}
