#include "phat/wasm/linker.h"

namespace phat::wasm {

Func* Linker::DefineFunc(std::string_view module, std::string_view name, FuncType type, HostFunction fn) {
  auto f = std::unique_ptr<Func>(new Func());
  f->owned_type_ = std::make_unique<FuncType>(std::move(type));
  f->type_ = f->owned_type_.get();
  f->type_id_ = InternFuncType(*f->type_);
  f->host_ = std::move(fn);
  Func* raw = f.get();
  host_funcs_.push_back(std::move(f));
  Define(module, name, Extern::Of(raw));
  return raw;
}

void Linker::Define(std::string_view module, std::string_view name, Extern value) {
  externs_[Key(module, name)] = value;
}

void Linker::DefineInstance(std::string_view module, const Instance& instance) {
  for (const Export& e : instance.module().exports())
    if (auto ext = instance.GetExport(e.name)) Define(module, e.name, *ext);
}

std::optional<Extern> Linker::Find(std::string_view module, std::string_view name) const {
  auto it = externs_.find(Key(module, name));
  if (it == externs_.end()) return std::nullopt;
  return it->second;
}

Expected<Instance*, LinkError> Linker::Instantiate(Store& store, std::shared_ptr<const Module> module) const {
  std::vector<Extern> imports;
  imports.reserve(module->imports().size());
  for (const Import& imp : module->imports()) {
    std::optional<Extern> ext = Find(imp.module, imp.name);
    if (!ext)
      return unexpected(LinkError{LinkError::Kind::Unlinkable,
                                  "unknown import \"" + imp.module + "\" \"" + imp.name + "\" (a " +
                                      std::string(ExternKindName(imp.kind)) + ")"});
    imports.push_back(*ext);
  }
  return store.Instantiate(std::move(module), imports);
}

}  // namespace phat::wasm
