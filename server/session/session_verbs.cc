// The sync screen's verbs and streams (the lifecycle is in
// session_manager.cc).
#include <algorithm>
#include <set>
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
#include "server/session/session_manager.h"
#include "server/session/unreviewed.h"

namespace hubsync {
namespace {

absl::Status NotOnSyncScreen(const SessionRecord& r, const std::string& verb) {
  std::string hint =
      r.step == SessionStep::kClassifying
          ? "rows are still being classified; wait for "
            "StreamRows to finish"
      : r.step == SessionStep::kSaved || r.step == SessionStep::kCancelled
          ? "start a new session"
          : "Proceed to the sync screen first";
  return absl::FailedPreconditionError(
      absl::StrCat(verb, " is not allowed: session ", r.id, " is at step ",
                   SessionStepName(r.step), "; ", hint));
}

absl::StatusOr<Scope> ValidateScope(const Scope& scope,
                                    const MisSnapshot& snapshot) {
  Scope out;
  out.kind = scope.kind;
  if (scope.kind == ScopeKind::kAll) return out;
  const char* field = scope.kind == ScopeKind::kYearGroups
                          ? "scope.year_groups"
                          : "scope.registration_groups";
  if (scope.values.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     " is empty: name at least one, or choose all "
                     "students"));
  }
  std::set<std::string> known;
  if (scope.kind == ScopeKind::kRegistrationGroups) {
    for (const MisClass& c : snapshot.classes) {
      if (c.kind == ClassKind::kRegistration) known.insert(c.name);
    }
  }
  for (size_t i = 0; i < scope.values.size(); ++i) {
    const std::string& v = scope.values[i];
    if (scope.kind == ScopeKind::kYearGroups) {
      std::optional<std::string> year = CanonicalYearGroup(v);
      if (!year) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, "[", i, "]: '", v,
                         "' is not a UK year group (N1, N2, R, 1-13)"));
      }
      out.values.push_back(*year);
    } else {
      if (!known.count(v)) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, "[", i, "]: '", v,
            "' is not a registration group in the MIS snapshot; known: ",
            absl::StrJoin(known, ", ")));
      }
      out.values.push_back(v);
    }
  }
  std::sort(out.values.begin(), out.values.end());
  out.values.erase(std::unique(out.values.begin(), out.values.end()),
                   out.values.end());
  return out;
}

}  // namespace

absl::StatusOr<SessionView> SessionManager::SetScope(
    const std::string& session_id, int64_t expected_version, const Scope& scope,
    bool sync_emails, const Actor& actor) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  Live& live = **loaded;
  absl::MutexLock lock(&live.mu);
  if (absl::Status s = CheckVersion(live, expected_version); !s.ok()) return s;
  if (live.record.step != SessionStep::kPupilsPanel) {
    return absl::FailedPreconditionError(
        absl::StrCat("SetScope is not allowed: session ", live.record.id,
                     " is at step ", SessionStepName(live.record.step),
                     "; the scope is chosen on the Pupils panel"));
  }
  if (absl::Status s = Ensure(live); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const RowContext>> context = Context(live);
  if (!context.ok()) return context.status();
  absl::StatusOr<Scope> valid = ValidateScope(scope, (*context)->snapshot());
  if (!valid.ok()) return valid.status();
  SessionRecord next = live.record;
  next.scope = *valid;
  next.sync_emails = sync_emails;
  absl::StatusOr<SessionEvent> e =
      Commit(live, next, "SetScope", {}, {}, false, true,
             {SessionAudit("set_scope", actor, live.record, next)});
  if (!e.ok()) return e.status();
  // Prepare matching for this scope now, while the admin is still on the
  // panel, unless it is ready already, or the server classifies with
  // something other than Classify (the benchmark's unclassified baseline),
  // which would not use it.
  const RowContext& c = **context;
  const bool ready =
      live.match_context.lock() == *context && live.match_index != nullptr &&
      live.match_index->Fits(c.snapshot().learners.size(), next.scope);
  if (classify_ == nullptr && !ready) {
    live.match_index.reset();  // before building the next: one at a time
    live.match_index =
        BuildMatchIndex(c.snapshot().learners, c.classify_index(), next.scope);
    live.match_context = *context;
  }
  return e->session;
}

absl::StatusOr<SessionEvent> SessionManager::Edit(
    const std::string& session_id, int64_t expected_version,
    const std::string& verb, const std::string& audit_verb, const Actor& actor,
    const std::function<absl::StatusOr<RowDelta>(Live&, const RowContext&)>&
        fn) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  Live& live = **loaded;
  absl::MutexLock lock(&live.mu);
  if (absl::Status s = CheckVersion(live, expected_version); !s.ok()) return s;
  if (live.record.step != SessionStep::kSyncScreen) {
    return NotOnSyncScreen(live.record, verb);
  }
  if (absl::Status s = Ensure(live); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const RowContext>> context = Context(live);
  if (!context.ok()) return context.status();
  absl::StatusOr<RowDelta> delta = fn(live, **context);
  if (!delta.ok()) return delta.status();
  // An edit that changed no row is not audited: nothing happened.
  std::vector<AuditRecord> audit;
  if (!delta->changed.empty() || !delta->removed_ids.empty()) {
    audit.push_back(RowEditAudit(audit_verb, actor, *delta));
  }
  return Commit(live, live.record, verb, std::move(delta->changed),
                std::move(delta->removed_ids), false, true, audit);
}

absl::StatusOr<SessionEvent> SessionManager::SetImport(
    const std::string& session_id, int64_t expected_version,
    const std::string& mis_id, bool on, const Actor& actor) {
  return Edit(
      session_id, expected_version, "SetImport", "set_import", actor,
      [&](Live& live, const RowContext&) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return RowEditor(&live.rows, &live.next_row_id).SetImport(mis_id, on);
      });
}

absl::StatusOr<SessionEvent> SessionManager::SetImportAll(
    const std::string& session_id, int64_t expected_version, bool on,
    const Actor& actor) {
  return Edit(
      session_id, expected_version, "SetImportAll", "set_import_all", actor,
      [&](Live& live, const RowContext&) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return RowEditor(&live.rows, &live.next_row_id).SetImportAll(on);
      });
}

absl::StatusOr<SessionEvent> SessionManager::Match(
    const std::string& session_id, int64_t expected_version,
    const std::string& learner_id, const std::string& mis_id,
    const Actor& actor) {
  return Edit(session_id, expected_version, "Match", "match", actor,
              [&](Live& live, const RowContext& ctx)
                  ABSL_NO_THREAD_SAFETY_ANALYSIS -> absl::StatusOr<RowDelta> {
                    const HubLearner* hub = ctx.FindHub(learner_id);
                    const MisLearner* mis = ctx.FindMis(mis_id);
                    Explanation why;
                    if (hub != nullptr && mis != nullptr)
                      why = Explain(*hub, *mis);
                    return RowEditor(&live.rows, &live.next_row_id)
                        .Match(learner_id, mis_id, why);
                  });
}

absl::StatusOr<SessionEvent> SessionManager::Unmatch(
    const std::string& session_id, int64_t expected_version,
    const std::string& learner_id, const std::string& mis_id,
    const Actor& actor) {
  return Edit(
      session_id, expected_version, "Unmatch", "unmatch", actor,
      [&](Live& live, const RowContext& ctx) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        absl::StatusOr<RowDelta> delta =
            RowEditor(&live.rows, &live.next_row_id)
                .Unmatch(learner_id, mis_id, [&](const std::string& id) {
                  const HubLearner* h = ctx.FindHub(id);
                  return h != nullptr &&
                         h->sync_state != SyncState::kUnsynced &&
                         !h->mis_id.empty();
                });
        // The pair, which the split rows no longer show, for StepBack.
        if (delta.ok() && !delta->before.empty()) {
          RememberUnmatch(&live.record, delta->before.front());
        }
        return delta;
      });
}

absl::StatusOr<SessionEvent> SessionManager::SetSyncEmail(
    const std::string& session_id, int64_t expected_version,
    const std::string& mis_id, bool on, const Actor& actor) {
  return Edit(session_id, expected_version, "SetSyncEmail", "set_sync_email",
              actor,
              [&](Live& live, const RowContext& ctx)
                  ABSL_NO_THREAD_SAFETY_ANALYSIS -> absl::StatusOr<RowDelta> {
                    if (!live.record.sync_emails) {
                      return absl::FailedPreconditionError(
                          "email sync is off for this session; turn on "
                          "sync_email_addresses on the Pupils panel");
                    }
                    return RowEditor(&live.rows, &live.next_row_id)
                        .SetSyncEmail(mis_id, on, [&](const std::string& id) {
                          return ctx.MisHasEmail(id);
                        });
                  });
}

absl::StatusOr<SessionEvent> SessionManager::SetSyncEmailAll(
    const std::string& session_id, int64_t expected_version, bool on,
    const Actor& actor) {
  return Edit(session_id, expected_version, "SetSyncEmailAll",
              "set_sync_email_all", actor,
              [&](Live& live, const RowContext& ctx)
                  ABSL_NO_THREAD_SAFETY_ANALYSIS -> absl::StatusOr<RowDelta> {
                    if (!live.record.sync_emails) {
                      return absl::FailedPreconditionError(
                          "email sync is off for this session; turn on "
                          "sync_email_addresses on the Pupils panel");
                    }
                    return RowEditor(&live.rows, &live.next_row_id)
                        .SetSyncEmailAll(on, [&](const std::string& id) {
                          return ctx.MisHasEmail(id);
                        });
                  });
}

absl::StatusOr<SessionEvent> SessionManager::SetReviewed(
    const std::string& session_id, int64_t expected_version,
    const std::string& learner_id, const std::string& mis_id, bool reviewed,
    const Actor& actor) {
  return Edit(
      session_id, expected_version, "SetReviewed", "set_reviewed", actor,
      [&](Live& live, const RowContext&) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return RowEditor(&live.rows, &live.next_row_id)
            .SetReviewed(learner_id, mis_id, reviewed);
      });
}

absl::StatusOr<SessionEvent> SessionManager::SetReviewedAll(
    const std::string& session_id, int64_t expected_version, bool reviewed,
    int64_t confirm_count, const Actor& actor) {
  return Edit(
      session_id, expected_version, "SetReviewedAll", "set_reviewed_all", actor,
      [&](Live& live, const RowContext&) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return RowEditor(&live.rows, &live.next_row_id)
            .SetReviewedAll(reviewed, confirm_count);
      });
}

absl::StatusOr<SaveOutcome> SessionManager::Save(
    const std::string& session_id, int64_t expected_version,
    const std::string& request_id, int64_t confirm_desync_count,
    const Actor& actor, bool validate_only, bool allow_unreviewed) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  Live& live = **loaded;
  absl::MutexLock lock(&live.mu);
  if (!validate_only && live.record.step == SessionStep::kSaved &&
      (request_id.empty() || request_id == live.record.save_request_id)) {
    return SaveOutcome{View(live), live.record.save_summary};  // applied once
  }
  if (absl::Status s = CheckVersion(live, expected_version); !s.ok()) return s;
  if (live.record.step != SessionStep::kSyncScreen) {
    return NotOnSyncScreen(live.record, "SaveAndSyncPupils");
  }
  if (absl::Status s = Ensure(live); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const RowContext>> context = Context(live);
  if (!context.ok()) return context.status();
  absl::StatusOr<SavePlan> plan =
      BuildSavePlan(live.record, live.rows, **context);
  if (!plan.ok()) return plan.status();
  plan->request_id = request_id;
  plan->actor = actor;
  {
    // A hub changed since classification is the first thing to say (the
    // store checks it again inside the save's transaction): the counts below
    // would be stale.
    absl::StatusOr<int64_t> hub_version =
        store_->HubVersion(live.record.school_id);
    if (!hub_version.ok()) return hub_version.status();
    if (*hub_version != plan->expected_hub_version) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the hub changed since this session classified it (hub version ",
          *hub_version, ", session saw ", plan->expected_hub_version, "); ",
          kClassifyAgain));
    }
    // A dry run: the summary of this very plan, and nothing written.
    if (validate_only) return SaveOutcome{View(live), SummariseSavePlan(*plan)};
    // A May match row is a guess: saved, it links and overwrites the hub
    // learner. Nobody should save one without having looked at it.
    if (!allow_unreviewed) {
      UnreviewedInfo unreviewed = FindUnreviewed(live.rows, **context);
      if (unreviewed.count > 0) {
        return UnreviewedRefusal(live.record.id, unreviewed);
      }
    }
    MassDesyncInfo guard;
    guard.max_percent = max_desync_percent_;
    for (const PlannedChange& c : plan->changes) {
      if (c.change == LearnerChange::kDesync) ++guard.desync_count;
    }
    for (const HubLearner& h : (*context)->hub()) {
      if (h.sync_state == SyncState::kSynced) ++guard.synced_learners;
    }
    if (IsMassDesync(guard.desync_count, guard.synced_learners,
                     max_desync_percent_) &&
        confirm_desync_count != guard.desync_count) {
      return MassDesyncRefusal(live.record.id, guard, confirm_desync_count);
    }
  }
  SessionRecord next = live.record;
  next.step = SessionStep::kSaved;
  next.version = live.record.version + 1;
  next.update_time_unix = clock_->NowUnixSeconds();
  next.save_request_id = request_id;
  next.save_summary = SummariseSavePlan(*plan);
  absl::StatusOr<SaveSummary> applied = store_->ApplySave(*plan, next);
  if (!applied.ok()) return applied.status();
  next.save_summary = *applied;
  live.record = next;
  SessionEvent event;
  event.version = next.version;
  event.verb = "SaveAndSyncPupils";
  event.session = View(live);
  event.time_unix = next.update_time_unix;
  PushEvent(live, std::move(event));
  // Saved: the rows and both sides leave memory at once (GetSession and
  // StreamRows read them from the database).
  Retire(live);
  return SaveOutcome{View(live), *applied};
}

absl::StatusOr<SessionView> SessionManager::Cancel(
    const std::string& session_id, int64_t expected_version,
    const Actor& actor) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  Live& live = **loaded;
  absl::MutexLock lock(&live.mu);
  if (absl::Status s = CheckVersion(live, expected_version); !s.ok()) return s;
  if (live.record.step == SessionStep::kSaved ||
      live.record.step == SessionStep::kCancelled) {
    return absl::FailedPreconditionError(
        absl::StrCat("CancelSession is not allowed: session ", live.record.id,
                     " is already ", SessionStepName(live.record.step)));
  }
  SessionRecord next = live.record;
  next.step = SessionStep::kCancelled;
  absl::StatusOr<SessionEvent> e =
      Commit(live, next, "CancelSession", {}, {}, false, true,
             {SessionAudit("cancel_session", actor, live.record, next)});
  if (!e.ok()) return e.status();
  Retire(live);  // leaves memory at once
  return e->session;
}

absl::Status SessionManager::StreamRows(
    const std::string& session_id, const RowFilter& filter,
    int64_t after_row_id, int batch_size,
    const std::function<bool(const RowBatchOut&)>& sink,
    const std::function<bool()>& cancelled) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  std::shared_ptr<Live> live = *loaded;
  int64_t cursor = after_row_id;
  live->mu.Lock();
  if (live->record.step == SessionStep::kClassSync ||
      live->record.step == SessionStep::kPupilsPanel) {
    SessionRecord r = live->record;
    live->mu.Unlock();
    return absl::FailedPreconditionError(
        absl::StrCat("StreamRows is not allowed: session ", r.id,
                     " is at step ", SessionStepName(r.step),
                     "; Proceed from the Pupils panel to classify"));
  }
  while (true) {
    if (live->closed) {
      live->mu.Unlock();
      return absl::UnavailableError(
          "the session was reloaded or the server is stopping; resume with "
          "after_row_id = the last cursor");
    }
    // Dropped meanwhile (idle, over the memory cap, saved): read again.
    if (absl::Status s = Ensure(*live); !s.ok()) {
      live->mu.Unlock();
      return s;
    }
    Touch(*live);
    RowBatchOut batch;
    auto it = std::upper_bound(
        live->rows.begin(), live->rows.end(), cursor,
        [](int64_t id, const Row& r) { return id < r.row_id; });
    batch.rows.reserve(std::min(static_cast<size_t>(batch_size),
                                static_cast<size_t>(live->rows.end() - it)));
    for (; it != live->rows.end() &&
           batch.rows.size() < static_cast<size_t>(batch_size);
         ++it) {
      cursor = it->row_id;
      if (filter.Accepts(it->status)) batch.rows.push_back(*it);
    }
    batch.cursor = cursor;
    batch.classified = static_cast<int64_t>(live->rows.size());
    batch.done = !live->classifying && it == live->rows.end();
    if (batch.done) batch.counts = CountRows(live->rows);
    batch.context = live->context;
    if (!batch.rows.empty() || batch.done) {
      live->mu.Unlock();
      if (!sink(batch) || batch.done) return absl::OkStatus();
      live->mu.Lock();
      continue;
    }
    if (it == live->rows.end()) {
      live->changed.WaitWithTimeout(&live->mu, absl::Milliseconds(250));
      if (cancelled && cancelled()) {
        live->mu.Unlock();
        return absl::CancelledError("the client went away");
      }
    }
  }
}

absl::Status SessionManager::Watch(
    const std::string& session_id, int64_t after_version,
    const std::function<bool(const SessionEvent&)>& sink,
    const std::function<bool()>& cancelled) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  std::shared_ptr<Live> live = *loaded;
  live->mu.Lock();
  ++live->watchers;
  // Every return below is made with `mu` released.
  struct Leave {
    Live* live;
    ~Leave() {
      absl::MutexLock lock(&live->mu);
      --live->watchers;
    }
  } leave{live.get()};
  std::vector<SessionEvent> pending;
  while (true) {
    if (after_version < live->record.version) {
      // The events kept hold one change per version, newest last; a watcher
      // behind the oldest (or watching from before a restart, or from
      // before the state was dropped) gets the current state instead.
      if (!live->events.empty() &&
          live->events.front().version <= after_version + 1) {
        for (const SessionEvent& e : live->events) {
          if (e.version > after_version) pending.push_back(e);
        }
      } else {
        SessionEvent current;
        current.version = live->record.version;
        current.verb = "Current";
        current.session = View(*live);
        current.time_unix = live->record.update_time_unix;
        pending.push_back(std::move(current));
      }
      after_version = live->record.version;
    }
    const bool ended = live->record.step == SessionStep::kSaved ||
                       live->record.step == SessionStep::kCancelled;
    const bool closed = live->closed;
    live->mu.Unlock();
    for (const SessionEvent& e : pending) {
      if (!sink(e)) return absl::OkStatus();
    }
    pending.clear();
    if (ended) return absl::OkStatus();
    if (closed) {
      return absl::UnavailableError(
          "the session was reloaded or the server is stopping; watch again "
          "from the last version");
    }
    live->mu.Lock();
    if (live->record.version <= after_version && !live->closed) {
      live->changed.WaitWithTimeout(&live->mu, absl::Milliseconds(250));
      if (cancelled && cancelled()) {
        live->mu.Unlock();
        return absl::CancelledError("the client went away");
      }
    }
  }
}

}  // namespace hubsync
