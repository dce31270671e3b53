#include "cli/command.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace phat::cli {

std::shared_ptr<GlobalOptions> AddGlobalOptions(CLI::App& app) {
  auto g = std::make_shared<GlobalOptions>();
  // Global options may come before or after the command (`phat --json status`, `phat status
  // --json`): the subcommands fall through to them.
  app.fallthrough();
  app.add_option("--node", g->node, "phatd's URL")->envname("PHAT_NODE")->capture_default_str();
  app.add_flag("--json", g->json, "Print JSON for scripts instead of lines for people");
  app.add_option("--key", g->key,
                 "The signer: a dev account (alice, bob, charlie, dave) or a key file")
      ->envname("PHAT_KEY");
  app.add_option("--cluster", g->cluster, "The cluster id, 0x…; default: ask the node");
  return g;
}

Result<Bytes> ReadBinary(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return unexpected(Usage(fmt::format("cannot read {}", path.string())));
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void Finish(const GlobalOptions& g, Result<int> result) {
  std::fflush(stdout);
  if (!result) {
    // With --json a script gets a JSON error on stderr too, with the exit code in it.
    if (g.json)
      fmt::print(stderr, "{}\n",
                 nlohmann::json{{"error", result.error().message},
                                {"exit_code", result.error().code}}
                     .dump());
    else
      fmt::print(stderr, "phat: {}\n", result.error().message);
    std::exit(result.error().code);
  }
  std::exit(*result);
}

}  // namespace phat::cli
