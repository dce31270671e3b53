// The interpreter: one small function per internal instruction, each ending in a guaranteed
// tail call to the next (no central loop, no recursion on Wasm calls). The hot state (ip, frame
// pointer, memory base and size, fuel, the accumulator) travels in registers as the handlers'
// arguments; rare paths (traps, host calls, memory.grow) leave through out-of-line helpers.
// Generic handlers come in variants by where operands come from and results go (slot or
// accumulator), all generated from one template per kind.
#include "wasm/interp/handlers.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <type_traits>

#include "wasm/interp/ops.h"

namespace phat::wasm::interp {
namespace {

using ops::FromSlot;
using ops::ToSlot;

#define HANDLER(name) PHAT_PRESERVE_NONE Status name(PHAT_HANDLER_PARAMS)
#define DISPATCH() [[clang::musttail]] return ip->handler(ip, fp, mem, mem_size, fuel, ctx, acc)
#define NEXT(Shape)                  \
  do {                               \
    ip = Advance(ip, sizeof(Shape)); \
    DISPATCH();                      \
  } while (0)
#define JUMP(off)                \
  do {                           \
    ip = Advance(ip, (off));     \
    DISPATCH();                  \
  } while (0)
#define TRAP(kind) return Trap(ctx, fuel, TrapKind::kind)
#define CHARGE(amount)                                        \
  do {                                                        \
    fuel -= (amount);                                         \
    if (fuel < 0) [[unlikely]] {                              \
      fuel = Refuel(ctx, fuel);                               \
      if (fuel < 0) [[unlikely]] return OutOfFuel(ctx, fuel); \
    }                                                         \
  } while (0)
#define RELOAD_MEMORY()             \
  do {                              \
    mem = ctx->memory_base();       \
    mem_size = ctx->memory->size(); \
  } while (0)

inline const Instr* Advance(const Instr* ip, ptrdiff_t bytes) {
  return reinterpret_cast<const Instr*>(reinterpret_cast<const char*>(ip) + bytes);
}

[[gnu::noinline, gnu::cold]] Status Trap(ExecContext* ctx, int64_t fuel, TrapKind kind) {
  ctx->trap = kind;
  ctx->fuel = fuel;
  return Status::Trap;
}
[[gnu::noinline, gnu::cold]] Status OutOfFuel(ExecContext* ctx, int64_t fuel) {
  ctx->fuel = fuel;
  return ctx->interrupted ? Status::Interrupted : Status::OutOfFuel;
}
// The running slice is spent: stop if the embedder asked to (its flag, or its deadline has
// passed: a clock read per slice, about a millisecond of work), else draw the next slice (at least
// what the charge overdrew) from the reserve. Negative: stop.
[[gnu::noinline, gnu::cold]] int64_t Refuel(ExecContext* ctx, int64_t fuel) {
  const bool flagged = ctx->interrupt && ctx->interrupt->load(std::memory_order_relaxed);
  if (flagged || (ctx->interrupt_deadline != std::chrono::steady_clock::time_point::max() &&
                  std::chrono::steady_clock::now() >= ctx->interrupt_deadline)) {
    ctx->interrupted = true;
    return -1;
  }
  const int64_t take = std::min(ctx->fuel_reserve, std::max(kFuelSlice, -fuel));
  ctx->fuel_reserve -= take;
  return fuel + take;
}

// Bulk operations cost one fuel per this many bytes or elements, on top of their base cost.
constexpr uint64_t kBulkBytesPerFuel = 64;

template <typename F>
struct FnTraits;
template <typename R, typename... A>
struct FnTraits<R (*)(A...)> {
  using Ret = R;
  template <size_t I>
  using Arg = std::tuple_element_t<I, std::tuple<A...>>;
};

// ---- Generic handlers, instantiated per table row and operand locations ----

template <Loc kL>
inline uint64_t In(const uint64_t* fp, uint32_t slot, uint64_t acc) {
  if constexpr (kL == Loc::Acc) return acc;
  else return fp[slot];
}
#define OUT(kDst, slot, value)                        \
  do {                                                \
    if constexpr (kDst == Loc::Acc) acc = (value);    \
    else fp[slot] = (value);                          \
  } while (0)

constexpr Loc FirstOf(Pair p) { return p == Pair::AS ? Loc::Acc : Loc::Slot; }
constexpr Loc SecondOf(Pair p) { return p == Pair::SA ? Loc::Acc : Loc::Slot; }

template <auto Fn, size_t I>
using ArgOf = typename FnTraits<decltype(Fn)>::template Arg<I>;

template <auto Fn, Loc kA, Loc kD>
HANDLER(Unary) {
  auto* in = As<InstrRR>(ip);
  OUT(kD, in->d, ToSlot(Fn(FromSlot<ArgOf<Fn, 0>>(In<kA>(fp, in->a, acc)))));
  NEXT(InstrRR);
}

template <auto Fn, Loc kA, Loc kD>
HANDLER(UnaryTrap) {
  auto* in = As<InstrRR>(ip);
  auto r = Fn(FromSlot<ArgOf<Fn, 0>>(In<kA>(fp, in->a, acc)));
  if (r.trapped) [[unlikely]] return Trap(ctx, fuel, r.trap);
  OUT(kD, in->d, ToSlot(r.value));
  NEXT(InstrRR);
}

template <auto Fn, Pair kP, Loc kD>
HANDLER(BinaryRRR) {
  auto* in = As<InstrRRR>(ip);
  OUT(kD, in->d, ToSlot(Fn(FromSlot<ArgOf<Fn, 0>>(In<FirstOf(kP)>(fp, in->a, acc)),
                           FromSlot<ArgOf<Fn, 1>>(In<SecondOf(kP)>(fp, in->b, acc)))));
  NEXT(InstrRRR);
}

template <auto Fn, Loc kA, Loc kD>
HANDLER(BinaryRRI) {
  using B = ArgOf<Fn, 1>;
  auto* in = As<InstrRRI<B>>(ip);
  OUT(kD, in->d, ToSlot(Fn(FromSlot<ArgOf<Fn, 0>>(In<kA>(fp, in->a, acc)), in->imm)));
  NEXT(InstrRRI<B>);
}

template <auto Fn, Pair kP, Loc kD>
HANDLER(BinaryTrapRRR) {
  auto* in = As<InstrRRR>(ip);
  auto r = Fn(FromSlot<ArgOf<Fn, 0>>(In<FirstOf(kP)>(fp, in->a, acc)),
              FromSlot<ArgOf<Fn, 1>>(In<SecondOf(kP)>(fp, in->b, acc)));
  if (r.trapped) [[unlikely]] return Trap(ctx, fuel, r.trap);
  OUT(kD, in->d, ToSlot(r.value));
  NEXT(InstrRRR);
}

template <auto Fn, Loc kA, Loc kD>
HANDLER(BinaryTrapRRI) {
  using B = ArgOf<Fn, 1>;
  auto* in = As<InstrRRI<B>>(ip);
  auto r = Fn(FromSlot<ArgOf<Fn, 0>>(In<kA>(fp, in->a, acc)), in->imm);
  if (r.trapped) [[unlikely]] return Trap(ctx, fuel, r.trap);
  OUT(kD, in->d, ToSlot(r.value));
  NEXT(InstrRRI<B>);
}

template <auto Fn, AddrMode kMode, Loc kX, Loc kD>
HANDLER(BinaryRRM);

// The 32-bit part of an address wraps like the i32.add it replaces; the static offset is then
// added in 64 bits, so address + offset cannot wrap.
template <AddrMode kMode, typename Access>
inline uint64_t EffectiveAddress(const Access* in, const uint64_t* fp, uint64_t acc) {
  uint32_t base;
  if constexpr (kMode == AddrMode::Slot) base = uint32_t(fp[in->a]);
  else if constexpr (kMode == AddrMode::AddImm) base = uint32_t(fp[in->a]) + in->b;
  else if constexpr (kMode == AddrMode::Add) base = uint32_t(fp[in->a]) + uint32_t(fp[in->b]);
  else if constexpr (kMode == AddrMode::Const) base = in->b;
  else if constexpr (kMode == AddrMode::Acc) base = uint32_t(acc);
  else base = uint32_t(acc) + in->b;
  return uint64_t(base) + in->offset;
}

template <auto Fn, unsigned kWidth, AddrMode kMode, Loc kD>
HANDLER(Load) {
  auto* in = As<InstrLoad>(ip);
  uint64_t ea = EffectiveAddress<kMode>(in, fp, acc);
  if (ea + kWidth > mem_size) [[unlikely]] TRAP(MemoryOutOfBounds);
  OUT(kD, in->d, ToSlot(Fn(mem + ea)));
  NEXT(InstrLoad);
}

// The second operand is loaded at its natural width: the load this replaces was full width.
template <auto Fn, AddrMode kMode, Loc kX, Loc kD>
HANDLER(BinaryRRM) {
  using B = ArgOf<Fn, 1>;
  auto* in = As<InstrRRM>(ip);
  uint64_t ea = EffectiveAddress<kMode>(in, fp, acc);
  if (ea + sizeof(B) > mem_size) [[unlikely]] TRAP(MemoryOutOfBounds);
  OUT(kD, in->d, ToSlot(Fn(FromSlot<ArgOf<Fn, 0>>(In<kX>(fp, in->x, acc)), ops::ReadLe<B>(mem + ea))));
  NEXT(InstrRRM);
}

// Marks the pages a store of kWidth bytes at `ea` writes in the memory's dirty map (Memory).
template <unsigned kWidth>
inline void MarkStored(uint8_t* mem, uint64_t ea) {
  mem[-1 - int64_t(ea >> Memory::kDirtyPageShift)] = 1;
  if constexpr (kWidth > 1) mem[-1 - int64_t((ea + kWidth - 1) >> Memory::kDirtyPageShift)] = 1;
}

template <auto Fn, unsigned kWidth, AddrMode kMode, ValueSrc kV>
HANDLER(Store) {
  auto* in = As<InstrStore>(ip);
  uint64_t ea = EffectiveAddress<kMode>(in, fp, acc);
  if (ea + kWidth > mem_size) [[unlikely]] TRAP(MemoryOutOfBounds);
  uint64_t v = kV == ValueSrc::Imm32 ? uint64_t(in->v) : kV == ValueSrc::Acc ? acc : fp[in->v];
  MarkStored<kWidth>(mem, ea);
  Fn(mem + ea, FromSlot<ArgOf<Fn, 1>>(v));
  NEXT(InstrStore);
}

template <auto Fn, unsigned kWidth>
HANDLER(StoreImm) {
  auto* in = As<InstrStoreImm>(ip);
  uint64_t ea = uint64_t(uint32_t(fp[in->a])) + in->offset;
  if (ea + kWidth > mem_size) [[unlikely]] TRAP(MemoryOutOfBounds);
  MarkStored<kWidth>(mem, ea);
  Fn(mem + ea, FromSlot<ArgOf<Fn, 1>>(in->value));
  NEXT(InstrStoreImm);
}

// ---- Branches ----

template <bool kFuel>
HANDLER(Br) {
  auto* in = As<InstrBr>(ip);
  if constexpr (kFuel) CHARGE(in->fuel);
  JUMP(in->offset);
}

template <bool kFuel, bool kWhenNonZero, typename T, Loc kC>
HANDLER(BrIf) {
  auto* in = As<InstrBrIf>(ip);
  bool nonzero = static_cast<T>(In<kC>(fp, in->cond, acc)) != 0;
  if (nonzero == kWhenNonZero) {
    if constexpr (kFuel) CHARGE(in->fuel_taken);
    JUMP(in->offset);
  }
  if constexpr (kFuel) CHARGE(in->fuel_fall);
  NEXT(InstrBrIf);
}

template <auto Fn, bool kImm, Pair kP, bool kFuel>
HANDLER(BrCmp) {
  using A = ArgOf<Fn, 0>;
  auto* in = As<InstrBrCmp>(ip);
  A a = static_cast<A>(In<FirstOf(kP)>(fp, in->a, acc));
  A b;
  if constexpr (kImm) b = static_cast<A>(static_cast<int64_t>(static_cast<int32_t>(in->b)));
  else b = static_cast<A>(In<SecondOf(kP)>(fp, in->b, acc));
  if (Fn(a, b)) {
    if constexpr (kFuel) CHARGE(in->fuel_taken);
    JUMP(in->offset);
  }
  if constexpr (kFuel) CHARGE(in->fuel_fall);
  NEXT(InstrBrCmp);
}

template <auto Fn, bool kAddSlot, bool kImm, bool kFuel>
HANDLER(AddBrCmp) {
  auto* in = As<InstrAddBrCmp>(ip);
  uint32_t a = uint32_t(fp[in->s]) + (kAddSlot ? uint32_t(fp[in->add]) : in->add);
  fp[in->d] = a;
  uint32_t b = kImm ? in->b : uint32_t(fp[in->b]);  // read after the write: b may be d
  if (Fn(a, b)) {
    if constexpr (kFuel) CHARGE(in->fuel_taken);
    JUMP(in->offset);
  }
  if constexpr (kFuel) CHARGE(in->fuel_fall);
  NEXT(InstrAddBrCmp);
}

template <bool kFuel>
HANDLER(BrTable) {
  auto* in = As<InstrBrTable>(ip);
  const InstrBrTable::Entry& e = in->entries()[std::min(uint32_t(fp[in->index]), in->count)];
  if constexpr (kFuel) CHARGE(e.fuel);
  JUMP(e.offset);
}

// ---- Calls ----

template <bool kFuel, bool kZero>
HANDLER(Enter) {
  auto* in = As<InstrEnter>(ip);
  if (fp + in->frame_slots > ctx->stack_end && !ctx->GrowStack(fp + in->frame_slots)) [[unlikely]]
    TRAP(CallStackExhausted);
  if constexpr (kZero) {
    uint64_t* p = fp + in->zero_from;
    for (uint32_t i = 0; i < in->zero_count; ++i) p[i] = 0;
  }
  if constexpr (kFuel) CHARGE(in->fuel);
  NEXT(InstrEnter);
}

HANDLER(Ret) {
  Frame* f = ctx->frame_top - 1;
  ctx->frame_top = f;
  if (f->instance != ctx->instance) [[unlikely]] ctx->EnterInstance(f->instance);
  ip = f->ret_ip;
  fp = f->fp;
  RELOAD_MEMORY();
  DISPATCH();
}

template <Loc kA>
HANDLER(Ret1) {
  auto* in = As<InstrR>(ip);
  fp[0] = In<kA>(fp, in->a, acc);
  Frame* f = ctx->frame_top - 1;
  ctx->frame_top = f;
  if (f->instance != ctx->instance) [[unlikely]] ctx->EnterInstance(f->instance);
  ip = f->ret_ip;
  fp = f->fp;
  RELOAD_MEMORY();
  DISPATCH();
}

HANDLER(Exit) {
  ctx->fuel = fuel;
  return Status::Ok;
}
const Instr kExit{&Exit};

// Runs a host function with its arguments in `slots`; results replace them.
[[gnu::noinline]] Status CallHost(ExecContext* ctx, Func* callee, uint64_t* slots) {
  const size_t n = callee->type().results.size();
  uint64_t small[8];
  std::vector<uint64_t> large;
  uint64_t* results = small;
  if (n > std::size(small)) {
    large.resize(n);
    results = large.data();
  }
  ctx->reentry_slots = slots + std::max(callee->type().params.size(), n);
  HostCall call(slots, results, ctx->instance, ctx);
  HostResult r = callee->host()(call);
  if (!r) {
    ctx->host_failure = std::move(r).error();
    switch (ctx->host_failure.kind) {
      case HostFailure::Kind::Trap:
        ctx->trap = TrapKind::HostTrap;
        return Status::Trap;
      case HostFailure::Kind::OutOfFuel:
        return Status::OutOfFuel;
      case HostFailure::Kind::Error:
        return Status::HostFailed;
    }
  }
  std::copy_n(results, n, slots);
  return Status::Ok;
}

// Calls any function instance: host, or Wasm in this or another instance. A macro because the
// tail call must be written in the handler itself.
#define CALL_FUNC(callee, base, Shape)                                                  \
  do {                                                                                  \
    Func* f_ = (callee);                                                                \
    if (f_->is_host()) {                                                                \
      ctx->fuel = fuel;                                                                 \
      Status s_ = CallHost(ctx, f_, fp + (base));                                       \
      if (s_ != Status::Ok) [[unlikely]] return s_;                                     \
      fuel = ctx->fuel;                                                                 \
      RELOAD_MEMORY();                                                                  \
      NEXT(Shape);                                                                      \
    }                                                                                   \
    Frame* frame_ = ctx->frame_top;                                                     \
    if (frame_ == ctx->frame_end) [[unlikely]] TRAP(CallStackExhausted);                \
    *frame_ = Frame{Advance(ip, sizeof(Shape)), fp, ctx->instance};                     \
    ctx->frame_top = frame_ + 1;                                                        \
    if (f_->instance() != ctx->instance) {                                              \
      ctx->EnterInstance(f_->instance());                                               \
      RELOAD_MEMORY();                                                                  \
    }                                                                                   \
    fp += (base);                                                                       \
    ip = f_->code()->code;                                                              \
    DISPATCH();                                                                         \
  } while (0)

// A direct call does the callee's prologue itself and enters after it.
template <bool kFuel>
HANDLER(Call) {
  auto* in = As<InstrCall>(ip);
  const CompiledFunction* callee = in->callee;
  Frame* f = ctx->frame_top;
  uint64_t* callee_fp = fp + in->base;
  if (f == ctx->frame_end || (callee_fp + callee->frame_slots > ctx->stack_end &&
                              !ctx->GrowStack(callee_fp + callee->frame_slots))) [[unlikely]]
    TRAP(CallStackExhausted);
  if constexpr (kFuel) CHARGE(callee->entry_fuel);
  for (uint32_t i = callee->num_params; i < callee->num_locals; ++i) callee_fp[i] = 0;
  *f = Frame{Advance(ip, sizeof(InstrCall)), fp, ctx->instance};
  ctx->frame_top = f + 1;
  fp = callee_fp;
  ip = callee->body;
  DISPATCH();
}

HANDLER(CallImport) {
  auto* in = As<InstrCallImport>(ip);
  CALL_FUNC(ctx->funcs[in->func_index], in->base, InstrCallImport);
}

HANDLER(CallIndirect) {
  auto* in = As<InstrCallIndirect>(ip);
  Table* table = ctx->tables[in->table];
  uint32_t i = uint32_t(fp[in->index]);
  if (i >= table->size()) [[unlikely]] TRAP(UndefinedElement);
  Func* callee = static_cast<Func*>(table->data()[i]);
  if (callee == nullptr) [[unlikely]] TRAP(UninitializedElement);
  if (callee->type_id() != in->type_id) [[unlikely]] TRAP(IndirectCallTypeMismatch);
  CALL_FUNC(callee, in->base, InstrCallIndirect);
}

// ---- Data movement, variables ----

HANDLER(Copy) {
  auto* in = As<InstrRR>(ip);
  fp[in->d] = fp[in->a];
  NEXT(InstrRR);
}
HANDLER(CopyN) {
  auto* in = As<InstrCopyN>(ip);
  const InstrCopyN::Pair* p = in->pairs();
  for (uint32_t i = 0; i < in->count; ++i) fp[p[i].d] = fp[p[i].a];
  JUMP(sizeof(InstrCopyN) + in->count * sizeof(InstrCopyN::Pair));
}
HANDLER(Const32) {
  auto* in = As<InstrConst32>(ip);
  fp[in->d] = in->imm;
  NEXT(InstrConst32);
}
HANDLER(Const64) {
  auto* in = As<InstrConst64>(ip);
  fp[in->d] = in->imm;
  NEXT(InstrConst64);
}
template <Loc kC>
HANDLER(Select) {  // d = c ? a : b
  auto* in = As<InstrRRRR>(ip);
  fp[in->d] = uint32_t(In<kC>(fp, in->c, acc)) != 0 ? fp[in->a] : fp[in->b];
  NEXT(InstrRRRR);
}
HANDLER(Unreachable) { TRAP(Unreachable); }
template <Loc kD>
HANDLER(GlobalGet) {
  auto* in = As<InstrGlobal>(ip);
  OUT(kD, in->a, *ctx->globals[in->global]);
  NEXT(InstrGlobal);
}
template <Loc kA>
HANDLER(GlobalSet) {
  auto* in = As<InstrGlobal>(ip);
  *ctx->globals[in->global] = In<kA>(fp, in->a, acc);
  NEXT(InstrGlobal);
}
HANDLER(RefFunc) {  // d = funcs[a]
  auto* in = As<InstrRR>(ip);
  fp[in->d] = reinterpret_cast<uintptr_t>(ctx->funcs[in->a]);
  NEXT(InstrRR);
}
HANDLER(RefIsNull) {
  auto* in = As<InstrRR>(ip);
  fp[in->d] = fp[in->a] == 0;
  NEXT(InstrRR);
}

// ---- Memory ----

HANDLER(MemorySize) {
  auto* in = As<InstrR>(ip);
  fp[in->a] = mem_size / kPageSize;
  NEXT(InstrR);
}
HANDLER(MemoryGrow) {  // d = grow(a)
  auto* in = As<InstrRR>(ip);
  std::optional<uint32_t> old = ctx->memory->Grow(uint32_t(fp[in->a]));
  fp[in->d] = old ? *old : 0xffffffffu;
  RELOAD_MEMORY();
  NEXT(InstrRR);
}

// True if [start, start + n) lies within `size`; all values are u32 widened, so no overflow.
inline bool InBounds(uint64_t start, uint64_t n, uint64_t size) { return start + n <= size; }

template <bool kFuel>
HANDLER(MemoryFill) {  // fill [d, d+b) with a
  auto* in = As<InstrRRRR>(ip);
  uint64_t d = uint32_t(fp[in->d]), n = uint32_t(fp[in->b]);
  if constexpr (kFuel) CHARGE(n / kBulkBytesPerFuel);
  if (!InBounds(d, n, mem_size)) [[unlikely]] TRAP(MemoryOutOfBounds);
  Memory::MarkDirty(mem, d, n);
  std::memset(mem + d, int(uint8_t(fp[in->a])), n);
  NEXT(InstrRRRR);
}
template <bool kFuel>
HANDLER(MemoryCopy) {  // copy [a, a+b) to d
  auto* in = As<InstrRRRR>(ip);
  uint64_t d = uint32_t(fp[in->d]), s = uint32_t(fp[in->a]), n = uint32_t(fp[in->b]);
  if constexpr (kFuel) CHARGE(n / kBulkBytesPerFuel);
  if (!InBounds(d, n, mem_size) || !InBounds(s, n, mem_size)) [[unlikely]]
    TRAP(MemoryOutOfBounds);
  Memory::MarkDirty(mem, d, n);
  std::memmove(mem + d, mem + s, n);
  NEXT(InstrRRRR);
}
template <bool kFuel>
HANDLER(MemoryInit) {  // copy data segment c [a, a+b) to d
  auto* in = As<InstrRRRR>(ip);
  uint64_t d = uint32_t(fp[in->d]), s = uint32_t(fp[in->a]), n = uint32_t(fp[in->b]);
  if constexpr (kFuel) CHARGE(n / kBulkBytesPerFuel);
  std::span<const uint8_t> seg = ctx->data_segment(in->c);
  if (!InBounds(d, n, mem_size) || !InBounds(s, n, seg.size())) [[unlikely]]
    TRAP(MemoryOutOfBounds);
  Memory::MarkDirty(mem, d, n);
  if (n != 0) std::memcpy(mem + d, seg.data() + s, n);  // a dropped segment has no data()
  NEXT(InstrRRRR);
}
HANDLER(DataDrop) {
  auto* in = As<InstrR>(ip);
  ctx->drop_data_segment(in->a);
  NEXT(InstrR);
}

// ---- Tables ----

HANDLER(TableGet) {  // d = table[b][a]
  auto* in = As<InstrRRR>(ip);
  Table* t = ctx->tables[in->b];
  uint32_t i = uint32_t(fp[in->a]);
  if (i >= t->size()) [[unlikely]] TRAP(TableOutOfBounds);
  fp[in->d] = reinterpret_cast<uintptr_t>(t->data()[i]);
  NEXT(InstrRRR);
}
HANDLER(TableSet) {  // table[b][d] = a
  auto* in = As<InstrRRR>(ip);
  Table* t = ctx->tables[in->b];
  uint32_t i = uint32_t(fp[in->d]);
  if (i >= t->size()) [[unlikely]] TRAP(TableOutOfBounds);
  t->data()[i] = reinterpret_cast<Ref>(uintptr_t(fp[in->a]));
  NEXT(InstrRRR);
}
HANDLER(TableSize) {  // d = size(table a)
  auto* in = As<InstrRR>(ip);
  fp[in->d] = ctx->tables[in->a]->size();
  NEXT(InstrRR);
}
HANDLER(TableGrow) {  // d = grow(table c, by b, with a)
  auto* in = As<InstrRRRR>(ip);
  Table* t = ctx->tables[in->c];
  auto old = t->Grow(uint32_t(fp[in->b]), reinterpret_cast<Ref>(uintptr_t(fp[in->a])));
  fp[in->d] = old ? *old : 0xffffffffu;
  NEXT(InstrRRRR);
}
template <bool kFuel>
HANDLER(TableFill) {  // table c [d, d+b) = a
  auto* in = As<InstrRRRR>(ip);
  Table* t = ctx->tables[in->c];
  uint64_t d = uint32_t(fp[in->d]), n = uint32_t(fp[in->b]);
  if constexpr (kFuel) CHARGE(n / kBulkBytesPerFuel);
  if (!InBounds(d, n, t->size())) [[unlikely]] TRAP(TableOutOfBounds);
  std::fill_n(t->data() + d, n, reinterpret_cast<Ref>(uintptr_t(fp[in->a])));
  NEXT(InstrRRRR);
}
template <bool kFuel>
HANDLER(TableCopy) {  // table c [d, d+b) = table e [a, a+b)
  auto* in = As<InstrRRRRR>(ip);
  Table* dst = ctx->tables[in->c];
  Table* src = ctx->tables[in->e];
  uint64_t d = uint32_t(fp[in->d]), s = uint32_t(fp[in->a]), n = uint32_t(fp[in->b]);
  if constexpr (kFuel) CHARGE(n / kBulkBytesPerFuel);
  if (!InBounds(d, n, dst->size()) || !InBounds(s, n, src->size())) [[unlikely]]
    TRAP(TableOutOfBounds);
  if (n != 0) std::memmove(dst->data() + d, src->data() + s, n * sizeof(Ref));  // empty: null
  NEXT(InstrRRRRR);
}
template <bool kFuel>
HANDLER(TableInit) {  // table c [d, d+b) = elem segment e [a, a+b)
  auto* in = As<InstrRRRRR>(ip);
  Table* t = ctx->tables[in->c];
  std::span<const Ref> seg = ctx->elem_segment(in->e);
  uint64_t d = uint32_t(fp[in->d]), s = uint32_t(fp[in->a]), n = uint32_t(fp[in->b]);
  if constexpr (kFuel) CHARGE(n / kBulkBytesPerFuel);
  if (!InBounds(d, n, t->size()) || !InBounds(s, n, seg.size())) [[unlikely]]
    TRAP(TableOutOfBounds);
  std::copy_n(seg.data() + s, n, t->data() + d);
  NEXT(InstrRRRRR);
}
HANDLER(ElemDrop) {
  auto* in = As<InstrR>(ip);
  ctx->drop_elem_segment(in->a);
  NEXT(InstrR);
}

// ---- Tables for the compiler ----

// Fills one table row's handler variants from its kind.
struct GenericTable {
  std::array<GenericHandlers, size_t(Opcode::kCount)> rows{};

  template <auto Fn, bool kTrap, Loc kA, Loc kD>
  static Handler UnaryVariant() {
    if constexpr (kTrap) return &UnaryTrap<Fn, kA, kD>;
    else return &interp::Unary<Fn, kA, kD>;
  }
  template <auto Fn, bool kTrap>
  void Unary(GenericHandlers& g) {
    g.rr[0][0] = UnaryVariant<Fn, kTrap, Loc::Slot, Loc::Slot>();
    g.rr[0][1] = UnaryVariant<Fn, kTrap, Loc::Slot, Loc::Acc>();
    g.rr[1][0] = UnaryVariant<Fn, kTrap, Loc::Acc, Loc::Slot>();
    g.rr[1][1] = UnaryVariant<Fn, kTrap, Loc::Acc, Loc::Acc>();
  }
  template <auto Fn, bool kTrap, Pair kP, Loc kD>
  static Handler PairVariant() {
    if constexpr (kTrap) return &BinaryTrapRRR<Fn, kP, kD>;
    else return &BinaryRRR<Fn, kP, kD>;
  }
  template <auto Fn, bool kTrap, Loc kA, Loc kD>
  static Handler ImmVariant() {
    if constexpr (kTrap) return &BinaryTrapRRI<Fn, kA, kD>;
    else return &BinaryRRI<Fn, kA, kD>;
  }
  template <auto Fn, bool kTrap, Pair kP>
  void BinaryPair(GenericHandlers& g) {
    g.rrr[int(kP)][0] = PairVariant<Fn, kTrap, kP, Loc::Slot>();
    g.rrr[int(kP)][1] = PairVariant<Fn, kTrap, kP, Loc::Acc>();
  }
  template <auto Fn, bool kTrap, Loc kA>
  void BinaryImm(GenericHandlers& g) {
    g.rri[int(kA)][0] = ImmVariant<Fn, kTrap, kA, Loc::Slot>();
    g.rri[int(kA)][1] = ImmVariant<Fn, kTrap, kA, Loc::Acc>();
  }
  template <auto Fn, AddrMode kMode, Loc kX>
  void BinaryMem(GenericHandlers& g) {
    const int m = kMode == AddrMode::Slot ? 0 : 1;
    g.rrm[m][int(kX)][0] = &BinaryRRM<Fn, kMode, kX, Loc::Slot>;
    g.rrm[m][int(kX)][1] = &BinaryRRM<Fn, kMode, kX, Loc::Acc>;
  }
  template <auto Fn, bool kTrap>
  void Binary(GenericHandlers& g) {
    BinaryPair<Fn, kTrap, Pair::SS>(g);
    BinaryPair<Fn, kTrap, Pair::AS>(g);
    BinaryPair<Fn, kTrap, Pair::SA>(g);
    BinaryImm<Fn, kTrap, Loc::Slot>(g);
    BinaryImm<Fn, kTrap, Loc::Acc>(g);
    if constexpr (!kTrap) {  // trapping ones (division) keep their load separate: rare enough
      BinaryMem<Fn, AddrMode::Slot, Loc::Slot>(g);
      BinaryMem<Fn, AddrMode::Slot, Loc::Acc>(g);
      BinaryMem<Fn, AddrMode::AddImm, Loc::Slot>(g);
      BinaryMem<Fn, AddrMode::AddImm, Loc::Acc>(g);
    }
  }
  template <auto Fn, unsigned kWidth, AddrMode kMode>
  void LoadMode(GenericHandlers& g) {
    g.load[int(kMode)][0] = &interp::Load<Fn, kWidth, kMode, Loc::Slot>;
    g.load[int(kMode)][1] = &interp::Load<Fn, kWidth, kMode, Loc::Acc>;
  }
  template <auto Fn, unsigned kWidth>
  void Load(GenericHandlers& g) {
    LoadMode<Fn, kWidth, AddrMode::Slot>(g);
    LoadMode<Fn, kWidth, AddrMode::AddImm>(g);
    LoadMode<Fn, kWidth, AddrMode::Add>(g);
    LoadMode<Fn, kWidth, AddrMode::Const>(g);
    LoadMode<Fn, kWidth, AddrMode::Acc>(g);
    LoadMode<Fn, kWidth, AddrMode::AccAddImm>(g);
  }
  template <auto Fn, unsigned kWidth, AddrMode kMode>
  void StoreMode(GenericHandlers& g) {
    g.store[int(kMode)][0] = &interp::Store<Fn, kWidth, kMode, ValueSrc::Slot>;
    g.store[int(kMode)][1] = &interp::Store<Fn, kWidth, kMode, ValueSrc::Acc>;
    g.store[int(kMode)][2] = &interp::Store<Fn, kWidth, kMode, ValueSrc::Imm32>;
  }
  template <auto Fn, unsigned kWidth>
  void Store(GenericHandlers& g) {
    StoreMode<Fn, kWidth, AddrMode::Slot>(g);
    StoreMode<Fn, kWidth, AddrMode::AddImm>(g);
    StoreMode<Fn, kWidth, AddrMode::Add>(g);
    StoreMode<Fn, kWidth, AddrMode::Const>(g);
    StoreMode<Fn, kWidth, AddrMode::Acc>(g);
    StoreMode<Fn, kWidth, AddrMode::AccAddImm>(g);
    g.store_imm = &StoreImm<Fn, kWidth>;
  }

  GenericTable() {
#define GENERIC_Special(Name, Width)
#define GENERIC_Unary(Name, Width) Unary<&ops::Name, false>(rows[size_t(Opcode::Name)]);
#define GENERIC_UnaryTrap(Name, Width) Unary<&ops::Name, true>(rows[size_t(Opcode::Name)]);
#define GENERIC_Binary(Name, Width) Binary<&ops::Name, false>(rows[size_t(Opcode::Name)]);
#define GENERIC_BinaryTrap(Name, Width) Binary<&ops::Name, true>(rows[size_t(Opcode::Name)]);
#define GENERIC_Load(Name, Width) Load<&ops::Name, Width>(rows[size_t(Opcode::Name)]);
#define GENERIC_Store(Name, Width) Store<&ops::Name, Width>(rows[size_t(Opcode::Name)]);
#define PHAT_OPCODE(Name, Prefix, Code, Text, Kind, In1, In2, Out, Width, Features, Fuel) \
  GENERIC_##Kind(Name, Width)
#include "wasm/opcodes.def"
#undef PHAT_OPCODE
  }
};

template <bool kFuel>
ControlHandlers MakeControl() {
  return ControlHandlers{
      .enter = &Enter<kFuel, false>,
      .enter_zeroing = &Enter<kFuel, true>,
      .br = &Br<kFuel>,
      .br_table = &BrTable<kFuel>,
      .br_if_nez = {&BrIf<kFuel, true, uint32_t, Loc::Slot>, &BrIf<kFuel, true, uint32_t, Loc::Acc>},
      .br_if_eqz = {&BrIf<kFuel, false, uint32_t, Loc::Slot>, &BrIf<kFuel, false, uint32_t, Loc::Acc>},
      .br_if_nez64 = {&BrIf<kFuel, true, uint64_t, Loc::Slot>, &BrIf<kFuel, true, uint64_t, Loc::Acc>},
      .br_if_eqz64 = {&BrIf<kFuel, false, uint64_t, Loc::Slot>, &BrIf<kFuel, false, uint64_t, Loc::Acc>},
      .ret = &Ret,
      .ret1 = {&Ret1<Loc::Slot>, &Ret1<Loc::Acc>},
      .call = &Call<kFuel>,
      .call_import = &CallImport,
      .call_indirect = &CallIndirect,
      .memory_fill = &MemoryFill<kFuel>,
      .memory_copy = &MemoryCopy<kFuel>,
      .memory_init = &MemoryInit<kFuel>,
      .table_fill = &TableFill<kFuel>,
      .table_copy = &TableCopy<kFuel>,
      .table_init = &TableInit<kFuel>,
  };
}

const DataHandlers kData{
    .copy = &Copy,
    .copy_n = &CopyN,
    .const32 = &Const32,
    .const64 = &Const64,
    .select = {&Select<Loc::Slot>, &Select<Loc::Acc>},
    .unreachable = &Unreachable,
    .global_get = &GlobalGet<Loc::Slot>,
    .global_set = {&GlobalSet<Loc::Slot>, &GlobalSet<Loc::Acc>},
    .memory_size = &MemorySize,
    .memory_grow = &MemoryGrow,
    .data_drop = &DataDrop,
    .table_get = &TableGet,
    .table_set = &TableSet,
    .table_size = &TableSize,
    .table_grow = &TableGrow,
    .elem_drop = &ElemDrop,
    .ref_func = &RefFunc,
    .ref_is_null = &RefIsNull,
};

}  // namespace

const GenericHandlers& HandlersFor(Opcode op) {
  static const GenericTable table;
  return table.rows[size_t(op)];
}

template <auto Fn, bool kFuel>
Handler BrCmpVariant(bool imm, Pair srcs) {
  if (imm) return srcs == Pair::AS ? &BrCmp<Fn, true, Pair::AS, kFuel> : &BrCmp<Fn, true, Pair::SS, kFuel>;
  switch (srcs) {
    case Pair::SS: return &BrCmp<Fn, false, Pair::SS, kFuel>;
    case Pair::AS: return &BrCmp<Fn, false, Pair::AS, kFuel>;
    case Pair::SA: return &BrCmp<Fn, false, Pair::SA, kFuel>;
  }
  return nullptr;
}

Handler BrCmpHandler(Opcode compare, bool imm, Pair srcs, bool fuel) {
  switch (compare) {
#define PHAT_COMPARE(Op, Inverse, Swapped)                                              \
  case Opcode::Op:                                                                      \
    return fuel ? BrCmpVariant<&ops::Op, true>(imm, srcs) : BrCmpVariant<&ops::Op, false>(imm, srcs);
#define PHAT_OPCODE(...)
#include "wasm/opcodes.def"
#undef PHAT_OPCODE
#undef PHAT_COMPARE
    default:
      return nullptr;
  }
}

template <auto Fn, bool kAddSlot, bool kFuel>
Handler AddBrCmpVariant(bool imm) {
  return imm ? &AddBrCmp<Fn, kAddSlot, true, kFuel> : &AddBrCmp<Fn, kAddSlot, false, kFuel>;
}

Handler AddBrCmpHandler(Opcode compare, bool add_slot, bool imm, bool fuel) {
  switch (compare) {
#define PHAT_COMPARE(Op, Inverse, Swapped)                                                    \
  case Opcode::Op:                                                                            \
    if constexpr (std::is_same_v<ArgOf<&ops::Op, 0>, uint32_t>) {                             \
      if (add_slot) return fuel ? AddBrCmpVariant<&ops::Op, true, true>(imm) : AddBrCmpVariant<&ops::Op, true, false>(imm); \
      return fuel ? AddBrCmpVariant<&ops::Op, false, true>(imm) : AddBrCmpVariant<&ops::Op, false, false>(imm); \
    }                                                                                         \
    return nullptr;
#define PHAT_OPCODE(...)
#include "wasm/opcodes.def"
#undef PHAT_OPCODE
#undef PHAT_COMPARE
    default:
      return nullptr;
  }
}

const ControlHandlers& Control(bool fuel) {
  static const ControlHandlers with_fuel = MakeControl<true>();
  static const ControlHandlers without_fuel = MakeControl<false>();
  return fuel ? with_fuel : without_fuel;
}

const DataHandlers& Data() { return kData; }

const Instr* ExitInstr() { return &kExit; }

Status Run(const Instr* ip, uint64_t* fp, ExecContext* ctx, int64_t fuel) {
  return ip->handler(ip, fp, ctx->memory_base(), ctx->memory->size(), fuel, ctx, 0);
}

namespace {

struct HandlerCatalog {
  std::map<Handler, HandlerInfo> infos;
  std::map<Handler, Handler> acc_twins;

  void Add(Handler h, HandlerInfo info) {
    if (h) infos[h] = info;
  }
  void Twin(Handler to_slot, Handler to_acc) {
    if (to_slot && to_acc) acc_twins[to_slot] = to_acc;
  }

  void AddGeneric(const GenericHandlers& g, const OpcodeInfo& info) {
    for (int a = 0; a < 2; ++a) {
      for (int d = 0; d < 2; ++d) Add(g.rr[a][d], {info.text, Shape::RR, 0, uint8_t(a), d == 1});
      Twin(g.rr[a][0], g.rr[a][1]);
      Shape imm_shape = info.in2 == OpType::I64 || info.in2 == OpType::F64 ? Shape::RRI64 : Shape::RRI32;
      for (int d = 0; d < 2; ++d) Add(g.rri[a][d], {info.text, imm_shape, 0, uint8_t(a), d == 1});
      Twin(g.rri[a][0], g.rri[a][1]);
    }
    for (int m = 0; m < 2; ++m) {
      for (int x = 0; x < 2; ++x) {
        for (int d = 0; d < 2; ++d)
          Add(g.rrm[m][x][d], {info.text, Shape::RRM, 0, uint8_t(x), d == 1, m ? AddrMode::AddImm : AddrMode::Slot});
        Twin(g.rrm[m][x][0], g.rrm[m][x][1]);
      }
    }
    static constexpr uint8_t kPairAcc[] = {0, 1, 2};
    for (int p = 0; p < 3; ++p) {
      for (int d = 0; d < 2; ++d) Add(g.rrr[p][d], {info.text, Shape::RRR, 0, kPairAcc[p], d == 1});
      Twin(g.rrr[p][0], g.rrr[p][1]);
    }
    for (int m = 0; m < kAddrModes; ++m) {
      for (int d = 0; d < 2; ++d) Add(g.load[m][d], {info.text, Shape::Load, 0, 0, d == 1, AddrMode(m)});
      Twin(g.load[m][0], g.load[m][1]);
      for (int v = 0; v < 3; ++v)
        Add(g.store[m][v], {info.text, Shape::Store, 0, 0, false, AddrMode(m), ValueSrc(v)});
    }
    Add(g.store_imm, {info.text, Shape::StoreImm});
    for (bool fuel : {false, true}) {
      for (Pair p : {Pair::SS, Pair::AS, Pair::SA}) {
        Add(BrCmpHandler(kOpcode(info), false, p, fuel), {info.text, Shape::BrCmp, 0, kPairAcc[int(p)]});
        if (p != Pair::SA)
          Add(BrCmpHandler(kOpcode(info), true, p, fuel), {info.text, Shape::BrCmp, 2, kPairAcc[int(p)]});
      }
      for (bool add_slot : {false, true}) {
        for (bool imm : {false, true}) {
          uint8_t imms = uint8_t((add_slot ? 0 : 1) | (imm ? 2 : 0));
          Add(AddBrCmpHandler(kOpcode(info), add_slot, imm, fuel), {info.text, Shape::AddBrCmp, imms});
        }
      }
    }
  }
  static Opcode kOpcode(const OpcodeInfo& info) { return Opcode(&info - kOpcodeInfo.data()); }

  HandlerCatalog() {
    for (size_t i = 0; i < size_t(Opcode::kCount); ++i) AddGeneric(HandlersFor(Opcode(i)), kOpcodeInfo[i]);
    for (bool fuel : {false, true}) {
      const ControlHandlers& c = Control(fuel);
      Add(c.enter, {"enter", Shape::Enter});
      Add(c.enter_zeroing, {"enter", Shape::Enter});
      Add(c.br, {"br", Shape::Br});
      Add(c.br_table, {"br_table", Shape::BrTable});
      for (int l = 0; l < 2; ++l) {
        Add(c.br_if_nez[l], {"br_if", Shape::BrIf, 0, uint8_t(l)});
        Add(c.br_if_nez64[l], {"br_if", Shape::BrIf, 0, uint8_t(l)});
        Add(c.br_if_eqz[l], {"br_unless", Shape::BrIf, 0, uint8_t(l)});
        Add(c.br_if_eqz64[l], {"br_unless", Shape::BrIf, 0, uint8_t(l)});
        Add(c.ret1[l], {"return", Shape::R, 0, uint8_t(l)});
      }
      Add(c.ret, {"return", Shape::None});
      Add(c.call, {"call", Shape::Call});
      Add(c.call_import, {"call_import", Shape::CallImport});
      Add(c.call_indirect, {"call_indirect", Shape::CallIndirect});
      Add(c.memory_fill, {"memory.fill", Shape::RRRR});
      Add(c.memory_copy, {"memory.copy", Shape::RRRR});
      Add(c.memory_init, {"memory.init", Shape::RRRR});
      Add(c.table_fill, {"table.fill", Shape::RRRR});
      Add(c.table_copy, {"table.copy", Shape::RRRRR});
      Add(c.table_init, {"table.init", Shape::RRRRR});
    }
    const DataHandlers& d = Data();
    Add(d.copy, {"copy", Shape::RR});
    Add(d.copy_n, {"copy", Shape::CopyN});
    Add(d.const32, {"const", Shape::Const32});
    Add(d.const64, {"const", Shape::Const64});
    Add(d.select[0], {"select", Shape::RRRR});
    Add(d.select[1], {"select", Shape::RRRR, 0, 4});
    Add(d.unreachable, {"unreachable", Shape::None});
    Add(d.global_get, {"global.get", Shape::Global});
    Add(&GlobalGet<Loc::Acc>, {"global.get", Shape::Global, 0, 0, true});
    Twin(d.global_get, &GlobalGet<Loc::Acc>);
    Add(d.global_set[0], {"global.set", Shape::Global});
    Add(d.global_set[1], {"global.set", Shape::Global, 0, 1});
    Add(d.memory_size, {"memory.size", Shape::R});
    Add(d.memory_grow, {"memory.grow", Shape::RR});
    Add(d.data_drop, {"data.drop", Shape::R});
    Add(d.table_get, {"table.get", Shape::RRR});
    Add(d.table_set, {"table.set", Shape::RRR});
    Add(d.table_size, {"table.size", Shape::RR});
    Add(d.table_grow, {"table.grow", Shape::RRRR});
    Add(d.elem_drop, {"elem.drop", Shape::R});
    Add(d.ref_func, {"ref.func", Shape::RR});
    Add(d.ref_is_null, {"ref.is_null", Shape::RR});
    Add(&Exit, {"exit", Shape::None});
  }
};

const HandlerCatalog& Catalog() {
  static const HandlerCatalog catalog;
  return catalog;
}

}  // namespace

const HandlerInfo* Describe(Handler h) {
  auto it = Catalog().infos.find(h);
  return it == Catalog().infos.end() ? nullptr : &it->second;
}

Handler AccTwin(Handler h) {
  auto it = Catalog().acc_twins.find(h);
  return it == Catalog().acc_twins.end() ? nullptr : it->second;
}

}  // namespace phat::wasm::interp
