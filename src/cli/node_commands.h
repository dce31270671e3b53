// The `phat` commands that talk to a running phatd (docs/API.md) or handle keys:
//
//   phat keys dev | keys generate [--out FILE] | keys show FILE
//   phat upload CONTRACT
//   phat instantiate CONTRACT [--constructor new] [--args JSON] [--value N] [--salt HEX] [--gas N]
//   phat call ADDRESS --metadata FILE --message NAME [--args JSON] [--value N] [--gas N]
//   phat query ADDRESS --metadata FILE --message NAME [--args JSON] [--gas N]
//   phat status | account ID
//
// with the global options (cli/command.h) --node URL, --json, --key NAME|FILE and --cluster 0x….
// Output is one fact per line ("key value") for people, or one JSON document with --json for
// scripts; errors go to stderr and say what to do, with the exit codes of cli/command.h.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace phat::cli {

// Registers the commands on `app`; `g` is filled in by AddGlobalOptions.
void AddNodeCommands(CLI::App& app, std::shared_ptr<GlobalOptions> g);

}  // namespace phat::cli
