// KeyService: API keys are made (server/auth/keys.h), listed and revoked.
#include "absl/strings/str_cat.h"
#include "server/auth/keys.h"
#include "server/service/authorize.h"
#include "server/service/convert.h"
#include "server/service/paging.h"
#include "server/service/services.h"
#include "server/service/status.h"
#include "server/service/validate.h"

namespace hubsync {
namespace {

constexpr size_t kMaxLabelBytes = 256;

v1::Role ToProto(Role role) {
  switch (role) {
    case Role::kOperator:
      return v1::ROLE_OPERATOR;
    case Role::kAdmin:
      return v1::ROLE_ADMIN;
    case Role::kService:
      return v1::ROLE_SERVICE;
    case Role::kViewer:
      return v1::ROLE_VIEWER;
    case Role::kProduct:
      return v1::ROLE_PRODUCT;
  }
  return v1::ROLE_UNSPECIFIED;
}

void ToProto(const ApiKeyRecord& in, v1::ApiKey* out) {
  out->set_key_id(in.id);
  out->set_school_id(in.school_id);
  out->set_role(ToProto(in.role));
  out->set_label(in.label);
  ::hubsync::ToProto(in.create_time_unix, out->mutable_create_time());
  out->set_created_by(in.created_by);
  if (in.revoke_time_unix != 0) {
    ::hubsync::ToProto(in.revoke_time_unix, out->mutable_revoke_time());
  }
}

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

}  // namespace

grpc::Status KeyServiceImpl::CreateApiKey(grpc::ServerContext* context,
                                          const v1::CreateApiKeyRequest* req,
                                          v1::CreateApiKeyResponse* out) {
  absl::StatusOr<auth::Principal> who =
      Authorize(*auth_, context, auth::Verb::kCreateApiKey);
  if (!who.ok()) return ToGrpcStatus(who.status());
  ApiKeyRecord record;
  switch (req->role()) {
    case v1::ROLE_OPERATOR:
      record.role = Role::kOperator;
      break;
    case v1::ROLE_ADMIN:
      record.role = Role::kAdmin;
      break;
    case v1::ROLE_SERVICE:
      record.role = Role::kService;
      break;
    case v1::ROLE_VIEWER:
      record.role = Role::kViewer;
      break;
    case v1::ROLE_PRODUCT:
      record.role = Role::kProduct;
      break;
    default:
      return Invalid(
          "role must be ROLE_OPERATOR, ROLE_ADMIN, ROLE_SERVICE, ROLE_VIEWER "
          "or ROLE_PRODUCT");
  }
  // The label is shown to the operator and in every school's audit trail:
  // the free-text rule (common/text_rule.h) keeps escapes and bidi controls
  // out of it.
  HUBSYNC_RETURN_IF_INVALID(
      CheckText("label", req->label(), /*required=*/false, kMaxLabelBytes));
  if (record.role == Role::kOperator || record.role == Role::kProduct) {
    const char* name = RoleName(record.role);
    if (who->role != Role::kOperator) {
      return grpc::Status(
          grpc::StatusCode::PERMISSION_DENIED,
          absl::StrCat("only an operator key may create ", name, " keys"));
    }
    if (!req->school_id().empty()) {
      return Invalid(absl::StrCat("school_id must be empty for ",
                                  v1::Role_Name(ToProto(record.role)), ": ",
                                  name, " keys belong to no school"));
    }
  } else {
    HUBSYNC_RETURN_IF_ERROR_GRPC(CheckTargetOf(
        *auth_, *who,
        auth::Target{Resource::kSchool, req->school_id(), "school_id"}));
    record.school_id = req->school_id();
  }
  record.label = req->label();
  record.created_by = who->key_id;
  record.create_time_unix = clock_->NowUnixSeconds();
  auth::NewKey key = auth::MakeKey(std::move(record));
  HUBSYNC_RETURN_IF_ERROR_GRPC(store_->CreateApiKey(key.record, ActorOf(*who)));
  ToProto(key.record, out->mutable_key());
  out->set_secret(key.secret);
  return grpc::Status::OK;
}

grpc::Status KeyServiceImpl::ListApiKeys(grpc::ServerContext* context,
                                         const v1::ListApiKeysRequest* req,
                                         v1::ListApiKeysResponse* out) {
  absl::StatusOr<auth::Principal> who =
      Authorize(*auth_, context, auth::Verb::kListApiKeys);
  if (!who.ok()) return ToGrpcStatus(who.status());
  std::string school_id = req->school_id();
  if (school_id.empty() && who->role != Role::kOperator) {
    school_id = who->school_id;  // an admin lists its own school's keys
  }
  if (!school_id.empty()) {
    HUBSYNC_RETURN_IF_ERROR_GRPC(CheckTargetOf(
        *auth_, *who, auth::Target{Resource::kSchool, school_id, "school_id"}));
  }
  // Bound to the school listed, so an admin's token (its own school when
  // it sent none) is not an operator's token for every key.
  const std::vector<std::string> binding = {school_id};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListApiKeys", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<ApiKeyRecord>> keys =
      store_->PageApiKeys(school_id, page);
  if (!keys.ok()) return ToGrpcStatus(keys.status());
  for (const ApiKeyRecord& k : keys->items) ToProto(k, out->add_keys());
  out->set_next_page_token(NextPageToken("ListApiKeys", binding, keys->next));
  return grpc::Status::OK;
}

grpc::Status KeyServiceImpl::RevokeApiKey(grpc::ServerContext* context,
                                          const v1::RevokeApiKeyRequest* req,
                                          v1::ApiKey* out) {
  HUBSYNC_AUTHORIZE_AS(actor, *auth_, context, auth::Verb::kRevokeApiKey,
                       auth::Target{Resource::kKey, req->key_id(), "key_id"});
  absl::StatusOr<ApiKeyRecord> key = store_->RevokeApiKey(req->key_id(), actor);
  if (!key.ok()) return ToGrpcStatus(key.status());
  // Committed: the key's open streams end now (docs/SECURITY.md).
  auth_->KeyRevoked(key->id);
  ToProto(*key, out);
  return grpc::Status::OK;
}

grpc::Status KeyServiceImpl::WhoAmI(grpc::ServerContext* context,
                                    const v1::WhoAmIRequest*, v1::ApiKey* out) {
  absl::StatusOr<auth::Principal> who =
      Authorize(*auth_, context, auth::Verb::kWhoAmI);
  if (!who.ok()) return ToGrpcStatus(who.status());
  absl::StatusOr<ApiKeyRecord> key = store_->GetApiKey(who->key_id);
  if (!key.ok()) return ToGrpcStatus(key.status());
  ToProto(*key, out);
  return grpc::Status::OK;
}

}  // namespace hubsync
