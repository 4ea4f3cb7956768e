// Sync sessions and their rows.
#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/fnv.h"
#include "server/storage/codec.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

constexpr absl::string_view kSessionColumns =
    "id, school_id, snapshot_id, admin, step, version, scope_kind, "
    "scope_values, sync_emails, hub_version, create_time, update_time, "
    "class_sync_created, class_sync_updated, class_sync_unchanged, "
    "save_request_id, save_linked, save_refreshed, save_imported, "
    "save_desynced, save_unaffected, save_emails_queued, save_audit_records, "
    "decisions";

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
  STORE_ASSIGN_OR_RETURN(s.decisions, DecodeDecisions(st.Text(23)));
  return s;
}

// Gives each distinct explanation of a session one session_evidence row
// (docs/STORAGE.md) and tells each row its id. Rows sharing an Explanation
// and wording are matched by pointer, so the reason and evidence text is
// built and written once per distinct explanation, not once per row. When
// the session may have explanations stored already (an edit rewriting rows
// of the screen), one of the same content is found by its hash and reused.
class EvidenceWriter {
 public:
  EvidenceWriter(Db* db, const std::string& session_id, bool none_stored)
      : db_(db), session_id_(session_id), none_stored_(none_stored) {}

  // 0 for a row with nothing to explain.
  absl::StatusOr<int64_t> IdOf(const RowExplanation& e) {
    if (e.evidence() == nullptr) return 0;
    auto [it, added] = by_pointer_.try_emplace({e.evidence(), e.wording()}, 0);
    if (!added) return it->second;
    reason_.clear();
    e.AppendReason(&reason_);
    fields_.clear();
    AppendEvidence(&fields_, e.fields());
    const double score = e.score();
    if (score == 0 && reason_.empty() && fields_.empty()) return 0;
    if (!insert_) STORE_RETURN_IF_ERROR(Prepare());
    Fnv1a h;
    for (size_t b = 0; b < sizeof score; ++b) {
      h.Byte(reinterpret_cast<const unsigned char*>(&score)[b]);
    }
    // As a signed 64-bit integer, the type SQLite stores.
    const auto hash =
        static_cast<int64_t>(h.Part(reason_).Part(fields_).value());
    if (!none_stored_) {
      find_->Reset().BindRef(1, session_id_).Bind(2, hash);
      while (true) {
        STORE_ASSIGN_OR_RETURN(bool row, find_->Step());
        if (!row) break;
        if (find_->Double(1) == score && find_->Text(2) == reason_ &&
            find_->Text(3) == fields_) {
          return it->second = find_->Int(0);
        }
      }
    }
    insert_->Reset()
        .BindRef(1, session_id_)
        .Bind(2, next_id_)
        .Bind(3, hash)
        .Bind(4, score)
        .BindRef(5, reason_)
        .BindRef(6, fields_);
    STORE_RETURN_IF_ERROR(insert_->Run());
    return it->second = next_id_++;
  }

 private:
  absl::Status Prepare() {
    STORE_ASSIGN_OR_RETURN(
        Statement last,
        db_->Prepare("SELECT COALESCE(MAX(evidence_id), 0) FROM "
                     "session_evidence WHERE session_id = ?"));
    last.BindRef(1, session_id_);
    STORE_ASSIGN_OR_RETURN(bool row, last.Step());
    next_id_ = (row ? last.Int(0) : 0) + 1;
    STORE_ASSIGN_OR_RETURN(
        insert_,
        db_->Prepare(
            "INSERT INTO session_evidence (session_id, evidence_id, "
            "content_hash, score, reason, fields) VALUES (?,?,?,?,?,?)"));
    STORE_ASSIGN_OR_RETURN(
        find_,
        db_->Prepare(
            "SELECT evidence_id, score, reason, fields FROM session_evidence "
            "WHERE session_id = ? AND content_hash = ?"));
    return absl::OkStatus();
  }

  Db* db_;
  const std::string& session_id_;
  const bool none_stored_;
  absl::flat_hash_map<std::pair<const Explanation*, const ReasonWording*>,
                      int64_t>
      by_pointer_;
  std::string reason_, fields_;
  std::optional<Statement> insert_, find_;
  int64_t next_id_ = 0;
};

// A session's rows are stored 1,024 row ids to a session_row_chunks row,
// each row a line (schema migration 7, docs/STORAGE.md).
constexpr int64_t kRowsPerChunk = 1024;
int64_t ChunkOf(int64_t row_id) { return row_id / kRowsPerChunk; }

// "row_id status flags evidence_id <bytes>:hub_learner_id<bytes>:mis_id\n"
void AppendRowLine(const Row& r, int64_t evidence_id, std::string* out) {
  char buf[24];
  auto number = [&](uint64_t v) {
    const std::to_chars_result end = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, end.ptr);
  };
  number(static_cast<uint64_t>(r.row_id));
  out->push_back(' ');
  const absl::string_view status = ToText(r.status);
  out->append(status.data(), status.size());
  out->push_back(' ');
  number((r.import ? 1u : 0u) | (r.sync_email ? 2u : 0u) |
         (r.decided_by_admin ? 4u : 0u) | (r.reviewed ? 8u : 0u));
  out->push_back(' ');
  number(static_cast<uint64_t>(evidence_id));
  out->push_back(' ');
  number(r.hub_learner_id.size());
  out->push_back(':');
  out->append(r.hub_learner_id);
  number(r.mis_id.size());
  out->push_back(':');
  out->append(r.mis_id);
  out->push_back('\n');
}

// One line of a chunk, read back; the views point into the chunk's text.
struct RowLine {
  Row row;  // without its explanation
  int64_t evidence_id = 0;
  absl::string_view text;  // the whole line, its newline included
};

// Every line of a chunk, in row id order.
absl::StatusOr<std::vector<RowLine>> ParseChunk(absl::string_view text,
                                                const std::string& session_id,
                                                int64_t chunk) {
  std::vector<RowLine> out;
  absl::string_view rest = text;
  auto malformed = [&](absl::string_view why) {
    return absl::InternalError(absl::StrCat(
        "database holds a malformed row in chunk ", chunk, " of session ",
        session_id, " at byte ", rest.data() - text.data(), ": ", why));
  };
  auto word = [&rest](absl::string_view* w) {
    const size_t space = rest.find(' ');
    if (space == absl::string_view::npos) return false;
    *w = rest.substr(0, space);
    rest.remove_prefix(space + 1);
    return true;
  };
  auto counted = [&rest](std::string* v) {
    const size_t colon = rest.find(':');
    size_t n = 0;
    if (colon == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, colon), &n) ||
        rest.size() - colon - 1 < n) {
      return false;
    }
    v->assign(rest.data() + colon + 1, n);
    rest.remove_prefix(colon + 1 + n);
    return true;
  };
  while (!rest.empty()) {
    const char* begin = rest.data();
    RowLine& line = out.emplace_back();
    absl::string_view id, status, flags, evidence;
    int flag_bits = 0;
    if (!word(&id) || !word(&status) || !word(&flags) || !word(&evidence) ||
        !absl::SimpleAtoi(id, &line.row.row_id) || line.row.row_id <= 0 ||
        !absl::SimpleAtoi(flags, &flag_bits) || flag_bits < 0 ||
        flag_bits > 15 || !absl::SimpleAtoi(evidence, &line.evidence_id) ||
        line.evidence_id < 0) {
      return malformed("expected a row id, status, flags and evidence id");
    }
    absl::StatusOr<RowStatus> parsed = RowStatusFromText(status);
    if (!parsed.ok()) return malformed(parsed.status().message());
    line.row.status = *parsed;
    line.row.import = (flag_bits & 1) != 0;
    line.row.sync_email = (flag_bits & 2) != 0;
    line.row.decided_by_admin = (flag_bits & 4) != 0;
    line.row.reviewed = (flag_bits & 8) != 0;  // absent before reviews: 0
    if (!counted(&line.row.hub_learner_id) || !counted(&line.row.mis_id) ||
        rest.empty() || rest[0] != '\n') {
      return malformed("expected the learner ids, each after its length");
    }
    rest.remove_prefix(1);
    line.text =
        absl::string_view(begin, static_cast<size_t>(rest.data() - begin));
    if (ChunkOf(line.row.row_id) != chunk) {
      return malformed(
          absl::StrCat("row ", line.row.row_id, " is not of this chunk"));
    }
  }
  auto by_id = [](const RowLine& a, const RowLine& b) {
    return a.row.row_id < b.row.row_id;
  };
  if (!std::is_sorted(out.begin(), out.end(), by_id)) {
    std::stable_sort(out.begin(), out.end(), by_id);
  }
  return out;
}

absl::Status SessionNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("session ", id, " not found"));
}

// NOT_FOUND unless the session is stored (inside the caller's transaction).
absl::Status CheckSessionExists(Db& db, const std::string& id) {
  STORE_ASSIGN_OR_RETURN(Statement exists,
                         db.Prepare("SELECT 1 FROM sessions WHERE id = ?"));
  exists.Bind(1, id);
  STORE_ASSIGN_OR_RETURN(bool found, exists.Step());
  return found ? absl::OkStatus() : SessionNotFound(id);
}

}  // namespace

absl::Status SqliteStore::WriteSessionLocked(const SessionRecord& s,
                                             bool insert) {
  // Both statements bind the same 24 parameters in kSessionColumns order.
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(
          insert ? absl::StrCat("INSERT INTO sessions (", kSessionColumns,
                                ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,"
                                "?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,"
                                "?23,?24)")
                 : "UPDATE sessions SET school_id = ?2, snapshot_id = ?3, "
                   "admin = ?4, step = ?5, version = ?6, scope_kind = ?7, "
                   "scope_values = ?8, sync_emails = ?9, hub_version = ?10, "
                   "create_time = ?11, update_time = ?12, "
                   "class_sync_created = ?13, class_sync_updated = ?14, "
                   "class_sync_unchanged = ?15, save_request_id = ?16, "
                   "save_linked = ?17, save_refreshed = ?18, "
                   "save_imported = ?19, save_desynced = ?20, "
                   "save_unaffected = ?21, save_emails_queued = ?22, "
                   "save_audit_records = ?23, decisions = ?24 WHERE id = ?1"));
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
      .Bind(23, s.save_summary.audit_records)
      .Bind(24, EncodeDecisions(s.decisions.get()));
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
  audit.after_json =
      absl::StrCat("{\"session_id\":", JsonString(s.id),
                   ",\"snapshot_id\":", JsonString(s.snapshot_id),
                   ",\"admin\":", JsonString(s.admin),
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

absl::StatusOr<Page<SessionRecord>> SqliteStore::PageSessions(
    const std::string& school_id, const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 2));
  int64_t after_time = 0, after_rowid = 0;
  if (!page.after.empty()) {
    STORE_ASSIGN_OR_RETURN(after_time, PageKeyInt(page.after[0]));
    STORE_ASSIGN_OR_RETURN(after_rowid, PageKeyInt(page.after[1]));
  }
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat(
          "SELECT ", kSessionColumns,
          ", rowid FROM sessions WHERE school_id = ?1",
          page.after.empty() ? "" : " AND (create_time, rowid) < (?3, ?4)",
          " ORDER BY create_time DESC, rowid DESC LIMIT ?2")));
  st.BindRef(1, school_id).Bind(2, static_cast<int64_t>(page.size + 1));
  if (!page.after.empty()) st.Bind(3, after_time).Bind(4, after_rowid);
  constexpr int kRowidColumn = 24;  // after kSessionColumns
  Page<SessionRecord> out;
  int64_t last_rowid = 0;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      out.next = {absl::StrCat(out.items.back().create_time_unix),
                  absl::StrCat(last_rowid)};
      break;
    }
    STORE_ASSIGN_OR_RETURN(SessionRecord s, ReadSession(st));
    out.items.push_back(std::move(s));
    last_rowid = st.Int(kRowidColumn);
  }
  return out;
}

absl::StatusOr<std::vector<Row>> SqliteStore::LoadRows(
    const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(CheckSessionExists(db_, session_id));
  // The session's explanations first, each once: the rows that share one
  // share it again, as they did when they were classified.
  absl::flat_hash_map<int64_t, std::shared_ptr<const Explanation>> evidence;
  {
    STORE_ASSIGN_OR_RETURN(
        Statement ev,
        db_.Prepare("SELECT evidence_id, score, reason, fields FROM "
                    "session_evidence WHERE session_id = ?"));
    ev.Bind(1, session_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, ev.Step());
      if (!row) break;
      auto e = std::make_shared<Explanation>();
      e->score = ev.Double(1);
      e->reason = ev.Text(2);
      STORE_ASSIGN_OR_RETURN(e->fields, DecodeEvidence(ev.Text(3)));
      evidence.emplace(ev.Int(0), std::move(e));
    }
  }
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT chunk, row_count, rows FROM session_row_chunks "
                  "WHERE session_id = ? ORDER BY chunk"));
  st.Bind(1, session_id);
  std::vector<Row> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const int64_t chunk = st.Int(0);
    const std::string text = st.Text(2);
    STORE_ASSIGN_OR_RETURN(std::vector<RowLine> lines,
                           ParseChunk(text, session_id, chunk));
    if (static_cast<int64_t>(lines.size()) != st.Int(1)) {
      return absl::InternalError(absl::StrCat(
          "database holds chunk ", chunk, " of session ", session_id, " with ",
          lines.size(), " rows, not the ", st.Int(1), " it records"));
    }
    for (RowLine& line : lines) {
      Row& r = out.emplace_back(std::move(line.row));
      if (line.evidence_id == 0) continue;  // nothing to explain
      auto it = evidence.find(line.evidence_id);
      if (it == evidence.end()) {
        return absl::InternalError(absl::StrCat(
            "database holds row ", r.row_id, " of session ", session_id,
            " naming explanation ", line.evidence_id, ", which is missing"));
      }
      r.explanation = RowExplanation(it->second);
    }
  }
  return out;
}

absl::StatusOr<StatusCounts> SqliteStore::SessionRowCounts(
    const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(CheckSessionExists(db_, session_id));
  STORE_ASSIGN_OR_RETURN(
      Statement st, db_.Prepare("SELECT chunk, rows FROM session_row_chunks "
                                "WHERE session_id = ? ORDER BY chunk"));
  st.Bind(1, session_id);
  StatusCounts out;
  std::vector<Row> rows;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    const std::string text = st.Text(1);
    STORE_ASSIGN_OR_RETURN(std::vector<RowLine> lines,
                           ParseChunk(text, session_id, st.Int(0)));
    rows.clear();
    for (RowLine& line : lines) rows.push_back(std::move(line.row));
    const StatusCounts c = CountRows(rows);
    out.not_matched += c.not_matched;
    out.new_records += c.new_records;
    out.matched += c.matched;
    out.may_match += c.may_match;
    out.synced += c.synced;
    out.desynced += c.desynced;
    out.import_ticked += c.import_ticked;
    out.email_ticked += c.email_ticked;
    out.unreviewed_may_match += c.unreviewed_may_match;
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
    for (const char* sql :
         {"DELETE FROM session_row_chunks WHERE session_id = ?",
          "DELETE FROM session_evidence WHERE session_id = ?"}) {
      STORE_ASSIGN_OR_RETURN(Statement clear, db_.Prepare(sql));
      clear.Bind(1, s.id);
      STORE_RETURN_IF_ERROR(clear.Run());
    }
  }
  STORE_RETURN_IF_ERROR(
      WriteRowsLocked(s.id, changed, removed_row_ids, replace_all_rows));
  for (AuditRecord a : audit) {
    a.school_id = s.school_id;
    a.session_id = s.id;
    if (a.time_unix == 0) a.time_unix = s.update_time_unix;
    STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
  }
  return txn.Commit();
}

absl::Status SqliteStore::WriteRowsLocked(
    const std::string& session_id, const std::vector<Row>& changed,
    const std::vector<int64_t>& removed_row_ids, bool none_stored) {
  // The changed rows in row id order (as classification hands them over,
  // usually), the last of a repeated id winning.
  std::vector<uint32_t> order(changed.size());
  std::iota(order.begin(), order.end(), 0u);
  auto by_id = [&](uint32_t a, uint32_t b) {
    return changed[a].row_id < changed[b].row_id;
  };
  if (!std::is_sorted(order.begin(), order.end(), by_id)) {
    std::stable_sort(order.begin(), order.end(), by_id);
  }
  {
    size_t kept = 0;
    for (size_t k = 0; k < order.size(); ++k) {
      if (k + 1 < order.size() &&
          changed[order[k + 1]].row_id == changed[order[k]].row_id) {
        continue;
      }
      order[kept++] = order[k];
    }
    order.resize(kept);
  }
  STORE_ASSIGN_OR_RETURN(
      Statement put,
      db_.Prepare(
          "INSERT INTO session_row_chunks (session_id, chunk, row_count, rows) "
          "VALUES (?,?,?,?) ON CONFLICT (session_id, chunk) DO UPDATE SET "
          "row_count = excluded.row_count, rows = excluded.rows"));
  EvidenceWriter evidence(&db_, session_id, none_stored);
  std::string text;
  auto put_chunk = [&](int64_t chunk, int64_t count) {
    put.Reset()
        .BindRef(1, session_id)
        .Bind(2, chunk)
        .Bind(3, count)
        .BindRef(4, text);
    return put.Run();
  };
  if (none_stored) {
    // A new screen: each chunk written once, straight from the rows.
    for (size_t k = 0; k < order.size();) {
      const int64_t chunk = ChunkOf(changed[order[k]].row_id);
      text.clear();
      int64_t count = 0;
      for (; k < order.size() && ChunkOf(changed[order[k]].row_id) == chunk;
           ++k, ++count) {
        const Row& r = changed[order[k]];
        STORE_ASSIGN_OR_RETURN(int64_t evidence_id,
                               evidence.IdOf(r.explanation));
        AppendRowLine(r, evidence_id, &text);
      }
      STORE_RETURN_IF_ERROR(put_chunk(chunk, count));
    }
    return absl::OkStatus();
  }
  // An edit: each chunk it touches read, changed and written back.
  std::map<int64_t, std::pair<std::vector<uint32_t>, std::vector<int64_t>>>
      touched;
  for (uint32_t k : order)
    touched[ChunkOf(changed[k].row_id)].first.push_back(k);
  for (int64_t id : removed_row_ids) touched[ChunkOf(id)].second.push_back(id);
  STORE_ASSIGN_OR_RETURN(Statement get,
                         db_.Prepare("SELECT rows FROM session_row_chunks "
                                     "WHERE session_id = ? AND chunk = ?"));
  STORE_ASSIGN_OR_RETURN(
      Statement drop,
      db_.Prepare(
          "DELETE FROM session_row_chunks WHERE session_id = ? AND chunk = ?"));
  for (const auto& [chunk, edits] : touched) {
    get.Reset().BindRef(1, session_id).Bind(2, chunk);
    STORE_ASSIGN_OR_RETURN(bool found, get.Step());
    const std::string stored = found ? get.Text(0) : std::string();
    STORE_ASSIGN_OR_RETURN(std::vector<RowLine> lines,
                           ParseChunk(stored, session_id, chunk));
    std::map<int64_t, std::string> by_id;
    for (const RowLine& line : lines) {
      by_id[line.row.row_id].assign(line.text.data(), line.text.size());
    }
    for (int64_t id : edits.second) by_id.erase(id);
    for (uint32_t k : edits.first) {
      const Row& r = changed[k];
      STORE_ASSIGN_OR_RETURN(int64_t evidence_id, evidence.IdOf(r.explanation));
      std::string& line = by_id[r.row_id];
      line.clear();
      AppendRowLine(r, evidence_id, &line);
    }
    if (by_id.empty()) {
      drop.Reset().BindRef(1, session_id).Bind(2, chunk);
      STORE_RETURN_IF_ERROR(drop.Run());
      continue;
    }
    text.clear();
    for (const auto& [id, line] : by_id) text.append(line);
    STORE_RETURN_IF_ERROR(put_chunk(chunk, static_cast<int64_t>(by_id.size())));
  }
  return absl::OkStatus();
}

}  // namespace hubsync::storage
