// No unreviewed guess saved by accident: a May match row is the classifier's
// guess, and a save links and overwrites the hub learner from it. A save
// with May match rows nobody marked reviewed is refused, naming them, unless
// the caller passes allow_unreviewed; SetReviewed / SetReviewedAll mark
// them, in the database and the audit trail like every other edit.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

// Everything a user could see of the hub and the session.
std::string SeenOfReview(TestServer& server, const std::string& school,
                         const std::string& session) {
  std::string seen = GetSession(server, session).SerializeAsString();
  for (const auto& r : StreamAll(server, session))
    seen += r.SerializeAsString();
  for (const auto& l : Learners(server, school)) seen += l.SerializeAsString();
  return seen;
}

struct SaveTry {
  grpc::Status status;
  v1::SaveResponse response;
  v1::UnreviewedMayMatch unreviewed;
  bool has_unreviewed = false;
};

// Term 2 of two_terms.h desyncs 1 of 2 synced learners, so every save here
// confirms that count: the mass-desync guard is not what these tests show.
SaveTry SaveWith(TestServer& server, const std::string& session,
                 bool allow_unreviewed, bool validate_only = false) {
  v1::SaveRequest save;
  save.set_session_id(session);
  save.set_confirm_desync_count(1);
  save.set_allow_unreviewed(allow_unreviewed);
  save.set_validate_only(validate_only);
  auto ctx = Ctx();
  SaveTry t;
  t.status = server.sync().SaveAndSyncPupils(ctx.get(), save, &t.response);
  const auto& md = ctx->GetServerTrailingMetadata();
  auto it = md.find("hubsync-unreviewed-bin");
  if (it != md.end()) {
    t.has_unreviewed = t.unreviewed.ParseFromArray(
        it->second.data(), static_cast<int>(it->second.size()));
  }
  return t;
}

grpc::Status Review(TestServer& server, const std::string& session,
                    const std::string& learner_id, const std::string& mis_id,
                    bool reviewed, v1::EditResponse* out,
                    int64_t expected_version = 0) {
  v1::SetReviewedRequest req;
  req.set_session_id(session);
  req.set_expected_version(expected_version);
  req.set_learner_id(learner_id);
  req.set_mis_id(mis_id);
  req.set_reviewed(reviewed);
  return server.sync().SetReviewed(Ctx().get(), req, out);
}

grpc::Status ReviewAll(TestServer& server, const std::string& session,
                       bool reviewed, int64_t confirm_count,
                       v1::EditResponse* out) {
  v1::SetReviewedAllRequest req;
  req.set_session_id(session);
  req.set_reviewed(reviewed);
  req.set_confirm_count(confirm_count);
  return server.sync().SetReviewedAll(Ctx().get(), req, out);
}

// What was seen: a save linked hand-made Freddie Taylor to MIS Freddie Wood,
// a May match nobody had looked at, and overwrote him, with no warning.
TEST(ReviewTest, SaveWithAnUnreviewedMayMatchIsRefusedNamingIt) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::vector<v1::Row> rows;
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, &rows);
  ASSERT_EQ(RowOf(rows, t.freddie).status(), v1::ROW_STATUS_MAY_MATCH);
  EXPECT_FALSE(RowOf(rows, t.freddie).reviewed());
  EXPECT_EQ(GetSession(server, session).summary().unreviewed_may_match(), 1);
  const std::string before = SeenOfReview(server, t.school, session);

  SaveTry refused = SaveWith(server, session, /*allow_unreviewed=*/false);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.status.error_message(),
              HasSubstr("has 1 May match row(s) nobody has reviewed"));
  EXPECT_THAT(refused.status.error_message(),
              HasSubstr("Freddie Taylor (" + t.freddie +
                        ") may be MIS Freddie Wood (m-freddie)"));
  EXPECT_THAT(refused.status.error_message(), HasSubstr("allow_unreviewed"));
  ASSERT_TRUE(refused.has_unreviewed);
  EXPECT_EQ(refused.unreviewed.count(), 1);
  ASSERT_EQ(refused.unreviewed.rows_size(), 1);
  EXPECT_EQ(refused.unreviewed.rows(0).learner_id(), t.freddie);
  EXPECT_EQ(refused.unreviewed.rows(0).mis_id(), "m-freddie");
  EXPECT_EQ(refused.unreviewed.rows(0).hub_name(), "Freddie Taylor");
  EXPECT_EQ(refused.unreviewed.rows(0).mis_name(), "Freddie Wood");
  EXPECT_EQ(refused.unreviewed.rows(0).row_id(),
            RowOf(rows, t.freddie).row_id());
  // Nothing written: not Freddie, not the session, not anyone.
  EXPECT_EQ(SeenOfReview(server, t.school, session), before);
  EXPECT_EQ(FindLearner(Learners(server, t.school), "Freddie").legal_surname(),
            "Taylor");

  // The caller that showed the admin the list and was told to go ahead.
  SaveTry allowed = SaveWith(server, session, /*allow_unreviewed=*/true);
  ASSERT_TRUE(allowed.status.ok()) << allowed.status.error_message();
  EXPECT_FALSE(allowed.has_unreviewed);
  const v1::Learner freddie =
      FindLearner(Learners(server, t.school), "Freddie");
  EXPECT_EQ(freddie.sync_state(), v1::SYNC_STATE_SYNCED);
  EXPECT_EQ(freddie.legal_surname(), "Wood");
}

TEST(ReviewTest, ADryRunReportsTheCountAndIsNotRefused) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  SaveTry dry = SaveWith(server, session, false, /*validate_only=*/true);
  ASSERT_TRUE(dry.status.ok()) << dry.status.error_message();
  EXPECT_EQ(dry.response.session().summary().unreviewed_may_match(), 1);
  EXPECT_EQ(dry.response.summary().linked(), 2);  // Isla and Freddie
  EXPECT_EQ(dry.response.session().step(), v1::SESSION_STEP_SYNC_SCREEN);
}

TEST(ReviewTest, ReviewedRowsSaveUnasked) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const int64_t version = GetSession(server, session).version();
  v1::EditResponse edit;
  // A stale version changes nothing, as for every edit.
  grpc::Status s = Review(server, session, t.freddie, "", true, &edit, 1);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  s = Review(server, session, t.freddie, "", true, &edit, version);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(edit.changed_rows_size(), 1);
  EXPECT_TRUE(edit.changed_rows(0).reviewed());
  EXPECT_EQ(edit.changed_rows(0).status(), v1::ROW_STATUS_MAY_MATCH);
  EXPECT_EQ(edit.changed_rows(0).hub().legal_surname(), "Taylor");
  EXPECT_EQ(edit.session().version(), version + 1);
  EXPECT_EQ(edit.session().summary().unreviewed_may_match(), 0);
  EXPECT_TRUE(RowOf(StreamAll(server, session), t.freddie).reviewed());

  // Undone by either side's id, and done again.
  ASSERT_TRUE(Review(server, session, "", "m-freddie", false, &edit).ok());
  EXPECT_FALSE(edit.changed_rows(0).reviewed());
  EXPECT_EQ(edit.session().summary().unreviewed_may_match(), 1);
  ASSERT_TRUE(Review(server, session, "", "m-freddie", true, &edit).ok());

  // Only May match rows; ids that are on no row; exactly one id.
  s = Review(server, session, t.amelia, "", true, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("is Synced"));
  s = Review(server, session, t.isla, "", true, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  s = Review(server, session, "", "m-nobody", true, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = Review(server, session, t.freddie, "m-freddie", true, &edit);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  SaveTry saved = SaveWith(server, session, /*allow_unreviewed=*/false);
  ASSERT_TRUE(saved.status.ok()) << saved.status.error_message();
  EXPECT_EQ(FindLearner(Learners(server, t.school), "Freddie").legal_surname(),
            "Wood");
}

TEST(ReviewTest, ReviewingEveryRowNeedsTheRightCount) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const std::string before = SeenOfReview(server, t.school, session);
  v1::EditResponse edit;
  for (int64_t wrong : {0, 2}) {
    grpc::Status s = ReviewAll(server, session, true, wrong, &edit);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << wrong;
    EXPECT_THAT(s.error_message(), HasSubstr("confirm_count = 1"));
  }
  EXPECT_EQ(ReviewAll(server, session, true, -1, &edit).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(SeenOfReview(server, t.school, session), before);

  grpc::Status s = ReviewAll(server, session, true, 1, &edit);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(edit.changed_rows_size(), 1);
  EXPECT_EQ(edit.changed_rows(0).hub().learner_id(), t.freddie);
  EXPECT_TRUE(edit.changed_rows(0).reviewed());
  EXPECT_EQ(edit.session().summary().unreviewed_may_match(), 0);
  // Nothing left to mark: a count of 0 is the only right one.
  EXPECT_TRUE(ReviewAll(server, session, true, 0, &edit).ok());
  EXPECT_EQ(edit.changed_rows_size(), 0);

  EXPECT_TRUE(SaveWith(server, session, false).status.ok());
}

TEST(ReviewTest, AHandMadeMatchIsReviewedAndAnUnmatchedRowIsNot) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  v1::EditResponse edit;
  v1::MatchRequest match;
  match.set_session_id(session);
  match.set_learner_id(t.ellie);
  match.set_mis_id("m-eleanor");
  ASSERT_TRUE(server.sync().Match(Ctx().get(), match, &edit).ok());
  EXPECT_TRUE(edit.changed_rows(0).reviewed()) << "matching is a decision";
  ASSERT_TRUE(Review(server, session, t.freddie, "", true, &edit).ok());
  v1::UnmatchRequest unmatch;
  unmatch.set_session_id(session);
  unmatch.set_learner_id(t.freddie);
  ASSERT_TRUE(server.sync().Unmatch(Ctx().get(), unmatch, &edit).ok());
  for (const v1::Row& r : edit.changed_rows()) EXPECT_FALSE(r.reviewed());
  EXPECT_EQ(edit.session().summary().unreviewed_may_match(), 0);
  EXPECT_TRUE(SaveWith(server, session, false).status.ok());
}

// Another admin's screen learns of the mark as of any edit: a WatchSession
// event with the row, reviewed, and the session's new count.
TEST(ReviewTest, AWatcherSeesTheMark) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const int64_t from = GetSession(server, session).version();
  auto ctx = Ctx();
  v1::WatchSessionRequest watch;
  watch.set_session_id(session);
  watch.set_after_version(from);
  auto reader = server.sync().WatchSession(ctx.get(), watch);

  v1::EditResponse edit;
  ASSERT_TRUE(Review(server, session, t.freddie, "", true, &edit).ok());
  v1::SessionEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.verb(), "SetReviewed");
  EXPECT_EQ(event.version(), from + 1);
  ASSERT_EQ(event.changed_rows_size(), 1);
  EXPECT_EQ(event.changed_rows(0).hub().learner_id(), t.freddie);
  EXPECT_TRUE(event.changed_rows(0).reviewed());
  EXPECT_EQ(event.session().summary().unreviewed_may_match(), 0);
  ctx->TryCancel();
  reader->Finish();
}

TEST(ReviewTest, TheMarkSurvivesARestartAndIsAudited) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  v1::EditResponse edit;
  ASSERT_TRUE(Review(server, session, t.freddie, "", true, &edit).ok());

  server.Restart();
  v1::StatusSummary summary;
  std::vector<v1::Row> rows = StreamAll(server, session, &summary);
  EXPECT_TRUE(RowOf(rows, t.freddie).reviewed());
  EXPECT_EQ(RowOf(rows, t.freddie).status(), v1::ROW_STATUS_MAY_MATCH);
  EXPECT_EQ(summary.unreviewed_may_match(), 0);
  EXPECT_EQ(GetSession(server, session).summary().unreviewed_may_match(), 0);

  v1::ListAuditRecordsRequest req;
  req.set_school_id(t.school);
  req.set_session_id(session);
  v1::ListAuditRecordsResponse trail;
  ASSERT_TRUE(
      server.accounts().ListAuditRecords(Ctx().get(), req, &trail).ok());
  int found = 0;
  for (const v1::AuditRecord& a : trail.records()) {
    if (a.verb() != "set_reviewed") continue;
    ++found;
    EXPECT_EQ(a.learner_id(), t.freddie);
    EXPECT_EQ(a.actor_role(), "admin");
    EXPECT_THAT(a.before_json(), HasSubstr("\"reviewed\":false"));
    EXPECT_THAT(a.after_json(), HasSubstr("\"reviewed\":true"));
  }
  EXPECT_EQ(found, 1);

  EXPECT_TRUE(SaveWith(server, session, false).status.ok());
}

}  // namespace
}  // namespace hubsync::testing
