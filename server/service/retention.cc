#include "server/service/retention.h"

#include <chrono>

namespace hubsync {

RetentionSweeper::RetentionSweeper(Store* store, Clock* clock,
                                   RetentionOptions options)
    : store_(store), clock_(clock), options_(options) {
  (void)PurgeNow();  // a failure is tried again on the next round
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, std::chrono::hours(1),
                           [this] { return stop_; })) {
      lock.unlock();
      (void)PurgeNow();
      lock.lock();
    }
  });
}

RetentionSweeper::~RetentionSweeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

absl::StatusOr<int64_t> RetentionSweeper::PurgeNow() {
  const int64_t due = options_.DueUntil(clock_->NowUnixSeconds());
  // What reverting the saves made before then needs (their records stay).
  absl::StatusOr<int64_t> saves = store_->ExpireSaveChanges(due);
  absl::StatusOr<int64_t> purged = store_->PurgeArchivedLearners(due);
  if (!saves.ok()) return saves.status();
  return purged;
}

}  // namespace hubsync
