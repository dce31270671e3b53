// phat_spec_runner: runs the official WebAssembly spec testsuite (*.wast) against phat's engine.
//
// Each .wast is converted at test time by wabt's wast2json into a JSON command list plus binary
// modules in a temporary folder, and every command is run: module, register, action,
// assert_return (with NaN patterns), assert_trap, assert_exhaustion, assert_invalid,
// assert_malformed, assert_unlinkable and assert_uninstantiable. Text-format-only commands
// (`(module quote …)` that must fail to parse) cannot be run by a binary engine and are skipped;
// so is every command of a simd_* file until the engine has SIMD.
//
// Each file runs in a forked child with its own Store, so a crash or hang in the engine costs
// that file only (counted as failures from the command where it happened) and the other files
// still report. The parent reads the child's progress from a pipe, applies the status file of
// expected failures and prints, per file and in total, "N passed, N failed, N skipped".
// Exit status: 0 iff nothing failed unexpectedly (a status entry that now passes also fails).

#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "phat/wasm/config.h"
#include "phat/wasm/error.h"
#include "phat/wasm/module.h"
#include "phat/wasm/runtime.h"
#include "phat/wasm/types.h"

#ifndef PHAT_SPEC_DEFAULT_DIR
#define PHAT_SPEC_DEFAULT_DIR "../shared/wasm-testsuite"
#endif
#ifndef PHAT_SPEC_DEFAULT_STATUS
#define PHAT_SPEC_DEFAULT_STATUS ""
#endif
#ifndef PHAT_WAST2JSON
#define PHAT_WAST2JSON "wast2json"
#endif

extern char** environ;

namespace phat::spec {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace phat::wasm;

// Large enough never to matter for a correct engine, finite so that a hang shows as a failure.
constexpr uint64_t kFuelPerFile = 10'000'000'000ull;
// wast2json (wabt 1.0.32) converts every file of the suite with its default feature set (which
// includes everything phat implements, and SIMD); flags for it would go here.
const std::vector<std::string> kWast2JsonFlags = {};

std::string Printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string Printf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[512];
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return {};
  if (size_t(n) < sizeof buf) return std::string(buf, size_t(n));
  std::string out(size_t(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(out.data(), out.size(), fmt, ap);
  va_end(ap);
  out.resize(size_t(n));
  return out;
}

// ---------------------------------------------------------------------------------------------
// What a file's run reports, command by command. The child side writes these records to a pipe;
// the parent side (Tally) turns them into counts and messages.

enum class Outcome : char { Pass = 'P', Fail = 'F', Skip = 'S' };

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Total(size_t commands) = 0;  // how many commands the file has
  virtual void Begin(int line) = 0;         // a command starts (for crash attribution)
  virtual void Detail(int line, const std::string& text) = 0;  // why the next End failed
  virtual void End(int line, Outcome outcome) = 0;
  // Counts a notable event that is not a failure (see kNotes); -v prints it with `text`.
  virtual void Note(int line, const std::string& key, const std::string& text) = 0;
  virtual void Problem(const std::string& text) = 0;  // always printed, e.g. a failed conversion
};

// Notable events that are not failures but that the summary reports.
struct NoteInfo {
  const char* key;
  const char* text;
};
constexpr NoteInfo kNotes[] = {
    {"text_skipped", "text-format-only commands skipped (module quote)"},
    {"simd_skipped", "commands of simd_* files skipped"},
    {"malformed_as_invalid", "assert_malformed modules rejected as invalid (not malformed)"},
    {"invalid_as_malformed", "assert_invalid modules rejected as malformed (not invalid)"},
    {"rejected_as_limit", "assert_malformed/assert_invalid modules rejected for a limit"},
    {"rejected_as_unsupported", "assert_malformed/assert_invalid modules rejected as unsupported"},
    {"unlinkable_by_runner", "assert_unlinkable decided by the runner (import not registered)"},
};

// ---------------------------------------------------------------------------------------------
// Values in the JSON: numbers are decimal strings of the bits; floats may be NaN patterns;
// `ref.extern N` is mapped to the opaque pointer N+1 (null stays null) in both directions.

struct ExpectedValue {
  enum class Kind { Exact, CanonicalNan, ArithmeticNan, AnyRef, Unsupported } kind = Kind::Exact;
  ValType type = ValType::I32;
  uint64_t bits = 0;
  std::string text;  // as written in the JSON, for messages
};

std::optional<ValType> ParseType(const std::string& s) {
  if (s == "i32") return ValType::I32;
  if (s == "i64") return ValType::I64;
  if (s == "f32") return ValType::F32;
  if (s == "f64") return ValType::F64;
  if (s == "funcref") return ValType::FuncRef;
  if (s == "externref") return ValType::ExternRef;
  if (s == "v128") return ValType::V128;
  return std::nullopt;
}

Ref ExternRefFromIndex(uint64_t n) {
  return reinterpret_cast<Ref>(static_cast<uintptr_t>(n + 1));
}

// Parses one {"type", "value"} argument; nullopt with `error` set if it cannot be represented.
std::optional<Value> ParseArg(const json& j, std::string* error) {
  const std::string type = j.at("type").get<std::string>();
  const std::string value =
      j.contains("value") && j["value"].is_string() ? j["value"].get<std::string>() : "";
  auto t = ParseType(type);
  if (!t || *t == ValType::V128) {
    *error = "argument of type " + type + " is not supported by the runner";
    return std::nullopt;
  }
  if (IsRef(*t)) {
    if (value == "null") return Value::FromBits(*t, 0);
    if (*t == ValType::ExternRef) return Value::ExternRef(ExternRefFromIndex(std::stoull(value)));
    *error = "funcref argument " + value + " cannot be made by the runner";
    return std::nullopt;
  }
  return Value::FromBits(*t, std::stoull(value));
}

ExpectedValue ParseExpected(const json& j) {
  ExpectedValue e;
  e.text = j.at("type").get<std::string>();
  std::string value =
      j.contains("value") && j["value"].is_string() ? j["value"].get<std::string>() : "";
  if (!value.empty()) e.text += ":" + value;
  auto t = ParseType(j.at("type").get<std::string>());
  if (!t || *t == ValType::V128) {
    e.kind = ExpectedValue::Kind::Unsupported;
    return e;
  }
  e.type = *t;
  if (value == "nan:canonical") {
    e.kind = ExpectedValue::Kind::CanonicalNan;
  } else if (value == "nan:arithmetic") {
    e.kind = ExpectedValue::Kind::ArithmeticNan;
  } else if (IsRef(*t)) {
    if (value == "null") {
      e.bits = 0;
    } else if (*t == ValType::ExternRef && !value.empty()) {
      e.bits = reinterpret_cast<uintptr_t>(ExternRefFromIndex(std::stoull(value)));
    } else {
      e.kind = ExpectedValue::Kind::AnyRef;  // a non-null reference of this type
    }
  } else {
    e.bits = std::stoull(value);
  }
  return e;
}

bool Matches(const ExpectedValue& e, const Value& v) {
  if (v.type() != e.type) return false;
  switch (e.kind) {
    case ExpectedValue::Kind::Exact:
      if (e.type == ValType::I32 || e.type == ValType::F32) return v.i32() == uint32_t(e.bits);
      return v.bits() == e.bits;
    // https://webassembly.github.io/spec/core/exec/numerics.html#nan-propagation
    case ExpectedValue::Kind::CanonicalNan:
      if (e.type == ValType::F32) return (v.f32_bits() & 0x7fffffffu) == 0x7fc00000u;
      if (e.type == ValType::F64) return (v.f64_bits() & ~(1ull << 63)) == 0x7ff8000000000000ull;
      return false;
    case ExpectedValue::Kind::ArithmeticNan:
      if (e.type == ValType::F32) return (v.f32_bits() & 0x7fc00000u) == 0x7fc00000u;
      if (e.type == ValType::F64)
        return (v.f64_bits() & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
      return false;
    case ExpectedValue::Kind::AnyRef:
      return v.bits() != 0;
    case ExpectedValue::Kind::Unsupported:
      return false;
  }
  return false;
}

// A value as the JSON would write it, plus what it means: "i32:4294967295 (0xffffffff)",
// "f32:2143289344 (0x7fc00000 nan)", "externref:3".
std::string Describe(const Value& v) {
  switch (v.type()) {
    case ValType::I32:
      return Printf("i32:%" PRIu32 " (0x%" PRIx32 ")", v.i32(), v.i32());
    case ValType::I64:
      return Printf("i64:%" PRIu64 " (0x%" PRIx64 ")", v.i64(), v.i64());
    case ValType::F32:
      return Printf("f32:%" PRIu32 " (0x%08" PRIx32 " %.9g)", v.f32_bits(), v.f32_bits(),
                    double(v.f32()));
    case ValType::F64:
      return Printf("f64:%" PRIu64 " (0x%016" PRIx64 " %.17g)", v.f64_bits(), v.f64_bits(),
                    v.f64());
    case ValType::FuncRef:
      return v.bits() == 0 ? "funcref:null" : Printf("funcref:%p", v.ref());
    case ValType::ExternRef:
      return v.bits() == 0 ? "externref:null" : Printf("externref:%" PRIu64, v.bits() - 1);
    default:
      return "v128:?";
  }
}

std::string DescribeValues(const std::vector<Value>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? " " : "") + Describe(values[i]);
  return out + ")";
}

std::string DescribeExpected(const std::vector<ExpectedValue>& expected) {
  std::string out = "(";
  for (size_t i = 0; i < expected.size(); ++i) out += (i ? " " : "") + expected[i].text;
  return out + ")";
}

// Spec trap texts are matched by prefix either way: "unreachable" vs phat's "unreachable
// executed", "uninitialized element 2" vs "uninitialized element".
bool TrapTextMatches(std::string_view expected, std::string_view actual) {
  return !actual.empty() && (expected.starts_with(actual) || actual.starts_with(expected));
}

// ---------------------------------------------------------------------------------------------
// Running one file's commands against one Store.

struct Result {
  Outcome outcome = Outcome::Pass;
  std::string detail;  // why it failed
};
Result Pass() {
  return {Outcome::Pass, {}};
}
Result Fail(std::string detail) {
  return {Outcome::Fail, std::move(detail)};
}
Result Skip() {
  return {Outcome::Skip, {}};
}

class WastRunner {
 public:
  WastRunner(Reporter& reporter, fs::path module_dir)
      : reporter_(reporter), module_dir_(std::move(module_dir)), store_(EngineConfig{}) {
    store_.SetFuel(kFuelPerFile);
    AddSpectest();
  }

  void Run(const json& commands) {
    reporter_.Total(commands.size());
    for (const json& command : commands) {
      const int line = command.value("line", 0);
      reporter_.Begin(line);
      Result r;
      try {
        r = RunCommand(command);
      } catch (const std::exception& e) {
        r = Fail(std::string("runner could not read the command: ") + e.what());
      }
      if (r.outcome == Outcome::Fail) reporter_.Detail(line, Summarize(command) + ": " + r.detail);
      reporter_.End(line, r.outcome);
    }
  }

 private:
  using Exports = std::map<std::string, Extern, std::less<>>;

  // https://github.com/WebAssembly/spec/blob/main/interpreter/host/spectest.ml
  void AddSpectest() {
    Exports& s = registry_["spectest"];
    auto noop = [](HostCall&) -> HostResult { return {}; };
    auto func = [&](const char* name, std::vector<ValType> params) {
      s[name] = Extern::Of(store_.NewHostFunc(FuncType{std::move(params), {}}, noop));
    };
    func("print", {});
    func("print_i32", {ValType::I32});
    func("print_i64", {ValType::I64});
    func("print_f32", {ValType::F32});
    func("print_f64", {ValType::F64});
    func("print_i32_f32", {ValType::I32, ValType::F32});
    func("print_f64_f64", {ValType::F64, ValType::F64});
    s["global_i32"] = Extern::Of(store_.NewGlobal({ValType::I32, false}, Value::I32(666)));
    s["global_i64"] = Extern::Of(store_.NewGlobal({ValType::I64, false}, Value::I64(666)));
    s["global_f32"] = Extern::Of(store_.NewGlobal({ValType::F32, false}, Value::F32(666.6f)));
    s["global_f64"] = Extern::Of(store_.NewGlobal({ValType::F64, false}, Value::F64(666.6)));
    if (auto t = store_.NewTable(TableType{ValType::FuncRef, Limits{10, true, 20}}))
      s["table"] = Extern::Of(*t);
    else
      reporter_.Problem("spectest table: " + t.error().ToString());
    if (auto m = store_.NewMemory(MemoryType{Limits{1, true, 2}}))
      s["memory"] = Extern::Of(*m);
    else
      reporter_.Problem("spectest memory: " + m.error().ToString());
  }

  // One line saying which command this is, for failure messages.
  static std::string Summarize(const json& c) {
    std::string out = c.value("type", "?");
    if (c.contains("action")) out += " " + SummarizeAction(c["action"]);
    if (c.contains("filename")) out += " " + c["filename"].get<std::string>();
    if (c.contains("text")) out += " \"" + c["text"].get<std::string>() + "\"";
    if (c.contains("as")) out += " as \"" + c["as"].get<std::string>() + "\"";
    return out;
  }

  static std::string SummarizeAction(const json& a) {
    std::string out = a.value("type", "?") + " ";
    if (a.contains("module")) out += a["module"].get<std::string>() + ".";
    out += "\"" + a.value("field", "") + "\"";
    if (a.contains("args")) {
      out += "(";
      bool first = true;
      for (const json& arg : a["args"]) {
        out += (first ? "" : " ") + arg.value("type", "?") + ":" + arg.value("value", "");
        first = false;
      }
      out += ")";
    }
    return out;
  }

  Result RunCommand(const json& c) {
    const std::string type = c.at("type").get<std::string>();
    if (type == "module") return RunModule(c);
    if (type == "register") return RunRegister(c);
    if (type == "action") {
      auto r = RunAction(c.at("action"));
      if (!r) return Fail(r.error());
      if (!r->has_value()) return Fail("action failed: " + r->error().ToString());
      return Pass();
    }
    if (type == "assert_return") return RunAssertReturn(c);
    if (type == "assert_trap" || type == "assert_exhaustion") return RunAssertTrap(c);
    if (type == "assert_malformed" || type == "assert_invalid") return RunAssertNotLoadable(c);
    if (type == "assert_unlinkable" || type == "assert_uninstantiable") return RunAssertLink(c);
    return Fail("unknown command type");
  }

  std::string ReadModuleFile(const json& c, std::vector<uint8_t>* bytes) {
    const fs::path path = module_dir_ / c.at("filename").get<std::string>();
    std::ifstream in(path, std::ios::binary);
    if (!in) return "cannot read " + path.string();
    bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return {};
  }

  phat::Expected<std::shared_ptr<const Module>, LoadError> Load(const std::vector<uint8_t>& bytes) {
    return CompileModule(bytes, store_.config(), LoadPolicy{});
  }

  // The imports of `module` from the registered instances, in import order; an error names the
  // first import that nothing registered provides.
  phat::Expected<std::vector<Extern>, std::string> ResolveImports(const Module& module) {
    std::vector<Extern> externs;
    for (const Import& imp : module.imports()) {
      auto m = registry_.find(imp.module);
      if (m == registry_.end())
        return phat::unexpected("unknown import: no module registered as \"" + imp.module + "\"");
      auto e = m->second.find(imp.name);
      if (e == m->second.end())
        return phat::unexpected("unknown import: \"" + imp.module + "\" has no export \"" +
                                imp.name + "\"");
      externs.push_back(e->second);
    }
    return externs;
  }

  Result RunModule(const json& c) {
    const std::string name = c.value("name", "");
    current_ = nullptr;
    if (!name.empty()) named_.erase(name);
    std::vector<uint8_t> bytes;
    if (auto err = ReadModuleFile(c, &bytes); !err.empty()) return Fail(err);
    auto module = Load(bytes);
    if (!module) return Fail("module does not load: " + module.error().ToString());
    auto imports = ResolveImports(**module);
    if (!imports) return Fail(imports.error());
    auto instance = store_.Instantiate(*module, *imports);
    if (!instance) return Fail("module does not instantiate: " + instance.error().ToString());
    current_ = *instance;
    if (!name.empty()) named_[name] = *instance;
    return Pass();
  }

  Result RunRegister(const json& c) {
    Instance* instance = FindInstance(c.contains("name") ? c["name"].get<std::string>() : "");
    if (!instance) return Fail("no module instance to register (an earlier module failed)");
    Exports& exports = registry_[c.at("as").get<std::string>()];
    exports.clear();
    for (const Export& e : instance->module().exports())
      if (auto ext = instance->GetExport(e.name)) exports[e.name] = *ext;
    return Pass();
  }

  Instance* FindInstance(const std::string& name) {
    if (name.empty()) return current_;
    auto it = named_.find(name);
    return it == named_.end() ? nullptr : it->second;
  }

  // Runs an invoke or get. The outer error is the runner's (no such export, bad argument); the
  // inner one is the engine's answer.
  phat::Expected<phat::Expected<std::vector<Value>, ExecError>, std::string> RunAction(
      const json& a) {
    Instance* instance = FindInstance(a.contains("module") ? a["module"].get<std::string>() : "");
    if (!instance)
      return phat::unexpected(std::string("no module instance (an earlier module failed)"));
    const std::string field = a.at("field").get<std::string>();
    auto ext = instance->GetExport(field);
    if (!ext) return phat::unexpected("no export \"" + field + "\"");
    const std::string type = a.at("type").get<std::string>();
    if (type == "get") {
      Global* g = ext->global();
      if (!g) return phat::unexpected("export \"" + field + "\" is not a global");
      return std::vector<Value>{g->Get()};
    }
    if (type != "invoke") return phat::unexpected("unknown action type " + type);
    Func* f = ext->func();
    if (!f) return phat::unexpected("export \"" + field + "\" is not a function");
    std::vector<Value> args;
    for (const json& j : a.value("args", json::array())) {
      std::string error;
      auto v = ParseArg(j, &error);
      if (!v) return phat::unexpected(error);
      args.push_back(*v);
    }
    auto result = store_.Call(f, args);
    if (!result && result.error().kind == ExecError::Kind::FuelExhausted)
      return phat::unexpected(Printf("fuel exhausted: the file's budget of %" PRIu64
                                     " is spent (a hang in the engine?)",
                                     kFuelPerFile));
    return result;
  }

  Result RunAssertReturn(const json& c) {
    std::vector<ExpectedValue> expected;
    for (const json& j : c.at("expected")) expected.push_back(ParseExpected(j));
    auto r = RunAction(c.at("action"));
    if (!r) return Fail(r.error());
    if (!r->has_value())
      return Fail("expected " + DescribeExpected(expected) + ", got " + r->error().ToString());
    const std::vector<Value>& got = **r;
    bool ok = got.size() == expected.size();
    for (size_t i = 0; ok && i < got.size(); ++i) ok = Matches(expected[i], got[i]);
    if (!ok) return Fail("expected " + DescribeExpected(expected) + ", got " + DescribeValues(got));
    return Pass();
  }

  Result RunAssertTrap(const json& c) {
    const std::string text = c.at("text").get<std::string>();
    auto r = RunAction(c.at("action"));
    if (!r) return Fail(r.error());
    if (r->has_value()) return Fail("expected trap \"" + text + "\", got " + DescribeValues(**r));
    const ExecError& e = r->error();
    if (e.kind != ExecError::Kind::Trap)
      return Fail("expected trap \"" + text + "\", got " + e.ToString());
    const std::string_view kind_text = TrapMessage(e.trap);
    if (!TrapTextMatches(text, kind_text))
      return Fail("expected trap \"" + text + "\", got trap of another kind: \"" +
                  std::string(kind_text) + "\" (" + e.message + ")");
    return Pass();
  }

  Result RunAssertNotLoadable(const json& c) {
    const std::string type = c.at("type").get<std::string>();
    if (c.value("module_type", "binary") != "binary") {
      reporter_.Note(c.value("line", 0), "text_skipped", "");
      return Skip();
    }
    std::vector<uint8_t> bytes;
    if (auto err = ReadModuleFile(c, &bytes); !err.empty()) return Fail(err);
    auto module = Load(bytes);
    const bool want_malformed = type == "assert_malformed";
    if (module)
      return Fail(std::string("module loads, expected it to be rejected as ") +
                  (want_malformed ? "malformed" : "invalid"));
    const int line = c.value("line", 0);
    const std::string why = Summarize(c) + ": " + module.error().ToString();
    switch (module.error().kind) {
      case LoadError::Kind::Malformed:
        if (!want_malformed) reporter_.Note(line, "invalid_as_malformed", why);
        break;
      case LoadError::Kind::Invalid:
        if (want_malformed) reporter_.Note(line, "malformed_as_invalid", why);
        break;
      case LoadError::Kind::Limit:
        reporter_.Note(line, "rejected_as_limit", why);
        break;
      case LoadError::Kind::Unsupported:
        reporter_.Note(line, "rejected_as_unsupported", why);
        break;
    }
    return Pass();
  }

  Result RunAssertLink(const json& c) {
    const bool want_unlinkable = c.at("type").get<std::string>() == "assert_unlinkable";
    std::vector<uint8_t> bytes;
    if (auto err = ReadModuleFile(c, &bytes); !err.empty()) return Fail(err);
    auto module = Load(bytes);
    if (!module) return Fail("module does not load: " + module.error().ToString());
    auto imports = ResolveImports(**module);
    if (!imports) {
      if (!want_unlinkable) return Fail(imports.error());
      reporter_.Note(c.value("line", 0), "unlinkable_by_runner", imports.error());
      return Pass();
    }
    auto instance = store_.Instantiate(*module, *imports);
    const char* want = want_unlinkable ? "unlinkable" : "uninstantiable";
    if (instance) return Fail(std::string("module instantiates, expected it to be ") + want);
    const LinkError::Kind kind =
        want_unlinkable ? LinkError::Kind::Unlinkable : LinkError::Kind::Uninstantiable;
    if (instance.error().kind != kind)
      return Fail(std::string("expected ") + want + ", got " + instance.error().ToString());
    return Pass();
  }

  Reporter& reporter_;
  fs::path module_dir_;
  Store store_;
  std::map<std::string, Exports, std::less<>> registry_;  // registered name -> its exports
  std::map<std::string, Instance*> named_;                // $name -> instance
  Instance* current_ = nullptr;                           // the last module defined
};

// ---------------------------------------------------------------------------------------------
// wast2json

// Runs wast2json on `wast` into `out_dir`; returns an empty string on success, else what failed.
std::string ConvertWast(const fs::path& wast, const fs::path& out_dir, const fs::path& json_path) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return "cannot create " + out_dir.string() + ": " + ec.message();
  const fs::path log = out_dir / "wast2json.log";
  std::vector<std::string> argv_s = {PHAT_WAST2JSON};
  argv_s.insert(argv_s.end(), kWast2JsonFlags.begin(), kWast2JsonFlags.end());
  argv_s.insert(argv_s.end(), {wast.string(), "-o", json_path.string()});
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Printf("cannot run %s: %s", argv[0], std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::ifstream in(log);
  std::string first_lines, line;
  for (int i = 0; i < 5 && std::getline(in, line); ++i) first_lines += "\n    " + line;
  return Printf("wast2json failed (%s %d) on %s:", WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), wast.c_str()) +
         first_lines;
}

// Converts and runs one file, reporting every command; the body of a child process.
void RunFile(const fs::path& wast, const fs::path& work_dir, Reporter& reporter) {
  const std::string stem = wast.stem().string();
  const fs::path out_dir = work_dir / stem;
  const fs::path json_path = out_dir / (stem + ".json");
  if (std::string err = ConvertWast(wast, out_dir, json_path); !err.empty()) {
    reporter.Problem(err);
    reporter.Total(1);
    reporter.Detail(0, "the file does not convert");
    reporter.End(0, Outcome::Fail);
    return;
  }
  json doc;
  try {
    std::ifstream in(json_path);
    doc = json::parse(in);
  } catch (const std::exception& e) {
    reporter.Problem("cannot parse " + json_path.string() + ": " + e.what());
    reporter.Total(1);
    reporter.Detail(0, "the converted file does not parse");
    reporter.End(0, Outcome::Fail);
    return;
  }
  const json& commands = doc.at("commands");
  if (stem.starts_with("simd_")) {  // until the engine has SIMD
    reporter.Total(commands.size());
    for (const json& c : commands) {
      reporter.Note(c.value("line", 0), "simd_skipped", "");
      reporter.End(c.value("line", 0), Outcome::Skip);
    }
  } else {
    WastRunner(reporter, out_dir).Run(commands);
  }
  std::error_code ec;
  fs::remove_all(out_dir, ec);
}

// ---------------------------------------------------------------------------------------------
// The parent side: status file, tallies, child processes.

struct StatusEntry {
  std::string reason;
  bool seen = false;  // a command at this line ran
};
// file name -> line -> entry
using Status = std::map<std::string, std::map<int, StatusEntry>>;

bool ReadStatus(const fs::path& path, Status* status) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "phat_spec_runner: cannot read status file %s\n", path.c_str());
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    const size_t colon = line.find(':', start);
    const size_t space = line.find_first_of(" \t", start);
    char* end = nullptr;
    long at = colon == std::string::npos ? 0 : std::strtol(line.c_str() + colon + 1, &end, 10);
    const size_t reason_at =
        space == std::string::npos ? std::string::npos : line.find_first_not_of(" \t", space);
    if (reason_at == std::string::npos || colon == std::string::npos || colon > space || at <= 0 ||
        end != line.c_str() + space) {
      std::fprintf(stderr, "%s:%d: expected 'file.wast:LINE  reason', got: %s\n", path.c_str(), n,
                   line.c_str());
      return false;
    }
    (*status)[line.substr(start, colon - start)][int(at)].reason = line.substr(reason_at);
  }
  return true;
}

struct Counts {
  uint64_t passed = 0, failed = 0, skipped = 0;
  void Add(const Counts& o) {
    passed += o.passed;
    failed += o.failed;
    skipped += o.skipped;
  }
  std::string Line() const {
    return Printf("%" PRIu64 " passed, %" PRIu64 " failed, %" PRIu64 " skipped", passed, failed,
                  skipped);
  }
};

// Turns one file's reports into counts and messages, applying the status file.
class Tally : public Reporter {
 public:
  Tally(std::string file, std::map<int, StatusEntry>* status, bool verbose)
      : file_(std::move(file)), status_(status), verbose_(verbose) {}

  void Total(size_t commands) override { total_ = commands; }
  void Begin(int line) override { running_ = line; }
  void Detail(int line, const std::string& text) override { detail_ = text; }
  void End(int line, Outcome outcome) override {
    ++ended_;
    running_.reset();
    StatusEntry* entry = nullptr;
    if (status_) {
      auto it = status_->find(line);
      if (it != status_->end()) entry = &it->second;
    }
    if (entry) entry->seen = true;
    switch (outcome) {
      case Outcome::Pass:
        if (entry) {
          ++counts_.failed;
          Print(line, "unexpected pass: listed in the status file (" + entry->reason +
                          ") but passes now; remove the entry");
        } else {
          ++counts_.passed;
        }
        break;
      case Outcome::Skip:
        ++counts_.skipped;
        break;
      case Outcome::Fail:
        if (entry) {
          ++counts_.skipped;
          if (verbose_) Print(line, "expected failure (" + entry->reason + "): " + detail_);
        } else {
          ++counts_.failed;
          if (verbose_) Print(line, "FAIL " + detail_);
        }
        break;
    }
    detail_.clear();
  }
  void Note(int line, const std::string& key, const std::string& text) override {
    ++notes_[key];
    if (verbose_ && !text.empty()) Print(line, "note (" + key + "): " + text);
  }
  void Problem(const std::string& text) override {
    messages_ += file_ + ": " + text + "\n";
    aborted_ = true;  // the file did not run normally: its status entries are not checked
  }

  // The child stopped before reporting every command: the one running and those after it fail.
  void Abort(const std::string& why) {
    std::string where = running_ ? Printf("%s:%d", file_.c_str(), *running_) : file_;
    size_t lost = total_ > ended_ ? total_ - ended_ : 1;
    messages_ += Printf("%s: %s; %zu command(s) not completed, counted as failed\n", where.c_str(),
                        why.c_str(), lost);
    counts_.failed += lost;
    ended_ = total_;
    aborted_ = true;
  }

  bool Complete() const { return total_ > 0 && ended_ >= total_; }

  // Status entries for this file that no command matched: the list is stale there.
  void CheckUnmatchedStatus() {
    if (!status_ || aborted_) return;
    for (auto& [line, entry] : *status_)
      if (!entry.seen) {
        ++counts_.failed;
        Print(line, "status entry (" + entry.reason + ") matches no command; fix or remove it");
      }
  }

  // Reads one record written by PipeReporter.
  void Apply(std::string_view record) {
    if (record.empty()) return;
    const char tag = record[0];
    std::string_view rest = record.substr(std::min<size_t>(2, record.size()));
    const int line = std::atoi(std::string(rest.substr(0, rest.find(' '))).c_str());
    const size_t sp = rest.find(' ');
    const std::string arg = sp == std::string_view::npos ? "" : std::string(rest.substr(sp + 1));
    switch (tag) {
      case 'N':
        Total(std::strtoull(std::string(rest).c_str(), nullptr, 10));
        break;
      case 'B':
        Begin(line);
        break;
      case 'D':
        Detail(line, arg);
        break;
      case 'E':
        End(line, Outcome(arg.empty() ? 'F' : arg[0]));
        break;
      case 'K': {
        const std::string key = arg.substr(0, arg.find(' '));
        Note(line, key, key.size() < arg.size() ? arg.substr(key.size() + 1) : "");
        break;
      }
      case 'X':
        Problem(Unescape(rest));
        break;
    }
  }

  static std::string Unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        out += s[i] == 'n' ? '\n' : s[i];
      } else {
        out += s[i];
      }
    }
    return out;
  }

  const Counts& counts() const { return counts_; }
  const std::map<std::string, uint64_t>& notes() const { return notes_; }
  const std::string& messages() const { return messages_; }
  const std::string& file() const { return file_; }

 private:
  void Print(int line, const std::string& text) {
    messages_ += Printf("%s:%d: ", file_.c_str(), line) + text + "\n";
  }

  std::string file_;
  std::map<int, StatusEntry>* status_;
  bool verbose_;
  size_t total_ = 0, ended_ = 0;
  bool aborted_ = false;
  std::optional<int> running_;
  std::string detail_;
  Counts counts_;
  std::map<std::string, uint64_t> notes_;
  std::string messages_;
};

// The child's side of the pipe: one text record per line.
class PipeReporter : public Reporter {
 public:
  explicit PipeReporter(int fd) : fd_(fd) {}
  void Total(size_t commands) override { Write(Printf("N %zu", commands)); }
  void Begin(int line) override { Write(Printf("B %d", line)); }
  void Detail(int line, const std::string& text) override {
    Write(Printf("D %d ", line) + OneLine(text, false));
  }
  void End(int line, Outcome outcome) override { Write(Printf("E %d %c", line, char(outcome))); }
  void Note(int line, const std::string& key, const std::string& text) override {
    Write(Printf("K %d ", line) + key + " " + OneLine(text, false));
  }
  void Problem(const std::string& text) override { Write("X " + OneLine(text, true)); }

 private:
  static std::string OneLine(const std::string& s, bool escape) {
    std::string out;
    for (char c : s) {
      if (c == '\n')
        out += escape ? "\\n" : " ";
      else if (c == '\\' && escape)
        out += "\\\\";
      else
        out += c;
    }
    return out;
  }
  // Written at once, so the parent knows which command was running if the engine crashes.
  void Write(std::string record) {
    record += '\n';
    const char* p = record.data();
    size_t left = record.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(3);
      p += n;
      left -= size_t(n);
    }
  }
  int fd_;
};

volatile sig_atomic_t g_interrupted = 0;
void OnSignal(int) {
  g_interrupted = 1;
}

struct Options {
  fs::path testsuite;
  fs::path status;
  std::vector<std::string> patterns;
  bool verbose = false;
  bool fork = true;
  unsigned jobs = 1;
  int timeout_seconds = 600;
};

void Usage(FILE* out) {
  std::fprintf(
      out,
      "usage: phat_spec_runner [--testsuite DIR] [--status FILE] [-v] [-j N] [--timeout S]\n"
      "                        [--no-fork] [FILE|GLOB ...]\n"
      "Runs the WebAssembly spec testsuite (*.wast, converted with wast2json) on phat.\n"
      "  --testsuite DIR  the testsuite folder (default: $PHAT_SPEC_DIR, else\n"
      "                   %s)\n"
      "  --status FILE    expected failures, 'file.wast:LINE  reason' per line\n"
      "                   (default: %s)\n"
      "  -v               print every failure: file:line, command, expected and actual\n"
      "  -j N             files run in parallel (default: the number of cores)\n"
      "  --timeout S      seconds one file may take before it counts as hung (600)\n"
      "  --no-fork        run files in this process (for debuggers; a crash ends the run)\n"
      "  FILE|GLOB        run only these files: 'i32', 'f32*', 'memory_grow.wast'\n",
      PHAT_SPEC_DEFAULT_DIR, *PHAT_SPEC_DEFAULT_STATUS ? PHAT_SPEC_DEFAULT_STATUS : "none");
}

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options o;
  const char* env_dir = std::getenv("PHAT_SPEC_DIR");
  o.testsuite = env_dir && *env_dir ? env_dir : PHAT_SPEC_DEFAULT_DIR;
  o.status = PHAT_SPEC_DEFAULT_STATUS;
  o.jobs = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "phat_spec_runner: %s needs a value\n", argv[i]);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--testsuite") {
      auto v = value();
      if (!v) return std::nullopt;
      o.testsuite = v;
    } else if (a == "--status") {
      auto v = value();
      if (!v) return std::nullopt;
      o.status = v;
    } else if (a == "-j") {
      auto v = value();
      if (!v) return std::nullopt;
      o.jobs = std::max(1, std::atoi(v));
    } else if (a.starts_with("-j") && a.size() > 2) {
      o.jobs = std::max(1, std::atoi(argv[i] + 2));
    } else if (a == "--timeout") {
      auto v = value();
      if (!v) return std::nullopt;
      o.timeout_seconds = std::max(1, std::atoi(v));
    } else if (a == "-v" || a == "--verbose") {
      o.verbose = true;
    } else if (a == "--no-fork") {
      o.fork = false;
    } else if (a == "-h" || a == "--help") {
      Usage(stdout);
      std::exit(0);
    } else if (a.starts_with("-")) {
      std::fprintf(stderr, "phat_spec_runner: unknown option %s\n", argv[i]);
      Usage(stderr);
      return std::nullopt;
    } else {
      o.patterns.emplace_back(a);
    }
  }
  return o;
}

bool Selected(const std::string& name, const std::vector<std::string>& patterns,
              std::vector<bool>* used) {
  if (patterns.empty()) return true;
  bool any = false;
  for (size_t i = 0; i < patterns.size(); ++i) {
    const std::string& p = patterns[i];
    if (fnmatch(p.c_str(), name.c_str(), 0) == 0 ||
        fnmatch((p + ".wast").c_str(), name.c_str(), 0) == 0) {
      (*used)[i] = true;
      any = true;
    }
  }
  return any;
}

// A file being run in a child process.
struct Job {
  size_t index;
  pid_t pid;
  int fd;
  std::string buffer;
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;
};

// Runs each file in a child process, at most opts.jobs at once, and feeds what the children
// report to their tallies; calls finish(i) once file i is done. False if a process could not be
// started.
bool RunInChildren(const std::vector<fs::path>& files, const fs::path& work_dir,
                   const Options& opts, const std::vector<std::unique_ptr<Tally>>& tallies,
                   const std::function<void(size_t)>& finish) {
  std::vector<Job> running;
  auto stop_all = [&] {
    for (const Job& j : running) kill(j.pid, SIGKILL);
    for (const Job& j : running) waitpid(j.pid, nullptr, 0);
  };
  size_t next = 0;
  while ((next < files.size() || !running.empty()) && !g_interrupted) {
    while (next < files.size() && running.size() < opts.jobs) {
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) != 0) {
        std::perror("phat_spec_runner: pipe");
        stop_all();
        return false;
      }
      std::fflush(stdout);
      std::fflush(stderr);
      pid_t pid = fork();
      if (pid < 0) {
        std::perror("phat_spec_runner: fork");
        stop_all();
        return false;
      }
      if (pid == 0) {
        close(fds[0]);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        PipeReporter reporter(fds[1]);
        RunFile(files[next], work_dir, reporter);
        close(fds[1]);
        std::exit(0);  // not _exit: sanitizers check for leaks at exit
      }
      close(fds[1]);
      running.push_back(
          {next,
           pid,
           fds[0],
           {},
           std::chrono::steady_clock::now() + std::chrono::seconds(opts.timeout_seconds)});
      ++next;
    }
    std::vector<pollfd> pfds;
    for (const Job& j : running) pfds.push_back({j.fd, POLLIN, 0});
    int n = poll(pfds.data(), pfds.size(), 1000);
    if (n < 0 && errno != EINTR) {
      std::perror("phat_spec_runner: poll");
      stop_all();
      return false;
    }
    const auto now = std::chrono::steady_clock::now();
    for (size_t k = running.size(); k-- > 0;) {
      Job& j = running[k];
      Tally& t = *tallies[j.index];
      bool eof = false;
      if (n > 0 && (pfds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[65536];
        ssize_t r = read(j.fd, buf, sizeof buf);
        if (r > 0) {
          j.buffer.append(buf, size_t(r));
          size_t pos;
          while ((pos = j.buffer.find('\n')) != std::string::npos) {
            t.Apply(std::string_view(j.buffer).substr(0, pos));
            j.buffer.erase(0, pos + 1);
          }
        } else if (r == 0 || errno != EINTR) {
          eof = true;
        }
      }
      if (!eof && now > j.deadline && !j.timed_out) {
        kill(j.pid, SIGKILL);
        j.timed_out = true;
      }
      if (!eof) continue;
      close(j.fd);
      int st = 0;
      while (waitpid(j.pid, &st, 0) < 0 && errno == EINTR) {
      }
      if (j.timed_out) {
        t.Abort(Printf("timed out after %d s (hang?)", opts.timeout_seconds));
      } else if (WIFSIGNALED(st)) {
        t.Abort(Printf("crashed with signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st))));
      } else if (WEXITSTATUS(st) != 0) {
        t.Abort(Printf("runner process exited with status %d", WEXITSTATUS(st)));
      } else if (!t.Complete()) {
        t.Abort("runner process ended before reporting every command");
      }
      const size_t index = j.index;
      running.erase(running.begin() + ptrdiff_t(k));
      finish(index);
    }
  }
  if (g_interrupted) stop_all();
  return true;
}

int Main(int argc, char** argv) {
  auto opts = ParseOptions(argc, argv);
  if (!opts) return 2;

  std::error_code ec;
  if (!fs::is_directory(opts->testsuite, ec)) {
    std::fprintf(
        stderr,
        "phat_spec_runner: FAILED: the WebAssembly spec testsuite is not at %s\n"
        "  Put the testsuite there, or point to it with --testsuite DIR or PHAT_SPEC_DIR.\n",
        opts->testsuite.c_str());
    return 2;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(opts->testsuite, ec))
    if (entry.path().extension() == ".wast") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "phat_spec_runner: FAILED: no .wast files in %s\n",
                 opts->testsuite.c_str());
    return 2;
  }
  std::vector<bool> used(opts->patterns.size());
  std::erase_if(files, [&](const fs::path& p) {
    return !Selected(p.filename().string(), opts->patterns, &used);
  });
  for (size_t i = 0; i < used.size(); ++i)
    if (!used[i]) {
      std::fprintf(stderr, "phat_spec_runner: no file in %s matches %s\n", opts->testsuite.c_str(),
                   opts->patterns[i].c_str());
      return 2;
    }

  Status status;
  if (!opts->status.empty() && !ReadStatus(opts->status, &status)) return 2;
  for (const auto& [name, lines] : status)
    if (!fs::exists(opts->testsuite / name))
      std::fprintf(stderr, "phat_spec_runner: warning: status file names %s, not in %s\n",
                   name.c_str(), opts->testsuite.c_str());

  const char* tmp = std::getenv("TMPDIR");
  std::string work_template = std::string(tmp && *tmp ? tmp : "/tmp") + "/phat-spec-XXXXXX";
  if (!mkdtemp(work_template.data())) {
    std::fprintf(stderr, "phat_spec_runner: cannot create a temporary folder %s: %s\n",
                 work_template.c_str(), std::strerror(errno));
    return 2;
  }
  const fs::path work_dir = work_template;

  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::unique_ptr<Tally>> tallies;
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    auto it = status.find(name);
    tallies.push_back(
        std::make_unique<Tally>(name, it == status.end() ? nullptr : &it->second, opts->verbose));
  }

  Counts total;
  std::map<std::string, uint64_t> notes;
  size_t next_to_print = 0;
  std::vector<bool> done(files.size());
  auto finish = [&](size_t i) {
    done[i] = true;
    for (; next_to_print < files.size() && done[next_to_print]; ++next_to_print) {
      Tally& t = *tallies[next_to_print];
      t.CheckUnmatchedStatus();
      std::fputs(t.messages().c_str(), stdout);
      std::printf("%s: %s\n", t.file().c_str(), t.counts().Line().c_str());
      std::fflush(stdout);
      total.Add(t.counts());
      for (const auto& [k, v] : t.notes()) notes[k] += v;
    }
  };

  if (!opts->fork) {
    for (size_t i = 0; i < files.size() && !g_interrupted; ++i) {
      RunFile(files[i], work_dir, *tallies[i]);
      finish(i);
    }
  }
  bool started = !opts->fork || RunInChildren(files, work_dir, *opts, tallies, finish);
  fs::remove_all(work_dir, ec);
  if (!started) return 2;
  if (g_interrupted) {
    std::fprintf(stderr, "phat_spec_runner: interrupted\n");
    return 130;
  }

  const uint64_t run = total.passed + total.failed;
  std::printf("commands run: %" PRIu64 "\n", run);
  for (const NoteInfo& n : kNotes)
    if (auto it = notes.find(n.key); it != notes.end())
      std::printf("  %s: %" PRIu64 "\n", n.text, it->second);
  std::printf("total: %s\n", total.Line().c_str());
  return total.failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace phat::spec

int main(int argc, char** argv) {
  return phat::spec::Main(argc, argv);
}
