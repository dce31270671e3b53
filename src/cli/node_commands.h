// The `phat` commands that talk to a running phatd (docs/API.md) or handle keys:
//
//   phat keys dev | keys generate [--out FILE] | keys show FILE
//   phat upload CONTRACT
//   phat instantiate CONTRACT [--constructor new] [--args JSON] [--value N] [--salt HEX] [--gas N]
//   phat call ADDRESS --metadata FILE --message NAME [--args JSON] [--value N] [--gas N]
//   phat query ADDRESS --metadata FILE --message NAME [--args JSON] [--gas N]
//   phat status | account ID
//
// with the global options --node URL, --json, --key NAME|FILE and --cluster 0x…. Output is one
// fact per line ("key value") for people, or one JSON document with --json for scripts; errors
// go to stderr and say what to do. Exit codes: 0 success, 1 a bad argument or file, 2 the node
// could not be reached or refused the request, 3 the command or query ran and did not succeed
// (reverted, failed, rejected).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

namespace phat::cli {

struct GlobalOptions {
  std::string node = "http://127.0.0.1:8000";  // phatd's default --listen
  bool json = false;
  std::string key;      // a dev account's name or a key file
  std::string cluster;  // 0x…; empty: ask the node's /status
};

// Registers the global options on `app` (they may also follow a subcommand) and the commands.
void AddNodeCommands(CLI::App& app);

}  // namespace phat::cli
