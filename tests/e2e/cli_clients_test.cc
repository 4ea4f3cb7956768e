// The CLI as a user meets it, through the real binaries (hubsyncd as a child
// on port 0, the hubsync CLI): a rejected file's problems are each printed
// once, all of them; a mistyped command or flag gets a "did you mean"; a
// school's own key needs no --school (and $HUBSYNC_SCHOOL sets a default).
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBin = HUBSYNC_BINARY_DIR;

// Sets an environment variable for one scope (the CLI children inherit it).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (had_) {
      setenv(name_, old_.c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

// hubsyncd as a child process on port 0; the CLI against it.
struct Server {
  explicit Server(const TempDir& dir) {
    RunResult init = Run({kBin + "/hubsyncd", "--db", dir.File("hub.db"),
                          "--init-operator-key"});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    operator_key = std::string(absl::StripAsciiWhitespace(init.out));
    child = std::make_unique<Child>(
        std::vector<std::string>{kBin + "/hubsyncd", "--listen", "127.0.0.1:0",
                                 "--db", dir.File("hub.db")});
    const std::string line = child->WaitForLine("listening on");
    if (!line.empty()) {
      const size_t colon = line.find(':', line.find("127.0.0.1"));
      port = std::stoi(line.substr(colon + 1));
    }
  }
  std::string address() const { return absl::StrCat("127.0.0.1:", port); }
  RunResult Cli(const std::string& key, std::vector<std::string> args) const {
    std::vector<std::string> argv = {kBin + "/hubsync", "--server", address(),
                                     "--api-key", key};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  }
  // A new school (as the operator) and an admin key of it.
  std::string CreateSchool(const std::string& name, std::string* admin_key) {
    RunResult r = Cli(operator_key, {"--json", "school", "create", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const size_t at = r.out.find("sch_");
    const std::string school =
        at == std::string::npos ? "" : r.out.substr(at, 20);
    RunResult admin = Cli(
        operator_key, {"key", "create", "--school", school, "--role", "admin"});
    EXPECT_EQ(admin.exit_code, 0) << admin.err;
    *admin_key = std::string(absl::StripAsciiWhitespace(admin.out));
    return school;
  }
  std::unique_ptr<Child> child;
  int port = 0;
  std::string operator_key;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// How many lines of `text` start with `prefix`.
int LinesStartingWith(const std::string& text, const std::string& prefix) {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, prefix)) ++n;
  }
  return n;
}

// Expects every problem line `file:LINE:` for LINE in 2..rows+1 exactly
// once in `err`.
void ExpectEachRowOnce(const std::string& err, const std::string& file,
                       int rows) {
  int missing = 0, repeated = 0;
  for (int line = 2; line <= rows + 1; ++line) {
    const int n = LinesStartingWith(err, absl::StrCat(file, ":", line, ":"));
    if (n == 0) ++missing;
    if (n > 1) ++repeated;
  }
  EXPECT_EQ(missing, 0) << "problems never printed; stderr:\n" << err;
  EXPECT_EQ(repeated, 0) << "problems printed more than once; stderr:\n" << err;
}

TEST(CliClientsTest, EveryProblemOfARejectedFileIsPrintedOnce) {
  TempDir dir;
  Server server(dir);
  ASSERT_NE(server.port, 0) << "hubsyncd did not start";
  std::string admin;
  const std::string school = server.CreateSchool("Problem Academy", &admin);
  // 155 learners in year 19, which does not exist: 155 problems.
  constexpr int kRows = 155;
  std::string plain =
      "mis_id,legal_forename,legal_surname,year_group,registration_group\n";
  std::string hub = "legal_forename,legal_surname,year_group\n";
  for (int i = 0; i < kRows; ++i) {
    absl::StrAppend(&plain, "m", i, ",Forename", i, ",Surname", i,
                    ",Year 19,7A\n");
    absl::StrAppend(&hub, "Forename", i, ",Surname", i, ",Year 19\n");
  }
  WriteFile(dir.File("export.csv"), plain);
  WriteFile(dir.File("hub.csv"), hub);

  RunResult r =
      server.Cli(admin, {"mis", "upload", "--school", school, "--format",
                         "plain", dir.File("export.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("155 problem(s)"));
  EXPECT_THAT(r.err, Not(HasSubstr("... and ")));
  ExpectEachRowOnce(r.err, "export.csv", kRows);

  r = server.Cli(
      admin, {"learner", "import", "--school", school, dir.File("hub.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("155 problem(s)"));
  ExpectEachRowOnce(r.err, "learners.csv", kRows);

  // Nothing was stored.
  r = server.Cli(admin, {"learner", "list", "--school", school});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("Forename1")));
}

TEST(CliClientsTest, ServerTakesHostAndPort) {
  TempDir dir;
  Server server(dir);
  ASSERT_NE(server.port, 0) << "hubsyncd did not start";
  RunResult r = testing::Run(
      {kBin + "/hubsync", "--server", absl::StrCat("localhost:", server.port),
       "--api-key", server.operator_key, "school", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // $HUBSYNC_SERVER too.
  ScopedEnv env("HUBSYNC_SERVER", absl::StrCat("localhost:", server.port));
  r = testing::Run(
      {kBin + "/hubsync", "--api-key", server.operator_key, "school", "list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliClientsTest, MistypedCommandsAndFlagsGetASuggestion) {
  RunResult r = testing::Run({kBin + "/hubsync", "lerner", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean 'learner'?"));
  r = testing::Run({kBin + "/hubsync", "sync", "proceeed", "ses_1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean 'sync proceed'?"));
  r = testing::Run({kBin + "/hubsync", "learner", "list", "--schol", "sch_1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean --school?"));
  r = testing::Run(
      {kBin + "/hubsync", "--sever", "127.0.0.1:1", "school", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean --server?"));
}

TEST(CliClientsTest, ASchoolsOwnKeyNeedsNoSchoolFlag) {
  TempDir dir;
  Server server(dir);
  ASSERT_NE(server.port, 0) << "hubsyncd did not start";
  std::string admin;
  const std::string school = server.CreateSchool("Own Key Academy", &admin);
  std::string other_admin;
  const std::string other = server.CreateSchool("Other Academy", &other_admin);

  RunResult r = server.Cli(admin, {"learner", "create", "--forename", "Ada",
                                   "--surname", "Lovelace", "--year", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = server.Cli(admin, {"learner", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Lovelace"));
  // The learner is in the key's school, not the other.
  r = server.Cli(other_admin, {"learner", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("Lovelace")));
  // An MIS upload and a sync session, in the key's school.
  WriteFile(dir.File("mis.csv"),
            "mis_id,legal_forename,legal_surname,year_group\n"
            "m1,Alan,Turing,7\n");
  r = server.Cli(admin,
                 {"mis", "upload", "--format", "plain", dir.File("mis.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = server.Cli(admin, {"--json", "sync", "start", "--admin", "me"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(school));

  // An operator key has no school: the flag is still needed, and the error
  // says so.
  r = server.Cli(server.operator_key, {"learner", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing --school"));
  EXPECT_THAT(r.err, HasSubstr("HUBSYNC_SCHOOL"));
}

TEST(CliClientsTest, HubsyncSchoolSetsTheDefaultSchool) {
  TempDir dir;
  Server server(dir);
  ASSERT_NE(server.port, 0) << "hubsyncd did not start";
  std::string admin;
  const std::string school = server.CreateSchool("Env Academy", &admin);
  RunResult r =
      server.Cli(admin, {"learner", "create", "--forename", "Ada", "--surname",
                         "Lovelace", "--year", "7", "--school", school});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  {
    ScopedEnv env("HUBSYNC_SCHOOL", school);
    // Even an operator key (which reads no pupil data) asks for that school:
    // refused by role, not for a missing flag.
    r = server.Cli(server.operator_key, {"learner", "list"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("PERMISSION_DENIED"));
    r = server.Cli(admin, {"learner", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Lovelace"));
  }
  {
    // --school wins over the variable.
    ScopedEnv env("HUBSYNC_SCHOOL", "sch_0000000000000000");
    r = server.Cli(admin, {"learner", "list"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
    r = server.Cli(admin, {"learner", "list", "--school", school});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Lovelace"));
  }
}

}  // namespace
}  // namespace hubsync::testing
