// Small checks shared by the MIS and hub importers.
#ifndef HUBSYNC_COMMON_IMPORT_CHECKS_H_
#define HUBSYNC_COMMON_IMPORT_CHECKS_H_

#include <cstddef>
#include <string_view>

#include "absl/strings/string_view.h"

namespace hubsync {

// Debian's Abseil has its own string_view type: convert explicitly.
inline absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

// Longest accepted value of any one field of a record.
inline constexpr size_t kMaxFieldBytes = 256;

// One '@' with text on both sides, a dot in the domain, no spaces.
bool LooksLikeEmail(std::string_view s);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_IMPORT_CHECKS_H_
