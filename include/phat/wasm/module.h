// A decoded, validated and compiled module. Immutable once built, so one Module is shared by
// every instance made from it, from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "phat/wasm/config.h"
#include "phat/wasm/error.h"
#include "phat/wasm/types.h"

namespace phat::wasm {

namespace interp {
struct Instr;
}

// https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions
struct ConstExpr {
  enum class Kind : uint8_t { Value, GlobalGet, RefFunc, RefNull };
  Kind kind = Kind::Value;
  Value value;         // Kind::Value; for RefNull, the null of the right type
  uint32_t index = 0;  // GlobalGet: global index; RefFunc: function index
};

// https://webassembly.github.io/spec/core/syntax/modules.html#imports
struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  TypeIndex func_type;  // kind == Func
  TableType table;      // kind == Table
  MemoryType memory;    // kind == Memory
  GlobalType global;    // kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

struct GlobalDef {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : uint8_t { Passive, Active, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Passive;
  ValType type = ValType::FuncRef;
  TableIndex table;
  ConstExpr offset;  // Active only
  std::vector<ConstExpr> items;
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Passive;
  MemoryIndex memory;
  ConstExpr offset;  // Active only
  std::vector<uint8_t> bytes;
};

// A defined function after compilation to internal code. A direct call does the prologue's
// work itself from these fields and enters at `body`; other calls enter at `code`.
struct CompiledFunction {
  const interp::Instr* code = nullptr;  // entry point into Module's code: the prologue
  const interp::Instr* body = nullptr;  // just after the prologue
  uint32_t frame_slots = 0;    // locals + the deepest operand stack, in 8-byte slots
  int32_t entry_fuel = 0;      // the cost of the block the function starts with
  uint32_t num_params = 0;
  uint32_t num_locals = 0;     // params + declared locals
  uint32_t num_results = 0;
  uint32_t type_id = 0;        // engine-wide id of the signature, for call_indirect checks
  TypeIndex type;
  uint64_t body_offset = 0;    // where the body starts in the binary, for error messages
};

class Module {
 public:
  const std::vector<FuncType>& types() const { return types_; }
  const std::vector<Import>& imports() const { return imports_; }
  const std::vector<Export>& exports() const { return exports_; }
  const std::vector<TableType>& tables() const { return tables_; }        // imported first
  const std::vector<MemoryType>& memories() const { return memories_; }   // imported first
  const std::vector<GlobalType>& globals() const { return global_types_; } // imported first
  const std::vector<GlobalDef>& global_defs() const { return globals_; }  // defined only
  const std::vector<ElemSegment>& elems() const { return elems_; }
  const std::vector<DataSegment>& datas() const { return datas_; }
  const std::vector<CompiledFunction>& functions() const { return functions_; }  // defined only
  std::optional<uint32_t> start() const { return start_; }

  uint32_t num_imported_funcs() const { return num_imported_funcs_; }
  uint32_t num_imported_tables() const { return num_imported_tables_; }
  uint32_t num_imported_memories() const { return num_imported_memories_; }
  uint32_t num_imported_globals() const { return num_imported_globals_; }
  uint32_t num_funcs() const { return static_cast<uint32_t>(func_types_.size()); }
  // The signature of any function in the index space (imported first).
  const FuncType& func_type(uint32_t func_index) const { return types_[func_types_[func_index].value]; }
  TypeIndex func_type_index(uint32_t func_index) const { return func_types_[func_index]; }
  uint32_t type_id(TypeIndex type) const { return type_ids_[type.value]; }

  const Export* FindExport(std::string_view name) const;
  size_t code_bytes() const { return code_.size() * sizeof(uint64_t); }

 private:
  friend class ModuleBuilder;
  std::vector<FuncType> types_;
  std::vector<uint32_t> type_ids_;
  std::vector<Import> imports_;
  std::vector<TypeIndex> func_types_;
  std::vector<TableType> tables_;
  std::vector<MemoryType> memories_;
  std::vector<GlobalType> global_types_;
  std::vector<GlobalDef> globals_;
  std::vector<Export> exports_;
  std::vector<ElemSegment> elems_;
  std::vector<DataSegment> datas_;
  std::vector<CompiledFunction> functions_;
  std::optional<uint32_t> start_;
  uint32_t num_imported_funcs_ = 0;
  uint32_t num_imported_tables_ = 0;
  uint32_t num_imported_memories_ = 0;
  uint32_t num_imported_globals_ = 0;
  std::vector<uint64_t> code_;  // all functions' internal code, 8-byte aligned
};

// Decodes, validates and compiles a binary module. The result is shared by all its instances.
Expected<std::shared_ptr<const Module>, LoadError> CompileModule(std::span<const uint8_t> bytes,
                                                                 const EngineConfig& config,
                                                                 const LoadPolicy& policy = {});

// The engine-wide id of a function signature: equal signatures get equal ids. Thread-safe.
uint32_t InternFuncType(const FuncType& type);

}  // namespace phat::wasm
