#include "ledger/fault_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace phat::ledger::testing {

class FaultFile final : public LogFile {
 public:
  FaultFile(FaultEnv* env, std::string path, std::unique_ptr<LogFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  Expected<void, LogError> ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    return base_->ReadAt(offset, out);
  }

  Expected<void, LogError> WriteAt(uint64_t offset, ByteView data) override {
    if (FaultEnv::Fails(env_->writes_until_failure)) {
      if (env_->tear_failed_writes) {
        ByteView half = data.first(data.size() / 2);
        if (base_->WriteAt(offset, half)) Grow(offset + half.size());
      }
      return unexpected(FaultEnv::Injected("pwrite", path_));
    }
    auto result = base_->WriteAt(offset, data);
    if (result) Grow(offset + data.size());
    return result;
  }

  Expected<void, LogError> Sync() override {
    // A failed fdatasync: what was written stays in the "page cache" (the file) but is not
    // durable; DropUnsyncedData decides its fate.
    if (FaultEnv::Fails(env_->syncs_until_failure))
      return unexpected(FaultEnv::Injected("fdatasync", path_));
    auto result = base_->Sync();
    if (result) {
      std::lock_guard lock(env_->mutex_);
      FaultEnv::FileState& state = env_->files_[path_];
      state.synced = state.size;
    }
    return result;
  }

  Expected<void, LogError> Truncate(uint64_t size) override {
    if (FaultEnv::Fails(env_->syncs_until_failure))
      return unexpected(FaultEnv::Injected("ftruncate", path_));
    auto result = base_->Truncate(size);
    if (result) {
      std::lock_guard lock(env_->mutex_);
      FaultEnv::FileState& state = env_->files_[path_];
      state.size = state.synced = size;
    }
    return result;
  }

  Expected<uint64_t, LogError> Size() const override { return base_->Size(); }

 private:
  void Grow(uint64_t end) {
    std::lock_guard lock(env_->mutex_);
    FaultEnv::FileState& state = env_->files_[path_];
    state.size = std::max(state.size, end);
  }

  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<LogFile> base_;
};

bool FaultEnv::Fails(std::atomic<int>& counter) {
  int left = counter.load();
  while (left > 0 && !counter.compare_exchange_weak(left, left - 1)) {
  }
  return left == 0;
}

Expected<std::unique_ptr<LogFile>, LogError> FaultEnv::OpenFile(const std::string& path) {
  std::unique_ptr<LogFile> file = PHAT_TRY(base_->OpenFile(path));
  uint64_t size = PHAT_TRY(file->Size());
  {
    std::lock_guard lock(mutex_);
    // A file we already track keeps its unsynced bytes; others were durable before we came.
    files_.try_emplace(path, FileState{size, size, true});
  }
  return std::unique_ptr<LogFile>(std::make_unique<FaultFile>(this, path, std::move(file)));
}

Expected<std::unique_ptr<LogFile>, LogError> FaultEnv::CreateFile(const std::string& path) {
  if (Fails(creates_until_failure)) return unexpected(Injected("create", path));
  std::unique_ptr<LogFile> file = PHAT_TRY(base_->CreateFile(path));
  {
    std::lock_guard lock(mutex_);
    files_[path] = FileState{0, 0, false};
  }
  return std::unique_ptr<LogFile>(std::make_unique<FaultFile>(this, path, std::move(file)));
}

Expected<void, LogError> FaultEnv::RemoveFile(const std::string& path) {
  PHAT_TRY_VOID(base_->RemoveFile(path));
  std::lock_guard lock(mutex_);
  files_.erase(path);
  return {};
}

Expected<void, LogError> FaultEnv::SyncDir(const std::string& dir) {
  if (Fails(dir_syncs_until_failure)) return unexpected(Injected("fsync", dir));
  PHAT_TRY_VOID(base_->SyncDir(dir));
  std::lock_guard lock(mutex_);
  for (auto& [path, state] : files_)
    if (std::filesystem::path(path).parent_path() == std::filesystem::path(dir))
      state.in_synced_dir = true;
  return {};
}

void FaultEnv::DropUnsyncedData(std::mt19937_64* rng) {
  std::lock_guard lock(mutex_);
  for (auto it = files_.begin(); it != files_.end();) {
    auto& [path, state] = *it;
    if (!std::filesystem::exists(path)) {  // the test removed it
      it = files_.erase(it);
      continue;
    }
    if (!state.in_synced_dir) {
      std::filesystem::remove(path);
      it = files_.erase(it);
      continue;
    }
    uint64_t keep = state.synced;
    if (rng != nullptr && state.size > state.synced)
      keep += (*rng)() % (state.size - state.synced + 1);
    std::filesystem::resize_file(path, keep);
    if (rng != nullptr && keep > state.synced && (*rng)() % 2 == 0) {
      // Zero one 512-byte sector of the surviving unsynced bytes, never a synced one.
      uint64_t sector = (state.synced + (*rng)() % (keep - state.synced)) / 512 * 512;
      uint64_t from = std::max(sector, state.synced), to = std::min(sector + 512, keep);
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(from));
      std::string zeros(to - from, '\0');
      f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
    state.size = state.synced = keep;
    ++it;
  }
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::path(::testing::TempDir()) / "phat-ledger-XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr) << "mkdtemp " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

Bytes RecordFor(uint64_t index, uint64_t salt) {
  uint64_t x = index * 0x9E3779B97F4A7C15ull ^ salt;
  size_t length = 1 + x % 300;
  Bytes out(length);
  for (size_t i = 0; i < length; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    out[i] = static_cast<uint8_t>(x >> 56);
  }
  // The index in the first bytes, so a misplaced record is obvious in a failure message.
  for (size_t i = 0; i < std::min<size_t>(length, 8); ++i)
    out[i] = static_cast<uint8_t>(index >> (8 * i));
  return out;
}

}  // namespace phat::ledger::testing
