// The database file itself: pragmas, migrations, reopening, and the RAII
// wrappers' error mapping and rollback.
#include "server/storage/schema.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/sqlite.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

using storage::Db;
using storage::Statement;
using storage::Transaction;
using ::testing::HasSubstr;

int64_t QueryInt(const std::string& path, const char* sql) {
  absl::StatusOr<Db> db = Db::Open(path);
  EXPECT_THAT(db, IsOk());
  absl::StatusOr<int64_t> v = db->QueryInt(sql);
  EXPECT_THAT(v, IsOk());
  return v.value_or(-1);
}

TEST(SchemaTest, NewFileIsMigratedToLatestVersion) {
  auto t = NewStore();
  const int latest = static_cast<int>(storage::Migrations().size());
  EXPECT_EQ(t->store->SchemaVersion(), latest);
  EXPECT_EQ(QueryInt(t->path, "PRAGMA user_version"), latest);
}

// A file of schema version 1 holds audit JSON; after migrating to version 2
// ListAudit gives those rows back unchanged.
TEST(SchemaTest, Version1AuditJsonReadsBackAfterMigrating) {
  TempDir dir;
  const std::string path = dir.File("hub.db");
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(path));
    HUBSYNC_ASSERT_OK_AND_ASSIGN(int version, storage::MigrateTo(&db, 1));
    ASSERT_EQ(version, 1);
    ASSERT_THAT(
        db.Exec("INSERT INTO schools (id, name, create_time) "
                "VALUES ('sch_1', 'Oak', 0);"
                "INSERT INTO audit_log (school_id, session_id, actor, "
                "verb, learner_id, before_json, after_json, time) "
                "VALUES ('sch_1', 'ses_1', 'me', 'link', 'lrn_1', "
                "'{\"id\":\"lrn_1\"}', '{\"id\":\"lrn_1\",\"x\":1}', 5)"),
        IsOk());
  }
  FakeClock clock;
  SequentialIds ids;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                               Store::Open(path, &clock, &ids));
  EXPECT_EQ(store->SchemaVersion(),
            static_cast<int>(storage::Migrations().size()));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               store->ListAudit("sch_1"));
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor.name, "me");  // a name of that time; no key
  EXPECT_EQ(audit[0].actor.key_id, "");
  EXPECT_EQ(audit[0].before_json, "{\"id\":\"lrn_1\"}");
  EXPECT_EQ(audit[0].after_json, "{\"id\":\"lrn_1\",\"x\":1}");
}

// Version 6 rebuilds hub_learners (its sync_state CHECK as comparisons): a
// version 5 file keeps every learner, rowid and membership, the memberships'
// foreign keys still hold, and the CHECK still refuses an unknown state.
TEST(SchemaTest, Version6KeepsLearnersAndMembershipsAndTheStateCheck) {
  TempDir dir;
  const std::string path = dir.File("hub.db");
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(path));
    ASSERT_THAT(storage::MigrateTo(&db, 5), IsOkAndHolds(5));
    ASSERT_THAT(
        db.Exec(
            "INSERT INTO schools (id, name, create_time) VALUES ('sch_1', "
            "'Oak', 0);"
            "INSERT INTO hub_classes (id, school_id, mis_id, name, kind) "
            "VALUES ('cls_1', 'sch_1', 'c1', '7A', 'registration');"
            "INSERT INTO hub_learners (rowid, id, school_id, legal_forename, "
            "legal_surname, mis_id, sync_state, update_time) VALUES "
            "(7, 'lrn_a', 'sch_1', 'Amelia', 'Jones', 'm1', 'SYNCED', 1),"
            "(9, 'lrn_b', 'sch_1', 'Oliver', 'Brown', NULL, 'UNSYNCED', 2);"
            "INSERT INTO hub_class_members (learner_id, class_id) "
            "VALUES ('lrn_a', 'cls_1');"),
        IsOk());
  }
  FakeClock clock;
  SequentialIds ids;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                               Store::Open(path, &clock, &ids));
  const int latest = static_cast<int>(storage::Migrations().size());
  EXPECT_EQ(store->SchemaVersion(), latest);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner a, store->GetLearner("lrn_a"));
  EXPECT_EQ(a.legal_surname, "Jones");
  EXPECT_EQ(a.mis_id, "m1");
  EXPECT_EQ(a.registration_group, "");
  EXPECT_EQ(a.sync_state, SyncState::kSynced);
  store.reset();

  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(path));
  ASSERT_THAT(storage::ConfigureAndMigrate(&db), IsOkAndHolds(latest));
  EXPECT_THAT(db.QueryInt("PRAGMA foreign_keys"), IsOkAndHolds(1));
  EXPECT_THAT(db.QueryInt("SELECT rowid FROM hub_learners WHERE id = 'lrn_b'"),
              IsOkAndHolds(9));
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM hub_class_members"),
              IsOkAndHolds(1));
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM pragma_foreign_key_check"),
              IsOkAndHolds(0));
  EXPECT_THAT(
      db.QueryInt(
          "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
          "AND tbl_name = 'hub_learners' AND name LIKE 'hub_learners_by_%'"),
      IsOkAndHolds(3));
  EXPECT_THAT(
      db.Exec("UPDATE hub_learners SET sync_state = 'LOST' WHERE id = 'lrn_a'"),
      StatusIs(absl::StatusCode::kInvalidArgument));
  // A membership of a learner that does not exist is still refused.
  EXPECT_THAT(db.Exec("INSERT INTO hub_class_members (learner_id, class_id) "
                      "VALUES ('lrn_nobody', 'cls_1')"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Version 7 stores each distinct explanation of a session once: the rows
// of a version 6 file keep their explanations (rows that read alike share
// one, which reads back the same), rows with none keep none, and another
// session's rows are not mixed in.
TEST(SchemaTest, Version7KeepsEveryRowsExplanation) {
  TempDir dir;
  const std::string path = dir.File("hub.db");
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(path));
    ASSERT_THAT(storage::MigrateTo(&db, 6), IsOkAndHolds(6));
    std::string sessions;
    for (const char* id : {"ses_1", "ses_2"}) {
      absl::StrAppend(
          &sessions,
          "INSERT INTO sessions (id, school_id, snapshot_id, admin, step, "
          "version, scope_kind, scope_values, sync_emails, hub_version, "
          "create_time, update_time, class_sync_created, class_sync_updated, "
          "class_sync_unchanged, save_request_id, save_linked, save_refreshed, "
          "save_imported, save_desynced, save_unaffected, save_emails_queued, "
          "save_audit_records) VALUES ('",
          id,
          "', 'sch_1', 'snap_1', 'me', 'SYNC_SCREEN', 2, 'all', '', 0, 0, 0, "
          "0, "
          "0, 0, 0, '', 0, 0, 0, 0, 0, 0, 0);");
    }
    ASSERT_THAT(
        db.Exec(absl::StrCat(
            "INSERT INTO schools (id, name, create_time) VALUES ('sch_1', "
            "'Oak', 0);"
            "INSERT INTO mis_snapshots (id, school_id, format, "
            "oneroster_version, "
            "create_time) VALUES ('snap_1', 'sch_1', 'oneroster', '1.1', 0);",
            sessions,
            "INSERT INTO session_rows (session_id, row_id, status, "
            "hub_learner_id, "
            "mis_id, import, sync_email, decided_by_admin, score, reason, "
            "fields) "
            "VALUES "
            "('ses_1', 1, 'synced', 'lrn_a', 'm1', 0, 0, 0, 14.5, 'Same "
            "names.', "
            "'forename\texact\t7\nsurname\texact\t7.5\n'),"
            "('ses_1', 2, 'new', '', 'm2', 1, 0, 0, 0, '', ''),"
            "('ses_1', 3, 'synced', 'lrn_b', 'm3', 0, 1, 0, 14.5, 'Same "
            "names.', "
            "'forename\texact\t7\nsurname\texact\t7.5\n'),"
            "('ses_1', 4, 'may_match', 'lrn_c', 'm4', 0, 0, 1, 3.25, 'Check.', "
            "'forename\ttypo\t3.25\n'),"
            "('ses_2', 1, 'synced', 'lrn_d', 'm9', 0, 0, 0, 14.5, 'Same "
            "names.', "
            "'forename\texact\t7\nsurname\texact\t7.5\n');")),
        IsOk());
  }
  FakeClock clock;
  SequentialIds ids;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                               Store::Open(path, &clock, &ids));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows, store->LoadRows("ses_1"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].explanation.reason(), "Same names.");
  EXPECT_EQ(rows[0].explanation.score(), 14.5);
  ASSERT_EQ(rows[0].explanation.fields().size(), 2u);
  EXPECT_EQ(rows[0].explanation.fields()[1].field, "surname");
  EXPECT_EQ(rows[0].explanation.fields()[1].weight, 7.5);
  EXPECT_EQ(rows[2].explanation.evidence(), rows[0].explanation.evidence());
  EXPECT_TRUE(rows[1].explanation.empty());
  EXPECT_TRUE(rows[1].import);
  EXPECT_EQ(rows[3].explanation.reason(), "Check.");
  EXPECT_EQ(rows[3].explanation.fields()[0].level, "typo");
  EXPECT_TRUE(rows[3].decided_by_admin);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> other,
                               store->LoadRows("ses_2"));
  ASSERT_EQ(other.size(), 1u);
  EXPECT_EQ(other[0].hub_learner_id, "lrn_d");
  EXPECT_EQ(other[0].explanation.reason(), "Same names.");
  store.reset();

  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(path));
  EXPECT_THAT(
      db.QueryInt(
          "SELECT count(*) FROM session_evidence WHERE session_id = 'ses_1'"),
      IsOkAndHolds(2));
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM session_row_chunks"),
              IsOkAndHolds(2));
  EXPECT_THAT(
      db.QueryInt(
          "SELECT count(*) FROM sqlite_schema WHERE name = 'session_rows'"),
      IsOkAndHolds(0));
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM pragma_foreign_key_check"),
              IsOkAndHolds(0));
}

TEST(SchemaTest, WalModeAndForeignKeysAreOn) {
  TempDir dir;
  const std::string path = dir.File("hub.db");
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(path));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(int version, storage::ConfigureAndMigrate(&db));
  EXPECT_GE(version, 1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::string mode,
                               db.QueryText("PRAGMA journal_mode"));
  EXPECT_EQ(mode, "wal");
  EXPECT_THAT(db.QueryInt("PRAGMA foreign_keys"), IsOkAndHolds(1));
  EXPECT_THAT(db.QueryInt("PRAGMA synchronous"), IsOkAndHolds(1));
  EXPECT_THAT(db.QueryInt("PRAGMA busy_timeout"), IsOkAndHolds(5000));
  // Foreign keys are enforced, not just declared.
  EXPECT_THAT(
      db.Exec("INSERT INTO hub_learners (id, school_id, "
              "legal_forename, legal_surname, sync_state, update_time) "
              "VALUES ('lrn_x', 'sch_missing', 'A', 'B', 'UNSYNCED', 0)"),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("FOREIGN KEY")));
  // The journal mode is stored in the file: a plain connection sees WAL too.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db plain, Db::Open(path));
  EXPECT_THAT(plain.QueryText("PRAGMA journal_mode"),
              IsOkAndHolds(std::string("wal")));
}

TEST(SchemaTest, ReopenKeepsDataAndDoesNotReapplyMigrations) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  const int version = t->store->SchemaVersion();
  t->Reopen();  // a second CREATE TABLE would fail the open
  EXPECT_EQ(t->store->SchemaVersion(), version);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School again, t->store->GetSchool(school.id));
  EXPECT_EQ(again.name, "Oak");
}

TEST(SchemaTest, PartlyMigratedFileIsUpgraded) {
  TempDir dir;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(dir.File("hub.db")));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(int at, storage::MigrateTo(&db, 0));
  EXPECT_EQ(at, 0);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(int now, storage::ConfigureAndMigrate(&db));
  EXPECT_EQ(now, static_cast<int>(storage::Migrations().size()));
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM schools"), IsOkAndHolds(0));
}

TEST(SchemaTest, FileFromANewerServerIsRefused) {
  TempDir dir;
  FakeClock clock;
  SequentialIds ids;
  const std::string path = dir.File("hub.db");
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(path));
    ASSERT_THAT(db.Exec("PRAGMA user_version = 999"), IsOk());
  }
  EXPECT_THAT(Store::Open(path, &clock, &ids),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("schema version 999 is newer")));
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(dir.File("t.db")));
  ASSERT_THAT(db.Exec("CREATE TABLE t (x INTEGER PRIMARY KEY)"), IsOk());
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(&db));
    ASSERT_THAT(db.Exec("INSERT INTO t VALUES (1)"), IsOk());
  }  // dropped: rolled back
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM t"), IsOkAndHolds(0));
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(&db));
    ASSERT_THAT(db.Exec("INSERT INTO t VALUES (2)"), IsOk());
    ASSERT_THAT(txn.Commit(), IsOk());
  }
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM t"), IsOkAndHolds(1));
}

TEST(SqliteTest, StatementIsReusableAndMapsConstraintErrors) {
  TempDir dir;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db db, Db::Open(dir.File("t.db")));
  ASSERT_THAT(db.Exec("CREATE TABLE t (x INTEGER PRIMARY KEY, y TEXT NOT "
                      "NULL)"),
              IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Statement st,
                               db.Prepare("INSERT INTO t VALUES (?, ?)"));
  ASSERT_THAT(st.Reset().Bind(1, 1).Bind(2, "a").Run(), IsOk());
  ASSERT_THAT(st.Reset().Bind(1, 2).Bind(2, "b").Run(), IsOk());
  EXPECT_THAT(
      st.Reset().Bind(1, 1).Bind(2, "c").Run(),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("UNIQUE")));
  EXPECT_THAT(
      st.Reset().Bind(1, 3).BindNull(2).Run(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("NOT NULL")));
  EXPECT_THAT(st.Reset().Bind(7, 1).Run(),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("bind")));
  EXPECT_THAT(db.Prepare("SELEC nonsense"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("syntax")));
  EXPECT_THAT(db.QueryInt("SELECT count(*) FROM t"), IsOkAndHolds(2));
}

TEST(SqliteTest, BusyDatabaseIsUnavailable) {
  TempDir dir;
  const std::string path = dir.File("t.db");
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db a, Db::Open(path));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Db b, Db::Open(path));
  ASSERT_THAT(a.Exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x)"), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Transaction holding, Transaction::Begin(&a));
  // b has no busy_timeout, so it fails at once instead of waiting.
  EXPECT_THAT(Transaction::Begin(&b), StatusIs(absl::StatusCode::kUnavailable,
                                               "database is busy, retry"));
}

}  // namespace
}  // namespace hubsync::testing
