// UpdateLearner, ArchiveLearner, RestoreLearner and UnlinkLearner through a
// real server: what the admin sees in the lists, the sessions and the audit
// trail afterwards.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

grpc::Status Update(TestServer& server, const std::string& id,
                    const std::string& field, const std::string& value,
                    v1::Learner* out) {
  v1::UpdateLearnerRequest r;
  r.mutable_learner()->set_learner_id(id);
  const google::protobuf::FieldDescriptor* f =
      v1::Learner::descriptor()->FindFieldByName(field);
  v1::Learner::GetReflection()->SetString(r.mutable_learner(), f, value);
  r.mutable_update_mask()->add_paths(field);
  return server.hub().UpdateLearner(Ctx().get(), r, out);
}

grpc::Status Archive(TestServer& server, const std::string& id) {
  v1::ArchiveLearnerRequest r;
  r.set_learner_id(id);
  v1::Learner out;
  return server.hub().ArchiveLearner(Ctx().get(), r, &out);
}

grpc::Status Restore(TestServer& server, const std::string& id,
                     v1::Learner* out) {
  v1::RestoreLearnerRequest r;
  r.set_learner_id(id);
  return server.hub().RestoreLearner(Ctx().get(), r, out);
}

grpc::Status Unlink(TestServer& server, const std::string& id,
                    v1::Learner* out) {
  v1::UnlinkLearnerRequest r;
  r.set_learner_id(id);
  return server.hub().UnlinkLearner(Ctx().get(), r, out);
}

std::vector<std::string> LearnerIds(TestServer& server,
                                    const std::string& school) {
  std::vector<std::string> out;
  for (const v1::Learner& l : Learners(server, school)) {
    out.push_back(l.learner_id());
  }
  return out;
}

std::vector<v1::AuditRecord> LearnerTrail(TestServer& server,
                                          const std::string& school,
                                          const std::string& learner) {
  v1::ListAuditRecordsRequest req;
  req.set_school_id(school);
  req.set_learner_id(learner);
  v1::ListAuditRecordsResponse out;
  grpc::Status s = server.accounts().ListAuditRecords(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {out.records().begin(), out.records().end()};
}

// Every row's "status hub-id mis-id".
std::vector<std::string> RowKeys(const std::vector<v1::Row>& rows) {
  std::vector<std::string> out;
  for (const v1::Row& r : rows) {
    out.push_back(absl::StrCat(v1::RowStatus_Name(r.status()), " ",
                               r.hub().learner_id(), " ", r.mis().mis_id()));
  }
  return out;
}

TEST(LearnerEditsServiceTest, MisOwnedFieldOfASyncedLearnerIsRefused) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);  // Amelia is synced with m-amelia
  const std::vector<v1::Learner> before = Learners(server, t.school);
  v1::Learner out;
  grpc::Status s = Update(server, t.amelia, "year_group", "9", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(),
              HasSubstr("year_group of Amelia Jones (" + t.amelia +
                        ") is managed by the MIS"));
  EXPECT_THAT(s.error_message(), HasSubstr("change it in the MIS and sync"));
  s = Update(server, t.amelia, "legal_surname", "Smith", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const std::vector<v1::Learner> after = Learners(server, t.school);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].SerializeAsString(), before[i].SerializeAsString());
  }
  // The email is the hub's own: it may change.
  s = Update(server, t.amelia, "email", "amelia.j@example.org", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.email(), "amelia.j@example.org");
  EXPECT_EQ(out.sync_state(), v1::SYNC_STATE_SYNCED);
}

TEST(LearnerEditsServiceTest, HandMadeEditIsSavedAndAuditedUnderTheKey) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  v1::Learner out;
  grpc::Status s = Update(server, t.isla, "year_group", "08", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.year_group(), "8");  // canonical, as on create
  s = Update(server, t.isla, "registration_group", "8A", &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.legal_forename(), "Isla");
  const v1::Learner stored = FindLearner(Learners(server, t.school), "Isla");
  EXPECT_EQ(stored.year_group(), "8");
  EXPECT_EQ(stored.registration_group(), "8A");
  const std::vector<v1::AuditRecord> trail =
      LearnerTrail(server, t.school, t.isla);
  ASSERT_GE(trail.size(), 3u);
  const v1::AuditRecord& last = trail.back();
  EXPECT_EQ(last.verb(), "update");
  EXPECT_THAT(last.before_json(), HasSubstr("\"registration_group\":\"7A\""));
  EXPECT_THAT(last.after_json(), HasSubstr("\"registration_group\":\"8A\""));
  EXPECT_THAT(last.actor_key_id(), HasSubstr("key_"));
  // A bad value is refused as CreateLearner refuses it.
  s = Update(server, t.isla, "date_of_birth", "2013-02-30", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("learner.date_of_birth"));
}

TEST(LearnerEditsServiceTest, ArchiveHidesEverywhereRestoreBringsClassesBack) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  v1::CreateLearnerRequest req = LearnerRequest(
      t.school, {"Noah", "Patel", "2013-02-03", "", "7", "7A", ""});
  req.mutable_learner()->add_classes("7x/Ma1");
  req.mutable_learner()->add_classes("7x/En1");
  v1::Learner noah;
  ASSERT_TRUE(server.hub().CreateLearner(Ctx().get(), req, &noah).ok());
  // A session classified before the archive cannot save over it.
  const std::string stale =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);

  ASSERT_TRUE(Archive(server, noah.learner_id()).ok());
  EXPECT_THAT(LearnerIds(server, t.school), Not(Contains(noah.learner_id())));
  v1::ListLearnersRequest archived_req;
  archived_req.set_school_id(t.school);
  archived_req.set_archived(true);
  v1::ListLearnersResponse archived;
  ASSERT_TRUE(
      server.hub().ListLearners(Ctx().get(), archived_req, &archived).ok());
  ASSERT_EQ(archived.learners_size(), 1);
  EXPECT_EQ(archived.learners(0).learner_id(), noah.learner_id());
  EXPECT_TRUE(archived.learners(0).has_archive_time());

  v1::SaveRequest save;
  save.set_session_id(stale);
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();

  // A new session: Noah is on no row; MIS Noah is New.
  std::vector<v1::Row> rows;
  ToSyncScreen(server, t.school, AllStudents(), false, &rows);
  for (const v1::Row& r : rows) {
    EXPECT_NE(r.hub().learner_id(), noah.learner_id());
  }
  EXPECT_EQ(RowOf(rows, "m-noah").status(), v1::ROW_STATUS_NEW);

  v1::Learner back;
  s = Restore(server, noah.learner_id(), &back);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(back.has_archive_time());
  EXPECT_THAT(back.classes(), ElementsAre("7x/En1", "7x/Ma1"));
  const v1::Learner listed = FindLearner(Learners(server, t.school), "Noah");
  EXPECT_THAT(listed.classes(), ElementsAre("7x/En1", "7x/Ma1"));
  std::vector<std::string> verbs;
  for (const auto& a : LearnerTrail(server, t.school, noah.learner_id())) {
    verbs.push_back(a.verb());
  }
  EXPECT_THAT(verbs, ElementsAre("create", "archive", "restore"));
}

// The story: a May match row saved unreviewed linked hand-made
// Freddie Taylor to MIS Freddie Wood and overwrote him. Unlink makes him
// hand-made again (as he is now); once his record is put right, the next
// sync shows MIS Freddie Wood as New and Freddie Taylor as Not matched.
TEST(LearnerEditsServiceTest, UnlinkedLearnerIsNotMatchedAndTheMisLearnerNew) {
  TestServer server;
  const std::string school = CreateSchool(server, "Unlink Academy");
  const std::string freddie = CreateLearner(
      server, school, {"Freddie", "Taylor", "2013-05-06", "", "7", "7A", ""});
  Push(server, school, {RegClass("reg-7A", "7A", "7")},
       {MisRecord("m-freddie",
                  {"Freddie", "Wood", "2013-05-06", "", "7", "7A", ""})});
  std::vector<v1::Row> rows;
  std::string session =
      ToSyncScreen(server, school, AllStudents(), false, &rows);
  ASSERT_THAT(RowKeys(rows),
              ElementsAre(HasSubstr(freddie + " m-freddie")));  // paired
  v1::SaveRequest save;
  save.set_session_id(session);
  save.set_allow_unreviewed(true);  // the wrong link this test undoes
  v1::SaveResponse saved;
  ASSERT_TRUE(server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved).ok());
  v1::Learner linked = FindLearner(Learners(server, school), "Freddie");
  ASSERT_EQ(linked.sync_state(), v1::SYNC_STATE_SYNCED);
  ASSERT_EQ(linked.legal_surname(), "Wood");

  v1::Learner out;
  grpc::Status s = Unlink(server, freddie, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.sync_state(), v1::SYNC_STATE_UNSYNCED);
  EXPECT_EQ(out.mis_id(), "");
  EXPECT_EQ(out.legal_surname(), "Wood");  // kept as it is now
  s = Unlink(server, freddie, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("is not linked to a MIS record"));
  EXPECT_EQ(LearnerTrail(server, school, freddie).back().verb(), "unlink");

  // His record still reads like the MIS's Freddie Wood (the wrong link
  // overwrote it), yet the next sync does not pair them again: the MIS
  // learner is New, as the issue asks.
  ToSyncScreen(server, school, AllStudents(), false, &rows);
  EXPECT_THAT(RowKeys(rows), ::testing::UnorderedElementsAre(
                                 "ROW_STATUS_NOT_MATCHED " + freddie + " ",
                                 "ROW_STATUS_NEW  m-freddie"));

  // Hand-made again, so every field is his to put right.
  ASSERT_TRUE(Update(server, freddie, "legal_surname", "Taylor", &out).ok());
  ASSERT_TRUE(
      Update(server, freddie, "date_of_birth", "2012-11-30", &out).ok());
  ToSyncScreen(server, school, AllStudents(), false, &rows);
  EXPECT_THAT(RowKeys(rows), ::testing::UnorderedElementsAre(
                                 "ROW_STATUS_NOT_MATCHED " + freddie + " ",
                                 "ROW_STATUS_NEW  m-freddie"));
}

TEST(LearnerEditsServiceTest,
     ArchivedLearnersArePurgedAfterTheRetentionPeriod) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  ASSERT_TRUE(Archive(server, t.isla).ok());
  v1::GetLearnerRequest get;
  get.set_learner_id(t.isla);
  v1::Learner out;
  server.clock().Advance(90 * 86400 - 1);
  server.Restart();  // the server purges at start-up
  grpc::Status s = server.hub().GetLearner(Ctx().get(), get, &out);
  ASSERT_TRUE(s.ok()) << "purged a second before 90 days: "
                      << s.error_message();
  EXPECT_TRUE(out.has_archive_time());
  server.clock().Advance(1);
  server.Restart();
  s = server.hub().GetLearner(Ctx().get(), get, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_EQ(LearnerTrail(server, t.school, t.isla).back().verb(), "purge");
  EXPECT_THAT(LearnerIds(server, t.school), Not(Contains(t.isla)));
}

}  // namespace
}  // namespace hubsync::testing
