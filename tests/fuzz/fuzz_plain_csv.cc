// libFuzzer target: the CSV reader, the plain MIS CSV and the hub learner CSV
// on arbitrary bytes. Whatever the bytes, no crash, no sanitizer report, and
// an accepted file gives only records the rest of hubsync can trust.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "common/csv.h"
#include "common/import_checks.h"
#include "common/mis_import.h"
#include "common/year_group.h"
#include "tests/fuzz/fuzz_check.h"

namespace hubsync::fuzz {
namespace {

void CheckCsv(std::string_view data) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("f.csv", data, &problems, 1000);
  for (const Problem& p : problems) {
    FUZZ_CHECK(p.file == "f.csv");
    FUZZ_CHECK(p.line >= 1 && p.column >= 0);
    FUZZ_CHECK(!p.message.empty());
  }
  if (problems.empty()) {
    FUZZ_CHECK(!t.header.empty());
    FUZZ_CHECK(t.records.size() <= 1000);
  }
  int last_line = 1;
  for (const CsvRecord& r : t.records) {
    FUZZ_CHECK(r.fields.size() == t.header.size());
    FUZZ_CHECK(r.line > last_line);  // records in file order, after the header
    last_line = r.line;
    for (const std::string& f : r.fields) FUZZ_CHECK(IsUtf8(f));
  }
}

void CheckPlain(std::string_view data) {
  ParseLimits limits;
  limits.max_rows = 1000;
  MisParseResult r = ParsePlainCsv("p.csv", data, limits);
  if (!r.problems.empty()) return;
  FUZZ_CHECK(!r.over_limit);
  std::set<std::string> ids;
  std::string last;
  for (const MisLearner& l : r.snapshot.learners) {
    FUZZ_CHECK(!l.mis_id.empty() && ids.insert(l.mis_id).second);
    FUZZ_CHECK(l.mis_id >= last);  // sorted by MIS id
    last = l.mis_id;
    FUZZ_CHECK(!l.legal_forename.empty() && !l.legal_surname.empty());
    FUZZ_CHECK(IsCanonicalYearGroup(l.year_group));
    for (const std::string* v :
         {&l.mis_id, &l.legal_forename, &l.legal_surname, &l.preferred_forename,
          &l.preferred_surname, &l.gender, &l.registration_group, &l.email}) {
      FUZZ_CHECK(v->size() <= kMaxFieldBytes);
      FUZZ_CHECK(IsUtf8(*v) && IsOneLine(*v));
    }
    FUZZ_CHECK(l.classes.size() == l.class_mis_ids.size());
    if (l.date_of_birth) FUZZ_CHECK(IsRealDate(*l.date_of_birth));
  }
}

void CheckHub(std::string_view data) {
  ParseLimits limits;
  limits.max_rows = 1000;
  HubImportResult r = ParseHubLearnersCsv("h.csv", data, limits);
  if (!r.problems.empty()) {
    FUZZ_CHECK(r.learners.empty());  // all or nothing
    return;
  }
  for (const HubLearner& l : r.learners) {
    FUZZ_CHECK(!l.legal_forename.empty() && !l.legal_surname.empty());
    FUZZ_CHECK(l.year_group.empty() || IsCanonicalYearGroup(l.year_group));
    FUZZ_CHECK(IsOneLine(l.legal_forename) && IsOneLine(l.legal_surname));
  }
}

}  // namespace
}  // namespace hubsync::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hubsync::fuzz::CheckCsv(text);
  hubsync::fuzz::CheckPlain(text);
  hubsync::fuzz::CheckHub(text);
  return 0;
}
