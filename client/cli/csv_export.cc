#include "client/cli/csv_export.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/lib/labels.h"
#include "common/text_rule.h"

namespace hubsync::cli {

std::string CsvCell(std::string_view value) {
  const bool formula = !value.empty() && (value[0] == '=' || value[0] == '+' ||
                                          value[0] == '-' || value[0] == '@' ||
                                          value[0] == '\t' || value[0] == '\r');
  const bool quote =
      formula || value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) return std::string(value);
  std::string out = "\"";
  if (formula) out += '\'';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string CsvRow(const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvCell(cells[i]);
  }
  out += "\r\n";
  return out;
}

namespace {

const char* StateName(v1::SyncState s) {
  switch (s) {
    case v1::SYNC_STATE_UNSYNCED:
      return "unsynced";
    case v1::SYNC_STATE_SYNCED:
      return "synced";
    case v1::SYNC_STATE_DESYNCED:
      return "desynced";
    default:
      return "";
  }
}

}  // namespace

std::string LearnersCsv(const std::vector<v1::Learner>& learners) {
  return LearnersCsvHeader() + LearnersCsvRows(learners);
}

std::string LearnersCsvHeader() {
  return CsvRow({"learner_id", "legal_forename", "legal_surname",
                 "preferred_forename", "preferred_surname", "date_of_birth",
                 "gender", "upn", "year_group", "registration_group", "classes",
                 "email", "mis_id", "sync_state"});
}

std::string LearnersCsvRows(const std::vector<v1::Learner>& learners) {
  std::string out;
  for (const v1::Learner& l : learners) {
    std::vector<std::string> row = {l.learner_id(),
                                    l.legal_forename(),
                                    l.legal_surname(),
                                    l.preferred_forename(),
                                    l.preferred_surname(),
                                    l.date_of_birth(),
                                    l.gender(),
                                    l.upn(),
                                    l.year_group(),
                                    l.registration_group(),
                                    absl::StrJoin(l.classes(), "; "),
                                    l.email(),
                                    l.mis_id(),
                                    StateName(l.sync_state())};
    // What the server refuses today may be stored from before: escaped
    // (\x1b, \u202e), so the file is safe to cat or open.
    for (std::string& cell : row) cell = EscapeUnprintable(cell);
    out += CsvRow(row);
  }
  return out;
}

std::string SyncRowsCsvHeader() {
  return CsvRow({"status", "learner_id", "hub_name", "mis_id", "mis_name",
                 "year_group", "registration_group", "import", "sync_email",
                 "decided_by_admin", "score", "reason", "evidence"});
}

std::string SyncRowsCsvRows(
    const google::protobuf::RepeatedPtrField<v1::Row>& rows) {
  auto yes = [](bool b) { return std::string(b ? "yes" : "no"); };
  auto name = [](const std::string& forename, const std::string& surname) {
    if (forename.empty() || surname.empty()) return forename + surname;
    return absl::StrCat(forename, " ", surname);
  };
  std::string out;
  for (const v1::Row& r : rows) {
    const bool has_mis = r.has_mis();
    const bool has_hub = r.has_hub();
    std::vector<std::string> evidence;
    for (const v1::FieldEvidence& f : r.explanation().fields()) {
      evidence.push_back(absl::StrCat(f.field(), ":", f.level()));
    }
    std::vector<std::string> row = {
        client::StatusLabel(r.status()),
        has_hub ? r.hub().learner_id() : "",
        has_hub ? name(r.hub().legal_forename(), r.hub().legal_surname()) : "",
        has_mis ? r.mis().mis_id() : "",
        has_mis ? name(r.mis().legal_forename(), r.mis().legal_surname()) : "",
        has_mis ? r.mis().year_group() : r.hub().year_group(),
        has_mis ? r.mis().registration_group() : r.hub().registration_group(),
        yes(r.import()),
        yes(r.sync_email()),
        yes(r.decided_by_admin()),
        r.has_explanation() ? absl::StrFormat("%.2f", r.explanation().score())
                            : "",
        r.explanation().reason(),
        absl::StrJoin(evidence, "; ")};
    for (std::string& cell : row) cell = EscapeUnprintable(cell);
    out += CsvRow(row);
  }
  return out;
}

}  // namespace hubsync::cli
