// API keys and the owner lookup used by the authoriser (server/auth).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync {

const char* RoleName(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
    case Role::kService:
      return "service";
    case Role::kViewer:
      return "viewer";
    case Role::kProduct:
      return "product";
  }
  return "viewer";
}

bool ParseRole(const std::string& name, Role* role) {
  for (Role r : {Role::kOperator, Role::kAdmin, Role::kService, Role::kViewer,
                 Role::kProduct}) {
    if (name == RoleName(r)) {
      *role = r;
      return true;
    }
  }
  return false;
}

namespace storage {
namespace {

constexpr absl::string_view kKeyColumns =
    "id, school_id, role, label, secret_hash, create_time, created_by, "
    "revoke_time";

ApiKeyRecord ReadKey(const Statement& st) {
  ApiKeyRecord k;
  k.id = st.Text(0);
  k.school_id = st.Text(1);
  ParseRole(st.Text(2), &k.role);  // the CHECK constraint keeps it valid
  k.label = st.Text(3);
  k.secret_hash = st.Text(4);
  k.create_time_unix = st.Int(5);
  k.created_by = st.Text(6);
  k.revoke_time_unix = st.Int(7);
  return k;
}

absl::Status KeyNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("key ", id, " not found"));
}

// What the audit trail keeps of a key: never its secret or the hash.
std::string KeyJson(const ApiKeyRecord& k) {
  return absl::StrCat("{\"key_id\":", JsonString(k.id),
                      ",\"school_id\":", JsonString(k.school_id),
                      ",\"role\":", JsonString(RoleName(k.role)),
                      ",\"label\":", JsonString(k.label), ",\"revoked\":",
                      k.revoke_time_unix != 0 ? "true" : "false", "}");
}

}  // namespace

absl::Status SqliteStore::CreateApiKey(const ApiKeyRecord& key,
                                       const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  if (!key.school_id.empty()) {
    STORE_RETURN_IF_ERROR(GetSchoolLocked(key.school_id).status());
  }
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat("INSERT INTO api_keys (", kKeyColumns,
                               ") VALUES (?,?,?,?,?,?,?,?)")));
  st.Bind(1, key.id)
      .BindOptional(2, key.school_id)
      .Bind(3, RoleName(key.role))
      .Bind(4, key.label)
      .Bind(5, key.secret_hash)
      .Bind(6, key.create_time_unix)
      .Bind(7, key.created_by)
      .Bind(8, key.revoke_time_unix);
  STORE_RETURN_IF_ERROR(st.Run());
  if (!key.school_id.empty()) {
    AuditRecord audit;
    audit.school_id = key.school_id;
    audit.actor = actor;
    audit.verb = "create_key";
    audit.record_id = key.id;
    audit.after_json = KeyJson(key);
    STORE_RETURN_IF_ERROR(WriteAuditLocked(audit));
  }
  return txn.Commit();
}

absl::StatusOr<ApiKeyRecord> SqliteStore::GetApiKey(const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(
      Statement st, db_.Prepare(absl::StrCat("SELECT ", kKeyColumns,
                                             " FROM api_keys WHERE id = ?")));
  st.Bind(1, key_id);
  STORE_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return KeyNotFound(key_id);
  return ReadKey(st);
}

absl::StatusOr<std::vector<ApiKeyRecord>> SqliteStore::ListApiKeys(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = absl::StrCat("SELECT ", kKeyColumns, " FROM api_keys");
  if (!school_id.empty()) absl::StrAppend(&sql, " WHERE school_id = ?");
  absl::StrAppend(&sql, " ORDER BY create_time, id");
  STORE_ASSIGN_OR_RETURN(Statement st, db_.Prepare(sql));
  if (!school_id.empty()) st.Bind(1, school_id);
  std::vector<ApiKeyRecord> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadKey(st));
  }
  return out;
}

absl::StatusOr<Page<ApiKeyRecord>> SqliteStore::PageApiKeys(
    const std::string& school_id, const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 2));
  int64_t after_time = 0;
  if (!page.after.empty()) {
    STORE_ASSIGN_OR_RETURN(after_time, PageKeyInt(page.after[0]));
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql =
      absl::StrCat("SELECT ", kKeyColumns,
                   " FROM api_keys WHERE (?1 = '' OR school_id = ?1)");
  if (!page.after.empty()) {
    absl::StrAppend(&sql, " AND (create_time, id) > (?3, ?4)");
  }
  absl::StrAppend(&sql, " ORDER BY create_time, id LIMIT ?2");
  STORE_ASSIGN_OR_RETURN(Statement st, db_.Prepare(sql));
  st.BindRef(1, school_id).Bind(2, static_cast<int64_t>(page.size + 1));
  if (!page.after.empty()) st.Bind(3, after_time).BindRef(4, page.after[1]);
  Page<ApiKeyRecord> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      const ApiKeyRecord& last = out.items.back();
      out.next = {absl::StrCat(last.create_time_unix), last.id};
      break;
    }
    out.items.push_back(ReadKey(st));
  }
  return out;
}

absl::StatusOr<ApiKeyRecord> SqliteStore::RevokeApiKey(
    const std::string& key_id, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_ASSIGN_OR_RETURN(Statement st,
                         db_.Prepare("UPDATE api_keys SET revoke_time = ? "
                                     "WHERE id = ? AND revoke_time = 0"));
  st.Bind(1, clock_->NowUnixSeconds()).Bind(2, key_id);
  STORE_RETURN_IF_ERROR(st.Run());
  const bool revoked_now = db_.Changes() > 0;
  STORE_ASSIGN_OR_RETURN(
      Statement read, db_.Prepare(absl::StrCat("SELECT ", kKeyColumns,
                                               " FROM api_keys WHERE id = ?")));
  read.Bind(1, key_id);
  STORE_ASSIGN_OR_RETURN(bool found, read.Step());
  if (!found) return KeyNotFound(key_id);
  ApiKeyRecord key = ReadKey(read);
  if (revoked_now && !key.school_id.empty()) {
    ApiKeyRecord before = key;
    before.revoke_time_unix = 0;
    AuditRecord audit;
    audit.school_id = key.school_id;
    audit.actor = actor;
    audit.verb = "revoke_key";
    audit.record_id = key.id;
    audit.before_json = KeyJson(before);
    audit.after_json = KeyJson(key);
    STORE_RETURN_IF_ERROR(WriteAuditLocked(audit));
  }
  STORE_RETURN_IF_ERROR(txn.Commit());
  return key;
}

absl::StatusOr<int64_t> SqliteStore::CountActiveOperatorKeys() {
  std::lock_guard<std::mutex> lock(mu_);
  return db_.QueryInt(
      "SELECT COUNT(*) FROM api_keys WHERE role = 'operator' AND revoke_time = "
      "0");
}

absl::StatusOr<std::string> SqliteStore::SchoolOf(Resource kind,
                                                  const std::string& id) {
  const char* table = "schools";
  const char* column = "id";
  const char* noun = "school";
  switch (kind) {
    case Resource::kSchool:
      break;
    case Resource::kLearner:
      table = "hub_learners", column = "school_id", noun = "learner";
      break;
    case Resource::kSnapshot:
      table = "mis_snapshots", column = "school_id", noun = "snapshot";
      break;
    case Resource::kSession:
      table = "sessions", column = "school_id", noun = "session";
      break;
    case Resource::kKey:  // operator keys: NULL, read as ""
      table = "api_keys", column = "school_id", noun = "key";
      break;
    case Resource::kSave:
      table = "saves", column = "school_id", noun = "save";
      break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(
      Statement st, db_.Prepare(absl::StrCat("SELECT ", column, " FROM ", table,
                                             " WHERE id = ?")));
  st.Bind(1, id);
  STORE_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found)
    return absl::NotFoundError(absl::StrCat(noun, " ", id, " not found"));
  return st.Text(0);
}

}  // namespace storage
}  // namespace hubsync
