// Checking the `after` key of a PageRequest (store.h), shared by the Page*
// methods. Internal to the storage layer.
#ifndef HUBSYNC_SERVER_STORAGE_PAGE_KEYS_H_
#define HUBSYNC_SERVER_STORAGE_PAGE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "server/storage/store.h"

namespace hubsync::storage {

inline absl::Status InvalidPageKey() {
  return absl::InvalidArgumentError("page_token is not valid");
}

// OK when `page` asks for at least one item and its key, if any, has
// `arity` parts.
inline absl::Status CheckPageKey(const PageRequest& page, size_t arity) {
  if (page.size == 0) {
    return absl::InvalidArgumentError("page size must be positive");
  }
  if (!page.after.empty() && page.after.size() != arity) {
    return InvalidPageKey();
  }
  return absl::OkStatus();
}

// A key part that holds an integer (a time, a rowid, an id).
inline absl::StatusOr<int64_t> PageKeyInt(const std::string& part) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(part, &v)) return InvalidPageKey();
  return v;
}

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_PAGE_KEYS_H_
