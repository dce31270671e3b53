// The node's contract log: lines split and numbered, reading on from a number, filtering by
// contract, the bound, long lines, and readers that wait.
#include "phat/node/log_buffer.h"

#include <gtest/gtest.h>

#include <thread>

namespace phat::node {
namespace {

LogRecord From(uint8_t contract) {
  LogRecord r;
  r.contract.fill(contract);
  return r;
}

std::vector<std::string> Messages(const LogPage& page) {
  std::vector<std::string> out;
  for (const auto& r : page.records) out.push_back(r.message);
  return out;
}

TEST(LogBuffer, LinesAreNumberedAndReadOnFromACursor) {
  LogBuffer logs(100, 100);
  logs.AppendLines(From(1), "a\nb\n");
  logs.AppendLines(From(2), "c");  // a last line without its newline counts too
  LogPage all = logs.Read(0, std::nullopt, 10, {});
  EXPECT_EQ(Messages(all), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(all.records[2].seq, 3u);
  EXPECT_EQ(all.next, 3u);
  EXPECT_EQ(Messages(logs.Read(1, std::nullopt, 10, {})), (std::vector<std::string>{"b", "c"}));
  LogPage limited = logs.Read(0, std::nullopt, 2, {});
  EXPECT_EQ(limited.next, 2u);  // goes on from the last returned
  // A filter skips records but the cursor moves past them.
  LogPage two = logs.Read(0, From(2).contract, 10, {});
  EXPECT_EQ(Messages(two), (std::vector<std::string>{"c"}));
  LogPage none = logs.Read(0, From(9).contract, 10, {});
  EXPECT_TRUE(none.records.empty());
  EXPECT_EQ(none.next, 3u);
}

TEST(LogBuffer, TheOldestGoFirstAndLongLinesAreCut) {
  LogBuffer logs(2, 2);
  logs.AppendLines(From(1), "1\n2\n3\n");
  EXPECT_EQ(Messages(logs.Read(0, std::nullopt, 10, {})), (std::vector<std::string>{"2", "3"}));
  logs.AppendLines(From(1), std::string(LogBuffer::kMaxLineBytes + 10, 'x'));
  LogPage page = logs.Read(3, std::nullopt, 10, {});
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].message.substr(LogBuffer::kMaxLineBytes), "…");
  // A cut never splits a UTF-8 character.
  logs.AppendLines(From(1), std::string(LogBuffer::kMaxLineBytes - 1, 'x') + "é and more");
  page = logs.Read(4, std::nullopt, 10, {});
  ASSERT_EQ(page.records.size(), 1u);
  EXPECT_EQ(page.records[0].message, std::string(LogBuffer::kMaxLineBytes - 1, 'x') + "…");
}

// A busy contract loses its own oldest records beyond its share, not other contracts' records.
TEST(LogBuffer, EachContractIsBoundedToItsShare) {
  LogBuffer logs(100, 3);
  logs.AppendLines(From(1), "quiet\n");
  for (int i = 0; i < 1000; ++i) logs.AppendLines(From(2), "busy " + std::to_string(i));
  logs.AppendLines(From(1), "still here\n");
  LogPage all = logs.Read(0, std::nullopt, 1000, {});
  EXPECT_EQ(Messages(all),
            (std::vector<std::string>{"quiet", "busy 997", "busy 998", "busy 999", "still here"}));
  EXPECT_EQ(all.next, 1002u);
  // Reading on from a dropped record's number works, and the filter still does.
  EXPECT_EQ(Messages(logs.Read(500, From(2).contract, 10, {})),
            (std::vector<std::string>{"busy 997", "busy 998", "busy 999"}));
  // The whole buffer's bound still holds, oldest first.
  LogBuffer small(4, 3);
  for (uint8_t c = 1; c <= 3; ++c) small.AppendLines(From(c), "a\nb\n");
  EXPECT_EQ(small.Read(0, std::nullopt, 10, {}).records.size(), 4u);
  EXPECT_EQ(small.Read(0, std::nullopt, 10, {}).records.front().seq, 3u);
}

TEST(LogBuffer, AReaderWaitsForTheNextLineOrUntilClosed) {
  LogBuffer logs(10, 10);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    logs.AppendLines(From(1), "late\n");
  });
  LogPage page = logs.Read(0, std::nullopt, 10, std::chrono::seconds(10));
  writer.join();
  EXPECT_EQ(Messages(page), (std::vector<std::string>{"late"}));
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    logs.Close();
  });
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(logs.Read(1, std::nullopt, 10, std::chrono::seconds(10)).records.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  closer.join();
}

}  // namespace
}  // namespace phat::node
