// Recovery at Open: a torn tail of any length is cut away and was never acknowledged; damage that
// valid records follow, damage in an earlier segment, a missing segment or a damaged header is
// Corrupt; a segment whose creation a crash interrupted is removed. Files are damaged by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ledger/fault_env.h"
#include "ledger/format.h"
#include "phat/ledger/embedded_log.h"

namespace phat::ledger {
namespace {

using testing::RecordFor;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void XorByte(const std::string& path, uint64_t offset, uint8_t mask = 0x01) {
  std::string bytes = ReadFile(path);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ mask);
  WriteFile(path, bytes);
}

std::string SegmentPath(const std::string& dir, uint64_t number) {
  return dir + "/" + format::SegmentName(number);
}

// Where record `index`'s frame starts in segment 1 of a log whose records are RecordFor(i).
uint64_t FrameOffset(uint64_t index) {
  uint64_t offset = format::kSegmentHeaderSize;
  for (uint64_t i = 1; i < index; ++i) offset += format::kFrameHeaderSize + RecordFor(i).size();
  return offset;
}

// Makes a log of RecordFor(1..) in `dir`, one batch per entry of `batches` (its size).
void MakeLog(const std::string& dir, std::initializer_list<size_t> batches,
             EmbeddedLog::Options options = {}) {
  auto log = EmbeddedLog::Open(dir, options);
  ASSERT_TRUE(log) << log.error().ToString();
  uint64_t next = 1;
  for (size_t n : batches) {
    std::vector<Bytes> batch;
    for (size_t i = 0; i < n; ++i) batch.push_back(RecordFor(next + i));
    ASSERT_EQ((*log)->Append(batch).value_or(0), next);
    next += n;
  }
}

// Opens `dir` and expects exactly records 1..last, intact.
std::unique_ptr<EmbeddedLog> ExpectRecovered(const std::string& dir, uint64_t last,
                                             EmbeddedLog::Options options = {}) {
  auto log = EmbeddedLog::Open(dir, options);
  EXPECT_TRUE(log) << log.error().ToString();
  if (!log) return nullptr;
  EXPECT_EQ((*log)->LastIndex(), last);
  auto entries = (*log)->Read(1, SIZE_MAX, SIZE_MAX);
  EXPECT_TRUE(entries) << entries.error().ToString();
  if (!entries) return nullptr;
  EXPECT_EQ(entries->size(), last);
  for (size_t i = 0; i < entries->size(); ++i) {
    EXPECT_EQ((*entries)[i].index, i + 1);
    EXPECT_EQ((*entries)[i].data, RecordFor(i + 1)) << "record " << i + 1;
  }
  return std::move(*log);
}

LogError ExpectCorrupt(const std::string& dir, std::string_view says,
                       EmbeddedLog::Options options = {}) {
  auto log = EmbeddedLog::Open(dir, options);
  EXPECT_FALSE(log) << "opened a damaged log";
  if (log) return {};
  EXPECT_EQ(log.error().kind, LogError::Kind::Corrupt) << log.error().ToString();
  EXPECT_NE(log.error().message.find(says), std::string::npos) << log.error().message;
  return log.error();
}

TEST(RecoveryTest, TornLastRecordOfEveryLength) {
  TempDir dir;
  MakeLog(dir.path(), {1, 3, 1});
  const std::string segment = SegmentPath(dir.path(), 1);
  const std::string original = ReadFile(segment);
  const uint64_t last_start = FrameOffset(5);
  ASSERT_EQ(original.size(), FrameOffset(6));
  for (uint64_t cut = last_start; cut < original.size(); ++cut) {
    SCOPED_TRACE(::testing::Message() << "cut at " << cut);
    WriteFile(segment, std::string_view(original).substr(0, cut));
    auto log = ExpectRecovered(dir.path(), 4);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->recovery().truncated_bytes, cut - last_start);
    EXPECT_EQ(std::filesystem::file_size(segment), last_start);
  }
  // After the cut, appends carry on from the last acknowledged record.
  {
    auto log = ExpectRecovered(dir.path(), 4);
    std::vector<Bytes> batch = {RecordFor(5), RecordFor(6)};
    EXPECT_EQ(log->Append(batch).value_or(0), 5u);
  }
  ExpectRecovered(dir.path(), 6);
}

TEST(RecoveryTest, TornBatchIsCutWhole) {
  TempDir dir;
  MakeLog(dir.path(), {2, 2, 4});  // the last batch is records 5..8
  const std::string segment = SegmentPath(dir.path(), 1);
  const std::string original = ReadFile(segment);
  const uint64_t batch_start = FrameOffset(5);
  for (uint64_t cut = batch_start; cut < original.size(); ++cut) {
    SCOPED_TRACE(::testing::Message() << "cut at " << cut);
    WriteFile(segment, std::string_view(original).substr(0, cut));
    // Complete frames of an incomplete batch are dropped with it: a batch is all or nothing.
    ASSERT_TRUE(ExpectRecovered(dir.path(), 4));
  }
}

TEST(RecoveryTest, BadChecksumAtTheEndIsATornTail) {
  TempDir dir;
  MakeLog(dir.path(), {1, 1, 1, 1});
  XorByte(SegmentPath(dir.path(), 1), FrameOffset(5) - 1);  // the last data byte
  auto log = ExpectRecovered(dir.path(), 3);
  ASSERT_TRUE(log);
  EXPECT_EQ(log->recovery().truncated_bytes, FrameOffset(5) - FrameOffset(4));
}

TEST(RecoveryTest, PagesOfTheLastBatchWrittenOutOfOrder) {
  // The disk kept the end of the unsynced batch but not a sector in its middle: still torn.
  TempDir dir;
  MakeLog(dir.path(), {2, 12});
  const std::string segment = SegmentPath(dir.path(), 1);
  std::string bytes = ReadFile(segment);
  uint64_t zero_from = FrameOffset(5) + 7;
  ASSERT_LT(zero_from + 512, FrameOffset(14));  // the batch's last frame survives
  std::fill(bytes.begin() + zero_from, bytes.begin() + zero_from + 512, '\0');
  WriteFile(segment, bytes);
  ExpectRecovered(dir.path(), 2);
}

TEST(RecoveryTest, DamageFollowedByValidRecordsIsCorrupt) {
  TempDir dir;
  MakeLog(dir.path(), {1, 1, 1, 1, 1, 1});
  const std::string segment = SegmentPath(dir.path(), 1);
  const std::string original = ReadFile(segment);

  XorByte(segment, FrameOffset(3) + format::kFrameHeaderSize + 2);  // record 3's data
  LogError error = ExpectCorrupt(dir.path(), "followed by valid record 4");
  EXPECT_NE(error.message.find("checksum mismatch"), std::string::npos) << error.message;
  // The log was not changed by the failed open.
  XorByte(segment, FrameOffset(3) + format::kFrameHeaderSize + 2);
  EXPECT_EQ(ReadFile(segment), original);

  XorByte(segment, FrameOffset(3) + 1, 0x40);  // record 3's length: the chain of frames breaks
  ExpectCorrupt(dir.path(), "followed by valid record");
  WriteFile(segment, original);

  std::string zeroed = original;  // record 3's whole header gone
  std::fill_n(zeroed.begin() + FrameOffset(3), format::kFrameHeaderSize, '\0');
  WriteFile(segment, zeroed);
  ExpectCorrupt(dir.path(), "followed by valid record 4");
  WriteFile(segment, original);

  ExpectRecovered(dir.path(), 6);
}

TEST(RecoveryTest, DamageInsideAnEarlierBatchIsCorrupt) {
  TempDir dir;
  MakeLog(dir.path(), {1, 3, 1});
  XorByte(SegmentPath(dir.path(), 1), FrameOffset(3) + format::kFrameHeaderSize);
  ExpectCorrupt(dir.path(), "followed by valid record 5");
}

TEST(RecoveryTest, DamageInAnEarlierSegmentIsCorrupt) {
  TempDir dir;
  EmbeddedLog::Options options;
  options.segment_bytes = 600;
  MakeLog(dir.path(), {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, options);
  ASSERT_TRUE(std::filesystem::exists(SegmentPath(dir.path(), 3)));
  const std::string first = SegmentPath(dir.path(), 1);
  const std::string original = ReadFile(first);

  XorByte(first, original.size() - 1);  // the end of segment 1 is no tail: segment 2 follows
  ExpectCorrupt(dir.path(), "log-000001.seg: at offset", options);
  WriteFile(first, original);

  WriteFile(first, std::string_view(original).substr(0, original.size() - 3));
  ExpectCorrupt(dir.path(), "runs past the end of the file", options);
  WriteFile(first, original);

  XorByte(first, 20);  // its header
  ExpectCorrupt(dir.path(), "segment header is damaged", options);
  WriteFile(first, original);

  std::string second = ReadFile(SegmentPath(dir.path(), 2));
  std::filesystem::remove(SegmentPath(dir.path(), 2));
  ExpectCorrupt(dir.path(), "log-000002.seg is missing", options);
  WriteFile(SegmentPath(dir.path(), 2), second);

  ExpectRecovered(dir.path(), 12, options);
}

TEST(RecoveryTest, DamagedHeaderOfTheLastSegmentIsCorrupt) {
  TempDir dir;
  MakeLog(dir.path(), {2});
  XorByte(SegmentPath(dir.path(), 1), 3);
  ExpectCorrupt(dir.path(), "segment header is damaged");
}

TEST(RecoveryTest, SegmentWhoseCreationWasInterruptedIsRemoved) {
  TempDir dir;
  EmbeddedLog::Options options;
  options.segment_bytes = 600;
  MakeLog(dir.path(), {1, 1, 1, 1, 1}, options);
  uint64_t next = 1;
  while (std::filesystem::exists(SegmentPath(dir.path(), next))) ++next;
  const std::string torn = SegmentPath(dir.path(), next);
  for (std::string content : {std::string(), std::string("PHATL"), std::string(40, '\0')}) {
    WriteFile(torn, content);
    auto log = ExpectRecovered(dir.path(), 5, options);
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->recovery().removed_torn_segment);
    EXPECT_FALSE(std::filesystem::exists(torn));
  }
  {
    auto log = ExpectRecovered(dir.path(), 5, options);
    for (uint64_t i = 6; i <= 9; ++i) {
      std::vector<Bytes> batch = {RecordFor(i)};
      ASSERT_EQ(log->Append(batch).value_or(0), i);
    }
  }
  ExpectRecovered(dir.path(), 9, options);
}

TEST(RecoveryTest, ReadsCheckTheBytesAgain) {
  TempDir dir;
  auto log = EmbeddedLog::Open(dir.path());
  ASSERT_TRUE(log);
  for (uint64_t i = 1; i <= 4; ++i) {
    std::vector<Bytes> batch = {RecordFor(i)};
    ASSERT_TRUE((*log)->Append(batch));
  }
  // Damaged on disk behind the open log's back.
  XorByte(SegmentPath(dir.path(), 1), FrameOffset(2) + format::kFrameHeaderSize);
  auto read = (*log)->Read(1, 10, SIZE_MAX);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, LogError::Kind::Corrupt);
  EXPECT_NE(read.error().message.find("record 2 in log-000001.seg"), std::string::npos)
      << read.error().message;
  EXPECT_TRUE((*log)->Read(3, 10, SIZE_MAX));
}

TEST(RecoveryTest, OtherFilesAreLeftAlone) {
  TempDir dir;
  MakeLog(dir.path(), {3});
  WriteFile(dir.path() + "/NOTES", "not a segment");
  WriteFile(dir.path() + "/log-abc.seg", "not a segment either");
  ExpectRecovered(dir.path(), 3);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/NOTES"));
}

}  // namespace
}  // namespace phat::ledger
