// ParsePlainCsv and ParseHubLearnersCsv: the header spellings exporters use,
// headers that clash, quoting, and the classes made from group names.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/mis_import.h"
#include "common/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/problem_matchers.h"

namespace hubsync {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

TEST(ParsePlainCsv, EveryAliasSpelling) {
  MisParseResult r = ParsePlainCsv(
      "export.csv",
      "Student ID,First_Name,Last-Name,Birth_Date,NC Year,Reg_Group,Sex,"
      "Preferred First Name,Preferred Last Name,Subject Classes,Email "
      "Address,UPN\n"
      "s1,Ann,Lee,2013-09-04,Year 7,7A,F,Annie,Leigh,7x/Ma1,ann@x.example,\n");
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  ASSERT_THAT(r.snapshot.learners, SizeIs(1));
  const MisLearner& l = r.snapshot.learners[0];
  EXPECT_EQ(l.mis_id, "s1");
  EXPECT_EQ(l.legal_forename, "Ann");
  EXPECT_EQ(l.legal_surname, "Lee");
  EXPECT_EQ(l.preferred_forename, "Annie");
  EXPECT_EQ(l.preferred_surname, "Leigh");
  EXPECT_EQ(l.date_of_birth, (Date{2013, 9, 4}));
  EXPECT_EQ(l.year_group, "7");
  EXPECT_EQ(l.registration_group, "7A");
  EXPECT_EQ(l.gender, "F");
  EXPECT_THAT(l.classes, ElementsAre("7x/Ma1"));
  EXPECT_EQ(l.email, "ann@x.example");

  r = ParsePlainCsv("export.csv",
                    "ADNO,forename,surname,dob,year,form,tutor group\n"
                    "9,Bob,Ray,4/9/2013,R,RA,\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 1, 7,
                                    "columns 6 ('form') and 7 ('tutor group') "
                                    "both mean registration_group")));
}

TEST(ParsePlainCsv, HeadersThatMeanTheSameColumnAreRejected) {
  MisParseResult r = ParsePlainCsv(
      "export.csv",
      "mis_id,Forename,legal_surname,year_group,Legal Forename,EMAIL,email\n"
      "m1,Ann,Lee,7,Annabel,a@x.example,b@x.example\n");
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("export.csv", 1, 5,
                            "columns 2 ('Forename') and 5 ('Legal Forename') "
                            "both mean legal_forename: keep one"),
                  ProblemAt("export.csv", 1, 7, "both mean email")));
  EXPECT_THAT(r.snapshot.learners, IsEmpty());

  HubImportResult h = ParseHubLearnersCsv(
      "learners.csv", "first_name,given_name,surname\nAnn,Annabel,Lee\n");
  EXPECT_THAT(
      Rendered(h.problems),
      ElementsAre(ProblemAt("learners.csv", 1, 2, "both mean legal_forename")));
  EXPECT_THAT(h.learners, IsEmpty());
}

TEST(ParsePlainCsv, QuotedCommasQuotesAndNewlinesInNames) {
  MisParseResult r =
      ParsePlainCsv("export.csv",
                    "mis_id,legal_forename,legal_surname,year_group,classes\r\n"
                    "m1,\"Mary, Jane\",\"O\"\"Brien\",7,\"7x/Ma1;7x/Sc1\"\r\n"
                    "m2,Ann,\"Lee\r\nSmith\",7,\r\n"
                    "m3,Bob,,7,\r\n");  // line 5, after the two-line record
  // A line break inside a name is refused (names are one line of text); the
  // record after it is still numbered by its line in the file.
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("export.csv", 3, 3,
                            "legal_surname has a control character (U+000D"),
                  ProblemAt("export.csv", 5, 3, "legal_surname is empty")));
  r = ParsePlainCsv("export.csv",
                    "mis_id,legal_forename,legal_surname,year_group,classes\n"
                    "m1,\"Mary, Jane\",\"O\"\"Brien\",7,\"7x/Ma1;7x/Sc1\"\n");
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.learners[0].legal_forename, "Mary, Jane");
  EXPECT_EQ(r.snapshot.learners[0].legal_surname, "O\"Brien");
  EXPECT_THAT(r.snapshot.learners[0].class_mis_ids,
              ElementsAre("cls:7x/Ma1", "cls:7x/Sc1"));
}

TEST(ParsePlainCsv, EachClassOnceWithItsLearnersYear) {
  MisParseResult r = ParsePlainCsv(
      "export.csv",
      "mis_id,legal_forename,legal_surname,year_group,registration_group,"
      "classes\n"
      "m1,Ann,Lee,7,7A,Art;7x/Ma1\n"
      "m2,Bob,Ray,07,7A,7x/Ma1\n"
      "m3,Cat,Cox,8,Tutor Red,Art\n"
      "m4,Dan,Fox,10,Tutor Red,\n");  // a vertical tutor group: no one year
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  const std::vector<MisClass>& c = r.snapshot.classes;
  ASSERT_THAT(c, SizeIs(4));
  EXPECT_EQ(c[0].mis_id, "cls:7x/Ma1");
  EXPECT_EQ(c[1].mis_id, "cls:Art");
  EXPECT_EQ(c[2].mis_id, "reg:7A");
  EXPECT_EQ(c[2].year_group, "7");
  EXPECT_EQ(c[3].mis_id, "reg:Tutor Red");
  EXPECT_EQ(c[3].name, "Tutor Red");
  EXPECT_EQ(c[3].kind, ClassKind::kRegistration);
  EXPECT_EQ(c[3].year_group, "");
  // Names sort as the ids do: "7x/Ma1" < "Art" in both.
  EXPECT_THAT(r.snapshot.learners[0].classes, ElementsAre("7x/Ma1", "Art"));
  EXPECT_THAT(r.snapshot.learners[0].class_mis_ids,
              ElementsAre("cls:7x/Ma1", "cls:Art"));
}

TEST(ParsePlainCsv, OneBadRowDoesNotHideTheOthersProblems) {
  MisParseResult r = ParsePlainCsv(
      "export.csv",
      "mis_id,legal_forename,legal_surname,year_group,date_of_birth,email\n"
      "m1,Ann,Lee,Year 14,31/02/2013,ann@\n"
      "m2,Bob,Ray,7,2013-02-28,bob@x.example\n"
      "m1,Cat,Cox,7,,\n");
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(
          ProblemAt("export.csv", 2, 5,
                    "date_of_birth '31/02/2013' is not a real date"),
          ProblemAt("export.csv", 2, 4, "year_group 'Year 14'"),
          ProblemAt("export.csv", 2, 6, "email 'ann@'"),
          ProblemAt("export.csv", 4, 1, "mis_id 'm1' is also on line 2")));
}

}  // namespace
}  // namespace hubsync
