#include "server/storage/schema.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

// Migration 1: the whole first schema. Enums are stored as readable text;
// optional ids (mis_id) as NULL so the partial unique indexes ignore them.
constexpr absl::string_view kV1 = R"sql(
CREATE TABLE schools (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  classes_synced_time INTEGER NOT NULL DEFAULT 0,
  hub_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hub_classes (
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  mis_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('registration', 'subject')),
  year_group TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX hub_classes_by_mis_id ON hub_classes(school_id, mis_id)
  WHERE mis_id IS NOT NULL;
CREATE INDEX hub_classes_by_name ON hub_classes(school_id, name);

CREATE TABLE hub_learners (
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  legal_forename TEXT NOT NULL,
  legal_surname TEXT NOT NULL,
  preferred_forename TEXT NOT NULL DEFAULT '',
  preferred_surname TEXT NOT NULL DEFAULT '',
  date_of_birth TEXT,
  gender TEXT NOT NULL DEFAULT '',
  upn TEXT NOT NULL DEFAULT '',
  year_group TEXT NOT NULL DEFAULT '',
  registration_group TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  mis_id TEXT,
  sync_state TEXT NOT NULL
    CHECK (sync_state IN ('UNSYNCED', 'SYNCED', 'DESYNCED')),
  update_time INTEGER NOT NULL
);
CREATE UNIQUE INDEX hub_learners_by_mis_id ON hub_learners(school_id, mis_id)
  WHERE mis_id IS NOT NULL;
CREATE INDEX hub_learners_by_name
  ON hub_learners(school_id, legal_surname, legal_forename, id);

CREATE TABLE hub_class_members (
  learner_id TEXT NOT NULL REFERENCES hub_learners(id) ON DELETE CASCADE,
  class_id TEXT NOT NULL REFERENCES hub_classes(id) ON DELETE CASCADE,
  PRIMARY KEY (learner_id, class_id)
) WITHOUT ROWID;
CREATE INDEX hub_class_members_by_class ON hub_class_members(class_id);

CREATE TABLE mis_snapshots (
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  format TEXT NOT NULL,
  oneroster_version TEXT NOT NULL DEFAULT '',
  create_time INTEGER NOT NULL
);
CREATE INDEX mis_snapshots_by_school ON mis_snapshots(school_id, create_time);

CREATE TABLE mis_classes (
  snapshot_id TEXT NOT NULL REFERENCES mis_snapshots(id) ON DELETE CASCADE,
  mis_id TEXT NOT NULL,
  ord INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  year_group TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (snapshot_id, mis_id)
) WITHOUT ROWID;

CREATE TABLE mis_learners (
  snapshot_id TEXT NOT NULL REFERENCES mis_snapshots(id) ON DELETE CASCADE,
  mis_id TEXT NOT NULL,
  ord INTEGER NOT NULL,
  upn TEXT NOT NULL,
  legal_forename TEXT NOT NULL,
  legal_surname TEXT NOT NULL,
  preferred_forename TEXT NOT NULL,
  preferred_surname TEXT NOT NULL,
  date_of_birth TEXT,
  gender TEXT NOT NULL,
  year_group TEXT NOT NULL,
  registration_group TEXT NOT NULL,
  registration_group_mis_id TEXT NOT NULL,
  class_mis_ids TEXT NOT NULL,  -- joined with U+001F
  classes TEXT NOT NULL,        -- joined with U+001F, same order
  email TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, mis_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  snapshot_id TEXT NOT NULL REFERENCES mis_snapshots(id),
  admin TEXT NOT NULL,
  step TEXT NOT NULL,
  version INTEGER NOT NULL,
  scope_kind TEXT NOT NULL,
  scope_values TEXT NOT NULL,  -- joined with U+001F
  sync_emails INTEGER NOT NULL,
  hub_version INTEGER NOT NULL,
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  class_sync_created INTEGER NOT NULL,
  class_sync_updated INTEGER NOT NULL,
  class_sync_unchanged INTEGER NOT NULL,
  save_request_id TEXT NOT NULL,
  save_linked INTEGER NOT NULL,
  save_refreshed INTEGER NOT NULL,
  save_imported INTEGER NOT NULL,
  save_desynced INTEGER NOT NULL,
  save_unaffected INTEGER NOT NULL,
  save_emails_queued INTEGER NOT NULL,
  save_audit_records INTEGER NOT NULL
);
CREATE INDEX sessions_by_school ON sessions(school_id, create_time);

CREATE TABLE session_rows (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  row_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  hub_learner_id TEXT NOT NULL,
  mis_id TEXT NOT NULL,
  import INTEGER NOT NULL,
  sync_email INTEGER NOT NULL,
  decided_by_admin INTEGER NOT NULL,
  score REAL NOT NULL,
  reason TEXT NOT NULL,
  fields TEXT NOT NULL,  -- "field\tlevel\tweight" lines
  PRIMARY KEY (session_id, row_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id TEXT NOT NULL REFERENCES schools(id),
  session_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  verb TEXT NOT NULL,
  learner_id TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  time INTEGER NOT NULL
);
CREATE INDEX audit_log_by_school ON audit_log(school_id, id);

CREATE TABLE email_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id TEXT NOT NULL REFERENCES schools(id),
  learner_id TEXT NOT NULL REFERENCES hub_learners(id),
  address TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  create_time INTEGER NOT NULL
);
CREATE INDEX email_outbox_by_school ON email_outbox(school_id, id);
)sql";

// Migration 2: audit records written compactly (codec.h, EncodeAuditLearner
// and EncodeAuditDelta): encoding 0 is the JSON of version 1, encoding 1 the
// learner's fields and the changed fields. ListAudit gives JSON for both.
constexpr absl::string_view kV2 = R"sql(
ALTER TABLE audit_log ADD COLUMN encoding INTEGER NOT NULL DEFAULT 0;
)sql";

// Migration 3: the school's learners in rowid order, for loading a whole
// school front to back (LoadForClassification) instead of through the name
// index, whose order sends every row to a random table page.
constexpr absl::string_view kV3 = R"sql(
CREATE INDEX hub_learners_by_school ON hub_learners(school_id);
)sql";

// Migration 4: API keys (docs/SECURITY.md). Only a hash of each key is kept;
// operator keys have no school (NULL).
constexpr absl::string_view kV4 = R"sql(
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  school_id TEXT REFERENCES schools(id),
  role TEXT NOT NULL CHECK (role IN ('operator', 'admin', 'service', 'viewer')),
  label TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  revoke_time INTEGER NOT NULL DEFAULT 0,
  CHECK ((role = 'operator') = (school_id IS NULL))
);
CREATE INDEX api_keys_by_school ON api_keys(school_id, create_time);
)sql";

// Migration 5: the audit trail names the API key that acted (its id and
// role; `actor` holds its label) and, for classes, keys and schools, the
// record (docs/SECURITY.md, "Audit trail"). Rows from before stay as they
// were: actor is the free-text name of that time, key id and role empty.
constexpr absl::string_view kV5 = R"sql(
ALTER TABLE audit_log ADD COLUMN actor_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN actor_role TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN record_id TEXT NOT NULL DEFAULT '';
)sql";

// Migration 6: hub_learners' sync_state CHECK as three comparisons, the
// same rule. Written as an IN list of three values, SQLite built and filled
// a temporary B-tree for it on every insert and update of a learner: about a
// fifth of the instructions of a big save. A CHECK cannot be altered, so the
// table is rebuilt as SQLite's ALTER TABLE documentation describes (with
// foreign keys off: see MigrateTo), rowids, columns and indexes as before.
constexpr absl::string_view kV6 = R"sql(
CREATE TABLE hub_learners_v6 (
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  legal_forename TEXT NOT NULL,
  legal_surname TEXT NOT NULL,
  preferred_forename TEXT NOT NULL DEFAULT '',
  preferred_surname TEXT NOT NULL DEFAULT '',
  date_of_birth TEXT,
  gender TEXT NOT NULL DEFAULT '',
  upn TEXT NOT NULL DEFAULT '',
  year_group TEXT NOT NULL DEFAULT '',
  registration_group TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  mis_id TEXT,
  sync_state TEXT NOT NULL
    CHECK (sync_state = 'UNSYNCED' OR sync_state = 'SYNCED' OR
           sync_state = 'DESYNCED'),
  update_time INTEGER NOT NULL
);
INSERT INTO hub_learners_v6 (rowid, id, school_id, legal_forename,
  legal_surname, preferred_forename, preferred_surname, date_of_birth, gender,
  upn, year_group, registration_group, email, mis_id, sync_state, update_time)
SELECT rowid, id, school_id, legal_forename, legal_surname, preferred_forename,
  preferred_surname, date_of_birth, gender, upn, year_group,
  registration_group, email, mis_id, sync_state, update_time
FROM hub_learners;
DROP TABLE hub_learners;
ALTER TABLE hub_learners_v6 RENAME TO hub_learners;
CREATE UNIQUE INDEX hub_learners_by_mis_id ON hub_learners(school_id, mis_id)
  WHERE mis_id IS NOT NULL;
CREATE INDEX hub_learners_by_name
  ON hub_learners(school_id, legal_surname, legal_forename, id);
CREATE INDEX hub_learners_by_school ON hub_learners(school_id);
)sql";

// Migration 7: a session's screen stored in chunks, its explanations once
// each. The Classified commit of a big trust wrote a million session_rows,
// each with its explanation as text: seconds of B-tree work and hundreds of
// megabytes while the rows were streaming. Now
// - each distinct explanation of a session (rows that scored alike share
//   one: a hundredth to a fifth of the rows) is a session_evidence row, its
//   reason as the admin reads it (wording included), found again by the
//   FNV-1a hash of its score, reason and fields (SQL has no such hash: rows
//   converted here have 0, and an edit may store their content again);
// - the rows are session_row_chunks, one per 1,024 row ids (chunk = row_id
//   / 1024), each row a line "row_id status flags evidence_id
//   <bytes>:hub_learner_id<bytes>:mis_id" (flags: 1 import, 2 sync_email,
//   4 decided_by_admin; evidence_id 0 for none; the ids length-prefixed in
//   bytes, so that nothing needs escaping). See docs/STORAGE.md.
// Existing rows are converted: each distinct (score, reason, fields) of a
// session becomes one evidence row, numbered from 1 in the order of its
// first row. group_concat keeps the subquery's order here; the reader sorts
// a chunk's lines by row id all the same.
constexpr absl::string_view kV7 = R"sql(
CREATE TABLE session_evidence (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  evidence_id INTEGER NOT NULL CHECK (evidence_id > 0),
  content_hash INTEGER NOT NULL,  -- 0 for rows converted here
  score REAL NOT NULL,
  reason TEXT NOT NULL,
  fields TEXT NOT NULL,  -- "field\tlevel\tweight" lines
  PRIMARY KEY (session_id, evidence_id)
) WITHOUT ROWID;
CREATE INDEX session_evidence_by_hash ON session_evidence(session_id, content_hash);
INSERT INTO session_evidence (session_id, evidence_id, content_hash, score, reason,
  fields)
SELECT session_id,
       ROW_NUMBER() OVER (PARTITION BY session_id ORDER BY MIN(row_id)),
       0, score, reason, fields
FROM session_rows
WHERE NOT (score = 0 AND reason = '' AND fields = '')
GROUP BY session_id, score, reason, fields;
CREATE TABLE session_row_chunks (
  id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  chunk INTEGER NOT NULL,
  row_count INTEGER NOT NULL CHECK (row_count > 0),
  rows TEXT NOT NULL
);
CREATE UNIQUE INDEX session_row_chunks_by_session
  ON session_row_chunks(session_id, chunk);
INSERT INTO session_row_chunks (session_id, chunk, row_count, rows)
SELECT session_id, row_id / 1024, count(*), group_concat(line, '')
FROM (SELECT r.session_id, r.row_id,
             r.row_id || ' ' || r.status || ' ' ||
             (r.import + 2 * r.sync_email + 4 * r.decided_by_admin) || ' ' ||
             COALESCE(e.evidence_id, 0) || ' ' ||
             length(CAST(r.hub_learner_id AS BLOB)) || ':' || r.hub_learner_id ||
             length(CAST(r.mis_id AS BLOB)) || ':' || r.mis_id || char(10) AS line
      FROM session_rows r LEFT JOIN session_evidence e
        ON e.session_id = r.session_id AND e.score = r.score
           AND e.reason = r.reason AND e.fields = r.fields
      ORDER BY r.session_id, r.row_id)
GROUP BY session_id, row_id / 1024;
DROP TABLE session_rows;
)sql";

// Migration 8: client-chosen request ids of CreateLearner and ImportLearners
// (Store::CreateLearners, RequestKey), so that a retry after a lost reply is
// applied once: the verb, a digest of the request (the id excluded) and the
// ids of the learners it created (joined with U+001F, in creation order).
constexpr absl::string_view kV8 = R"sql(
CREATE TABLE request_ids (
  school_id TEXT NOT NULL REFERENCES schools(id),
  request_id TEXT NOT NULL,
  verb TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  learner_ids TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (school_id, request_id)
) WITHOUT ROWID;
)sql";

// Migration 9: saves kept so that each can be reverted (docs/SYNC.md,
// "Reverting a save"; docs/STORAGE.md). A save or a revert is a `saves`
// row; what a revert needs is in `save_changes`, packed like the audit
// trail (many learners to a row, in chunks): per changed learner its stored
// row and memberships before and after ("" where it did not exist), and in
// `save_emails` the outbox emails the save queued (action 'queued') or the
// revert withdrew ('withdrawn'). The retention sweep deletes the chunks and
// emails of old saves and clears `changes_kept`.
// The outbox is rebuilt without its foreign key to hub_learners: an email
// is a record of what was sent or withdrawn, and outlives a learner a revert
// removes. Rows keep their ids.
constexpr absl::string_view kV9 = R"sql(
CREATE TABLE saves (
  id TEXT PRIMARY KEY,
  school_id TEXT NOT NULL REFERENCES schools(id),
  session_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind = 'save' OR kind = 'revert'),
  reverts_save_id TEXT NOT NULL DEFAULT '',
  reverted_by TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL,
  actor_key_id TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  summary TEXT NOT NULL,  -- the counts, space-separated (codec: SaveCounts)
  learners_changed INTEGER NOT NULL,
  changes_kept INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX saves_by_school ON saves(school_id);
CREATE TABLE save_changes (
  save_id TEXT NOT NULL REFERENCES saves(id) ON DELETE CASCADE
    DEFERRABLE INITIALLY DEFERRED,
  chunk INTEGER NOT NULL,
  count INTEGER NOT NULL,
  changes BLOB NOT NULL,
  PRIMARY KEY (save_id, chunk)
) WITHOUT ROWID;
CREATE TABLE save_emails (
  save_id TEXT NOT NULL REFERENCES saves(id) ON DELETE CASCADE
    DEFERRABLE INITIALLY DEFERRED,
  email_id INTEGER NOT NULL,
  action TEXT NOT NULL CHECK (action = 'queued' OR action = 'withdrawn'),
  PRIMARY KEY (save_id, email_id)
) WITHOUT ROWID;
CREATE TABLE email_outbox_v9 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id TEXT NOT NULL REFERENCES schools(id),
  learner_id TEXT NOT NULL,
  address TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  create_time INTEGER NOT NULL
);
INSERT INTO email_outbox_v9 (id, school_id, learner_id, address, kind, status,
  create_time)
SELECT id, school_id, learner_id, address, kind, status, create_time
FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_v9 RENAME TO email_outbox;
CREATE INDEX email_outbox_by_school ON email_outbox(school_id, id);
)sql";

// Migration 10: the admin's decisions a session keeps across StepBack
// (docs/SYNC.md, "Stepping back"), codec.h's EncodeDecisions; "" for none.
constexpr absl::string_view kV10 = R"sql(
ALTER TABLE sessions ADD COLUMN decisions TEXT NOT NULL DEFAULT '';
)sql";

// Migration 11: archived learners (ArchiveLearner, RestoreLearner; purged by
// PurgeArchivedLearners after the retention period). archive_time is the Unix
// time of the archive, 0 for a learner that is not archived; the partial
// index finds the archived ones (the purge's scan, the archived list)
// without reading the others.
constexpr absl::string_view kV11 = R"sql(
ALTER TABLE hub_learners ADD COLUMN archive_time INTEGER NOT NULL DEFAULT 0;
CREATE INDEX hub_learners_archived ON hub_learners(archive_time)
  WHERE archive_time != 0;
)sql";

// Migration 12: the pairs an admin unlinked (UnlinkLearner), which the
// classifier never makes again (LoadForClassification reads them by school).
// They go with the learner (a purge).
constexpr absl::string_view kV12 = R"sql(
CREATE TABLE unlinked_pairs (
  learner_id TEXT NOT NULL REFERENCES hub_learners(id) ON DELETE CASCADE,
  mis_id TEXT NOT NULL,
  school_id TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (learner_id, mis_id)
) WITHOUT ROWID;
CREATE INDEX unlinked_pairs_by_school ON unlinked_pairs(school_id);
)sql";

// Migration 13: learner accounts (docs/ACCOUNTS.md). The outbox records each
// email's delivery (attempts, when to try next, the relay's last reply, the
// nonce its token derives from); the partial index finds the due ones.
// Tokens and codes are stored as keyed hashes only. A learner's account is
// deleted with the learner; subscriptions and grants are the school's.
// api_keys is rebuilt (same rows) to allow the "product" role, which, like
// "operator", belongs to no school.
constexpr absl::string_view kV13 = R"sql(
CREATE TABLE api_keys_v13 (
  id TEXT PRIMARY KEY,
  school_id TEXT REFERENCES schools(id),
  role TEXT NOT NULL
    CHECK (role IN ('operator', 'admin', 'service', 'viewer', 'product')),
  label TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  revoke_time INTEGER NOT NULL DEFAULT 0,
  CHECK ((role IN ('operator', 'product')) = (school_id IS NULL))
);
INSERT INTO api_keys_v13 SELECT id, school_id, role, label, secret_hash,
  create_time, created_by, revoke_time FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_v13 RENAME TO api_keys;
CREATE INDEX api_keys_by_school ON api_keys(school_id, create_time);
ALTER TABLE email_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE email_outbox ADD COLUMN next_attempt_time INTEGER NOT NULL
  DEFAULT 0;
ALTER TABLE email_outbox ADD COLUMN last_attempt_time INTEGER NOT NULL
  DEFAULT 0;
ALTER TABLE email_outbox ADD COLUMN sent_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE email_outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE email_outbox ADD COLUMN nonce TEXT NOT NULL DEFAULT '';
CREATE INDEX email_outbox_due ON email_outbox(next_attempt_time, id)
  WHERE status IN ('queued', 'sending');
CREATE INDEX email_outbox_by_learner ON email_outbox(learner_id, id);
CREATE TABLE verification_tokens (
  token_hash TEXT PRIMARY KEY,
  code_hash TEXT NOT NULL,
  email_id INTEGER NOT NULL,
  school_id TEXT NOT NULL,
  learner_id TEXT NOT NULL,
  address TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  expire_time INTEGER NOT NULL,
  used_time INTEGER NOT NULL DEFAULT 0,
  retired_time INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE UNIQUE INDEX verification_tokens_by_email
  ON verification_tokens(email_id);
CREATE INDEX verification_tokens_by_learner
  ON verification_tokens(learner_id);
CREATE INDEX verification_tokens_by_code
  ON verification_tokens(address, code_hash);
CREATE TABLE learner_accounts (
  learner_id TEXT PRIMARY KEY REFERENCES hub_learners(id) ON DELETE CASCADE,
  school_id TEXT NOT NULL,
  address TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  verify_time INTEGER NOT NULL,
  password_time INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX learner_accounts_by_address ON learner_accounts(address);
CREATE INDEX learner_accounts_by_school ON learner_accounts(school_id);
CREATE TABLE school_products (
  school_id TEXT NOT NULL REFERENCES schools(id),
  product TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (school_id, product)
) WITHOUT ROWID;
CREATE TABLE product_grants (
  school_id TEXT NOT NULL REFERENCES schools(id),
  product TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  PRIMARY KEY (school_id, product, kind, subject_id)
) WITHOUT ROWID;
)sql";

}  // namespace

const std::vector<absl::string_view>& Migrations() {
  static const auto* migrations = new std::vector<absl::string_view>{
      kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8, kV9, kV10, kV11, kV12, kV13};
  return *migrations;
}

absl::StatusOr<int> MigrateTo(Db* db, int target) {
  STORE_ASSIGN_OR_RETURN(int64_t version, db->QueryInt("PRAGMA user_version"));
  const int latest = static_cast<int>(Migrations().size());
  if (version > latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema version ", version, " is newer than this server (",
        latest, "); upgrade hubsyncd"));
  }
  if (version >= std::min(target, latest)) return static_cast<int>(version);
  // Foreign keys off while migrating (the pragma is ignored inside a
  // transaction): a rebuilt table is dropped and replaced, and with them on
  // the drop would delete every row that refers to it. Each migration keeps
  // every key it copies, and the setting is restored afterwards.
  STORE_ASSIGN_OR_RETURN(int64_t foreign_keys,
                         db->QueryInt("PRAGMA foreign_keys"));
  STORE_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = OFF"));
  absl::Status migrated = absl::OkStatus();
  for (int v = static_cast<int>(version) + 1; v <= target && v <= latest; ++v) {
    migrated = [&]() -> absl::Status {
      STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
      STORE_RETURN_IF_ERROR(db->Exec(Migrations()[v - 1]));
      STORE_RETURN_IF_ERROR(
          db->Exec(absl::StrCat("PRAGMA user_version = ", v)));
      return txn.Commit();
    }();
    if (!migrated.ok()) break;
    version = v;
  }
  STORE_RETURN_IF_ERROR(db->Exec(absl::StrCat(
      "PRAGMA foreign_keys = ", foreign_keys != 0 ? "ON" : "OFF")));
  STORE_RETURN_IF_ERROR(migrated);
  return static_cast<int>(version);
}

absl::StatusOr<int> ConfigureAndMigrate(Db* db) {
  // busy_timeout first, so the other pragmas wait for a lock too.
  STORE_RETURN_IF_ERROR(db->Exec("PRAGMA busy_timeout = 5000"));
  STORE_ASSIGN_OR_RETURN(std::string mode,
                         db->QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal") {
    return absl::InternalError(
        absl::StrCat("could not switch the database to WAL (mode ", mode, ")"));
  }
  // NORMAL is durable against application crashes in WAL mode and keeps
  // every transaction atomic; a power cut can lose the last commits, never
  // half of one. See docs/STORAGE.md.
  STORE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = NORMAL"));
  STORE_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys = ON"));
  // A page cache of up to 64 MiB (the default is 2 MiB): a save or a
  // snapshot of 100,000 learners touches far more pages than 2 MiB, and each
  // page read again goes through the WAL index and a pread. Pages are only
  // allocated as they are used, so a small school pays nothing for it.
  STORE_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -65536"));
  STORE_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store = MEMORY"));
  return MigrateTo(db, static_cast<int>(Migrations().size()));
}

}  // namespace hubsync::storage
