// Authentication comes before validation (docs/SECURITY.md, "Codes"): every
// RPC, sent a malformed body (empty or 300-byte ids, negative versions, an
// empty name, a label with an escape character), answers a caller with no
// key, a wrong key or a revoked key UNAUTHENTICATED, and a role that may not
// call it PERMISSION_DENIED, before it says anything about the body. Through
// a real server on a real SQLite file.
#include <set>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "tests/auth/every_rpc.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

const std::string kLongId(300, 'x');

// Every RPC with a body that is malformed in the way the RPC checks first.
std::vector<RpcCase> EveryRpcMalformed() {
  using Api = KeyedApi;
  using Ids = SchoolIds;
  return {
      {"CreateSchool",
       [](Api& a, const Ids&) {
         v1::CreateSchoolRequest r;  // no name
         v1::School out;
         return a.schools_->CreateSchool(a.Context().get(), r, &out);
       }},
      {"GetSchool",
       [](Api& a, const Ids&) {
         v1::GetSchoolRequest r;
         r.set_school_id(kLongId);
         v1::School out;
         return a.schools_->GetSchool(a.Context().get(), r, &out);
       }},
      {"ListSchools",
       [](Api& a, const Ids&) {
         // Nothing in the request can be malformed; still refused first.
         v1::ListSchoolsResponse out;
         return a.schools_->ListSchools(a.Context().get(), {}, &out);
       }},
      {"CreateLearner",
       [](Api& a, const Ids&) {
         v1::CreateLearnerRequest r;  // no school, no learner
         v1::Learner out;
         return a.hub_->CreateLearner(a.Context().get(), r, &out);
       }},
      {"ImportLearners",
       [](Api& a, const Ids&) {
         auto ctx = a.Context();
         v1::ImportLearnersResponse out;
         auto w = a.hub_->ImportLearners(ctx.get(), &out);
         v1::ImportLearnersRequest r;  // no school_id on the first message
         r.set_chunk("not,a,roster\n");
         w->Write(r);
         w->WritesDone();
         return w->Finish();
       }},
      {"GetLearner",
       [](Api& a, const Ids&) {
         v1::GetLearnerRequest r;
         r.set_learner_id(kLongId);
         v1::Learner out;
         return a.hub_->GetLearner(a.Context().get(), r, &out);
       }},
      {"ListLearners",
       [](Api& a, const Ids&) {
         v1::ListLearnersRequest r;
         r.set_school_id(kLongId);
         v1::ListLearnersResponse out;
         return a.hub_->ListLearners(a.Context().get(), r, &out);
       }},
      {"ListClasses",
       [](Api& a, const Ids&) {
         v1::ListClassesRequest r;
         r.set_school_id("sch_\x1b[2J");
         v1::ListClassesResponse out;
         return a.hub_->ListClasses(a.Context().get(), r, &out);
       }},
      {"UploadMisExport",
       [](Api& a, const Ids&) {
         auto ctx = a.Context();
         v1::MisSnapshot out;
         auto w = a.mis_->UploadMisExport(ctx.get(), &out);
         v1::UploadMisExportRequest r;  // a chunk where the header must be
         r.mutable_chunk()->set_file_name("pupils.csv");
         r.mutable_chunk()->set_data("x\n");
         w->Write(r);
         w->WritesDone();
         return w->Finish();
       }},
      {"PushMisRecords",
       [](Api& a, const Ids&) {
         v1::PushMisRecordsRequest r;
         r.set_school_id(kLongId);
         r.add_learners();  // an empty record
         v1::MisSnapshot out;
         return a.mis_->PushMisRecords(a.Context().get(), r, &out);
       }},
      {"ListSnapshots",
       [](Api& a, const Ids&) {
         v1::ListSnapshotsRequest r;  // no school_id
         v1::ListSnapshotsResponse out;
         return a.mis_->ListSnapshots(a.Context().get(), r, &out);
       }},
      {"ListMisLearners",
       [](Api& a, const Ids&) {
         v1::ListMisLearnersRequest r;
         r.set_snapshot_id(kLongId);
         v1::ListMisLearnersResponse out;
         return a.mis_->ListMisLearners(a.Context().get(), r, &out);
       }},
      {"ListVerificationEmails",
       [](Api& a, const Ids&) {
         v1::ListVerificationEmailsRequest r;  // no school_id
         v1::ListVerificationEmailsResponse out;
         return a.accounts_->ListVerificationEmails(a.Context().get(), r, &out);
       }},
      {"ListAuditRecords",
       [](Api& a, const Ids& i) {
         v1::ListAuditRecordsRequest r;
         r.set_school_id(i.school);
         r.set_session_id(kLongId);
         v1::ListAuditRecordsResponse out;
         return a.accounts_->ListAuditRecords(a.Context().get(), r, &out);
       }},
      {"ResendVerificationEmails",
       [](Api& a, const Ids&) {
         v1::ResendVerificationEmailsRequest r;  // no school_id
         v1::ResendVerificationEmailsResponse out;
         return a.accounts_->ResendVerificationEmails(a.Context().get(), r,
                                                      &out);
       }},
      {"ListSubscriptions",
       [](Api& a, const Ids&) {
         v1::ListSubscriptionsRequest r;  // no school_id
         v1::ListSubscriptionsResponse out;
         return a.accounts_->ListSubscriptions(a.Context().get(), r, &out);
       }},
      {"SetSubscription",
       [](Api& a, const Ids& i) {
         v1::SetSubscriptionRequest r;
         r.set_school_id(i.school);
         r.set_product("admin-hub");
         v1::ListSubscriptionsResponse out;
         return a.accounts_->SetSubscription(a.Context().get(), r, &out);
       }},
      {"ListGrants",
       [](Api& a, const Ids&) {
         v1::ListGrantsRequest r;  // no school_id
         v1::ListGrantsResponse out;
         return a.accounts_->ListGrants(a.Context().get(), r, &out);
       }},
      {"SetGrant",
       [](Api& a, const Ids& i) {
         v1::SetGrantRequest r;
         r.set_school_id(i.school);
         r.mutable_grant()->set_product("boost-learning");  // to nobody
         v1::ProductGrant out;
         return a.accounts_->SetGrant(a.Context().get(), r, &out);
       }},
      {"RedeemVerification",
       [](Api& a, const Ids&) {
         v1::RedeemVerificationRequest r;
         r.set_token("abc");
         r.set_code("ABCD-EFGH");  // both
         v1::RedeemVerificationResponse out;
         return a.accounts_->RedeemVerification(a.Context().get(), r, &out);
       }},
      {"Login",
       [](Api& a, const Ids&) {
         v1::LoginRequest r;  // no address
         r.set_product("boost-learning");
         v1::LoginResponse out;
         return a.accounts_->Login(a.Context().get(), r, &out);
       }},
      {"StartSession",
       [](Api& a, const Ids& i) {
         v1::StartSessionRequest r;
         r.set_school_id(i.school);
         r.set_admin("line one\nline two");
         v1::Session out;
         return a.sync_->StartSession(a.Context().get(), r, &out);
       }},
      {"GetSession",
       [](Api& a, const Ids&) {
         v1::GetSessionRequest r;
         r.set_session_id(kLongId);
         v1::Session out;
         return a.sync_->GetSession(a.Context().get(), r, &out);
       }},
      {"ListSessions",
       [](Api& a, const Ids&) {
         v1::ListSessionsRequest r;  // no school_id
         v1::ListSessionsResponse out;
         return a.sync_->ListSessions(a.Context().get(), r, &out);
       }},
      {"Proceed",
       [](Api& a, const Ids& i) {
         v1::ProceedRequest r;
         r.set_session_id(i.session);
         r.set_expected_version(-1);
         v1::Session out;
         return a.sync_->Proceed(a.Context().get(), r, &out);
       }},
      {"SetScope",
       [](Api& a, const Ids& i) {
         v1::SetScopeRequest r;
         r.set_session_id(i.session);
         r.set_expected_version(-1);
         v1::Session out;
         return a.sync_->SetScope(a.Context().get(), r, &out);
       }},
      {"StreamRows",
       [](Api& a, const Ids& i) {
         v1::StreamRowsRequest r;
         r.set_session_id(i.session);
         r.set_batch_size(-1);
         auto ctx = a.Context(5);
         auto reader = a.sync_->StreamRows(ctx.get(), r);
         v1::RowBatch batch;
         return FirstThenCancel(*ctx, reader, &batch);
       }},
      {"SetImport",
       [](Api& a, const Ids& i) {
         v1::SetImportRequest r;
         r.set_session_id(i.session);
         r.set_expected_version(-1);  // and no mis_id
         v1::EditResponse out;
         return a.sync_->SetImport(a.Context().get(), r, &out);
       }},
      {"SetImportAll",
       [](Api& a, const Ids& i) {
         v1::SetImportAllRequest r;
         r.set_session_id(i.session);
         r.set_expected_version(-1);
         v1::EditResponse out;
         return a.sync_->SetImportAll(a.Context().get(), r, &out);
       }},
      {"Match",
       [](Api& a, const Ids& i) {
         v1::MatchRequest r;
         r.set_session_id(i.session);
         r.set_learner_id(kLongId);
         r.set_mis_id(i.mis_id);
         v1::EditResponse out;
         return a.sync_->Match(a.Context().get(), r, &out);
       }},
      {"Unmatch",
       [](Api& a, const Ids& i) {
         v1::UnmatchRequest r;  // names neither side of the row
         r.set_session_id(i.session);
         v1::EditResponse out;
         return a.sync_->Unmatch(a.Context().get(), r, &out);
       }},
      {"SetSyncEmail",
       [](Api& a, const Ids& i) {
         v1::SetSyncEmailRequest r;
         r.set_session_id(i.session);
         r.set_mis_id(std::string(300, 'm'));
         v1::EditResponse out;
         return a.sync_->SetSyncEmail(a.Context().get(), r, &out);
       }},
      {"SetSyncEmailAll",
       [](Api& a, const Ids& i) {
         v1::SetSyncEmailAllRequest r;
         r.set_session_id(i.session);
         r.set_expected_version(-1);
         v1::EditResponse out;
         return a.sync_->SetSyncEmailAll(a.Context().get(), r, &out);
       }},
      {"SetReviewed",
       [](Api& a, const Ids& i) {
         v1::SetReviewedRequest r;  // names neither side of the row
         r.set_session_id(i.session);
         v1::EditResponse out;
         return a.sync_->SetReviewed(a.Context().get(), r, &out);
       }},
      {"SetReviewedAll",
       [](Api& a, const Ids& i) {
         v1::SetReviewedAllRequest r;
         r.set_session_id(i.session);
         r.set_confirm_count(-1);
         v1::EditResponse out;
         return a.sync_->SetReviewedAll(a.Context().get(), r, &out);
       }},
      {"WatchSession",
       [](Api& a, const Ids& i) {
         v1::WatchSessionRequest r;
         r.set_session_id(i.session);
         r.set_after_version(-1);
         auto ctx = a.Context(5);
         auto reader = a.sync_->WatchSession(ctx.get(), r);
         v1::SessionEvent event;
         return FirstThenCancel(*ctx, reader, &event);
       }},
      {"CreateApiKey",
       [](Api& a, const Ids& i) {
         v1::CreateApiKeyRequest r;  // no role
         r.set_school_id(i.school);
         r.set_label("\x1b[2J\x1b[Hforged");
         v1::CreateApiKeyResponse out;
         return a.keys_->CreateApiKey(a.Context().get(), r, &out);
       }},
      {"ListApiKeys",
       [](Api& a, const Ids&) {
         v1::ListApiKeysRequest r;
         r.set_school_id(kLongId);
         v1::ListApiKeysResponse out;
         return a.keys_->ListApiKeys(a.Context().get(), r, &out);
       }},
      {"RevokeApiKey",
       [](Api& a, const Ids&) {
         v1::RevokeApiKeyRequest r;  // no key_id
         v1::ApiKey out;
         return a.keys_->RevokeApiKey(a.Context().get(), r, &out);
       }},
      {"ListSaves",
       [](Api& a, const Ids& i) {
         v1::ListSavesRequest r;
         r.set_school_id(i.school);
         r.set_page_size(-1);
         v1::ListSavesResponse out;
         return a.sync_->ListSaves(a.Context().get(), r, &out);
       }},
      {"GetSave",
       [](Api& a, const Ids&) {
         v1::GetSaveRequest r;  // no save_id
         v1::SaveRecord out;
         return a.sync_->GetSave(a.Context().get(), r, &out);
       }},
      {"RevertSave",
       [](Api& a, const Ids&) {
         v1::RevertSaveRequest r;
         r.set_save_id(kLongId);
         v1::RevertSaveResponse out;
         return a.sync_->RevertSave(a.Context().get(), r, &out);
       }},
      {"SaveAndSyncPupils",
       [](Api& a, const Ids& i) {
         v1::SaveRequest r;
         r.set_session_id(i.session);
         r.set_confirm_desync_count(-1);
         v1::SaveResponse out;
         return a.sync_->SaveAndSyncPupils(a.Context().get(), r, &out);
       }},
      {"StepBack",
       [](Api& a, const Ids& i) {
         v1::StepBackRequest r;
         r.set_session_id(i.session);
         r.set_expected_version(-1);
         v1::Session out;
         return a.sync_->StepBack(a.Context().get(), r, &out);
       }},
      {"CancelSession",
       [](Api& a, const Ids& i) {
         v1::CancelSessionRequest r;
         r.set_session_id(i.session);
         r.set_expected_version(-1);
         v1::Session out;
         return a.sync_->CancelSession(a.Context().get(), r, &out);
       }},
      {"UpdateLearner",
       [](Api& a, const Ids&) {
         v1::UpdateLearnerRequest r;  // no learner id, no mask
         v1::Learner out;
         return a.hub_->UpdateLearner(a.Context().get(), r, &out);
       }},
      {"ArchiveLearner",
       [](Api& a, const Ids&) {
         v1::ArchiveLearnerRequest r;
         r.set_learner_id(kLongId);
         v1::Learner out;
         return a.hub_->ArchiveLearner(a.Context().get(), r, &out);
       }},
      {"RestoreLearner",
       [](Api& a, const Ids&) {
         v1::RestoreLearnerRequest r;
         r.set_learner_id("lrn_\x1b[2J");
         v1::Learner out;
         return a.hub_->RestoreLearner(a.Context().get(), r, &out);
       }},
      {"UnlinkLearner",
       [](Api& a, const Ids&) {
         v1::UnlinkLearnerRequest r;  // no learner id
         v1::Learner out;
         return a.hub_->UnlinkLearner(a.Context().get(), r, &out);
       }},
  };
}

// The RPCs a viewer key may call (docs/SECURITY.md's table).
const std::set<std::string>& ViewerMay() {
  static const auto* names =
      new std::set<std::string>{"GetSchool",        "ListSchools",
                                "GetLearner",       "ListLearners",
                                "ListClasses",      "ListSnapshots",
                                "ListMisLearners",  "ListVerificationEmails",
                                "ListAuditRecords", "GetSession",
                                "ListSessions",     "StreamRows",
                                "WatchSession",     "ListSaves",
                                "GetSave",          "ListSubscriptions",
                                "ListGrants"};
  return *names;
}

TEST(AuthFirstTest, TheMalformedCallsCoverEveryRpcOfTheApi) {
  std::set<std::string> api;
  for (const char* service :
       {"hubsync.v1.SchoolService", "hubsync.v1.HubService",
        "hubsync.v1.MisService", "hubsync.v1.SyncService",
        "hubsync.v1.AccountService", "hubsync.v1.KeyService"}) {
    const google::protobuf::ServiceDescriptor* d =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            service);
    ASSERT_NE(d, nullptr) << service;
    for (int m = 0; m < d->method_count(); ++m)
      api.insert(d->method(m)->name());
  }
  std::set<std::string> covered, every;
  for (const RpcCase& rpc : EveryRpcMalformed()) covered.insert(rpc.name);
  for (const RpcCase& rpc : EveryRpc()) every.insert(rpc.name);
  // WhoAmI's request has no field to get wrong.
  std::set<std::string> can_be_malformed = api;
  EXPECT_EQ(can_be_malformed.erase("WhoAmI"), 1u);
  EXPECT_EQ(covered, can_be_malformed);
  EXPECT_EQ(every, api);
}

// The bodies are malformed indeed: a key that may call the RPC is told so.
TEST(AuthFirstTest, AnAllowedKeyIsToldTheBodyIsMalformed) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Malformed Academy");
  KeyedApi admin(server.RawChannel(), ids.admin_key);
  KeyedApi op(server.RawChannel(), server.operator_key());
  KeyedApi product(server.RawChannel(),
                   server.NewKey("", Role::kProduct, "a product"));
  for (const RpcCase& rpc : EveryRpcMalformed()) {
    if (rpc.name == "ListSchools") continue;  // has no body to get wrong
    KeyedApi& api = rpc.name == "CreateSchool" ? op
                    : (rpc.name == "RedeemVerification" || rpc.name == "Login")
                        ? product
                        : admin;
    grpc::Status s = rpc.call(api, ids);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << rpc.name << ": " << s.error_message();
  }
}

void ExpectAllRefused(TestServer& server, const SchoolIds& ids,
                      const std::string& key, const std::string& why,
                      const std::string& message) {
  KeyedApi api(server.RawChannel(), key);
  for (const RpcCase& rpc : EveryRpcMalformed()) {
    grpc::Status s = rpc.call(api, ids);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << why << ", " << rpc.name << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(message))
        << why << ", " << rpc.name;
  }
}

TEST(AuthFirstTest, NoKeyIsUnauthenticatedWhateverTheBody) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Keyless Academy");
  ExpectAllRefused(server, ids, "", "no key", "no API key");
}

TEST(AuthFirstTest, AWrongKeyIsUnauthenticatedWhateverTheBody) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Wrong Key Academy");
  std::string wrong = ids.admin_key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  ExpectAllRefused(server, ids, wrong, "wrong secret", "not valid");
  ExpectAllRefused(server, ids, "hsk_garbage", "garbage", "");
}

TEST(AuthFirstTest, ARevokedKeyIsUnauthenticatedWhateverTheBody) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Revoked Key Academy");
  const std::string key = server.NewKey(ids.school, Role::kAdmin, "leaver");
  v1::RevokeApiKeyRequest revoke;
  revoke.set_key_id("key_" + key.substr(4, 16));
  v1::ApiKey revoked;
  ASSERT_TRUE(server.keys().RevokeApiKey(Ctx().get(), revoke, &revoked).ok());
  ExpectAllRefused(server, ids, key, "revoked", "revoked");
}

TEST(AuthFirstTest, ARoleThatMayNotCallTheRpcIsDeniedWhateverTheBody) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Viewer Academy");
  KeyedApi viewer(server.RawChannel(),
                  server.NewKey(ids.school, Role::kViewer, "viewer"));
  int denied = 0;
  for (const RpcCase& rpc : EveryRpcMalformed()) {
    if (ViewerMay().count(rpc.name)) continue;
    ++denied;
    grpc::Status s = rpc.call(viewer, ids);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << rpc.name << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(rpc.name));
  }
  EXPECT_EQ(denied, 32);
}

}  // namespace
}  // namespace hubsync::testing
