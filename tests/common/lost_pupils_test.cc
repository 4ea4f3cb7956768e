// Files that lose pupils quietly (issue 18): a delta read as the whole
// roster, pupils dropped for want of a role, empty rosters stored as if they
// were real, and a hub CSV whose columns hubsync does not read.
#include <string>

#include "common/mis_import.h"
#include "common/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/oneroster_sets.h"
#include "tests/testing/problem_matchers.h"

namespace hubsync {
namespace {

using oneroster_testing::Append;
using oneroster_testing::Edit;
using oneroster_testing::MisIds;
using oneroster_testing::V11;
using oneroster_testing::V12;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// ------------------------------------------------------------ delta files

TEST(LostPupilsDelta, DeltaUsersIsRefusedOnItsManifestLine) {
  // users.csv as a delta holds only the changed users: read as the roster,
  // everyone it leaves out would be desynced.
  UploadFiles f = V11();
  Edit(&f, "manifest.csv", "file.users,bulk", "file.users,delta");  // line 4
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("manifest.csv", 4, 2,
                                    "file.users is delta: hubsync needs the "
                                    "whole roster; export users.csv as bulk")));
}

TEST(LostPupilsDelta, EveryFileHubsyncReadsAsDeltaIsRefused) {
  // Classes or enrollments as a delta beside bulk users would drop every
  // learner's registration group and classes that did not change.
  for (const char* file :
       {"roles", "classes", "enrollments", "demographics", "orgs"}) {
    UploadFiles f = V12();
    Append(&f, "manifest.csv", absl::StrCat("file.", file, ",DELTA\r\n"));
    EXPECT_THAT(
        Rendered(ParseOneRoster(f).problems),
        ElementsAre(ProblemAt("manifest.csv", 5, 2,
                              absl::StrCat("export ", file, ".csv as bulk"))))
        << file;
  }
}

// ------------------------------------------------------- dropped pupils

TEST(LostPupilsDropped, EnrolledPupilWithoutARoleIsReported) {
  // u-ann (users.csv line 4) has grades and is enrolled as a student in 7A,
  // but roles.csv has no row for her.
  UploadFiles f = V12();
  Edit(&f, "roles.csv", "r3,,,u-ann,primary,student,,,org1,\n", "");
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt(
                  "users.csv", 4, 1,
                  "user 'u-ann' is enrolled as a student (enrollments.csv "
                  "line 3) but has no role in roles.csv")));
}

TEST(LostPupilsDropped, EnrolledPupilWithAGuardianRoleIsReported) {
  UploadFiles f = V12();
  Edit(&f, "roles.csv", "r3,,,u-ann,primary,student",
       "r3,,,u-ann,primary,guardian");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("users.csv", 4, 1,
                                    "user 'u-ann' is enrolled as a student "
                                    "(enrollments.csv line 3) but their role "
                                    "in roles.csv is 'guardian', not "
                                    "student")));
}

TEST(LostPupilsDropped, OneRosterV11UserWithGradesButNoRoleIsReported) {
  // u-bob (line 2) has grade 07 and an empty role; he is enrolled in 7A too.
  UploadFiles f = V11();
  Edit(&f, "users.csv", "u-bob,,,true,org1,student,", "u-bob,,,true,org1,,");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("users.csv", 2, 1,
                                    "user 'u-bob' is enrolled as a student "
                                    "(enrollments.csv line 2) but has no "
                                    "role")));

  // Not enrolled anywhere: the grade alone says a pupil was meant.
  Edit(&f, "enrollments.csv", "e1,,,c-7A,org1,u-bob,student,,,\n", "");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("users.csv", 2, 1,
                                    "user 'u-bob' has grades (07) but no "
                                    "role")));
}

TEST(LostPupilsDropped, TeachersAndDeletedRowsAreNotPupils) {
  // A teacher enrolled as a teacher, or one with grades, is staff; a
  // tobedeleted enrollment says nothing.
  UploadFiles f = V11();
  Edit(&f, "users.csv", "tess@school.example,,,,,\n",
       "tess@school.example,,,,07,\n");
  Append(&f, "enrollments.csv",
         "e9,tobedeleted,,c-ma1,org1,t-tess,student,,,\n");
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_THAT(MisIds(r.snapshot), ElementsAre("u-ann", "u-bob"));
}

// ---------------------------------------------------------- empty rosters

TEST(LostPupilsEmpty, OneRosterWhereEveryStudentIsToBeDeletedIsRefused) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "u-bob,,", "u-bob,tobedeleted,");
  Edit(&f, "users.csv", "u-ann,,", "u-ann,tobedeleted,");
  // Their enrollments stay: a deleted user is not a dropped pupil.
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("users.csv", 0, 0,
                            "no students: all 2 students in users.csv are "
                            "tobedeleted")));
  EXPECT_THAT(r.problems[0].message, HasSubstr("allow_empty"));
}

TEST(LostPupilsEmpty, OneRosterWithOnlyStaffIsRefused) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "org1,student,bob.ray", "org1,teacher,bob.ray");
  Edit(&f, "users.csv", "org1,student,ann.lee", "org1,teacher,ann.lee");
  Edit(&f, "enrollments.csv", "u-bob,student", "u-bob,teacher");
  Edit(&f, "enrollments.csv", "u-ann,student", "u-ann,teacher");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("users.csv", 0, 0,
                                    "no students: users.csv has no user "
                                    "whose role is student")));
}

TEST(LostPupilsEmpty, HeaderOnlyPlainCsvIsRefused) {
  MisParseResult r = ParsePlainCsv(
      "export.csv", "mis_id,legal_forename,legal_surname,year_group\r\n");
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("export.csv", 0, 0,
                                    "no learners: the file has a header and "
                                    "no rows")));
  EXPECT_THAT(r.problems[0].message, HasSubstr("allow_empty"));
}

TEST(LostPupilsEmpty, EmptyPushIsRefused) {
  MisSnapshot empty;
  EXPECT_THAT(
      Rendered(ValidateMisRecords(empty)),
      ElementsAre(ProblemAt("pushed", 0, 0, "no learners were pushed")));
  // Classes without a single learner are as empty.
  empty.classes = {{"reg-7A", "7A", ClassKind::kRegistration, "7"}};
  EXPECT_THAT(
      Rendered(ValidateMisRecords(empty)),
      ElementsAre(ProblemAt("pushed", 0, 0, "no learners were pushed")));
}

// ------------------------------------------------ hub CSV unknown columns

TEST(LostPupilsHubCsv, OneRosterUsersCsvIsRefusedNamingEachUnknownColumn) {
  // A OneRoster users.csv imported as hub learners: the teacher would be
  // imported as a pupil and the roles, grades and ids silently dropped.
  const std::string users = V11()["users.csv"];
  HubImportResult r = ParseHubLearnersCsv("learners.csv", users);
  EXPECT_THAT(r.learners, IsEmpty());
  // givenName, familyName and email are hub columns; the other 15 are not.
  ASSERT_THAT(r.problems, SizeIs(15));
  EXPECT_THAT(Rendered(r.problems)[0],
              AllOf(ProblemAt("learners.csv", 1, 1,
                              "column 'sourcedId' is not a hub learner "
                              "column"),
                    HasSubstr("ignore_unknown_columns")));
  EXPECT_THAT(Rendered(r.problems)[5],
              ProblemAt("learners.csv", 1, 6, "column 'role'"));
  EXPECT_THAT(Rendered(r.problems)[14],
              ProblemAt("learners.csv", 1, 18, "column 'password'"));
}

TEST(LostPupilsHubCsv, TheColumnsOfLearnerExportAreKnown) {
  // `hubsync learner export` writes learner_id, mis_id and sync_state; its
  // file reads back without complaint.
  HubImportResult r = ParseHubLearnersCsv(
      "learners.csv",
      "learner_id,legal_forename,legal_surname,preferred_forename,"
      "preferred_surname,date_of_birth,gender,upn,year_group,"
      "registration_group,classes,email,mis_id,sync_state\r\n"
      "lrn_1,Ann,Lee,,,2014-01-02,F,,7,7A,7x/Ma1,,m1,SYNCED\r\n");
  EXPECT_THAT(Rendered(r.problems), IsEmpty());
  ASSERT_THAT(r.learners, SizeIs(1));
  EXPECT_EQ(r.learners[0].mis_id, "");
  EXPECT_EQ(r.learners[0].id, "");
}

}  // namespace
}  // namespace hubsync
