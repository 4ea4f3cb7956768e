// Thin RAII wrappers over the SQLite C API: a connection (Db), a prepared
// statement (Statement) and a write transaction (Transaction). Errors come
// back as absl::Status:
//   SQLITE_BUSY / SQLITE_LOCKED     -> UNAVAILABLE "database is busy, retry"
//   UNIQUE / PRIMARY KEY / FOREIGN KEY violations -> FAILED_PRECONDITION
//     (a conflict with what is stored: the Store contract's code for state
//     conflicts; the Store checks the common cases first to name the id)
//   other constraint violations (NOT NULL, CHECK) -> INVALID_ARGUMENT
//   anything else                   -> INTERNAL with sqlite3_errmsg
// None of these types is thread-safe; the Store serialises access.
#ifndef HUBSYNC_SERVER_STORAGE_SQLITE_H_
#define HUBSYNC_SERVER_STORAGE_SQLITE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3;
struct sqlite3_stmt;

namespace hubsync::storage {

// Maps an SQLite result code (with the connection's message) to a Status.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context);

class Statement;

class Db {
 public:
  // Opens (creating if needed, mode 0600) a read-write connection. An
  // existing database, -wal or -shm file of this user's that others may
  // read is made 0600 first. FAILED_PRECONDITION naming the file if it is a
  // directory, cannot be created or opened (with the system's reason), or is
  // not a database.
  static absl::StatusOr<Db> Open(const std::string& path);
  // Opens a read-only connection to the database `db` has open (its main
  // file), waiting up to busy_timeout_ms for locks.
  static absl::StatusOr<Db> OpenReader(const Db& db, int busy_timeout_ms);
  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more statements that return no rows of interest.
  absl::Status Exec(absl::string_view sql);
  absl::StatusOr<Statement> Prepare(absl::string_view sql);
  // Runs a query returning one integer (e.g. "PRAGMA user_version").
  // `param`, when given, is bound to the query's one parameter.
  absl::StatusOr<int64_t> QueryInt(
      absl::string_view sql,
      std::optional<absl::string_view> param = std::nullopt);
  // Runs a query returning one text value (e.g. "PRAGMA journal_mode").
  absl::StatusOr<std::string> QueryText(absl::string_view sql);
  int64_t LastInsertRowId() const;
  int64_t Changes() const;  // rows changed by the last statement

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// A prepared statement. Bind* use 1-based parameter indexes; a bind error is
// remembered and returned by the next Step/Run. Reset() before re-binding.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, absl::string_view text);
  Statement& Bind(int index, const char* text) {
    return Bind(index, absl::string_view(text));
  }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) {
    return Bind(index, static_cast<int64_t>(value));
  }
  Statement& Bind(int index, bool value) {
    return Bind(index, static_cast<int64_t>(value ? 1 : 0));
  }
  Statement& Bind(int index, double value);
  // Binds without copying: `text` must stay unchanged until the statement
  // is reset or bound again (a temporary does not compile).
  Statement& BindRef(int index, const std::string& text);
  Statement& BindRef(int index, std::string&& text) = delete;
  // Binds text of static storage (a constant such as ToText's names) without
  // copying it.
  Statement& BindStatic(int index, absl::string_view text);
  Statement& BindNull(int index);
  // Empty text binds NULL (optional columns such as mis_id).
  Statement& BindOptional(int index, absl::string_view text);

  // true: a row is ready for the column accessors; false: done.
  absl::StatusOr<bool> Step();
  // Steps to completion, then resets so the statement can be reused.
  absl::Status Run();
  // Resets the statement and clears its bindings.
  Statement& Reset();

  std::string Text(int column) const;  // NULL reads as ""
  int64_t Int(int column) const;
  double Double(int column) const;
  bool IsNull(int column) const;

 private:
  friend class Db;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void Check(int rc, int index);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  absl::Status bind_error_;
  // Reset with no bindings since (as prepared, or after Run): Reset() then
  // has nothing to do. Run() followed by Reset() and new bindings is the
  // usual round, once per row of a big save.
  bool clean_ = true;
};

// BEGIN IMMEDIATE on construction (see Begin); rolls back on destruction
// unless Commit() succeeded.
class Transaction {
 public:
  static absl::StatusOr<Transaction> Begin(Db* db);
  // BEGIN DEFERRED: a consistent snapshot for reads spanning statements.
  static absl::StatusOr<Transaction> BeginRead(Db* db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  absl::Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
  bool open_ = true;
};

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_SQLITE_H_
