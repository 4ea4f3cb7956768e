// Reading and writing hub_learners rows and class memberships, shared by the
// learner, snapshot and save code. Internal to the storage layer.
#ifndef HUBSYNC_SERVER_STORAGE_LEARNER_ROWS_H_
#define HUBSYNC_SERVER_STORAGE_LEARNER_ROWS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/types.h"
#include "server/storage/sqlite.h"

namespace hubsync::storage {

// The hub learners matching `where` (a condition on hub_learners aliased `l`
// with one text parameter bound to `arg`), with their subject class names,
// sorted by legal surname, legal forename, id.
absl::StatusOr<std::vector<HubLearner>> ReadLearners(Db* db,
                                                     absl::string_view where,
                                                     const std::string& arg);

// Prepared statements for writing learners, reused across one call.
class LearnerWriter {
 public:
  static absl::StatusOr<LearnerWriter> Create(Db* db);

  // Inserts the learner, or overwrites every column but id and school_id.
  // Classes are not touched (see SetClasses).
  absl::Status Upsert(const HubLearner& l);
  // Sets only sync_state and update_time.
  absl::Status SetState(const std::string& learner_id, SyncState state,
                        int64_t update_time);
  // Replaces the learner's memberships with `class_ids` (hub class ids).
  absl::Status SetClasses(const std::string& learner_id,
                          const std::vector<std::string>& class_ids);

 private:
  LearnerWriter(Statement upsert, Statement set_state, Statement clear,
                Statement add)
      : upsert_(std::move(upsert)),
        set_state_(std::move(set_state)),
        clear_(std::move(clear)),
        add_(std::move(add)) {}
  Statement upsert_;
  Statement set_state_;
  Statement clear_;
  Statement add_;
};

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_LEARNER_ROWS_H_
