#include "server/auth/authorizer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/text_rule.h"
#include "server/auth/keys.h"

namespace hubsync::auth {
namespace {

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat(
      why,
      "; send the metadata 'authorization: Bearer <API key>' (hubsync: "
      "HUBSYNC_API_KEY)"));
}

const char* Noun(Resource kind) {
  switch (kind) {
    case Resource::kSchool:
      return "school";
    case Resource::kLearner:
      return "learner";
    case Resource::kSnapshot:
      return "snapshot";
    case Resource::kSession:
      return "session";
    case Resource::kKey:
      return "key";
    case Resource::kSave:
      return "save";
  }
  return "record";
}

}  // namespace

absl::StatusOr<Principal> Authorizer::Authenticate(
    const std::optional<absl::string_view>& authorization, Verb verb) const {
  if (!authorization.has_value()) return Unauthenticated("no API key");
  absl::string_view value = *authorization;
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(value, kBearer)) {
    return Unauthenticated(
        "the authorization metadata is not 'Bearer <API key>'");
  }
  absl::string_view presented = value.substr(kBearer.size());
  absl::StatusOr<std::string> key_id = KeyIdOf(presented);
  if (!key_id.ok()) return Unauthenticated(key_id.status().message());
  absl::StatusOr<ApiKeyRecord> key = store_->GetApiKey(*key_id);
  if (!key.ok()) {
    if (absl::IsNotFound(key.status())) {
      return Unauthenticated("the API key is not valid");
    }
    return key.status();  // UNAVAILABLE etc.: the client may retry
  }
  // Unknown id and wrong secret read the same.
  if (!KeyMatches(presented, key->secret_hash)) {
    return Unauthenticated("the API key is not valid");
  }
  if (key->revoke_time_unix != 0) {
    return Unauthenticated(
        absl::StrCat("API key ", key->id, " has been revoked"));
  }
  if (!RoleMay(key->role, verb)) {
    return absl::PermissionDeniedError(
        absl::StrCat("API key ", key->id, " (", RoleName(key->role),
                     ") may not call ", VerbName(verb)));
  }
  Principal p;
  p.key_id = key->id;
  p.role = key->role;
  p.school_id = key->school_id;
  p.label = key->label;
  return p;
}

absl::Status Authorizer::CheckTarget(const Principal& principal,
                                     const Target& target) const {
  if (target.id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(target.field, " is required"));
  }
  const absl::Status not_found = absl::NotFoundError(
      absl::StrCat(Noun(target.kind), " ", target.id, " not found"));
  if (principal.role == Role::kOperator) {
    // Operators reach schools (and keys) only; the role table keeps them from
    // every verb that takes another kind of id.
    if (target.kind != Resource::kSchool && target.kind != Resource::kKey) {
      return not_found;
    }
    return store_->SchoolOf(target.kind, target.id).status();
  }
  if (target.kind == Resource::kSchool) {
    return target.id == principal.school_id ? absl::OkStatus() : not_found;
  }
  absl::StatusOr<std::string> owner = store_->SchoolOf(target.kind, target.id);
  if (!owner.ok()) return owner.status();
  if (*owner != principal.school_id) return not_found;
  return absl::OkStatus();
}

StreamLease::~StreamLease() { streams_->Close(this); }

std::unique_ptr<StreamLease> OpenStreams::Open(const std::string& key_id) {
  std::unique_ptr<StreamLease> lease(new StreamLease(this, key_id));
  absl::MutexLock lock(&mu_);
  if (revoked_.contains(key_id)) {
    lease->revoked_.store(true, std::memory_order_release);
  }
  open_[key_id].insert(lease.get());
  return lease;
}

void OpenStreams::Revoked(const std::string& key_id) {
  absl::MutexLock lock(&mu_);
  revoked_.insert(key_id);
  auto it = open_.find(key_id);
  if (it == open_.end()) return;
  for (StreamLease* lease : it->second) {
    lease->revoked_.store(true, std::memory_order_release);
  }
}

void OpenStreams::Close(StreamLease* lease) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(lease->key_id_);
  if (it == open_.end()) return;
  it->second.erase(lease);
  if (it->second.empty()) open_.erase(it);
}

absl::StatusOr<NewKey> InitOperatorKey(Store* store, Clock* clock,
                                       const std::string& label, bool another) {
  if (std::string bad = TextProblem(label); !bad.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("the key label ", bad));
  }
  absl::StatusOr<int64_t> existing = store->CountActiveOperatorKeys();
  if (!existing.ok()) return existing.status();
  if (*existing > 0 && !another) {
    return absl::FailedPreconditionError(
        absl::StrCat("this database already has ", *existing,
                     " operator key(s); use one of them to create keys "
                     "(hubsync key create), "
                     "or pass --add-operator-key to make another"));
  }
  ApiKeyRecord record;
  record.role = Role::kOperator;
  record.label = label;
  record.create_time_unix = clock->NowUnixSeconds();
  NewKey key = MakeKey(std::move(record));
  if (absl::Status s = store->CreateApiKey(key.record); !s.ok()) return s;
  return key;
}

}  // namespace hubsync::auth
