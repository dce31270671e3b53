// The internal code the compiler emits and the interpreter runs: a sequence of instructions,
// each a handler pointer followed by its operands. Operands are frame slots (8 bytes each: the
// function's locals, then its operand stack), immediates, and branch offsets relative to the
// instruction's start. Handlers end by tail-calling the next handler (clang's musttail with
// preserve_none), so the interpreter state below lives in registers, among it `acc`: a value
// one instruction hands to the very next one without a round trip through memory.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>

#include <cstdint>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "phat/wasm/error.h"
#include "phat/wasm/runtime.h"

#if !defined(__clang__) || __clang_major__ < 19
#error "phat's interpreter needs clang 19 or later (musttail + preserve_none); see scripts/setup"
#endif

#define PHAT_PRESERVE_NONE __attribute__((preserve_none))

namespace phat::wasm::interp {

enum class Status : uint32_t { Ok, Trap, OutOfFuel, HostFailed, Interrupted };

struct Instr;
struct ExecContext;

// Fuel is handed to running code a slice at a time (ExecContext::fuel_reserve): about a
// millisecond of work, so an interrupt is seen that soon.
inline constexpr int64_t kFuelSlice = int64_t(1) << 20;

#define PHAT_HANDLER_PARAMS                                                                   \
  const ::phat::wasm::interp::Instr *ip, uint64_t *fp, uint8_t *mem, uint64_t mem_size,       \
      int64_t fuel, ::phat::wasm::interp::ExecContext *ctx, uint64_t acc
using Handler = PHAT_PRESERVE_NONE Status (*)(PHAT_HANDLER_PARAMS);

struct Instr {
  Handler handler;
};

// A saved caller: where to continue, its frame, and its instance (calls may cross instances).
struct Frame {
  const Instr* ret_ip;
  uint64_t* fp;
  Instance* instance;
};

// What handlers reach through `ctx`: the current instance's parts, flattened for one load each,
// the limits, and where an execution leaves its outcome.
struct ExecContext {
  Instance* instance = nullptr;
  Memory* memory = nullptr;  // the current instance's memory 0 (an empty one if none)
  uint64_t* const* globals = nullptr;
  Table* const* tables = nullptr;
  Func* const* funcs = nullptr;
  Frame* frame_top = nullptr;
  Frame* frame_end = nullptr;
  uint64_t* stack_end = nullptr;
  Store* store = nullptr;
  uint64_t* reentry_slots = nullptr;  // during a host call: where a nested execution may start
  // The outcome, for Status values other than Ok.
  TrapKind trap = TrapKind::Unreachable;
  HostFailure host_failure;
  int64_t fuel = 0;  // fuel left when execution stopped
  // The budget beyond the running slice. Execution runs on slices of fuel so that it can look at
  // `interrupt` and the clock each time one runs out (Refuel), at no cost to the fast path.
  int64_t fuel_reserve = 0;
  const std::atomic<bool>* interrupt = nullptr;
  std::chrono::steady_clock::time_point interrupt_deadline =
      std::chrono::steady_clock::time_point::max();
  bool interrupted = false;
  int64_t fuel_left() const { return std::max<int64_t>(fuel, 0) + fuel_reserve; }

  void EnterInstance(Instance* inst) {
    instance = inst;
    memory = inst->memory0_ ? inst->memory0_ : EmptyMemory();
    globals = inst->global_cells_.data();
    tables = inst->tables_.data();
    funcs = inst->funcs_.data();
  }
  static Memory* EmptyMemory();
  uint8_t* memory_base() const { return memory->data_; }
  // Makes the value stack usable up to `needed` (it is committed as it grows); false if that is
  // past the configured maximum.
  [[gnu::noinline]] bool GrowStack(const uint64_t* needed);

  std::span<const uint8_t> data_segment(uint32_t i) const { return instance->datas_[i]; }
  void drop_data_segment(uint32_t i) { instance->datas_[i] = {}; }
  std::span<const Ref> elem_segment(uint32_t i) const { return instance->elems_[i]; }
  void drop_elem_segment(uint32_t i) { std::vector<Ref>().swap(instance->elems_[i]); }
};

// ---- Operand layouts: the handler, then operands; every instruction is a multiple of 8 bytes,
// and the destination slot, where there is one, comes first. ----
using Slot = uint32_t;

struct InstrR {
  Handler handler;   // one slot
  Slot a;
  uint32_t pad;
};
struct InstrRR {
  Handler handler;  // d = f(a)
  Slot d, a;
};
struct InstrRRR {
  Handler handler;  // d = f(a, b)
  Slot d, a, b;
  uint32_t pad;
};
template <typename Imm>
struct InstrRRI {
  Handler handler;  // d = f(a, imm)
  Slot d, a;
  Imm imm;
};
struct InstrRRRR {
  Handler handler;  // select, bulk memory and table operations
  Slot d, a, b, c;
};
struct InstrRRRRR {
  Handler handler;
  Slot d, a, b, c, e;
  uint32_t pad;
};
// Several copies in a row, done in order: count pairs (d, a) follow.
struct InstrCopyN {
  Handler handler;
  uint32_t count;
  uint32_t pad;
  struct Pair {
    Slot d, a;
  };
  const Pair* pairs() const { return reinterpret_cast<const Pair*>(this + 1); }
};
struct InstrConst32 {
  Handler handler;
  Slot d;
  uint32_t imm;
};
struct InstrConst64 {
  Handler handler;
  Slot d;
  uint32_t pad;
  uint64_t imm;
};
// Memory accesses. The address is slot a, or (a + b) and (a + imm b) wrapped to 32 bits as the
// folded i32.add would, or the constant b; the static offset is added in 64 bits after that.
struct InstrLoad {
  Handler handler;  // d = mem[address + offset]
  Slot d, a;
  uint32_t offset;
  uint32_t b;
};
struct InstrStore {
  Handler handler;  // mem[address + offset] = v (a slot, or an immediate for store_imm32)
  Slot a, v;
  uint32_t offset;
  uint32_t b;
};
// d = f(x, mem[address + offset]): a binary operation whose second operand is a full-width
// load (address: slot a, or a + imm b).
struct InstrRRM {
  Handler handler;
  Slot d, x;
  Slot a;
  uint32_t offset;
  uint32_t b;
  uint32_t pad;
};
struct InstrStoreImm {
  Handler handler;  // mem[a + offset] = value
  Slot a;
  uint32_t offset;
  uint64_t value;
};
struct InstrEnter {
  Handler handler;  // function prologue
  uint32_t zero_from;         // first declared (non-parameter) local
  uint32_t zero_count;        // number of declared locals, zeroed on entry
  uint32_t frame_slots;       // what the frame needs, checked against the stack's end
  int32_t fuel;               // cost of the entry block
};
// Branches charge the fuel of the block they enter (`fuel`, `fuel_taken`) and conditional ones
// also of the block they fall into (`fuel_fall`); the fields are zero without metering.
// Unconditional branch.
struct InstrBr {
  Handler handler;
  int32_t offset;
  int32_t fuel;
};
// Branch if a slot is non-zero (or zero). `fuel_fall` is the fall-through block's cost.
struct InstrBrIf {
  Handler handler;
  Slot cond;
  int32_t offset;
  int32_t fuel_taken;
  int32_t fuel_fall;
};
// Compare two slots, or a slot and an immediate, and branch: a compare fused with br_if / if.
struct InstrBrCmp {
  Handler handler;
  Slot a;
  Slot b;  // or the immediate, for the _imm variants (i32 value; i64 sign-extended)
  int32_t offset;
  int32_t fuel_taken;
  int32_t fuel_fall;
  uint32_t pad;
};
// x = y + add, then branch on `x op b` (add and b each a slot or an immediate): a loop
// counter's update fused with the loop's test. i32 only.
struct InstrAddBrCmp {
  Handler handler;
  Slot d, s;
  uint32_t add;
  uint32_t b;
  int32_t offset;
  int32_t fuel_taken;
  int32_t fuel_fall;
  uint32_t pad;
};
struct InstrBrTable {
  Handler handler;
  Slot index;
  uint32_t count;  // targets, not counting the default which follows them
  struct Entry {
    int32_t offset;
    int32_t fuel;
  };
  // Entry entries[count + 1] follow.
  const Entry* entries() const { return reinterpret_cast<const Entry*>(this + 1); }
};
struct InstrCall {
  Handler handler;
  Slot base;  // the callee's frame starts here: its arguments, then its locals
  uint32_t pad;
  const CompiledFunction* callee;
};
struct InstrCallImport {
  Handler handler;
  Slot base;
  uint32_t func_index;
};
struct InstrCallIndirect {
  Handler handler;
  Slot base;
  Slot index;
  uint32_t table;
  uint32_t type_id;
};
struct InstrGlobal {
  Handler handler;
  Slot a;
  uint32_t global;
};

// Every shape starts with the handler, so an Instr* may be viewed as any of them.
template <typename T>
inline const T* As(const Instr* ip) {
  static_assert(std::is_standard_layout_v<T> && offsetof(T, handler) == 0);
  return reinterpret_cast<const T*>(ip);
}

}  // namespace phat::wasm::interp
