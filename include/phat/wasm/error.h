// What can go wrong in the engine, as values. Loading fails with a LoadError; linking and
// instantiation with a LinkError; running with an ExecError whose kind keeps apart the guest's
// trap, fuel exhaustion and the host's own error. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "phat/base/expected.h"

namespace phat::wasm {

struct LoadError {
  enum class Kind : uint8_t {
    Malformed,    // the bytes are not a WebAssembly binary (spec: assert_malformed)
    Invalid,      // well-formed but fails validation (spec: assert_invalid)
    Unsupported,  // valid, but uses a feature the load policy forbids
    Limit,        // exceeds a configured or implementation limit
  };
  Kind kind = Kind::Malformed;
  std::string message;
  uint64_t offset = 0;                 // byte offset in the module
  std::optional<uint32_t> function;    // function index, when inside a function body

  std::string ToString() const;  // "invalid module at offset 0x1c (function 3): type mismatch…"
};

// Imports that do not match, or a start function / segment that fails during instantiation.
struct LinkError {
  enum class Kind : uint8_t {
    Unlinkable,     // an import is missing or has the wrong type (spec: assert_unlinkable)
    Uninstantiable, // a segment is out of bounds or the start function trapped
    Limit,          // a configured limit (memory pages, table size) is exceeded
  };
  Kind kind = Kind::Unlinkable;
  std::string message;
  std::string ToString() const;
};

// https://webassembly.github.io/spec/core/exec/runtime.html (traps); one row per trap kind.
#define PHAT_TRAP_KINDS(X)                                          \
  X(Unreachable, "unreachable executed")                            \
  X(MemoryOutOfBounds, "out of bounds memory access")               \
  X(TableOutOfBounds, "out of bounds table access")                 \
  X(UndefinedElement, "undefined element")                          \
  X(UninitializedElement, "uninitialized element")                  \
  X(IndirectCallTypeMismatch, "indirect call type mismatch")        \
  X(IntegerDivideByZero, "integer divide by zero")                  \
  X(IntegerOverflow, "integer overflow")                            \
  X(InvalidConversionToInteger, "invalid conversion to integer")    \
  X(CallStackExhausted, "call stack exhausted")                     \
  X(ValueStackExhausted, "value stack exhausted")                   \
  X(HostTrap, "trap raised by host function")

enum class TrapKind : uint8_t {
#define PHAT_X(name, text) name,
  PHAT_TRAP_KINDS(PHAT_X)
#undef PHAT_X
};
std::string_view TrapMessage(TrapKind kind);

struct ExecError {
  enum class Kind : uint8_t {
    Trap,           // the guest trapped; `trap` says how
    FuelExhausted,  // the fuel budget ran out; deterministic for the same input and budget
    HostError,      // a host function failed or asked to stop; `message` and `host_code` say why
    BadCall,        // the embedder called with wrong arguments (types, count, unknown export)
    Interrupted,    // the embedder's interrupt flag stopped it (Store::set_interrupt)
  };
  Kind kind = Kind::Trap;
  TrapKind trap = TrapKind::Unreachable;
  std::string message;
  int64_t host_code = 0;  // a host function's own code, passed through untouched
  std::string ToString() const;
};

}  // namespace phat::wasm
