// The Opcode enum and per-opcode facts, generated from opcodes.def. Read by the decoder, the
// validating compiler, the handler tables and the disassembler. Immutable; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "phat/wasm/config.h"
#include "phat/wasm/types.h"

namespace phat::wasm {

enum class Opcode : uint16_t {
#define PHAT_OPCODE(Name, ...) Name,
#include "wasm/opcodes.def"
#undef PHAT_OPCODE
  kCount
};

enum class OpKind : uint8_t { Special, Unary, UnaryTrap, Binary, BinaryTrap, Load, Store };

// Operand type in the table; None where an instruction has no such operand.
enum class OpType : uint8_t { None, I32, I64, F32, F64 };
inline ValType ToValType(OpType t) {
  switch (t) {
    case OpType::I64: return ValType::I64;
    case OpType::F32: return ValType::F32;
    case OpType::F64: return ValType::F64;
    default: return ValType::I32;
  }
}

struct OpcodeInfo {
  uint8_t prefix;
  uint32_t code;
  std::string_view text;
  OpKind kind;
  OpType in1, in2, out;
  uint8_t width;       // bytes accessed by a load or store
  uint32_t features;   // Feature bits an instruction needs (float operands imply kFloat)
  int32_t fuel;
};

inline constexpr std::array<OpcodeInfo, size_t(Opcode::kCount)> kOpcodeInfo = {{
#define PHAT_OPCODE(Name, Prefix, Code, Text, Kind, In1, In2, Out, Width, Features, Fuel) \
  {Prefix, Code, Text, OpKind::Kind, OpType::In1, OpType::In2, OpType::Out, Width,       \
   (Features) | ((OpType::In1 == OpType::F32 || OpType::In1 == OpType::F64 ||              \
                  OpType::In2 == OpType::F32 || OpType::In2 == OpType::F64 ||              \
                  OpType::Out == OpType::F32 || OpType::Out == OpType::F64)                \
                     ? kFloat                                                             \
                     : 0u),                                                               \
   Fuel},
#include "wasm/opcodes.def"
#undef PHAT_OPCODE
}};

inline const OpcodeInfo& Info(Opcode op) { return kOpcodeInfo[size_t(op)]; }

// Decoding: single-byte opcodes and the 0xFC-prefixed ones. Nothing for an unknown opcode.
std::optional<Opcode> DecodeOpcode(uint8_t byte);
std::optional<Opcode> DecodeOpcodeFC(uint32_t sub);

}  // namespace phat::wasm
