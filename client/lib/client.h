// A typed client of the hubsync.v1 API: one method per RPC, a deadline on
// every unary and client-streaming call, errors as absl::Status with the
// server's code and message (client/lib/status.h). No printing; the CLI and
// the console render on top of it.
//
// Error codes are the server's (see proto/hubsync/v1/sync.proto): NOT_FOUND
// for an unknown id, FAILED_PRECONDITION for a verb in the wrong step or a row
// in the wrong status, ABORTED for a stale expected_version. The client adds
// DEADLINE_EXCEEDED when the deadline passes and UNAVAILABLE when the server
// cannot be reached. Calls may be made from several threads
// at once (set the timeout before sharing the client).
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
#include "hubsync/v1/keys.grpc.pb.h"
#include "hubsync/v1/mis.grpc.pb.h"
#include "hubsync/v1/sync.grpc.pb.h"

namespace hubsync::client {

struct UploadFile {
  std::string name;  // base name, e.g. "users.csv"
  std::string data;  // the file's bytes
};

// Size of each chunk sent by UploadMisExport and ImportLearners.
inline constexpr size_t kUploadChunkBytes = 64 * 1024;

// Trailing metadata of a rejected upload: a serialized v1::UploadProblems.
inline constexpr char kUploadProblemsKey[] = "hubsync-upload-problems-bin";
// Request metadata of an upload: how many bytes of problems the client takes
// in that trailing metadata (the server's default is about 3.5 KB, which fits
// any gRPC client's 8 KiB limit). The client's channels accept trailing
// metadata this large, and more (mis.proto).
inline constexpr char kProblemsMaxBytesKey[] = "hubsync-problems-max-bytes";
inline constexpr size_t kProblemsMaxBytes = size_t{4} << 20;
// Trailing metadata of a save refused by the mass-desync guard: a serialized
// v1::MassDesync.
inline constexpr char kMassDesyncKey[] = "hubsync-mass-desync-bin";
// Trailing metadata of a save refused for May match rows nobody reviewed: a
// serialized v1::UnreviewedMayMatch.
inline constexpr char kUnreviewedKey[] = "hubsync-unreviewed-bin";

// How to reach a server. TLS when tls_ca is set (PEM file of the CA that
// signed the server's certificate), with a client certificate when
// tls_cert and tls_key are set too; plaintext otherwise.
struct ConnectOptions {
  std::string target;   // "host:port"
  std::string api_key;  // sent as "authorization: Bearer <api_key>"
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
};

// Lists (README "Lists come in pages"): each List* that takes a request
// returns one page of at most req.page_size items (0: the server's default,
// 1000) and a next_page_token, empty on the last page. ForEachPage follows
// the tokens; the List* that take only a school id follow them too and
// return every item in one reply (the whole list in memory: for tools and
// tests; the CLI prints page by page).
class HubsyncClient;

// Calls `list(req)` for the page req.page_token names (the first when it is
// empty) and each one after it, handing each reply to `on_page` as it
// arrives. Stops at the first error of a call or of `on_page` (an
// absl::Status) and returns it. A server that hands back the token it was
// sent is INTERNAL, not a loop.
template <typename Req, typename List, typename OnPage>
absl::Status ForEachPage(Req req, List list, OnPage on_page) {
  while (true) {
    auto page = list(req);
    if (!page.ok()) return page.status();
    if (absl::Status s = on_page(*page); !s.ok()) return s;
    if (page->next_page_token().empty()) return absl::OkStatus();
    if (page->next_page_token() == req.page_token()) {
      return absl::InternalError("the server returned the same page twice");
    }
    req.set_page_token(page->next_page_token());
  }
}

class HubsyncClient {
 public:
  // A plaintext (insecure credentials) channel to "host:port", no API key.
  // Connecting is lazy: an unreachable server shows as UNAVAILABLE on the
  // first call.
  explicit HubsyncClient(const std::string& target);
  // INVALID_ARGUMENT if a TLS file cannot be read or only one of
  // tls_cert / tls_key is given.
  static absl::StatusOr<std::unique_ptr<HubsyncClient>> Connect(
      const ConnectOptions& options);
  // Any channel, e.g. a server's InProcessChannel in tests.
  explicit HubsyncClient(std::shared_ptr<grpc::Channel> channel);

  // The API key every call carries (empty: none). Set before sharing.
  void set_api_key(std::string key) { api_key_ = std::move(key); }

  // The deadline of every unary call and of each upload, counted from the
  // call's start (default 30 s). The two server streams have none: a large
  // school takes a while to classify, and a watch lasts as long as a session.
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  // Schools.
  absl::StatusOr<v1::School> CreateSchool(const std::string& name);
  absl::StatusOr<v1::School> GetSchool(const std::string& school_id);
  absl::StatusOr<v1::ListSchoolsResponse> ListSchools();

  // Hub.
  absl::StatusOr<v1::Learner> CreateLearner(
      const v1::CreateLearnerRequest& req);
  // Sends `csv` in kUploadChunkBytes pieces (school_id, request_id and
  // ignore_unknown_columns of `first` on the first). On failure, `problems`
  // (if set) gets every problem the server listed in its trailing metadata;
  // it is left empty when there were none.
  absl::StatusOr<v1::ImportLearnersResponse> ImportLearners(
      const std::string& school_id, const std::string& csv,
      v1::UploadProblems* problems = nullptr,
      const v1::ImportLearnersRequest& first = {});
  absl::StatusOr<v1::Learner> GetLearner(const std::string& learner_id);
  absl::StatusOr<v1::Learner> UpdateLearner(
      const v1::UpdateLearnerRequest& req);
  absl::StatusOr<v1::Learner> ArchiveLearner(const std::string& learner_id);
  absl::StatusOr<v1::Learner> RestoreLearner(const std::string& learner_id);
  absl::StatusOr<v1::Learner> UnlinkLearner(const std::string& learner_id);
  absl::StatusOr<v1::ListLearnersResponse> ListLearners(
      const v1::ListLearnersRequest& req);
  absl::StatusOr<v1::ListLearnersResponse> ListLearners(
      const std::string& school_id);  // every page
  absl::StatusOr<v1::ListClassesResponse> ListClasses(
      const v1::ListClassesRequest& req);
  absl::StatusOr<v1::ListClassesResponse> ListClasses(
      const std::string& school_id);  // every page

  // MIS data. UploadMisExport sends a header, then each file in order in
  // kUploadChunkBytes pieces (an empty file as one empty chunk). A rejected
  // export fails with INVALID_ARGUMENT and, if `problems` is set, fills it
  // with every problem (file, line, column, message) from the trailing
  // metadata kUploadProblemsKey; nothing is stored on the server.
  // `allow_empty` stores an export with no learners (UploadHeader).
  absl::StatusOr<v1::MisSnapshot> UploadMisExport(
      const std::string& school_id, v1::MisFormat format,
      const std::vector<UploadFile>& files,
      v1::UploadProblems* problems = nullptr, bool allow_empty = false);
  absl::StatusOr<v1::MisSnapshot> PushMisRecords(
      const v1::PushMisRecordsRequest& req);
  absl::StatusOr<v1::ListSnapshotsResponse> ListSnapshots(
      const v1::ListSnapshotsRequest& req);
  absl::StatusOr<v1::ListSnapshotsResponse> ListSnapshots(
      const std::string& school_id);  // every page
  absl::StatusOr<v1::ListMisLearnersResponse> ListMisLearners(
      const std::string& snapshot_id);

  // Sync session.
  absl::StatusOr<v1::Session> StartSession(const v1::StartSessionRequest& req);
  absl::StatusOr<v1::Session> GetSession(const std::string& session_id);
  absl::StatusOr<v1::ListSessionsResponse> ListSessions(
      const v1::ListSessionsRequest& req);
  absl::StatusOr<v1::ListSessionsResponse> ListSessions(
      const std::string& school_id);  // every page
  absl::StatusOr<v1::Session> Proceed(const v1::ProceedRequest& req);
  absl::StatusOr<v1::Session> SetScope(const v1::SetScopeRequest& req);
  // Calls on_batch for every batch until the stream ends (the last batch has
  // done=true and the summary) or on_batch returns false, which cancels the
  // stream and returns OK. Otherwise returns the stream's final status.
  absl::Status StreamRows(
      const v1::StreamRowsRequest& req,
      const std::function<bool(const v1::RowBatch&)>& on_batch);
  absl::StatusOr<v1::EditResponse> SetImport(const v1::SetImportRequest& req);
  absl::StatusOr<v1::EditResponse> SetImportAll(
      const v1::SetImportAllRequest& req);
  absl::StatusOr<v1::EditResponse> Match(const v1::MatchRequest& req);
  absl::StatusOr<v1::EditResponse> Unmatch(const v1::UnmatchRequest& req);
  absl::StatusOr<v1::EditResponse> SetSyncEmail(
      const v1::SetSyncEmailRequest& req);
  absl::StatusOr<v1::EditResponse> SetSyncEmailAll(
      const v1::SetSyncEmailAllRequest& req);
  absl::StatusOr<v1::EditResponse> SetReviewed(
      const v1::SetReviewedRequest& req);
  absl::StatusOr<v1::EditResponse> SetReviewedAll(
      const v1::SetReviewedAllRequest& req);
  // A save refused by the mass-desync guard fails with FAILED_PRECONDITION
  // and, if `mass_desync` is set, fills it with the count to confirm (set
  // req.confirm_desync_count to desync_count and call again); it is left
  // clear for any other outcome. A save refused for unreviewed May match
  // rows fills `unreviewed` (if set) with their count and the first of them
  // (show them; set req.allow_unreviewed only if the admin says so).
  absl::StatusOr<v1::SaveResponse> SaveAndSyncPupils(
      const v1::SaveRequest& req, v1::MassDesync* mass_desync = nullptr,
      v1::UnreviewedMayMatch* unreviewed = nullptr);
  absl::StatusOr<v1::Session> CancelSession(
      const v1::CancelSessionRequest& req);
  // SYNC_SCREEN -> PUPILS_PANEL keeping the admin's decisions (docs/SYNC.md,
  // "Stepping back").
  absl::StatusOr<v1::Session> StepBack(const v1::StepBackRequest& req);
  // Calls on_event for every change, in version order, until the session is
  // saved or cancelled (OK) or on_event returns false (cancelled; OK).
  absl::Status WatchSession(
      const v1::WatchSessionRequest& req,
      const std::function<bool(const v1::SessionEvent&)>& on_event);

  // Saves and reverts (docs/SYNC.md, "Reverting a save").
  absl::StatusOr<v1::ListSavesResponse> ListSaves(
      const v1::ListSavesRequest& req);
  absl::StatusOr<v1::SaveRecord> GetSave(const std::string& save_id);
  absl::StatusOr<v1::RevertSaveResponse> RevertSave(
      const v1::RevertSaveRequest& req);

  // Accounts and audit.
  absl::StatusOr<v1::ListVerificationEmailsResponse> ListVerificationEmails(
      const v1::ListVerificationEmailsRequest& req);
  absl::StatusOr<v1::ListVerificationEmailsResponse> ListVerificationEmails(
      const std::string& school_id);  // every page
  absl::StatusOr<v1::ListAuditRecordsResponse> ListAuditRecords(
      const v1::ListAuditRecordsRequest& req);
  absl::StatusOr<v1::ListAuditRecordsResponse> ListAuditRecords(
      const std::string& school_id);  // every page
  absl::StatusOr<v1::ResendVerificationEmailsResponse> ResendVerificationEmails(
      const v1::ResendVerificationEmailsRequest& req);
  absl::StatusOr<v1::ListSubscriptionsResponse> ListSubscriptions(
      const v1::ListSubscriptionsRequest& req);
  absl::StatusOr<v1::ListSubscriptionsResponse> SetSubscription(
      const v1::SetSubscriptionRequest& req);
  absl::StatusOr<v1::ListGrantsResponse> ListGrants(
      const v1::ListGrantsRequest& req);
  absl::StatusOr<v1::ProductGrant> SetGrant(const v1::SetGrantRequest& req);
  absl::StatusOr<v1::RedeemVerificationResponse> RedeemVerification(
      const v1::RedeemVerificationRequest& req);
  absl::StatusOr<v1::LoginResponse> Login(const v1::LoginRequest& req);

  // API keys. CreateApiKey's reply holds the key's secret, shown once.
  absl::StatusOr<v1::CreateApiKeyResponse> CreateApiKey(
      const v1::CreateApiKeyRequest& req);
  // The key this client calls with: its id, role, school (empty for an
  // operator) and label.
  absl::StatusOr<v1::ApiKey> WhoAmI();
  absl::StatusOr<v1::ListApiKeysResponse> ListApiKeys(
      const v1::ListApiKeysRequest& req);
  absl::StatusOr<v1::ListApiKeysResponse> ListApiKeys(
      const std::string& school_id);  // every page
  absl::StatusOr<v1::ApiKey> RevokeApiKey(const std::string& key_id);

 private:
  // Adds the API key to a call's metadata.
  void Authorize(grpc::ClientContext& ctx) const;
  std::unique_ptr<grpc::ClientContext> Context() const;
  // Reads a server stream into `on_message` until it ends or the callback
  // returns false (then cancels; a cancel of our own is not an error).
  template <typename Resp>
  static absl::Status Drain(grpc::ClientContext& ctx,
                            grpc::ClientReaderInterface<Resp>& reader,
                            const std::function<bool(const Resp&)>& on_message);
  // Every page of a list from `req` on, merged into one reply.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> AllPages(
      Req req, absl::StatusOr<Resp> (HubsyncClient::*one)(const Req&));
  template <typename Stub, typename Req, typename Resp>
  absl::StatusOr<Resp> Unary(Stub* stub,
                             grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                          const Req&, Resp*),
                             const Req& req);

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SchoolService::Stub> schools_;
  std::unique_ptr<v1::HubService::Stub> hub_;
  std::unique_ptr<v1::MisService::Stub> mis_;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::unique_ptr<v1::AccountService::Stub> accounts_;
  std::unique_ptr<v1::KeyService::Stub> keys_;
  std::string api_key_;
  std::chrono::milliseconds timeout_{std::chrono::seconds(30)};
};

}  // namespace hubsync::client

#endif  // HUBSYNC_CLIENT_LIB_CLIENT_H_
