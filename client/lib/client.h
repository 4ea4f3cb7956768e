// A typed client of the hubsync.v1 API: one method per RPC, a deadline on
// every unary call, errors as absl::Status with the server's code and
// message. No printing; the CLI and the console render on top of it.
#ifndef HUBSYNC_CLIENT_LIB_CLIENT_H_
#define HUBSYNC_CLIENT_LIB_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "hubsync/v1/accounts.grpc.pb.h"
#include "hubsync/v1/admin.grpc.pb.h"
#include "hubsync/v1/hub.grpc.pb.h"
#include "hubsync/v1/mis.grpc.pb.h"
#include "hubsync/v1/sync.grpc.pb.h"

namespace hubsync::client {

struct UploadFile {
  std::string name;  // base name, e.g. "users.csv"
  std::string data;
};

class HubsyncClient {
 public:
  // Plaintext channel to "host:port".
  static std::unique_ptr<HubsyncClient> Connect(const std::string& target);
  explicit HubsyncClient(std::shared_ptr<grpc::Channel> channel);

  void set_timeout(std::chrono::seconds t) { timeout_ = t; }

  // Schools.
  absl::StatusOr<v1::School> CreateSchool(const std::string& name);
  absl::StatusOr<v1::School> GetSchool(const std::string& school_id);
  absl::StatusOr<v1::ListSchoolsResponse> ListSchools();

  // Hub.
  absl::StatusOr<v1::Learner> CreateLearner(const v1::CreateLearnerRequest& req);
  // On INVALID_ARGUMENT, `problems` (if set) gets every problem found.
  absl::StatusOr<v1::ImportLearnersResponse> ImportLearners(
      const std::string& school_id, const std::string& csv,
      v1::UploadProblems* problems = nullptr);
  absl::StatusOr<v1::Learner> GetLearner(const std::string& learner_id);
  absl::StatusOr<v1::ListLearnersResponse> ListLearners(const std::string& school_id);
  absl::StatusOr<v1::ListClassesResponse> ListClasses(const std::string& school_id);

  // MIS data.
  absl::StatusOr<v1::MisSnapshot> UploadMisExport(
      const std::string& school_id, v1::MisFormat format,
      const std::vector<UploadFile>& files, v1::UploadProblems* problems = nullptr);
  absl::StatusOr<v1::MisSnapshot> PushMisRecords(const v1::PushMisRecordsRequest& req);
  absl::StatusOr<v1::ListSnapshotsResponse> ListSnapshots(const std::string& school_id);
  absl::StatusOr<v1::ListMisLearnersResponse> ListMisLearners(
      const std::string& snapshot_id);

  // Sync session.
  absl::StatusOr<v1::Session> StartSession(const v1::StartSessionRequest& req);
  absl::StatusOr<v1::Session> GetSession(const std::string& session_id);
  absl::StatusOr<v1::ListSessionsResponse> ListSessions(const std::string& school_id);
  absl::StatusOr<v1::Session> Proceed(const v1::ProceedRequest& req);
  absl::StatusOr<v1::Session> SetScope(const v1::SetScopeRequest& req);
  // Calls on_batch for every batch until the stream ends or it returns false.
  absl::Status StreamRows(const v1::StreamRowsRequest& req,
                          const std::function<bool(const v1::RowBatch&)>& on_batch);
  absl::StatusOr<v1::EditResponse> SetImport(const v1::SetImportRequest& req);
  absl::StatusOr<v1::EditResponse> SetImportAll(const v1::SetImportAllRequest& req);
  absl::StatusOr<v1::EditResponse> Match(const v1::MatchRequest& req);
  absl::StatusOr<v1::EditResponse> Unmatch(const v1::UnmatchRequest& req);
  absl::StatusOr<v1::EditResponse> SetSyncEmail(const v1::SetSyncEmailRequest& req);
  absl::StatusOr<v1::EditResponse> SetSyncEmailAll(const v1::SetSyncEmailAllRequest& req);
  absl::StatusOr<v1::SaveResponse> SaveAndSyncPupils(const v1::SaveRequest& req);
  absl::StatusOr<v1::Session> CancelSession(const v1::CancelSessionRequest& req);
  absl::Status WatchSession(const v1::WatchSessionRequest& req,
                            const std::function<bool(const v1::SessionEvent&)>& on_event);

  // Accounts and audit.
  absl::StatusOr<v1::ListVerificationEmailsResponse> ListVerificationEmails(
      const std::string& school_id);
  absl::StatusOr<v1::ListAuditRecordsResponse> ListAuditRecords(
      const std::string& school_id);

 private:
  std::unique_ptr<grpc::ClientContext> Context() const;
  template <typename Stub, typename Req, typename Resp>
  absl::StatusOr<Resp> Unary(
      Stub* stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
      const Req& req);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SchoolService::Stub> schools_;
  std::unique_ptr<v1::HubService::Stub> hub_;
  std::unique_ptr<v1::MisService::Stub> mis_;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::unique_ptr<v1::AccountService::Stub> accounts_;
  std::chrono::seconds timeout_{30};
};

}  // namespace hubsync::client

#endif  // HUBSYNC_CLIENT_LIB_CLIENT_H_
