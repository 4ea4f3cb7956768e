#include "server/session/session_audit.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"

namespace hubsync {
namespace {

using storage::AppendJsonString;

const char* Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string RowsJson(const std::vector<Row>& rows,
                     const std::vector<int64_t>& removed_row_ids) {
  std::string out = "{\"rows\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    absl::StrAppend(&out, i ? "," : "", "{\"row_id\":", r.row_id,
                    ",\"status\":");
    AppendJsonString(&out, RowStatusName(r.status));
    out += ",\"learner_id\":";
    AppendJsonString(&out, r.hub_learner_id);
    out += ",\"mis_id\":";
    AppendJsonString(&out, r.mis_id);
    absl::StrAppend(&out, ",\"import\":", Bool(r.import),
                    ",\"sync_email\":", Bool(r.sync_email),
                    ",\"decided_by_admin\":", Bool(r.decided_by_admin),
                    ",\"reviewed\":", Bool(r.reviewed), "}");
  }
  out += "]";
  if (!removed_row_ids.empty()) {
    out += ",\"removed_row_ids\":[";
    for (size_t i = 0; i < removed_row_ids.size(); ++i) {
      absl::StrAppend(&out, i ? "," : "", removed_row_ids[i]);
    }
    out += "]";
  }
  out += "}";
  return out;
}

AuditRecord RowEditAudit(const std::string& verb, const Actor& actor,
                         const RowDelta& delta) {
  AuditRecord a;
  a.actor = actor;
  a.verb = verb;
  std::set<std::string> learners;
  for (const auto* rows : {&delta.before, &delta.changed}) {
    for (const Row& r : *rows) {
      if (!r.hub_learner_id.empty()) learners.insert(r.hub_learner_id);
    }
  }
  if (learners.size() == 1) a.learner_id = *learners.begin();
  a.before_json = RowsJson(delta.before);
  a.after_json = RowsJson(delta.changed, delta.removed_ids);
  return a;
}

std::string SessionStateJson(const SessionRecord& s) {
  std::string out = "{\"step\":";
  AppendJsonString(&out, storage::ToText(s.step));
  out += ",\"scope_kind\":";
  AppendJsonString(&out, storage::ToText(s.scope.kind));
  out += ",\"scope_values\":[";
  for (size_t i = 0; i < s.scope.values.size(); ++i) {
    if (i) out += ",";
    AppendJsonString(&out, s.scope.values[i]);
  }
  absl::StrAppend(&out, "],\"sync_emails\":", Bool(s.sync_emails), "}");
  return out;
}

AuditRecord SessionAudit(const std::string& verb, const Actor& actor,
                         const SessionRecord& before,
                         const SessionRecord& after) {
  AuditRecord a;
  a.actor = actor;
  a.verb = verb;
  a.record_id = after.id;
  a.before_json = SessionStateJson(before);
  a.after_json = SessionStateJson(after);
  return a;
}

}  // namespace hubsync
