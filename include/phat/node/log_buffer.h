// Contract logs as a node keeps them: the lines contracts write (debug_message, and pink's log,
// which writes to the same output), the events they emit and the outputs their messages return,
// from committed commands (taken from their receipts, so every worker sees the same ones and they
// are also in the blocks) and from the queries this node ran (seen here only). One bounded
// sequence in memory, numbered, that clients read from a number on and may follow as it grows;
// the oldest records go first when it is full.
//
// Thread safety: internally locked; readers may wait while writers append.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "phat/contracts/types.h"

namespace phat::node {

struct LogRecord {
  uint64_t seq = 0;  // assigned by the buffer: 1, 2, 3, ...
  uint64_t time_ms = 0;
  bool from_query = false;
  contracts::AccountId contract{};  // the contract the command or query called
  contracts::AccountId origin{};
  std::optional<uint64_t> block;  // commands: the block and the command's hash
  std::optional<contracts::CodeHash> command;
  // What it is: a line the contract wrote ("log"), an event it emitted ("event": message is its
  // topics and data in hex), or what its message returned ("output": "ok 0x…", "reverted 0x…" or
  // the error).
  std::string kind = "log";
  std::string message;  // one line, without its newline
};

// What a read found, and where the next read goes on from (the last record it looked at, which
// may be past the last it returned when a filter skipped some).
struct LogPage {
  std::vector<LogRecord> records;
  uint64_t next = 0;
};

class LogBuffer {
 public:
  static constexpr size_t kMaxLineBytes = 4096;  // longer lines are cut, marked with "…"
  explicit LogBuffer(size_t capacity) : capacity_(capacity) {}

  // Appends one record per line of `text` (a debug buffer: lines end with '\n').
  void AppendLines(const LogRecord& context, std::string_view text);
  // Appends `record` as it is (an event or an output: one line).
  void Append(LogRecord record);
  // Records after `after` (for `contract` only, if given), at most `limit`; if there are none
  // yet, waits up to `wait` for one. Returns early, maybe empty, once Close() was called.
  LogPage Read(uint64_t after, const std::optional<contracts::AccountId>& contract, size_t limit,
               std::chrono::milliseconds wait);
  uint64_t last_seq() const;
  // Wakes every reader for good (the node is stopping).
  void Close();

 private:
  mutable std::mutex mu_;
  std::condition_variable appended_;
  size_t capacity_;
  std::deque<LogRecord> records_;
  uint64_t last_seq_ = 0;
  bool closed_ = false;
};

}  // namespace phat::node
