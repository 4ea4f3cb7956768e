// The parsers on hostile input: NUL bytes, control characters, row and field
// limits, repeated OneRoster columns. (Through a real server in
// tests/service/malformed_upload_test.cc.)
#include <string>
#include <vector>

#include "common/csv.h"
#include "common/import_checks.h"
#include "common/mis_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/oneroster_sets.h"
#include "tests/testing/problem_matchers.h"

namespace hubsync {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(ControlCharacterProblem, NamesTheCharacterAndWhere) {
  EXPECT_EQ(ControlCharacterProblem("Zoë O'Brien-Smith"), "");
  EXPECT_EQ(ControlCharacterProblem("=HYPERLINK(\"x\")"), "");
  EXPECT_EQ(ControlCharacterProblem("\tAnn"),
            "has a control character (U+0009, tab) at character 1");
  EXPECT_EQ(ControlCharacterProblem("Zoë\r"),
            "has a control character (U+000D, carriage return) at character 4");
  EXPECT_EQ(ControlCharacterProblem(std::string("A\0", 2)),
            "has a control character (U+0000, NUL) at character 2");
  EXPECT_EQ(ControlCharacterProblem("a\x7f"),
            "has a control character (U+007F) at character 2");
}

TEST(ParseCsv, NulBytesAreReportedOncePerLine) {
  std::vector<Problem> problems;
  ParseCsv("a.csv", std::string("id,name\n1,A\0\0n\n2,B\n", 18), &problems);
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("a.csv", 2, 4, "NUL byte")));
}

TEST(ParseCsv, RowsPastTheLimitStopTheParse) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "id\n1\n2\n\n3\n4\n", &problems, 2);
  EXPECT_TRUE(t.too_many_records);
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("a.csv", 5, 0, "more than 2 rows")));
  problems.clear();
  t = ParseCsv("a.csv", "id\n1\n2\n", &problems, 2);
  EXPECT_FALSE(t.too_many_records);
  EXPECT_THAT(problems, IsEmpty());
  EXPECT_THAT(t.records, SizeIs(2));
}

TEST(ParsePlainCsv, FieldLimitIsConfigurableAndFlagged) {
  ParseLimits limits;
  limits.max_field_bytes = 4;
  MisParseResult r = ParsePlainCsv(
      "x.csv", "mis_id,forename,surname,year\nm1,Ann,Leeds,7\n", limits);
  EXPECT_TRUE(r.over_limit);
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("x.csv", 2, 3, "surname is longer than 4 bytes")));
  r = ParsePlainCsv("x.csv",
                    "mis_id,forename,surname,year\nm1,Ann,\"Le\te\",7\n");
  EXPECT_FALSE(r.over_limit);
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("x.csv", 2, 3, "U+0009, tab) at character 3")));
}

TEST(ParseOneRoster, RepeatedColumnIsRejected) {
  UploadFiles f = oneroster_testing::V12();
  // A second givenName column at the end of every line.
  std::string users;
  bool header = true;
  for (char c : f["users.csv"]) {
    if (c == '\n') {
      users += header ? ",givenName" : ",";
      header = false;
    }
    users += c;
  }
  f["users.csv"] = users;
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(r.problems, SizeIs(1));
  EXPECT_THAT(Rendered(r.problems)[0],
              ::testing::HasSubstr("are both 'givenName'"));
  EXPECT_EQ(r.problems[0].file, "users.csv");
  EXPECT_EQ(r.problems[0].line, 1);
}

}  // namespace
}  // namespace hubsync
