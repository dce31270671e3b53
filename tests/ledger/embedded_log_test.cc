// The embedded log's contract as the node sees it: round trips, dense indexes across batches,
// segments and reopens, read limits, TooLarge, Close, the directory lock, WaitFor, and many
// threads appending and reading at once.
#include "phat/ledger/embedded_log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

#include "ledger/fault_env.h"
#include "ledger/format.h"

namespace phat::ledger {
namespace {

using testing::RecordFor;
using testing::TempDir;
using namespace std::chrono_literals;

std::unique_ptr<EmbeddedLog> OpenOk(const std::string& dir, EmbeddedLog::Options options = {}) {
  auto log = EmbeddedLog::Open(dir, options);
  EXPECT_TRUE(log) << log.error().ToString();
  return log ? std::move(*log) : nullptr;
}

// Appends records RecordFor(first..first+n-1) as one batch and checks the index it got.
void AppendRecords(CommandLog& log, uint64_t first, size_t n) {
  std::vector<Bytes> batch;
  for (size_t i = 0; i < n; ++i) batch.push_back(RecordFor(first + i));
  auto index = log.Append(batch);
  ASSERT_TRUE(index) << index.error().ToString();
  EXPECT_EQ(*index, first);
}

// Every record from 1 to LastIndex(), in order, with the bytes RecordFor gives.
void ExpectAllRecords(const CommandLog& log, uint64_t last) {
  ASSERT_EQ(log.LastIndex(), last);
  auto entries = log.Read(1, SIZE_MAX, SIZE_MAX);
  ASSERT_TRUE(entries) << entries.error().ToString();
  ASSERT_EQ(entries->size(), last);
  for (uint64_t i = 0; i < last; ++i) {
    ASSERT_EQ((*entries)[i].index, i + 1);
    ASSERT_EQ((*entries)[i].data, RecordFor(i + 1)) << "record " << i + 1;
  }
}

size_t SegmentCount(const std::string& dir) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    n += format::ParseSegmentName(entry.path().filename().string()).has_value();
  return n;
}

TEST(EmbeddedLogTest, AppendsAndReadsBack) {
  TempDir dir;
  auto log = OpenOk(dir.path());
  ASSERT_TRUE(log);
  EXPECT_EQ(log->LastIndex(), 0u);
  auto empty = log->Read(1, 10, 1 << 20);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  AppendRecords(*log, 1, 1);
  AppendRecords(*log, 2, 5);
  AppendRecords(*log, 7, 3);
  ExpectAllRecords(*log, 9);

  auto middle = log->Read(4, 3, SIZE_MAX);
  ASSERT_TRUE(middle);
  ASSERT_EQ(middle->size(), 3u);
  EXPECT_EQ((*middle)[0], (LogEntry{4, RecordFor(4)}));
  EXPECT_EQ((*middle)[2], (LogEntry{6, RecordFor(6)}));
}

TEST(EmbeddedLogTest, EmptyRecordsAndEmptyBatches) {
  TempDir dir;
  auto log = OpenOk(dir.path());
  std::vector<Bytes> none;
  auto next = log->Append(none);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 1u);  // appends nothing
  EXPECT_EQ(log->LastIndex(), 0u);
  std::vector<Bytes> blanks = {Bytes{}, Bytes{}};
  ASSERT_EQ(log->Append(blanks).value_or(0), 1u);
  ASSERT_EQ(log->Append(none).value_or(0), 3u);
  log.reset();
  log = OpenOk(dir.path());
  auto entries = log->Read(1, 10, SIZE_MAX);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_TRUE((*entries)[1].data.empty());
}

TEST(EmbeddedLogTest, ReadLimits) {
  TempDir dir;
  auto log = OpenOk(dir.path());
  AppendRecords(*log, 1, 10);

  EXPECT_EQ(log->Read(1, 0, SIZE_MAX)->size(), 0u);
  EXPECT_EQ(log->Read(11, 5, SIZE_MAX)->size(), 0u);
  EXPECT_EQ(log->Read(1000, 5, SIZE_MAX)->size(), 0u);
  EXPECT_EQ(log->Read(0, 2, SIZE_MAX)->front().index, 1u);  // 0 reads from the start
  EXPECT_EQ(log->Read(1, 4, SIZE_MAX)->size(), 4u);
  EXPECT_EQ(log->Read(8, 100, SIZE_MAX)->size(), 3u);

  // The byte limit counts data; the first entry comes whatever its size.
  auto one = log->Read(3, 10, 0);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().index, 3u);
  size_t two = RecordFor(3).size() + RecordFor(4).size();
  EXPECT_EQ(log->Read(3, 10, two)->size(), 2u);
  EXPECT_EQ(log->Read(3, 10, two + RecordFor(5).size() - 1)->size(), 2u);
  EXPECT_EQ(log->Read(3, 10, two + RecordFor(5).size())->size(), 3u);
}

TEST(EmbeddedLogTest, DenseAcrossSegmentsAndReopens) {
  TempDir dir;
  EmbeddedLog::Options options;
  options.segment_bytes = 1024;  // a few records per segment
  uint64_t next = 1;
  for (int round = 0; round < 3; ++round) {
    auto log = OpenOk(dir.path(), options);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->recovery().truncated_bytes, 0u);
    ExpectAllRecords(*log, next - 1);
    for (size_t n : {1, 3, 7, 2, 12, 1, 5}) {
      AppendRecords(*log, next, n);
      next += n;
    }
    ExpectAllRecords(*log, next - 1);
    // Reads that start in every segment and cross into the next.
    for (uint64_t from = 1; from < next; from += 3) {
      auto entries = log->Read(from, 9, SIZE_MAX);
      ASSERT_TRUE(entries);
      ASSERT_EQ(entries->size(), std::min<uint64_t>(9, next - from));
      for (size_t k = 0; k < entries->size(); ++k)
        ASSERT_EQ((*entries)[k], (LogEntry{from + k, RecordFor(from + k)}));
    }
  }
  EXPECT_GT(SegmentCount(dir.path()), 10u);
  // A batch bigger than a segment gets a segment of its own.
  auto log = OpenOk(dir.path(), options);
  size_t before = SegmentCount(dir.path());
  AppendRecords(*log, next, 40);
  next += 40;
  EXPECT_EQ(SegmentCount(dir.path()), before + 1);
  ExpectAllRecords(*log, next - 1);
}

TEST(EmbeddedLogTest, TooLargeAppendsNothing) {
  TempDir dir;
  EmbeddedLog::Options options;
  options.max_record_bytes = 1000;
  auto log = OpenOk(dir.path(), options);
  AppendRecords(*log, 1, 2);
  std::vector<Bytes> batch = {Bytes(10, 1), Bytes(1001, 2), Bytes(5, 3)};
  auto refused = log->Append(batch);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, LogError::Kind::TooLarge);
  EXPECT_NE(refused.error().message.find("record 1 of the batch is 1001 bytes"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(log->LastIndex(), 2u);
  // The limit itself is fine, and the log goes on.
  std::vector<Bytes> exact = {Bytes(1000, 7)};
  EXPECT_EQ(log->Append(exact).value_or(0), 3u);
}

TEST(EmbeddedLogTest, CloseRefusesEverything) {
  TempDir dir;
  auto log = OpenOk(dir.path());
  AppendRecords(*log, 1, 3);
  log->Close();
  log->Close();  // idempotent
  std::vector<Bytes> batch = {RecordFor(4)};
  auto appended = log->Append(batch);
  ASSERT_FALSE(appended);
  EXPECT_EQ(appended.error().kind, LogError::Kind::Closed);
  auto read = log->Read(1, 10, SIZE_MAX);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, LogError::Kind::Closed);
  EXPECT_EQ(log->LastIndex(), 3u);
  EXPECT_TRUE(log->WaitFor(3, 0ms));
  EXPECT_FALSE(log->WaitFor(4, 1s));  // returns at once: nothing will come
}

TEST(EmbeddedLogTest, OneOpenAtATime) {
  TempDir dir;
  auto first = OpenOk(dir.path());
  auto second = EmbeddedLog::Open(dir.path());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, LogError::Kind::Io);
  EXPECT_NE(second.error().message.find("open elsewhere"), std::string::npos)
      << second.error().message;
  first->Close();  // releases the lock
  EXPECT_TRUE(EmbeddedLog::Open(dir.path()));
}

TEST(EmbeddedLogTest, CreateIfMissing) {
  TempDir dir;
  std::string path = dir.path() + "/log";
  EmbeddedLog::Options options;
  options.create_if_missing = false;
  auto missing = EmbeddedLog::Open(path, options);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, LogError::Kind::Io);
  auto log = OpenOk(path);
  AppendRecords(*log, 1, 1);
}

TEST(EmbeddedLogTest, WaitForWakesOnAppendAndTimesOut) {
  TempDir dir;
  auto log = OpenOk(dir.path());
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(log->WaitFor(1, 50ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);

  std::atomic<bool> woke{false};
  std::thread waiter([&] { woke = log->WaitFor(3, 30s); });
  std::this_thread::sleep_for(20ms);
  AppendRecords(*log, 1, 2);  // not yet
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(woke);
  start = std::chrono::steady_clock::now();
  AppendRecords(*log, 3, 1);
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_TRUE(log->WaitFor(2, 0ms));

  // Close wakes a waiter, which reports that its index never came.
  std::atomic<bool> result{true};
  std::thread closed([&] { result = log->WaitFor(100, 30s); });
  std::this_thread::sleep_for(20ms);
  start = std::chrono::steady_clock::now();
  log->Close();
  closed.join();
  EXPECT_FALSE(result);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

// Each record names its writer and its sequence number; afterwards every one must be in the log
// exactly once, each writer's in order, and readers must only ever have seen a dense prefix.
TEST(EmbeddedLogTest, ConcurrentAppendersAndReaders) {
  TempDir dir;
  EmbeddedLog::Options options;
  options.segment_bytes = 16 << 10;
  auto log = OpenOk(dir.path(), options);
  constexpr int kWriters = 4, kBatches = 60, kReaders = 3;
  auto record = [](int writer, int seq, int part) {
    std::string s = "w" + std::to_string(writer) + "/" + std::to_string(seq) + "/" +
                    std::to_string(part) + std::string(seq % 50, 'x');
    return Bytes(s.begin(), s.end());
  };
  std::atomic<bool> failed{false}, done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w)
    threads.emplace_back([&, w] {
      for (int seq = 0; seq < kBatches; ++seq) {
        std::vector<Bytes> batch;
        for (int part = 0; part <= seq % 3; ++part) batch.push_back(record(w, seq, part));
        if (!log->Append(batch)) failed = true;
      }
    });
  std::atomic<uint64_t> reads{0};
  for (int r = 0; r < kReaders; ++r)
    threads.emplace_back([&] {
      uint64_t next = 1;
      while (!done) {
        uint64_t last = log->LastIndex();
        auto entries = log->Read(next, 7, 4096);
        if (!entries) {
          failed = true;
          return;
        }
        for (const LogEntry& e : *entries) {
          if (e.index != next || e.data.empty() || e.data[0] != 'w') failed = true;
          ++next;
        }
        if (next <= last && entries->empty()) failed = true;  // LastIndex promised them
        if (entries->empty()) log->WaitFor(next, 5ms);
        ++reads;
      }
    });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  ASSERT_FALSE(failed);
  EXPECT_GT(reads.load(), 0u);

  uint64_t expected = 0;
  for (int seq = 0; seq < kBatches; ++seq) expected += kWriters * (seq % 3 + 1);
  auto check = [&](const CommandLog& log) {
    auto entries = log.Read(1, SIZE_MAX, SIZE_MAX);
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), expected);
    std::set<Bytes> seen;
    std::vector<int> next_seq(kWriters, 0);
    for (size_t i = 0; i < entries->size(); ++i) {
      const LogEntry& e = (*entries)[i];
      ASSERT_EQ(e.index, i + 1);
      ASSERT_TRUE(seen.insert(e.data).second) << "duplicate at " << e.index;
      int w = 0, seq = 0, part = 0;
      std::string text(e.data.begin(), e.data.end());
      ASSERT_EQ(std::sscanf(text.c_str(), "w%d/%d/%d", &w, &seq, &part), 3) << text;
      // A batch's records are contiguous and in order.
      if (part == 0) {
        ASSERT_EQ(seq, next_seq[w]) << "writer " << w << " out of order at " << e.index;
        ++next_seq[w];
      } else {
        ASSERT_EQ((*entries)[i - 1].data, record(w, seq, part - 1));
      }
    }
    for (int w = 0; w < kWriters; ++w) EXPECT_EQ(next_seq[w], kBatches);
  };
  check(*log);
  log.reset();
  check(*OpenOk(dir.path(), options));
}

}  // namespace
}  // namespace phat::ledger
