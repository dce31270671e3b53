// Prints a module's internal code, one instruction per line, for engine debugging and
// `phat wasm dump`. Thread-safe.
#pragma once

#include <string>

#include "phat/wasm/module.h"

namespace phat::wasm::interp {

std::string Disassemble(const Module& module);

}  // namespace phat::wasm::interp
