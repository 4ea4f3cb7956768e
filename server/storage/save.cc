// ApplySave: the whole of "Save and sync pupils" in one transaction.
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/storage/codec.h"
#include "server/storage/learner_rows.h"
#include "server/storage/save_records.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

const char* Verb(LearnerChange c) {
  switch (c) {
    case LearnerChange::kLink:
      return "link";
    case LearnerChange::kRefresh:
      return "refresh";
    case LearnerChange::kImport:
      return "import";
    case LearnerChange::kDesync:
      return "desync";
  }
  return "?";
}

// Learner audit records per audit_log row (codec.h, PackedAudit): rows of
// a few hundred kB.
constexpr int64_t kAuditEntriesPerRow = 1000;
// Room reserved for one learner's encoded before and after.
constexpr size_t kAuditRecordBytes = 256;

struct ClassRef {
  std::string id;
  std::string name;
  bool subject = false;
};

}  // namespace

absl::StatusOr<SaveSummary> SqliteStore::ApplySave(
    const SavePlan& plan, const SessionRecord& session) {
  std::lock_guard<std::mutex> lock(mu_);
  // Every early return below drops `txn`, which rolls everything back.
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  const std::string& school_id = plan.school_id;
  STORE_ASSIGN_OR_RETURN(int64_t hub_version, HubVersionLocked(school_id));
  if (hub_version != plan.expected_hub_version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the hub changed since this session classified it (hub version ",
        hub_version, ", session saw ", plan.expected_hub_version, "); ",
        kClassifyAgain));
  }
  if (session.id != plan.session_id) {
    return absl::InvalidArgumentError(absl::StrCat("save plan is for session ",
                                                   plan.session_id,
                                                   ", record is ", session.id));
  }
  STORE_RETURN_IF_ERROR(CheckSessionVersionLocked(session));

  // The school's MIS-synced classes by MIS id. Learners are read one by one
  // as the plan names them (the audit "before" is the stored record), so a
  // save costs what it changes, not the size of the school.
  absl::flat_hash_map<std::string, ClassRef> class_by_mis_id;
  {
    STORE_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare("SELECT mis_id, id, name, kind FROM hub_classes WHERE "
                    "school_id = ? AND mis_id IS NOT NULL"));
    st.Bind(1, school_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      class_by_mis_id[st.Text(0)] =
          ClassRef{st.Text(1), st.Text(2), st.Text(3) == "subject"};
    }
  }

  STORE_ASSIGN_OR_RETURN(LearnerReader reader, LearnerReader::Create(&db_));
  STORE_ASSIGN_OR_RETURN(LearnerWriter writer, LearnerWriter::Create(&db_));
  // The learners' audit records, packed (codec.h, PackedAudit): each row
  // takes the ids of its entries, the last of them its own.
  STORE_ASSIGN_OR_RETURN(
      Statement audit,
      db_.Prepare("INSERT INTO audit_log (id, school_id, session_id, actor, "
                  "verb, learner_id, before_json, after_json, time, "
                  "actor_key_id, actor_role, encoding) "
                  "VALUES (?,?,?,?,'save','',?,?,?,?,?,2)"));
  STORE_ASSIGN_OR_RETURN(int64_t last_audit_id, LastAuditId(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement email,
      db_.Prepare("INSERT INTO email_outbox (school_id, learner_id, address, "
                  "kind, status, create_time) "
                  "VALUES (?, ?, ?, 'verification', 'queued', ?)"));

  const int64_t now = clock_->NowUnixSeconds();
  SaveSummary summary;
  summary.unaffected = plan.unaffected;
  summary.save_id = ids_->NewId("sav");
  // What a revert needs: each learner's stored state before and after
  // (save_records.h), in the order written.
  STORE_ASSIGN_OR_RETURN(SaveChangeWriter kept,
                         SaveChangeWriter::Create(&db_, summary.save_id));
  std::string image_before, image_after;
  // Learners are written in id order (the order of the id index and of the
  // membership table, so each B-tree page is visited once rather than at
  // random), imports last in plan order; audit and outbox rows then follow
  // the plan's order.
  const size_t n = plan.changes.size();
  std::vector<size_t> order;
  order.reserve(n);
  {
    // Sorted by (id, plan index) held side by side, not through the plan.
    std::vector<std::pair<absl::string_view, size_t>> by_id;
    by_id.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (plan.changes[i].change != LearnerChange::kImport) {
        by_id.emplace_back(plan.changes[i].before.id, i);
      }
    }
    std::sort(by_id.begin(), by_id.end());
    for (const auto& [id, i] : by_id) order.push_back(i);
    for (size_t i = 0; i < n; ++i) {
      if (plan.changes[i].change == LearnerChange::kImport) order.push_back(i);
    }
  }
  struct Written {
    std::string learner_id, before, after, email;
  };
  std::vector<Written> written(n);
  // The stored record of the learner being changed: the plan's own copy when
  // it vouches for it (before_is_stored, checked by the version above and by
  // each write's WHERE), else read here.
  StoredLearner read;
  const HubLearner* stored = &read.learner;
  std::vector<std::string>& stored_class_ids = read.class_ids;
  std::vector<std::string> class_ids;
  HubLearner after;  // assigned whole for each change; its buffers reused
  for (size_t i : order) {
    const PlannedChange& change = plan.changes[i];
    std::string& before_json = written[i].before;
    // A learner's record is about 200 bytes: one allocation, not four.
    written[i].after.reserve(kAuditRecordBytes);
    const bool import = change.change == LearnerChange::kImport;
    if (import) {
      after = change.after;
      after.id = ids_->NewId("lrn");
      ++summary.imported;
    } else {
      if (plan.before_is_stored && change.before.school_id == school_id) {
        stored = &change.before;
        STORE_RETURN_IF_ERROR(
            reader.ClassIds(change.before.id, &stored_class_ids));
      } else {
        stored = &read.learner;
        STORE_ASSIGN_OR_RETURN(bool found,
                               reader.Get(school_id, change.before.id, &read));
        if (!found) {
          return absl::NotFoundError(
              absl::StrCat("change ", i, ": learner ", change.before.id,
                           " not found in school ", school_id));
        }
      }
      before_json.reserve(kAuditRecordBytes);
      EncodeAuditLearner(&before_json, *stored);
      if (change.change == LearnerChange::kDesync) {
        STORE_RETURN_IF_ERROR(
            writer.SetState(*stored, SyncState::kDesynced, now));
        after = *stored;  // class, year, memberships and MIS id all kept
        after.sync_state = SyncState::kDesynced;
        after.update_time_unix = now;
        ++summary.desynced;
      } else {
        after = change.after;
        after.id = stored->id;
        ++(change.change == LearnerChange::kLink ? summary.linked
                                                 : summary.refreshed);
      }
    }
    if (change.change != LearnerChange::kDesync) {
      if (after.mis_id.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("change ", i, " (", Verb(change.change), "): learner ",
                         after.id, " has no MIS id"));
      }
      after.school_id = school_id;
      after.sync_state = SyncState::kSynced;
      after.update_time_unix = now;
      class_ids.clear();
      after.classes.clear();
      for (const std::string& mis_id : change.class_mis_ids) {
        auto c = class_by_mis_id.find(mis_id);
        if (c == class_by_mis_id.end()) {
          return absl::FailedPreconditionError(
              absl::StrCat("class ", mis_id, " has not been synced"));
        }
        class_ids.push_back(c->second.id);
        if (c->second.subject) after.classes.push_back(c->second.name);
      }
      std::sort(after.classes.begin(), after.classes.end());
      if (import) {
        STORE_RETURN_IF_ERROR(writer.Insert(after));
        STORE_RETURN_IF_ERROR(writer.SetClasses(after.id, {}, class_ids));
      } else {
        STORE_RETURN_IF_ERROR(writer.Update(*stored, after));
        STORE_RETURN_IF_ERROR(
            writer.SetClasses(after.id, stored_class_ids, class_ids));
      }
    }
    static const HubLearner* const kNone = new HubLearner();
    EncodeAuditDelta(&written[i].after, import ? *kNone : *stored, after);
    image_before.clear();
    image_after.clear();
    if (!import) {
      AppendLearnerImage(&image_before, *stored, stored_class_ids, before_json);
    }
    if (change.change == LearnerChange::kDesync) {
      AppendLearnerImage(&image_after, after, stored_class_ids);
    } else {
      std::sort(class_ids.begin(), class_ids.end());
      AppendLearnerImage(&image_after, after, class_ids);
    }
    STORE_RETURN_IF_ERROR(kept.Add(after.id, image_before, image_after));
    if (change.queue_verification_email && after.email.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "change ", i, ": learner ", after.id,
          " has no email address to send a verification email to"));
    }
    written[i].email = std::move(after.email);
    written[i].learner_id = std::move(after.id);
  }
  STORE_RETURN_IF_ERROR(kept.Finish());
  std::vector<int64_t> email_ids;
  PackedAudit packed;
  auto write_packed = [&]() -> absl::Status {
    last_audit_id += packed.count;
    audit.Reset()
        .Bind(1, last_audit_id)
        .BindRef(2, school_id)
        .BindRef(3, plan.session_id)
        .BindRef(4, plan.actor.name)
        .BindRef(5, packed.befores)
        .BindRef(6, packed.afters)
        .Bind(7, now)
        .BindRef(8, plan.actor.key_id)
        .BindRef(9, plan.actor.role);
    STORE_RETURN_IF_ERROR(audit.Run());
    summary.audit_records += packed.count;
    packed.Clear();
    return absl::OkStatus();
  };
  for (size_t i = 0; i < n; ++i) {
    const Written& w = written[i];
    packed.Add(Verb(plan.changes[i].change), w.learner_id, w.before, w.after);
    if (packed.count == kAuditEntriesPerRow || i + 1 == n) {
      STORE_RETURN_IF_ERROR(write_packed());
    }
    if (plan.changes[i].queue_verification_email) {
      email.Reset()
          .BindRef(1, school_id)
          .BindRef(2, w.learner_id)
          .BindRef(3, w.email)
          .Bind(4, now);
      STORE_RETURN_IF_ERROR(email.Run());
      email_ids.push_back(db_.LastInsertRowId());
      ++summary.emails_queued;
    }
  }

  // Only a save that changed learners moves the hub on; an empty save must
  // not make every other open session stale.
  if (!plan.changes.empty()) {
    STORE_RETURN_IF_ERROR(BumpHubVersionLocked(school_id));
  }
  SaveRecord record;
  record.id = summary.save_id;
  record.summary = summary;
  STORE_ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare("INSERT INTO saves (id, school_id, session_id, kind, actor, "
                  "actor_key_id, actor_role, create_time, summary, "
                  "learners_changed) VALUES (?, ?, ?, 'save', ?, ?, ?, ?, ?, "
                  "?)"));
  insert.BindRef(1, summary.save_id)
      .BindRef(2, school_id)
      .BindRef(3, plan.session_id)
      .BindRef(4, plan.actor.name)
      .BindRef(5, plan.actor.key_id)
      .BindRef(6, plan.actor.role)
      .Bind(7, now)
      .Bind(8, EncodeSaveCounts(record))
      .Bind(9, kept.count());
  STORE_RETURN_IF_ERROR(insert.Run());
  STORE_ASSIGN_OR_RETURN(
      Statement queued,
      db_.Prepare("INSERT INTO save_emails (save_id, email_id, action) "
                  "VALUES (?, ?, 'queued')"));
  for (int64_t id : email_ids) {
    queued.Reset().BindRef(1, summary.save_id).Bind(2, id);
    STORE_RETURN_IF_ERROR(queued.Run());
  }
  SessionRecord saved = session;
  saved.save_summary = summary;
  STORE_RETURN_IF_ERROR(WriteSessionLocked(saved, /*insert=*/false));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return summary;
}

}  // namespace hubsync::storage
