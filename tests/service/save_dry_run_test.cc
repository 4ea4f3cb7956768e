// SaveAndSyncPupils with validate_only: the save planned exactly as a real
// one, its summary returned, nothing written. The console's Save preview and
// `hubsync sync save --dry-run` show this, so it must equal what the save
// then does.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

// Everything a save could change, as one comparable string: the learners,
// the session's version and step, the audit trail and the emails queued.
std::string HubState(TestServer& server, const std::string& school,
                     const std::string& session) {
  std::string state;
  for (const v1::Learner& l : Learners(server, school)) {
    state += l.SerializeAsString();
  }
  const v1::Session s = GetSession(server, session);
  state +=
      "|v" + std::to_string(s.version()) + " step " + std::to_string(s.step());
  v1::ListAuditRecordsRequest audit;
  audit.set_school_id(school);
  v1::ListAuditRecordsResponse records;
  grpc::Status st =
      server.accounts().ListAuditRecords(Ctx().get(), audit, &records);
  EXPECT_TRUE(st.ok()) << st.error_message();
  state += "|audit " + records.SerializeAsString();
  v1::ListVerificationEmailsRequest list;
  list.set_school_id(school);
  v1::ListVerificationEmailsResponse emails;
  st = server.accounts().ListVerificationEmails(Ctx().get(), list, &emails);
  EXPECT_TRUE(st.ok()) << st.error_message();
  state += "|emails " + emails.SerializeAsString();
  return state;
}

TEST(SaveDryRunTest, WritesNothingAndPredictsTheSaveExactly) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), true, nullptr);
  // Import Noah with his email: an import, a link, a refresh, a desync and
  // an email, and Ellie unaffected.
  v1::EditResponse edit;
  v1::SetImportRequest import;
  import.set_session_id(session);
  import.set_mis_id("m-noah");
  import.set_import(true);
  ASSERT_TRUE(server.sync().SetImport(Ctx().get(), import, &edit).ok());
  v1::SetSyncEmailRequest email;
  email.set_session_id(session);
  email.set_mis_id("m-noah");
  email.set_sync(true);
  ASSERT_TRUE(server.sync().SetSyncEmail(Ctx().get(), email, &edit).ok());
  const int64_t version = edit.session().version();

  const std::string before = HubState(server, t.school, session);
  v1::SaveRequest dry;
  dry.set_session_id(session);
  dry.set_expected_version(version);
  dry.set_validate_only(true);
  v1::SaveResponse will;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), dry, &will);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(will.session().step(), v1::SESSION_STEP_SYNC_SCREEN);
  EXPECT_EQ(will.session().version(), version);
  EXPECT_EQ(will.summary().imported(), 1);
  EXPECT_EQ(will.summary().emails_queued(), 1);
  EXPECT_EQ(will.summary().desynced(), 1) << "Oliver left";
  EXPECT_EQ(HubState(server, t.school, session), before)
      << "a dry run writes nothing";
  // Asking again gives the same answer (nothing moved on).
  v1::SaveResponse again;
  ASSERT_TRUE(server.sync().SaveAndSyncPupils(Ctx().get(), dry, &again).ok());
  EXPECT_EQ(again.summary().SerializeAsString(),
            will.summary().SerializeAsString());

  // A stale version is refused as the save would be.
  v1::SaveRequest stale = dry;
  stale.set_expected_version(version - 1);
  v1::SaveResponse refused;
  EXPECT_EQ(server.sync()
                .SaveAndSyncPupils(Ctx().get(), stale, &refused)
                .error_code(),
            grpc::StatusCode::ABORTED);

  // The real save (Oliver's desync confirmed: 1 of 2 synced is over 10 %)
  // does exactly what the dry run said.
  v1::SaveRequest save = dry;
  save.set_validate_only(false);
  save.set_request_id("save-1");
  save.set_confirm_desync_count(1);
  // Freddie's May match, unreviewed, goes with the admin's say-so (a dry run
  // is never refused for it: tests/service/review_test.cc).
  save.set_allow_unreviewed(true);
  v1::SaveResponse saved;
  s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(saved.session().step(), v1::SESSION_STEP_SAVED);
  EXPECT_EQ(saved.summary().SerializeAsString(),
            will.summary().SerializeAsString())
      << "dry run: " << will.summary().ShortDebugString()
      << "\nsave:    " << saved.summary().ShortDebugString();
  EXPECT_NE(HubState(server, t.school, session), before);

  // A saved session has nothing left to preview (and a dry run is never
  // answered with the saved outcome, as a retried save is).
  v1::SaveRequest after = dry;
  after.set_expected_version(0);
  v1::SaveResponse late;
  EXPECT_EQ(
      server.sync().SaveAndSyncPupils(Ctx().get(), after, &late).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
}

// A school whose synced learners have not changed in the MIS: the save
// leaves them alone (unaffected), and the dry run says so, where counting
// Synced rows (what the console did) said "refresh".
TEST(SaveDryRunTest, UnchangedSyncedLearnersAreUnaffectedNotRefreshed) {
  TestServer server;
  const std::string school = CreateSchool(server, "Steady Academy");
  std::vector<v1::MisLearnerRecord> mis;
  for (const char* name : {"Ada", "Ben", "Cai"}) {
    LearnerSpec spec{name, "Shaw", "2012-01-0" + std::to_string(mis.size() + 1),
                     "",   "8",    "8A",
                     ""};
    CreateLearner(server, school, spec);
    mis.push_back(MisRecord(std::string("m-") + name, spec));
  }
  const std::vector<v1::MisClassRecord> classes = {
      RegClass("reg-8A", "8A", "8")};
  Push(server, school, classes, mis);
  v1::SaveRequest first;
  first.set_session_id(
      ToSyncScreen(server, school, AllStudents(), false, nullptr));
  v1::SaveResponse linked;
  ASSERT_TRUE(
      server.sync().SaveAndSyncPupils(Ctx().get(), first, &linked).ok());
  ASSERT_EQ(linked.summary().linked(), 3);
  mis[1].set_registration_group("8B");  // only Ben moves
  Push(server, school,
       {RegClass("reg-8A", "8A", "8"), RegClass("reg-8B", "8B", "8")}, mis);
  const std::string second =
      ToSyncScreen(server, school, AllStudents(), false, nullptr);
  v1::SaveRequest dry;
  dry.set_session_id(second);
  dry.set_validate_only(true);
  v1::SaveResponse will;
  ASSERT_TRUE(server.sync().SaveAndSyncPupils(Ctx().get(), dry, &will).ok());
  EXPECT_EQ(will.summary().refreshed(), 1);
  EXPECT_EQ(will.summary().unaffected(), 2);
  v1::SaveRequest save = dry;
  save.set_validate_only(false);
  v1::SaveResponse saved;
  ASSERT_TRUE(server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved).ok());
  EXPECT_EQ(saved.summary().SerializeAsString(),
            will.summary().SerializeAsString());
}

}  // namespace
}  // namespace hubsync::testing
