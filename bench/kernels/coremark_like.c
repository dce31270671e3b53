// A mixed program in the spirit of CoreMark (written for phat, not derived from CoreMark's code):
// each iteration walks, reverses and merge-sorts a linked list, runs integer matrix operations,
// scans a text of number tokens with a state machine, and folds every result into a CRC-16.
// Pointer chasing, recursion, switch dispatch and 16-bit arithmetic in one module.
#include "common.h"

BENCH_PARAM(kIterations, 3800);

// ---- CRC-16/CCITT (polynomial 0x1021), bit by bit: the checksum of every phase ----

static uint16_t CrcByte(uint16_t crc, uint8_t byte) {
  crc ^= (uint16_t)(byte << 8);
  for (int i = 0; i < 8; ++i)
    crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
  return crc;
}

static uint16_t CrcU16(uint16_t crc, uint16_t v) {
  return CrcByte(CrcByte(crc, (uint8_t)v), (uint8_t)(v >> 8));
}

static uint16_t CrcU32(uint16_t crc, uint32_t v) {
  return CrcU16(CrcU16(crc, (uint16_t)v), (uint16_t)(v >> 16));
}

// ---- Linked list ----

#define kListNodes 128

typedef struct Node {
  struct Node* next;
  int16_t key;    // unique: 0 .. kListNodes-1, shuffled
  int16_t value;  // random, with repeats
} Node;

static Node pool[kListNodes];

static Node* BuildList(uint32_t* seed) {
  for (int i = 0; i < kListNodes; ++i) {
    pool[i].key = (int16_t)i;
    pool[i].value = (int16_t)(XorShift32(seed) & 0x3fff);
  }
  // Fisher-Yates on the keys, so the list does not start sorted.
  for (int i = kListNodes - 1; i > 0; --i) {
    int j = (int)(XorShift32(seed) % (uint32_t)(i + 1));
    int16_t t = pool[i].key;
    pool[i].key = pool[j].key;
    pool[j].key = t;
  }
  for (int i = 0; i < kListNodes - 1; ++i) pool[i].next = &pool[i + 1];
  pool[kListNodes - 1].next = 0;
  return &pool[0];
}

// Position of the first node with `key`, or -1.
static int Find(const Node* head, int16_t key) {
  for (int pos = 0; head; head = head->next, ++pos)
    if (head->key == key) return pos;
  return -1;
}

static Node* Reverse(Node* head) {
  Node* done = 0;
  while (head) {
    Node* next = head->next;
    head->next = done;
    done = head;
    head = next;
  }
  return done;
}

static int Before(const Node* a, const Node* b, int by_key) {
  if (by_key) return a->key <= b->key;
  return a->value != b->value ? a->value < b->value : a->key <= b->key;
}

static Node* Merge(Node* a, Node* b, int by_key) {
  Node head;
  Node* tail = &head;
  while (a && b) {
    if (Before(a, b, by_key)) {
      tail->next = a;
      a = a->next;
    } else {
      tail->next = b;
      b = b->next;
    }
    tail = tail->next;
  }
  tail->next = a ? a : b;
  return head.next;
}

// Top-down merge sort: split at the middle found by a slow and a fast pointer.
static Node* Sort(Node* head, int by_key) {
  if (!head || !head->next) return head;
  Node *slow = head, *fast = head->next;
  while (fast && fast->next) {
    slow = slow->next;
    fast = fast->next->next;
  }
  Node* second = slow->next;
  slow->next = 0;
  return Merge(Sort(head, by_key), Sort(second, by_key), by_key);
}

static uint16_t ListPhase(Node** list, uint32_t iteration, uint16_t crc) {
  int found = 0;
  for (int i = 0; i < 8; ++i) {
    int pos = Find(*list, (int16_t)((iteration * 5 + i * 37) % (kListNodes + 16)));
    found += pos;
  }
  crc = CrcU16(crc, (uint16_t)found);
  *list = Reverse(*list);
  *list = Sort(*list, 0);
  for (const Node* n = *list; n; n = n->next) crc = CrcU16(crc, (uint16_t)n->value);
  // Perturb one value so the next iteration sorts a different list.
  (*list)->next->value = (int16_t)(((*list)->next->value + (int16_t)iteration) & 0x3fff);
  *list = Sort(*list, 1);
  return CrcU16(crc, (uint16_t)(*list)->value);
}

// ---- Matrices ----

#define kDim 24

static int16_t ma[kDim][kDim], mb[kDim][kDim];
static int32_t mc[kDim][kDim];

static void FillMatrices(uint32_t* seed) {
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) {
      ma[i][j] = (int16_t)(XorShift32(seed) % 512) - 256;
      mb[i][j] = (int16_t)(XorShift32(seed) % 256) - 128;
    }
}

static void AddConst(int16_t m[kDim][kDim], int16_t v) {
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) m[i][j] = (int16_t)(m[i][j] + v);
}

static void MulConst(int16_t v) {
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) mc[i][j] = (int32_t)ma[i][j] * v;
}

static void MulVec(void) {
  for (int i = 0; i < kDim; ++i) {
    int32_t sum = 0;
    for (int j = 0; j < kDim; ++j) sum += (int32_t)ma[i][j] * mb[j][0];
    mc[i][0] = sum;
  }
}

static void MulMat(void) {
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) {
      int32_t sum = 0;
      for (int k = 0; k < kDim; ++k) sum += (int32_t)ma[i][k] * mb[k][j];
      mc[i][j] = sum;
    }
}

// Like MulMat, but each product contributes only a bit field of itself.
static void MulMatBits(void) {
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) {
      int32_t sum = 0;
      for (int k = 0; k < kDim; ++k) {
        int32_t p = (int32_t)ma[i][k] * mb[k][j];
        sum += (p >> 3 & 0x3f) * (p >> 9 & 0x7);
      }
      mc[i][j] = sum;
    }
}

static uint16_t CrcMatrixC(uint16_t crc) {
  int32_t total = 0;
  for (int i = 0; i < kDim; ++i)
    for (int j = 0; j < kDim; ++j) total += mc[i][j] ^ (i * kDim + j);
  return CrcU32(crc, (uint32_t)total);
}

static uint16_t MatrixPhase(uint32_t iteration, uint16_t crc) {
  int16_t v = (int16_t)(iteration & 0xff) | 1;
  AddConst(ma, v);
  MulConst(v);
  crc = CrcMatrixC(crc);
  MulVec();
  crc = CrcMatrixC(crc);
  MulMat();
  crc = CrcMatrixC(crc);
  MulMatBits();
  crc = CrcMatrixC(crc);
  AddConst(ma, (int16_t)-v);
  return crc;
}

// ---- State machine: classify comma-separated number tokens ----

typedef enum {
  kStart,
  kSign,
  kZero,
  kInt,
  kHex,
  kDot,
  kFrac,
  kExp,
  kExpSign,
  kExpInt,
  kInvalid,
  kStates
} State;

static int IsDigit(char c) {
  return c >= '0' && c <= '9';
}
static int IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static State Step(State s, char c) {
  switch (s) {
    case kStart:
      if (c == '+' || c == '-') return kSign;
      if (c == '0') return kZero;
      if (IsDigit(c)) return kInt;
      if (c == '.') return kDot;
      return kInvalid;
    case kSign:
      if (c == '0') return kZero;
      if (IsDigit(c)) return kInt;
      if (c == '.') return kDot;
      return kInvalid;
    case kZero:
      if (c == 'x' || c == 'X') return kHex;
      if (IsDigit(c)) return kInt;
      if (c == '.') return kFrac;
      if (c == 'e' || c == 'E') return kExp;
      return kInvalid;
    case kInt:
      if (IsDigit(c)) return kInt;
      if (c == '.') return kFrac;
      if (c == 'e' || c == 'E') return kExp;
      return kInvalid;
    case kHex:
      return IsHexDigit(c) ? kHex : kInvalid;
    case kDot:
      return IsDigit(c) ? kFrac : kInvalid;
    case kFrac:
      if (IsDigit(c)) return kFrac;
      if (c == 'e' || c == 'E') return kExp;
      return kInvalid;
    case kExp:
      if (c == '+' || c == '-') return kExpSign;
      return IsDigit(c) ? kExpInt : kInvalid;
    case kExpSign:
    case kExpInt:
      return IsDigit(c) ? kExpInt : kInvalid;
    default:
      return kInvalid;
  }
}

#define kTextBytes 2048
static char text[kTextBytes];

static const char* const kTokens[] = {"0",      "42",    "-17",    "+3.25", "0x1F",   "6.02e23",
                                      "1e-9",   ".5",    "12a",    "0xZZ",  "--1",    "314159",
                                      "-0.001", "7E+07", "0XdeAd", "1.2.3", "000123", "9e"};

static void BuildText(uint32_t* seed) {
  uint32_t n = 0;
  while (n < kTextBytes - 16) {
    const char* t = kTokens[XorShift32(seed) % (sizeof kTokens / sizeof kTokens[0])];
    while (*t) text[n++] = *t++;
    text[n++] = ',';
  }
  while (n < kTextBytes) text[n++] = ',';
}

// Counts how many tokens end in each state.
static uint16_t Scan(uint16_t crc) {
  uint32_t finals[kStates] = {0};
  State s = kStart;
  for (int i = 0; i < kTextBytes; ++i) {
    char c = text[i];
    if (c == ',') {
      ++finals[s];
      s = kStart;
    } else {
      s = Step(s, c);
    }
  }
  for (int i = 0; i < kStates; ++i) crc = CrcU16(crc, (uint16_t)finals[i]);
  return crc;
}

static uint16_t StatePhase(uint32_t iteration, uint16_t crc) {
  crc = Scan(crc);
  // Corrupt every 67th byte (the iteration picks which), scan again, then undo it.
  uint32_t start = iteration % 67;
  uint8_t flip = (uint8_t)(iteration & 0x1f) | 1;
  for (uint32_t i = start; i < kTextBytes; i += 67)
    if (text[i] != ',') text[i] ^= flip;
  crc = Scan(crc);
  for (uint32_t i = start; i < kTextBytes; i += 67)
    if (text[i] != ',') text[i] ^= flip;
  return crc;
}

uint32_t run(void) {
  uint32_t seed = 0xC0DE;
  Node* list = BuildList(&seed);
  FillMatrices(&seed);
  BuildText(&seed);
  uint16_t crc = 0xffff;
  uint32_t iterations = kIterations;
  for (uint32_t it = 0; it < iterations; ++it) {
    crc = ListPhase(&list, it, crc);
    crc = MatrixPhase(it, crc);
    crc = StatePhase(it, crc);
  }
  return (uint32_t)crc << 16 | (iterations & 0xffff);
}
