// How domain values are written to and read from SQLite columns: enums as
// readable text, dates as ISO text, lists joined with '\x1f', explanation
// evidence as "field\tlevel\tweight" lines, audit snapshots as small JSON.
#ifndef HUBSYNC_SERVER_STORAGE_CODEC_H_
#define HUBSYNC_SERVER_STORAGE_CODEC_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/session_types.h"
#include "common/types.h"

namespace hubsync::storage {

// Enum <-> column text. The parsers return INTERNAL for a value no version
// of the code wrote (a corrupt or hand-edited database).
absl::string_view ToText(SyncState v);
absl::string_view ToText(ClassKind v);
absl::string_view ToText(MisFormat v);
absl::string_view ToText(RowStatus v);
absl::string_view ToText(SessionStep v);
absl::string_view ToText(ScopeKind v);
absl::StatusOr<SyncState> SyncStateFromText(absl::string_view s);
absl::StatusOr<ClassKind> ClassKindFromText(absl::string_view s);
absl::StatusOr<MisFormat> MisFormatFromText(absl::string_view s);
absl::StatusOr<RowStatus> RowStatusFromText(absl::string_view s);
absl::StatusOr<SessionStep> SessionStepFromText(absl::string_view s);
absl::StatusOr<ScopeKind> ScopeKindFromText(absl::string_view s);

// "2013-09-04"; nullopt for NULL / empty. A malformed stored date is
// INTERNAL.
absl::StatusOr<std::optional<Date>> DateFromText(absl::string_view s);

// Lists of names or ids. An empty list is ""; (so a list holding one empty
// string reads back as empty: no caller stores empty names).
std::string JoinList(const std::vector<std::string>& items);
std::vector<std::string> SplitList(absl::string_view joined);

// Explanation evidence, one line per field; tabs, newlines and backslashes
// inside a field or level are escaped. Weights round-trip exactly.
std::string EncodeEvidence(const std::vector<FieldEvidence>& fields);
void AppendEvidence(std::string* out, const std::vector<FieldEvidence>& fields);
absl::StatusOr<std::vector<FieldEvidence>> DecodeEvidence(absl::string_view s);

// A session's decisions kept across StepBack (sessions.decisions,
// migration 10), one line each: a header "N applied dropped_count", then
// "<tag> <flags> <bytes>:<a><bytes>:<b>" with tag M (Match), U (Unmatch),
// T (ticks) for the kept decisions, P for a pair Unmatch split, and D for a
// dropped decision (a = what, b = why); flags: 1 Import?, 2 Sync email?.
// No decisions is "". A malformed value is INTERNAL.
std::string EncodeDecisions(const SessionDecisions* d);
absl::StatusOr<std::shared_ptr<const SessionDecisions>> DecodeDecisions(
    absl::string_view s);

// Compact audit records (audit_log.encoding 1): the "before" learner as its
// fields joined with U+001F (special characters escaped), and the "after" as
// only the fields that differ from "before" (an import: from an empty
// learner). A third of the bytes of the JSON, and cheaper to make; ListAudit
// turns both back into the same JSON as LearnerJson.
void EncodeAuditLearner(std::string* out, const HubLearner& l);
void EncodeAuditDelta(std::string* out, const HubLearner& before,
                      const HubLearner& after);
absl::StatusOr<HubLearner> DecodeAuditLearner(absl::string_view s);
absl::StatusOr<HubLearner> ApplyAuditDelta(HubLearner before,
                                           absl::string_view delta);

// Packed audit records (audit_log.encoding 2): a Save's learner records,
// many to a row, so a save of 100,000 learners writes a hundred rows rather
// than 100,000 (the school, session, actor, key and time are the same for
// all of them). before_json holds each entry's EncodeAuditLearner ("" for an
// import), after_json each entry's "verb US learner_id US delta"; both are
// joined with U+001C in the same order. Entry k (from 0) of a row with id R
// and N entries is audit record R - N + 1 + k: the save reserves the ids, so
// ListAudit gives every learner's record its own id, in order.
struct PackedAudit {
  std::string befores, afters;
  int64_t count = 0;

  // `before` and `delta` as EncodeAuditLearner and EncodeAuditDelta made
  // them (`before` empty for an import).
  void Add(absl::string_view verb, absl::string_view learner_id,
           absl::string_view before, absl::string_view delta);
  void Clear();
};
struct PackedAuditEntry {
  absl::string_view verb;
  std::string learner_id;
  absl::string_view before;  // "" for an import
  absl::string_view delta;
};
// The entries of one packed row, in order; INTERNAL if it is malformed.
absl::StatusOr<std::vector<PackedAuditEntry>> UnpackAudit(
    absl::string_view befores, absl::string_view afters);

// A JSON string literal, quotes included.
std::string JsonString(absl::string_view s);
void AppendJsonString(std::string* out, absl::string_view s);
// The learner's fields as one JSON object (for the audit log).
std::string LearnerJson(const HubLearner& l);
// The same, appended to *out (no temporaries: a save writes two per learner).
void AppendLearnerJson(std::string* out, const HubLearner& l);

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_CODEC_H_
