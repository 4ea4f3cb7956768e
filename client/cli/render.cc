#include "client/cli/render.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace hubsync::cli {
namespace {

size_t Utf8Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Name(const std::string& forename, const std::string& surname,
                 const std::string& preferred = "") {
  std::string out = absl::StrCat(forename, " ", surname);
  if (!preferred.empty() && preferred != forename) absl::StrAppend(&out, " (", preferred, ")");
  return out;
}

std::string Tick(bool on) { return on ? "[x]" : "[ ]"; }

}  // namespace

std::string JsonLine(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

void Table::Print(std::ostream& os) const {
  std::vector<size_t> widths;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Utf8Width(row[i]));
  }
  for (const auto& row : rows_) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - Utf8Width(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
  }
}

std::string StatusLabel(v1::RowStatus s) {
  switch (s) {
    case v1::ROW_STATUS_NOT_MATCHED: return "Not matched";
    case v1::ROW_STATUS_NEW: return "New";
    case v1::ROW_STATUS_MATCHED: return "Matched";
    case v1::ROW_STATUS_MAY_MATCH: return "May match";
    case v1::ROW_STATUS_SYNCED: return "Synced";
    case v1::ROW_STATUS_DESYNCED: return "Desynced";
    default: return "?";
  }
}

std::string StepLabel(v1::SessionStep s) {
  switch (s) {
    case v1::SESSION_STEP_CLASS_SYNC: return "Class sync";
    case v1::SESSION_STEP_PUPILS_PANEL: return "Pupils panel";
    case v1::SESSION_STEP_CLASSIFYING: return "Classifying";
    case v1::SESSION_STEP_SYNC_SCREEN: return "Sync screen";
    case v1::SESSION_STEP_SAVED: return "Saved";
    case v1::SESSION_STEP_CANCELLED: return "Cancelled";
    default: return "?";
  }
}

std::string SyncStateLabel(v1::SyncState s) {
  switch (s) {
    case v1::SYNC_STATE_UNSYNCED: return "unsynced";
    case v1::SYNC_STATE_SYNCED: return "synced";
    case v1::SYNC_STATE_DESYNCED: return "desynced";
    default: return "?";
  }
}

void PrintSchools(const std::vector<v1::School>& schools, std::ostream& os) {
  Table t({"SCHOOL", "NAME", "CLASSES SYNCED"});
  for (const auto& s : schools) {
    t.Add({s.school_id(), s.name(), s.has_classes_synced_time() ? "yes" : "no"});
  }
  t.Print(os);
}

void PrintLearners(const std::vector<v1::Learner>& learners, std::ostream& os) {
  Table t({"LEARNER", "NAME", "DOB", "UPN", "YEAR", "REG", "CLASSES", "EMAIL", "STATE", "MIS ID"});
  for (const auto& l : learners) {
    t.Add({l.learner_id(), Name(l.legal_forename(), l.legal_surname(), l.preferred_forename()),
           l.date_of_birth(), l.upn(), l.year_group(), l.registration_group(),
           absl::StrJoin(l.classes(), ";"), l.email(), SyncStateLabel(l.sync_state()),
           l.mis_id()});
  }
  t.Print(os);
  os << learners.size() << " learner(s)\n";
}

void PrintClasses(const v1::ListClassesResponse& classes, std::ostream& os) {
  Table t({"CLASS", "NAME", "KIND", "YEAR", "MIS ID"});
  for (const auto& c : classes.classes()) {
    t.Add({c.class_id(), c.name(),
           c.kind() == v1::CLASS_KIND_REGISTRATION ? "registration" : "subject",
           c.year_group(), c.mis_id()});
  }
  t.Print(os);
}

void PrintSnapshots(const std::vector<v1::MisSnapshot>& snapshots, std::ostream& os) {
  Table t({"SNAPSHOT", "FORMAT", "VERSION", "LEARNERS", "CLASSES"});
  for (const auto& s : snapshots) {
    std::string format = v1::MisFormat_Name(s.format());
    t.Add({s.snapshot_id(), format.substr(std::min<size_t>(format.size(), 11)),
           s.oneroster_version(), absl::StrCat(s.learner_count()),
           absl::StrCat(s.class_count())});
  }
  t.Print(os);
}

void PrintMisLearners(const v1::ListMisLearnersResponse& r, std::ostream& os) {
  Table t({"MIS ID", "NAME", "DOB", "UPN", "YEAR", "REG", "CLASSES", "EMAIL"});
  for (const auto& l : r.learners()) {
    t.Add({l.mis_id(), Name(l.legal_forename(), l.legal_surname(), l.preferred_forename()),
           l.date_of_birth(), l.upn(), l.year_group(), l.registration_group(),
           absl::StrJoin(l.classes(), ";"), l.email()});
  }
  t.Print(os);
}

void PrintSummary(const v1::StatusSummary& s, std::ostream& os) {
  os << absl::StrFormat(
      "Not matched %d | New %d | Matched %d | May match %d | Synced %d | Desynced %d"
      " | total %d | Import? ticked %d | Email? ticked %d\n",
      s.not_matched(), s.new_(), s.matched(), s.may_match(), s.synced(), s.desynced(),
      s.total(), s.import_ticked(), s.email_ticked());
}

void PrintSession(const v1::Session& s, std::ostream& os) {
  os << "session     " << s.session_id() << "\n"
     << "school      " << s.school_id() << "\n"
     << "snapshot    " << s.snapshot_id() << "\n"
     << "admin       " << s.admin() << "\n"
     << "step        " << StepLabel(s.step()) << "\n"
     << "version     " << s.version() << "\n";
  std::string scope = "all students";
  if (s.scope().kind() == v1::SCOPE_KIND_YEAR_GROUPS) {
    scope = "year groups " + absl::StrJoin(s.scope().year_groups(), ", ");
  } else if (s.scope().kind() == v1::SCOPE_KIND_REGISTRATION_GROUPS) {
    scope = "registration groups " + absl::StrJoin(s.scope().registration_groups(), ", ");
  }
  os << "scope       " << scope << "\n"
     << "emails      " << (s.sync_email_addresses() ? "sync pupil email addresses" : "off")
     << "\n";
  if (s.step() != v1::SESSION_STEP_CLASS_SYNC) {
    os << absl::StrFormat("classes     %d created, %d updated, %d unchanged\n",
                          s.class_sync().created(), s.class_sync().updated(),
                          s.class_sync().unchanged());
  }
  if (s.summary().total() > 0) {
    os << "rows        ";
    PrintSummary(s.summary(), os);
  }
}

void PrintRows(const std::vector<v1::Row>& rows, bool explain, std::ostream& os) {
  Table t({"ROW", "HUB LEARNER", "HUB NAME", "YR", "REG", "STATUS", "MIS ID", "MIS NAME",
           "YR", "REG", "IMPORT?", "EMAIL?"});
  std::vector<std::vector<std::string>> details;
  for (const auto& r : rows) {
    const bool left = r.has_hub() && !r.hub().learner_id().empty();
    const bool right = r.has_mis() && !r.mis().mis_id().empty();
    std::string status = StatusLabel(r.status());
    if (r.decided_by_admin()) status += " *";
    t.Add({absl::StrCat(r.row_id()), left ? r.hub().learner_id() : "",
           left ? Name(r.hub().legal_forename(), r.hub().legal_surname()) : "",
           left ? r.hub().year_group() : "", left ? r.hub().registration_group() : "", status,
           right ? r.mis().mis_id() : "",
           right ? Name(r.mis().legal_forename(), r.mis().legal_surname(),
                        r.mis().preferred_forename())
                 : "",
           right ? r.mis().year_group() : "", right ? r.mis().registration_group() : "",
           r.status() == v1::ROW_STATUS_NEW ? Tick(r.import()) : "",
           r.email_available() ? Tick(r.sync_email()) : ""});
    if (explain && r.has_explanation()) {
      std::vector<std::string> lines;
      lines.push_back(absl::StrFormat("  row %d: %s (score %.1f)", r.row_id(),
                                      r.explanation().reason(), r.explanation().score()));
      for (const auto& f : r.explanation().fields()) {
        lines.push_back(absl::StrFormat("      %-22s %-14s %+6.1f", f.field(), f.level(),
                                        f.weight()));
      }
      details.push_back(std::move(lines));
    }
  }
  t.Print(os);
  if (!details.empty()) {
    os << "\nwhy each pair was made:\n";
    for (const auto& lines : details) {
      for (const auto& l : lines) os << l << "\n";
    }
  }
}

void PrintSaveSummary(const v1::SaveResponse& r, std::ostream& os) {
  const v1::SaveSummary& s = r.summary();
  os << "Saved and synced pupils (session " << r.session().session_id() << ")\n"
     << absl::StrFormat("  linked        %d  (Matched and May match rows)\n", s.linked())
     << absl::StrFormat("  refreshed     %d  (Synced rows updated from the MIS)\n",
                        s.refreshed())
     << absl::StrFormat("  imported      %d  (New rows ticked Import?)\n", s.imported())
     << absl::StrFormat("  desynced      %d  (kept in class and year group)\n", s.desynced())
     << absl::StrFormat("  unaffected    %d\n", s.unaffected())
     << absl::StrFormat("  emails queued %d  (verification emails)\n", s.emails_queued())
     << absl::StrFormat("  audit records %d\n", s.audit_records());
}

void PrintEmails(const v1::ListVerificationEmailsResponse& r, std::ostream& os) {
  Table t({"EMAIL", "LEARNER", "ADDRESS", "STATUS"});
  for (const auto& e : r.emails()) {
    t.Add({absl::StrCat(e.email_id()), e.learner_id(), e.address(), e.status()});
  }
  t.Print(os);
}

void PrintAudit(const v1::ListAuditRecordsResponse& r, std::ostream& os) {
  Table t({"AUDIT", "SESSION", "ACTOR", "VERB", "LEARNER", "AFTER"});
  for (const auto& a : r.records()) {
    std::string after = a.after_json();
    if (Utf8Width(after) > 60) after = after.substr(0, 57) + "...";
    t.Add({absl::StrCat(a.audit_id()), a.session_id(), a.actor(), a.verb(), a.learner_id(),
           after});
  }
  t.Print(os);
}

void PrintEvent(const v1::SessionEvent& e, std::ostream& os) {
  os << absl::StrFormat("v%d %s: step %s, %d row(s) changed, %d removed\n", e.version(),
                        e.verb(), StepLabel(e.session().step()), e.changed_rows_size(),
                        e.removed_row_ids_size());
}

}  // namespace hubsync::cli
