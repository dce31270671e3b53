#include "cli/wasm_command.h"

#include <chrono>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "phat/wasm/module.h"
#include "phat/wasm/runtime.h"
#include "wasm/interp/disasm.h"

namespace phat::cli {
namespace {

using namespace phat::wasm;
using Clock = std::chrono::steady_clock;

enum ExitCode : int { kOk = 0, kUsage = 1, kLoad = 2, kLink = 3, kTrap = 4, kFuel = 5, kHost = 6 };

std::optional<std::vector<uint8_t>> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Parses a command-line argument as a value of `type`: integers in decimal or 0x-hex (negative
// allowed), floats as strtod reads them (inf, nan, hex floats).
std::optional<Value> ParseArg(const std::string& text, ValType type) {
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  switch (type) {
    case ValType::I32:
    case ValType::I64: {
      bool negative = s[0] == '-';
      uint64_t v = std::strtoull(negative ? s + 1 : s, &end, 0);
      if (errno || end == s || *end) return std::nullopt;
      if (negative) v = uint64_t(-int64_t(v));
      if (type == ValType::I32) {
        if (negative ? int64_t(v) < INT32_MIN : v > UINT32_MAX) return std::nullopt;
        return Value::I32(uint32_t(v));
      }
      return Value::I64(v);
    }
    case ValType::F32: {
      float v = std::strtof(s, &end);
      if (end == s || *end) return std::nullopt;
      return Value::F32(v);
    }
    case ValType::F64: {
      double v = std::strtod(s, &end);
      if (end == s || *end) return std::nullopt;
      return Value::F64(v);
    }
    default:
      return std::nullopt;
  }
}

std::string FormatResult(const Value& v) {
  char buf[64];
  switch (v.type()) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "i32:%u", v.i32()); return buf;
    case ValType::I64: std::snprintf(buf, sizeof buf, "i64:%llu", (unsigned long long)v.i64()); return buf;
    default: return v.ToString();
  }
}

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct RunOptions {
  std::string file;
  std::string invoke;
  std::vector<std::string> args;
  std::optional<uint64_t> fuel;
  bool stats = false;
};

int Run(const RunOptions& opt) {
  auto bytes = ReadFile(opt.file);
  if (!bytes) {
    std::fprintf(stderr, "error: cannot read %s\n", opt.file.c_str());
    return kUsage;
  }
  EngineConfig config;
  config.fuel_metering = opt.fuel.has_value();

  auto t0 = Clock::now();
  auto module = CompileModule(*bytes, config);
  auto t1 = Clock::now();
  if (!module) {
    std::fprintf(stderr, "error: %s: %s\n", opt.file.c_str(), module.error().ToString().c_str());
    return kLoad;
  }
  if (!(*module)->imports().empty()) {
    const Import& imp = (*module)->imports()[0];
    std::fprintf(stderr, "error: %s imports \"%s\" \"%s\"; `phat wasm run` provides no imports\n",
                 opt.file.c_str(), imp.module.c_str(), imp.name.c_str());
    return kLink;
  }

  Store store(config);
  if (opt.fuel) store.SetFuel(*opt.fuel);
  auto instance = store.Instantiate(*module, {});
  auto t2 = Clock::now();
  if (!instance) {
    std::fprintf(stderr, "error: %s\n", instance.error().ToString().c_str());
    return kLink;
  }
  Func* func = (*instance)->GetFunc(opt.invoke);
  if (!func) {
    std::fprintf(stderr, "error: %s has no exported function \"%s\"\n", opt.file.c_str(),
                 opt.invoke.c_str());
    return kUsage;
  }
  const FuncType& type = func->type();
  if (opt.args.size() != type.params.size()) {
    std::fprintf(stderr, "error: %s takes %zu arguments %s, got %zu\n", opt.invoke.c_str(),
                 type.params.size(), FuncTypeString(type).c_str(), opt.args.size());
    return kUsage;
  }
  std::vector<Value> args;
  for (size_t i = 0; i < opt.args.size(); ++i) {
    auto v = ParseArg(opt.args[i], type.params[i]);
    if (!v) {
      std::fprintf(stderr, "error: argument %zu \"%s\" is not a valid %s\n", i + 1,
                   opt.args[i].c_str(), std::string(ValTypeName(type.params[i])).c_str());
      return kUsage;
    }
    args.push_back(*v);
  }

  auto result = store.Call(func, args);
  auto t3 = Clock::now();
  if (opt.stats) {
    std::fprintf(stderr,
                 "stats: compile %.1f us (%zu bytes of code), instantiate %.1f us, run %.1f us",
                 Micros(t1 - t0), (*module)->code_bytes(), Micros(t2 - t1), Micros(t3 - t2));
    if (opt.fuel) std::fprintf(stderr, ", fuel used %llu", (unsigned long long)store.fuel_consumed());
    std::fprintf(stderr, "\n");
  }
  if (!result) {
    std::fprintf(stderr, "error: %s\n", result.error().ToString().c_str());
    switch (result.error().kind) {
      case ExecError::Kind::FuelExhausted: return kFuel;
      case ExecError::Kind::HostError: return kHost;
      default: return kTrap;
    }
  }
  std::string line;
  for (const Value& v : *result) line += (line.empty() ? "" : " ") + FormatResult(v);
  std::printf("%s\n", line.c_str());
  return kOk;
}

int Validate(const std::string& file) {
  auto bytes = ReadFile(file);
  if (!bytes) {
    std::fprintf(stderr, "error: cannot read %s\n", file.c_str());
    return kUsage;
  }
  auto module = CompileModule(*bytes, EngineConfig{});
  if (!module) {
    std::fprintf(stderr, "error: %s: %s\n", file.c_str(), module.error().ToString().c_str());
    return kLoad;
  }
  std::printf("%s: valid, %zu functions, %zu bytes of internal code\n", file.c_str(),
              (*module)->functions().size(), (*module)->code_bytes());
  return kOk;
}

int Dump(const std::string& file, bool fuel) {
  auto bytes = ReadFile(file);
  if (!bytes) {
    std::fprintf(stderr, "error: cannot read %s\n", file.c_str());
    return kUsage;
  }
  EngineConfig config;
  config.fuel_metering = fuel;
  auto module = CompileModule(*bytes, config);
  if (!module) {
    std::fprintf(stderr, "error: %s: %s\n", file.c_str(), module.error().ToString().c_str());
    return kLoad;
  }
  std::fputs(interp::Disassemble(**module).c_str(), stdout);
  return kOk;
}

}  // namespace

void AddWasmCommands(CLI::App& app) {
  CLI::App* wasm = app.add_subcommand("wasm", "Run and check WebAssembly modules");
  wasm->require_subcommand(1);

  auto run = std::make_shared<RunOptions>();
  CLI::App* run_cmd = wasm->add_subcommand("run", "Run an exported function of a module");
  run_cmd->add_option("file", run->file, "The .wasm file")->required();
  run_cmd->add_option("--invoke", run->invoke, "The exported function to call")->required();
  run_cmd->add_option("args", run->args, "Arguments, one per parameter");
  run_cmd->add_option("--fuel", run->fuel, "Meter fuel and stop after N units");
  run_cmd->add_flag("--stats", run->stats, "Print timings and fuel used to stderr");
  run_cmd->callback([run] { std::exit(Run(*run)); });

  auto file = std::make_shared<std::string>();
  CLI::App* validate = wasm->add_subcommand("validate", "Decode, validate and compile a module");
  validate->add_option("file", *file, "The .wasm file")->required();
  validate->callback([file] { std::exit(Validate(*file)); });

  auto dump_file = std::make_shared<std::string>();
  auto dump_fuel = std::make_shared<bool>(false);
  CLI::App* dump = wasm->add_subcommand("dump", "Print the internal code a module compiles to");
  dump->add_option("file", *dump_file, "The .wasm file")->required();
  dump->add_flag("--fuel", *dump_fuel, "Compile with fuel metering");
  dump->callback([dump_file, dump_fuel] { std::exit(Dump(*dump_file, *dump_fuel)); });
}

}  // namespace phat::cli
