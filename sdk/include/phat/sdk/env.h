// The contract's view of the chain, in `phat::sdk::env`: who called and with how much, the
// contract's own account, time, hashing, raw storage, transfers, calls to other contracts,
// instantiation, chain extensions, debug messages, returning and terminating. Each is a thin
// typed wrapper over a host function (host.h) that encodes and decodes through the SDK's one
// static buffer (memory.h); none keeps that buffer past its return.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/hash.h"
#include "phat/sdk/host.h"
#include "phat/sdk/memory.h"
#include "phat/sdk/scale.h"
#include "phat/sdk/types.h"

namespace phat::sdk {

// ReturnFlags of seal_return (ABI.md §2).
inline constexpr u32 kRevert = 1;
// The longest storage key pallet-contracts accepts (MaxStorageKeyLen).
inline constexpr u32 kMaxStorageKeyLen = 128;

// Why a call to the host about another contract or account failed. The numbers below 100 are
// pallet-contracts' ReturnErrorCode.
enum class EnvError : u32 {
  kCalleeTrapped = 1,
  kCalleeReverted = 2,
  kTransferFailed = 5,
  kCodeNotFound = 7,
  kNotCallable = 8,
  kCouldNotReadInput = 100,  // the callee answered Err(LangError::CouldNotReadInput)
  kDecodeFailed = 101,       // the callee's answer did not decode as the expected type
  kOther = 102,
};

namespace env {
namespace internal {

inline EnvError FromReturnCode(u32 code) {
  switch (code) {
    case 1:
    case 2:
    case 5:
    case 7:
    case 8:
      return static_cast<EnvError>(code);
    default:
      return EnvError::kOther;
  }
}

// Reads a fixed-size value that a host function writes through (out, out_len).
template <class T, class Fn>
T ReadValue(Fn host_fn) {
  u8 buffer[32];
  u32 len = sizeof(buffer);
  host_fn(buffer, &len);
  T value{};
  if (!DecodeAll(buffer, len, value)) Trap();
  return value;
}

// Encodes into the static buffer; a value larger than it is a trap, as in ink!.
template <class Fn>
u32 EncodeToStatic(Fn encode) {
  Writer w(StaticBuffer(), kStaticBufferSize);
  encode(w);
  if (w.overflowed()) Trap();
  return static_cast<u32>(w.size());
}

}  // namespace internal

// ---- who, what, when ----
inline AccountId Caller() {
  return internal::ReadValue<AccountId>(host::phat_seal0_caller);
}
inline AccountId Address() {
  return internal::ReadValue<AccountId>(host::phat_seal0_address);
}
inline sdk::Balance ValueTransferred() {
  return internal::ReadValue<sdk::Balance>(host::phat_seal0_value_transferred);
}
// The contract's own free balance.
inline sdk::Balance Balance() {
  return internal::ReadValue<sdk::Balance>(host::phat_seal0_balance);
}
inline sdk::Balance MinimumBalance() {
  return internal::ReadValue<sdk::Balance>(host::phat_seal0_minimum_balance);
}
// Milliseconds since the Unix epoch, of the block the call runs in.
inline Timestamp BlockTimestamp() {
  return internal::ReadValue<Timestamp>(host::phat_seal0_now);
}
inline sdk::BlockNumber BlockNumber() {
  return internal::ReadValue<sdk::BlockNumber>(host::phat_seal0_block_number);
}
inline u64 GasLeft() {
  return internal::ReadValue<u64>(host::phat_seal0_gas_left);
}
inline Hash OwnCodeHash() {
  return internal::ReadValue<Hash>(host::phat_seal0_own_code_hash);
}
// The code hash of a contract; None if `account` is not one.
inline Option<Hash> CodeHash(const AccountId& account) {
  Hash hash;
  u32 len = 32;
  if (host::phat_seal0_code_hash(account.data(), hash.data(), &len) != host::kSuccess) return None;
  return hash;
}
inline bool IsContract(const AccountId& account) {
  return host::phat_seal0_is_contract(account.data()) != 0;
}
inline bool CallerIsOrigin() {
  return host::phat_seal0_caller_is_origin() != 0;
}

// ---- hashing, by the host ----
inline Hash HashBlake2b256(const u8* data, u32 len) {
  Hash out;
  host::phat_seal0_hash_blake2_256(data, len, out.data());
  return out;
}
inline Array<u8, 16> HashBlake2b128(const u8* data, u32 len) {
  Array<u8, 16> out;
  host::phat_seal0_hash_blake2_128(data, len, out.data());
  return out;
}
inline Hash HashSha2_256(const u8* data, u32 len) {
  Hash out;
  host::phat_seal0_hash_sha2_256(data, len, out.data());
  return out;
}
inline Hash HashKeccak256(const u8* data, u32 len) {
  Hash out;
  host::phat_seal0_hash_keccak_256(data, len, out.data());
  return out;
}

// The Ethereum address of a compressed secp256k1 public key (the last 20 bytes of keccak-256 of
// the uncompressed key); None if the 33 bytes are not a point of the curve.
inline Option<Array<u8, 20>> EcdsaToEthAddress(const Array<u8, 33>& public_key) {
  Array<u8, 20> address;
  if (host::phat_seal0_ecdsa_to_eth_address(public_key.data(), address.data()) != host::kSuccess) {
    return None;
  }
  return address;
}

// ---- raw storage: encoded key → encoded value ----

// Reads the value at `key` into the static buffer; None if there is none.
inline Option<u32> ReadStorage(const u8* key, u32 key_len) {
  u32 len = kStaticBufferSize;
  u32 code = host::phat_seal1_get_storage(key, key_len, StaticBuffer(), &len);
  if (code == host::kKeyNotFound) return None;
  if (code != host::kSuccess) Trap();
  return len;
}
// Decodes what is stored at `key` as T; a value that does not decode exactly is a trap (ink! 5
// decodes storage with decode_all).
template <class T>
Option<T> GetStorage(const u8* key, u32 key_len) {
  Option<u32> len = ReadStorage(key, key_len);
  if (!len) return None;
  T value{};
  if (!DecodeAll(StaticBuffer(), *len, value)) Trap();
  return value;
}
// Stores SCALE(value) at `key`; returns the size of the value it replaced, if any.
template <class T>
Option<u32> SetStorage(const u8* key, u32 key_len, const T& value) {
  u32 len = internal::EncodeToStatic([&](Writer& w) { Encode(w, value); });
  u32 old = host::phat_seal2_set_storage(key, key_len, StaticBuffer(), len);
  if (old == host::kNoValue) return None;
  return old;
}
inline Option<u32> ClearStorage(const u8* key, u32 key_len) {
  u32 old = host::phat_seal1_clear_storage(key, key_len);
  if (old == host::kNoValue) return None;
  return old;
}
inline Option<u32> ContainsStorage(const u8* key, u32 key_len) {
  u32 size = host::phat_seal1_contains_storage(key, key_len);
  if (size == host::kNoValue) return None;
  return size;
}
template <class T>
Option<T> TakeStorage(const u8* key, u32 key_len) {
  u32 len = kStaticBufferSize;
  u32 code = host::phat_seal0_take_storage(key, key_len, StaticBuffer(), &len);
  if (code == host::kKeyNotFound) return None;
  if (code != host::kSuccess) Trap();
  T value{};
  if (!DecodeAll(StaticBuffer(), len, value)) Trap();
  return value;
}

// ---- balance transfer ----
inline Result<void, EnvError> Transfer(const AccountId& to, sdk::Balance value) {
  u8 encoded[16];
  Writer w(encoded, sizeof(encoded));
  Encode(w, value);
  u32 code = host::phat_seal0_transfer(to.data(), 32, encoded, sizeof(encoded));
  if (code != host::kSuccess) return Err(internal::FromReturnCode(code));
  return Ok();
}

// ---- debugging and the end of a contract ----
// Appended to the call's debug buffer, which only dry runs (queries) show.
inline void DebugMessage(const char* text) {
  host::phat_seal0_debug_message(reinterpret_cast<const u8*>(text), static_cast<u32>(StrLen(text)));
}
// Removes the contract and sends its balance to `beneficiary`. Does not return.
[[noreturn]] inline void Terminate(const AccountId& beneficiary) {
  host::phat_seal1_terminate(beneficiary.data());
}
// Ends the call with `flags` and SCALE(value) as its output. Does not return.
template <class T>
[[noreturn]] void Return(u32 flags, const T& value) {
  u32 len = internal::EncodeToStatic([&](Writer& w) { Encode(w, value); });
  host::phat_seal0_seal_return(flags, StaticBuffer(), len);
}

// ---- chain extensions (ABI.md §6) ----
struct ChainExtensionOutput {
  u32 status = 0;  // the extension's own return value
  Bytes output;
};
// id = (extension << 16) | function. `input` is the SCALE of the function's arguments.
inline ChainExtensionOutput CallChainExtension(u32 id, const u8* input, u32 input_len) {
  u8* out = StaticBuffer();
  u32 len = kStaticBufferSize;
  ChainExtensionOutput result;
  result.status = host::phat_seal0_call_chain_extension(id, input, input_len, out, &len);
  result.output = Bytes(out, len);
  return result;
}
inline ChainExtensionOutput CallChainExtension(u32 id, const Bytes& input) {
  return CallChainExtension(id, input.data(), input.size());
}
// The same with the output written to `out`, for answers that may not fit the static buffer (an
// HTTP response): *out_len is the capacity going in and the output's length coming back. The host
// never truncates: an output larger than the capacity fails the call with OutputBufferTooSmall,
// and the contract does not learn the size it would have needed.
inline u32 CallChainExtensionInto(u32 id, const u8* input, u32 input_len, u8* out, u32* out_len) {
  return host::phat_seal0_call_chain_extension(id, input, input_len, out, out_len);
}

// ---- calling and instantiating other contracts ----

// Limits and payment for a call or instantiation. Zero limits mean "all that is left", as in
// pallet-contracts; the storage deposit is not limited.
struct CallOptions {
  sdk::Balance value = 0;
  u64 ref_time_limit = 0;
  u64 proof_size_limit = 0;
  u32 flags = 0;  // CallFlags (ABI.md §2); calls only
};

// Calls the message `selector` of `callee` with the SCALE-encoded `args`, and decodes its answer,
// an ink! MessageResult<R> (ABI.md §3). A callee that reverted still answered, so its answer is
// decoded as well: a message returning Result<T, E> gives Ok(Err(e)) here, as in ink!.
template <class R, class... Args>
Result<R, EnvError> CallContract(const AccountId& callee, Selector selector,
                                 const CallOptions& options, const Args&... args) {
  u32 in_len = internal::EncodeToStatic([&](Writer& w) {
    w.Put(selector.bytes, 4);
    (Encode(w, args), ...);
  });
  u8 value[16];
  Writer vw(value, sizeof(value));
  Encode(vw, options.value);
  u8* out = StaticBuffer() + in_len;  // the answer goes after the input
  u32 out_len = kStaticBufferSize - in_len;
  u32 code = host::phat_seal2_call(options.flags, callee.data(), options.ref_time_limit,
                                   options.proof_size_limit, host::kSentinel, value, StaticBuffer(),
                                   in_len, out, &out_len);
  if (code != host::kSuccess && code != 2) return Err(internal::FromReturnCode(code));
  Result<R, u8> answer;  // MessageResult<R>: Err carries the LangError's index
  if (!DecodeAll(out, out_len, answer)) return Err(EnvError::kDecodeFailed);
  if (answer.is_err()) return Err(EnvError::kCouldNotReadInput);
  return Ok(Move(answer.value()));
}
template <class R, class... Args>
Result<R, EnvError> CallContract(const AccountId& callee, Selector selector, const Args&... args) {
  return CallContract<R>(callee, selector, CallOptions{}, args...);
}

// Instantiates the uploaded code `code_hash` with its constructor `selector` and `args`; the new
// contract's address on success. A constructor that reverted gives kCalleeReverted.
template <class... Args>
Result<AccountId, EnvError> Instantiate(const Hash& code_hash, Selector selector, const Bytes& salt,
                                        const CallOptions& options, const Args&... args) {
  u32 in_len = internal::EncodeToStatic([&](Writer& w) {
    w.Put(selector.bytes, 4);
    (Encode(w, args), ...);
  });
  u8 value[16];
  Writer vw(value, sizeof(value));
  Encode(vw, options.value);
  AccountId address;
  u32 address_len = 32;
  u8* out = StaticBuffer() + in_len;
  u32 out_len = kStaticBufferSize - in_len;
  u32 code = host::phat_seal2_instantiate(code_hash.data(), options.ref_time_limit,
                                          options.proof_size_limit, host::kSentinel, value,
                                          StaticBuffer(), in_len, address.data(), &address_len, out,
                                          &out_len, salt.data(), salt.size());
  if (code != host::kSuccess) return Err(internal::FromReturnCode(code));
  // ConstructorResult: 00 = Ok, then the constructor's own result.
  if (out_len == 0 || out[0] != 0) return Err(EnvError::kCouldNotReadInput);
  return Ok(address);
}
template <class... Args>
Result<AccountId, EnvError> Instantiate(const Hash& code_hash, Selector selector, const Bytes& salt,
                                        const Args&... args) {
  return Instantiate(code_hash, selector, salt, CallOptions{}, args...);
}

}  // namespace env
}  // namespace phat::sdk
