// Small OneRoster 1.1 and 1.2 CSV sets written inline, and helpers to read
// problems the way a user does. Shared by the OneRoster tests.
#ifndef HUBSYNC_TESTS_COMMON_ONEROSTER_SETS_H_
#define HUBSYNC_TESTS_COMMON_ONEROSTER_SETS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/import_checks.h"
#include "common/mis_import.h"
#include "common/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/problem_matchers.h"

namespace hubsync {
namespace oneroster_testing {

inline std::optional<Date> D(int y, int m, int d) { return Date{y, m, d}; }

inline std::vector<std::string> MisIds(const MisSnapshot& s) {
  std::vector<std::string> ids;
  for (const MisLearner& l : s.learners) ids.push_back(l.mis_id);
  return ids;
}

// Replaces `from` (which must occur) in files[name].
inline void Edit(UploadFiles* files, const std::string& name,
                 const std::string& from, const std::string& to) {
  std::string& data = (*files)[name];
  ASSERT_NE(data.find(from), std::string::npos) << from;
  data = absl::StrReplaceAll(Av(data), {{Av(from), Av(to)}});
}

inline void Append(UploadFiles* files, const std::string& name,
                   const std::string& line) {
  (*files)[name] += line;
}

// Files shared by both versions. Lines are numbered in the comments.
inline void AddCommonFiles(UploadFiles* f) {
  (*f)["orgs.csv"] =
      "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
      "org1,,,Hillside Academy,school,9384321,\n";
  (*f)["classes.csv"] =
      "sourcedId,status,dateLastModified,title,grades,courseSourcedId,"
      "classCode,"
      "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,"
      "periods\n"
      "c-7A,,,7A,07,,7A,homeroom,,org1,t1,,,\n"                             // 2
      "c-ma1,,,7x/Ma1,07,crs-ma,7x/Ma1,scheduled,R12,org1,t1,Maths,,1\n"    // 3
      "c-en2,,,7y/En2,07,crs-en,7y/En2,scheduled,R3,org1,t1,English,,2\n";  // 4
  (*f)["enrollments.csv"] =
      "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
      "userSourcedId,role,primary,beginDate,endDate\n"
      "e1,,,c-7A,org1,u-bob,student,,,\n"        // 2
      "e2,,,c-7A,org1,u-ann,student,,,\n"        // 3
      "e3,,,c-ma1,org1,u-ann,student,,,\n"       // 4
      "e4,,,c-en2,org1,u-ann,student,,,\n"       // 5
      "e5,,,c-ma1,org1,t-tess,teacher,true,,\n"  // 6
      "e6,,,c-7A,org1,t-tess,teacher,true,,\n";  // 7
  (*f)["demographics.csv"] =
      "sourcedId,status,dateLastModified,birthDate,sex,"
      "americanIndianOrAlaskaNative,"
      "asian,blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
      "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,"
      "countryOfBirthCode,"
      "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus\n"
      "u-ann,,,2013-09-04,female,false,false,false,false,true,false,false,GB,,,"
      "\n"  // 2
      "u-bob,,,2014-02-03,male,false,false,false,false,true,false,false,GB,,,"
      "\n";  // 3
}

// OneRoster 1.1: role is a column of users.csv.
inline UploadFiles V11() {
  UploadFiles f;
  f["manifest.csv"] =
      "propertyName,value\n"
      "manifest.version,1.0\n"
      "oneroster.version,1.1\n"
      "file.users,bulk\n"
      "file.classes,bulk\n";
  f["users.csv"] =
      "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,"
      "username,"
      "userIds,givenName,familyName,middleName,identifier,email,sms,phone,"
      "agentSourcedIds,grades,password\n"
      "u-bob,,,true,org1,student,bob.ray,,Bob,Ray,,M80120000500A,,,,,07,\n"  // 2
      "t-tess,,,true,org1,teacher,t.smith,\"{Staff:T1}\",Tess,Smith,,,"
      "tess@school.example,,,,,\n"  // 3
      "u-ann,,,true,org1,student,ann.lee,\"{MIS:1002},{UPN:b801200005001}\","
      "Ann,Lee,"
      "Jane,1002,ann@school.example,,,,\"07\",\n";  // 4
  AddCommonFiles(&f);
  return f;
}

// OneRoster 1.2: roles.csv, preferred names.
inline UploadFiles V12() {
  UploadFiles f;
  f["manifest.csv"] =
      "\xEF\xBB\xBFpropertyName,value\r\n"
      "manifest.version,1.0\r\n"
      "oneroster.version,1.2\r\n"
      "file.roles,bulk\r\n";
  f["users.csv"] =
      "sourcedId,status,dateLastModified,enabledUser,username,userIds,"
      "givenName,"
      "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,"
      "grades,"
      "password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,"
      "preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,"
      "pronouns\n"
      "u-bob,,,true,bob.ray,,Bob,Ray,,M80120000500A,,,,,07,,,,Bobby,,,org1,"
      "\n"  // 2
      "t-tess,,,true,t.smith,,Tess,Smith,,,tess@school.example,,,,,,,,,,,"
      "org1,\n"  // 3
      "u-ann,,,true,ann.lee,\"{MIS:1002},{UPN:b801200005001}\",Ann,Lee,"
      "Jane,1002,"
      "ann@school.example,,,,\"07\",,,,Annie,,Leigh,org1,she/her\n";  // 4
  f["roles.csv"] =
      "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,"
      "endDate,"
      "orgSourcedId,userProfileSourcedId\n"
      "r1,,,u-bob,primary,student,,,org1,\n"
      "r2,,,t-tess,primary,teacher,,,org1,\n"
      "r3,,,u-ann,primary,student,,,org1,\n";
  AddCommonFiles(&f);
  return f;
}

}  // namespace oneroster_testing
}  // namespace hubsync

#endif  // HUBSYNC_TESTS_COMMON_ONEROSTER_SETS_H_
