// Rendering of API messages for people (aligned tables) and for scripts
// (JSON Lines in grpcurl's lowerCamel form). No RPCs here.
#ifndef HUBSYNC_CLIENT_CLI_RENDER_H_
#define HUBSYNC_CLIENT_CLI_RENDER_H_

#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "hubsync/v1/accounts.pb.h"
#include "hubsync/v1/hub.pb.h"
#include "hubsync/v1/mis.pb.h"
#include "hubsync/v1/records.pb.h"
#include "hubsync/v1/sync.pb.h"

namespace hubsync::cli {

// One JSON object on one line.
std::string JsonLine(const google::protobuf::Message& m);

// Columns padded to the widest cell (counted in UTF-8 characters).
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& os) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

std::string StatusLabel(v1::RowStatus s);   // "Not matched", "New", ...
std::string StepLabel(v1::SessionStep s);   // "PUPILS_PANEL" -> "Pupils panel"
std::string SyncStateLabel(v1::SyncState s);

void PrintSchools(const std::vector<v1::School>& schools, std::ostream& os);
void PrintLearners(const std::vector<v1::Learner>& learners, std::ostream& os);
void PrintClasses(const v1::ListClassesResponse& classes, std::ostream& os);
void PrintSnapshots(const std::vector<v1::MisSnapshot>& snapshots, std::ostream& os);
void PrintMisLearners(const v1::ListMisLearnersResponse& r, std::ostream& os);
void PrintSession(const v1::Session& s, std::ostream& os);
void PrintSummary(const v1::StatusSummary& s, std::ostream& os);
// The two-column sync screen; with `explain`, each paired row's evidence.
void PrintRows(const std::vector<v1::Row>& rows, bool explain, std::ostream& os);
void PrintSaveSummary(const v1::SaveResponse& r, std::ostream& os);
void PrintEmails(const v1::ListVerificationEmailsResponse& r, std::ostream& os);
void PrintAudit(const v1::ListAuditRecordsResponse& r, std::ostream& os);
void PrintEvent(const v1::SessionEvent& e, std::ostream& os);

}  // namespace hubsync::cli

#endif  // HUBSYNC_CLIENT_CLI_RENDER_H_
