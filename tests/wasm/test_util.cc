#include "test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace phat::wasm::testing {

std::vector<uint8_t> Wat2Wasm(std::string_view wat, const std::string& flags) {
  char dir[] = "/tmp/phat-wat-XXXXXX";
  if (mkdtemp(dir) == nullptr) std::abort();
  std::string in = std::string(dir) + "/m.wat", out = std::string(dir) + "/m.wasm";
  std::ofstream(in) << wat;
  std::string cmd = std::string(PHAT_WAT2WASM) + " " + flags + " " + in + " -o " + out;
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "wat2wasm failed on:\n%.*s\n", int(wat.size()), wat.data());
    std::abort();
  }
  std::ifstream f(out, std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(f), {});
  std::remove(in.c_str());
  std::remove(out.c_str());
  rmdir(dir);
  return bytes;
}

std::shared_ptr<const Module> MustCompile(std::string_view wat, EngineConfig config,
                                          LoadPolicy policy) {
  auto m = CompileModule(Wat2Wasm(wat), config, policy);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().ToString());
  return m ? *m : nullptr;
}

}  // namespace phat::wasm::testing
