// The database schema as an ordered list of migrations. Version N of the
// schema is migrations 1..N applied in order; the version a file is at is
// kept in PRAGMA user_version (0 for a new file).
#ifndef HUBSYNC_SERVER_STORAGE_SCHEMA_H_
#define HUBSYNC_SERVER_STORAGE_SCHEMA_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/storage/sqlite.h"

namespace hubsync::storage {

// The SQL of each migration; migration i (1-based) is element i-1.
const std::vector<absl::string_view>& Migrations();

// Sets the connection pragmas (WAL, foreign keys, synchronous, busy
// timeout), then applies the migrations the file lacks, each in its own
// transaction together with its user_version bump. Returns the resulting
// version. FAILED_PRECONDITION if the file is newer than this code.
absl::StatusOr<int> ConfigureAndMigrate(Db* db);

// Applies migrations up to `target` only (tests of upgrades use this).
absl::StatusOr<int> MigrateTo(Db* db, int target);

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_SCHEMA_H_
