// Instantiation and compile-time benchmark (Google Benchmark). The target it checks: instantiating
// an already compiled module must be cheap, at most 20 us for a 50 KB module with 16 pages.
//
// Modules measured:
//  - synthetic_50k: generated below, about 50 KB: 120 functions with loops, loads, calls and
//    arithmetic, a 16-page memory (no maximum, as clang emits), a mutable global, a 4 KB active
//    data segment, and a trivial export `noop`.
//  - coremark_like: the clang-built bench kernel (read from the build's bench/ directory).
// Each module is compiled once, outside the timed loops. Instantiate times a fresh Store plus
// Instantiate plus the Store's destruction (memory back to the pool): the whole per-instance
// cost an embedder pays. InstantiateAndCall adds one call of `noop`.
//
// Usage: phat_instantiate_bench [--kernel-dir DIR] [--write-synthetic FILE] [Google Benchmark
// flags]
//   --write-synthetic saves the generated module (to inspect with wasm2wat) and exits.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "phat/wasm/module.h"
#include "phat/wasm/runtime.h"

namespace {

using phat::wasm::CompileModule;
using phat::wasm::EngineConfig;
using phat::wasm::Module;
using phat::wasm::Store;

// ---- a minimal writer for the binary format ----
// https://webassembly.github.io/spec/core/binary/modules.html

class Bytes {
 public:
  void Byte(uint8_t b) { out_.push_back(b); }
  void U32(uint32_t v) {  // unsigned LEB128
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      Byte(v ? b | 0x80 : b);
    } while (v);
  }
  void S32(int32_t v) {  // signed LEB128
    while (true) {
      uint8_t b = v & 0x7f;
      v >>= 7;  // arithmetic shift: sign bits come in
      bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
      Byte(done ? b : b | 0x80);
      if (done) return;
    }
  }
  void Name(const char* s) {
    U32(static_cast<uint32_t>(std::strlen(s)));
    for (; *s; ++s) Byte(static_cast<uint8_t>(*s));
  }
  void Append(const Bytes& other) { out_.insert(out_.end(), other.out_.begin(), other.out_.end()); }
  void Section(uint8_t id, const Bytes& content) {
    Byte(id);
    U32(static_cast<uint32_t>(content.size()));
    Append(content);
  }
  size_t size() const { return out_.size(); }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

enum Op : uint8_t {
  kBlock = 0x02,
  kLoop = 0x03,
  kEnd = 0x0b,
  kBrIf = 0x0d,
  kCall = 0x10,
  kLocalGet = 0x20,
  kLocalSet = 0x21,
  kLocalTee = 0x22,
  kI32Load = 0x28,
  kI32Const = 0x41,
  kI32Add = 0x6a,
  kI32Sub = 0x6b,
  kI32Mul = 0x6c,
  kI32Xor = 0x73,
  kI32Rotl = 0x77,
};
constexpr uint8_t kI32 = 0x7f, kVoidBlock = 0x40;

// Body of worker function `index` (params: x, n; one local acc): a counted loop of arithmetic
// on x and a load into acc, then a call to the previous worker. About 420 bytes.
Bytes WorkerBody(uint32_t index) {
  Bytes b;
  b.U32(1);  // one local declaration: 1 x i32
  b.U32(1);
  b.Byte(kI32);
  b.Byte(kBlock), b.Byte(kVoidBlock), b.Byte(kLoop), b.Byte(kVoidBlock);
  static constexpr Op kMix[] = {kI32Add, kI32Xor, kI32Mul, kI32Rotl};
  for (int i = 0; i < 40; ++i) {
    b.Byte(kLocalGet), b.U32(0);
    b.Byte(kI32Const), b.S32(static_cast<int32_t>(index * 131 + i * 7919));
    b.Byte(kMix[i % 4]);
    b.Byte(kLocalSet), b.U32(0);
  }
  b.Byte(kLocalGet), b.U32(2);
  b.Byte(kI32Load), b.U32(2), b.U32((index * 4) % 4096);  // align 4, in the data segment
  b.Byte(kLocalGet), b.U32(0), b.Byte(kI32Add), b.Byte(kLocalSet), b.U32(2);
  b.Byte(kLocalGet), b.U32(1), b.Byte(kI32Const), b.S32(1), b.Byte(kI32Sub);
  b.Byte(kLocalTee), b.U32(1), b.Byte(kBrIf), b.U32(0);
  b.Byte(kEnd), b.Byte(kEnd);
  b.Byte(kLocalGet), b.U32(0), b.Byte(kLocalGet), b.U32(2);
  if (index > 1) {  // function 0 is `noop`, of another type
    b.Byte(kCall), b.U32(index - 1);
  } else {
    b.Byte(kI32Add);
  }
  b.Byte(kEnd);
  return b;
}

// A module of at least `target_bytes`: function 0 is `noop` () -> i32, the rest are workers.
std::vector<uint8_t> SyntheticModule(size_t target_bytes, uint32_t pages, uint32_t data_bytes) {
  std::vector<Bytes> bodies;
  Bytes noop;
  noop.U32(0), noop.Byte(kI32Const), noop.S32(0), noop.Byte(kEnd);
  bodies.push_back(noop);
  size_t code_bytes = noop.size() + 1;
  while (code_bytes + data_bytes + 128 < target_bytes) {
    bodies.push_back(WorkerBody(static_cast<uint32_t>(bodies.size())));
    code_bytes += bodies.back().size() + 2;
  }

  Bytes types, funcs, memory, globals, exports, code, data;
  types.U32(2);
  types.Byte(0x60), types.U32(0), types.U32(1), types.Byte(kI32);                    // () -> i32
  types.Byte(0x60), types.U32(2), types.Byte(kI32), types.Byte(kI32), types.U32(1),  // (i32 i32)
      types.Byte(kI32);                                                              //  -> i32
  funcs.U32(static_cast<uint32_t>(bodies.size()));
  funcs.U32(0);
  for (size_t i = 1; i < bodies.size(); ++i) funcs.U32(1);
  memory.U32(1), memory.Byte(0x00), memory.U32(pages);  // min only
  globals.U32(1), globals.Byte(kI32), globals.Byte(1);  // a mutable stack pointer, as clang makes
  globals.Byte(kI32Const), globals.S32(65536), globals.Byte(kEnd);
  exports.U32(2);
  exports.Name("noop"), exports.Byte(0x00), exports.U32(0);
  exports.Name("memory"), exports.Byte(0x02), exports.U32(0);
  code.U32(static_cast<uint32_t>(bodies.size()));
  for (const Bytes& body : bodies) {
    code.U32(static_cast<uint32_t>(body.size()));
    code.Append(body);
  }
  data.U32(1), data.U32(0), data.Byte(kI32Const), data.S32(1024), data.Byte(kEnd);
  data.U32(data_bytes);
  for (uint32_t i = 0; i < data_bytes; ++i) data.Byte(static_cast<uint8_t>(i * 37 + 11));

  Bytes module;
  for (uint8_t b : {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}) module.Byte(b);
  module.Section(1, types);
  module.Section(3, funcs);
  module.Section(5, memory);
  module.Section(6, globals);
  module.Section(7, exports);
  module.Section(10, code);
  module.Section(11, data);
  return module.Take();
}

std::optional<std::vector<uint8_t>> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// ---- benchmarks ----

void BM_Compile(benchmark::State& state, std::vector<uint8_t> bytes) {
  EngineConfig config;
  for (auto _ : state) {
    auto module = CompileModule(bytes, config);
    if (!module) {
      state.SkipWithError(module.error().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(module->get());
  }
  state.counters["module_bytes"] = static_cast<double>(bytes.size());
}

void BM_Instantiate(benchmark::State& state, std::shared_ptr<const Module> module) {
  EngineConfig config;
  for (auto _ : state) {
    Store store(config);
    auto instance = store.Instantiate(module, {});
    if (!instance) {
      state.SkipWithError(instance.error().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(*instance);
  }
}

void BM_InstantiateAndCall(benchmark::State& state, std::shared_ptr<const Module> module) {
  EngineConfig config;
  for (auto _ : state) {
    Store store(config);
    auto instance = store.Instantiate(module, {});
    if (!instance) {
      state.SkipWithError(instance.error().ToString().c_str());
      return;
    }
    auto result = store.Call((*instance)->GetFunc("noop"), {});
    if (!result) {
      state.SkipWithError(result.error().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(result->data());
  }
}

// Compiles `bytes` once and registers the benchmarks for it; a module that fails to compile is
// reported and left out (its compile benchmark still runs, and shows the error).
void RegisterModule(const std::string& name, std::vector<uint8_t> bytes, bool has_noop) {
  benchmark::RegisterBenchmark(("Compile/" + name).c_str(), BM_Compile, bytes)
      ->Unit(benchmark::kMicrosecond);
  auto module = CompileModule(bytes, EngineConfig{});
  if (!module) {
    std::fprintf(stderr, "error: %s does not compile: %s\n", name.c_str(),
                 module.error().ToString().c_str());
    return;
  }
  benchmark::RegisterBenchmark(("Instantiate/" + name).c_str(), BM_Instantiate, *module)
      ->Unit(benchmark::kMicrosecond);
  if (has_noop) {
    benchmark::RegisterBenchmark(("InstantiateAndCall/" + name).c_str(), BM_InstantiateAndCall,
                                 *module)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string kernel_dir = PHAT_BENCH_DIR;
  const char* write_synthetic = nullptr;
  // Our own flags first, so Google Benchmark does not reject them.
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--kernel-dir") == 0 && i + 1 < argc) {
      kernel_dir = argv[++i];
    } else if (std::strcmp(argv[i], "--write-synthetic") == 0 && i + 1 < argc) {
      write_synthetic = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  std::vector<uint8_t> synthetic = SyntheticModule(50 * 1024, 16, 4096);
  if (write_synthetic) {
    std::ofstream out(write_synthetic, std::ios::binary);
    out.write(reinterpret_cast<const char*>(synthetic.data()),
              static_cast<std::streamsize>(synthetic.size()));
    if (!out) {
      std::fprintf(stderr, "error: cannot write %s\n", write_synthetic);
      return 1;
    }
    return 0;
  }
  std::fprintf(stderr, "synthetic_50k: %zu bytes, 16 pages\n", synthetic.size());
  RegisterModule("synthetic_50k", std::move(synthetic), /*has_noop=*/true);

  std::string path = kernel_dir + "/coremark_like.wasm";
  if (auto bytes = ReadFile(path)) {
    RegisterModule("coremark_like", std::move(*bytes), /*has_noop=*/false);
  } else {
    std::fprintf(stderr,
                 "note: %s not found (build the bench kernels, or pass --kernel-dir); "
                 "measuring the synthetic module only\n",
                 path.c_str());
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
