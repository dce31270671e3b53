// Engine configuration: the limits every module and execution obeys, and the per-load feature
// policy. Plain data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace phat::wasm {

// WebAssembly proposals a module may use. The load policy names those it accepts; an instruction
// or type from any other is rejected with an error naming the function and offset.
enum Feature : uint32_t {
  kMvp = 0,                  // always on
  kFloat = 1u << 0,          // f32/f64 types and instructions (non-deterministic NaN bits)
  kSignExt = 1u << 1,        // i32.extend8_s and friends
  kSatConv = 1u << 2,        // non-trapping float-to-int (also needs kFloat)
  kBulkMemory = 1u << 3,     // memory.copy/fill/init, data.drop, table.init/copy, elem.drop
  kRefTypes = 1u << 4,       // funcref/externref values, table.get/set/grow/size/fill, many tables
  kMultiValue = 1u << 5,     // more than one result, block parameters
  kSimd = 1u << 6,           // v128 (not implemented: always rejected)
  kMutableGlobals = 1u << 7, // import or export of mutable globals
};
inline constexpr uint32_t kWasm2Features =
    kFloat | kSignExt | kSatConv | kBulkMemory | kRefTypes | kMultiValue | kMutableGlobals;
std::string FeatureName(Feature feature);

struct LoadPolicy {
  uint32_t features = kWasm2Features;
  bool Allows(uint32_t required) const { return (features & required) == required; }
};

struct EngineConfig {
  // Compile fuel checks into the code. Fuel is charged once per basic block; with this off,
  // Store::SetFuel has no effect and execution is a little faster.
  bool fuel_metering = true;

  // Limits on what a module may declare or grow to.
  uint32_t max_memory_pages = 65536;         // 4 GiB
  uint32_t max_table_size = 1'000'000;       // elements
  size_t max_module_size = 64 * 1024 * 1024; // bytes
  uint32_t max_function_locals = 50'000;
  uint32_t max_function_size = 8 * 1024 * 1024;  // bytes of one body
  uint32_t max_control_depth = 10'000;           // nested blocks in one function

  // Limits on one execution. A call deeper than max_call_depth, or frames needing more than
  // max_value_stack slots (8 bytes each), traps with "call stack exhausted".
  uint32_t max_call_depth = 20'000;
  uint32_t max_value_stack = 1u << 20;

  // Limits on one Store, over all its tables and memories together: instantiation and growth
  // past them fail (a LinkError of kind Limit, or -1 from table.grow / memory.grow).
  uint64_t max_table_elements_total = 4'000'000;  // 32 MB of references
  uint64_t max_memory_pages_total = 131'072;  // 8 GiB
};

}  // namespace phat::wasm
