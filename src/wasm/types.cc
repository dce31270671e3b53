// Names and printable forms of the engine's public types and errors.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "phat/wasm/config.h"
#include "phat/wasm/error.h"
#include "phat/wasm/types.h"

namespace phat::wasm {

std::string_view ValTypeName(ValType type) {
  switch (type) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "unknown";
}

std::string FuncTypeString(const FuncType& type) {
  auto list = [](const std::vector<ValType>& ts) {
    std::string s = "(";
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? " " : "") + std::string(ValTypeName(ts[i]));
    return s + ")";
  };
  return list(type.params) + " -> " + list(type.results);
}

std::string_view ExternKindName(ExternKind kind) {
  switch (kind) {
    case ExternKind::Func: return "function";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "extern";
}

std::string Value::ToString() const {
  char buf[64];
  switch (type_) {
    case ValType::I32: std::snprintf(buf, sizeof buf, "%" PRIu32, i32()); break;
    case ValType::I64: std::snprintf(buf, sizeof buf, "%" PRIu64, i64()); break;
    case ValType::F32: std::snprintf(buf, sizeof buf, "%.9g", double(f32())); break;
    case ValType::F64: std::snprintf(buf, sizeof buf, "%.17g", f64()); break;
    case ValType::FuncRef:
    case ValType::ExternRef:
      if (bits_ == 0) std::snprintf(buf, sizeof buf, "null");
      else std::snprintf(buf, sizeof buf, "0x%" PRIx64, bits_);
      break;
    default: std::snprintf(buf, sizeof buf, "?"); break;
  }
  return std::string(ValTypeName(type_)) + ":" + buf;
}

std::string FeatureName(Feature feature) {
  switch (feature) {
    case kMvp: return "the MVP";
    case kFloat: return "floating point";
    case kSignExt: return "sign extension";
    case kSatConv: return "non-trapping float-to-int";
    case kBulkMemory: return "bulk memory";
    case kRefTypes: return "reference types";
    case kMultiValue: return "multi-value";
    case kSimd: return "SIMD";
    case kMutableGlobals: return "mutable global import/export";
  }
  return "an unknown feature";
}

std::string_view TrapMessage(TrapKind kind) {
  switch (kind) {
#define PHAT_X(name, text) \
  case TrapKind::name: return text;
    PHAT_TRAP_KINDS(PHAT_X)
#undef PHAT_X
  }
  return "trap";
}

std::string LoadError::ToString() const {
  const char* what = kind == Kind::Malformed     ? "malformed module"
                     : kind == Kind::Invalid     ? "invalid module"
                     : kind == Kind::Unsupported ? "unsupported module"
                                                 : "module exceeds a limit";
  char where[96];
  if (function)
    std::snprintf(where, sizeof where, " at offset 0x%" PRIx64 " (function %u)", offset, *function);
  else
    std::snprintf(where, sizeof where, " at offset 0x%" PRIx64, offset);
  return std::string(what) + where + ": " + message;
}

std::string LinkError::ToString() const {
  const char* what = kind == Kind::Unlinkable       ? "cannot link"
                     : kind == Kind::Uninstantiable ? "cannot instantiate"
                                                    : "limit exceeded";
  return std::string(what) + ": " + message;
}

std::string ExecError::ToString() const {
  switch (kind) {
    case Kind::Trap: return "trap: " + message;
    case Kind::FuelExhausted: return "fuel exhausted";
    case Kind::HostError: return "host error: " + message;
    case Kind::BadCall: return "bad call: " + message;
    case Kind::Interrupted: return "interrupted by the embedder";
  }
  return message;
}

}  // namespace phat::wasm
