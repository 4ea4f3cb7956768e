// Domain types shared by every layer. Plain structs: no gRPC, protobuf or
// SQLite here (see docs/ARCHITECTURE.md).
#ifndef HUBSYNC_COMMON_TYPES_H_
#define HUBSYNC_COMMON_TYPES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hubsync {

// A calendar date. Dates of birth travel as ISO strings ("2013-09-04").
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  friend bool operator==(const Date& a, const Date& b) {
    return a.year == b.year && a.month == b.month && a.day == b.day;
  }
  friend bool operator!=(const Date& a, const Date& b) { return !(a == b); }
  friend bool operator<(const Date& a, const Date& b) {
    if (a.year != b.year) return a.year < b.year;
    if (a.month != b.month) return a.month < b.month;
    return a.day < b.day;
  }
};

enum class SyncState { kUnsynced, kSynced, kDesynced };

enum class ClassKind { kRegistration, kSubject };

struct School {
  std::string id;
  std::string name;
  int64_t create_time_unix = 0;
  // 0 until the school's classes have been synced at least once.
  int64_t classes_synced_time_unix = 0;
};

// A learner record in the Admin Hub.
struct HubLearner {
  std::string id;  // stable hub id, e.g. "lrn_3f9c..."
  std::string school_id;
  std::string legal_forename;
  std::string legal_surname;
  std::string preferred_forename;  // optional
  std::string preferred_surname;   // optional
  std::optional<Date> date_of_birth;
  std::string gender;                // optional, free text as the MIS gives it
  std::string upn;                   // optional
  std::string year_group;            // canonical, see year_group.h
  std::string registration_group;    // the group's name, e.g. "7A"
  std::vector<std::string> classes;  // subject class names, sorted
  std::string email;                 // optional
  std::string mis_id;                // the MIS record it is linked to
  SyncState sync_state = SyncState::kUnsynced;
  int64_t update_time_unix = 0;
  // When the learner was archived (Unix seconds); 0 while it is not.
  int64_t archive_time_unix = 0;
};

// A hub learner an admin unlinked from a MIS record (UnlinkLearner): the
// classifier never pairs the two again; only the admin's own Match does.
struct UnlinkedPair {
  std::string learner_id;
  std::string mis_id;
};

// A class (registration group or subject class) as the MIS describes it.
struct MisClass {
  std::string mis_id;
  std::string name;  // "7A", "7x/Ma1"
  ClassKind kind = ClassKind::kSubject;
  std::string year_group;  // canonical, may be empty
};

// A class in the Admin Hub.
struct HubClass {
  std::string id;
  std::string school_id;
  std::string mis_id;  // empty for hand-made classes
  std::string name;
  ClassKind kind = ClassKind::kSubject;
  std::string year_group;
};

// A learner as the MIS describes it.
struct MisLearner {
  std::string mis_id;
  std::string upn;  // as given; may be invalid (see upn.h)
  std::string legal_forename;
  std::string legal_surname;
  std::string preferred_forename;
  std::string preferred_surname;
  std::optional<Date> date_of_birth;
  std::string gender;
  std::string year_group;          // canonical
  std::string registration_group;  // the group's name
  std::string registration_group_mis_id;
  std::vector<std::string> class_mis_ids;  // subject classes, sorted
  std::vector<std::string> classes;        // their names, same order
  std::string email;
};

enum class MisFormat { kOneRoster, kPlainCsv, kPushed };

// One parsed and validated MIS export.
struct MisSnapshot {
  std::string id;
  std::string school_id;
  MisFormat format = MisFormat::kPlainCsv;
  std::string oneroster_version;  // "1.1", "1.2" or empty
  int64_t create_time_unix = 0;
  std::vector<MisClass> classes;
  std::vector<MisLearner> learners;
};

// A problem found in an uploaded file. line and column are 1-based; 0 means
// "the whole file" / "the whole line".
struct Problem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
};

enum class RowStatus {
  kNotMatched,
  kNew,
  kMatched,
  kMayMatch,
  kSynced,
  kDesynced
};

// How one field compared between a hub learner and a MIS learner.
// Field and level names come from a small fixed vocabulary
// (match_explain.cc), so evidence holds views of text that lives as long as
// the program, not copies: a million rows would otherwise carry hundreds of
// megabytes of the same few words.
struct FieldEvidence {
  std::string_view field;  // "upn", "forename", "surname", "date_of_birth", ...
  std::string_view
      level;          // "exact", "nickname", "typo", "missing", "different"...
  double weight = 0;  // contribution to the score (log-likelihood ratio)
};

// A view of `word` valid for the rest of the program, the same view for the
// same word: for evidence read back from storage.
std::string_view InternEvidenceWord(std::string_view word);

struct Explanation {
  double score = 0;
  std::vector<FieldEvidence> fields;
  std::string reason;  // one human sentence, e.g. "same valid UPN"
};

// Words a row puts around its evidence's reason ("Linked by an earlier sync.
// " before it, say). Static: the rows that use them hold a pointer.
struct ReasonWording {
  std::string_view before;
  std::string_view after;
};

// A row's explanation: an immutable Explanation shared by every row that
// scored alike (handed out by Describe: at 100,000 learners 107,113 rows
// held 21,792 distinct ones, the Synced rows a handful between them) and,
// optionally, the row's fixed wording around its reason.
// A row with its own text (a re-link names the old MIS id) holds an
// Explanation of its own. Copying copies a pointer.
class RowExplanation {
 public:
  RowExplanation() = default;  // none: "", no fields, score 0
  explicit RowExplanation(std::shared_ptr<const Explanation> evidence,
                          const ReasonWording* wording = nullptr)
      : evidence_(std::move(evidence)), wording_(wording) {}
  // Evidence of its own holding just `reason` (no fields, score 0).
  static RowExplanation ReasonOnly(std::string reason);

  double score() const { return evidence_ ? evidence_->score : 0; }
  const std::vector<FieldEvidence>& fields() const;
  // The whole sentence the admin reads: the wording around the reason.
  std::string reason() const;
  void AppendReason(std::string* out) const;
  // No fields and no reason: the row has nothing to explain.
  bool empty() const;
  // The shared object; rows that scored alike hold the same one.
  const Explanation* evidence() const { return evidence_.get(); }
  // The fixed wording around the reason; null when none.
  const ReasonWording* wording() const { return wording_; }

 private:
  std::shared_ptr<const Explanation> evidence_;  // null: none
  const ReasonWording* wording_ = nullptr;       // null: the reason as it is
};

// One line of the sync screen. Left = hub learner, right = MIS learner.
struct Row {
  int64_t row_id = 0;  // stable within a session, increasing
  RowStatus status = RowStatus::kNotMatched;
  std::string hub_learner_id;     // empty for New
  std::string mis_id;             // empty for Not matched and Desynced
  bool import = false;            // New rows only
  bool sync_email = false;        // rows whose MIS record has an email
  bool decided_by_admin = false;  // set by Match / Unmatch
  RowExplanation explanation;     // paired rows
  // The admin has looked at the pair: SetReviewed on a May match row, or
  // Match (a pair made by hand). A save refuses unreviewed May match rows
  // unless told otherwise (docs/SYNC.md, "Reviewed rows").
  bool reviewed = false;
  // Where the row's learners are in the hub and MIS vectors it was
  // classified from (-1: not known), so that a screen of a million rows is
  // rendered without looking each id up. A hint only: a reader checks the
  // record at that place has the row's id (RowContext::HubOf, MisOf).
  int32_t hub_index = -1;
  int32_t mis_index = -1;
};

enum class ScopeKind { kAll, kYearGroups, kRegistrationGroups };

struct Scope {
  ScopeKind kind = ScopeKind::kAll;
  std::vector<std::string> values;  // year groups or registration group names
};

const char* RowStatusName(RowStatus s);  // "Not matched", "New", ...
const char* SyncStateName(SyncState s);  // "UNSYNCED", ...
std::string FormatDate(const Date& d);   // "2013-09-04"

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_TYPES_H_
