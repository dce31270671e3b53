#include "cli/subprocess.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace phat::cli {
namespace {

bool IsExecutableFile(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && access(path.c_str(), X_OK) == 0;
}

// posix_spawn's file actions, released however the spawn ends.
class FileActions {
 public:
  FileActions() { ok_ = posix_spawn_file_actions_init(&actions_) == 0; }
  ~FileActions() {
    if (ok_) posix_spawn_file_actions_destroy(&actions_);
  }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;

  // The child reads nothing from our stdin, and its stdout joins our stderr.
  bool QuietStdinAndStdoutToStderr() {
    return ok_ &&
           posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0) ==
               0 &&
           posix_spawn_file_actions_adddup2(&actions_, STDERR_FILENO, STDOUT_FILENO) == 0;
  }
  const posix_spawn_file_actions_t* get() const { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
  bool ok_ = false;
};

}  // namespace

std::optional<std::filesystem::path> FindExecutable(std::string_view name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string_view::npos) {
    std::filesystem::path path(name);
    if (IsExecutableFile(path)) return path;
    return std::nullopt;
  }
  const char* path_var = std::getenv("PATH");
  std::string_view dirs = path_var ? path_var : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    // An empty PATH entry means the current directory.
    std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
    if (IsExecutableFile(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    dirs.remove_prefix(colon + 1);
  }
}

Expected<int, std::string> RunProgram(const std::vector<std::string>& argv) {
  if (argv.empty()) return unexpected(std::string("no program to run"));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  FileActions actions;
  if (!actions.QuietStdinAndStdoutToStderr())
    return unexpected(fmt::format("cannot set up to run {}", argv[0]));
  // Our stdout may hold buffered text; the child writes to stderr only, but keep the order.
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = 0;
  const int spawn_error = posix_spawn(&pid, args[0], actions.get(), nullptr, args.data(), environ);
  if (spawn_error != 0)
    return unexpected(fmt::format("cannot run {}: {}", argv[0], std::strerror(spawn_error)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return unexpected(fmt::format("waiting for {}: {}", argv[0],
                                                      std::strerror(errno)));
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace phat::cli
