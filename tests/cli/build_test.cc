// `phat build` end to end: the real binary compiling SDK sources with the clang, wasm-ld and SDK
// it was built with, as a user's fresh clone would. The one full build (flipper) must give the
// very bytes the project's own build put in build/contracts; the failures are cut short before
// the slow native compile.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "run_phat.h"

namespace phat::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fresh directory for one test, removed after it.
class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / fmt::format("phat-cli-build-{}-{}", getpid(), test->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& file, const std::string& text) {
    std::ofstream(dir_ / file) << text;
    return dir_ / file;
  }

  fs::path dir_;
};

TEST_F(BuildTest, FlipperIsByteForByteTheProjectsBuild) {
  // sdk/CMakeLists.txt builds the examples with AUTHORS "phat developers" and the default version.
  const fs::path out = dir_ / "out";
  Outcome run = RunPhat({"build", std::string(PHAT_SDK_EXAMPLES_DIR) + "/flipper.cc", "-o",
                         out.string(), "--author", "phat developers", "--json"});
  ASSERT_EQ(run.code, 0) << Describe(run);

  for (const char* ext : {".wasm", ".json", ".contract"}) {
    const fs::path built = out / (std::string("flipper") + ext);
    const fs::path expected = fs::path(PHAT_CONTRACTS_DIR) / (std::string("flipper") + ext);
    ASSERT_TRUE(fs::exists(built)) << built;
    EXPECT_TRUE(ReadAll(built) == ReadAll(expected)) << built << " differs from " << expected;
  }

  json report = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << Describe(run);
  EXPECT_EQ(report["name"], "flipper");
  const json metadata = json::parse(ReadAll(out / "flipper.json"));
  EXPECT_EQ(report["code_hash"], metadata["source"]["hash"]);
  EXPECT_EQ(report["wasm"]["blake2b_256"], report["code_hash"]);
  for (const auto& [key, ext] : {std::pair{"wasm", ".wasm"}, std::pair{"metadata", ".json"},
                                 std::pair{"contract", ".contract"}}) {
    const fs::path file = out / (std::string("flipper") + ext);
    EXPECT_EQ(report[key]["path"], file.string()) << report.dump(2);
    EXPECT_EQ(report[key]["size"], fs::file_size(file)) << report.dump(2);
    EXPECT_TRUE(std::regex_match(report[key]["blake2b_256"].get<std::string>(),
                                 std::regex("0x[0-9a-f]{64}")));
  }
}

TEST_F(BuildTest, ASyntaxErrorShowsClangsMessage) {
  const fs::path source = Write("broken.cc", "#include <phat/sdk.h>\nint broken = ;\n");
  Outcome run = RunPhat({"build", source.string(), "-o", (dir_ / "out").string()});
  EXPECT_EQ(run.code, 3) << Describe(run);
  EXPECT_NE(run.err.find("broken.cc:2:"), std::string::npos) << Describe(run);
  EXPECT_NE(run.err.find("error: expected expression"), std::string::npos) << Describe(run);
  EXPECT_NE(run.err.find("phat: " + source.string() + " does not compile for wasm32"),
            std::string::npos)
      << Describe(run);
  EXPECT_EQ(run.out, "");
  EXPECT_FALSE(fs::exists(dir_ / "out")) << "a failed build writes nothing";
}

TEST_F(BuildTest, CodeThatPhatdWouldRefuseFailsTheBuild) {
  // An import that is no host function: clang and wasm-ld are content, the node is not.
  const fs::path source = Write("importer.cc", R"(#include <phat/sdk.h>
extern "C" __attribute__((import_module("seal0"), import_name("no_such_function"))) void NoSuch();
struct Importer {
  bool value = false;
  PHAT_FIELDS(Importer, value);
  void New() { NoSuch(); }
  bool Get() const { return value; }
};
PHAT_CONTRACT(Importer, phat::sdk::Constructor<&Importer::New>("new"),
              phat::sdk::Message<&Importer::Get>("get"));
)");
  Outcome run = RunPhat({"build", source.string(), "-o", dir_.string()});
  EXPECT_EQ(run.code, 3) << Describe(run);
  EXPECT_NE(run.err.find("phatd would refuse its code"), std::string::npos) << Describe(run);
  EXPECT_NE(run.err.find("no_such_function"), std::string::npos) << Describe(run);
  EXPECT_FALSE(fs::exists(dir_ / "importer.wasm"));
}

TEST_F(BuildTest, BadArgumentsSayWhatToDo) {
  Outcome missing = RunPhat({"build", (dir_ / "nothing.cc").string()});
  EXPECT_EQ(missing.code, 1) << Describe(missing);
  EXPECT_NE(missing.err.find((dir_ / "nothing.cc").string() + " does not exist"),
            std::string::npos)
      << Describe(missing);

  const fs::path source = Write("ok.cc", "#include <phat/sdk.h>\n");
  Outcome no_clang = RunPhat({"build", source.string(), "--clang", (dir_ / "clang").string()});
  EXPECT_EQ(no_clang.code, 1) << Describe(no_clang);
  EXPECT_NE(no_clang.err.find("--clang"), std::string::npos) << Describe(no_clang);

  Outcome no_sdk = RunPhat({"build", source.string(), "--sdk", dir_.string()});
  EXPECT_EQ(no_sdk.code, 1) << Describe(no_sdk);
  EXPECT_NE(no_sdk.err.find("no phat/sdk.h"), std::string::npos) << Describe(no_sdk);

  Outcome bad_name = RunPhat({"build", source.string(), "--name", "my token"});
  EXPECT_EQ(bad_name.code, 1) << Describe(bad_name);
  EXPECT_NE(bad_name.err.find("--name my token"), std::string::npos) << Describe(bad_name);
}

}  // namespace
}  // namespace phat::cli
