// The host functions a contract may import (ABI.md §2), declared once in one table in
// host_functions.cc: module, name, signature, flags, gas cost and body. Registration, the
// read-only guard and the gas charge on entry come from the table.
#pragma once

#include <string_view>
#include <vector>

#include "phat/wasm/linker.h"

namespace phat::contracts {

// Every host function, defined once for every Store (they find their frame through the Store's
// user data). Built on first use; thread-safe.
const wasm::Linker& HostFunctions();

// (module, name) of every host function, in table order; for docs and tests.
struct HostFunctionName {
  std::string_view module;
  std::string name;
};
std::vector<HostFunctionName> HostFunctionNames();

}  // namespace phat::contracts
