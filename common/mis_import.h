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
// Students only; registration groups are homeroom classes. A user who looks
// like a pupil (enrolled as a student, or with grades and no role) but is not
// a student by role is a problem, as is a set with no students unless
// options.allow_empty.
MisParseResult ParseOneRoster(const UploadFiles& files,
                              const ParseLimits& limits = {},
                              const ImportOptions& options = {});

// One row per learner; columns documented in docs/FORMATS.md:
// mis_id, upn, legal_forename, legal_surname, preferred_forename,
// preferred_surname, date_of_birth, gender, year_group, registration_group,
// classes (';'-separated), email. A file with no learners is a problem
// unless options.allow_empty.
MisParseResult ParsePlainCsv(std::string_view file_name, std::string_view data,
                             const ParseLimits& limits = {},
                             const ImportOptions& options = {});

// Dispatches on format; kPushed is not an upload format.
MisParseResult ParseMisUpload(MisFormat format, const UploadFiles& files,
                              const ParseLimits& limits = {},
                              const ImportOptions& options = {});

struct HubImportResult {
  std::vector<HubLearner> learners;  // ids empty, state UNSYNCED
  std::vector<Problem> problems;
  bool over_limit = false;  // as in MisParseResult
};

// Hand-made hub records: the plain columns without mis_id. Any other column
// is a problem (one per column, on line 1) unless
// options.ignore_unknown_columns; the columns `learner export` adds
// (learner_id, mis_id, sync_state) are read back and ignored.
HubImportResult ParseHubLearnersCsv(std::string_view file_name,
                                    std::string_view data,
                                    const ParseLimits& limits = {},
                                    const ImportOptions& options = {});

// Validates one MIS learner record pushed by a service (not parsed from a
// file); problems name the record index as line and the field as message.
// Year groups must be canonical ("7", not "07"); no learners is a problem
// unless options.allow_empty.
std::vector<Problem> ValidateMisRecords(const MisSnapshot& snapshot,
                                        size_t max_field_bytes = kMaxFieldBytes,
                                        const ImportOptions& options = {});

// Parses "2013-09-04" (also "04/09/2013" UK order). nullopt if invalid,
// including impossible dates such as 31/02.
std::optional<Date> ParseDate(std::string_view s);

// Only "2013-09-04": four-digit year, two-digit month and day, a real date.
// What a request's date of birth must be (PushMisRecords).
std::optional<Date> ParseIsoDate(std::string_view s);

// True for a date that exists (leap years included) in the years 1900-2200,
// the range ParseDate accepts.
bool IsRealDate(const Date& date);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_MIS_IMPORT_H_
