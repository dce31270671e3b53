#include "phat/ledger/embedded_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>

#include "ledger/format.h"
#include "ledger/thread_annotations.h"
#include "phat/ledger/log_env.h"

namespace phat::ledger {
namespace {

using format::kFrameHeaderSize;
using format::kSegmentHeaderSize;

LogError CorruptError(std::string message) {
  return LogError{LogError::Kind::Corrupt, std::move(message)};
}

constexpr std::string_view kRestoreAdvice =
    "the file changed after it was written; restore the log from a replica or a backup";

// A segment file and where its durable records are.
struct Segment {
  uint64_t number = 0;
  std::string name;  // the file's name, for messages
  uint64_t first_index = 0;
  uint64_t salt = 0;
  std::shared_ptr<LogFile> file;
  std::vector<uint64_t> starts;  // the offset of each record's frame, in index order
  uint64_t end = 0;              // the end of the last durable frame
};

// What scanning a segment's bytes found: the frames of its complete batches, and where and why
// the scan stopped if that was before the end of the file.
struct ScanResult {
  std::vector<uint64_t> starts;
  uint64_t good_end = 0;  // the end of the last complete batch
  uint64_t stop = 0;
  std::string why;
};

ScanResult ScanFrames(ByteView bytes, const format::SegmentHeader& header) {
  ScanResult result;
  result.good_end = kSegmentHeaderSize;
  uint64_t pos = kSegmentHeaderSize;
  uint64_t next = header.first_index;
  uint64_t batch_first = next;
  std::vector<uint64_t> batch;  // frames of the batch being read
  while (pos < bytes.size()) {
    format::Frame frame;
    format::FrameStatus status = format::ParseFrame(bytes.subspan(pos), header.salt, frame);
    if (status != format::FrameStatus::Ok) {
      result.why = std::string(format::FrameStatusText(status));
      break;
    }
    if (frame.index != next) {
      result.why = fmt::format("record {} where {} was expected", frame.index, next);
      break;
    }
    if (frame.batch_first() != batch_first) {
      result.why = fmt::format("record {} claims to be number {} of its batch, which began at {}",
                               frame.index, frame.batch_pos, batch_first);
      break;
    }
    batch.push_back(pos);
    pos += frame.size;
    ++next;
    if (frame.last_in_batch) {
      result.starts.insert(result.starts.end(), batch.begin(), batch.end());
      batch.clear();
      result.good_end = pos;
      batch_first = next;
    }
  }
  result.stop = pos;
  if (result.why.empty() && !batch.empty())
    result.why =
        fmt::format("the batch that begins with record {} has no last record", batch_first);
  return result;
}

// A crash can tear only the batch being written, the last one: each batch is synced before the
// next is written, and a failed write stops the log. So past the last complete batch, a frame
// with a good checksum from a later batch proves the damage is not a torn write. Returns its
// offset. Tries every byte offset, as the damage may have wiped the lengths that lead there; the
// header is looked at first, so the checksum is computed only for a plausible frame: one whose
// batch began after the torn one and whose index the bytes left could hold.
std::optional<uint64_t> FindLaterFrame(ByteView bytes, uint64_t from, uint64_t salt,
                                       uint64_t torn_batch_first) {
  const uint64_t max_index = torn_batch_first + (bytes.size() - from) / kFrameHeaderSize;
  for (uint64_t q = from; q + kFrameHeaderSize <= bytes.size(); ++q) {
    ByteView rest = bytes.subspan(q);
    std::optional<format::FrameHeader> peek = format::PeekFrameHeader(rest);
    if (peek->index > max_index || peek->batch_pos >= peek->index ||
        peek->index - peek->batch_pos <= torn_batch_first ||
        rest.size() - kFrameHeaderSize < peek->length)
      continue;
    format::Frame frame;
    if (format::ParseFrame(rest, salt, frame) == format::FrameStatus::Ok) return q;
  }
  return std::nullopt;
}

uint64_t NewSalt() {
  std::random_device device;
  return uint64_t{device()} << 32 | device();
}

std::string ParentDir(const std::string& dir) {
  std::filesystem::path parent = std::filesystem::path(dir).lexically_normal().parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

class EmbeddedLog::Impl {
 public:
  Impl(std::string dir, Options options, LogEnv* env, std::unique_ptr<FileLock> lock,
       std::vector<Segment> segments, uint64_t next_number)
      : dir_(std::move(dir)), options_(options), env_(env) {
    MutexLock append(append_mutex_);
    WriterLock state(state_mutex_);
    lock_ = std::move(lock);
    next_number_ = next_number;
    if (!segments.empty()) {
      const Segment& last = segments.back();
      active_file_ = last.file;
      active_salt_ = last.salt;
      write_offset_ = last.end;
      last_index_ = last.first_index + last.starts.size() - 1;
    }
    segments_ = std::move(segments);
  }

  ~Impl() { Close(); }

  Expected<uint64_t, LogError> Append(std::span<const Bytes> records) PHAT_EXCLUDES(append_mutex_) {
    if (closed_.load()) return unexpected(ClosedError());
    if (records.size() >= format::kMaxBatchRecords)
      return unexpected(LogError{LogError::Kind::TooLarge,
                                 fmt::format("a batch of {} records; at most {} are allowed",
                                             records.size(), format::kMaxBatchRecords - 1)});
    uint64_t batch_bytes = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].size() > options_.max_record_bytes)
        return unexpected(
            LogError{LogError::Kind::TooLarge,
                     fmt::format("record {} of the batch is {} bytes; the log takes at most {} "
                                 "(Options::max_record_bytes); nothing was appended",
                                 i, records[i].size(), options_.max_record_bytes)});
      batch_bytes += kFrameHeaderSize + records[i].size();
    }

    MutexLock append(append_mutex_);
    if (closed_.load()) return unexpected(ClosedError());
    if (failed_)
      return unexpected(
          LogError{LogError::Kind::Io,
                   fmt::format("the log refuses appends after an earlier failure ({}); reopen it",
                               failed_->message)});
    const uint64_t first = last_index_.load() + 1;
    if (records.empty()) return first;

    // A batch never spans two segments, so that recovery need look at the last one only.
    if (!active_file_ || (write_offset_ > kSegmentHeaderSize &&
                          write_offset_ + batch_bytes > options_.segment_bytes)) {
      if (auto rolled = StartSegment(first); !rolled) return Fail(std::move(rolled).error());
    }

    buffer_.clear();
    buffer_.reserve(batch_bytes);
    std::vector<uint64_t> starts;
    starts.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      starts.push_back(write_offset_ + buffer_.size());
      format::AppendFrame(active_salt_, first + i, static_cast<uint32_t>(i),
                          i + 1 == records.size(), records[i], buffer_);
    }
    // One write and one fdatasync for the whole batch: group commit.
    if (auto written = active_file_->WriteAt(write_offset_, buffer_); !written)
      return Fail(std::move(written).error());
    if (auto synced = active_file_->Sync(); !synced) return Fail(std::move(synced).error());
    write_offset_ += buffer_.size();
    if (buffer_.capacity() > (16u << 20)) Bytes().swap(buffer_);  // don't keep a huge batch's RAM

    {
      WriterLock state(state_mutex_);
      Segment& segment = segments_.back();
      segment.starts.insert(segment.starts.end(), starts.begin(), starts.end());
      segment.end = write_offset_;
      last_index_.store(first + records.size() - 1);
    }
    NotifyWaiters();
    return first;
  }

  Expected<std::vector<LogEntry>, LogError> Read(uint64_t from, size_t max_count,
                                                 size_t max_bytes) const
      PHAT_EXCLUDES(state_mutex_) {
    // Records to read, grouped by segment, so that each group is one pread.
    struct Run {
      std::shared_ptr<LogFile> file;
      std::string name;
      uint64_t salt = 0;
      uint64_t first_index = 0;
      std::vector<uint64_t> starts;
      uint64_t end = 0;
    };
    std::vector<Run> runs;
    size_t count = 0;
    {
      ReaderLock state(state_mutex_);
      if (closed_.load()) return unexpected(ClosedError());
      uint64_t last = last_index_.load();
      uint64_t index = std::max<uint64_t>(from, 1);
      if (index > last || max_count == 0) return std::vector<LogEntry>{};
      auto it = std::upper_bound(
          segments_.begin(), segments_.end(), index,
          [](uint64_t i, const Segment& segment) { return i < segment.first_index; });
      --it;  // the first segment begins at 1
      size_t bytes = 0;
      bool full = false;
      for (; it != segments_.end() && !full && count < max_count && index <= last; ++it) {
        const Segment& segment = *it;
        Run run{segment.file, segment.name, segment.salt, index, {}, 0};
        for (uint64_t k = index - segment.first_index;
             k < segment.starts.size() && count < max_count; ++k) {
          uint64_t frame_end = k + 1 < segment.starts.size() ? segment.starts[k + 1] : segment.end;
          size_t size = frame_end - segment.starts[k] - kFrameHeaderSize;
          if (count > 0 && bytes + size > max_bytes) {
            full = true;
            break;
          }
          run.starts.push_back(segment.starts[k]);
          run.end = frame_end;
          bytes += size;
          ++count;
          ++index;
        }
        if (!run.starts.empty()) runs.push_back(std::move(run));
      }
    }

    // Outside the lock: appends go on while we read what is already durable.
    std::vector<LogEntry> entries;
    entries.reserve(count);
    Bytes buffer;
    for (const Run& run : runs) {
      uint64_t base = run.starts.front();
      buffer.resize(run.end - base);
      PHAT_TRY_VOID(run.file->ReadAt(base, buffer));
      for (size_t k = 0; k < run.starts.size(); ++k) {
        uint64_t index = run.first_index + k;
        uint64_t start = run.starts[k];
        uint64_t end = k + 1 < run.starts.size() ? run.starts[k + 1] : run.end;
        format::Frame frame;
        format::FrameStatus status =
            format::ParseFrame(ByteView(buffer).subspan(start - base), run.salt, frame);
        if (status != format::FrameStatus::Ok || frame.index != index || frame.size != end - start)
          return unexpected(CorruptError(
              fmt::format("record {} in {} at offset {}: {}; {}", index, run.name, start,
                          status != format::FrameStatus::Ok ? format::FrameStatusText(status)
                                                            : "its header no longer matches",
                          kRestoreAdvice)));
        entries.push_back(LogEntry{index, Bytes(frame.data.begin(), frame.data.end())});
      }
    }
    return entries;
  }

  uint64_t LastIndex() const { return last_index_.load(); }

  bool WaitFor(uint64_t index, std::chrono::milliseconds timeout) const {
    if (last_index_.load() >= index) return true;
    std::unique_lock lock(wait_mutex_);
    wait_cv_.wait_for(lock, timeout, [&] { return last_index_.load() >= index || closed_.load(); });
    return last_index_.load() >= index;
  }

  void Close() PHAT_EXCLUDES(append_mutex_, state_mutex_) {
    {
      MutexLock append(append_mutex_);  // waits for an append in progress
      if (closed_.exchange(true)) return;
      active_file_.reset();
      lock_.reset();
    }
    {
      // Readers hold their own references to the files they are reading.
      WriterLock state(state_mutex_);
      segments_.clear();
    }
    NotifyWaiters();
  }

 private:
  static LogError ClosedError() { return LogError{LogError::Kind::Closed, "the log is closed"}; }

  // After a failed write or fdatasync the file's contents are unknown (on Linux a failed
  // fdatasync may even have dropped the dirty pages), so nothing more is appended: reopening
  // recovers from what is really on disk.
  Expected<uint64_t, LogError> Fail(LogError error) PHAT_REQUIRES(append_mutex_) {
    failed_ = error;
    return unexpected(std::move(error));
  }

  // Creates the next segment, its first record to be `first_index`, and makes it durable before
  // any record goes in: the header, then the directory entry.
  Expected<void, LogError> StartSegment(uint64_t first_index) PHAT_REQUIRES(append_mutex_) {
    Segment segment;
    segment.number = next_number_;
    segment.name = format::SegmentName(segment.number);
    segment.first_index = first_index;
    segment.salt = NewSalt();
    std::string path = dir_ + "/" + segment.name;
    segment.file = PHAT_TRY(env_->CreateFile(path));
    uint8_t header[kSegmentHeaderSize];
    format::EncodeSegmentHeader({first_index, segment.salt}, header);
    PHAT_TRY_VOID(segment.file->WriteAt(0, header));
    PHAT_TRY_VOID(segment.file->Sync());
    PHAT_TRY_VOID(env_->SyncDir(dir_));
    segment.end = kSegmentHeaderSize;
    ++next_number_;
    active_file_ = segment.file;
    active_salt_ = segment.salt;
    write_offset_ = kSegmentHeaderSize;
    WriterLock state(state_mutex_);
    segments_.push_back(std::move(segment));
    return {};
  }

  void NotifyWaiters() const {
    // Taking the mutex orders this after a waiter's check of its predicate: no lost wake-up.
    {
      std::lock_guard lock(wait_mutex_);
    }
    wait_cv_.notify_all();
  }

  const std::string dir_;
  const Options options_;
  LogEnv* const env_;

  // Held by Append for its write and fdatasync, so appends are serialized.
  Mutex append_mutex_;
  std::unique_ptr<FileLock> lock_ PHAT_GUARDED_BY(append_mutex_);
  std::optional<LogError> failed_ PHAT_GUARDED_BY(append_mutex_);
  std::shared_ptr<LogFile> active_file_ PHAT_GUARDED_BY(append_mutex_);  // null: no segment yet
  uint64_t active_salt_ PHAT_GUARDED_BY(append_mutex_) = 0;
  uint64_t write_offset_ PHAT_GUARDED_BY(append_mutex_) = 0;  // the end of the active segment
  uint64_t next_number_ PHAT_GUARDED_BY(append_mutex_) = 1;
  Bytes buffer_ PHAT_GUARDED_BY(append_mutex_);

  // Where durable records are: taken shared by readers, exclusively to publish an append.
  mutable SharedMutex state_mutex_;
  std::vector<Segment> segments_ PHAT_GUARDED_BY(state_mutex_);

  // Written under state_mutex_ (with segments_), read anywhere.
  std::atomic<uint64_t> last_index_{0};
  std::atomic<bool> closed_{false};
  mutable std::mutex wait_mutex_;
  mutable std::condition_variable wait_cv_;
};

Expected<std::unique_ptr<EmbeddedLog>, LogError> EmbeddedLog::Open(const std::string& dir,
                                                                   Options options) {
  LogEnv* env = options.env != nullptr ? options.env : DefaultLogEnv();
  if (options.create_if_missing) {
    bool created = PHAT_TRY(env->CreateDir(dir));
    // The new directory's own entry must be durable too, or a power cut could lose the whole log.
    if (created) PHAT_TRY_VOID(env->SyncDir(ParentDir(dir)));
  }
  std::unique_ptr<FileLock> lock = PHAT_TRY(env->LockFile(dir + "/LOCK"));

  std::vector<std::pair<uint64_t, std::string>> files;
  for (const std::string& name : PHAT_TRY(env->ListDir(dir)))
    if (auto number = format::ParseSegmentName(name)) files.emplace_back(*number, name);
  std::sort(files.begin(), files.end());
  for (size_t i = 1; i < files.size(); ++i)
    if (files[i].first != files[i - 1].first + 1)
      return unexpected(CorruptError(
          fmt::format("{}: segment file {} is missing (the directory has {} and then {}); {}", dir,
                      format::SegmentName(files[i - 1].first + 1), files[i - 1].second,
                      files[i].second, kRestoreAdvice)));

  RecoveryInfo recovery;
  std::vector<Segment> segments;
  uint64_t next_index = 1;
  uint64_t next_number = files.empty() ? 1 : files.front().first;
  for (size_t i = 0; i < files.size(); ++i) {
    const bool is_last = i + 1 == files.size();
    const std::string& name = files[i].second;
    const std::string path = dir + "/" + name;
    std::shared_ptr<LogFile> file = PHAT_TRY(env->OpenFile(path));
    uint64_t size = PHAT_TRY(file->Size());
    Bytes bytes(size);
    PHAT_TRY_VOID(file->ReadAt(0, bytes));

    std::optional<format::SegmentHeader> header = format::DecodeSegmentHeader(bytes);
    if (!header) {
      // A segment's header is synced before any record is written into it, so a bad header with
      // nothing after it is a creation that a crash interrupted: no record was ever in it.
      if (is_last && size <= kSegmentHeaderSize) {
        file.reset();
        PHAT_TRY_VOID(env->RemoveFile(path));
        PHAT_TRY_VOID(env->SyncDir(dir));
        recovery.removed_torn_segment = true;
        break;
      }
      return unexpected(
          CorruptError(fmt::format("{}: the segment header is damaged; {}", path, kRestoreAdvice)));
    }
    if (header->first_index != next_index)
      return unexpected(
          CorruptError(fmt::format("{}: the segment begins at record {}, but {} was expected; {}",
                                   path, header->first_index, next_index, kRestoreAdvice)));

    ScanResult scan = ScanFrames(bytes, *header);
    if (scan.good_end != size) {
      // Only the last segment can end in a torn batch: the others were complete and synced
      // before the next one was created.
      if (!is_last)
        return unexpected(CorruptError(
            fmt::format("{}: at offset {}: {}; {}", path, scan.stop, scan.why, kRestoreAdvice)));
      uint64_t torn_first = header->first_index + scan.starts.size();
      if (auto later = FindLaterFrame(bytes, scan.good_end, header->salt, torn_first)) {
        format::Frame frame;
        format::ParseFrame(ByteView(bytes).subspan(*later), header->salt, frame);
        return unexpected(CorruptError(fmt::format(
            "{}: damage at offset {} ({}) is followed by valid record {} at offset {}, so it is "
            "not a torn write; {}",
            path, scan.stop, scan.why, frame.index, *later, kRestoreAdvice)));
      }
      // The torn batch was never acknowledged: cut it away before anything is appended after it.
      PHAT_TRY_VOID(file->Truncate(scan.good_end));
      recovery.truncated_bytes = size - scan.good_end;
    }
    Segment segment;
    segment.number = files[i].first;
    segment.name = name;
    segment.first_index = header->first_index;
    segment.salt = header->salt;
    segment.file = std::move(file);
    segment.starts = std::move(scan.starts);
    segment.end = scan.good_end;
    next_index = segment.first_index + segment.starts.size();
    next_number = segment.number + 1;
    segments.push_back(std::move(segment));
  }
  if (!segments.empty()) {
    // A killed process leaves its last batch in the page cache, complete but perhaps not yet on
    // disk; make whatever we now serve durable before anyone reads it.
    PHAT_TRY_VOID(segments.back().file->Sync());
    PHAT_TRY_VOID(env->SyncDir(dir));
  }
  recovery.segments = segments.size();
  auto impl =
      std::make_unique<Impl>(dir, options, env, std::move(lock), std::move(segments), next_number);
  return std::unique_ptr<EmbeddedLog>(new EmbeddedLog(std::move(impl), recovery));
}

EmbeddedLog::EmbeddedLog(std::unique_ptr<Impl> impl, RecoveryInfo recovery)
    : impl_(std::move(impl)), recovery_(recovery) {}

EmbeddedLog::~EmbeddedLog() = default;

Expected<uint64_t, LogError> EmbeddedLog::Append(std::span<const Bytes> records) {
  return impl_->Append(records);
}

Expected<std::vector<LogEntry>, LogError> EmbeddedLog::Read(uint64_t from, size_t max_count,
                                                            size_t max_bytes) const {
  return impl_->Read(from, max_count, max_bytes);
}

uint64_t EmbeddedLog::LastIndex() const {
  return impl_->LastIndex();
}

bool EmbeddedLog::WaitFor(uint64_t index, std::chrono::milliseconds timeout) const {
  return impl_->WaitFor(index, timeout);
}

void EmbeddedLog::Close() {
  impl_->Close();
}

}  // namespace phat::ledger
