// Small status matchers (Abseil 20220623 ships none) and test helpers.
#ifndef HUBSYNC_TESTS_TESTING_STATUS_MATCHERS_H_
#define HUBSYNC_TESTS_TESTING_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace hubsync::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) {
  return s.status();
}

MATCHER(IsOk, "is OK") {
  const absl::Status& s = ::hubsync::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s;
  return s.ok();
}

// StatusIs(code) and StatusIs(code, message_matcher).
MATCHER_P(StatusIs, code, "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = ::hubsync::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + absl::StatusCodeToString(code)) {
  const absl::Status& s = ::hubsync::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(
             message_matcher, std::string(s.message()), result_listener);
}

#define HUBSYNC_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  HUBSYNC_ASSERT_OK_AND_ASSIGN_IMPL(HUBSYNC_CONCAT(_so_, __LINE__), lhs, expr)
#define HUBSYNC_CONCAT_INNER(a, b) a##b
#define HUBSYNC_CONCAT(a, b) HUBSYNC_CONCAT_INNER(a, b)
#define HUBSYNC_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                      \
  ASSERT_TRUE(tmp.ok()) << tmp.status();                  \
  lhs = std::move(tmp).value()

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_STATUS_MATCHERS_H_
