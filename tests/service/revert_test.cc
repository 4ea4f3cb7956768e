// RevertSave through the real server: a save undone leaves the hub exactly
// as before it (every learner, membership and sync state), a revert refused
// while a later save touched the same learners and accepted once that save
// is reverted, a revert reverted, emails withdrawn and queued again.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

// What an admin can see of the hub: every learner with every field (classes,
// registration group, state, MIS id, update time) and every class.
std::string RevertHubView(TestServer& server, const std::string& school) {
  std::string state;
  for (const v1::Learner& l : Learners(server, school)) {
    state += l.SerializeAsString() + "\n";
  }
  v1::ListClassesRequest req;
  req.set_school_id(school);
  v1::ListClassesResponse classes;
  grpc::Status s = server.hub().ListClasses(Ctx().get(), req, &classes);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return state + classes.SerializeAsString();
}

std::vector<v1::VerificationEmail> Emails(TestServer& server,
                                          const std::string& school) {
  v1::ListVerificationEmailsRequest req;
  req.set_school_id(school);
  v1::ListVerificationEmailsResponse out;
  grpc::Status s =
      server.accounts().ListVerificationEmails(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {out.emails().begin(), out.emails().end()};
}

// The second term's sync: Noah imported with his email, Freddie's May match
// and Isla's Matched row linked, Oliver desynced, Amelia refreshed.
std::string SaveSecondTerm(TestServer& server, const TwoTerms& t) {
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), true, nullptr);
  v1::EditResponse edit;
  v1::SetImportRequest import;
  import.set_session_id(session);
  import.set_mis_id("m-noah");
  import.set_import(true);
  EXPECT_TRUE(server.sync().SetImport(Ctx().get(), import, &edit).ok());
  v1::SetSyncEmailRequest email;
  email.set_session_id(session);
  email.set_mis_id("m-noah");
  email.set_sync(true);
  EXPECT_TRUE(server.sync().SetSyncEmail(Ctx().get(), email, &edit).ok());
  v1::SaveRequest save;
  save.set_session_id(session);
  save.set_allow_unreviewed(true);  // Freddie's May match: the seen defect
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(saved.summary().imported(), 1);
  EXPECT_FALSE(saved.save_id().empty());
  return saved.save_id();
}

grpc::Status Revert(TestServer& server, const std::string& save_id,
                    v1::RevertSaveResponse* out, bool validate_only = false) {
  v1::RevertSaveRequest req;
  req.set_save_id(save_id);
  req.set_validate_only(validate_only);
  return server.sync().RevertSave(Ctx().get(), req, out);
}

v1::SaveRecord GetSaveRecord(TestServer& server, const std::string& id) {
  v1::GetSaveRequest req;
  req.set_save_id(id);
  v1::SaveRecord out;
  grpc::Status s = server.sync().GetSave(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

TEST(RevertSaveTest, SaveThenRevertLeavesTheHubExactlyAsBefore) {
  TestServer server({}, /*max_desync_percent=*/100.0);
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = RevertHubView(server, t.school);
  const std::string save = SaveSecondTerm(server, t);
  const std::string after = RevertHubView(server, t.school);
  ASSERT_NE(after, before);
  ASSERT_EQ(Emails(server, t.school).size(), 1u);
  EXPECT_EQ(Emails(server, t.school)[0].status(), "queued");

  // A dry run says what the revert will do and changes nothing.
  v1::RevertSaveResponse dry;
  grpc::Status s = Revert(server, save, &dry, /*validate_only=*/true);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(RevertHubView(server, t.school), after);
  EXPECT_TRUE(GetSaveRecord(server, save).revertible());

  v1::RevertSaveResponse reverted;
  s = Revert(server, save, &reverted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(RevertHubView(server, t.school), before)
      << "every learner, field, membership and state as before the save";
  const v1::RevertSummary& summary = reverted.revert().revert_summary();
  EXPECT_EQ(summary.removed(), 1) << "Noah, whom the save imported";
  EXPECT_GE(summary.restored(), 3);
  EXPECT_EQ(summary.emails_withdrawn(), 1);
  EXPECT_EQ(dry.revert().revert_summary().SerializeAsString(),
            summary.SerializeAsString())
      << "the dry run predicted the revert";
  EXPECT_EQ(Emails(server, t.school)[0].status(), "withdrawn");

  const v1::SaveRecord record = GetSaveRecord(server, save);
  EXPECT_EQ(record.reverted_by(), reverted.revert().save_id());
  EXPECT_FALSE(record.revertible());
  v1::ListSavesRequest list;
  list.set_school_id(t.school);
  v1::ListSavesResponse saves;
  ASSERT_TRUE(server.sync().ListSaves(Ctx().get(), list, &saves).ok());
  ASSERT_EQ(saves.saves_size(), 3) << "the first term's save, this one, "
                                      "and its revert";
  EXPECT_EQ(saves.saves(0).save_id(), reverted.revert().save_id())
      << "newest first";
  EXPECT_TRUE(saves.saves(0).revert());

  // The audit trail says who reverted what.
  v1::ListAuditRecordsRequest audit;
  audit.set_school_id(t.school);
  v1::ListAuditRecordsResponse records;
  ASSERT_TRUE(
      server.accounts().ListAuditRecords(Ctx().get(), audit, &records).ok());
  int reverts = 0, removes = 0;
  for (const v1::AuditRecord& r : records.records()) {
    if (r.verb() == "revert_save") {
      ++reverts;
      EXPECT_EQ(r.record_id(), save);
    }
    if (r.verb() == "revert_remove") {
      ++removes;
      EXPECT_EQ(r.after_json(), "");
      EXPECT_THAT(r.before_json(), HasSubstr("Noah"));
    }
  }
  EXPECT_EQ(reverts, 1);
  EXPECT_EQ(removes, 1);

  // Reverted twice: refused, naming the revert.
  v1::RevertSaveResponse again;
  s = Revert(server, save, &again);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr(reverted.revert().save_id()));
}

TEST(RevertSaveTest, RevertOfARevertBringsTheSaveBack) {
  TestServer server({}, /*max_desync_percent=*/100.0);
  TwoTerms t = SetUpTwoTerms(server);
  const std::string save = SaveSecondTerm(server, t);
  const std::string saved = RevertHubView(server, t.school);
  v1::RevertSaveResponse first;
  ASSERT_TRUE(Revert(server, save, &first).ok());
  ASSERT_NE(RevertHubView(server, t.school), saved);

  v1::RevertSaveResponse second;
  grpc::Status s = Revert(server, first.revert().save_id(), &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(RevertHubView(server, t.school), saved)
      << "Noah back with the same id, every link as the save made it";
  EXPECT_EQ(second.revert().revert_summary().recreated(), 1);
  EXPECT_EQ(second.revert().revert_summary().emails_requeued(), 1);
  EXPECT_EQ(Emails(server, t.school)[0].status(), "queued");
  EXPECT_TRUE(GetSaveRecord(server, save).revertible())
      << "the save is in force again";

  // And the save can be reverted again.
  v1::RevertSaveResponse third;
  s = Revert(server, save, &third);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(third.revert().revert_summary().removed(), 1);
}

TEST(RevertSaveTest, ALaterSaveOnTheSameLearnersMustBeRevertedFirst) {
  TestServer server({}, /*max_desync_percent=*/100.0);
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = RevertHubView(server, t.school);
  const std::string first = SaveSecondTerm(server, t);
  // A third term moves Amelia to 8A again: a later save touching her.
  const std::string amelia_upn = Upn("801200005001");
  Push(server, t.school,
       {RegClass("reg-7A", "7A", "7"), RegClass("reg-8A", "8A", "8"),
        RegClass("reg-8B", "8B", "8")},
       {MisRecord("m-amelia", {"Amelia", "Jones", "2012-10-01", amelia_upn, "8",
                               "8A", "amelia@example.org"}),
        MisRecord("m-noah", {"Noah", "Patel", "2013-02-03", Upn("801200005002"),
                             "7", "7A", "noah@example.org"}),
        MisRecord("m-isla", {"Isla", "Brown", "2013-01-02", "", "7", "7A",
                             "isla@example.org"}),
        MisRecord("m-freddie",
                  {"Freddie", "Wood", "2013-05-06", "", "7", "7A", ""}),
        MisRecord("m-eleanor",
                  {"Eleanor", "Carter", "2013-11-12", "", "7", "7A", ""})});
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  v1::SaveRequest save;
  save.set_session_id(session);
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(saved.summary().refreshed(), 1) << "Amelia";
  const std::string second = saved.save_id();
  const std::string after_second = RevertHubView(server, t.school);

  v1::RevertSaveResponse refused;
  s = Revert(server, first, &refused);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("Amelia Jones"));
  EXPECT_THAT(s.error_message(), HasSubstr(second));
  EXPECT_EQ(RevertHubView(server, t.school), after_second)
      << "a refused revert changes nothing";

  v1::RevertSaveResponse undo_second;
  s = Revert(server, second, &undo_second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::RevertSaveResponse undo_first;
  s = Revert(server, first, &undo_first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(RevertHubView(server, t.school), before);
}

TEST(RevertSaveTest, UnknownAndForeignSavesAreNotFound) {
  TestServer server({}, /*max_desync_percent=*/100.0);
  TwoTerms t = SetUpTwoTerms(server);
  const std::string save = SaveSecondTerm(server, t);
  v1::RevertSaveResponse out;
  grpc::Status s = Revert(server, "sav_0000000000000bad", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("sav_0000000000000bad"));

  // Another school's admin cannot see or revert it.
  const std::string other = CreateSchool(server, "Elsewhere");
  server.UseKey(server.NewKey(other, Role::kAdmin, "other admin"));
  s = Revert(server, save, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace hubsync::testing
