// Sync sessions and their rows.
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

constexpr absl::string_view kSessionColumns =
    "id, school_id, snapshot_id, admin, step, version, scope_kind, "
    "scope_values, sync_emails, hub_version, create_time, update_time, "
    "class_sync_created, class_sync_updated, class_sync_unchanged, "
    "save_request_id, save_linked, save_refreshed, save_imported, "
    "save_desynced, save_unaffected, save_emails_queued, save_audit_records";

absl::StatusOr<SessionRecord> ReadSession(const Statement& st) {
  SessionRecord s;
  s.id = st.Text(0);
  s.school_id = st.Text(1);
  s.snapshot_id = st.Text(2);
  s.admin = st.Text(3);
  STORE_ASSIGN_OR_RETURN(s.step, SessionStepFromText(st.Text(4)));
  s.version = st.Int(5);
  STORE_ASSIGN_OR_RETURN(s.scope.kind, ScopeKindFromText(st.Text(6)));
  s.scope.values = SplitList(st.Text(7));
  s.sync_emails = st.Int(8) != 0;
  s.hub_version = st.Int(9);
  s.create_time_unix = st.Int(10);
  s.update_time_unix = st.Int(11);
  s.class_sync.created = st.Int(12);
  s.class_sync.updated = st.Int(13);
  s.class_sync.unchanged = st.Int(14);
  s.save_request_id = st.Text(15);
  s.save_summary.linked = st.Int(16);
  s.save_summary.refreshed = st.Int(17);
  s.save_summary.imported = st.Int(18);
  s.save_summary.desynced = st.Int(19);
  s.save_summary.unaffected = st.Int(20);
  s.save_summary.emails_queued = st.Int(21);
  s.save_summary.audit_records = st.Int(22);
  return s;
}

absl::Status SessionNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("session ", id, " not found"));
}

}  // namespace

absl::Status SqliteStore::WriteSessionLocked(const SessionRecord& s,
                                             bool insert) {
  // Both statements bind the same 23 parameters in kSessionColumns order.
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(
          insert ? absl::StrCat("INSERT INTO sessions (", kSessionColumns,
                                ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
                                "?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,"
                                "?23)")
                 : "UPDATE sessions SET school_id = ?2, snapshot_id = ?3, "
                   "admin = ?4, step = ?5, version = ?6, scope_kind = ?7, "
                   "scope_values = ?8, sync_emails = ?9, hub_version = ?10, "
                   "create_time = ?11, update_time = ?12, "
                   "class_sync_created = ?13, class_sync_updated = ?14, "
                   "class_sync_unchanged = ?15, save_request_id = ?16, "
                   "save_linked = ?17, save_refreshed = ?18, "
                   "save_imported = ?19, save_desynced = ?20, "
                   "save_unaffected = ?21, save_emails_queued = ?22, "
                   "save_audit_records = ?23 WHERE id = ?1"));
  st.Bind(1, s.id)
      .Bind(2, s.school_id)
      .Bind(3, s.snapshot_id)
      .Bind(4, s.admin)
      .Bind(5, ToText(s.step))
      .Bind(6, s.version)
      .Bind(7, ToText(s.scope.kind))
      .Bind(8, JoinList(s.scope.values))
      .Bind(9, s.sync_emails)
      .Bind(10, s.hub_version)
      .Bind(11, s.create_time_unix)
      .Bind(12, s.update_time_unix)
      .Bind(13, s.class_sync.created)
      .Bind(14, s.class_sync.updated)
      .Bind(15, s.class_sync.unchanged)
      .Bind(16, s.save_request_id)
      .Bind(17, s.save_summary.linked)
      .Bind(18, s.save_summary.refreshed)
      .Bind(19, s.save_summary.imported)
      .Bind(20, s.save_summary.desynced)
      .Bind(21, s.save_summary.unaffected)
      .Bind(22, s.save_summary.emails_queued)
      .Bind(23, s.save_summary.audit_records);
  return st.Run();
}

absl::Status SqliteStore::CheckSessionVersionLocked(const SessionRecord& s) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT version, school_id FROM sessions WHERE id = ?"));
  st.Bind(1, s.id);
  STORE_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return SessionNotFound(s.id);
  if (st.Int(0) != s.version - 1) {
    return absl::AbortedError(absl::StrCat("session ", s.id, " is at version ",
                                           st.Int(0), ", request expected ",
                                           s.version - 1));
  }
  if (st.Text(1) != s.school_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", s.id, " belongs to school ", st.Text(1),
                     ", not ", s.school_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<SessionRecord> SqliteStore::CreateSession(SessionRecord s,
                                                         const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(s.school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement owner,
      db_.Prepare("SELECT school_id FROM mis_snapshots WHERE id = ?"));
  owner.Bind(1, s.snapshot_id);
  STORE_ASSIGN_OR_RETURN(bool found, owner.Step());
  if (!found || owner.Text(0) != s.school_id) {
    return absl::NotFoundError(absl::StrCat(
        "snapshot ", s.snapshot_id, " not found for school ", s.school_id));
  }
  s.id = ids_->NewId("ses");
  s.create_time_unix = s.update_time_unix = clock_->NowUnixSeconds();
  STORE_RETURN_IF_ERROR(WriteSessionLocked(s, /*insert=*/true));
  AuditRecord audit;
  audit.school_id = s.school_id;
  audit.session_id = s.id;
  audit.actor = actor;
  audit.verb = "start_session";
  audit.record_id = s.id;
  audit.after_json = absl::StrCat(
      "{\"session_id\":", JsonString(s.id), ",\"snapshot_id\":",
      JsonString(s.snapshot_id), ",\"admin\":", JsonString(s.admin),
      ",\"step\":", JsonString(ToText(s.step)), "}");
  audit.time_unix = s.create_time_unix;
  STORE_RETURN_IF_ERROR(WriteAuditLocked(audit));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return s;
}

absl::StatusOr<SessionRecord> SqliteStore::GetSession(
    const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(
      Statement st, db_.Prepare(absl::StrCat("SELECT ", kSessionColumns,
                                             " FROM sessions WHERE id = ?")));
  st.Bind(1, session_id);
  STORE_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) return SessionNotFound(session_id);
  return ReadSession(st);
}

absl::StatusOr<std::vector<SessionRecord>> SqliteStore::ListSessions(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat("SELECT ", kSessionColumns,
                               " FROM sessions WHERE school_id = ? "
                               "ORDER BY create_time DESC, rowid DESC")));
  st.Bind(1, school_id);
  std::vector<SessionRecord> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    STORE_ASSIGN_OR_RETURN(SessionRecord s, ReadSession(st));
    out.push_back(std::move(s));
  }
  return out;
}

absl::StatusOr<std::vector<Row>> SqliteStore::LoadRows(
    const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_ASSIGN_OR_RETURN(Statement exists,
                         db_.Prepare("SELECT 1 FROM sessions WHERE id = ?"));
  exists.Bind(1, session_id);
  STORE_ASSIGN_OR_RETURN(bool found, exists.Step());
  if (!found) return SessionNotFound(session_id);
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT row_id, status, hub_learner_id, mis_id, import, "
                  "sync_email, decided_by_admin, score, reason, fields "
                  "FROM session_rows WHERE session_id = ? ORDER BY row_id"));
  st.Bind(1, session_id);
  std::vector<Row> out;
  // Rows whose evidence reads back alike share one Explanation, as they did
  // when they were classified (keyed by score, fields and reason).
  absl::flat_hash_map<std::string, std::shared_ptr<const Explanation>> shared;
  std::string key;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    Row& r = out.emplace_back();
    r.row_id = st.Int(0);
    STORE_ASSIGN_OR_RETURN(r.status, RowStatusFromText(st.Text(1)));
    r.hub_learner_id = st.Text(2);
    r.mis_id = st.Text(3);
    r.import = st.Int(4) != 0;
    r.sync_email = st.Int(5) != 0;
    r.decided_by_admin = st.Int(6) != 0;
    const double score = st.Double(7);
    std::string reason = st.Text(8), fields = st.Text(9);
    if (score == 0 && reason.empty() && fields.empty()) continue;  // none
    key.assign(reinterpret_cast<const char*>(&score), sizeof score);
    absl::StrAppend(&key, fields.size(), ":", fields, reason);
    auto [it, inserted] = shared.try_emplace(key);
    if (inserted) {
      auto e = std::make_shared<Explanation>();
      e->score = score;
      e->reason = std::move(reason);
      STORE_ASSIGN_OR_RETURN(e->fields, DecodeEvidence(fields));
      it->second = std::move(e);
    }
    r.explanation = RowExplanation(it->second);
  }
  return out;
}

absl::Status SqliteStore::UpdateSession(
    const SessionRecord& s, const std::vector<Row>& changed,
    const std::vector<int64_t>& removed_row_ids, bool replace_all_rows,
    const std::vector<AuditRecord>& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(CheckSessionVersionLocked(s));
  STORE_RETURN_IF_ERROR(WriteSessionLocked(s, /*insert=*/false));
  if (replace_all_rows) {
    STORE_ASSIGN_OR_RETURN(
        Statement clear,
        db_.Prepare("DELETE FROM session_rows WHERE session_id = ?"));
    clear.Bind(1, s.id);
    STORE_RETURN_IF_ERROR(clear.Run());
  }
  // After replace_all_rows the table holds none of the session's rows: a
  // plain INSERT skips the REPLACE's delete attempt (the Classified commit
  // writes every row of the screen, two million at trust scale).
  STORE_ASSIGN_OR_RETURN(
      Statement upsert,
      db_.Prepare(absl::StrCat(
          replace_all_rows ? "INSERT" : "INSERT OR REPLACE",
          " INTO session_rows (session_id, row_id, status, hub_learner_id, "
          "mis_id, import, sync_email, decided_by_admin, score, reason, "
          "fields) VALUES (?,?,?,?,?,?,?,?,?,?,?)")));
  std::string fields, reason;
  for (const Row& r : changed) {
    fields.clear();
    AppendEvidence(&fields, r.explanation.fields());
    reason.clear();
    r.explanation.AppendReason(&reason);
    upsert.Reset()
        .BindRef(1, s.id)
        .Bind(2, r.row_id)
        .Bind(3, ToText(r.status))
        .BindRef(4, r.hub_learner_id)
        .BindRef(5, r.mis_id)
        .Bind(6, r.import)
        .Bind(7, r.sync_email)
        .Bind(8, r.decided_by_admin)
        .Bind(9, r.explanation.score())
        .BindRef(10, reason)
        .BindRef(11, fields);
    STORE_RETURN_IF_ERROR(upsert.Run());
  }
  STORE_ASSIGN_OR_RETURN(
      Statement remove,
      db_.Prepare("DELETE FROM session_rows WHERE session_id = ? AND "
                  "row_id = ?"));
  for (int64_t row_id : removed_row_ids) {
    remove.Reset().Bind(1, s.id).Bind(2, row_id);
    STORE_RETURN_IF_ERROR(remove.Run());
  }
  for (AuditRecord a : audit) {
    a.school_id = s.school_id;
    a.session_id = s.id;
    if (a.time_unix == 0) a.time_unix = s.update_time_unix;
    STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
  }
  return txn.Commit();
}

}  // namespace hubsync::storage
