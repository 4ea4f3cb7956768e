// The sync session state machine (docs/SYNC.md), on top of the Store and the
// classifier. Knows nothing of the transport. Thread-safe: verbs on one
// session are serialised; verbs on different sessions run in parallel.
//
// Every verb loads the session from the store if it is not in memory, so a
// session survives a server restart. Errors: NOT_FOUND for an unknown id,
// FAILED_PRECONDITION for a verb in the wrong step or a row in the wrong
// status, ABORTED when expected_version (if non-zero) is not the session's
// version, INVALID_ARGUMENT for a malformed scope. On error nothing changes.
//
// Every verb that changes something takes the `actor` (the API key the
// service authenticated) and writes an audit record naming it in the same
// transaction as the change (docs/SECURITY.md, "Audit trail"). An edit that
// changes no row writes none.
#ifndef HUBSYNC_SERVER_SESSION_SESSION_MANAGER_H_
#define HUBSYNC_SERVER_SESSION_SESSION_MANAGER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/session_types.h"
#include "server/session/row_context.h"
#include "server/storage/store.h"

namespace hubsync {

struct SessionView {
  SessionRecord record;
  StatusCounts counts;  // of the rows so far
};

// The result of an edit, and what watchers see of it.
struct SessionEvent {
  int64_t version = 0;
  std::string verb;
  SessionView session;
  std::vector<Row> changed;
  std::vector<int64_t> removed;
  int64_t time_unix = 0;
  std::shared_ptr<const RowContext> context;  // to render the rows
};

struct RowBatchOut {
  std::vector<Row> rows;
  int64_t cursor = 0;      // row_id of the last row sent so far
  int64_t classified = 0;  // rows classified so far
  bool done = false;
  StatusCounts counts;  // with done
  std::shared_ptr<const RowContext> context;
};

struct SaveOutcome {
  SessionView session;
  SaveSummary summary;
};

struct RowFilter {
  std::vector<RowStatus> statuses;  // empty = all
  bool Accepts(RowStatus s) const;
};

// What a session runs to decide its rows: Classify (common/classify.h) with
// its on_batch; the returned rows are not used (they arrive through
// on_batch). Benchmarks swap in UnclassifiedRows to measure the rest of the
// server path.
using ClassifyFn = std::function<std::vector<Row>(
    const std::vector<HubLearner>& hub, const std::vector<MisLearner>& mis,
    const Scope& scope, const std::function<void(std::vector<Row>)>& on_batch)>;

// The benchmark baseline: every hub learner as Not matched, then every MIS
// learner as New, in batches of 500, without comparing anything. Ignores the
// scope. Returns nothing (the rows went to on_batch).
std::vector<Row> UnclassifiedRows(
    const std::vector<HubLearner>& hub, const std::vector<MisLearner>& mis,
    const Scope& scope, const std::function<void(std::vector<Row>)>& on_batch);

// The payload type URL of the status Save returns when the mass-desync guard
// refuses it; the payload is "DESYNC_COUNT SYNCED_LEARNERS MAX_PERCENT"
// (decimal, space-separated), parsed by ParseMassDesync.
inline constexpr char kMassDesyncPayload[] = "hubsync/mass-desync";

struct MassDesyncInfo {
  int64_t desync_count = 0;
  int64_t synced_learners = 0;
  double max_percent = 0;
};
// Reads the guard's payload from a status; nullopt when it has none.
std::optional<MassDesyncInfo> ParseMassDesync(const absl::Status& status);

// Whether desyncing `desync_count` of `synced_learners` is more than
// `max_percent` of them (and so needs an explicit confirmation).
bool IsMassDesync(int64_t desync_count, int64_t synced_learners,
                  double max_percent);

// The guard's refusal of a save of `session_id`; `confirmed` is the
// confirmation the caller gave (0 = none).
absl::Status MassDesyncRefusal(const std::string& session_id,
                               const MassDesyncInfo& info, int64_t confirmed);

// How much of memory sessions may hold (docs/ARCHITECTURE.md, "Session
// memory"). A saved or cancelled session leaves memory at once.
struct SessionMemoryOptions {
  // An open session no call has used for this long drops its state (rows,
  // both sides' learners, events); the next call rebuilds it from the
  // database. 0: never (hubsyncd --session_idle_seconds).
  int64_t idle_seconds = 600;
  // Past this estimate of what all sessions hold, the least recently used
  // drop their state, never one being classified or saved. 0: no cap
  // (hubsyncd --session_memory_mb).
  int64_t memory_bytes = int64_t{4096} << 20;
  // Classifications run on this many worker threads; more wait their turn
  // (hubsyncd --classify_threads).
  int classify_threads = 2;
  // A session keeps at most this many recent events, holding at most
  // max_event_rows changed rows between them, for watchers; a watcher
  // further behind gets the current state, as a new watcher does.
  int max_events = 64;
  int64_t max_event_rows = 20000;
};

// What sessions hold in memory (for tests, the benchmark and operators).
struct SessionMemoryUse {
  int64_t sessions = 0;  // sessions the manager keeps track of
  int64_t resident = 0;  // of them, those holding their state
  int64_t bytes = 0;     // the estimate the cap is checked against
};

class SessionManager {
 public:
  // classify: nullptr = Classify. max_desync_percent: Save refuses, unless
  // confirmed, to desync more than this share of the school's synced
  // learners (100 turns the guard off).
  SessionManager(Store* store, Clock* clock, ClassifyFn classify = nullptr,
                 double max_desync_percent = 10.0,
                 SessionMemoryOptions memory = {});
  ~SessionManager();  // stops streams and waits for classification
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // snapshot_id empty = the school's newest snapshot.
  absl::StatusOr<SessionView> Start(const std::string& school_id,
                                    const std::string& snapshot_id,
                                    const std::string& admin,
                                    const Actor& actor);
  absl::StatusOr<SessionView> Get(const std::string& session_id);
  // One page of the school's sessions, newest first (store.h,
  // PageSessions). Row counts only for sessions in memory; GetSession has
  // them for any session.
  absl::StatusOr<Page<SessionView>> ListPage(const std::string& school_id,
                                             const PageRequest& page);

  // CLASS_SYNC: syncs classes, to PUPILS_PANEL. PUPILS_PANEL: starts
  // classification (CLASSIFYING; SYNC_SCREEN when every row is decided).
  absl::StatusOr<SessionView> Proceed(const std::string& session_id,
                                      int64_t expected_version,
                                      const Actor& actor);
  // SYNC_SCREEN: back to PUPILS_PANEL (docs/SYNC.md, "Stepping back"). The
  // rows go; the admin's decisions on them (Match, Unmatch, Import?, Sync
  // email?) are kept in the session record, so SetScope works again and the
  // next Proceed classifies from the hub as it is now and applies them to
  // the rows that still exist, reporting those it drops
  // (SessionRecord::decisions). Also the way to classify again a session
  // whose hub changed under it. FAILED_PRECONDITION naming the step
  // elsewhere.
  absl::StatusOr<SessionView> StepBack(const std::string& session_id,
                                       int64_t expected_version,
                                       const Actor& actor);
  absl::StatusOr<SessionView> SetScope(const std::string& session_id,
                                       int64_t expected_version,
                                       const Scope& scope, bool sync_emails,
                                       const Actor& actor);

  absl::StatusOr<SessionEvent> SetImport(const std::string& session_id,
                                         int64_t expected_version,
                                         const std::string& mis_id, bool on,
                                         const Actor& actor);
  absl::StatusOr<SessionEvent> SetImportAll(const std::string& session_id,
                                            int64_t expected_version, bool on,
                                            const Actor& actor);
  absl::StatusOr<SessionEvent> Match(const std::string& session_id,
                                     int64_t expected_version,
                                     const std::string& learner_id,
                                     const std::string& mis_id,
                                     const Actor& actor);
  // The row is named by its hub learner, or (learner_id empty) by its MIS
  // learner.
  absl::StatusOr<SessionEvent> Unmatch(const std::string& session_id,
                                       int64_t expected_version,
                                       const std::string& learner_id,
                                       const std::string& mis_id,
                                       const Actor& actor);
  absl::StatusOr<SessionEvent> SetSyncEmail(const std::string& session_id,
                                            int64_t expected_version,
                                            const std::string& mis_id, bool on,
                                            const Actor& actor);
  absl::StatusOr<SessionEvent> SetSyncEmailAll(const std::string& session_id,
                                               int64_t expected_version,
                                               bool on, const Actor& actor);
  // Marks a May match row reviewed (or not); the row is named by its hub
  // learner, or (learner_id empty) by its MIS learner. FAILED_PRECONDITION
  // on a row of another status.
  absl::StatusOr<SessionEvent> SetReviewed(const std::string& session_id,
                                           int64_t expected_version,
                                           const std::string& learner_id,
                                           const std::string& mis_id,
                                           bool reviewed, const Actor& actor);
  // Every May match row; confirm_count must equal the number of rows it
  // changes (RowEditor::SetReviewedAll).
  absl::StatusOr<SessionEvent> SetReviewedAll(const std::string& session_id,
                                              int64_t expected_version,
                                              bool reviewed,
                                              int64_t confirm_count,
                                              const Actor& actor);

  // Applies the screen in one transaction. A repeat with the same request id
  // (or any repeat on a saved session with no request id) returns the first
  // outcome and writes nothing. A save that would desync more than
  // max_desync_percent of the school's synced learners fails with
  // FAILED_PRECONDITION (payload kMassDesyncPayload) unless
  // confirm_desync_count equals the number it would desync. validate_only:
  // a dry run that checks as Save does (but skips the guard) and returns the
  // summary of the same plan, writing nothing (SaveRequest.validate_only).
  // A save with May match rows not marked reviewed fails with
  // FAILED_PRECONDITION (payload kUnreviewedPayload, server/session/
  // unreviewed.h) unless allow_unreviewed; a dry run is not refused.
  absl::StatusOr<SaveOutcome> Save(const std::string& session_id,
                                   int64_t expected_version,
                                   const std::string& request_id,
                                   int64_t confirm_desync_count,
                                   const Actor& actor,
                                   bool validate_only = false,
                                   bool allow_unreviewed = false);
  absl::StatusOr<SessionView> Cancel(const std::string& session_id,
                                     int64_t expected_version,
                                     const Actor& actor);

  // Sends rows with row_id > after_row_id that pass `filter`, in batches, as
  // they are classified; the last batch has done = true. Stops early (OK)
  // when `sink` returns false. FAILED_PRECONDITION before classification.
  absl::Status StreamRows(const std::string& session_id,
                          const RowFilter& filter, int64_t after_row_id,
                          int batch_size,
                          const std::function<bool(const RowBatchOut&)>& sink,
                          const std::function<bool()>& cancelled = nullptr);
  // Sends every change with version > after_version, in order, until the
  // session is saved or cancelled or `sink` returns false. Changes no
  // longer kept (from before a restart or a drop, or older than the
  // session's bounded history) are summarised as one "Current" event. Both
  // streams end with CANCELLED when `cancelled` (polled while idle) returns
  // true.
  absl::Status Watch(const std::string& session_id, int64_t after_version,
                     const std::function<bool(const SessionEvent&)>& sink,
                     const std::function<bool()>& cancelled = nullptr);

  // Wakes every stream so that the server can shut down.
  void Shutdown();

  SessionMemoryUse Memory();
  // The sessions holding their state, least recently used first.
  std::vector<std::string> ResidentSessions();
  // Drops the state of idle sessions and, past the cap, of the least
  // recently used. Runs after every verb and every few seconds by itself.
  void Sweep();

 private:
  struct Live;

  // The session in memory, or read from the database. A saved or cancelled
  // session read from the database is not kept (its rows are not read;
  // its counts are, cheaply): the caller alone holds it.
  absl::StatusOr<std::shared_ptr<Live>> Load(const std::string& session_id);
  // Reads the rows again if the state was dropped. Every verb that needs
  // the rows calls it once it holds live.mu.
  absl::Status Ensure(Live& live) ABSL_EXCLUSIVE_LOCKS_REQUIRED(live.mu);
  absl::StatusOr<std::shared_ptr<const RowContext>> Context(Live& live)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(live.mu);
  absl::Status CheckVersion(const Live& live, int64_t expected_version) const;
  // audit_verb: the verb's name in the audit trail ("set_import").
  absl::StatusOr<SessionEvent> Edit(
      const std::string& session_id, int64_t expected_version,
      const std::string& verb, const std::string& audit_verb,
      const Actor& actor,
      const std::function<
          absl::StatusOr<struct RowDelta>(Live&, const RowContext&)>& fn);
  // Commits `next` (version bumped) with the rows of `delta` and `audit`, in
  // one transaction.
  absl::StatusOr<SessionEvent> Commit(
      Live& live, SessionRecord next, const std::string& verb,
      const std::vector<Row>& changed, std::vector<int64_t> removed,
      bool replace_all_rows, bool rows_in_event = true,
      const std::vector<AuditRecord>& audit = {});
  // actor: who proceeded (empty after a restart), named by the audit record
  // of the kept decisions the classification applies.
  void StartClassification(std::shared_ptr<Live> live, Actor actor = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(live->mu);
  void Classification(std::shared_ptr<Live> live, SessionRecord at_start,
                      const Actor& actor);
  SessionView View(const Live& live) const;
  // A listed session: with row counts when it is in memory.
  SessionView ListedView(const SessionRecord& r);

  // Memory (live.mu held by the caller of each).
  void PushEvent(Live& live, SessionEvent event);
  // Re-estimates live.bytes (and the total) from what it holds.
  void SetBytes(Live& live);
  // Drops rows, context, matching index and events; keeps the record.
  void DropState(Live& live);
  // A saved or cancelled session: its state goes (but the last event, for
  // watchers) and the manager forgets it.
  void Retire(Live& live);
  void Touch(Live& live);
  // Sweep's: drops the state of a session no call is using (TryLock) that
  // is not being classified, and forgets it if nothing else holds it.
  void TryDrop(const std::shared_ptr<Live>& live);
  // Sweep when over the cap, or at most once a clock second.
  void MaybeSweep();
  void Worker();
  void Janitor();
  bool HasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return shutting_down_ || !queue_.empty();
  }

  Store* const store_;
  Clock* const clock_;
  const ClassifyFn classify_;
  const double max_desync_percent_;
  const SessionMemoryOptions memory_;

  // Every Live's `bytes`; declared before anything holding a Live.
  std::atomic<int64_t> total_bytes_{0};
  std::atomic<uint64_t> use_order_{0};
  std::atomic<int64_t> last_sweep_{0};

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Live>> live_
      ABSL_GUARDED_BY(mu_);
  // Classifications waiting for a worker, and the workers (at most
  // memory_.classify_threads, started as work arrives).
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
  std::thread janitor_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_SESSION_MANAGER_H_
