// grpc::Status -> absl::Status, in one place (gRPC 1.51 has no conversion).
#ifndef HUBSYNC_CLIENT_LIB_STATUS_H_
#define HUBSYNC_CLIENT_LIB_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace hubsync::client {

inline absl::Status FromGrpcStatus(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

}  // namespace hubsync::client

#endif  // HUBSYNC_CLIENT_LIB_STATUS_H_
