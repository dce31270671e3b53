// Small helpers the node and pink benchmarks share.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "phat/base/bytes.h"

namespace phat::bench {

inline std::string Hex0x(ByteView bytes) {
  return "0x" + ToHex(bytes);
}

// Milliseconds since the Unix epoch, for query and session expiries.
inline uint64_t WallMs() {
  return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}

}  // namespace phat::bench
