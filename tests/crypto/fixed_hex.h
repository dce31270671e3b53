// A test helper of the crypto tests: a fixed-size value from hex, failing the test on bad hex.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "phat/base/bytes.h"

namespace phat::crypto {

template <size_t N>
std::array<uint8_t, N> Fixed(std::string_view hex) {
  auto bytes = FixedFromHex<N>(hex);
  EXPECT_TRUE(bytes) << hex;
  return bytes.value_or(std::array<uint8_t, N>{});
}

}  // namespace phat::crypto
