// The embedded command log: append-only segment files in one directory of the local disk, for a
// single node with no other process. Each Append writes its batch with one write and one
// fdatasync (group commit), so an acknowledged entry survives SIGKILL and power loss; Open
// recovers from a crash by cutting away the one batch that may have been torn, and refuses to
// open (Corrupt) when damage sits before valid entries. docs/LEDGER.md has the file format and
// the recovery rules.
//
// One process at a time: Open takes a lock file in the directory, and a second Open fails with Io
// until the first log is closed.
//
// Thread-safety: as CommandLog. Appends hold one mutex for their write and fdatasync; readers
// take a shared lock only to look up where entries are, and read with pread.
#pragma once

#include <memory>
#include <string>

#include "phat/ledger/command_log.h"

namespace phat::ledger {

class LogEnv;

class EmbeddedLog : public CommandLog {
 public:
  struct Options {
    // A new segment file is started before a batch that would take the current one past this
    // size; a single batch bigger than it gets a segment to itself.
    uint64_t segment_bytes = 64 << 20;
    // Records larger than this are refused with TooLarge.
    uint32_t max_record_bytes = 4 << 20;
    // Create the directory if it does not exist; otherwise Open fails with Io.
    bool create_if_missing = true;
    // The file system; nullptr is the real one (DefaultLogEnv). Must outlive the log.
    LogEnv* env = nullptr;
  };

  // Opens the log in `dir`, recovering from a crash: see docs/LEDGER.md. Io when the directory or
  // a file cannot be used (or another process has the log open); Corrupt when stored entries are
  // damaged in a way a crash cannot explain.
  static Expected<std::unique_ptr<EmbeddedLog>, LogError> Open(const std::string& dir,
                                                               Options options);
  static Expected<std::unique_ptr<EmbeddedLog>, LogError> Open(const std::string& dir) {
    return Open(dir, Options{});
  }

  ~EmbeddedLog() override;

  Expected<uint64_t, LogError> Append(std::span<const Bytes> records) override;
  Expected<std::vector<LogEntry>, LogError> Read(uint64_t from, size_t max_count,
                                                 size_t max_bytes) const override;
  uint64_t LastIndex() const override;
  bool WaitFor(uint64_t index, std::chrono::milliseconds timeout) const override;
  void Close() override;

  // What Open found and did, for logs and tests.
  struct RecoveryInfo {
    size_t segments = 0;                // segment files in use
    uint64_t truncated_bytes = 0;       // torn tail cut from the last segment
    bool removed_torn_segment = false;  // a segment whose creation never finished was removed
  };
  const RecoveryInfo& recovery() const { return recovery_; }

 private:
  class Impl;
  explicit EmbeddedLog(std::unique_ptr<Impl> impl, RecoveryInfo recovery);

  std::unique_ptr<Impl> impl_;
  RecoveryInfo recovery_;
};

}  // namespace phat::ledger
