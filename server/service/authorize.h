// The service edge of the authoriser (server/auth/authorizer.h): reads the
// call's `authorization` metadata and checks the verb and the id it touches.
// Every handler starts with one of these, before it reads the request: a
// caller with no key, a wrong or revoked key, or a role that may not call
// the RPC learns nothing about its request (docs/SECURITY.md, "Codes").
#ifndef HUBSYNC_SERVER_SERVICE_AUTHORIZE_H_
#define HUBSYNC_SERVER_SERVICE_AUTHORIZE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "common/session_types.h"
#include "grpcpp/server_context.h"
#include "server/auth/authorizer.h"

namespace hubsync {

// Authenticates the call's key for `verb`; then, with a target, checks the
// id's form (INVALID_ARGUMENT naming the field: empty, longer than an id,
// control characters) and that it is the principal's school's
// (CheckTargetOf).
absl::StatusOr<auth::Principal> Authorize(
    const auth::Authorizer& authorizer, const grpc::ServerContext* context,
    auth::Verb verb, const std::optional<auth::Target>& target = std::nullopt);

// For handlers that learn the target after authenticating (streams, key
// lists): the id's form, then its owner.
absl::Status CheckTargetOf(const auth::Authorizer& authorizer,
                           const auth::Principal& who,
                           const auth::Target& target);

// Who the audit trail names for a call: the authenticated key's id, label
// and role. Never anything the request says about itself.
Actor ActorOf(const auth::Principal& who);

// Returns the converted status from the handler when the call is refused.
#define HUBSYNC_AUTHORIZE(...)                                     \
  do {                                                             \
    const auto _who = ::hubsync::Authorize(__VA_ARGS__);           \
    if (!_who.ok()) return ::hubsync::ToGrpcStatus(_who.status()); \
  } while (0)

// The same, keeping the caller as `const Actor actor_var` for the audit
// trail.
#define HUBSYNC_AUTHORIZE_AS(actor_var, ...)                      \
  const auto actor_var##_who = ::hubsync::Authorize(__VA_ARGS__); \
  if (!actor_var##_who.ok()) {                                    \
    return ::hubsync::ToGrpcStatus(actor_var##_who.status());     \
  }                                                               \
  const ::hubsync::Actor actor_var = ::hubsync::ActorOf(*actor_var##_who)

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_AUTHORIZE_H_
