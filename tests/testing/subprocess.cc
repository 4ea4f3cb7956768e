#include "tests/testing/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace hubsync::testing {
namespace {

using Clock = std::chrono::steady_clock;

// in_fd < 0: the child's stdin is /dev/null, so nothing it asks can block.
pid_t Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd,
            int in_fd = -1) {
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
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
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

}  // namespace

RunResult Run(const std::vector<std::string>& argv, int timeout_s) {
  return RunWithInput(argv, "", timeout_s);
}

RunResult RunWithInput(const std::vector<std::string>& argv,
                       const std::string& input, int timeout_s) {
  int out[2], err[2], in[2];
  if (pipe(out) != 0 || pipe(err) != 0 || pipe(in) != 0) std::abort();
  // The input is small (an answer to a prompt): it fits the pipe's buffer,
  // so it is written whole before the child runs.
  if (!input.empty() &&
      write(in[1], input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
    std::abort();
  }
  close(in[1]);
  pid_t pid = Spawn(argv, out[1], err[1], in[0]);
  close(in[0]);
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
  return result;
}

Child::Child(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) std::abort();
  int devnull = open("/dev/null", O_WRONLY);
  pid_ = Spawn(argv, out[1], devnull >= 0 ? devnull : 2);
  if (devnull >= 0) close(devnull);
  close(out[1]);
  out_fd_ = out[0];
}

Child::~Child() {
  if (pid_ > 0) Stop(SIGKILL, 5);
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
  return code;
}

}  // namespace hubsync::testing
