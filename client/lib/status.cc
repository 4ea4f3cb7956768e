#include "client/lib/status.h"

namespace hubsync::client {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const int code = static_cast<int>(status.error_code());
  const int first = static_cast<int>(absl::StatusCode::kCancelled);
  const int last = static_cast<int>(absl::StatusCode::kUnauthenticated);
  if (code < first || code > last) {
    return absl::UnknownError(status.error_message());
  }
  return absl::Status(static_cast<absl::StatusCode>(code),
                      status.error_message());
}

}  // namespace hubsync::client
