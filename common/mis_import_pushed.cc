// ValidateMisRecords: MIS records pushed by a service, checked as the file
// parsers check theirs.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/import_checks.h"
#include "common/mis_import.h"
#include "common/text_rule.h"
#include "common/upn.h"
#include "common/year_group.h"

namespace hubsync {

std::vector<Problem> ValidateMisRecords(const MisSnapshot& snapshot,
                                        size_t max_field_bytes,
                                        const ImportOptions& options) {
  std::vector<Problem> problems;
  if (snapshot.learners.empty() && !options.allow_empty) {
    problems.push_back(
        {"pushed", 0, 0,
         absl::StrCat("no learners were pushed; ", kAllowEmptyHint)});
  }
  std::set<std::string> ids, upns, class_ids;
  for (size_t i = 0; i < snapshot.classes.size(); ++i) {
    const MisClass& c = snapshot.classes[i];
    auto report = [&](std::string m) {
      problems.push_back(
          {"pushed classes", static_cast<int>(i + 1), 0, std::move(m)});
    };
    if (c.mis_id.empty()) {
      report("class mis_id is empty");
    } else if (!class_ids.insert(c.mis_id).second) {
      report(absl::StrCat("class mis_id '", c.mis_id, "' is repeated"));
    }
    if (c.name.empty())
      report(absl::StrCat("class '", c.mis_id, "' has an empty name"));
    for (const auto& [name, field] :
         {std::pair<const char*, const std::string*>{"mis_id", &c.mis_id},
          {"name", &c.name}}) {
      if (field->size() > max_field_bytes) {
        report(absl::StrCat("class ", name, " is longer than ", max_field_bytes,
                            " bytes"));
      } else if (std::string bad = ControlCharacterProblem(*field);
                 !bad.empty()) {
        report(absl::StrCat("class ", name, " ", bad));
      }
    }
    if (!c.year_group.empty() && !IsCanonicalYearGroup(c.year_group)) {
      report(absl::StrCat("class year_group '", c.year_group,
                          "' is not a canonical year group (N1, N2, R, 1-13)"));
    }
  }
  for (size_t i = 0; i < snapshot.learners.size(); ++i) {
    const MisLearner& l = snapshot.learners[i];
    const int line = static_cast<int>(i + 1);
    auto report = [&](std::string m) {
      problems.push_back({"pushed", line, 0, std::move(m)});
    };
    if (l.mis_id.empty()) {
      report("mis_id is empty");
    } else if (!ids.insert(l.mis_id).second) {
      report(absl::StrCat("mis_id '", l.mis_id, "' is repeated"));
    }
    // Empty, or blank (only spaces, NBSP, zero-width...): text_rule.h.
    for (const auto& [name, value] :
         {std::pair{"legal_forename", &l.legal_forename},
          {"legal_surname", &l.legal_surname}}) {
      if (std::string bad = RequiredNameProblem(name, *value); !bad.empty()) {
        report(std::move(bad));
      }
    }
    if (l.year_group.empty()) {
      report("year_group is empty");
    } else if (!IsCanonicalYearGroup(l.year_group)) {
      report(absl::StrCat("year_group '", l.year_group,
                          "' is not a canonical year group (N1, N2, R, 1-13)"));
    }
    if (l.date_of_birth && !IsRealDate(*l.date_of_birth)) {
      report(absl::StrCat("date_of_birth '", FormatDate(*l.date_of_birth),
                          "' is not a real date"));
    }
    for (const auto& [name, field] :
         {std::pair<const char*, const std::string*>{"mis_id", &l.mis_id},
          {"upn", &l.upn},
          {"legal_forename", &l.legal_forename},
          {"legal_surname", &l.legal_surname},
          {"preferred_forename", &l.preferred_forename},
          {"preferred_surname", &l.preferred_surname},
          {"gender", &l.gender},
          {"registration_group", &l.registration_group},
          {"email", &l.email}}) {
      if (field->size() > max_field_bytes) {
        report(
            absl::StrCat(name, " is longer than ", max_field_bytes, " bytes"));
      } else if (std::string bad = ControlCharacterProblem(*field);
                 !bad.empty()) {
        report(absl::StrCat(name, " ", bad));
      }
    }
    if (IsValidUpn(l.upn) && !upns.insert(l.upn).second) {
      report(absl::StrCat("UPN ", l.upn, " is repeated"));
    }
    if (!l.email.empty() && !LooksLikeEmail(l.email)) {
      report(absl::StrCat("email '", l.email, "' is not an email address"));
    }
    auto known = [&](const std::string& id) { return class_ids.count(id) > 0; };
    if (!l.registration_group_mis_id.empty() &&
        !known(l.registration_group_mis_id)) {
      report(absl::StrCat("registration_group_mis_id '",
                          l.registration_group_mis_id,
                          "' is not among the pushed classes"));
    }
    for (const std::string& id : l.class_mis_ids) {
      if (!known(id))
        report(
            absl::StrCat("class '", id, "' is not among the pushed classes"));
    }
  }
  return problems;
}

}  // namespace hubsync
