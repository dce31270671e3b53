// One walk over a function body: validation as the spec's appendix describes it, and code
// generation for the slot-based interpreter.
//
// Every operand stack entry at height h has a home slot, S(h) = num_locals + h. An entry is a
// Temp (its value is in its home slot) or virtual: a Local (whatever local x holds), a Const,
// or a pending i32.add of a local and a constant or of two locals. Virtual entries are
// materialized into their home slots only when needed: before a local they read is written, at
// control-flow joins, for call arguments. So `local.get a; local.get b; i32.add; local.set c`
// compiles to a single `i32.add c, a, b`, and `local.get p; i32.const 8; i32.add; i32.load`
// to one load that adds the local and the constant itself. Entries that read locals stay within
// the top kWindow of the stack, so finding them before a local.set is a short scan.
//
// Fuel is charged once per basic block, by the edge that enters it: the function's Enter, a
// branch's taken field, a conditional branch's fall-through field, a br_table entry. A block
// that falls into a label always runs on into it, so the two are charged together on entry to
// the first; labels therefore need no instruction of their own, and metering adds no dispatch.
#include "wasm/compiler/function_compiler.h"

#include <algorithm>
#include <array>
#include <map>
#include <cassert>
#include <string>

#include "phat/base/expected.h"
#include "wasm/interp/code.h"
#include "wasm/interp/handlers.h"
#include "wasm/interp/ops.h"
#include "wasm/loader/reader.h"
#include "wasm/opcode.h"

namespace phat::wasm {
namespace {

using interp::Handler;
using interp::Loc;
using interp::Pair;
using interp::Slot;
using interp::AddrMode;
using interp::ValueSrc;

constexpr ValType kUnknown = ValType(0);  // the polymorphic stack's "any"

// The types of a block: views into the module's types or into a single-type table.
struct BlockSig {
  std::span<const ValType> params;
  std::span<const ValType> results;
};

struct Operand {
  enum class Kind : uint8_t { Temp, Local, Const, AddImm, Add };
  ValType type = kUnknown;
  Kind kind = Kind::Temp;
  uint32_t local = 0;   // Local, AddImm, Add: the local read
  uint32_t local2 = 0;  // Add: the second local
  uint64_t bits = 0;    // Const: the value; AddImm: the i32 added

  bool ReadsLocals() const { return kind == Kind::Local || kind == Kind::AddImm || kind == Kind::Add; }
  bool Reads(uint32_t x) const {
    return ReadsLocals() && (local == x || (kind == Kind::Add && local2 == x));
  }
  bool ReadsBelow(uint32_t n) const {
    return ReadsLocals() && (local < n || (kind == Kind::Add && local2 < n));
  }
};
constexpr uint32_t kWindow = 64;

struct Popped {
  Operand op;
  uint32_t height;
};

// A place in the code that waits for the fuel cost of a basic block: an int32 field to patch, or
// (field < 0) the header cost of loop `loop` (an index in the control stack, valid while that
// entry still has `loop_id`). `base` is the region's running cost when the block started, so
// the block's cost is the running cost at its end minus `base`.
struct FuelRef {
  int64_t field;
  int32_t base = 0;
  int64_t loop = -1;
  uint32_t loop_id = 0;
};

struct Label {
  int64_t pos = -1;       // byte offset in the code, once bound
  bool incoming = false;  // some branch targets it
  struct Fixup {
    size_t instr;  // the branch instruction's start
    size_t field;  // where its int32 offset goes
  };
  std::vector<Fixup> fixups;
  std::vector<FuelRef> fuel_refs;  // branches that charge the block starting here
};

struct Control {
  Opcode op = Opcode::Block;  // Block, Loop, If, Else; Block for the function body
  BlockSig sig;
  uint32_t height = 0;        // operand stack height below the block's parameters
  bool unreachable = false;   // validation: the rest of the block is dead (polymorphic stack)
  bool live_at_entry = true;  // code generation: the block's start is reachable
  bool is_function = false;
  Label label;       // the block's end, or a loop's header
  Label else_label;  // If: where the false branch goes
  int32_t header_cost = 0;  // Loop: fuel of the blocks from its header to the first branch
  uint32_t loop_id = 0;     // Loop: tells a FuelRef to this loop from one to a later occupant

  std::span<const ValType> label_types() const {
    return op == Opcode::Loop ? sig.params : sig.results;
  }
};

// A condition for a conditional branch, possibly fused with the compare that produced it.
struct Condition {
  enum class Kind : uint8_t { NonZero32, Zero32, NonZero64, Zero64, Compare } kind;
  Opcode compare = Opcode::Nop;
  bool imm = false;
  Pair srcs = Pair::SS;  // which operand, if any, is in the accumulator
  Slot a = 0;
  uint32_t b = 0;  // slot, or immediate
};

// Where a load or store finds its address (an i32.add folded in, wrapping as the add would).
struct Address {
  AddrMode mode = AddrMode::Slot;
  Slot a = 0;
  uint32_t b = 0;  // the immediate, the second slot, or the constant address
};

// What the last instruction produced: where its destination field is, where the code ended
// after it (stale once anything else is emitted), and the stack height of its result.
struct LastResult {
  size_t dst_field = 0;
  size_t end = SIZE_MAX;
  uint32_t height = 0;
};

// The last full-width load emitted, for folding into a binary operation.
struct LastLoad {
  size_t start = 0, end = SIZE_MAX;
  uint32_t height = 0;
  Opcode op = Opcode::Nop;
  Address address;
  uint32_t offset = 0;
  LastResult before;  // the result produced just before the load, restored if it is dropped
};

class Compiler {
 public:
  Compiler(const ModuleEnv& env, const EngineConfig& config, const LoadPolicy& policy,
           uint32_t func_index, std::span<const uint8_t> body, uint64_t body_offset,
           std::vector<uint64_t>& code)
      : env_(env),
        config_(config),
        policy_(policy),
        fuel_(config.fuel_metering),
        ctl_(interp::Control(config.fuel_metering)),
        data_(interp::Data()),
        func_index_(func_index),
        reader_(body, body_offset),
        code_(code),
        code_start_(code.size() * sizeof(uint64_t)),
        code_limit_((size_t(1) << 20) + 64 * body.size()) {}

  Expected<CompiledFunction, LoadError> Compile(size_t& entry_offset);

 private:
  // ---- Errors ----
  LoadError Error(LoadError::Kind kind, std::string message, uint64_t offset) const {
    return LoadError{kind, std::move(message), offset, func_index_};
  }
  LoadError Invalid(std::string message) const {
    return Error(LoadError::Kind::Invalid, std::move(message), op_offset_);
  }
  Expected<void, LoadError> RequireFeatures(uint32_t features, std::string_view what);
  Expected<void, LoadError> CheckValType(ValType t);

  // ---- Reading ----
  Load<uint32_t> ReadU32() { return reader_.U32(); }
  Expected<ValType, LoadError> ReadValType();
  Expected<BlockSig, LoadError> ReadBlockType();
  Expected<uint32_t, LoadError> ReadMemarg(uint32_t width);  // returns the offset

  // ---- Operand stack ----
  uint32_t Height() const { return static_cast<uint32_t>(stack_.size()); }
  Slot Home(uint32_t height) const { return num_locals_ + height; }
  void Push(Operand op);
  void PushTemp(ValType t) { Push(Operand{t}); }
  Popped Pop();
  Expected<Popped, LoadError> PopExpect(ValType expected);
  Expected<void, LoadError> PopTypes(std::span<const ValType> types);
  Expected<void, LoadError> CheckTopTypes(std::span<const ValType> types);
  // At else/end: exactly the block's results are left above its base.
  Expected<void, LoadError> CheckBlockEnd(const Control& c);
  void PushTypes(std::span<const ValType> types) {
    for (ValType t : types) PushTemp(t);
  }
  void Truncate(uint32_t height) {
    while (Height() > height) Pop();
  }
  Control& Top() { return controls_.back(); }
  Expected<Control*, LoadError> LabelAt(uint32_t depth) {
    if (depth >= controls_.size()) return unexpected(Invalid("unknown label " + std::to_string(depth)));
    return &controls_[controls_.size() - 1 - depth];
  }
  void MarkUnreachable() {
    Truncate(Top().height);
    Top().unreachable = true;
    live_ = false;
  }

  // ---- Materialization ----
  void MaterializeAt(uint32_t height);
  void MaterializeAll();
  void MaterializeTop(uint32_t n);
  void MaterializeRefs(uint32_t local);
  bool HasRefs(uint32_t local) const;
  // The slot holding a popped operand; constants are written into their home slot first.
  Slot SlotOf(const Popped& p);
  void EmitMove(Slot dst, const Operand& src, uint32_t src_height);
  // A copy; runs of copies (phi moves at the end of a loop body) become one instruction.
  void EmitCopy(Slot dst, Slot src);

  // ---- Emission ----
  size_t Here() const { return code_.size() * sizeof(uint64_t); }
  template <typename T>
  size_t Emit(const T& instr) {
    static_assert(sizeof(T) % 8 == 0);
    size_t pos = Here();
    code_.resize(code_.size() + sizeof(T) / 8);
    std::memcpy(reinterpret_cast<uint8_t*>(code_.data()) + pos, &instr, sizeof(T));
    starts_[0] = starts_[1];
    starts_[1] = pos;
    return pos;
  }
  // Drops the code from `pos` on: the last instruction, which starts there.
  void TruncateTo(size_t pos) {
    code_.resize(pos / sizeof(uint64_t));
    starts_[1] = starts_[1] == pos ? starts_[0] : kNoStart;
    starts_[0] = kNoStart;
  }
  // The instruction just before Here() if it is a T (nothing across a label).
  template <typename T>
  T* Previous(Handler h) {
    if (starts_[1] == kNoStart || starts_[1] + sizeof(T) != Here()) return nullptr;
    auto* instr = reinterpret_cast<T*>(reinterpret_cast<uint8_t*>(code_.data()) + starts_[1]);
    return instr->handler == h ? instr : nullptr;
  }
  template <typename T>
  void Patch(size_t pos, T value) {
    std::memcpy(reinterpret_cast<uint8_t*>(code_.data()) + pos, &value, sizeof(T));
  }
  void Forget() {
    last_result_ = {};
    last_compare_ = {};
    last_add_ = {};
    last_load_ = {};
  }
  // A binary operation whose operand `p` is the full-width load emitted last reads memory itself:
  // the load is dropped and its address returned.
  std::optional<LastLoad> TakeLoad(const Popped& p, OpType type);
  // Records that the instruction at `pos` wrote the just-pushed top entry. Every shape keeps
  // its destination slot right after the handler pointer.
  void NoteResult(size_t pos) { last_result_ = {pos + kDstOffset, Here(), Height() - 1}; }
  // Takes the top entry `p` from the accumulator if the instruction that produced it is the last
  // one emitted and has a form that writes the accumulator: that instruction is switched to it.
  // The caller must emit the consuming instruction before anything else that writes acc.
  bool TakeFromAcc(const Popped& p);
  static constexpr size_t kDstOffset = sizeof(interp::Instr);

  // ---- Fuel ----
  void AddCost(int32_t cost) { region_cost_ += cost; }
  // The current block ends in a branch: everything waiting for its cost gets it.
  void EndRegion();
  void StartRegion(std::vector<FuelRef> refs) {
    region_refs_ = std::move(refs);
    region_cost_ = 0;
  }
  void StartRegionAt(size_t field) { StartRegion({FuelRef{int64_t(field), 0}}); }

  // ---- Labels and branches ----
  // `loop` is the index in controls_ of the loop whose header this is, or -1.
  void BindLabel(Label& label, bool fallthrough, int64_t loop = -1);
  // Aims the branch at `instr` (offset field at `field`, fuel field at `fuel_field` or -1) at
  // the label of `target`.
  void LinkBranch(size_t instr, size_t field, int64_t fuel_field, Control& target);
  bool NeedsCopies(const Control& target) const;
  void EmitBranchCopies(const Control& target);
  void EmitJump(Control& target);  // copies, then an unconditional branch or a return
  // `dropping`: the stack is discarded after (return, end), so the result may come from acc.
  void EmitReturn(bool dropping);
  Condition TakeCondition(const Popped& cond);
  static Condition Invert(Condition c);
  // Emits a conditional branch; returns (instr, offset field, taken-fuel field, fall field).
  std::array<size_t, 4> EmitCondBranch(const Condition& c);

  // Once the code is final: an unconditional branch to a return (charging nothing) becomes the
  // return, and one to another branch goes straight to that branch's target.
  void ThreadJumps();

  // ---- Instructions ----
  Expected<void, LoadError> CompileOp(Opcode op);
  Expected<void, LoadError> CompileBlock(Opcode op);
  Expected<void, LoadError> CompileElse();
  Expected<void, LoadError> CompileEnd();
  Expected<void, LoadError> CompileBr();
  Expected<void, LoadError> CompileBrIf();
  Expected<void, LoadError> CompileBrTable();
  Expected<void, LoadError> CompileCall(uint32_t func);
  Expected<void, LoadError> CompileCallIndirect();
  Expected<void, LoadError> EmitCallTo(uint32_t num_args, std::span<const ValType> results,
                                       auto make_instr);
  Expected<void, LoadError> CompileLocal(Opcode op);
  Expected<void, LoadError> CompileGlobal(Opcode op);
  Expected<void, LoadError> CompileSelect(Opcode op);
  Expected<void, LoadError> CompileConst(Opcode op);
  Expected<void, LoadError> CompileUnary(Opcode op);
  Expected<void, LoadError> CompileBinary(Opcode op);
  // `may_use_last`: the instruction that produced a Temp address may be folded into the access
  // or hand it over in the accumulator (only if nothing needs emitting in between).
  Address TakeAddress(const Popped& p, bool may_use_last);
  Expected<void, LoadError> CompileLoad(Opcode op);
  Expected<void, LoadError> CompileStore(Opcode op);
  Expected<void, LoadError> CompileMemoryOp(Opcode op);
  Expected<void, LoadError> CompileTableOp(Opcode op);
  Expected<void, LoadError> CompileRef(Opcode op);
  // Internal code grows with the body, except where branches copy many values: bound it.
  Expected<void, LoadError> CheckCodeSize() {
    if (Here() - code_start_ <= code_limit_) return {};
    return unexpected(Error(LoadError::Kind::Limit,
                            "function compiles to more than " + std::to_string(code_limit_) +
                                " bytes of internal code",
                            op_offset_));
  }
  Expected<void, LoadError> RequireMemory();
  Expected<void, LoadError> RequireTable(uint32_t index);
  Expected<void, LoadError> RequireData(uint32_t index);
  Expected<void, LoadError> RequireElem(uint32_t index);

  const ModuleEnv& env_;
  const EngineConfig& config_;
  const LoadPolicy& policy_;
  const bool fuel_;
  const interp::ControlHandlers& ctl_;
  const interp::DataHandlers& data_;
  const uint32_t func_index_;
  Reader reader_;
  std::vector<uint64_t>& code_;
  const size_t code_start_;
  const size_t code_limit_;
  uint64_t op_offset_ = 0;

  const FuncType* type_ = nullptr;
  std::vector<ValType> local_types_;
  uint32_t num_locals_ = 0;

  std::vector<Operand> stack_;
  uint32_t max_height_ = 0;
  uint32_t materialized_below_ = 0;  // every entry below this height is a Temp

  std::vector<Control> controls_;
  std::vector<size_t> branches_;  // positions of every unconditional branch, for ThreadJumps
  static constexpr size_t kNoStart = SIZE_MAX;
  size_t starts_[2] = {kNoStart, kNoStart};  // where the last two instructions start
  bool live_ = true;  // the code being emitted is reachable

  std::vector<FuelRef> region_refs_;  // what waits for the current block's cost
  uint32_t next_loop_id_ = 1;
  int32_t region_cost_ = 0;

  LastResult last_result_;
  struct LastAdd {  // the last i32.add emitted, for folding into a load or store address
    size_t start = 0, end = SIZE_MAX;
    uint32_t height = 0;
    Slot a = 0;
    uint32_t b = 0;
    bool imm = false;
    Pair srcs = Pair::SS;
  } last_add_;
  LastLoad last_load_;
  struct LastCompare {
    size_t start = 0, end = SIZE_MAX;
    uint32_t height = 0;
    Condition cond{Condition::Kind::NonZero32};
  } last_compare_;
};

// Single-type block signatures point here.
constexpr std::array<ValType, 7> kSingleTypes = {ValType::I32, ValType::I64, ValType::F32,
                                                 ValType::F64, ValType::V128, ValType::FuncRef,
                                                 ValType::ExternRef};
std::span<const ValType> SingleType(ValType t) {
  for (const ValType& s : kSingleTypes)
    if (s == t) return {&s, 1};
  return {};
}

bool IsValTypeByte(uint8_t b) {
  switch (ValType(b)) {
    case ValType::I32: case ValType::I64: case ValType::F32: case ValType::F64:
    case ValType::V128: case ValType::FuncRef: case ValType::ExternRef:
      return true;
  }
  return false;
}

std::string TypeName(ValType t) { return t == kUnknown ? "any" : std::string(ValTypeName(t)); }

// ============================================================================================
// Errors, features, reading
// ============================================================================================

Expected<void, LoadError> Compiler::RequireFeatures(uint32_t features, std::string_view what) {
  if (policy_.Allows(features)) return {};
  uint32_t missing = features & ~policy_.features;
  std::string names;
  for (uint32_t bit = 1; bit; bit <<= 1)
    if (missing & bit) names += (names.empty() ? "" : ", ") + FeatureName(Feature(bit));
  return unexpected(Error(LoadError::Kind::Unsupported,
                          std::string(what) + " needs " + names + ", which this load policy forbids",
                          op_offset_));
}

Expected<void, LoadError> Compiler::CheckValType(ValType t) {
  if (t == ValType::V128)
    return unexpected(Error(LoadError::Kind::Unsupported, "v128 (SIMD) is not supported", op_offset_));
  if (IsFloat(t)) return RequireFeatures(kFloat, "a " + std::string(ValTypeName(t)) + " value");
  if (IsRef(t)) return RequireFeatures(kRefTypes, "a " + std::string(ValTypeName(t)) + " value");
  return {};
}

Expected<ValType, LoadError> Compiler::ReadValType() {
  uint64_t at = reader_.Offset();
  uint8_t b = PHAT_TRY(reader_.U8());
  if (!IsValTypeByte(b))
    return unexpected(Error(LoadError::Kind::Malformed, "malformed value type", at));
  PHAT_TRY_VOID(CheckValType(ValType(b)));
  return ValType(b);
}

// https://webassembly.github.io/spec/core/binary/instructions.html#control-instructions
Expected<BlockSig, LoadError> Compiler::ReadBlockType() {
  if (reader_.AtEnd()) return unexpected(reader_.Malformed("unexpected end"));
  uint8_t b = *reader_.Position();
  if (b == 0x40) {
    reader_.Skip(1);
    return BlockSig{};
  }
  if (IsValTypeByte(b)) {
    reader_.Skip(1);
    PHAT_TRY_VOID(CheckValType(ValType(b)));
    return BlockSig{{}, SingleType(ValType(b))};
  }
  int64_t index = PHAT_TRY(reader_.S33());
  if (index < 0 || uint64_t(index) >= env_.types->size())
    return unexpected(Invalid("unknown type " + std::to_string(index)));
  const FuncType& ft = (*env_.types)[size_t(index)];
  if (!ft.params.empty() || ft.results.size() > 1)
    PHAT_TRY_VOID(RequireFeatures(kMultiValue, "a block with parameters or several results"));
  return BlockSig{ft.params, ft.results};
}

Expected<uint32_t, LoadError> Compiler::ReadMemarg(uint32_t width) {
  uint32_t align = PHAT_TRY(ReadU32());
  uint32_t offset = PHAT_TRY(ReadU32());
  PHAT_TRY_VOID(RequireMemory());
  if (align >= 32 || (1ull << align) > width)
    return unexpected(Invalid("alignment must not be larger than natural"));
  return offset;
}

Expected<void, LoadError> Compiler::RequireMemory() {
  if (env_.memories->empty()) return unexpected(Invalid("unknown memory 0"));
  return {};
}
Expected<void, LoadError> Compiler::RequireTable(uint32_t index) {
  if (index >= env_.tables->size())
    return unexpected(Invalid("unknown table " + std::to_string(index)));
  return {};
}
Expected<void, LoadError> Compiler::RequireData(uint32_t index) {
  if (!env_.data_count) return unexpected(Error(LoadError::Kind::Malformed, "data count section required", op_offset_));
  if (index >= *env_.data_count)
    return unexpected(Invalid("unknown data segment " + std::to_string(index)));
  return {};
}
Expected<void, LoadError> Compiler::RequireElem(uint32_t index) {
  if (index >= env_.elem_types->size())
    return unexpected(Invalid("unknown elem segment " + std::to_string(index)));
  return {};
}

// ============================================================================================
// Operand stack
// ============================================================================================

void Compiler::Push(Operand op) {
  stack_.push_back(op);
  max_height_ = std::max(max_height_, Height());
  // Keep entries that read locals within the window.
  if (Height() > kWindow && live_ && stack_[Height() - kWindow - 1].ReadsLocals())
    MaterializeAt(Height() - kWindow - 1);
}

Popped Compiler::Pop() {
  uint32_t h = Height() - 1;
  Operand op = stack_.back();
  stack_.pop_back();
  materialized_below_ = std::min(materialized_below_, h);
  return {op, h};
}

Expected<Popped, LoadError> Compiler::PopExpect(ValType expected) {
  Control& c = Top();
  if (Height() == c.height) {
    if (c.unreachable) return Popped{Operand{expected}, Height()};
    return unexpected(Invalid("type mismatch: expected " + TypeName(expected) +
                              " but the stack is empty"));
  }
  Popped p = Pop();
  if (expected != kUnknown && p.op.type != kUnknown && p.op.type != expected)
    return unexpected(Invalid("type mismatch: expected " + TypeName(expected) + ", found " +
                              TypeName(p.op.type)));
  if (p.op.type == kUnknown) p.op.type = expected;
  return p;
}

Expected<void, LoadError> Compiler::PopTypes(std::span<const ValType> types) {
  for (size_t i = types.size(); i-- > 0;) PHAT_TRY(PopExpect(types[i]));
  return {};
}

// Checks that the top of the stack has `types` without changing it (for br_if's fall-through).
Expected<void, LoadError> Compiler::CheckTopTypes(std::span<const ValType> types) {
  const Control& c = Top();
  uint32_t available = Height() - c.height;
  for (size_t i = 0; i < types.size(); ++i) {
    size_t from_top = types.size() - 1 - i;
    if (from_top >= available) {
      if (c.unreachable) continue;
      return unexpected(Invalid("type mismatch: expected " + TypeName(types[i]) +
                                " but the stack is empty"));
    }
    ValType actual = stack_[Height() - 1 - from_top].type;
    if (actual != kUnknown && actual != types[i])
      return unexpected(Invalid("type mismatch: expected " + TypeName(types[i]) + ", found " +
                                TypeName(actual)));
  }
  return {};
}

Expected<void, LoadError> Compiler::CheckBlockEnd(const Control& c) {
  PHAT_TRY_VOID(CheckTopTypes(c.sig.results));
  uint32_t left = Height() - c.height;
  uint32_t n = uint32_t(c.sig.results.size());
  if (left > n || (left < n && !c.unreachable))
    return unexpected(Invalid("type mismatch: block leaves " + std::to_string(left) +
                              " values, expected " + std::to_string(n)));
  return {};
}

// ============================================================================================
// Materialization
// ============================================================================================

void Compiler::EmitMove(Slot dst, const Operand& src, uint32_t src_height) {
  switch (src.kind) {
    case Operand::Kind::Temp:
      if (Home(src_height) != dst) EmitCopy(dst, Home(src_height));
      break;
    case Operand::Kind::Local:
      if (src.local != dst) EmitCopy(dst, src.local);
      break;
    case Operand::Kind::Const:
      if (src.bits <= UINT32_MAX)
        Emit(interp::InstrConst32{data_.const32, dst, uint32_t(src.bits)});
      else
        Emit(interp::InstrConst64{data_.const64, dst, 0, src.bits});
      break;
    case Operand::Kind::AddImm:
      Emit(interp::InstrRRI<uint32_t>{interp::HandlersFor(Opcode::I32Add).rri[0][0], dst, src.local,
                                       uint32_t(src.bits)});
      break;
    case Operand::Kind::Add:
      Emit(interp::InstrRRR{interp::HandlersFor(Opcode::I32Add).rrr[0][0], dst, src.local, src.local2, 0});
      break;
  }
}

void Compiler::MaterializeAt(uint32_t height) {
  Operand& op = stack_[height];
  if (op.kind == Operand::Kind::Temp) return;
  Forget();
  EmitMove(Home(height), op, height);
  op.kind = Operand::Kind::Temp;
}

void Compiler::MaterializeAll() {
  if (!live_) return;
  for (uint32_t h = Height(); h-- > materialized_below_;) MaterializeAt(h);
  materialized_below_ = Height();
}

void Compiler::MaterializeTop(uint32_t n) {
  if (!live_) return;
  for (uint32_t h = Height(); h-- > Height() - n;) MaterializeAt(h);
}

// Before local x changes, every entry still reading it gets its value now.
void Compiler::MaterializeRefs(uint32_t local) {
  uint32_t bottom = Height() > kWindow ? Height() - kWindow : 0;
  for (uint32_t h = Height(); h-- > bottom;)
    if (stack_[h].Reads(local)) MaterializeAt(h);
}

bool Compiler::HasRefs(uint32_t local) const {
  uint32_t bottom = Height() > kWindow ? Height() - kWindow : 0;
  for (uint32_t h = bottom; h < Height(); ++h)
    if (stack_[h].Reads(local)) return true;
  return false;
}

void Compiler::EmitCopy(Slot dst, Slot src) {
  using interp::InstrCopyN;
  using interp::InstrRR;
  auto* base = reinterpret_cast<uint8_t*>(code_.data());
  if (auto* one = Previous<interp::InstrRR>(data_.copy)) {
    InstrRR first = *one;
    size_t pos = starts_[1];
    TruncateTo(pos);
    Emit(InstrCopyN{data_.copy_n, 2, 0});
    Emit(InstrCopyN::Pair{first.d, first.a});
    Emit(InstrCopyN::Pair{dst, src});
    starts_[0] = kNoStart;  // the pairs belong to the instruction at pos
    starts_[1] = pos;
    return;
  }
  if (starts_[1] != kNoStart) {
    auto* many = reinterpret_cast<InstrCopyN*>(base + starts_[1]);
    if (many->handler == data_.copy_n &&
        starts_[1] + sizeof(InstrCopyN) + many->count * sizeof(InstrCopyN::Pair) == Here()) {
      size_t pos = starts_[1];
      ++many->count;
      Emit(InstrCopyN::Pair{dst, src});  // may move the buffer: `many` is not used after
      starts_[0] = kNoStart;
      starts_[1] = pos;
      return;
    }
  }
  Emit(interp::InstrRR{data_.copy, dst, src});
}

Slot Compiler::SlotOf(const Popped& p) {
  switch (p.op.kind) {
    case Operand::Kind::Temp: return Home(p.height);
    case Operand::Kind::Local: return p.op.local;
    default:
      EmitMove(Home(p.height), p.op, p.height);
      return Home(p.height);
  }
}

bool Compiler::TakeFromAcc(const Popped& p) {
  if (p.op.kind != Operand::Kind::Temp || last_result_.end != Here() || last_result_.height != p.height)
    return false;
  auto* producer = reinterpret_cast<Handler*>(reinterpret_cast<uint8_t*>(code_.data()) +
                                              last_result_.dst_field - kDstOffset);
  Handler twin = interp::AccTwin(*producer);
  if (!twin) return false;
  *producer = twin;
  Forget();
  return true;
}

// ============================================================================================
// Fuel regions, labels, branches
// ============================================================================================

void Compiler::EndRegion() {
  for (const FuelRef& r : region_refs_) {
    int32_t total = region_cost_ - r.base;
    if (r.field >= 0) {
      Patch<int32_t>(size_t(r.field), total);
    } else if (size_t(r.loop) < controls_.size() && controls_[size_t(r.loop)].loop_id == r.loop_id) {
      controls_[size_t(r.loop)].header_cost = total;
    }  // else the loop has ended: no back-edge needs its header's cost any more
  }
  region_refs_.clear();
  region_cost_ = 0;
}

// Binds `label` here. A label nothing branches to needs nothing: the block goes on. Otherwise a
// new block starts, charged by the branches to it and, if code falls in, by that code's block.
void Compiler::BindLabel(Label& label, bool fallthrough, int64_t loop) {
  Forget();
  if (!label.incoming && loop < 0) {
    live_ = fallthrough;
    return;
  }
  // Code falling in keeps its region going: the label's block joins it, its refs starting at the
  // running cost. Otherwise the label's refs start a region of their own.
  if (!fallthrough) StartRegion({});
  for (FuelRef r : label.fuel_refs) {
    r.base = region_cost_;
    region_refs_.push_back(r);
  }
  label.fuel_refs.clear();
  if (loop >= 0) {
    Control& c = controls_[size_t(loop)];
    c.loop_id = next_loop_id_++;
    region_refs_.push_back(FuelRef{-1, region_cost_, loop, c.loop_id});
  }
  live_ = true;
  starts_[0] = starts_[1] = kNoStart;  // what comes before a label is not fused with what follows
  label.pos = int64_t(Here());
  for (const Label::Fixup& f : label.fixups)
    Patch<int32_t>(f.field, int32_t(label.pos - int64_t(f.instr)));
  label.fixups.clear();
}

void Compiler::LinkBranch(size_t instr, size_t field, int64_t fuel_field, Control& target) {
  Label& label = target.label;
  label.incoming = true;
  if (target.op == Opcode::Loop) {
    // A back-edge. The header's blocks ended at the first branch after it, which at the latest
    // is this one, so their cost is known.
    Patch<int32_t>(field, int32_t(label.pos - int64_t(instr)));
    Patch<int32_t>(size_t(fuel_field), target.header_cost);
  } else {
    label.fixups.push_back({instr, field});
    label.fuel_refs.push_back(FuelRef{fuel_field, 0});
  }
}

bool Compiler::NeedsCopies(const Control& target) const {
  auto types = target.label_types();
  uint32_t n = uint32_t(types.size());
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t h = Height() - n + i;
    const Operand& op = stack_[h];
    if (op.kind != Operand::Kind::Temp || Home(h) != Home(target.height + i)) return true;
  }
  return false;
}

// Moves the branch's values into the target's slots. Increasing order is safe: a value's
// destination is never above its source, so no later source is overwritten.
void Compiler::EmitBranchCopies(const Control& target) {
  uint32_t n = uint32_t(target.label_types().size());
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t h = Height() - n + i;
    EmitMove(Home(target.height + i), stack_[h], h);
  }
}

void Compiler::EmitJump(Control& target) {
  if (target.is_function) return EmitReturn(false);
  EmitBranchCopies(target);
  size_t pos = Emit(interp::InstrBr{ctl_.br, 0, 0});
  branches_.push_back(pos);
  LinkBranch(pos, pos + offsetof(interp::InstrBr, offset), int64_t(pos + offsetof(interp::InstrBr, fuel)),
             target);
}

// Results go to slots 0..n-1. A value reading a local below n could see it overwritten by an
// earlier move, so such values first go to their home slots.
void Compiler::EmitReturn(bool dropping) {
  uint32_t n = uint32_t(type_->results.size());
  if (n == 1) {
    Popped top{stack_.back(), Height() - 1};
    if (dropping && TakeFromAcc(top)) {
      Emit(interp::InstrR{ctl_.ret1[1], 0, 0});
      return;
    }
    Slot src = SlotOf(top);
    Emit(interp::InstrR{ctl_.ret1[0], src, 0});
    return;
  }
  std::vector<Operand> values(stack_.end() - n, stack_.end());
  for (uint32_t i = 0; i < n; ++i) {
    if (values[i].ReadsBelow(n)) {
      EmitMove(Home(Height() - n + i), values[i], Height() - n + i);
      values[i].kind = Operand::Kind::Temp;
    }
  }
  for (uint32_t i = 0; i < n; ++i) EmitMove(i, values[i], Height() - n + i);
  Emit(interp::Instr{ctl_.ret});
}

Condition Compiler::TakeCondition(const Popped& cond) {
  if (cond.op.kind == Operand::Kind::Temp && last_compare_.end == Here() &&
      last_compare_.height == cond.height) {
    TruncateTo(last_compare_.start);
    Condition c = last_compare_.cond;
    Forget();
    return c;
  }
  Condition c{Condition::Kind::NonZero32};
  if (TakeFromAcc(cond)) c.srcs = Pair::AS;
  else c.a = SlotOf(cond);
  return c;
}

Condition Compiler::Invert(Condition c) {
  switch (c.kind) {
    case Condition::Kind::NonZero32: c.kind = Condition::Kind::Zero32; break;
    case Condition::Kind::Zero32: c.kind = Condition::Kind::NonZero32; break;
    case Condition::Kind::NonZero64: c.kind = Condition::Kind::Zero64; break;
    case Condition::Kind::Zero64: c.kind = Condition::Kind::NonZero64; break;
    case Condition::Kind::Compare:
      switch (c.compare) {
#define PHAT_COMPARE(Op, Inverse, Swapped) \
  case Opcode::Op: c.compare = Opcode::Inverse; break;
#define PHAT_OPCODE(...)
#include "wasm/opcodes.def"
#undef PHAT_OPCODE
#undef PHAT_COMPARE
        default: break;
      }
      break;
  }
  return c;
}

std::array<size_t, 4> Compiler::EmitCondBranch(const Condition& c) {
  using interp::InstrBrCmp;
  using interp::InstrBrIf;
  if (c.kind == Condition::Kind::Compare && c.srcs == Pair::SS) {
    // A counter's update just before its test: `x = y + z; br_if x op b` in one instruction.
    using interp::InstrAddBrCmp;
    const interp::GenericHandlers& add = interp::HandlersFor(Opcode::I32Add);
    std::optional<InstrAddBrCmp> fused;
    if (auto* ri = Previous<interp::InstrRRI<uint32_t>>(add.rri[0][0]); ri && ri->d == c.a)
      fused = InstrAddBrCmp{interp::AddBrCmpHandler(c.compare, false, c.imm, fuel_), ri->d, ri->a, ri->imm, c.b};
    else if (auto* rr = Previous<interp::InstrRRR>(add.rrr[0][0]); rr && rr->d == c.a)
      fused = InstrAddBrCmp{interp::AddBrCmpHandler(c.compare, true, c.imm, fuel_), rr->d, rr->a, rr->b, c.b};
    if (fused && fused->handler) {
      TruncateTo(starts_[1]);
      size_t pos = Emit(*fused);
      return {pos, pos + offsetof(InstrAddBrCmp, offset), pos + offsetof(InstrAddBrCmp, fuel_taken),
              pos + offsetof(InstrAddBrCmp, fuel_fall)};
    }
  }
  if (c.kind == Condition::Kind::Compare) {
    size_t pos = Emit(InstrBrCmp{interp::BrCmpHandler(c.compare, c.imm, c.srcs, fuel_), c.a, c.b, 0, 0, 0, 0});
    return {pos, pos + offsetof(InstrBrCmp, offset), pos + offsetof(InstrBrCmp, fuel_taken),
            pos + offsetof(InstrBrCmp, fuel_fall)};
  }
  const int loc = c.srcs == Pair::AS ? 1 : 0;
  Handler h = c.kind == Condition::Kind::NonZero32 ? ctl_.br_if_nez[loc]
              : c.kind == Condition::Kind::Zero32  ? ctl_.br_if_eqz[loc]
              : c.kind == Condition::Kind::NonZero64 ? ctl_.br_if_nez64[loc]
                                                     : ctl_.br_if_eqz64[loc];
  size_t pos = Emit(InstrBrIf{h, c.a, 0, 0, 0});
  return {pos, pos + offsetof(InstrBrIf, offset), pos + offsetof(InstrBrIf, fuel_taken),
          pos + offsetof(InstrBrIf, fuel_fall)};
}

void Compiler::ThreadJumps() {
  auto* base = reinterpret_cast<uint8_t*>(code_.data());
  auto at = [&](size_t pos) { return reinterpret_cast<interp::InstrBr*>(base + pos); };
  for (size_t pos : branches_) {
    // Follow chains of free branches; a chain longer than this is not worth the time.
    for (int hops = 0; hops < 8; ++hops) {
      interp::InstrBr* br = at(pos);
      if (br->handler != ctl_.br || br->fuel != 0) break;
      size_t target = size_t(int64_t(pos) + br->offset);
      Handler h = at(target)->handler;
      if (h == ctl_.ret1[0]) {
        static_assert(sizeof(interp::InstrR) == sizeof(interp::InstrBr));
        std::memcpy(br, base + target, sizeof(interp::InstrR));
        break;
      }
      if (h == ctl_.ret) {
        const interp::Instr rets[2] = {{ctl_.ret}, {ctl_.ret}};
        static_assert(sizeof(rets) == sizeof(interp::InstrBr));
        std::memcpy(br, rets, sizeof(rets));
        break;
      }
      if (h != ctl_.br || target == pos) break;
      interp::InstrBr* next = at(target);
      br->offset = int32_t(int64_t(target) + next->offset - int64_t(pos));
      br->fuel = next->fuel;
    }
  }
}

// ============================================================================================
// The walk
// ============================================================================================

Expected<CompiledFunction, LoadError> Compiler::Compile(size_t& entry_offset) {
  const TypeIndex type_index = (*env_.func_types)[func_index_];
  type_ = &(*env_.types)[type_index.value];

  // Locals. https://webassembly.github.io/spec/core/binary/modules.html#code-section
  // More than 2^32 locals cannot be indexed: malformed. More than the configured limit
  // (parameters included) is refused before anything is allocated for them.
  local_types_ = type_->params;
  uint32_t groups = PHAT_TRY(ReadU32());
  uint64_t total = type_->params.size();
  auto over_limit = [&] {
    return Error(LoadError::Kind::Limit,
                 "function has " + std::to_string(total) + " locals (parameters included), more than the limit of " +
                     std::to_string(config_.max_function_locals),
                 op_offset_);
  };
  if (total > config_.max_function_locals) return unexpected(over_limit());
  for (uint32_t g = 0; g < groups; ++g) {
    op_offset_ = reader_.Offset();
    uint32_t n = PHAT_TRY(ReadU32());
    total += n;
    if (total > UINT32_MAX) return unexpected(Error(LoadError::Kind::Malformed, "too many locals", op_offset_));
    if (total > config_.max_function_locals) return unexpected(over_limit());
    ValType t = PHAT_TRY(ReadValType());
    local_types_.insert(local_types_.end(), n, t);
  }
  num_locals_ = uint32_t(local_types_.size());

  entry_offset = Emit(interp::InstrEnter{
      num_locals_ > type_->params.size() ? ctl_.enter_zeroing : ctl_.enter,
      uint32_t(type_->params.size()),
      uint32_t(num_locals_ - type_->params.size()),
      0,
      0});
  StartRegionAt(entry_offset + offsetof(interp::InstrEnter, fuel));
  // Entering zeroes the declared locals: work in proportion to them, charged like bulk memory
  // (one unit per 64 bytes).
  AddCost(int32_t((num_locals_ - type_->params.size()) / 8));

  Control fn;
  fn.is_function = true;
  fn.sig = BlockSig{{}, type_->results};
  controls_.push_back(std::move(fn));

  while (!controls_.empty()) {
    op_offset_ = reader_.Offset();
    if (reader_.AtEnd())
      return unexpected(Error(LoadError::Kind::Malformed, "unexpected end of section or function",
                              op_offset_));
    uint8_t byte = *reader_.Position();
    reader_.Skip(1);
    std::optional<Opcode> op;
    if (byte == 0xfc) {
      uint32_t sub = PHAT_TRY(ReadU32());
      op = DecodeOpcodeFC(sub);
    } else if (byte == 0xfd) {
      return unexpected(Error(LoadError::Kind::Unsupported, "SIMD instructions are not supported",
                              op_offset_));
    } else {
      op = DecodeOpcode(byte);
    }
    if (!op) return unexpected(Error(LoadError::Kind::Malformed, "illegal opcode", op_offset_));
    const OpcodeInfo& info = Info(*op);
    if (info.features != kMvp) PHAT_TRY_VOID(RequireFeatures(info.features, info.text));
    if (live_) AddCost(info.fuel);
    PHAT_TRY_VOID(CompileOp(*op));
    PHAT_TRY_VOID(CheckCodeSize());
  }
  if (!reader_.AtEnd())
    return unexpected(Error(LoadError::Kind::Malformed, "section size mismatch: bytes after the final end",
                            reader_.Offset()));

  uint32_t frame_slots = num_locals_ + max_height_;
  frame_slots = std::max(frame_slots, uint32_t(type_->results.size()));
  Patch<uint32_t>(entry_offset + offsetof(interp::InstrEnter, frame_slots), frame_slots);

  ThreadJumps();

  CompiledFunction f;
  std::memcpy(&f.entry_fuel, reinterpret_cast<const uint8_t*>(code_.data()) + entry_offset +
                                 offsetof(interp::InstrEnter, fuel),
              sizeof(int32_t));
  f.type = type_index;
  f.type_id = (*env_.type_ids)[type_index.value];
  f.num_params = uint32_t(type_->params.size());
  f.num_results = uint32_t(type_->results.size());
  f.num_locals = num_locals_;
  f.frame_slots = frame_slots;
  return f;
}

Expected<void, LoadError> Compiler::CompileOp(Opcode op) {
  switch (Info(op).kind) {
    case OpKind::Unary:
    case OpKind::UnaryTrap: return CompileUnary(op);
    case OpKind::Binary:
    case OpKind::BinaryTrap: return CompileBinary(op);
    case OpKind::Load: return CompileLoad(op);
    case OpKind::Store: return CompileStore(op);
    case OpKind::Special: break;
  }
  switch (op) {
    case Opcode::Unreachable:
      if (live_) {
        EndRegion();
        Emit(interp::Instr{data_.unreachable});
      }
      MarkUnreachable();
      return {};
    case Opcode::Nop: return {};
    case Opcode::Block:
    case Opcode::Loop:
    case Opcode::If: return CompileBlock(op);
    case Opcode::Else: return CompileElse();
    case Opcode::End: return CompileEnd();
    case Opcode::Br: return CompileBr();
    case Opcode::BrIf: return CompileBrIf();
    case Opcode::BrTable: return CompileBrTable();
    case Opcode::Return: {
      PHAT_TRY_VOID(CheckTopTypes(type_->results));
      if (live_) {
        EndRegion();
        EmitReturn(true);
      }
      MarkUnreachable();
      return {};
    }
    case Opcode::Call: {
      uint32_t f = PHAT_TRY(ReadU32());
      return CompileCall(f);
    }
    case Opcode::CallIndirect: return CompileCallIndirect();
    case Opcode::Drop:
      PHAT_TRY(PopExpect(kUnknown));
      return {};
    case Opcode::Select:
    case Opcode::SelectT: return CompileSelect(op);
    case Opcode::LocalGet:
    case Opcode::LocalSet:
    case Opcode::LocalTee: return CompileLocal(op);
    case Opcode::GlobalGet:
    case Opcode::GlobalSet: return CompileGlobal(op);
    case Opcode::I32Const:
    case Opcode::I64Const:
    case Opcode::F32Const:
    case Opcode::F64Const: return CompileConst(op);
    case Opcode::MemorySize:
    case Opcode::MemoryGrow:
    case Opcode::MemoryInit:
    case Opcode::DataDrop:
    case Opcode::MemoryCopy:
    case Opcode::MemoryFill: return CompileMemoryOp(op);
    case Opcode::TableGet:
    case Opcode::TableSet:
    case Opcode::TableInit:
    case Opcode::ElemDrop:
    case Opcode::TableCopy:
    case Opcode::TableGrow:
    case Opcode::TableSize:
    case Opcode::TableFill: return CompileTableOp(op);
    case Opcode::RefNull:
    case Opcode::RefIsNull:
    case Opcode::RefFunc: return CompileRef(op);
    default:
      return unexpected(Invalid("unhandled opcode " + std::string(Info(op).text)));
  }
}

// ---- Blocks ----

Expected<void, LoadError> Compiler::CompileBlock(Opcode op) {
  BlockSig sig = PHAT_TRY(ReadBlockType());
  Popped cond{};
  if (op == Opcode::If) cond = PHAT_TRY(PopExpect(ValType::I32));
  PHAT_TRY_VOID(CheckTopTypes(sig.params));
  if (controls_.size() >= config_.max_control_depth)
    return unexpected(Error(LoadError::Kind::Limit, "blocks nested too deeply", op_offset_));

  // Joins see every entry in its home slot, whichever way they were reached.
  Condition c{};
  if (op == Opcode::If && live_) c = TakeCondition(cond);
  MaterializeAll();
  Forget();
  PHAT_TRY_VOID(PopTypes(sig.params));

  Control ctl;
  ctl.op = op;
  ctl.sig = sig;
  ctl.height = Height();
  ctl.live_at_entry = live_;
  controls_.push_back(std::move(ctl));
  PushTypes(sig.params);
  Control& self = Top();

  if (op == Opcode::Loop && live_) {
    BindLabel(self.label, true, int64_t(controls_.size() - 1));
  } else if (op == Opcode::If && live_) {
    EndRegion();
    auto [pos, field, fuel_taken, fuel_fall] = EmitCondBranch(Invert(c));
    self.else_label.incoming = true;
    self.else_label.fixups.push_back({pos, field});
    self.else_label.fuel_refs.push_back(FuelRef{int64_t(fuel_taken), 0});
    StartRegionAt(fuel_fall);
  }
  return {};
}

Expected<void, LoadError> Compiler::CompileElse() {
  Control& c = Top();
  if (c.op != Opcode::If) return unexpected(Invalid("else without a matching if"));
  PHAT_TRY_VOID(CheckBlockEnd(c));
  // The then-branch leaves its results in their home slots and jumps over the else-branch.
  MaterializeTop(uint32_t(c.sig.results.size()));
  Truncate(c.height);
  if (live_) {
    EndRegion();
    size_t pos = Emit(interp::InstrBr{ctl_.br, 0, 0});
    branches_.push_back(pos);
    c.label.incoming = true;
    c.label.fixups.push_back({pos, pos + offsetof(interp::InstrBr, offset)});
    c.label.fuel_refs.push_back(FuelRef{int64_t(pos + offsetof(interp::InstrBr, fuel)), 0});
  }
  c.op = Opcode::Else;
  c.unreachable = false;
  BindLabel(c.else_label, false);
  PushTypes(c.sig.params);
  return {};
}

Expected<void, LoadError> Compiler::CompileEnd() {
  Control& c = Top();
  uint32_t n = uint32_t(c.sig.results.size());
  PHAT_TRY_VOID(CheckBlockEnd(c));
  if (c.op == Opcode::If && c.sig.params.size() != c.sig.results.size())
    return unexpected(Invalid("type mismatch: if without else must leave its parameters"));
  if (c.op == Opcode::If && !std::equal(c.sig.params.begin(), c.sig.params.end(), c.sig.results.begin()))
    return unexpected(Invalid("type mismatch: if without else must leave its parameters"));

  if (c.is_function) {
    if (live_) {
      EndRegion();
      EmitReturn(true);
    }
    controls_.pop_back();
    return {};
  }

  bool fall = live_;
  if (fall) MaterializeTop(n);
  Truncate(c.height);
  if (c.op == Opcode::If) {  // without else: the false branch arrives here too
    BindLabel(c.else_label, fall);
    fall = live_;
  }
  if (c.op == Opcode::Loop) {
    Forget();
    live_ = fall;
    // Back-edges are over; the block the header started may go on past the loop, and its ref
    // to this loop lapses with the loop's id.
  } else {
    BindLabel(c.label, fall);
  }
  std::span<const ValType> results = c.sig.results;
  controls_.pop_back();
  PushTypes(results);
  return {};
}

// ---- Branches ----

Expected<void, LoadError> Compiler::CompileBr() {
  uint32_t depth = PHAT_TRY(ReadU32());
  Control* target = PHAT_TRY(LabelAt(depth));
  PHAT_TRY_VOID(CheckTopTypes(target->label_types()));
  if (live_) {
    EndRegion();
    EmitJump(*target);
  }
  MarkUnreachable();
  return {};
}

Expected<void, LoadError> Compiler::CompileBrIf() {
  uint32_t depth = PHAT_TRY(ReadU32());
  Control* target = PHAT_TRY(LabelAt(depth));
  Popped cond = PHAT_TRY(PopExpect(ValType::I32));
  PHAT_TRY_VOID(CheckTopTypes(target->label_types()));
  if (Top().unreachable) {
    // br_if passes its values on: under a polymorphic stack they become real, typed entries.
    PHAT_TRY_VOID(PopTypes(target->label_types()));
    PushTypes(target->label_types());
  }
  if (!live_) return {};
  Condition c = TakeCondition(cond);
  // Values made real now stay real for the code after, and usually already sit where the target
  // wants them, so a run of br_ifs does not copy them again each time.
  MaterializeTop(uint32_t(target->label_types().size()));
  EndRegion();
  if (!target->is_function && !NeedsCopies(*target)) {
    auto [pos, field, fuel_taken, fuel_fall] = EmitCondBranch(c);
    LinkBranch(pos, field, int64_t(fuel_taken), *target);
    StartRegionAt(fuel_fall);
    return {};
  }
  // if (cond) { copies; jump } as: branch around when not cond.
  auto [pos, field, fuel_taken, fuel_fall] = EmitCondBranch(Invert(c));
  Label skip;
  skip.incoming = true;
  skip.fixups.push_back({pos, field});
  skip.fuel_refs.push_back(FuelRef{int64_t(fuel_taken), 0});
  StartRegionAt(fuel_fall);
  // The copies only write the target's slots, which lie below the values passed, so the entries
  // the fall-through path keeps are undisturbed.
  EmitJump(*target);
  EndRegion();
  BindLabel(skip, false);
  return {};
}

Expected<void, LoadError> Compiler::CompileBrTable() {
  uint32_t count = PHAT_TRY(reader_.Count(1));
  std::vector<uint32_t> depths(count + 1);
  for (uint32_t i = 0; i <= count; ++i) depths[i] = PHAT_TRY(ReadU32());
  Popped index = PHAT_TRY(PopExpect(ValType::I32));
  Control* dflt = PHAT_TRY(LabelAt(depths[count]));
  size_t arity = dflt->label_types().size();
  // Targets repeat; each distinct one is checked once, and gets at most one stub below.
  std::vector<uint32_t> distinct(depths);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (uint32_t d : distinct) {
    Control* t = PHAT_TRY(LabelAt(d));
    if (t->label_types().size() != arity)
      return unexpected(Invalid("type mismatch: br_table targets have different arities"));
    PHAT_TRY_VOID(CheckTopTypes(t->label_types()));
  }
  if (live_) {
    Slot index_slot = SlotOf(index);
    MaterializeTop(uint32_t(arity));
    EndRegion();
    using Entry = interp::InstrBrTable::Entry;
    const size_t pos = Here();
    code_.resize(code_.size() + (sizeof(interp::InstrBrTable) + (count + 1) * sizeof(Entry)) / 8);
    Patch(pos, interp::InstrBrTable{ctl_.br_table, index_slot, count});
    auto entry = [&](uint32_t i) { return pos + sizeof(interp::InstrBrTable) + i * sizeof(Entry); };
    // Targets that need their values moved, or that return, get a stub after the table; the
    // stub's own jump charges the target's block.
    std::map<uint32_t, size_t> stubs;  // depth -> the stub's position, once emitted
    for (uint32_t i = 0; i <= count; ++i) {
      Control& t = *PHAT_TRY(LabelAt(depths[i]));
      if (t.is_function || NeedsCopies(t)) {
        stubs[depths[i]] = 0;
        continue;
      }
      LinkBranch(pos, entry(i) + offsetof(Entry, offset), int64_t(entry(i) + offsetof(Entry, fuel)), t);
    }
    for (auto& [depth, stub] : stubs) {
      stub = Here();
      EmitJump(*PHAT_TRY(LabelAt(depth)));
      PHAT_TRY_VOID(CheckCodeSize());
    }
    for (uint32_t i = 0; i <= count; ++i) {
      auto it = stubs.find(depths[i]);
      if (it != stubs.end()) Patch<int32_t>(entry(i) + offsetof(Entry, offset), int32_t(it->second - pos));
    }
  }
  MarkUnreachable();
  return {};
}

// ---- Calls ----

Expected<void, LoadError> Compiler::EmitCallTo(uint32_t num_args, std::span<const ValType> results,
                                               auto make_instr) {
  if (live_) {
    MaterializeTop(num_args);
    Slot base = Home(Height() - num_args);
    Forget();
    make_instr(base);
  }
  for (uint32_t i = 0; i < num_args; ++i) Pop();
  PushTypes(results);
  return {};
}

Expected<void, LoadError> Compiler::CompileCall(uint32_t func) {
  if (func >= env_.func_types->size())
    return unexpected(Invalid("unknown function " + std::to_string(func)));
  const FuncType& ft = (*env_.types)[(*env_.func_types)[func].value];
  PHAT_TRY_VOID(CheckTopTypes(ft.params));
  // Under a polymorphic stack some arguments may be missing; they are never executed.
  uint32_t available = Height() - Top().height;
  uint32_t n = std::min<uint32_t>(uint32_t(ft.params.size()), available);
  if (!live_) {
    for (uint32_t i = 0; i < n; ++i) Pop();
    PushTypes(ft.results);
    return {};
  }
  return EmitCallTo(n, ft.results, [&](Slot base) {
    if (func < env_.num_imported_funcs) {
      Emit(interp::InstrCallImport{ctl_.call_import, base, func});
    } else {
      const CompiledFunction* callee = &(*env_.functions)[func - env_.num_imported_funcs];
      Emit(interp::InstrCall{ctl_.call, base, 0, callee});
    }
  });
}

Expected<void, LoadError> Compiler::CompileCallIndirect() {
  uint32_t type_index = PHAT_TRY(ReadU32());
  uint32_t table = PHAT_TRY(ReadU32());
  PHAT_TRY_VOID(RequireTable(table));
  if (table != 0) PHAT_TRY_VOID(RequireFeatures(kRefTypes, "call_indirect on a table other than 0"));
  if ((*env_.tables)[table].elem != ValType::FuncRef)
    return unexpected(Invalid("type mismatch: call_indirect needs a funcref table"));
  if (type_index >= env_.types->size())
    return unexpected(Invalid("unknown type " + std::to_string(type_index)));
  const FuncType& ft = (*env_.types)[type_index];
  Popped index = PHAT_TRY(PopExpect(ValType::I32));
  PHAT_TRY_VOID(CheckTopTypes(ft.params));
  uint32_t available = Height() - Top().height;
  uint32_t n = std::min<uint32_t>(uint32_t(ft.params.size()), available);
  if (!live_) {
    for (uint32_t i = 0; i < n; ++i) Pop();
    PushTypes(ft.results);
    return {};
  }
  Slot index_slot = SlotOf(index);
  uint32_t type_id = (*env_.type_ids)[type_index];
  return EmitCallTo(n, ft.results, [&](Slot base) {
    Emit(interp::InstrCallIndirect{ctl_.call_indirect, base, index_slot, table, type_id});
  });
}

// ---- Variables ----

Expected<void, LoadError> Compiler::CompileLocal(Opcode op) {
  uint32_t x = PHAT_TRY(ReadU32());
  if (x >= num_locals_) return unexpected(Invalid("unknown local " + std::to_string(x)));
  ValType t = local_types_[x];
  if (op == Opcode::LocalGet) {
    if (live_) Push(Operand{t, Operand::Kind::Local, x});
    else PushTemp(t);
    return {};
  }
  Popped v = PHAT_TRY(PopExpect(t));
  if (live_) {
    bool self = v.op.kind == Operand::Kind::Local && v.op.local == x;
    if (!self) {
      if (v.op.kind == Operand::Kind::Temp && last_result_.end == Here() &&
          last_result_.height == v.height && !HasRefs(x)) {
        Patch<Slot>(last_result_.dst_field, x);  // the producer writes the local directly
      } else {
        MaterializeRefs(x);
        EmitMove(x, v.op, v.height);
      }
    }
    Forget();
  }
  if (op == Opcode::LocalTee) {
    if (live_) Push(Operand{t, Operand::Kind::Local, x});
    else PushTemp(t);
  }
  return {};
}

Expected<void, LoadError> Compiler::CompileGlobal(Opcode op) {
  uint32_t g = PHAT_TRY(ReadU32());
  if (g >= env_.globals->size()) return unexpected(Invalid("unknown global " + std::to_string(g)));
  const GlobalType& gt = (*env_.globals)[g];
  if (op == Opcode::GlobalGet) {
    if (live_) {
      size_t pos = Emit(interp::InstrGlobal{data_.global_get, Home(Height()), g});
      PushTemp(gt.type);
      NoteResult(pos);
      return {};
    }
    PushTemp(gt.type);
    return {};
  }
  if (!gt.mutable_) return unexpected(Invalid("global is immutable"));
  Popped v = PHAT_TRY(PopExpect(gt.type));
  if (live_) {
    if (TakeFromAcc(v)) {
      Emit(interp::InstrGlobal{data_.global_set[1], 0, g});
    } else {
      Slot s = SlotOf(v);
      Emit(interp::InstrGlobal{data_.global_set[0], s, g});
    }
    Forget();
  }
  return {};
}

// ---- Parametric ----

Expected<void, LoadError> Compiler::CompileSelect(Opcode op) {
  ValType t = kUnknown;
  if (op == Opcode::SelectT) {
    uint32_t n = PHAT_TRY(ReadU32());
    if (n != 1) return unexpected(Invalid("invalid result arity"));
    t = PHAT_TRY(ReadValType());
  }
  Popped c = PHAT_TRY(PopExpect(ValType::I32));
  Popped b = PHAT_TRY(PopExpect(t));
  Popped a = PHAT_TRY(PopExpect(t == kUnknown ? b.op.type : t));
  ValType result = t != kUnknown ? t : (a.op.type != kUnknown ? a.op.type : b.op.type);
  if (op == Opcode::Select && (IsRef(result) || result == ValType::V128))
    return unexpected(Invalid("type mismatch: select without a type needs numeric operands"));
  if (op == Opcode::Select && a.op.type != kUnknown && b.op.type != kUnknown && a.op.type != b.op.type)
    return unexpected(Invalid("type mismatch: select operands differ"));
  if (live_) {
    const bool c_acc = TakeFromAcc(c);  // the condition is usually computed just before
    Slot sc = c_acc ? 0 : SlotOf(c);
    Slot sa = SlotOf(a), sb = SlotOf(b);
    size_t pos = Emit(interp::InstrRRRR{data_.select[c_acc], Home(a.height), sa, sb, sc});
    PushTemp(result);
    NoteResult(pos);
    return {};
  }
  PushTemp(result);
  return {};
}

// ---- Numeric ----

Expected<void, LoadError> Compiler::CompileConst(Opcode op) {
  Operand c{ValType::I32, Operand::Kind::Const};
  switch (op) {
    case Opcode::I32Const: {
      int32_t v = PHAT_TRY(reader_.S32());
      c.bits = uint32_t(v);
      break;
    }
    case Opcode::I64Const: {
      int64_t v = PHAT_TRY(reader_.S64());
      c.type = ValType::I64;
      c.bits = uint64_t(v);
      break;
    }
    case Opcode::F32Const:
      c.type = ValType::F32;
      c.bits = PHAT_TRY(reader_.F32Bits());
      break;
    default:
      c.type = ValType::F64;
      c.bits = PHAT_TRY(reader_.F64Bits());
      break;
  }
  if (live_) Push(c);
  else PushTemp(c.type);
  return {};
}

Expected<void, LoadError> Compiler::CompileUnary(Opcode op) {
  const OpcodeInfo& info = Info(op);
  Popped a = PHAT_TRY(PopExpect(ToValType(info.in1)));
  if (live_) {
    Loc la = TakeFromAcc(a) ? Loc::Acc : Loc::Slot;
    Slot sa = la == Loc::Acc ? 0 : SlotOf(a);
    Slot d = Home(a.height);
    size_t pos = Emit(interp::InstrRR{interp::HandlersFor(op).rr[int(la)][0], d, sa});
    PushTemp(ToValType(info.out));
    NoteResult(pos);
    if (op == Opcode::I32Eqz || op == Opcode::I64Eqz) {
      Condition c{op == Opcode::I32Eqz ? Condition::Kind::Zero32 : Condition::Kind::Zero64};
      c.a = sa;
      c.srcs = la == Loc::Acc ? Pair::AS : Pair::SS;
      last_compare_ = {pos, Here(), Height() - 1, c};
    }
    return {};
  }
  PushTemp(ToValType(info.out));
  return {};
}

bool IsCommutative(Opcode op) {
  switch (op) {
    case Opcode::I32Add: case Opcode::I32Mul: case Opcode::I32And: case Opcode::I32Or:
    case Opcode::I32Xor: case Opcode::I64Add: case Opcode::I64Mul: case Opcode::I64And:
    case Opcode::I64Or: case Opcode::I64Xor:
      return true;
    default:
      return false;
  }
}

std::optional<Opcode> SwappedCompare(Opcode op) {
  switch (op) {
#define PHAT_COMPARE(Op, Inverse, Swapped) \
  case Opcode::Op: return Opcode::Swapped;
#define PHAT_OPCODE(...)
#include "wasm/opcodes.def"
#undef PHAT_OPCODE
#undef PHAT_COMPARE
    default:
      return std::nullopt;
  }
}

bool FitsImm32(const Operand& op, OpType type) {
  if (type == OpType::I32) return true;
  int64_t v = int64_t(op.bits);
  return v == int64_t(int32_t(v));
}

// `local + const`, `local - const` and `local + local` stay pending: a load or store folds them
// into its address, a local.set writes them straight to the local.
std::optional<Operand> LazyAdd(Opcode op, const Operand& a, const Operand& b) {
  using K = Operand::Kind;
  if (op != Opcode::I32Add && op != Opcode::I32Sub) return std::nullopt;
  Operand r{ValType::I32};
  if (a.kind == K::Local && b.kind == K::Const) {
    r.kind = K::AddImm;
    r.local = a.local;
    r.bits = op == Opcode::I32Add ? uint32_t(b.bits) : uint32_t(0u - uint32_t(b.bits));
    return r;
  }
  if (op == Opcode::I32Sub) return std::nullopt;
  if (a.kind == K::Const && b.kind == K::Local) return LazyAdd(op, b, a);
  if (a.kind == K::Local && b.kind == K::Local) {
    r.kind = K::Add;
    r.local = a.local;
    r.local2 = b.local;
    return r;
  }
  return std::nullopt;
}

Expected<void, LoadError> Compiler::CompileBinary(Opcode op) {
  const OpcodeInfo& info = Info(op);
  Popped b = PHAT_TRY(PopExpect(ToValType(info.in2)));
  Popped a = PHAT_TRY(PopExpect(ToValType(info.in1)));
  ValType out = ToValType(info.out);
  if (!live_) {
    PushTemp(out);
    return {};
  }
  if (std::optional<Operand> lazy = LazyAdd(op, a.op, b.op)) {
    Push(*lazy);
    return {};
  }
  // An operand just loaded is read by the operation itself: the second one, or the first when
  // the operation commutes (the other then needs no code of its own in between).
  if (info.kind == OpKind::Binary) {
    bool first = false;
    std::optional<LastLoad> load = TakeLoad(b, info.in2);
    if (!load && IsCommutative(op) && b.op.kind != Operand::Kind::Temp) {
      load = TakeLoad(a, info.in1);
      first = true;
    }
    if (load) {
      const Popped& other = first ? b : a;
      const int mode = load->address.mode == AddrMode::Slot ? 0 : 1;
      const bool x_acc = TakeFromAcc(other);
      Slot x = x_acc ? 0 : SlotOf(other);
      size_t pos = Emit(interp::InstrRRM{interp::HandlersFor(op).rrm[mode][x_acc][0], Home(a.height), x,
                                         load->address.a, load->offset, load->address.b, 0});
      PushTemp(out);
      NoteResult(pos);
      return {};
    }
  }
  const bool integer = info.in1 == OpType::I32 || info.in1 == OpType::I64;
  Slot d = Home(a.height);
  std::optional<Opcode> swapped = SwappedCompare(op);
  // An integer constant operand becomes an immediate; on the left only if the op can swap.
  Opcode emit_op = op;
  if (integer && a.op.kind == Operand::Kind::Const && b.op.kind != Operand::Kind::Const &&
      (IsCommutative(op) || swapped)) {
    std::swap(a.op, b.op);
    std::swap(a.height, b.height);
    if (swapped) emit_op = *swapped;
  }
  // At most one operand can be the previous instruction's result, handed over in acc.
  const interp::GenericHandlers& g = interp::HandlersFor(emit_op);
  Pair srcs = TakeFromAcc(b) ? Pair::SA : TakeFromAcc(a) ? Pair::AS : Pair::SS;
  Slot sa = srcs == Pair::AS ? 0 : SlotOf(a);
  size_t pos;
  Condition cond{Condition::Kind::Compare};
  cond.compare = emit_op;
  cond.srcs = srcs;
  cond.a = sa;
  if (integer && b.op.kind == Operand::Kind::Const) {
    const int la = srcs == Pair::AS ? 1 : 0;
    if (info.in2 == OpType::I32) {
      pos = Emit(interp::InstrRRI<uint32_t>{g.rri[la][0], d, sa, uint32_t(b.op.bits)});
    } else {
      pos = Emit(interp::InstrRRI<uint64_t>{g.rri[la][0], d, sa, b.op.bits});
    }
    cond.imm = true;
    cond.b = uint32_t(b.op.bits);
    if (swapped && !FitsImm32(b.op, info.in2)) swapped.reset();  // not fusable with an imm32
  } else {
    Slot sb = srcs == Pair::SA ? 0 : SlotOf(b);
    pos = Emit(interp::InstrRRR{g.rrr[int(srcs)][0], d, sa, sb, 0});
    cond.b = sb;
  }
  PushTemp(out);
  NoteResult(pos);
  if (swapped) last_compare_ = {pos, Here(), Height() - 1, cond};
  if (emit_op == Opcode::I32Add) last_add_ = {pos, Here(), Height() - 1, cond.a, cond.b, cond.imm, srcs};
  return {};
}

// ---- Memory ----

std::optional<LastLoad> Compiler::TakeLoad(const Popped& p, OpType type) {
  static constexpr Opcode kNatural[] = {Opcode::Nop, Opcode::I32Load, Opcode::I64Load, Opcode::F32Load,
                                        Opcode::F64Load};
  if (p.op.kind != Operand::Kind::Temp || last_load_.end != Here() || last_load_.height != p.height ||
      last_load_.op != kNatural[int(type)])
    return std::nullopt;
  LastLoad load = last_load_;
  TruncateTo(load.start);
  Forget();
  last_result_ = load.before;  // its producer is the last instruction again
  return load;
}

Address Compiler::TakeAddress(const Popped& p, bool may_use_last) {
  using K = Operand::Kind;
  switch (p.op.kind) {
    case K::Const: return {AddrMode::Const, 0, uint32_t(p.op.bits)};
    case K::AddImm: return {AddrMode::AddImm, p.op.local, uint32_t(p.op.bits)};
    case K::Add: return {AddrMode::Add, p.op.local, p.op.local2};
    case K::Local: return {AddrMode::Slot, p.op.local, 0};
    case K::Temp:
      if (!may_use_last) return {AddrMode::Slot, Home(p.height), 0};
      if (last_add_.end == Here() && last_add_.height == p.height &&
          (last_add_.imm || last_add_.srcs == Pair::SS)) {
        // The i32.add that computed the address was the last instruction: the access does it.
        TruncateTo(last_add_.start);
        Address addr{AddrMode::Add, last_add_.a, last_add_.b};
        if (last_add_.imm) addr.mode = last_add_.srcs == Pair::AS ? AddrMode::AccAddImm : AddrMode::AddImm;
        Forget();
        return addr;
      }
      if (TakeFromAcc(p)) return {AddrMode::Acc, 0, 0};
      return {AddrMode::Slot, Home(p.height), 0};
  }
  return {};
}

Expected<void, LoadError> Compiler::CompileLoad(Opcode op) {
  const OpcodeInfo& info = Info(op);
  uint32_t offset = PHAT_TRY(ReadMemarg(info.width));
  Popped addr = PHAT_TRY(PopExpect(ValType::I32));
  if (live_) {
    Address a = TakeAddress(addr, true);
    LastResult before = last_result_;
    size_t pos = Emit(interp::InstrLoad{interp::HandlersFor(op).load[int(a.mode)][0], Home(addr.height), a.a,
                                        offset, a.b});
    PushTemp(ToValType(info.out));
    NoteResult(pos);
    const bool full_width = op == Opcode::I32Load || op == Opcode::I64Load || op == Opcode::F32Load ||
                            op == Opcode::F64Load;
    if (full_width && (a.mode == AddrMode::Slot || a.mode == AddrMode::AddImm))
      last_load_ = {pos, Here(), Height() - 1, op, a, offset, before};
    return {};
  }
  PushTemp(ToValType(info.out));
  return {};
}

Expected<void, LoadError> Compiler::CompileStore(Opcode op) {
  const OpcodeInfo& info = Info(op);
  uint32_t offset = PHAT_TRY(ReadMemarg(info.width));
  Popped v = PHAT_TRY(PopExpect(ToValType(info.in2)));
  Popped addr = PHAT_TRY(PopExpect(ValType::I32));
  if (!live_) return {};
  const interp::GenericHandlers& g = interp::HandlersFor(op);
  if (v.op.kind == Operand::Kind::Const && v.op.bits > UINT32_MAX) {
    // A wide constant rides in its own instruction form, at a slot address.
    Slot sa = SlotOf(addr);
    Emit(interp::InstrStoreImm{g.store_imm, sa, offset, v.op.bits});
    Forget();
    return {};
  }
  Address a;
  ValueSrc src;
  Slot sv = 0;
  if (v.op.kind == Operand::Kind::Const) {
    a = TakeAddress(addr, true);
    src = ValueSrc::Imm32;
    sv = uint32_t(v.op.bits);
  } else if (TakeFromAcc(v)) {
    a = TakeAddress(addr, false);  // the value's producer came after the address's
    src = ValueSrc::Acc;
  } else {
    // The address's producer may be used only if the value needs no code of its own.
    bool value_ready = v.op.kind == Operand::Kind::Temp || v.op.kind == Operand::Kind::Local;
    a = TakeAddress(addr, value_ready);
    src = ValueSrc::Slot;
    sv = SlotOf(v);
  }
  Emit(interp::InstrStore{g.store[int(a.mode)][int(src)], a.a, sv, offset, a.b});
  Forget();
  return {};
}

Expected<void, LoadError> Compiler::CompileMemoryOp(Opcode op) {
  switch (op) {
    case Opcode::MemorySize:
    case Opcode::MemoryGrow: {
      uint8_t zero = PHAT_TRY(reader_.U8());
      if (zero != 0) return unexpected(Error(LoadError::Kind::Malformed, "zero byte expected", op_offset_));
      PHAT_TRY_VOID(RequireMemory());
      if (op == Opcode::MemorySize) {
        if (live_) {
          size_t pos = Emit(interp::InstrR{data_.memory_size, Home(Height()), 0});
          PushTemp(ValType::I32);
          NoteResult(pos);
          return {};
        }
        PushTemp(ValType::I32);
        return {};
      }
      Popped n = PHAT_TRY(PopExpect(ValType::I32));
      if (live_) {
        Slot sn = SlotOf(n);
        Emit(interp::InstrRR{data_.memory_grow, Home(n.height), sn});
        Forget();
      }
      PushTemp(ValType::I32);
      return {};
    }
    case Opcode::MemoryInit: {
      uint32_t seg = PHAT_TRY(ReadU32());
      uint8_t zero = PHAT_TRY(reader_.U8());
      if (zero != 0) return unexpected(Error(LoadError::Kind::Malformed, "zero byte expected", op_offset_));
      PHAT_TRY_VOID(RequireMemory());
      PHAT_TRY_VOID(RequireData(seg));
      Popped n = PHAT_TRY(PopExpect(ValType::I32));
      Popped s = PHAT_TRY(PopExpect(ValType::I32));
      Popped d = PHAT_TRY(PopExpect(ValType::I32));
      if (live_) {
        Slot sn = SlotOf(n), ss = SlotOf(s), sd = SlotOf(d);
        Emit(interp::InstrRRRR{ctl_.memory_init, sd, ss, sn, seg});
        Forget();
      }
      return {};
    }
    case Opcode::DataDrop: {
      uint32_t seg = PHAT_TRY(ReadU32());
      PHAT_TRY_VOID(RequireData(seg));
      if (live_) Emit(interp::InstrR{data_.data_drop, seg, 0});
      return {};
    }
    case Opcode::MemoryCopy:
    case Opcode::MemoryFill: {
      uint8_t zero = PHAT_TRY(reader_.U8());
      if (zero != 0) return unexpected(Error(LoadError::Kind::Malformed, "zero byte expected", op_offset_));
      if (op == Opcode::MemoryCopy) {
        uint8_t zero2 = PHAT_TRY(reader_.U8());
        if (zero2 != 0) return unexpected(Error(LoadError::Kind::Malformed, "zero byte expected", op_offset_));
      }
      PHAT_TRY_VOID(RequireMemory());
      Popped n = PHAT_TRY(PopExpect(ValType::I32));
      Popped v = PHAT_TRY(PopExpect(ValType::I32));
      Popped d = PHAT_TRY(PopExpect(ValType::I32));
      if (live_) {
        Slot sn = SlotOf(n), sv = SlotOf(v), sd = SlotOf(d);
        Handler h = op == Opcode::MemoryCopy ? ctl_.memory_copy : ctl_.memory_fill;
        Emit(interp::InstrRRRR{h, sd, sv, sn, 0});
        Forget();
      }
      return {};
    }
    default:
      return unexpected(Invalid("not a memory instruction"));
  }
}

// ---- Tables and references ----

Expected<void, LoadError> Compiler::CompileTableOp(Opcode op) {
  switch (op) {
    case Opcode::TableGet:
    case Opcode::TableSet: {
      uint32_t t = PHAT_TRY(ReadU32());
      PHAT_TRY_VOID(RequireTable(t));
      ValType et = (*env_.tables)[t].elem;
      if (op == Opcode::TableGet) {
        Popped i = PHAT_TRY(PopExpect(ValType::I32));
        if (live_) {
          Slot si = SlotOf(i);
          Emit(interp::InstrRRR{data_.table_get, Home(i.height), si, t, 0});
          Forget();
        }
        PushTemp(et);
        return {};
      }
      Popped v = PHAT_TRY(PopExpect(et));
      Popped i = PHAT_TRY(PopExpect(ValType::I32));
      if (live_) {
        Slot sv = SlotOf(v), si = SlotOf(i);
        Emit(interp::InstrRRR{data_.table_set, si, sv, t, 0});
        Forget();
      }
      return {};
    }
    case Opcode::TableSize: {
      uint32_t t = PHAT_TRY(ReadU32());
      PHAT_TRY_VOID(RequireTable(t));
      if (live_) {
        Emit(interp::InstrRR{data_.table_size, Home(Height()), t});
        Forget();
      }
      PushTemp(ValType::I32);
      return {};
    }
    case Opcode::TableGrow:
    case Opcode::TableFill: {
      uint32_t t = PHAT_TRY(ReadU32());
      PHAT_TRY_VOID(RequireTable(t));
      ValType et = (*env_.tables)[t].elem;
      Popped n = PHAT_TRY(PopExpect(ValType::I32));
      Popped v = PHAT_TRY(PopExpect(et));
      if (op == Opcode::TableGrow) {
        if (live_) {
          Slot sn = SlotOf(n), sv = SlotOf(v);
          Emit(interp::InstrRRRR{data_.table_grow, Home(v.height), sv, sn, t});
          Forget();
        }
        PushTemp(ValType::I32);
        return {};
      }
      Popped i = PHAT_TRY(PopExpect(ValType::I32));
      if (live_) {
        Slot sn = SlotOf(n), sv = SlotOf(v), si = SlotOf(i);
        Emit(interp::InstrRRRR{ctl_.table_fill, si, sv, sn, t});
        Forget();
      }
      return {};
    }
    case Opcode::TableCopy: {
      uint32_t dst = PHAT_TRY(ReadU32());
      uint32_t src = PHAT_TRY(ReadU32());
      PHAT_TRY_VOID(RequireTable(dst));
      PHAT_TRY_VOID(RequireTable(src));
      if ((*env_.tables)[dst].elem != (*env_.tables)[src].elem)
        return unexpected(Invalid("type mismatch: table.copy between tables of different types"));
      Popped n = PHAT_TRY(PopExpect(ValType::I32));
      Popped s = PHAT_TRY(PopExpect(ValType::I32));
      Popped d = PHAT_TRY(PopExpect(ValType::I32));
      if (live_) {
        Slot sn = SlotOf(n), ss = SlotOf(s), sd = SlotOf(d);
        Emit(interp::InstrRRRRR{ctl_.table_copy, sd, ss, sn, dst, src, 0});
        Forget();
      }
      return {};
    }
    case Opcode::TableInit: {
      uint32_t seg = PHAT_TRY(ReadU32());
      uint32_t t = PHAT_TRY(ReadU32());
      PHAT_TRY_VOID(RequireTable(t));
      PHAT_TRY_VOID(RequireElem(seg));
      if ((*env_.tables)[t].elem != (*env_.elem_types)[seg])
        return unexpected(Invalid("type mismatch: table.init with a segment of another type"));
      Popped n = PHAT_TRY(PopExpect(ValType::I32));
      Popped s = PHAT_TRY(PopExpect(ValType::I32));
      Popped d = PHAT_TRY(PopExpect(ValType::I32));
      if (live_) {
        Slot sn = SlotOf(n), ss = SlotOf(s), sd = SlotOf(d);
        Emit(interp::InstrRRRRR{ctl_.table_init, sd, ss, sn, t, seg, 0});
        Forget();
      }
      return {};
    }
    case Opcode::ElemDrop: {
      uint32_t seg = PHAT_TRY(ReadU32());
      PHAT_TRY_VOID(RequireElem(seg));
      if (live_) Emit(interp::InstrR{data_.elem_drop, seg, 0});
      return {};
    }
    default:
      return unexpected(Invalid("not a table instruction"));
  }
}

Expected<void, LoadError> Compiler::CompileRef(Opcode op) {
  switch (op) {
    case Opcode::RefNull: {
      uint64_t at = reader_.Offset();
      uint8_t b = PHAT_TRY(reader_.U8());
      if (ValType(b) != ValType::FuncRef && ValType(b) != ValType::ExternRef)
        return unexpected(Error(LoadError::Kind::Malformed, "malformed reference type", at));
      if (live_) Push(Operand{ValType(b), Operand::Kind::Const});
      else PushTemp(ValType(b));
      return {};
    }
    case Opcode::RefIsNull: {
      Popped r = PHAT_TRY(PopExpect(kUnknown));
      if (r.op.type != kUnknown && !IsRef(r.op.type))
        return unexpected(Invalid("type mismatch: ref.is_null needs a reference"));
      if (live_) {
        Slot s = SlotOf(r);
        Emit(interp::InstrRR{data_.ref_is_null, Home(r.height), s});
        Forget();
      }
      PushTemp(ValType::I32);
      return {};
    }
    case Opcode::RefFunc: {
      uint32_t f = PHAT_TRY(ReadU32());
      if (f >= env_.func_types->size())
        return unexpected(Invalid("unknown function " + std::to_string(f)));
      if (!(*env_.declared_funcs)[f])
        return unexpected(Invalid("undeclared function reference " + std::to_string(f)));
      if (live_) {
        Emit(interp::InstrRR{data_.ref_func, Home(Height()), f});
        Forget();
      }
      PushTemp(ValType::FuncRef);
      return {};
    }
    default:
      return unexpected(Invalid("not a reference instruction"));
  }
}

}  // namespace

Expected<CompiledFunction, LoadError> CompileFunction(const ModuleEnv& env,
                                                      const EngineConfig& config,
                                                      const LoadPolicy& policy,
                                                      uint32_t func_index,
                                                      std::span<const uint8_t> body,
                                                      uint64_t body_offset,
                                                      std::vector<uint64_t>& code,
                                                      size_t& entry_offset) {
  size_t start = code.size();
  Compiler compiler(env, config, policy, func_index, body, body_offset, code);
  auto result = compiler.Compile(entry_offset);
  if (!result) {
    code.resize(start);
    if (!result.error().function) result.error().function = func_index;  // reader errors
  } else {
    result->body_offset = body_offset;
  }
  return result;
}

}  // namespace phat::wasm
