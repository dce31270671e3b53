// Validates one function body and compiles it to internal code in the same walk: the spec's
// validation algorithm (operand and control stacks) drives a translator that gives every operand
// a frame slot, so most local.get/local.set and constants never become instructions.
// Not thread-safe; one compiler per body, any number in parallel over one ModuleEnv.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "phat/wasm/config.h"
#include "phat/wasm/error.h"
#include "phat/wasm/module.h"
#include "phat/wasm/types.h"

namespace phat::wasm {

// What a function body may refer to: the module's index spaces as decoded so far.
struct ModuleEnv {
  const std::vector<FuncType>* types;
  const std::vector<uint32_t>* type_ids;
  const std::vector<TypeIndex>* func_types;  // every function, imported first
  const std::vector<TableType>* tables;
  const std::vector<MemoryType>* memories;
  const std::vector<GlobalType>* globals;
  const std::vector<ValType>* elem_types;    // per element segment
  std::optional<uint32_t> data_count;        // from the data count section
  const std::vector<bool>* declared_funcs;   // may appear in ref.func (spec: C.refs)
  uint32_t num_imported_funcs;
  const std::vector<CompiledFunction>* functions;  // defined functions, for direct calls
};

// Compiles the body of defined function `func_index` (in the whole index space), appending its
// code to `code`. `body` excludes the size prefix; `body_offset` is its offset in the module.
// Returns the function's descriptor with `code` left null (set once the buffer is final) and
// the entry's offset in `code` in `entry_offset`.
Expected<CompiledFunction, LoadError> CompileFunction(const ModuleEnv& env,
                                                      const EngineConfig& config,
                                                      const LoadPolicy& policy,
                                                      uint32_t func_index,
                                                      std::span<const uint8_t> body,
                                                      uint64_t body_offset,
                                                      std::vector<uint64_t>& code,
                                                      size_t& entry_offset);

}  // namespace phat::wasm
