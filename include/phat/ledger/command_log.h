// The ordered command log: every command (an opaque, already-validated byte string, e.g. a signed
// transaction) is appended here before it is applied, and every worker applies the log's entries
// in index order. An appended entry is durable: once Append returns its index, the entry survives
// a killed process or a power cut, and reads return it byte for byte.
//
// Two backends implement this interface: EmbeddedLog (segment files on local disk, one process,
// the default) and, later, a log replicated on etcd. So the interface promises only what both
// can keep: no file offsets, no truncation, no peeking at entries not yet durable.
//
// Thread-safety: every method may be called from any thread. Appends are serialized (each batch
// gets a contiguous range of indexes); reads, LastIndex and WaitFor run concurrently with them.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"

namespace phat::ledger {

struct LogError {
  enum class Kind : uint8_t {
    Io,        // the disk or the service failed; the log refuses appends until reopened
    Corrupt,   // stored entries fail their checks: restore from a replica or a backup
    TooLarge,  // a record exceeds the log's limit; nothing was appended
    Closed,    // the log was closed
  };
  Kind kind = Kind::Io;
  std::string message;

  std::string ToString() const;  // "log I/O error: fdatasync log-000003.seg: Input/output error"
};

std::string_view KindName(LogError::Kind kind);

struct LogEntry {
  uint64_t index = 0;  // 1, 2, 3, ...: dense, in append order
  Bytes data;

  friend bool operator==(const LogEntry&, const LogEntry&) = default;
};

class CommandLog {
 public:
  virtual ~CommandLog() = default;

  // Appends `records` as one batch, all or nothing, and returns once they are on stable storage
  // (or replicated to a quorum). Returns the index of the first record; the others follow it.
  // An empty batch appends nothing and returns LastIndex() + 1.
  virtual Expected<uint64_t, LogError> Append(std::span<const Bytes> records) = 0;

  // Entries from index `from` (0 reads from 1) on: at most `max_count` of them, and no more than
  // `max_bytes` of data, except that the first entry is returned whatever its size, so a reader
  // always makes progress. Empty when `from` > LastIndex() or max_count is 0. Only durable entries
  // are ever returned.
  virtual Expected<std::vector<LogEntry>, LogError> Read(uint64_t from, size_t max_count,
                                                         size_t max_bytes) const = 0;

  // The index of the last durable entry; 0 while the log is empty. Never goes down.
  virtual uint64_t LastIndex() const = 0;

  // Blocks until LastIndex() >= index, for at most `timeout`. True if it got there; false on
  // timeout or when the log is closed meanwhile.
  virtual bool WaitFor(uint64_t index, std::chrono::milliseconds timeout) const = 0;

  // Waits for an append in progress, then refuses everything with Closed and wakes every WaitFor.
  // Idempotent; the destructor calls it.
  virtual void Close() = 0;
};

}  // namespace phat::ledger
