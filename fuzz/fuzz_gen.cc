// Fuzzes the compiler and the interpreter with modules that are valid by construction: the
// input drives a generator (types, imports, a funcref and an externref table, a memory, globals,
// element and data segments, and a few functions of typed, nested code: blocks, loops with
// counters, branches of every kind, calls, call_indirect, memory, table and reference
// instructions, numeric operations and conversions). Raw bytes rarely validate; these always do,
// so most inputs reach the interpreter.
//
// Checks beyond "no crash":
//   - the module loads (a rejection is a validator bug, or a generator bug: both are worth
//     seeing);
//   - running it twice gives the same outcomes, fuel use, memory and globals (determinism);
//   - if no call ran out of fuel, the same module compiled without fuel metering gives the same
//     outcomes, memory and globals (the two code generation modes agree).
//
// The numeric opcode table here is written from the spec, independently of the engine's
// opcodes.def, so that a wrong row there shows up as a rejection here.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "fuzz_util.h"

using namespace phat::wasm;

namespace {

constexpr ValType kNone = ValType(0);

// ---- Encoding ----

struct Buf {
  std::vector<uint8_t> b;
  void U8(uint8_t v) { b.push_back(v); }
  void U32(uint32_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      if (v) byte |= 0x80;
      b.push_back(byte);
    } while (v);
  }
  void S64(int64_t v) {
    bool more = true;
    while (more) {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      if ((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)))
        more = false;
      else
        byte |= 0x80;
      b.push_back(byte);
    }
  }
  void Fixed(uint64_t bits, int n) {
    for (int i = 0; i < n; ++i) b.push_back(uint8_t(bits >> (8 * i)));
  }
  void Bytes(const std::vector<uint8_t>& v) { b.insert(b.end(), v.begin(), v.end()); }
  void Name(const std::string& s) {
    U32(uint32_t(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  void Section(uint8_t id, const Buf& body) {
    U8(id);
    U32(uint32_t(body.b.size()));
    Bytes(body.b);
  }
};

// ---- Numeric instructions, from the spec ----

struct NumOp {
  uint8_t prefix;  // 0 or 0xfc
  uint8_t code;
  ValType in1, in2, out;  // in2 == kNone: unary
};

constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, F64 = ValType::F64;

std::vector<NumOp> BuildNumOps() {
  std::vector<NumOp> ops;
  auto range = [&](uint8_t from, uint8_t to, ValType a, ValType b, ValType out) {
    for (int c = from; c <= to; ++c) ops.push_back({0, uint8_t(c), a, b, out});
  };
  range(0x45, 0x45, I32, kNone, I32);  // i32.eqz
  range(0x46, 0x4f, I32, I32, I32);    // i32 comparisons
  range(0x50, 0x50, I64, kNone, I32);  // i64.eqz
  range(0x51, 0x5a, I64, I64, I32);    // i64 comparisons
  range(0x5b, 0x60, F32, F32, I32);    // f32 comparisons
  range(0x61, 0x66, F64, F64, I32);    // f64 comparisons
  range(0x67, 0x69, I32, kNone, I32);  // clz ctz popcnt
  range(0x6a, 0x78, I32, I32, I32);    // add .. rotr
  range(0x79, 0x7b, I64, kNone, I64);
  range(0x7c, 0x8a, I64, I64, I64);
  range(0x8b, 0x91, F32, kNone, F32);  // abs .. sqrt
  range(0x92, 0x98, F32, F32, F32);    // add .. copysign
  range(0x99, 0x9f, F64, kNone, F64);
  range(0xa0, 0xa6, F64, F64, F64);
  const struct {
    uint8_t code;
    ValType in, out;
  } conversions[] = {
      {0xa7, I64, I32}, {0xa8, F32, I32}, {0xa9, F32, I32}, {0xaa, F64, I32}, {0xab, F64, I32},
      {0xac, I32, I64}, {0xad, I32, I64}, {0xae, F32, I64}, {0xaf, F32, I64}, {0xb0, F64, I64},
      {0xb1, F64, I64}, {0xb2, I32, F32}, {0xb3, I32, F32}, {0xb4, I64, F32}, {0xb5, I64, F32},
      {0xb6, F64, F32}, {0xb7, I32, F64}, {0xb8, I32, F64}, {0xb9, I64, F64}, {0xba, I64, F64},
      {0xbb, F32, F64}, {0xbc, F32, I32}, {0xbd, F64, I64}, {0xbe, I32, F32}, {0xbf, I64, F64},
      {0xc0, I32, I32}, {0xc1, I32, I32}, {0xc2, I64, I64}, {0xc3, I64, I64}, {0xc4, I64, I64},
  };
  for (auto c : conversions) ops.push_back({0, c.code, c.in, kNone, c.out});
  const struct {
    uint8_t sub;
    ValType in, out;
  } saturating[] = {
      {0, F32, I32}, {1, F32, I32}, {2, F64, I32}, {3, F64, I32},
      {4, F32, I64}, {5, F32, I64}, {6, F64, I64}, {7, F64, I64},
  };
  for (auto s : saturating) ops.push_back({0xfc, s.sub, s.in, kNone, s.out});
  return ops;
}
const std::vector<NumOp>& NumOps() {
  static const std::vector<NumOp> ops = BuildNumOps();
  return ops;
}

struct MemOp {
  uint8_t code;
  ValType type;
  uint8_t align;  // natural alignment, log2
};
constexpr MemOp kLoads[] = {
    {0x28, I32, 2}, {0x29, I64, 3}, {0x2a, F32, 2}, {0x2b, F64, 3}, {0x2c, I32, 0},
    {0x2d, I32, 0}, {0x2e, I32, 1}, {0x2f, I32, 1}, {0x30, I64, 0}, {0x31, I64, 0},
    {0x32, I64, 1}, {0x33, I64, 1}, {0x34, I64, 2}, {0x35, I64, 2},
};
constexpr MemOp kStores[] = {
    {0x36, I32, 2}, {0x37, I64, 3}, {0x38, F32, 2}, {0x39, F64, 3}, {0x3a, I32, 0},
    {0x3b, I32, 1}, {0x3c, I64, 0}, {0x3d, I64, 1}, {0x3e, I64, 2},
};

constexpr ValType kValueTypes[] = {I32, I64, F32, F64, ValType::FuncRef, ValType::ExternRef};

// ---- The generator ----

struct Sig {
  std::vector<ValType> params, results;
  bool operator==(const Sig&) const = default;
};

class Generator {
 public:
  explicit Generator(FuzzedDataProvider& in) : in_(in) {}
  std::vector<uint8_t> Module();

 private:
  // Choices. When the input runs out every choice is 0, which always picks a leaf.
  uint32_t Pick(uint32_t n) { return n <= 1 ? 0 : in_.ConsumeIntegralInRange<uint32_t>(0, n - 1); }
  bool Chance(uint32_t one_in) { return Pick(one_in) == 0 && in_.remaining_bytes() > 0; }
  ValType AnyType() { return kValueTypes[Pick(std::size(kValueTypes))]; }
  ValType NumType() { return kValueTypes[Pick(4)]; }
  Sig RandomSig(uint32_t max_params, uint32_t max_results) {
    Sig s;
    for (uint32_t i = Pick(max_params + 1); i > 0; --i) s.params.push_back(AnyType());
    for (uint32_t i = Pick(max_results + 1); i > 0; --i) s.results.push_back(AnyType());
    return s;
  }
  uint32_t TypeIndex(const Sig& s) {
    for (uint32_t i = 0; i < types_.size(); ++i)
      if (types_[i] == s) return i;
    types_.push_back(s);
    return uint32_t(types_.size() - 1);
  }
  Sig FuncSig(uint32_t f) const { return types_[func_types_[f]]; }  // a copy: types_ grows

  // Code emission.
  void Op(uint8_t op) { code_.U8(op); }
  void OpFC(uint32_t sub) {
    code_.U8(0xfc);
    code_.U32(sub);
  }
  void Const(ValType t);
  void I32Const(int32_t v) {
    Op(0x41);
    code_.S64(v);
  }
  void BlockType(const Sig& s) {
    if (s.params.empty() && s.results.empty())
      code_.U8(0x40);
    else if (s.params.empty() && s.results.size() == 1)
      code_.U8(uint8_t(s.results[0]));
    else
      code_.S64(TypeIndex(s));
  }
  void Memarg(uint8_t natural_align) {
    code_.U32(Pick(natural_align + 1));
    code_.U32(Chance(32) ? uint32_t(0xfffffff0u + Pick(16)) : Pick(4) * 8);
  }
  void Address() {
    if (Chance(3)) {
      I32Const(int32_t(Chance(16) ? 65536 - Pick(8) : Pick(65536 - 64)));
      return;
    }
    Expr(I32);
    I32Const(0xffff);
    Op(0x71);  // i32.and: mostly in bounds of one page
  }
  void Values(std::vector<ValType> types) {  // a copy: labels_ and types_ grow
    for (ValType t : types) Expr(t);
  }
  void DropAll(size_t n) {
    for (size_t i = 0; i < n; ++i) Op(0x1a);
  }

  void Expr(ValType t);
  bool Leaf(ValType t);
  void Stmt();
  void Stmts(uint32_t max);
  void Block(const Sig& sig, uint8_t op);  // block, loop or if with inputs already pushed
  void CountedLoop(const Sig& sig);
  void Branch();
  void Function(uint32_t func_index);

  bool Spent() const { return budget_ <= 0 || depth_ >= 7; }
  std::vector<uint32_t> LocalsOf(ValType t, bool writable) const {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < locals_.size(); ++i)
      if (locals_[i] == t && !(writable && i >= counters_from_)) out.push_back(i);
    return out;
  }
  std::vector<uint32_t> GlobalsOf(ValType t, bool writable) const {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < globals_.size(); ++i)
      if (globals_[i].first == t && (!writable || globals_[i].second)) out.push_back(i);
    return out;
  }
  uint32_t Callee() {
    uint32_t n = uint32_t(func_types_.size());
    if (current_ + 1 < n && !Chance(8)) return current_ + 1 + Pick(n - current_ - 1);
    return Pick(n);
  }

  FuzzedDataProvider& in_;
  // PHAT_FUZZ_GEN_NO_IMPORTS=1 makes self-contained modules, for comparing with other engines.
  const bool with_imports_ = std::getenv("PHAT_FUZZ_GEN_NO_IMPORTS") == nullptr;
  std::vector<Sig> types_;
  std::vector<uint32_t> func_types_;  // per function, imported first
  uint32_t num_imports_ = 0;
  std::vector<std::pair<ValType, bool>> globals_;  // type, mutable
  uint32_t externref_table_size_ = 0;

  // The function being generated.
  Buf code_;
  uint32_t current_ = 0;
  std::vector<ValType> locals_;
  uint32_t counters_from_ = 0;  // locals from here on are loop counters, never written freely
  uint32_t loop_depth_ = 0;
  std::vector<std::vector<ValType>> labels_;  // branch types, innermost last
  int budget_ = 0;
  int depth_ = 0;
};

constexpr uint32_t kMaxCountedLoops = 4;
constexpr uint32_t kDataCount = 2;  // one active, one passive
constexpr uint32_t kElemCount = 3;  // active (all functions), passive, declarative

void Generator::Const(ValType t) {
  switch (t) {
    case ValType::I32: {
      static constexpr int32_t kSpecial[] = {0, 1, -1, INT32_MIN, INT32_MAX, 31, 32, 65536};
      I32Const(Chance(2) ? kSpecial[Pick(std::size(kSpecial))] : in_.ConsumeIntegral<int32_t>());
      break;
    }
    case ValType::I64: {
      static constexpr int64_t kSpecial[] = {0, 1, -1, INT64_MIN, INT64_MAX, 63, 64};
      Op(0x42);
      code_.S64(Chance(2) ? kSpecial[Pick(std::size(kSpecial))] : in_.ConsumeIntegral<int64_t>());
      break;
    }
    case ValType::F32: {
      static constexpr uint32_t kSpecial[] = {0,           0x80000000u, 0x7f800000u, 0xff800000u,
                                              0x7fc00000u, 0x7fa00001u, 0x3f800000u, 0x4f000000u};
      Op(0x43);
      code_.Fixed(Chance(2) ? kSpecial[Pick(std::size(kSpecial))] : in_.ConsumeIntegral<uint32_t>(),
                  4);
      break;
    }
    case ValType::F64: {
      static constexpr uint64_t kSpecial[] = {0,
                                              0x8000000000000000ull,
                                              0x7ff0000000000000ull,
                                              0x7ff8000000000000ull,
                                              0x7ff4000000000001ull,
                                              0x3ff0000000000000ull,
                                              0x43e0000000000000ull};
      Op(0x44);
      code_.Fixed(Chance(2) ? kSpecial[Pick(std::size(kSpecial))] : in_.ConsumeIntegral<uint64_t>(),
                  8);
      break;
    }
    case ValType::FuncRef:
      if (Chance(2)) {
        Op(0xd0);
        code_.U8(0x70);
      } else {
        Op(0xd2);
        code_.U32(Pick(uint32_t(func_types_.size())));
      }
      break;
    default:
      Op(0xd0);
      code_.U8(0x6f);
      break;
  }
}

// A value of type `t` from a constant, a local or a global.
bool Generator::Leaf(ValType t) {
  --budget_;
  switch (Pick(3)) {
    case 1: {
      auto ls = LocalsOf(t, false);
      if (ls.empty()) break;
      Op(0x20);
      code_.U32(ls[Pick(uint32_t(ls.size()))]);
      return true;
    }
    case 2: {
      auto gs = GlobalsOf(t, false);
      if (gs.empty()) break;
      Op(0x23);
      code_.U32(gs[Pick(uint32_t(gs.size()))]);
      return true;
    }
    default:
      break;
  }
  Const(t);
  return true;
}

void Generator::Expr(ValType t) {
  if (Spent()) {
    Leaf(t);
    return;
  }
  --budget_;
  ++depth_;
  const bool numeric = !IsRef(t);
  switch (Pick(20)) {
    case 0:
    case 1:
    case 2: {  // an operator producing t
      if (!numeric) break;
      std::vector<const NumOp*> fits;
      for (const NumOp& op : NumOps())
        if (op.out == t) fits.push_back(&op);
      const NumOp& op = *fits[Pick(uint32_t(fits.size()))];
      Expr(op.in1);
      if (op.in2 != kNone) Expr(op.in2);
      if (op.prefix)
        OpFC(op.code);
      else
        Op(op.code);
      --depth_;
      return;
    }
    case 3: {  // load
      if (!numeric) break;
      std::vector<const MemOp*> fits;
      for (const MemOp& op : kLoads)
        if (op.type == t) fits.push_back(&op);
      const MemOp& op = *fits[Pick(uint32_t(fits.size()))];
      Address();
      Op(op.code);
      Memarg(op.align);
      --depth_;
      return;
    }
    case 4:
    case 5: {  // block or if with a result, maybe with parameters
      Sig sig;
      if (Chance(3)) sig.params = {AnyType()};
      sig.results = {t};
      if (Chance(4)) sig.results.push_back(t);  // two results, then a select picks one
      Values(sig.params);
      if (Chance(2)) {
        Block(sig, 0x02);
      } else {
        Expr(I32);
        Block(sig, 0x04);
      }
      if (sig.results.size() == 2) {
        Expr(I32);
        Op(0x1c);  // select (result t)
        code_.U32(1);
        code_.U8(uint8_t(t));
      }
      --depth_;
      return;
    }
    case 6: {  // loop with a counter
      if (loop_depth_ >= kMaxCountedLoops) break;
      Sig sig;
      sig.results = {t};
      CountedLoop(sig);
      --depth_;
      return;
    }
    case 7: {  // call
      std::vector<uint32_t> fits;
      for (uint32_t f = 0; f < func_types_.size(); ++f)
        if (FuncSig(f).results == std::vector<ValType>{t}) fits.push_back(f);
      if (fits.empty()) break;
      uint32_t f = fits[Pick(uint32_t(fits.size()))];
      if (f <= current_ && f >= num_imports_ && !Chance(4)) break;  // mostly no recursion
      Values(FuncSig(f).params);
      Op(0x10);
      code_.U32(f);
      --depth_;
      return;
    }
    case 8: {  // call_indirect through table 0
      uint32_t f = Callee();
      Sig sig = Chance(8) ? types_[Pick(uint32_t(types_.size()))] : FuncSig(f);
      if (sig.results != std::vector<ValType>{t}) break;
      Values(sig.params);
      if (Chance(4))
        Expr(I32);
      else
        I32Const(int32_t(f));
      Op(0x11);
      code_.U32(TypeIndex(sig));
      code_.U32(0);
      --depth_;
      return;
    }
    case 9: {  // select
      Expr(t);
      Expr(t);
      Expr(I32);
      if (numeric && Chance(2)) {
        Op(0x1b);
      } else {
        Op(0x1c);
        code_.U32(1);
        code_.U8(uint8_t(t));
      }
      --depth_;
      return;
    }
    case 10: {  // local.tee
      auto ls = LocalsOf(t, true);
      if (ls.empty()) break;
      Expr(t);
      Op(0x22);
      code_.U32(ls[Pick(uint32_t(ls.size()))]);
      --depth_;
      return;
    }
    case 11: {  // br_if carrying a value to a label that takes exactly t
      std::vector<uint32_t> fits;
      for (uint32_t d = 0; d < labels_.size(); ++d)
        if (labels_[labels_.size() - 1 - d] == std::vector<ValType>{t}) fits.push_back(d);
      if (fits.empty()) break;
      Expr(t);
      Expr(I32);
      Op(0x0d);
      code_.U32(fits[Pick(uint32_t(fits.size()))]);
      --depth_;
      return;
    }
    case 12: {  // memory.size, memory.grow, table.size, table.grow, ref.is_null
      if (t != I32) break;
      switch (Pick(5)) {
        case 0:
          Op(0x3f);
          code_.U8(0);
          break;
        case 1:
          if (Chance(2))
            I32Const(int32_t(Pick(3)));
          else
            Expr(I32);
          Op(0x40);
          code_.U8(0);
          break;
        case 2:
          OpFC(16);
          code_.U32(Pick(2));
          break;
        case 3: {
          uint32_t table = Pick(2);
          Expr(table == 0 ? ValType::FuncRef : ValType::ExternRef);
          if (Chance(2))
            I32Const(int32_t(Pick(4)));
          else
            Expr(I32);
          OpFC(15);
          code_.U32(table);
          break;
        }
        default:
          Expr(Chance(2) ? ValType::FuncRef : ValType::ExternRef);
          Op(0xd1);
          break;
      }
      --depth_;
      return;
    }
    case 13: {  // table.get
      if (numeric) break;
      uint32_t table = t == ValType::FuncRef ? 0 : 1;
      if (!Chance(4))
        I32Const(int32_t(Pick(table == 0 ? 4 : 2)));
      else
        Expr(I32);
      Op(0x25);
      code_.U32(table);
      --depth_;
      return;
    }
    default:
      break;
  }
  --depth_;
  Leaf(t);
}

// `op` is block (0x02), loop (0x03) or if (0x04); its parameters (and an if's condition) are on
// the stack. The body consumes the parameters and leaves the results.
void Generator::Block(const Sig& sig, uint8_t op) {
  Op(op);
  BlockType(sig);
  labels_.push_back(op == 0x03 ? sig.params : sig.results);
  auto body = [&] {
    // Parameters: keep them in locals when there are any of the type, else drop them.
    for (size_t i = sig.params.size(); i-- > 0;) {
      auto ls = LocalsOf(sig.params[i], true);
      if (!ls.empty() && Chance(2)) {
        Op(0x21);
        code_.U32(ls[Pick(uint32_t(ls.size()))]);
      } else {
        Op(0x1a);
      }
    }
    Stmts(4);
    Values(sig.results);
  };
  body();
  if (op == 0x04 && (Chance(2) || sig.params != sig.results)) {
    Op(0x05);
    body();
  }
  Op(0x0b);
  labels_.pop_back();
}

// A loop that runs at most a few times: its counter local is reset before and bumped at the
// back-edge. Branches to the loop label from inside can still make it run longer; fuel ends it.
void Generator::CountedLoop(const Sig& sig) {
  const uint32_t counter = counters_from_ + loop_depth_;
  I32Const(0);
  Op(0x21);
  code_.U32(counter);
  ++loop_depth_;
  Op(0x03);
  BlockType(sig);
  labels_.push_back(sig.params);
  Stmts(4);
  Op(0x20);
  code_.U32(counter);
  I32Const(1);
  Op(0x6a);
  Op(0x22);
  code_.U32(counter);
  I32Const(int32_t(1 + Pick(12)));
  Op(0x49);  // i32.lt_u
  Op(0x0d);
  code_.U32(0);
  Values(sig.results);
  Op(0x0b);
  labels_.pop_back();
  --loop_depth_;
}

// br, br_if, br_table or return, with the values the target takes.
void Generator::Branch() {
  const uint32_t n = uint32_t(labels_.size());
  switch (Pick(4)) {
    case 0: {  // br
      uint32_t d = Pick(n);
      Values(labels_[n - 1 - d]);
      Op(0x0c);
      code_.U32(d);
      return;
    }
    case 1: {  // br_if, then drop what falls through
      uint32_t d = Pick(n);
      Values(labels_[n - 1 - d]);
      Expr(I32);
      Op(0x0d);
      code_.U32(d);
      DropAll(labels_[n - 1 - d].size());
      return;
    }
    case 2: {  // br_table over labels that take the same types as the default
      uint32_t dflt = Pick(n);
      const std::vector<ValType> types = labels_[n - 1 - dflt];
      std::vector<uint32_t> fits;
      for (uint32_t d = 0; d < n; ++d)
        if (labels_[n - 1 - d] == types) fits.push_back(d);
      Values(types);
      if (Chance(2))
        I32Const(int32_t(Pick(8)));
      else
        Expr(I32);
      uint32_t count = Pick(Chance(8) ? 300 : 6);
      Op(0x0e);
      code_.U32(count);
      for (uint32_t i = 0; i < count; ++i) code_.U32(fits[Pick(uint32_t(fits.size()))]);
      code_.U32(dflt);
      return;
    }
    default:  // return
      Values(labels_[0]);
      Op(0x0f);
      return;
  }
}

void Generator::Stmt() {
  if (Spent()) {
    Op(0x01);  // nop
    --budget_;
    return;
  }
  --budget_;
  ++depth_;
  switch (Pick(24)) {
    case 0:
    case 1:
    case 2: {  // local.set
      ValType t = AnyType();
      auto ls = LocalsOf(t, true);
      if (ls.empty()) break;
      Expr(t);
      Op(0x21);
      code_.U32(ls[Pick(uint32_t(ls.size()))]);
      break;
    }
    case 3: {  // global.set
      ValType t = AnyType();
      auto gs = GlobalsOf(t, true);
      if (gs.empty()) break;
      Expr(t);
      Op(0x24);
      code_.U32(gs[Pick(uint32_t(gs.size()))]);
      break;
    }
    case 4:
    case 5: {  // store
      const MemOp& op = kStores[Pick(std::size(kStores))];
      Address();
      Expr(op.type);
      Op(op.code);
      Memarg(op.align);
      break;
    }
    case 6: {  // an expression, dropped
      Expr(AnyType());
      Op(0x1a);
      break;
    }
    case 7:
    case 8: {  // if / block without results
      Sig sig;
      if (Pick(2)) {
        Expr(I32);
        Block(sig, 0x04);
      } else {
        Block(sig, 0x02);
      }
      break;
    }
    case 9:
      if (loop_depth_ < kMaxCountedLoops) CountedLoop(Sig{});
      break;
    case 10:
    case 11:
      Branch();
      break;
    case 12: {  // call, results dropped
      uint32_t f = Callee();
      Values(FuncSig(f).params);
      Op(0x10);
      code_.U32(f);
      DropAll(FuncSig(f).results.size());
      break;
    }
    case 13: {  // call_indirect, maybe with a mismatched type or index
      uint32_t f = Callee();
      Sig sig = Chance(6) ? types_[Pick(uint32_t(types_.size()))] : FuncSig(f);
      Values(sig.params);
      if (Chance(4))
        Expr(I32);
      else
        I32Const(int32_t(f));
      Op(0x11);
      code_.U32(TypeIndex(sig));
      code_.U32(0);
      DropAll(sig.results.size());
      break;
    }
    case 14: {  // memory.fill / memory.copy
      Address();
      if (Pick(2)) {
        Expr(I32);
        I32Const(int32_t(Chance(16) ? in_.ConsumeIntegral<uint32_t>() : Pick(300)));
        OpFC(11);
        code_.U8(0);
      } else {
        Address();
        I32Const(int32_t(Chance(16) ? in_.ConsumeIntegral<uint32_t>() : Pick(300)));
        OpFC(10);
        code_.U8(0);
        code_.U8(0);
      }
      break;
    }
    case 15: {  // memory.init / data.drop
      uint32_t seg = Pick(kDataCount);
      if (Pick(3)) {
        Address();
        I32Const(int32_t(Pick(20)));
        I32Const(int32_t(Pick(20)));
        OpFC(8);
        code_.U32(seg);
        code_.U8(0);
      } else {
        OpFC(9);
        code_.U32(seg);
      }
      break;
    }
    case 16: {  // table.set / table.fill
      uint32_t table = Pick(2);
      ValType et = table == 0 ? ValType::FuncRef : ValType::ExternRef;
      I32Const(int32_t(Pick(table == 0 ? 4 : 2)));
      Expr(et);
      if (Pick(2)) {
        Op(0x26);
      } else {
        I32Const(int32_t(Pick(3)));
        OpFC(17);
      }
      code_.U32(table);
      break;
    }
    case 17: {  // table.copy / table.init / elem.drop
      switch (Pick(3)) {
        case 0: {
          uint32_t table = Pick(2);
          I32Const(int32_t(Pick(3)));
          I32Const(int32_t(Pick(3)));
          I32Const(int32_t(Pick(3)));
          OpFC(14);
          code_.U32(table);
          code_.U32(table);
          break;
        }
        case 1:
          I32Const(int32_t(Pick(3)));
          I32Const(int32_t(Pick(3)));
          I32Const(int32_t(Pick(3)));
          OpFC(12);
          code_.U32(Pick(kElemCount));
          code_.U32(0);
          break;
        default:
          OpFC(13);
          code_.U32(Pick(kElemCount));
          break;
      }
      break;
    }
    case 18: {  // a multi-value call: keep the results in locals or drop them
      uint32_t f = Callee();
      if (FuncSig(f).results.size() < 2) break;
      Values(FuncSig(f).params);
      Op(0x10);
      code_.U32(f);
      DropAll(FuncSig(f).results.size());
      break;
    }
    case 19:
      if (Chance(6)) Op(0x00);  // unreachable, then dead code that still validates
      break;
    default:
      break;
  }
  --depth_;
}

void Generator::Stmts(uint32_t max) {
  for (uint32_t i = Pick(max + 1); i > 0 && !Spent(); --i) Stmt();
}

void Generator::Function(uint32_t func_index) {
  current_ = func_index;
  const Sig sig = FuncSig(func_index);
  code_ = Buf();
  locals_ = sig.params;
  // Declared locals: a group of each value type (maybe empty), then the loop counters.
  Buf decl;
  std::vector<std::pair<uint32_t, ValType>> groups;
  for (ValType t : kValueTypes) {
    uint32_t n = Pick(3);
    if (n) groups.push_back({n, t});
  }
  if (Chance(16)) groups.push_back({1000 + Pick(2000), I64});  // a big frame to zero
  counters_from_ = uint32_t(locals_.size());
  for (auto& [n, t] : groups) {
    counters_from_ += n;
    locals_.insert(locals_.end(), n, t);
  }
  groups.push_back({kMaxCountedLoops, I32});
  locals_.insert(locals_.end(), kMaxCountedLoops, I32);
  decl.U32(uint32_t(groups.size()));
  for (auto& [n, t] : groups) {
    decl.U32(n);
    decl.U8(uint8_t(t));
  }

  labels_ = {sig.results};
  budget_ = 20 + int(Pick(200));
  depth_ = 0;
  loop_depth_ = 0;
  Stmts(12);
  Values(sig.results);
  Op(0x0b);

  Buf body;
  body.Bytes(decl.b);
  body.Bytes(code_.b);
  code_ = std::move(body);
}

std::vector<uint8_t> Generator::Module() {
  // Imports: a few host functions, an immutable and a mutable i32 global.
  // Imports often share a defined function's type, so that a second instance can import the
  // first one's exports (see RunAll's `chain`).
  num_imports_ = with_imports_ ? Pick(3) : 0;
  const uint32_t num_defined = 1 + Pick(4);
  std::vector<uint32_t> defined;
  for (uint32_t i = 0; i < num_defined; ++i) defined.push_back(TypeIndex(RandomSig(3, 2)));
  for (uint32_t i = 0; i < num_imports_; ++i)
    func_types_.push_back(Pick(2) ? defined[Pick(num_defined)] : TypeIndex(RandomSig(3, 2)));
  func_types_.insert(func_types_.end(), defined.begin(), defined.end());
  const uint32_t num_funcs = uint32_t(func_types_.size());
  globals_ = {{I32, false}, {I32, true}};  // imported (defined, without imports)
  for (ValType t : kValueTypes) globals_.push_back({t, true});
  globals_.push_back({I64, false});
  externref_table_size_ = 1 + Pick(4);

  // Bodies first: they may add block types.
  std::vector<Buf> bodies;
  for (uint32_t f = num_imports_; f < num_funcs; ++f) {
    Function(f);
    bodies.push_back(code_);
  }

  Buf m;
  m.Bytes({0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
  Buf types;
  types.U32(uint32_t(types_.size()));
  for (const Sig& s : types_) {
    types.U8(0x60);
    types.U32(uint32_t(s.params.size()));
    for (ValType t : s.params) types.U8(uint8_t(t));
    types.U32(uint32_t(s.results.size()));
    for (ValType t : s.results) types.U8(uint8_t(t));
  }
  m.Section(1, types);

  Buf imports;
  if (with_imports_) imports.U32(num_imports_ + 2);
  for (uint32_t i = 0; i < num_imports_; ++i) {
    imports.Name("env");
    imports.Name("f" + std::to_string(i));
    imports.U8(0);
    imports.U32(func_types_[i]);
  }
  if (with_imports_) {
    imports.Name("env");
    imports.Name("g0");
    imports.Bytes({0x03, 0x7f, 0x00});
    imports.Name("env");
    imports.Name("g1");
    imports.Bytes({0x03, 0x7f, 0x01});
    m.Section(2, imports);
  }

  Buf funcs;
  funcs.U32(num_defined);
  for (uint32_t f = num_imports_; f < num_funcs; ++f) funcs.U32(func_types_[f]);
  m.Section(3, funcs);

  Buf tables;
  tables.U32(2);
  tables.Bytes({0x70, 0x00});
  tables.U32(num_funcs + Pick(3));
  tables.Bytes({0x6f, 0x01});
  tables.U32(externref_table_size_);
  tables.U32(externref_table_size_ + Pick(3));
  m.Section(4, tables);

  Buf memory;
  memory.U32(1);
  if (Pick(2)) {
    memory.U8(0x01);
    memory.U32(1);
    memory.U32(1 + Pick(3));
  } else {
    memory.U8(0x00);
    memory.U32(1);
  }
  m.Section(5, memory);

  Buf globals;
  const size_t first_defined = with_imports_ ? 2 : 0;
  globals.U32(uint32_t(globals_.size() - first_defined));
  for (size_t i = first_defined; i < globals_.size(); ++i) {
    auto [t, mut] = globals_[i];
    globals.U8(uint8_t(t));
    globals.U8(mut ? 1 : 0);
    if (t == I32 && with_imports_ && Chance(2)) {
      globals.Bytes({0x23, 0x00});  // global.get of the imported immutable global
    } else if (t == ValType::FuncRef && Chance(2)) {
      globals.U8(0xd2);
      globals.U32(Pick(num_funcs));
    } else {
      Buf saved = std::move(code_);
      code_ = Buf();
      Const(t);
      globals.Bytes(code_.b);
      code_ = std::move(saved);
    }
    globals.U8(0x0b);
  }
  m.Section(6, globals);

  Buf exports;
  exports.U32(num_defined + 2);
  for (uint32_t f = num_imports_; f < num_funcs; ++f) {
    exports.Name("f" + std::to_string(f));
    exports.U8(0);
    exports.U32(f);
  }
  exports.Name("memory");
  exports.Bytes({0x02, 0x00});
  exports.Name("table");
  exports.Bytes({0x01, 0x00});
  m.Section(7, exports);

  // A start function, sometimes, if one takes and returns nothing.
  for (uint32_t f = num_imports_; f < num_funcs; ++f) {
    if (FuncSig(f).params.empty() && FuncSig(f).results.empty() && Chance(4)) {
      Buf start;
      start.U32(f);
      m.Section(8, start);
      break;
    }
  }

  Buf elems;
  elems.U32(kElemCount);
  elems.Bytes({0x00, 0x41});                // active, table 0, offset (i32.const k)
  elems.S64(Chance(16) ? 1 + Pick(4) : 0);  // sometimes out of bounds: instantiation fails
  elems.U8(0x0b);
  elems.U32(num_funcs);
  for (uint32_t f = 0; f < num_funcs; ++f) elems.U32(f);
  elems.Bytes({0x05, 0x70});  // passive, expressions
  elems.U32(2);
  elems.Bytes({0xd0, 0x70, 0x0b, 0xd2});
  elems.U32(Pick(num_funcs));
  elems.U8(0x0b);
  elems.Bytes({0x03, 0x00});  // declarative, function indices
  elems.U32(1);
  elems.U32(Pick(num_funcs));
  m.Section(9, elems);

  Buf datacount;
  datacount.U32(kDataCount);
  m.Section(12, datacount);

  Buf code;
  code.U32(num_defined);
  for (const Buf& b : bodies) {
    code.U32(uint32_t(b.b.size()));
    code.Bytes(b.b);
  }
  m.Section(10, code);

  Buf data;
  data.U32(kDataCount);
  data.Bytes({0x00, 0x41});
  data.S64(Chance(16) ? 65530 : Pick(32));  // sometimes out of bounds
  data.U8(0x0b);
  std::vector<uint8_t> bytes = in_.ConsumeBytes<uint8_t>(Pick(24));
  data.U32(uint32_t(bytes.size()));
  data.Bytes(bytes);
  data.U8(0x01);
  bytes = in_.ConsumeBytes<uint8_t>(Pick(24));
  data.U32(uint32_t(bytes.size()));
  data.Bytes(bytes);
  m.Section(11, data);
  return m.b;
}

}  // namespace

// For checking the generator itself: PHAT_FUZZ_GEN_DUMP=dir writes each module there, and
// PHAT_FUZZ_GEN_STATS=1 prints each call's outcome. PHAT_FUZZ_GEN_NO_IMPORTS=1 (see Generator)
// makes modules another engine can run alone.
static void MaybeDump(const std::vector<uint8_t>& wasm) {
  static const char* dir = std::getenv("PHAT_FUZZ_GEN_DUMP");
  static int n = 0;
  if (!dir) return;
  std::string path =
      std::string(dir) + "/gen" + std::to_string(getpid()) + "_" + std::to_string(n++) + ".wasm";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(wasm.data(), 1, wasm.size(), f);
    std::fclose(f);
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint8_t mode = in.ConsumeIntegral<uint8_t>();
  const bool reenter = mode & 1, chain = mode & 2;
  std::vector<uint8_t> wasm = Generator(in).Module();
  MaybeDump(wasm);

  const EngineConfig metered = fuzz::SmallConfig(true);
  auto module = CompileModule(wasm, metered, LoadPolicy{});
  if (!module) fuzz::Fail("a generated module does not load: " + module.error().ToString());

  fuzz::RunLog first = fuzz::RunAll(*module, metered, fuzz::kFuel, true, reenter, chain);
  fuzz::RunLog second = fuzz::RunAll(*module, metered, fuzz::kFuel, true, reenter, chain);
  auto same = [](const fuzz::RunLog& a, const fuzz::RunLog& b, bool with_fuel) {
    if (a.instantiated != b.instantiated || a.link_error != b.link_error ||
        a.calls.size() != b.calls.size() || a.memory_hash != b.memory_hash ||
        a.globals != b.globals)
      return false;
    for (size_t i = 0; i < a.calls.size(); ++i) {
      fuzz::Outcome x = a.calls[i], y = b.calls[i];
      if (!with_fuel) x.fuel = y.fuel = 0;
      if (!(x == y)) {
        std::fprintf(stderr, "call %zu: %s vs %s\n", i, x.ToString().c_str(), y.ToString().c_str());
        return false;
      }
    }
    return true;
  };
  if (!same(first, second, true)) fuzz::Fail("two runs of the same module differ");
  if (std::getenv("PHAT_FUZZ_GEN_STATS")) {
    std::fprintf(stderr, "stats: instantiated %d\n", first.instantiated);
    for (const fuzz::Outcome& o : first.calls)
      std::fprintf(stderr, "stats: call %s\n", o.ToString().c_str());
  }

  if (first.instantiated && !first.any_fuel_exhausted) {
    const EngineConfig unmetered = fuzz::SmallConfig(false);
    auto plain = CompileModule(wasm, unmetered, LoadPolicy{});
    if (!plain) fuzz::Fail("loads with fuel metering but not without: " + plain.error().ToString());
    fuzz::RunLog third = fuzz::RunAll(*plain, unmetered, fuzz::kFuel, true, reenter, chain);
    if (!same(first, third, false)) fuzz::Fail("metered and unmetered code disagree");
  }
  return 0;
}
