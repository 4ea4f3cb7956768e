#include "server/service/authorize.h"

#include "absl/status/status.h"

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
  if (absl::Status s = authorizer.CheckTarget(*who, *target); !s.ok()) return s;
  return who;
}

Actor ActorOf(const auth::Principal& who) {
  return Actor{who.key_id, who.label, RoleName(who.role)};
}

}  // namespace hubsync
