// The gRPC services of hubsync.v1 (sync API). Each handler first authorises
// the call (server/service/authorize.h), then converts the request, calls the
// store or the session manager, and maps the status.
#ifndef HUBSYNC_SERVER_SERVICE_SERVICES_H_
#define HUBSYNC_SERVER_SERVICE_SERVICES_H_

#include <cstddef>

#include "common/import_checks.h"
#include "hubsync/v1/accounts.grpc.pb.h"
#include "hubsync/v1/admin.grpc.pb.h"
#include "hubsync/v1/hub.grpc.pb.h"
#include "hubsync/v1/keys.grpc.pb.h"
#include "hubsync/v1/mis.grpc.pb.h"
#include "hubsync/v1/sync.grpc.pb.h"
#include "server/auth/authorizer.h"
#include "server/auth/passwords.h"
#include "server/auth/throttle.h"
#include "server/mail/delivery.h"
#include "server/mail/tokens.h"
#include "server/session/session_manager.h"
#include "server/storage/store.h"

namespace hubsync {

// What one call may carry (hubsyncd flags of the same names). Past any of
// them a call fails with RESOURCE_EXHAUSTED naming the limit, and nothing is
// stored.
struct Limits {
  size_t max_upload_bytes = size_t{512} << 20;  // per upload, all files
  size_t max_upload_rows = 2'000'000;  // data rows in any one uploaded file
  size_t max_field_bytes = 256;        // any one value of an uploaded record
  size_t max_push_records = 2'000'000;
  // Largest single gRPC message the server accepts (a PushMisRecords call;
  // uploads stream in chunks of any size up to this).
  size_t max_message_bytes = size_t{64} << 20;

  ParseLimits parse() const { return {max_field_bytes, max_upload_rows}; }
};

class SchoolServiceImpl final : public v1::SchoolService::Service {
 public:
  SchoolServiceImpl(Store* store, const auth::Authorizer* auth)
      : store_(store), auth_(auth) {}
  grpc::Status CreateSchool(grpc::ServerContext*,
                            const v1::CreateSchoolRequest*,
                            v1::School*) override;
  grpc::Status GetSchool(grpc::ServerContext*, const v1::GetSchoolRequest*,
                         v1::School*) override;
  grpc::Status ListSchools(grpc::ServerContext*, const v1::ListSchoolsRequest*,
                           v1::ListSchoolsResponse*) override;

 private:
  Store* store_;
  const auth::Authorizer* auth_;
};

class HubServiceImpl final : public v1::HubService::Service {
 public:
  HubServiceImpl(Store* store, Limits limits, const auth::Authorizer* auth)
      : store_(store), limits_(limits), auth_(auth) {}
  grpc::Status CreateLearner(grpc::ServerContext*,
                             const v1::CreateLearnerRequest*,
                             v1::Learner*) override;
  grpc::Status ImportLearners(grpc::ServerContext*,
                              grpc::ServerReader<v1::ImportLearnersRequest>*,
                              v1::ImportLearnersResponse*) override;
  grpc::Status GetLearner(grpc::ServerContext*, const v1::GetLearnerRequest*,
                          v1::Learner*) override;
  grpc::Status ListLearners(grpc::ServerContext*,
                            const v1::ListLearnersRequest*,
                            v1::ListLearnersResponse*) override;
  grpc::Status ListClasses(grpc::ServerContext*, const v1::ListClassesRequest*,
                           v1::ListClassesResponse*) override;
  grpc::Status UpdateLearner(grpc::ServerContext*,
                             const v1::UpdateLearnerRequest*,
                             v1::Learner*) override;
  grpc::Status ArchiveLearner(grpc::ServerContext*,
                              const v1::ArchiveLearnerRequest*,
                              v1::Learner*) override;
  grpc::Status RestoreLearner(grpc::ServerContext*,
                              const v1::RestoreLearnerRequest*,
                              v1::Learner*) override;
  grpc::Status UnlinkLearner(grpc::ServerContext*,
                             const v1::UnlinkLearnerRequest*,
                             v1::Learner*) override;

 private:
  Store* store_;
  Limits limits_;
  const auth::Authorizer* auth_;
};

class MisServiceImpl final : public v1::MisService::Service {
 public:
  MisServiceImpl(Store* store, Limits limits, const auth::Authorizer* auth)
      : store_(store), limits_(limits), auth_(auth) {}
  grpc::Status UploadMisExport(grpc::ServerContext*,
                               grpc::ServerReader<v1::UploadMisExportRequest>*,
                               v1::MisSnapshot*) override;
  grpc::Status PushMisRecords(grpc::ServerContext*,
                              const v1::PushMisRecordsRequest*,
                              v1::MisSnapshot*) override;
  grpc::Status ListSnapshots(grpc::ServerContext*,
                             const v1::ListSnapshotsRequest*,
                             v1::ListSnapshotsResponse*) override;
  grpc::Status ListMisLearners(grpc::ServerContext*,
                               const v1::ListMisLearnersRequest*,
                               v1::ListMisLearnersResponse*) override;

 private:
  grpc::Status StoreSnapshot(MisSnapshot snapshot, const Actor& actor,
                             v1::MisSnapshot* out);
  Store* store_;
  Limits limits_;
  const auth::Authorizer* auth_;
};

class AccountServiceImpl final : public v1::AccountService::Service {
 public:
  // `delivery` (null when the server sends no email) is woken by a resend;
  // `key` hashes the tokens and codes a redeem presents.
  AccountServiceImpl(Store* store, const auth::Authorizer* auth,
                     mail::DeliveryWorker* delivery, mail::TokenKey key,
                     auth::PasswordCost cost, auth::LoginThrottle* throttle)
      : store_(store),
        auth_(auth),
        delivery_(delivery),
        key_(std::move(key)),
        cost_(cost),
        throttle_(throttle) {}
  grpc::Status ListVerificationEmails(
      grpc::ServerContext*, const v1::ListVerificationEmailsRequest*,
      v1::ListVerificationEmailsResponse*) override;
  grpc::Status ListAuditRecords(grpc::ServerContext*,
                                const v1::ListAuditRecordsRequest*,
                                v1::ListAuditRecordsResponse*) override;
  grpc::Status ResendVerificationEmails(
      grpc::ServerContext*, const v1::ResendVerificationEmailsRequest*,
      v1::ResendVerificationEmailsResponse*) override;
  grpc::Status ListSubscriptions(grpc::ServerContext*,
                                 const v1::ListSubscriptionsRequest*,
                                 v1::ListSubscriptionsResponse*) override;
  grpc::Status SetSubscription(grpc::ServerContext*,
                               const v1::SetSubscriptionRequest*,
                               v1::ListSubscriptionsResponse*) override;
  grpc::Status ListGrants(grpc::ServerContext*, const v1::ListGrantsRequest*,
                          v1::ListGrantsResponse*) override;
  grpc::Status SetGrant(grpc::ServerContext*, const v1::SetGrantRequest*,
                        v1::ProductGrant*) override;
  grpc::Status RedeemVerification(grpc::ServerContext*,
                                  const v1::RedeemVerificationRequest*,
                                  v1::RedeemVerificationResponse*) override;
  grpc::Status Login(grpc::ServerContext*, const v1::LoginRequest*,
                     v1::LoginResponse*) override;

 private:
  Store* store_;
  const auth::Authorizer* auth_;
  mail::DeliveryWorker* delivery_;
  mail::TokenKey key_;
  auth::PasswordCost cost_;
  auth::LoginThrottle* throttle_;
  // Argon2id takes cost_.mem_bytes a hash: at most kMaxHashing hashes run
  // at once (the rest wait), so a burst of logins cannot take the
  // server's memory (4 x 64 MiB by default).
  static constexpr int kMaxHashing = 4;
  absl::Mutex hash_mu_;
  int hashing_ ABSL_GUARDED_BY(hash_mu_) = 0;
  class HashSlot;
};

class SyncServiceImpl final : public v1::SyncService::Service {
 public:
  // `delivery` (null when the server sends no email) is woken after a save
  // that queued emails.
  SyncServiceImpl(SessionManager* sessions, Store* store,
                  const auth::Authorizer* auth,
                  mail::DeliveryWorker* delivery = nullptr)
      : sessions_(sessions), store_(store), auth_(auth), delivery_(delivery) {}
  grpc::Status StartSession(grpc::ServerContext*,
                            const v1::StartSessionRequest*,
                            v1::Session*) override;
  grpc::Status GetSession(grpc::ServerContext*, const v1::GetSessionRequest*,
                          v1::Session*) override;
  grpc::Status ListSessions(grpc::ServerContext*,
                            const v1::ListSessionsRequest*,
                            v1::ListSessionsResponse*) override;
  grpc::Status Proceed(grpc::ServerContext*, const v1::ProceedRequest*,
                       v1::Session*) override;
  grpc::Status SetScope(grpc::ServerContext*, const v1::SetScopeRequest*,
                        v1::Session*) override;
  grpc::Status StreamRows(grpc::ServerContext*, const v1::StreamRowsRequest*,
                          grpc::ServerWriter<v1::RowBatch>*) override;
  grpc::Status SetImport(grpc::ServerContext*, const v1::SetImportRequest*,
                         v1::EditResponse*) override;
  grpc::Status SetImportAll(grpc::ServerContext*,
                            const v1::SetImportAllRequest*,
                            v1::EditResponse*) override;
  grpc::Status Match(grpc::ServerContext*, const v1::MatchRequest*,
                     v1::EditResponse*) override;
  grpc::Status Unmatch(grpc::ServerContext*, const v1::UnmatchRequest*,
                       v1::EditResponse*) override;
  grpc::Status SetSyncEmail(grpc::ServerContext*,
                            const v1::SetSyncEmailRequest*,
                            v1::EditResponse*) override;
  grpc::Status SetSyncEmailAll(grpc::ServerContext*,
                               const v1::SetSyncEmailAllRequest*,
                               v1::EditResponse*) override;
  grpc::Status SaveAndSyncPupils(grpc::ServerContext*, const v1::SaveRequest*,
                                 v1::SaveResponse*) override;
  grpc::Status CancelSession(grpc::ServerContext*,
                             const v1::CancelSessionRequest*,
                             v1::Session*) override;
  grpc::Status WatchSession(grpc::ServerContext*,
                            const v1::WatchSessionRequest*,
                            grpc::ServerWriter<v1::SessionEvent>*) override;
  grpc::Status ListSaves(grpc::ServerContext*, const v1::ListSavesRequest*,
                         v1::ListSavesResponse*) override;
  grpc::Status GetSave(grpc::ServerContext*, const v1::GetSaveRequest*,
                       v1::SaveRecord*) override;
  grpc::Status RevertSave(grpc::ServerContext*, const v1::RevertSaveRequest*,
                          v1::RevertSaveResponse*) override;
  grpc::Status SetReviewed(grpc::ServerContext*, const v1::SetReviewedRequest*,
                           v1::EditResponse*) override;
  grpc::Status SetReviewedAll(grpc::ServerContext*,
                              const v1::SetReviewedAllRequest*,
                              v1::EditResponse*) override;
  grpc::Status StepBack(grpc::ServerContext*, const v1::StepBackRequest*,
                        v1::Session*) override;

 private:
  SessionManager* sessions_;
  Store* store_;  // saves and reverts (docs/SYNC.md, "Reverting a save")
  const auth::Authorizer* auth_;
  mail::DeliveryWorker* delivery_;
};

class KeyServiceImpl final : public v1::KeyService::Service {
 public:
  KeyServiceImpl(Store* store, Clock* clock, const auth::Authorizer* auth)
      : store_(store), clock_(clock), auth_(auth) {}
  grpc::Status CreateApiKey(grpc::ServerContext*,
                            const v1::CreateApiKeyRequest*,
                            v1::CreateApiKeyResponse*) override;
  grpc::Status ListApiKeys(grpc::ServerContext*, const v1::ListApiKeysRequest*,
                           v1::ListApiKeysResponse*) override;
  grpc::Status RevokeApiKey(grpc::ServerContext*,
                            const v1::RevokeApiKeyRequest*,
                            v1::ApiKey*) override;
  grpc::Status WhoAmI(grpc::ServerContext*, const v1::WhoAmIRequest*,
                      v1::ApiKey*) override;

 private:
  Store* store_;
  Clock* clock_;
  const auth::Authorizer* auth_;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_SERVICES_H_
