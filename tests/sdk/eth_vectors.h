// The Ethereum vectors ethers wrote for this test run (tests/sdk/eth_vectors.mjs, run by the
// sdk_eth_vectors test first), read once.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

inline const nlohmann::json& EthVectors() {
  static const nlohmann::json vectors = [] {
    std::ifstream in(PHAT_ETH_VECTORS);
    EXPECT_TRUE(in) << "cannot read " << PHAT_ETH_VECTORS
                    << " (the sdk_eth_vectors test writes it)";
    return in ? nlohmann::json::parse(in) : nlohmann::json::object();
  }();
  return vectors;
}
