#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/arena.h"
#include "server/service/authorize.h"
#include "server/service/convert.h"
#include "server/service/paging.h"
#include "server/service/services.h"
#include "server/service/status.h"
#include "server/service/validate.h"
#include "server/session/unreviewed.h"

namespace hubsync {
namespace {

constexpr char kMassDesyncMetadataKey[] = "hubsync-mass-desync-bin";
constexpr char kUnreviewedMetadataKey[] = "hubsync-unreviewed-bin";
constexpr int kDefaultBatch = 200;
constexpr int kMaxBatch = 5000;
// How many rows ahead StreamRows asks for the learners it will render.
constexpr size_t kPrefetchRows = 16;

grpc::Status CheckVersionField(int64_t v) {
  if (v < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "expected_version must not be negative");
  }
  return grpc::Status::OK;
}

// How a stream ends when its key was revoked while it was open.
grpc::Status RevokedWhileOpen(const auth::StreamLease& lease) {
  return grpc::Status(
      grpc::StatusCode::UNAUTHENTICATED,
      absl::StrCat("API key ", lease.key_id(),
                   " has been revoked; this stream has ended and sends "
                   "nothing more"));
}

grpc::Status Reply(const absl::StatusOr<SessionView>& view, v1::Session* out) {
  if (!view.ok()) return ToGrpcStatus(view.status());
  ToProto(*view, out);
  return grpc::Status::OK;
}

grpc::Status Reply(const absl::StatusOr<SessionEvent>& event,
                   v1::EditResponse* out) {
  if (!event.ok()) return ToGrpcStatus(event.status());
  ToProto(event->session, out->mutable_session());
  for (const Row& r : event->changed) {
    ToProto(r, event->context.get(), out->add_changed_rows());
  }
  for (int64_t id : event->removed) out->add_removed_row_ids(id);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status SyncServiceImpl::StartSession(grpc::ServerContext* context,
                                           const v1::StartSessionRequest* req,
                                           v1::Session* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kStartSession,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckOptionalId("snapshot_id", req->snapshot_id()));
  HUBSYNC_RETURN_IF_INVALID(
      CheckText("admin", req->admin(), /*required=*/false));
  return Reply(sessions_->Start(req->school_id(), req->snapshot_id(),
                                req->admin(), actor),
               out);
}

grpc::Status SyncServiceImpl::GetSession(grpc::ServerContext* context,
                                         const v1::GetSessionRequest* req,
                                         v1::Session* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kGetSession,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  return Reply(sessions_->Get(req->session_id()), out);
}

grpc::Status SyncServiceImpl::ListSessions(grpc::ServerContext* context,
                                           const v1::ListSessionsRequest* req,
                                           v1::ListSessionsResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListSessions,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  const std::vector<std::string> binding = {req->school_id()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListSessions", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<SessionView>> views =
      sessions_->ListPage(req->school_id(), page);
  if (!views.ok()) return ToGrpcStatus(views.status());
  for (const SessionView& v : views->items) ToProto(v, out->add_sessions());
  out->set_next_page_token(NextPageToken("ListSessions", binding, views->next));
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::Proceed(grpc::ServerContext* context,
                                      const v1::ProceedRequest* req,
                                      v1::Session* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kProceed,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  return Reply(
      sessions_->Proceed(req->session_id(), req->expected_version(), actor),
      out);
}

grpc::Status SyncServiceImpl::SetScope(grpc::ServerContext* context,
                                       const v1::SetScopeRequest* req,
                                       v1::Session* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetScope,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  absl::StatusOr<Scope> scope = FromProto(req->scope());
  if (!scope.ok()) return ToGrpcStatus(scope.status());
  return Reply(sessions_->SetScope(req->session_id(), req->expected_version(),
                                   *scope, req->sync_email_addresses(), actor),
               out);
}

grpc::Status SyncServiceImpl::StreamRows(
    grpc::ServerContext* context, const v1::StreamRowsRequest* req,
    grpc::ServerWriter<v1::RowBatch>* writer) {
  absl::StatusOr<auth::Principal> who = Authorize(
      *auth_, context, auth::Verb::kStreamRows,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  if (!who.ok()) return ToGrpcStatus(who.status());
  // Revoking the key ends the stream: checked before every batch, and while
  // waiting for rows (docs/SECURITY.md, "Revoking a key").
  const std::unique_ptr<auth::StreamLease> lease = auth_->OpenStream(*who);
  if (req->batch_size() < 0 || req->batch_size() > kMaxBatch) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("batch_size must be 0 (default ",
                                     kDefaultBatch, ") to ", kMaxBatch));
  }
  if (req->after_row_id() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "after_row_id must not be negative");
  }
  RowFilter filter;
  for (int s : req->statuses()) {
    absl::StatusOr<RowStatus> status = FromProto(static_cast<v1::RowStatus>(s));
    if (!status.ok()) return ToGrpcStatus(status.status());
    filter.statuses.push_back(*status);
  }
  const int batch_size =
      req->batch_size() == 0 ? kDefaultBatch : req->batch_size();
  // A batch is thousands of rows of nested messages: built on an arena,
  // freed at once, whose first block is this buffer, kept for the stream.
  std::vector<char> arena_block(size_t{1} << 20);
  absl::Status streamed = sessions_->StreamRows(
      req->session_id(), filter, req->after_row_id(), batch_size,
      [&](const RowBatchOut& batch) {
        if (lease->revoked()) return false;  // no pupil's row after that
        google::protobuf::ArenaOptions options;
        options.initial_block = arena_block.data();
        options.initial_block_size = arena_block.size();
        options.max_block_size = size_t{4} << 20;
        google::protobuf::Arena arena(options);
        v1::RowBatch& out =
            *google::protobuf::Arena::CreateMessage<v1::RowBatch>(&arena);
        const RowContext* context = batch.context.get();
        const size_t n = batch.rows.size();
        for (size_t k = 0; k < n; ++k) {
          // The learners of the rows a few ahead are fetched meanwhile.
          if (context != nullptr) {
            if (k + kPrefetchRows < n)
              context->Prefetch(batch.rows[k + kPrefetchRows], 0);
            if (k + kPrefetchRows / 2 < n) {
              context->Prefetch(batch.rows[k + kPrefetchRows / 2], 1);
            }
          }
          ToProto(batch.rows[k], context, out.add_rows());
        }
        out.set_cursor(batch.cursor);
        out.set_classified(batch.classified);
        out.set_done(batch.done);
        if (batch.done) ToProto(batch.counts, out.mutable_summary());
        return writer->Write(out);
      },
      [context, &lease] { return context->IsCancelled() || lease->revoked(); });
  if (lease->revoked()) return RevokedWhileOpen(*lease);
  return ToGrpcStatus(streamed);
}

grpc::Status SyncServiceImpl::SetImport(grpc::ServerContext* context,
                                        const v1::SetImportRequest* req,
                                        v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetImport,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  HUBSYNC_RETURN_IF_INVALID(CheckId("mis_id", req->mis_id(), kMaxMisIdBytes));
  return Reply(sessions_->SetImport(req->session_id(), req->expected_version(),
                                    req->mis_id(), req->import(), actor),
               out);
}

grpc::Status SyncServiceImpl::SetImportAll(grpc::ServerContext* context,
                                           const v1::SetImportAllRequest* req,
                                           v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetImportAll,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  return Reply(
      sessions_->SetImportAll(req->session_id(), req->expected_version(),
                              req->import(), actor),
      out);
}

grpc::Status SyncServiceImpl::Match(grpc::ServerContext* context,
                                    const v1::MatchRequest* req,
                                    v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kMatch,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  HUBSYNC_RETURN_IF_INVALID(CheckId("learner_id", req->learner_id()));
  HUBSYNC_RETURN_IF_INVALID(CheckId("mis_id", req->mis_id(), kMaxMisIdBytes));
  return Reply(sessions_->Match(req->session_id(), req->expected_version(),
                                req->learner_id(), req->mis_id(), actor),
               out);
}

grpc::Status SyncServiceImpl::Unmatch(grpc::ServerContext* context,
                                      const v1::UnmatchRequest* req,
                                      v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kUnmatch,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  if (req->learner_id().empty() == req->mis_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "name the row to unmatch by exactly one of learner_id "
                        "and mis_id");
  }
  HUBSYNC_RETURN_IF_INVALID(CheckOptionalId("learner_id", req->learner_id()));
  HUBSYNC_RETURN_IF_INVALID(
      CheckOptionalId("mis_id", req->mis_id(), kMaxMisIdBytes));
  return Reply(sessions_->Unmatch(req->session_id(), req->expected_version(),
                                  req->learner_id(), req->mis_id(), actor),
               out);
}

grpc::Status SyncServiceImpl::SetSyncEmail(grpc::ServerContext* context,
                                           const v1::SetSyncEmailRequest* req,
                                           v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetSyncEmail,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  HUBSYNC_RETURN_IF_INVALID(CheckId("mis_id", req->mis_id(), kMaxMisIdBytes));
  return Reply(
      sessions_->SetSyncEmail(req->session_id(), req->expected_version(),
                              req->mis_id(), req->sync(), actor),
      out);
}

grpc::Status SyncServiceImpl::SetSyncEmailAll(
    grpc::ServerContext* context, const v1::SetSyncEmailAllRequest* req,
    v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetSyncEmailAll,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  return Reply(
      sessions_->SetSyncEmailAll(req->session_id(), req->expected_version(),
                                 req->sync(), actor),
      out);
}

grpc::Status SyncServiceImpl::SaveAndSyncPupils(grpc::ServerContext* context,
                                                const v1::SaveRequest* req,
                                                v1::SaveResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSaveAndSyncPupils,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  HUBSYNC_RETURN_IF_INVALID(
      CheckOptionalId("request_id", req->request_id(), 128));
  if (req->confirm_desync_count() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "confirm_desync_count must not be negative");
  }
  absl::StatusOr<SaveOutcome> saved =
      sessions_->Save(req->session_id(), req->expected_version(),
                      req->request_id(), req->confirm_desync_count(), actor,
                      req->validate_only(), req->allow_unreviewed());
  if (!saved.ok()) {
    if (std::optional<MassDesyncInfo> guard = ParseMassDesync(saved.status())) {
      v1::MassDesync details;
      details.set_desync_count(guard->desync_count);
      details.set_synced_learners(guard->synced_learners);
      details.set_max_percent(guard->max_percent);
      context->AddTrailingMetadata(kMassDesyncMetadataKey,
                                   details.SerializeAsString());
    }
    if (std::optional<UnreviewedInfo> unreviewed =
            ParseUnreviewed(saved.status())) {
      v1::UnreviewedMayMatch details;
      details.set_count(unreviewed->count);
      for (const UnreviewedRowInfo& r : unreviewed->rows) {
        v1::UnreviewedRow* row = details.add_rows();
        row->set_row_id(r.row_id);
        row->set_learner_id(r.learner_id);
        row->set_mis_id(r.mis_id);
        row->set_hub_name(r.hub_name);
        row->set_mis_name(r.mis_name);
      }
      context->AddTrailingMetadata(kUnreviewedMetadataKey,
                                   details.SerializeAsString());
    }
    return ToGrpcStatus(saved.status());
  }
  ToProto(saved->session, out->mutable_session());
  ToProto(saved->summary, out->mutable_summary());
  if (!req->validate_only()) out->set_save_id(saved->summary.save_id);
  // Committed: the emails it queued may go now.
  if (delivery_ != nullptr && !req->validate_only() &&
      saved->summary.emails_queued > 0) {
    delivery_->Wake();
  }
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::SetReviewed(grpc::ServerContext* context,
                                          const v1::SetReviewedRequest* req,
                                          v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetReviewed,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  if (req->learner_id().empty() == req->mis_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "name the row to mark by exactly one of learner_id "
                        "and mis_id");
  }
  HUBSYNC_RETURN_IF_INVALID(CheckOptionalId("learner_id", req->learner_id()));
  HUBSYNC_RETURN_IF_INVALID(
      CheckOptionalId("mis_id", req->mis_id(), kMaxMisIdBytes));
  return Reply(sessions_->SetReviewed(
                   req->session_id(), req->expected_version(),
                   req->learner_id(), req->mis_id(), req->reviewed(), actor),
               out);
}

grpc::Status SyncServiceImpl::SetReviewedAll(
    grpc::ServerContext* context, const v1::SetReviewedAllRequest* req,
    v1::EditResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetReviewedAll,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  if (req->confirm_count() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "confirm_count must not be negative");
  }
  return Reply(
      sessions_->SetReviewedAll(req->session_id(), req->expected_version(),
                                req->reviewed(), req->confirm_count(), actor),
      out);
}

grpc::Status SyncServiceImpl::CancelSession(grpc::ServerContext* context,
                                            const v1::CancelSessionRequest* req,
                                            v1::Session* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kCancelSession,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  return Reply(
      sessions_->Cancel(req->session_id(), req->expected_version(), actor),
      out);
}

grpc::Status SyncServiceImpl::StepBack(grpc::ServerContext* context,
                                       const v1::StepBackRequest* req,
                                       v1::Session* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kStepBack,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckVersionField(req->expected_version()));
  return Reply(
      sessions_->StepBack(req->session_id(), req->expected_version(), actor),
      out);
}

grpc::Status SyncServiceImpl::WatchSession(
    grpc::ServerContext* context, const v1::WatchSessionRequest* req,
    grpc::ServerWriter<v1::SessionEvent>* writer) {
  absl::StatusOr<auth::Principal> who = Authorize(
      *auth_, context, auth::Verb::kWatchSession,
      auth::Target{Resource::kSession, req->session_id(), "session_id"});
  if (!who.ok()) return ToGrpcStatus(who.status());
  const std::unique_ptr<auth::StreamLease> lease = auth_->OpenStream(*who);
  if (req->after_version() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "after_version must not be negative");
  }
  absl::Status watched = sessions_->Watch(
      req->session_id(), req->after_version(),
      [&](const SessionEvent& event) {
        v1::SessionEvent out;
        ToProto(event, &out);
        return !lease->revoked() && writer->Write(out);
      },
      [context, &lease] { return context->IsCancelled() || lease->revoked(); });
  if (lease->revoked()) return RevokedWhileOpen(*lease);
  return ToGrpcStatus(watched);
}

grpc::Status SyncServiceImpl::ListSaves(grpc::ServerContext* context,
                                        const v1::ListSavesRequest* req,
                                        v1::ListSavesResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListSaves,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  const std::vector<std::string> binding = {req->school_id()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListSaves", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<SaveRecord>> saves =
      store_->PageSaves(req->school_id(), page);
  if (!saves.ok()) return ToGrpcStatus(saves.status());
  for (const SaveRecord& r : saves->items) ToProto(r, out->add_saves());
  out->set_next_page_token(NextPageToken("ListSaves", binding, saves->next));
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::GetSave(grpc::ServerContext* context,
                                      const v1::GetSaveRequest* req,
                                      v1::SaveRecord* out) {
  HUBSYNC_AUTHORIZE(*auth_, context, auth::Verb::kGetSave,
                    auth::Target{Resource::kSave, req->save_id(), "save_id"});
  absl::StatusOr<SaveRecord> save = store_->GetSave(req->save_id());
  if (!save.ok()) return ToGrpcStatus(save.status());
  ToProto(*save, out);
  return grpc::Status::OK;
}

grpc::Status SyncServiceImpl::RevertSave(grpc::ServerContext* context,
                                         const v1::RevertSaveRequest* req,
                                         v1::RevertSaveResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kRevertSave,
      auth::Target{Resource::kSave, req->save_id(), "save_id"});
  absl::StatusOr<SaveRecord> revert =
      store_->RevertSave(req->save_id(), actor, req->validate_only());
  if (!revert.ok()) return ToGrpcStatus(revert.status());
  ToProto(*revert, out->mutable_revert());
  if (req->validate_only()) out->mutable_revert()->clear_save_id();
  return grpc::Status::OK;
}

}  // namespace hubsync
