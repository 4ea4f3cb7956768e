// The sync screen's state, apart from any drawing: the rows received so far
// (in the server's order), the status filter and name search that pick the
// visible ones, the cursor, the row marked for a match, the counts, and the
// requests that each key turns into. The ncurses code (sync_screen.cc, ui.h)
// only draws this and sends what it asks for, so everything here is
// unit-tested.
//
// Every request carries the session id and the version the model last saw
// (expected_version), so a stale edit is refused by the server with ABORTED.
#ifndef HUBSYNC_CLIENT_CONSOLE_MODEL_H_
#define HUBSYNC_CLIENT_CONSOLE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/statusor.h"
#include "hubsync/v1/sync.pb.h"

namespace hubsync::console {

// The status filter's label: "All" for ROW_STATUS_UNSPECIFIED (no filter),
// else the status's own label ("Not matched", "New", ...).
std::string FilterLabel(v1::RowStatus filter);
// "Eleanor Moss (Ellie)": legal names, then a different preferred forename.
std::string HubName(const v1::Row& row);  // "" when the row has no hub side
std::string MisName(const v1::Row& row);  // "" when the row has no MIS side
bool HasHub(const v1::Row& row);
bool HasMis(const v1::Row& row);

struct Counts {
  int64_t not_matched = 0, new_rows = 0, matched = 0, may_match = 0, synced = 0,
          desynced = 0, total = 0;
  int64_t import_ticked = 0, email_ticked = 0;
  int64_t unreviewed_may_match = 0;  // May match rows not marked reviewed
  int64_t Of(v1::RowStatus s) const;
};

// The row marked with `m`, waiting for its partner.
struct Mark {
  int64_t row_id = 0;
  v1::RowStatus status = v1::ROW_STATUS_UNSPECIFIED;
  std::string id;  // its learner_id (Not matched) or mis_id (New)
  std::string name;
};

class SyncModel {
 public:
  // ---- data ----
  void SetSession(const v1::Session& s) { session_ = s; }
  const v1::Session& session() const { return session_; }
  bool read_only() const;  // saved or cancelled: no more edits

  // Forgets every row (before the rows are streamed again).
  void ClearRows();
  // A streamed batch: new rows are appended, a row already held is replaced.
  void AddBatch(const v1::RowBatch& batch);
  bool stream_done() const { return done_; }
  int64_t classified() const { return classified_; }
  // An edit's reply (or another admin's change): changed rows replace the
  // held ones or take the place of the first removed row; removed rows go.
  void ApplyEdit(const v1::EditResponse& edit);

  // ---- view ----
  size_t visible_size() const { return visible_.size(); }
  const v1::Row& visible(size_t i) const { return rows_[visible_[i]]; }
  size_t total_rows() const { return rows_.size(); }
  // The row under the cursor, nullptr when none is visible.
  const v1::Row* Current() const;
  size_t cursor() const { return cursor_; }
  void Move(int64_t delta);
  void Home();
  void End();
  // The first visible row to draw so that the cursor shows in `page` lines.
  size_t Top(size_t page);

  // `f`: All -> Not matched -> New -> Matched -> May match -> Synced ->
  // Desynced -> All.
  void CycleFilter();
  void SetFilter(v1::RowStatus s);
  v1::RowStatus filter() const { return filter_; }
  // Rows whose hub or MIS name contains `text` once both are folded as the
  // matcher folds names (NormaliseName: case, accents, apostrophes and
  // hyphens; "zoe" finds Zoë, "obrien" O'Brien), or whose learner or MIS id
  // contains it, case-insensitively; "" shows every row.
  void SetSearch(const std::string& text);
  const std::string& search() const { return search_; }

  // The numbers per status. What Save will do is the server's to say: the
  // screen asks it for a dry run (SaveRequest.validate_only).
  Counts counts() const;
  // The May match rows nobody has marked reviewed, in the server's order:
  // what a save would link unseen (the Save dialog lists them).
  std::vector<v1::Row> UnreviewedMayMatch() const;

  // ---- requests for the keys; an error says why the key does nothing ----
  absl::StatusOr<v1::SetImportRequest> ToggleImport() const;      // space
  absl::StatusOr<v1::SetSyncEmailRequest> ToggleEmail() const;    // e
  absl::StatusOr<v1::UnmatchRequest> Unmatch() const;             // u
  absl::StatusOr<v1::SetReviewedRequest> ToggleReviewed() const;  // v
  // V: every May match row not yet reviewed marked reviewed; `count` is
  // how many the admin was shown (the server refuses another number).
  v1::SetReviewedAllRequest ReviewAll(int64_t count) const;           // V
  v1::SetImportAllRequest TickAllNew() const;                         // a
  v1::SetImportAllRequest UntickAllNew() const;                       // A
  absl::StatusOr<v1::SetSyncEmailAllRequest> ToggleEmailAll() const;  // E
  v1::SaveRequest Save() const;                                       // S

  // `m`: with no mark, marks the current Not matched or New row (returns
  // nullopt); on the marked row again, clears the mark (nullopt); on a row
  // of the other kind, returns the Match request (the mark stays until the
  // edit is applied, which clears it).
  absl::StatusOr<std::optional<v1::MatchRequest>> MarkOrMatch();
  const std::optional<Mark>& mark() const { return mark_; }
  void ClearMark() { mark_.reset(); }

 private:
  template <typename Req>
  Req Versioned() const;
  void Rebuild();  // recomputes visible_, keeping the cursor on its row
  bool Visible(const v1::Row& r) const;
  // The row's hub and MIS names, folded; cached by row id until it changes.
  const std::string& Folded(const v1::Row& r) const;

  v1::Session session_;
  std::vector<v1::Row> rows_;
  std::unordered_map<int64_t, size_t> index_;  // row_id -> position in rows_
  std::unordered_set<int64_t> removed_;        // never re-added by a late batch
  std::vector<size_t> visible_;
  size_t cursor_ = 0;
  size_t top_ = 0;
  v1::RowStatus filter_ = v1::ROW_STATUS_UNSPECIFIED;
  std::string search_;
  std::wstring search_lower_;  // for ids
  std::string search_folded_;  // for names
  mutable std::unordered_map<int64_t, std::string> folded_;
  std::optional<Mark> mark_;
  bool done_ = false;
  int64_t classified_ = 0;
};

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_MODEL_H_
