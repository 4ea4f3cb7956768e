// A session held in memory: its record, rows and recent changes. Private to
// server/session.
#ifndef HUBSYNC_SERVER_SESSION_LIVE_SESSION_H_
#define HUBSYNC_SERVER_SESSION_LIVE_SESSION_H_

#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/session/session_manager.h"

namespace hubsync {

struct SessionManager::Live {
  absl::Mutex mu;
  absl::CondVar changed;  // signalled on every row batch and commit

  SessionRecord record ABSL_GUARDED_BY(mu);
  // Ordered by row_id (edits only append larger ids or remove rows).
  std::vector<Row> rows ABSL_GUARDED_BY(mu);
  int64_t next_row_id ABSL_GUARDED_BY(mu) = 1;
  std::shared_ptr<const RowContext> context ABSL_GUARDED_BY(mu);
  bool classifying ABSL_GUARDED_BY(mu) = false;
  // The MIS side of matching for the chosen scope, built by SetScope from
  // `match_context` (see BuildMatchIndex) while the admin is on the Pupils
  // panel; the next classification takes it if the context is still the
  // same, so Proceed starts matching at once.
  std::unique_ptr<MatchIndex> match_index ABSL_GUARDED_BY(mu);
  std::weak_ptr<const RowContext> match_context ABSL_GUARDED_BY(mu);

  // Changes since this session was loaded; versions up to base_version
  // happened before (or in another server process).
  std::vector<SessionEvent> events ABSL_GUARDED_BY(mu);
  int64_t base_version ABSL_GUARDED_BY(mu) = 0;

  // Set on shutdown, or when a failed write left memory out of step with
  // the database (the next call reloads from the database).
  bool closed ABSL_GUARDED_BY(mu) = false;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_LIVE_SESSION_H_
