// The admin's decisions kept across StepBack (docs/SYNC.md, "Stepping
// back"): read off a sync screen's rows, and applied to the rows of the next
// classification. Pure functions over rows; private to server/session.
#ifndef HUBSYNC_SERVER_SESSION_DECISIONS_H_
#define HUBSYNC_SERVER_SESSION_DECISIONS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "common/session_types.h"
#include "common/types.h"
#include "server/session/row_context.h"

namespace hubsync {

// The decisions on a sync screen: every Match (a Matched row decided by the
// admin), every Unmatch of `unmatched` whose pair is not paired again, and
// the ticks of every row the admin ticked (Import? on New rows, and an
// Unmatch's New row even unticked; Sync email? on any row).
std::vector<KeptDecision> DecisionsOf(
    const std::vector<Row>& rows, const std::vector<KeptDecision>& unmatched);

// The learner ids and MIS ids the decisions name: the classification holds
// back the rows of these learners until it can apply the decisions.
struct DecisionIds {
  absl::flat_hash_set<std::string> learners;
  absl::flat_hash_set<std::string> mis;
  bool Touches(const Row& row) const;
};
DecisionIds IdsOf(const std::vector<KeptDecision>& decisions);

struct DecisionOutcome {
  int64_t applied = 0;
  int64_t dropped_count = 0;
  std::vector<DroppedDecision> dropped;  // at most SessionDecisions::kMaxListed
  // For the audit trail: each dropped decision by ids, with its reason.
  std::string dropped_json;  // [{"decision":"match","learner_id":..,...}]
  // The Unmatches applied, for the next StepBack.
  std::vector<KeptDecision> unmatched;
};

// Applies `decisions` to `rows` (the held-back rows of a classification,
// ordered by row_id; `next_row_id` is the id the next added row gets):
// Unmatches first (a pair still proposed is split), then Matches (both
// learners on a row and free: Not matched and New), then the ticks (Import?
// on a row still New; Sync email? when the session's option is on and the
// row's MIS record has an email). What cannot be applied is dropped, with
// the reason.
DecisionOutcome ApplyDecisions(const std::vector<KeptDecision>& decisions,
                               const RowContext& context, bool sync_emails,
                               std::vector<Row>* rows, int64_t* next_row_id);

// Adds the pair of `row` (as it was before Unmatch split it) to the
// record's decisions, for DecisionsOf at StepBack.
void RememberUnmatch(SessionRecord* record, const Row& row);

// "Match Ann Lee (lrn_..) <-> m-17 (Ann Lee)", "Unmatch ...", "Import? ...",
// "Sync email? ..." with the learners' names from `context` where known.
std::string DescribeDecision(const KeptDecision& d, const RowContext& context);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_DECISIONS_H_
