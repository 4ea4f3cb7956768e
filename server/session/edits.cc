#include "server/session/edits.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hubsync {

Row* RowEditor::FindByMis(const std::string& mis_id) {
  for (Row& row : *rows_) {
    if (row.mis_id == mis_id) return &row;
  }
  return nullptr;
}

Row* RowEditor::FindByHub(const std::string& learner_id) {
  for (Row& row : *rows_) {
    if (row.hub_learner_id == learner_id) return &row;
  }
  return nullptr;
}

absl::StatusOr<RowDelta> RowEditor::SetImport(const std::string& mis_id,
                                              bool import) {
  Row* row = FindByMis(mis_id);
  if (row == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("MIS learner ", mis_id, " is on no row of this session"));
  }
  if (row->status != RowStatus::kNew) {
    return absl::FailedPreconditionError(
        absl::StrCat("Import? applies to New rows only; MIS learner ", mis_id,
                     " is ", RowStatusName(row->status)));
  }
  RowDelta delta;
  if (row->import != import) {
    delta.before.push_back(*row);
    row->import = import;
    delta.changed.push_back(*row);
  }
  return delta;
}

absl::StatusOr<RowDelta> RowEditor::SetImportAll(bool import) {
  RowDelta delta;
  for (Row& row : *rows_) {
    if (row.status == RowStatus::kNew && row.import != import) {
      delta.before.push_back(row);
      row.import = import;
      delta.changed.push_back(row);
    }
  }
  return delta;
}

absl::StatusOr<RowDelta> RowEditor::Match(const std::string& learner_id,
                                          const std::string& mis_id,
                                          const Explanation& explanation) {
  Row* hub_row = FindByHub(learner_id);
  if (hub_row == nullptr) {
    return absl::NotFoundError(absl::StrCat("hub learner ", learner_id,
                                            " is on no row of this session"));
  }
  Row* mis_row = FindByMis(mis_id);
  if (mis_row == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("MIS learner ", mis_id, " is on no row of this session"));
  }
  if (hub_row->status != RowStatus::kNotMatched) {
    return absl::FailedPreconditionError(
        absl::StrCat("Match needs a Not matched hub learner; ", learner_id,
                     " is ", RowStatusName(hub_row->status)));
  }
  if (mis_row->status != RowStatus::kNew) {
    return absl::FailedPreconditionError(
        absl::StrCat("Match needs a New MIS learner; ", mis_id, " is ",
                     RowStatusName(mis_row->status)));
  }
  RowDelta delta;
  delta.before = {*hub_row, *mis_row};
  const int64_t removed = mis_row->row_id;
  const bool sync_email = mis_row->sync_email;
  hub_row->status = RowStatus::kMatched;
  hub_row->mis_id = mis_id;
  hub_row->decided_by_admin = true;
  hub_row->reviewed = true;  // a pair made by hand is a decision
  hub_row->import = false;
  hub_row->sync_email = sync_email;
  auto why = std::make_shared<Explanation>(explanation);
  why->reason = absl::StrCat("matched by the admin; ", explanation.reason);
  hub_row->explanation = RowExplanation(std::move(why));
  delta.changed.push_back(*hub_row);
  delta.removed_ids.push_back(removed);
  rows_->erase(
      std::remove_if(rows_->begin(), rows_->end(),
                     [&](const Row& r) { return r.row_id == removed; }),
      rows_->end());
  return delta;
}

absl::StatusOr<RowDelta> RowEditor::Unmatch(
    const std::string& learner_id, const std::string& mis_id,
    const std::function<bool(const std::string&)>& hub_is_linked) {
  const bool by_hub = !learner_id.empty();
  const std::string who = by_hub ? absl::StrCat("hub learner ", learner_id)
                                 : absl::StrCat("MIS learner ", mis_id);
  Row* row = by_hub ? FindByHub(learner_id) : FindByMis(mis_id);
  if (row == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(who, " is on no row of this session"));
  }
  if (row->status != RowStatus::kMatched &&
      row->status != RowStatus::kMayMatch) {
    return absl::FailedPreconditionError(
        absl::StrCat("Unmatch applies to Matched and May match rows; ", who,
                     " is ", RowStatusName(row->status)));
  }
  RowDelta delta;
  delta.before.push_back(*row);
  Row new_row;
  new_row.row_id = (*next_row_id_)++;
  new_row.status = RowStatus::kNew;
  new_row.mis_id = row->mis_id;
  new_row.import = true;
  new_row.sync_email = row->sync_email;
  new_row.decided_by_admin = true;

  const bool linked = hub_is_linked && hub_is_linked(row->hub_learner_id);
  row->status = linked ? RowStatus::kDesynced : RowStatus::kNotMatched;
  row->mis_id.clear();
  row->sync_email = false;
  row->decided_by_admin = true;
  row->reviewed = false;  // no pair left to have reviewed
  row->explanation = RowExplanation::ReasonOnly(
      linked ? "unmatched by the admin; the MIS record it was linked to is "
               "gone, so it will be desynced"
             : "unmatched by the admin");

  delta.changed.push_back(*row);
  delta.changed.push_back(new_row);
  rows_->push_back(std::move(new_row));
  return delta;
}

absl::StatusOr<RowDelta> RowEditor::SetReviewed(const std::string& learner_id,
                                                const std::string& mis_id,
                                                bool reviewed) {
  const bool by_hub = !learner_id.empty();
  const std::string who = by_hub ? absl::StrCat("hub learner ", learner_id)
                                 : absl::StrCat("MIS learner ", mis_id);
  Row* row = by_hub ? FindByHub(learner_id) : FindByMis(mis_id);
  if (row == nullptr) {
    return absl::NotFoundError(
        absl::StrCat(who, " is on no row of this session"));
  }
  if (row->status != RowStatus::kMayMatch) {
    return absl::FailedPreconditionError(
        absl::StrCat("Reviewed applies to May match rows only; ", who, " is ",
                     RowStatusName(row->status)));
  }
  RowDelta delta;
  if (row->reviewed != reviewed) {
    delta.before.push_back(*row);
    row->reviewed = reviewed;
    delta.changed.push_back(*row);
  }
  return delta;
}

absl::StatusOr<RowDelta> RowEditor::SetReviewedAll(bool reviewed,
                                                   int64_t confirm_count) {
  int64_t changes = 0;
  for (const Row& row : *rows_) {
    if (row.status == RowStatus::kMayMatch && row.reviewed != reviewed) {
      ++changes;
    }
  }
  if (confirm_count != changes) {
    return absl::FailedPreconditionError(
        absl::StrCat("this would mark ", changes, " May match row(s) ",
                     reviewed ? "reviewed" : "not reviewed",
                     "; confirm with confirm_count = ", changes,
                     " (the confirmation given was for ", confirm_count, ")"));
  }
  RowDelta delta;
  for (Row& row : *rows_) {
    if (row.status == RowStatus::kMayMatch && row.reviewed != reviewed) {
      delta.before.push_back(row);
      row.reviewed = reviewed;
      delta.changed.push_back(row);
    }
  }
  return delta;
}

absl::StatusOr<RowDelta> RowEditor::SetSyncEmailImpl(const std::string& mis_id,
                                                     bool sync,
                                                     bool has_email) {
  Row* row = FindByMis(mis_id);
  if (row == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("MIS learner ", mis_id, " is on no row of this session"));
  }
  if (!StatusCanSyncEmail(row->status)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Sync email? does not apply to a ", RowStatusName(row->status),
        " row (MIS learner ", mis_id, ")"));
  }
  if (sync && !has_email) {
    return absl::FailedPreconditionError(
        absl::StrCat("MIS learner ", mis_id, " has no email address to sync"));
  }
  RowDelta delta;
  if (row->sync_email != sync) {
    delta.before.push_back(*row);
    row->sync_email = sync;
    delta.changed.push_back(*row);
  }
  return delta;
}

}  // namespace hubsync
