// Fuzzes the reader, validator and compiler: CompileModule on arbitrary bytes.
//
// Input: one policy byte, then the module. The module is compiled twice: with the default
// config and every feature, and with the policy byte's features (bits 0-7 are the Feature bits;
// bit 6, SIMD, has no effect of its own, so it also selects tight limits). Checks beyond "no
// crash": every error has a message and an offset inside the input, and a module that loads
// under the restricted policy also loads under the full one.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_util.h"
#include "phat/wasm/module.h"

using namespace phat::wasm;

namespace {

void CheckError(const LoadError& e, size_t size, const char* which) {
  if (e.message.empty()) fuzz::Fail(std::string(which) + ": load error without a message");
  if (e.offset > size)
    fuzz::Fail(std::string(which) + ": error offset " + std::to_string(e.offset) +
               " past the end (" + std::to_string(size) + " bytes): " + e.ToString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t policy_byte = data[0];
  std::span<const uint8_t> bytes(data + 1, size - 1);

  EngineConfig full_config;
  auto full = CompileModule(bytes, full_config, LoadPolicy{});
  if (!full) CheckError(full.error(), bytes.size(), "default policy");

  EngineConfig config;
  if (policy_byte & kSimd) {
    config.max_memory_pages = 16;
    config.max_table_size = 64;
    config.max_module_size = 4096;
    config.max_function_locals = 32;
    config.max_function_size = 512;
    config.max_control_depth = 8;
  }
  LoadPolicy policy{policy_byte};
  auto restricted = CompileModule(bytes, config, policy);
  if (!restricted) {
    CheckError(restricted.error(), bytes.size(), "restricted policy");
  } else if (!full) {
    fuzz::Fail("loads under policy " + std::to_string(policy_byte) +
               " but not with every feature: " + full.error().ToString());
  }
  return 0;
}
