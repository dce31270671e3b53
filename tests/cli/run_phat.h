// Running the real `phat` binary from the CLI tests: its exit code, stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace phat::cli {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs `phat args…` (PHAT_NODE and PHAT_KEY unset) and collects its exit code, stdout and stderr.
Outcome RunPhat(const std::vector<std::string>& args);

// The outcome in full, for a failed expectation's message.
std::string Describe(const Outcome& r);

// The value of the first line "KEY VALUE" of `text`.
std::string Line(const std::string& text, const std::string& key);

}  // namespace phat::cli
