// Every hubsync.v1 RPC, callable with a chosen API key over a channel that
// adds nothing of its own, for the role and cross-school tests.
#ifndef HUBSYNC_TESTS_AUTH_EVERY_RPC_H_
#define HUBSYNC_TESTS_AUTH_EVERY_RPC_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/client_context.h"
#include "tests/testing/sync_helpers.h"
#include "tests/testing/test_server.h"

namespace hubsync::testing {

// A school set up to the sync screen, and the ids its RPCs take.
struct SchoolIds {
  std::string school, learner, snapshot, session, mis_id, admin_key,
      victim_key_id, save;
};

// School with two hub learners, a pushed snapshot of two MIS learners (one
// matching), and a session on the sync screen. Leaves the server's stubs on
// the school's admin key (admin_key).
inline SchoolIds SetUpSchool(TestServer& server, const std::string& name) {
  SchoolIds ids;
  ids.school = CreateSchool(server, name);
  ids.admin_key = server.NewKey(ids.school, Role::kAdmin, name + " admin");
  server.UseKey(ids.admin_key);
  LearnerSpec ada{"Ada", "Lovelace", "2013-12-10", "", "7", "7R", ""};
  ids.learner = CreateLearner(server, ids.school, ada);
  CreateLearner(server, ids.school,
                {"Hub", "Only", "2013-01-01", "", "7", "7R", ""});
  ids.mis_id = "mis-new-" + name.substr(0, 3);
  ids.snapshot = Push(server, ids.school, {RegClass("reg-7R", "7R", "7")},
                      {MisRecord("mis-ada", ada),
                       MisRecord(ids.mis_id, {"Mis", "Only", "2013-02-02", "",
                                              "7", "7R", ""})});
  // A save to list and revert: Ada linked by a first session.
  {
    const std::string first =
        ToSyncScreen(server, ids.school, AllStudents(), false, nullptr);
    v1::SaveRequest save;
    save.set_session_id(first);
    v1::SaveResponse saved;
    grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
    EXPECT_TRUE(s.ok()) << s.error_message();
    ids.save = saved.save_id();
  }
  ids.session = ToSyncScreen(server, ids.school, AllStudents(), false, nullptr);
  // A key that RevokeApiKey may revoke without locking the caller out.
  const std::string victim = server.NewKey(ids.school, Role::kViewer, "victim");
  ids.victim_key_id = "key_" + victim.substr(4, 16);
  return ids;
}

class KeyedApi {
 public:
  KeyedApi(std::shared_ptr<grpc::Channel> channel, std::string key)
      : key_(std::move(key)),
        schools_(v1::SchoolService::NewStub(channel)),
        hub_(v1::HubService::NewStub(channel)),
        mis_(v1::MisService::NewStub(channel)),
        sync_(v1::SyncService::NewStub(channel)),
        accounts_(v1::AccountService::NewStub(channel)),
        keys_(v1::KeyService::NewStub(channel)) {}

  std::unique_ptr<grpc::ClientContext> Context(int seconds = 30) const {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(seconds));
    if (!key_.empty()) ctx->AddMetadata("authorization", "Bearer " + key_);
    return ctx;
  }

  const std::string key_;
  std::unique_ptr<v1::SchoolService::Stub> schools_;
  std::unique_ptr<v1::HubService::Stub> hub_;
  std::unique_ptr<v1::MisService::Stub> mis_;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::unique_ptr<v1::AccountService::Stub> accounts_;
  std::unique_ptr<v1::KeyService::Stub> keys_;
};

// Reads the first message of a server stream, then cancels: an allowed call
// ends CANCELLED (or OK, or DEADLINE_EXCEEDED), a refused one with its code.
template <typename Reader, typename Msg>
grpc::Status FirstThenCancel(grpc::ClientContext& ctx, Reader& reader,
                             Msg* msg) {
  if (reader->Read(msg)) ctx.TryCancel();
  return reader->Finish();
}

struct RpcCase {
  std::string name;  // the RPC's name, as in proto
  // Calls it on the records of `ids` (`other` is a second school's ids, for
  // the verbs that take two, e.g. Match with another school's learner).
  std::function<grpc::Status(KeyedApi&, const SchoolIds& ids)> call;
};

inline std::vector<RpcCase> EveryRpc() {
  using Api = KeyedApi;
  using Ids = SchoolIds;
  return {
      {"CreateSchool",
       [](Api& a, const Ids&) {
         v1::CreateSchoolRequest r;
         r.set_name("Made in a test");
         v1::School out;
         return a.schools_->CreateSchool(a.Context().get(), r, &out);
       }},
      {"GetSchool",
       [](Api& a, const Ids& i) {
         v1::GetSchoolRequest r;
         r.set_school_id(i.school);
         v1::School out;
         return a.schools_->GetSchool(a.Context().get(), r, &out);
       }},
      {"ListSchools",
       [](Api& a, const Ids&) {
         v1::ListSchoolsResponse out;
         return a.schools_->ListSchools(a.Context().get(), {}, &out);
       }},
      {"CreateLearner",
       [](Api& a, const Ids& i) {
         v1::CreateLearnerRequest r;
         r.set_school_id(i.school);
         r.mutable_learner()->set_legal_forename("New");
         r.mutable_learner()->set_legal_surname("Learner");
         v1::Learner out;
         return a.hub_->CreateLearner(a.Context().get(), r, &out);
       }},
      {"ImportLearners",
       [](Api& a, const Ids& i) {
         auto ctx = a.Context();
         v1::ImportLearnersResponse out;
         auto w = a.hub_->ImportLearners(ctx.get(), &out);
         v1::ImportLearnersRequest r;
         r.set_school_id(i.school);
         r.set_chunk("legal_forename,legal_surname\nImported,Learner\n");
         w->Write(r);
         w->WritesDone();
         return w->Finish();
       }},
      {"GetLearner",
       [](Api& a, const Ids& i) {
         v1::GetLearnerRequest r;
         r.set_learner_id(i.learner);
         v1::Learner out;
         return a.hub_->GetLearner(a.Context().get(), r, &out);
       }},
      {"ListLearners",
       [](Api& a, const Ids& i) {
         v1::ListLearnersRequest r;
         r.set_school_id(i.school);
         v1::ListLearnersResponse out;
         return a.hub_->ListLearners(a.Context().get(), r, &out);
       }},
      {"ListClasses",
       [](Api& a, const Ids& i) {
         v1::ListClassesRequest r;
         r.set_school_id(i.school);
         v1::ListClassesResponse out;
         return a.hub_->ListClasses(a.Context().get(), r, &out);
       }},
      {"UploadMisExport",
       [](Api& a, const Ids& i) {
         auto ctx = a.Context();
         v1::MisSnapshot out;
         auto w = a.mis_->UploadMisExport(ctx.get(), &out);
         v1::UploadMisExportRequest r;
         r.mutable_header()->set_school_id(i.school);
         r.mutable_header()->set_format(v1::MIS_FORMAT_PLAIN_CSV);
         w->Write(r);
         r.mutable_chunk()->set_file_name("pupils.csv");
         r.mutable_chunk()->set_data(
             "mis_id,legal_forename,legal_surname\nu-1,Up,Loaded\n");
         w->Write(r);
         w->WritesDone();
         return w->Finish();
       }},
      {"PushMisRecords",
       [](Api& a, const Ids& i) {
         v1::PushMisRecordsRequest r;
         r.set_school_id(i.school);
         *r.add_learners() = MisRecord(
             "p-1", {"Pushed", "Learner", "2013-01-01", "", "7", "", ""});
         v1::MisSnapshot out;
         return a.mis_->PushMisRecords(a.Context().get(), r, &out);
       }},
      {"ListSnapshots",
       [](Api& a, const Ids& i) {
         v1::ListSnapshotsRequest r;
         r.set_school_id(i.school);
         v1::ListSnapshotsResponse out;
         return a.mis_->ListSnapshots(a.Context().get(), r, &out);
       }},
      {"ListMisLearners",
       [](Api& a, const Ids& i) {
         v1::ListMisLearnersRequest r;
         r.set_snapshot_id(i.snapshot);
         v1::ListMisLearnersResponse out;
         return a.mis_->ListMisLearners(a.Context().get(), r, &out);
       }},
      {"ListVerificationEmails",
       [](Api& a, const Ids& i) {
         v1::ListVerificationEmailsRequest r;
         r.set_school_id(i.school);
         v1::ListVerificationEmailsResponse out;
         return a.accounts_->ListVerificationEmails(a.Context().get(), r, &out);
       }},
      {"ListAuditRecords",
       [](Api& a, const Ids& i) {
         v1::ListAuditRecordsRequest r;
         r.set_school_id(i.school);
         v1::ListAuditRecordsResponse out;
         return a.accounts_->ListAuditRecords(a.Context().get(), r, &out);
       }},
      {"ResendVerificationEmails",
       [](Api& a, const Ids& i) {
         v1::ResendVerificationEmailsRequest r;  // every failed one: none
         r.set_school_id(i.school);
         v1::ResendVerificationEmailsResponse out;
         return a.accounts_->ResendVerificationEmails(a.Context().get(), r,
                                                      &out);
       }},
      {"ListSubscriptions",
       [](Api& a, const Ids& i) {
         v1::ListSubscriptionsRequest r;
         r.set_school_id(i.school);
         v1::ListSubscriptionsResponse out;
         return a.accounts_->ListSubscriptions(a.Context().get(), r, &out);
       }},
      {"SetSubscription",
       [](Api& a, const Ids& i) {
         v1::SetSubscriptionRequest r;
         r.set_school_id(i.school);
         r.set_product("boost-learning");
         r.set_subscribed(true);
         v1::ListSubscriptionsResponse out;
         return a.accounts_->SetSubscription(a.Context().get(), r, &out);
       }},
      {"ListGrants",
       [](Api& a, const Ids& i) {
         v1::ListGrantsRequest r;
         r.set_school_id(i.school);
         v1::ListGrantsResponse out;
         return a.accounts_->ListGrants(a.Context().get(), r, &out);
       }},
      {"SetGrant",
       [](Api& a, const Ids& i) {
         v1::SetGrantRequest r;
         r.set_school_id(i.school);
         r.mutable_grant()->set_product("boost-learning");
         r.mutable_grant()->set_learner_id(i.learner);
         r.set_granted(true);
         v1::ProductGrant out;
         return a.accounts_->SetGrant(a.Context().get(), r, &out);
       }},
      // The learner's side needs a token or a password that only a real
      // email gives (tests/e2e/accounts_e2e_test.cc): here, requests that
      // pass the key's checks and are then told what is missing.
      {"RedeemVerification",
       [](Api& a, const Ids&) {
         v1::RedeemVerificationRequest r;  // neither token nor code
         v1::RedeemVerificationResponse out;
         return a.accounts_->RedeemVerification(a.Context().get(), r, &out);
       }},
      {"Login",
       [](Api& a, const Ids&) {
         v1::LoginRequest r;
         r.set_address("someone@example.org");  // no product
         v1::LoginResponse out;
         return a.accounts_->Login(a.Context().get(), r, &out);
       }},
      {"StartSession",
       [](Api& a, const Ids& i) {
         v1::StartSessionRequest r;
         r.set_school_id(i.school);
         r.set_snapshot_id(i.snapshot);
         v1::Session out;
         return a.sync_->StartSession(a.Context().get(), r, &out);
       }},
      {"GetSession",
       [](Api& a, const Ids& i) {
         v1::GetSessionRequest r;
         r.set_session_id(i.session);
         v1::Session out;
         return a.sync_->GetSession(a.Context().get(), r, &out);
       }},
      {"ListSessions",
       [](Api& a, const Ids& i) {
         v1::ListSessionsRequest r;
         r.set_school_id(i.school);
         v1::ListSessionsResponse out;
         return a.sync_->ListSessions(a.Context().get(), r, &out);
       }},
      {"Proceed",
       [](Api& a, const Ids& i) {
         v1::ProceedRequest r;
         r.set_session_id(i.session);
         v1::Session out;
         return a.sync_->Proceed(a.Context().get(), r, &out);
       }},
      {"SetScope",
       [](Api& a, const Ids& i) {
         v1::SetScopeRequest r;
         r.set_session_id(i.session);
         *r.mutable_scope() = AllStudents();
         v1::Session out;
         return a.sync_->SetScope(a.Context().get(), r, &out);
       }},
      {"StreamRows",
       [](Api& a, const Ids& i) {
         v1::StreamRowsRequest r;
         r.set_session_id(i.session);
         auto ctx = a.Context(5);
         auto reader = a.sync_->StreamRows(ctx.get(), r);
         v1::RowBatch batch;
         return FirstThenCancel(*ctx, reader, &batch);
       }},
      {"SetImport",
       [](Api& a, const Ids& i) {
         v1::SetImportRequest r;
         r.set_session_id(i.session);
         r.set_mis_id(i.mis_id);
         r.set_import(true);
         v1::EditResponse out;
         return a.sync_->SetImport(a.Context().get(), r, &out);
       }},
      {"SetImportAll",
       [](Api& a, const Ids& i) {
         v1::SetImportAllRequest r;
         r.set_session_id(i.session);
         r.set_import(false);
         v1::EditResponse out;
         return a.sync_->SetImportAll(a.Context().get(), r, &out);
       }},
      {"Match",
       [](Api& a, const Ids& i) {
         v1::MatchRequest r;
         r.set_session_id(i.session);
         r.set_learner_id(i.learner);
         r.set_mis_id(i.mis_id);
         v1::EditResponse out;
         return a.sync_->Match(a.Context().get(), r, &out);
       }},
      {"Unmatch",
       [](Api& a, const Ids& i) {
         v1::UnmatchRequest r;
         r.set_session_id(i.session);
         r.set_learner_id(i.learner);
         v1::EditResponse out;
         return a.sync_->Unmatch(a.Context().get(), r, &out);
       }},
      {"SetSyncEmail",
       [](Api& a, const Ids& i) {
         v1::SetSyncEmailRequest r;
         r.set_session_id(i.session);
         r.set_mis_id(i.mis_id);
         r.set_sync(false);
         v1::EditResponse out;
         return a.sync_->SetSyncEmail(a.Context().get(), r, &out);
       }},
      {"SetSyncEmailAll",
       [](Api& a, const Ids& i) {
         v1::SetSyncEmailAllRequest r;
         r.set_session_id(i.session);
         r.set_sync(false);
         v1::EditResponse out;
         return a.sync_->SetSyncEmailAll(a.Context().get(), r, &out);
       }},
      {"SetReviewed",
       [](Api& a, const Ids& i) {
         v1::SetReviewedRequest r;
         r.set_session_id(i.session);
         r.set_learner_id(i.learner);
         v1::EditResponse out;
         return a.sync_->SetReviewed(a.Context().get(), r, &out);
       }},
      {"SetReviewedAll",
       [](Api& a, const Ids& i) {
         v1::SetReviewedAllRequest r;
         r.set_session_id(i.session);
         v1::EditResponse out;
         return a.sync_->SetReviewedAll(a.Context().get(), r, &out);
       }},
      {"WatchSession",
       [](Api& a, const Ids& i) {
         v1::WatchSessionRequest r;
         r.set_session_id(i.session);
         auto ctx = a.Context(5);
         auto reader = a.sync_->WatchSession(ctx.get(), r);
         v1::SessionEvent event;
         return FirstThenCancel(*ctx, reader, &event);
       }},
      {"CreateApiKey",
       [](Api& a, const Ids& i) {
         v1::CreateApiKeyRequest r;
         r.set_school_id(i.school);
         r.set_role(v1::ROLE_VIEWER);
         v1::CreateApiKeyResponse out;
         return a.keys_->CreateApiKey(a.Context().get(), r, &out);
       }},
      {"ListApiKeys",
       [](Api& a, const Ids& i) {
         v1::ListApiKeysRequest r;
         r.set_school_id(i.school);
         v1::ListApiKeysResponse out;
         return a.keys_->ListApiKeys(a.Context().get(), r, &out);
       }},
      {"RevokeApiKey",
       [](Api& a, const Ids& i) {
         v1::RevokeApiKeyRequest r;
         r.set_key_id(i.victim_key_id);
         v1::ApiKey out;
         return a.keys_->RevokeApiKey(a.Context().get(), r, &out);
       }},
      {"WhoAmI",
       [](Api& a, const Ids&) {
         v1::ApiKey out;
         return a.keys_->WhoAmI(a.Context().get(), v1::WhoAmIRequest(), &out);
       }},
      {"ListSaves",
       [](Api& a, const Ids& i) {
         v1::ListSavesRequest r;
         r.set_school_id(i.school);
         v1::ListSavesResponse out;
         return a.sync_->ListSaves(a.Context().get(), r, &out);
       }},
      {"GetSave",
       [](Api& a, const Ids& i) {
         v1::GetSaveRequest r;
         r.set_save_id(i.save);
         v1::SaveRecord out;
         return a.sync_->GetSave(a.Context().get(), r, &out);
       }},
      // A dry run: the save stays in force for the calls after it.
      {"RevertSave",
       [](Api& a, const Ids& i) {
         v1::RevertSaveRequest r;
         r.set_save_id(i.save);
         r.set_validate_only(true);
         v1::RevertSaveResponse out;
         return a.sync_->RevertSave(a.Context().get(), r, &out);
       }},
      {"StepBack",
       [](Api& a, const Ids& i) {
         v1::StepBackRequest r;
         r.set_session_id(i.session);
         v1::Session out;
         return a.sync_->StepBack(a.Context().get(), r, &out);
       }},
      // Save and Cancel last: they end the session.
      {"SaveAndSyncPupils",
       [](Api& a, const Ids& i) {
         v1::SaveRequest r;
         r.set_session_id(i.session);
         v1::SaveResponse out;
         return a.sync_->SaveAndSyncPupils(a.Context().get(), r, &out);
       }},
      {"CancelSession",
       [](Api& a, const Ids& i) {
         v1::CancelSessionRequest r;
         r.set_session_id(i.session);
         v1::Session out;
         return a.sync_->CancelSession(a.Context().get(), r, &out);
       }},
      // The learner edits after the session's verbs: each bumps the hub
      // version, which a Save checks.
      {"UpdateLearner",
       [](Api& a, const Ids& i) {
         v1::UpdateLearnerRequest r;
         r.mutable_learner()->set_learner_id(i.learner);
         r.mutable_learner()->set_preferred_forename("Addie");
         r.mutable_update_mask()->add_paths("preferred_forename");
         v1::Learner out;
         return a.hub_->UpdateLearner(a.Context().get(), r, &out);
       }},
      {"ArchiveLearner",
       [](Api& a, const Ids& i) {
         v1::ArchiveLearnerRequest r;
         r.set_learner_id(i.learner);
         v1::Learner out;
         grpc::Status s = a.hub_->ArchiveLearner(a.Context().get(), r, &out);
         if (s.ok()) {  // back as it was, for the calls after this one
           v1::RestoreLearnerRequest back;
           back.set_learner_id(i.learner);
           (void)a.hub_->RestoreLearner(a.Context().get(), back, &out);
         }
         return s;
       }},
      {"RestoreLearner",
       [](Api& a, const Ids& i) {
         v1::RestoreLearnerRequest r;
         r.set_learner_id(i.learner);
         v1::Learner out;
         return a.hub_->RestoreLearner(a.Context().get(), r, &out);
       }},
      {"UnlinkLearner",
       [](Api& a, const Ids& i) {
         v1::UnlinkLearnerRequest r;
         r.set_learner_id(i.learner);
         v1::Learner out;
         return a.hub_->UnlinkLearner(a.Context().get(), r, &out);
       }},
  };
}

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_AUTH_EVERY_RPC_H_
