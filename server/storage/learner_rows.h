// Reading and writing hub_learners rows and class memberships, shared by the
// learner, snapshot and save code. Internal to the storage layer.
#ifndef HUBSYNC_SERVER_STORAGE_LEARNER_ROWS_H_
#define HUBSYNC_SERVER_STORAGE_LEARNER_ROWS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/types.h"
#include "server/storage/sqlite.h"
#include "server/storage/store.h"

namespace hubsync::storage {

// The hub learners matching `where` (a condition on hub_learners aliased `l`
// with one text parameter bound to `arg`), with their subject class names,
// sorted by legal surname, legal forename, id.
absl::StatusOr<std::vector<HubLearner>> ReadLearners(Db* db,
                                                     absl::string_view where,
                                                     const std::string& arg);

// One page of the school's learners with their subject class names (sorted),
// in ReadLearners' order, through the name index: a seek to the key after
// `page.after` ({surname, forename, id}) and `page.size` + 1 rows read.
// `archived`: only the archived learners instead of only the others.
absl::StatusOr<Page<HubLearner>> ReadLearnerPage(Db* db,
                                                 const std::string& school_id,
                                                 const PageRequest& page,
                                                 bool archived = false);

// One stored learner as a save sees it: the record (subject class names
// sorted, as ReadLearners gives them) and the ids of every hub class it is a
// member of (registration groups included), sorted.
struct StoredLearner {
  HubLearner learner;
  std::vector<std::string> class_ids;
};

// Every learner of the school that is not archived, with its subject class
// names (sorted), in storage order: a scan of the school index in rowid order,
// so the table is read front to back.
absl::StatusOr<std::vector<HubLearner>> ReadSchoolLearners(
    Db* db, const std::string& school_id);

// Prepared statements for reading single learners by id, reused across one
// call (a save reads only the learners it changes, not the whole school).
class LearnerReader {
 public:
  static absl::StatusOr<LearnerReader> Create(Db* db);
  // false when the school has no learner with that id.
  absl::StatusOr<bool> Get(const std::string& school_id,
                           const std::string& learner_id, StoredLearner* out);
  // Only the ids of the hub classes the learner is a member of, sorted (what
  // Get gives as class_ids): for a caller that already holds the record.
  absl::Status ClassIds(const std::string& learner_id,
                        std::vector<std::string>* out);

 private:
  LearnerReader(Statement learner, Statement class_ids)
      : learner_(std::move(learner)), class_ids_(std::move(class_ids)) {}
  Statement learner_;
  Statement class_ids_;
};

// Prepared statements for writing learners, reused across one call.
class LearnerWriter {
 public:
  static absl::StatusOr<LearnerWriter> Create(Db* db);

  // Inserts the learner, or overwrites every column but id and school_id.
  // Classes are not touched (see SetClasses).
  absl::Status Upsert(const HubLearner& l);
  // Inserts a new learner (an existing id is a conflict).
  absl::Status Insert(const HubLearner& l);
  // Writes the columns in which `after` differs from `before` (the stored
  // record with the same id); sync_state and update_time always. One
  // prepared statement per set of changed columns, kept for the call.
  // FAILED_PRECONDITION, writing nothing, unless the stored row is in
  // `before`'s school with `before`'s update time and state.
  absl::Status Update(const HubLearner& before, const HubLearner& after);
  // Sets only sync_state and update_time, with the same check as Update.
  absl::Status SetState(const HubLearner& before, SyncState state,
                        int64_t update_time);
  // Replaces the learner's memberships with `class_ids` (hub class ids).
  absl::Status SetClasses(const std::string& learner_id,
                          const std::vector<std::string>& class_ids);
  // The same, knowing the current memberships (`current`, sorted): deletes
  // and inserts only the difference. `wanted` need not be sorted.
  absl::Status SetClasses(const std::string& learner_id,
                          const std::vector<std::string>& current,
                          std::vector<std::string> wanted);

 private:
  LearnerWriter(Db* db, Statement upsert, Statement insert, Statement set_state,
                Statement clear, Statement add, Statement remove)
      : db_(db),
        upsert_(std::move(upsert)),
        insert_(std::move(insert)),
        set_state_(std::move(set_state)),
        clear_(std::move(clear)),
        add_(std::move(add)),
        remove_(std::move(remove)) {}
  Db* db_;
  Statement upsert_;
  Statement insert_;
  Statement set_state_;
  Statement clear_;
  Statement add_;
  Statement remove_;
  absl::flat_hash_map<uint32_t, Statement> updates_;  // by changed-column mask
};

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_LEARNER_ROWS_H_
