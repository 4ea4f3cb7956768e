// Domain types of a sync session and of what Save writes. No transport here.
#ifndef HUBSYNC_COMMON_SESSION_TYPES_H_
#define HUBSYNC_COMMON_SESSION_TYPES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/types.h"

namespace hubsync {

// The steps of the help page, in order. CLASSIFYING is the short window
// between the second Proceed and the sync screen, while rows stream.
enum class SessionStep {
  kClassSync,    // started; Proceed syncs classes from the snapshot
  kPupilsPanel,  // choose scope and email option; Proceed classifies
  kClassifying,  // rows being classified and streamed
  kSyncScreen,   // review and edit; Save or Cancel
  kSaved,        // terminal
  kCancelled,    // terminal
};

const char* SessionStepName(SessionStep s);  // "CLASS_SYNC", ...

// How a refusal because the hub changed under a session ends: what the admin
// does next (docs/SYNC.md, "Stepping back").
inline constexpr char kClassifyAgain[] =
    "classify again: StepBack to the Pupils panel (hubsync sync back "
    "SESSION), then Proceed; the admin's decisions are kept";

struct StatusCounts {
  int64_t not_matched = 0;
  int64_t new_records = 0;
  int64_t matched = 0;
  int64_t may_match = 0;
  int64_t synced = 0;
  int64_t desynced = 0;
  int64_t import_ticked = 0;
  int64_t email_ticked = 0;
  int64_t unreviewed_may_match = 0;  // May match rows not marked reviewed
  int64_t total() const {
    return not_matched + new_records + matched + may_match + synced + desynced;
  }
};

StatusCounts CountRows(const std::vector<Row>& rows);

struct ClassSyncResult {
  int64_t created = 0;  // hub classes made from MIS classes
  int64_t updated = 0;  // linked by MIS id, name/year refreshed
  int64_t unchanged = 0;
};

struct SaveSummary {
  int64_t linked = 0;
  int64_t refreshed = 0;
  int64_t imported = 0;
  int64_t desynced = 0;
  int64_t unaffected = 0;
  int64_t emails_queued = 0;
  int64_t audit_records = 0;
  std::string save_id;  // the save's record (SaveRecord), for RevertSave
};

// One of the admin's decisions on the sync screen, as StepBack keeps it for
// the next classification (docs/SYNC.md, "Stepping back"). A decision names
// learners by id, never by row: rows are renumbered by a classification.
struct KeptDecision {
  enum class Kind {
    kMatch,    // the admin paired learner_id with mis_id
    kUnmatch,  // the admin split the proposed pair learner_id / mis_id
    kTicks,    // the ticks of the row of mis_id
  };
  Kind kind = Kind::kTicks;
  std::string learner_id;  // kMatch, kUnmatch
  std::string mis_id;
  // The row's own flags, carried with the decision: Import? (kTicks, New
  // rows), Sync email? (any row with a MIS learner) and reviewed (kTicks of
  // a May match row, with learner_id: the pair the admin looked at).
  bool import = false;
  bool sync_email = false;
  bool reviewed = false;
};

// A kept decision the classification after StepBack could not apply.
struct DroppedDecision {
  std::string decision;  // "Match Ann Lee (lrn_..) <-> m-17 (Ann Lee)"
  std::string reason;    // "m-17 is out of scope"
};

// What a session remembers of the admin's decisions across StepBack.
struct SessionDecisions {
  // At most this many dropped decisions are listed (all are counted).
  static constexpr size_t kMaxListed = 1000;
  // SYNC_SCREEN: the pairs Unmatch split (kUnmatch), which the rows alone do
  // not show once split.
  std::vector<KeptDecision> unmatched;
  // PUPILS_PANEL and CLASSIFYING after StepBack: what the next
  // classification applies. Empty otherwise.
  std::vector<KeptDecision> kept;
  // What the last classification after StepBack did with them.
  int64_t applied = 0;
  int64_t dropped_count = 0;
  std::vector<DroppedDecision> dropped;  // at most kMaxListed
  bool empty() const {
    return unmatched.empty() && kept.empty() && applied == 0 &&
           dropped_count == 0;
  }
};

struct SessionRecord {
  std::string id;
  std::string school_id;
  std::string snapshot_id;
  std::string admin;  // who started it
  SessionStep step = SessionStep::kClassSync;
  int64_t version = 1;  // +1 on every change
  Scope scope;
  bool sync_emails = false;
  int64_t hub_version = 0;  // school's hub version when classified
  int64_t create_time_unix = 0;
  int64_t update_time_unix = 0;
  ClassSyncResult class_sync;
  std::string save_request_id;  // the request id of the Save that applied
  SaveSummary save_summary;     // what that Save did (step SAVED)
  // Shared between copies of the record (every event holds one); replaced,
  // never changed in place. nullptr = none.
  std::shared_ptr<const SessionDecisions> decisions;
};

// What Save does to one hub learner.
enum class LearnerChange {
  kLink,     // Matched / May match: link and overwrite from MIS
  kRefresh,  // Synced: stay linked, refresh from MIS
  kImport,   // New with Import? ticked: create
  kDesync,   // Desynced: set DESYNCED, keep class and year
};

struct PlannedChange {
  LearnerChange change = LearnerChange::kRefresh;
  HubLearner before;  // empty id for kImport
  HubLearner after;   // for kImport, id empty: the store assigns one
  bool queue_verification_email = false;  // email ticked and present
  // MIS class ids the learner must belong to after the save (kLink,
  // kRefresh, kImport). The store maps them to hub classes by MIS id.
  std::vector<std::string> class_mis_ids;
};

// Who made a change: the API key the server authenticated the call with
// (docs/SECURITY.md), never a name the request carries. Empty for changes
// made by hubsyncd itself (e.g. --init-operator-key) or by code that calls
// the store directly.
struct Actor {
  std::string key_id;  // "key_..."
  std::string name;    // the key's label
  std::string role;    // "operator", "admin", "service" or "viewer"
};

struct SavePlan {
  std::string session_id;
  std::string school_id;
  Actor actor;  // who saves: the authenticated caller
  std::string request_id;
  int64_t expected_hub_version = 0;
  std::vector<PlannedChange> changes;
  int64_t unaffected = 0;  // Not matched rows, for the summary
  // true: every change's `before` is the learner exactly as stored when the
  // school's hub was at expected_hub_version (the session's own copy, read
  // together with that version), so the store need not read the learners
  // back; it still checks the version in its transaction, and each write
  // names the stored update time and state it expects. false: the store
  // reads each learner it changes.
  bool before_is_stored = false;
};

// One entry of a school's audit trail (docs/SECURITY.md, "Audit trail").
struct AuditRecord {
  int64_t id = 0;
  std::string school_id;
  std::string session_id;  // the session it happened in, if any
  Actor actor;
  // Learners: "create", and a Save's "link", "refresh", "import", "desync".
  // Sessions: "start_session", "class_sync", "set_scope", "classify",
  // "set_import", "set_import_all", "match", "unmatch", "set_sync_email",
  // "set_sync_email_all", "set_reviewed", "set_reviewed_all", "step_back",
  // "apply_decisions", "cancel_session". Classes: "class_create",
  // "class_update". MIS data: "save_snapshot". Administration:
  // "create_school", "create_key", "revoke_key".
  std::string verb;
  std::string learner_id;   // the learner, for learner verbs
  std::string record_id;    // the class, key or school, for those verbs
  std::string before_json;  // "" when created
  std::string after_json;
  int64_t time_unix = 0;
};

// A verification email in the outbox (docs/ACCOUNTS.md, "Delivery").
struct OutboxEmail {
  int64_t id = 0;
  std::string school_id;
  std::string learner_id;
  std::string address;
  std::string kind;  // "verification"
  // "queued" (waiting, maybe after failed attempts), "sending" (handed to
  // the relay; the outcome not yet recorded), "sent", "failed" (gave up:
  // last_error says why), "withdrawn" (a revert took it back unsent).
  std::string status;
  int64_t create_time_unix = 0;
  int64_t attempts = 0;                // attempts made (or under way)
  int64_t next_attempt_time_unix = 0;  // queued: not before this
  int64_t last_attempt_time_unix = 0;
  int64_t sent_time_unix = 0;
  std::string last_error;  // the relay's reply or the connection error
};

// What RevertSave did (or, validate_only, would do).
struct RevertSummary {
  int64_t restored = 0;   // learners put back as they were before the save
  int64_t removed = 0;    // learners the save created, removed
  int64_t recreated = 0;  // learners a reverted revert had removed, back
  int64_t emails_withdrawn = 0;  // queued by the save, not sent: withdrawn
  int64_t emails_requeued = 0;   // withdrawn by a reverted revert: queued
  int64_t emails_left = 0;       // already sent (or gone): left as they are
  int64_t audit_records = 0;
};

// A save, or a revert of one, as the school's list of saves shows it
// (docs/SYNC.md, "Reverting a save"). What a revert needs (each changed
// learner before and after, the emails queued) is kept with it until the
// retention period ends (`changes_kept` false after that).
struct SaveRecord {
  std::string id;  // "sav_..."
  std::string school_id;
  std::string session_id;  // the session saved; for a revert, that save's
  bool is_revert = false;
  std::string reverts_save_id;  // a revert: the save it undid
  std::string reverted_by;      // the revert in force that undid this one
  Actor actor;
  int64_t create_time_unix = 0;
  SaveSummary summary;           // a save's
  RevertSummary revert_summary;  // a revert's
  int64_t learners_changed = 0;
  bool changes_kept = true;
};

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_SESSION_TYPES_H_
