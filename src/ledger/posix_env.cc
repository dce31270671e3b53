// The real file system for the embedded log: POSIX calls, retried on EINTR and short transfers.
// Linux semantics are assumed: fdatasync makes written data and the file size durable, and fsync
// of a directory makes its entries durable.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <system_error>

#include "phat/ledger/log_env.h"

namespace phat::ledger {
namespace {

LogError IoError(std::string_view op, const std::string& path, int err) {
  return LogError{LogError::Kind::Io,
                  fmt::format("{} {}: {}", op, path, std::system_category().message(err))};
}

class PosixFile final : public LogFile {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Expected<void, LogError> ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, offset + done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return unexpected(IoError("pread", path_, errno));
      }
      if (n == 0)
        return unexpected(LogError{
            LogError::Kind::Io, fmt::format("pread {}: the file ends at {}, before {} + {} bytes",
                                            path_, offset + done, offset, out.size())});
      done += static_cast<size_t>(n);
    }
    return {};
  }

  Expected<void, LogError> WriteAt(uint64_t offset, ByteView data) override {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, offset + done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return unexpected(IoError("pwrite", path_, errno));
      }
      done += static_cast<size_t>(n);
    }
    return {};
  }

  Expected<void, LogError> Sync() override {
    if (::fdatasync(fd_) != 0) return unexpected(IoError("fdatasync", path_, errno));
    return {};
  }

  Expected<void, LogError> Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
      return unexpected(IoError("ftruncate", path_, errno));
    // fsync, not fdatasync: a shrinking size is metadata that fdatasync need not flush.
    if (::fsync(fd_) != 0) return unexpected(IoError("fsync", path_, errno));
    return {};
  }

  Expected<uint64_t, LogError> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return unexpected(IoError("fstat", path_, errno));
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  int fd_;
  std::string path_;
};

class PosixLock final : public FileLock {
 public:
  explicit PosixLock(int fd) : fd_(fd) {}
  ~PosixLock() override { ::close(fd_); }  // closing the descriptor drops the flock

 private:
  int fd_;
};

class PosixEnv final : public LogEnv {
 public:
  Expected<bool, LogError> CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return true;
    int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return false;
    return unexpected(IoError("mkdir", dir, err));
  }

  Expected<std::vector<std::string>, LogError> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return unexpected(IoError("opendir", dir, errno));
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return unexpected(IoError("readdir", dir, err));
    return names;
  }

  Expected<std::unique_ptr<LogFile>, LogError> OpenFile(const std::string& path) override {
    return Open(path, O_RDWR | O_CLOEXEC);
  }

  Expected<std::unique_ptr<LogFile>, LogError> CreateFile(const std::string& path) override {
    return Open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC);
  }

  Expected<void, LogError> RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return unexpected(IoError("unlink", path, errno));
    return {};
  }

  Expected<void, LogError> SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return unexpected(IoError("open", dir, errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return unexpected(IoError("fsync", dir, err));
    return {};
  }

  Expected<std::unique_ptr<FileLock>, LogError> LockFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return unexpected(IoError("open", path, errno));
    // flock, not fcntl locks: those belong to the process, so a second open in the same process
    // would succeed, and closing any descriptor of the file would drop them.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK)
        return unexpected(
            LogError{LogError::Kind::Io,
                     fmt::format("lock {}: the log is open elsewhere (another process, or another "
                                 "EmbeddedLog in this one); close it first",
                                 path)});
      return unexpected(IoError("flock", path, err));
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixLock>(fd));
  }

 private:
  static Expected<std::unique_ptr<LogFile>, LogError> Open(const std::string& path, int flags) {
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return unexpected(IoError("open", path, errno));
    return std::unique_ptr<LogFile>(std::make_unique<PosixFile>(fd, path));
  }
};

}  // namespace

LogEnv* DefaultLogEnv() {
  static PosixEnv* env = new PosixEnv;  // never destroyed: logs may close during exit
  return env;
}

}  // namespace phat::ledger
