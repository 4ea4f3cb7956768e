// A sanitizer report in a child process fails the test that ran it, whether
// the child was run to completion (Run) or kept running and stopped (Child),
// and whatever its exit code was. Only in the sanitizer build (build-asan).
#include <signal.h>

#include <string>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"

namespace hubsync::testing {
namespace {

const std::string kProbe = std::string(HUBSYNC_BINARY_DIR) + "/san_probe";

TEST(ChildReportTest, ACleanChildFailsNothing) {
  RunResult r = testing::Run({kProbe, "clean"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "ready\n");
  Child child({kProbe, "serve"});
  EXPECT_EQ(child.WaitForLine("ready"), "ready");
  EXPECT_EQ(child.Stop(SIGTERM), 0);
}

TEST(ChildReportTest, ALeakAtExitFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(testing::Run({kProbe, "leak"}),
                          "ERROR: LeakSanitizer: detected memory leaks");
}

TEST(ChildReportTest, UndefinedBehaviourFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(testing::Run({kProbe, "overflow"}),
                          "signed integer overflow");
}

TEST(ChildReportTest, UndefinedBehaviourInAKeptChildFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        Child child({kProbe, "overflow"});
        child.WaitForLine("never printed", 30);  // returns when it exits
        child.Stop(SIGKILL);
      },
      "signed integer overflow");
}

TEST(ChildReportTest, AReportFromAChildThatIsThenKilledFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(
      {
        Child child({kProbe, "uaf"});
        child.WaitForLine("never printed", 30);  // returns when it dies
        child.Stop(SIGKILL);
      },
      "heap-use-after-free");
}

TEST(ChildReportTest, AServerLeakIsSeenWhenItsChildObjectIsDestroyed) {
  EXPECT_NONFATAL_FAILURE(
      {
        Child child({kProbe, "serve-leak"});
        EXPECT_EQ(child.WaitForLine("ready"), "ready");
      },  // ~Child: SIGTERM, a clean exit, LeakSanitizer's report
      "ERROR: LeakSanitizer: detected memory leaks");
}

}  // namespace
}  // namespace hubsync::testing
