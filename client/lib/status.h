// grpc::Status -> absl::Status, in one place (gRPC 1.51 has no conversion).
// The two code spaces share their numbers (OK = 0 ... UNAUTHENTICATED = 16),
// so the code is kept as is and the server's message is kept verbatim.
#ifndef HUBSYNC_CLIENT_LIB_STATUS_H_
#define HUBSYNC_CLIENT_LIB_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace hubsync::client {

// OK for OK; otherwise the same code and message. A code outside 1..16 (which
// a conforming peer never sends) becomes UNKNOWN, with the message kept.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace hubsync::client

#endif  // HUBSYNC_CLIENT_LIB_STATUS_H_
