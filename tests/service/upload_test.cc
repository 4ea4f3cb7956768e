// MIS uploads through the real service: a good file becomes a snapshot; a
// bad one returns every problem with file, line and column and stores nothing.
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

struct UploadResult {
  grpc::Status status;
  v1::MisSnapshot snapshot;
  v1::UploadProblems problems;
};

UploadResult Upload(TestServer& server, const std::string& school,
                    v1::MisFormat format,
                    const std::map<std::string, std::string>& files) {
  UploadResult result;
  auto ctx = Ctx();
  auto writer = server.mis().UploadMisExport(ctx.get(), &result.snapshot);
  v1::UploadMisExportRequest header;
  header.mutable_header()->set_school_id(school);
  header.mutable_header()->set_format(format);
  writer->Write(header);
  for (const auto& [name, data] : files) {
    for (size_t at = 0; at < data.size(); at += 7) {  // small chunks on purpose
      v1::UploadMisExportRequest chunk;
      chunk.mutable_chunk()->set_file_name(name);
      chunk.mutable_chunk()->set_data(data.substr(at, 7));
      if (!writer->Write(chunk)) break;
    }
  }
  writer->WritesDone();
  result.status = writer->Finish();
  auto md = ctx->GetServerTrailingMetadata();
  auto it = md.find("hubsync-upload-problems-bin");
  if (it != md.end()) {
    result.problems.ParseFromString(
        std::string(it->second.data(), it->second.size()));
  }
  return result;
}

int SnapshotCount(TestServer& server, const std::string& school) {
  v1::ListSnapshotsRequest req;
  req.set_school_id(school);
  v1::ListSnapshotsResponse resp;
  EXPECT_TRUE(server.mis().ListSnapshots(Ctx().get(), req, &resp).ok());
  return resp.snapshots_size();
}

const char kHeader[] =
    "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
    "registration_group,email\n";

TEST(UploadTest, GoodPlainCsvBecomesASnapshot) {
  TestServer server;
  std::string school = CreateSchool(server, "Upload School");
  std::string csv = std::string(kHeader) + "m1," + Upn("801200005001") +
                    ",Zoë,Łukasz-Smith,2013-09-04,7,7A,zoe@example.org\n"
                    "m2,,Sam,O'Brien,04/10/2013,Year 7,7B,\n";
  UploadResult r =
      Upload(server, school, v1::MIS_FORMAT_PLAIN_CSV, {{"pupils.csv", csv}});
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.snapshot.learner_count(), 2);
  EXPECT_EQ(r.snapshot.class_count(), 2);  // registration groups 7A and 7B
  EXPECT_EQ(SnapshotCount(server, school), 1);

  v1::ListMisLearnersRequest list;
  list.set_snapshot_id(r.snapshot.snapshot_id());
  v1::ListMisLearnersResponse learners;
  ASSERT_TRUE(server.mis().ListMisLearners(Ctx().get(), list, &learners).ok());
  ASSERT_EQ(learners.learners_size(), 2);
  EXPECT_EQ(learners.learners(0).legal_forename(), "Zoë");
  EXPECT_EQ(learners.learners(1).date_of_birth(), "2013-10-04");
  EXPECT_EQ(learners.learners(1).year_group(), "7");
}

TEST(UploadTest, BadFileListsEveryProblemAndStoresNothing) {
  TestServer server;
  std::string school = CreateSchool(server, "Upload School");
  std::string csv =
      std::string(kHeader) +
      "m1,,Amy,Lee,31/02/2013,7,7A,\n"         // line 2: no 31 February
      "m1,,Ben,Kay,2013-01-01,7,7A,\n"         // line 3: duplicate mis_id
      "m3,,Cal,Orr,2013-01-01,Year 19,7A,\n";  // line 4: bad year
  UploadResult r =
      Upload(server, school, v1::MIS_FORMAT_PLAIN_CSV, {{"pupils.csv", csv}});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(r.status.error_message(), HasSubstr("pupils.csv:2:"));
  EXPECT_THAT(r.status.error_message(), HasSubstr("pupils.csv:3:"));
  EXPECT_THAT(r.status.error_message(), HasSubstr("pupils.csv:4:"));
  ASSERT_GE(r.problems.problems_size(), 3);
  std::vector<int> lines;
  for (const auto& p : r.problems.problems()) {
    EXPECT_EQ(p.file(), "pupils.csv");
    EXPECT_GT(p.column(), 0) << p.message();
    lines.push_back(p.line());
  }
  EXPECT_THAT(lines, ::testing::IsSupersetOf({2, 3, 4}));
  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(UploadTest, UploadOverTheLimitIsResourceExhausted) {
  Limits limits;
  limits.max_upload_bytes = 100;
  TestServer server(limits);
  std::string school = CreateSchool(server, "Upload School");
  std::string csv = std::string(kHeader) + std::string(200, 'x');
  UploadResult r =
      Upload(server, school, v1::MIS_FORMAT_PLAIN_CSV, {{"pupils.csv", csv}});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(r.status.error_message(), HasSubstr("100 bytes"));
  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(UploadTest, UnknownSchoolAndMissingHeader) {
  TestServer server;
  CreateSchool(server, "Upload School");  // its admin key asks about another id
  UploadResult r = Upload(server, "sch_missing", v1::MIS_FORMAT_PLAIN_CSV,
                          {{"pupils.csv", kHeader}});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(r.status.error_message(), HasSubstr("sch_missing"));

  v1::MisSnapshot out;
  auto ctx = Ctx();
  auto writer = server.mis().UploadMisExport(ctx.get(), &out);
  v1::UploadMisExportRequest chunk;
  chunk.mutable_chunk()->set_file_name("pupils.csv");
  writer->Write(chunk);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("header"));
}

}  // namespace
}  // namespace hubsync::testing
