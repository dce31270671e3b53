// The Store: instantiation (import checks, segments, start) and calls into the interpreter.
// https://webassembly.github.io/spec/core/exec/modules.html#instantiation
#include <algorithm>
#include <cstring>

#include "phat/wasm/runtime.h"
#include "wasm/interp/code.h"
#include "wasm/interp/handlers.h"
#include "wasm/runtime/mapping_pool.h"

namespace phat::wasm {

using interp::ExecContext;
using interp::Frame;
using interp::Status;

// The value stack and the call frames of one Store, in one pooled mapping.
// The value stack and call frames. The mapping is reserved for the configured maximum but
// committed as it grows (ExecContext::GrowStack), so a Store that used little hands back little.
struct Store::Stack {
  Mapping mapping;
  uint64_t* slots = nullptr;
  uint64_t* slots_end = nullptr;
  Frame* frames = nullptr;
  Frame* frames_end = nullptr;
  ExecContext* active = nullptr;  // the execution a host function may re-enter from
  size_t initial_commit = 0;      // bytes committed up front and kept resident across Stores
  uint64_t* committed_end() const {
    return std::min(slots_end, reinterpret_cast<uint64_t*>(mapping.base + mapping.committed));
  }
};

bool ExecContext::GrowStack(const uint64_t* needed) {
  Store::Stack& stack = *store->stack_;
  if (needed > stack.slots_end) return false;
  // Grow geometrically, so that deep recursion commits in a few steps.
  const size_t want = size_t(reinterpret_cast<const uint8_t*>(needed) - stack.mapping.base);
  if (!CommitMapping(stack.mapping, std::max(want, stack.mapping.committed * 2))) {
    if (!CommitMapping(stack.mapping, want)) return false;
  }
  stack_end = stack.committed_end();
  return true;
}

namespace {

LinkError Unlinkable(std::string message) {
  return LinkError{LinkError::Kind::Unlinkable, std::move(message)};
}
LinkError Uninstantiable(std::string message) {
  return LinkError{LinkError::Kind::Uninstantiable, std::move(message)};
}

std::string ImportName(const Import& imp) { return "\"" + imp.module + "\" \"" + imp.name + "\""; }

// https://webassembly.github.io/spec/core/valid/types.html#limits (import matching)
bool LimitsMatch(uint64_t actual_min, bool actual_has_max, uint64_t actual_max, const Limits& expected) {
  if (actual_min < expected.min) return false;
  if (!expected.has_max) return true;
  return actual_has_max && actual_max <= expected.max;
}

constexpr int kMaxReentry = 64;  // host -> guest -> host ... nesting on one Store
constexpr size_t kResidentStackBytes = 256 * 1024;

}  // namespace

// ---- Memory, Table ----

Memory::~Memory() {
  if (data_ == nullptr) return;
  Mapping m{data_ - prefix_, reserved_, committed_};
  if (ZeroDirtyPages())
    ReleaseZeroedMapping(m);
  else
    ReleaseMapping(m);
}

// Zeroes the pages the dirty map marks, and the map, if they are few: a memset of what the
// instance wrote is far cheaper than dropping the pages and faulting them in again (and than
// asking the kernel which pages are resident). False, with nothing done, if many were written.
bool Memory::ZeroDirtyPages() {
  constexpr uint64_t kMaxZeroedByHand = 1 << 20;
  constexpr uint64_t kDirtyPage = uint64_t(1) << kDirtyPageShift;
  const uint64_t pages = (committed_ - prefix_) >> kDirtyPageShift;
  uint64_t dirty = 0;
  for (uint64_t p = 0; p < pages; ++p) dirty += data_[-1 - int64_t(p)];
  if (dirty * kDirtyPage > kMaxZeroedByHand) return false;
  for (uint64_t p = 0; p < pages && dirty > 0; ++p) {
    uint8_t& mark = data_[-1 - int64_t(p)];
    if (!mark) continue;
    std::memset(data_ + p * kDirtyPage, 0, kDirtyPage);
    mark = 0;
    --dirty;
  }
  return true;
}

std::optional<uint32_t> Memory::Grow(uint32_t delta) {
  uint32_t old = pages();
  uint64_t wanted = uint64_t(old) + delta;
  if (wanted > max_pages_) return std::nullopt;
  Mapping m{data_ - prefix_, reserved_, committed_};
  if (store_ && !Store::Draw(store_->memory_pages_, delta, store_->config_.max_memory_pages_total))
    return std::nullopt;
  if (!CommitMapping(m, prefix_ + wanted * kPageSize)) {
    if (store_) store_->memory_pages_ -= delta;
    return std::nullopt;
  }
  committed_ = m.committed;
  size_ = wanted * kPageSize;
  return old;
}

std::optional<uint32_t> Table::Grow(uint32_t delta, Ref init) {
  uint32_t old = size();
  uint64_t wanted = uint64_t(old) + delta;
  if (wanted > max_size_) return std::nullopt;
  if (!Store::Draw(store_->table_elements_, delta, store_->config_.max_table_elements_total))
    return std::nullopt;
  try {
    elems_.resize(size_t(wanted), init);
  } catch (const std::bad_alloc&) {  // the process is out of memory: growth fails, as allowed
    store_->table_elements_ -= delta;
    return std::nullopt;
  }
  return old;
}

Memory* ExecContext::EmptyMemory() {
  static Memory* empty = new Memory(MemoryType{}, 0, nullptr);
  return empty;
}

// ---- HostCall ----

Memory* HostCall::memory() const { return caller_ ? caller_->memory() : nullptr; }

uint64_t HostCall::fuel_remaining() const {
  return ctx_ ? uint64_t(ctx_->fuel_left()) : 0;
}

void* HostCall::user_data() const { return ctx_ ? ctx_->store->user_data() : nullptr; }

bool HostCall::ConsumeFuel(uint64_t amount) {
  if (ctx_ == nullptr) return true;
  if (amount > uint64_t(INT64_MAX) || int64_t(amount) > ctx_->fuel) {
    // Draw on the reserve before giving up; the next block charge takes a slice again.
    ctx_->fuel += ctx_->fuel_reserve;
    ctx_->fuel_reserve = 0;
  }
  if (amount > uint64_t(INT64_MAX) || int64_t(amount) > ctx_->fuel) {
    ctx_->fuel = -1;
    return false;
  }
  ctx_->fuel -= int64_t(amount);
  return true;
}

// ---- Instance ----

std::optional<Extern> Instance::GetExport(std::string_view name) const {
  const Export* e = module_->FindExport(name);
  if (!e) return std::nullopt;
  switch (e->kind) {
    case ExternKind::Func: return Extern::Of(funcs_[e->index]);
    case ExternKind::Table: return Extern::Of(tables_[e->index]);
    case ExternKind::Memory: return Extern::Of(memories_[e->index]);
    case ExternKind::Global: return Extern::Of(globals_[e->index]);
  }
  return std::nullopt;
}

Func* Instance::GetFunc(std::string_view export_name) const {
  auto e = GetExport(export_name);
  return e ? e->func() : nullptr;
}

Memory* Instance::GetMemory(std::string_view export_name) const {
  auto e = GetExport(export_name);
  return e ? e->memory() : nullptr;
}

// ---- Store ----

Store::Store(EngineConfig config) : config_(config) {}

Store::~Store() {
  // Instances go first: their start functions and segments may refer to memories and tables.
  instances_.clear();
  // The value stack is scratch: validated code writes every slot before reading it, so its
  // first pages may go to the next Store as they are, already faulted in.
  if (stack_) ReleaseMapping(stack_->mapping, /*scratch=*/true, stack_->initial_commit);
}

void Store::SetFuel(uint64_t fuel) { fuel_ = fuel > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(fuel); }
uint64_t Store::fuel_remaining() const { return uint64_t(std::max<int64_t>(fuel_, 0)); }

Func* Store::NewHostFunc(FuncType type, HostFunction fn) {
  auto f = std::unique_ptr<Func>(new Func());
  f->owned_type_ = std::make_unique<FuncType>(std::move(type));
  f->type_ = f->owned_type_.get();
  f->type_id_ = InternFuncType(*f->type_);
  f->host_ = std::move(fn);
  host_funcs_.push_back(std::move(f));
  return host_funcs_.back().get();
}

Expected<Memory*, LinkError> Store::NewMemory(MemoryType type) {
  const uint64_t declared_max = type.limits.has_max ? type.limits.max : kMaxPages;
  if (type.limits.min > config_.max_memory_pages)
    return unexpected(LinkError{LinkError::Kind::Limit,
                                "memory of " + std::to_string(type.limits.min) +
                                    " pages exceeds the limit of " +
                                    std::to_string(config_.max_memory_pages) + " pages"});
  uint32_t max_pages = uint32_t(std::min<uint64_t>(declared_max, config_.max_memory_pages));
  if (!Draw(memory_pages_, type.limits.min, config_.max_memory_pages_total))
    return unexpected(LinkError{LinkError::Kind::Limit,
                                "memories of this store would exceed " +
                                    std::to_string(config_.max_memory_pages_total) + " pages in all"});
  const uint64_t prefix = PageRound(Memory::DirtyMapBytes(max_pages));
  auto mapping = AcquireMapping(prefix + uint64_t(max_pages) * kPageSize);
  if (!mapping || !CommitMapping(*mapping, prefix + type.limits.min * kPageSize)) {
    if (mapping) ReleaseMapping(*mapping);
    memory_pages_ -= type.limits.min;
    return unexpected(LinkError{LinkError::Kind::Limit, "cannot reserve memory"});
  }
  auto m = std::unique_ptr<Memory>(new Memory(type, max_pages, this));
  m->data_ = mapping->base + prefix;
  m->prefix_ = prefix;
  m->reserved_ = mapping->reserved;
  m->committed_ = mapping->committed;
  m->size_ = type.limits.min * kPageSize;
  memories_.push_back(std::move(m));
  return memories_.back().get();
}

Expected<Table*, LinkError> Store::NewTable(TableType type, Ref init) {
  const uint64_t declared_max = type.limits.has_max ? type.limits.max : UINT32_MAX;
  if (type.limits.min > config_.max_table_size)
    return unexpected(LinkError{LinkError::Kind::Limit,
                                "table of " + std::to_string(type.limits.min) +
                                    " elements exceeds the limit of " +
                                    std::to_string(config_.max_table_size)});
  uint32_t max_size = uint32_t(std::min<uint64_t>(declared_max, config_.max_table_size));
  if (!Draw(table_elements_, type.limits.min, config_.max_table_elements_total))
    return unexpected(LinkError{LinkError::Kind::Limit,
                                "tables of this store would exceed " +
                                    std::to_string(config_.max_table_elements_total) + " elements in all"});
  try {
    tables_.push_back(std::unique_ptr<Table>(new Table(type, max_size, init, this)));
  } catch (const std::bad_alloc&) {
    table_elements_ -= type.limits.min;
    return unexpected(LinkError{LinkError::Kind::Limit, "out of memory for a table"});
  }
  return tables_.back().get();
}

Global* Store::NewGlobal(GlobalType type, Value init) {
  globals_.push_back(std::unique_ptr<Global>(new Global(type, init.bits())));
  return globals_.back().get();
}

Expected<void, LinkError> Store::CheckImports(const Module& module, std::span<const Extern> imports) {
  const auto& wanted = module.imports();
  if (imports.size() != wanted.size())
    return unexpected(Unlinkable("module needs " + std::to_string(wanted.size()) + " imports, got " +
                                 std::to_string(imports.size())));
  for (size_t i = 0; i < wanted.size(); ++i) {
    const Import& imp = wanted[i];
    const Extern& ext = imports[i];
    if (ext.object == nullptr || ext.kind != imp.kind)
      return unexpected(Unlinkable("incompatible import type for " + ImportName(imp) + ": expected a " +
                                   std::string(ExternKindName(imp.kind))));
    switch (imp.kind) {
      case ExternKind::Func: {
        const FuncType& expected = module.types()[imp.func_type.value];
        if (ext.func()->type() != expected)
          return unexpected(Unlinkable("incompatible import type for " + ImportName(imp) + ": expected " +
                                       FuncTypeString(expected) + ", got " +
                                       FuncTypeString(ext.func()->type())));
        break;
      }
      case ExternKind::Table: {
        Table* t = ext.table();
        if (t->type().elem != imp.table.elem ||
            !LimitsMatch(t->size(), t->type().limits.has_max, t->type().limits.max, imp.table.limits))
          return unexpected(Unlinkable("incompatible import type for " + ImportName(imp) + ": table type"));
        break;
      }
      case ExternKind::Memory: {
        Memory* m = ext.memory();
        if (!LimitsMatch(m->pages(), m->type().limits.has_max, m->type().limits.max, imp.memory.limits))
          return unexpected(Unlinkable("incompatible import type for " + ImportName(imp) + ": memory limits"));
        break;
      }
      case ExternKind::Global: {
        Global* g = ext.global();
        if (g->type().type != imp.global.type || g->type().mutable_ != imp.global.mutable_)
          return unexpected(Unlinkable("incompatible import type for " + ImportName(imp) + ": global type"));
        break;
      }
    }
  }
  return {};
}

Expected<Value, LinkError> Store::Evaluate(const Instance& inst, const ConstExpr& expr) const {
  switch (expr.kind) {
    case ConstExpr::Kind::Value:
    case ConstExpr::Kind::RefNull: return expr.value;
    case ConstExpr::Kind::GlobalGet: return inst.globals_[expr.index]->Get();
    case ConstExpr::Kind::RefFunc: return Value::FuncRef(inst.funcs_[expr.index]);
  }
  return expr.value;
}

Expected<Instance*, LinkError> Store::Instantiate(std::shared_ptr<const Module> module,
                                                  std::span<const Extern> imports) {
  PHAT_TRY_VOID(CheckImports(*module, imports));
  auto owned = std::make_unique<Instance>();
  Instance& inst = *owned;
  inst.module_ = module;
  const Module& m = *module;
  inst.funcs_.reserve(m.num_funcs());
  inst.tables_.reserve(m.tables().size());
  inst.memories_.reserve(m.memories().size());
  inst.globals_.reserve(m.globals().size());
  inst.global_cells_.reserve(m.globals().size());
  inst.elems_.reserve(m.elems().size());
  inst.datas_.reserve(m.datas().size());

  for (const Extern& e : imports) {
    switch (e.kind) {
      case ExternKind::Func: inst.funcs_.push_back(e.func()); break;
      case ExternKind::Table: inst.tables_.push_back(e.table()); break;
      case ExternKind::Memory: inst.memories_.push_back(e.memory()); break;
      case ExternKind::Global: inst.globals_.push_back(e.global()); break;
    }
  }
  const size_t num_defined = m.functions().size();
  inst.own_funcs_ = std::unique_ptr<Func[]>(new Func[num_defined]);
  for (size_t i = 0; i < num_defined; ++i) {
    Func& f = inst.own_funcs_[i];
    const CompiledFunction& code = m.functions()[i];
    f.type_ = &m.types()[code.type.value];
    f.type_id_ = code.type_id;
    f.instance_ = &inst;
    f.code_ = &code;
    inst.funcs_.push_back(&f);
  }
  for (size_t i = m.num_imported_tables(); i < m.tables().size(); ++i)
    inst.tables_.push_back(PHAT_TRY(NewTable(m.tables()[i])));
  for (size_t i = m.num_imported_memories(); i < m.memories().size(); ++i)
    inst.memories_.push_back(PHAT_TRY(NewMemory(m.memories()[i])));
  for (const GlobalDef& g : m.global_defs()) {
    Value v = PHAT_TRY(Evaluate(inst, g.init));
    inst.globals_.push_back(NewGlobal(g.type, v));
  }
  for (Global* g : inst.globals_) inst.global_cells_.push_back(g->cell());
  inst.memory0_ = inst.memories_.empty() ? nullptr : inst.memories_[0];

  for (const ElemSegment& seg : m.elems()) {
    std::vector<Ref> refs;
    refs.reserve(seg.items.size());
    for (const ConstExpr& item : seg.items) refs.push_back(PHAT_TRY(Evaluate(inst, item)).ref());
    inst.elems_.push_back(std::move(refs));
  }
  for (const DataSegment& seg : m.datas()) inst.datas_.emplace_back(seg.bytes);

  instances_.push_back(std::move(owned));

  // Active segments, in order; a failing one stops instantiation but earlier writes stay.
  for (size_t i = 0; i < m.elems().size(); ++i) {
    const ElemSegment& seg = m.elems()[i];
    if (seg.mode == SegmentMode::Active) {
      Table* t = inst.tables_[seg.table.value];
      uint64_t offset = PHAT_TRY(Evaluate(inst, seg.offset)).i32();
      const auto& refs = inst.elems_[i];
      if (offset + refs.size() > t->size())
        return unexpected(Uninstantiable("out of bounds table access: element segment " + std::to_string(i)));
      std::copy(refs.begin(), refs.end(), t->data() + offset);
    }
    if (seg.mode != SegmentMode::Passive) inst.elems_[i].clear();
  }
  for (size_t i = 0; i < m.datas().size(); ++i) {
    const DataSegment& seg = m.datas()[i];
    if (seg.mode != SegmentMode::Active) continue;
    Memory* mem = inst.memories_[seg.memory.value];
    uint64_t offset = PHAT_TRY(Evaluate(inst, seg.offset)).i32();
    if (offset + seg.bytes.size() > mem->size())
      return unexpected(Uninstantiable("out of bounds memory access: data segment " + std::to_string(i)));
    if (!seg.bytes.empty()) std::memcpy(mem->Span(offset, seg.bytes.size())->data(), seg.bytes.data(), seg.bytes.size());
    inst.datas_[i] = {};
  }
  if (m.start()) {
    auto r = Execute(inst.funcs_[*m.start()], nullptr);
    if (!r) return unexpected(Uninstantiable("start function failed: " + r.error().ToString()));
  }
  return &inst;
}

Expected<void, ExecError> Store::Execute(Func* func, uint64_t* io) {
  const FuncType& type = func->type();
  if (func->is_host()) {
    std::vector<uint64_t> results(type.results.size());
    ExecContext* outer = stack_ ? stack_->active : nullptr;
    HostCall call(io, results.data(), nullptr, outer);
    HostResult r = func->host()(call);
    if (!r) {
      const HostFailure& f = r.error();
      switch (f.kind) {
        case HostFailure::Kind::Trap:
          return unexpected(ExecError{ExecError::Kind::Trap, TrapKind::HostTrap, f.message, f.code});
        case HostFailure::Kind::OutOfFuel:
          return unexpected(ExecError{ExecError::Kind::FuelExhausted, TrapKind::Unreachable, f.message, f.code});
        case HostFailure::Kind::Error:
          return unexpected(ExecError{ExecError::Kind::HostError, TrapKind::Unreachable, f.message, f.code});
      }
    }
    std::copy(results.begin(), results.end(), io);
    return {};
  }

  if (!stack_) {
    const size_t slot_bytes = size_t(config_.max_value_stack) * sizeof(uint64_t);
    const size_t frame_bytes = size_t(config_.max_call_depth + 1) * sizeof(Frame);
    const size_t initial = std::min(slot_bytes, kResidentStackBytes) + frame_bytes;
    auto mapping = AcquireMapping(slot_bytes + frame_bytes, /*scratch=*/true);
    if (!mapping || !CommitMapping(*mapping, initial))
      return unexpected(ExecError{ExecError::Kind::HostError, TrapKind::Unreachable,
                                  "cannot allocate the value stack", 0});
    stack_ = std::make_unique<Stack>();
    stack_->mapping = *mapping;
    stack_->initial_commit = initial;
    // Frames first, then slots: the hot start of both lies in the resident prefix.
    stack_->frames = reinterpret_cast<Frame*>(mapping->base);
    stack_->frames_end = stack_->frames + config_.max_call_depth + 1;
    stack_->slots = reinterpret_cast<uint64_t*>(mapping->base + frame_bytes);
    stack_->slots_end = stack_->slots + config_.max_value_stack;
  }
  ExecContext* outer = stack_->active;
  if (depth_ >= kMaxReentry)
    return unexpected(ExecError{ExecError::Kind::Trap, TrapKind::CallStackExhausted,
                                "host re-entered the guest too deeply", 0});

  // A re-entry from a host function starts above what the interrupted execution uses.
  uint64_t* fp = outer ? outer->reentry_slots : stack_->slots;
  Frame* frames = outer ? outer->frame_top : stack_->frames;
  const size_t io_slots = std::max(type.params.size(), type.results.size());
  if (fp + io_slots > stack_->slots_end || frames >= stack_->frames_end ||
      (fp + io_slots > stack_->committed_end() && !CommitMapping(stack_->mapping, size_t(reinterpret_cast<uint8_t*>(fp + io_slots) - stack_->mapping.base))))
    return unexpected(ExecError{ExecError::Kind::Trap, TrapKind::CallStackExhausted,
                                std::string(TrapMessage(TrapKind::CallStackExhausted)), 0});

  ExecContext ctx;
  ctx.store = this;
  ctx.frame_top = frames;
  ctx.frame_end = stack_->frames_end;
  ctx.stack_end = stack_->committed_end();
  ctx.EnterInstance(func->instance());
  std::copy_n(io, type.params.size(), fp);
  *ctx.frame_top++ = Frame{interp::ExitInstr(), fp, func->instance()};

  // A nested execution spends the interrupted one's fuel; only the outermost one accounts.
  const int64_t fuel_before = outer ? outer->fuel_left() : fuel_;
  ctx.fuel_reserve = fuel_before - std::min(fuel_before, interp::kFuelSlice);
  ctx.interrupt = interrupt_;
  ctx.interrupt_deadline = interrupt_deadline_;
  ++depth_;
  stack_->active = &ctx;
  Status status = interp::Run(func->code()->code, fp, &ctx, fuel_before - ctx.fuel_reserve);
  stack_->active = outer;
  --depth_;
  const int64_t fuel_after = status == Status::OutOfFuel ? 0 : ctx.fuel_left();
  if (outer) {
    outer->fuel = std::min(fuel_after, interp::kFuelSlice);
    outer->fuel_reserve = fuel_after - outer->fuel;
    outer->interrupted = outer->interrupted || ctx.interrupted;
  } else {
    fuel_ = fuel_after;
    if (config_.fuel_metering) fuel_consumed_ += uint64_t(fuel_before - fuel_after);
  }

  switch (status) {
    case Status::Ok:
      std::copy_n(fp, type.results.size(), io);
      return {};
    case Status::Trap: {
      std::string message = ctx.trap == TrapKind::HostTrap ? ctx.host_failure.message
                                                           : std::string(TrapMessage(ctx.trap));
      return unexpected(ExecError{ExecError::Kind::Trap, ctx.trap, std::move(message), ctx.host_failure.code});
    }
    case Status::OutOfFuel:
      return unexpected(ExecError{ExecError::Kind::FuelExhausted, TrapKind::Unreachable, "fuel exhausted", 0});
    case Status::Interrupted:
      return unexpected(ExecError{ExecError::Kind::Interrupted, TrapKind::Unreachable, "interrupted", 0});
    case Status::HostFailed:
      return unexpected(ExecError{ExecError::Kind::HostError, TrapKind::Unreachable,
                                  ctx.host_failure.message, ctx.host_failure.code});
  }
  return {};
}

Expected<void, ExecError> Store::CallRaw(Func* func, std::span<const uint64_t> args,
                                         std::span<uint64_t> results) {
  const FuncType& type = func->type();
  if (args.size() != type.params.size() || results.size() != type.results.size())
    return unexpected(ExecError{ExecError::Kind::BadCall, TrapKind::Unreachable,
                                "expected " + std::to_string(type.params.size()) + " arguments and " +
                                    std::to_string(type.results.size()) + " results for " +
                                    FuncTypeString(type),
                                0});
  uint64_t small[16];
  std::vector<uint64_t> large;
  uint64_t* io = small;
  const size_t n = std::max(args.size(), results.size());
  if (n > std::size(small)) {
    large.resize(n);
    io = large.data();
  }
  std::copy(args.begin(), args.end(), io);
  PHAT_TRY_VOID(Execute(func, io));
  std::copy_n(io, results.size(), results.begin());
  return {};
}

Expected<std::vector<Value>, ExecError> Store::Call(Func* func, std::span<const Value> args) {
  const FuncType& type = func->type();
  if (args.size() != type.params.size())
    return unexpected(ExecError{ExecError::Kind::BadCall, TrapKind::Unreachable,
                                "expected " + std::to_string(type.params.size()) + " arguments for " +
                                    FuncTypeString(type) + ", got " + std::to_string(args.size()),
                                0});
  std::vector<uint64_t> raw_args(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type() != type.params[i])
      return unexpected(ExecError{ExecError::Kind::BadCall, TrapKind::Unreachable,
                                  "argument " + std::to_string(i) + " is " +
                                      std::string(ValTypeName(args[i].type())) + ", expected " +
                                      std::string(ValTypeName(type.params[i])),
                                  0});
    raw_args[i] = args[i].bits();
  }
  std::vector<uint64_t> raw_results(type.results.size());
  PHAT_TRY_VOID(CallRaw(func, raw_args, raw_results));
  std::vector<Value> results;
  results.reserve(raw_results.size());
  for (size_t i = 0; i < raw_results.size(); ++i)
    results.push_back(Value::FromBits(type.results[i], raw_results[i]));
  return results;
}

}  // namespace phat::wasm
