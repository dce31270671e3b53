// Dense f64 matrix multiply (i-k-j order): f64 loads, multiply-adds and a store in the inner loop.
// Entries are small integers, so every product and sum is exact and the result is the same
// under any evaluation order, on every engine.
#include "common.h"

#define N 128
BENCH_PARAM(kRounds, 110);

static double a[N][N], b[N][N], c[N][N];

static void Multiply(void) {
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) c[i][j] = 0;
    for (int k = 0; k < N; ++k) {
      double aik = a[i][k];
      for (int j = 0; j < N; ++j) c[i][j] += aik * b[k][j];
    }
  }
}

uint32_t run(void) {
  uint32_t seed = 12345, acc = 0;
  for (uint32_t r = 0; r < kRounds; ++r) {
    for (int i = 0; i < N; ++i)
      for (int j = 0; j < N; ++j) {
        a[i][j] = (double)(XorShift32(&seed) % 17) - 8;
        b[i][j] = (double)(XorShift32(&seed) % 13) - 6;
      }
    Multiply();
    for (int i = 0; i < N; ++i) acc = Mix(acc, (uint32_t)(int32_t)c[i][(i * 7 + r) % N]);
  }
  return acc;
}
