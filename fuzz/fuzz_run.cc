// Fuzzes instantiation and the interpreter on arbitrary bytes: whatever loads is instantiated
// with synthesized imports and every exported function is called with zero arguments, each
// under a small fuel budget and small limits. Traps, fuel exhaustion and link errors are fine;
// crashes, sanitizer reports, leaks and hangs are not.
//
// Input: a module, as is (so .wasm files are seeds). Whether host functions re-enter the guest
// is derived from the bytes (their sum's low bit), so both shapes of host call are explored.
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>

#include "fuzz_util.h"

using namespace phat::wasm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const EngineConfig config = fuzz::SmallConfig();
  auto module = CompileModule(std::span<const uint8_t>(data, size), config, LoadPolicy{});
  if (!module) return 0;
  const bool reenter = std::accumulate(data, data + size, 0u) & 1;
  fuzz::RunAll(*module, config, fuzz::kFuel, /*record_state=*/false, reenter);
  return 0;
}
