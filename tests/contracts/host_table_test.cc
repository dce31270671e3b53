// The host function table against its documentation: docs/CONTRACTS.md lists every function
// under its module, so the reference cannot drift from the code.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "contracts/host_functions.h"

namespace phat::contracts {
namespace {

TEST(HostTable, DocsListEveryHostFunctionUnderItsModule) {
  std::ifstream in(std::string(PHAT_SOURCE_DIR) + "/docs/CONTRACTS.md");
  ASSERT_TRUE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  for (const HostFunctionName& f : HostFunctionNames()) {
    if (f.name.starts_with("seal_") && f.name != "seal_return") continue;  // aliases
    const std::string row = "| " + std::string(f.module) + " |";
    const std::string name = "`" + f.name + "`";
    bool found = false;
    for (const std::string& line : lines)
      found |= line.starts_with(row) && line.find(name) != std::string::npos;
    EXPECT_TRUE(found) << f.module << "." << f.name << " is not in docs/CONTRACTS.md";
  }
}

TEST(HostTable, EveryFunctionIsImportableOnce) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const HostFunctionName& f : HostFunctionNames())
    EXPECT_TRUE(seen.insert({std::string(f.module), f.name}).second) << f.module << "." << f.name;
  EXPECT_TRUE(HostFunctions().Find("seal0", "seal_get_storage"));  // ink! 3's alias
  EXPECT_FALSE(HostFunctions().Find("seal0", "return"));  // seal_return has no other name
}

}  // namespace
}  // namespace phat::contracts
