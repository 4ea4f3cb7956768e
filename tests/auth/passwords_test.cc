// Learner passwords (server/auth/passwords.h) and the failed-login throttle
// (server/auth/throttle.h, on a fake clock).
#include "server/auth/passwords.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/throttle.h"
#include "tests/testing/fakes.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::auth {
namespace passwords_test {
namespace {

using ::hubsync::testing::IsOk;
using ::hubsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// libsodium's minimum Argon2id cost: the rules, not the cost, are tested.
constexpr PasswordCost kCheap{1, 8192};

TEST(CheckNewPassword, SaysWhatIsWrongWithoutRepeatingIt) {
  const std::string address = "amelia.jones@example.org";
  struct Case {
    std::string password, why;
  };
  const Case cases[] = {
      {"tiny-pw1", "at least 10 characters"},
      // Nine characters of two bytes each: 18 bytes, still too short.
      {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3"
       "\xA9",
       "at least 10 characters"},
      {std::string(257, 'x'), "at most 256 bytes"},
      {"abcdefghij\xFF", "not valid UTF-8"},
      {"Password123", "most common passwords"},
      {"QWERTYUIOP", "most common passwords"},
      {"my-Amelia.Jones-2026", "contains your email address"},
  };
  for (const Case& c : cases) {
    absl::Status s = CheckNewPassword(c.password, address);
    EXPECT_THAT(s,
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.why)))
        << c.password;
    if (c.password.size() > 3) {
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(c.password)));
    }
  }
  // Ten characters of two bytes each is long enough.
  EXPECT_THAT(CheckNewPassword("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3"
                               "\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
                               address),
              IsOk());
  EXPECT_THAT(CheckNewPassword("correct horse battery", address), IsOk());
  EXPECT_THAT(CheckNewPassword(std::string(256, 'x'), address), IsOk());
  // A short local part is not a word worth refusing.
  EXPECT_THAT(CheckNewPassword("jo-rides-the-bus", "jo@example.org"), IsOk());
}

TEST(HashPassword, VerifiesOnlyThePassword) {
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::string hash,
                               HashPassword("correct horse", kCheap));
  EXPECT_THAT(hash, StartsWith("$argon2id$"));
  EXPECT_THAT(hash, Not(HasSubstr("correct horse")));
  EXPECT_TRUE(VerifyPassword("correct horse", hash));
  EXPECT_FALSE(VerifyPassword("correct horse ", hash));
  EXPECT_FALSE(VerifyPassword("Correct horse", hash));
  EXPECT_FALSE(VerifyPassword("", hash));
  EXPECT_FALSE(VerifyPassword("correct horse", ""));
  EXPECT_FALSE(VerifyPassword("correct horse", "$argon2id$garbage"));
  EXPECT_FALSE(VerifyPassword("correct horse", std::string(200, 'x')));
  // Salted: the same password hashes differently each time.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::string again,
                               HashPassword("correct horse", kCheap));
  EXPECT_NE(again, hash);
  EXPECT_TRUE(VerifyPassword("correct horse", again));
}

TEST(HashPassword, DefaultCostIsTwoPassesOver64MiB) {
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::string hash,
                               HashPassword("correct horse", PasswordCost{}));
  EXPECT_THAT(hash, StartsWith("$argon2id$v=19$m=65536,t=2,"));
  EXPECT_TRUE(VerifyPassword("correct horse", hash));
  // And a login for no account spends a verification too, then matches
  // nothing (no crash on the first call, which makes its dummy hash).
  VerifyNothing("correct horse", PasswordCost{});
  VerifyNothing("correct horse", PasswordCost{});
}

LoginThrottle::Options Small() {
  LoginThrottle::Options o;
  o.max_failures = 3;
  o.max_source_failures = 5;
  o.window_seconds = 60;
  o.lockout_seconds = 120;
  return o;
}

TEST(LoginThrottle, LocksAfterTheFailuresInTheWindowUntilTheLockoutEnds) {
  testing::FakeClock clock;
  LoginThrottle t(&clock, Small());
  t.Failed("zoe@example.org");
  t.Failed("zoe@example.org");
  EXPECT_EQ(t.WaitSeconds("zoe@example.org"), 0);
  t.Failed("zoe@example.org");
  EXPECT_EQ(t.WaitSeconds("zoe@example.org"), 120);
  EXPECT_EQ(t.WaitSeconds("other@example.org"), 0) << "per address";
  clock.Advance(119);
  EXPECT_EQ(t.WaitSeconds("zoe@example.org"), 1);
  clock.Advance(1);
  EXPECT_EQ(t.WaitSeconds("zoe@example.org"), 0);
  // A fresh count after the lockout.
  t.Failed("zoe@example.org");
  t.Failed("zoe@example.org");
  EXPECT_EQ(t.WaitSeconds("zoe@example.org"), 0);
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotAddUp) {
  testing::FakeClock clock;
  LoginThrottle t(&clock, Small());
  t.Failed("zoe@example.org");
  t.Failed("zoe@example.org");
  clock.Advance(60);
  t.Failed("zoe@example.org");
  EXPECT_EQ(t.WaitSeconds("zoe@example.org"), 0);
}

TEST(LoginThrottle, SourceHasItsOwnLimitAndSuccessClears) {
  testing::FakeClock clock;
  LoginThrottle t(&clock, Small());
  for (int i = 0; i < 4; ++i) t.Failed("10.0.0.1", /*source=*/true);
  EXPECT_EQ(t.WaitSeconds("10.0.0.1"), 0) << "past 3 but under 5";
  t.Failed("10.0.0.1", /*source=*/true);
  EXPECT_EQ(t.WaitSeconds("10.0.0.1"), 120);
  t.Failed("zoe@example.org");
  t.Failed("zoe@example.org");
  t.Succeeded("zoe@example.org");
  t.Failed("zoe@example.org");
  t.Failed("zoe@example.org");
  EXPECT_EQ(t.WaitSeconds("zoe@example.org"), 0) << "the success cleared two";
}

}  // namespace
}  // namespace passwords_test
}  // namespace hubsync::auth
