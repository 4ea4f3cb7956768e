// libFuzzer target: a OneRoster CSV set on arbitrary bytes. The input is a
// set of files, each introduced by a line "@@@ NAME" (seeds in
// tests/fuzz/oneroster/ are the demo's term 1 and term 2 sets written so);
// bytes before the first such line go to users.csv.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "common/import_checks.h"
#include "common/mis_import.h"
#include "common/upn.h"
#include "common/year_group.h"
#include "tests/fuzz/fuzz_check.h"

namespace hubsync::fuzz {
namespace {

UploadFiles Split(std::string_view data) {
  UploadFiles files;
  std::string name = "users.csv";
  size_t at = 0;
  while (at <= data.size()) {
    size_t marker = data.find("@@@ ", at);
    while (marker != std::string_view::npos && marker != 0 &&
           data[marker - 1] != '\n') {
      marker = data.find("@@@ ", marker + 1);
    }
    const size_t end = marker == std::string_view::npos ? data.size() : marker;
    files[name] += std::string(data.substr(at, end - at));
    if (marker == std::string_view::npos) break;
    const size_t eol = data.find('\n', marker);
    const size_t name_end = eol == std::string_view::npos ? data.size() : eol;
    name = std::string(data.substr(marker + 4, name_end - marker - 4));
    at = eol == std::string_view::npos ? data.size() + 1 : eol + 1;
  }
  return files;
}

}  // namespace
}  // namespace hubsync::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hubsync;
  using namespace hubsync::fuzz;
  const UploadFiles files =
      Split(std::string_view(reinterpret_cast<const char*>(data), size));
  ParseLimits limits;
  limits.max_rows = 1000;
  MisParseResult r = ParseOneRoster(files, limits);
  for (const Problem& p : r.problems) {
    FUZZ_CHECK(p.line >= 0 && p.column >= 0 && !p.message.empty());
  }
  if (!r.problems.empty()) return 0;
  FUZZ_CHECK(r.snapshot.oneroster_version == "1.1" ||
             r.snapshot.oneroster_version == "1.2");
  std::set<std::string> ids, upns, class_ids;
  for (const MisClass& c : r.snapshot.classes) {
    FUZZ_CHECK(!c.mis_id.empty() && class_ids.insert(c.mis_id).second);
    FUZZ_CHECK(c.year_group.empty() || IsCanonicalYearGroup(c.year_group));
  }
  for (const MisLearner& l : r.snapshot.learners) {
    FUZZ_CHECK(!l.mis_id.empty() && ids.insert(l.mis_id).second);
    FUZZ_CHECK(!l.legal_forename.empty() && !l.legal_surname.empty());
    FUZZ_CHECK(IsCanonicalYearGroup(l.year_group));
    for (const std::string* v :
         {&l.mis_id, &l.legal_forename, &l.legal_surname, &l.preferred_forename,
          &l.preferred_surname, &l.email}) {
      FUZZ_CHECK(v->size() <= kMaxFieldBytes && IsUtf8(*v) && IsOneLine(*v));
    }
    if (IsValidUpn(l.upn)) FUZZ_CHECK(upns.insert(l.upn).second);
    if (l.date_of_birth) FUZZ_CHECK(IsRealDate(*l.date_of_birth));
    if (!l.registration_group_mis_id.empty()) {
      FUZZ_CHECK(class_ids.count(l.registration_group_mis_id));
    }
    FUZZ_CHECK(l.classes.size() == l.class_mis_ids.size());
    for (const std::string& c : l.class_mis_ids) FUZZ_CHECK(class_ids.count(c));
  }
  return 0;
}
