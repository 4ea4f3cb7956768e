// ParseOneRoster: what the manifest promises, repeated ids in the files
// without their own checks, and long values, each reported where a user
// would look.
#include <string>

#include "common/mis_import.h"
#include "common/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/oneroster_sets.h"

namespace hubsync {
namespace {

using oneroster_testing::Append;
using oneroster_testing::Edit;
using oneroster_testing::MisIds;
using oneroster_testing::V11;
using oneroster_testing::V12;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(OneRosterManifest, AFileListedAsBulkMustBeUploaded) {
  // V11's manifest lists classes.csv (line 5) as bulk: an export cut short
  // must not read as learners without classes.
  UploadFiles f = V11();
  f.erase("classes.csv");
  f.erase("enrollments.csv");  // or every enrollment names an unknown class
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt(
                  "manifest.csv", 5, 2,
                  "lists classes.csv as bulk, but it was not uploaded")));
}

TEST(OneRosterManifest, DeltaIsRejectedAbsentIsAllowed) {
  // A delta export read as the whole roster would desync everyone it omits.
  UploadFiles f = V11();
  Append(&f, "manifest.csv", "file.enrollments,delta\n");  // line 6
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("manifest.csv", 6, 2,
                                    "needs the whole roster; export "
                                    "enrollments.csv as bulk")));

  f = V11();
  Append(&f, "manifest.csv", "file.enrollments,absent\n");
  f.erase("enrollments.csv");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_EQ(r.snapshot.learners[0].registration_group, "");  // no enrollments
}

TEST(OneRosterManifest, FilesHubsyncDoesNotReadMayBeListedAndMissing) {
  UploadFiles f = V11();
  Append(&f, "manifest.csv",
         "file.courses,bulk\nfile.academicSessions,bulk\n"
         "source.systemName,Test MIS\n");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems), IsEmpty());
}

TEST(OneRosterManifest, UnknownFileModeNamesItsLineAndColumn) {
  UploadFiles f = V12();
  Edit(&f, "manifest.csv", "file.roles,bulk", "file.roles,full");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("manifest.csv", 4, 2,
                                    "file.roles is 'full': expected bulk, "
                                    "delta or absent")));
}

TEST(OneRosterManifest, ModesAreCaseInsensitive) {
  UploadFiles f = V12();
  Edit(&f, "manifest.csv", "file.roles,bulk", "file.roles,BULK");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems), IsEmpty());
}

TEST(OneRosterManifest, MissingColumnsAndUnreadableManifest) {
  UploadFiles f = V11();
  f["manifest.csv"] = "name,value\noneroster.version,1.1\n";
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("manifest.csv", 1, 0,
                                    "missing required column 'propertyName'")));

  f["manifest.csv"] = "propertyName,value\n\"oneroster.version,1.1\n";
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("manifest.csv", 2, 0, "never closed")));
}

TEST(OneRosterIds, RepeatedEnrollmentRoleAndDemographicsIds) {
  UploadFiles f = V12();
  Append(&f, "enrollments.csv", "e3,,,c-en2,org1,u-bob,student,,,\n");  // 8
  Append(&f, "roles.csv", "r1,,,u-ann,secondary,student,,,org1,\n");    // 5
  Append(&f, "demographics.csv", "u-ann,,,2013-09-05,female\n");        // 4
  // demographics.csv's extra columns are optional, but a record must match
  // the header's field count: pad it.
  Edit(&f, "demographics.csv", "u-ann,,,2013-09-05,female\n",
       "u-ann,,,2013-09-05,female,,,,,,,,,,,\n");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("roles.csv", 5, 1,
                                    "sourcedId 'r1' is also on line 2"),
                          ProblemAt("enrollments.csv", 8, 1,
                                    "sourcedId 'e3' is also on line 4"),
                          ProblemAt("demographics.csv", 4, 1,
                                    "sourcedId 'u-ann' is also on line 2")));
}

TEST(OneRosterIds, ADeletedRowDoesNotRepeatAnId) {
  UploadFiles f = V11();
  Append(&f, "enrollments.csv",
         "e3,tobedeleted,2024-09-01,c-ma1,org1,u-ann,student,,,\n");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_THAT(r.snapshot.learners[0].class_mis_ids,
              ElementsAre("c-en2", "c-ma1"));
}

TEST(OneRosterLimits, LongNamesAndEmailsNameTheirColumn) {
  UploadFiles f = V12();
  const std::string long_name(257, 'x');
  Edit(&f, "users.csv", ",Ann,Lee,", "," + long_name + ",Lee,");
  Edit(&f, "users.csv", ",Bobby,", "," + std::string(256, 'y') + ",");
  EXPECT_THAT(Rendered(ParseOneRoster(f).problems),
              ElementsAre(ProblemAt("users.csv", 4, 7,
                                    "givenName is longer than 256 bytes")));
}

TEST(OneRosterStudents, OnlyStudentsAreLearners) {
  // A guardian with no grade is not a learner and so not a problem.
  UploadFiles f = V11();
  Append(&f, "users.csv",
         "g-gil,,,true,org1,guardian,gil,,Gil,Lee,,,gil@home.example,,,,,\n");
  MisParseResult r = ParseOneRoster(f);
  ASSERT_THAT(Rendered(r.problems), IsEmpty());
  EXPECT_THAT(MisIds(r.snapshot), ElementsAre("u-ann", "u-bob"));
}

TEST(OneRosterIds, EmptyClassSourcedId) {
  UploadFiles f = V11();
  Append(&f, "classes.csv", ",,,7B,07,,7B,homeroom,,org1,t1,,,\n");  // line 5
  EXPECT_THAT(
      Rendered(ParseOneRoster(f).problems),
      ElementsAre(ProblemAt("classes.csv", 5, 1, "sourcedId is empty")));
}

}  // namespace
}  // namespace hubsync
