// The audit trail: writing one record inside the caller's transaction, and
// reading a school's trail back (docs/SECURITY.md, "Audit trail").
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

// A learner record in the compact encoding (codec.h) as the JSON ListAudit
// gives: the whole learner before ("" when created) and after.
absl::Status LearnerRecordJson(absl::string_view before,
                               absl::string_view delta,
                               std::string* before_json,
                               std::string* after_json) {
  HubLearner b;
  if (!before.empty()) {
    STORE_ASSIGN_OR_RETURN(b, DecodeAuditLearner(before));
    *before_json = LearnerJson(b);
  }
  STORE_ASSIGN_OR_RETURN(HubLearner after,
                         ApplyAuditDelta(std::move(b), delta));
  *after_json = LearnerJson(after);
  return absl::OkStatus();
}

}  // namespace

absl::Status SqliteStore::WriteAuditLocked(const AuditRecord& a) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("INSERT INTO audit_log (school_id, session_id, actor, "
                  "actor_key_id, actor_role, verb, learner_id, record_id, "
                  "before_json, after_json, time, encoding) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,0)"));
  st.Bind(1, a.school_id)
      .Bind(2, a.session_id)
      .Bind(3, a.actor.name)
      .Bind(4, a.actor.key_id)
      .Bind(5, a.actor.role)
      .Bind(6, a.verb)
      .Bind(7, a.learner_id)
      .Bind(8, a.record_id)
      .Bind(9, a.before_json)
      .Bind(10, a.after_json)
      .Bind(11, a.time_unix != 0 ? a.time_unix : clock_->NowUnixSeconds());
  return st.Run();
}

namespace {

constexpr absl::string_view kAuditColumns =
    "id, school_id, session_id, actor, verb, learner_id, before_json, "
    "after_json, time, encoding, actor_key_id, actor_role, record_id";

// Appends the audit record(s) of the current audit_log row to *out: one,
// or a Save's packed learners, one record each. Only records for which
// `keep(id, learner_id)` holds are decoded and appended, at most `room` (a
// page needs only the first few of a big Save's row).
template <typename Keep>
absl::Status DecodeAuditRow(const Statement& st, Keep keep, size_t room,
                            std::vector<AuditRecord>* out) {
  const size_t stop = out->size() + room;
  AuditRecord a;
  a.id = st.Int(0);
  a.school_id = st.Text(1);
  a.session_id = st.Text(2);
  a.actor.name = st.Text(3);
  a.actor.key_id = st.Text(10);
  a.actor.role = st.Text(11);
  a.verb = st.Text(4);
  a.learner_id = st.Text(5);
  a.record_id = st.Text(12);
  a.time_unix = st.Int(8);
  const int64_t encoding = st.Int(9);
  if (encoding == 2) {  // a Save's learners, packed: one record each
    const std::string befores = st.Text(6);
    const std::string afters = st.Text(7);
    STORE_ASSIGN_OR_RETURN(std::vector<PackedAuditEntry> entries,
                           UnpackAudit(befores, afters));
    int64_t id = a.id - static_cast<int64_t>(entries.size());
    for (PackedAuditEntry& e : entries) {
      if (out->size() == stop) break;
      ++id;
      if (!keep(id, e.learner_id)) continue;
      AuditRecord& r = out->emplace_back(a);
      r.id = id;
      r.verb = std::string(e.verb);
      r.learner_id = std::move(e.learner_id);
      STORE_RETURN_IF_ERROR(
          LearnerRecordJson(e.before, e.delta, &r.before_json, &r.after_json));
      // A revert's removal of a learner the save created: nothing after.
      if (e.verb == "revert_remove") r.after_json.clear();
    }
    return absl::OkStatus();
  }
  if (!keep(a.id, a.learner_id)) return absl::OkStatus();
  if (encoding == 0) {  // JSON as written
    a.before_json = st.Text(6);
    a.after_json = st.Text(7);
  } else if (encoding == 1) {
    STORE_RETURN_IF_ERROR(LearnerRecordJson(st.Text(6), st.Text(7),
                                            &a.before_json, &a.after_json));
  } else {
    return absl::InternalError(absl::StrCat("database holds audit record ",
                                            a.id, " in unknown encoding ",
                                            encoding));
  }
  out->push_back(std::move(a));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<AuditRecord>> SqliteStore::ListAudit(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat("SELECT ", kAuditColumns,
                               " FROM audit_log WHERE school_id = ? "
                               "ORDER BY id")));
  st.Bind(1, school_id);
  std::vector<AuditRecord> out;
  const auto all = [](int64_t, absl::string_view) { return true; };
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    STORE_RETURN_IF_ERROR(DecodeAuditRow(st, all, SIZE_MAX, &out));
  }
  return out;
}

absl::StatusOr<Page<AuditRecord>> SqliteStore::PageAudit(
    const std::string& school_id, const std::string& session_id,
    const std::string& learner_id, const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 1));
  int64_t after_id = 0;
  if (!page.after.empty()) {
    STORE_ASSIGN_OR_RETURN(after_id, PageKeyInt(page.after[0]));
  }
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  // A packed row's id is its last record's, so every row holding a record
  // after `after_id` has a larger id. Its learner filter is applied to its
  // records, not to the row.
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat(
          "SELECT ", kAuditColumns,
          " FROM audit_log WHERE school_id = ?1 AND id > ?2",
          session_id.empty() ? "" : " AND session_id = ?3",
          learner_id.empty() ? "" : " AND (learner_id = ?4 OR encoding = 2)",
          " ORDER BY id")));
  st.BindRef(1, school_id).Bind(2, after_id);
  if (!session_id.empty()) st.BindRef(3, session_id);
  if (!learner_id.empty()) st.BindRef(4, learner_id);
  const auto keep = [&](int64_t id, absl::string_view learner) {
    return id > after_id && (learner_id.empty() || learner == learner_id);
  };
  Page<AuditRecord> out;
  std::vector<AuditRecord> decoded;
  while (out.items.size() <= page.size) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    decoded.clear();
    STORE_RETURN_IF_ERROR(
        DecodeAuditRow(st, keep, page.size + 1 - out.items.size(), &decoded));
    for (AuditRecord& a : decoded) {
      if (out.items.size() == page.size) {
        out.next = {absl::StrCat(out.items.back().id)};
        return out;
      }
      out.items.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace hubsync::storage
