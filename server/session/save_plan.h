// Turns a reviewed sync screen into the changes Save applies, per the table
// in docs/SYNC.md. Pure: the store applies the plan in one transaction.
#ifndef HUBSYNC_SERVER_SESSION_SAVE_PLAN_H_
#define HUBSYNC_SERVER_SESSION_SAVE_PLAN_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/session_types.h"
#include "server/session/row_context.h"

namespace hubsync {

// The hub record `hub` would become when overwritten from `mis`: names, date
// of birth, gender, UPN, year group, registration group and classes come from
// the MIS (a blank MIS value keeps the hub value, except classes and groups,
// which the MIS owns); the email only when `take_email`. Linked and SYNCED.
HubLearner OverwriteFromMis(const HubLearner& hub, const MisLearner& mis,
                            bool take_email);

// INTERNAL if a row names a record missing from the context (a bug).
absl::StatusOr<SavePlan> BuildSavePlan(const SessionRecord& session,
                                       const std::vector<Row>& rows,
                                       const RowContext& context);

// The counts a store's ApplySave of `plan` reports: one per change by verb,
// the verification emails, the unaffected rows and one audit record per
// change. What a dry run of the save returns.
SaveSummary SummariseSavePlan(const SavePlan& plan);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_SAVE_PLAN_H_
