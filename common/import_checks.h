// Small checks shared by the MIS and hub importers.
#ifndef HUBSYNC_COMMON_IMPORT_CHECKS_H_
#define HUBSYNC_COMMON_IMPORT_CHECKS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/types.h"

namespace hubsync {

// Debian's Abseil has its own string_view type: convert explicitly.
inline absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

// Default longest accepted value of any one field of a record.
inline constexpr size_t kMaxFieldBytes = 256;

// Limits on one uploaded file set (hubsyncd --max_field_bytes,
// --max_upload_rows). A file past them is reported like any other problem,
// with the limit in the message, and the parse result says so (over_limit),
// so the server can answer RESOURCE_EXHAUSTED rather than INVALID_ARGUMENT.
struct ParseLimits {
  size_t max_field_bytes = kMaxFieldBytes;
  size_t max_rows = 2'000'000;  // data rows (not the header) in any one file
};

// What the caller of an import has said it means (request fields such as
// UploadHeader.allow_empty; CLI flags such as --allow-empty).
struct ImportOptions {
  // A roster with no learners is stored rather than refused. Without it an
  // empty MIS export or push (every student tobedeleted, a header-only CSV,
  // no records) is a problem: a sync against it would desync every pupil.
  bool allow_empty = false;
  // Hub learner CSV: columns hubsync does not read are ignored rather than
  // each reported as a problem.
  bool ignore_unknown_columns = false;
};

// The end of the problem that refuses an empty roster: how to say it is meant.
inline constexpr char kAllowEmptyHint[] =
    "an empty roster would desync every linked learner; if the school really "
    "has none, send it again with allow_empty (hubsync: --allow-empty)";

// One '@' with text on both sides, a dot in the domain, no spaces.
bool LooksLikeEmail(std::string_view s);

// Empty if `value` may be stored; otherwise what is wrong with it, for a
// problem message ("has a control character (U+0009, tab) at character
// 3"). The free-text rule of common/text_rule.h (TextProblem): C0 and C1
// controls, DEL, line separators, bidi overrides and invalid UTF-8 are
// refused; no name, id or email holds one, and a tab or CR leading a value
// is a spreadsheet formula trick.
std::string ControlCharacterProblem(std::string_view value);

// Checks one value read from `file` at line/column: appends a problem if it
// is longer than limits.max_field_bytes (and sets *over_limit) or holds a
// control character. `name` is the column as the message should call it.
// Returns true when the value is fine.
bool CheckValue(const std::string& file, int line, int column,
                std::string_view name, std::string_view value,
                const ParseLimits& limits, std::vector<Problem>* problems,
                bool* over_limit);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_IMPORT_CHECKS_H_
