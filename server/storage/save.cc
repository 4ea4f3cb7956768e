// ApplySave: the whole of "Save and sync pupils" in one transaction.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/learner_rows.h"
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
        hub_version, ", session saw ", plan.expected_hub_version,
        "); classify again"));
  }
  if (session.id != plan.session_id) {
    return absl::InvalidArgumentError(absl::StrCat("save plan is for session ",
                                                   plan.session_id,
                                                   ", record is ", session.id));
  }
  STORE_RETURN_IF_ERROR(CheckSessionVersionLocked(session));

  // The school's learners as they are now (for the audit "before") and its
  // MIS-synced classes by MIS id.
  STORE_ASSIGN_OR_RETURN(std::vector<HubLearner> current,
                         ReadLearners(&db_, "l.school_id = ?", school_id));
  absl::flat_hash_map<std::string, HubLearner*> learner_by_id;
  for (HubLearner& l : current) learner_by_id[l.id] = &l;
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

  STORE_ASSIGN_OR_RETURN(LearnerWriter writer, LearnerWriter::Create(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement audit,
      db_.Prepare("INSERT INTO audit_log (school_id, session_id, actor, verb, "
                  "learner_id, before_json, after_json, time) "
                  "VALUES (?,?,?,?,?,?,?,?)"));
  STORE_ASSIGN_OR_RETURN(
      Statement email,
      db_.Prepare("INSERT INTO email_outbox (school_id, learner_id, address, "
                  "kind, status, create_time) "
                  "VALUES (?, ?, ?, 'verification', 'queued', ?)"));

  const int64_t now = clock_->NowUnixSeconds();
  SaveSummary summary;
  summary.unaffected = plan.unaffected;
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    const PlannedChange& change = plan.changes[i];
    HubLearner after;
    std::string before_json;
    if (change.change == LearnerChange::kImport) {
      after = change.after;
      after.id = ids_->NewId("lrn");
      ++summary.imported;
    } else {
      auto it = learner_by_id.find(change.before.id);
      if (it == learner_by_id.end()) {
        return absl::NotFoundError(
            absl::StrCat("change ", i, ": learner ", change.before.id,
                         " not found in school ", school_id));
      }
      const HubLearner& stored = *it->second;
      before_json = LearnerJson(stored);
      if (change.change == LearnerChange::kDesync) {
        after = stored;  // class, year, memberships and MIS id all kept
        after.sync_state = SyncState::kDesynced;
        after.update_time_unix = now;
        STORE_RETURN_IF_ERROR(
            writer.SetState(after.id, SyncState::kDesynced, now));
        ++summary.desynced;
      } else {
        after = change.after;
        after.id = stored.id;
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
      std::vector<std::string> class_ids;
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
      STORE_RETURN_IF_ERROR(writer.Upsert(after));
      STORE_RETURN_IF_ERROR(writer.SetClasses(after.id, class_ids));
    }
    audit.Reset()
        .Bind(1, school_id)
        .Bind(2, plan.session_id)
        .Bind(3, plan.actor)
        .Bind(4, Verb(change.change))
        .Bind(5, after.id)
        .Bind(6, before_json)
        .Bind(7, LearnerJson(after))
        .Bind(8, now);
    STORE_RETURN_IF_ERROR(audit.Run());
    ++summary.audit_records;
    if (change.queue_verification_email) {
      if (after.email.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "change ", i, ": learner ", after.id,
            " has no email address to send a verification email to"));
      }
      email.Reset()
          .Bind(1, school_id)
          .Bind(2, after.id)
          .Bind(3, after.email)
          .Bind(4, now);
      STORE_RETURN_IF_ERROR(email.Run());
      ++summary.emails_queued;
    }
  }

  // Only a save that changed learners moves the hub on; an empty save must
  // not make every other open session stale.
  if (!plan.changes.empty()) {
    STORE_RETURN_IF_ERROR(BumpHubVersionLocked(school_id));
  }
  SessionRecord saved = session;
  saved.save_summary = summary;
  STORE_RETURN_IF_ERROR(WriteSessionLocked(saved, /*insert=*/false));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return summary;
}

}  // namespace hubsync::storage
