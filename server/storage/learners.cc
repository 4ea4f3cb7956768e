// Hub learners and classes: CreateLearners, GetLearner, ListLearners,
// ListClasses.
#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/learner_rows.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

absl::Status Required(size_t index, absl::string_view field) {
  return absl::InvalidArgumentError(
      absl::StrCat("learners[", index, "].", field, " is required"));
}

// The learners a stored request id created, as they are now, in creation
// order; or, for the same id with another request, FAILED_PRECONDITION.
absl::StatusOr<std::vector<HubLearner>> Replay(Db* db,
                                               const std::string& school_id,
                                               const RequestKey& request,
                                               Statement& found) {
  const std::string verb = found.Text(0);
  if (verb != request.verb || found.Text(1) != request.fingerprint) {
    return absl::FailedPreconditionError(absl::StrCat(
        "request_id '", request.id, "' was already used in this school for ",
        verb == request.verb ? "a different " : "", verb,
        verb == request.verb ? " request" : "",
        ": a new request needs a new request id"));
  }
  STORE_ASSIGN_OR_RETURN(LearnerReader reader, LearnerReader::Create(db));
  std::vector<HubLearner> out;
  StoredLearner stored;
  for (const std::string& id : SplitList(found.Text(2))) {
    STORE_ASSIGN_OR_RETURN(bool exists, reader.Get(school_id, id, &stored));
    if (exists) out.push_back(std::move(stored.learner));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<HubLearner>> SqliteStore::CreateLearners(
    const std::string& school_id, std::vector<HubLearner> learners,
    const Actor& actor, const RequestKey& request) {
  // Validate the whole batch before touching the database.
  absl::flat_hash_set<std::string> batch_mis_ids;
  for (size_t i = 0; i < learners.size(); ++i) {
    const HubLearner& l = learners[i];
    if (l.legal_forename.empty()) return Required(i, "legal_forename");
    if (l.legal_surname.empty()) return Required(i, "legal_surname");
    if (!l.mis_id.empty() && !batch_mis_ids.insert(l.mis_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("learners[", i, "].mis_id ", l.mis_id,
                       " appears twice in the batch"));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  if (!request.id.empty()) {
    STORE_ASSIGN_OR_RETURN(
        Statement found,
        db_.Prepare("SELECT verb, fingerprint, learner_ids FROM request_ids "
                    "WHERE school_id = ? AND request_id = ?"));
    found.Bind(1, school_id).Bind(2, request.id);
    STORE_ASSIGN_OR_RETURN(bool seen, found.Step());
    if (seen) return Replay(&db_, school_id, request, found);
  }

  // Subject classes by name; a class synced from the MIS wins over a
  // hand-made one of the same name.
  absl::flat_hash_map<std::string, std::string> class_by_name;
  STORE_ASSIGN_OR_RETURN(
      Statement classes,
      db_.Prepare("SELECT name, id FROM hub_classes WHERE school_id = ? AND "
                  "kind = 'subject' ORDER BY mis_id IS NULL DESC, id DESC"));
  classes.Bind(1, school_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, classes.Step());
    if (!row) break;
    class_by_name[classes.Text(0)] = classes.Text(1);  // last one wins
  }
  STORE_ASSIGN_OR_RETURN(
      Statement new_class,
      db_.Prepare("INSERT INTO hub_classes (id, school_id, mis_id, name, kind, "
                  "year_group) VALUES (?, ?, NULL, ?, 'subject', '')"));
  STORE_ASSIGN_OR_RETURN(
      Statement linked,
      db_.Prepare("SELECT id FROM hub_learners WHERE school_id = ? AND "
                  "mis_id = ?"));
  STORE_ASSIGN_OR_RETURN(LearnerWriter writer, LearnerWriter::Create(&db_));
  // The audit trail: one "create" per learner, in the same transaction.
  STORE_ASSIGN_OR_RETURN(
      Statement audit,
      db_.Prepare("INSERT INTO audit_log (school_id, session_id, actor, "
                  "actor_key_id, actor_role, verb, learner_id, before_json, "
                  "after_json, time, encoding) "
                  "VALUES (?1, '', ?2, ?6, ?7, 'create', ?3, '', ?4, ?5, 1)"));
  std::string audit_after;

  const int64_t now = clock_->NowUnixSeconds();
  for (size_t i = 0; i < learners.size(); ++i) {
    HubLearner& l = learners[i];
    if (!l.mis_id.empty()) {
      linked.Reset().Bind(1, school_id).Bind(2, l.mis_id);
      STORE_ASSIGN_OR_RETURN(bool taken, linked.Step());
      if (taken) {
        return absl::FailedPreconditionError(
            absl::StrCat("learners[", i, "].mis_id ", l.mis_id,
                         " is already linked to learner ", linked.Text(0)));
      }
    }
    l.id = ids_->NewId("lrn");
    l.school_id = school_id;
    l.sync_state = SyncState::kUnsynced;
    l.update_time_unix = now;
    std::sort(l.classes.begin(), l.classes.end());
    l.classes.erase(std::unique(l.classes.begin(), l.classes.end()),
                    l.classes.end());
    std::vector<std::string> class_ids;
    for (const std::string& name : l.classes) {
      if (name.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("learners[", i, "].classes has an empty name"));
      }
      auto [it, inserted] = class_by_name.try_emplace(name);
      if (inserted) {
        it->second = ids_->NewId("cls");
        new_class.Reset().Bind(1, it->second).Bind(2, school_id).Bind(3, name);
        STORE_RETURN_IF_ERROR(new_class.Run());
      }
      class_ids.push_back(it->second);
    }
    STORE_RETURN_IF_ERROR(writer.Upsert(l));
    STORE_RETURN_IF_ERROR(writer.SetClasses(l.id, class_ids));
    audit_after.clear();
    EncodeAuditDelta(&audit_after, HubLearner{}, l);
    audit.Reset()
        .BindRef(1, school_id)
        .BindRef(2, actor.name)
        .BindRef(3, l.id)
        .BindRef(4, audit_after)
        .Bind(5, now)
        .BindRef(6, actor.key_id)
        .BindRef(7, actor.role);
    STORE_RETURN_IF_ERROR(audit.Run());
  }
  if (!learners.empty()) STORE_RETURN_IF_ERROR(BumpHubVersionLocked(school_id));
  if (!request.id.empty()) {
    std::vector<std::string> ids;
    ids.reserve(learners.size());
    for (const HubLearner& l : learners) ids.push_back(l.id);
    STORE_ASSIGN_OR_RETURN(
        Statement remember,
        db_.Prepare("INSERT INTO request_ids (school_id, request_id, verb, "
                    "fingerprint, learner_ids, create_time) "
                    "VALUES (?, ?, ?, ?, ?, ?)"));
    remember.Bind(1, school_id)
        .Bind(2, request.id)
        .Bind(3, request.verb)
        .Bind(4, request.fingerprint)
        .Bind(5, JoinList(ids))
        .Bind(6, now);
    STORE_RETURN_IF_ERROR(remember.Run());
  }
  STORE_RETURN_IF_ERROR(txn.Commit());
  return learners;
}

absl::StatusOr<HubLearner> SqliteStore::GetLearner(
    const std::string& learner_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_ASSIGN_OR_RETURN(std::vector<HubLearner> found,
                         ReadLearners(&db_, "l.id = ?", learner_id));
  if (found.empty()) {
    return absl::NotFoundError(
        absl::StrCat("learner ", learner_id, " not found"));
  }
  return std::move(found.front());
}

absl::StatusOr<std::vector<HubLearner>> SqliteStore::ListLearners(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  return ReadLearners(&db_, "l.school_id = ? AND l.archive_time = 0",
                      school_id);
}

absl::StatusOr<Page<HubLearner>> SqliteStore::PageLearners(
    const std::string& school_id, const PageRequest& page, bool archived) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  return ReadLearnerPage(&db_, school_id, page, archived);
}

absl::StatusOr<Page<HubClass>> SqliteStore::PageClasses(
    const std::string& school_id, const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 3));
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat(
          "SELECT id, school_id, mis_id, name, kind, year_group "
          "FROM hub_classes WHERE school_id = ?1",
          page.after.empty() ? "" : " AND (kind, name, id) > (?3, ?4, ?5)",
          " ORDER BY kind, name, id LIMIT ?2")));
  st.BindRef(1, school_id).Bind(2, static_cast<int64_t>(page.size + 1));
  for (size_t i = 0; i < page.after.size(); ++i) {
    st.BindRef(static_cast<int>(i) + 3, page.after[i]);
  }
  Page<HubClass> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      const HubClass& last = out.items.back();
      out.next = {std::string(ToText(last.kind)), last.name, last.id};
      break;
    }
    HubClass& c = out.items.emplace_back();
    c.id = st.Text(0);
    c.school_id = st.Text(1);
    c.mis_id = st.Text(2);
    c.name = st.Text(3);
    STORE_ASSIGN_OR_RETURN(c.kind, ClassKindFromText(st.Text(4)));
    c.year_group = st.Text(5);
  }
  return out;
}

absl::StatusOr<std::vector<HubClass>> SqliteStore::ListClasses(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT id, school_id, mis_id, name, kind, year_group "
                  "FROM hub_classes WHERE school_id = ? "
                  "ORDER BY kind, name, id"));
  st.Bind(1, school_id);
  std::vector<HubClass> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    HubClass& c = out.emplace_back();
    c.id = st.Text(0);
    c.school_id = st.Text(1);
    c.mis_id = st.Text(2);
    c.name = st.Text(3);
    STORE_ASSIGN_OR_RETURN(c.kind, ClassKindFromText(st.Text(4)));
    c.year_group = st.Text(5);
  }
  return out;
}

}  // namespace hubsync::storage
