// The audit records a session's verbs write (docs/SECURITY.md, "Audit
// trail"): which verb, by whom (the authenticated caller), which rows, and
// their state before and after. They hold row ids, record ids and states,
// never personal data: the rows name learners by id. Private to
// server/session; the store writes them in the edit's own transaction.
#ifndef HUBSYNC_SERVER_SESSION_SESSION_AUDIT_H_
#define HUBSYNC_SERVER_SESSION_SESSION_AUDIT_H_

#include <string>
#include <vector>

#include "common/session_types.h"
#include "common/types.h"
#include "server/session/edits.h"

namespace hubsync {

// {"rows":[{"row_id":..,"status":..,"learner_id":..,"mis_id":..,"import":..,
// "sync_email":..,"decided_by_admin":..,"reviewed":..}, ...]}, plus
// "removed_row_ids" when given.
std::string RowsJson(const std::vector<Row>& rows,
                     const std::vector<int64_t>& removed_row_ids = {});

// The record of a row edit (verb e.g. "set_import"): before = the rows as
// they were, after = the rows as they are and the ids of rows removed. The
// learner id is set when the edit touched exactly one hub learner.
AuditRecord RowEditAudit(const std::string& verb, const Actor& actor,
                         const RowDelta& delta);

// {"step":..,"scope_kind":..,"scope_values":[..],"sync_emails":..}
std::string SessionStateJson(const SessionRecord& s);

// A session-level record (e.g. "set_scope", "cancel_session").
AuditRecord SessionAudit(const std::string& verb, const Actor& actor,
                         const SessionRecord& before,
                         const SessionRecord& after);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_SESSION_AUDIT_H_
