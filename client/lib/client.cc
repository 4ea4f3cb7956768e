#include "client/lib/client.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "client/lib/status.h"
#include "common/read_file.h"
#include "google/protobuf/arena.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace hubsync::client {
namespace {

constexpr size_t kChunk = kUploadChunkBytes;

// gRPC hands "-bin" metadata over already base64-decoded.
void ReadProblems(const grpc::ClientContext& ctx,
                  v1::UploadProblems* problems) {
  if (problems == nullptr) return;
  problems->Clear();
  const auto& md = ctx.GetServerTrailingMetadata();
  auto it = md.find(kUploadProblemsKey);
  if (it == md.end()) return;
  if (!problems->ParseFromArray(it->second.data(),
                                static_cast<int>(it->second.size()))) {
    problems->Clear();  // a garbled list is no list; the status message still
                        // has them
  }
}

grpc::ChannelArguments Arguments() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256
                                << 20);  // a whole school's rows in one reply
  // Room for every problem of a rejected upload (kProblemsMaxBytesKey), with
  // the status message beside it.
  args.SetInt(GRPC_ARG_MAX_METADATA_SIZE,
              static_cast<int>(kProblemsMaxBytes + (1 << 20)));
  return args;
}

std::shared_ptr<grpc::Channel> InsecureChannel(const std::string& target) {
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   Arguments());
}

}  // namespace

HubsyncClient::HubsyncClient(const std::string& target)
    : HubsyncClient(InsecureChannel(target)) {}

absl::StatusOr<std::unique_ptr<HubsyncClient>> HubsyncClient::Connect(
    const ConnectOptions& o) {
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (o.tls_ca.empty()) {
    if (!o.tls_cert.empty() || !o.tls_key.empty()) {
      return absl::InvalidArgumentError(
          "--tls-cert and --tls-key need --tls-ca (the server's CA)");
    }
    creds = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    absl::StatusOr<std::string> ca = ReadPemFile(o.tls_ca, "--tls-ca");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    if (o.tls_cert.empty() != o.tls_key.empty()) {
      return absl::InvalidArgumentError(
          "a client certificate needs both --tls-cert and --tls-key");
    }
    if (!o.tls_cert.empty()) {
      absl::StatusOr<std::string> cert = ReadPemFile(o.tls_cert, "--tls-cert");
      if (!cert.ok()) return cert.status();
      absl::StatusOr<std::string> key = ReadPemFile(o.tls_key, "--tls-key");
      if (!key.ok()) return key.status();
      ssl.pem_cert_chain = *cert;
      ssl.pem_private_key = *key;
    }
    creds = grpc::SslCredentials(ssl);
  }
  auto client = std::make_unique<HubsyncClient>(
      grpc::CreateCustomChannel(o.target, creds, Arguments()));
  client->set_api_key(o.api_key);
  return client;
}

HubsyncClient::HubsyncClient(std::shared_ptr<grpc::Channel> channel)
    : channel_(std::move(channel)),
      schools_(v1::SchoolService::NewStub(channel_)),
      hub_(v1::HubService::NewStub(channel_)),
      mis_(v1::MisService::NewStub(channel_)),
      sync_(v1::SyncService::NewStub(channel_)),
      accounts_(v1::AccountService::NewStub(channel_)),
      keys_(v1::KeyService::NewStub(channel_)) {}

void HubsyncClient::Authorize(grpc::ClientContext& ctx) const {
  if (!api_key_.empty()) ctx.AddMetadata("authorization", "Bearer " + api_key_);
}

std::unique_ptr<grpc::ClientContext> HubsyncClient::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout_);
  Authorize(*ctx);
  return ctx;
}

template <typename Stub, typename Req, typename Resp>
absl::StatusOr<Resp> HubsyncClient::Unary(
    Stub* stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
    const Req& req) {
  Resp resp;
  auto ctx = Context();
  grpc::Status s = (stub->*method)(ctx.get(), req, &resp);
  if (!s.ok()) return FromGrpcStatus(s);
  return resp;
}

template <typename Req, typename Resp>
absl::StatusOr<Resp> HubsyncClient::AllPages(
    Req req, absl::StatusOr<Resp> (HubsyncClient::*one)(const Req&)) {
  Resp all;
  absl::Status s = ForEachPage(
      std::move(req), [&](const Req& r) { return (this->*one)(r); },
      [&](const Resp& page) {
        all.MergeFrom(page);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  all.clear_next_page_token();
  return all;
}

absl::StatusOr<v1::School> HubsyncClient::CreateSchool(
    const std::string& name) {
  v1::CreateSchoolRequest req;
  req.set_name(name);
  return Unary(schools_.get(), &v1::SchoolService::Stub::CreateSchool, req);
}

absl::StatusOr<v1::School> HubsyncClient::GetSchool(
    const std::string& school_id) {
  v1::GetSchoolRequest req;
  req.set_school_id(school_id);
  return Unary(schools_.get(), &v1::SchoolService::Stub::GetSchool, req);
}

absl::StatusOr<v1::ListSchoolsResponse> HubsyncClient::ListSchools() {
  return Unary(schools_.get(), &v1::SchoolService::Stub::ListSchools,
               v1::ListSchoolsRequest());
}

absl::StatusOr<v1::Learner> HubsyncClient::CreateLearner(
    const v1::CreateLearnerRequest& req) {
  return Unary(hub_.get(), &v1::HubService::Stub::CreateLearner, req);
}

absl::StatusOr<v1::ImportLearnersResponse> HubsyncClient::ImportLearners(
    const std::string& school_id, const std::string& csv,
    v1::UploadProblems* problems, const v1::ImportLearnersRequest& first) {
  v1::ImportLearnersResponse resp;
  auto ctx = Context();
  ctx->AddMetadata(kProblemsMaxBytesKey, std::to_string(kProblemsMaxBytes));
  auto writer = hub_->ImportLearners(ctx.get(), &resp);
  size_t at = 0;
  do {
    v1::ImportLearnersRequest req;
    if (at == 0) {
      req = first;
      req.set_school_id(school_id);
    }
    req.set_chunk(csv.substr(at, kChunk));
    if (!writer->Write(req)) break;
    at += kChunk;
  } while (at < csv.size());
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    ReadProblems(*ctx, problems);
    return FromGrpcStatus(s);
  }
  return resp;
}

absl::StatusOr<v1::Learner> HubsyncClient::GetLearner(
    const std::string& learner_id) {
  v1::GetLearnerRequest req;
  req.set_learner_id(learner_id);
  return Unary(hub_.get(), &v1::HubService::Stub::GetLearner, req);
}

absl::StatusOr<v1::Learner> HubsyncClient::UpdateLearner(
    const v1::UpdateLearnerRequest& req) {
  return Unary(hub_.get(), &v1::HubService::Stub::UpdateLearner, req);
}

absl::StatusOr<v1::Learner> HubsyncClient::ArchiveLearner(
    const std::string& learner_id) {
  v1::ArchiveLearnerRequest req;
  req.set_learner_id(learner_id);
  return Unary(hub_.get(), &v1::HubService::Stub::ArchiveLearner, req);
}

absl::StatusOr<v1::Learner> HubsyncClient::RestoreLearner(
    const std::string& learner_id) {
  v1::RestoreLearnerRequest req;
  req.set_learner_id(learner_id);
  return Unary(hub_.get(), &v1::HubService::Stub::RestoreLearner, req);
}

absl::StatusOr<v1::Learner> HubsyncClient::UnlinkLearner(
    const std::string& learner_id) {
  v1::UnlinkLearnerRequest req;
  req.set_learner_id(learner_id);
  return Unary(hub_.get(), &v1::HubService::Stub::UnlinkLearner, req);
}

absl::StatusOr<v1::ListLearnersResponse> HubsyncClient::ListLearners(
    const v1::ListLearnersRequest& req) {
  return Unary(hub_.get(), &v1::HubService::Stub::ListLearners, req);
}

absl::StatusOr<v1::ListLearnersResponse> HubsyncClient::ListLearners(
    const std::string& school_id) {
  v1::ListLearnersRequest req;
  req.set_school_id(school_id);
  return AllPages<v1::ListLearnersRequest, v1::ListLearnersResponse>(
      req, &HubsyncClient::ListLearners);
}

absl::StatusOr<v1::ListClassesResponse> HubsyncClient::ListClasses(
    const v1::ListClassesRequest& req) {
  return Unary(hub_.get(), &v1::HubService::Stub::ListClasses, req);
}

absl::StatusOr<v1::ListClassesResponse> HubsyncClient::ListClasses(
    const std::string& school_id) {
  v1::ListClassesRequest req;
  req.set_school_id(school_id);
  return AllPages<v1::ListClassesRequest, v1::ListClassesResponse>(
      req, &HubsyncClient::ListClasses);
}

absl::StatusOr<v1::MisSnapshot> HubsyncClient::UploadMisExport(
    const std::string& school_id, v1::MisFormat format,
    const std::vector<UploadFile>& files, v1::UploadProblems* problems,
    bool allow_empty) {
  v1::MisSnapshot resp;
  auto ctx = Context();
  ctx->AddMetadata(kProblemsMaxBytesKey, std::to_string(kProblemsMaxBytes));
  auto writer = mis_->UploadMisExport(ctx.get(), &resp);
  v1::UploadMisExportRequest header;
  header.mutable_header()->set_school_id(school_id);
  header.mutable_header()->set_format(format);
  header.mutable_header()->set_allow_empty(allow_empty);
  bool open = writer->Write(header);
  for (const UploadFile& f : files) {
    size_t at = 0;
    do {
      v1::UploadMisExportRequest chunk;
      chunk.mutable_chunk()->set_file_name(f.name);
      chunk.mutable_chunk()->set_data(f.data.substr(at, kChunk));
      open = open && writer->Write(chunk);
      at += kChunk;
    } while (open && at < f.data.size());
  }
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    ReadProblems(*ctx, problems);
    return FromGrpcStatus(s);
  }
  return resp;
}

absl::StatusOr<v1::MisSnapshot> HubsyncClient::PushMisRecords(
    const v1::PushMisRecordsRequest& req) {
  return Unary(mis_.get(), &v1::MisService::Stub::PushMisRecords, req);
}

absl::StatusOr<v1::ListSnapshotsResponse> HubsyncClient::ListSnapshots(
    const v1::ListSnapshotsRequest& req) {
  return Unary(mis_.get(), &v1::MisService::Stub::ListSnapshots, req);
}

absl::StatusOr<v1::ListSnapshotsResponse> HubsyncClient::ListSnapshots(
    const std::string& school_id) {
  v1::ListSnapshotsRequest req;
  req.set_school_id(school_id);
  return AllPages<v1::ListSnapshotsRequest, v1::ListSnapshotsResponse>(
      req, &HubsyncClient::ListSnapshots);
}

absl::StatusOr<v1::ListMisLearnersResponse> HubsyncClient::ListMisLearners(
    const std::string& snapshot_id) {
  v1::ListMisLearnersRequest req;
  req.set_snapshot_id(snapshot_id);
  return Unary(mis_.get(), &v1::MisService::Stub::ListMisLearners, req);
}

absl::StatusOr<v1::Session> HubsyncClient::StartSession(
    const v1::StartSessionRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::StartSession, req);
}

absl::StatusOr<v1::Session> HubsyncClient::GetSession(
    const std::string& session_id) {
  v1::GetSessionRequest req;
  req.set_session_id(session_id);
  return Unary(sync_.get(), &v1::SyncService::Stub::GetSession, req);
}

absl::StatusOr<v1::ListSessionsResponse> HubsyncClient::ListSessions(
    const v1::ListSessionsRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::ListSessions, req);
}

absl::StatusOr<v1::ListSessionsResponse> HubsyncClient::ListSessions(
    const std::string& school_id) {
  v1::ListSessionsRequest req;
  req.set_school_id(school_id);
  return AllPages<v1::ListSessionsRequest, v1::ListSessionsResponse>(
      req, &HubsyncClient::ListSessions);
}

absl::StatusOr<v1::ListSavesResponse> HubsyncClient::ListSaves(
    const v1::ListSavesRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::ListSaves, req);
}

absl::StatusOr<v1::SaveRecord> HubsyncClient::GetSave(
    const std::string& save_id) {
  v1::GetSaveRequest req;
  req.set_save_id(save_id);
  return Unary(sync_.get(), &v1::SyncService::Stub::GetSave, req);
}

absl::StatusOr<v1::RevertSaveResponse> HubsyncClient::RevertSave(
    const v1::RevertSaveRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::RevertSave, req);
}

absl::StatusOr<v1::Session> HubsyncClient::Proceed(
    const v1::ProceedRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::Proceed, req);
}

absl::StatusOr<v1::Session> HubsyncClient::SetScope(
    const v1::SetScopeRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::SetScope, req);
}

template <typename Resp>
absl::Status HubsyncClient::Drain(
    grpc::ClientContext& ctx, grpc::ClientReaderInterface<Resp>& reader,
    const std::function<bool(const Resp&)>& on_message) {
  // Each message is read onto an arena whose first block is this buffer,
  // kept for the whole stream: a batch of thousands of rows then costs a
  // few allocations, not one per string and nested message.
  std::vector<char> arena_block(size_t{1} << 20);
  bool stopped = false;
  while (true) {
    google::protobuf::ArenaOptions options;
    options.initial_block = arena_block.data();
    options.initial_block_size = arena_block.size();
    options.max_block_size = size_t{4} << 20;
    google::protobuf::Arena arena(options);
    Resp* message = google::protobuf::Arena::CreateMessage<Resp>(&arena);
    if (!reader.Read(message)) break;
    if (!on_message(*message)) {
      stopped = true;
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status s = reader.Finish();
  if (stopped && s.error_code() == grpc::StatusCode::CANCELLED)
    return absl::OkStatus();
  return FromGrpcStatus(s);
}

absl::Status HubsyncClient::StreamRows(
    const v1::StreamRowsRequest& req,
    const std::function<bool(const v1::RowBatch&)>& on_batch) {
  grpc::ClientContext ctx;  // no deadline: see set_timeout
  Authorize(ctx);
  auto reader = sync_->StreamRows(&ctx, req);
  return Drain(ctx, *reader, on_batch);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::SetImport(
    const v1::SetImportRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::SetImport, req);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::SetImportAll(
    const v1::SetImportAllRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::SetImportAll, req);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::Match(
    const v1::MatchRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::Match, req);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::Unmatch(
    const v1::UnmatchRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::Unmatch, req);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::SetSyncEmail(
    const v1::SetSyncEmailRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::SetSyncEmail, req);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::SetSyncEmailAll(
    const v1::SetSyncEmailAllRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::SetSyncEmailAll, req);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::SetReviewed(
    const v1::SetReviewedRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::SetReviewed, req);
}

absl::StatusOr<v1::EditResponse> HubsyncClient::SetReviewedAll(
    const v1::SetReviewedAllRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::SetReviewedAll, req);
}

absl::StatusOr<v1::SaveResponse> HubsyncClient::SaveAndSyncPupils(
    const v1::SaveRequest& req, v1::MassDesync* mass_desync,
    v1::UnreviewedMayMatch* unreviewed) {
  if (mass_desync != nullptr) mass_desync->Clear();
  if (unreviewed != nullptr) unreviewed->Clear();
  std::unique_ptr<grpc::ClientContext> ctx = Context();
  v1::SaveResponse resp;
  grpc::Status s = sync_->SaveAndSyncPupils(ctx.get(), req, &resp);
  if (s.ok()) return resp;
  if (mass_desync != nullptr) {
    const auto& md = ctx->GetServerTrailingMetadata();
    auto it = md.find(kMassDesyncKey);
    if (it != md.end() &&
        !mass_desync->ParseFromArray(it->second.data(),
                                     static_cast<int>(it->second.size()))) {
      mass_desync->Clear();  // garbled: the status message still has the count
    }
  }
  if (unreviewed != nullptr) {
    const auto& md = ctx->GetServerTrailingMetadata();
    auto it = md.find(kUnreviewedKey);
    if (it != md.end() &&
        !unreviewed->ParseFromArray(it->second.data(),
                                    static_cast<int>(it->second.size()))) {
      unreviewed->Clear();  // garbled: the status message still names them
    }
  }
  return FromGrpcStatus(s);
}

absl::StatusOr<v1::Session> HubsyncClient::CancelSession(
    const v1::CancelSessionRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::CancelSession, req);
}

absl::StatusOr<v1::Session> HubsyncClient::StepBack(
    const v1::StepBackRequest& req) {
  return Unary(sync_.get(), &v1::SyncService::Stub::StepBack, req);
}

absl::Status HubsyncClient::WatchSession(
    const v1::WatchSessionRequest& req,
    const std::function<bool(const v1::SessionEvent&)>& on_event) {
  grpc::ClientContext ctx;  // no deadline: see set_timeout
  Authorize(ctx);
  auto reader = sync_->WatchSession(&ctx, req);
  return Drain(ctx, *reader, on_event);
}

absl::StatusOr<v1::ListVerificationEmailsResponse>
HubsyncClient::ListVerificationEmails(
    const v1::ListVerificationEmailsRequest& req) {
  return Unary(accounts_.get(),
               &v1::AccountService::Stub::ListVerificationEmails, req);
}

absl::StatusOr<v1::ListVerificationEmailsResponse>
HubsyncClient::ListVerificationEmails(const std::string& school_id) {
  v1::ListVerificationEmailsRequest req;
  req.set_school_id(school_id);
  return AllPages<v1::ListVerificationEmailsRequest,
                  v1::ListVerificationEmailsResponse>(
      req, &HubsyncClient::ListVerificationEmails);
}

absl::StatusOr<v1::ListAuditRecordsResponse> HubsyncClient::ListAuditRecords(
    const std::string& school_id) {
  v1::ListAuditRecordsRequest req;
  req.set_school_id(school_id);
  return AllPages<v1::ListAuditRecordsRequest, v1::ListAuditRecordsResponse>(
      req, &HubsyncClient::ListAuditRecords);
}

absl::StatusOr<v1::ListAuditRecordsResponse> HubsyncClient::ListAuditRecords(
    const v1::ListAuditRecordsRequest& req) {
  return Unary(accounts_.get(), &v1::AccountService::Stub::ListAuditRecords,
               req);
}

absl::StatusOr<v1::ResendVerificationEmailsResponse>
HubsyncClient::ResendVerificationEmails(
    const v1::ResendVerificationEmailsRequest& req) {
  return Unary(accounts_.get(),
               &v1::AccountService::Stub::ResendVerificationEmails, req);
}

absl::StatusOr<v1::ListSubscriptionsResponse> HubsyncClient::ListSubscriptions(
    const v1::ListSubscriptionsRequest& req) {
  return Unary(accounts_.get(), &v1::AccountService::Stub::ListSubscriptions,
               req);
}

absl::StatusOr<v1::ListSubscriptionsResponse> HubsyncClient::SetSubscription(
    const v1::SetSubscriptionRequest& req) {
  return Unary(accounts_.get(), &v1::AccountService::Stub::SetSubscription,
               req);
}

absl::StatusOr<v1::ListGrantsResponse> HubsyncClient::ListGrants(
    const v1::ListGrantsRequest& req) {
  return Unary(accounts_.get(), &v1::AccountService::Stub::ListGrants, req);
}

absl::StatusOr<v1::ProductGrant> HubsyncClient::SetGrant(
    const v1::SetGrantRequest& req) {
  return Unary(accounts_.get(), &v1::AccountService::Stub::SetGrant, req);
}

absl::StatusOr<v1::RedeemVerificationResponse>
HubsyncClient::RedeemVerification(const v1::RedeemVerificationRequest& req) {
  return Unary(accounts_.get(), &v1::AccountService::Stub::RedeemVerification,
               req);
}

absl::StatusOr<v1::LoginResponse> HubsyncClient::Login(
    const v1::LoginRequest& req) {
  return Unary(accounts_.get(), &v1::AccountService::Stub::Login, req);
}

absl::StatusOr<v1::CreateApiKeyResponse> HubsyncClient::CreateApiKey(
    const v1::CreateApiKeyRequest& req) {
  return Unary(keys_.get(), &v1::KeyService::Stub::CreateApiKey, req);
}

absl::StatusOr<v1::ApiKey> HubsyncClient::WhoAmI() {
  return Unary(keys_.get(), &v1::KeyService::Stub::WhoAmI, v1::WhoAmIRequest());
}

absl::StatusOr<v1::ListApiKeysResponse> HubsyncClient::ListApiKeys(
    const v1::ListApiKeysRequest& req) {
  return Unary(keys_.get(), &v1::KeyService::Stub::ListApiKeys, req);
}

absl::StatusOr<v1::ListApiKeysResponse> HubsyncClient::ListApiKeys(
    const std::string& school_id) {
  v1::ListApiKeysRequest req;
  req.set_school_id(school_id);
  return AllPages<v1::ListApiKeysRequest, v1::ListApiKeysResponse>(
      req, &HubsyncClient::ListApiKeys);
}

absl::StatusOr<v1::ApiKey> HubsyncClient::RevokeApiKey(
    const std::string& key_id) {
  v1::RevokeApiKeyRequest req;
  req.set_key_id(key_id);
  return Unary(keys_.get(), &v1::KeyService::Stub::RevokeApiKey, req);
}

}  // namespace hubsync::client
