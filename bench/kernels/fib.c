// Recursive Fibonacci: almost nothing but calls, returns and a compare-and-branch, so it measures
// the cost of a call frame.
#include "common.h"

BENCH_PARAM(kN, 37);

// noinline keeps the call tree intact on both compilers (gcc likes to unroll the recursion).
__attribute__((noinline)) static uint32_t Fib(uint32_t n) {
  return n < 2 ? n : Fib(n - 1) + Fib(n - 2);
}

uint32_t run(void) {
  return Fib(kN);
}
