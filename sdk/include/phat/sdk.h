// phat's C++ contract SDK: everything a contract includes. See sdk/README.md.
//
// A contract is one .cc file built twice: for wasm32 (the contract; PHAT_CONTRACT defines its
// `deploy` and `call`) and natively with -DPHAT_SDK_METADATA (a program that prints its ink! v5
// metadata). cmake/Contracts.cmake's phat_add_contract does both.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/contract.h"
#include "phat/sdk/env.h"
#include "phat/sdk/eth/abi.h"
#include "phat/sdk/eth/address.h"
#include "phat/sdk/eth/keys.h"
#include "phat/sdk/eth/rlp.h"
#include "phat/sdk/eth/rpc.h"
#include "phat/sdk/eth/tx.h"
#include "phat/sdk/eth/u256.h"
#include "phat/sdk/event.h"
#include "phat/sdk/hash.h"
#include "phat/sdk/hex.h"
#include "phat/sdk/json.h"
#include "phat/sdk/memory.h"
#include "phat/sdk/pink.h"
#include "phat/sdk/reflect.h"
#include "phat/sdk/scale.h"
#include "phat/sdk/storage.h"
#include "phat/sdk/types.h"

#ifdef PHAT_SDK_METADATA
#include "phat/sdk/metadata.h"
#endif
