// Contract logs as a node keeps them: the lines contracts write (debug_message, and pink's log,
// which writes to the same output), the events they emit and the outputs their messages return,
// from committed commands (taken from their receipts, so every worker sees the same ones and they
// are also in the blocks) and from the queries this node ran (seen here only). One bounded
// sequence in memory, numbered, that clients read from a number on and may follow as it grows.
// Two bounds: the whole buffer's, and each contract's, so that one busy contract cannot push
// every other contract's records out; the oldest records go first (a contract's own oldest
// when it is over its share).
//
// Thread safety: internally locked; readers may wait while writers append.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
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
  // At most `capacity` records in all and `per_contract` of any one contract.
  LogBuffer(size_t capacity, size_t per_contract)
      : capacity_(capacity), per_contract_(std::max<size_t>(per_contract, 1)) {}

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
  // A record dropped as its contract's oldest stays in records_ as a gap (records_ is in seq
  // order, searched by seq) until the buffer is compacted, which happens once the gaps are half
  // of it: amortised O(1) per record.
  struct Entry {
    LogRecord record;
    bool dropped = false;
  };
  void AppendLocked(LogRecord record);
  void DropOldestOf(const contracts::AccountId& contract);
  mutable std::mutex mu_;
  std::condition_variable appended_;
  size_t capacity_;
  size_t per_contract_;
  std::deque<Entry> records_;
  std::map<contracts::AccountId, std::deque<uint64_t>> live_;  // each contract's live seqs
  size_t live_count_ = 0;
  size_t gaps_ = 0;
  uint64_t last_seq_ = 0;
  bool closed_ = false;
};

}  // namespace phat::node
