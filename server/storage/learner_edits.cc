// Learner edits outside a session: UpdateLearner, ArchiveLearner,
// RestoreLearner, UnlinkLearner, and the purge of archived learners
// (docs/STORAGE.md, "Learner edits").
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/storage/codec.h"
#include "server/storage/learner_rows.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

// The fields UpdateLearner may set, and whether the MIS owns them on a
// linked learner. A sync refreshes every MIS-owned field from the MIS, so an
// edit of one would be undone by the next save; the email is the hub's own
// unless a session syncs emails (docs/SYNC.md, "Edits outside a session").
struct EditableField {
  absl::string_view name;
  bool mis_owned;
  void (*copy)(const HubLearner& from, HubLearner& to);
};
constexpr EditableField kEditable[] = {
    {"legal_forename", true,
     [](const HubLearner& f, HubLearner& t) {
       t.legal_forename = f.legal_forename;
     }},
    {"legal_surname", true,
     [](const HubLearner& f, HubLearner& t) {
       t.legal_surname = f.legal_surname;
     }},
    {"preferred_forename", true,
     [](const HubLearner& f, HubLearner& t) {
       t.preferred_forename = f.preferred_forename;
     }},
    {"preferred_surname", true,
     [](const HubLearner& f, HubLearner& t) {
       t.preferred_surname = f.preferred_surname;
     }},
    {"date_of_birth", true,
     [](const HubLearner& f, HubLearner& t) {
       t.date_of_birth = f.date_of_birth;
     }},
    {"gender", true,
     [](const HubLearner& f, HubLearner& t) { t.gender = f.gender; }},
    {"upn", true, [](const HubLearner& f, HubLearner& t) { t.upn = f.upn; }},
    {"year_group", true,
     [](const HubLearner& f, HubLearner& t) { t.year_group = f.year_group; }},
    {"registration_group", true,
     [](const HubLearner& f, HubLearner& t) {
       t.registration_group = f.registration_group;
     }},
    {"email", false,
     [](const HubLearner& f, HubLearner& t) { t.email = f.email; }},
};

std::string NameOf(const HubLearner& l) {
  return absl::StrCat(l.legal_forename, " ", l.legal_surname, " (", l.id, ")");
}

// The learner's JSON for the audit trail; with `archive`, also its archive
// time (RFC 3339, UTC; "" when it is not archived), so that an archive or a
// restore shows what changed.
std::string AuditJson(const HubLearner& l, bool archive) {
  std::string json = LearnerJson(l);
  if (archive && !json.empty() && json.back() == '}') {
    json.pop_back();
    absl::StrAppend(
        &json, ",\"archive_time\":\"",
        l.archive_time_unix == 0
            ? ""
            : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                               absl::FromUnixSeconds(l.archive_time_unix),
                               absl::UTCTimeZone()),
        "\"}");
  }
  return json;
}

absl::Status NotFound(const std::string& learner_id) {
  return absl::NotFoundError(
      absl::StrCat("learner ", learner_id, " not found"));
}

}  // namespace

template <typename Edit>
absl::StatusOr<HubLearner> SqliteStore::EditLearnerLocked(
    const std::string& learner_id, absl::string_view verb, const Actor& actor,
    Edit edit) {
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement school,
      db_.Prepare("SELECT school_id FROM hub_learners WHERE id = ?"));
  school.Bind(1, learner_id);
  STORE_ASSIGN_OR_RETURN(bool exists, school.Step());
  if (!exists) return NotFound(learner_id);
  const std::string school_id = school.Text(0);
  STORE_ASSIGN_OR_RETURN(LearnerReader reader, LearnerReader::Create(&db_));
  StoredLearner stored;
  STORE_ASSIGN_OR_RETURN(exists, reader.Get(school_id, learner_id, &stored));
  if (!exists) return NotFound(learner_id);
  const HubLearner& before = stored.learner;
  HubLearner after = before;
  STORE_RETURN_IF_ERROR(edit(after));
  const bool archive = verb == "archive" || verb == "restore";
  const std::string before_json = AuditJson(before, archive);
  const std::string after_json = AuditJson(after, archive);
  if (before_json == after_json) return after;  // nothing to change
  // Always a new update time, so that a change is visible in the row (a
  // save's revert compares rows), and always at least the previous one.
  after.update_time_unix =
      std::max(clock_->NowUnixSeconds(), before.update_time_unix);
  STORE_ASSIGN_OR_RETURN(LearnerWriter writer, LearnerWriter::Create(&db_));
  STORE_RETURN_IF_ERROR(writer.Update(before, after));
  if (after.archive_time_unix != before.archive_time_unix) {
    STORE_ASSIGN_OR_RETURN(
        Statement archive,
        db_.Prepare("UPDATE hub_learners SET archive_time = ? WHERE id = ?"));
    archive.Bind(1, after.archive_time_unix).Bind(2, learner_id);
    STORE_RETURN_IF_ERROR(archive.Run());
  }
  AuditRecord a;
  a.school_id = school_id;
  a.actor = actor;
  a.verb = std::string(verb);
  a.learner_id = learner_id;
  a.before_json = before_json;
  a.after_json = after_json;
  a.time_unix = after.update_time_unix;
  STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
  STORE_RETURN_IF_ERROR(BumpHubVersionLocked(school_id));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return after;
}

absl::StatusOr<HubLearner> SqliteStore::UpdateLearner(
    const std::string& learner_id, const LearnerUpdate& update,
    const Actor& actor) {
  std::vector<const EditableField*> fields;
  for (const std::string& name : update.fields) {
    auto it =
        std::find_if(std::begin(kEditable), std::end(kEditable),
                     [&](const EditableField& f) { return f.name == name; });
    if (it == std::end(kEditable)) {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: ", name, " cannot be edited"));
    }
    fields.push_back(&*it);
  }
  if (fields.empty()) {
    return absl::InvalidArgumentError(
        "update_mask is required: name the fields to change");
  }
  std::lock_guard<std::mutex> lock(mu_);
  return EditLearnerLocked(
      learner_id, "update", actor, [&](HubLearner& l) -> absl::Status {
        if (l.archive_time_unix != 0) {
          return absl::FailedPreconditionError(absl::StrCat(
              "learner ", NameOf(l), " is archived; restore it first"));
        }
        for (const EditableField* f : fields) {
          if (f->mis_owned && !l.mis_id.empty()) {
            return absl::FailedPreconditionError(absl::StrCat(
                f->name, " of ", NameOf(l), " is managed by the MIS (",
                l.mis_id,
                "); change it in the MIS and sync, or unlink the learner "
                "first"));
          }
          f->copy(update.values, l);
        }
        if (l.legal_forename.empty() || l.legal_surname.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "learner ", l.id, ": ",
              l.legal_forename.empty() ? "legal_forename" : "legal_surname",
              " is required"));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<HubLearner> SqliteStore::ArchiveLearner(
    const std::string& learner_id, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_->NowUnixSeconds();
  return EditLearnerLocked(
      learner_id, "archive", actor, [&](HubLearner& l) -> absl::Status {
        if (l.archive_time_unix != 0) {
          return absl::FailedPreconditionError(
              absl::StrCat("learner ", NameOf(l), " is already archived"));
        }
        l.archive_time_unix = std::max<int64_t>(now, 1);
        l.mis_id.clear();
        l.sync_state = SyncState::kUnsynced;
        return absl::OkStatus();
      });
}

absl::StatusOr<HubLearner> SqliteStore::RestoreLearner(
    const std::string& learner_id, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  return EditLearnerLocked(
      learner_id, "restore", actor, [&](HubLearner& l) -> absl::Status {
        if (l.archive_time_unix == 0) {
          return absl::FailedPreconditionError(
              absl::StrCat("learner ", NameOf(l), " is not archived"));
        }
        l.archive_time_unix = 0;
        return absl::OkStatus();
      });
}

absl::StatusOr<HubLearner> SqliteStore::UnlinkLearner(
    const std::string& learner_id, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  return EditLearnerLocked(
      learner_id, "unlink", actor, [&](HubLearner& l) -> absl::Status {
        if (l.archive_time_unix != 0) {
          return absl::FailedPreconditionError(absl::StrCat(
              "learner ", NameOf(l), " is archived; restore it first"));
        }
        if (l.mis_id.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              "learner ", NameOf(l),
              " is not linked to a MIS record: it is already hand-made"));
        }
        // Remembered in the edit's transaction: the classifier leaves the
        // pair be from the next sync on.
        STORE_ASSIGN_OR_RETURN(
            Statement pair,
            db_.Prepare("INSERT OR IGNORE INTO unlinked_pairs (learner_id, "
                        "mis_id, school_id, create_time) VALUES (?, ?, ?, ?)"));
        pair.BindRef(1, l.id)
            .BindRef(2, l.mis_id)
            .BindRef(3, l.school_id)
            .Bind(4, clock_->NowUnixSeconds());
        STORE_RETURN_IF_ERROR(pair.Run());
        l.mis_id.clear();
        l.sync_state = SyncState::kUnsynced;
        return absl::OkStatus();
      });
}

absl::StatusOr<int64_t> SqliteStore::PurgeArchivedLearners(
    int64_t archived_until) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement due,
      db_.Prepare("SELECT id, school_id FROM hub_learners "
                  "INDEXED BY hub_learners_archived "
                  "WHERE archive_time != 0 AND archive_time <= ? "
                  "ORDER BY school_id, id"));
  due.Bind(1, archived_until);
  std::vector<std::pair<std::string, std::string>> ids;  // learner, school
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, due.Step());
    if (!row) break;
    ids.emplace_back(due.Text(0), due.Text(1));
  }
  if (ids.empty()) return 0;
  STORE_ASSIGN_OR_RETURN(LearnerReader reader, LearnerReader::Create(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement emails,
      db_.Prepare("DELETE FROM email_outbox WHERE learner_id = ?"));
  STORE_ASSIGN_OR_RETURN(Statement learner,
                         db_.Prepare("DELETE FROM hub_learners WHERE id = ?"));
  const int64_t now = clock_->NowUnixSeconds();
  StoredLearner stored;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& [learner_id, school_id] = ids[i];
    STORE_ASSIGN_OR_RETURN(bool exists,
                           reader.Get(school_id, learner_id, &stored));
    if (!exists) continue;
    emails.Reset().BindRef(1, learner_id);
    STORE_RETURN_IF_ERROR(emails.Run());
    learner.Reset().BindRef(1, learner_id);  // memberships cascade
    STORE_RETURN_IF_ERROR(learner.Run());
    AuditRecord a;
    a.school_id = school_id;
    a.actor.name = "hubsyncd (retention)";
    a.verb = "purge";
    a.learner_id = learner_id;
    a.before_json = AuditJson(stored.learner, /*archive=*/true);
    a.time_unix = now;
    STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
    if (i + 1 == ids.size() || ids[i + 1].second != school_id) {
      STORE_RETURN_IF_ERROR(BumpHubVersionLocked(school_id));
    }
  }
  STORE_RETURN_IF_ERROR(txn.Commit());
  return static_cast<int64_t>(ids.size());
}

}  // namespace hubsync::storage
