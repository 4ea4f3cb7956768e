// Rendering: JSON Lines, tables, labels, and the record listings.
#include "client/cli/render.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/lib/client.h"
#include "common/text_rule.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace hubsync::cli {
namespace {

size_t Utf8Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string PersonName(const std::string& forename, const std::string& surname,
                       const std::string& preferred) {
  std::string out = absl::StrCat(forename, " ", surname);
  if (!preferred.empty() && preferred != forename)
    absl::StrAppend(&out, " (", preferred, ")");
  return out;
}

std::string JsonLine(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.always_print_primitive_fields = false;
  options.preserve_proto_field_names = false;  // lowerCamel, as grpcurl prints
  // Every hubsync message converts; a failure would leave `out` empty.
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  // The printer escapes C0 controls; any C1 or bidi control it leaves is
  // escaped too (\u009b), so a terminal sees none (common/text_rule.h).
  return EscapeUnprintableJson(out);
}

std::string ErrorLine(const absl::Status& status) {
  // A message may quote what it refuses: shown escaped.
  return absl::StrCat("error: ", absl::StatusCodeToString(status.code()), ": ",
                      EscapeUnprintable(std::string(status.message())));
}

std::string ProblemLines(const v1::UploadProblems& problems) {
  std::string out;
  for (const v1::UploadProblem& p : problems.problems()) {
    absl::StrAppend(&out, p.file());
    if (p.line() > 0) absl::StrAppend(&out, ":", p.line());
    if (p.line() > 0 && p.column() > 0) absl::StrAppend(&out, ":", p.column());
    absl::StrAppend(&out, ": ", EscapeUnprintable(p.message()), "\n");
  }
  const int64_t listed = problems.problems_size();
  if (problems.total() > listed) {
    absl::StrAppend(&out, "... and ", problems.total() - listed,
                    " more problem(s) not listed (the server lists at most ",
                    client::kProblemsMaxBytes >> 20,
                    " MiB of them): fix these and upload again\n");
  }
  return out;
}

Table::Table(std::vector<std::string> header) {
  for (std::string& cell : header) cell = EscapeUnprintable(cell);
  lines_.push_back({std::move(header), {}});
}

// Cells and notes hold what the server sent: anything a terminal would act
// on (escapes, C1 controls, bidi overrides, newlines) is shown escaped
// (common/text_rule.h), whatever the database holds.
void Table::Add(std::vector<std::string> row) {
  for (std::string& cell : row) cell = EscapeUnprintable(cell);
  lines_.push_back({std::move(row), {}});
}

void Table::AddNote(std::string line) {
  lines_.back().notes.push_back(EscapeUnprintable(line));
}

void Table::Print(std::ostream& os, bool header) const {
  std::vector<size_t> widths;
  for (const Line& l : lines_) {
    if (widths.size() < l.cells.size()) widths.resize(l.cells.size(), 0);
    for (size_t i = 0; i < l.cells.size(); ++i) {
      widths[i] = std::max(widths[i], Utf8Width(l.cells[i]));
    }
  }
  for (size_t n = header ? 0 : 1; n < lines_.size(); ++n) {
    const Line& l = lines_[n];
    std::string text;
    for (size_t i = 0; i < l.cells.size(); ++i) {
      text += l.cells[i];
      if (i + 1 < l.cells.size())
        text += std::string(widths[i] - Utf8Width(l.cells[i]) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    os << text << "\n";
    for (const std::string& note : l.notes) os << note << "\n";
  }
}

std::string SyncStateLabel(v1::SyncState s) {
  switch (s) {
    case v1::SYNC_STATE_UNSYNCED:
      return "unsynced";
    case v1::SYNC_STATE_SYNCED:
      return "synced";
    case v1::SYNC_STATE_DESYNCED:
      return "desynced";
    default:
      return "?";
  }
}

std::string TimeLabel(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  google::protobuf::Timestamp whole = t;
  whole.set_nanos(0);  // seconds are enough for a person
  return google::protobuf::util::TimeUtil::ToString(whole);
}

void PrintSchools(const std::vector<v1::School>& schools, std::ostream& os) {
  Table t({"SCHOOL", "NAME", "CREATED", "CLASSES SYNCED"});
  for (const auto& s : schools) {
    t.Add({s.school_id(), s.name(), TimeLabel(s.create_time()),
           s.has_classes_synced_time() ? TimeLabel(s.classes_synced_time())
                                       : "not yet"});
  }
  t.Print(os);
}

void PrintLearners(const std::vector<v1::Learner>& learners, std::ostream& os) {
  PrintLearnerRows(learners, true, os);
  os << learners.size() << " learner(s)\n";
}

void PrintLearnerRows(const std::vector<v1::Learner>& learners, bool header,
                      std::ostream& os) {
  Table t({"LEARNER", "NAME", "DOB", "UPN", "YEAR", "REG", "CLASSES", "EMAIL",
           "STATE", "MIS ID"});
  for (const auto& l : learners) {
    t.Add({l.learner_id(),
           PersonName(l.legal_forename(), l.legal_surname(),
                      l.preferred_forename()),
           l.date_of_birth(), l.upn(), l.year_group(), l.registration_group(),
           absl::StrJoin(l.classes(), ";"), l.email(),
           l.has_archive_time()
               ? absl::StrCat(SyncStateLabel(l.sync_state()), ", archived")
               : SyncStateLabel(l.sync_state()),
           l.mis_id()});
  }
  t.Print(os, header);
}

void PrintClasses(const v1::ListClassesResponse& classes, std::ostream& os,
                  bool header) {
  Table t({"CLASS", "NAME", "KIND", "YEAR", "MIS ID"});
  for (const auto& c : classes.classes()) {
    t.Add({c.class_id(), c.name(),
           c.kind() == v1::CLASS_KIND_REGISTRATION ? "registration" : "subject",
           c.year_group(), c.mis_id()});
  }
  t.Print(os, header);
}

void PrintSnapshots(const std::vector<v1::MisSnapshot>& snapshots,
                    std::ostream& os, bool header) {
  Table t({"SNAPSHOT", "FORMAT", "VERSION", "CREATED", "LEARNERS", "CLASSES"});
  for (const auto& s : snapshots) {
    std::string format;
    switch (s.format()) {
      case v1::MIS_FORMAT_ONEROSTER:
        format = "oneroster";
        break;
      case v1::MIS_FORMAT_PLAIN_CSV:
        format = "plain";
        break;
      case v1::MIS_FORMAT_PUSHED:
        format = "pushed";
        break;
      default:
        format = "?";
    }
    t.Add({s.snapshot_id(), format, s.oneroster_version(),
           TimeLabel(s.create_time()), absl::StrCat(s.learner_count()),
           absl::StrCat(s.class_count())});
  }
  t.Print(os, header);
}

void PrintMisLearners(const v1::ListMisLearnersResponse& r, std::ostream& os) {
  Table t({"MIS ID", "NAME", "DOB", "UPN", "YEAR", "REG", "CLASSES", "EMAIL"});
  for (const auto& l : r.learners()) {
    t.Add({l.mis_id(),
           PersonName(l.legal_forename(), l.legal_surname(),
                      l.preferred_forename()),
           l.date_of_birth(), l.upn(), l.year_group(), l.registration_group(),
           absl::StrJoin(l.classes(), ";"), l.email()});
  }
  t.Print(os);
  os << r.learners_size() << " MIS learner(s), " << r.classes_size()
     << " class(es)\n";
}

void PrintEmails(const v1::ListVerificationEmailsResponse& r, std::ostream& os,
                 bool header) {
  Table t({"EMAIL", "LEARNER", "ADDRESS", "STATUS", "ATTEMPTS", "CREATED",
           "SENT / NEXT TRY", "LAST ERROR"});
  for (const auto& e : r.emails()) {
    const std::string when =
        e.has_sent_time()
            ? TimeLabel(e.sent_time())
            : (e.has_next_attempt_time() ? TimeLabel(e.next_attempt_time())
                                         : "");
    t.Add({absl::StrCat(e.email_id()), e.learner_id(), e.address(), e.status(),
           absl::StrCat(e.attempts()), TimeLabel(e.create_time()), when,
           e.last_error()});
  }
  t.Print(os, header);
}

namespace {

std::string ValueText(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kListValue: {
      std::vector<std::string> items;
      for (const auto& item : v.list_value().values())
        items.push_back(ValueText(item));
      return absl::StrCat("[", absl::StrJoin(items, ","), "]");
    }
    case google::protobuf::Value::kNumberValue:
      return absl::StrCat(v.number_value());
    case google::protobuf::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    default:
      return "";
  }
}

}  // namespace

namespace {

// "row 3 (m1): import false -> true; row 5 removed; row 7 added: New m1".
std::string RowChanges(const google::protobuf::Struct& before,
                       const google::protobuf::Struct& after) {
  auto rows = [](const google::protobuf::Struct& s) {
    std::map<int64_t, const google::protobuf::Struct*> out;
    auto it = s.fields().find("rows");
    if (it == s.fields().end()) return out;
    for (const auto& v : it->second.list_value().values()) {
      auto id = v.struct_value().fields().find("row_id");
      if (id != v.struct_value().fields().end()) {
        out[static_cast<int64_t>(id->second.number_value())] =
            &v.struct_value();
      }
    }
    return out;
  };
  auto field = [](const google::protobuf::Struct* s, const std::string& key) {
    auto it = s->fields().find(key);
    return it == s->fields().end() ? std::string() : ValueText(it->second);
  };
  const auto was = rows(before), now = rows(after);
  std::vector<std::string> changes;
  for (const auto& [id, row] : now) {
    auto old = was.find(id);
    if (old == was.end()) {
      changes.push_back(
          absl::StrCat("row ", id, " added: ", field(row, "status"), " ",
                       field(row, "learner_id"), field(row, "mis_id")));
      continue;
    }
    std::vector<std::string> diff;
    for (const auto& [key, value] : row->fields()) {
      const std::string a = field(old->second, key), b = ValueText(value);
      if (a != b) diff.push_back(absl::StrCat(key, " ", a, " -> ", b));
    }
    std::sort(diff.begin(), diff.end());
    const std::string who = field(row, "mis_id").empty()
                                ? field(row, "learner_id")
                                : field(row, "mis_id");
    changes.push_back(
        absl::StrCat("row ", id, " (", who, "): ", absl::StrJoin(diff, ", ")));
  }
  for (const auto& [id, row] : was) {
    if (!now.count(id)) changes.push_back(absl::StrCat("row ", id, " removed"));
  }
  return changes.empty() ? "no row changed" : absl::StrJoin(changes, "; ");
}

}  // namespace

std::string AuditChanges(const v1::AuditRecord& a) {
  google::protobuf::Struct before, after;
  if (!google::protobuf::util::JsonStringToMessage(a.after_json(), &after)
           .ok()) {
    return a.after_json();
  }
  if (after.fields().count("rows")) {
    if (!google::protobuf::util::JsonStringToMessage(a.before_json(), &before)
             .ok()) {
      return a.after_json();
    }
    return RowChanges(before, after);
  }
  std::map<std::string, google::protobuf::Value> sorted(after.fields().begin(),
                                                        after.fields().end());
  if (a.before_json().empty()) {
    auto text = [&](const char* key) {
      auto it = after.fields().find(key);
      return it == after.fields().end() ? std::string() : ValueText(it->second);
    };
    if (after.fields().count("legal_forename")) {
      return absl::StrCat("created ", text("legal_forename"), " ",
                          text("legal_surname"));
    }
    std::vector<std::string> fields;
    for (const auto& [key, value] : sorted) {
      fields.push_back(absl::StrCat(key, ": ", ValueText(value)));
    }
    return absl::StrCat("created ", absl::StrJoin(fields, "; "));
  }
  if (!google::protobuf::util::JsonStringToMessage(a.before_json(), &before)
           .ok()) {
    return a.after_json();
  }
  std::vector<std::string> changes;
  for (const auto& [key, value] : sorted) {
    auto old = before.fields().find(key);
    const std::string was =
        old == before.fields().end() ? "" : ValueText(old->second);
    const std::string now = ValueText(value);
    if (was != now)
      changes.push_back(absl::StrCat(key, ": ", was, " -> ", now));
  }
  return changes.empty() ? "no field changed" : absl::StrJoin(changes, "; ");
}

void PrintAudit(const v1::ListAuditRecordsResponse& r, std::ostream& os,
                bool header) {
  Table t({"AUDIT", "TIME", "SESSION", "ACTOR", "VERB", "RECORD", "CHANGES"});
  for (const auto& a : r.records()) {
    const std::string actor =
        a.actor_key_id().empty() ? (a.actor().empty() ? "-" : a.actor())
                                 : absl::StrCat(a.actor(), " (", a.actor_role(),
                                                ", ", a.actor_key_id(), ")");
    const std::string record = !a.learner_id().empty()  ? a.learner_id()
                               : !a.record_id().empty() ? a.record_id()
                                                        : "-";
    t.Add({absl::StrCat(a.audit_id()), TimeLabel(a.time()),
           a.session_id().empty() ? "-" : a.session_id(), actor, a.verb(),
           record, AuditChanges(a)});
  }
  t.Print(os, header);
}

}  // namespace hubsync::cli
