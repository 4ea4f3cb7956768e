// The hubsync CLI end to end against a scripted in-process server: what the
// user sees on stdout and stderr, and the exit code.
//
// Compiles client/cli/commands*.cc into client_test (see args_test.cc).
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "client/cli/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/fake_hubsync.h"
#include "tests/testing/fakes.h"

namespace hubsync::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

Result RunAgainst(testing::FakeHubsync& fake, std::vector<std::string> args) {
  std::ostringstream out, err;
  Io io{out, err};
  int code = RunCli(
      args, "127.0.0.1:50051",
      [&](const client::ConnectOptions&) { return fake.NewClient(); }, io);
  return {code, out.str(), err.str()};
}

TEST(CliTest, SyncRowsPrintsTheScreenThenTheCounts) {
  testing::FakeHubsync fake;
  Result r = RunAgainst(fake, {"sync", "rows", "ses_1", "--explain"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(::testing::Ge(4u)));
  EXPECT_THAT(lines[0], StartsWith("ROW  HUB LEARNER"));
  EXPECT_THAT(lines[1], StartsWith("1    lrn_1        Hub Learner1  "));
  EXPECT_THAT(lines[1], HasSubstr("Matched  stu-1   Mis Learner1"));
  EXPECT_THAT(lines[2], HasSubstr("upn"));
  EXPECT_THAT(lines[2], HasSubstr("+15.00"));
  EXPECT_THAT(lines[4], HasSubstr("New"));
  EXPECT_THAT(lines[4], HasSubstr("[ ]"));
  EXPECT_EQ(lines.back(),
            "Not matched 0 | New 2 | Matched 3 | May match 0 | Synced 0 | "
            "Desynced 0 | total 5 | "
            "Import? ticked 0 | Email? ticked 0");
}

TEST(CliTest, SyncRowsJsonIsOneRowPerLineAndSendsTheFilter) {
  testing::FakeHubsync fake;
  Result r = RunAgainst(fake, {"--json", "sync", "rows", "ses_1", "--status",
                               "new,May match", "--after", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(5));
  EXPECT_EQ(lines[1],
            "{\"rowId\":\"2\",\"status\":\"ROW_STATUS_NEW\",\"mis\":{\"misId\":"
            "\"stu-2\","
            "\"legalForename\":\"Mis\",\"legalSurname\":\"Learner2\"}}");
  ASSERT_THAT(fake.sync.streamed, SizeIs(1));
  EXPECT_THAT(fake.sync.streamed[0].statuses(),
              ElementsAre(v1::ROW_STATUS_NEW, v1::ROW_STATUS_MAY_MATCH));
  EXPECT_EQ(fake.sync.streamed[0].after_row_id(), 3);
}

TEST(CliTest, BadStatusIsAUsageError) {
  testing::FakeHubsync fake;
  Result r = RunAgainst(fake, {"sync", "rows", "ses_1", "--status", "maybe"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("error: --status 'maybe' is not one of"));
  EXPECT_THAT(r.err, HasSubstr("usage: hubsync sync rows SESSION"));
  EXPECT_THAT(fake.sync.streamed, IsEmpty()) << "nothing was sent";
}

TEST(CliTest, ExpectVersionIsSentAndAStaleOneFailsWithAborted) {
  testing::FakeHubsync fake;
  Result r = RunAgainst(
      fake, {"sync", "import", "ses_1", "stu-2", "--expect-version", "4"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: ABORTED: session ses_1 is at version 5, not 4; reload the "
            "rows\n");
  EXPECT_THAT(r.out, IsEmpty());

  r = RunAgainst(fake, {"sync", "import", "ses_1", "stu-2", "--off",
                        "--expect-version", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("New"));
  EXPECT_THAT(r.out, HasSubstr("[ ]"));
  EXPECT_THAT(r.out, HasSubstr("session ses_1 is at version 6"));
  ASSERT_THAT(fake.sync.imports, SizeIs(2));
  EXPECT_EQ(fake.sync.imports[0].expected_version(), 4);
  EXPECT_TRUE(fake.sync.imports[0].import());
  EXPECT_EQ(fake.sync.imports[1].mis_id(), "stu-2");
  EXPECT_FALSE(fake.sync.imports[1].import());
}

TEST(CliTest, ScopeNeedsExactlyOneChoice) {
  testing::FakeHubsync fake;
  Result r =
      RunAgainst(fake, {"sync", "scope", "ses_1", "--all", "--year", "7"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("choose exactly one of --all, --year"));

  r = RunAgainst(fake, {"sync", "scope", "ses_1", "--year", "7,8", "--year",
                        "9", "--sync-emails"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scope       year groups 7, 8, 9"));
  ASSERT_THAT(fake.sync.scopes, SizeIs(1));
  EXPECT_EQ(fake.sync.scopes[0].scope().kind(), v1::SCOPE_KIND_YEAR_GROUPS);
  EXPECT_THAT(fake.sync.scopes[0].scope().year_groups(),
              ElementsAre("7", "8", "9"));
  EXPECT_TRUE(fake.sync.scopes[0].sync_email_addresses());
}

TEST(CliTest, MisUploadOfADirectorySendsEachCsvByBaseName) {
  testing::FakeHubsync fake;
  testing::TempDir dir;
  std::ofstream(dir.File("users.csv")) << "sourcedId\n";
  std::ofstream(dir.File("classes.csv")) << "sourcedId\n";
  std::ofstream(dir.File("notes.txt")) << "not sent";
  Result r = RunAgainst(fake, {"mis", "upload", "--school", "sch_1", "--format",
                               "oneroster", dir.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "stored snapshot snp_1: 2 learner(s), 0 class(es)\n");
  const auto& got = fake.mis.received;
  ASSERT_THAT(got, SizeIs(3));
  EXPECT_EQ(got[0].header().format(), v1::MIS_FORMAT_ONEROSTER);
  EXPECT_EQ(got[1].chunk().file_name(), "classes.csv");
  EXPECT_EQ(got[2].chunk().file_name(), "users.csv");
}

TEST(CliTest, LearnerImportRetriesUnavailableWithTheSameRequestId) {
  testing::FakeHubsync fake;
  fake.hub.unavailable_calls = 2;
  testing::TempDir dir;
  std::ofstream(dir.File("hub.csv")) << "forename,surname\nAnn,Lee\n";
  Result r = RunAgainst(
      fake, {"learner", "import", "--school", "sch_1", dir.File("hub.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "imported 3 hand-made learner(s)\n");
  const std::vector<std::string>& ids = fake.hub.request_ids;
  ASSERT_THAT(ids, SizeIs(3));
  EXPECT_THAT(ids[0], StartsWith("cli-"));
  EXPECT_EQ(ids[1], ids[0]);
  EXPECT_EQ(ids[2], ids[0]);
  EXPECT_THAT(r.err, HasSubstr("retrying in 0.5 s with request id " + ids[0]));
  EXPECT_FALSE(fake.hub.imported[0].ignore_unknown_columns());

  // Each run has its own id; --request-id and --ignore-unknown-columns are
  // sent as given.
  r = RunAgainst(
      fake, {"learner", "import", "--school", "sch_1", dir.File("hub.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_THAT(ids, SizeIs(4));
  EXPECT_NE(ids[3], ids[0]);
  r = RunAgainst(
      fake, {"learner", "import", "--school", "sch_1", "--request-id",
             "term1-seed", "--ignore-unknown-columns", dir.File("hub.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ids.back(), "term1-seed");
  EXPECT_TRUE(fake.hub.imported[0].ignore_unknown_columns());
}

TEST(CliTest, LearnerCreateThatStaysUnavailableNamesItsRequestId) {
  testing::FakeHubsync fake;
  fake.hub.unavailable_calls = 4;  // every attempt
  Result r =
      RunAgainst(fake, {"learner", "create", "--school", "sch_1", "--forename",
                        "Ann", "--surname", "Lee", "--request-id", "ann-1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(fake.hub.request_ids,
              ElementsAre("ann-1", "ann-1", "ann-1", "ann-1"));
  EXPECT_THAT(r.err, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(r.err, HasSubstr("run the same command with --request-id ann-1"));
}

TEST(CliTest, MisUploadAllowEmptyIsSentInTheHeader) {
  testing::FakeHubsync fake;
  testing::TempDir dir;
  std::ofstream(dir.File("export.csv")) << "mis_id,forename,surname,year\n";
  Result r = RunAgainst(fake, {"mis", "upload", "--school", "sch_1", "--format",
                               "plain", dir.File("export.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fake.mis.received[0].header().allow_empty());
  r = RunAgainst(fake, {"mis", "upload", "--school", "sch_1", "--format",
                        "plain", "--allow-empty", dir.File("export.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fake.mis.received[0].header().allow_empty());
}

TEST(CliTest, RejectedUploadPrintsOneLinePerProblem) {
  testing::FakeHubsync fake;
  testing::TempDir dir;
  std::ofstream(dir.File("bad.csv")) << "x\n";
  Result r = RunAgainst(fake, {"mis", "upload", "--school", "sch_1", "--format",
                               "plain", dir.File("bad.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: INVALID_ARGUMENT: bad.csv has 2 problems\n"
            "bad.csv:2:3: UPN 'X1' has the wrong length\n"
            "bad.csv:4: missing year_group\n");
  r = RunAgainst(
      fake, {"mis", "upload", "--school", "sch_1", "--format", "xml", "a.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--format 'xml' is not oneroster or plain"));
  r = RunAgainst(fake, {"mis", "upload", "--school", "sch_1", "--format",
                        "plain", dir.File("missing.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no such file"));
}

TEST(CliTest, ListsPrintTablesOrOneJsonObjectPerLine) {
  testing::FakeHubsync fake;
  Result r = RunAgainst(fake, {"school", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              StartsWith("SCHOOL  NAME               CREATED  CLASSES SYNCED\n"
                         "sch_1   Riverside Academy           not yet\n"));
  r = RunAgainst(fake, {"school", "list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"schoolId\":\"sch_1\",\"name\":\"Riverside Academy\"}\n"
            "{\"schoolId\":\"sch_2\",\"name\":\"Hillside Primary\"}\n");
}

TEST(CliTest, RpcErrorsPrintTheCodeNameAndExitOne) {
  testing::FakeHubsync fake;
  Result r = RunAgainst(fake, {"school", "get", "sch_x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: NOT_FOUND: no school sch_x\n");
  fake.schools.delay = std::chrono::milliseconds(1500);
  r = RunAgainst(fake, {"--timeout", "1", "school", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("error: DEADLINE_EXCEEDED: "));
}

TEST(CliTest, HelpNeedsNoServer) {
  testing::FakeHubsync fake;
  bool connected = false;
  std::ostringstream out, err;
  Io io{out, err};
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"sync", "--help"},
                                        {"sync", "match", "--help"},
                                        {"learner", "create", "--help"},
                                        {"mis", "upload", "-h"}}) {
    out.str("");
    EXPECT_EQ(RunCli(
                  args, "x:1",
                  [&](const client::ConnectOptions&) {
                    connected = true;
                    return fake.NewClient();
                  },
                  io),
              0)
        << args[0];
    EXPECT_THAT(out.str(), HasSubstr("usage: hubsync"));
  }
  EXPECT_FALSE(connected);
  EXPECT_THAT(err.str(), IsEmpty());
}

TEST(CliTest, EveryCommandHasHelpWithAnExample) {
  for (const Command& c : AllCommands()) {
    std::string help = CommandHelp(c.spec);
    EXPECT_THAT(help, HasSubstr("usage: hubsync " + c.spec.path))
        << c.spec.path;
    EXPECT_THAT(help, HasSubstr("example:\n  hubsync ")) << c.spec.path;
  }
  std::vector<std::string> paths;
  for (const Command& c : AllCommands()) paths.push_back(c.spec.path);
  EXPECT_THAT(paths,
              ::testing::IsSupersetOf(
                  {"school create",   "school list",     "school get",
                   "learner create",  "learner import",  "learner list",
                   "learner get",     "learner export",  "class list",
                   "mis upload",      "mis snapshots",   "mis learners",
                   "sync start",      "sync show",       "sync list",
                   "sync proceed",    "sync scope",      "sync rows",
                   "sync import",     "sync import-all", "sync match",
                   "sync unmatch",    "sync email",      "sync email-all",
                   "sync review",     "sync save",       "sync cancel",
                   "sync watch",      "emails list",     "audit list",
                   "key create",      "key list",        "key revoke",
                   "save list",       "save show",       "save revert",
                   "console",         "sync back",       "learner edit",
                   "learner archive", "learner restore", "learner unlink"}));
  EXPECT_THAT(paths, SizeIs(51));
}

TEST(CliTest, MutatingSyncVerbsAcceptExpectVersion) {
  for (const Command& c : AllCommands()) {
    const std::string& path = c.spec.path;
    const bool mutating = path.rfind("sync ", 0) == 0 && path != "sync start" &&
                          path != "sync show" && path != "sync list" &&
                          path != "sync rows" && path != "sync watch";
    bool has = false;
    for (const FlagSpec& f : c.spec.flags)
      has = has || f.name == "expect-version";
    EXPECT_EQ(has, mutating) << path;
  }
}

}  // namespace
}  // namespace hubsync::cli
