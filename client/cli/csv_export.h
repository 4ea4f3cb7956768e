// CSV written by the CLI (`learner export`). Every cell that a spreadsheet
// would read as a formula is neutralised as OWASP's "CSV Injection" page
// advises: a value starting with '=', '+', '-', '@', tab or carriage return
// gets a leading apostrophe and is quoted, so Excel and LibreOffice show
// the text instead of running it.
#ifndef HUBSYNC_CLIENT_CLI_CSV_EXPORT_H_
#define HUBSYNC_CLIENT_CLI_CSV_EXPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "hubsync/v1/records.pb.h"
#include "hubsync/v1/sync.pb.h"

namespace hubsync::cli {

// One RFC 4180 cell: quoted when it holds a comma, a quote, CR or LF, or is
// neutralised (quotes inside doubled).
std::string CsvCell(std::string_view value);

// Cells joined by commas, ended by CRLF (RFC 4180).
std::string CsvRow(const std::vector<std::string>& cells);

// The header and one row per learner: the hub learner CSV columns
// (docs/FORMATS.md), plus learner_id, mis_id and sync_state.
std::string LearnersCsv(const std::vector<v1::Learner>& learners);
// The same in parts, for a list written page by page: the header row, then
// the rows of each page.
std::string LearnersCsvHeader();
std::string LearnersCsvRows(const std::vector<v1::Learner>& learners);

// The sync screen as CSV (`sync rows --csv`, docs/FORMATS.md), for a school
// that reviews on paper or in a spreadsheet: status, learner_id, hub_name,
// mis_id, mis_name, year_group, registration_group (the MIS's when the row
// has a MIS learner, else the hub's), import, sync_email, decided_by_admin
// (yes / no), score, reason and evidence ("field:level" joined with "; ").
// Written a batch of rows at a time, as they stream.
std::string SyncRowsCsvHeader();
std::string SyncRowsCsvRows(
    const google::protobuf::RepeatedPtrField<v1::Row>& rows);

}  // namespace hubsync::cli

#endif  // HUBSYNC_CLIENT_CLI_CSV_EXPORT_H_
