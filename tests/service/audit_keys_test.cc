// Who the audit trail names: the API key the server authenticated (its id,
// label and role), never a name the request carried; who may read a trail.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/keys.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

grpc::Status ListAudit(TestServer& server, const std::string& school,
                       std::vector<v1::AuditRecord>* out) {
  v1::ListAuditRecordsRequest req;
  req.set_school_id(school);
  v1::ListAuditRecordsResponse resp;
  grpc::Status s = server.accounts().ListAuditRecords(Ctx().get(), req, &resp);
  if (out != nullptr) out->assign(resp.records().begin(), resp.records().end());
  return s;
}

std::vector<v1::AuditRecord> Trail(TestServer& server,
                                   const std::string& school) {
  std::vector<v1::AuditRecord> out;
  grpc::Status s = ListAudit(server, school, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

TEST(AuditKeysTest, TwoKeysOfOneSchoolEachActUnderTheirOwnKey) {
  TestServer server;
  const std::string school = CreateSchool(server, "Two Keys Academy");
  const std::string patel = server.NewKey(school, Role::kAdmin, "Ms Patel");
  const std::string nightly =
      server.NewKey(school, Role::kService, "MIS nightly job");
  const std::string patel_id = *auth::KeyIdOf(patel);
  const std::string nightly_id = *auth::KeyIdOf(nightly);

  // Ms Patel makes a learner by hand (admins only).
  server.UseKey(patel);
  const std::string ada = CreateLearner(
      server, school, {"Ada", "Lovelace", "2013-12-10", "", "7", "7A", ""});
  // The nightly job pushes the MIS and runs a session, calling itself
  // "Ms Patel" in the request: the trail still names the job's key.
  server.UseKey(nightly);
  Push(server, school, {RegClass("reg-7A", "7A", "7")},
       {MisRecord("m-ada",
                  {"Ada", "Lovelace", "2013-12-10", "", "7", "7A", ""})});
  v1::StartSessionRequest start;
  start.set_school_id(school);
  start.set_admin("Ms Patel");
  v1::Session session;
  ASSERT_TRUE(server.sync().StartSession(Ctx().get(), start, &session).ok());
  v1::ProceedRequest proceed;
  proceed.set_session_id(session.session_id());
  ASSERT_TRUE(server.sync().Proceed(Ctx().get(), proceed, &session).ok());
  v1::SetScopeRequest scope;
  scope.set_session_id(session.session_id());
  *scope.mutable_scope() = AllStudents();
  ASSERT_TRUE(server.sync().SetScope(Ctx().get(), scope, &session).ok());
  ASSERT_TRUE(server.sync().Proceed(Ctx().get(), proceed, &session).ok());
  StreamAll(server, session.session_id());
  v1::SaveRequest save;
  save.set_session_id(session.session_id());
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(saved.summary().linked(), 1);

  server.UseKey(patel);
  std::set<std::string> patel_verbs, nightly_verbs;
  for (const v1::AuditRecord& r : Trail(server, school)) {
    // The school is the operator's; the keys were made as hubsyncd makes
    // them, by no caller (TestServer::NewKey).
    if (r.verb() == "create_school" || r.verb() == "create_key") continue;
    if (r.actor_key_id() == patel_id) {
      EXPECT_EQ(r.actor(), "Ms Patel");
      EXPECT_EQ(r.actor_role(), "admin");
      patel_verbs.insert(r.verb());
    } else {
      EXPECT_EQ(r.actor_key_id(), nightly_id) << r.verb();
      EXPECT_EQ(r.actor(), "MIS nightly job") << r.verb();
      EXPECT_EQ(r.actor_role(), "service");
      // Everything but the push happened in the session.
      EXPECT_EQ(r.session_id(),
                r.verb() == "save_snapshot" ? "" : session.session_id())
          << r.verb();
      nightly_verbs.insert(r.verb());
    }
  }
  EXPECT_EQ(patel_verbs, std::set<std::string>({"create"}));
  EXPECT_EQ(
      nightly_verbs,
      std::set<std::string>({"save_snapshot", "start_session", "class_create",
                             "class_sync", "set_scope", "classify", "link"}));
  // Ada's own history: made by Ms Patel, linked by the job.
  v1::ListAuditRecordsRequest mine;
  mine.set_school_id(school);
  mine.set_learner_id(ada);
  v1::ListAuditRecordsResponse history;
  ASSERT_TRUE(
      server.accounts().ListAuditRecords(Ctx().get(), mine, &history).ok());
  ASSERT_EQ(history.records_size(), 2);
  EXPECT_EQ(history.records(0).actor_key_id(), patel_id);
  EXPECT_EQ(history.records(1).actor_key_id(), nightly_id);
}

TEST(AuditKeysTest, AViewerReadsTheTrailButWritesNothing) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string admin = server.current_key();
  const std::string session =
      ToSyncScreen(server, t.school, AllStudents(), true, nullptr);
  server.UseKey(server.NewKey(t.school, Role::kViewer, "governor"));
  std::vector<v1::AuditRecord> before;
  ASSERT_TRUE(ListAudit(server, t.school, &before).ok());
  EXPECT_FALSE(before.empty());

  v1::CreateLearnerRequest create;
  create.set_school_id(t.school);
  create.mutable_learner()->set_legal_forename("Viv");
  create.mutable_learner()->set_legal_surname("Viewer");
  create.mutable_learner()->set_year_group("7");
  v1::Learner learner;
  EXPECT_EQ(
      server.hub().CreateLearner(Ctx().get(), create, &learner).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::SetImportRequest import;
  import.set_session_id(session);
  import.set_mis_id("m-noah");
  import.set_import(true);
  v1::EditResponse edit;
  EXPECT_EQ(server.sync().SetImport(Ctx().get(), import, &edit).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::SaveRequest save;
  save.set_session_id(session);
  v1::SaveResponse saved;
  EXPECT_EQ(
      server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateApiKeyRequest key;
  key.set_school_id(t.school);
  key.set_role(v1::ROLE_ADMIN);
  v1::CreateApiKeyResponse made;
  EXPECT_EQ(server.keys().CreateApiKey(Ctx().get(), key, &made).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Refused calls leave no trace in the trail, and the admin sees the same.
  std::vector<v1::AuditRecord> after;
  ASSERT_TRUE(ListAudit(server, t.school, &after).ok());
  ASSERT_EQ(after.size(), before.size());
  server.UseKey(admin);
  EXPECT_EQ(Trail(server, t.school).size(), before.size());
}

TEST(AuditKeysTest, AKeyOfOneSchoolCannotReadAnothersTrail) {
  TestServer server;
  const std::string oak = CreateSchool(server, "Oak Academy");
  const std::string oak_admin = server.current_key();
  CreateLearner(server, oak, {"Olive", "Oak", "", "", "7", "7A", ""});
  const std::string ash = CreateSchool(server, "Ash Academy");
  CreateLearner(server, ash, {"Ash", "Tree", "", "", "7", "7A", ""});

  for (Role role : {Role::kAdmin, Role::kService, Role::kViewer}) {
    server.UseKey(role == Role::kAdmin ? oak_admin : server.NewKey(oak, role));
    std::vector<v1::AuditRecord> got;
    grpc::Status theirs = ListAudit(server, ash, &got);
    EXPECT_EQ(theirs.error_code(), grpc::StatusCode::NOT_FOUND)
        << RoleName(role);
    EXPECT_TRUE(got.empty());
    // Exactly what an id that exists nowhere gets.
    grpc::Status missing = ListAudit(server, "sch_0000000000000001", nullptr);
    EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(absl::StrReplaceAll(theirs.error_message(),
                                  {{ash, "sch_0000000000000001"}}),
              missing.error_message());
    // Its own school's trail reads, and holds nothing of Ash's.
    for (const auto& r : Trail(server, oak)) {
      EXPECT_EQ(r.school_id(), oak);
      EXPECT_THAT(r.after_json(), ::testing::Not(HasSubstr("Tree")));
    }
  }
  // The operator runs the server for every school but reads no pupil data.
  server.UseKey(server.operator_key());
  EXPECT_EQ(ListAudit(server, ash, nullptr).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace hubsync::testing
