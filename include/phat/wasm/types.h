// WebAssembly types shared by every stage of the engine: value types, function types, limits,
// strongly typed indices and runtime values. Plain data; thread-safe to read.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace phat::wasm {

// https://webassembly.github.io/spec/core/binary/types.html#value-types
enum class ValType : uint8_t {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
};

std::string_view ValTypeName(ValType type);
inline bool IsRef(ValType type) { return type == ValType::FuncRef || type == ValType::ExternRef; }
inline bool IsFloat(ValType type) { return type == ValType::F32 || type == ValType::F64; }

// An index into one of a module's index spaces. Distinct tags keep a function index from being
// passed where a type index is expected.
template <typename Tag>
struct Index {
  uint32_t value = 0;
  constexpr Index() = default;
  constexpr explicit Index(uint32_t v) : value(v) {}
  constexpr auto operator<=>(const Index&) const = default;
};
using TypeIndex = Index<struct TypeTag>;
using FuncIndex = Index<struct FuncTag>;
using TableIndex = Index<struct TableTag>;
using MemoryIndex = Index<struct MemoryTag>;
using GlobalIndex = Index<struct GlobalTag>;
using ElemIndex = Index<struct ElemTag>;
using DataIndex = Index<struct DataTag>;

// https://webassembly.github.io/spec/core/syntax/types.html#function-types
struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};
std::string FuncTypeString(const FuncType& type);  // "(i32 i64) -> (f32)"

// https://webassembly.github.io/spec/core/syntax/types.html#limits
struct Limits {
  uint64_t min = 0;
  bool has_max = false;
  uint64_t max = 0;
};

struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mutable_ = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
std::string_view ExternKindName(ExternKind kind);

inline constexpr uint64_t kPageSize = 65536;
inline constexpr uint32_t kMaxPages = 65536;  // 4 GiB, the whole 32-bit space

// A reference value: a function instance, a host's external reference, or null.
using Ref = void*;

// A runtime value with its type. References are opaque pointers; null is nullptr.
class Value {
 public:
  Value() = default;
  static Value I32(uint32_t v) { return Value(ValType::I32, v); }
  static Value I64(uint64_t v) { return Value(ValType::I64, v); }
  static Value F32Bits(uint32_t bits) { return Value(ValType::F32, bits); }
  static Value F64Bits(uint64_t bits) { return Value(ValType::F64, bits); }
  static Value F32(float v) { return F32Bits(std::bit_cast<uint32_t>(v)); }
  static Value F64(double v) { return F64Bits(std::bit_cast<uint64_t>(v)); }
  static Value FuncRef(Ref r) { return Value(ValType::FuncRef, reinterpret_cast<uintptr_t>(r)); }
  static Value ExternRef(Ref r) { return Value(ValType::ExternRef, reinterpret_cast<uintptr_t>(r)); }
  static Value Zero(ValType type) { return Value(type, 0); }
  // A value from its raw 64-bit slot representation (as the interpreter stores it).
  static Value FromBits(ValType type, uint64_t bits) { return Value(type, bits); }

  ValType type() const { return type_; }
  uint32_t i32() const { return static_cast<uint32_t>(bits_); }
  uint64_t i64() const { return bits_; }
  uint32_t f32_bits() const { return static_cast<uint32_t>(bits_); }
  uint64_t f64_bits() const { return bits_; }
  float f32() const { return std::bit_cast<float>(f32_bits()); }
  double f64() const { return std::bit_cast<double>(bits_); }
  Ref ref() const { return reinterpret_cast<Ref>(static_cast<uintptr_t>(bits_)); }
  uint64_t bits() const { return bits_; }

  bool operator==(const Value&) const = default;
  std::string ToString() const;  // "i32:42", "f64:0x1p+0", "funcref:null"

 private:
  Value(ValType type, uint64_t bits) : type_(type), bits_(bits) {}
  ValType type_ = ValType::I32;
  uint64_t bits_ = 0;
};

}  // namespace phat::wasm
