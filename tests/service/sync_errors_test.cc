// Wrong-step and wrong-status verbs, unknown ids and stale versions: each
// gets its status code, and nothing changes.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

// The session and the hub, as a user could see them, to compare before and
// after a refused call.
struct Seen {
  int64_t version;
  v1::SessionStep step;
  std::string rows;
  std::string hub;
  bool operator==(const Seen& o) const {
    return version == o.version && step == o.step && rows == o.rows &&
           hub == o.hub;
  }
};

Seen Look(TestServer& server, const std::string& school,
          const std::string& session) {
  Seen seen;
  v1::Session s = GetSession(server, session);
  seen.version = s.version();
  seen.step = s.step();
  if (s.step() == v1::SESSION_STEP_SYNC_SCREEN) {
    for (const auto& r : StreamAll(server, session))
      seen.rows += r.SerializeAsString();
  }
  for (const auto& l : Learners(server, school))
    seen.hub += l.SerializeAsString();
  return seen;
}

TEST(SyncErrorsTest, SaveBeforeClassifyingIsFailedPrecondition) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  v1::StartSessionRequest start;
  start.set_school_id(t.school);
  v1::Session session;
  ASSERT_TRUE(server.sync().StartSession(Ctx().get(), start, &session).ok());
  Seen before = Look(server, t.school, session.session_id());
  v1::SaveRequest save;
  save.set_session_id(session.session_id());
  v1::SaveResponse out;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("CLASS_SYNC"));
  EXPECT_TRUE(Look(server, t.school, session.session_id()) == before);

  // Streaming rows before classification is refused the same way.
  v1::StreamRowsRequest stream;
  stream.set_session_id(session.session_id());
  auto ctx = Ctx();
  auto reader = server.sync().StreamRows(ctx.get(), stream);
  v1::RowBatch batch;
  EXPECT_FALSE(reader->Read(&batch));
  EXPECT_EQ(reader->Finish().error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST(SyncErrorsTest, WrongStatusVerbsChangeNothing) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  Seen before = Look(server, t.school, session);
  v1::EditResponse edit;

  v1::MatchRequest match_synced;  // Amelia is Synced
  match_synced.set_session_id(session);
  match_synced.set_learner_id(t.amelia);
  match_synced.set_mis_id("m-noah");
  grpc::Status s = server.sync().Match(Ctx().get(), match_synced, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("Synced"));

  v1::UnmatchRequest unmatch_new;  // Noah is New
  unmatch_new.set_session_id(session);
  unmatch_new.set_mis_id("m-noah");
  s = server.sync().Unmatch(Ctx().get(), unmatch_new, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("New"));

  v1::SetImportRequest import_matched;  // Isla's MIS record is Matched
  import_matched.set_session_id(session);
  import_matched.set_mis_id("m-isla");
  import_matched.set_import(true);
  s = server.sync().SetImport(Ctx().get(), import_matched, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::SetSyncEmailRequest email_off;  // the session's email option is off
  email_off.set_session_id(session);
  email_off.set_mis_id("m-noah");
  email_off.set_sync(true);
  s = server.sync().SetSyncEmail(Ctx().get(), email_off, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("email sync is off"));

  v1::ProceedRequest proceed;  // already on the sync screen
  proceed.set_session_id(session);
  v1::Session out;
  s = server.sync().Proceed(Ctx().get(), proceed, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::SetScopeRequest scope;  // the scope is chosen on the Pupils panel
  scope.set_session_id(session);
  *scope.mutable_scope() = AllStudents();
  s = server.sync().SetScope(Ctx().get(), scope, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  EXPECT_TRUE(Look(server, t.school, session) == before);
}

TEST(SyncErrorsTest, UnknownIdsAreNotFound) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  Seen before = Look(server, t.school, session);
  v1::EditResponse edit;

  v1::MatchRequest match;
  match.set_session_id(session);
  match.set_learner_id(t.ellie);
  match.set_mis_id("m-nobody");
  grpc::Status s = server.sync().Match(Ctx().get(), match, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("m-nobody"));

  v1::GetSessionRequest get;
  get.set_session_id("ses_doesnotexist");
  v1::Session out;
  s = server.sync().GetSession(Ctx().get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("ses_doesnotexist"));

  v1::StartSessionRequest start;
  start.set_school_id("sch_nope");
  s = server.sync().StartSession(Ctx().get(), start, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::GetLearnerRequest learner;
  learner.set_learner_id("lrn_nope");
  v1::Learner l;
  s = server.hub().GetLearner(Ctx().get(), learner, &l);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);

  v1::MatchRequest missing;  // a required field left out
  missing.set_session_id(session);
  missing.set_learner_id(t.ellie);
  s = server.sync().Match(Ctx().get(), missing, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("mis_id"));

  EXPECT_TRUE(Look(server, t.school, session) == before);
}

TEST(SyncErrorsTest, StaleVersionIsAbortedAndChangesNothing) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const int64_t version = GetSession(server, session).version();
  v1::SetImportAllRequest all;
  all.set_session_id(session);
  all.set_expected_version(version);
  all.set_import(true);
  v1::EditResponse edit;
  ASSERT_TRUE(server.sync().SetImportAll(Ctx().get(), all, &edit).ok());
  EXPECT_EQ(edit.session().version(), version + 1);
  Seen before = Look(server, t.school, session);

  all.set_import(false);  // still carries the old version
  grpc::Status s = server.sync().SetImportAll(Ctx().get(), all, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_TRUE(Look(server, t.school, session) == before);
}

TEST(SyncErrorsTest, SaveRefusesWhenTheHubChangedSinceClassifying) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  CreateLearner(server, t.school, {"Late", "Addition", "", "", "7", "7A", ""});
  Seen before = Look(server, t.school, session);
  v1::SaveRequest save;
  save.set_session_id(session);
  v1::SaveResponse out;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("changed"));
  EXPECT_TRUE(Look(server, t.school, session) == before);
}

TEST(SyncErrorsTest, BadScopeNamesTheField) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  v1::StartSessionRequest start;
  start.set_school_id(t.school);
  v1::Session session;
  ASSERT_TRUE(server.sync().StartSession(Ctx().get(), start, &session).ok());
  v1::ProceedRequest proceed;
  proceed.set_session_id(session.session_id());
  ASSERT_TRUE(server.sync().Proceed(Ctx().get(), proceed, &session).ok());
  v1::SetScopeRequest scope;
  scope.set_session_id(session.session_id());
  scope.mutable_scope()->set_kind(v1::SCOPE_KIND_REGISTRATION_GROUPS);
  scope.mutable_scope()->add_registration_groups("9Z");
  v1::Session out;
  grpc::Status s = server.sync().SetScope(Ctx().get(), scope, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("scope.registration_groups[0]"));
  EXPECT_THAT(s.error_message(), HasSubstr("9Z"));
  EXPECT_EQ(GetSession(server, session.session_id()).version(),
            session.version());
}

}  // namespace
}  // namespace hubsync::testing
