// ValidateMisRecords: MIS records pushed by a service rather than parsed
// from a file. Problems name the 1-based record index as the line.
#include <string>
#include <utility>
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
using ::testing::StartsWith;

MisLearner Pushed(std::string id, std::string forename, std::string surname) {
  MisLearner l;
  l.mis_id = std::move(id);
  l.legal_forename = std::move(forename);
  l.legal_surname = std::move(surname);
  l.year_group = "7";
  return l;
}

TEST(ValidateMisRecords, GoodSnapshotHasNoProblems) {
  MisSnapshot s;
  s.classes = {{"reg-7A", "7A", ClassKind::kRegistration, "7"},
               {"ma1", "7x/Ma1", ClassKind::kSubject, ""}};
  MisLearner l = Pushed("m1", "Ann", "Lee");
  l.registration_group_mis_id = "reg-7A";
  l.class_mis_ids = {"ma1"};
  l.upn = "B801200005001";
  l.email = "ann@school.example";
  s.learners = {l, Pushed("m2", "Bob", "Ray")};
  EXPECT_THAT(Rendered(ValidateMisRecords(s)), IsEmpty());
}

TEST(ValidateMisRecords, RepeatedMisIdNamesTheRecordIndex) {
  MisSnapshot s;
  s.learners = {Pushed("m1", "Ann", "Lee"), Pushed("m2", "Bob", "Ray"),
                Pushed("m1", "Cat", "Cox")};
  EXPECT_THAT(
      Rendered(ValidateMisRecords(s)),
      ElementsAre(ProblemAt("pushed", 3, 0, "mis_id 'm1' is repeated")));
}

TEST(ValidateMisRecords, MissingNamesAndYear) {
  MisSnapshot s;
  MisLearner l = Pushed("m1", "", "");
  l.year_group = "";
  s.learners = {Pushed("m0", "Ann", "Lee"), l};
  EXPECT_THAT(Rendered(ValidateMisRecords(s)),
              ElementsAre(ProblemAt("pushed", 2, 0, "legal_forename is empty"),
                          ProblemAt("pushed", 2, 0, "legal_surname is empty"),
                          ProblemAt("pushed", 2, 0, "year_group is empty")));
}

TEST(ValidateMisRecords, UnknownClassIds) {
  MisSnapshot s;
  s.classes = {{"reg-7A", "7A", ClassKind::kRegistration, "7"}};
  MisLearner l = Pushed("m1", "Ann", "Lee");
  l.registration_group_mis_id = "reg-7B";
  l.class_mis_ids = {"reg-7A", "ma9"};
  s.learners = {l};
  EXPECT_THAT(
      Rendered(ValidateMisRecords(s)),
      ElementsAre(ProblemAt("pushed", 1, 0,
                            "registration_group_mis_id 'reg-7B' is not among"),
                  ProblemAt("pushed", 1, 0,
                            "class 'ma9' is not among the pushed classes")));
}

TEST(ValidateMisRecords, RepeatedClassIdsUpnsAndBadEmail) {
  MisSnapshot s;
  s.classes = {{"c1", "7A", ClassKind::kRegistration, ""},
               {"c1", "7B", ClassKind::kRegistration, ""}};
  MisLearner a = Pushed("m1", "Ann", "Lee");
  a.upn = "B801200005001";
  MisLearner b = Pushed("m2", "Bob", "Ray");
  b.upn = "B801200005001";
  b.email = "not-an-email";
  MisLearner c = Pushed("m3", "Cat", "Cox");
  c.upn = "A801200005001";  // invalid: repeats are not checked
  MisLearner d = Pushed("m4", "Dan", "Fox");
  d.upn = "A801200005001";
  s.learners = {a, b, c, d};
  EXPECT_THAT(
      Rendered(ValidateMisRecords(s)),
      ElementsAre(
          ProblemAt("pushed classes", 2, 0, "class mis_id 'c1' is repeated"),
          ProblemAt("pushed", 2, 0, "UPN B801200005001 is repeated"),
          ProblemAt("pushed", 2, 0, "email 'not-an-email'")));
}

TEST(ValidateMisRecords, EmptyMisIdIsAProblemNotARepeat) {
  MisSnapshot s;
  s.learners = {Pushed("", "Ann", "Lee"), Pushed("", "Bob", "Ray")};
  EXPECT_THAT(Rendered(ValidateMisRecords(s)),
              ElementsAre(ProblemAt("pushed", 1, 0, "mis_id is empty"),
                          ProblemAt("pushed", 2, 0, "mis_id is empty")));
}

TEST(ValidateMisRecords, YearGroupsMustBeCanonical) {
  // A service pushes canonical values; "07" and "Year 7" are spellings the
  // file parsers map, not values to store.
  MisSnapshot s;
  s.classes = {{"c1", "7A", ClassKind::kRegistration, "Year 7"},
               {"c2", "7B", ClassKind::kRegistration, "7"},
               {"c3", "Art", ClassKind::kSubject, ""}};
  MisLearner a = Pushed("m1", "Ann", "Lee");
  a.year_group = "07";
  MisLearner b = Pushed("m2", "Bob", "Ray");
  b.year_group = "14";
  MisLearner c = Pushed("m3", "Cat", "Cox");
  c.year_group = "R";
  MisLearner d = Pushed("m4", "Dan", "Fox");
  d.year_group = "N1";
  s.learners = {a, b, c, d};
  EXPECT_THAT(
      Rendered(ValidateMisRecords(s)),
      ElementsAre(
          ProblemAt("pushed classes", 1, 0, "class year_group 'Year 7'"),
          ProblemAt("pushed", 1, 0,
                    "year_group '07' is not a canonical year group"),
          ProblemAt("pushed", 2, 0, "year_group '14'")));
}

TEST(ValidateMisRecords, ImpossibleDateOfBirth) {
  MisSnapshot s;
  MisLearner a = Pushed("m1", "Ann", "Lee");
  a.date_of_birth = Date{2013, 2, 31};
  MisLearner b = Pushed("m2", "Bob", "Ray");
  b.date_of_birth = Date{2012, 2, 29};  // leap year: fine
  MisLearner c = Pushed("m3", "Cat", "Cox");
  c.date_of_birth = Date{2013, 13, 1};
  s.learners = {a, b, c};
  EXPECT_THAT(
      Rendered(ValidateMisRecords(s)),
      ElementsAre(ProblemAt("pushed", 1, 0,
                            "date_of_birth '2013-02-31' is not a real date"),
                  ProblemAt("pushed", 3, 0, "date_of_birth '2013-13-01'")));
}

TEST(ValidateMisRecords, EmptyClassIdAndNameAndOverlongFields) {
  MisSnapshot s;
  s.classes = {{"", "7A", ClassKind::kRegistration, "7"},
               {"c2", "", ClassKind::kSubject, ""}};
  MisLearner a = Pushed("m1", std::string(257, 'a'), "Lee");
  s.learners = {a, Pushed("m2", std::string(256, 'b'), "Ray")};
  EXPECT_THAT(
      Rendered(ValidateMisRecords(s)),
      ElementsAre(
          ProblemAt("pushed classes", 1, 0, "class mis_id is empty"),
          ProblemAt("pushed classes", 2, 0, "class 'c2' has an empty name"),
          ProblemAt("pushed", 1, 0, "longer than 256 bytes")));
}

TEST(IsRealDate, MatchesParseDate) {
  EXPECT_TRUE(IsRealDate(Date{2000, 2, 29}));
  EXPECT_FALSE(IsRealDate(Date{1900, 2, 29}));
  EXPECT_FALSE(IsRealDate(Date{2013, 4, 31}));
  EXPECT_FALSE(IsRealDate(Date{2013, 0, 1}));
  EXPECT_FALSE(IsRealDate(Date{}));
  EXPECT_TRUE(IsRealDate(Date{2013, 12, 31}));
}

}  // namespace
}  // namespace hubsync
