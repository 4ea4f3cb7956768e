// AIP-158 paging of the List* calls that grow with a school (learners,
// classes, snapshots, sessions, audit records, verification emails, API
// keys). The page_token is opaque to clients: URL-safe base64 of the list's
// name, a fingerprint of the request's other parameters (school, filters)
// and the sort key of the page's last item (store.h, PageRequest). A token
// only works with the list and parameters that made it; with any other, or
// when it is not one the server made, the call is INVALID_ARGUMENT and
// nothing is read.
#ifndef HUBSYNC_SERVER_SERVICE_PAGING_H_
#define HUBSYNC_SERVER_SERVICE_PAGING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"
#include "server/storage/store.h"

namespace hubsync {

// page_size 0 asks for this many items.
inline constexpr int32_t kDefaultPageSize = 1000;
// A larger page_size is served as this many (about 4.5 MB of learners, well
// under the 64 MiB message limit).
inline constexpr int32_t kMaxPageSize = 10000;

// The page a request asks for: `page_size` checked (negative:
// INVALID_ARGUMENT) and brought into [1, kMaxPageSize], and `page_token`
// decoded into the key to seek past. `list` names the RPC; `binding` holds
// every request field but the paging ones, in a fixed order.
grpc::Status ReadPageRequest(absl::string_view list,
                             const std::vector<std::string>& binding,
                             int32_t page_size, const std::string& page_token,
                             PageRequest* out);

// The next_page_token of a page whose store call returned `next` ("" when
// it is empty: the last page).
std::string NextPageToken(absl::string_view list,
                          const std::vector<std::string>& binding,
                          const std::vector<std::string>& next);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_PAGING_H_
