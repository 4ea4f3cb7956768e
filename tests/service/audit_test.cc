// The audit trail per school: who, when, which verb, which learner, before
// and after; readable by RPC (filtered by session or learner); kept when a
// session is cancelled or deleted. (audit_keys_test.cc: who is the key;
// audit_verbs_test.cc: every mutating verb.)
#include <sqlite3.h>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/auth/keys.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

std::vector<v1::AuditRecord> Audit(TestServer& server,
                                   const std::string& school,
                                   const std::string& session = "",
                                   const std::string& learner = "") {
  v1::ListAuditRecordsRequest req;
  req.set_school_id(school);
  req.set_session_id(session);
  req.set_learner_id(learner);
  v1::ListAuditRecordsResponse out;
  grpc::Status s = server.accounts().ListAuditRecords(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {out.records().begin(), out.records().end()};
}

// One field of a before/after JSON record ("" if absent or null).
std::string Field(const std::string& json, const std::string& key) {
  google::protobuf::Struct s;
  if (json.empty() ||
      !google::protobuf::util::JsonStringToMessage(json, &s).ok()) {
    return "<no record>";
  }
  auto it = s.fields().find(key);
  return it == s.fields().end() ? "" : it->second.string_value();
}

TEST(AuditTest, EveryHubChangeIsRecordedWithWhoWhenVerbAndBeforeAndAfter) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string admin_key_id = *auth::KeyIdOf(server.current_key());
  // Hand-made learners: one "create" each, by the calling key, no session.
  std::vector<v1::AuditRecord> isla = Audit(server, t.school, "", t.isla);
  ASSERT_EQ(isla.size(), 1u);
  EXPECT_EQ(isla[0].verb(), "create");
  EXPECT_EQ(isla[0].actor(),
            "test");  // the admin key's label (TestServer::NewKey)
  EXPECT_EQ(isla[0].actor_key_id(), admin_key_id);
  EXPECT_EQ(isla[0].actor_role(), "admin");
  EXPECT_EQ(isla[0].session_id(), "");
  EXPECT_EQ(isla[0].before_json(), "");
  EXPECT_EQ(Field(isla[0].after_json(), "legal_forename"), "Isla");
  EXPECT_EQ(Field(isla[0].after_json(), "sync_state"), "UNSYNCED");
  EXPECT_TRUE(isla[0].has_time());

  // Term 2, saved by an admin with emails on and Noah imported.
  v1::StartSessionRequest start;
  start.set_school_id(t.school);
  start.set_admin("Ms Patel");
  v1::Session session;
  ASSERT_TRUE(server.sync().StartSession(Ctx().get(), start, &session).ok());
  const std::string id = session.session_id();
  v1::ProceedRequest proceed;
  proceed.set_session_id(id);
  ASSERT_TRUE(server.sync().Proceed(Ctx().get(), proceed, &session).ok());
  v1::SetScopeRequest scope;
  scope.set_session_id(id);
  *scope.mutable_scope() = AllStudents();
  ASSERT_TRUE(server.sync().SetScope(Ctx().get(), scope, &session).ok());
  ASSERT_TRUE(server.sync().Proceed(Ctx().get(), proceed, &session).ok());
  StreamAll(server, id);
  v1::SetImportRequest import;
  import.set_session_id(id);
  import.set_mis_id("m-noah");
  import.set_import(true);
  v1::EditResponse edit;
  ASSERT_TRUE(server.sync().SetImport(Ctx().get(), import, &edit).ok());
  v1::SaveRequest save;
  save.set_session_id(id);
  save.set_confirm_desync_count(1);
  // Freddie's May match is saved unreviewed: not what this test is about
  // (tests/service/review_test.cc).
  save.set_allow_unreviewed(true);
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  ASSERT_TRUE(s.ok()) << s.error_message();

  std::vector<v1::AuditRecord> in_session;
  for (const auto& r : Audit(server, t.school, id)) {
    EXPECT_EQ(r.session_id(), id);
    // "Ms Patel" is only what the client called itself: the trail names the
    // key.
    EXPECT_EQ(r.actor(), "test");
    EXPECT_EQ(r.actor_key_id(), admin_key_id);
    if (IsSaveVerb(r.verb())) in_session.push_back(r);
  }
  EXPECT_EQ(static_cast<int64_t>(in_session.size()),
            saved.summary().audit_records());
  std::map<std::string, v1::AuditRecord> by_learner;
  for (const auto& r : in_session) by_learner[r.learner_id()] = r;
  const v1::AuditRecord& amelia = by_learner[t.amelia];
  EXPECT_EQ(amelia.verb(), "refresh");
  EXPECT_EQ(Field(amelia.before_json(), "registration_group"), "8A");
  EXPECT_EQ(Field(amelia.after_json(), "registration_group"), "8B");
  const v1::AuditRecord& oliver = by_learner[t.oliver];
  EXPECT_EQ(oliver.verb(), "desync");
  EXPECT_EQ(Field(oliver.before_json(), "sync_state"), "SYNCED");
  EXPECT_EQ(Field(oliver.after_json(), "sync_state"), "DESYNCED");
  const v1::AuditRecord& freddie = by_learner[t.freddie];
  EXPECT_EQ(freddie.verb(), "link");
  EXPECT_EQ(Field(freddie.before_json(), "legal_surname"), "Taylor");
  EXPECT_EQ(Field(freddie.after_json(), "legal_surname"), "Wood");
  int imports = 0;
  for (const auto& [learner, r] : by_learner) {
    if (r.verb() != "import") continue;
    ++imports;
    EXPECT_EQ(r.before_json(), "");
    EXPECT_EQ(Field(r.after_json(), "mis_id"), "m-noah");
  }
  EXPECT_EQ(imports, 1);
  // A learner's whole history, oldest first: created, linked in term 1,
  // refreshed in term 2.
  std::vector<v1::AuditRecord> history = Audit(server, t.school, "", t.amelia);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].verb(), "create");
  EXPECT_EQ(history[1].verb(), "link");
  EXPECT_EQ(history[2].verb(), "refresh");
  EXPECT_LT(history[0].audit_id(), history[2].audit_id());
}

TEST(AuditTest, KeptWhenASessionIsCancelledOrDeleted) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);  // its term-1 session saved two links
  v1::ListSessionsRequest list;
  list.set_school_id(t.school);
  v1::ListSessionsResponse sessions;
  ASSERT_TRUE(server.sync().ListSessions(Ctx().get(), list, &sessions).ok());
  ASSERT_EQ(sessions.sessions_size(), 1);
  const std::string term1 = sessions.sessions(0).session_id();
  auto saves = [&](const std::string& session) {
    int n = 0;
    for (const auto& r : Audit(server, t.school, session))
      n += IsSaveVerb(r.verb());
    return n;
  };
  ASSERT_EQ(saves(term1), 2);

  // A cancelled session removes nothing: the trail only grows by its own
  // verbs, the last being the cancel, and no hub learner changed.
  const std::vector<v1::AuditRecord> first = Audit(server, t.school);
  const std::string other =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  v1::CancelSessionRequest cancel;
  cancel.set_session_id(other);
  v1::Session cancelled;
  ASSERT_TRUE(
      server.sync().CancelSession(Ctx().get(), cancel, &cancelled).ok());
  const std::vector<v1::AuditRecord> before = Audit(server, t.school);
  ASSERT_GT(before.size(), first.size());
  for (size_t i = 0; i < before.size(); ++i) {
    if (i < first.size()) {
      EXPECT_EQ(before[i].SerializeAsString(), first[i].SerializeAsString());
    } else {
      EXPECT_EQ(before[i].session_id(), other);
      EXPECT_FALSE(IsSaveVerb(before[i].verb())) << before[i].verb();
    }
  }
  EXPECT_EQ(before.back().verb(), "cancel_session");

  // Sessions deleted from the database (as a clean-up of old sessions would
  // do; foreign keys on, rows cascading): the audit trail stays whole.
  server.Stop();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(server.db_path().c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys = ON; DELETE FROM sessions;",
                         nullptr, nullptr, &error),
            SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  EXPECT_GT(sqlite3_changes(db), 0);
  sqlite3_close(db);
  server.Restart();
  v1::GetSessionRequest get;
  get.set_session_id(term1);
  v1::Session gone;
  EXPECT_EQ(server.sync().GetSession(Ctx().get(), get, &gone).error_code(),
            grpc::StatusCode::NOT_FOUND);
  std::vector<v1::AuditRecord> after = Audit(server, t.school);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].SerializeAsString(), before[i].SerializeAsString());
  }
  EXPECT_EQ(saves(term1), 2);
  EXPECT_EQ(Audit(server, t.school, other).back().verb(), "cancel_session");
}

TEST(AuditTest, AnotherSchoolsTrailIsSeparate) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string first_admin = server.current_key();
  const std::string other = CreateSchool(server, "Other School");
  CreateLearner(server, other, {"Zed", "Other", "", "", "7", "7A", ""});
  const std::vector<v1::AuditRecord> trail = Audit(server, other);
  for (const auto& r : trail) EXPECT_EQ(r.school_id(), other);
  // The school, its admin key (made as hubsyncd would, by no caller), Zed.
  ASSERT_EQ(trail.size(), 3u);
  EXPECT_EQ(trail[0].verb(), "create_school");
  EXPECT_EQ(trail[1].verb(), "create_key");
  EXPECT_EQ(trail[1].actor_key_id(), "");
  EXPECT_EQ(trail[2].verb(), "create");
  EXPECT_EQ(Field(trail[2].after_json(), "legal_forename"), "Zed");
  server.UseKey(first_admin);  // each school's trail is read with its own key
  for (const auto& r : Audit(server, t.school))
    EXPECT_EQ(r.school_id(), t.school);
  v1::ListAuditRecordsRequest req;
  req.set_school_id("sch_nope");
  v1::ListAuditRecordsResponse out;
  grpc::Status s = server.accounts().ListAuditRecords(Ctx().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("sch_nope"));
}

}  // namespace
}  // namespace hubsync::testing
