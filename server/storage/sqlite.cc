#include "server/storage/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"

namespace hubsync::storage {

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context) {
  const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError("database is busy, retry");
    case SQLITE_CONSTRAINT:
      switch (rc) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return absl::FailedPreconditionError(
              absl::StrCat(context, ": ", msg));
        default:
          return absl::InvalidArgumentError(absl::StrCat(context, ": ", msg));
      }
    default:
      return absl::InternalError(absl::StrCat("sqlite: ", context, ": ", msg));
  }
}

// ---- Db ----

namespace {

// Before SQLite opens `path` read-write: refuses a directory and creates a
// missing file mode 0600 (SQLite would create it 0644 less the umask). SQLite
// creates -wal and -shm with the main file's permissions, so they are 0600
// too.
absl::Status PrepareFile(const std::string& path) {
  if (path.empty() || path == ":memory:") return absl::OkStatus();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot open database ", path, ": ", strerror(errno)));
    }
    const int fd =
        open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot create database ", path, ": ", strerror(errno)));
    }
    if (fd >= 0) close(fd);
    return absl::OkStatus();
  }
  if (S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open database ", path, ": it is a directory"));
  }
  return absl::OkStatus();
}

// Takes group and other permissions off the database, -wal and -shm files
// of ours (as earlier builds of hubsyncd left them). A chmod that fails (a
// file system without Unix permissions) is not an error.
void MakeOwnerOnly(const std::string& path) {
  if (path.empty() || path == ":memory:") return;
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat st;
    if (stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid() && (st.st_mode & 077) != 0) {
      (void)chmod(file.c_str(), st.st_mode & 0700);
    }
  }
}

// An open that failed, or a file that is not a database: FAILED_PRECONDITION
// naming the file and, for an open, the system's reason.
absl::Status OpenError(sqlite3* db, int rc, const std::string& path) {
  switch (rc & 0xff) {
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_PERM:
    case SQLITE_READONLY: {
      std::string message =
          absl::StrCat("cannot open database ", path, ": ",
                       db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
      const int err = db != nullptr ? sqlite3_system_errno(db) : 0;
      if (err != 0 && (rc & 0xff) != SQLITE_NOTADB) {
        absl::StrAppend(&message, " (", strerror(err), ")");
      }
      return absl::FailedPreconditionError(message);
    }
    default:
      return SqliteError(db, rc, absl::StrCat("open ", path));
  }
}

}  // namespace

absl::StatusOr<Db> Db::Open(const std::string& path) {
  // Before SQLite's first use in the process: no memory statistics, which
  // otherwise take a global mutex on every allocation (a 100,000-learner
  // save makes millions). Fails harmlessly if SQLite is already initialised.
  static std::once_flag configured;
  std::call_once(configured,
                 [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  if (absl::Status prepared = PrepareFile(path); !prepared.ok()) {
    return prepared;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  Db db(raw);  // closes `raw` on every path, even when open failed
  if (rc != SQLITE_OK) return OpenError(raw, rc, path);
  sqlite3_extended_result_codes(raw, 1);
  // SQLite reads the file on first use: read its header now, so that a file
  // that is not a database is refused by name here. (Waiting as the Store
  // would for a lock; the connection is left without a busy timeout.)
  sqlite3_busy_timeout(raw, 5000);
  rc = sqlite3_exec(raw, "PRAGMA schema_version", nullptr, nullptr, nullptr);
  sqlite3_busy_timeout(raw, 0);
  if (rc != SQLITE_OK) return OpenError(raw, rc, path);
  MakeOwnerOnly(path);
  return db;
}

absl::StatusOr<Db> Db::OpenReader(const Db& db, int busy_timeout_ms) {
  const char* file = sqlite3_db_filename(db.db_, "main");
  if (file == nullptr || *file == '\0') {
    return absl::FailedPreconditionError(
        "the database has no file (in memory or temporary): no second "
        "connection can see it");
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(file, &raw,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Db reader(raw);
  if (rc != SQLITE_OK) {
    return SqliteError(raw, rc, absl::StrCat("open ", file, " to read"));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return reader;
}

Db::Db(Db&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

absl::Status Db::Exec(absl::string_view sql) {
  std::string copy(sql);
  int rc = sqlite3_exec(db_, copy.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "exec");
  return absl::OkStatus();
}

absl::StatusOr<Statement> Db::Prepare(absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()),
                              &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db_, rc, absl::StrCat("prepare \"", sql, "\""));
  }
  return Statement(db_, stmt);
}

absl::StatusOr<int64_t> Db::QueryInt(absl::string_view sql,
                                     std::optional<absl::string_view> param) {
  absl::StatusOr<Statement> st = Prepare(sql);
  if (!st.ok()) return st.status();
  if (param.has_value()) st->Bind(1, *param);
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("no result: ", sql));
  return st->Int(0);
}

absl::StatusOr<std::string> Db::QueryText(absl::string_view sql) {
  absl::StatusOr<Statement> st = Prepare(sql);
  if (!st.ok()) return st.status();
  absl::StatusOr<bool> row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("no result: ", sql));
  return st->Text(0);
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(std::move(other.bind_error_)),
      clean_(other.clean_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = std::move(other.bind_error_);
    clean_ = other.clean_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::Check(int rc, int index) {
  clean_ = false;  // every Bind* comes through here
  if (rc != SQLITE_OK && bind_error_.ok()) {
    bind_error_ = SqliteError(db_, rc, absl::StrCat("bind parameter ", index));
  }
}

Statement& Statement::Bind(int index, absl::string_view text) {
  Check(sqlite3_bind_text(stmt_, index, text.data(),
                          static_cast<int>(text.size()), SQLITE_TRANSIENT),
        index);
  return *this;
}

Statement& Statement::BindRef(int index, const std::string& text) {
  Check(sqlite3_bind_text(stmt_, index, text.data(),
                          static_cast<int>(text.size()), SQLITE_STATIC),
        index);
  return *this;
}

Statement& Statement::BindStatic(int index, absl::string_view text) {
  Check(sqlite3_bind_text(stmt_, index, text.data(),
                          static_cast<int>(text.size()), SQLITE_STATIC),
        index);
  return *this;
}

Statement& Statement::Bind(int index, int64_t value) {
  Check(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  Check(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  Check(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::BindOptional(int index, absl::string_view text) {
  return text.empty() ? BindNull(index) : Bind(index, text);
}

absl::StatusOr<bool> Statement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  clean_ = false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status error = SqliteError(db_, rc, sqlite3_sql(stmt_));
  sqlite3_reset(stmt_);
  return error;
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
  }
  Reset();
  return absl::OkStatus();
}

Statement& Statement::Reset() {
  if (clean_) return *this;  // bind_error_ is OK too: only a Bind sets it
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = absl::OkStatus();
  clean_ = true;
  return *this;
}

std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     sqlite3_column_bytes(stmt_, column));
}

int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::Double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Transaction ----

absl::StatusOr<Transaction> Transaction::Begin(Db* db) {
  // IMMEDIATE takes the write lock now, so a busy database fails here (after
  // busy_timeout) rather than half-way through the work.
  if (absl::Status s = db->Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  return Transaction(db);
}

absl::StatusOr<Transaction> Transaction::BeginRead(Db* db) {
  if (absl::Status s = db->Exec("BEGIN DEFERRED"); !s.ok()) return s;
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  if (open_) {
    // Best effort: a failed ROLLBACK leaves nothing more we can do here, and
    // SQLite rolls back an unfinished transaction when the connection closes.
    (void)db_->Exec("ROLLBACK");
  }
}

absl::Status Transaction::Commit() {
  absl::Status s = db_->Exec("COMMIT");
  if (s.ok()) open_ = false;
  return s;
}

}  // namespace hubsync::storage
