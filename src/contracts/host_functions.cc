// The host ABI of pallet-contracts as ink! 4 and 5 use it (ABI.md §2). Every function is one row
// of kHostFunctions; its body reaches guest memory only through Host's checked helpers, which
// trap on an out-of-bounds pointer.
#include "contracts/host_functions.h"

#include <cstring>
#include <fmt/format.h>
#include <mutex>

#include "contracts/execution.h"
#include "phat/codec/scale.h"
#include "phat/crypto/hash.h"
#include "phat/crypto/secp256k1.h"
#include "phat/crypto/sr25519.h"

namespace phat::contracts {
namespace {

using wasm::HostFailure;
using wasm::HostResult;

// pallet-contracts ReturnErrorCode (ABI.md §2).
enum ReturnCode : uint32_t {
  kSuccess = 0,
  kCalleeTrapped = 1,
  kCalleeReverted = 2,
  kKeyNotFound = 3,
  kTransferFailed = 5,
  kCodeNotFound = 7,
  kNotCallable = 8,
  kCallRuntimeFailed = 10,
  kEcdsaRecoveryFailed = 11,
  kSr25519VerifyFailed = 12,
  kXcmExecutionFailed = 13,
  kXcmSendFailed = 14,
};
constexpr uint32_t kSentinel = 0xFFFFFFFF;  // "no value" in results; "skip output" in pointers

Bytes EncodeU128(Balance v) {
  Bytes out(16);
  for (int i = 0; i < 16; ++i) out[i] = uint8_t(v >> (8 * i));
  return out;
}
template <typename T>
Bytes EncodeLe(T v) {
  Bytes out(sizeof(T));
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = uint8_t(uint64_t(v) >> (8 * i));
  return out;
}

// A host function's view of its call: arguments, the frame, gas, and checked guest memory.
class Host {
 public:
  Host(wasm::HostCall& call, Frame& frame) : call_(call), frame_(frame), exec_(*frame.exec) {}

  uint32_t I32(size_t i) const { return call_.ArgI32(i); }
  uint64_t I64(size_t i) const { return call_.ArgI64(i); }
  void Return(uint32_t value) { call_.SetI32(0, value); }
  Frame& frame() { return frame_; }
  Execution& exec() { return exec_; }
  const Schedule& schedule() const { return exec_.schedule(); }
  const HostCosts& costs() const { return exec_.schedule().costs; }
  wasm::HostCall& call() { return call_; }

  // Gas first: charges `ref_time` or fails the frame with OutOfGas.
  HostResult Charge(uint64_t ref_time) {
    if (!call_.ConsumeFuel(exec_.FuelFor(ref_time))) return std::unexpected(HostFailure::OutOfFuel());
    return {};
  }
  HostResult ChargeBytes(uint64_t n, uint64_t per_byte) {
    if (n > (UINT64_MAX / 2) / (per_byte + 1)) return std::unexpected(HostFailure::OutOfFuel());
    return Charge(n * per_byte);
  }
  uint64_t RefTimeLeft() const {
    return call_.fuel_remaining() * exec_.schedule().ref_time_per_fuel;
  }

  Expected<ByteView, HostFailure> Read(uint32_t ptr, uint32_t len) const {
    auto span = Memory()->Span(ptr, len);
    if (!span) return std::unexpected(OutOfBounds(ptr, len));
    return ByteView(*span);
  }
  template <size_t N>
  Expected<std::array<uint8_t, N>, HostFailure> ReadArray(uint32_t ptr) const {
    ByteView bytes = PHAT_TRY(Read(ptr, N));
    std::array<uint8_t, N> out;
    std::memcpy(out.data(), bytes.data(), N);
    return out;
  }
  Expected<uint32_t, HostFailure> ReadU32(uint32_t ptr) const {
    auto bytes = PHAT_TRY(ReadArray<4>(ptr));
    return uint32_t(bytes[0]) | uint32_t(bytes[1]) << 8 | uint32_t(bytes[2]) << 16 |
           uint32_t(bytes[3]) << 24;
  }
  Expected<Balance, HostFailure> ReadBalance(uint32_t ptr) const {
    auto bytes = PHAT_TRY(ReadArray<16>(ptr));
    Balance v = 0;
    for (int i = 15; i >= 0; --i) v = v << 8 | bytes[i];
    return v;
  }
  // A storage value: at most payload_len bytes, checked before memory is read.
  Expected<ByteView, HostFailure> ReadValue(uint32_t ptr, uint32_t len) const {
    if (len > schedule().limits.payload_len)
      return std::unexpected(Fail(ContractError::ValueTooLarge,
                                  fmt::format("a storage value of {} bytes; at most {} are allowed",
                                              len, schedule().limits.payload_len)));
    return Read(ptr, len);
  }
  // A storage key of the variable-length kind: at most max_storage_key_len bytes.
  Expected<ByteView, HostFailure> ReadKey(uint32_t ptr, uint32_t len) const {
    if (len > schedule().limits.max_storage_key_len)
      return std::unexpected(Fail(ContractError::DecodingFailed,
                                  fmt::format("a storage key of {} bytes; at most {} are allowed",
                                              len, schedule().limits.max_storage_key_len)));
    return Read(ptr, len);
  }

  HostResult Write(uint32_t ptr, ByteView bytes) {
    auto span = Memory()->Span(ptr, bytes.size());
    if (!span) return std::unexpected(OutOfBounds(ptr, bytes.size()));
    if (!bytes.empty()) std::memmove(span->data(), bytes.data(), bytes.size());
    return {};
  }
  HostResult WriteU32(uint32_t ptr, uint32_t v) { return Write(ptr, EncodeLe(v)); }
  // The out/out_len_ptr convention: the capacity is read at out_len_ptr; a value that does not
  // fit fails the frame with OutputBufferTooSmall; else the value and its length are written.
  // Where allowed, out_ptr == SENTINEL skips the output.
  HostResult WriteOutput(uint32_t out_ptr, uint32_t out_len_ptr, ByteView bytes,
                         bool allow_skip = false) {
    if (allow_skip && out_ptr == kSentinel) return {};
    uint32_t capacity = PHAT_TRY(ReadU32(out_len_ptr));
    if (bytes.size() > capacity)
      return std::unexpected(Fail(ContractError::OutputBufferTooSmall,
                                  fmt::format("{} bytes of output for a buffer of {}",
                                              bytes.size(), capacity)));
    PHAT_TRY_VOID(ChargeBytes(bytes.size(), costs().per_byte));
    PHAT_TRY_VOID(Write(out_ptr, bytes));
    return WriteU32(out_len_ptr, uint32_t(bytes.size()));
  }

  // Fails the frame with a contract error (pallet-contracts: a trap with a SupervisorError).
  static HostFailure Fail(ContractError error, std::string message) {
    return HostFailure::Error(std::move(message), kContractErrorCodeBase + int64_t(error));
  }

 private:
  wasm::Memory* Memory() const { return call_.memory(); }
  static HostFailure OutOfBounds(uint32_t ptr, uint64_t len) {
    return HostFailure::Trap(fmt::format(
        "a host function was given memory [{}, {}) outside the contract's memory", ptr,
        uint64_t(ptr) + len));
  }
  wasm::HostCall& call_;
  Frame& frame_;
  Execution& exec_;
};

// ---- Storage ----

HostResult GetStorage(Host& h, ByteView key, uint32_t out, uint32_t out_len_ptr) {
  std::optional<Bytes> value = h.exec().overlay().GetStorage(h.frame().account, key);
  if (!value) {
    h.Return(kKeyNotFound);
    return {};
  }
  PHAT_TRY_VOID(h.WriteOutput(out, out_len_ptr, *value));
  h.Return(kSuccess);
  return {};
}

// Writes (or with no value, clears) an entry; returns the old value's size or SENTINEL.
Expected<uint32_t, HostFailure> SetStorage(Host& h, ByteView key, std::optional<ByteView> value) {
  if (value) PHAT_TRY_VOID(h.ChargeBytes(value->size(), h.costs().per_byte));
  Overlay& overlay = h.exec().overlay();
  std::optional<Bytes> old = overlay.GetStorage(h.frame().account, key);
  overlay.SetStorage(h.frame().account, key,
                     value ? std::optional<Bytes>(Bytes(value->begin(), value->end()))
                           : std::nullopt);
  return old ? uint32_t(old->size()) : kSentinel;
}

HostResult ContainsStorage(Host& h, ByteView key) {
  std::optional<Bytes> value = h.exec().overlay().GetStorage(h.frame().account, key);
  h.Return(value ? uint32_t(value->size()) : kSentinel);
  return {};
}

HostResult seal0_get_storage(Host& h) {
  auto key = PHAT_TRY(h.Read(h.I32(0), 32));
  return GetStorage(h, key, h.I32(1), h.I32(2));
}
HostResult seal1_get_storage(Host& h) {
  auto key = PHAT_TRY(h.ReadKey(h.I32(0), h.I32(1)));
  return GetStorage(h, key, h.I32(2), h.I32(3));
}
HostResult seal0_set_storage(Host& h) {
  auto key = PHAT_TRY(h.Read(h.I32(0), 32));
  auto value = PHAT_TRY(h.ReadValue(h.I32(1), h.I32(2)));
  PHAT_TRY(SetStorage(h, key, value));
  return {};
}
HostResult seal1_set_storage(Host& h) {
  auto key = PHAT_TRY(h.Read(h.I32(0), 32));
  auto value = PHAT_TRY(h.ReadValue(h.I32(1), h.I32(2)));
  h.Return(PHAT_TRY(SetStorage(h, key, value)));
  return {};
}
HostResult seal2_set_storage(Host& h) {
  auto key = PHAT_TRY(h.ReadKey(h.I32(0), h.I32(1)));
  auto value = PHAT_TRY(h.ReadValue(h.I32(2), h.I32(3)));
  h.Return(PHAT_TRY(SetStorage(h, key, value)));
  return {};
}
HostResult seal0_clear_storage(Host& h) {
  auto key = PHAT_TRY(h.Read(h.I32(0), 32));
  PHAT_TRY(SetStorage(h, key, std::nullopt));
  return {};
}
HostResult seal1_clear_storage(Host& h) {
  auto key = PHAT_TRY(h.ReadKey(h.I32(0), h.I32(1)));
  h.Return(PHAT_TRY(SetStorage(h, key, std::nullopt)));
  return {};
}
HostResult seal0_contains_storage(Host& h) {
  return ContainsStorage(h, PHAT_TRY(h.Read(h.I32(0), 32)));
}
HostResult seal1_contains_storage(Host& h) {
  return ContainsStorage(h, PHAT_TRY(h.ReadKey(h.I32(0), h.I32(1))));
}
HostResult seal0_take_storage(Host& h) {
  auto key = PHAT_TRY(h.ReadKey(h.I32(0), h.I32(1)));
  std::optional<Bytes> value = h.exec().overlay().GetStorage(h.frame().account, key);
  if (!value) {
    h.Return(kKeyNotFound);
    return {};
  }
  PHAT_TRY_VOID(h.WriteOutput(h.I32(2), h.I32(3), *value));
  PHAT_TRY(SetStorage(h, key, std::nullopt));
  h.Return(kSuccess);
  return {};
}

// ---- The call's context ----

HostResult seal0_input(Host& h) {
  if (h.frame().input_forwarded)
    return std::unexpected(Host::Fail(ContractError::InputForwarded,
                                      "input was called after the input was forwarded"));
  return h.WriteOutput(h.I32(0), h.I32(1), h.frame().input);
}

HostResult seal0_seal_return(Host& h) {
  uint32_t flags = h.I32(0);
  if (flags & ~1u)
    return std::unexpected(
        Host::Fail(ContractError::InvalidCallFlags, fmt::format("return flags {:#x}", flags)));
  if (h.I32(2) > h.schedule().limits.payload_len)
    return std::unexpected(Host::Fail(ContractError::ValueTooLarge,
                                      fmt::format("{} bytes of return data", h.I32(2))));
  auto data = PHAT_TRY(h.Read(h.I32(1), h.I32(2)));
  PHAT_TRY_VOID(h.ChargeBytes(data.size(), h.costs().per_byte));
  h.frame().output = ExecReturn{flags, Bytes(data.begin(), data.end())};
  return std::unexpected(HostFailure::Error("seal_return", kReturnCode));
}

HostResult seal0_caller(Host& h) { return h.WriteOutput(h.I32(0), h.I32(1), h.frame().caller); }
HostResult seal0_address(Host& h) { return h.WriteOutput(h.I32(0), h.I32(1), h.frame().account); }
HostResult seal0_value_transferred(Host& h) {
  return h.WriteOutput(h.I32(0), h.I32(1), EncodeU128(h.frame().value));
}
HostResult seal0_balance(Host& h) {
  Balance balance = h.exec().overlay().GetBalance(h.frame().account);
  return h.WriteOutput(h.I32(0), h.I32(1), EncodeU128(balance));
}
HostResult seal0_minimum_balance(Host& h) {
  return h.WriteOutput(h.I32(0), h.I32(1), EncodeU128(h.schedule().minimum_balance));
}
HostResult seal0_now(Host& h) {
  return h.WriteOutput(h.I32(0), h.I32(1), EncodeLe<uint64_t>(h.exec().block().timestamp_ms));
}
HostResult seal0_block_number(Host& h) {
  return h.WriteOutput(h.I32(0), h.I32(1), EncodeLe<uint32_t>(h.exec().block().block_number));
}
HostResult seal0_gas_left(Host& h) {
  return h.WriteOutput(h.I32(0), h.I32(1), EncodeLe<uint64_t>(h.RefTimeLeft()));
}
HostResult seal0_weight_to_fee(Host& h) {
  // phat charges no fees: one unit of balance per picosecond of ref_time, for contracts that ask.
  return h.WriteOutput(h.I32(1), h.I32(2), EncodeU128(h.I64(0)));
}
HostResult seal0_own_code_hash(Host& h) {
  std::optional<ContractInfo> info = h.exec().overlay().GetContract(h.frame().account);
  CodeHash hash = info ? info->code_hash : h.frame().code->hash;
  return h.WriteOutput(h.I32(0), h.I32(1), hash);
}
HostResult seal0_caller_is_origin(Host& h) {
  h.Return(h.frame().caller == h.exec().origin() ? 1 : 0);
  return {};
}
HostResult seal0_caller_is_root(Host& h) {
  h.Return(0);  // phat has no root origin
  return {};
}
HostResult seal0_is_contract(Host& h) {
  auto account = PHAT_TRY(h.ReadArray<32>(h.I32(0)));
  h.Return(h.exec().overlay().GetContract(account) ? 1 : 0);
  return {};
}
HostResult seal0_code_hash(Host& h) {
  auto account = PHAT_TRY(h.ReadArray<32>(h.I32(0)));
  std::optional<ContractInfo> info = h.exec().overlay().GetContract(account);
  if (!info) {
    h.Return(kKeyNotFound);
    return {};
  }
  PHAT_TRY_VOID(h.WriteOutput(h.I32(1), h.I32(2), info->code_hash));
  h.Return(kSuccess);
  return {};
}

// ---- Events and debugging ----

HostResult seal0_deposit_event(Host& h) {
  uint32_t topics_len = h.I32(1), data_len = h.I32(3);
  const Limits& limits = h.schedule().limits;
  PHAT_TRY_VOID(h.Charge(h.costs().event_per_topic * (topics_len / 32)));
  if (data_len > limits.payload_len)
    return std::unexpected(Host::Fail(ContractError::ValueTooLarge,
                                      fmt::format("{} bytes of event data", data_len)));
  PHAT_TRY_VOID(h.ChargeBytes(data_len, h.costs().per_byte));
  auto topics_bytes = PHAT_TRY(h.Read(h.I32(0), topics_len));
  auto data = PHAT_TRY(h.Read(h.I32(2), data_len));
  // Topics are a SCALE Vec<[u8; 32]>; an empty buffer means none.
  codec::ScaleReader reader(topics_bytes);
  auto count = topics_bytes.empty() ? codec::Decoded<uint32_t>(0) : reader.CompactU32();
  if (!count || uint64_t(*count) * 32 != reader.remaining())
    return std::unexpected(
        Host::Fail(ContractError::DecodingFailed, "event topics are not a Vec<[u8; 32]>"));
  if (*count > limits.event_topics)
    return std::unexpected(Host::Fail(
        ContractError::TooManyTopics,
        fmt::format("{} topics; at most {} are allowed", *count, limits.event_topics)));
  Event event{h.frame().account, std::vector<Topic>(*count), Bytes(data.begin(), data.end())};
  for (Topic& topic : event.topics) {
    ByteView bytes = *reader.Raw(32);
    std::memcpy(topic.data(), bytes.data(), 32);
  }
  h.exec().events().push_back(std::move(event));
  return {};
}

HostResult seal0_debug_message(Host& h) {
  auto text = PHAT_TRY(h.Read(h.I32(0), h.I32(1)));
  PHAT_TRY_VOID(h.ChargeBytes(text.size(), h.costs().per_byte));
  // Invalid UTF-8 is dropped without a trap, as pallet-contracts does.
  if (codec::IsValidUtf8(text))
    h.exec().AppendDebug(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  h.Return(kSuccess);
  return {};
}

// ---- Hashes and signatures ----

template <auto kHash>
HostResult Hash(Host& h) {
  PHAT_TRY_VOID(h.ChargeBytes(h.I32(1), h.costs().hash_per_byte));
  auto input = PHAT_TRY(h.Read(h.I32(0), h.I32(1)));
  auto digest = kHash(input);
  return h.Write(h.I32(2), digest);
}

HostResult seal0_ecdsa_recover(Host& h) {
  auto signature = PHAT_TRY(h.ReadArray<65>(h.I32(0)));
  auto message_hash = PHAT_TRY(h.ReadArray<32>(h.I32(1)));
  auto key = crypto::EcdsaRecover(signature, message_hash);
  if (!key) {
    h.Return(kEcdsaRecoveryFailed);
    return {};
  }
  PHAT_TRY_VOID(h.Write(h.I32(2), *key));
  h.Return(kSuccess);
  return {};
}

HostResult seal0_sr25519_verify(Host& h) {  // (signature, public_key, message_len, message)
  auto signature = PHAT_TRY(h.ReadArray<64>(h.I32(0)));
  auto public_key = PHAT_TRY(h.ReadArray<32>(h.I32(1)));
  PHAT_TRY_VOID(h.ChargeBytes(h.I32(2), h.costs().per_byte));
  auto message = PHAT_TRY(h.Read(h.I32(3), h.I32(2)));
  // Under Substrate's signing context, as sp_io::crypto::sr25519_verify checks.
  h.Return(crypto::Sr25519Verify(signature, message, public_key) ? kSuccess
                                                                  : kSr25519VerifyFailed);
  return {};
}

HostResult seal0_ecdsa_to_eth_address(Host& h) {
  auto key = PHAT_TRY(h.ReadArray<33>(h.I32(0)));
  auto address = crypto::EthAddressFromPublicKey(key);
  if (!address) {
    h.Return(kEcdsaRecoveryFailed);
    return {};
  }
  PHAT_TRY_VOID(h.Write(h.I32(1), *address));
  h.Return(kSuccess);
  return {};
}

// ---- Balances, calls and instantiation ----

HostResult seal0_transfer(Host& h) {
  auto to = PHAT_TRY(h.ReadArray<32>(h.I32(0)));
  Balance value = PHAT_TRY(h.ReadBalance(h.I32(2)));
  bool ok = h.exec().overlay().Transfer(h.frame().account, to, value);
  h.Return(ok ? kSuccess : kTransferFailed);
  return {};
}

// The budget of a nested frame: what the caller asked for (0: all it has left), at most that.
uint64_t NestedFuel(Host& h, uint64_t ref_time) {
  uint64_t left = h.call().fuel_remaining();
  return ref_time == 0 ? left : std::min(left, ref_time / h.schedule().ref_time_per_fuel);
}

// Maps a failed nested call to the caller's return code, or fails the caller itself
// (pallet-contracts exec_error_into_return_code).
Expected<uint32_t, HostFailure> FailureToReturnCode(const CallFailure& failure) {
  switch (failure.error.kind) {
    case ContractError::TransferFailed: return kTransferFailed;
    case ContractError::CodeNotFound: return kCodeNotFound;
    case ContractError::ContractNotFound: return kNotCallable;
    // Not the callee's doing: the whole query stops, caller included.
    case ContractError::Interrupted:
      return std::unexpected(Host::Fail(failure.error.kind, failure.error.message));
    default: break;
  }
  if (failure.in_callee) return kCalleeTrapped;
  return std::unexpected(Host::Fail(failure.error.kind, failure.error.message));
}

// The input a call passes on: forwarded (taken), cloned, or read from memory.
Expected<Bytes, HostFailure> CallInput(Host& h, uint32_t flags, uint32_t ptr, uint32_t len) {
  Frame& frame = h.frame();
  if (flags & (kForwardInput | kCloneInput)) {
    if (frame.input_forwarded)
      return std::unexpected(
          Host::Fail(ContractError::InputForwarded, "the input was already forwarded"));
    if (flags & kCloneInput) return frame.input;
    frame.input_forwarded = true;
    return std::move(frame.input);
  }
  PHAT_TRY_VOID(h.ChargeBytes(len, h.costs().per_byte));
  auto bytes = PHAT_TRY(h.Read(ptr, len));
  return Bytes(bytes.begin(), bytes.end());
}

// After a nested frame returned: a tail call ends this frame with its output; otherwise the
// output goes to the caller's buffer and the return code says whether it reverted.
HostResult FinishCall(Host& h, uint32_t flags, const ExecReturn& ret, uint32_t out,
                      uint32_t out_len_ptr) {
  if (flags & kTailCall) {
    h.frame().output = ret;
    return std::unexpected(HostFailure::Error("tail call returned", kReturnCode));
  }
  PHAT_TRY_VOID(h.WriteOutput(out, out_len_ptr, ret.data, /*allow_skip=*/true));
  h.Return(ret.reverted() ? kCalleeReverted : kSuccess);
  return {};
}

struct CallArgs {
  uint32_t flags, callee, value, input, input_len, out, out_len_ptr;
  uint64_t ref_time;
};

HostResult Call(Host& h, const CallArgs& a) {
  constexpr uint32_t kKnown = kForwardInput | kCloneInput | kTailCall | kAllowReentry | kReadOnly;
  if (a.flags & ~kKnown)
    return std::unexpected(
        Host::Fail(ContractError::InvalidCallFlags, fmt::format("call flags {:#x}", a.flags)));
  PHAT_TRY_VOID(h.Charge(h.costs().call));
  Frame& frame = h.frame();
  Execution::CallSpec spec;
  spec.caller = frame.account;
  spec.dest = PHAT_TRY(h.ReadArray<32>(a.callee));
  spec.value = PHAT_TRY(h.ReadBalance(a.value));
  spec.read_only = frame.read_only || (a.flags & kReadOnly);
  if (spec.value > 0) {
    if (spec.read_only)
      return std::unexpected(Host::Fail(ContractError::StateChangeDenied,
                                        "a read-only call cannot transfer value"));
    PHAT_TRY_VOID(h.Charge(h.costs().transfer));
  }
  spec.input = PHAT_TRY(CallInput(h, a.flags, a.input, a.input_len));
  spec.fuel = NestedFuel(h, a.ref_time);
  frame.allows_reentry = (a.flags & kAllowReentry) != 0;
  uint64_t used = 0;
  auto result = h.exec().Call(std::move(spec), used);
  frame.allows_reentry = true;
  h.call().ConsumeFuel(used);
  if (!result) {
    h.Return(PHAT_TRY(FailureToReturnCode(result.error())));
    return {};
  }
  return FinishCall(h, a.flags, result->ret, a.out, a.out_len_ptr);
}

HostResult seal0_call(Host& h) {  // (callee, callee_len, gas, value, value_len, in, in_len, out, out_len_ptr)
  return Call(h, {kAllowReentry, h.I32(0), h.I32(3), h.I32(5), h.I32(6), h.I32(7), h.I32(8), h.I64(2)});
}
HostResult seal1_call(Host& h) {  // (flags, callee, gas, value, in, in_len, out, out_len_ptr)
  return Call(h, {h.I32(0), h.I32(1), h.I32(3), h.I32(4), h.I32(5), h.I32(6), h.I32(7), h.I64(2)});
}
HostResult seal2_call(Host& h) {  // (flags, callee, ref_time, proof_size, deposit, value, in, in_len, out, out_len_ptr)
  return Call(h, {h.I32(0), h.I32(1), h.I32(5), h.I32(6), h.I32(7), h.I32(8), h.I32(9), h.I64(2)});
}

HostResult seal0_delegate_call(Host& h) {  // (flags, code_hash, in, in_len, out, out_len_ptr)
  uint32_t flags = h.I32(0);
  constexpr uint32_t kKnown = kForwardInput | kCloneInput | kTailCall;
  if (flags & ~kKnown)
    return std::unexpected(Host::Fail(ContractError::InvalidCallFlags,
                                      fmt::format("delegate_call flags {:#x}", flags)));
  PHAT_TRY_VOID(h.Charge(h.costs().call));
  auto code_hash = PHAT_TRY(h.ReadArray<32>(h.I32(1)));
  Frame& frame = h.frame();
  auto code = h.exec().overlay().GetCodeInfo(code_hash)
                  ? h.exec().codes().Get(code_hash, h.exec().overlay().base())
                  : unexpected(Error{ContractError::CodeNotFound, ""});
  if (!code) {
    h.Return(kCodeNotFound);
    return {};
  }
  Execution::CallSpec spec;
  spec.caller = frame.caller;
  spec.dest = frame.account;
  spec.value = frame.value;
  spec.read_only = frame.read_only;
  spec.delegate = *code;
  spec.input = PHAT_TRY(CallInput(h, flags, h.I32(2), h.I32(3)));
  spec.fuel = NestedFuel(h, 0);
  uint64_t used = 0;
  auto result = h.exec().Call(std::move(spec), used);
  h.call().ConsumeFuel(used);
  if (!result) {
    h.Return(PHAT_TRY(FailureToReturnCode(result.error())));
    return {};
  }
  return FinishCall(h, flags, result->ret, h.I32(4), h.I32(5));
}

struct InstantiateArgs {
  uint32_t code_hash, value, input, input_len, address, address_len_ptr, out, out_len_ptr, salt,
      salt_len;
  uint64_t ref_time;
};

HostResult Instantiate(Host& h, const InstantiateArgs& a) {
  PHAT_TRY_VOID(h.Charge(h.costs().call));
  PHAT_TRY_VOID(h.ChargeBytes(uint64_t(a.input_len) + a.salt_len,
                              h.costs().instantiate_per_input_byte));
  Execution::InstantiateSpec spec;
  spec.caller = h.frame().account;
  spec.code_hash = PHAT_TRY(h.ReadArray<32>(a.code_hash));
  spec.value = PHAT_TRY(h.ReadBalance(a.value));
  auto input = PHAT_TRY(h.Read(a.input, a.input_len));
  auto salt = PHAT_TRY(h.Read(a.salt, a.salt_len));
  spec.input.assign(input.begin(), input.end());
  spec.salt.assign(salt.begin(), salt.end());
  if (spec.value > 0) PHAT_TRY_VOID(h.Charge(h.costs().transfer));
  spec.fuel = NestedFuel(h, a.ref_time);
  uint64_t used = 0;
  auto result = h.exec().Instantiate(std::move(spec), used);
  h.call().ConsumeFuel(used);
  if (!result) {
    h.Return(PHAT_TRY(FailureToReturnCode(result.error())));
    return {};
  }
  if (!result->ret.reverted())
    PHAT_TRY_VOID(h.WriteOutput(a.address, a.address_len_ptr, *result->account, true));
  PHAT_TRY_VOID(h.WriteOutput(a.out, a.out_len_ptr, result->ret.data, true));
  h.Return(result->ret.reverted() ? kCalleeReverted : kSuccess);
  return {};
}

HostResult seal0_instantiate(Host& h) {  // (code_hash, code_hash_len, gas, value, value_len, in, in_len, addr, addr_len, out, out_len, salt, salt_len)
  return Instantiate(h, {h.I32(0), h.I32(3), h.I32(5), h.I32(6), h.I32(7), h.I32(8), h.I32(9),
                         h.I32(10), h.I32(11), h.I32(12), h.I64(2)});
}
HostResult seal1_instantiate(Host& h) {  // (code_hash, gas, value, in, in_len, addr, addr_len, out, out_len, salt, salt_len)
  return Instantiate(h, {h.I32(0), h.I32(2), h.I32(3), h.I32(4), h.I32(5), h.I32(6), h.I32(7),
                         h.I32(8), h.I32(9), h.I32(10), h.I64(1)});
}
HostResult seal2_instantiate(Host& h) {  // (code_hash, ref_time, proof_size, deposit, value, in, in_len, addr, addr_len, out, out_len, salt, salt_len)
  return Instantiate(h, {h.I32(0), h.I32(4), h.I32(5), h.I32(6), h.I32(7), h.I32(8), h.I32(9),
                         h.I32(10), h.I32(11), h.I32(12), h.I64(1)});
}

HostResult Terminate(Host& h, uint32_t beneficiary_ptr) {
  Frame& frame = h.frame();
  if (frame.is_constructor)
    return std::unexpected(Host::Fail(ContractError::TerminatedInConstructor,
                                      "a contract cannot terminate in its constructor"));
  int count = 0;
  h.exec().OnStack(frame.account, &count);
  if (count > 1)
    return std::unexpected(Host::Fail(ContractError::TerminatedWhileReentrant,
                                      "the contract is on the call stack more than once"));
  auto beneficiary = PHAT_TRY(h.ReadArray<32>(beneficiary_ptr));
  Overlay& overlay = h.exec().overlay();
  overlay.Transfer(frame.account, beneficiary, overlay.GetBalance(frame.account));
  if (auto info = overlay.GetContract(frame.account)) overlay.AddCodeRef(info->code_hash, -1);
  overlay.SetContract(frame.account, std::nullopt);
  overlay.WipeStorage(frame.account);
  frame.terminated = true;
  return std::unexpected(HostFailure::Error("terminated", kTerminateCode));
}
HostResult seal0_terminate(Host& h) { return Terminate(h, h.I32(0)); }
HostResult seal1_terminate(Host& h) { return Terminate(h, h.I32(0)); }

HostResult seal0_set_code_hash(Host& h) {
  auto hash = PHAT_TRY(h.ReadArray<32>(h.I32(0)));
  Overlay& overlay = h.exec().overlay();
  std::optional<ContractInfo> info = overlay.GetContract(h.frame().account);
  std::optional<CodeInfo> code = overlay.GetCodeInfo(hash);
  if (!code || !info) {
    h.Return(kCodeNotFound);
    return {};
  }
  if (code->determinism != Determinism::Enforced)
    return std::unexpected(Host::Fail(ContractError::Indeterministic,
                                      "set_code_hash to code that may use floats"));
  overlay.AddCodeRef(info->code_hash, -1);
  overlay.AddCodeRef(hash, +1);
  overlay.SetContract(h.frame().account, ContractInfo{hash});
  h.Return(kSuccess);
  return {};
}

// ---- Chain extensions ----

class FrameExtensionContext final : public ExtensionContext {
 public:
  explicit FrameExtensionContext(Host& h) : h_(h) {}
  Mode mode() const override { return h_.exec().mode(); }
  const AccountId& address() const override { return h_.frame().account; }
  const AccountId& caller() const override { return h_.frame().caller; }
  bool ChargeGas(uint64_t ref_time) override { return h_.Charge(ref_time).has_value(); }
  const StateReader& state() const override { return h_.exec().overlay(); }
  std::chrono::steady_clock::time_point deadline() const override { return h_.exec().deadline(); }
  bool may_wait() const override { return h_.exec().may_wait(); }
  void WriteDebug(std::string_view text) override { h_.exec().AppendDebug(text); }
  const BlockContext& block() const override { return h_.exec().block(); }
  void OnCommit(std::function<void()> effect) override {
    h_.exec().AddCommitEffect(std::move(effect));
  }

 private:
  Host& h_;
};

HostResult seal0_call_chain_extension(Host& h) {  // (id, in, in_len, out, out_len_ptr)
  uint32_t id = h.I32(0);
  ChainExtension* extension = h.exec().extension(uint16_t(id >> 16));
  if (!extension)
    return std::unexpected(Host::Fail(ContractError::NoChainExtension,
                                      fmt::format("chain extension {}", id >> 16)));
  PHAT_TRY_VOID(h.ChargeBytes(h.I32(2), h.costs().per_byte));
  auto input = PHAT_TRY(h.Read(h.I32(1), h.I32(2)));
  Bytes input_copy(input.begin(), input.end());
  FrameExtensionContext context(h);
  auto result = extension->Call(uint16_t(id & 0xFFFF), input_copy, context);
  if (!result) {
    // An extension that stops the query stops all of it, as the engine's interrupt does.
    if (result.error().kind == ContractError::Interrupted) h.exec().MarkInterrupted();
    return std::unexpected(Host::Fail(result.error().kind, result.error().message));
  }
  PHAT_TRY_VOID(h.WriteOutput(h.I32(3), h.I32(4), result->output, /*allow_skip=*/true));
  h.Return(result->status);
  return {};
}

// ---- What phat does not have: runtime calls and XCM fail with their codes ----

HostResult seal0_call_runtime(Host& h) {
  h.Return(kCallRuntimeFailed);
  return {};
}
HostResult seal0_xcm_execute(Host& h) {
  h.Return(kXcmExecutionFailed);
  return {};
}
HostResult seal0_xcm_send(Host& h) {
  h.Return(kXcmSendFailed);
  return {};
}
HostResult seal0_delegate_dependency(Host& h) {
  // Pins code against removal in pallet-contracts; phat never removes code that is in use.
  PHAT_TRY(h.ReadArray<32>(h.I32(0)));
  return {};
}

// ---- The table ----

enum HostFlags : uint32_t {
  kMutating = 1,  // refused in a read-only frame with StateChangeDenied
  kAlias = 2,     // also importable with a "seal_" prefix, as ink! 3 binaries import it
};

struct HostFunctionDef {
  std::string_view module;
  std::string_view name;
  std::string_view signature;  // parameters, ':', results; 'i' = i32, 'I' = i64
  uint32_t flags;
  uint64_t HostCosts::*cost;  // charged on entry besides host_call; null for none
  HostResult (*body)(Host&);
};

constexpr auto kNoCost = static_cast<uint64_t HostCosts::*>(nullptr);

constexpr HostFunctionDef kHostFunctions[] = {
    // clang-format off
    {"seal0", "input",                "ii:",            kAlias,             kNoCost,                    seal0_input},
    {"seal0", "seal_return",          "iii:",           0,                  kNoCost,                    seal0_seal_return},
    {"seal0", "get_storage",          "iii:i",          kAlias,             &HostCosts::storage_read,   seal0_get_storage},
    {"seal1", "get_storage",          "iiii:i",         kAlias,             &HostCosts::storage_read,   seal1_get_storage},
    {"seal0", "set_storage",          "iii:",           kAlias | kMutating, &HostCosts::storage_write,  seal0_set_storage},
    {"seal1", "set_storage",          "iii:i",          kAlias | kMutating, &HostCosts::storage_write,  seal1_set_storage},
    {"seal2", "set_storage",          "iiii:i",         kAlias | kMutating, &HostCosts::storage_write,  seal2_set_storage},
    {"seal0", "clear_storage",        "i:",             kAlias | kMutating, &HostCosts::storage_write,  seal0_clear_storage},
    {"seal1", "clear_storage",        "ii:i",           kAlias | kMutating, &HostCosts::storage_write,  seal1_clear_storage},
    {"seal0", "contains_storage",     "i:i",            kAlias,             &HostCosts::storage_read,   seal0_contains_storage},
    {"seal1", "contains_storage",     "ii:i",           kAlias,             &HostCosts::storage_read,   seal1_contains_storage},
    {"seal0", "take_storage",         "iiii:i",         kAlias | kMutating, &HostCosts::storage_write,  seal0_take_storage},
    {"seal0", "caller",               "ii:",            kAlias,             kNoCost,                    seal0_caller},
    {"seal0", "address",              "ii:",            kAlias,             kNoCost,                    seal0_address},
    {"seal0", "value_transferred",    "ii:",            kAlias,             kNoCost,                    seal0_value_transferred},
    {"seal0", "balance",              "ii:",            kAlias,             kNoCost,                    seal0_balance},
    {"seal0", "minimum_balance",      "ii:",            kAlias,             kNoCost,                    seal0_minimum_balance},
    {"seal0", "now",                  "ii:",            kAlias,             kNoCost,                    seal0_now},
    {"seal0", "block_number",         "ii:",            kAlias,             kNoCost,                    seal0_block_number},
    {"seal0", "gas_left",             "ii:",            kAlias,             kNoCost,                    seal0_gas_left},
    {"seal0", "weight_to_fee",        "Iii:",           kAlias,             kNoCost,                    seal0_weight_to_fee},
    {"seal0", "own_code_hash",        "ii:",            kAlias,             kNoCost,                    seal0_own_code_hash},
    {"seal0", "caller_is_origin",     ":i",             kAlias,             kNoCost,                    seal0_caller_is_origin},
    {"seal0", "caller_is_root",       ":i",             0,                  kNoCost,                    seal0_caller_is_root},
    {"seal0", "is_contract",          "i:i",            kAlias,             kNoCost,                    seal0_is_contract},
    {"seal0", "code_hash",            "iii:i",          kAlias,             kNoCost,                    seal0_code_hash},
    {"seal0", "deposit_event",        "iiii:",          kAlias | kMutating, &HostCosts::deposit_event,  seal0_deposit_event},
    {"seal0", "debug_message",        "ii:i",           kAlias,             kNoCost,                    seal0_debug_message},
    {"seal0", "hash_blake2_256",      "iii:",           kAlias,             &HostCosts::hash_base,      Hash<crypto::Blake2b256>},
    {"seal0", "hash_blake2_128",      "iii:",           kAlias,             &HostCosts::hash_base,      Hash<crypto::Blake2b128>},
    {"seal0", "hash_sha2_256",        "iii:",           kAlias,             &HostCosts::hash_base,      Hash<crypto::Sha256>},
    {"seal0", "hash_keccak_256",      "iii:",           kAlias,             &HostCosts::hash_base,      Hash<crypto::Keccak256>},
    {"seal0", "ecdsa_recover",        "iii:i",          kAlias,             &HostCosts::ecdsa_recover,  seal0_ecdsa_recover},
    {"seal0", "sr25519_verify",       "iiii:i",         kAlias,             &HostCosts::sr25519_verify, seal0_sr25519_verify},
    {"seal0", "ecdsa_to_eth_address", "ii:i",           kAlias,             &HostCosts::ecdsa_recover,  seal0_ecdsa_to_eth_address},
    {"seal0", "transfer",             "iiii:i",         kAlias | kMutating, &HostCosts::transfer,       seal0_transfer},
    {"seal0", "call",                 "iiIiiiiii:i",    kAlias,             kNoCost,                    seal0_call},
    {"seal1", "call",                 "iiIiiiii:i",     kAlias,             kNoCost,                    seal1_call},
    {"seal2", "call",                 "iiIIiiiiii:i",   0,                  kNoCost,                    seal2_call},
    {"seal0", "delegate_call",        "iiiiii:i",       kAlias,             kNoCost,                    seal0_delegate_call},
    {"seal0", "instantiate",          "iiIiiiiiiiiii:i", kAlias | kMutating, kNoCost,                   seal0_instantiate},
    {"seal1", "instantiate",          "iIiiiiiiiii:i",  kAlias | kMutating, kNoCost,                    seal1_instantiate},
    {"seal2", "instantiate",          "iIIiiiiiiiiii:i", kMutating,         kNoCost,                    seal2_instantiate},
    {"seal0", "terminate",            "ii:",            kAlias | kMutating, &HostCosts::terminate,      seal0_terminate},
    {"seal1", "terminate",            "i:",             kAlias | kMutating, &HostCosts::terminate,      seal1_terminate},
    {"seal0", "set_code_hash",        "i:i",            kAlias | kMutating, &HostCosts::set_code_hash,  seal0_set_code_hash},
    {"seal0", "call_chain_extension", "iiiii:i",        kAlias,             &HostCosts::chain_extension, seal0_call_chain_extension},
    {"seal0", "call_runtime",         "ii:i",           kMutating,          kNoCost,                    seal0_call_runtime},
    {"seal0", "xcm_execute",          "ii:i",           kMutating,          kNoCost,                    seal0_xcm_execute},
    {"seal0", "xcm_send",             "iiii:i",         kMutating,          kNoCost,                    seal0_xcm_send},
    {"seal0", "lock_delegate_dependency",   "i:",       kMutating,          kNoCost,                    seal0_delegate_dependency},
    {"seal0", "unlock_delegate_dependency", "i:",       kMutating,          kNoCost,                    seal0_delegate_dependency},
    // clang-format on
};

wasm::FuncType ParseSignature(std::string_view signature) {
  wasm::FuncType type;
  auto* list = &type.params;
  for (char c : signature) {
    if (c == ':')
      list = &type.results;
    else
      list->push_back(c == 'I' ? wasm::ValType::I64 : wasm::ValType::I32);
  }
  return type;
}

// Registration, the read-only guard and the entry charge, for every row alike.
wasm::HostFunction Wrap(const HostFunctionDef& def) {
  return [&def](wasm::HostCall& call) -> HostResult {
    auto* frame = static_cast<Frame*>(call.user_data());
    if (frame == nullptr) return std::unexpected(HostFailure::Error("contract host function called outside a contract"));
    Host host(call, *frame);
    uint64_t cost = host.costs().host_call + (def.cost ? host.costs().*def.cost : 0);
    PHAT_TRY_VOID(host.Charge(cost));
    if ((def.flags & kMutating) && frame->read_only)
      return std::unexpected(Host::Fail(
          ContractError::StateChangeDenied,
          fmt::format("{}.{} changes state, in a read-only call", def.module, def.name)));
    return def.body(host);
  };
}

}  // namespace

const wasm::Linker& HostFunctions() {
  static const wasm::Linker* linker = [] {
    auto* l = new wasm::Linker();
    for (const HostFunctionDef& def : kHostFunctions) {
      wasm::Func* f = l->DefineFunc(def.module, def.name, ParseSignature(def.signature), Wrap(def));
      if (def.flags & kAlias) l->Define(def.module, "seal_" + std::string(def.name), wasm::Extern::Of(f));
    }
    return l;
  }();
  return *linker;
}

std::vector<HostFunctionName> HostFunctionNames() {
  std::vector<HostFunctionName> names;
  for (const HostFunctionDef& def : kHostFunctions) {
    names.push_back({def.module, std::string(def.name)});
    if (def.flags & kAlias) names.push_back({def.module, "seal_" + std::string(def.name)});
  }
  return names;
}

}  // namespace phat::contracts
