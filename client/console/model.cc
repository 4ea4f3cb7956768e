#include "client/console/model.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "client/console/text.h"
#include "client/lib/labels.h"
#include "common/normalise.h"

namespace hubsync::console {
namespace {

constexpr v1::RowStatus kFilterCycle[] = {
    v1::ROW_STATUS_UNSPECIFIED, v1::ROW_STATUS_NOT_MATCHED,
    v1::ROW_STATUS_NEW,         v1::ROW_STATUS_MATCHED,
    v1::ROW_STATUS_MAY_MATCH,   v1::ROW_STATUS_SYNCED,
    v1::ROW_STATUS_DESYNCED};

std::string Person(const std::string& forename, const std::string& surname,
                   const std::string& preferred) {
  std::string name = absl::StrCat(forename, " ", surname);
  if (!preferred.empty() && preferred != forename) {
    absl::StrAppend(&name, " (", preferred, ")");
  }
  return name;
}

absl::Status NoRow() {
  return absl::FailedPreconditionError("no row under the cursor");
}

}  // namespace

std::string FilterLabel(v1::RowStatus filter) {
  return filter == v1::ROW_STATUS_UNSPECIFIED ? "All"
                                              : client::StatusLabel(filter);
}

bool HasHub(const v1::Row& r) {
  return r.has_hub() && !r.hub().learner_id().empty();
}
bool HasMis(const v1::Row& r) {
  return r.has_mis() && !r.mis().mis_id().empty();
}

std::string HubName(const v1::Row& r) {
  if (!HasHub(r)) return "";
  return Person(r.hub().legal_forename(), r.hub().legal_surname(),
                r.hub().preferred_forename());
}

std::string MisName(const v1::Row& r) {
  if (!HasMis(r)) return "";
  return Person(r.mis().legal_forename(), r.mis().legal_surname(),
                r.mis().preferred_forename());
}

int64_t Counts::Of(v1::RowStatus s) const {
  switch (s) {
    case v1::ROW_STATUS_NOT_MATCHED:
      return not_matched;
    case v1::ROW_STATUS_NEW:
      return new_rows;
    case v1::ROW_STATUS_MATCHED:
      return matched;
    case v1::ROW_STATUS_MAY_MATCH:
      return may_match;
    case v1::ROW_STATUS_SYNCED:
      return synced;
    case v1::ROW_STATUS_DESYNCED:
      return desynced;
    default:
      return total;
  }
}

bool SyncModel::read_only() const {
  return session_.step() == v1::SESSION_STEP_SAVED ||
         session_.step() == v1::SESSION_STEP_CANCELLED;
}

void SyncModel::ClearRows() {
  rows_.clear();
  index_.clear();
  removed_.clear();
  visible_.clear();
  folded_.clear();
  cursor_ = top_ = 0;
  mark_.reset();
  done_ = false;
  classified_ = 0;
}

void SyncModel::AddBatch(const v1::RowBatch& batch) {
  for (const v1::Row& r : batch.rows()) {
    if (removed_.count(r.row_id()) > 0) continue;
    auto it = index_.find(r.row_id());
    if (it != index_.end()) {
      folded_.erase(r.row_id());
      rows_[it->second] = r;
    } else {
      index_[r.row_id()] = rows_.size();
      rows_.push_back(r);
    }
  }
  classified_ = std::max(classified_, batch.classified());
  if (batch.done()) done_ = true;
  Rebuild();
}

void SyncModel::ApplyEdit(const v1::EditResponse& edit) {
  if (edit.has_session()) session_ = edit.session();
  // Where new rows go: in place of the first removed row still held.
  size_t insert_at = rows_.size();
  for (int64_t id : edit.removed_row_ids()) {
    auto it = index_.find(id);
    if (it != index_.end()) insert_at = std::min(insert_at, it->second);
  }
  std::vector<v1::Row> fresh;
  for (const v1::Row& r : edit.changed_rows()) {
    folded_.erase(r.row_id());
    auto it = index_.find(r.row_id());
    if (it != index_.end()) {
      rows_[it->second] = r;
    } else {
      fresh.push_back(r);
    }
  }
  std::unordered_set<int64_t> gone(edit.removed_row_ids().begin(),
                                   edit.removed_row_ids().end());
  removed_.insert(gone.begin(), gone.end());
  for (int64_t id : gone) folded_.erase(id);
  std::vector<v1::Row> next;
  next.reserve(rows_.size() + fresh.size());
  for (size_t i = 0; i <= rows_.size(); ++i) {
    if (i == insert_at) {
      for (v1::Row& r : fresh) next.push_back(std::move(r));
    }
    if (i < rows_.size() && gone.count(rows_[i].row_id()) == 0) {
      next.push_back(std::move(rows_[i]));
    }
  }
  // The cursor follows the first new row (a Match lands on its result).
  const int64_t follow = edit.changed_rows_size() > 0 && !gone.empty()
                             ? edit.changed_rows(0).row_id()
                             : 0;
  rows_ = std::move(next);
  index_.clear();
  for (size_t i = 0; i < rows_.size(); ++i) index_[rows_[i].row_id()] = i;
  if (mark_ &&
      (gone.count(mark_->row_id) > 0 || index_.count(mark_->row_id) == 0 ||
       rows_[index_[mark_->row_id]].status() != mark_->status)) {
    mark_.reset();
  }
  Rebuild();
  if (follow != 0) {
    for (size_t i = 0; i < visible_.size(); ++i) {
      if (rows_[visible_[i]].row_id() == follow) cursor_ = i;
    }
  }
}

bool SyncModel::Visible(const v1::Row& r) const {
  if (filter_ != v1::ROW_STATUS_UNSPECIFIED && r.status() != filter_) {
    return false;
  }
  if (search_lower_.empty()) return true;
  if (!search_folded_.empty() &&
      Folded(r).find(search_folded_) != std::string::npos) {
    return true;
  }
  const std::wstring ids =
      Lower(Widen(absl::StrCat(r.hub().learner_id(), "\n", r.mis().mis_id())));
  return ids.find(search_lower_) != std::wstring::npos;
}

const std::string& SyncModel::Folded(const v1::Row& r) const {
  auto it = folded_.find(r.row_id());
  if (it == folded_.end()) {
    // One name per line, so a search never runs from one name into the other.
    it = folded_
             .emplace(r.row_id(), absl::StrCat(NormaliseName(HubName(r)), "\n",
                                               NormaliseName(MisName(r))))
             .first;
  }
  return it->second;
}

void SyncModel::Rebuild() {
  const v1::Row* current = Current();
  const int64_t keep = current != nullptr ? current->row_id() : 0;
  const size_t old_cursor = cursor_;
  visible_.clear();
  bool found = false;
  for (size_t i = 0; i < rows_.size(); ++i) {
    if (!Visible(rows_[i])) continue;
    if (keep != 0 && rows_[i].row_id() == keep) {
      cursor_ = visible_.size();
      found = true;
    }
    visible_.push_back(i);
  }
  if (!found) cursor_ = old_cursor;
  if (visible_.empty()) {
    cursor_ = 0;
  } else if (cursor_ >= visible_.size()) {
    cursor_ = visible_.size() - 1;
  }
}

const v1::Row* SyncModel::Current() const {
  return cursor_ < visible_.size() ? &rows_[visible_[cursor_]] : nullptr;
}

void SyncModel::Move(int64_t delta) {
  if (visible_.empty()) return;
  const int64_t last = static_cast<int64_t>(visible_.size()) - 1;
  cursor_ = static_cast<size_t>(
      std::clamp(static_cast<int64_t>(cursor_) + delta, int64_t{0}, last));
}

void SyncModel::Home() { cursor_ = 0; }

void SyncModel::End() { cursor_ = visible_.empty() ? 0 : visible_.size() - 1; }

size_t SyncModel::Top(size_t page) {
  if (page == 0) return cursor_;
  if (cursor_ < top_) top_ = cursor_;
  if (cursor_ >= top_ + page) top_ = cursor_ + 1 - page;
  // No empty space under the last row while there are rows above.
  if (visible_.size() >= page && top_ > visible_.size() - page) {
    top_ = visible_.size() - page;
  }
  if (visible_.size() < page) top_ = 0;
  return top_;
}

void SyncModel::CycleFilter() {
  size_t i = 0;
  while (kFilterCycle[i] != filter_) ++i;
  SetFilter(kFilterCycle[(i + 1) % std::size(kFilterCycle)]);
}

void SyncModel::SetFilter(v1::RowStatus s) {
  filter_ = s;
  Rebuild();
}

void SyncModel::SetSearch(const std::string& text) {
  search_ = text;
  search_lower_ = Lower(Widen(text));
  search_folded_ = NormaliseName(text);
  Rebuild();
}

Counts SyncModel::counts() const {
  Counts c;
  for (const v1::Row& r : rows_) {
    switch (r.status()) {
      case v1::ROW_STATUS_NOT_MATCHED:
        ++c.not_matched;
        break;
      case v1::ROW_STATUS_NEW:
        ++c.new_rows;
        break;
      case v1::ROW_STATUS_MATCHED:
        ++c.matched;
        break;
      case v1::ROW_STATUS_MAY_MATCH:
        ++c.may_match;
        if (!r.reviewed()) ++c.unreviewed_may_match;
        break;
      case v1::ROW_STATUS_SYNCED:
        ++c.synced;
        break;
      case v1::ROW_STATUS_DESYNCED:
        ++c.desynced;
        break;
      default:
        break;
    }
    if (r.status() == v1::ROW_STATUS_NEW && r.import()) ++c.import_ticked;
    if (r.sync_email()) ++c.email_ticked;
  }
  c.total = static_cast<int64_t>(rows_.size());
  return c;
}

template <typename Req>
Req SyncModel::Versioned() const {
  Req req;
  req.set_session_id(session_.session_id());
  req.set_expected_version(session_.version());
  return req;
}

absl::StatusOr<v1::SetImportRequest> SyncModel::ToggleImport() const {
  const v1::Row* r = Current();
  if (r == nullptr) return NoRow();
  if (r->status() != v1::ROW_STATUS_NEW) {
    return absl::FailedPreconditionError(
        absl::StrCat("Import? is for New rows; this row is ",
                     client::StatusLabel(r->status())));
  }
  auto req = Versioned<v1::SetImportRequest>();
  req.set_mis_id(r->mis().mis_id());
  req.set_import(!r->import());
  return req;
}

absl::StatusOr<v1::SetSyncEmailRequest> SyncModel::ToggleEmail() const {
  const v1::Row* r = Current();
  if (r == nullptr) return NoRow();
  if (!session_.sync_email_addresses()) {
    return absl::FailedPreconditionError(
        "the session's email option is off (Pupils panel: Sync pupil email "
        "addresses)");
  }
  if (!HasMis(*r) || !r->email_available()) {
    return absl::FailedPreconditionError(
        "this row has no MIS email address to sync");
  }
  auto req = Versioned<v1::SetSyncEmailRequest>();
  req.set_mis_id(r->mis().mis_id());
  req.set_sync(!r->sync_email());
  return req;
}

absl::StatusOr<v1::UnmatchRequest> SyncModel::Unmatch() const {
  const v1::Row* r = Current();
  if (r == nullptr) return NoRow();
  if (r->status() != v1::ROW_STATUS_MATCHED &&
      r->status() != v1::ROW_STATUS_MAY_MATCH) {
    return absl::FailedPreconditionError(
        absl::StrCat("Unmatch is for Matched and May match rows; this row is ",
                     client::StatusLabel(r->status())));
  }
  auto req = Versioned<v1::UnmatchRequest>();
  req.set_learner_id(r->hub().learner_id());
  return req;
}

absl::StatusOr<v1::SetReviewedRequest> SyncModel::ToggleReviewed() const {
  const v1::Row* r = Current();
  if (r == nullptr) return NoRow();
  if (r->status() != v1::ROW_STATUS_MAY_MATCH) {
    return absl::FailedPreconditionError(
        absl::StrCat("v marks May match rows as reviewed; this row is ",
                     client::StatusLabel(r->status())));
  }
  auto req = Versioned<v1::SetReviewedRequest>();
  req.set_learner_id(r->hub().learner_id());
  req.set_reviewed(!r->reviewed());
  return req;
}

v1::SetReviewedAllRequest SyncModel::ReviewAll(int64_t count) const {
  auto req = Versioned<v1::SetReviewedAllRequest>();
  req.set_reviewed(true);
  req.set_confirm_count(count);
  return req;
}

std::vector<v1::Row> SyncModel::UnreviewedMayMatch() const {
  std::vector<v1::Row> out;
  for (const v1::Row& r : rows_) {
    if (r.status() == v1::ROW_STATUS_MAY_MATCH && !r.reviewed()) {
      out.push_back(r);
    }
  }
  return out;
}

v1::SetImportAllRequest SyncModel::TickAllNew() const {
  auto req = Versioned<v1::SetImportAllRequest>();
  req.set_import(true);
  return req;
}

v1::SetImportAllRequest SyncModel::UntickAllNew() const {
  auto req = Versioned<v1::SetImportAllRequest>();
  req.set_import(false);
  return req;
}

absl::StatusOr<v1::SetSyncEmailAllRequest> SyncModel::ToggleEmailAll() const {
  if (!session_.sync_email_addresses()) {
    return absl::FailedPreconditionError(
        "the session's email option is off (Pupils panel: Sync pupil email "
        "addresses)");
  }
  bool all = true;
  bool any = false;
  for (const v1::Row& r : rows_) {
    if (!r.email_available()) continue;
    any = true;
    all = all && r.sync_email();
  }
  auto req = Versioned<v1::SetSyncEmailAllRequest>();
  req.set_sync(!(any && all));
  return req;
}

v1::SaveRequest SyncModel::Save() const { return Versioned<v1::SaveRequest>(); }

absl::StatusOr<std::optional<v1::MatchRequest>> SyncModel::MarkOrMatch() {
  const v1::Row* r = Current();
  if (r == nullptr) return NoRow();
  const bool not_matched = r->status() == v1::ROW_STATUS_NOT_MATCHED;
  if (!not_matched && r->status() != v1::ROW_STATUS_NEW) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Match pairs a Not matched hub learner with a New MIS learner; this "
        "row is ",
        client::StatusLabel(r->status())));
  }
  if (mark_ && mark_->row_id == r->row_id()) {
    mark_.reset();
    return std::nullopt;
  }
  if (!mark_) {
    mark_ = Mark{.row_id = r->row_id(),
                 .status = r->status(),
                 .id = not_matched ? r->hub().learner_id() : r->mis().mis_id(),
                 .name = not_matched ? HubName(*r) : MisName(*r)};
    return std::nullopt;
  }
  if (mark_->status == r->status()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "both rows are ", client::StatusLabel(r->status()), ": mark a ",
        not_matched ? "New" : "Not matched", " row to match with ", mark_->name,
        " (Esc clears the mark)"));
  }
  auto req = Versioned<v1::MatchRequest>();
  req.set_learner_id(not_matched ? r->hub().learner_id() : mark_->id);
  req.set_mis_id(not_matched ? mark_->id : r->mis().mis_id());
  return std::optional<v1::MatchRequest>(req);
}

}  // namespace hubsync::console
