// HubsyncClient against a scripted in-process server: chunking, upload
// problems from trailing metadata, deadlines, and stopping streams.
#include "client/lib/client.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_hubsync.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST(HubsyncClientTest, UnaryCallReturnsTheReply) {
  FakeHubsync fake;
  auto client = fake.NewClient();
  absl::StatusOr<v1::ListSchoolsResponse> r = client->ListSchools();
  ASSERT_THAT(r, IsOk());
  ASSERT_THAT(r->schools(), SizeIs(2));
  EXPECT_EQ(r->schools(0).name(), "Riverside Academy");
}

TEST(HubsyncClientTest, ServerErrorKeepsCodeAndMessage) {
  FakeHubsync fake;
  auto client = fake.NewClient();
  EXPECT_THAT(
      client->GetSchool("sch_x"),
      StatusIs(absl::StatusCode::kNotFound, ::testing::Eq("no school sch_x")));
}

TEST(HubsyncClientTest, EveryUnaryCallHasADeadline) {
  FakeHubsync fake;
  fake.schools.delay = std::chrono::milliseconds(400);
  auto client = fake.NewClient();
  EXPECT_EQ(client->timeout(), std::chrono::seconds(30));
  client->set_timeout(std::chrono::milliseconds(50));
  EXPECT_THAT(client->ListSchools(),
              StatusIs(absl::StatusCode::kDeadlineExceeded));
}

TEST(HubsyncClientTest, UnreachableServerIsUnavailable) {
  client::HubsyncClient client("127.0.0.1:1");
  client.set_timeout(std::chrono::seconds(5));
  EXPECT_THAT(client.ListSchools(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(HubsyncClientTest, UploadSendsAHeaderThenEachFileIn64KiBChunks) {
  FakeHubsync fake;
  auto client = fake.NewClient();
  const std::string users(150 * 1024, 'u');  // 64 KiB + 64 KiB + 22 KiB
  v1::UploadProblems problems;
  auto r = client->UploadMisExport(
      "sch_1", v1::MIS_FORMAT_ONEROSTER,
      {{"manifest.csv", "a,b\n"}, {"users.csv", users}, {"e.csv", ""}},
      &problems);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->snapshot_id(), "snp_1");
  EXPECT_THAT(problems.problems(), SizeIs(0));
  const auto& got = fake.mis.received;
  ASSERT_THAT(got, SizeIs(6));
  EXPECT_EQ(got[0].header().school_id(), "sch_1");
  EXPECT_EQ(got[0].header().format(), v1::MIS_FORMAT_ONEROSTER);
  EXPECT_EQ(got[1].chunk().file_name(), "manifest.csv");
  EXPECT_EQ(got[1].chunk().data(), "a,b\n");
  std::vector<size_t> sizes;
  std::string joined;
  for (int i = 2; i <= 4; ++i) {
    EXPECT_EQ(got[i].chunk().file_name(), "users.csv");
    sizes.push_back(got[i].chunk().data().size());
    joined += got[i].chunk().data();
  }
  EXPECT_THAT(sizes, ElementsAre(65536u, 65536u, 22528u));
  EXPECT_EQ(joined, users);
  EXPECT_EQ(got[5].chunk().file_name(), "e.csv")
      << "an empty file is still sent";
  EXPECT_EQ(got[5].chunk().data(), "");
}

TEST(HubsyncClientTest, RejectedUploadExposesEveryProblem) {
  FakeHubsync fake;
  auto client = fake.NewClient();
  v1::UploadProblems problems;
  auto r = client->UploadMisExport("sch_1", v1::MIS_FORMAT_PLAIN_CSV,
                                   {{"bad.csv", "x\n"}}, &problems);
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument,
                          ::testing::Eq("bad.csv has 2 problems")));
  ASSERT_THAT(problems.problems(), SizeIs(2));
  EXPECT_EQ(problems.problems(0).file(), "bad.csv");
  EXPECT_EQ(problems.problems(0).line(), 2);
  EXPECT_EQ(problems.problems(0).column(), 3);
  EXPECT_EQ(problems.problems(0).message(), "UPN 'X1' has the wrong length");
  EXPECT_EQ(problems.problems(1).message(), "missing year_group");
  // Without an out-param the status alone comes back.
  EXPECT_THAT(client->UploadMisExport("sch_1", v1::MIS_FORMAT_PLAIN_CSV,
                                      {{"bad.csv", "x\n"}}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(HubsyncClientTest, ImportLearnersChunksTheCsvWithTheSchoolFirst) {
  FakeHubsync fake;
  auto client = fake.NewClient();
  const std::string csv(70 * 1024, 'c');
  auto r = client->ImportLearners("sch_1", csv);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->created(), 3);
  const auto& got = fake.hub.imported;
  ASSERT_THAT(got, SizeIs(2));
  EXPECT_EQ(got[0].school_id(), "sch_1");
  EXPECT_EQ(got[0].chunk().size(), client::kUploadChunkBytes);
  EXPECT_EQ(got[1].chunk().size(), 6u * 1024);
}

TEST(HubsyncClientTest, StreamRowsDeliversEveryBatchAndTheSummary) {
  FakeHubsync fake;
  auto client = fake.NewClient();
  v1::StreamRowsRequest req;
  req.set_session_id("ses_1");
  req.add_statuses(v1::ROW_STATUS_NEW);
  req.set_after_row_id(7);
  std::vector<int64_t> ids;
  v1::StatusSummary summary;
  int batches = 0;
  absl::Status s = client->StreamRows(req, [&](const v1::RowBatch& b) {
    ++batches;
    for (const auto& r : b.rows()) ids.push_back(r.row_id());
    if (b.done()) summary = b.summary();
    return true;
  });
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(batches, 3);
  EXPECT_THAT(ids, ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(summary.total(), 5);
  ASSERT_THAT(fake.sync.streamed, SizeIs(1));
  EXPECT_THAT(fake.sync.streamed[0].statuses(),
              ElementsAre(v1::ROW_STATUS_NEW));
  EXPECT_EQ(fake.sync.streamed[0].after_row_id(), 7);
}

// Each batch is read onto an arena that starts in a 1 MiB buffer kept for
// the stream: batches of several MiB (5,000 rows) must arrive whole, and a
// later batch must not show an earlier one's rows.
TEST(HubsyncClientTest, StreamRowsBatchesLargerThanTheArenaBlockArriveIntact) {
  FakeHubsync fake;
  fake.sync.row_count = 12000;
  fake.sync.batch_size = 5000;
  auto client = fake.NewClient();
  v1::StreamRowsRequest req;
  req.set_session_id("ses_1");
  std::vector<int> sizes;
  size_t largest = 0;
  int64_t next = 1, mismatched = 0;
  absl::Status s = client->StreamRows(req, [&](const v1::RowBatch& b) {
    sizes.push_back(b.rows_size());
    largest = std::max(largest, b.ByteSizeLong());
    for (const v1::Row& r : b.rows()) {
      if (r.SerializeAsString() !=
          FakeSync::MakeRow(next++).SerializeAsString())
        ++mismatched;
    }
    return true;
  });
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(sizes, ElementsAre(5000, 5000, 2000));
  EXPECT_EQ(next, 12001);
  EXPECT_EQ(mismatched, 0);
  EXPECT_GT(
      largest,
      size_t{1}
          << 18);  // a sizeable batch; on the arena it is several times this
}

TEST(HubsyncClientTest, StreamErrorsComeBack) {
  FakeHubsync fake;
  auto client = fake.NewClient();
  v1::StreamRowsRequest req;
  req.set_session_id("ses_9");
  EXPECT_THAT(client->StreamRows(req, [](const v1::RowBatch&) { return true; }),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(HubsyncClientTest, StoppingAStreamIsNotAnError) {
  FakeHubsync fake;
  fake.sync.row_count = 1000;
  auto client = fake.NewClient();
  v1::StreamRowsRequest req;
  req.set_session_id("ses_1");
  int batches = 0;
  EXPECT_THAT(client->StreamRows(
                  req, [&](const v1::RowBatch&) { return ++batches < 2; }),
              IsOk());
  EXPECT_EQ(batches, 2);

  v1::WatchSessionRequest watch;
  watch.set_session_id("ses_1");
  watch.set_after_version(5);
  std::vector<int64_t> versions;
  EXPECT_THAT(client->WatchSession(watch,
                                   [&](const v1::SessionEvent& e) {
                                     versions.push_back(e.version());
                                     return versions.size() < 3;
                                   }),
              IsOk());
  EXPECT_THAT(versions, ElementsAre(6, 7, 8));
}

}  // namespace
}  // namespace hubsync::testing
