// What the `phat` commands share (all but `phat wasm …`, which keeps the engine's own exit codes):
// the global options, the exit codes, failures as values and how a command ends.
//
// Exit codes: 0 success, 1 a bad argument, file or missing tool, 2 the node could not be reached
// or refused the request, 3 the command ran and did not succeed (a call reverted or failed, a
// contract did not compile or would be rejected).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"

namespace phat::cli {

enum ExitCode : int { kOk = 0, kUsage = 1, kNode = 2, kNotSuccess = 3 };

struct GlobalOptions {
  std::string node = "http://127.0.0.1:8000";  // phatd's default --listen
  bool json = false;
  std::string key;      // a dev account's name or a key file
  std::string cluster;  // 0x…; empty: ask the node
};

// Registers --node, --json, --key and --cluster on `app`; they may also follow a subcommand.
std::shared_ptr<GlobalOptions> AddGlobalOptions(CLI::App& app);

// What a command ends with when it cannot go on: the exit code and a message for stderr.
struct Failure {
  int code = kUsage;
  std::string message;
};
template <typename T>
using Result = Expected<T, Failure>;

inline Failure Usage(std::string message) {
  return {kUsage, std::move(message)};
}

inline std::string Hex0x(ByteView bytes) {
  return "0x" + ToHex(bytes);
}

Result<Bytes> ReadBinary(const std::filesystem::path& path);

// Exits with the command's code, printing its failure to stderr (as {"error", "exit_code"} JSON
// with --json).
[[noreturn]] void Finish(const GlobalOptions& g, Result<int> result);

}  // namespace phat::cli
