// Resolves a module's imports by (module, name). Host functions are defined once, with their
// signature, and serve every Store (they hold no Store state); other externs (an instance's
// exports, a shared memory) belong to one Store and may only be used with it.
// Define everything first; then Instantiate may be called from several threads at once, each
// with its own Store.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "phat/wasm/runtime.h"

namespace phat::wasm {

class Linker {
 public:
  Linker() = default;
  Linker(const Linker&) = delete;
  Linker& operator=(const Linker&) = delete;

  // A host function importable as (module, name). A later definition of the same pair wins.
  Func* DefineFunc(std::string_view module, std::string_view name, FuncType type, HostFunction fn);
  // Any extern, e.g. another instance's export. It belongs to one Store.
  void Define(std::string_view module, std::string_view name, Extern value);
  // Every export of `instance` under the module name `module`.
  void DefineInstance(std::string_view module, const Instance& instance);

  // The extern an import resolves to, if defined.
  std::optional<Extern> Find(std::string_view module, std::string_view name) const;

  // Resolves every import of `module` and instantiates it in `store`. A missing import is an
  // Unlinkable error naming it; a mismatched one, the Store's Unlinkable error.
  Expected<Instance*, LinkError> Instantiate(Store& store, std::shared_ptr<const Module> module) const;

 private:
  using Key = std::pair<std::string, std::string>;
  std::map<Key, Extern, std::less<>> externs_;
  std::vector<std::unique_ptr<Func>> host_funcs_;
};

}  // namespace phat::wasm
