// Shared by the fuzz targets that run code: imports synthesized from a module's own import list,
// and a driver that calls every exported function with zero arguments under a fuel budget,
// recording what happened so that two runs can be compared. Not thread-safe (one Store).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "phat/wasm/module.h"
#include "phat/wasm/runtime.h"

namespace phat::wasm::fuzz {

// Limits small enough that a fuzz input cannot make the process big or slow, large enough that
// programs still do real work.
inline EngineConfig SmallConfig(bool fuel_metering = true) {
  EngineConfig c;
  c.fuel_metering = fuel_metering;
  c.max_memory_pages = 64;  // 4 MiB
  c.max_table_size = 10'000;
  c.max_call_depth = 1000;
  c.max_value_stack = 1u << 16;
  return c;
}
inline constexpr uint64_t kFuel = 100'000;

// Prints and aborts: libFuzzer reports it as a crash with this message above the stack.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "phat fuzz check failed: %s\n", what.c_str());
  std::abort();
}

// Lets synthesized host functions call back into the guest: each host call first calls
// `target` (when set) with zero arguments, up to `max_depth` host frames deep.
struct Reentry {
  Store* store = nullptr;
  Func* target = nullptr;
  int depth = 0;
  int max_depth = 2;
};

// One Extern per import, of the right type: host functions that charge a little fuel, poke the
// caller's memory, optionally re-enter the guest, and return zeros; fresh memories, tables and
// globals matching the declared types. Nothing if the store refuses one (a limit).
inline std::optional<std::vector<Extern>> MakeImports(Store& store, const Module& module,
                                                      Reentry* reentry = nullptr) {
  std::vector<Extern> out;
  for (const Import& imp : module.imports()) {
    switch (imp.kind) {
      case ExternKind::Func: {
        FuncType type = module.types()[imp.func_type.value];
        auto body = [n = type.results.size(), reentry](HostCall& call) -> HostResult {
          if (!call.ConsumeFuel(10)) return std::unexpected(HostFailure::OutOfFuel());
          if (Memory* m = call.memory()) {
            if (auto s = m->Span(m->size() > 8 ? m->size() - 8 : 0, m->size() > 8 ? 8 : 0))
              for (uint8_t& b : *s) b ^= 0x5a;
          }
          if (reentry && reentry->target && reentry->depth < reentry->max_depth) {
            ++reentry->depth;
            std::vector<Value> args;
            for (ValType t : reentry->target->type().params) args.push_back(Value::Zero(t));
            auto r = reentry->store->Call(reentry->target, args);
            --reentry->depth;
            if (!r && r.error().kind == ExecError::Kind::BadCall) Fail("re-entry: BadCall");
          }
          for (size_t i = 0; i < n; ++i) call.SetResultBits(i, 0);
          return {};
        };
        out.push_back(Extern::Of(store.NewHostFunc(type, body)));
        break;
      }
      case ExternKind::Table: {
        auto t = store.NewTable(imp.table);
        if (!t) return std::nullopt;
        out.push_back(Extern::Of(*t));
        break;
      }
      case ExternKind::Memory: {
        auto m = store.NewMemory(imp.memory);
        if (!m) return std::nullopt;
        out.push_back(Extern::Of(*m));
        break;
      }
      case ExternKind::Global:
        out.push_back(Extern::Of(store.NewGlobal(imp.global, Value::Zero(imp.global.type))));
        break;
    }
  }
  return out;
}

// What one call did, comparable across runs.
struct Outcome {
  bool ok = false;
  ExecError::Kind kind = ExecError::Kind::Trap;
  TrapKind trap = TrapKind::Unreachable;
  std::vector<uint64_t> results;  // raw bits; references compared only as null / non-null
  uint64_t fuel = 0;

  bool operator==(const Outcome&) const = default;
  std::string ToString() const {
    std::string s =
        ok ? "ok"
           : "error kind " + std::to_string(int(kind)) + " trap " + std::to_string(int(trap));
    for (uint64_t r : results) s += " " + std::to_string(r);
    return s + " fuel " + std::to_string(fuel);
  }
};

struct RunLog {
  bool instantiated = false;
  std::optional<LinkError::Kind> link_error;
  std::vector<Outcome> calls;
  uint64_t memory_hash = 0;
  std::vector<uint64_t> globals;
  bool any_fuel_exhausted = false;
};

inline uint64_t Fnv(const uint8_t* p, size_t n, uint64_t h = 1469598103934665603ull) {
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

// Instantiates `module` with synthesized imports and calls each exported function once with
// zero arguments, each call with `fuel` to spend. Traps, fuel exhaustion and link errors are
// recorded, not failures. With `record_state`, also the final memory and globals. With `chain`,
// the module is instantiated twice in one Store and the second instance, the one called,
// imports the first one's exported functions wherever their types match, so that calls,
// returns and traps cross instances (each with its own memory, tables and globals).
inline RunLog RunAll(const std::shared_ptr<const Module>& module, const EngineConfig& config,
                     uint64_t fuel = kFuel, bool record_state = false, bool reenter = false,
                     bool chain = false) {
  RunLog log;
  Store store(config);
  Reentry reentry{&store};
  auto imports = MakeImports(store, *module, reenter ? &reentry : nullptr);
  if (!imports) return log;
  store.SetFuel(fuel);
  if (chain) {
    auto first = store.Instantiate(module, *imports);
    if (first) {
      const auto& wanted = module->imports();
      for (size_t i = 0, next = 0; i < wanted.size(); ++i) {
        if (wanted[i].kind != ExternKind::Func) continue;
        const FuncType& type = module->types()[wanted[i].func_type.value];
        const auto& exports = module->exports();
        for (size_t k = 0; k < exports.size(); ++k) {
          const Export& e = exports[(next + k) % exports.size()];
          Func* f = e.kind == ExternKind::Func ? (*first)->GetFunc(e.name) : nullptr;
          if (f && f->type() == type) {
            (*imports)[i] = Extern::Of(f);
            next += k + 1;
            break;
          }
        }
      }
    }
    store.SetFuel(fuel);
  }
  auto inst = store.Instantiate(module, *imports);
  if (!inst) {
    if (inst.error().message.empty()) Fail("link error without a message");
    log.link_error = inst.error().kind;
    return log;
  }
  log.instantiated = true;
  for (const Export& e : module->exports()) {
    if (e.kind == ExternKind::Func && reentry.target == nullptr)
      reentry.target = (*inst)->GetFunc(e.name);
  }
  for (const Export& e : module->exports()) {
    if (e.kind != ExternKind::Func) continue;
    Func* f = (*inst)->GetFunc(e.name);
    if (f == nullptr) Fail("exported function \"" + e.name + "\" not found");
    std::vector<Value> args;
    for (ValType t : f->type().params) args.push_back(Value::Zero(t));
    store.SetFuel(fuel);
    uint64_t before = store.fuel_consumed();
    auto r = store.Call(f, args);
    Outcome o;
    o.fuel = store.fuel_consumed() - before;
    if (config.fuel_metering && o.fuel > fuel) Fail("a call consumed more fuel than it had");
    if (r) {
      o.ok = true;
      if (r->size() != f->type().results.size()) Fail("wrong number of results");
      for (size_t i = 0; i < r->size(); ++i) {
        const Value& v = (*r)[i];
        if (v.type() != f->type().results[i]) Fail("result of the wrong type");
        o.results.push_back(IsRef(v.type()) ? uint64_t(v.ref() != nullptr) : v.bits());
      }
    } else {
      const ExecError& err = r.error();
      if (err.kind == ExecError::Kind::BadCall) Fail("BadCall for a call with matching arguments");
      if (err.message.empty()) Fail("execution error without a message");
      o.kind = err.kind;
      o.trap = err.kind == ExecError::Kind::Trap ? err.trap : TrapKind::Unreachable;
      if (err.kind == ExecError::Kind::FuelExhausted) log.any_fuel_exhausted = true;
    }
    log.calls.push_back(std::move(o));
  }
  if (!record_state) return log;
  if (Memory* m = (*inst)->memory()) log.memory_hash = Fnv(m->data(), m->size());
  for (uint32_t i = 0; i < module->globals().size(); ++i) {
    Global* g = (*inst)->global(i);
    log.globals.push_back(IsRef(g->type().type) ? uint64_t(g->Get().ref() != nullptr)
                                                : g->Get().bits());
  }
  return log;
}

}  // namespace phat::wasm::fuzz
