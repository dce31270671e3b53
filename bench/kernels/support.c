// memcpy and memset for the wasm32 builds, which have no libc. clang emits calls to these for
// struct copies and for loops it recognises as copies or fills; the native builds use glibc's.
// no_builtin stops clang from turning these very loops back into calls to themselves.
#include <stddef.h>
#include <stdint.h>

// Wasm allows unaligned access, so words are moved whatever the alignment of the pointers.
typedef uint64_t __attribute__((aligned(1), may_alias)) UnalignedU64;

__attribute__((no_builtin("memcpy"))) void* memcpy(void* restrict dst, const void* restrict src,
                                                   size_t n) {
  unsigned char* d = dst;
  const unsigned char* s = src;
  for (; n >= 32; n -= 32, d += 32, s += 32) {
    UnalignedU64 a = ((const UnalignedU64*)s)[0];
    UnalignedU64 b = ((const UnalignedU64*)s)[1];
    UnalignedU64 c = ((const UnalignedU64*)s)[2];
    UnalignedU64 e = ((const UnalignedU64*)s)[3];
    ((UnalignedU64*)d)[0] = a;
    ((UnalignedU64*)d)[1] = b;
    ((UnalignedU64*)d)[2] = c;
    ((UnalignedU64*)d)[3] = e;
  }
  for (; n >= 8; n -= 8, d += 8, s += 8) *(UnalignedU64*)d = *(const UnalignedU64*)s;
  while (n--) *d++ = *s++;
  return dst;
}

__attribute__((no_builtin("memset"))) void* memset(void* dst, int c, size_t n) {
  unsigned char* d = dst;
  uint64_t word = 0x0101010101010101ull * (unsigned char)c;
  for (; n >= 8; n -= 8, d += 8) *(UnalignedU64*)d = word;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}
