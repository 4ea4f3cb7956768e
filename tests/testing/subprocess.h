// Child processes for end-to-end tests: run a binary to completion, or keep
// a server running and stop it with a signal.
//
// In a sanitizer build (-DHUBSYNC_SANITIZE=ON) the children are sanitized
// binaries too: each writes its ASan/UBSan/LeakSanitizer reports to a file of
// its own, and once it has exited a report there fails the running test
// (ADD_FAILURE, with the report's text), whatever its exit code was.
#ifndef HUBSYNC_TESTS_TESTING_SUBPROCESS_H_
#define HUBSYNC_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace hubsync::testing {

struct RunResult {
  int exit_code = -1;  // -1 if killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] with argv, waits (killing it after timeout_s), and captures
// stdout and stderr. Its stdin is empty.
RunResult Run(const std::vector<std::string>& argv, int timeout_s = 60);
// The same, with `input` (at most a few KiB) on its stdin.
RunResult RunWithInput(const std::vector<std::string>& argv,
                       const std::string& input, int timeout_s = 60);

// The same with `typed` (a line or two) typed on a terminal: the child's
// stdin is a pseudo-terminal (isatty is true), its stdout and stderr are
// captured apart as above.
RunResult RunOnTerminal(const std::vector<std::string>& argv,
                        const std::string& typed, int timeout_s = 60);

// A long-running child whose stdout is read line by line.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv);
  ~Child();  // SIGTERM if still running (SIGKILL after 10 s)
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // Reads stdout until a line contains `needle` (returned) or timeout ("").
  std::string WaitForLine(const std::string& needle, int timeout_s = 30);
  // Sends `sig` and waits for exit; returns the exit code (-signal if killed).
  int Stop(int sig, int timeout_s = 30);
  pid_t pid() const { return pid_; }

 private:
  std::string argv0_;
  std::string log_prefix_;  // sanitizer reports: "<log_prefix_>.<pid>"
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
};

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_SUBPROCESS_H_
