// StepBack through a real server on a real SQLite file: the admin's
// decisions survive a change of scope or email option, a restart, and a hub
// that changed under the session (docs/SYNC.md, "Stepping back").
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

void Ok(const grpc::Status& s) { ASSERT_TRUE(s.ok()) << s.error_message(); }

v1::Session Back(TestServer& server, const std::string& session) {
  v1::StepBackRequest req;
  req.set_session_id(session);
  v1::Session out;
  grpc::Status s = server.sync().StepBack(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

void Scope(TestServer& server, const std::string& session,
           const v1::Scope& scope, bool emails) {
  v1::SetScopeRequest req;
  req.set_session_id(session);
  *req.mutable_scope() = scope;
  req.set_sync_email_addresses(emails);
  v1::Session out;
  grpc::Status s = server.sync().SetScope(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

// Proceed from the Pupils panel, then every row to the end.
std::vector<v1::Row> Reclassify(TestServer& server,
                                const std::string& session) {
  v1::ProceedRequest req;
  req.set_session_id(session);
  v1::Session out;
  grpc::Status s = server.sync().Proceed(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return StreamAll(server, session);
}

void MatchEllieWithEleanor(TestServer& server, const std::string& session,
                           const TwoTerms& t) {
  v1::MatchRequest match;
  match.set_session_id(session);
  match.set_learner_id(t.ellie);
  match.set_mis_id("m-eleanor");
  v1::EditResponse edit;
  Ok(server.sync().Match(Ctx().get(), match, &edit));
}

void ExpectEllieMatched(const std::vector<v1::Row>& rows, const TwoTerms& t) {
  const v1::Row ellie = RowOf(rows, t.ellie);
  EXPECT_EQ(ellie.status(), v1::ROW_STATUS_MATCHED);
  EXPECT_EQ(ellie.mis().mis_id(), "m-eleanor");
  EXPECT_TRUE(ellie.decided_by_admin());
  int eleanor_rows = 0;
  for (const v1::Row& r : rows) eleanor_rows += r.mis().mis_id() == "m-eleanor";
  EXPECT_EQ(eleanor_rows, 1) << "no New row left for the matched MIS learner";
}

v1::Scope RegGroup(const std::string& g) {
  v1::Scope scope;
  scope.set_kind(v1::SCOPE_KIND_REGISTRATION_GROUPS);
  scope.add_registration_groups(g);
  return scope;
}

TEST(StepBackTest, TheEmailOptionChangesAndEveryDecisionIsKept) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  // The admin forgot the email option, then decided on the screen.
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  MatchEllieWithEleanor(server, session, t);
  v1::UnmatchRequest unmatch;
  unmatch.set_session_id(session);
  unmatch.set_learner_id(t.freddie);
  v1::EditResponse edit;
  Ok(server.sync().Unmatch(Ctx().get(), unmatch, &edit));
  v1::SetImportRequest import;
  import.set_session_id(session);
  import.set_mis_id("m-noah");
  import.set_import(true);
  Ok(server.sync().SetImport(Ctx().get(), import, &edit));

  v1::Session back = Back(server, session);
  EXPECT_EQ(back.step(), v1::SESSION_STEP_PUPILS_PANEL);
  EXPECT_EQ(back.decisions().pending(), 4)  // Match, Unmatch, 2 Import?
      << back.DebugString();
  Scope(server, session, AllStudents(), true);
  std::vector<v1::Row> rows = Reclassify(server, session);

  ExpectEllieMatched(rows, t);
  EXPECT_EQ(RowOf(rows, t.freddie).status(), v1::ROW_STATUS_NOT_MATCHED);
  EXPECT_EQ(RowOf(rows, "m-freddie").status(), v1::ROW_STATUS_NEW);
  EXPECT_TRUE(RowOf(rows, "m-freddie").import());
  EXPECT_TRUE(RowOf(rows, "m-noah").import());
  EXPECT_EQ(RowOf(rows, t.isla).status(), v1::ROW_STATUS_MATCHED)
      << "rows nobody decided on are classified as before";
  v1::Session s = GetSession(server, session);
  EXPECT_EQ(s.step(), v1::SESSION_STEP_SYNC_SCREEN);
  EXPECT_TRUE(s.sync_email_addresses());
  EXPECT_EQ(s.decisions().applied(), 4);
  EXPECT_EQ(s.decisions().dropped(), 0);

  // Now an email tick, then the option off again: the tick is dropped and
  // said so; the rest (the Unmatch too, a second time) is kept.
  v1::SetSyncEmailRequest email;
  email.set_session_id(session);
  email.set_mis_id("m-noah");
  email.set_sync(true);
  Ok(server.sync().SetSyncEmail(Ctx().get(), email, &edit));
  Back(server, session);
  Scope(server, session, AllStudents(), false);
  rows = Reclassify(server, session);
  ExpectEllieMatched(rows, t);
  EXPECT_EQ(RowOf(rows, t.freddie).status(), v1::ROW_STATUS_NOT_MATCHED);
  EXPECT_TRUE(RowOf(rows, "m-noah").import());
  EXPECT_FALSE(RowOf(rows, "m-noah").sync_email());
  s = GetSession(server, session);
  ASSERT_EQ(s.decisions().dropped(), 1) << s.DebugString();
  EXPECT_THAT(s.decisions().dropped_decisions(0).decision(),
              HasSubstr("Sync email? m-noah (Noah Patel)"));
  EXPECT_THAT(s.decisions().dropped_decisions(0).reason(),
              HasSubstr("email option is off"));

  // And the screen saves as decided.
  v1::SaveRequest save;
  save.set_session_id(session);
  save.set_confirm_desync_count(1);  // Oliver left
  v1::SaveResponse saved;
  Ok(server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved));
  EXPECT_EQ(saved.summary().imported(), 2);  // Noah, and Freddie Wood
}

TEST(StepBackTest, ADecisionWhoseRowIsOutOfTheNewScopeIsDroppedAndReported) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  MatchEllieWithEleanor(server, session, t);
  Back(server, session);
  Scope(server, session, RegGroup("8B"), false);  // Amelia's group only
  std::vector<v1::Row> rows = Reclassify(server, session);
  EXPECT_EQ(RowOf(rows, t.ellie).row_id(), 0) << "Ellie is out of scope";
  v1::Session s = GetSession(server, session);
  EXPECT_EQ(s.decisions().applied(), 0);
  ASSERT_EQ(s.decisions().dropped(), 1);
  EXPECT_EQ(
      s.decisions().dropped_decisions(0).decision(),
      "Match Ellie Moss (" + t.ellie + ") <-> m-eleanor (Eleanor Carter)");
  EXPECT_EQ(s.decisions().dropped_decisions(0).reason(),
            t.ellie + " is out of scope");

  // Back to all students: the dropped Match is gone for good.
  Back(server, session);
  Scope(server, session, AllStudents(), false);
  rows = Reclassify(server, session);
  EXPECT_EQ(RowOf(rows, t.ellie).status(), v1::ROW_STATUS_NOT_MATCHED);
}

TEST(StepBackTest, KeptDecisionsSurviveARestart) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  MatchEllieWithEleanor(server, session, t);
  Back(server, session);
  server.Restart();
  EXPECT_EQ(GetSession(server, session).decisions().pending(), 1);
  Scope(server, session, AllStudents(), true);
  ExpectEllieMatched(Reclassify(server, session), t);
  server.Restart();
  v1::Session s = GetSession(server, session);
  EXPECT_EQ(s.decisions().applied(), 1) << "the report is stored too";
  ExpectEllieMatched(StreamAll(server, session), t);
}

TEST(StepBackTest,
     AHubChangedUnderTheSessionIsClassifiedAgainKeepingDecisions) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string mine =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  MatchEllieWithEleanor(server, mine, t);
  // Another admin saves first (Isla and Freddie linked, Amelia refreshed).
  const std::string theirs =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  v1::SaveRequest save;
  save.set_session_id(theirs);
  save.set_confirm_desync_count(1);  // Oliver left
  save.set_allow_unreviewed(true);   // Freddie's May match, in both sessions
  v1::SaveResponse saved;
  Ok(server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved));

  save.set_session_id(mine);
  grpc::Status refused =
      server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("StepBack"));
  EXPECT_THAT(refused.error_message(), HasSubstr("hubsync sync back"));

  Back(server, mine);
  std::vector<v1::Row> rows = Reclassify(server, mine);
  ExpectEllieMatched(rows, t);
  EXPECT_EQ(RowOf(rows, t.isla).status(), v1::ROW_STATUS_SYNCED)
      << "classified from the hub as it is now";
  Ok(server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved));
  EXPECT_EQ(saved.summary().linked(), 1);  // Ellie
}

TEST(StepBackTest, OnlyFromTheSyncScreen) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  v1::StartSessionRequest start;
  start.set_school_id(t.school);
  v1::Session s;
  Ok(server.sync().StartSession(Ctx().get(), start, &s));
  v1::StepBackRequest req;
  req.set_session_id(s.session_id());
  v1::Session out;
  grpc::Status refused = server.sync().StepBack(Ctx().get(), req, &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("CLASS_SYNC"));
  v1::ProceedRequest proceed;
  proceed.set_session_id(s.session_id());
  Ok(server.sync().Proceed(Ctx().get(), proceed, &out));
  refused = server.sync().StepBack(Ctx().get(), req, &out);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("is at step PUPILS_PANEL; the session is on the "
                        "Pupils panel already"));
  req.set_session_id("ses_0000000000000000");
  EXPECT_EQ(server.sync().StepBack(Ctx().get(), req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(StepBackTest, StepBackAndTheAppliedDecisionsAreAudited) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  MatchEllieWithEleanor(server, session, t);
  Back(server, session);
  Scope(server, session, RegGroup("8B"), false);
  Reclassify(server, session);
  v1::ListAuditRecordsRequest req;
  req.set_school_id(t.school);
  req.set_session_id(session);
  v1::ListAuditRecordsResponse out;
  Ok(server.accounts().ListAuditRecords(Ctx().get(), req, &out));
  std::vector<v1::AuditRecord> found;
  for (const v1::AuditRecord& a : out.records()) {
    if (a.verb() == "step_back" || a.verb() == "apply_decisions") {
      found.push_back(a);
    }
  }
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].verb(), "step_back");
  EXPECT_FALSE(found[0].actor().empty());
  EXPECT_THAT(found[0].before_json(), HasSubstr("\"step\":\"SYNC_SCREEN\""));
  EXPECT_THAT(found[0].after_json(), HasSubstr("\"step\":\"PUPILS_PANEL\""));
  EXPECT_THAT(found[0].after_json(), HasSubstr("\"kept_matches\":1"));
  EXPECT_EQ(found[1].verb(), "apply_decisions");
  EXPECT_FALSE(found[1].actor().empty());
  EXPECT_THAT(found[1].after_json(),
              HasSubstr("{\"decision\":\"match\",\"learner_id\":\"" + t.ellie +
                        "\",\"mis_id\":\"m-eleanor\",\"reason\":\"" + t.ellie +
                        " is out of scope\"}"));
}

TEST(StepBackTest, AStaleVersionIsAbortedAndWatchersSeeTheStepBack) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const int64_t from = GetSession(server, session).version();
  auto ctx = Ctx();
  v1::WatchSessionRequest watch;
  watch.set_session_id(session);
  watch.set_after_version(from);
  auto reader = server.sync().WatchSession(ctx.get(), watch);

  MatchEllieWithEleanor(server, session, t);  // now at from + 1
  v1::StepBackRequest req;
  req.set_session_id(session);
  req.set_expected_version(from);
  v1::Session out;
  grpc::Status stale = server.sync().StepBack(Ctx().get(), req, &out);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(GetSession(server, session).step(), v1::SESSION_STEP_SYNC_SCREEN)
      << "nothing changed";
  req.set_expected_version(from + 1);
  Ok(server.sync().StepBack(Ctx().get(), req, &out));
  EXPECT_EQ(out.version(), from + 2);

  std::vector<std::string> verbs;
  v1::SessionEvent event;
  while (verbs.size() < 2 && reader->Read(&event)) {
    verbs.push_back(event.verb());
  }
  EXPECT_THAT(verbs, ::testing::ElementsAre("Match", "StepBack"));
  EXPECT_EQ(event.session().step(), v1::SESSION_STEP_PUPILS_PANEL);
  EXPECT_EQ(event.session().decisions().pending(), 1);
  ctx->TryCancel();
}

TEST(StepBackTest, AReviewedMayMatchStaysReviewed) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  v1::SetReviewedRequest review;
  review.set_session_id(session);
  review.set_learner_id(t.freddie);
  review.set_reviewed(true);
  v1::EditResponse edit;
  Ok(server.sync().SetReviewed(Ctx().get(), review, &edit));
  EXPECT_EQ(edit.session().summary().unreviewed_may_match(), 0);

  Back(server, session);
  Scope(server, session, AllStudents(), /*emails=*/true);
  std::vector<v1::Row> rows = Reclassify(server, session);
  const v1::Row freddie = RowOf(rows, t.freddie);
  EXPECT_EQ(freddie.status(), v1::ROW_STATUS_MAY_MATCH);
  EXPECT_TRUE(freddie.reviewed()) << "the admin's review is a decision kept";
  EXPECT_EQ(GetSession(server, session).summary().unreviewed_may_match(), 0);
  // So the save does not ask about him again.
  v1::SaveRequest save;
  save.set_session_id(session);
  save.set_confirm_desync_count(1);  // Oliver left
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

}  // namespace
}  // namespace hubsync::testing
