// absl::Status -> grpc::Status at the service edge, in one place. gRPC 1.51
// has no conversion of its own; the numeric codes are the same.
#ifndef HUBSYNC_SERVER_SERVICE_STATUS_H_
#define HUBSYNC_SERVER_SERVICE_STATUS_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace hubsync {

grpc::Status ToGrpcStatus(const absl::Status& status);

// For handlers: `RETURN_IF_ERROR_GRPC(expr)` returns the converted status of
// a failed absl::Status expression.
#define HUBSYNC_RETURN_IF_ERROR_GRPC(expr)              \
  do {                                                  \
    const ::absl::Status _st = (expr);                  \
    if (!_st.ok()) return ::hubsync::ToGrpcStatus(_st); \
  } while (0)

// For handlers: returns a grpc::Status expression that is not OK.
#define HUBSYNC_RETURN_IF_INVALID(expr) \
  do {                                  \
    ::grpc::Status _gs = (expr);        \
    if (!_gs.ok()) return _gs;          \
  } while (0)

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_STATUS_H_
