// Rendering of API messages for people (aligned tables) and for scripts (JSON
// Lines with grpcurl's lowerCamel field names). No RPCs and no parsing here:
// every function takes messages and writes text.
#ifndef HUBSYNC_CLIENT_CLI_RENDER_H_
#define HUBSYNC_CLIENT_CLI_RENDER_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "hubsync/v1/accounts.pb.h"
#include "hubsync/v1/hub.pb.h"
#include "hubsync/v1/mis.pb.h"
#include "hubsync/v1/records.pb.h"
#include "hubsync/v1/sync.pb.h"

namespace hubsync::cli {

// One JSON object on one line, as grpcurl prints it: lowerCamel names, enums
// by name, int64 as strings, default values left out.
std::string JsonLine(const google::protobuf::Message& m);

// "error: NOT_FOUND: no session ses_1" (no newline).
std::string ErrorLine(const absl::Status& status);
// One line per problem: "users.csv:3:2: message" (line or column 0 left out).
// Every problem, then "... and N more" if the server listed fewer than it
// found.
std::string ProblemLines(const v1::UploadProblems& problems);

// Columns padded to the widest cell (counted in UTF-8 characters). A note is
// a free line printed under the row added last; it does not widen columns.
class Table {
 public:
  explicit Table(std::vector<std::string> header);
  void Add(std::vector<std::string> row);
  void AddNote(std::string line);
  // Without the header line when `header` is false (a list's later pages,
  // printed as they arrive; each page's columns are as wide as its own).
  void Print(std::ostream& os, bool header = true) const;

 private:
  struct Line {
    std::vector<std::string> cells;
    std::vector<std::string> notes;
  };
  std::vector<Line> lines_;
};

std::string SyncStateLabel(v1::SyncState s);
// "Eleanor Moss (Ellie)": legal names, then a different preferred forename.
std::string PersonName(const std::string& forename, const std::string& surname,
                       const std::string& preferred);
std::string TimeLabel(const google::protobuf::Timestamp& t);  // "" when unset

void PrintSchools(const std::vector<v1::School>& schools, std::ostream& os);
// The table, then "N learner(s)".
void PrintLearners(const std::vector<v1::Learner>& learners, std::ostream& os);
// The table alone (a page of a list; `header` on the first).
void PrintLearnerRows(const std::vector<v1::Learner>& learners, bool header,
                      std::ostream& os);
void PrintClasses(const v1::ListClassesResponse& classes, std::ostream& os,
                  bool header = true);
void PrintSnapshots(const std::vector<v1::MisSnapshot>& snapshots,
                    std::ostream& os, bool header = true);
void PrintMisLearners(const v1::ListMisLearnersResponse& r, std::ostream& os);
void PrintSession(const v1::Session& s, std::ostream& os);
// The decisions kept across StepBack: pending, or applied and dropped (each
// dropped one with its reason).
void PrintDecisions(const v1::DecisionReport& d, std::ostream& os);
void PrintSessions(const v1::ListSessionsResponse& r, std::ostream& os,
                   bool header = true);
// "Not matched 1 | New 2 | ... | total 9 | Import? ticked 1 | Email? ticked 0"
void PrintSummary(const v1::StatusSummary& s, std::ostream& os);
struct RowsView {
  bool explain = false;  // each paired row followed by its evidence and score
  bool email_column = true;  // the session's email option is on
};
// The two-column sync screen: hub learner left, MIS learner right, then the
// status and the Import? (New rows) and Email? (rows with a MIS email) ticks.
void PrintRows(const std::vector<v1::Row>& rows, const RowsView& view,
               std::ostream& os);
void PrintEdit(const v1::EditResponse& r, std::ostream& os);
void PrintSaveSummary(const v1::SaveResponse& r, std::ostream& os);
// An audit record's changed fields, "field: before -> after; ...", or
// "created NAME" for a new learner.
std::string AuditChanges(const v1::AuditRecord& a);
// What the mass-desync guard refused, for a person: the count, the share
// and what it usually means.
std::string MassDesyncWarning(const v1::MassDesync& guard);
// The May match rows a save was refused for (nobody marked them reviewed),
// one a line, and what a save does to them.
std::string UnreviewedWarning(const v1::UnreviewedMayMatch& unreviewed,
                              const std::string& session_id);
void PrintEmails(const v1::ListVerificationEmailsResponse& r, std::ostream& os,
                 bool header = true);
void PrintAudit(const v1::ListAuditRecordsResponse& r, std::ostream& os,
                bool header = true);
void PrintEvent(const v1::SessionEvent& e, std::ostream& os);

}  // namespace hubsync::cli

#endif  // HUBSYNC_CLIENT_CLI_RENDER_H_
