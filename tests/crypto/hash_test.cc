// Hashes against published vectors, and the ink! facts phat relies on (ABI.md §3-5): message
// selectors, event signature topics and storage root keys.
#include "phat/crypto/hash.h"

#include <gtest/gtest.h>

namespace phat::crypto {
namespace {

TEST(Blake2b, PublishedVectors) {
  EXPECT_EQ(ToHex(Blake2b256(AsBytes(""))),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(ToHex(Blake2b256(AsBytes("abc"))),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  // The digest length is a BLAKE2b parameter: 128 is not the first half of 256.
  EXPECT_EQ(ToHex(Blake2b128(AsBytes(""))), "cae66941d9efbd404e4d88758ea67670");
  EXPECT_EQ(ToHex(Blake2b128(AsBytes("abc"))), "cf4ab791c62b8d2b2109c90275287816");
}

TEST(Blake2b, InkSelectorsAndEventTopics) {
  auto selector = [](std::string_view label) {
    return ToHex(Blake2b256(AsBytes(label))).substr(0, 8);
  };
  EXPECT_EQ(selector("flip"), "633aa551");
  EXPECT_EQ(selector("new"), "9bae9d5e");
  EXPECT_EQ(selector("get"), "2f865bd9");
  EXPECT_EQ(selector("Transfer(Option<AccountId>,Option<AccountId>,Balance)"), "b5b61a3e");
}

TEST(Sha256, PublishedVectors) {
  EXPECT_EQ(ToHex(Sha256(AsBytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Keccak256, PublishedVectorsNotSha3) {
  EXPECT_EQ(ToHex(Keccak256(AsBytes(""))),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(ToHex(Keccak256(AsBytes("abc"))),
            "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  // SHA3-256("") for contrast: the padding differs, so must the digest.
  EXPECT_NE(ToHex(Keccak256(AsBytes(""))),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST(Keccak256, LongInputCrossesTheRateBoundary) {
  // 136 bytes is Keccak-256's rate: one full block, then a padding block.
  Bytes block(136, 'a');
  Hash256 whole = Keccak256(block);
  EXPECT_NE(whole, Keccak256(ByteView(block).first(135)));
  EXPECT_EQ(whole, Keccak256(Bytes(136, 'a')));
}

TEST(XxHash, PublishedVectorsAndInkRootKeys) {
  EXPECT_EQ(Xxh32(AsBytes("")), 0x02cc5d05u);
  EXPECT_EQ(Xxh32(AsBytes("Erc20::balances"), 0), 0x2623dce7u);
  EXPECT_NE(Xxh32(AsBytes("Erc20::balances"), 1), 0x2623dce7u);
  // xxh64("") = 0xef46db3751d8e999, written little-endian.
  EXPECT_EQ(ToHex(Twox64(AsBytes(""))), "99e9d85137db46ef");
  EXPECT_EQ(ToHex(Twox128(AsBytes(""))), "99e9d85137db46ef4bbea33613baafd5");
  // Substrate's storage prefix of System.Account.
  EXPECT_EQ(ToHex(Twox128(AsBytes("System"))), "26aa394eea5630e07c48ae0c9558cef7");
  EXPECT_EQ(ToHex(Twox128(AsBytes("Account"))), "b99d880ec681799c0cf30e8886371da9");
}

TEST(Hashes, EmptySpanWithNullData) {
  ByteView empty;
  EXPECT_EQ(Blake2b256(empty), Blake2b256(AsBytes("")));
  EXPECT_EQ(Keccak256(empty), Keccak256(AsBytes("")));
  EXPECT_EQ(Sha256(empty), Sha256(AsBytes("")));
  EXPECT_EQ(Xxh32(empty), Xxh32(AsBytes("")));
}

}  // namespace
}  // namespace phat::crypto
