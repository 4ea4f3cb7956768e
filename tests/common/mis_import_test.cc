#include "common/mis_import.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/types.h"
#include "common/upn.h"
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

std::optional<Date> D(int y, int m, int d) { return Date{y, m, d}; }

constexpr char kHeader[] =
    "mis_id,upn,legal_forename,legal_surname,preferred_forename,preferred_"
    "surname,"
    "date_of_birth,gender,year_group,registration_group,classes,email\n";

// ---------------------------------------------------------------- ParseDate

TEST(ParseDate, IsoAndUkOrder) {
  EXPECT_EQ(ParseDate("2013-09-04"), D(2013, 9, 4));
  EXPECT_EQ(ParseDate("04/09/2013"), D(2013, 9, 4));  // day first, not US order
  EXPECT_EQ(ParseDate("4/9/2013"), D(2013, 9, 4));
  EXPECT_EQ(ParseDate(" 2013-09-04 "), D(2013, 9, 4));
  EXPECT_EQ(ParseDate("29/02/2012"), D(2012, 2, 29));  // leap year
  EXPECT_EQ(ParseDate("2000-02-29"), D(2000, 2, 29));  // 400-year leap
}

TEST(ParseDate, ImpossibleAndMalformedDatesAreRejected) {
  for (const char* s :
       {"31/02/2013", "29/02/2013", "1900-02-29", "2013-13-01", "2013-00-10",
        "00/01/2013", "31/04/2013", "2013-9-4", "09/04/13", "2013/09/04",
        "04-09-2013", "", "tomorrow", "+4/09/2013", "2013-09-0x", "1899-12-31",
        "04/09/2013 10:00"}) {
    EXPECT_EQ(ParseDate(s), std::nullopt) << s;
  }
}

// Eight digits take a fast path; every other YYYY-MM-DD-shaped text still
// gets the general split's answer, odd as it is.
TEST(ParseDate, FastPathAgreesWithTheGeneralSplit) {
  EXPECT_EQ(ParseDate("2013-09-4-"), D(2013, 9, 4));
  EXPECT_EQ(ParseDate("2013-0--04"), std::nullopt);
  EXPECT_EQ(ParseDate("2013-+9-04"), std::nullopt);
  EXPECT_EQ(ParseDate("2200-12-31"), D(2200, 12, 31));
  EXPECT_EQ(ParseDate("2201-01-01"), std::nullopt);
}

TEST(FormatDate, PadsEveryPartAndRoundTrips) {
  EXPECT_EQ(FormatDate(Date{2013, 9, 4}), "2013-09-04");
  EXPECT_EQ(FormatDate(Date{1900, 12, 31}), "1900-12-31");
  EXPECT_EQ(FormatDate(Date{987, 1, 2}), "0987-01-02");
  EXPECT_EQ(FormatDate(Date{12345, 1, 2}), "12345-01-02");
  for (const Date d :
       {Date{2000, 2, 29}, Date{2200, 1, 1}, Date{1999, 10, 10}}) {
    EXPECT_EQ(ParseDate(FormatDate(d)), d);
  }
}

// ------------------------------------------------------------ ParsePlainCsv

TEST(ParsePlainCsv, EveryFieldRoundTrips) {
  const std::string data =
      std::string(kHeader) +
      "m2,B801200005001,Oliver,Smith,Olly,Smyth,04/09/2013,M,Year 7,7A,"
      "7x/Ma1; 7y/En2 ;7x/Ma1,olly@school.example\n"
      "m1,,Amelia,Jones,,,2014-02-03,F,07,7B,,\n";
  MisParseResult r = ParsePlainCsv("export.csv", data);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.format, MisFormat::kPlainCsv);
  ASSERT_THAT(r.snapshot.learners, SizeIs(2));

  const MisLearner& amelia = r.snapshot.learners[0];  // sorted by mis_id
  EXPECT_EQ(amelia.mis_id, "m1");
  EXPECT_EQ(amelia.upn, "");
  EXPECT_EQ(amelia.date_of_birth, D(2014, 2, 3));
  EXPECT_EQ(amelia.year_group, "7");
  EXPECT_EQ(amelia.registration_group, "7B");
  EXPECT_EQ(amelia.registration_group_mis_id, "reg:7B");
  EXPECT_THAT(amelia.classes, IsEmpty());
  EXPECT_THAT(amelia.class_mis_ids, IsEmpty());

  const MisLearner& olly = r.snapshot.learners[1];
  EXPECT_EQ(olly.mis_id, "m2");
  EXPECT_EQ(olly.upn, "B801200005001");
  EXPECT_EQ(olly.legal_forename, "Oliver");
  EXPECT_EQ(olly.legal_surname, "Smith");
  EXPECT_EQ(olly.preferred_forename, "Olly");
  EXPECT_EQ(olly.preferred_surname, "Smyth");
  EXPECT_EQ(olly.date_of_birth, D(2013, 9, 4));
  EXPECT_EQ(olly.gender, "M");
  EXPECT_EQ(olly.year_group, "7");
  EXPECT_EQ(olly.registration_group, "7A");
  EXPECT_EQ(olly.registration_group_mis_id, "reg:7A");
  EXPECT_THAT(olly.classes,
              ElementsAre("7x/Ma1", "7y/En2"));  // trimmed, de-duplicated
  EXPECT_THAT(olly.class_mis_ids, ElementsAre("cls:7x/Ma1", "cls:7y/En2"));
  EXPECT_EQ(olly.email, "olly@school.example");

  // Classes, sorted by id: registration groups carry their learners' year.
  ASSERT_THAT(r.snapshot.classes, SizeIs(4));
  const std::vector<MisClass>& c = r.snapshot.classes;
  EXPECT_EQ(c[0].mis_id, "cls:7x/Ma1");
  EXPECT_EQ(c[0].name, "7x/Ma1");
  EXPECT_EQ(c[0].kind, ClassKind::kSubject);
  EXPECT_EQ(c[1].mis_id, "cls:7y/En2");
  EXPECT_EQ(c[2].mis_id, "reg:7A");
  EXPECT_EQ(c[2].name, "7A");
  EXPECT_EQ(c[2].kind, ClassKind::kRegistration);
  EXPECT_EQ(c[2].year_group, "7");
  EXPECT_EQ(c[3].mis_id, "reg:7B");
  EXPECT_EQ(c[3].kind, ClassKind::kRegistration);
}

TEST(ParsePlainCsv, HeaderAliasesAndOptionalColumns) {
  MisParseResult r =
      ParsePlainCsv("export.csv",
                    "\xEF\xBB\xBFId,Forename,Surname,DOB,Year,Form,Known "
                    "As,Unique Pupil Number\r\n"
                    "42,Ann,Lee,01/12/2012,Y8,8C,Annie, b801200005001 \r\n");
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  ASSERT_THAT(r.snapshot.learners, SizeIs(1));
  const MisLearner& l = r.snapshot.learners[0];
  EXPECT_EQ(l.mis_id, "42");
  EXPECT_EQ(l.legal_forename, "Ann");
  EXPECT_EQ(l.legal_surname, "Lee");
  EXPECT_EQ(l.preferred_forename, "Annie");
  EXPECT_EQ(l.date_of_birth, D(2012, 12, 1));
  EXPECT_EQ(l.year_group, "8");
  EXPECT_EQ(l.registration_group_mis_id, "reg:8C");
  EXPECT_EQ(l.upn, "B801200005001");  // normalised
  EXPECT_TRUE(IsValidUpn(l.upn));
}

TEST(ParsePlainCsv, MissingRequiredColumnsAreEachNamed) {
  MisParseResult r = ParsePlainCsv(
      "export.csv", "mis_id,legal_forename,registration_group\n1,Ann,7A\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 1, 0,
                                    "missing required column 'legal_surname'"),
                          ProblemAt("export.csv", 1, 0,
                                    "missing required column 'year_group'")));
  EXPECT_THAT(r.snapshot.learners, IsEmpty());
}

TEST(ParsePlainCsv, EmptyRequiredFieldsNameLineAndColumn) {
  MisParseResult r = ParsePlainCsv("export.csv", std::string(kHeader) +
                                                     "m1,,Ann,Lee,,,,,7,7A,,\n"
                                                     ",,Bob,,,,,,7,7A,,\n"
                                                     "m3,,,Cox,,,,,,7A,,\n");
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("export.csv", 3, 1, "mis_id is empty"),
                  ProblemAt("export.csv", 3, 4, "legal_surname is empty"),
                  ProblemAt("export.csv", 4, 3, "legal_forename is empty"),
                  ProblemAt("export.csv", 4, 9, "year_group is empty")));
}

TEST(ParsePlainCsv, DuplicateMisIdNamesTheFirstLine) {
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) +
                                      "m1,,Ann,Lee,,,,,7,7A,,\n"
                                      "m2,,Bob,Ray,,,,,7,7A,,\n"
                                      "m1,,Cat,Cox,,,,,7,7A,,\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 4, 1,
                                    "mis_id 'm1' is also on line 2")));
}

TEST(ParsePlainCsv, DuplicateValidUpnNamesTheFirstLine) {
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) +
                                      "m1,B801200005001,Ann,Lee,,,,,7,7A,,\n"
                                      "m2,b801200005001,Bob,Ray,,,,,7,7A,,\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 3, 2,
                                    "UPN B801200005001 is also on line 2")));
}

TEST(ParsePlainCsv, RepeatedInvalidUpnIsNotAProblem) {
  // An invalid UPN is never used to match, so two learners sharing one is
  // not an error the school has to fix before uploading.
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) +
                                      "m1,A801200005001,Ann,Lee,,,,,7,7A,,\n"
                                      "m2,A801200005001,Bob,Ray,,,,,7,7A,,\n");
  EXPECT_THAT(Rendered(r.problems), IsEmpty());
}

TEST(ParsePlainCsv, InvalidUpnIsKeptButNotValid) {
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) +
                                      "m1,A801200005001,Ann,Lee,,,,,7,7A,,\n"
                                      "m2,12345,Bob,Ray,,,,,7,7A,,\n");
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  ASSERT_THAT(r.snapshot.learners, SizeIs(2));
  EXPECT_EQ(r.snapshot.learners[0].upn, "A801200005001");
  EXPECT_FALSE(IsValidUpn(r.snapshot.learners[0].upn));
  EXPECT_EQ(r.snapshot.learners[1].upn, "12345");
  EXPECT_FALSE(IsValidUpn(r.snapshot.learners[1].upn));
}

TEST(ParsePlainCsv, ImpossibleDateIsRejected) {
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) +
                                      "m1,,Ann,Lee,,,31/02/2013,,7,7A,,\n");
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("export.csv", 2, 7,
                            "date_of_birth '31/02/2013' is not a real date")));
}

TEST(ParsePlainCsv, UnknownYearGroupIsRejected) {
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) +
                                      "m1,,Ann,Lee,,,,,Year 19,7A,,\n"
                                      "m2,,Bob,Ray,,,,,14,7A,,\n");
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("export.csv", 2, 9,
                            "year_group 'Year 19' is not a UK year group"),
                  ProblemAt("export.csv", 3, 9, "year_group '14'")));
}

TEST(ParsePlainCsv, BadEmailIsRejected) {
  MisParseResult r = ParsePlainCsv(
      "export.csv", std::string(kHeader) +
                        "m1,,Ann,Lee,,,,,7,7A,,ann.school.example\n"
                        "m2,,Bob,Ray,,,,,7,7A,,bob@@x.example\n"
                        "m3,,Cat,Cox,,,,,7,7A,,cat@school.example\n");
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(
          ProblemAt("export.csv", 2, 12,
                    "email 'ann.school.example' is not an email address"),
          ProblemAt("export.csv", 3, 12, "bob@@x.example")));
}

TEST(ParsePlainCsv, FormulaLikeNamesArePlainData) {
  MisParseResult r = ParsePlainCsv(
      "export.csv",
      std::string(kHeader) +
          "m1,,\"=HYPERLINK(\"\"x\"\")\",+SUM(A1),@cmd,-1,,,7,7A,,\n");
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  ASSERT_THAT(r.snapshot.learners, SizeIs(1));
  const MisLearner& l = r.snapshot.learners[0];
  EXPECT_EQ(l.legal_forename, "=HYPERLINK(\"x\")");
  EXPECT_EQ(l.legal_surname, "+SUM(A1)");
  EXPECT_EQ(l.preferred_forename, "@cmd");
  EXPECT_EQ(l.preferred_surname, "-1");
}

TEST(ParsePlainCsv, FieldLongerThan256BytesIsRejected) {
  const std::string long_name(257, 'a');
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) + "m1,,Ann," +
                                      long_name + ",,,,,7,7A,,\n" + "m2,,Bob," +
                                      std::string(256, 'b') + ",,,,,7,7A,,\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 2, 4,
                                    "legal_surname is longer than 256 bytes")));
}

TEST(ParsePlainCsv, CsvProblemsStopTheParse) {
  MisParseResult r = ParsePlainCsv("export.csv", std::string(kHeader) +
                                                     "m1,,Ann,Lee,,,,,7,7A,,\n"
                                                     "m2,,Bob,Ray,,,,,7,7A\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 3, 0, "expected 12 fields")));
  EXPECT_THAT(r.snapshot.learners, IsEmpty());
}

TEST(ParsePlainCsv, EveryProblemIsReportedNotJustTheFirst) {
  MisParseResult r =
      ParsePlainCsv("export.csv", std::string(kHeader) +
                                      "m1,,Ann,Lee,,,30/02/2014,,7,7A,,x\n"
                                      "m2,,Bob,Ray,,,,,20,7A,,\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 2, 7, "date_of_birth"),
                          ProblemAt("export.csv", 2, 12, "email"),
                          ProblemAt("export.csv", 3, 9, "year_group")));
}

// ------------------------------------------------------ ParseHubLearnersCsv

TEST(ParseHubLearnersCsv, RoundTripWithMissingDob) {
  HubImportResult r = ParseHubLearnersCsv(
      "learners.csv",
      "legal_forename,legal_surname,preferred_forename,preferred_surname,date_"
      "of_birth,"
      "gender,upn,year_group,registration_group,classes,email\n"
      "Olly,Bennett,Ol,Ben,,M,c919432117001,7,7A,7x/Ma1;7x/"
      "Sc1,olly@school.example\n"
      "Amelia,Clarke,,,2014-02-03,F,,,,,\n");
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  ASSERT_THAT(r.learners, SizeIs(2));
  const HubLearner& olly = r.learners[0];  // file order
  EXPECT_EQ(olly.legal_forename, "Olly");
  EXPECT_EQ(olly.legal_surname, "Bennett");
  EXPECT_EQ(olly.preferred_forename, "Ol");
  EXPECT_EQ(olly.preferred_surname, "Ben");
  EXPECT_EQ(olly.date_of_birth, std::nullopt);
  EXPECT_EQ(olly.gender, "M");
  EXPECT_EQ(olly.upn, "C919432117001");
  EXPECT_TRUE(IsValidUpn(olly.upn));
  EXPECT_EQ(olly.year_group, "7");
  EXPECT_EQ(olly.registration_group, "7A");
  EXPECT_THAT(olly.classes, ElementsAre("7x/Ma1", "7x/Sc1"));
  EXPECT_EQ(olly.email, "olly@school.example");
  EXPECT_EQ(olly.id, "");
  EXPECT_EQ(olly.mis_id, "");
  EXPECT_EQ(olly.sync_state, SyncState::kUnsynced);

  const HubLearner& amelia = r.learners[1];
  EXPECT_EQ(amelia.date_of_birth, D(2014, 2, 3));
  EXPECT_EQ(amelia.year_group, "");  // optional for hub records
}

TEST(ParseHubLearnersCsv, OnlyNamesAreRequired) {
  HubImportResult r =
      ParseHubLearnersCsv("learners.csv", "surname,forename\nLee,Ann\n");
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  ASSERT_THAT(r.learners, SizeIs(1));
  EXPECT_EQ(r.learners[0].legal_forename, "Ann");
  EXPECT_EQ(r.learners[0].legal_surname, "Lee");

  HubImportResult missing =
      ParseHubLearnersCsv("learners.csv", "forename,year\nAnn,7\n");
  EXPECT_THAT(
      Rendered(missing.problems),
      ElementsAre(ProblemAt("learners.csv", 1, 0,
                            "missing required column 'legal_surname'")));
}

TEST(ParseHubLearnersCsv, AnyProblemReturnsNoLearners) {
  HubImportResult r = ParseHubLearnersCsv(
      "learners.csv",
      "legal_forename,legal_surname,date_of_birth,year_group\n"
      "Ann,Lee,2014-01-01,7\n"
      "Bob,Ray,2014-02-30,7\n"
      "Cat,,,7\n");
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("learners.csv", 3, 3, "not a real date"),
                  ProblemAt("learners.csv", 4, 2, "legal_surname is empty")));
  EXPECT_THAT(r.learners, IsEmpty());
}

TEST(ParseHubLearnersCsv, CsvProblemReturnsNoLearners) {
  HubImportResult r = ParseHubLearnersCsv(
      "learners.csv", "legal_forename,legal_surname\nAnn,\"Lee\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("learners.csv", 2, 0, "never closed")));
  EXPECT_THAT(r.learners, IsEmpty());
}

// ------------------------------------------------------------ ParseMisUpload

TEST(ParseMisUpload, PlainCsvIsExactlyOneFile) {
  UploadFiles two = {{"a.csv", "x"}, {"b.csv", "y"}};
  EXPECT_THAT(Rendered(ParseMisUpload(MisFormat::kPlainCsv, two).problems),
              ElementsAre(ProblemAt("a.csv", 0, 0, "exactly one file; got 2")));
  UploadFiles one = {
      {"pupils.csv", std::string(kHeader) + "m1,,Ann,Lee,,,,,7,7A,,\n"}};
  MisParseResult r = ParseMisUpload(MisFormat::kPlainCsv, one);
  EXPECT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_THAT(r.snapshot.learners, SizeIs(1));
}

TEST(ParseMisUpload, PushedIsNotAnUploadFormat) {
  EXPECT_THAT(
      Rendered(ParseMisUpload(MisFormat::kPushed, {{"a.csv", "x"}}).problems),
      ElementsAre(ProblemAt("", 0, 0, "not an upload format")));
}

}  // namespace
}  // namespace hubsync
