// A writer killed in the middle of applying batches leaves whole batches: the test forks a child
// that applies batches in a loop (each wipes a contract, rewrites a
// varying number of keys and records its sequence number in the metadata), kills it with SIGKILL
// while it writes, and checks the reopened database holds exactly the last batch that landed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "state/state_test_util.h"

namespace phat::state::testing {
namespace {

const AccountId kContract = Id(0x42);

size_t KeysIn(uint32_t seq) {
  return 16 + seq % 48;
}

StateChanges Batch(uint32_t seq) {
  StateChanges c;
  c.wiped.insert(kContract);
  for (size_t k = 0; k < KeysIn(seq); ++k) c.storage[{kContract, Le32(uint32_t(k))}] = Le32(seq);
  c.balances[Id(1)] = seq;
  c.contracts[Id(2)] = ContractInfo{Id(uint8_t(seq))};
  return c;
}

// The child: writes until it is killed, and creates the file "started" after its 50th batch so
// that the parent kills it mid-stream. Never returns.
[[noreturn]] void WriteUntilKilled(const std::string& path) {
  auto db = RocksDbState::Open(path);
  if (!db) std::_Exit(2);
  for (uint32_t seq = 1;; ++seq) {
    if (!(*db)->ApplyWithMeta(Batch(seq), {{"seq", Le32(seq)}})) std::_Exit(3);
    if (seq == 50) std::ofstream(path + "/../started") << "1";
  }
}

TEST(RocksDbCrashTest, AKilledWriterLeavesWholeBatches) {
  TempDir dir;
  std::string db_path = dir.Join("db");
  // Nothing in this process has opened RocksDB or started threads yet, so a plain fork is safe.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) WriteUntilKilled(db_path);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool started = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(dir.Join("started"))) {
      started = true;
      break;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) FAIL() << "the writer exited early: " << status;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(started) << "the writer did not reach batch 50 in time";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;

  auto db = MustOpen(db_path);
  ASSERT_TRUE(db);
  std::optional<Bytes> meta = db->GetMeta("seq");
  ASSERT_TRUE(meta && meta->size() == 4);
  uint32_t seq =
      uint32_t((*meta)[0]) | (*meta)[1] << 8 | (*meta)[2] << 16 | uint32_t((*meta)[3]) << 24;
  EXPECT_GE(seq, 50u);
  auto storage = db->StorageOf(kContract);
  EXPECT_EQ(storage.size(), KeysIn(seq)) << "at seq " << seq;
  for (const auto& [key, value] : storage) EXPECT_EQ(value, Le32(seq)) << ToHex(key);
  EXPECT_EQ(db->GetBalance(Id(1)), seq);
  EXPECT_EQ(db->GetContract(Id(2)), ContractInfo{Id(uint8_t(seq))});
}

}  // namespace
}  // namespace phat::state::testing
