// Files that lose pupils quietly (issue 18), through a real server: each
// refused upload, push or import stores nothing; year groups and dates of
// pushed records are taken only in the forms docs/FORMATS.md promises; a
// create or import retried with its request id is applied once.
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

struct Sent {
  grpc::Status status;
  v1::MisSnapshot snapshot;
};

Sent Upload(TestServer& server, const v1::UploadHeader& header,
            const std::map<std::string, std::string>& files) {
  Sent out;
  auto ctx = Ctx();
  auto writer = server.mis().UploadMisExport(ctx.get(), &out.snapshot);
  v1::UploadMisExportRequest first;
  *first.mutable_header() = header;
  writer->Write(first);
  for (const auto& [name, data] : files) {
    v1::UploadMisExportRequest chunk;
    chunk.mutable_chunk()->set_file_name(name);
    chunk.mutable_chunk()->set_data(data);
    writer->Write(chunk);
  }
  writer->WritesDone();
  out.status = writer->Finish();
  return out;
}

v1::UploadHeader Header(const std::string& school, v1::MisFormat format) {
  v1::UploadHeader h;
  h.set_school_id(school);
  h.set_format(format);
  return h;
}

int SnapshotCount(TestServer& server, const std::string& school) {
  v1::ListSnapshotsRequest req;
  req.set_school_id(school);
  v1::ListSnapshotsResponse resp;
  EXPECT_TRUE(server.mis().ListSnapshots(Ctx().get(), req, &resp).ok());
  return resp.snapshots_size();
}

// A OneRoster 1.1 set with two students (lines 2 and 3 of users.csv) and a
// teacher.
std::map<std::string, std::string> OneRoster(const std::string& users_mode,
                                             const std::string& ann_status,
                                             const std::string& bob_status) {
  return {
      {"manifest.csv",
       "propertyName,value\noneroster.version,1.1\nfile.users," + users_mode +
           "\n"},
      {"users.csv",
       "sourcedId,status,role,givenName,familyName,grades\n"
       "u-ann," +
           ann_status +
           ",student,Ann,Lee,07\n"
           "u-bob," +
           bob_status +
           ",student,Bob,Ray,07\n"
           "t-tess,,teacher,Tess,Smith,\n"},
  };
}

TEST(LostPupilsServiceTest, DeltaUsersIsRefusedAndStoresNothing) {
  TestServer server;
  const std::string school = CreateSchool(server, "Delta School");
  Sent r = Upload(server, Header(school, v1::MIS_FORMAT_ONEROSTER),
                  OneRoster("delta", "", ""));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(r.status.error_message(),
              HasSubstr("manifest.csv:3:2: file.users is delta"));
  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(LostPupilsServiceTest, EmptyRostersAreRefusedAndStoreNothing) {
  TestServer server;
  const std::string school = CreateSchool(server, "Empty School");

  Sent deleted = Upload(server, Header(school, v1::MIS_FORMAT_ONEROSTER),
                        OneRoster("bulk", "tobedeleted", "tobedeleted"));
  EXPECT_EQ(deleted.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(deleted.status.error_message(),
              HasSubstr("users.csv:0:0: no students"));

  Sent header_only =
      Upload(server, Header(school, v1::MIS_FORMAT_PLAIN_CSV),
             {{"export.csv", "mis_id,legal_forename,legal_surname,year\n"}});
  EXPECT_EQ(header_only.status.error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(header_only.status.error_message(),
              HasSubstr("export.csv:0:0: no learners"));

  v1::PushMisRecordsRequest push;
  push.set_school_id(school);
  v1::MisSnapshot pushed;
  grpc::Status s = server.mis().PushMisRecords(Ctx().get(), push, &pushed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("no learners were pushed"));

  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(LostPupilsServiceTest, DroppedPupilIsReportedAndNothingIsStored) {
  TestServer server;
  const std::string school = CreateSchool(server, "Dropped School");
  auto files = OneRoster("bulk", "", "");
  // Bob's role is lost in the export; his grade says he is a pupil.
  files["users.csv"] =
      "sourcedId,status,role,givenName,familyName,grades\n"
      "u-ann,,student,Ann,Lee,07\n"
      "u-bob,,,Bob,Ray,07\n";
  Sent r = Upload(server, Header(school, v1::MIS_FORMAT_ONEROSTER), files);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(r.status.error_message(),
              HasSubstr("users.csv:3:1: user 'u-bob' has grades (07) but no "
                        "role"));
  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(LostPupilsServiceTest, PushedYearGroupsMustBeCanonical) {
  TestServer server;
  const std::string school = CreateSchool(server, "Push School");
  for (const std::string year : {"07", "Year 7", "y7", "-7", "Y07", "yr7"}) {
    v1::PushMisRecordsRequest push;
    push.set_school_id(school);
    *push.add_learners() =
        MisRecord("m1", {"Ann", "Lee", "2013-01-31", "", year, "", ""});
    v1::MisSnapshot out;
    grpc::Status s = server.mis().PushMisRecords(Ctx().get(), push, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << year;
    EXPECT_THAT(s.error_message(), HasSubstr("year_group '" + year +
                                             "' is not a canonical year group"))
        << year;

    // A class's year group is held to the same rule.
    push.mutable_learners(0)->set_year_group("7");
    *push.add_classes() = RegClass("reg-7A", "7A", year);
    s = server.mis().PushMisRecords(Ctx().get(), push, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << year;
    EXPECT_THAT(s.error_message(), HasSubstr("class year_group '" + year + "'"))
        << year;
  }
  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(LostPupilsServiceTest, PushedDatesOfBirthMustBeIso) {
  TestServer server;
  const std::string school = CreateSchool(server, "Push School");
  for (const std::string dob : {"31/01/2013", "1/2/2013", "2013-1-31"}) {
    v1::PushMisRecordsRequest push;
    push.set_school_id(school);
    *push.add_learners() =
        MisRecord("m1", {"Ann", "Lee", dob, "", "7", "", ""});
    v1::MisSnapshot out;
    grpc::Status s = server.mis().PushMisRecords(Ctx().get(), push, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << dob;
    EXPECT_THAT(s.error_message(),
                HasSubstr("learners[0].date_of_birth: '" + dob +
                          "' is not an ISO date (YYYY-MM-DD)"))
        << dob;
  }
  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(LostPupilsServiceTest, PushedCanonicalFormsAreAccepted) {
  TestServer server;
  const std::string school = CreateSchool(server, "Push School");
  v1::PushMisRecordsRequest push;
  push.set_school_id(school);
  int n = 0;
  for (const std::string year : {"N1", "N2", "R", "1", "7", "13"}) {
    *push.add_learners() =
        MisRecord("m" + std::to_string(++n),
                  {"Ann", "Lee", "2013-01-31", "", year, "", ""});
  }
  *push.add_classes() = RegClass("reg-R", "R1", "R");
  v1::MisSnapshot out;
  grpc::Status s = server.mis().PushMisRecords(Ctx().get(), push, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.learner_count(), 6);
}

grpc::Status Import(
    TestServer& server, const std::string& school, const std::string& csv,
    v1::ImportLearnersResponse* out,
    const std::function<void(v1::ImportLearnersRequest&)>& first = nullptr) {
  auto ctx = Ctx();
  auto writer = server.hub().ImportLearners(ctx.get(), out);
  v1::ImportLearnersRequest req;
  req.set_school_id(school);
  req.set_chunk(csv);
  if (first) first(req);
  writer->Write(req);
  writer->WritesDone();
  return writer->Finish();
}

TEST(LostPupilsServiceTest, HubCsvWithUnknownColumnsIsRefused) {
  TestServer server;
  const std::string school = CreateSchool(server, "Hub School");
  v1::ImportLearnersResponse out;
  grpc::Status s = Import(server, school,
                          "sourcedId,role,givenName,familyName,grades\n"
                          "u-ann,student,Ann,Lee,07\n"
                          "t-tess,teacher,Tess,Smith,\n",
                          &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("learners.csv:1:2: column 'role' is not a hub learner "
                        "column"));
  EXPECT_THAT(Learners(server, school), ::testing::IsEmpty());
}

TEST(LostPupilsServiceTest, CallerMayAskForEmptyRostersAndIgnoredColumns) {
  TestServer server;
  const std::string school = CreateSchool(server, "Meant School");
  v1::UploadHeader header = Header(school, v1::MIS_FORMAT_PLAIN_CSV);
  header.set_allow_empty(true);
  Sent empty = Upload(server, header,
                      {{"export.csv",
                        "mis_id,legal_forename,legal_surname,"
                        "year\n"}});
  ASSERT_TRUE(empty.status.ok()) << empty.status.error_message();
  EXPECT_EQ(empty.snapshot.learner_count(), 0);

  v1::PushMisRecordsRequest push;
  push.set_school_id(school);
  push.set_allow_empty(true);
  v1::MisSnapshot pushed;
  grpc::Status s = server.mis().PushMisRecords(Ctx().get(), push, &pushed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(SnapshotCount(server, school), 2);

  v1::ImportLearnersResponse out;
  s = Import(
      server, school, "givenName,familyName,notes\nAnn,Lee,likes chess\n", &out,
      [](v1::ImportLearnersRequest& r) { r.set_ignore_unknown_columns(true); });
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.created(), 1);
}

// ------------------------------------------------------------ request ids

const char kTwoLearners[] =
    "legal_forename,legal_surname,year_group\nAnn,Lee,7\nBob,Ray,8\n";

TEST(RequestIdServiceTest, ImportingTheSameFileTwiceWithOneIdCreatesOnce) {
  TestServer server;
  const std::string school = CreateSchool(server, "Retry School");
  auto with_id = [](v1::ImportLearnersRequest& r) {
    r.set_request_id("import-7f3a");
  };
  v1::ImportLearnersResponse first, second;
  ASSERT_TRUE(Import(server, school, kTwoLearners, &first, with_id).ok());
  ASSERT_TRUE(Import(server, school, kTwoLearners, &second, with_id).ok());
  EXPECT_EQ(second.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(second.created(), 2);
  EXPECT_EQ(Learners(server, school).size(), 2u);

  // The same id with another file is an error naming it; nothing is added.
  v1::ImportLearnersResponse third;
  grpc::Status s =
      Import(server, school, "legal_forename,legal_surname\nCat,Cox\n", &third,
             with_id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("request_id 'import-7f3a'"));
  EXPECT_EQ(Learners(server, school).size(), 2u);

  // Without an id every import creates (the caller asked for no guard).
  v1::ImportLearnersResponse plain;
  ASSERT_TRUE(Import(server, school, kTwoLearners, &plain).ok());
  EXPECT_EQ(Learners(server, school).size(), 4u);
}

TEST(RequestIdServiceTest, CreateLearnerRetriedAfterARestartCreatesOnce) {
  TestServer server;
  const std::string school = CreateSchool(server, "Retry School");
  v1::CreateLearnerRequest req =
      LearnerRequest(school, {"Ann", "Lee", "2013-01-31", "", "7", "7A", ""});
  req.set_request_id("create-1");
  v1::Learner first;
  ASSERT_TRUE(server.hub().CreateLearner(Ctx().get(), req, &first).ok());

  // The reply was lost and the server restarted; the client retries.
  server.Restart();
  v1::Learner again;
  grpc::Status s = server.hub().CreateLearner(Ctx().get(), req, &again);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Learners(server, school).size(), 1u);

  req.mutable_learner()->set_legal_forename("Anne");
  s = server.hub().CreateLearner(Ctx().get(), req, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("request_id 'create-1' was already used in this "
                        "school for a different CreateLearner request"));

  // An import may not reuse a create's id either.
  v1::ImportLearnersResponse out;
  s = Import(
      server, school, kTwoLearners, &out,
      [](v1::ImportLearnersRequest& r) { r.set_request_id("create-1"); });
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Learners(server, school).size(), 1u);
}

}  // namespace
}  // namespace hubsync::testing
