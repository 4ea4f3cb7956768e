#include "client/cli/csv_export.h"

#include "absl/strings/str_join.h"
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

}  // namespace hubsync::cli
