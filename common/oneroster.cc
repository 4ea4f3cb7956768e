// OneRoster 1.1 / 1.2 CSV sets: students, their homeroom (registration
// group) and scheduled classes, and their demographics.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "common/import_checks.h"
#include "common/mis_import.h"
#include "common/oneroster_manifest.h"
#include "common/text_rule.h"
#include "common/upn.h"
#include "common/year_group.h"

namespace hubsync {
namespace {

// A parsed file with its required columns checked.
struct File {
  std::string name;
  CsvTable table;
  bool ok = false;
  std::string Get(const CsvRecord& r, std::string_view column) const {
    int c = table.Column(column);
    return c < 0 ? std::string() : r.fields[c];
  }
  int Col(std::string_view column) const { return table.Column(column) + 1; }
  bool Deleted(const CsvRecord& r) const {
    return absl::EqualsIgnoreCase(Get(r, "status"), "tobedeleted");
  }
};

File Load(const UploadFiles& files, const std::string& name, bool required,
          std::initializer_list<const char*> columns, const ParseLimits& limits,
          std::vector<Problem>* problems, bool* over_limit) {
  File f;
  f.name = name;
  auto it = files.find(name);
  if (it == files.end()) {
    if (required) problems->push_back({name, 0, 0, "required file is missing"});
    return f;
  }
  const size_t before = problems->size();
  f.table = ParseCsv(name, it->second, problems, limits.max_rows);
  if (f.table.too_many_records) *over_limit = true;
  if (problems->size() != before) return f;
  // A column named twice: which one holds the data is not hubsync's guess.
  for (size_t i = 0; i < f.table.header.size(); ++i) {
    const int first = f.table.Column(f.table.header[i]);
    if (!f.table.header[i].empty() && first != static_cast<int>(i)) {
      problems->push_back(
          {name, 1, static_cast<int>(i) + 1,
           absl::StrCat("columns ", first + 1, " and ", i + 1, " are both '",
                        f.table.header[i], "': keep one")});
    }
  }
  for (const char* c : columns) {
    if (f.table.Column(c) < 0) {
      problems->push_back(
          {name, 1, 0, absl::StrCat("missing required column '", c, "'")});
    }
  }
  f.ok = problems->size() == before;
  return f;
}

// Reports each repeated sourcedId of `f` among rows that are not
// tobedeleted, naming the line it first appears on. users.csv and
// classes.csv check theirs as they are read.
void CheckUniqueIds(const File& f, std::vector<Problem>* problems) {
  const int col = f.table.Column("sourcedId");
  if (!f.ok || col < 0) return;
  std::map<std::string, int> seen;
  for (const CsvRecord& r : f.table.records) {
    const std::string& id = r.fields[col];
    if (id.empty() || f.Deleted(r)) continue;
    if (auto [it, fresh] = seen.emplace(id, r.line); !fresh) {
      problems->push_back(
          {f.name, r.line, col + 1,
           absl::StrCat("sourcedId '", id, "' is also on line ", it->second)});
    }
  }
}

std::vector<std::string> ListField(const std::string& s) {
  std::vector<std::string> out;
  for (absl::string_view p : absl::StrSplit(s, ',', absl::SkipWhitespace())) {
    out.push_back(std::string(absl::StripAsciiWhitespace(p)));
  }
  return out;
}

// "{UPN:A123...}" entries of userIds, or an identifier shaped like a UPN.
std::string FindUpn(const std::string& user_ids,
                    const std::string& identifier) {
  for (const std::string& entry : ListField(user_ids)) {
    absl::string_view e = entry;
    if (absl::StartsWith(e, "{")) e.remove_prefix(1);
    if (absl::EndsWith(e, "}")) e.remove_suffix(1);
    size_t colon = e.find(':');
    if (colon != std::string_view::npos &&
        absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(e.substr(0, colon)),
                               "UPN")) {
      absl::string_view v = e.substr(colon + 1);
      return NormaliseUpn(std::string_view(v.data(), v.size()));
    }
  }
  std::string id = NormaliseUpn(identifier);
  if (id.size() == 13 && absl::ascii_isalpha(static_cast<unsigned char>(id[0])))
    return id;
  return "";
}

}  // namespace

MisParseResult ParseOneRoster(const UploadFiles& files,
                              const ParseLimits& limits,
                              const ImportOptions& options) {
  MisParseResult result;
  std::vector<Problem>& problems = result.problems;
  MisSnapshot& snap = result.snapshot;
  snap.format = MisFormat::kOneRoster;

  snap.oneroster_version = ReadOneRosterManifest(files, &problems);
  const bool v12 = snap.oneroster_version == "1.2";
  File users =
      Load(files, "users.csv", true, {"sourcedId", "givenName", "familyName"},
           limits, &problems, &result.over_limit);
  File roles = Load(files, "roles.csv", false, {"userSourcedId", "role"},
                    limits, &problems, &result.over_limit);
  File classes =
      Load(files, "classes.csv", false, {"sourcedId", "title", "classType"},
           limits, &problems, &result.over_limit);
  File enrollments = Load(files, "enrollments.csv", false,
                          {"classSourcedId", "userSourcedId", "role"}, limits,
                          &problems, &result.over_limit);
  File demographics = Load(files, "demographics.csv", false, {"sourcedId"},
                           limits, &problems, &result.over_limit);
  Load(files, "orgs.csv", false, {"sourcedId"}, limits, &problems,
       &result.over_limit);
  // A repeated demographics row would give one learner two birth dates.
  for (const File* f : {&roles, &enrollments, &demographics}) {
    CheckUniqueIds(*f, &problems);
  }
  // Without a role no user can be told from staff, and the set would read as
  // a school with no pupils: 1.1 keeps roles in users.csv, 1.2 in roles.csv.
  if (users.ok && users.table.Column("role") < 0 &&
      !(v12 && files.count("roles.csv"))) {
    problems.push_back(
        v12 ? Problem{"roles.csv", 0, 0, "required file is missing"}
            : Problem{"users.csv", 1, 0, "missing required column 'role'"});
  }
  if (!problems.empty()) return result;

  // Who is a student, and every role each user has (roles.csv and the
  // users.csv column), to say why a user who looks like a pupil is not one.
  std::set<std::string> students;
  std::map<std::string, std::vector<std::string>> roles_of;
  const bool roles_file = v12 && roles.ok;
  if (roles_file) {
    for (const CsvRecord& r : roles.table.records) {
      if (roles.Deleted(r)) continue;
      const std::string user = roles.Get(r, "userSourcedId");
      const std::string role = roles.Get(r, "role");
      if (absl::EqualsIgnoreCase(role, "student")) students.insert(user);
      if (!role.empty()) roles_of[user].push_back(role);
    }
  }
  // Users who are not students by role: if the files say they are pupils
  // anyway (a student enrollment, or grades and no role at all), they would
  // drop out of the roster without a word, so each is a problem.
  struct NotStudent {
    int line = 0;
    std::string grades;
    int student_enrollment_line = 0;  // first, 0 for none
  };
  std::map<std::string, NotStudent> not_students;
  int deleted_students = 0;
  std::map<std::string, int> user_lines;
  std::map<std::string, MisLearner> learners;
  std::map<std::string, int> learner_lines;
  for (const CsvRecord& r : users.table.records) {
    const std::string id = users.Get(r, "sourcedId");
    if (id.empty()) {
      problems.push_back(
          {"users.csv", r.line, users.Col("sourcedId"), "sourcedId is empty"});
      continue;
    }
    if (auto [it, fresh] = user_lines.emplace(id, r.line); !fresh) {
      problems.push_back(
          {"users.csv", r.line, users.Col("sourcedId"),
           absl::StrCat("sourcedId '", id, "' is also on line ", it->second)});
      continue;
    }
    const std::string own_role = users.Get(r, "role");
    const bool student =
        students.count(id) > 0 || absl::EqualsIgnoreCase(own_role, "student");
    if (users.Deleted(r)) {
      deleted_students += student ? 1 : 0;
      continue;
    }
    if (!student) {
      if (!own_role.empty()) roles_of[id].push_back(own_role);
      not_students[id] = {r.line, users.Get(r, "grades"), 0};
      continue;
    }
    MisLearner l;
    l.mis_id = id;
    l.legal_forename = users.Get(r, "givenName");
    l.legal_surname = users.Get(r, "familyName");
    // Empty, or blank (only spaces, NBSP, zero-width...): text_rule.h.
    CheckRequiredName("users.csv", r.line, users.Col("givenName"), "givenName",
                      l.legal_forename, &problems);
    CheckRequiredName("users.csv", r.line, users.Col("familyName"),
                      "familyName", l.legal_surname, &problems);
    l.preferred_forename = users.Get(r, "preferredGivenName");
    l.preferred_surname = users.Get(r, "preferredFamilyName");
    l.upn = FindUpn(users.Get(r, "userIds"), users.Get(r, "identifier"));
    l.email = users.Get(r, "email");
    if (!l.email.empty() && !LooksLikeEmail(l.email)) {
      problems.push_back(
          {"users.csv", r.line, users.Col("email"),
           absl::StrCat("email '", l.email, "' is not an email address")});
    }
    for (const char* column :
         {"sourcedId", "givenName", "familyName", "preferredGivenName",
          "preferredFamilyName", "email", "userIds", "identifier"}) {
      if (users.Col(column) > 0) {
        CheckValue("users.csv", r.line, users.Col(column), column,
                   users.Get(r, column), limits, &problems, &result.over_limit);
      }
    }
    const std::vector<std::string> grades = ListField(users.Get(r, "grades"));
    std::optional<std::string> year =
        grades.empty() ? std::nullopt : CanonicalYearGroup(grades.front());
    if (!year) {
      problems.push_back({"users.csv", r.line, std::max(users.Col("grades"), 0),
                          grades.empty()
                              ? std::string("student has no grade (year group)")
                              : absl::StrCat("grade '", grades.front(),
                                             "' is not a UK year group")});
    } else {
      l.year_group = *year;
    }
    learner_lines[id] = r.line;
    learners.emplace(id, std::move(l));
  }

  // Classes: homeroom = registration group.
  std::map<std::string, MisClass> class_by_id;
  std::map<std::string, int> class_lines;
  if (classes.ok) {
    for (const CsvRecord& r : classes.table.records) {
      const std::string id = classes.Get(r, "sourcedId");
      if (id.empty()) {
        problems.push_back({"classes.csv", r.line, classes.Col("sourcedId"),
                            "sourcedId is empty"});
        continue;
      }
      if (auto [it, fresh] = class_lines.emplace(id, r.line); !fresh) {
        problems.push_back({"classes.csv", r.line, classes.Col("sourcedId"),
                            absl::StrCat("sourcedId '", id,
                                         "' is also on line ", it->second)});
        continue;
      }
      if (classes.Deleted(r)) continue;
      MisClass c;
      c.mis_id = id;
      c.name = classes.Get(r, "title");
      for (const char* column : {"sourcedId", "title"}) {
        CheckValue("classes.csv", r.line, classes.Col(column), column,
                   classes.Get(r, column), limits, &problems,
                   &result.over_limit);
      }
      const std::string type =
          absl::AsciiStrToLower(classes.Get(r, "classType"));
      if (type != "homeroom" && type != "scheduled") {
        problems.push_back(
            {"classes.csv", r.line, classes.Col("classType"),
             absl::StrCat("classType '", classes.Get(r, "classType"),
                          "' is not homeroom or scheduled")});
        continue;
      }
      c.kind =
          type == "homeroom" ? ClassKind::kRegistration : ClassKind::kSubject;
      const std::vector<std::string> grades =
          ListField(classes.Get(r, "grades"));
      if (!grades.empty())
        c.year_group = CanonicalYearGroup(grades.front()).value_or("");
      class_by_id.emplace(id, std::move(c));
    }
  }
  if (enrollments.ok) {
    for (const CsvRecord& r : enrollments.table.records) {
      if (enrollments.Deleted(r)) continue;
      const std::string user = enrollments.Get(r, "userSourcedId");
      const std::string cls = enrollments.Get(r, "classSourcedId");
      if (!user_lines.count(user)) {
        problems.push_back(
            {"enrollments.csv", r.line, enrollments.Col("userSourcedId"),
             absl::StrCat("userSourcedId '", user, "' is not in users.csv")});
        continue;
      }
      auto c = class_by_id.find(cls);
      if (c == class_by_id.end()) {
        problems.push_back(
            {"enrollments.csv", r.line, enrollments.Col("classSourcedId"),
             absl::StrCat("classSourcedId '", cls, "' is not in classes.csv")});
        continue;
      }
      const bool as_student =
          absl::EqualsIgnoreCase(enrollments.Get(r, "role"), "student");
      auto l = learners.find(user);
      if (l == learners.end() || !as_student) {
        auto n = not_students.find(user);
        if (as_student && n != not_students.end() &&
            n->second.student_enrollment_line == 0) {
          n->second.student_enrollment_line = r.line;
        }
        continue;
      }
      if (c->second.kind == ClassKind::kRegistration) {
        if (l->second.registration_group_mis_id.empty() ||
            cls < l->second.registration_group_mis_id) {
          l->second.registration_group_mis_id = cls;
          l->second.registration_group = c->second.name;
        }
      } else {
        l->second.class_mis_ids.push_back(cls);
      }
    }
  }
  if (demographics.ok) {
    for (const CsvRecord& r : demographics.table.records) {
      auto l = learners.find(demographics.Get(r, "sourcedId"));
      if (l == learners.end() || demographics.Deleted(r)) continue;
      const std::string birth = demographics.Get(r, "birthDate");
      if (!birth.empty()) {
        l->second.date_of_birth = ParseDate(birth);
        if (!l->second.date_of_birth) {
          problems.push_back(
              {"demographics.csv", r.line, demographics.Col("birthDate"),
               absl::StrCat("birthDate '", birth, "' is not a real date")});
        }
      }
      l->second.gender = demographics.Get(r, "sex");
      if (demographics.Col("sex") > 0) {
        CheckValue("demographics.csv", r.line, demographics.Col("sex"), "sex",
                   l->second.gender, limits, &problems, &result.over_limit);
      }
    }
  }
  // Pupils the role data would drop, in users.csv order.
  std::vector<std::pair<int, std::string>> dropped;
  for (const auto& [id, n] : not_students) {
    const std::vector<std::string>& roles_given = roles_of[id];
    std::string why;
    if (n.student_enrollment_line > 0) {
      why = absl::StrCat("is enrolled as a student (enrollments.csv line ",
                         n.student_enrollment_line, ") but ");
      if (roles_given.empty()) {
        absl::StrAppend(&why, "has no role", roles_file ? " in roles.csv" : "");
      } else {
        absl::StrAppend(&why, "their role", roles_file ? " in roles.csv" : "",
                        " is '", absl::StrJoin(roles_given, "', '"),
                        "', not student");
      }
    } else if (roles_given.empty() &&
               !absl::StripAsciiWhitespace(n.grades).empty()) {
      why = absl::StrCat("has grades (", n.grades, ") but no role",
                         roles_file ? " in roles.csv" : "");
    } else {
      continue;
    }
    dropped.emplace_back(n.line,
                         absl::StrCat("user '", id, "' ", why,
                                      ": give them the student role, or the "
                                      "pupil is left out of the roster"));
  }
  std::sort(dropped.begin(), dropped.end());
  for (auto& [line, message] : dropped) {
    problems.push_back(
        {"users.csv", line, users.Col("sourcedId"), std::move(message)});
  }

  std::map<std::string, std::string> upn_owner;
  for (auto& [id, l] : learners) {
    std::sort(l.class_mis_ids.begin(), l.class_mis_ids.end());
    // A learner enrolled twice in one class (two date ranges) is in it once.
    l.class_mis_ids.erase(
        std::unique(l.class_mis_ids.begin(), l.class_mis_ids.end()),
        l.class_mis_ids.end());
    for (const std::string& c : l.class_mis_ids)
      l.classes.push_back(class_by_id[c].name);
    if (IsValidUpn(l.upn)) {
      if (auto [it, fresh] = upn_owner.emplace(l.upn, id); !fresh) {
        problems.push_back(
            {"users.csv", learner_lines[id], 0,
             absl::StrCat("UPN ", l.upn, " is also the UPN of ", it->second)});
      }
    }
    snap.learners.push_back(std::move(l));
  }
  for (auto& [id, c] : class_by_id) snap.classes.push_back(std::move(c));
  if (problems.empty() && snap.learners.empty() && !options.allow_empty) {
    problems.push_back(
        {"users.csv", 0, 0,
         absl::StrCat(deleted_students > 0
                          ? absl::StrCat("no students: all ", deleted_students,
                                         " students in users.csv are "
                                         "tobedeleted")
                          : std::string("no students: users.csv has no user "
                                        "whose role is student"),
                      "; ", kAllowEmptyHint)});
  }
  return result;
}

}  // namespace hubsync
