// RFC 4180 CSV reader that reports file, line and column of every problem.
#ifndef HUBSYNC_COMMON_CSV_H_
#define HUBSYNC_COMMON_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace hubsync {

struct CsvRecord {
  int line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;  // trimmed, BOM removed
  std::vector<CsvRecord> records;   // excludes the header; blank lines skipped
  // True when the file had more than `max_records` records after the header:
  // a problem says so and the parse stopped there.
  bool too_many_records = false;
  // Index of `name` in header (case-insensitive), or -1.
  int Column(std::string_view name) const;
};

// Parses `data` (UTF-8, optional BOM, LF or CRLF, quoted or unquoted fields).
// Appends every problem (invalid UTF-8, NUL bytes, unbalanced quotes, a
// record with the wrong number of fields, more than `max_records` records
// after the header) to `problems` with `file_name`; records with problems are
// left out of the table.
CsvTable ParseCsv(std::string_view file_name, std::string_view data,
                  std::vector<Problem>* problems,
                  size_t max_records = static_cast<size_t>(-1));

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_CSV_H_
