// Where the compiler finds the handler for each internal instruction. Handlers themselves live
// in handlers.cc; generic ones are generated from opcodes.def and ops.h, the rest are written
// out. Control handlers come in two sets, with and without fuel metering.
#pragma once

#include <string_view>

#include "wasm/interp/code.h"
#include "wasm/opcode.h"

namespace phat::wasm::interp {

// Where an operand comes from or a result goes: its slot, or the accumulator register.
enum class Loc : uint8_t { Slot, Acc };
// The sources of a two-operand instruction: both slots, or the first or second in acc.
enum class Pair : uint8_t { SS, AS, SA };
// How a memory access finds its address (see InstrLoad): slot a, a + imm, a + b, a constant,
// the accumulator, or the accumulator + imm.
enum class AddrMode : uint8_t { Slot, AddImm, Add, Const, Acc, AccAddImm };
inline constexpr int kAddrModes = 6;
// A store's value: a slot, the accumulator, or a 32-bit immediate.
enum class ValueSrc : uint8_t { Slot, Acc, Imm32 };

// Handlers for a table row of kind Unary/UnaryTrap (rr), Binary/BinaryTrap (rrr; rri with the
// second operand immediate), Load or Store, by operand sources and result destination. Null
// where the row has no such form.
struct GenericHandlers {
  Handler rr[2][2] = {};               // [Loc of a][Loc of result]
  Handler rrr[3][2] = {};              // [Pair][Loc of result]
  Handler rri[2][2] = {};              // [Loc of a][Loc of result]
  Handler rrm[2][2][2] = {};           // [AddrMode Slot/AddImm][Loc of x][Loc of result]
  Handler load[kAddrModes][2] = {};    // [AddrMode][Loc of result]
  Handler store[kAddrModes][3] = {};   // [AddrMode][ValueSrc]
  Handler store_imm = nullptr;         // a 64-bit immediate value at a slot address
};
const GenericHandlers& HandlersFor(Opcode op);

// The same instruction writing its result to the accumulator instead of its slot; null if it
// has no such form.
Handler AccTwin(Handler h);

// A compare fused with a branch: branch when `a op b` (or `a op imm`, srcs SS or AS).
Handler BrCmpHandler(Opcode compare, bool imm, Pair srcs, bool fuel);
// d = s + add fused with an i32 compare-and-branch on d (see InstrAddBrCmp): `add_slot` says
// whether `add` is a slot or an immediate, `imm` the same of b. Null for other compares.
Handler AddBrCmpHandler(Opcode compare, bool add_slot, bool imm, bool fuel);

struct ControlHandlers {
  Handler enter, enter_zeroing;
  Handler br, br_table;
  Handler br_if_nez[2], br_if_eqz[2], br_if_nez64[2], br_if_eqz64[2];  // [Loc of the condition]
  Handler ret, ret1[2];                                                // [Loc of the result]
  Handler call, call_import, call_indirect;
  Handler memory_fill, memory_copy, memory_init;
  Handler table_fill, table_copy, table_init;
};
const ControlHandlers& Control(bool fuel);

struct DataHandlers {
  Handler copy, copy_n, const32, const64, select[2], unreachable;  // select: [Loc of the condition]
  Handler global_get, global_set[2];  // [Loc of the value]
  Handler memory_size, memory_grow, data_drop;
  Handler table_get, table_set, table_size, table_grow, elem_drop;
  Handler ref_func, ref_is_null;
};
const DataHandlers& Data();

// The instruction execution returns to when the outermost frame returns.
const Instr* ExitInstr();

// Runs from `ip` until the outermost frame returns or execution stops.
Status Run(const Instr* ip, uint64_t* fp, ExecContext* ctx, int64_t fuel);

// How a handler's operands are laid out, for the disassembler.
enum class Shape : uint8_t {
  None, R, RR, CopyN, RRR, RRI32, RRI64, RRM, RRRR, RRRRR, Const32, Const64, Load, Store, StoreImm, Enter, Br,
  BrIf, BrCmp, AddBrCmp, BrTable, Call, CallImport, CallIndirect, Global,
};
struct HandlerInfo {
  std::string_view name;
  Shape shape;
  uint8_t imm = 0;       // operands given as immediates: 1 the first add operand, 2 the compared
  uint8_t acc_in = 0;    // operand read from acc: 1 the first (or the value of a store), 2 the second
  bool acc_out = false;  // result written to acc
  AddrMode mode = AddrMode::Slot;       // loads and stores
  ValueSrc value = ValueSrc::Slot;      // stores
};
// What the disassembler knows about a handler; null if it is not one of ours.
const HandlerInfo* Describe(Handler h);

}  // namespace phat::wasm::interp
