// A real crash: a child process appends batches as fast as it can and reports each acknowledged
// last index through a pipe; the parent kills it with SIGKILL at a random moment, reopens the log
// and checks that every acknowledged record is there, intact, and that whatever else survived is
// whole batches of the right bytes. Several rounds on the same directory, across segment files.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "ledger/fault_env.h"
#include "phat/ledger/embedded_log.h"

namespace phat::ledger {
namespace {

using testing::RecordFor;
using testing::TempDir;

EmbeddedLog::Options CrashOptions() {
  EmbeddedLog::Options options;
  options.segment_bytes = 64 << 10;  // roll over every few hundred records
  return options;
}

// The child: append until killed. Never returns.
[[noreturn]] void AppendForever(const std::string& dir, int out, uint64_t seed) {
  auto log = EmbeddedLog::Open(dir, CrashOptions());
  if (!log) _exit(2);
  std::mt19937_64 rng(seed);
  while (true) {
    uint64_t next = (*log)->LastIndex() + 1;
    std::vector<Bytes> batch;
    for (size_t i = 0, n = 1 + rng() % 8; i < n; ++i) batch.push_back(RecordFor(next + i));
    auto first = (*log)->Append(batch);
    if (!first || *first != next) _exit(3);
    uint64_t acknowledged = next + batch.size() - 1;
    // 8 bytes < PIPE_BUF: the write is atomic.
    if (write(out, &acknowledged, sizeof acknowledged) != sizeof acknowledged) _exit(4);
  }
}

TEST(CrashTest, SigkillLosesNoAcknowledgedRecord) {
  TempDir dir;
  std::mt19937_64 rng(std::random_device{}());
  uint64_t acknowledged = 0;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      AppendForever(dir.path(), fds[1], rng());
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng() % 250));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child stopped by itself, status " << status;

    uint64_t value = 0, reports = 0;
    while (read(fds[0], &value, sizeof value) == sizeof value) {
      EXPECT_GT(value, acknowledged);
      acknowledged = value;
      ++reports;
    }
    close(fds[0]);
    EXPECT_GT(reports, 0u) << "the child acknowledged nothing before it was killed";

    auto log = EmbeddedLog::Open(dir.path(), CrashOptions());
    ASSERT_TRUE(log) << log.error().ToString();
    uint64_t last = (*log)->LastIndex();
    ASSERT_GE(last, acknowledged);
    // A killed process loses nothing that reached the page cache; the one batch it may have
    // been writing is the only thing that could be missing, and it was not acknowledged.
    auto entries = (*log)->Read(1, SIZE_MAX, SIZE_MAX);
    ASSERT_TRUE(entries) << entries.error().ToString();
    ASSERT_EQ(entries->size(), last);
    for (uint64_t i = 0; i < last; ++i) {
      ASSERT_EQ((*entries)[i].index, i + 1);
      ASSERT_EQ((*entries)[i].data, RecordFor(i + 1)) << "record " << i + 1;
    }
    acknowledged = last;
  }
}

}  // namespace
}  // namespace phat::ledger
