// Open-addressing hash map (linear probing, multiplicative hash) with u32 keys: inserts and then
// lookups, half of which miss. Random access over a table larger than L1, data-dependent branches.
#include "common.h"

#define kLogSlots 17
#define kSlots (1u << kLogSlots)
BENCH_PARAM(kInserts, 78000);  // a load factor near 0.6
BENCH_PARAM(kRounds, 32);

typedef struct {
  uint32_t key;  // 0 marks an empty slot, so keys are never 0
  uint32_t value;
} Slot;

static Slot table[kSlots];

static uint32_t SlotOf(uint32_t key) {
  return (key * 0x9e3779b1u) >> (32 - kLogSlots);
}

// Adds `value` to the key's entry, creating it if absent.
static void Insert(uint32_t key, uint32_t value) {
  uint32_t i = SlotOf(key);
  while (table[i].key != 0 && table[i].key != key) i = (i + 1) & (kSlots - 1);
  table[i].key = key;
  table[i].value += value;
}

// Finds `key`: stores its value in *value and returns 1, or returns 0 if it is absent.
static int Lookup(uint32_t key, uint32_t* value) {
  for (uint32_t i = SlotOf(key);; i = (i + 1) & (kSlots - 1)) {
    if (table[i].key == key) {
      *value = table[i].value;
      return 1;
    }
    if (table[i].key == 0) return 0;
  }
}

static uint32_t Round(uint32_t seed) {
  for (uint32_t i = 0; i < kSlots; ++i) table[i].key = table[i].value = 0;
  uint32_t inserts = kInserts, state = seed;
  // Keys are drawn from a range of ~4x the insert count so some repeat (updates, not inserts).
  for (uint32_t i = 0; i < inserts; ++i) Insert(XorShift32(&state) % (inserts * 4) + 1, i);
  uint32_t hits = 0, sum = 0, again = seed, other = seed ^ 0x5bd1e995u;
  for (uint32_t i = 0; i < inserts; ++i) {
    uint32_t v;
    if (Lookup(XorShift32(&again) % (inserts * 4) + 1, &v)) ++hits, sum += v;
    if (Lookup(XorShift32(&other) % (inserts * 4) + 1, &v)) ++hits, sum += v;
  }
  return Mix(hits, sum);
}

uint32_t run(void) {
  uint32_t acc = 0;
  for (uint32_t r = 0; r < kRounds; ++r) acc = Mix(acc, Round(0x1234567u + r * 0x10001u));
  return acc;
}
