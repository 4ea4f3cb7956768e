#include "server/session/session_manager.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/classify.h"
#include "common/year_group.h"
#include "server/session/decisions.h"
#include "server/session/edits.h"
#include "server/session/live_session.h"
#include "server/session/save_plan.h"
#include "server/session/session_audit.h"

namespace hubsync {
namespace {

bool Terminal(SessionStep s) {
  return s == SessionStep::kSaved || s == SessionStep::kCancelled;
}

absl::Status WrongStep(const SessionRecord& r, const std::string& verb,
                       const std::string& needs) {
  return absl::FailedPreconditionError(
      absl::StrCat(verb, " is not allowed: session ", r.id, " is at step ",
                   SessionStepName(r.step), "; ", needs));
}

// Heap bytes of an id beyond the string object (libstdc++ keeps up to 15
// characters inside it).
int64_t IdHeap(const std::string& s) {
  return s.capacity() > 15 ? static_cast<int64_t>(s.capacity()) + 1 : 0;
}

// What rows hold: the Row objects and their ids. Explanations are shared
// between rows that scored alike and are not counted.
int64_t RowsBytes(const std::vector<Row>& rows) {
  int64_t n = static_cast<int64_t>(rows.size() * sizeof(Row));
  for (const Row& r : rows) n += IdHeap(r.hub_learner_id) + IdHeap(r.mis_id);
  return n;
}

}  // namespace

bool RowFilter::Accepts(RowStatus s) const {
  return statuses.empty() ||
         std::find(statuses.begin(), statuses.end(), s) != statuses.end();
}

std::vector<Row> UnclassifiedRows(
    const std::vector<HubLearner>& hub, const std::vector<MisLearner>& mis,
    const Scope&, const std::function<void(std::vector<Row>)>& on_batch) {
  constexpr size_t kBatch = 500;
  std::vector<Row> batch;
  int64_t row_id = 0;
  auto flush = [&](bool last) {
    if (batch.empty() || (!last && batch.size() < kBatch)) return;
    if (on_batch) on_batch(std::move(batch));
    batch.clear();
  };
  for (const HubLearner& h : hub) {
    Row& r = batch.emplace_back();
    r.row_id = ++row_id;
    r.status = RowStatus::kNotMatched;
    r.hub_learner_id = h.id;
    flush(false);
  }
  for (const MisLearner& m : mis) {
    Row& r = batch.emplace_back();
    r.row_id = ++row_id;
    r.status = RowStatus::kNew;
    r.mis_id = m.mis_id;
    r.sync_email = !m.email.empty();
    flush(false);
  }
  flush(true);
  return {};
}

SessionManager::SessionManager(Store* store, Clock* clock, ClassifyFn classify,
                               double max_desync_percent,
                               SessionMemoryOptions memory)
    : store_(store),
      clock_(clock),
      classify_(std::move(classify)),
      max_desync_percent_(max_desync_percent),
      memory_(memory) {
  last_sweep_ = clock_->NowUnixSeconds();
  if (memory_.idle_seconds > 0 || memory_.memory_bytes > 0) {
    janitor_ = std::thread([this] { Janitor(); });
  }
}

SessionManager::~SessionManager() {
  Shutdown();
  if (janitor_.joinable()) janitor_.join();
  std::vector<std::thread> workers;
  {
    absl::MutexLock lock(&mu_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  absl::MutexLock lock(&mu_);
  queue_.clear();  // classifications that never started
}

void SessionManager::Shutdown() {
  std::vector<std::shared_ptr<Live>> all;
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    for (auto& [id, live] : live_) all.push_back(live);
  }
  for (auto& live : all) {
    absl::MutexLock lock(&live->mu);
    live->closed = true;
    live->changed.SignalAll();
  }
}

void SessionManager::Worker() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &SessionManager::HasWork));
      if (shutting_down_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void SessionManager::Janitor() {
  // Real time between sweeps; idleness itself is measured on clock_.
  const absl::Duration every = absl::Seconds(std::clamp<int64_t>(
      memory_.idle_seconds > 0 ? memory_.idle_seconds / 4 : 5, 1, 5));
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&shutting_down_), every)) return;
    }
    Sweep();
  }
}

SessionMemoryUse SessionManager::Memory() {
  std::vector<std::shared_ptr<Live>> all;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, live] : live_) all.push_back(live);
  }
  SessionMemoryUse out;
  out.sessions = static_cast<int64_t>(all.size());
  for (auto& live : all) {
    absl::MutexLock l(&live->mu);
    if (live->resident) ++out.resident;
  }
  out.bytes = total_bytes_.load();
  return out;
}

std::vector<std::string> SessionManager::ResidentSessions() {
  std::vector<std::shared_ptr<Live>> all;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [id, live] : live_) all.push_back(live);
  }
  std::vector<std::pair<uint64_t, std::string>> used;
  for (auto& live : all) {
    absl::MutexLock l(&live->mu);
    if (live->resident)
      used.emplace_back(live->use_order.load(), live->record.id);
  }
  std::sort(used.begin(), used.end());
  std::vector<std::string> out;
  for (auto& [order, id] : used) out.push_back(id);
  return out;
}

void SessionManager::Touch(Live& live) {
  live.last_used = clock_->NowUnixSeconds();
  live.use_order = ++use_order_;
}

void SessionManager::SetBytes(Live& live) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  int64_t n = 0;
  if (live.resident) {
    n += RowsBytes(live.rows);
    if (live.context) n += live.context->ApproxBytes();
  }
  for (const SessionEvent& e : live.events) n += RowsBytes(e.changed);
  const int64_t before = live.bytes.exchange(n);
  total_bytes_ += n - before;
}

void SessionManager::PushEvent(Live& live, SessionEvent event)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  live.event_rows += static_cast<int64_t>(event.changed.size());
  live.events.push_back(std::move(event));
  const size_t most = static_cast<size_t>(std::max(1, memory_.max_events));
  while (live.events.size() > 1 && (live.events.size() > most ||
                                    live.event_rows > memory_.max_event_rows)) {
    live.event_rows -= static_cast<int64_t>(live.events.front().changed.size());
    live.events.pop_front();
  }
}

void SessionManager::DropState(Live& live) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (live.resident) live.dropped_counts = CountRows(live.rows);
  std::vector<Row>().swap(live.rows);
  live.context.reset();
  live.match_index.reset();
  live.match_context.reset();
  live.events.clear();
  live.event_rows = 0;
  live.resident = false;
  SetBytes(live);
}

void SessionManager::Retire(Live& live) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (!live.classifying) {
    // The last event (Saved, Cancelled) stays for watchers, without the
    // context it would keep; while a watcher is streaming, every event
    // stays (it may not have sent them all yet), with what renders them,
    // until the last watcher lets the session go.
    std::deque<SessionEvent> kept;
    std::optional<SessionEvent> last;
    if (live.watchers > 0) {
      kept = std::move(live.events);
    } else if (!live.events.empty()) {
      last = std::move(live.events.back());
      last->context.reset();
    }
    DropState(live);
    for (SessionEvent& e : kept) PushEvent(live, std::move(e));
    if (last) PushEvent(live, *std::move(last));
    SetBytes(live);
  }
  // (Being classified, a cancelled session's rows go when the worker
  // notices the cancel.)
  live.changed.SignalAll();
  absl::MutexLock lock(&mu_);
  auto it = live_.find(live.record.id);
  if (it != live_.end() && it->second.get() == &live) live_.erase(it);
}

void SessionManager::TryDrop(const std::shared_ptr<Live>& live) {
  if (!live->mu.TryLock()) return;  // a call is using it (or saving it)
  if (!live->classifying && !live->closed) {
    if (live->resident || !live->events.empty()) DropState(*live);
    live->changed.SignalAll();
    // Forgotten if nothing but the map and the caller's list holds it.
    absl::MutexLock lock(&mu_);
    auto it = live_.find(live->record.id);
    if (it != live_.end() && it->second == live && live.use_count() <= 2)
      live_.erase(it);
  }
  live->mu.Unlock();
}

void SessionManager::Sweep() {
  const int64_t now = clock_->NowUnixSeconds();
  last_sweep_ = now;
  std::vector<std::shared_ptr<Live>> all;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) return;
    all.reserve(live_.size());
    for (auto& [id, live] : live_) all.push_back(live);
  }
  if (memory_.idle_seconds > 0) {
    for (const std::shared_ptr<Live>& live : all) {
      if (now - live->last_used.load() >= memory_.idle_seconds) TryDrop(live);
    }
  }
  if (memory_.memory_bytes <= 0 ||
      total_bytes_.load() <= memory_.memory_bytes) {
    return;
  }
  std::vector<std::pair<uint64_t, size_t>> by_use;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]->bytes.load() > 0)
      by_use.emplace_back(all[i]->use_order.load(), i);
  }
  std::sort(by_use.begin(), by_use.end());
  for (auto& [order, i] : by_use) {
    if (total_bytes_.load() <= memory_.memory_bytes) break;
    TryDrop(all[i]);
  }
}

void SessionManager::MaybeSweep() {
  const bool over =
      memory_.memory_bytes > 0 && total_bytes_.load() > memory_.memory_bytes;
  const bool due = memory_.idle_seconds > 0 &&
                   clock_->NowUnixSeconds() - last_sweep_.load() >= 1;
  if (over || due) Sweep();
}

SessionView SessionManager::View(const Live& live) const
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return SessionView{
      live.record, live.resident ? CountRows(live.rows) : live.dropped_counts};
}

absl::StatusOr<std::shared_ptr<SessionManager::Live>> SessionManager::Load(
    const std::string& session_id) {
  MaybeSweep();
  std::shared_ptr<Live> found;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_)
      return absl::UnavailableError("server is shutting down");
    auto it = live_.find(session_id);
    if (it != live_.end()) found = it->second;
  }
  if (found != nullptr) {
    Touch(*found);
    return found;
  }
  if (session_id.empty()) {
    return absl::InvalidArgumentError("session_id is required");
  }
  absl::StatusOr<SessionRecord> record = store_->GetSession(session_id);
  if (!record.ok()) return record.status();
  auto live = std::make_shared<Live>(&total_bytes_);
  absl::MutexLock live_lock(&live->mu);
  live->record = *std::move(record);
  if (Terminal(live->record.step)) {
    // Ended: not kept, and its rows read only if a stream asks for them.
    absl::StatusOr<StatusCounts> counts = store_->SessionRowCounts(session_id);
    if (!counts.ok()) return counts.status();
    live->dropped_counts = *counts;
    return live;
  }
  if (absl::Status s = Ensure(*live); !s.ok()) return s;
  // A restart interrupted classification: start it again (never dropped
  // meanwhile).
  const bool restart = live->record.step == SessionStep::kClassifying;
  if (restart) live->classifying = true;
  Touch(*live);
  {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = live_.emplace(session_id, live);
    if (!inserted) {  // another call loaded it first
      live->classifying = false;
      return it->second;
    }
  }
  if (restart) StartClassification(live);
  return live;
}

absl::Status SessionManager::Ensure(Live& live) {
  if (live.resident) return absl::OkStatus();
  live.rows.clear();
  live.next_row_id = 1;
  if (live.record.step == SessionStep::kSyncScreen ||
      Terminal(live.record.step)) {
    absl::StatusOr<std::vector<Row>> rows = store_->LoadRows(live.record.id);
    if (!rows.ok()) return rows.status();
    live.rows = *std::move(rows);
    for (const Row& r : live.rows) {
      live.next_row_id = std::max(live.next_row_id, r.row_id + 1);
    }
  }
  live.resident = true;
  SetBytes(live);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const RowContext>> SessionManager::Context(
    Live& live) {
  if (live.context) return live.context;
  absl::StatusOr<Store::ClassifyInput> in = store_->LoadForClassification(
      live.record.school_id, live.record.snapshot_id);
  if (!in.ok()) return in.status();
  live.context = std::make_shared<const RowContext>(
      std::move(in->hub), std::move(in->snapshot), in->hub_version,
      std::move(in->unlinked), in->verified);
  SetBytes(live);
  return live.context;
}

absl::Status SessionManager::CheckVersion(const Live& live,
                                          int64_t expected_version) const
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (expected_version != 0 && expected_version != live.record.version) {
    return absl::AbortedError(absl::StrCat(
        "session ", live.record.id, " is at version ", live.record.version,
        ", not ", expected_version, "; reload it and try again"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionEvent> SessionManager::Commit(
    Live& live, SessionRecord next, const std::string& verb,
    const std::vector<Row>& changed, std::vector<int64_t> removed,
    bool replace_all_rows, bool rows_in_event,
    const std::vector<AuditRecord>& audit) ABSL_NO_THREAD_SAFETY_ANALYSIS {
  next.version = live.record.version + 1;
  next.update_time_unix = clock_->NowUnixSeconds();
  absl::Status written =
      store_->UpdateSession(next, changed, removed, replace_all_rows, audit);
  if (!written.ok()) {
    // Memory may already hold the edit; drop it so the next call reloads.
    live.closed = true;
    live.changed.SignalAll();
    absl::MutexLock lock(&mu_);
    live_.erase(live.record.id);
    return written;
  }
  live.record = std::move(next);
  SessionEvent event;
  event.version = live.record.version;
  event.verb = verb;
  event.session = View(live);
  if (rows_in_event) {
    event.changed = changed;
    event.removed = std::move(removed);
  }
  event.time_unix = live.record.update_time_unix;
  event.context = live.context;
  PushEvent(live, event);
  SetBytes(live);
  live.changed.SignalAll();
  return event;
}

absl::StatusOr<SessionView> SessionManager::Start(
    const std::string& school_id, const std::string& snapshot_id,
    const std::string& admin, const Actor& actor) {
  if (school_id.empty())
    return absl::InvalidArgumentError("school_id is required");
  absl::StatusOr<School> school = store_->GetSchool(school_id);
  if (!school.ok()) return school.status();
  absl::StatusOr<std::vector<MisSnapshot>> snapshots =
      store_->ListSnapshots(school_id);
  if (!snapshots.ok()) return snapshots.status();
  if (snapshots->empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "school ", school_id, " has no MIS snapshot; upload an export first"));
  }
  SessionRecord record;
  record.school_id = school_id;
  record.admin = admin.empty() ? "admin" : admin;
  record.step = SessionStep::kClassSync;
  if (snapshot_id.empty()) {
    record.snapshot_id = snapshots->front().id;
  } else {
    auto it =
        std::find_if(snapshots->begin(), snapshots->end(),
                     [&](const MisSnapshot& s) { return s.id == snapshot_id; });
    if (it == snapshots->end()) {
      return absl::NotFoundError(absl::StrCat(
          "snapshot ", snapshot_id, " not found for school ", school_id));
    }
    record.snapshot_id = snapshot_id;
  }
  absl::StatusOr<SessionRecord> created = store_->CreateSession(record, actor);
  if (!created.ok()) return created.status();
  return SessionView{*std::move(created), {}};
}

absl::StatusOr<SessionView> SessionManager::Get(const std::string& session_id) {
  if (session_id.empty()) {
    return absl::InvalidArgumentError("session_id is required");
  }
  std::shared_ptr<Live> live;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_)
      return absl::UnavailableError("server is shutting down");
    auto it = live_.find(session_id);
    if (it != live_.end()) live = it->second;
  }
  if (live == nullptr) {
    // Not in memory: the record and the counts from the database, without
    // bringing the session into memory (a viewer looking at old sessions
    // must not fill the server).
    absl::StatusOr<SessionRecord> record = store_->GetSession(session_id);
    if (!record.ok()) return record.status();
    if (record->step != SessionStep::kClassifying) {
      StatusCounts counts;
      if (record->step == SessionStep::kSyncScreen || Terminal(record->step)) {
        absl::StatusOr<StatusCounts> c = store_->SessionRowCounts(session_id);
        if (!c.ok()) return c.status();
        counts = *c;
      }
      return SessionView{*std::move(record), counts};
    }
    // Interrupted by a restart: loading starts it again.
    absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
    if (!loaded.ok()) return loaded.status();
    live = *std::move(loaded);
  }
  absl::MutexLock lock(&live->mu);
  return View(*live);
}

absl::StatusOr<Page<SessionView>> SessionManager::ListPage(
    const std::string& school_id, const PageRequest& page) {
  absl::StatusOr<Page<SessionRecord>> records =
      store_->PageSessions(school_id, page);
  if (!records.ok()) return records.status();
  Page<SessionView> out;
  out.next = std::move(records->next);
  for (const SessionRecord& r : records->items) {
    out.items.push_back(ListedView(r));
  }
  return out;
}

// Sessions already in memory report their row counts; the others are not
// loaded just to be listed (a saved session's rows can be many).
SessionView SessionManager::ListedView(const SessionRecord& r) {
  std::shared_ptr<Live> live;
  {
    absl::MutexLock lock(&mu_);
    auto it = live_.find(r.id);
    if (it != live_.end()) live = it->second;
  }
  if (live == nullptr) return SessionView{r, {}};
  absl::MutexLock lock(&live->mu);
  return View(*live);
}

absl::StatusOr<SessionView> SessionManager::Proceed(
    const std::string& session_id, int64_t expected_version,
    const Actor& actor) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  std::shared_ptr<Live> live = *loaded;
  absl::MutexLock lock(&live->mu);
  if (absl::Status s = CheckVersion(*live, expected_version); !s.ok()) return s;
  if (Terminal(live->record.step))
    return WrongStep(live->record, "Proceed", "start a new session");
  if (absl::Status s = Ensure(*live); !s.ok()) return s;
  SessionRecord next = live->record;
  switch (live->record.step) {
    case SessionStep::kClassSync: {
      // Each class created or changed is audited inside SyncClasses.
      absl::StatusOr<ClassSyncResult> synced =
          store_->SyncClasses(next.school_id, next.snapshot_id, actor, next.id);
      if (!synced.ok()) return synced.status();
      next.class_sync = *synced;
      next.step = SessionStep::kPupilsPanel;
      AuditRecord audit = SessionAudit("class_sync", actor, live->record, next);
      audit.after_json =
          absl::StrCat(audit.after_json.substr(0, audit.after_json.size() - 1),
                       ",\"classes_created\":", synced->created,
                       ",\"classes_updated\":", synced->updated,
                       ",\"classes_unchanged\":", synced->unchanged, "}");
      absl::StatusOr<SessionEvent> e =
          Commit(*live, next, "Proceed", {}, {}, false, true, {audit});
      if (!e.ok()) return e.status();
      return e->session;
    }
    case SessionStep::kPupilsPanel: {
      next.step = SessionStep::kClassifying;
      live->rows.clear();
      live->next_row_id = 1;
      // live->context (loaded by SetScope) is kept: the worker reuses it if
      // the hub has not changed since, so classification starts at once.
      absl::StatusOr<SessionEvent> e =
          Commit(*live, next, "Proceed", {}, {}, true, true,
                 {SessionAudit("classify", actor, live->record, next)});
      if (!e.ok()) return e.status();
      StartClassification(live, actor);
      return View(*live);
    }
    case SessionStep::kClassifying:
    case SessionStep::kSyncScreen:
      return WrongStep(
          live->record, "Proceed",
          "review the rows, then SaveAndSyncPupils or CancelSession");
    case SessionStep::kSaved:
    case SessionStep::kCancelled:
      return WrongStep(live->record, "Proceed", "start a new session");
  }
  return absl::InternalError("unknown step");
}

void SessionManager::StartClassification(std::shared_ptr<Live> live,
                                         Actor actor) {
  live->classifying = true;
  live->resident = true;
  absl::MutexLock lock(&mu_);
  if (shutting_down_) return;
  SessionRecord at_start = live->record;
  // Loading both sides happens on a worker, so Proceed answers at once and
  // the first rows reach StreamRows as soon as they are decided. At most
  // memory_.classify_threads run at once; the rest wait in turn (their
  // streams wait for rows).
  queue_.push_back([this, live, at_start, actor]() {
    // Both sides as the Pupils panel loaded them (SetScope), if the hub is
    // still at that version; else read again. The version and the learners
    // are read together, so a change after that makes Save refuse.
    std::shared_ptr<const RowContext> context;
    {
      absl::MutexLock l(&live->mu);
      context = live->context;
    }
    absl::StatusOr<int64_t> now = store_->HubVersion(at_start.school_id);
    if (!now.ok()) context.reset();
    if (now.ok() && (context == nullptr || context->hub_version() != *now)) {
      context.reset();
      absl::StatusOr<Store::ClassifyInput> in = store_->LoadForClassification(
          at_start.school_id, at_start.snapshot_id);
      if (in.ok()) {
        context = std::make_shared<const RowContext>(
            std::move(in->hub), std::move(in->snapshot), in->hub_version,
            std::move(in->unlinked), in->verified);
      }
    }
    {
      absl::MutexLock l(&live->mu);
      if (context == nullptr) {
        live->classifying = false;
        live->closed = true;  // the next call reloads and tries again
        live->changed.SignalAll();
        return;
      }
      live->context = context;
      live->record.hub_version = context->hub_version();
      SetBytes(*live);
    }
    Classification(live, at_start, actor);
    MaybeSweep();
  });
  if (workers_.size() <
      static_cast<size_t>(std::max(1, memory_.classify_threads))) {
    workers_.emplace_back([this] { Worker(); });
  }
}

void SessionManager::Classification(std::shared_ptr<Live> live,
                                    SessionRecord at_start, const Actor& actor)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {  // live->rows is read unlocked; see below
  std::shared_ptr<const RowContext> context;
  std::unique_ptr<MatchIndex> match;
  {
    absl::MutexLock lock(&live->mu);
    context = live->context;
    // SetScope's matching index, if it was built from this very context
    // (Classify checks that it is for this scope).
    if (live->match_context.lock() == context)
      match = std::move(live->match_index);
    live->match_index.reset();
    live->match_context.reset();
    // At most one row per learner of either side: reserved (address space,
    // not memory, until used) so that a million rows are never copied to a
    // vector twice the size while the screen is being filled.
    live->rows.reserve(context->hub().size() +
                       context->snapshot().learners.size());
  }
  // Decisions kept by StepBack: the rows of the learners they name are held
  // back (here, on this thread) until every row is decided, then get them
  // and follow the others, renumbered; the rest stream as they come.
  const std::shared_ptr<const SessionDecisions> carried = at_start.decisions;
  const bool applying = carried != nullptr && !carried->kept.empty();
  const DecisionIds held_ids = applying ? IdsOf(carried->kept) : DecisionIds();
  std::vector<Row> held;
  int64_t last_row_id = 0;
  // Every row also goes to live->rows through on_batch, in order, so the
  // returned copy is dropped at once.
  auto on_batch = [&](std::vector<Row> batch) {
    for (const Row& r : batch) last_row_id = std::max(last_row_id, r.row_id);
    if (applying) {
      auto touched = std::stable_partition(
          batch.begin(), batch.end(),
          [&](const Row& r) { return !held_ids.Touches(r); });
      std::move(touched, batch.end(), std::back_inserter(held));
      batch.erase(touched, batch.end());
    }
    const int64_t bytes = RowsBytes(batch);
    absl::MutexLock lock(&live->mu);
    for (Row& r : batch) live->rows.push_back(std::move(r));
    live->bytes += bytes;
    total_bytes_ += bytes;
    live->changed.SignalAll();
  };
  if (classify_) {
    (void)classify_(context->hub(), context->snapshot().learners,
                    at_start.scope, on_batch);
  } else {
    (void)Classify(context->hub(), context->snapshot().learners, at_start.scope,
                   on_batch,
                   {.index = &context->classify_index(),
                    .match = std::move(match),
                    .unlinked = &context->unlinked()});
  }
  std::vector<AuditRecord> audit;
  std::shared_ptr<SessionDecisions> report;
  if (applying) {
    int64_t next_id = last_row_id + 1;
    for (Row& r : held) r.row_id = next_id++;
    DecisionOutcome outcome = ApplyDecisions(
        carried->kept, *context, at_start.sync_emails, &held, &next_id);
    report = std::make_shared<SessionDecisions>();
    report->applied = outcome.applied;
    report->dropped_count = outcome.dropped_count;
    report->dropped = std::move(outcome.dropped);
    report->unmatched = std::move(outcome.unmatched);
    AuditRecord a;
    a.actor = actor;
    a.verb = "apply_decisions";
    a.record_id = at_start.id;
    a.before_json =
        absl::StrCat("{\"kept_decisions\":", carried->kept.size(), "}");
    a.after_json = absl::StrCat("{\"applied\":", outcome.applied,
                                ",\"dropped\":", outcome.dropped_json, "}");
    audit.push_back(std::move(a));
    const int64_t bytes = RowsBytes(held);
    absl::MutexLock lock(&live->mu);
    for (Row& r : held) live->rows.push_back(std::move(r));
    live->bytes += bytes;
    total_bytes_ += bytes;
    live->changed.SignalAll();
  }
  SessionRecord next;
  {
    absl::MutexLock lock(&live->mu);
    if (live->closed || live->record.version != at_start.version ||
        live->record.step != SessionStep::kClassifying) {
      live->classifying = false;
      if (Terminal(live->record.step)) {
        Retire(*live);  // cancelled meanwhile: drop the result
      } else {
        live->rows.clear();
        SetBytes(*live);
      }
      live->changed.SignalAll();
      return;
    }
    live->next_row_id = live->rows.empty() ? 1 : live->rows.back().row_id + 1;
    next = live->record;
    next.step = SessionStep::kSyncScreen;
    if (applying) next.decisions = report;
    next.version = live->record.version + 1;
    next.update_time_unix = clock_->NowUnixSeconds();
  }
  // The rows and the step are written together, without holding live->mu:
  // streams keep sending rows meanwhile (a million rows take seconds to
  // write). Nothing else changes live->rows now (verbs wait for
  // SYNC_SCREEN), and `classifying` stays true, so the last batch (done)
  // goes out only once the rows are stored and the step is SYNC_SCREEN.
  absl::Status written =
      store_->UpdateSession(next, live->rows, {}, true, audit);
  absl::MutexLock lock(&live->mu);
  live->classifying = false;
  if (!written.ok() || live->closed ||
      live->record.version != at_start.version) {
    // Not stored, or something else committed meanwhile (that commit then
    // failed its version check): reload from the database next time.
    live->closed = true;
    DropState(*live);
    live->changed.SignalAll();
    absl::MutexLock l(&mu_);
    auto it = live_.find(live->record.id);
    if (it != live_.end() && it->second == live) live_.erase(it);
    return;
  }
  live->record = next;
  // Watchers get the rows from StreamRows, not in the event.
  SessionEvent event;
  event.version = next.version;
  event.verb = "Classified";
  event.session = View(*live);
  event.time_unix = next.update_time_unix;
  event.context = live->context;
  PushEvent(*live, std::move(event));
  SetBytes(*live);
  live->changed.SignalAll();
}

}  // namespace hubsync
