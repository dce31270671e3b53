// Fuzzes the contract runtime from the outside, as a user would reach it: an uploaded module and
// the input it is deployed and called with. Whatever the bytes, upload either rejects them with
// a message or the contract runs to a result; and running is deterministic: the same query twice
// gives the same result and the same gas.
//
// Input: one byte n, then n bytes of call input, then the module. Bit 7 of n uploads the module
// as Relaxed (floats allowed) code.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_util.h"
#include "phat/contracts/runtime.h"

using namespace phat;
using namespace phat::contracts;

namespace {

// Small budgets, so that one input costs milliseconds.
Schedule FuzzSchedule() {
  Schedule s;
  s.limits.memory_pages = 16;
  s.limits.max_code_len = 64 * 1024;
  s.limits.wasm_call_depth = 200;
  s.limits.wasm_value_stack = 1u << 14;
  return s;
}
const Weight kGas{2'000'000'000, 0};  // 250,000 fuel

void CheckSame(const ExecResult& a, const ExecResult& b) {
  bool same = a.result.has_value() == b.result.has_value() && a.gas_consumed == b.gas_consumed &&
              a.events == b.events;
  if (same && a.result) same = a.result->flags == b.result->flags && a.result->data == b.result->data;
  if (same && !a.result) same = a.result.error().kind == b.result.error().kind;
  if (!same) wasm::fuzz::Fail("the same query twice gave different results");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t input_len = data[0] & 0x7f;
  if (size < 1 + input_len) return 0;
  const Determinism determinism = data[0] & 0x80 ? Determinism::Relaxed : Determinism::Enforced;
  const Bytes input(data + 1, data + 1 + input_len);
  const ByteView module(data + 1 + input_len, size - 1 - input_len);

  static Runtime* runtime = new Runtime(RuntimeConfig{FuzzSchedule()});
  MemoryState state;
  AccountId alice;
  alice.fill(0xaa);
  state.SetBalance(alice, 1'000'000);
  auto code = runtime->Upload(state, alice, module, determinism);
  if (!code) {
    if (code.error().message.empty()) wasm::fuzz::Fail("an upload was rejected without a reason");
    return 0;
  }
  BlockContext block{7, 1'700'000'000'000};
  ExecResult deployed = runtime->Instantiate(state, block, {alice, *code, 0, input, {}, kGas});
  if (deployed.gas_consumed.ref_time > kGas.ref_time) wasm::fuzz::Fail("deploy used more gas than its limit");
  if (!deployed.ok()) {
    if (!deployed.changes.empty()) wasm::fuzz::Fail("a failed deploy changed the state");
    return 0;
  }
  CallRequest call{alice, *deployed.account, 0, input, kGas};
  CheckSame(runtime->Query(state, block, call), runtime->Query(state, block, call));
  runtime->Call(state, block, call);
  return 0;
}
