// Store::Open, schools, hub versions, and the outbox read (the audit trail
// is in audit.cc).
#include "server/storage/sqlite_store.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/page_keys.h"
#include "server/storage/schema.h"
#include "server/storage/status_macros.h"

namespace hubsync {

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   Clock* clock,
                                                   IdGenerator* ids) {
  STORE_ASSIGN_OR_RETURN(storage::Db db, storage::Db::Open(path));
  STORE_ASSIGN_OR_RETURN(int version, storage::ConfigureAndMigrate(&db));
  return std::make_unique<storage::SqliteStore>(std::move(db), version, clock,
                                                ids);
}

namespace storage {
namespace {

constexpr absl::string_view kSchoolColumns =
    "id, name, create_time, classes_synced_time";

School ReadSchool(const Statement& st) {
  School s;
  s.id = st.Text(0);
  s.name = st.Text(1);
  s.create_time_unix = st.Int(2);
  s.classes_synced_time_unix = st.Int(3);
  return s;
}

}  // namespace

absl::StatusOr<School> SqliteStore::CreateSchool(const std::string& name,
                                                 const Actor& actor) {
  if (name.empty())
    return absl::InvalidArgumentError("school name is required");
  std::lock_guard<std::mutex> lock(mu_);
  School s;
  s.id = ids_->NewId("sch");
  s.name = name;
  s.create_time_unix = clock_->NowUnixSeconds();
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(
          "INSERT INTO schools (id, name, create_time) VALUES (?,?,?)"));
  st.Bind(1, s.id).Bind(2, s.name).Bind(3, s.create_time_unix);
  STORE_RETURN_IF_ERROR(st.Run());
  AuditRecord audit;
  audit.school_id = s.id;
  audit.actor = actor;
  audit.verb = "create_school";
  audit.record_id = s.id;
  audit.after_json = absl::StrCat("{\"school_id\":", JsonString(s.id),
                                  ",\"name\":", JsonString(s.name), "}");
  STORE_RETURN_IF_ERROR(WriteAuditLocked(audit));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return s;
}

Db* SqliteStore::ReaderLocked() {
  if (!reader_.has_value() && !reader_failed_) {
    // SQLite's default page cache (2 MiB): the reader scans a snapshot once,
    // and a bigger cache would stay allocated at the server's memory peak.
    absl::StatusOr<Db> db = Db::OpenReader(db_, /*busy_timeout_ms=*/5000);
    if (db.ok()) {
      reader_.emplace(*std::move(db));
    } else {
      reader_failed_ = true;  // reads stay on db_, one after the other
    }
  }
  return reader_.has_value() ? &*reader_ : nullptr;
}

absl::StatusOr<School> SqliteStore::GetSchool(const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return GetSchoolLocked(school_id);
}

absl::StatusOr<School> SqliteStore::GetSchoolLocked(
    const std::string& school_id) {
  STORE_ASSIGN_OR_RETURN(
      Statement st, db_.Prepare(absl::StrCat("SELECT ", kSchoolColumns,
                                             " FROM schools WHERE id = ?")));
  st.Bind(1, school_id);
  STORE_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat("school ", school_id, " not found"));
  }
  return ReadSchool(st);
}

absl::StatusOr<std::vector<School>> SqliteStore::ListSchools() {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Statement st, db_.Prepare(absl::StrCat(
                                           "SELECT ", kSchoolColumns,
                                           " FROM schools ORDER BY name, id")));
  std::vector<School> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadSchool(st));
  }
  return out;
}

absl::StatusOr<int64_t> SqliteStore::HubVersion(const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return HubVersionLocked(school_id);
}

absl::StatusOr<int64_t> SqliteStore::HubVersionLocked(
    const std::string& school_id) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT hub_version FROM schools WHERE id = ?"));
  st.Bind(1, school_id);
  STORE_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) {
    return absl::NotFoundError(
        absl::StrCat("school ", school_id, " not found"));
  }
  return st.Int(0);
}

absl::Status SqliteStore::BumpHubVersionLocked(const std::string& school_id) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(
          "UPDATE schools SET hub_version = hub_version + 1 WHERE id = ?"));
  st.Bind(1, school_id);
  return st.Run();
}

}  // namespace storage
}  // namespace hubsync
