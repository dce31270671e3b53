// `phat wasm …`: run and check WebAssembly modules with phat's engine, so that the engine can
// be used, and timed, as a whole process beside other engines.
#pragma once

#include <CLI/CLI.hpp>

namespace phat::cli {

void AddWasmCommands(CLI::App& app);

}  // namespace phat::cli
