#include "tests/testing/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "gtest/gtest.h"

extern char** environ;

namespace hubsync::testing {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Under -DHUBSYNC_SANITIZE=ON the children (hubsyncd, hubsync) are sanitized
// too, but a Child's stderr is discarded and a report from a server that is
// later killed would go unseen. So every child writes its ASan, UBSan and
// LeakSanitizer reports to "<prefix>.<pid>" in a directory of this process,
// and CheckSanitizerLog fails the running test with the report's text once
// the child has exited.
class SanitizerLogs {
 public:
  static SanitizerLogs& Get() {
    static SanitizerLogs* logs = new SanitizerLogs();  // lives to exit
    return *logs;
  }
  // A fresh prefix for one child of `argv0`; "" when not sanitized.
  std::string NewPrefix(const std::string& argv0) {
    if (!kSanitized || dir_.empty()) return "";
    return dir_ + "/" + fs::path(argv0).filename().string() + "-" +
           std::to_string(next_.fetch_add(1));
  }

 private:
  SanitizerLogs() {
    if (!kSanitized) return;
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl =
        std::string(base && *base ? base : "/tmp") + "/hubsync_san_XXXXXX";
    if (char* made = mkdtemp(tmpl.data())) dir_ = made;
    // Removed at exit if empty (every report was read and deleted).
    if (!dir_.empty()) std::atexit([] { rmdir(Get().dir_.c_str()); });
  }
  std::string dir_;
  std::atomic<int> next_{0};
};

// The environment of a child: this process's, with log_path=<prefix> added
// to ASAN_OPTIONS and UBSAN_OPTIONS when `log_prefix` is set.
std::vector<std::string> ChildEnv(const std::string& log_prefix) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view var(*e);
    if (!log_prefix.empty() && (var.starts_with("ASAN_OPTIONS=") ||
                                var.starts_with("UBSAN_OPTIONS="))) {
      continue;
    }
    env.emplace_back(var);
  }
  if (!log_prefix.empty()) {
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS"}) {
      const char* value = std::getenv(name);
      std::string opts = value && *value ? std::string(value) + ":" : "";
      env.push_back(std::string(name) + "=" + opts + "log_path=" + log_prefix);
    }
  }
  return env;
}

// Fails the running test if the child `argv0` that used `log_prefix` wrote a
// sanitizer report (the file "<prefix>.<pid>"), then deletes the report.
void CheckSanitizerLog(const std::string& log_prefix,
                       const std::string& argv0) {
  if (log_prefix.empty()) return;
  const fs::path prefix(log_prefix);
  const std::string stem = prefix.filename().string() + ".";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(prefix.parent_path(), ec)) {
    if (!entry.path().filename().string().starts_with(stem)) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    // "<prefix>.stderr" is the child's whole stderr: only UBSan's reports
    // count there (gcc's UBSan writes to stderr whatever log_path says).
    const bool is_stderr = entry.path().extension() == ".stderr";
    if (is_stderr &&
        text.str().find(": runtime error: ") == std::string::npos) {
      fs::remove(entry.path(), ec);
      continue;
    }
    ADD_FAILURE() << "sanitizer report from child " << argv0 << " ("
                  << entry.path().filename().string() << "):\n"
                  << text.str();
    fs::remove(entry.path(), ec);
  }
}

// in_fd < 0: the child's stdin is /dev/null, so nothing it asks can block.
// log_prefix: where a sanitized child writes its reports (SanitizerLogs).
pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd,
            int in_fd = -1, const std::string& log_prefix = "") {
  // Built before fork: the child of a threaded process only execs.
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> env_strings = ChildEnv(log_prefix);
  std::vector<char*> env;
  for (const std::string& e : env_strings)
    env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    if (in_fd < 0) in_fd = open("/dev/null", O_RDONLY);
    if (in_fd >= 0) dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    // Close the originals: a daemon the child starts (tmux's server) would
    // otherwise hold our pipes open, and Run would wait for its timeout.
    if (in_fd > 2) close(in_fd);
    if (out_fd > 2) close(out_fd);
    if (err_fd > 2 && err_fd != out_fd) close(err_fd);
    execve(args[0], args.data(), env.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  return pid;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

// Waits for pid up to timeout_s; kills it after that.
int WaitFor(pid_t pid, int timeout_s) {
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  while (true) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return ExitCode(status);
    if (Clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return ExitCode(status);
    }
    usleep(10000);
  }
}

// Runs argv with in_fd as its stdin (kept open by the caller), capturing
// stdout and stderr apart.
RunResult RunReading(const std::vector<std::string>& argv, int in_fd,
                     int timeout_s);

}  // namespace

RunResult Run(const std::vector<std::string>& argv, int timeout_s) {
  return RunWithInput(argv, "", timeout_s);
}

RunResult RunWithInput(const std::vector<std::string>& argv,
                       const std::string& input, int timeout_s) {
  int in[2];
  if (pipe(in) != 0) std::abort();
  // The input is small (an answer to a prompt): it fits the pipe's buffer,
  // so it is written whole before the child runs.
  if (!input.empty() && write(in[1], input.data(), input.size()) !=
                            static_cast<ssize_t>(input.size())) {
    std::abort();
  }
  close(in[1]);
  RunResult result = RunReading(argv, in[0], timeout_s);
  close(in[0]);
  return result;
}

RunResult RunOnTerminal(const std::vector<std::string>& argv,
                        const std::string& typed, int timeout_s) {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) std::abort();
  const int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
  if (slave < 0) std::abort();
  // No echo: the master side is never read, so nothing may pile up there.
  termios mode;
  if (tcgetattr(slave, &mode) != 0) std::abort();
  mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  if (tcsetattr(slave, TCSANOW, &mode) != 0) std::abort();
  // Typed ahead: the terminal's line discipline holds the line until the
  // child reads it.
  if (!typed.empty() && write(master, typed.data(), typed.size()) !=
                            static_cast<ssize_t>(typed.size())) {
    std::abort();
  }
  RunResult result = RunReading(argv, slave, timeout_s);
  close(slave);
  close(master);
  return result;
}

namespace {

RunResult RunReading(const std::vector<std::string>& argv, int in_fd,
                     int timeout_s) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) std::abort();
  const std::string log_prefix = SanitizerLogs::Get().NewPrefix(argv[0]);
  pid_t pid = Spawn(argv, out[1], err[1], in_fd, log_prefix);
  close(out[1]);
  close(err[1]);
  RunResult result;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  char buf[65536];
  while (open_fds > 0 && Clock::now() < deadline) {
    if (poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, n);
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  result.exit_code = WaitFor(pid, 1);
  CheckSanitizerLog(log_prefix, argv[0]);
  // gcc's UBSan reports on stderr, not in the log_path file.
  if (!log_prefix.empty() &&
      result.err.find(": runtime error: ") != std::string::npos) {
    ADD_FAILURE() << "UBSan report from child " << argv[0] << ":\n"
                  << result.err;
  }
  return result;
}

}  // namespace

Child::Child(const std::vector<std::string>& argv)
    : argv0_(argv.at(0)), log_prefix_(SanitizerLogs::Get().NewPrefix(argv0_)) {
  int out[2];
  if (pipe(out) != 0) std::abort();
  // Its stderr is discarded, but for a sanitized child's, kept beside its
  // sanitizer log: gcc's UBSan writes its reports there.
  int err_fd = log_prefix_.empty() ? open("/dev/null", O_WRONLY)
                                   : open((log_prefix_ + ".stderr").c_str(),
                                          O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_ = Spawn(argv, out[1], err_fd >= 0 ? err_fd : 2, -1, log_prefix_);
  if (err_fd >= 0) close(err_fd);
  close(out[1]);
  out_fd_ = out[0];
}

Child::~Child() {
  // A clean shutdown, so that LeakSanitizer checks a sanitized server too.
  if (pid_ > 0) Stop(SIGTERM, 10);
  if (out_fd_ >= 0) close(out_fd_);
}

std::string Child::WaitForLine(const std::string& needle, int timeout_s) {
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  char buf[4096];
  while (Clock::now() < deadline) {
    size_t nl;
    while ((nl = buffered_.find('\n')) != std::string::npos) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      if (line.find(needle) != std::string::npos) return line;
    }
    pollfd fd = {out_fd_, POLLIN, 0};
    if (poll(&fd, 1, 100) <= 0) continue;
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return "";
    buffered_.append(buf, n);
  }
  return "";
}

int Child::Stop(int sig, int timeout_s) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int code = WaitFor(pid_, timeout_s);
  pid_ = -1;
  CheckSanitizerLog(log_prefix_, argv0_);
  return code;
}

}  // namespace hubsync::testing
