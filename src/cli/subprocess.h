// Running other programs (clang, wasm-ld, a contract's metadata program) from `phat`: an argv
// array handed to posix_spawn, never a shell command line, so that file names and options the
// user typed reach the program as they are.
//
// Thread safety: functions of the process environment (PATH); no state of their own.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "phat/base/expected.h"

namespace phat::cli {

// `name` as an executable file: as given if it has a '/', else the first match on PATH.
std::optional<std::filesystem::path> FindExecutable(std::string_view name);

// Runs argv[0] (a path) with `argv` and waits for it. It writes its diagnostics straight to our
// stderr, and its standard output goes there too, so that our stdout holds only what phat itself
// prints (one JSON document with --json). Returns its exit status, 128 + the signal if a signal
// ended it, or why it could not be started.
Expected<int, std::string> RunProgram(const std::vector<std::string>& argv);

}  // namespace phat::cli
