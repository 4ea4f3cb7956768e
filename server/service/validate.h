// Request field checks shared by the service handlers. Each returns OK or
// INVALID_ARGUMENT whose message names the field and says what to fix. A
// well-formed id that names nothing is left to the store (NOT_FOUND).
#ifndef HUBSYNC_SERVER_SERVICE_VALIDATE_H_
#define HUBSYNC_SERVER_SERVICE_VALIDATE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "grpcpp/support/status.h"

namespace hubsync {

// Ids the server assigns (sch_, lrn_, ses_, snp_ + 16 hex digits) are far
// shorter; a longer one is a mistake (a pasted row, a name), not an id.
inline constexpr size_t kMaxIdBytes = 64;
// MIS ids come from the MIS and are stored like any other MIS field.
inline constexpr size_t kMaxMisIdBytes = 256;
// Free text in requests: school names, the admin's name.
inline constexpr size_t kMaxTextBytes = 256;

grpc::Status Required(std::string_view field);
grpc::Status InvalidField(std::string_view field, std::string_view what);

// A required id: not empty, at most `max_bytes`, no control characters. (A
// MIS id may hold spaces: the MIS chose it.)
grpc::Status CheckId(std::string_view field, const std::string& value,
                     size_t max_bytes = kMaxIdBytes);
// The same for an id that may be left empty.
grpc::Status CheckOptionalId(std::string_view field, const std::string& value,
                             size_t max_bytes = kMaxIdBytes);
// Free text: at most `max_bytes`, no control characters; when `required`,
// not empty or only spaces.
grpc::Status CheckText(std::string_view field, const std::string& value,
                       bool required, size_t max_bytes = kMaxTextBytes);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_VALIDATE_H_
