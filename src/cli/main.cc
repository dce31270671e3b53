// The phat command line.
#include <CLI/CLI.hpp>

#include "cli/build_command.h"
#include "cli/command.h"
#include "cli/node_commands.h"
#include "cli/wasm_command.h"

int main(int argc, char** argv) {
  CLI::App app{"phat: Phat Contracts, run by phat's own WebAssembly engine"};
  app.require_subcommand(1);
  phat::cli::AddWasmCommands(app);
  auto global = phat::cli::AddGlobalOptions(app);
  phat::cli::AddNodeCommands(app, global);
  phat::cli::AddBuildCommand(app, global);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
