// Throttling of failed logins (docs/ACCOUNTS.md, "Logging in"): after
// max_failures failures within window_seconds for one key (an address, a
// source), further attempts with that key are refused for lockout_seconds.
// Per process: each replica throttles on its own.
#ifndef HUBSYNC_SERVER_AUTH_THROTTLE_H_
#define HUBSYNC_SERVER_AUTH_THROTTLE_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"

namespace hubsync::auth {

class LoginThrottle {
 public:
  struct Options {
    int64_t max_failures = 5;          // for one address
    int64_t max_source_failures = 50;  // for one source (a school's NAT)
    int64_t window_seconds = 15 * 60;
    int64_t lockout_seconds = 15 * 60;
  };
  LoginThrottle(Clock* clock, Options options)
      : clock_(clock), options_(options) {}

  // Seconds before `key` may try again; 0: now.
  int64_t WaitSeconds(const std::string& key);
  // A failure for an address (or, `source`, for a source's key).
  void Failed(const std::string& key, bool source = false);
  void Succeeded(const std::string& key);  // forgets the key's failures

 private:
  struct Entry {
    int64_t window_start = 0;
    int64_t failures = 0;
    int64_t locked_until = 0;
  };
  void PruneLocked(int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Clock* const clock_;
  const Options options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hubsync::auth

#endif  // HUBSYNC_SERVER_AUTH_THROTTLE_H_
