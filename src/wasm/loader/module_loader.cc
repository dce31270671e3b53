// Decodes a binary module section by section, validates everything outside function bodies,
// and hands each body to the compiler. https://webassembly.github.io/spec/core/binary/modules.html
#include <algorithm>
#include <map>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_set>

#include "phat/wasm/module.h"
#include "wasm/compiler/function_compiler.h"
#include "wasm/interp/code.h"
#include "wasm/loader/reader.h"
#include "wasm/opcode.h"

namespace phat::wasm {

class ModuleBuilder {
 public:
  ModuleBuilder(const EngineConfig& config, const LoadPolicy& policy)
      : config_(config), policy_(policy), m_(std::make_shared<Module>()) {}

  Expected<std::shared_ptr<const Module>, LoadError> Build(std::span<const uint8_t> bytes);

 private:
  enum SectionId : uint8_t {
    kCustom = 0, kType, kImport, kFunction, kTable, kMemory, kGlobal, kExport, kStart,
    kElement, kCode, kData, kDataCount,
  };
  // The order sections must appear in; data count comes between element and code.
  static int Order(uint8_t id) {
    static constexpr int kOrder[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return kOrder[id];
  }

  LoadError Invalid(std::string message, uint64_t offset) const {
    return LoadError{LoadError::Kind::Invalid, std::move(message), offset, {}};
  }
  LoadError Malformed(std::string message, uint64_t offset) const {
    return LoadError{LoadError::Kind::Malformed, std::move(message), offset, {}};
  }
  Expected<void, LoadError> Require(uint32_t features, const std::string& what, uint64_t offset);

  Expected<void, LoadError> ReadSection(uint8_t id, Reader& r);
  Expected<void, LoadError> ReadTypes(Reader& r);
  Expected<void, LoadError> ReadImports(Reader& r);
  Expected<void, LoadError> ReadFunctions(Reader& r);
  Expected<void, LoadError> ReadTables(Reader& r);
  Expected<void, LoadError> ReadMemories(Reader& r);
  Expected<void, LoadError> ReadGlobals(Reader& r);
  Expected<void, LoadError> ReadExports(Reader& r);
  Expected<void, LoadError> ReadStart(Reader& r);
  Expected<void, LoadError> ReadElements(Reader& r);
  Expected<void, LoadError> ReadDataCount(Reader& r);
  Expected<void, LoadError> ReadCode(Reader& r);
  Expected<void, LoadError> ReadData(Reader& r);

  Expected<ValType, LoadError> ReadValType(Reader& r);
  Expected<ValType, LoadError> ReadRefType(Reader& r);
  Expected<Limits, LoadError> ReadLimits(Reader& r, uint64_t max_allowed, const char* what);
  Expected<TableType, LoadError> ReadTableType(Reader& r);
  Expected<MemoryType, LoadError> ReadMemoryType(Reader& r);
  Expected<GlobalType, LoadError> ReadGlobalType(Reader& r);
  Expected<TypeIndex, LoadError> ReadTypeIndex(Reader& r);
  Expected<ConstExpr, LoadError> ReadConstExpr(Reader& r, ValType expected);
  Expected<void, LoadError> AddTable(TableType t, uint64_t offset);
  Expected<void, LoadError> AddMemory(MemoryType t, uint64_t offset);

  const EngineConfig& config_;
  const LoadPolicy& policy_;
  std::shared_ptr<Module> m_;
  std::vector<bool> declared_funcs_;
  std::vector<ValType> elem_types_;
  std::optional<uint32_t> data_count_;
  uint32_t num_code_bodies_ = 0;
};

Expected<void, LoadError> ModuleBuilder::Require(uint32_t features, const std::string& what,
                                                 uint64_t offset) {
  if (policy_.Allows(features)) return {};
  std::string names;
  for (uint32_t bit = 1; bit; bit <<= 1)
    if (features & bit & ~policy_.features)
      names += (names.empty() ? "" : ", ") + FeatureName(Feature(bit));
  return unexpected(LoadError{LoadError::Kind::Unsupported,
                              what + " needs " + names + ", which this load policy forbids",
                              offset, {}});
}

Expected<std::shared_ptr<const Module>, LoadError> ModuleBuilder::Build(
    std::span<const uint8_t> bytes) {
  if (bytes.size() > config_.max_module_size)
    return unexpected(LoadError{LoadError::Kind::Limit,
                                "module is " + std::to_string(bytes.size()) +
                                    " bytes, more than the limit of " +
                                    std::to_string(config_.max_module_size),
                                0, {}});
  Reader r(bytes, 0);
  static constexpr uint8_t kMagic[] = {0x00, 0x61, 0x73, 0x6d};
  static constexpr uint8_t kVersion[] = {0x01, 0x00, 0x00, 0x00};
  auto magic = PHAT_TRY(r.Bytes(4));
  if (std::memcmp(magic.data(), kMagic, 4) != 0)
    return unexpected(Malformed("magic header not detected", 0));
  auto version = PHAT_TRY(r.Bytes(4));
  if (std::memcmp(version.data(), kVersion, 4) != 0)
    return unexpected(Malformed("unknown binary version", 4));

  int last_order = 0;
  while (!r.AtEnd()) {
    uint64_t at = r.Offset();
    uint8_t id = PHAT_TRY(r.U8());
    if (id > kDataCount) return unexpected(Malformed("malformed section id " + std::to_string(id), at));
    uint32_t size = PHAT_TRY(r.U32());
    if (size > r.Remaining())
      return unexpected(Malformed("section size mismatch: section needs " + std::to_string(size) +
                                      " bytes, " + std::to_string(r.Remaining()) + " left",
                                  at));
    Reader section = r.Sub(size);
    r.Skip(size);
    if (id == kCustom) {
      PHAT_TRY(section.Name());  // only the name must be well-formed
      continue;
    }
    if (Order(id) <= last_order)
      return unexpected(Malformed("unexpected content after last section (section " +
                                      std::to_string(id) + " out of order or repeated)",
                                  at));
    last_order = Order(id);
    PHAT_TRY_VOID(ReadSection(id, section));
    if (!section.AtEnd())
      return unexpected(Malformed("section size mismatch", section.Offset()));
  }

  uint32_t num_defined = m_->num_funcs() - m_->num_imported_funcs_;
  if (num_code_bodies_ != num_defined)
    return unexpected(Malformed("function and code section have inconsistent lengths", r.Offset()));
  if (data_count_ && *data_count_ != m_->datas_.size())
    return unexpected(Malformed("data count and data section have inconsistent lengths", r.Offset()));

  // The code buffer is final: resolve entry points.
  m_->code_.shrink_to_fit();
  for (auto& f : m_->functions_) {
    const auto* base = reinterpret_cast<const uint8_t*>(m_->code_.data());
    f.code = reinterpret_cast<const interp::Instr*>(base + reinterpret_cast<size_t>(f.code));
    f.body = reinterpret_cast<const interp::Instr*>(base + reinterpret_cast<size_t>(f.body));
  }
  return std::shared_ptr<const Module>(std::move(m_));
}

Expected<void, LoadError> ModuleBuilder::ReadSection(uint8_t id, Reader& r) {
  switch (id) {
    case kType: return ReadTypes(r);
    case kImport: return ReadImports(r);
    case kFunction: return ReadFunctions(r);
    case kTable: return ReadTables(r);
    case kMemory: return ReadMemories(r);
    case kGlobal: return ReadGlobals(r);
    case kExport: return ReadExports(r);
    case kStart: return ReadStart(r);
    case kElement: return ReadElements(r);
    case kDataCount: return ReadDataCount(r);
    case kCode: return ReadCode(r);
    case kData: return ReadData(r);
    default: return unexpected(Malformed("malformed section id", r.Offset()));
  }
}

// ---- Types ----

Expected<ValType, LoadError> ModuleBuilder::ReadValType(Reader& r) {
  uint64_t at = r.Offset();
  uint8_t b = PHAT_TRY(r.U8());
  ValType t = ValType(b);
  switch (t) {
    case ValType::I32:
    case ValType::I64:
      return t;
    case ValType::F32:
    case ValType::F64:
      PHAT_TRY_VOID(Require(kFloat, "a " + std::string(ValTypeName(t)) + " type", at));
      return t;
    case ValType::FuncRef:
    case ValType::ExternRef:
      PHAT_TRY_VOID(Require(kRefTypes, "a " + std::string(ValTypeName(t)) + " type", at));
      return t;
    case ValType::V128:
      return unexpected(LoadError{LoadError::Kind::Unsupported, "v128 (SIMD) is not supported", at, {}});
  }
  return unexpected(Malformed("malformed value type", at));
}

Expected<ValType, LoadError> ModuleBuilder::ReadRefType(Reader& r) {
  uint64_t at = r.Offset();
  uint8_t b = PHAT_TRY(r.U8());
  if (ValType(b) != ValType::FuncRef && ValType(b) != ValType::ExternRef)
    return unexpected(Malformed("malformed reference type", at));
  if (ValType(b) == ValType::ExternRef)
    PHAT_TRY_VOID(Require(kRefTypes, "an externref type", at));
  return ValType(b);
}

Expected<void, LoadError> ModuleBuilder::ReadTypes(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(3));
  m_->types_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.Offset();
    uint8_t form = PHAT_TRY(r.U8());
    if (form != 0x60) return unexpected(Malformed("malformed function type (integer representation too long)", at));
    FuncType ft;
    uint32_t np = PHAT_TRY(r.Count(1));
    for (uint32_t j = 0; j < np; ++j) ft.params.push_back(PHAT_TRY(ReadValType(r)));
    uint32_t nr = PHAT_TRY(r.Count(1));
    for (uint32_t j = 0; j < nr; ++j) ft.results.push_back(PHAT_TRY(ReadValType(r)));
    if (nr > 1) PHAT_TRY_VOID(Require(kMultiValue, "a function type with several results", at));
    m_->types_.push_back(std::move(ft));
    m_->type_ids_.push_back(InternFuncType(m_->types_.back()));
  }
  return {};
}

Expected<TypeIndex, LoadError> ModuleBuilder::ReadTypeIndex(Reader& r) {
  uint64_t at = r.Offset();
  uint32_t t = PHAT_TRY(r.U32());
  if (t >= m_->types_.size()) return unexpected(Invalid("unknown type " + std::to_string(t), at));
  return TypeIndex(t);
}

// https://webassembly.github.io/spec/core/binary/types.html#limits
Expected<Limits, LoadError> ModuleBuilder::ReadLimits(Reader& r, uint64_t max_allowed,
                                                      const char* what) {
  uint64_t at = r.Offset();
  uint8_t flags = PHAT_TRY(r.U8());
  if (flags > 1) return unexpected(Malformed("integer too large: limits flags " + std::to_string(flags), at));
  Limits l;
  l.min = PHAT_TRY(r.U32());
  if (flags == 1) {
    l.has_max = true;
    l.max = PHAT_TRY(r.U32());
  }
  if (l.min > max_allowed || (l.has_max && l.max > max_allowed))
    return unexpected(Invalid(std::string(what) + " size must be at most " + std::to_string(max_allowed), at));
  if (l.has_max && l.min > l.max)
    return unexpected(Invalid("size minimum must not be greater than maximum", at));
  return l;
}

Expected<TableType, LoadError> ModuleBuilder::ReadTableType(Reader& r) {
  TableType t;
  t.elem = PHAT_TRY(ReadRefType(r));
  t.limits = PHAT_TRY(ReadLimits(r, UINT32_MAX, "table"));
  return t;
}

Expected<MemoryType, LoadError> ModuleBuilder::ReadMemoryType(Reader& r) {
  MemoryType t;
  t.limits = PHAT_TRY(ReadLimits(r, kMaxPages, "memory"));
  return t;
}

Expected<GlobalType, LoadError> ModuleBuilder::ReadGlobalType(Reader& r) {
  GlobalType g;
  g.type = PHAT_TRY(ReadValType(r));
  uint64_t at = r.Offset();
  uint8_t mut = PHAT_TRY(r.U8());
  if (mut > 1) return unexpected(Malformed("malformed mutability", at));
  g.mutable_ = mut == 1;
  return g;
}

Expected<void, LoadError> ModuleBuilder::AddTable(TableType t, uint64_t offset) {
  if (!m_->tables_.empty()) PHAT_TRY_VOID(Require(kRefTypes, "more than one table", offset));
  m_->tables_.push_back(t);
  return {};
}

Expected<void, LoadError> ModuleBuilder::AddMemory(MemoryType t, uint64_t offset) {
  if (!m_->memories_.empty()) return unexpected(Invalid("multiple memories", offset));
  m_->memories_.push_back(t);
  return {};
}

// ---- Imports and declarations ----

Expected<void, LoadError> ModuleBuilder::ReadImports(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(4));
  for (uint32_t i = 0; i < n; ++i) {
    Import imp;
    imp.module = PHAT_TRY(r.Name());
    imp.name = PHAT_TRY(r.Name());
    uint64_t at = r.Offset();
    uint8_t kind = PHAT_TRY(r.U8());
    switch (kind) {
      case 0:
        imp.kind = ExternKind::Func;
        imp.func_type = PHAT_TRY(ReadTypeIndex(r));
        m_->func_types_.push_back(imp.func_type);
        ++m_->num_imported_funcs_;
        break;
      case 1:
        imp.kind = ExternKind::Table;
        imp.table = PHAT_TRY(ReadTableType(r));
        PHAT_TRY_VOID(AddTable(imp.table, at));
        ++m_->num_imported_tables_;
        break;
      case 2:
        imp.kind = ExternKind::Memory;
        imp.memory = PHAT_TRY(ReadMemoryType(r));
        PHAT_TRY_VOID(AddMemory(imp.memory, at));
        ++m_->num_imported_memories_;
        break;
      case 3:
        imp.kind = ExternKind::Global;
        imp.global = PHAT_TRY(ReadGlobalType(r));
        if (imp.global.mutable_) PHAT_TRY_VOID(Require(kMutableGlobals, "importing a mutable global", at));
        m_->global_types_.push_back(imp.global);
        ++m_->num_imported_globals_;
        break;
      default:
        return unexpected(Malformed("malformed import kind", at));
    }
    m_->imports_.push_back(std::move(imp));
  }
  return {};
}

Expected<void, LoadError> ModuleBuilder::ReadFunctions(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(1));
  for (uint32_t i = 0; i < n; ++i) m_->func_types_.push_back(PHAT_TRY(ReadTypeIndex(r)));
  return {};
}

Expected<void, LoadError> ModuleBuilder::ReadTables(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(3));
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.Offset();
    PHAT_TRY_VOID(AddTable(PHAT_TRY(ReadTableType(r)), at));
  }
  return {};
}

Expected<void, LoadError> ModuleBuilder::ReadMemories(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(2));
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.Offset();
    PHAT_TRY_VOID(AddMemory(PHAT_TRY(ReadMemoryType(r)), at));
  }
  return {};
}

// https://webassembly.github.io/spec/core/valid/instructions.html#constant-expressions
Expected<ConstExpr, LoadError> ModuleBuilder::ReadConstExpr(Reader& r, ValType expected) {
  ConstExpr e;
  ValType type;
  uint64_t at = r.Offset();
  uint8_t op = PHAT_TRY(r.U8());
  switch (op) {
    case 0x41:
      e.value = Value::I32(uint32_t(PHAT_TRY(r.S32())));
      type = ValType::I32;
      break;
    case 0x42:
      e.value = Value::I64(uint64_t(PHAT_TRY(r.S64())));
      type = ValType::I64;
      break;
    case 0x43:
      PHAT_TRY_VOID(Require(kFloat, "f32.const", at));
      e.value = Value::F32Bits(PHAT_TRY(r.F32Bits()));
      type = ValType::F32;
      break;
    case 0x44:
      PHAT_TRY_VOID(Require(kFloat, "f64.const", at));
      e.value = Value::F64Bits(PHAT_TRY(r.F64Bits()));
      type = ValType::F64;
      break;
    case 0xd0: {
      PHAT_TRY_VOID(Require(kRefTypes, "ref.null", at));
      type = PHAT_TRY(ReadRefType(r));
      e.kind = ConstExpr::Kind::RefNull;
      e.value = Value::Zero(type);
      break;
    }
    case 0xd2: {
      uint32_t f = PHAT_TRY(r.U32());
      if (f >= m_->func_types_.size()) return unexpected(Invalid("unknown function " + std::to_string(f), at));
      declared_funcs_.resize(m_->func_types_.size());
      declared_funcs_[f] = true;
      e.kind = ConstExpr::Kind::RefFunc;
      e.index = f;
      type = ValType::FuncRef;
      break;
    }
    case 0x23: {
      uint32_t g = PHAT_TRY(r.U32());
      if (g >= m_->num_imported_globals_) return unexpected(Invalid("unknown global " + std::to_string(g), at));
      const GlobalType& gt = m_->global_types_[g];
      if (gt.mutable_) return unexpected(Invalid("constant expression required", at));
      e.kind = ConstExpr::Kind::GlobalGet;
      e.index = g;
      type = gt.type;
      break;
    }
    case 0x0b:
      return unexpected(Invalid("type mismatch: empty constant expression", at));
    default:
      if (op != 0xfc && op != 0xfd && !DecodeOpcode(op)) return unexpected(Malformed("illegal opcode", at));
      return unexpected(Invalid("constant expression required", at));
  }
  uint64_t end_at = r.Offset();
  uint8_t end = PHAT_TRY(r.U8());
  if (end != 0x0b) {
    // Anything further is either a second value or a non-constant instruction.
    return unexpected(Invalid(end <= 0x44 && end >= 0x41 ? "type mismatch: constant expression leaves more than one value"
                                                        : "constant expression required",
                              end_at));
  }
  if (type != expected)
    return unexpected(Invalid("type mismatch: constant expression has type " + std::string(ValTypeName(type)) +
                                  ", expected " + std::string(ValTypeName(expected)),
                              at));
  return e;
}

Expected<void, LoadError> ModuleBuilder::ReadGlobals(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(3));
  for (uint32_t i = 0; i < n; ++i) {
    GlobalDef g;
    g.type = PHAT_TRY(ReadGlobalType(r));
    g.init = PHAT_TRY(ReadConstExpr(r, g.type.type));
    m_->global_types_.push_back(g.type);
    m_->globals_.push_back(g);
  }
  return {};
}

Expected<void, LoadError> ModuleBuilder::ReadExports(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(3));
  std::unordered_set<std::string> names;
  declared_funcs_.resize(m_->func_types_.size());
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.Offset();
    Export e;
    e.name = PHAT_TRY(r.Name());
    uint8_t kind = PHAT_TRY(r.U8());
    if (kind > 3) return unexpected(Malformed("malformed export kind", at));
    e.kind = ExternKind(kind);
    e.index = PHAT_TRY(r.U32());
    size_t space = 0;
    switch (e.kind) {
      case ExternKind::Func: space = m_->func_types_.size(); break;
      case ExternKind::Table: space = m_->tables_.size(); break;
      case ExternKind::Memory: space = m_->memories_.size(); break;
      case ExternKind::Global: space = m_->global_types_.size(); break;
    }
    if (e.index >= space)
      return unexpected(Invalid("unknown " + std::string(ExternKindName(e.kind)) + " " + std::to_string(e.index), at));
    if (e.kind == ExternKind::Func) declared_funcs_[e.index] = true;
    if (e.kind == ExternKind::Global && m_->global_types_[e.index].mutable_)
      PHAT_TRY_VOID(Require(kMutableGlobals, "exporting a mutable global", at));
    if (!names.insert(e.name).second) return unexpected(Invalid("duplicate export name \"" + e.name + "\"", at));
    m_->exports_.push_back(std::move(e));
  }
  return {};
}

Expected<void, LoadError> ModuleBuilder::ReadStart(Reader& r) {
  uint64_t at = r.Offset();
  uint32_t f = PHAT_TRY(r.U32());
  if (f >= m_->func_types_.size()) return unexpected(Invalid("unknown function " + std::to_string(f), at));
  const FuncType& ft = m_->func_type(f);
  if (!ft.params.empty() || !ft.results.empty())
    return unexpected(Invalid("start function must take and return nothing", at));
  m_->start_ = f;
  return {};
}

// https://webassembly.github.io/spec/core/binary/modules.html#element-section
Expected<void, LoadError> ModuleBuilder::ReadElements(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(1));
  declared_funcs_.resize(m_->func_types_.size());
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.Offset();
    uint32_t flags = PHAT_TRY(r.U32());
    if (flags > 7) return unexpected(Malformed("malformed elements segment kind", at));
    ElemSegment seg;
    const bool passive_or_declarative = flags & 1;
    const bool explicit_table = flags & 2;
    const bool uses_exprs = flags & 4;
    if (passive_or_declarative) {
      seg.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
      PHAT_TRY_VOID(Require(seg.mode == SegmentMode::Passive ? kBulkMemory : kRefTypes,
                            "a passive or declarative element segment", at));
    } else {
      seg.mode = SegmentMode::Active;
      if (explicit_table) seg.table = TableIndex(PHAT_TRY(r.U32()));
      if (flags != 0) PHAT_TRY_VOID(Require(kBulkMemory, "an element segment of this form", at));
      if (seg.table.value >= m_->tables_.size())
        return unexpected(Invalid("unknown table " + std::to_string(seg.table.value), at));
      seg.offset = PHAT_TRY(ReadConstExpr(r, ValType::I32));
    }
    if (passive_or_declarative || explicit_table) {
      if (uses_exprs) {
        seg.type = PHAT_TRY(ReadRefType(r));
      } else {
        uint64_t kat = r.Offset();
        uint8_t elemkind = PHAT_TRY(r.U8());
        if (elemkind != 0x00) return unexpected(Malformed("malformed element kind", kat));
        seg.type = ValType::FuncRef;
      }
    }
    uint32_t count = PHAT_TRY(r.Count(1));
    seg.items.reserve(count);
    for (uint32_t j = 0; j < count; ++j) {
      if (uses_exprs) {
        seg.items.push_back(PHAT_TRY(ReadConstExpr(r, seg.type)));
      } else {
        uint64_t fat = r.Offset();
        uint32_t f = PHAT_TRY(r.U32());
        if (f >= m_->func_types_.size())
          return unexpected(Invalid("unknown function " + std::to_string(f), fat));
        declared_funcs_[f] = true;
        ConstExpr e;
        e.kind = ConstExpr::Kind::RefFunc;
        e.index = f;
        seg.items.push_back(e);
      }
    }
    if (seg.mode == SegmentMode::Active && m_->tables_[seg.table.value].elem != seg.type)
      return unexpected(Invalid("type mismatch: element segment type differs from its table's", at));
    elem_types_.push_back(seg.type);
    m_->elems_.push_back(std::move(seg));
  }
  return {};
}

Expected<void, LoadError> ModuleBuilder::ReadDataCount(Reader& r) {
  data_count_ = PHAT_TRY(r.U32());
  return {};
}

Expected<void, LoadError> ModuleBuilder::ReadCode(Reader& r) {
  uint64_t at = r.Offset();
  uint32_t n = PHAT_TRY(r.Count(1));
  uint32_t num_defined = m_->num_funcs() - m_->num_imported_funcs_;
  if (n != num_defined)
    return unexpected(Malformed("function and code section have inconsistent lengths", at));
  num_code_bodies_ = n;
  declared_funcs_.resize(m_->func_types_.size());
  elem_types_.resize(m_->elems_.size());

  // Descriptors first, so that direct calls can point at them while bodies compile.
  m_->functions_.resize(n);
  ModuleEnv env{&m_->types_,  &m_->type_ids_, &m_->func_types_, &m_->tables_,
                &m_->memories_, &m_->global_types_, &elem_types_, data_count_,
                &declared_funcs_, m_->num_imported_funcs_, &m_->functions_};
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t body_at = r.Offset();
    uint32_t size = PHAT_TRY(r.U32());
    if (size > config_.max_function_size)
      return unexpected(LoadError{LoadError::Kind::Limit,
                                  "function body of " + std::to_string(size) + " bytes exceeds the limit",
                                  body_at, m_->num_imported_funcs_ + i});
    auto body = PHAT_TRY(r.Bytes(size));
    size_t entry = 0;
    CompiledFunction f = PHAT_TRY(CompileFunction(env, config_, policy_, m_->num_imported_funcs_ + i, body,
                                                  body_at, m_->code_, entry));
    // Offsets until the buffer is final.
    f.code = reinterpret_cast<const interp::Instr*>(entry);
    f.body = reinterpret_cast<const interp::Instr*>(entry + sizeof(interp::InstrEnter));
    m_->functions_[i] = f;
  }
  return {};
}

// https://webassembly.github.io/spec/core/binary/modules.html#data-section
Expected<void, LoadError> ModuleBuilder::ReadData(Reader& r) {
  uint32_t n = PHAT_TRY(r.Count(1));
  if (data_count_ && n != *data_count_)
    return unexpected(Malformed("data count and data section have inconsistent lengths", r.Offset()));
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = r.Offset();
    uint32_t flags = PHAT_TRY(r.U32());
    DataSegment seg;
    switch (flags) {
      case 0:
        seg.mode = SegmentMode::Active;
        break;
      case 1:
        seg.mode = SegmentMode::Passive;
        PHAT_TRY_VOID(Require(kBulkMemory, "a passive data segment", at));
        break;
      case 2:
        seg.mode = SegmentMode::Active;
        seg.memory = MemoryIndex(PHAT_TRY(r.U32()));
        break;
      default:
        return unexpected(Malformed("malformed data segment kind", at));
    }
    if (seg.mode == SegmentMode::Active) {
      if (seg.memory.value >= m_->memories_.size())
        return unexpected(Invalid("unknown memory " + std::to_string(seg.memory.value), at));
      seg.offset = PHAT_TRY(ReadConstExpr(r, ValType::I32));
    }
    uint32_t size = PHAT_TRY(r.U32());
    auto bytes = PHAT_TRY(r.Bytes(size));
    seg.bytes.assign(bytes.begin(), bytes.end());
    m_->datas_.push_back(std::move(seg));
  }
  return {};
}

Expected<std::shared_ptr<const Module>, LoadError> CompileModule(std::span<const uint8_t> bytes,
                                                                 const EngineConfig& config,
                                                                 const LoadPolicy& policy) {
  ModuleBuilder builder(config, policy);
  return builder.Build(bytes);
}

const Export* Module::FindExport(std::string_view name) const {
  for (const Export& e : exports_)
    if (e.name == name) return &e;
  return nullptr;
}

uint32_t InternFuncType(const FuncType& type) {
  std::string key;
  for (ValType t : type.params) key.push_back(char(t));
  key += '\0';  // not a value type byte, so params and results cannot run together
  for (ValType t : type.results) key.push_back(char(t));
  static std::mutex mu;
  static std::map<std::string, uint32_t> known;
  std::lock_guard lock(mu);
  auto [it, inserted] = known.try_emplace(std::move(key), uint32_t(known.size()));
  return it->second;
}

}  // namespace phat::wasm
