// The file system as the embedded log sees it, behind a small interface (LevelDB's Env), so that
// tests can fail a write or an fdatasync on demand, or "lose" what was never synced, as a power cut
// would. DefaultLogEnv() is the real thing: POSIX files, pwrite/pread, fdatasync, flock.
//
// Thread-safety: a LogEnv may be used from any thread. A LogFile's ReadAt may run concurrently
// with anything (positional reads); its other methods are called by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "phat/base/bytes.h"
#include "phat/base/expected.h"
#include "phat/ledger/command_log.h"

namespace phat::ledger {

// Every failure below is a LogError of kind Io whose message names the operation, the path and
// the system's reason.
class LogFile {
 public:
  virtual ~LogFile() = default;
  // Exactly out.size() bytes from `offset`; an error if the file ends before.
  virtual Expected<void, LogError> ReadAt(uint64_t offset, std::span<uint8_t> out) const = 0;
  // All of `data` at `offset`. Not durable until Sync.
  virtual Expected<void, LogError> WriteAt(uint64_t offset, ByteView data) = 0;
  // Everything written so far, on stable storage (fdatasync). After a failure the file's state is
  // unknown: the caller must not trust, or add to, anything it wrote since the last good Sync.
  virtual Expected<void, LogError> Sync() = 0;
  // Cuts the file to `size` bytes, durably.
  virtual Expected<void, LogError> Truncate(uint64_t size) = 0;
  virtual Expected<uint64_t, LogError> Size() const = 0;
};

// Held while it lives; the lock is released when it is destroyed (or the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class LogEnv {
 public:
  virtual ~LogEnv() = default;
  // Creates `dir` if it does not exist (not its parents); true if it did.
  virtual Expected<bool, LogError> CreateDir(const std::string& dir) = 0;
  // The names (not paths) of the entries in `dir`.
  virtual Expected<std::vector<std::string>, LogError> ListDir(const std::string& dir) = 0;
  virtual Expected<std::unique_ptr<LogFile>, LogError> OpenFile(const std::string& path) = 0;
  // A new, empty file; an error if `path` exists. Its name is durable only after SyncDir.
  virtual Expected<std::unique_ptr<LogFile>, LogError> CreateFile(const std::string& path) = 0;
  virtual Expected<void, LogError> RemoveFile(const std::string& path) = 0;
  // Makes the directory's entries (files created or removed in it) durable.
  virtual Expected<void, LogError> SyncDir(const std::string& dir) = 0;
  // An exclusive lock on `path` (created if missing) against other processes and other opens in
  // this one; an error at once if someone holds it.
  virtual Expected<std::unique_ptr<FileLock>, LogError> LockFile(const std::string& path) = 0;
};

// The real file system. Lives for the whole process.
LogEnv* DefaultLogEnv();

}  // namespace phat::ledger
