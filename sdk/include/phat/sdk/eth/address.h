// Address: an Ethereum account's 20 bytes (the last 20 bytes of keccak-256 of its uncompressed
// public key; keys.h). Its own type, so that it is not mixed up with other byte arrays. Plain
// value; no state.
#pragma once

#include "phat/sdk/base.h"
#include "phat/sdk/reflect.h"

namespace phat::sdk::eth {

// An Ethereum address: 20 bytes. SCALE encodes it as the 20 bytes, and its metadata is that of
// primitive-types' H160 (metadata.h), so tools take and show it as 0x + 40 hex digits.
struct Address {
  Array<u8, 20> bytes{};
  constexpr u8* data() { return bytes.data(); }
  constexpr const u8* data() const { return bytes.data(); }
  friend constexpr bool operator==(const Address& a, const Address& b) {
    return a.bytes == b.bytes;
  }
  PHAT_FIELDS(Address, bytes);
};

}  // namespace phat::sdk::eth
