// Domain <-> proto conversion. Request fields are validated here and a bad
// one comes back as INVALID_ARGUMENT naming the field.
#ifndef HUBSYNC_SERVER_SERVICE_CONVERT_H_
#define HUBSYNC_SERVER_SERVICE_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/session_types.h"
#include "common/types.h"
#include "hubsync/v1/accounts.pb.h"
#include "hubsync/v1/mis.pb.h"
#include "hubsync/v1/records.pb.h"
#include "hubsync/v1/sync.pb.h"
#include "server/session/row_context.h"
#include "server/session/session_manager.h"

namespace hubsync {

void ToProto(int64_t unix_seconds, google::protobuf::Timestamp* out);
void ToProto(const School& in, v1::School* out);
void ToProto(const HubLearner& in, v1::Learner* out);
void ToProto(const HubClass& in, v1::HubClass* out);
void ToProto(const MisLearner& in, v1::MisLearnerRecord* out);
void ToProto(const MisClass& in, v1::MisClassRecord* out);
void ToProto(const MisSnapshot& in, int64_t learners, int64_t classes,
             v1::MisSnapshot* out);
void ToProto(const SessionView& in, v1::Session* out);
void ToProto(const StatusCounts& in, v1::StatusSummary* out);
void ToProto(const SaveSummary& in, v1::SaveSummary* out);
void ToProto(const RevertSummary& in, v1::RevertSummary* out);
void ToProto(const SaveRecord& in, v1::SaveRecord* out);
void ToProto(const Row& in, const RowContext* context, v1::Row* out);
void ToProto(const SessionEvent& in, v1::SessionEvent* out);
void ToProto(const AuditRecord& in, v1::AuditRecord* out);
void ToProto(const OutboxEmail& in, v1::VerificationEmail* out);

v1::RowStatus ToProto(RowStatus s);
absl::StatusOr<RowStatus> FromProto(v1::RowStatus s);
absl::StatusOr<Scope> FromProto(const v1::Scope& in);
// `field` prefixes error messages, e.g. "learner" or "learners[3]".
absl::StatusOr<HubLearner> FromProto(const v1::Learner& in,
                                     const std::string& field);
absl::StatusOr<MisLearner> FromProto(const v1::MisLearnerRecord& in,
                                     const std::string& field);
absl::StatusOr<MisClass> FromProto(const v1::MisClassRecord& in,
                                   const std::string& field);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_CONVERT_H_
