// Every mutating verb leaves an audit record, written with the change (a
// refused or stale call leaves none), naming the rows or records it touched
// with their state before and after; keys' secrets never appear.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/auth/keys.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<v1::AuditRecord> Trail(TestServer& server,
                                   const std::string& school,
                                   const std::string& session = "") {
  v1::ListAuditRecordsRequest req;
  req.set_school_id(school);
  req.set_session_id(session);
  v1::ListAuditRecordsResponse out;
  grpc::Status s = server.accounts().ListAuditRecords(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {out.records().begin(), out.records().end()};
}

google::protobuf::Struct Json(const std::string& json) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &s).ok())
      << json;
  return s;
}

std::string Text(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end()) return "<absent>";
  const google::protobuf::Value& v = it->second;
  if (v.has_bool_value()) return v.bool_value() ? "true" : "false";
  if (v.has_number_value())
    return std::to_string(static_cast<int64_t>(v.number_value()));
  return v.string_value();
}

// The rows of a row-edit record's before or after JSON, as
// "status|learner|mis|import|sync_email".
std::vector<std::string> Rows(const std::string& json) {
  std::vector<std::string> out;
  const google::protobuf::Struct s = Json(json);
  for (const auto& v : s.fields().at("rows").list_value().values()) {
    const auto& r = v.struct_value();
    out.push_back(Text(r, "status") + "|" + Text(r, "learner_id") + "|" +
                  Text(r, "mis_id") + "|" + Text(r, "import") + "|" +
                  Text(r, "sync_email"));
  }
  return out;
}

// The rows of a row-edit record's JSON as "learner|reviewed".
std::vector<std::string> ReviewedRows(const std::string& json) {
  std::vector<std::string> out;
  const google::protobuf::Struct s = Json(json);
  for (const auto& v : s.fields().at("rows").list_value().values()) {
    const auto& r = v.struct_value();
    out.push_back(Text(r, "learner_id") + "|" + Text(r, "reviewed"));
  }
  return out;
}

std::vector<std::string> Verbs(const std::vector<v1::AuditRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.verb());
  return out;
}

template <typename Req>
Req For(const std::string& session) {
  Req r;
  r.set_session_id(session);
  return r;
}

TEST(AuditVerbsTest, EverySessionVerbRecordsItsRowsBeforeAndAfter) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string key_id = *auth::KeyIdOf(server.current_key());
  const std::string id =
      ToSyncScreen(server, t.school, AllStudents(), true, nullptr);
  std::vector<v1::AuditRecord> trail = Trail(server, t.school, id);
  ASSERT_THAT(Verbs(trail), ElementsAre("start_session", "class_sync",
                                        "set_scope", "classify"));
  EXPECT_EQ(Text(Json(trail[1].after_json()), "classes_unchanged"), "3");
  EXPECT_EQ(Text(Json(trail[1].before_json()), "step"), "CLASS_SYNC");
  EXPECT_EQ(Text(Json(trail[1].after_json()), "step"), "PUPILS_PANEL");
  EXPECT_EQ(Text(Json(trail[2].before_json()), "sync_emails"), "false");
  EXPECT_EQ(Text(Json(trail[2].after_json()), "sync_emails"), "true");
  EXPECT_EQ(Text(Json(trail[2].after_json()), "scope_kind"), "all");

  v1::EditResponse edit;
  auto ok = [](const grpc::Status& s) {
    ASSERT_TRUE(s.ok()) << s.error_message();
  };
  auto import = For<v1::SetImportRequest>(id);
  import.set_mis_id("m-noah");
  import.set_import(true);
  ok(server.sync().SetImport(Ctx().get(), import, &edit));
  const int64_t version = edit.session().version();
  // A repeat changes no row and a stale version changes nothing: no record.
  ok(server.sync().SetImport(Ctx().get(), import, &edit));
  import.set_expected_version(version - 1);
  EXPECT_EQ(server.sync().SetImport(Ctx().get(), import, &edit).error_code(),
            grpc::StatusCode::ABORTED);
  auto unmatch = For<v1::UnmatchRequest>(id);
  unmatch.set_learner_id(t.isla);
  ok(server.sync().Unmatch(Ctx().get(), unmatch, &edit));
  auto match = For<v1::MatchRequest>(id);
  match.set_learner_id(t.ellie);
  match.set_mis_id("m-eleanor");
  ok(server.sync().Match(Ctx().get(), match, &edit));
  auto email = For<v1::SetSyncEmailRequest>(id);
  email.set_mis_id("m-amelia");
  email.set_sync(true);
  ok(server.sync().SetSyncEmail(Ctx().get(), email, &edit));
  auto import_all = For<v1::SetImportAllRequest>(id);
  import_all.set_import(false);
  ok(server.sync().SetImportAll(Ctx().get(), import_all, &edit));
  import.set_expected_version(0);
  ok(server.sync().SetImport(Ctx().get(), import, &edit));
  auto email_all = For<v1::SetSyncEmailAllRequest>(id);
  email_all.set_sync(true);
  ok(server.sync().SetSyncEmailAll(Ctx().get(), email_all, &edit));
  auto review = For<v1::SetReviewedRequest>(id);
  review.set_learner_id(t.freddie);
  review.set_reviewed(true);
  ok(server.sync().SetReviewed(Ctx().get(), review, &edit));
  review.set_reviewed(false);
  ok(server.sync().SetReviewed(Ctx().get(), review, &edit));
  auto review_all = For<v1::SetReviewedAllRequest>(id);
  review_all.set_reviewed(true);
  review_all.set_confirm_count(1);
  ok(server.sync().SetReviewedAll(Ctx().get(), review_all, &edit));

  trail = Trail(server, t.school, id);
  ASSERT_THAT(
      Verbs(trail),
      ElementsAre("start_session", "class_sync", "set_scope", "classify",
                  "set_import", "unmatch", "match", "set_sync_email",
                  "set_import_all", "set_import", "set_sync_email_all",
                  "set_reviewed", "set_reviewed", "set_reviewed_all"));
  for (const auto& r : trail) {
    EXPECT_EQ(r.actor_key_id(), key_id) << r.verb();
    EXPECT_EQ(r.session_id(), id) << r.verb();
    EXPECT_TRUE(r.has_time()) << r.verb();
  }
  EXPECT_THAT(Rows(trail[4].before_json()),
              ElementsAre("New||m-noah|false|false"));
  EXPECT_THAT(Rows(trail[4].after_json()),
              ElementsAre("New||m-noah|true|false"));
  // Unmatch: Isla's Matched row splits into Not matched and a ticked New row.
  EXPECT_EQ(trail[5].learner_id(), t.isla);
  EXPECT_THAT(Rows(trail[5].before_json()),
              ElementsAre("Matched|" + t.isla + "|m-isla|false|false"));
  EXPECT_THAT(Rows(trail[5].after_json()),
              ElementsAre("Not matched|" + t.isla + "||false|false",
                          "New||m-isla|true|false"));
  // Match: Ellie's row and Eleanor's New row become one; the New row goes.
  EXPECT_EQ(trail[6].learner_id(), t.ellie);
  EXPECT_THAT(Rows(trail[6].before_json()),
              ElementsAre("Not matched|" + t.ellie + "||false|false",
                          "New||m-eleanor|false|false"));
  EXPECT_THAT(Rows(trail[6].after_json()),
              ElementsAre("Matched|" + t.ellie + "|m-eleanor|false|false"));
  EXPECT_EQ(Json(trail[6].after_json())
                .fields()
                .at("removed_row_ids")
                .list_value()
                .values_size(),
            1);
  EXPECT_THAT(Rows(trail[7].after_json()),
              ElementsAre("Synced|" + t.amelia + "|m-amelia|false|true"));
  EXPECT_THAT(Rows(trail[8].before_json()),
              ElementsAre("New||m-noah|true|false", "New||m-isla|true|false"));
  EXPECT_THAT(
      Rows(trail[8].after_json()),
      ElementsAre("New||m-noah|false|false", "New||m-isla|false|false"));
  EXPECT_THAT(Rows(trail[10].after_json()),  // Amelia's was ticked already
              ElementsAre("New||m-noah|true|true", "New||m-isla|false|true"));
  // Reviewed: Freddie's May match marked, unmarked, then marked by "all".
  EXPECT_EQ(trail[11].learner_id(), t.freddie);
  EXPECT_THAT(ReviewedRows(trail[11].before_json()),
              ElementsAre(t.freddie + "|false"));
  EXPECT_THAT(ReviewedRows(trail[11].after_json()),
              ElementsAre(t.freddie + "|true"));
  EXPECT_THAT(ReviewedRows(trail[12].after_json()),
              ElementsAre(t.freddie + "|false"));
  EXPECT_THAT(ReviewedRows(trail[13].after_json()),
              ElementsAre(t.freddie + "|true"));
  // Ellie's pair, matched by hand, is reviewed: a decision.
  EXPECT_THAT(ReviewedRows(trail[6].after_json()),
              ElementsAre(t.ellie + "|true"));

  // Save: one record per learner with its fields before and after.
  auto save = For<v1::SaveRequest>(id);
  save.set_confirm_desync_count(1);
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::map<std::string, v1::AuditRecord> by_learner;
  for (const auto& r : Trail(server, t.school, id)) {
    if (IsSaveVerb(r.verb())) by_learner[r.learner_id()] = r;
  }
  ASSERT_EQ(static_cast<int64_t>(by_learner.size()),
            saved.summary().audit_records());
  const auto& amelia = by_learner[t.amelia];
  EXPECT_EQ(amelia.verb(), "refresh");
  EXPECT_EQ(Text(Json(amelia.before_json()), "registration_group"), "8A");
  EXPECT_EQ(Text(Json(amelia.after_json()), "registration_group"), "8B");
  EXPECT_EQ(Text(Json(amelia.before_json()), "email"), "");
  EXPECT_EQ(Text(Json(amelia.after_json()), "email"), "amelia@example.org");
  const auto& oliver = by_learner[t.oliver];
  EXPECT_EQ(oliver.verb(), "desync");
  EXPECT_EQ(Text(Json(oliver.after_json()), "sync_state"), "DESYNCED");
  EXPECT_EQ(Text(Json(oliver.after_json()), "year_group"), "8");  // kept
  EXPECT_EQ(Text(Json(oliver.after_json()), "registration_group"), "8A");
  const auto& ellie = by_learner[t.ellie];
  EXPECT_EQ(ellie.verb(), "link");
  EXPECT_EQ(Text(Json(ellie.before_json()), "legal_surname"), "Moss");
  EXPECT_EQ(Text(Json(ellie.after_json()), "legal_surname"), "Carter");
  EXPECT_EQ(Text(Json(ellie.before_json()), "sync_state"), "UNSYNCED");
  EXPECT_EQ(Text(Json(ellie.after_json()), "sync_state"), "SYNCED");
  EXPECT_EQ(by_learner.count(t.isla), 0u)
      << "unmatched: unaffected, not audited";
}

TEST(AuditVerbsTest, ARefusedSaveOrCancelWritesNothing) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string id =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const std::vector<v1::AuditRecord> before = Trail(server, t.school);
  // Oliver's desync is half the synced learners: refused unless confirmed.
  auto save = For<v1::SaveRequest>(id);
  v1::SaveResponse saved;
  EXPECT_EQ(
      server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
  auto cancel = For<v1::CancelSessionRequest>(id);
  cancel.set_expected_version(1);  // stale
  v1::Session session;
  EXPECT_EQ(
      server.sync().CancelSession(Ctx().get(), cancel, &session).error_code(),
      grpc::StatusCode::ABORTED);
  EXPECT_EQ(Trail(server, t.school).size(), before.size());
  cancel.set_expected_version(0);
  ASSERT_TRUE(server.sync().CancelSession(Ctx().get(), cancel, &session).ok());
  const std::vector<v1::AuditRecord> after = Trail(server, t.school);
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_EQ(after.back().verb(), "cancel_session");
  EXPECT_EQ(Text(Json(after.back().before_json()), "step"), "SYNC_SCREEN");
  EXPECT_EQ(Text(Json(after.back().after_json()), "step"), "CANCELLED");
}

TEST(AuditVerbsTest, ClassSyncRecordsEachClassCreatedOrChanged) {
  TestServer server;
  const std::string school = CreateSchool(server, "Class Academy");
  const v1::MisLearnerRecord pupil =
      MisRecord("m-1", {"Kit", "Class", "2013-01-01", "", "7", "7A", ""});
  const std::string first =
      Push(server, school, {RegClass("reg-7A", "7A", "7")}, {pupil});
  ToSyncScreen(server, school, AllStudents(), false, nullptr);
  const std::string second = Push(
      server, school,
      {RegClass("reg-7A", "7A (Smith)", "7"), RegClass("reg-7B", "7B", "7")},
      {pupil});
  ToSyncScreen(server, school, AllStudents(), false, nullptr);

  v1::ListClassesRequest list;
  list.set_school_id(school);
  v1::ListClassesResponse classes;
  ASSERT_TRUE(server.hub().ListClasses(Ctx().get(), list, &classes).ok());
  std::map<std::string, std::string> id_of;  // MIS id -> hub class id
  for (const auto& c : classes.classes()) id_of[c.mis_id()] = c.class_id();
  std::vector<v1::AuditRecord> class_records, snapshots;
  for (const auto& r : Trail(server, school)) {
    if (r.verb().rfind("class_", 0) == 0 && r.verb() != "class_sync") {
      class_records.push_back(r);
    }
    if (r.verb() == "save_snapshot") snapshots.push_back(r);
  }
  // Each MIS snapshot pushed: its id, format and counts, no pupil's data.
  ASSERT_EQ(snapshots.size(), 2u);
  EXPECT_EQ(snapshots[0].record_id(), first);
  EXPECT_EQ(snapshots[1].record_id(), second);
  EXPECT_EQ(Text(Json(snapshots[1].after_json()), "learners"), "1");
  EXPECT_EQ(Text(Json(snapshots[1].after_json()), "classes"), "2");
  EXPECT_THAT(snapshots[1].after_json(), Not(HasSubstr("Kit")));
  EXPECT_EQ(snapshots[1].session_id(), "");
  ASSERT_EQ(class_records.size(), 3u);
  EXPECT_EQ(class_records[0].verb(), "class_create");
  EXPECT_EQ(class_records[0].record_id(), id_of["reg-7A"]);
  EXPECT_EQ(class_records[0].before_json(), "");
  EXPECT_EQ(Text(Json(class_records[0].after_json()), "name"), "7A");
  EXPECT_EQ(class_records[1].verb(), "class_update");
  EXPECT_EQ(class_records[1].record_id(), id_of["reg-7A"]);
  EXPECT_EQ(Text(Json(class_records[1].before_json()), "name"), "7A");
  EXPECT_EQ(Text(Json(class_records[1].after_json()), "name"), "7A (Smith)");
  EXPECT_EQ(class_records[2].verb(), "class_create");
  EXPECT_EQ(class_records[2].record_id(), id_of["reg-7B"]);
  EXPECT_NE(class_records[0].session_id(), class_records[1].session_id());
}

TEST(AuditVerbsTest, SchoolsAndKeysAreAuditedWithoutTheirSecrets) {
  TestServer server;
  const std::string op_id = *auth::KeyIdOf(server.operator_key());
  v1::CreateSchoolRequest create;
  create.set_name("Keys Academy");
  v1::School school;
  ASSERT_TRUE(server.schools().CreateSchool(Ctx().get(), create, &school).ok());
  auto make = [&](v1::Role role, const std::string& label) {
    v1::CreateApiKeyRequest req;
    req.set_school_id(school.school_id());
    req.set_role(role);
    req.set_label(label);
    v1::CreateApiKeyResponse made;
    grpc::Status s = server.keys().CreateApiKey(Ctx().get(), req, &made);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return made;
  };
  const v1::CreateApiKeyResponse admin = make(v1::ROLE_ADMIN, "head of data");
  server.UseKey(admin.secret());
  const v1::CreateApiKeyResponse viewer = make(v1::ROLE_VIEWER, "governor");
  v1::RevokeApiKeyRequest revoke;
  revoke.set_key_id(viewer.key().key_id());
  v1::ApiKey revoked;
  ASSERT_TRUE(server.keys().RevokeApiKey(Ctx().get(), revoke, &revoked).ok());
  ASSERT_TRUE(
      server.keys().RevokeApiKey(Ctx().get(), revoke, &revoked).ok());  // no-op

  const std::vector<v1::AuditRecord> trail = Trail(server, school.school_id());
  ASSERT_THAT(Verbs(trail), ElementsAre("create_school", "create_key",
                                        "create_key", "revoke_key"));
  EXPECT_EQ(trail[0].actor_key_id(), op_id);
  EXPECT_EQ(trail[0].actor_role(), "operator");
  EXPECT_EQ(trail[0].record_id(), school.school_id());
  EXPECT_EQ(Text(Json(trail[0].after_json()), "name"), "Keys Academy");
  EXPECT_EQ(trail[1].actor_key_id(), op_id);
  EXPECT_EQ(trail[1].record_id(), admin.key().key_id());
  EXPECT_EQ(Text(Json(trail[1].after_json()), "role"), "admin");
  EXPECT_EQ(Text(Json(trail[1].after_json()), "label"), "head of data");
  EXPECT_EQ(trail[2].actor_key_id(), admin.key().key_id());
  EXPECT_EQ(trail[2].actor(), "head of data");
  EXPECT_EQ(trail[2].record_id(), viewer.key().key_id());
  EXPECT_EQ(trail[3].record_id(), viewer.key().key_id());
  EXPECT_EQ(Text(Json(trail[3].before_json()), "revoked"), "false");
  EXPECT_EQ(Text(Json(trail[3].after_json()), "revoked"), "true");
  for (const auto& r : trail) {
    const std::string all = r.SerializeAsString();
    for (const std::string& secret :
         {admin.secret(), viewer.secret(), server.operator_key()}) {
      EXPECT_THAT(all, Not(HasSubstr(secret.substr(secret.rfind('_') + 1))));
      EXPECT_THAT(all, Not(HasSubstr(auth::HashKey(secret))));
    }
  }
}

}  // namespace
}  // namespace hubsync::testing
