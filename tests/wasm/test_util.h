// Helpers for engine tests: assemble WAT text with wabt's wat2wasm, compile and instantiate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "phat/wasm/module.h"
#include "phat/wasm/runtime.h"

namespace phat::wasm::testing {

// Assembles WebAssembly text into a binary; aborts the test run if wat2wasm fails.
std::vector<uint8_t> Wat2Wasm(std::string_view wat, const std::string& flags = "");

// Compiles `wat`; fails the calling test with the load error if it does not load.
std::shared_ptr<const Module> MustCompile(std::string_view wat, EngineConfig config = {},
                                          LoadPolicy policy = {});

}  // namespace phat::wasm::testing
