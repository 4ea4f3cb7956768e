// The MIS re-keys its records (or the school changes MIS provider): linked
// learners are re-linked by UPN through a real server, not desynced and
// imported a second time.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

TEST(RelinkTest, ReKeyedMisRecordsAreRelinkedByUpnAndSaved) {
  TestServer server;
  const std::string school = CreateSchool(server, "Re-keyed Academy");
  const std::string amelia_upn = Upn("801200007001");
  const std::string amelia = CreateLearner(
      server, school,
      {"Amelia", "Jones", "2012-10-01", amelia_upn, "8", "8A", ""});
  const std::string oliver = CreateLearner(
      server, school, {"Oliver", "Smith", "2012-03-05", "", "8", "8A", ""});
  const std::vector<v1::MisClassRecord> classes = {
      RegClass("reg-8A", "8A", "8")};
  Push(server, school, classes,
       {MisRecord("old-amelia",
                  {"Amelia", "Jones", "2012-10-01", amelia_upn, "8", "8A", ""}),
        MisRecord("old-oliver",
                  {"Oliver", "Smith", "2012-03-05", "", "8", "8A", ""})});
  std::string first =
      ToSyncScreen(server, school, AllStudents(), false, nullptr);
  v1::SaveRequest save;
  save.set_session_id(first);
  v1::SaveResponse saved;
  ASSERT_TRUE(server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved).ok());
  ASSERT_EQ(saved.summary().linked(), 2);

  // New MIS ids for everyone; Amelia has a UPN, Oliver none.
  Push(server, school, classes,
       {MisRecord("new-amelia",
                  {"Amelia", "Jones", "2012-10-01", amelia_upn, "8", "8A", ""}),
        MisRecord("new-oliver",
                  {"Oliver", "Smith", "2012-03-05", "", "8", "8A", ""})});
  std::vector<v1::Row> rows;
  std::string second =
      ToSyncScreen(server, school, AllStudents(), false, &rows);
  const v1::Row relink = RowOf(rows, amelia);
  EXPECT_EQ(relink.status(), v1::ROW_STATUS_MATCHED);
  EXPECT_EQ(relink.mis().mis_id(), "new-amelia");
  EXPECT_THAT(relink.explanation().reason(), HasSubstr("Re-link"));
  // Without a UPN there is no proof it is the same record: Oliver's old
  // link is desynced and his new record is offered as New.
  EXPECT_EQ(RowOf(rows, oliver).status(), v1::ROW_STATUS_DESYNCED);
  EXPECT_EQ(RowOf(rows, "new-oliver").status(), v1::ROW_STATUS_NEW);

  v1::SaveRequest save2;
  save2.set_session_id(second);
  // Oliver's desync is more than the guard's 10 % of the synced learners:
  // confirmed (tests/service/mass_desync_test.cc).
  save2.set_confirm_desync_count(1);
  v1::SaveResponse saved2;
  ASSERT_TRUE(
      server.sync().SaveAndSyncPupils(Ctx().get(), save2, &saved2).ok());
  EXPECT_EQ(saved2.summary().imported(), 0);
  const std::vector<v1::Learner> hub = Learners(server, school);
  ASSERT_EQ(hub.size(), 2u) << "nobody imported twice";
  const v1::Learner a = FindLearner(hub, "Amelia");
  EXPECT_EQ(a.mis_id(), "new-amelia");
  EXPECT_EQ(a.sync_state(), v1::SYNC_STATE_SYNCED);
}

}  // namespace
}  // namespace hubsync::testing
