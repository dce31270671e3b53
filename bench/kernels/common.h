// Shared by every benchmark kernel. A kernel is freestanding C: it is compiled both to wasm32
// (clang-19, no libc, only `run` exported) and to a native executable (gcc -O2, linked with
// native_main.c), and must compute the same checksum on both.
#pragma once

#include <stdint.h>

// The one entry point of every kernel: does the whole workload and returns a checksum that
// depends on all of it, so no compiler can drop work and every engine can be cross-checked.
uint32_t run(void);

// The workload size is read from memory at run time: a compiler cannot then fold the kernel (or
// part of it) into a constant, which it could if every bound were a literal.
#define BENCH_PARAM(name, value) static volatile uint32_t name = (value)

// A small deterministic generator shared by kernels that need "random" data.
static inline uint32_t XorShift32(uint32_t* state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

// Folds a value into a running checksum; order-sensitive so swapped results are caught.
static inline uint32_t Mix(uint32_t acc, uint32_t v) {
  acc ^= v + 0x9e3779b9u + (acc << 6) + (acc >> 2);
  return acc;
}
