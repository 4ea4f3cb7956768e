// StepBack: from the sync screen back to the Pupils panel, keeping the
// admin's decisions (docs/SYNC.md, "Stepping back"). Applying them is the
// classification's (session_manager.cc, Classification).
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/session/decisions.h"
#include "server/session/live_session.h"
#include "server/session/session_audit.h"
#include "server/session/session_manager.h"

namespace hubsync {

absl::StatusOr<SessionView> SessionManager::StepBack(
    const std::string& session_id, int64_t expected_version,
    const Actor& actor) {
  absl::StatusOr<std::shared_ptr<Live>> loaded = Load(session_id);
  if (!loaded.ok()) return loaded.status();
  Live& live = **loaded;
  absl::MutexLock lock(&live.mu);
  if (absl::Status s = CheckVersion(live, expected_version); !s.ok()) return s;
  const SessionRecord& r = live.record;
  if (r.step != SessionStep::kSyncScreen) {
    const char* hint =
        r.step == SessionStep::kPupilsPanel
            ? "the session is on the Pupils panel already: SetScope, then "
              "Proceed"
        : r.step == SessionStep::kClassifying
            ? "rows are still being classified; wait for StreamRows to "
              "finish"
        : r.step == SessionStep::kClassSync
            ? "Proceed to the Pupils panel first"
            : "start a new session";
    return absl::FailedPreconditionError(
        absl::StrCat("StepBack is not allowed: session ", r.id, " is at step ",
                     SessionStepName(r.step), "; ", hint));
  }
  if (absl::Status s = Ensure(live); !s.ok()) return s;
  auto decisions = std::make_shared<SessionDecisions>();
  decisions->kept = DecisionsOf(live.rows, r.decisions != nullptr
                                               ? r.decisions->unmatched
                                               : std::vector<KeptDecision>());
  int64_t matches = 0, unmatches = 0, ticks = 0;
  for (const KeptDecision& d : decisions->kept) {
    switch (d.kind) {
      case KeptDecision::Kind::kMatch:
        ++matches;
        break;
      case KeptDecision::Kind::kUnmatch:
        ++unmatches;
        break;
      case KeptDecision::Kind::kTicks:
        ++ticks;
        break;
    }
  }
  SessionRecord next = live.record;
  next.step = SessionStep::kPupilsPanel;
  next.decisions = std::move(decisions);
  AuditRecord audit = SessionAudit("step_back", actor, live.record, next);
  audit.after_json = absl::StrCat(
      audit.after_json.substr(0, audit.after_json.size() - 1),
      ",\"kept_matches\":", matches, ",\"kept_unmatches\":", unmatches,
      ",\"kept_ticks\":", ticks, "}");
  // The hub changed since these rows were classified (another admin
  // saved): both sides are read again for the Pupils panel, so its matching
  // index is built from what Proceed will classify.
  if (live.context != nullptr) {
    absl::StatusOr<int64_t> hub_version = store_->HubVersion(r.school_id);
    if (!hub_version.ok() || *hub_version != live.context->hub_version()) {
      live.context.reset();
      live.match_index.reset();
      live.match_context.reset();
    }
  }
  // The screen's rows go, in memory and (replace_all_rows) in the database.
  live.rows.clear();
  live.next_row_id = 1;
  absl::StatusOr<SessionEvent> e =
      Commit(live, std::move(next), "StepBack", {}, {}, true, true, {audit});
  if (!e.ok()) return e.status();
  return e->session;
}

}  // namespace hubsync
