// UK Unique Pupil Number rules (DfE check letter). See docs/FORMATS.md.
#ifndef HUBSYNC_COMMON_UPN_H_
#define HUBSYNC_COMMON_UPN_H_

#include <optional>
#include <string>
#include <string_view>

namespace hubsync {

// The check letter for the 12 characters after it (positions 2..13), or
// nullopt when the body is malformed (not 11 digits plus a digit or, for a
// temporary UPN, a letter of the check alphabet).
std::optional<char> UpnCheckLetter(std::string_view body12);

// Empty when `upn` is a well-formed UPN with the right check letter;
// otherwise a short reason ("expected 13 characters", "check letter should be
// B"). Surrounding spaces are not trimmed: callers normalise first.
std::string UpnProblem(std::string_view upn);

inline bool IsValidUpn(std::string_view upn) {
  return !upn.empty() && UpnProblem(upn).empty();
}

// Upper-cases and strips spaces; used before validation and storage.
std::string NormaliseUpn(std::string_view raw);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_UPN_H_
