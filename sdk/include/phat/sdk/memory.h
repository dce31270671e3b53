// Memory for a contract: a bump allocator, the 16 KiB buffer that host calls read into and write
// from, and — in the wasm32 build only — the few C runtime functions clang may call on its own
// (memcpy, memset, memmove, memcmp and the 128-bit integer helpers of compiler-rt), since a
// contract links no libc and no compiler-rt.
//
// Every call of a contract runs in a fresh instance (ABI.md §1), so memory is never freed: the
// allocator only moves forward, and grows the memory when it runs out. Single-threaded, like the
// instance it lives in.
#pragma once

#include "phat/sdk/base.h"

#ifndef __wasm__
#include <cstdlib>
#include <new>
#else
// Placement new, which <new> would declare in a hosted build.
inline void* operator new(size_t, void* place) noexcept {
  return place;
}
#endif

namespace phat::sdk {

// ink! passes its static buffer's size as the capacity for input and storage reads (ABI.md §3);
// values larger than this fail inside the contract, as they do in ink!.
inline constexpr u32 kStaticBufferSize = 16384;

#ifdef __wasm__
extern "C" unsigned char __heap_base;  // defined by wasm-ld after the stack and data

// A fresh block, or nullptr when the memory cannot grow to hold it (the module's maximum, 16
// pages for the SDK's contracts, is reached): for a caller that can say why before it gives up.
inline void* TryAllocate(size_t size, size_t align = 16) {
  static uintptr_t next = 0;
  if (next == 0) next = reinterpret_cast<uintptr_t>(&__heap_base);
  uintptr_t start = (next + align - 1) & ~(uintptr_t{align} - 1);
  uintptr_t end = start + size;
  if (end < start) return nullptr;
  uintptr_t limit = __builtin_wasm_memory_size(0) * 65536;
  if (end > limit) {
    uintptr_t pages = (end - limit + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == static_cast<size_t>(-1)) return nullptr;
  }
  next = end;
  return reinterpret_cast<void*>(start);
}
#else
inline void* TryAllocate(size_t size, size_t align = 16) {
  // never freed, as in the contract: the metadata program and tests are short-lived
  return std::aligned_alloc(align, (size + align - 1) / align * align);
}
#endif

// A fresh block; running out of memory is a trap.
inline void* Allocate(size_t size, size_t align = 16) {
  void* p = TryAllocate(size, align);
  if (p == nullptr) Trap();
  return p;
}

// The buffer for input, storage values, return data and event data. One per instance; users of
// it finish with it before the next one starts (see env.h).
inline u8* StaticBuffer() {
  static u8* buffer = nullptr;
  if (buffer == nullptr) buffer = static_cast<u8*>(Allocate(kStaticBufferSize));
  return buffer;
}

}  // namespace phat::sdk

#ifdef __wasm__
// Not inline: clang calls these from code it generates, which does not make an inline definition
// appear. Weak, so that a second definition (a C file of the contract's own) wins without a fuss.
// no_builtin keeps clang from compiling these loops back into calls to themselves.
extern "C" {
__attribute__((weak, no_builtin("memcpy"))) void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
  return dst;
}
__attribute__((weak, no_builtin("memmove"))) void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (d < s) {
    for (size_t i = 0; i < n; ++i) d[i] = s[i];
  } else {
    for (size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
  }
  return dst;
}
__attribute__((weak, no_builtin("memset"))) void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  for (size_t i = 0; i < n; ++i) d[i] = static_cast<unsigned char>(c);
  return dst;
}
__attribute__((weak, no_builtin("memcmp"))) int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

// 128-bit helpers: wasm32 has no 128-bit instructions, so clang lowers u128 multiplication,
// division and variable shifts (Balance arithmetic) to these compiler-rt functions.
using phat_u128 = unsigned __int128;
using phat_i128 = __int128;

__attribute__((weak)) phat_u128 __lshrti3(phat_u128 a, int b) {
  uint64_t lo = static_cast<uint64_t>(a), hi = static_cast<uint64_t>(a >> 64);
  if (b == 0) return a;
  if (b >= 64) return hi >> (b - 64);
  return static_cast<phat_u128>(hi >> b) << 64 | ((lo >> b) | (hi << (64 - b)));
}
__attribute__((weak)) phat_u128 __ashlti3(phat_u128 a, int b) {
  uint64_t lo = static_cast<uint64_t>(a), hi = static_cast<uint64_t>(a >> 64);
  if (b == 0) return a;
  if (b >= 64) return static_cast<phat_u128>(lo << (b - 64)) << 64;
  return static_cast<phat_u128>((hi << b) | (lo >> (64 - b))) << 64 | (lo << b);
}
__attribute__((weak)) phat_i128 __ashrti3(phat_i128 a, int b) {
  int64_t hi = static_cast<int64_t>(a >> 64);
  uint64_t lo = static_cast<uint64_t>(a);
  if (b == 0) return a;
  if (b >= 64) {
    return static_cast<phat_i128>(static_cast<phat_u128>(static_cast<uint64_t>(hi >> 63)) << 64 |
                                  static_cast<uint64_t>(hi >> (b - 64)));
  }
  return static_cast<phat_i128>(static_cast<phat_u128>(static_cast<uint64_t>(hi >> b)) << 64 |
                                ((lo >> b) | (static_cast<uint64_t>(hi) << (64 - b))));
}
// 64×64 → 128 from 32-bit halves, so that it does not call __multi3 itself.
static phat_u128 phat_mul64(uint64_t a, uint64_t b) {
  uint64_t a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  uint64_t lo = (mid << 32) | (p00 & 0xffffffff);
  uint64_t hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return static_cast<phat_u128>(hi) << 64 | lo;
}
__attribute__((weak)) phat_i128 __multi3(phat_i128 a, phat_i128 b) {
  auto ua = static_cast<phat_u128>(a), ub = static_cast<phat_u128>(b);
  uint64_t alo = static_cast<uint64_t>(ua), ahi = static_cast<uint64_t>(ua >> 64);
  uint64_t blo = static_cast<uint64_t>(ub), bhi = static_cast<uint64_t>(ub >> 64);
  phat_u128 r = phat_mul64(alo, blo);
  uint64_t hi = static_cast<uint64_t>(r >> 64) + alo * bhi + ahi * blo;
  return static_cast<phat_i128>(static_cast<phat_u128>(hi) << 64 | static_cast<uint64_t>(r));
}
// Shift-and-subtract division: slow, but small, and rare in contracts.
static phat_u128 phat_udivmod(phat_u128 n, phat_u128 d, phat_u128* rem) {
  if (d == 0) __builtin_trap();
  phat_u128 q = 0, r = 0;
  for (int i = 127; i >= 0; --i) {
    r = __ashlti3(r, 1) | (__lshrti3(n, i) & 1);
    if (r >= d) {
      r -= d;
      q |= __ashlti3(1, i);
    }
  }
  if (rem != nullptr) *rem = r;
  return q;
}
__attribute__((weak)) phat_u128 __udivti3(phat_u128 a, phat_u128 b) {
  return phat_udivmod(a, b, nullptr);
}
__attribute__((weak)) phat_u128 __umodti3(phat_u128 a, phat_u128 b) {
  phat_u128 r;
  phat_udivmod(a, b, &r);
  return r;
}
__attribute__((weak)) phat_i128 __divti3(phat_i128 a, phat_i128 b) {
  bool negative = (a < 0) != (b < 0);
  phat_u128 q = phat_udivmod(a < 0 ? -static_cast<phat_u128>(a) : a,
                             b < 0 ? -static_cast<phat_u128>(b) : b, nullptr);
  return negative ? -static_cast<phat_i128>(q) : static_cast<phat_i128>(q);
}
__attribute__((weak)) phat_i128 __modti3(phat_i128 a, phat_i128 b) {
  phat_u128 r;
  phat_udivmod(a < 0 ? -static_cast<phat_u128>(a) : a, b < 0 ? -static_cast<phat_u128>(b) : b, &r);
  return a < 0 ? -static_cast<phat_i128>(r) : static_cast<phat_i128>(r);
}
}  // extern "C"
#endif
