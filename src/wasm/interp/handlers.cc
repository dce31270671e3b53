// The interpreter: one small function per internal instruction, each ending in a guaranteed
// tail call to the next (no central loop, no recursion on Wasm calls). The hot state (ip, frame
// pointer, memory base and size, fuel) travels in registers as the handlers' arguments; rare
// paths (traps, host calls, memory.grow) leave through out-of-line helpers.
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
#define DISPATCH() [[clang::musttail]] return ip->handler(ip, fp, mem, mem_size, fuel, ctx)
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
#define CHARGE(amount)                                      \
  do {                                                      \
    fuel -= (amount);                                       \
    if (fuel < 0) [[unlikely]] return OutOfFuel(ctx, fuel); \
  } while (0)
#define RELOAD_MEMORY()             \
  do {                              \
    mem = ctx->memory->data();      \
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
  return Status::OutOfFuel;
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

// ---- Generic handlers, instantiated per table row ----

template <auto Fn>
HANDLER(Unary) {
  using T = FnTraits<decltype(Fn)>;
  auto* in = As<InstrRR>(ip);
  fp[in->d] = ToSlot(Fn(FromSlot<typename T::template Arg<0>>(fp[in->a])));
  NEXT(InstrRR);
}

template <auto Fn>
HANDLER(UnaryTrap) {
  using T = FnTraits<decltype(Fn)>;
  auto* in = As<InstrRR>(ip);
  auto r = Fn(FromSlot<typename T::template Arg<0>>(fp[in->a]));
  if (r.trapped) [[unlikely]] return Trap(ctx, fuel, r.trap);
  fp[in->d] = ToSlot(r.value);
  NEXT(InstrRR);
}

template <auto Fn>
HANDLER(BinaryRRR) {
  using T = FnTraits<decltype(Fn)>;
  auto* in = As<InstrRRR>(ip);
  fp[in->d] = ToSlot(Fn(FromSlot<typename T::template Arg<0>>(fp[in->a]),
                        FromSlot<typename T::template Arg<1>>(fp[in->b])));
  NEXT(InstrRRR);
}

template <auto Fn>
HANDLER(BinaryRRI) {
  using T = FnTraits<decltype(Fn)>;
  using B = typename T::template Arg<1>;
  auto* in = As<InstrRRI<B>>(ip);
  fp[in->d] = ToSlot(Fn(FromSlot<typename T::template Arg<0>>(fp[in->a]), in->imm));
  NEXT(InstrRRI<B>);
}

template <auto Fn>
HANDLER(BinaryTrapRRR) {
  using T = FnTraits<decltype(Fn)>;
  auto* in = As<InstrRRR>(ip);
  auto r = Fn(FromSlot<typename T::template Arg<0>>(fp[in->a]),
              FromSlot<typename T::template Arg<1>>(fp[in->b]));
  if (r.trapped) [[unlikely]] return Trap(ctx, fuel, r.trap);
  fp[in->d] = ToSlot(r.value);
  NEXT(InstrRRR);
}

template <auto Fn>
HANDLER(BinaryTrapRRI) {
  using T = FnTraits<decltype(Fn)>;
  using B = typename T::template Arg<1>;
  auto* in = As<InstrRRI<B>>(ip);
  auto r = Fn(FromSlot<typename T::template Arg<0>>(fp[in->a]), in->imm);
  if (r.trapped) [[unlikely]] return Trap(ctx, fuel, r.trap);
  fp[in->d] = ToSlot(r.value);
  NEXT(InstrRRI<B>);
}

// How a memory access finds its address (see InstrLoad). The 32-bit part wraps like the i32.add
// it replaces; the static offset is then added in 64 bits, so address + offset cannot wrap.
enum class AddrMode { Slot, AddImm, Add, Const };

template <AddrMode kMode, typename In>
inline uint64_t EffectiveAddress(const In* in, const uint64_t* fp) {
  uint32_t base;
  if constexpr (kMode == AddrMode::Slot) base = uint32_t(fp[in->a]);
  else if constexpr (kMode == AddrMode::AddImm) base = uint32_t(fp[in->a]) + in->b;
  else if constexpr (kMode == AddrMode::Add) base = uint32_t(fp[in->a]) + uint32_t(fp[in->b]);
  else base = in->b;
  return uint64_t(base) + in->offset;
}

template <auto Fn, unsigned kWidth, AddrMode kMode>
HANDLER(Load) {
  auto* in = As<InstrLoad>(ip);
  uint64_t ea = EffectiveAddress<kMode>(in, fp);
  if (ea + kWidth > mem_size) [[unlikely]] TRAP(MemoryOutOfBounds);
  fp[in->d] = ToSlot(Fn(mem + ea));
  NEXT(InstrLoad);
}

// The value is slot v, or with kImm the 32-bit immediate v, zero-extended.
template <auto Fn, unsigned kWidth, AddrMode kMode, bool kImm>
HANDLER(Store) {
  using T = FnTraits<decltype(Fn)>;
  auto* in = As<InstrStore>(ip);
  uint64_t ea = EffectiveAddress<kMode>(in, fp);
  if (ea + kWidth > mem_size) [[unlikely]] TRAP(MemoryOutOfBounds);
  Fn(mem + ea, FromSlot<typename T::template Arg<1>>(kImm ? uint64_t(in->v) : fp[in->v]));
  NEXT(InstrStore);
}

template <auto Fn, unsigned kWidth>
HANDLER(StoreImm) {
  using T = FnTraits<decltype(Fn)>;
  auto* in = As<InstrStoreImm>(ip);
  uint64_t ea = uint64_t(uint32_t(fp[in->a])) + in->offset;
  if (ea + kWidth > mem_size) [[unlikely]] TRAP(MemoryOutOfBounds);
  Fn(mem + ea, FromSlot<typename T::template Arg<1>>(in->value));
  NEXT(InstrStoreImm);
}

// ---- Branches ----

template <bool kFuel>
HANDLER(Br) {
  auto* in = As<InstrBr>(ip);
  if constexpr (kFuel) CHARGE(in->fuel);
  JUMP(in->offset);
}

template <bool kFuel, bool kWhenNonZero, typename T>
HANDLER(BrIf) {
  auto* in = As<InstrBrIf>(ip);
  bool nonzero = static_cast<T>(fp[in->cond]) != 0;
  if (nonzero == kWhenNonZero) {
    if constexpr (kFuel) CHARGE(in->fuel_taken);
    JUMP(in->offset);
  }
  if constexpr (kFuel) CHARGE(in->fuel_fall);
  NEXT(InstrBrIf);
}

template <auto Fn, bool kImm, bool kFuel>
HANDLER(BrCmp) {
  using A = typename FnTraits<decltype(Fn)>::template Arg<0>;
  auto* in = As<InstrBrCmp>(ip);
  A a = static_cast<A>(fp[in->a]);
  A b;
  if constexpr (kImm) b = static_cast<A>(static_cast<int64_t>(static_cast<int32_t>(in->b)));
  else b = static_cast<A>(fp[in->b]);
  if (Fn(a, b)) {
    if constexpr (kFuel) CHARGE(in->fuel_taken);
    JUMP(in->offset);
  }
  if constexpr (kFuel) CHARGE(in->fuel_fall);
  NEXT(InstrBrCmp);
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
  if (fp + in->frame_slots > ctx->stack_end) [[unlikely]] TRAP(CallStackExhausted);
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

HANDLER(Ret1) {
  auto* in = As<InstrR>(ip);
  fp[0] = fp[in->a];
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
  if (f == ctx->frame_end || callee_fp + callee->frame_slots > ctx->stack_end) [[unlikely]]
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
HANDLER(Select) {  // d = c ? a : b
  auto* in = As<InstrRRRR>(ip);
  fp[in->d] = uint32_t(fp[in->c]) != 0 ? fp[in->a] : fp[in->b];
  NEXT(InstrRRRR);
}
HANDLER(Unreachable) { TRAP(Unreachable); }
HANDLER(GlobalGet) {
  auto* in = As<InstrGlobal>(ip);
  fp[in->a] = *ctx->globals[in->global];
  NEXT(InstrGlobal);
}
HANDLER(GlobalSet) {
  auto* in = As<InstrGlobal>(ip);
  *ctx->globals[in->global] = fp[in->a];
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

struct GenericTable {
  std::array<GenericHandlers, size_t(Opcode::kCount)> rows{};
  GenericTable() {
    using namespace ops;
#define GENERIC_Special(Name, Width)
#define GENERIC_Unary(Name, Width) rows[size_t(Opcode::Name)].rr = &Unary<&ops::Name>;
#define GENERIC_UnaryTrap(Name, Width) rows[size_t(Opcode::Name)].rr = &UnaryTrap<&ops::Name>;
#define GENERIC_Binary(Name, Width)                                    \
  rows[size_t(Opcode::Name)].rrr = &BinaryRRR<&ops::Name>;             \
  rows[size_t(Opcode::Name)].rri = &BinaryRRI<&ops::Name>;
#define GENERIC_BinaryTrap(Name, Width)                                \
  rows[size_t(Opcode::Name)].rrr = &BinaryTrapRRR<&ops::Name>;         \
  rows[size_t(Opcode::Name)].rri = &BinaryTrapRRI<&ops::Name>;
#define GENERIC_Load(Name, Width)                                                    \
  rows[size_t(Opcode::Name)].load = &Load<&ops::Name, Width, AddrMode::Slot>;         \
  rows[size_t(Opcode::Name)].load_add_imm = &Load<&ops::Name, Width, AddrMode::AddImm>; \
  rows[size_t(Opcode::Name)].load_add = &Load<&ops::Name, Width, AddrMode::Add>;      \
  rows[size_t(Opcode::Name)].load_abs = &Load<&ops::Name, Width, AddrMode::Const>;
#define GENERIC_Store(Name, Width)                                                           \
  rows[size_t(Opcode::Name)].store = &Store<&ops::Name, Width, AddrMode::Slot, false>;          \
  rows[size_t(Opcode::Name)].store_add_imm = &Store<&ops::Name, Width, AddrMode::AddImm, false>; \
  rows[size_t(Opcode::Name)].store_add = &Store<&ops::Name, Width, AddrMode::Add, false>;       \
  rows[size_t(Opcode::Name)].store_abs = &Store<&ops::Name, Width, AddrMode::Const, false>;     \
  rows[size_t(Opcode::Name)].store_imm32[0] = &Store<&ops::Name, Width, AddrMode::Slot, true>;  \
  rows[size_t(Opcode::Name)].store_imm32[1] = &Store<&ops::Name, Width, AddrMode::AddImm, true>; \
  rows[size_t(Opcode::Name)].store_imm32[2] = &Store<&ops::Name, Width, AddrMode::Add, true>;   \
  rows[size_t(Opcode::Name)].store_imm32[3] = &Store<&ops::Name, Width, AddrMode::Const, true>; \
  rows[size_t(Opcode::Name)].store_imm = &StoreImm<&ops::Name, Width>;
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
      .br_if_nez = &BrIf<kFuel, true, uint32_t>,
      .br_if_eqz = &BrIf<kFuel, false, uint32_t>,
      .br_if_nez64 = &BrIf<kFuel, true, uint64_t>,
      .br_if_eqz64 = &BrIf<kFuel, false, uint64_t>,
      .br_table = &BrTable<kFuel>,
      .ret = &Ret,
      .ret1 = &Ret1,
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
    .const32 = &Const32,
    .const64 = &Const64,
    .select = &Select,
    .unreachable = &Unreachable,
    .global_get = &GlobalGet,
    .global_set = &GlobalSet,
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

Handler BrCmpHandler(Opcode compare, bool imm, bool fuel) {
  switch (compare) {
#define PHAT_COMPARE(Op, Inverse, Swapped)                                         \
  case Opcode::Op:                                                                 \
    if (fuel) return imm ? &BrCmp<&ops::Op, true, true> : &BrCmp<&ops::Op, false, true>; \
    return imm ? &BrCmp<&ops::Op, true, false> : &BrCmp<&ops::Op, false, false>;
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
  return ip->handler(ip, fp, ctx->memory->data(), ctx->memory->size(), fuel, ctx);
}

const HandlerInfo* Describe(Handler h) {
  static const std::map<Handler, HandlerInfo> infos = [] {
    std::map<Handler, HandlerInfo> m;
    for (size_t i = 0; i < size_t(Opcode::kCount); ++i) {
      const GenericHandlers& g = HandlersFor(Opcode(i));
      const OpcodeInfo& info = kOpcodeInfo[i];
      if (g.rr) m[g.rr] = {info.text, Shape::RR};
      if (g.rrr) m[g.rrr] = {info.text, Shape::RRR};
      if (g.rri)
        m[g.rri] = {info.text, info.in2 == OpType::I64 || info.in2 == OpType::F64 ? Shape::RRI64 : Shape::RRI32};
      if (g.load) {
        m[g.load] = {info.text, Shape::Load};
        m[g.load_add_imm] = {info.text, Shape::LoadAddImm};
        m[g.load_add] = {info.text, Shape::LoadAdd};
        m[g.load_abs] = {info.text, Shape::LoadAbs};
      }
      if (g.store) {
        m[g.store] = {info.text, Shape::Store};
        m[g.store_add_imm] = {info.text, Shape::StoreAddImm};
        m[g.store_add] = {info.text, Shape::StoreAdd};
        m[g.store_abs] = {info.text, Shape::StoreAbs};
        m[g.store_imm] = {info.text, Shape::StoreImm};
        static constexpr Shape kImm32[] = {Shape::StoreI32Imm, Shape::StoreI32ImmAddImm,
                                           Shape::StoreI32ImmAdd, Shape::StoreI32ImmAbs};
        for (int i = 0; i < 4; ++i) m[g.store_imm32[i]] = {info.text, kImm32[i]};
      }
      for (bool fuel : {false, true}) {
        for (bool imm : {false, true}) {
          if (Handler b = BrCmpHandler(Opcode(i), imm, fuel))
            m[b] = {info.text, imm ? Shape::BrCmpImm : Shape::BrCmp};
        }
      }
    }
    for (bool fuel : {false, true}) {
      const ControlHandlers& c = Control(fuel);
      m[c.enter] = m[c.enter_zeroing] = {"enter", Shape::Enter};
      m[c.br] = {"br", Shape::Br};
      m[c.br_if_nez] = m[c.br_if_nez64] = {"br_if", Shape::BrIf};
      m[c.br_if_eqz] = m[c.br_if_eqz64] = {"br_unless", Shape::BrIf};
      m[c.br_table] = {"br_table", Shape::BrTable};
      m[c.ret] = {"return", Shape::None};
      m[c.ret1] = {"return", Shape::R};
      m[c.call] = {"call", Shape::Call};
      m[c.call_import] = {"call_import", Shape::CallImport};
      m[c.call_indirect] = {"call_indirect", Shape::CallIndirect};
      m[c.memory_fill] = {"memory.fill", Shape::RRRR};
      m[c.memory_copy] = {"memory.copy", Shape::RRRR};
      m[c.memory_init] = {"memory.init", Shape::RRRR};
      m[c.table_fill] = {"table.fill", Shape::RRRR};
      m[c.table_copy] = {"table.copy", Shape::RRRRR};
      m[c.table_init] = {"table.init", Shape::RRRRR};
    }
    const DataHandlers& d = Data();
    m[d.copy] = {"copy", Shape::RR};
    m[d.const32] = {"const", Shape::Const32};
    m[d.const64] = {"const", Shape::Const64};
    m[d.select] = {"select", Shape::RRRR};
    m[d.unreachable] = {"unreachable", Shape::None};
    m[d.global_get] = {"global.get", Shape::Global};
    m[d.global_set] = {"global.set", Shape::Global};
    m[d.memory_size] = {"memory.size", Shape::R};
    m[d.memory_grow] = {"memory.grow", Shape::RR};
    m[d.data_drop] = {"data.drop", Shape::R};
    m[d.table_get] = {"table.get", Shape::RRR};
    m[d.table_set] = {"table.set", Shape::RRR};
    m[d.table_size] = {"table.size", Shape::RR};
    m[d.table_grow] = {"table.grow", Shape::RRRR};
    m[d.elem_drop] = {"elem.drop", Shape::R};
    m[d.ref_func] = {"ref.func", Shape::RR};
    m[d.ref_is_null] = {"ref.is_null", Shape::RR};
    m[&Exit] = {"exit", Shape::None};
    return m;
  }();
  auto it = infos.find(h);
  return it == infos.end() ? nullptr : &it->second;
}

}  // namespace phat::wasm::interp
