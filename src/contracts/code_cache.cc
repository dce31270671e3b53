#include "contracts/code_cache.h"

#include <fmt/format.h>

#include "contracts/host_functions.h"

namespace phat::contracts {
namespace {

Error Rejected(std::string why) { return Error{ContractError::CodeRejected, std::move(why)}; }

bool IsUnitFunction(const wasm::FuncType& type) {
  // () -> (), or the legacy () -> i32 that pallet-contracts tolerates.
  return type.params.empty() &&
         (type.results.empty() ||
          (type.results.size() == 1 && type.results[0] == wasm::ValType::I32));
}

Expected<void, Error> CheckExports(const wasm::Module& module) {
  bool has_call = false, has_deploy = false;
  for (const wasm::Export& e : module.exports()) {
    bool is_entry = e.name == "call" || e.name == "deploy";
    if (!is_entry) return unexpected(Rejected(fmt::format("unexpected export \"{}\": a contract exports only \"call\" and \"deploy\"", e.name)));
    if (e.kind != wasm::ExternKind::Func)
      return unexpected(Rejected(fmt::format("export \"{}\" is not a function", e.name)));
    if (!IsUnitFunction(module.func_type(e.index)))
      return unexpected(Rejected(fmt::format("export \"{}\" must take no parameters and return nothing", e.name)));
    (e.name == "call" ? has_call : has_deploy) = true;
  }
  if (!has_call) return unexpected(Rejected("the contract does not export \"call\""));
  if (!has_deploy) return unexpected(Rejected("the contract does not export \"deploy\""));
  return {};
}

}  // namespace

wasm::EngineConfig ContractEngineConfig(const Schedule& schedule) {
  const Limits& limits = schedule.limits;
  wasm::EngineConfig config;
  config.fuel_metering = true;
  config.max_memory_pages = limits.memory_pages;
  config.max_memory_pages_total = limits.memory_pages;
  config.max_table_size = limits.max_table_size;
  config.max_table_elements_total = limits.max_table_size;
  config.max_module_size = limits.max_code_len;
  config.max_function_locals = limits.max_locals;
  config.max_call_depth = limits.wasm_call_depth;
  config.max_value_stack = limits.wasm_value_stack;
  return config;
}

Expected<std::shared_ptr<const PreparedCode>, Error> CodeCache::Prepare(const CodeHash& hash,
                                                                        ByteView wasm,
                                                                        Determinism determinism,
                                                                        bool chain_extension) const {
  const Limits& limits = schedule_.limits;
  if (wasm.size() > limits.max_code_len)
    return unexpected(Error{ContractError::CodeTooLarge,
                            fmt::format("the code is {} bytes; at most {} are allowed", wasm.size(),
                                        limits.max_code_len)});
  // Deterministic code may use sign extension and nothing else beyond the MVP; relaxed code
  // may also use floats (ABI.md §1).
  wasm::LoadPolicy policy{wasm::kSignExt};
  if (determinism == Determinism::Relaxed) policy.features |= wasm::kFloat;
  auto compiled = wasm::CompileModule(wasm, ContractEngineConfig(schedule_), policy);
  if (!compiled) return unexpected(Rejected(compiled.error().ToString()));
  const wasm::Module& module = **compiled;

  if (module.globals().size() > limits.max_globals)
    return unexpected(Rejected(fmt::format("{} globals; at most {} are allowed",
                                           module.globals().size(), limits.max_globals)));
  for (const wasm::FuncType& type : module.types())
    if (type.params.size() > 128)
      return unexpected(Rejected("a function type has more than 128 parameters"));
  if (module.memories().size() != module.num_imported_memories())
    return unexpected(Rejected("a contract must import its memory as env.memory, not define one"));
  PHAT_TRY_VOID(CheckExports(module));

  auto code = std::make_shared<PreparedCode>();
  code->hash = hash;
  code->determinism = determinism;
  bool has_memory = false;
  const wasm::Linker& host = HostFunctions();
  for (const wasm::Import& imp : module.imports()) {
    const std::string name = imp.module + "." + imp.name;
    if (imp.kind == wasm::ExternKind::Memory) {
      if (imp.module != "env" || imp.name != "memory")
        return unexpected(Rejected(fmt::format("memory import {}: it must be env.memory", name)));
      wasm::Limits l = imp.memory.limits;
      if (!l.has_max) l = {l.min, true, limits.memory_pages};
      if (l.max > limits.memory_pages)
        return unexpected(Rejected(fmt::format("env.memory may grow to {} pages; at most {} are allowed", l.max, limits.memory_pages)));
      if (l.min > l.max) return unexpected(Rejected("env.memory's minimum exceeds its maximum"));
      code->memory.limits = l;
      code->memory_import = uint32_t(code->imports.size());
      code->imports.push_back({});
      has_memory = true;
      continue;
    }
    if (imp.kind != wasm::ExternKind::Func)
      return unexpected(Rejected(fmt::format("import {}: a contract imports only functions and env.memory", name)));
    std::optional<wasm::Extern> fn = host.Find(imp.module, imp.name);
    if (!fn) return unexpected(Rejected(fmt::format("import {}: no such host function", name)));
    if (fn->func()->type() != module.types()[imp.func_type.value])
      return unexpected(Rejected(fmt::format("import {}: wrong signature {}, expected {}", name,
                                             wasm::FuncTypeString(module.types()[imp.func_type.value]),
                                             wasm::FuncTypeString(fn->func()->type()))));
    if ((imp.name == "call_chain_extension" || imp.name == "seal_call_chain_extension") &&
        !chain_extension)
      return unexpected(Rejected(fmt::format("import {}: no chain extension is enabled", name)));
    code->imports.push_back(*fn);
  }
  if (!has_memory) return unexpected(Rejected("the contract does not import env.memory"));
  code->module = std::move(*compiled);
  return std::shared_ptr<const PreparedCode>(std::move(code));
}

Expected<std::shared_ptr<const PreparedCode>, Error> CodeCache::Get(const CodeHash& hash,
                                                                    const StateReader& state) const {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(hash);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.second);
      return it->second.first;
    }
  }
  std::optional<CodeInfo> info = state.GetCodeInfo(hash);
  std::optional<Bytes> wasm = state.GetCode(hash);
  if (!info || !wasm)
    return unexpected(Error{ContractError::CodeNotFound, "code hash 0x" + ToHex(hash)});
  // It passed these checks at upload; compiling it again can fail only if the schedule shrank.
  auto code = PHAT_TRY(Prepare(hash, *wasm, info->determinism, /*chain_extension=*/true));
  Insert(code);
  return code;
}

void CodeCache::Insert(std::shared_ptr<const PreparedCode> code) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(code->hash);
  if (it != entries_.end()) return;
  lru_.push_front(code->hash);
  entries_.emplace(code->hash, std::pair{std::move(code), lru_.begin()});
  if (entries_.size() > capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace phat::contracts
