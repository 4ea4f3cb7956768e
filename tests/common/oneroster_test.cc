// ParseOneRoster on small 1.1 and 1.2 CSV sets written inline
// (oneroster_sets.h): the roster read, and each problem where a user sees it.
#include <string>
#include <vector>

#include "common/mis_import.h"
#include "common/types.h"
#include "common/upn.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/oneroster_sets.h"

namespace hubsync {
namespace {

using oneroster_testing::Append;
using oneroster_testing::D;
using oneroster_testing::Edit;
using oneroster_testing::MisIds;
using oneroster_testing::V11;
using oneroster_testing::V12;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

void ExpectTheSameRoster(const MisSnapshot& s) {
  // Learners are students only (not Tess), sorted by mis_id.
  ASSERT_THAT(MisIds(s), ElementsAre("u-ann", "u-bob"));
  const MisLearner& ann = s.learners[0];
  EXPECT_EQ(ann.legal_forename, "Ann");
  EXPECT_EQ(ann.legal_surname, "Lee");
  EXPECT_EQ(ann.upn, "B801200005001");  // from userIds, normalised
  EXPECT_TRUE(IsValidUpn(ann.upn));
  EXPECT_EQ(ann.email, "ann@school.example");
  EXPECT_EQ(ann.year_group, "7");  // grades "07" is Year 7
  EXPECT_EQ(ann.date_of_birth, D(2013, 9, 4));
  EXPECT_EQ(ann.gender, "female");
  EXPECT_EQ(ann.registration_group, "7A");
  EXPECT_EQ(ann.registration_group_mis_id, "c-7A");
  EXPECT_THAT(ann.class_mis_ids, ElementsAre("c-en2", "c-ma1"));
  EXPECT_THAT(ann.classes,
              ElementsAre("7y/En2", "7x/Ma1"));  // same order as ids

  const MisLearner& bob = s.learners[1];
  EXPECT_EQ(bob.upn, "M80120000500A");  // from identifier (a temporary UPN)
  EXPECT_TRUE(IsValidUpn(bob.upn));
  EXPECT_EQ(bob.year_group, "7");
  EXPECT_EQ(bob.date_of_birth, D(2014, 2, 3));
  EXPECT_EQ(bob.gender, "male");
  EXPECT_EQ(bob.registration_group, "7A");
  EXPECT_EQ(bob.registration_group_mis_id, "c-7A");
  EXPECT_THAT(bob.class_mis_ids, IsEmpty());
  EXPECT_THAT(bob.classes, IsEmpty());

  ASSERT_THAT(s.classes, SizeIs(3));  // sorted by id
  EXPECT_EQ(s.classes[0].mis_id, "c-7A");
  EXPECT_EQ(s.classes[0].name, "7A");
  EXPECT_EQ(s.classes[0].kind, ClassKind::kRegistration);
  EXPECT_EQ(s.classes[0].year_group, "7");
  EXPECT_EQ(s.classes[1].mis_id, "c-en2");
  EXPECT_EQ(s.classes[1].kind, ClassKind::kSubject);
  EXPECT_EQ(s.classes[2].mis_id, "c-ma1");
  EXPECT_EQ(s.classes[2].name, "7x/Ma1");
  EXPECT_EQ(s.classes[2].kind, ClassKind::kSubject);
}

TEST(ParseOneRoster, Version11) {
  MisParseResult r = ParseOneRoster(V11());
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.format, MisFormat::kOneRoster);
  EXPECT_EQ(r.snapshot.oneroster_version, "1.1");
  ExpectTheSameRoster(r.snapshot);
  EXPECT_EQ(r.snapshot.learners[0].preferred_forename,
            "");  // no such column in 1.1
}

TEST(ParseOneRoster, Version12) {
  MisParseResult r = ParseOneRoster(V12());
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.oneroster_version, "1.2");
  ExpectTheSameRoster(r.snapshot);
  EXPECT_EQ(r.snapshot.learners[0].preferred_forename, "Annie");
  EXPECT_EQ(r.snapshot.learners[0].preferred_surname, "Leigh");
  EXPECT_EQ(r.snapshot.learners[1].preferred_forename, "Bobby");
  EXPECT_EQ(r.snapshot.learners[1].preferred_surname, "");
}

TEST(ParseOneRoster, Version12TakesRolesFromRolesCsv) {
  // In 1.2 a teacher is a teacher because roles.csv says so; make Tess a
  // student there and she becomes a learner (she has no grade, so a problem).
  UploadFiles f = V12();
  Edit(&f, "roles.csv", "r2,,,t-tess,primary,teacher",
       "r2,,,t-tess,primary,student");
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("users.csv", 3, 15, "student has no grade")));
}

TEST(ParseOneRoster, MissingManifest) {
  UploadFiles f = V11();
  f.erase("manifest.csv");
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("manifest.csv", 0, 0, "required file is missing")));
}

TEST(ParseOneRoster, MissingUsers) {
  UploadFiles f = V12();
  f.erase("users.csv");
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("users.csv", 0, 0, "required file is missing")));
  EXPECT_THAT(r.snapshot.learners, IsEmpty());
}

TEST(ParseOneRoster, UnsupportedVersion) {
  UploadFiles f = V11();
  Edit(&f, "manifest.csv", "oneroster.version,1.1", "oneroster.version,2.0");
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("manifest.csv", 3, 2,
                            "oneroster.version '2.0' is not 1.1 or 1.2")));
}

TEST(ParseOneRoster, VersionMissingFromManifest) {
  UploadFiles f = V11();
  Edit(&f, "manifest.csv", "oneroster.version,1.1\n", "");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("manifest.csv", 0, 0,
                                    "oneroster.version is missing")));
}

TEST(ParseOneRoster, MissingRequiredColumn) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", ",familyName,", ",lastName,");
  Edit(&f, "enrollments.csv", ",classSourcedId,", ",class,");
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(
          ProblemAt("users.csv", 1, 0, "missing required column 'familyName'"),
          ProblemAt("enrollments.csv", 1, 0,
                    "missing required column 'classSourcedId'")));
}

TEST(ParseOneRoster, Version11WithoutRoleColumnIsRejected) {
  // Without a role no one can be told apart from staff: this must not look
  // like a school with no pupils.
  UploadFiles f = V11();
  Edit(&f, "users.csv", ",role,", ",position,");
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(Rendered(r.problems),
              ElementsAre(ProblemAt("users.csv", 1, 0,
                                    "missing required column 'role'")));
}

TEST(ParseOneRoster, Version12WithoutRolesCsvIsRejected) {
  UploadFiles f = V12();
  f.erase("roles.csv");
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("manifest.csv", 4, 2,
                            "lists roles.csv as bulk, but it was not uploaded"),
                  ProblemAt("roles.csv", 0, 0, "required file is missing")));
}

TEST(ParseOneRoster, Version12AcceptsARoleColumnInUsersCsvInsteadOfRolesCsv) {
  UploadFiles f = V12();
  f.erase("roles.csv");
  Edit(&f, "manifest.csv", "file.roles,bulk", "file.roles,absent");
  f["users.csv"] =
      "sourcedId,role,givenName,familyName,grades,preferredGivenName\n"
      "u-bob,student,Bob,Ray,07,Bobby\n"
      "t-tess,teacher,Tess,Smith,,\n"
      "u-ann,student,Ann,Lee,07,Annie\n";
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_THAT(MisIds(r.snapshot), ElementsAre("u-ann", "u-bob"));
  EXPECT_EQ(r.snapshot.learners[0].preferred_forename, "Annie");
}

TEST(ParseOneRoster, EnrollmentInAnUnknownClass) {
  UploadFiles f = V11();
  Append(&f, "enrollments.csv",
         "e7,,,c-nope,org1,u-bob,student,,,\n");  // line 8
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("enrollments.csv", 8, 4,
                            "classSourcedId 'c-nope' is not in classes.csv")));
}

TEST(ParseOneRoster, EnrollmentOfAnUnknownUser) {
  UploadFiles f = V11();
  Append(&f, "enrollments.csv",
         "e7,,,c-7A,org1,u-ghost,student,,,\n");  // line 8
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("enrollments.csv", 8, 6,
                            "userSourcedId 'u-ghost' is not in users.csv")));
}

TEST(ParseOneRoster, DuplicateSourcedIds) {
  UploadFiles f = V11();
  Append(&f, "users.csv",
         "u-bob,,,true,org1,student,bob2,,Robert,Ray,,,,,,,08,\n");  // line 5
  Append(&f, "classes.csv",
         "c-ma1,,,8x/Ma1,08,,,scheduled,,org1,t1,,,\n");  // line 5
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("users.csv", 5, 1,
                                    "sourcedId 'u-bob' is also on line 2"),
                          ProblemAt("classes.csv", 5, 1,
                                    "sourcedId 'c-ma1' is also on line 3")));
}

TEST(ParseOneRoster, StudentWithoutAUkGrade) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "M80120000500A,,,,,07,", "M80120000500A,,,,,,");
  Edit(&f, "users.csv", "\"07\"", "\"14,13\"");
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(
          ProblemAt("users.csv", 2, 17, "student has no grade (year group)"),
          ProblemAt("users.csv", 4, 17, "grade '14' is not a UK year group")));
}

TEST(ParseOneRoster, GradesListUsesTheFirstGrade) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "\"07\"", "\"Reception, 01\"");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.learners[0].year_group, "R");
}

TEST(ParseOneRoster, ImpossibleBirthDate) {
  UploadFiles f = V11();
  Edit(&f, "demographics.csv", "u-bob,,,2014-02-03", "u-bob,,,2014-02-30");
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("demographics.csv", 3, 4,
                            "birthDate '2014-02-30' is not a real date")));
}

TEST(ParseOneRoster, BadEmailNamesItsColumn) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "ann@school.example", "ann at school");
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("users.csv", 4, 13, "email 'ann at school'")));
}

TEST(ParseOneRoster, DuplicateValidUpnAcrossStudents) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "M80120000500A", "B801200005001");
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("users.csv", 2, 0,
                            "UPN B801200005001 is also the UPN of u-ann")));
}

TEST(ParseOneRoster, InvalidUpnIsKeptButNotValid) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "{UPN:b801200005001}", "{UPN:A801200005001}");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.learners[0].upn, "A801200005001");
  EXPECT_FALSE(IsValidUpn(r.snapshot.learners[0].upn));
}

TEST(ParseOneRoster, IdentifierThatIsNotUpnShapedIsNotAUpn) {
  UploadFiles f = V11();
  Edit(&f, "users.csv", "M80120000500A", "ADNO-000123");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.learners[1].upn, "");
}

TEST(ParseOneRoster, ToBeDeletedRowsAreSkipped) {
  UploadFiles f = V11();
  Append(&f, "users.csv",
         "u-gone,tobedeleted,2024-09-01T00:00:00Z,true,org1,student,gone,,Gail,"
         "Gone,,,,,,,"
         ",\n");  // no grade, but deleted: no problem
  Append(&f, "classes.csv",
         "c-old,tobedeleted,2024-09-01,6Z,06,,,homeroom,,org1,t1,,,\n");
  Append(&f, "enrollments.csv",
         "e8,tobedeleted,2024-09-01,c-old,org1,u-ann,student,,,\n"
         "e9,tobedeleted,2024-09-01,c-ma1,org1,u-bob,student,,,\n"
         "e10,,,c-ma1,org1,u-gone,student,,,\n");
  Edit(
      &f, "demographics.csv", "u-bob,,,2014-02-03",
      "u-bob,,,2014-02-03,male,false,false,false,false,true,false,false,GB,,,\n"
      "u-bob,tobedeleted,2024-09-01,2000-01-01");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_THAT(MisIds(r.snapshot), ElementsAre("u-ann", "u-bob"));
  EXPECT_EQ(r.snapshot.learners[0].registration_group_mis_id, "c-7A");
  EXPECT_THAT(r.snapshot.learners[1].class_mis_ids, IsEmpty());
  EXPECT_EQ(r.snapshot.learners[1].date_of_birth, D(2014, 2, 3));
  EXPECT_THAT(r.snapshot.classes, SizeIs(3));  // c-old is not a class
}

TEST(ParseOneRoster, RepeatedEnrollmentDoesNotRepeatTheClass) {
  UploadFiles f = V11();
  Append(&f, "enrollments.csv", "e7,,,c-ma1,org1,u-ann,student,,2024-09-01,\n");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_THAT(r.snapshot.learners[0].class_mis_ids,
              ElementsAre("c-en2", "c-ma1"));
  EXPECT_THAT(r.snapshot.learners[0].classes, ElementsAre("7y/En2", "7x/Ma1"));
}

TEST(ParseOneRoster, UnknownClassTypeNamesItsColumn) {
  UploadFiles f = V11();
  Edit(&f, "classes.csv", "7y/En2,scheduled", "7y/En2,lesson");
  MisParseResult r = ParseOneRoster(f);
  // The class is left out, so Ann's enrollment in it is a problem too.
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("classes.csv", 4, 8,
                            "classType 'lesson' is not homeroom or scheduled"),
                  ProblemAt("enrollments.csv", 5, 4, "c-en2")));
}

TEST(ParseOneRoster, CsvProblemNamesTheFile) {
  UploadFiles f = V11();
  Edit(&f, "enrollments.csv", "e3,,,c-ma1,org1,u-ann,student,,,",
       "e3,,,c-ma1,org1");
  MisParseResult r = ParseOneRoster(f);
  EXPECT_THAT(
      Rendered(r.problems),
      ElementsAre(ProblemAt("enrollments.csv", 4, 0, "expected 10 fields")));
  EXPECT_THAT(r.snapshot.learners, IsEmpty());
}

}  // namespace
}  // namespace hubsync
