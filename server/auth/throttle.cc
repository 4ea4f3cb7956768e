#include "server/auth/throttle.h"

#include <algorithm>
#include <vector>

namespace hubsync::auth {

int64_t LoginThrottle::WaitSeconds(const std::string& key) {
  const int64_t now = clock_->NowUnixSeconds();
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  return std::max<int64_t>(0, it->second.locked_until - now);
}

void LoginThrottle::Failed(const std::string& key, bool source) {
  const int64_t now = clock_->NowUnixSeconds();
  absl::MutexLock lock(&mu_);
  // Kept small: entries whose window and lockout have passed go first.
  if (entries_.size() >= 100000) PruneLocked(now);
  Entry& e = entries_[key];
  if (now - e.window_start >= options_.window_seconds) {
    e.window_start = now;
    e.failures = 0;
  }
  if (++e.failures >=
      (source ? options_.max_source_failures : options_.max_failures)) {
    e.locked_until = now + options_.lockout_seconds;
    e.window_start = now;
    e.failures = 0;
  }
}

void LoginThrottle::Succeeded(const std::string& key) {
  absl::MutexLock lock(&mu_);
  entries_.erase(key);
}

void LoginThrottle::PruneLocked(int64_t now) {
  std::vector<std::string> stale;
  for (const auto& [key, e] : entries_) {
    if (e.locked_until <= now &&
        now - e.window_start >= options_.window_seconds)
      stale.push_back(key);
  }
  for (const std::string& key : stale) entries_.erase(key);
}

}  // namespace hubsync::auth
