// The chain end to end on disk: commands submitted, grouped into blocks, logged, applied and
// committed; everything still there after a reopen; the state rebuilt from the log alone reaches
// the same root; and a node killed with SIGKILL under load loses no acknowledged command.
#include "phat/ledger/chain.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "phat/crypto/ed25519.h"
#include "phat/crypto/hash.h"
#include "wasm/test_util.h"

namespace phat::ledger {
namespace {

namespace fs = std::filesystem;

const CodeHash kCluster = crypto::Blake2b256(AsBytes("chain test"));
const std::array<uint8_t, 32> kSeed = [] {
  std::array<uint8_t, 32> s;
  s.fill(0x5e);
  return s;
}();
const AccountId kAlice = crypto::Ed25519KeypairFromSeed(kSeed).public_key;
const AccountId kBob = [] {
  AccountId id;
  id.fill(0xbb);
  return id;
}();

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            fmt_name("phat-chain-", ::getpid(), counter_++);
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Join(const std::string& name) const { return (path_ / name).string(); }

 private:
  static std::string fmt_name(const char* prefix, int pid, int n) {
    return std::string(prefix) + std::to_string(pid) + "-" + std::to_string(n);
  }
  static inline int counter_ = 0;
  fs::path path_;
};

ChainConfig Config(const std::string& dir) {
  ChainConfig c;
  c.data_dir = dir;
  c.cluster_id = kCluster;
  c.genesis.balances[kAlice] = 1'000'000'000;
  return c;
}

Bytes Signed(uint64_t nonce, CommandBody body) {
  return codec::Encode(SignEd25519(kCluster, Command{kAlice, nonce, 100'000'000'000, std::move(body)}, kSeed));
}

Bytes CommandsWasm() {
  std::ifstream in(std::string(PHAT_CONTRACT_FIXTURES) + "/commands.wat");
  std::stringstream text;
  text << in.rdbuf();
  return wasm::testing::Wat2Wasm(text.str());
}

std::unique_ptr<Chain> MustOpen(ChainConfig config) {
  auto chain = Chain::Open(std::move(config));
  EXPECT_TRUE(chain) << chain.error();
  return chain ? std::move(*chain) : nullptr;
}

Receipt MustCommit(Chain& chain, Bytes command) {
  auto hash = chain.Submit(std::move(command));
  EXPECT_TRUE(hash) << hash.error().message;
  auto receipt = chain.WaitForReceipt(*hash, std::chrono::seconds(10));
  EXPECT_TRUE(receipt) << "no receipt";
  return receipt.value_or(Receipt{});
}

TEST(Chain, CommandsBecomeBlocksWithReceiptsThatSurviveAReopen) {
  TempDir dir;
  const Bytes wasm = CommandsWasm();
  const CodeHash code = crypto::Blake2b256(wasm);
  AccountId contract;
  ChainStatus before;
  {
    auto chain = MustOpen(Config(dir.Join("node")));
    ASSERT_TRUE(chain);
    EXPECT_EQ(MustCommit(*chain, Signed(0, UploadCode{wasm, true})).status, Receipt::Status::Success);
    Receipt deployed = MustCommit(*chain, Signed(1, InstantiateContract{code, 0, Bytes{'x'}, {}}));
    ASSERT_EQ(deployed.status, Receipt::Status::Success) << deployed.error;
    contract = *deployed.contract;
    EXPECT_EQ(MustCommit(*chain, Signed(2, CallContract{contract, 0, Bytes{1, 'y'}})).status,
              Receipt::Status::Success);
    before = chain->status();
    EXPECT_GE(before.height, 3u);
  }
  auto chain = MustOpen(Config(dir.Join("node")));
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->status().height, before.height);
  EXPECT_EQ(chain->status().state_root, before.state_root);
  EXPECT_EQ(chain->Snapshot()->GetStorage(contract, Bytes{0, 0, 0, 0}), Bytes{'y'});
  EXPECT_EQ(chain->Snapshot()->GetNonce(kAlice), 3u);
  // A replayed command is rejected: its nonce is used up.
  EXPECT_EQ(MustCommit(*chain, Signed(2, CallContract{contract, 0, Bytes{1, 'z'}})).status,
            Receipt::Status::Rejected);
}

TEST(Chain, TheStateRebuiltFromTheLogAloneReachesTheSameRoot) {
  TempDir dir;
  ChainStatus original;
  {
    auto chain = MustOpen(Config(dir.Join("node")));
    ASSERT_TRUE(chain);
    for (uint64_t n = 0; n < 20; ++n) MustCommit(*chain, Signed(n, TransferBalance{kBob, n + 1}));
    original = chain->status();
  }
  fs::remove_all(dir.Join("node/state"));
  auto chain = MustOpen(Config(dir.Join("node")));
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->status().height, original.height);
  EXPECT_EQ(chain->status().state_root, original.state_root);
  EXPECT_EQ(chain->Snapshot()->GetBalance(kBob), 20u * 21u / 2u);
}

TEST(Chain, BadCommandsAreRefusedAtTheDoor) {
  TempDir dir;
  auto chain = MustOpen(Config(dir.Join("node")));
  ASSERT_TRUE(chain);
  auto garbage = chain->Submit(Bytes{1, 2, 3});
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, SubmitError::Kind::Malformed);
  Bytes tampered = Signed(0, TransferBalance{kBob, 1});
  tampered[5] ^= 1;
  auto forged = chain->Submit(tampered);
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().kind, SubmitError::Kind::BadSignature);
  EXPECT_EQ(chain->status().queued, 0u);
}

TEST(Chain, ADataDirectoryOfAnotherClusterIsRefused) {
  TempDir dir;
  { ASSERT_TRUE(MustOpen(Config(dir.Join("node")))); }
  ChainConfig other = Config(dir.Join("node"));
  other.cluster_id = crypto::Blake2b256(AsBytes("another cluster"));
  auto chain = Chain::Open(other);
  ASSERT_FALSE(chain);
  EXPECT_NE(chain.error().find("holds the state of cluster"), std::string::npos) << chain.error();
}

// A child process runs a node and submits transfers as fast as it can, reporting the hash of
// each command once its receipt is committed; the parent kills it with SIGKILL mid-stream.
TEST(Chain, ANodeKilledUnderLoadLosesNoAcknowledgedCommand) {
  TempDir dir;
  const std::string node_dir = dir.Join("node");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();  // nothing here has threads or open databases yet
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    auto chain = Chain::Open(Config(node_dir));
    if (!chain) std::_Exit(2);
    for (uint64_t n = 0;; ++n) {
      auto hash = (*chain)->Submit(Signed(n, TransferBalance{kBob, 1}));
      if (!hash) std::_Exit(3);
      if (!(*chain)->WaitForReceipt(*hash, std::chrono::seconds(10))) std::_Exit(4);
      if (write(fds[1], hash->data(), 32) != 32) std::_Exit(5);
    }
  }
  close(fds[1]);
  std::vector<CodeHash> acknowledged;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(400);
  while (std::chrono::steady_clock::now() < until) {
    CodeHash hash;
    if (read(fds[0], hash.data(), 32) != 32) break;
    acknowledged.push_back(hash);
  }
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the node exited by itself: " << status;
  ASSERT_GT(acknowledged.size(), 5u);

  ChainStatus recovered;
  {
    auto chain = MustOpen(Config(node_dir));
    ASSERT_TRUE(chain);
    for (const CodeHash& hash : acknowledged) {
      auto receipt = chain->WaitForReceipt(hash, std::chrono::milliseconds(0));
      ASSERT_TRUE(receipt) << "lost command 0x" << ToHex(hash);
      EXPECT_EQ(receipt->status, Receipt::Status::Success);
    }
    recovered = chain->status();
    EXPECT_GE(chain->Snapshot()->GetBalance(kBob), acknowledged.size());
  }
  // The same log replayed into a fresh state reaches the same root.
  fs::remove_all(node_dir + "/state");
  auto replayed = MustOpen(Config(node_dir));
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->status().height, recovered.height);
  EXPECT_EQ(replayed->status().state_root, recovered.state_root);
}

}  // namespace
}  // namespace phat::ledger
