// A session held in memory: its record, rows and recent changes. Private to
// server/session.
#ifndef HUBSYNC_SERVER_SESSION_LIVE_SESSION_H_
#define HUBSYNC_SERVER_SESSION_LIVE_SESSION_H_

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/session/session_manager.h"

namespace hubsync {

struct SessionManager::Live {
  // `total`: the manager's sum of every Live's `bytes`, kept up to date by
  // SetBytes and by the destructor.
  explicit Live(std::atomic<int64_t>* total) : total_bytes(total) {}
  ~Live() { total_bytes->fetch_sub(bytes.load()); }
  Live(const Live&) = delete;
  Live& operator=(const Live&) = delete;

  absl::Mutex mu;
  absl::CondVar changed;  // signalled on every row batch and commit

  SessionRecord record ABSL_GUARDED_BY(mu);
  // Ordered by row_id (edits only append larger ids or remove rows).
  std::vector<Row> rows ABSL_GUARDED_BY(mu);
  int64_t next_row_id ABSL_GUARDED_BY(mu) = 1;
  std::shared_ptr<const RowContext> context ABSL_GUARDED_BY(mu);
  // Set from Proceed until the classification ends (queued for a worker,
  // or running): such a session's state is never dropped.
  bool classifying ABSL_GUARDED_BY(mu) = false;
  // The MIS side of matching for the chosen scope, built by SetScope from
  // `match_context` (see BuildMatchIndex) while the admin is on the Pupils
  // panel; the next classification takes it if the context is still the
  // same, so Proceed starts matching at once.
  std::unique_ptr<MatchIndex> match_index ABSL_GUARDED_BY(mu);
  std::weak_ptr<const RowContext> match_context ABSL_GUARDED_BY(mu);

  // The newest changes, one per version, in order, for watchers: at most
  // SessionMemoryOptions::max_events of them holding at most
  // max_event_rows changed rows (the newest is always kept). A watcher
  // behind the oldest gets the current state instead.
  std::deque<SessionEvent> events ABSL_GUARDED_BY(mu);
  int64_t event_rows ABSL_GUARDED_BY(mu) = 0;
  // Watch calls streaming this session now. A save or cancel keeps every
  // event while one is (it may still be behind), else only the last.
  int watchers ABSL_GUARDED_BY(mu) = 0;

  // false once the state (rows, context, matching index, events) has been
  // dropped (idle, over the memory cap, saved or cancelled), or before it is
  // read from the database: Ensure reads the rows again. The record stays,
  // and `dropped_counts` are the rows' counts meanwhile.
  bool resident ABSL_GUARDED_BY(mu) = false;
  StatusCounts dropped_counts ABSL_GUARDED_BY(mu);

  // Set on shutdown, or when a failed write left memory out of step with
  // the database (the next call reloads from the database).
  bool closed ABSL_GUARDED_BY(mu) = false;

  // Read without `mu` by Sweep and Memory. bytes: the estimate of what the
  // state holds (SessionManager::SetBytes, under `mu`); last_used: the
  // clock's time of the last call; use_order: larger = used more recently.
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> last_used{0};
  std::atomic<uint64_t> use_order{0};
  std::atomic<int64_t>* const total_bytes;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_LIVE_SESSION_H_
