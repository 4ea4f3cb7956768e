// School, hub, MIS and account services.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/mis_import.h"
#include "server/auth/keys.h"
#include "server/service/authorize.h"
#include "server/service/convert.h"
#include "server/service/paging.h"
#include "server/service/services.h"
#include "server/service/status.h"
#include "server/service/validate.h"

namespace hubsync {
namespace {

// Status message and trailing metadata together must stay well under gRPC's
// default 8 KiB metadata limit, or the client sees only a transport error.
constexpr size_t kMaxMessageBytes = 3000;
constexpr size_t kMaxDetailBytes = 3500;
constexpr char kProblemsKey[] = "hubsync-upload-problems-bin";
// A client that asks (request metadata kProblemsMaxBytesKey) gets up to this
// many bytes of problems instead; it must accept trailing metadata that
// large (the hubsync CLI does), or it sees a transport error instead.
constexpr char kProblemsMaxBytesKey[] = "hubsync-problems-max-bytes";
constexpr size_t kMaxAskedDetailBytes = size_t{4} << 20;
// A OneRoster set is at most a dozen files; the cap stops an upload of
// endless empty files from growing the server's memory.
constexpr size_t kMaxUploadFiles = 64;

std::string ProblemLine(const Problem& p) {
  return absl::StrCat(p.file, ":", p.line, ":", p.column, ": ", p.message);
}

// INVALID_ARGUMENT (RESOURCE_EXHAUSTED when a limit was passed) listing the
// problems; all of them that fit go into the trailing metadata as an
// UploadProblems message.
grpc::Status Rejected(grpc::ServerContext* context,
                      const std::vector<Problem>& problems,
                      const std::string& what, bool over_limit = false) {
  std::string message = absl::StrCat(what, " rejected with ", problems.size(),
                                     " problem(s); nothing was stored:");
  size_t shown = 0;
  for (const Problem& p : problems) {
    std::string line = absl::StrCat("\n", ProblemLine(p));
    if (message.size() + line.size() > kMaxMessageBytes) break;
    message += line;
    ++shown;
  }
  if (shown < problems.size()) {
    absl::StrAppend(&message, "\n... and ", problems.size() - shown, " more");
  }
  size_t budget = kMaxDetailBytes;
  const auto& asked = context->client_metadata();
  if (auto it = asked.find(kProblemsMaxBytesKey); it != asked.end()) {
    size_t n;
    if (absl::SimpleAtoi(
            absl::string_view(it->second.data(), it->second.size()), &n)) {
      budget = std::clamp(n, kMaxDetailBytes, kMaxAskedDetailBytes);
    }
  }
  v1::UploadProblems details;
  details.set_total(static_cast<int64_t>(problems.size()));
  size_t bytes = details.ByteSizeLong();
  for (const Problem& p : problems) {
    v1::UploadProblem* up = details.add_problems();
    up->set_file(p.file);
    up->set_line(p.line);
    up->set_column(p.column);
    up->set_message(p.message.substr(0, 200));
    // The element, its tag and its length (at most 3 bytes: < 2 MiB).
    bytes += up->ByteSizeLong() + 4;
    if (bytes > budget) {
      details.mutable_problems()->RemoveLast();
      break;
    }
  }
  context->AddTrailingMetadata(kProblemsKey, details.SerializeAsString());
  return grpc::Status(over_limit ? grpc::StatusCode::RESOURCE_EXHAUSTED
                                 : grpc::StatusCode::INVALID_ARGUMENT,
                      message);
}

// Request ids are chosen by the client; Save's are as long.
constexpr size_t kMaxRequestIdBytes = 128;

// What a request id stands for: a digest (BLAKE2b, as API keys are hashed)
// of the request's parts, each preceded by its length.
std::string Fingerprint(std::initializer_list<std::string_view> parts) {
  std::string all;
  for (std::string_view p : parts) absl::StrAppend(&all, p.size(), ":", Av(p));
  return auth::HashKey(all);
}

grpc::Status TooLarge(size_t limit) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrCat("upload is larger than the limit of ", limit,
                                   " bytes; nothing was stored"));
}

}  // namespace

grpc::Status SchoolServiceImpl::CreateSchool(grpc::ServerContext* context,
                                             const v1::CreateSchoolRequest* req,
                                             v1::School* out) {
  HUBSYNC_AUTHORIZE_AS(actor, *auth_, context, auth::Verb::kCreateSchool);
  HUBSYNC_RETURN_IF_INVALID(CheckText("name", req->name(), /*required=*/true));
  absl::StatusOr<School> school = store_->CreateSchool(req->name(), actor);
  if (!school.ok()) return ToGrpcStatus(school.status());
  ToProto(*school, out);
  return grpc::Status::OK;
}

grpc::Status SchoolServiceImpl::GetSchool(grpc::ServerContext* context,
                                          const v1::GetSchoolRequest* req,
                                          v1::School* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kGetSchool,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  absl::StatusOr<School> school = store_->GetSchool(req->school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  ToProto(*school, out);
  return grpc::Status::OK;
}

grpc::Status SchoolServiceImpl::ListSchools(grpc::ServerContext* context,
                                            const v1::ListSchoolsRequest*,
                                            v1::ListSchoolsResponse* out) {
  absl::StatusOr<auth::Principal> who =
      Authorize(*auth_, context, auth::Verb::kListSchools);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<std::vector<School>> schools = store_->ListSchools();
  if (!schools.ok()) return ToGrpcStatus(schools.status());
  // A school's key sees its own school only.
  for (const School& s : *schools) {
    if (who->role == Role::kOperator || s.id == who->school_id) {
      ToProto(s, out->add_schools());
    }
  }
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::CreateLearner(grpc::ServerContext* context,
                                           const v1::CreateLearnerRequest* req,
                                           v1::Learner* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kCreateLearner,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  if (!req->has_learner()) return Required("learner");
  if (!req->learner().school_id().empty() &&
      req->learner().school_id() != req->school_id()) {
    return InvalidField("learner.school_id",
                        "must be empty or the same as school_id");
  }
  HUBSYNC_RETURN_IF_INVALID(
      CheckOptionalId("request_id", req->request_id(), kMaxRequestIdBytes));
  absl::StatusOr<HubLearner> learner = FromProto(req->learner(), "learner");
  if (!learner.ok()) return ToGrpcStatus(learner.status());
  RequestKey request{req->request_id(), "CreateLearner", ""};
  if (!request.id.empty()) {
    // Learner has no map fields, so its bytes are the same for the same
    // fields.
    request.fingerprint =
        Fingerprint({req->school_id(), req->learner().SerializeAsString()});
  }
  absl::StatusOr<std::vector<HubLearner>> created = store_->CreateLearners(
      req->school_id(), {*std::move(learner)}, actor, request);
  if (!created.ok()) return ToGrpcStatus(created.status());
  if (created->empty()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat("request_id '", request.id,
                                     "' created a learner that is gone"));
  }
  ToProto(created->front(), out);
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::ImportLearners(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::ImportLearnersRequest>* reader,
    v1::ImportLearnersResponse* out) {
  absl::StatusOr<auth::Principal> who =
      Authorize(*auth_, context, auth::Verb::kImportLearners);
  if (!who.ok()) return ToGrpcStatus(who.status());
  std::string school_id;
  std::string data;
  ImportOptions options;
  std::string request_id;
  bool first = true;
  v1::ImportLearnersRequest req;
  while (reader->Read(&req)) {
    if (first) {
      options.ignore_unknown_columns = req.ignore_unknown_columns();
      request_id = req.request_id();
      HUBSYNC_RETURN_IF_INVALID(
          CheckOptionalId("request_id", request_id, kMaxRequestIdBytes));
      first = false;
    } else if (!req.request_id().empty() && req.request_id() != request_id) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "request_id changed in the middle of the upload");
    }
    if (!req.school_id().empty()) {
      if (!school_id.empty() && school_id != req.school_id()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "school_id changed in the middle of the upload");
      }
      if (school_id.empty()) {  // checked once, before any data is kept
        HUBSYNC_RETURN_IF_ERROR_GRPC(CheckTargetOf(
            *auth_, *who,
            auth::Target{Resource::kSchool, req.school_id(), "school_id"}));
      }
      school_id = req.school_id();
    } else if (school_id.empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "school_id is required on the first message");
    }
    if (data.size() + req.chunk().size() > limits_.max_upload_bytes) {
      return TooLarge(limits_.max_upload_bytes);
    }
    data += req.chunk();
  }
  if (school_id.empty()) return Required("school_id");
  absl::StatusOr<School> school = store_->GetSchool(school_id);
  if (!school.ok()) return ToGrpcStatus(school.status());
  HubImportResult parsed =
      ParseHubLearnersCsv("learners.csv", data, limits_.parse(), options);
  if (!parsed.problems.empty()) {
    return Rejected(context, parsed.problems, "learner import",
                    parsed.over_limit);
  }
  RequestKey request{request_id, "ImportLearners", ""};
  if (!request.id.empty()) {
    request.fingerprint = Fingerprint(
        {school_id, options.ignore_unknown_columns ? "ignore" : "", data});
  }
  absl::StatusOr<std::vector<HubLearner>> created = store_->CreateLearners(
      school_id, std::move(parsed.learners), ActorOf(*who), request);
  if (!created.ok()) return ToGrpcStatus(created.status());
  out->set_created(static_cast<int64_t>(created->size()));
  for (const HubLearner& l : *created) out->add_learner_ids(l.id);
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::GetLearner(grpc::ServerContext* context,
                                        const v1::GetLearnerRequest* req,
                                        v1::Learner* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kGetLearner,
      auth::Target{Resource::kLearner, req->learner_id(), "learner_id"});
  absl::StatusOr<HubLearner> learner = store_->GetLearner(req->learner_id());
  if (!learner.ok()) return ToGrpcStatus(learner.status());
  ToProto(*learner, out);
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::ListLearners(grpc::ServerContext* context,
                                          const v1::ListLearnersRequest* req,
                                          v1::ListLearnersResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListLearners,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  absl::StatusOr<School> school = store_->GetSchool(req->school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  // A token of the archived list is no token of the other.
  const std::vector<std::string> binding =
      req->archived() ? std::vector<std::string>{req->school_id(), "archived"}
                      : std::vector<std::string>{req->school_id()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListLearners", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<HubLearner>> learners =
      store_->PageLearners(req->school_id(), page, req->archived());
  if (!learners.ok()) return ToGrpcStatus(learners.status());
  for (const HubLearner& l : learners->items) ToProto(l, out->add_learners());
  out->set_next_page_token(
      NextPageToken("ListLearners", binding, learners->next));
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::ListClasses(grpc::ServerContext* context,
                                         const v1::ListClassesRequest* req,
                                         v1::ListClassesResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListClasses,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  absl::StatusOr<School> school = store_->GetSchool(req->school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  const std::vector<std::string> binding = {req->school_id()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListClasses", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<HubClass>> classes =
      store_->PageClasses(req->school_id(), page);
  if (!classes.ok()) return ToGrpcStatus(classes.status());
  for (const HubClass& c : classes->items) ToProto(c, out->add_classes());
  out->set_next_page_token(
      NextPageToken("ListClasses", binding, classes->next));
  return grpc::Status::OK;
}

namespace {

// The Learner fields UpdateLearner can set (all strings); the store refuses
// the MIS-owned ones on a linked learner.
constexpr std::string_view kEditablePaths[] = {"legal_forename",
                                               "legal_surname",
                                               "preferred_forename",
                                               "preferred_surname",
                                               "date_of_birth",
                                               "gender",
                                               "upn",
                                               "year_group",
                                               "registration_group",
                                               "email"};

bool Editable(std::string_view path) {
  return std::find(std::begin(kEditablePaths), std::end(kEditablePaths),
                   path) != std::end(kEditablePaths);
}

}  // namespace

grpc::Status HubServiceImpl::UpdateLearner(grpc::ServerContext* context,
                                           const v1::UpdateLearnerRequest* req,
                                           v1::Learner* out) {
  const std::string& id = req->learner().learner_id();
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kUpdateLearner,
      auth::Target{Resource::kLearner, id, "learner.learner_id"});
  if (req->update_mask().paths_size() == 0) return Required("update_mask");
  // The values are checked as CreateLearner checks a learner: the stored
  // learner with the named fields replaced, through the same conversion.
  absl::StatusOr<HubLearner> current = store_->GetLearner(id);
  if (!current.ok()) return ToGrpcStatus(current.status());
  if (!req->learner().school_id().empty() &&
      req->learner().school_id() != current->school_id) {
    return InvalidField("learner.school_id",
                        "must be empty or the learner's school");
  }
  v1::Learner candidate;
  ToProto(*current, &candidate);
  candidate.clear_learner_id();
  candidate.clear_school_id();
  candidate.clear_mis_id();
  candidate.clear_sync_state();
  candidate.clear_update_time();
  candidate.clear_archive_time();
  candidate.clear_classes();
  Store::LearnerUpdate update;
  const google::protobuf::Descriptor* d = v1::Learner::descriptor();
  const google::protobuf::Reflection* r = v1::Learner::GetReflection();
  for (const std::string& path : req->update_mask().paths()) {
    if (!Editable(path)) {
      return InvalidField(
          "update_mask",
          absl::StrCat(path,
                       path == "mis_id" || path == "sync_state"
                           ? " is set by a sync (UnlinkLearner removes it)"
                           : " cannot be edited",
                       "; the fields that can: legal_forename, legal_surname, "
                       "preferred_forename, preferred_surname, date_of_birth, "
                       "gender, upn, year_group, registration_group, email"));
    }
    const google::protobuf::FieldDescriptor* f = d->FindFieldByName(path);
    r->SetString(&candidate, f, r->GetString(req->learner(), f));
    update.fields.push_back(path);
  }
  absl::StatusOr<HubLearner> values = FromProto(candidate, "learner");
  if (!values.ok()) return ToGrpcStatus(values.status());
  update.values = *std::move(values);
  absl::StatusOr<HubLearner> updated = store_->UpdateLearner(id, update, actor);
  if (!updated.ok()) return ToGrpcStatus(updated.status());
  ToProto(*updated, out);
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::ArchiveLearner(
    grpc::ServerContext* context, const v1::ArchiveLearnerRequest* req,
    v1::Learner* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kArchiveLearner,
      auth::Target{Resource::kLearner, req->learner_id(), "learner_id"});
  absl::StatusOr<HubLearner> l =
      store_->ArchiveLearner(req->learner_id(), actor);
  if (!l.ok()) return ToGrpcStatus(l.status());
  ToProto(*l, out);
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::RestoreLearner(
    grpc::ServerContext* context, const v1::RestoreLearnerRequest* req,
    v1::Learner* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kRestoreLearner,
      auth::Target{Resource::kLearner, req->learner_id(), "learner_id"});
  absl::StatusOr<HubLearner> l =
      store_->RestoreLearner(req->learner_id(), actor);
  if (!l.ok()) return ToGrpcStatus(l.status());
  ToProto(*l, out);
  return grpc::Status::OK;
}

grpc::Status HubServiceImpl::UnlinkLearner(grpc::ServerContext* context,
                                           const v1::UnlinkLearnerRequest* req,
                                           v1::Learner* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kUnlinkLearner,
      auth::Target{Resource::kLearner, req->learner_id(), "learner_id"});
  absl::StatusOr<HubLearner> l =
      store_->UnlinkLearner(req->learner_id(), actor);
  if (!l.ok()) return ToGrpcStatus(l.status());
  ToProto(*l, out);
  return grpc::Status::OK;
}

grpc::Status MisServiceImpl::StoreSnapshot(MisSnapshot snapshot,
                                           const Actor& actor,
                                           v1::MisSnapshot* out) {
  const int64_t learners = static_cast<int64_t>(snapshot.learners.size());
  const int64_t classes = static_cast<int64_t>(snapshot.classes.size());
  absl::StatusOr<MisSnapshot> saved =
      store_->SaveSnapshot(std::move(snapshot), actor);
  if (!saved.ok()) return ToGrpcStatus(saved.status());
  ToProto(*saved, learners, classes, out);
  return grpc::Status::OK;
}

grpc::Status MisServiceImpl::UploadMisExport(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::UploadMisExportRequest>* reader,
    v1::MisSnapshot* out) {
  absl::StatusOr<auth::Principal> who =
      Authorize(*auth_, context, auth::Verb::kUploadMisExport);
  if (!who.ok()) return ToGrpcStatus(who.status());
  v1::UploadMisExportRequest req;
  if (!reader->Read(&req) || !req.has_header()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of an upload must be a header "
                        "with school_id and format");
  }
  const v1::UploadHeader header = req.header();
  HUBSYNC_RETURN_IF_ERROR_GRPC(CheckTargetOf(
      *auth_, *who,
      auth::Target{Resource::kSchool, header.school_id(), "header.school_id"}));
  MisFormat format;
  switch (header.format()) {
    case v1::MIS_FORMAT_ONEROSTER:
      format = MisFormat::kOneRoster;
      break;
    case v1::MIS_FORMAT_PLAIN_CSV:
      format = MisFormat::kPlainCsv;
      break;
    default:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "header.format must be MIS_FORMAT_ONEROSTER or "
                          "MIS_FORMAT_PLAIN_CSV");
  }
  absl::StatusOr<School> school = store_->GetSchool(header.school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  UploadFiles files;
  size_t total = 0;
  while (reader->Read(&req)) {
    if (!req.has_chunk()) {
      return grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          "only the first message of an upload may be a header");
    }
    const std::string& name = req.chunk().file_name();
    if (name.empty() || name.size() > 128 ||
        name.find_first_of("/\\") != std::string::npos || name == "." ||
        name == ".." || !ControlCharacterProblem(name).empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("chunk.file_name '", name.substr(0, 128),
                                       "' must be a plain file name"));
    }
    total += req.chunk().data().size();
    if (total > limits_.max_upload_bytes)
      return TooLarge(limits_.max_upload_bytes);
    if (!files.count(name) && files.size() >= kMaxUploadFiles) {
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("more than ", kMaxUploadFiles,
                       " files in one upload; nothing was stored"));
    }
    files[name] += req.chunk().data();
  }
  if (files.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the upload has no files");
  }
  ImportOptions options;
  options.allow_empty = header.allow_empty();
  MisParseResult parsed =
      ParseMisUpload(format, files, limits_.parse(), options);
  if (!parsed.problems.empty()) {
    return Rejected(context, parsed.problems, "MIS export", parsed.over_limit);
  }
  parsed.snapshot.school_id = header.school_id();
  parsed.snapshot.format = format;
  return StoreSnapshot(std::move(parsed.snapshot), ActorOf(*who), out);
}

grpc::Status MisServiceImpl::PushMisRecords(
    grpc::ServerContext* context, const v1::PushMisRecordsRequest* req,
    v1::MisSnapshot* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kPushMisRecords,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  if (static_cast<size_t>(req->learners_size() + req->classes_size()) >
      limits_.max_push_records) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("more than ", limits_.max_push_records,
                                     " records in one push (the server's "
                                     "--max_push_records)"));
  }
  absl::StatusOr<School> school = store_->GetSchool(req->school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  MisSnapshot snapshot;
  snapshot.school_id = req->school_id();
  snapshot.format = MisFormat::kPushed;
  for (int i = 0; i < req->classes_size(); ++i) {
    absl::StatusOr<MisClass> c =
        FromProto(req->classes(i), absl::StrCat("classes[", i, "]"));
    if (!c.ok()) return ToGrpcStatus(c.status());
    snapshot.classes.push_back(*std::move(c));
  }
  for (int i = 0; i < req->learners_size(); ++i) {
    absl::StatusOr<MisLearner> l =
        FromProto(req->learners(i), absl::StrCat("learners[", i, "]"));
    if (!l.ok()) return ToGrpcStatus(l.status());
    snapshot.learners.push_back(*std::move(l));
  }
  ImportOptions options;
  options.allow_empty = req->allow_empty();
  std::vector<Problem> problems =
      ValidateMisRecords(snapshot, limits_.max_field_bytes, options);
  if (!problems.empty()) return Rejected(context, problems, "pushed records");
  std::sort(snapshot.learners.begin(), snapshot.learners.end(),
            [](const MisLearner& a, const MisLearner& b) {
              return a.mis_id < b.mis_id;
            });
  return StoreSnapshot(std::move(snapshot), actor, out);
}

grpc::Status MisServiceImpl::ListSnapshots(grpc::ServerContext* context,
                                           const v1::ListSnapshotsRequest* req,
                                           v1::ListSnapshotsResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListSnapshots,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  absl::StatusOr<School> school = store_->GetSchool(req->school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  const std::vector<std::string> binding = {req->school_id()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListSnapshots", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<MisSnapshot>> snapshots =
      store_->PageSnapshots(req->school_id(), page);
  if (!snapshots.ok()) return ToGrpcStatus(snapshots.status());
  out->set_next_page_token(
      NextPageToken("ListSnapshots", binding, snapshots->next));
  for (const MisSnapshot& s : snapshots->items) {
    absl::StatusOr<Store::Counts> counts = store_->SnapshotCounts(s.id);
    if (!counts.ok()) return ToGrpcStatus(counts.status());
    ToProto(s, counts->learners, counts->classes, out->add_snapshots());
  }
  return grpc::Status::OK;
}

grpc::Status MisServiceImpl::ListMisLearners(
    grpc::ServerContext* context, const v1::ListMisLearnersRequest* req,
    v1::ListMisLearnersResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListMisLearners,
      auth::Target{Resource::kSnapshot, req->snapshot_id(), "snapshot_id"});
  absl::StatusOr<MisSnapshot> snapshot =
      store_->GetSnapshot(req->snapshot_id());
  if (!snapshot.ok()) return ToGrpcStatus(snapshot.status());
  for (const MisLearner& l : snapshot->learners)
    ToProto(l, out->add_learners());
  for (const MisClass& c : snapshot->classes) ToProto(c, out->add_classes());
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::ListVerificationEmails(
    grpc::ServerContext* context, const v1::ListVerificationEmailsRequest* req,
    v1::ListVerificationEmailsResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListVerificationEmails,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckOptionalId("learner_id", req->learner_id()));
  static constexpr const char* kStatuses[] = {"queued", "sending", "sent",
                                              "failed", "withdrawn"};
  if (!req->status().empty() &&
      std::find(std::begin(kStatuses), std::end(kStatuses), req->status()) ==
          std::end(kStatuses)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "status must be queued, sending, sent, failed or "
                        "withdrawn");
  }
  absl::StatusOr<School> school = store_->GetSchool(req->school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  const std::vector<std::string> binding = {req->school_id(), req->learner_id(),
                                            req->status()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest("ListVerificationEmails", binding,
                                            req->page_size(), req->page_token(),
                                            &page));
  absl::StatusOr<Page<OutboxEmail>> emails = store_->PageOutbox(
      req->school_id(), {req->learner_id(), req->status()}, page);
  if (!emails.ok()) return ToGrpcStatus(emails.status());
  for (const OutboxEmail& e : emails->items) ToProto(e, out->add_emails());
  out->set_next_page_token(
      NextPageToken("ListVerificationEmails", binding, emails->next));
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::ListAuditRecords(
    grpc::ServerContext* context, const v1::ListAuditRecordsRequest* req,
    v1::ListAuditRecordsResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListAuditRecords,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  HUBSYNC_RETURN_IF_INVALID(CheckOptionalId("session_id", req->session_id()));
  HUBSYNC_RETURN_IF_INVALID(CheckOptionalId("learner_id", req->learner_id()));
  absl::StatusOr<School> school = store_->GetSchool(req->school_id());
  if (!school.ok()) return ToGrpcStatus(school.status());
  const std::vector<std::string> binding = {req->school_id(), req->session_id(),
                                            req->learner_id()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListAuditRecords", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<AuditRecord>> records = store_->PageAudit(
      req->school_id(), req->session_id(), req->learner_id(), page);
  if (!records.ok()) return ToGrpcStatus(records.status());
  for (const AuditRecord& r : records->items) ToProto(r, out->add_records());
  out->set_next_page_token(
      NextPageToken("ListAuditRecords", binding, records->next));
  return grpc::Status::OK;
}

}  // namespace hubsync
