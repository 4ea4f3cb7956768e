// The mass-desync guard: a save that would desync more than the server's
// share of the school's synced learners is refused, with the count, until the
// admin confirms that exact count.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

// Everything a user could see of the hub and the session.
std::string Seen(TestServer& server, const std::string& school,
                 const std::string& session) {
  std::string seen = GetSession(server, session).SerializeAsString();
  for (const auto& r : StreamAll(server, session))
    seen += r.SerializeAsString();
  for (const auto& l : Learners(server, school)) seen += l.SerializeAsString();
  return seen;
}

struct Refusal {
  grpc::Status status;
  v1::MassDesync details;
  bool has_details = false;
};

Refusal TrySave(TestServer& server, const std::string& session,
                int64_t confirm) {
  v1::SaveRequest save;
  save.set_session_id(session);
  save.set_confirm_desync_count(confirm);
  // Freddie's May match is saved unreviewed: these tests are about the
  // desync guard (unreviewed rows: tests/service/review_test.cc).
  save.set_allow_unreviewed(true);
  v1::SaveResponse out;
  auto ctx = Ctx();
  Refusal r;
  r.status = server.sync().SaveAndSyncPupils(ctx.get(), save, &out);
  const auto& md = ctx->GetServerTrailingMetadata();
  auto it = md.find("hubsync-mass-desync-bin");
  if (it != md.end()) {
    r.has_details = r.details.ParseFromArray(
        it->second.data(), static_cast<int>(it->second.size()));
  }
  return r;
}

// Term 2 of two_terms.h desyncs Oliver: 1 of the 2 synced learners (50 %).
TEST(MassDesyncTest, RefusedWithTheCountUntilThatCountIsConfirmed) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const std::string before = Seen(server, t.school, session);

  Refusal r = TrySave(server, session, 0);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(
      r.status.error_message(),
      HasSubstr("would desync 1 of the school's 2 synced learners (50.0%"));
  EXPECT_THAT(r.status.error_message(), HasSubstr("confirm_desync_count = 1"));
  ASSERT_TRUE(r.has_details);
  EXPECT_EQ(r.details.desync_count(), 1);
  EXPECT_EQ(r.details.synced_learners(), 2);
  EXPECT_EQ(r.details.max_percent(), 10.0);
  EXPECT_EQ(Seen(server, t.school, session), before);

  // A confirmation of another count (a stale screen) does not pass.
  r = TrySave(server, session, 2);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(r.status.error_message(), HasSubstr("was for 2, not 1"));
  EXPECT_EQ(Seen(server, t.school, session), before);

  r = TrySave(server, session, -1);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(r.status.error_message(), HasSubstr("confirm_desync_count"));

  r = TrySave(server, session, 1);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(FindLearner(Learners(server, t.school), "Oliver").sync_state(),
            v1::SYNC_STATE_DESYNCED);
}

TEST(MassDesyncTest, AShareWithinTheLimitSavesUnasked) {
  TestServer server(Limits{}, /*max_desync_percent=*/50.0);
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  Refusal r = TrySave(server, session, 0);  // 50 % is not more than 50 %
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_FALSE(r.has_details);
  EXPECT_EQ(FindLearner(Learners(server, t.school), "Oliver").sync_state(),
            v1::SYNC_STATE_DESYNCED);
}

// Only learners that Save would move from SYNCED to DESYNCED count: a
// learner already desynced stays so without asking again.
TEST(MassDesyncTest, AlreadyDesyncedLearnersAreNotCountedAgain) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string first =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  ASSERT_TRUE(TrySave(server, first, 1).status.ok());
  // The same term-2 data again: Oliver is Desynced on screen, but is already
  // DESYNCED in the hub, so nothing is desynced now.
  std::string second =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  std::vector<v1::Row> rows = StreamAll(server, second);
  EXPECT_EQ(RowOf(rows, t.oliver).status(), v1::ROW_STATUS_DESYNCED);
  Refusal r = TrySave(server, second, 0);
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
}

}  // namespace
}  // namespace hubsync::testing
