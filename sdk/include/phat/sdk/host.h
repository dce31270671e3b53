// The host functions of pallet-contracts a contract may import, in one table: module, name,
// attributes, return type and parameters, exactly as ink! 4/5 import them (ABI.md §2). Pointers
// and lengths are i32 in Wasm; "i64 gas" parameters are u64.
//
// In the wasm32 build each row becomes an import (`import_module`/`import_name`); wasm-ld keeps
// only those a contract calls. In the native metadata build (PHAT_SDK_METADATA) nothing calls
// them, but the contract's code still refers to them, so each row becomes a stub that traps.
// Everything else in the SDK calls these through env.h, never directly.
#pragma once

#include "phat/sdk/base.h"

#define PHAT_SDK_NORETURN __attribute__((noreturn))

// X(module, name, attributes, return type, (parameters))
#define PHAT_SDK_HOST_FUNCTIONS(X)                                                                 \
  X(seal0, input, , void, (u8 * out, u32 * out_len))                                               \
  X(seal0, seal_return, PHAT_SDK_NORETURN, void, (u32 flags, const u8* data, u32 len))             \
  X(seal1, get_storage, , u32, (const u8* key, u32 key_len, u8* out, u32* out_len))                \
  X(seal2, set_storage, , u32, (const u8* key, u32 key_len, const u8* value, u32 value_len))       \
  X(seal1, clear_storage, , u32, (const u8* key, u32 key_len))                                     \
  X(seal1, contains_storage, , u32, (const u8* key, u32 key_len))                                  \
  X(seal0, take_storage, , u32, (const u8* key, u32 key_len, u8* out, u32* out_len))               \
  X(seal0, caller, , void, (u8 * out, u32 * out_len))                                              \
  X(seal0, address, , void, (u8 * out, u32 * out_len))                                             \
  X(seal0, value_transferred, , void, (u8 * out, u32 * out_len))                                   \
  X(seal0, balance, , void, (u8 * out, u32 * out_len))                                             \
  X(seal0, minimum_balance, , void, (u8 * out, u32 * out_len))                                     \
  X(seal0, now, , void, (u8 * out, u32 * out_len))                                                 \
  X(seal0, block_number, , void, (u8 * out, u32 * out_len))                                        \
  X(seal0, gas_left, , void, (u8 * out, u32 * out_len))                                            \
  X(seal0, own_code_hash, , void, (u8 * out, u32 * out_len))                                       \
  X(seal0, code_hash, , u32, (const u8* account, u8* out, u32* out_len))                           \
  X(seal0, is_contract, , u32, (const u8* account))                                                \
  X(seal0, caller_is_origin, , u32, ())                                                            \
  X(seal0, deposit_event, , void,                                                                  \
    (const u8* topics, u32 topics_len, const u8* data, u32 data_len))                              \
  X(seal0, hash_blake2_256, , void, (const u8* in, u32 in_len, u8* out))                           \
  X(seal0, hash_blake2_128, , void, (const u8* in, u32 in_len, u8* out))                           \
  X(seal0, hash_sha2_256, , void, (const u8* in, u32 in_len, u8* out))                             \
  X(seal0, hash_keccak_256, , void, (const u8* in, u32 in_len, u8* out))                           \
  X(seal0, ecdsa_to_eth_address, , u32, (const u8* public_key, u8* out))                           \
  X(seal0, transfer, , u32, (const u8* account, u32 account_len, const u8* value, u32 value_len))  \
  X(seal2, call, , u32,                                                                            \
    (u32 flags, const u8* callee, u64 ref_time, u64 proof_size, const u8* deposit,                 \
     const u8* value, const u8* in, u32 in_len, u8* out, u32* out_len))                            \
  X(seal2, instantiate, , u32,                                                                     \
    (const u8* code_hash, u64 ref_time, u64 proof_size, const u8* deposit, const u8* value,        \
     const u8* in, u32 in_len, u8* address, u32* address_len, u8* out, u32* out_len,               \
     const u8* salt, u32 salt_len))                                                                \
  X(seal0, call_chain_extension, , u32, (u32 id, const u8* in, u32 in_len, u8* out, u32* out_len)) \
  X(seal0, debug_message, , u32, (const u8* text, u32 len))                                        \
  X(seal1, terminate, PHAT_SDK_NORETURN, void, (const u8* beneficiary))

namespace phat::sdk::host {

// A pointer argument the host must ignore ("skip output", "no deposit limit").
inline u8* const kSentinel = reinterpret_cast<u8*>(static_cast<uintptr_t>(0xffffffffu));
// ReturnErrorCode (ABI.md §2).
inline constexpr u32 kSuccess = 0;
inline constexpr u32 kKeyNotFound = 3;
inline constexpr u32 kNoValue = 0xffffffffu;  // set/clear/contains_storage: no previous value

// Each row becomes host::phat_<module>_<name>.
#ifdef PHAT_SDK_METADATA
#define PHAT_SDK_DECLARE_HOST(module, name, attributes, ret, params) \
  attributes inline ret phat_##module##_##name params {              \
    Trap();                                                          \
  }
#else
#define PHAT_SDK_DECLARE_HOST(module, name, attributes, ret, params) \
  extern "C" __attribute__((import_module(#module),                  \
                            import_name(#name))) attributes ret phat_##module##_##name params;
#endif
PHAT_SDK_HOST_FUNCTIONS(PHAT_SDK_DECLARE_HOST)
#undef PHAT_SDK_DECLARE_HOST

}  // namespace phat::sdk::host
