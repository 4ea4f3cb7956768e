// The admin's edits on the sync screen as pure functions over a session's
// rows. Each validates first and changes nothing on error:
// FAILED_PRECONDITION for a row in the wrong status or an option that is off,
// NOT_FOUND for an id that is on no row of the session.
#ifndef HUBSYNC_SERVER_SESSION_EDITS_H_
#define HUBSYNC_SERVER_SESSION_EDITS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/types.h"

namespace hubsync {

// The rows an edit touched, for persistence, watchers and the audit trail.
struct RowDelta {
  std::vector<Row> changed;          // new state of changed or added rows
  std::vector<int64_t> removed_ids;  // rows that no longer exist
  std::vector<Row> before;  // rows changed or removed, as they were before
};

class RowEditor {
 public:
  // `rows` is the session's rows, ordered by row_id; `next_row_id` is the id
  // the next added row gets.
  RowEditor(std::vector<Row>* rows, int64_t* next_row_id)
      : rows_(rows), next_row_id_(next_row_id) {}

  absl::StatusOr<RowDelta> SetImport(const std::string& mis_id, bool import);
  absl::StatusOr<RowDelta> SetImportAll(bool import);
  // Pairs a Not matched row's hub learner with a New row's MIS learner: the
  // hub row becomes Matched (decided by the admin) and the New row goes.
  absl::StatusOr<RowDelta> Match(const std::string& learner_id,
                                 const std::string& mis_id,
                                 const Explanation& explanation);
  // Splits a Matched / May match row into Not matched (hub) and a new New
  // row (MIS) with Import? ticked.
  // The row is named by its hub learner or, if learner_id is empty, by its
  // MIS learner. A hub learner still linked to a MIS record that is gone (a
  // re-link row, see Classify) becomes Desynced instead of Not matched:
  // hub_is_linked tells which hub learners are linked.
  absl::StatusOr<RowDelta> Unmatch(
      const std::string& learner_id, const std::string& mis_id = "",
      const std::function<bool(const std::string&)>& hub_is_linked = nullptr);
  // Marks a May match row reviewed (or not), named by its hub learner or,
  // if learner_id is empty, by its MIS learner.
  absl::StatusOr<RowDelta> SetReviewed(const std::string& learner_id,
                                       const std::string& mis_id,
                                       bool reviewed);
  // Every May match row. confirm_count must be the number of rows this
  // changes (those not already `reviewed`), else FAILED_PRECONDITION naming
  // it: a deliberate "all", not a blind one.
  absl::StatusOr<RowDelta> SetReviewedAll(bool reviewed, int64_t confirm_count);
  // Email ticks; has_email says whether a MIS learner has an email.
  template <typename HasEmail>
  absl::StatusOr<RowDelta> SetSyncEmail(const std::string& mis_id, bool sync,
                                        HasEmail has_email);
  template <typename HasEmail>
  absl::StatusOr<RowDelta> SetSyncEmailAll(bool sync, HasEmail has_email);

 private:
  Row* FindByMis(const std::string& mis_id);
  Row* FindByHub(const std::string& learner_id);
  absl::StatusOr<RowDelta> SetSyncEmailImpl(const std::string& mis_id,
                                            bool sync, bool has_email);

  std::vector<Row>* rows_;
  int64_t* next_row_id_;
};

// Rows whose MIS record can carry an email to the hub.
inline bool StatusCanSyncEmail(RowStatus s) {
  return s == RowStatus::kNew || s == RowStatus::kMatched ||
         s == RowStatus::kMayMatch || s == RowStatus::kSynced;
}

template <typename HasEmail>
absl::StatusOr<RowDelta> RowEditor::SetSyncEmail(const std::string& mis_id,
                                                 bool sync,
                                                 HasEmail has_email) {
  return SetSyncEmailImpl(mis_id, sync, has_email(mis_id));
}

template <typename HasEmail>
absl::StatusOr<RowDelta> RowEditor::SetSyncEmailAll(bool sync,
                                                    HasEmail has_email) {
  RowDelta delta;
  for (Row& row : *rows_) {
    bool want = sync && StatusCanSyncEmail(row.status) && !row.mis_id.empty() &&
                has_email(row.mis_id);
    if (row.sync_email != want) {
      delta.before.push_back(row);
      row.sync_email = want;
      delta.changed.push_back(row);
    }
  }
  return delta;
}

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_EDITS_H_
