// The unreviewed May match guard (docs/SYNC.md, "Reviewed rows"): a May
// match row is the classifier's guess, and a save links and overwrites the
// hub learner from it. Save refuses while any May match row is not marked
// reviewed, unless the caller says the admin saw them (allow_unreviewed).
// The refusal carries the rows as a status payload, which the service turns
// into trailing metadata for clients to list.
#ifndef HUBSYNC_SERVER_SESSION_UNREVIEWED_H_
#define HUBSYNC_SERVER_SESSION_UNREVIEWED_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/types.h"
#include "server/session/row_context.h"

namespace hubsync {

// The payload type URL of the refusal; ParseUnreviewed reads it.
inline constexpr char kUnreviewedPayload[] = "hubsync/unreviewed";

// At most this many rows are listed in the refusal's payload, and fewer
// once their ids and names pass kMaxUnreviewedListedBytes (gRPC metadata is
// small); `count` is always the whole number.
inline constexpr size_t kMaxUnreviewedListed = 20;
inline constexpr size_t kMaxUnreviewedListedBytes = 2048;

struct UnreviewedRowInfo {
  int64_t row_id = 0;
  std::string learner_id;
  std::string mis_id;
  std::string hub_name;  // "Forename Surname"
  std::string mis_name;
};

struct UnreviewedInfo {
  int64_t count = 0;
  std::vector<UnreviewedRowInfo> rows;  // the first ones, in row order
};

// The session's unreviewed May match rows: the count, and the first ones
// with their names from `context`.
UnreviewedInfo FindUnreviewed(const std::vector<Row>& rows,
                              const RowContext& context);

// FAILED_PRECONDITION naming the count and the first few rows by name,
// with the payload.
absl::Status UnreviewedRefusal(const std::string& session_id,
                               const UnreviewedInfo& info);

// Reads the refusal's payload from a status; nullopt when it has none.
std::optional<UnreviewedInfo> ParseUnreviewed(const absl::Status& status);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_UNREVIEWED_H_
