// A LogEnv over the real file system that fails operations on demand and can drop what was never
// synced, as a power cut would (LevelDB's FaultInjectionTestEnv), plus helpers the ledger tests
// share: temporary directories and records whose bytes follow from their index.
// FaultEnv is thread-safe; DropUnsyncedData wants no log open on it.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "phat/ledger/log_env.h"

namespace phat::ledger::testing {

class FaultEnv final : public LogEnv {
 public:
  explicit FaultEnv(LogEnv* base = DefaultLogEnv()) : base_(base) {}

  // How many more operations of each kind succeed before every later one fails; -1: none fails.
  std::atomic<int> writes_until_failure{-1};
  std::atomic<int> syncs_until_failure{-1};    // file fdatasync and Truncate
  std::atomic<int> creates_until_failure{-1};  // CreateFile
  std::atomic<int> dir_syncs_until_failure{-1};
  // A failing write first writes half of its bytes, as a crash in the middle of it would.
  std::atomic<bool> tear_failed_writes{false};

  void HealAll() {
    writes_until_failure = syncs_until_failure = creates_until_failure = dir_syncs_until_failure =
        -1;
  }

  // A power cut: each file loses what was written after its last good sync, and files created
  // since their directory was last synced vanish. With `rng`, a random part of the unsynced bytes
  // survives instead, maybe with a sector of it zeroed (the disk wrote pages out of order).
  void DropUnsyncedData(std::mt19937_64* rng = nullptr);

  Expected<bool, LogError> CreateDir(const std::string& dir) override {
    return base_->CreateDir(dir);
  }
  Expected<std::vector<std::string>, LogError> ListDir(const std::string& dir) override {
    return base_->ListDir(dir);
  }
  Expected<std::unique_ptr<LogFile>, LogError> OpenFile(const std::string& path) override;
  Expected<std::unique_ptr<LogFile>, LogError> CreateFile(const std::string& path) override;
  Expected<void, LogError> RemoveFile(const std::string& path) override;
  Expected<void, LogError> SyncDir(const std::string& dir) override;
  Expected<std::unique_ptr<FileLock>, LogError> LockFile(const std::string& path) override {
    return base_->LockFile(path);
  }

 private:
  friend class FaultFile;
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
    bool in_synced_dir = true;
  };
  static bool Fails(std::atomic<int>& counter);
  static LogError Injected(std::string_view what, const std::string& path) {
    return LogError{LogError::Kind::Io, std::string(what) + " " + path + ": injected failure"};
  }

  LogEnv* base_;
  std::mutex mutex_;
  std::map<std::string, FileState> files_;  // by path
};

// A fresh directory under the test temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The record that the tests store at `index`: 1 to 300 bytes that depend on it.
Bytes RecordFor(uint64_t index, uint64_t salt = 0);

}  // namespace phat::ledger::testing
