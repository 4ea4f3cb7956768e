#include "server/service/authorize.h"

#include "absl/status/status.h"
#include "server/service/validate.h"

namespace hubsync {

absl::StatusOr<auth::Principal> Authorize(
    const auth::Authorizer& authorizer, const grpc::ServerContext* context,
    auth::Verb verb, const std::optional<auth::Target>& target) {
  const auto& metadata = context->client_metadata();
  std::optional<absl::string_view> authorization;
  auto [first, last] = metadata.equal_range("authorization");
  if (first != last) {
    if (std::next(first) != last) {
      return absl::UnauthenticatedError(
          "more than one authorization metadata entry; send exactly one");
    }
    authorization =
        absl::string_view(first->second.data(), first->second.size());
  }
  absl::StatusOr<auth::Principal> who =
      authorizer.Authenticate(authorization, verb);
  if (!who.ok() || !target.has_value()) return who;
  if (absl::Status s = CheckTargetOf(authorizer, *who, *target); !s.ok()) {
    return s;
  }
  return who;
}

absl::Status CheckTargetOf(const auth::Authorizer& authorizer,
                           const auth::Principal& who,
                           const auth::Target& target) {
  // A key id is as long as any other id (key_ + 16 hex digits).
  if (grpc::Status form = CheckId(target.field, target.id); !form.ok()) {
    return absl::InvalidArgumentError(form.error_message());
  }
  return authorizer.CheckTarget(who, target);
}

Actor ActorOf(const auth::Principal& who) {
  return Actor{who.key_id, who.label, RoleName(who.role)};
}

}  // namespace hubsync
