#include "client/console/dialogs.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/lib/labels.h"

namespace hubsync::console {
namespace {

std::string Cell(const std::string& label, const std::string& v) {
  return v.empty() ? "" : absl::StrCat(label, v);
}

}  // namespace

std::string ExplainTitle(const v1::Row& r) {
  return absl::StrCat("Row ", r.row_id(), ": ", client::StatusLabel(r.status()),
                      r.decided_by_admin() ? " (decided by an admin)" : "");
}

std::vector<std::string> ExplainLines(const v1::Row& r) {
  std::vector<std::string> lines;
  if (HasHub(r)) {
    const v1::Learner& h = r.hub();
    lines.push_back(absl::StrCat(
        "Hub: ", HubName(r), "  ", h.learner_id(),
        Cell("  year ", h.year_group()), Cell("  reg ", h.registration_group()),
        Cell("  born ", h.date_of_birth()), Cell("  UPN ", h.upn()),
        Cell("  MIS id ", h.mis_id())));
  }
  if (HasMis(r)) {
    const v1::MisLearnerRecord& m = r.mis();
    lines.push_back(absl::StrCat(
        "MIS: ", MisName(r), "  ", m.mis_id(), Cell("  year ", m.year_group()),
        Cell("  reg ", m.registration_group()),
        Cell("  born ", m.date_of_birth()), Cell("  UPN ", m.upn()),
        Cell("  email ", m.email())));
  }
  lines.push_back("");
  if (HasHub(r) && HasMis(r) && r.has_explanation() &&
      r.explanation().fields_size() > 0) {
    lines.push_back(
        absl::StrFormat("%-22s %-16s %8s", "field", "level", "weight"));
    for (const v1::FieldEvidence& f : r.explanation().fields()) {
      lines.push_back(absl::StrFormat("%-22s %-16s %+8.2f", f.field(),
                                      f.level(), f.weight()));
    }
    lines.push_back(
        absl::StrFormat("%-39s %+8.2f", "score", r.explanation().score()));
    if (!r.explanation().reason().empty())
      lines.push_back(r.explanation().reason());
    return lines;
  }
  if (r.decided_by_admin()) {
    lines.push_back("Decided by an admin (no field evidence).");
    return lines;
  }
  switch (r.status()) {
    case v1::ROW_STATUS_NOT_MATCHED:
      lines.push_back(
          "No MIS learner was close enough: unaffected by the sync.");
      break;
    case v1::ROW_STATUS_NEW:
      lines.push_back(
          "No hub learner was close enough: imported only if Import? is "
          "ticked.");
      break;
    case v1::ROW_STATUS_DESYNCED:
      lines.push_back(
          "Linked, but its MIS record is gone or out of scope: it stays in its "
          "class and year group, no longer synced.");
      break;
    case v1::ROW_STATUS_SYNCED:
      lines.push_back(
          "Already linked by its MIS id: stays synced and is refreshed.");
      break;
    default:
      lines.push_back("No explanation was sent for this row.");
  }
  return lines;
}

std::vector<std::string> SaveLines(const v1::SaveSummary& s,
                                   const Counts& counts,
                                   const std::vector<v1::Row>& unreviewed) {
  std::vector<std::string> lines = {
      "Save and sync pupils writes this to the Admin Hub in one transaction:",
      absl::StrFormat("  import      %d new learners (New rows ticked Import?)",
                      s.imported()),
      absl::StrFormat("  link        %d learners (Matched, May match: MIS "
                      "overwrites hub)",
                      s.linked()),
      absl::StrFormat("  refresh     %d Synced learners the MIS changed",
                      s.refreshed()),
      absl::StrFormat("  desync      %d learners (they stay in their class)",
                      s.desynced()),
      absl::StrFormat("  emails      %d verification emails",
                      s.emails_queued()),
      absl::StrFormat("  unaffected  %d (Not matched, or already up to date)",
                      s.unaffected()),
      absl::StrFormat("  not imported %d (New rows not ticked)",
                      counts.new_rows - counts.import_ticked)};
  if (!unreviewed.empty()) {
    // The rows a save would link unseen: saving now saves them anyway.
    constexpr size_t kListed = 5;
    lines.push_back("");
    lines.push_back(absl::StrFormat(
        "%d May match row(s) nobody has reviewed will be linked, the hub",
        unreviewed.size()));
    lines.push_back(
        "learner overwritten from the MIS (v marks one reviewed, u "
        "unmatches):");
    for (size_t i = 0; i < unreviewed.size() && i < kListed; ++i) {
      lines.push_back(absl::StrCat("  ", HubName(unreviewed[i]), "  may be  ",
                                   MisName(unreviewed[i])));
    }
    if (unreviewed.size() > kListed) {
      lines.push_back(absl::StrFormat("  ... and %d more (f filters by status)",
                                      unreviewed.size() - kListed));
    }
  } else if (counts.may_match > 0) {
    lines.push_back("");
    lines.push_back(absl::StrFormat(
        "%d May match row(s), all reviewed, will be saved as matches.",
        counts.may_match));
  }
  return lines;
}

std::vector<std::string> MassDesyncLines(const v1::MassDesync& guard) {
  const double share = guard.synced_learners() > 0
                           ? 100.0 * static_cast<double>(guard.desync_count()) /
                                 static_cast<double>(guard.synced_learners())
                           : 100.0;
  return {absl::StrFormat("This save would desync %d of the school's %d synced "
                          "learners (%.1f%%; the server asks above %g%%).",
                          guard.desync_count(), guard.synced_learners(), share,
                          guard.max_percent()),
          "A truncated or wrong MIS export looks like this: check the export "
          "before you confirm.",
          "",
          "Type yes and Enter to desync them and save; anything else goes back "
          "without saving."};
}

const std::vector<std::string>& HelpLines() {
  static const auto* lines = new std::vector<std::string>{
      "j/k Up/Down  move    PgUp/PgDn  page    g/G Home/End  first/last row",
      "/, Esc       search names and ids; Esc clears the mark, then search",
      "f            filter: All, Not matched, New, Matched, May match, ...",
      "space        tick / untick Import? on a New row",
      "a / A        tick / untick Import? on every New row",
      "e / E        tick / untick Sync email? on a row / on every row",
      "m            mark a Not matched or New row; m on the other kind: Match",
      "u            Unmatch a Matched or May match row",
      "v / V        mark a May match row reviewed (+) or not / all (asks)",
      "x, Enter     why: each field's level and weight, and the score",
      "r            fetch the rows from the server again",
      "S            Save and sync pupils (shows what it will do first)",
      "b / C        back to the Pupils panel, decisions kept / cancel session",
      "q            quit (asks when changes are not saved); Ctrl-C at once",
      "",
      "Not matched: hub only, unaffected. New: MIS only, imported if ticked.",
      "Matched, May match: linked on save. Synced: stays linked, refreshed.",
      "Desynced: kept in its class, no longer synced. *: an admin decided.",
  };
  return *lines;
}

}  // namespace hubsync::console
