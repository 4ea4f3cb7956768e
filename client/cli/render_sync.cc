// Rendering of sync sessions: the session, the sync screen, edits and saves.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/cli/render.h"
#include "client/lib/labels.h"
#include "common/text_rule.h"

namespace hubsync::cli {
namespace {

std::string Tick(bool on) { return on ? "[x]" : "[ ]"; }

std::string ScopeLabel(const v1::Scope& scope) {
  switch (scope.kind()) {
    case v1::SCOPE_KIND_YEAR_GROUPS:
      return "year groups " + absl::StrJoin(scope.year_groups(), ", ");
    case v1::SCOPE_KIND_REGISTRATION_GROUPS:
      return "registration groups " +
             absl::StrJoin(scope.registration_groups(), ", ");
    default:
      return "all students";
  }
}

}  // namespace

void PrintSummary(const v1::StatusSummary& s, std::ostream& os) {
  os << absl::StrFormat(
      "Not matched %d | New %d | Matched %d | May match %d | Synced %d | "
      "Desynced %d"
      " | total %d | Import? ticked %d | Email? ticked %d\n",
      s.not_matched(), s.new_(), s.matched(), s.may_match(), s.synced(),
      s.desynced(), s.total(), s.import_ticked(), s.email_ticked());
  if (s.unreviewed_may_match() > 0) {
    os << absl::StrFormat(
        "May match rows not reviewed: %d (a save asks first; hubsync sync "
        "review)\n",
        s.unreviewed_may_match());
  }
}

void PrintSession(const v1::Session& s, std::ostream& os) {
  os << "session     " << s.session_id() << "\n"
     << "school      " << s.school_id() << "\n"
     << "snapshot    " << s.snapshot_id() << "\n"
     << "admin       " << EscapeUnprintable(s.admin()) << "\n"
     << "step        " << client::StepLabel(s.step()) << "\n"
     << "version     " << s.version() << "\n"
     << "scope       " << EscapeUnprintable(ScopeLabel(s.scope())) << "\n"
     << "emails      "
     << (s.sync_email_addresses() ? "sync pupil email addresses" : "off")
     << "\n";
  if (s.has_class_sync()) {
    os << absl::StrFormat("classes     %d created, %d updated, %d unchanged\n",
                          s.class_sync().created(), s.class_sync().updated(),
                          s.class_sync().unchanged());
  }
  if (s.has_summary() &&
      (s.summary().total() > 0 || s.step() >= v1::SESSION_STEP_SYNC_SCREEN)) {
    os << "rows        ";
    PrintSummary(s.summary(), os);
  }
  PrintDecisions(s.decisions(), os);
}

void PrintDecisions(const v1::DecisionReport& d, std::ostream& os) {
  if (d.pending() > 0) {
    os << "decisions   " << d.pending()
       << " kept (Match, Unmatch, Import?, Sync email?), applied at the next "
          "proceed\n";
  }
  if (d.applied() > 0 || d.dropped() > 0) {
    os << "decisions   " << d.applied() << " kept, " << d.dropped()
       << " dropped\n";
    for (const v1::DroppedDecision& x : d.dropped_decisions()) {
      os << "  dropped   " << EscapeUnprintable(x.decision()) << ": "
         << EscapeUnprintable(x.reason()) << "\n";
    }
    if (d.dropped() > d.dropped_decisions_size()) {
      os << "  ... and " << d.dropped() - d.dropped_decisions_size()
         << " more\n";
    }
  }
}

void PrintSessions(const v1::ListSessionsResponse& r, std::ostream& os,
                   bool header) {
  Table t({"SESSION", "STEP", "VERSION", "ADMIN", "SNAPSHOT", "UPDATED"});
  for (const auto& s : r.sessions()) {
    t.Add({s.session_id(), client::StepLabel(s.step()),
           absl::StrCat(s.version()), s.admin(), s.snapshot_id(),
           TimeLabel(s.update_time())});
  }
  t.Print(os, header);
}

void PrintRows(const std::vector<v1::Row>& rows, const RowsView& view,
               std::ostream& os) {
  std::vector<std::string> header = {"ROW",  "HUB LEARNER", "NAME",   "YEAR",
                                     "REG",  "STATUS",      "MIS ID", "NAME",
                                     "YEAR", "REG",         "IMPORT?"};
  if (view.email_column) header.push_back("EMAIL?");
  Table t(std::move(header));
  bool any_admin = false;
  bool any_explained = false;
  for (const v1::Row& r : rows) {
    const bool left = r.has_hub() && !r.hub().learner_id().empty();
    const bool right = r.has_mis() && !r.mis().mis_id().empty();
    std::string status = client::StatusLabel(r.status());
    if (r.status() == v1::ROW_STATUS_MAY_MATCH && r.reviewed()) {
      status += " (reviewed)";
    }
    if (r.decided_by_admin()) {
      status += " *";
      any_admin = true;
    }
    const v1::Learner& h = r.hub();
    const v1::MisLearnerRecord& m = r.mis();
    std::vector<std::string> cells = {
        absl::StrCat(r.row_id()),
        left ? h.learner_id() : "",
        left ? PersonName(h.legal_forename(), h.legal_surname(),
                          h.preferred_forename())
             : "",
        left ? h.year_group() : "",
        left ? h.registration_group() : "",
        status,
        right ? m.mis_id() : "",
        right ? PersonName(m.legal_forename(), m.legal_surname(),
                           m.preferred_forename())
              : "",
        right ? m.year_group() : "",
        right ? m.registration_group() : "",
        r.status() == v1::ROW_STATUS_NEW ? Tick(r.import()) : ""};
    if (view.email_column)
      cells.push_back(r.email_available() ? Tick(r.sync_email()) : "");
    t.Add(std::move(cells));
    if (!view.explain || !r.has_explanation()) continue;
    if (!left || !right) {
      // An unpaired row's reason (a tie, a pair an admin unlinked).
      if (!r.explanation().reason().empty())
        t.AddNote(absl::StrCat("      ", r.explanation().reason()));
      continue;
    }
    any_explained = true;
    for (const v1::FieldEvidence& f : r.explanation().fields()) {
      t.AddNote(absl::StrFormat("      %-20s %-14s %+7.2f", f.field(),
                                f.level(), f.weight()));
    }
    std::string score =
        absl::StrFormat("      %-35s %+7.2f", "score", r.explanation().score());
    if (!r.explanation().reason().empty())
      absl::StrAppend(&score, "  ", r.explanation().reason());
    t.AddNote(score);
  }
  t.Print(os);
  if (any_admin) os << "* decided by the admin\n";
  if (any_explained) {
    os << "Lines under a paired row show why each pair was made: field, "
          "agreement level, "
          "weight; then the total score.\n";
  }
}

void PrintEdit(const v1::EditResponse& r, std::ostream& os) {
  if (r.changed_rows_size() > 0) {
    PrintRows({r.changed_rows().begin(), r.changed_rows().end()},
              {.email_column = r.session().sync_email_addresses()}, os);
  } else {
    os << "no rows changed\n";
  }
  if (r.removed_row_ids_size() > 0) {
    os << "rows removed: " << absl::StrJoin(r.removed_row_ids(), ", ") << "\n";
  }
  os << "session " << r.session().session_id() << " is at version "
     << r.session().version() << "\n";
}

void PrintSaveSummary(const v1::SaveResponse& r, std::ostream& os) {
  const v1::SaveSummary& s = r.summary();
  if (r.session().step() == v1::SESSION_STEP_SAVED) {
    os << "Saved and synced pupils (session " << r.session().session_id()
       << ", version " << r.session().version() << ")\n";
  } else {
    // A dry run (validate_only): the session has not moved on.
    os << "Dry run: the save would do this (session "
       << r.session().session_id() << ", version " << r.session().version()
       << "; nothing saved)\n";
  }
  os << absl::StrFormat("  linked         %d  (Matched and May match rows)\n",
                        s.linked())
     << absl::StrFormat(
            "  refreshed      %d  (Synced rows updated from the MIS)\n",
            s.refreshed())
     << absl::StrFormat("  imported       %d  (New rows ticked Import?)\n",
                        s.imported())
     << absl::StrFormat(
            "  desynced       %d  (kept in their class and year group)\n",
            s.desynced())
     << absl::StrFormat(
            "  unaffected     %d  (Not matched, or already up to date)\n",
            s.unaffected())
     << absl::StrFormat("  emails queued  %d  (verification emails)\n",
                        s.emails_queued())
     << absl::StrFormat("  audit records  %d\n", s.audit_records());
  if (!r.save_id().empty()) {
    os << "Save " << r.save_id() << "; to undo it: hubsync save revert "
       << r.save_id() << "\n";
  }
  const int64_t unreviewed = r.session().summary().unreviewed_may_match();
  if (r.session().step() != v1::SESSION_STEP_SAVED && unreviewed > 0) {
    os << absl::StrFormat(
        "  not reviewed   %d  (May match rows nobody reviewed: the save "
        "asks first)\n",
        unreviewed);
  }
}

void PrintEvent(const v1::SessionEvent& e, std::ostream& os) {
  std::string when = TimeLabel(e.time());
  os << absl::StrFormat("v%d %s%s%s: step %s, %d row(s) changed, %d removed\n",
                        e.version(), when, when.empty() ? "" : " ", e.verb(),
                        client::StepLabel(e.session().step()),
                        e.changed_rows_size(), e.removed_row_ids_size());
}

}  // namespace hubsync::cli

namespace hubsync::cli {

std::string MassDesyncWarning(const v1::MassDesync& guard) {
  const double share = guard.synced_learners() > 0
                           ? 100.0 * static_cast<double>(guard.desync_count()) /
                                 static_cast<double>(guard.synced_learners())
                           : 100.0;
  return absl::StrFormat(
      "This save would desync %d of the school's %d synced learners (%.1f%%; "
      "the server asks above %g%%).\n"
      "A truncated or wrong MIS export looks like this: check the export "
      "before you confirm.\n",
      guard.desync_count(), guard.synced_learners(), share,
      guard.max_percent());
}

}  // namespace hubsync::cli

namespace hubsync::cli {

std::string UnreviewedWarning(const v1::UnreviewedMayMatch& unreviewed,
                              const std::string& session_id) {
  std::string out = absl::StrFormat(
      "%d May match row(s) nobody has reviewed. Saving links each hub "
      "learner to the MIS\nrecord it may match and overwrites it from the "
      "MIS:\n",
      unreviewed.count());
  for (const v1::UnreviewedRow& r : unreviewed.rows()) {
    absl::StrAppend(&out, "  row ", r.row_id(), "  ",
                    EscapeUnprintable(r.hub_name()), " (",
                    EscapeUnprintable(r.learner_id()), ")  may be  ",
                    EscapeUnprintable(r.mis_name()), " (",
                    EscapeUnprintable(r.mis_id()), ")\n");
  }
  const int64_t more = unreviewed.count() - unreviewed.rows_size();
  if (more > 0) {
    absl::StrAppend(&out, "  ... and ", more, " more: hubsync sync rows ",
                    session_id, " --status may_match\n");
  }
  return out;
}

}  // namespace hubsync::cli
