// Text that reaches a terminal (docs/SECURITY.md): a key label, an audit
// actor and learner names holding escapes, C1 controls and bidi overrides,
// already in the database (written through the store, as data from an older
// version would be), are printed escaped by `key list`, `audit list`,
// `learner list` and `learner export`: the real CLI code against a real
// server on a real SQLite file.
#include <sstream>

#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kClearScreen = "\x1b[2J\x1b[H";
const std::string kLabel = kClearScreen + "operator\nforged line";
const std::string kForename = "Eve\u202egnp.exe";  // RLO
const std::string kSurname = "Mal\u009b2Jory";     // C1 CSI

struct CliRun {
  int exit_code;
  std::string out, err;
};

CliRun RunCli(TestServer& server, const std::string& key,
              std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "--server", absl::StrCat("127.0.0.1:", server.port()), "--api-key", key};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  cli::Io io{out, err};
  const int code = cli::RunCli(argv, "", &client::HubsyncClient::Connect, io);
  return {code, out.str(), err.str()};
}

// No byte a terminal would act on: C0 but for the line ends, C1 (as UTF-8,
// C2 80-9F), bidi controls.
void ExpectPrintable(const std::string& text, const std::string& what) {
  for (char c : text) {
    const unsigned char b = static_cast<unsigned char>(c);
    EXPECT_TRUE(b >= 0x20 || b == '\n' || b == '\r')
        << what << " holds byte " << static_cast<int>(b) << ":\n"
        << text;
  }
  EXPECT_THAT(text, Not(HasSubstr("\u009b"))) << what;
  EXPECT_THAT(text, Not(HasSubstr("\u202e"))) << what;
}

class HostileTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    school_ = CreateSchool(server_, "Hostile Academy");
    admin_ = server_.current_key();
    // What an older version let in: a label with escapes and a newline...
    const std::string hostile = server_.NewKey(school_, Role::kAdmin, kLabel);
    // ...whose actions are in the audit trail under that label, and learner
    // names with a bidi override and a C1 control.
    HubLearner l;
    l.legal_forename = kForename;
    l.legal_surname = kSurname;
    l.year_group = "7";
    absl::StatusOr<std::vector<HubLearner>> created =
        server_.store()->CreateLearners(
            school_, {l},
            Actor{"key_" + hostile.substr(4, 16), kLabel, "admin"});
    ASSERT_TRUE(created.ok()) << created.status();
  }

  TestServer server_;
  std::string school_, admin_;
};

TEST_F(HostileTextTest, KeyListEscapesTheLabel) {
  CliRun r = RunCli(server_, admin_, {"key", "list", "--school", school_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectPrintable(r.out, "key list");
  EXPECT_THAT(r.out, HasSubstr("\\x1b[2J\\x1b[Hoperator\\x0aforged line"));
}

TEST_F(HostileTextTest, AuditListEscapesTheActorAndTheNames) {
  CliRun r = RunCli(server_, admin_, {"audit", "list", "--school", school_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectPrintable(r.out, "audit list");
  EXPECT_THAT(r.out, HasSubstr("\\x1b[2J\\x1b[Hoperator\\x0aforged line"));
  EXPECT_THAT(r.out, HasSubstr("Eve\\u202egnp.exe"));
}

TEST_F(HostileTextTest, LearnerListAndExportEscapeTheNames) {
  CliRun r = RunCli(server_, admin_, {"learner", "list", "--school", school_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectPrintable(r.out, "learner list");
  EXPECT_THAT(r.out, HasSubstr("Eve\\u202egnp.exe Mal\\x9b2Jory"));

  r = RunCli(server_, admin_, {"learner", "export", "--school", school_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectPrintable(r.out, "learner export");
  EXPECT_THAT(r.out, HasSubstr("Eve\\u202egnp.exe"));
  EXPECT_THAT(r.out, HasSubstr("Mal\\x9b2Jory"));
}

TEST_F(HostileTextTest, JsonOutputEscapesThemAsJson) {
  CliRun r =
      RunCli(server_, admin_, {"--json", "key", "list", "--school", school_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // JSON escapes C0 controls (\u001b, \n); protobuf's printer escapes the
  // C1 and bidi controls too.
  ExpectPrintable(r.out, "key list --json");
  EXPECT_THAT(r.out, HasSubstr("\\u001b[2J"));
  r = RunCli(server_, admin_,
             {"--json", "learner", "list", "--school", school_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectPrintable(r.out, "learner list --json");
}

}  // namespace
}  // namespace hubsync::testing
