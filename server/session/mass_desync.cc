// The mass-desync guard's rule and its status payload (session_manager.h).
// A truncated or wrong MIS export shows up as many leavers at once: Save
// refuses to desync more than a share of the school's synced learners
// unless the admin confirms the exact number.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "server/session/session_manager.h"

namespace hubsync {

bool IsMassDesync(int64_t desync_count, int64_t synced_learners,
                  double max_percent) {
  if (desync_count <= 0) return false;
  if (synced_learners <= 0) return true;  // cannot happen: desynced were synced
  return static_cast<double>(desync_count) * 100.0 >
         max_percent * static_cast<double>(synced_learners);
}

std::optional<MassDesyncInfo> ParseMassDesync(const absl::Status& status) {
  auto payload = status.GetPayload(kMassDesyncPayload);  // absl::optional
  if (!payload) return std::nullopt;
  std::vector<std::string> parts =
      absl::StrSplit(std::string(*payload), ' ', absl::SkipEmpty());
  MassDesyncInfo info;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[0], &info.desync_count) ||
      !absl::SimpleAtoi(parts[1], &info.synced_learners) ||
      !absl::SimpleAtod(parts[2], &info.max_percent)) {
    return std::nullopt;
  }
  return info;
}

// FAILED_PRECONDITION naming the count and share, with the payload.
absl::Status MassDesyncRefusal(const std::string& session_id,
                               const MassDesyncInfo& info, int64_t confirmed) {
  const double share = info.synced_learners > 0
                           ? 100.0 * static_cast<double>(info.desync_count) /
                                 static_cast<double>(info.synced_learners)
                           : 100.0;
  std::string message = absl::StrFormat(
      "session %s would desync %d of the school's %d synced learners (%.1f%%, "
      "more than the %g%% allowed); a truncated or wrong MIS export looks like "
      "this. Check the export, or confirm by saving with "
      "confirm_desync_count = %d",
      session_id, info.desync_count, info.synced_learners, share,
      info.max_percent, info.desync_count);
  if (confirmed != 0) {
    absl::StrAppend(&message, " (the confirmation given was for ", confirmed,
                    ", not ", info.desync_count, ")");
  }
  absl::Status status = absl::FailedPreconditionError(message);
  status.SetPayload(
      kMassDesyncPayload,
      absl::Cord(absl::StrCat(info.desync_count, " ", info.synced_learners, " ",
                              info.max_percent)));
  return status;
}

}  // namespace hubsync
