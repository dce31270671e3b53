// The runtime: a Store owns instances and the functions, memories, tables and globals they use;
// it instantiates compiled modules against imports and calls their functions with a fuel budget.
// A Store is cheap to make: memories and the value stack come from process-wide pools and go
// back when the Store is destroyed, so a Store per short-lived instance is the intended use.
// A Store and everything in it belong to one thread at a time; Modules are shared freely.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "phat/wasm/config.h"
#include "phat/wasm/error.h"
#include "phat/wasm/module.h"
#include "phat/wasm/types.h"

namespace phat::wasm {

class Instance;
class Store;
namespace interp {
struct ExecContext;
}

// A linear memory. Its bytes live in a reserved mapping that never moves, so data() is stable
// for the memory's life; size() changes only by Grow. Writes mark their 4 KiB pages in a dirty
// map kept just below the bytes, so that when the memory dies only those pages need zeroing
// before the mapping serves the next instance; hosts write through Span(), which marks too.
// https://webassembly.github.io/spec/core/exec/runtime.html#memory-instances
class Memory {
 public:
  ~Memory();
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  const uint8_t* data() const { return data_; }  // read-only: writers go through Span
  uint64_t size() const { return size_; }  // bytes
  uint32_t pages() const { return static_cast<uint32_t>(size_ / kPageSize); }
  uint32_t max_pages() const { return max_pages_; }  // the declared max, capped by the config
  const MemoryType& type() const { return type_; }

  // Grows by `delta` pages; returns the old size in pages, or nothing if it would exceed the
  // maximum. New pages are zero.
  std::optional<uint32_t> Grow(uint32_t delta);

  // Checked access for hosts: the span [offset, offset+len) or nothing if out of bounds. Its
  // pages count as written.
  std::optional<std::span<uint8_t>> Span(uint64_t offset, uint64_t len) {
    if (offset > size_ || len > size_ - offset) return std::nullopt;
    MarkDirty(data_, offset, len);
    return std::span<uint8_t>(data_ + offset, len);
  }

  // The dirty map: one byte per 4 KiB page, page i at base[-1 - i].
  static constexpr unsigned kDirtyPageShift = 12;
  static void MarkDirty(uint8_t* base, uint64_t offset, uint64_t len) {
    if (len == 0) return;
    for (uint64_t p = offset >> kDirtyPageShift; p <= (offset + len - 1) >> kDirtyPageShift; ++p)
      base[-1 - int64_t(p)] = 1;
  }
  // Bytes of dirty map in front of a memory of up to `max_pages`.
  static uint64_t DirtyMapBytes(uint64_t max_pages) {
    return max_pages * (kPageSize >> kDirtyPageShift);
  }

 private:
  friend class Store;
  friend struct interp::ExecContext;
  Memory(MemoryType type, uint32_t max_pages, Store* store)
      : type_(type), max_pages_(max_pages), store_(store) {}
  bool ZeroDirtyPages();
  MemoryType type_;
  uint32_t max_pages_;
  Store* store_;  // whose budget growth draws on; null for the engine's empty memory
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  uint64_t prefix_ = 0;     // bytes of mapping before data_: the dirty map, page-rounded
  uint64_t reserved_ = 0;   // address space from data_ - prefix_, for growth up to max_pages_
  uint64_t committed_ = 0;  // bytes made accessible so far, from data_ - prefix_
};

// https://webassembly.github.io/spec/core/exec/runtime.html#table-instances
class Table {
 public:
  const TableType& type() const { return type_; }
  uint32_t size() const { return static_cast<uint32_t>(elems_.size()); }
  uint32_t max_size() const { return max_size_; }
  Ref* data() { return elems_.data(); }
  std::optional<Ref> Get(uint32_t i) const {
    if (i >= elems_.size()) return std::nullopt;
    return elems_[i];
  }
  bool Set(uint32_t i, Ref r) {
    if (i >= elems_.size()) return false;
    elems_[i] = r;
    return true;
  }
  // Returns the old size, or nothing if the table would exceed its maximum.
  std::optional<uint32_t> Grow(uint32_t delta, Ref init);

 private:
  friend class Store;
  Table(TableType type, uint32_t max_size, Ref init, Store* store)
      : type_(type), max_size_(max_size), store_(store), elems_(type.limits.min, init) {}
  TableType type_;
  uint32_t max_size_;
  Store* store_;  // whose budget growth draws on
  std::vector<Ref> elems_;
};

// https://webassembly.github.io/spec/core/exec/runtime.html#global-instances
class Global {
 public:
  const GlobalType& type() const { return type_; }
  Value Get() const { return Value::FromBits(type_.type, bits_); }
  void Set(Value v) { bits_ = v.bits(); }
  uint64_t* cell() { return &bits_; }

 private:
  friend class Store;
  Global(GlobalType type, uint64_t bits) : type_(type), bits_(bits) {}
  GlobalType type_;
  uint64_t bits_;
};

// What a host function gets: its arguments, room for its results, the caller's memory, fuel.
class HostCall {
 public:
  HostCall(const uint64_t* args, uint64_t* results, Instance* caller, interp::ExecContext* ctx)
      : args_(args), results_(results), caller_(caller), ctx_(ctx) {}
  uint32_t ArgI32(size_t i) const { return static_cast<uint32_t>(args_[i]); }
  uint64_t ArgI64(size_t i) const { return args_[i]; }
  uint64_t ArgBits(size_t i) const { return args_[i]; }
  void SetResultBits(size_t i, uint64_t bits) { results_[i] = bits; }
  void SetI32(size_t i, uint32_t v) { results_[i] = v; }
  void SetI64(size_t i, uint64_t v) { results_[i] = v; }
  // The calling instance (null when the host itself called the function), and its memory 0.
  Instance* caller() const { return caller_; }
  Memory* memory() const;
  // Charges extra fuel for work the host does; false if the budget ran out (the host should
  // then fail with HostFailure::OutOfFuel()).
  bool ConsumeFuel(uint64_t amount);
  // Fuel left for the running call (the Store's budget when the host itself called).
  uint64_t fuel_remaining() const;
  // What the embedder attached to the running Store (Store::set_user_data), or null.
  void* user_data() const;

 private:
  const uint64_t* args_;
  uint64_t* results_;
  Instance* caller_;
  interp::ExecContext* ctx_;
};

// How a host function fails: a trap (the guest's fault), fuel exhaustion, or the host's own
// error; `code` passes through to ExecError::host_code untouched.
struct HostFailure {
  enum class Kind : uint8_t { Trap, OutOfFuel, Error } kind = Kind::Error;
  std::string message;
  int64_t code = 0;
  static HostFailure Trap(std::string message) { return {Kind::Trap, std::move(message), 0}; }
  static HostFailure OutOfFuel() { return {Kind::OutOfFuel, "fuel exhausted", 0}; }
  static HostFailure Error(std::string message, int64_t code = 0) {
    return {Kind::Error, std::move(message), code};
  }
};
using HostResult = Expected<void, HostFailure>;
using HostFunction = std::function<HostResult(HostCall&)>;

// A function instance: defined in a module instance, or provided by the host.
// https://webassembly.github.io/spec/core/exec/runtime.html#function-instances
class Func {
 public:
  const FuncType& type() const { return *type_; }
  uint32_t type_id() const { return type_id_; }
  bool is_host() const { return code_ == nullptr; }
  Instance* instance() const { return instance_; }
  const CompiledFunction* code() const { return code_; }
  const HostFunction& host() const { return host_; }

 private:
  friend class Store;
  friend class Instance;
  friend class Linker;
  Func() = default;
  const FuncType* type_ = nullptr;
  uint32_t type_id_ = 0;
  Instance* instance_ = nullptr;
  const CompiledFunction* code_ = nullptr;
  HostFunction host_;
  std::unique_ptr<FuncType> owned_type_;  // host functions own their signature
};

// An import or export: one of the four kinds of external values.
struct Extern {
  ExternKind kind = ExternKind::Func;
  void* object = nullptr;  // Func*, Table*, Memory* or Global*
  static Extern Of(Func* f) { return {ExternKind::Func, f}; }
  static Extern Of(Table* t) { return {ExternKind::Table, t}; }
  static Extern Of(Memory* m) { return {ExternKind::Memory, m}; }
  static Extern Of(Global* g) { return {ExternKind::Global, g}; }
  Func* func() const { return kind == ExternKind::Func ? static_cast<Func*>(object) : nullptr; }
  Table* table() const { return kind == ExternKind::Table ? static_cast<Table*>(object) : nullptr; }
  Memory* memory() const {
    return kind == ExternKind::Memory ? static_cast<Memory*>(object) : nullptr;
  }
  Global* global() const {
    return kind == ExternKind::Global ? static_cast<Global*>(object) : nullptr;
  }
};

// https://webassembly.github.io/spec/core/exec/runtime.html#module-instances
class Instance {
 public:
  const Module& module() const { return *module_; }
  std::optional<Extern> GetExport(std::string_view name) const;
  Func* GetFunc(std::string_view export_name) const;
  Memory* GetMemory(std::string_view export_name) const;
  Memory* memory() const { return memory0_; }  // memory 0, or null

  // Index spaces, for the interpreter and for hosts that need them.
  Func* func(uint32_t i) const { return funcs_[i]; }
  Table* table(uint32_t i) const { return tables_[i]; }
  Global* global(uint32_t i) const { return globals_[i]; }

 private:
  friend class Store;
  friend struct interp::ExecContext;
  std::shared_ptr<const Module> module_;
  std::unique_ptr<Func[]> own_funcs_;
  std::vector<Func*> funcs_;
  std::vector<Table*> tables_;
  std::vector<Memory*> memories_;
  std::vector<Global*> globals_;
  std::vector<uint64_t*> global_cells_;
  std::vector<std::vector<Ref>> elems_;  // emptied by elem.drop
  std::vector<std::span<const uint8_t>> datas_;  // emptied by data.drop
  Memory* memory0_ = nullptr;
};

class Store {
 public:
  explicit Store(EngineConfig config = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const EngineConfig& config() const { return config_; }

  // An embedder's pointer for its host functions to find their context (HostCall::user_data).
  void set_user_data(void* data) { user_data_ = data; }
  void* user_data() const { return user_data_; }

  // Fuel. With metering compiled in, each call stops with FuelExhausted once the budget is
  // spent. The budget carries over between calls until set again.
  void SetFuel(uint64_t fuel);
  uint64_t fuel_remaining() const;
  uint64_t fuel_consumed() const { return fuel_consumed_; }
  // While *flag is true, or once `deadline` has passed, a running call stops
  // (ExecError::Kind::Interrupted) within about a millisecond of work, whenever fuel is charged:
  // so only with fuel metering on. Another thread may set the flag; the store keeps the pointer,
  // so the flag must outlive the calls.
  void set_interrupt(const std::atomic<bool>* flag,
                     std::chrono::steady_clock::time_point deadline =
                         std::chrono::steady_clock::time_point::max()) {
    interrupt_ = flag;
    interrupt_deadline_ = deadline;
  }

  // Host-side objects, owned by the store.
  Func* NewHostFunc(FuncType type, HostFunction fn);
  Expected<Memory*, LinkError> NewMemory(MemoryType type);
  Expected<Table*, LinkError> NewTable(TableType type, Ref init = nullptr);
  Global* NewGlobal(GlobalType type, Value init);

  // Instantiates `module` with one Extern per import, in the module's import order: checks
  // their types, allocates memories and tables, runs active segments and the start function.
  Expected<Instance*, LinkError> Instantiate(std::shared_ptr<const Module> module,
                                             std::span<const Extern> imports);
  // Calls a function with typed arguments; results as values, or how the call failed.
  Expected<std::vector<Value>, ExecError> Call(Func* func, std::span<const Value> args);
  // The same without allocation: raw 64-bit slot values in and out.
  Expected<void, ExecError> CallRaw(Func* func, std::span<const uint64_t> args,
                                    std::span<uint64_t> results);

 private:
  friend class HostCall;
  friend struct interp::ExecContext;
  friend class Memory;
  friend class Table;
  // Draws `amount` from a store-wide budget; false (and nothing drawn) if it would exceed `limit`.
  static bool Draw(uint64_t& used, uint64_t amount, uint64_t limit) {
    if (amount > limit - used) return false;
    used += amount;
    return true;
  }
  Expected<void, LinkError> CheckImports(const Module& module, std::span<const Extern> imports);
  Expected<void, LinkError> InitializeInstance(Instance& inst);
  Expected<Value, LinkError> Evaluate(const Instance& inst, const ConstExpr& expr) const;
  Expected<void, ExecError> Execute(Func* func, uint64_t* args_and_results);

  EngineConfig config_;
  void* user_data_ = nullptr;
  int64_t fuel_ = INT64_MAX;
  const std::atomic<bool>* interrupt_ = nullptr;
  std::chrono::steady_clock::time_point interrupt_deadline_ =
      std::chrono::steady_clock::time_point::max();
  uint64_t table_elements_ = 0;  // drawn from config_.max_table_elements_total
  uint64_t memory_pages_ = 0;    // drawn from config_.max_memory_pages_total
  uint64_t fuel_consumed_ = 0;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<std::unique_ptr<Func>> host_funcs_;
  std::vector<std::unique_ptr<Memory>> memories_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<std::unique_ptr<Global>> globals_;
  struct Stack;
  std::unique_ptr<Stack> stack_;  // value stack and call frames, taken from a pool on first use
  int depth_ = 0;                 // nested host -> guest re-entries
};

}  // namespace phat::wasm
