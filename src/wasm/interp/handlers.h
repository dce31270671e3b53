// Where the compiler finds the handler for each internal instruction. Handlers themselves live
// in handlers.cc; generic ones are generated from opcodes.def and ops.h, the rest are written
// out. Control handlers come in two sets, with and without fuel metering.
#pragma once

#include <string_view>

#include "wasm/interp/code.h"
#include "wasm/opcode.h"

namespace phat::wasm::interp {

// Handlers for a table row of kind Unary/UnaryTrap (rr), Binary/BinaryTrap (rrr and rri:
// second operand immediate), Load or Store (one per addressing mode, see InstrLoad; store_imm
// and store_imm32 store an immediate value). Null where the row has no such form.
struct GenericHandlers {
  Handler rr = nullptr;
  Handler rrr = nullptr;
  Handler rri = nullptr;
  Handler load = nullptr, load_add_imm = nullptr, load_add = nullptr, load_abs = nullptr;
  Handler store = nullptr, store_add_imm = nullptr, store_add = nullptr, store_abs = nullptr;
  Handler store_imm32[4] = {};  // the value is a 32-bit immediate; one per addressing mode
  Handler store_imm = nullptr;  // a 64-bit immediate value at a slot address
};
const GenericHandlers& HandlersFor(Opcode op);

// A compare fused with a branch: branch when `a op b` (or `a op imm`).
Handler BrCmpHandler(Opcode compare, bool imm, bool fuel);

struct ControlHandlers {
  Handler enter, enter_zeroing;
  Handler br, br_if_nez, br_if_eqz, br_if_nez64, br_if_eqz64, br_table;
  Handler ret, ret1;
  Handler call, call_import, call_indirect;
  Handler memory_fill, memory_copy, memory_init;
  Handler table_fill, table_copy, table_init;
};
const ControlHandlers& Control(bool fuel);

struct DataHandlers {
  Handler copy, const32, const64, select, unreachable;
  Handler global_get, global_set, memory_size, memory_grow, data_drop;
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
  None, R, RR, RRR, RRI32, RRI64, RRRR, RRRRR, Const32, Const64, Load, LoadAddImm, LoadAdd, LoadAbs, Store, StoreAddImm, StoreAdd,
  StoreAbs, StoreI32Imm, StoreI32ImmAddImm, StoreI32ImmAdd, StoreI32ImmAbs, StoreImm, Enter, Br,
  BrIf, BrCmp, BrCmpImm, BrTable, Call, CallImport, CallIndirect, Global,
};
struct HandlerInfo {
  std::string_view name;
  Shape shape;
};
// What the disassembler knows about a handler; null if it is not one of ours.
const HandlerInfo* Describe(Handler h);

}  // namespace phat::wasm::interp
