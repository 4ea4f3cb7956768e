// Upload problems as the user reads them ("file:line:column: message"), and
// a matcher for one of them.
#ifndef HUBSYNC_TESTS_TESTING_PROBLEM_MATCHERS_H_
#define HUBSYNC_TESTS_TESTING_PROBLEM_MATCHERS_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/types.h"
#include "gmock/gmock.h"

namespace hubsync {

inline std::vector<std::string> Rendered(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  for (const Problem& p : problems) {
    out.push_back(
        absl::StrCat(p.file, ":", p.line, ":", p.column, ": ", p.message));
  }
  return out;
}

// A problem at file:line:column whose message contains `text`.
inline ::testing::Matcher<std::string> ProblemAt(const std::string& file,
                                                 int line, int column,
                                                 const std::string& text) {
  return ::testing::AllOf(
      ::testing::StartsWith(absl::StrCat(file, ":", line, ":", column, ": ")),
      ::testing::HasSubstr(text));
}

}  // namespace hubsync

#endif  // HUBSYNC_TESTS_TESTING_PROBLEM_MATCHERS_H_
