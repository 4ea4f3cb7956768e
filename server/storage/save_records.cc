// Saves kept for reverting: the packed changes, the list of saves, and
// RevertSave (docs/SYNC.md, "Reverting a save"; docs/STORAGE.md).
#include "server/storage/save_records.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/storage/codec.h"
#include "server/storage/learner_rows.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

absl::Status Malformed(absl::string_view what) {
  return absl::InternalError(absl::StrCat("database holds a malformed ", what));
}

// "<bytes>:<text>", so that nothing inside needs escaping.
void AppendSized(std::string* out, absl::string_view s) {
  absl::StrAppend(out, s.size(), ":");
  out->append(s.data(), s.size());
}

bool ReadSized(absl::string_view* in, absl::string_view* out) {
  const size_t colon = in->find(':');
  size_t n = 0;
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(in->substr(0, colon), &n) ||
      n > in->size() - colon - 1) {
    return false;
  }
  *out = in->substr(colon + 1, n);
  in->remove_prefix(colon + 1 + n);
  return true;
}

}  // namespace

void AppendLearnerImage(std::string* out, const HubLearner& l,
                        const std::vector<std::string>& class_ids,
                        absl::string_view audit) {
  absl::StrAppend(out, l.update_time_unix, " ", l.archive_time_unix, " ",
                  absl::StrJoin(class_ids, ","), "\n", audit);
}

void AppendLearnerImage(std::string* out, const HubLearner& l,
                        const std::vector<std::string>& class_ids) {
  std::string audit;
  EncodeAuditLearner(&audit, l);
  AppendLearnerImage(out, l, class_ids, audit);
}

absl::Status DecodeLearnerImage(absl::string_view image, HubLearner* l,
                                std::vector<std::string>* class_ids) {
  const size_t nl = image.find('\n');
  if (nl == absl::string_view::npos) return Malformed("save change");
  const std::vector<absl::string_view> head =
      absl::StrSplit(image.substr(0, nl), ' ');
  int64_t update_time = 0, archive_time = 0;
  if (head.size() != 3 || !absl::SimpleAtoi(head[0], &update_time) ||
      !absl::SimpleAtoi(head[1], &archive_time)) {
    return Malformed("save change");
  }
  STORE_ASSIGN_OR_RETURN(*l, DecodeAuditLearner(image.substr(nl + 1)));
  l->update_time_unix = update_time;
  l->archive_time_unix = archive_time;
  class_ids->clear();
  const absl::string_view ids = head[2];
  if (!ids.empty()) {
    for (absl::string_view id : absl::StrSplit(ids, ',')) {
      class_ids->emplace_back(id);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<SaveChangeWriter> SaveChangeWriter::Create(
    Db* db, const std::string& save_id) {
  STORE_ASSIGN_OR_RETURN(
      Statement insert,
      db->Prepare("INSERT INTO save_changes (save_id, chunk, count, changes) "
                  "VALUES (?, ?, ?, ?)"));
  return SaveChangeWriter(std::move(insert), save_id);
}

absl::Status SaveChangeWriter::Add(absl::string_view learner_id,
                                   absl::string_view before,
                                   absl::string_view after) {
  AppendSized(&packed_, learner_id);
  AppendSized(&packed_, before);
  AppendSized(&packed_, after);
  ++total_;
  if (++in_chunk_ == kChangesPerChunk) return Flush();
  return absl::OkStatus();
}

absl::Status SaveChangeWriter::Flush() {
  if (in_chunk_ == 0) return absl::OkStatus();
  insert_.Reset()
      .BindRef(1, save_id_)
      .Bind(2, chunk_)
      .Bind(3, in_chunk_)
      .BindRef(4, packed_);
  STORE_RETURN_IF_ERROR(insert_.Run());
  ++chunk_;
  in_chunk_ = 0;
  packed_.clear();
  return absl::OkStatus();
}

absl::Status SaveChangeWriter::Finish() { return Flush(); }

absl::Status UnpackSaveChanges(absl::string_view packed,
                               std::vector<SaveChange>* out) {
  while (!packed.empty()) {
    absl::string_view id, before, after;
    if (!ReadSized(&packed, &id) || !ReadSized(&packed, &before) ||
        !ReadSized(&packed, &after)) {
      return Malformed("save change chunk");
    }
    out->push_back(
        SaveChange{std::string(id), std::string(before), std::string(after)});
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> LastAuditId(Db* db) {
  return db->QueryInt(
      "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = "
      "'audit_log'), 0), coalesce((SELECT max(id) FROM audit_log), 0))");
}

std::string EncodeSaveCounts(const SaveRecord& r) {
  if (r.is_revert) {
    const RevertSummary& s = r.revert_summary;
    return absl::StrJoin(
        {s.restored, s.removed, s.recreated, s.emails_withdrawn,
         s.emails_requeued, s.emails_left, s.audit_records},
        " ");
  }
  const SaveSummary& s = r.summary;
  return absl::StrJoin({s.linked, s.refreshed, s.imported, s.desynced,
                        s.unaffected, s.emails_queued, s.audit_records},
                       " ");
}

absl::Status DecodeSaveCounts(absl::string_view text, SaveRecord* r) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ');
  int64_t v[7] = {};
  if (parts.size() != 7) return Malformed("save summary");
  for (size_t i = 0; i < 7; ++i) {
    if (!absl::SimpleAtoi(parts[i], &v[i])) return Malformed("save summary");
  }
  if (r->is_revert) {
    r->revert_summary = RevertSummary{v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
  } else {
    SaveSummary& s = r->summary;
    s.linked = v[0], s.refreshed = v[1], s.imported = v[2], s.desynced = v[3];
    s.unaffected = v[4], s.emails_queued = v[5], s.audit_records = v[6];
    s.save_id = r->id;
  }
  return absl::OkStatus();
}

namespace {

constexpr absl::string_view kSaveColumns =
    "id, school_id, session_id, kind, reverts_save_id, reverted_by, actor, "
    "actor_key_id, actor_role, create_time, summary, learners_changed, "
    "changes_kept";

absl::StatusOr<SaveRecord> ReadSaveRow(const Statement& st) {
  SaveRecord r;
  r.id = st.Text(0);
  r.school_id = st.Text(1);
  r.session_id = st.Text(2);
  r.is_revert = st.Text(3) == "revert";
  r.reverts_save_id = st.Text(4);
  r.reverted_by = st.Text(5);
  r.actor.name = st.Text(6);
  r.actor.key_id = st.Text(7);
  r.actor.role = st.Text(8);
  r.create_time_unix = st.Int(9);
  STORE_RETURN_IF_ERROR(DecodeSaveCounts(st.Text(10), &r));
  r.learners_changed = st.Int(11);
  r.changes_kept = st.Int(12) != 0;
  return r;
}

absl::StatusOr<SaveRecord> GetSaveOn(Db* db, const std::string& save_id) {
  STORE_ASSIGN_OR_RETURN(Statement st,
                         db->Prepare(absl::StrCat("SELECT ", kSaveColumns,
                                                  " FROM saves WHERE id = ?")));
  st.Bind(1, save_id);
  STORE_ASSIGN_OR_RETURN(bool found, st.Step());
  if (!found) {
    return absl::NotFoundError(absl::StrCat("save ", save_id, " not found"));
  }
  return ReadSaveRow(st);
}

// Every change of `save_id`, in order.
absl::StatusOr<std::vector<SaveChange>> ReadSaveChanges(
    Db* db, const std::string& save_id) {
  STORE_ASSIGN_OR_RETURN(Statement st,
                         db->Prepare("SELECT changes FROM save_changes WHERE "
                                     "save_id = ? ORDER BY chunk"));
  st.Bind(1, save_id);
  std::vector<SaveChange> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    STORE_RETURN_IF_ERROR(UnpackSaveChanges(st.Text(0), &out));
  }
  return out;
}

// "Ann Lee (lrn_...)" from a learner image, or the id alone.
std::string LearnerLabel(const std::string& id, absl::string_view image) {
  HubLearner l;
  std::vector<std::string> class_ids;
  if (image.empty() || !DecodeLearnerImage(image, &l, &class_ids).ok()) {
    return id;
  }
  return absl::StrCat(l.legal_forename, " ", l.legal_surname, " (", id, ")");
}

// The newest first of the school's saves and reverts after `save` that are
// in force (not reverted) and changed any of `learners`, for the message
// of a refused revert.
absl::StatusOr<std::vector<std::string>> LaterSavesTouching(
    Db* db, const SaveRecord& save,
    const absl::flat_hash_set<std::string>& learners) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db->Prepare("SELECT id FROM saves WHERE school_id = ?1 AND "
                  "reverted_by = '' AND changes_kept = 1 AND "
                  "rowid > (SELECT rowid FROM saves WHERE id = ?2) "
                  "ORDER BY rowid DESC"));
  st.BindRef(1, save.school_id).BindRef(2, save.id);
  std::vector<std::string> later;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    later.push_back(st.Text(0));
  }
  std::vector<std::string> touching;
  for (const std::string& id : later) {
    STORE_ASSIGN_OR_RETURN(std::vector<SaveChange> changes,
                           ReadSaveChanges(db, id));
    for (const SaveChange& c : changes) {
      if (learners.contains(c.learner_id)) {
        touching.push_back(id);
        break;
      }
    }
  }
  return touching;
}

constexpr size_t kNamedInMessage = 5;

}  // namespace

absl::StatusOr<SaveRecord> SqliteStore::GetSave(const std::string& save_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return GetSaveOn(&db_, save_id);
}

absl::StatusOr<Page<SaveRecord>> SqliteStore::PageSaves(
    const std::string& school_id, const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 1));
  int64_t after_seq = 0;
  if (!page.after.empty()) {
    STORE_ASSIGN_OR_RETURN(after_seq, PageKeyInt(page.after[0]));
  }
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat("SELECT ", kSaveColumns,
                               ", rowid FROM saves WHERE school_id = ?1",
                               page.after.empty() ? "" : " AND rowid < ?2",
                               " ORDER BY rowid DESC LIMIT ?3")));
  st.BindRef(1, school_id).Bind(3, static_cast<int64_t>(page.size + 1));
  if (!page.after.empty()) st.Bind(2, after_seq);
  Page<SaveRecord> out;
  int64_t last_seq = 0;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      out.next = {absl::StrCat(last_seq)};
      break;
    }
    last_seq = st.Int(13);
    STORE_ASSIGN_OR_RETURN(SaveRecord r, ReadSaveRow(st));
    out.items.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<int64_t> SqliteStore::ExpireSaveChanges(int64_t before_unix) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  constexpr absl::string_view kExpired =
      "(SELECT id FROM saves WHERE create_time < ?1 AND changes_kept = 1)";
  for (absl::string_view table : {"save_changes", "save_emails"}) {
    STORE_ASSIGN_OR_RETURN(Statement st, db_.Prepare(absl::StrCat(
                                             "DELETE FROM ", table,
                                             " WHERE save_id IN ", kExpired)));
    st.Bind(1, before_unix);
    STORE_RETURN_IF_ERROR(st.Run());
  }
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("UPDATE saves SET changes_kept = 0 WHERE create_time < ?1 "
                  "AND changes_kept = 1"));
  st.Bind(1, before_unix);
  STORE_RETURN_IF_ERROR(st.Run());
  const int64_t expired = db_.Changes();
  STORE_RETURN_IF_ERROR(txn.Commit());
  return expired;
}

absl::StatusOr<SaveRecord> SqliteStore::RevertSave(const std::string& save_id,
                                                   const Actor& actor,
                                                   bool validate_only) {
  std::lock_guard<std::mutex> lock(mu_);
  // Every early return drops `txn`, which rolls everything back; so does a
  // dry run, after doing all of it.
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_ASSIGN_OR_RETURN(SaveRecord save, GetSaveOn(&db_, save_id));
  const std::string& school_id = save.school_id;
  const char* noun = save.is_revert ? "revert" : "save";
  if (!save.reverted_by.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        noun, " ", save.id, " was already reverted by ", save.reverted_by,
        "; revert ", save.reverted_by, " to bring it back"));
  }
  if (!save.changes_kept) {
    return absl::FailedPreconditionError(absl::StrCat(
        noun, " ", save.id,
        " can no longer be reverted: what a revert needs is kept for the "
        "retention period (hubsyncd --retention_days) and has been removed"));
  }
  STORE_ASSIGN_OR_RETURN(std::vector<SaveChange> changes,
                         ReadSaveChanges(&db_, save.id));

  // Each learner must be exactly as the save left it.
  STORE_ASSIGN_OR_RETURN(LearnerReader reader, LearnerReader::Create(&db_));
  std::vector<StoredLearner> current(changes.size());
  std::vector<bool> exists(changes.size());
  std::vector<std::string> conflicts;
  absl::flat_hash_set<std::string> conflicting;
  std::string image;
  for (size_t i = 0; i < changes.size(); ++i) {
    const SaveChange& c = changes[i];
    STORE_ASSIGN_OR_RETURN(bool found,
                           reader.Get(school_id, c.learner_id, &current[i]));
    exists[i] = found;
    image.clear();
    if (found)
      AppendLearnerImage(&image, current[i].learner, current[i].class_ids);
    if (image != c.after) {
      conflicting.insert(c.learner_id);
      conflicts.push_back(
          found ? absl::StrCat(current[i].learner.legal_forename, " ",
                               current[i].learner.legal_surname, " (",
                               c.learner_id, ")")
                : LearnerLabel(c.learner_id,
                               c.after.empty() ? c.before : c.after));
    }
  }
  if (!conflicts.empty()) {
    STORE_ASSIGN_OR_RETURN(std::vector<std::string> later,
                           LaterSavesTouching(&db_, save, conflicting));
    std::string names = absl::StrJoin(
        conflicts.begin(),
        conflicts.begin() + std::min(conflicts.size(), kNamedInMessage), ", ");
    if (conflicts.size() > kNamedInMessage) {
      absl::StrAppend(&names, " and ", conflicts.size() - kNamedInMessage,
                      " more");
    }
    return absl::FailedPreconditionError(absl::StrCat(
        noun, " ", save.id, " cannot be reverted: ", conflicts.size(),
        conflicts.size() == 1 ? " learner has" : " learners have",
        " changed since it: ", names,
        later.empty() ? "; nothing else can be reverted to bring them back"
                      : absl::StrCat("; revert first, newest first: ",
                                     absl::StrJoin(later, ", "))));
  }

  SaveRecord revert;
  revert.id = ids_->NewId("sav");
  revert.school_id = school_id;
  revert.session_id = save.session_id;
  revert.is_revert = true;
  revert.reverts_save_id = save.id;
  revert.actor = actor;
  revert.create_time_unix = clock_->NowUnixSeconds();
  RevertSummary& summary = revert.revert_summary;

  STORE_ASSIGN_OR_RETURN(LearnerWriter writer, LearnerWriter::Create(&db_));
  STORE_ASSIGN_OR_RETURN(SaveChangeWriter kept,
                         SaveChangeWriter::Create(&db_, revert.id));
  STORE_ASSIGN_OR_RETURN(
      Statement remove,
      db_.Prepare("DELETE FROM hub_learners WHERE id = ? AND school_id = ?"));
  PackedAudit packed;
  struct AuditRow {
    std::string befores, afters;
    int64_t count;
  };
  std::vector<AuditRow> audit_rows;
  HubLearner before;
  std::vector<std::string> before_classes;
  std::string audit_before, delta;
  static const HubLearner* const kNone = new HubLearner();
  const auto failed = [&](const SaveChange& c, const absl::Status& st) {
    return absl::FailedPreconditionError(absl::StrCat(
        noun, " ", save.id, " cannot be reverted: ",
        LearnerLabel(c.learner_id, c.before.empty() ? c.after : c.before),
        " cannot be put back (", st.message(), ")"));
  };
  // Newest change last in the save, so undone first.
  for (size_t k = changes.size(); k-- > 0;) {
    const SaveChange& c = changes[k];
    const HubLearner& now = current[k].learner;
    audit_before.clear();
    delta.clear();
    const char* verb;
    if (c.before.empty()) {  // created by the save: removed
      remove.Reset().BindRef(1, c.learner_id).BindRef(2, school_id);
      STORE_RETURN_IF_ERROR(remove.Run());
      EncodeAuditLearner(&audit_before, now);
      verb = "revert_remove";
      ++summary.removed;
    } else {
      STORE_RETURN_IF_ERROR(
          DecodeLearnerImage(c.before, &before, &before_classes));
      before.id = c.learner_id;
      before.school_id = school_id;
      if (!exists[k]) {  // removed by the (reverted) revert: created again
        if (absl::Status st = writer.Insert(before); !st.ok()) {
          return failed(c, st);
        }
        STORE_RETURN_IF_ERROR(writer.SetClasses(before.id, {}, before_classes));
        EncodeAuditDelta(&delta, *kNone, before);
        verb = "revert_recreate";
        ++summary.recreated;
      } else {
        HubLearner stored = now;
        stored.school_id = school_id;
        if (absl::Status st = writer.Update(stored, before); !st.ok()) {
          return failed(c, st);
        }
        STORE_RETURN_IF_ERROR(
            writer.SetClasses(before.id, current[k].class_ids, before_classes));
        EncodeAuditLearner(&audit_before, now);
        EncodeAuditDelta(&delta, now, before);
        verb = "revert_restore";
        ++summary.restored;
      }
    }
    STORE_RETURN_IF_ERROR(kept.Add(c.learner_id, c.after, c.before));
    packed.Add(verb, c.learner_id, audit_before, delta);
    if (packed.count == SaveChangeWriter::kChangesPerChunk || k == 0) {
      audit_rows.push_back(AuditRow{std::move(packed.befores),
                                    std::move(packed.afters), packed.count});
      summary.audit_records += packed.count;
      packed.Clear();
    }
  }
  STORE_RETURN_IF_ERROR(kept.Finish());
  revert.learners_changed = kept.count();

  // Emails: the save's queued ones withdrawn if not sent; a revert's
  // withdrawn ones queued again.
  {
    STORE_ASSIGN_OR_RETURN(
        Statement emails,
        db_.Prepare("SELECT email_id, action FROM save_emails WHERE "
                    "save_id = ? ORDER BY email_id"));
    emails.BindRef(1, save.id);
    std::vector<std::pair<int64_t, bool>> list;  // id, queued by the save
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, emails.Step());
      if (!row) break;
      list.emplace_back(emails.Int(0), emails.Text(1) == "queued");
    }
    STORE_ASSIGN_OR_RETURN(
        Statement flip,
        db_.Prepare("UPDATE email_outbox SET status = ?1 WHERE id = ?2 AND "
                    "school_id = ?3 AND status = ?4"));
    STORE_ASSIGN_OR_RETURN(
        Statement note,
        db_.Prepare("INSERT INTO save_emails (save_id, email_id, action) "
                    "VALUES (?, ?, ?)"));
    for (const auto& [id, queued] : list) {
      flip.Reset()
          .Bind(1, queued ? "withdrawn" : "queued")
          .Bind(2, id)
          .BindRef(3, school_id)
          .Bind(4, queued ? "queued" : "withdrawn");
      STORE_RETURN_IF_ERROR(flip.Run());
      if (db_.Changes() == 0) {
        ++summary.emails_left;
        continue;
      }
      ++(queued ? summary.emails_withdrawn : summary.emails_requeued);
      note.Reset()
          .BindRef(1, revert.id)
          .Bind(2, id)
          .Bind(3, queued ? "withdrawn" : "queued");
      STORE_RETURN_IF_ERROR(note.Run());
    }
  }

  // The audit trail: each learner (packed, as a save's), then the revert.
  const int64_t now = revert.create_time_unix;
  STORE_ASSIGN_OR_RETURN(int64_t last_audit_id, LastAuditId(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement audit,
      db_.Prepare("INSERT INTO audit_log (id, school_id, session_id, actor, "
                  "verb, learner_id, record_id, before_json, after_json, time, "
                  "actor_key_id, actor_role, encoding) "
                  "VALUES (?,?,?,?,'revert','',?,?,?,?,?,?,2)"));
  for (const AuditRow& row : audit_rows) {
    last_audit_id += row.count;
    audit.Reset()
        .Bind(1, last_audit_id)
        .BindRef(2, school_id)
        .BindRef(3, save.session_id)
        .BindRef(4, actor.name)
        .BindRef(5, revert.id)
        .BindRef(6, row.befores)
        .BindRef(7, row.afters)
        .Bind(8, now)
        .BindRef(9, actor.key_id)
        .BindRef(10, actor.role);
    STORE_RETURN_IF_ERROR(audit.Run());
  }
  ++summary.audit_records;
  AuditRecord record;
  record.school_id = school_id;
  record.session_id = save.session_id;
  record.actor = actor;
  record.verb = "revert_save";
  record.record_id = save.id;
  record.after_json = absl::StrCat(
      "{\"revert\":", JsonString(revert.id), ",\"restored\":", summary.restored,
      ",\"removed\":", summary.removed, ",\"recreated\":", summary.recreated,
      ",\"emails_withdrawn\":", summary.emails_withdrawn,
      ",\"emails_requeued\":", summary.emails_requeued,
      ",\"emails_left\":", summary.emails_left, "}");
  record.time_unix = now;
  STORE_RETURN_IF_ERROR(WriteAuditLocked(record));

  // The records: the revert, and which saves are now in force.
  STORE_ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare("INSERT INTO saves (id, school_id, session_id, kind, "
                  "reverts_save_id, actor, actor_key_id, actor_role, "
                  "create_time, summary, learners_changed) "
                  "VALUES (?, ?, ?, 'revert', ?, ?, ?, ?, ?, ?, ?)"));
  insert.BindRef(1, revert.id)
      .BindRef(2, school_id)
      .BindRef(3, revert.session_id)
      .BindRef(4, save.id)
      .BindRef(5, actor.name)
      .BindRef(6, actor.key_id)
      .BindRef(7, actor.role)
      .Bind(8, now)
      .Bind(9, EncodeSaveCounts(revert))
      .Bind(10, revert.learners_changed);
  STORE_RETURN_IF_ERROR(insert.Run());
  STORE_ASSIGN_OR_RETURN(
      Statement mark,
      db_.Prepare("UPDATE saves SET reverted_by = ? WHERE id = ?"));
  mark.BindRef(1, revert.id).BindRef(2, save.id);
  STORE_RETURN_IF_ERROR(mark.Run());
  if (save.is_revert) {  // the save it undid is in force again
    mark.Reset().Bind(1, "").BindRef(2, save.reverts_save_id);
    STORE_RETURN_IF_ERROR(mark.Run());
  }
  if (!changes.empty()) {
    STORE_RETURN_IF_ERROR(BumpHubVersionLocked(school_id));
  }
  if (validate_only) return revert;  // rolled back with txn
  STORE_RETURN_IF_ERROR(txn.Commit());
  return revert;
}

}  // namespace hubsync::storage
