// `phat build SOURCE`: compiles a contract written with phat's C++ SDK into NAME.wasm, its ink!
// metadata NAME.json and the NAME.contract bundle, as phat_add_contract (cmake/Contracts.cmake)
// does, with the same flags (a header generated from Contracts.cmake), so the files are the same
// bytes as the project's build makes:
//
//   phat build SOURCE [-o DIR] [--name NAME] [--contract-version V] [--author A]...
//                     [--clang PATH] [--wasm-ld PATH] [--sdk DIR] [--json]
//
// clang compiles SOURCE for wasm32, wasm-ld links it, the module is checked as phatd checks an
// upload, then clang compiles SOURCE natively into the program that writes the metadata. The
// intermediate files live in a temporary directory, removed afterwards; the three files are
// written only if every step succeeded. Exit codes as in cli/command.h: 1 a bad argument, a
// missing source or tool; 3 the contract did not compile or link, or phatd would refuse it.
#pragma once

#include <memory>

#include <CLI/CLI.hpp>

#include "cli/command.h"

namespace phat::cli {

void AddBuildCommand(CLI::App& app, std::shared_ptr<GlobalOptions> g);

}  // namespace phat::cli
