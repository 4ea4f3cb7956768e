// The service edge of the authoriser (server/auth/authorizer.h): reads the
// call's `authorization` metadata and checks the verb and the id it touches.
// Every handler starts with one of these, before it reads the request.
#ifndef HUBSYNC_SERVER_SERVICE_AUTHORIZE_H_
#define HUBSYNC_SERVER_SERVICE_AUTHORIZE_H_

#include <optional>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "server/auth/authorizer.h"

namespace hubsync {

absl::StatusOr<auth::Principal> Authorize(
    const auth::Authorizer& authorizer, const grpc::ServerContext* context,
    auth::Verb verb, const std::optional<auth::Target>& target = std::nullopt);

// Returns the converted status from the handler when the call is refused.
#define HUBSYNC_AUTHORIZE(...)                                              \
  do {                                                                      \
    const auto _who = ::hubsync::Authorize(__VA_ARGS__);                    \
    if (!_who.ok()) return ::hubsync::ToGrpcStatus(_who.status());          \
  } while (0)

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_AUTHORIZE_H_
