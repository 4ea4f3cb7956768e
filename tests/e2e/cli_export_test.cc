// Through the real binaries: `hubsync learner export` writes CSV that a
// spreadsheet cannot run as formulas, and hubsyncd's limit flags refuse what
// is past them with RESOURCE_EXHAUSTED naming the limit.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

// hubsyncd as a child process on port 0, with extra flags.
struct Server {
  explicit Server(const TempDir& dir, std::vector<std::string> flags = {}) {
    std::vector<std::string> argv = {kBin + "/hubsyncd", "--listen",
                                     "127.0.0.1:0", "--db", dir.File("hub.db")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    RunResult init = Run({kBin + "/hubsyncd", "--db", dir.File("hub.db"),
                          "--init-operator-key"});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    key = std::string(absl::StripAsciiWhitespace(init.out));
    child = std::make_unique<Child>(argv);
    const std::string line = child->WaitForLine("listening on");
    if (!line.empty()) {
      const size_t colon = line.find(':', line.find("127.0.0.1"));
      address =
          "127.0.0.1:" + std::to_string(std::stoi(line.substr(colon + 1)));
    }
  }
  RunResult Cli(std::vector<std::string> args) const {
    std::vector<std::string> argv = {kBin + "/hubsync", "--server", address,
                                     "--api-key", key};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  }
  // The school id printed by `school create --json` (as the operator); the
  // CLI then uses a new admin key of that school.
  std::string CreateSchool(const std::string& name) {
    RunResult r = Cli({"--json", "school", "create", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const size_t at = r.out.find("sch_");
    const std::string school =
        at == std::string::npos ? "" : r.out.substr(at, 20);
    RunResult admin =
        Cli({"key", "create", "--school", school, "--role", "admin"});
    EXPECT_EQ(admin.exit_code, 0) << admin.err;
    key = std::string(absl::StripAsciiWhitespace(admin.out));
    return school;
  }
  std::unique_ptr<Child> child;
  std::string address;
  std::string key;  // the operator's, then the school's admin's
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CliExportTest, FormulaLikeValuesAreNeutralisedInTheExport) {
  TempDir dir;
  Server server(dir);
  ASSERT_FALSE(server.address.empty()) << "hubsyncd did not start";
  const std::string school = server.CreateSchool("Export Academy");
  ASSERT_FALSE(school.empty());
  // Hand-made learners whose names a spreadsheet would run: one by the CLI,
  // the rest from a learner CSV.
  RunResult r = server.Cli({"learner", "create", "--school", school,
                            "--forename", "=HYPERLINK(\"http://x\",\"y\")",
                            "--surname", "Lee", "--year", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WriteFile(dir.File("seed.csv"),
            "forename,surname,reg_group,classes\n"
            "+Bob,-Kay,@7A,=1+1\n"
            "Amy,\"O'Neil, Jr\",7A,\n");
  r = server.Cli(
      {"learner", "import", "--school", school, dir.File("seed.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = server.Cli({"learner", "export", "--school", school, "--output",
                  dir.File("out.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("wrote 3 learner(s)"));
  const std::string csv = ReadFile(dir.File("out.csv"));
  EXPECT_THAT(csv, HasSubstr("learner_id,legal_forename,legal_surname,"));
  // Each dangerous cell starts with a quote and an apostrophe.
  EXPECT_THAT(csv,
              HasSubstr(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",Lee,"));
  EXPECT_THAT(csv, HasSubstr(",\"'+Bob\",\"'-Kay\","));
  EXPECT_THAT(csv, HasSubstr(",\"'@7A\","));
  EXPECT_THAT(csv, HasSubstr(",\"'=1+1\","));
  // Ordinary values are left alone (quoted only for the comma).
  EXPECT_THAT(csv, HasSubstr(",Amy,\"O'Neil, Jr\",,,,,,,7A,,"));
  // No cell anywhere starts with a formula character unneutralised.
  for (const char* bad : {",=", ",+", ",-", ",@", "\n=", "\n+", "\n-", "\n@"}) {
    EXPECT_THAT(csv, Not(HasSubstr(bad))) << bad;
  }
  // To stdout it is the same CSV.
  r = server.Cli({"learner", "export", "--school", school});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, csv);
  // An unknown school is an error, and no file is written.
  r = server.Cli({"learner", "export", "--school", "sch_0000000000000000",
                  "--output", dir.File("none.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
  EXPECT_FALSE(std::ifstream(dir.File("none.csv")).good());
}

// More learners than the server's default page (1000): `learner list`
// follows the pages and prints each learner once, under one header, and
// `learner export` writes them all.
TEST(CliExportTest, ListAndExportFollowEveryPage) {
  TempDir dir;
  Server server(dir);
  ASSERT_FALSE(server.address.empty()) << "hubsyncd did not start";
  const std::string school = server.CreateSchool("Paged Academy");
  ASSERT_FALSE(school.empty());
  constexpr int kLearners = 2500;
  std::string csv = "forename,surname,year\n";
  for (int i = 0; i < kLearners; ++i) {
    absl::StrAppend(&csv, "Pupil", i, ",Surname", 100000 + i, ",7\n");
  }
  WriteFile(dir.File("many.csv"), csv);
  RunResult r = server.Cli(
      {"learner", "import", "--school", school, dir.File("many.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Every "Surname<n>" in the text, with how often it appears.
  const auto Surnames = [](const std::string& text) {
    std::map<std::string, int> seen;
    for (size_t at = text.find("Surname"); at != std::string::npos;
         at = text.find("Surname", at + 1)) {
      size_t end = at + 7;
      while (end < text.size() && absl::ascii_isdigit(text[end])) ++end;
      ++seen[text.substr(at, end - at)];
    }
    return seen;
  };
  std::map<std::string, int> all;
  for (int i = 0; i < kLearners; ++i)
    all[absl::StrCat("Surname", 100000 + i)] = 1;
  const auto count = [](const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + 1)) {
      ++n;
    }
    return n;
  };
  r = server.Cli({"learner", "list", "--school", school});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(r.out, "LEARNER "), 1);  // the header, once
  EXPECT_THAT(r.out, HasSubstr("\n2500 learner(s)\n"));
  EXPECT_EQ(count(r.out, "lrn_"), kLearners);
  EXPECT_EQ(Surnames(r.out), all);
  // As JSON Lines: one line per learner, each id once.
  r = server.Cli({"--json", "learner", "list", "--school", school});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(r.out), '\n');
  EXPECT_EQ(lines.size(), static_cast<size_t>(kLearners));
  std::set<std::string> ids;
  for (const std::string& line : lines) {
    const size_t at = line.find("lrn_");
    if (at != std::string::npos) ids.insert(line.substr(at, 20));
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kLearners));

  r = server.Cli({"learner", "export", "--school", school, "--output",
                  dir.File("all.csv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("wrote 2500 learner(s)"));
  const std::string exported = ReadFile(dir.File("all.csv"));
  EXPECT_EQ(count(exported, "\r\n"), kLearners + 1);
  EXPECT_EQ(count(exported, "learner_id,"), 1);
  EXPECT_EQ(Surnames(exported), all);
  EXPECT_FALSE(std::ifstream(dir.File("all.csv.partial")).good());
}

TEST(CliExportTest, ServerLimitFlagsAreEnforced) {
  TempDir dir;
  Server server(dir, {"--max_upload_rows", "2", "--max_field_bytes", "20"});
  ASSERT_FALSE(server.address.empty()) << "hubsyncd did not start";
  const std::string school = server.CreateSchool("Limits Academy");
  WriteFile(dir.File("three.csv"),
            "mis_id,forename,surname,year\nm1,A,B,7\nm2,C,D,7\nm3,E,F,7\n");
  RunResult r = server.Cli({"mis", "upload", "--school", school, "--format",
                            "plain", dir.File("three.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("RESOURCE_EXHAUSTED"));
  // Column 0 (the whole line) is left out, as in every problem the CLI lists.
  EXPECT_THAT(r.err, HasSubstr("three.csv:4: more than 2 rows"));
  WriteFile(
      dir.File("long.csv"),
      "mis_id,forename,surname,year\nm1,A,Abcdefghijklmnopqrstuvwxyz,7\n");
  r = server.Cli({"mis", "upload", "--school", school, "--format", "plain",
                  dir.File("long.csv")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(r.err,
              HasSubstr("long.csv:2:3: legal_surname is longer than 20 bytes"));
  r = server.Cli({"--json", "mis", "snapshots", "--school", school});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "") << "nothing was stored";

  // A bad limit stops the server at once, naming the flag.
  RunResult bad =
      testing::Run({kBin + "/hubsyncd", "--listen", "127.0.0.1:0", "--db",
                    dir.File("other.db"), "--max_field_bytes", "0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--max_field_bytes must be 1 to"));
}

}  // namespace
}  // namespace hubsync::testing
