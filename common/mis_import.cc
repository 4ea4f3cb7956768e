// Plain one-row-per-learner CSVs (MIS exports and hub seed files), dates,
// and validation shared with pushed records. OneRoster is in oneroster.cc.
#include "common/mis_import.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "common/import_checks.h"
#include "common/text_rule.h"
#include "common/upn.h"
#include "common/year_group.h"

namespace hubsync {
namespace {

// Column name -> accepted header spellings (compared case-insensitively,
// ignoring spaces, '_' and '-').
const std::vector<std::pair<std::string, std::vector<std::string>>>& Aliases() {
  static const auto* aliases =
      new std::vector<std::pair<std::string, std::vector<std::string>>>{
          {"mis_id",
           {"misid", "id", "sourcedid", "pupilid", "studentid", "adno"}},
          {"upn", {"upn", "uniquepupilnumber"}},
          {"legal_forename",
           {"legalforename", "forename", "firstname", "givenname"}},
          {"legal_surname",
           {"legalsurname", "surname", "lastname", "familyname"}},
          {"preferred_forename",
           {"preferredforename", "preferredfirstname", "knownas"}},
          {"preferred_surname", {"preferredsurname", "preferredlastname"}},
          {"date_of_birth", {"dateofbirth", "dob", "birthdate"}},
          {"gender", {"gender", "sex"}},
          {"year_group", {"yeargroup", "year", "ncyear"}},
          {"registration_group",
           {"registrationgroup", "reggroup", "form", "tutorgroup"}},
          {"classes", {"classes", "subjectclasses"}},
          {"email", {"email", "emailaddress"}},
      };
  return *aliases;
}

// The columns of Aliases(), in its order: a row's fields are found by index,
// not by name.
enum Field : int {
  kMisId,
  kUpn,
  kLegalForename,
  kLegalSurname,
  kPreferredForename,
  kPreferredSurname,
  kDateOfBirth,
  kGender,
  kYearGroup,
  kRegistrationGroup,
  kClasses,
  kEmail,
  kFieldCount
};
using Columns = std::array<int, kFieldCount>;

const std::string& FieldName(Field f) { return Aliases()[f].first; }

std::string Squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '_' || c == '-') continue;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Column indexes by canonical name; -1 when absent. Two headers meaning the
// same column ("Forename" and "Legal Forename") are a problem: which one
// holds the legal name is a guess hubsync will not make.
Columns MapColumns(const CsvTable& table, const std::string& file,
                   std::vector<Problem>* problems) {
  Columns cols;
  cols.fill(-1);
  for (size_t i = 0; i < table.header.size(); ++i) {
    const std::string h = Squash(table.header[i]);
    for (int f = 0; f < kFieldCount; ++f) {
      const auto& [name, spellings] = Aliases()[f];
      if (std::find(spellings.begin(), spellings.end(), h) == spellings.end()) {
        continue;
      }
      int& col = cols[f];
      if (col >= 0) {
        problems->push_back(
            {file, 1, static_cast<int>(i) + 1,
             absl::StrCat("columns ", col + 1, " ('", table.header[col],
                          "') and ", i + 1, " ('", table.header[i],
                          "') both mean ", name, ": keep one")});
      } else {
        col = static_cast<int>(i);
      }
    }
  }
  return cols;
}

// One row's fields, with problems reported against the right column. Each
// header spelling means one column (Aliases), so a field taken (moved out of
// the record) is never read again.
struct RowReader {
  const std::string& file;
  CsvRecord& record;
  const Columns& cols;
  std::vector<Problem>* problems;
  const ParseLimits& limits;
  bool* over_limit;

  const std::string& Get(Field f) const {
    static const std::string* const kEmpty = new std::string;
    const int c = cols[f];
    return c < 0 ? *kEmpty : record.fields[c];
  }
  std::string Take(Field f) const {
    const int c = cols[f];
    return c < 0 ? std::string() : std::move(record.fields[c]);
  }
  int Col(Field f) const { return cols[f] + 1; }
  void Report(Field f, std::string message) const {
    problems->push_back(
        {file, record.line, std::max(Col(f), 0), std::move(message)});
  }
};

// Fills the fields shared by MIS and hub rows; returns false on a problem.
bool ReadCommon(const RowReader& row, bool year_required, std::string* forename,
                std::string* surname, std::string* pforename,
                std::string* psurname, std::optional<Date>* dob,
                std::string* gender, std::string* upn, std::string* year,
                std::string* reg, std::vector<std::string>* classes,
                std::string* email) {
  const size_t before = row.problems->size();
  for (int f = 0; f < kFieldCount; ++f) {
    if (row.cols[f] >= 0) {
      const Field field = static_cast<Field>(f);
      CheckValue(row.file, row.record.line, row.Col(field), FieldName(field),
                 row.Get(field), row.limits, row.problems, row.over_limit);
    }
  }
  *forename = row.Take(kLegalForename);
  *surname = row.Take(kLegalSurname);
  // Empty, or blank (only spaces, NBSP, zero-width...): common/text_rule.h.
  for (const auto& [field, value] :
       {std::pair{kLegalForename, forename}, {kLegalSurname, surname}}) {
    std::string bad = RequiredNameProblem(FieldName(field), *value);
    if (!bad.empty()) row.Report(field, std::move(bad));
  }
  *pforename = row.Take(kPreferredForename);
  *psurname = row.Take(kPreferredSurname);
  const std::string& dob_text = row.Get(kDateOfBirth);
  if (!dob_text.empty()) {
    *dob = ParseDate(dob_text);
    if (!*dob) {
      row.Report(
          kDateOfBirth,
          absl::StrCat("date_of_birth '", dob_text,
                       "' is not a real date (YYYY-MM-DD or DD/MM/YYYY)"));
    }
  }
  *gender = row.Take(kGender);
  *upn = NormaliseUpn(row.Get(kUpn));
  const std::string& year_text = row.Get(kYearGroup);
  if (year_text.empty()) {
    if (year_required) row.Report(kYearGroup, "year_group is empty");
  } else if (std::optional<std::string> y = CanonicalYearGroup(year_text)) {
    *year = *std::move(y);
  } else {
    row.Report(kYearGroup,
               absl::StrCat("year_group '", year_text,
                            "' is not a UK year group (N1, N2, R, 1-13)"));
  }
  *reg = row.Take(kRegistrationGroup);
  for (absl::string_view c :
       absl::StrSplit(row.Get(kClasses), ';', absl::SkipWhitespace())) {
    classes->push_back(std::string(absl::StripAsciiWhitespace(c)));
  }
  std::sort(classes->begin(), classes->end());
  classes->erase(std::unique(classes->begin(), classes->end()), classes->end());
  *email = row.Take(kEmail);
  if (!email->empty() && !LooksLikeEmail(*email)) {
    row.Report(kEmail,
               absl::StrCat("email '", *email, "' is not an email address"));
  }
  return row.problems->size() == before;
}

}  // namespace

std::optional<Date> ParseDate(std::string_view text) {
  const absl::string_view s = absl::StripAsciiWhitespace(Av(text));
  int y = 0, m = 0, d = 0;
  // YYYY-MM-DD with eight digits, the common case, without splitting; any
  // other text takes the general path below.
  auto digit = [&s](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  if (s.size() == 10 && s[4] == '-' && s[7] == '-' && digit(0) && digit(1) &&
      digit(2) && digit(3) && digit(5) && digit(6) && digit(8) && digit(9)) {
    auto num = [&s](size_t i, size_t n) {
      int v = 0;
      for (size_t k = i; k < i + n; ++k) v = v * 10 + (s[k] - '0');
      return v;
    };
    const Date date{num(0, 4), num(5, 2), num(8, 2)};
    if (!IsRealDate(date)) return std::nullopt;
    return date;
  }
  std::vector<absl::string_view> parts;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
    parts = absl::StrSplit(s, '-');
    if (!absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
        !absl::SimpleAtoi(parts[2], &d)) {
      return std::nullopt;
    }
  } else {
    parts = absl::StrSplit(s, '/');
    if (parts.size() != 3 || parts[2].size() != 4 || parts[0].empty() ||
        parts[0].size() > 2 || parts[1].empty() || parts[1].size() > 2 ||
        !absl::SimpleAtoi(parts[0], &d) || !absl::SimpleAtoi(parts[1], &m) ||
        !absl::SimpleAtoi(parts[2], &y)) {
      return std::nullopt;
    }
  }
  for (absl::string_view p : parts) {
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
    }
  }
  const Date date{y, m, d};
  if (!IsRealDate(date)) return std::nullopt;
  return date;
}

std::optional<Date> ParseIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  return ParseDate(s);
}

bool IsRealDate(const Date& date) {
  const int y = date.year, m = date.month, d = date.day;
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

MisParseResult ParsePlainCsv(std::string_view file_name, std::string_view data,
                             const ParseLimits& limits,
                             const ImportOptions& options) {
  MisParseResult result;
  result.snapshot.format = MisFormat::kPlainCsv;
  const std::string file(file_name);
  CsvTable table = ParseCsv(file_name, data, &result.problems, limits.max_rows);
  result.over_limit = table.too_many_records;
  if (!result.problems.empty()) return result;
  const Columns cols = MapColumns(table, file, &result.problems);
  for (Field required : {kMisId, kLegalForename, kLegalSurname, kYearGroup}) {
    if (cols[required] < 0) {
      result.problems.push_back({file, 1, 0,
                                 absl::StrCat("missing required column '",
                                              FieldName(required), "'")});
    }
  }
  if (!result.problems.empty()) return result;

  // Hash maps (a million-learner export), classes sorted by id at the end.
  // The id and UPN keys are views: of the record's mis_id field (never moved
  // out) and of the stored learner's UPN (the learners are reserved up front,
  // so none moves while the maps live).
  absl::flat_hash_map<absl::string_view, int> seen_ids, seen_upns;
  seen_ids.reserve(table.records.size());
  seen_upns.reserve(table.records.size());
  absl::flat_hash_map<std::string, MisClass> classes;
  std::set<std::string> mixed_years;
  std::vector<MisLearner>& learners = result.snapshot.learners;
  learners.reserve(table.records.size());
  for (CsvRecord& record : table.records) {
    RowReader row{
        file, record, cols, &result.problems, limits, &result.over_limit};
    MisLearner l;
    const std::string& mis_id = row.Get(kMisId);
    l.mis_id = mis_id;
    if (mis_id.empty()) {
      row.Report(kMisId, "mis_id is empty");
    } else if (auto [it, fresh] = seen_ids.emplace(mis_id, record.line);
               !fresh) {
      row.Report(kMisId, absl::StrCat("mis_id '", mis_id, "' is also on line ",
                                      it->second));
    }
    if (!ReadCommon(row, true, &l.legal_forename, &l.legal_surname,
                    &l.preferred_forename, &l.preferred_surname,
                    &l.date_of_birth, &l.gender, &l.upn, &l.year_group,
                    &l.registration_group, &l.classes, &l.email)) {
      continue;
    }
    if (!l.registration_group.empty()) {
      l.registration_group_mis_id = "reg:" + l.registration_group;
      MisClass& c = classes[l.registration_group_mis_id];
      if (c.mis_id.empty()) {
        c = {l.registration_group_mis_id, l.registration_group,
             ClassKind::kRegistration, l.year_group};
      } else if (c.year_group != l.year_group) {
        mixed_years.insert(c.mis_id);  // a vertical tutor group
      }
    }
    for (const std::string& name : l.classes) {
      const std::string id = "cls:" + name;
      l.class_mis_ids.push_back(id);
      if (!classes.contains(id)) {
        classes.emplace(id, MisClass{id, name, ClassKind::kSubject, ""});
      }
    }
    learners.push_back(std::move(l));
    const std::string& upn = learners.back().upn;
    if (IsValidUpn(upn)) {
      if (auto [it, fresh] = seen_upns.emplace(upn, record.line); !fresh) {
        row.Report(kUpn,
                   absl::StrCat("UPN ", upn, " is also on line ", it->second));
      }
    }
  }
  if (table.records.empty() && !options.allow_empty) {
    result.problems.push_back(
        {file, 0, 0,
         absl::StrCat("no learners: the file has a header and no rows; ",
                      kAllowEmptyHint)});
  }
  for (const std::string& id : mixed_years) classes[id].year_group.clear();
  for (auto& [id, c] : classes) result.snapshot.classes.push_back(std::move(c));
  std::sort(
      result.snapshot.classes.begin(), result.snapshot.classes.end(),
      [](const MisClass& a, const MisClass& b) { return a.mis_id < b.mis_id; });
  // Learners by mis_id: sort small (id, index) pairs, then move each
  // learner once, rather than swapping whole records.
  std::vector<std::pair<std::string_view, size_t>> order(learners.size());
  for (size_t i = 0; i < learners.size(); ++i)
    order[i] = {learners[i].mis_id, i};
  std::stable_sort(
      order.begin(), order.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<MisLearner> sorted;
  sorted.reserve(learners.size());
  for (const auto& [id, i] : order) sorted.push_back(std::move(learners[i]));
  learners = std::move(sorted);
  return result;
}

HubImportResult ParseHubLearnersCsv(std::string_view file_name,
                                    std::string_view data,
                                    const ParseLimits& limits,
                                    const ImportOptions& options) {
  HubImportResult result;
  const std::string file(file_name);
  CsvTable table = ParseCsv(file_name, data, &result.problems, limits.max_rows);
  result.over_limit = table.too_many_records;
  if (!result.problems.empty()) return result;
  const Columns cols = MapColumns(table, file, &result.problems);
  for (Field required : {kLegalForename, kLegalSurname}) {
    if (cols[required] < 0) {
      result.problems.push_back({file, 1, 0,
                                 absl::StrCat("missing required column '",
                                              FieldName(required), "'")});
    }
  }
  if (!options.ignore_unknown_columns) {
    // A column hubsync does not read is data the caller expects to land
    // somewhere (a OneRoster users.csv's role, a school's own notes): say so
    // rather than drop it. mis_id is not a hub column (a hand-made learner
    // has none), but learner export writes it, with learner_id and
    // sync_state, and its file must read back.
    for (size_t i = 0; i < table.header.size(); ++i) {
      const std::string h = Squash(table.header[i]);
      if (h == "learnerid" || h == "misid" || h == "syncstate") continue;
      bool known = false;
      for (int f = 0; f < kFieldCount && !known; ++f) {
        const std::vector<std::string>& spellings = Aliases()[f].second;
        known = f != kMisId && std::find(spellings.begin(), spellings.end(),
                                         h) != spellings.end();
      }
      if (known) continue;
      result.problems.push_back(
          {file, 1, static_cast<int>(i) + 1,
           absl::StrCat("column '", table.header[i],
                        "' is not a hub learner column: remove it, or send "
                        "ignore_unknown_columns (hubsync: "
                        "--ignore-unknown-columns) to leave it unread")});
    }
  }
  if (!result.problems.empty()) return result;
  for (CsvRecord& record : table.records) {
    RowReader row{
        file, record, cols, &result.problems, limits, &result.over_limit};
    HubLearner l;
    if (!ReadCommon(row, false, &l.legal_forename, &l.legal_surname,
                    &l.preferred_forename, &l.preferred_surname,
                    &l.date_of_birth, &l.gender, &l.upn, &l.year_group,
                    &l.registration_group, &l.classes, &l.email)) {
      continue;
    }
    result.learners.push_back(std::move(l));
  }
  if (!result.problems.empty()) result.learners.clear();
  return result;
}

MisParseResult ParseMisUpload(MisFormat format, const UploadFiles& files,
                              const ParseLimits& limits,
                              const ImportOptions& options) {
  if (format == MisFormat::kOneRoster) {
    return ParseOneRoster(files, limits, options);
  }
  if (format == MisFormat::kPlainCsv) {
    if (files.size() != 1) {
      MisParseResult result;
      result.problems.push_back(
          {files.empty() ? "" : files.begin()->first, 0, 0,
           absl::StrCat("a plain CSV export is exactly one file; got ",
                        files.size())});
      return result;
    }
    return ParsePlainCsv(files.begin()->first, files.begin()->second, limits,
                         options);
  }
  MisParseResult result;
  result.problems.push_back(
      {"", 0, 0, "pushed records are not an upload format"});
  return result;
}

}  // namespace hubsync
