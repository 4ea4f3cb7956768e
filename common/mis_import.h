// Parsing and validating MIS exports and hub seed files. Pure functions:
// bytes in, domain records and problems out.
#ifndef HUBSYNC_COMMON_MIS_IMPORT_H_
#define HUBSYNC_COMMON_MIS_IMPORT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/import_checks.h"
#include "common/types.h"

namespace hubsync {

// Uploaded files by base name ("users.csv" -> contents).
using UploadFiles = std::map<std::string, std::string>;

struct MisParseResult {
  MisSnapshot snapshot;           // id, school_id, create_time left empty
  std::vector<Problem> problems;  // empty means valid
  // A ParseLimits limit was passed (the problems say which, and where).
  bool over_limit = false;
};

// A OneRoster 1.1 or 1.2 CSV set (manifest.csv, orgs.csv, users.csv,
// classes.csv, enrollments.csv, demographics.csv, and roles.csv for 1.2).
// Students only; registration groups are homeroom classes.
MisParseResult ParseOneRoster(const UploadFiles& files,
                              const ParseLimits& limits = {});

// One row per learner; columns documented in docs/FORMATS.md:
// mis_id, upn, legal_forename, legal_surname, preferred_forename,
// preferred_surname, date_of_birth, gender, year_group, registration_group,
// classes (';'-separated), email.
MisParseResult ParsePlainCsv(std::string_view file_name, std::string_view data,
                             const ParseLimits& limits = {});

// Dispatches on format; kPushed is not an upload format.
MisParseResult ParseMisUpload(MisFormat format, const UploadFiles& files,
                              const ParseLimits& limits = {});

struct HubImportResult {
  std::vector<HubLearner> learners;  // ids empty, state UNSYNCED
  std::vector<Problem> problems;
  bool over_limit = false;  // as in MisParseResult
};

// Hand-made hub records: the plain columns without mis_id.
HubImportResult ParseHubLearnersCsv(std::string_view file_name,
                                    std::string_view data,
                                    const ParseLimits& limits = {});

// Validates one MIS learner record pushed by a service (not parsed from a
// file); problems name the record index as line and the field as message.
std::vector<Problem> ValidateMisRecords(
    const MisSnapshot& snapshot, size_t max_field_bytes = kMaxFieldBytes);

// Parses "2013-09-04" (also "04/09/2013" UK order). nullopt if invalid,
// including impossible dates such as 31/02.
std::optional<Date> ParseDate(std::string_view s);

// True for a date that exists (leap years included) in the years 1900-2200,
// the range ParseDate accepts.
bool IsRealDate(const Date& date);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_MIS_IMPORT_H_
