// How long the server keeps what can still be brought back (hubsyncd
// --retention_days): archived learners until they are purged, and what
// reverting a save needs (Store::ExpireSaveChanges). One options
// struct for every kind of such record, so that a flag covers them all.
#ifndef HUBSYNC_SERVER_SERVICE_RETENTION_H_
#define HUBSYNC_SERVER_SERVICE_RETENTION_H_

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "server/storage/store.h"

namespace hubsync {

struct RetentionOptions {
  // Records older than this many days are deleted for good (1 or more).
  int64_t days = 90;
  // What was archived at or before this time (Unix seconds) is due.
  int64_t DueUntil(int64_t now_unix) const { return now_unix - days * 86400; }
};

// Purges what the retention period has passed: once when made (before the
// server serves), then every hour on its own thread until destroyed. A
// purge that fails (a busy database) is tried again an hour later; nothing
// is printed (the store's audit trail records each purged learner).
class RetentionSweeper {
 public:
  RetentionSweeper(Store* store, Clock* clock, RetentionOptions options);
  ~RetentionSweeper();
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  // One purge now (save changes expired too); how many learners it deleted.
  absl::StatusOr<int64_t> PurgeNow();

 private:
  Store* const store_;
  Clock* const clock_;
  const RetentionOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_RETENTION_H_
