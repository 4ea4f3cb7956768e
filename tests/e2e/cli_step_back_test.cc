// `hubsync sync back` and `sync rows --csv` through the real binaries:
// hubsyncd as a child process on port 0, driven by the hubsync CLI.
#include <fstream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hubsync/v1/sync.pb.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBin = HUBSYNC_BINARY_DIR;

// RFC 4180: cells split on commas outside quotes, "" inside quotes is one
// quote, records end with CRLF.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(std::move(cell));
      cell.clear();
      rows.emplace_back();
      ++i;
    } else {
      cell += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

TEST(CliStepBackTest, BackThenEmailsThenProceedKeepsAMatchAndCsvExports) {
  TempDir dir;
  RunResult init = testing::Run(
      {kBin + "/hubsyncd", "--db", dir.File("hub.db"), "--init-operator-key"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  Child server({kBin + "/hubsyncd", "--listen", "127.0.0.1:0", "--db",
                dir.File("hub.db")});
  std::string line = server.WaitForLine("listening on");
  ASSERT_FALSE(line.empty()) << "hubsyncd did not start";
  const std::string address = absl::StrCat(
      "127.0.0.1:",
      std::stoi(line.substr(line.find(':', line.find("127.0.0.1")) + 1)));
  std::string key(absl::StripAsciiWhitespace(init.out));
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {kBin + "/hubsync", "--server", address,
                                     "--api-key", key};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult r = testing::Run(argv);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r;
  };
  auto out = [&](std::vector<std::string> args) {
    return std::string(absl::StripAsciiWhitespace(run(std::move(args)).out));
  };
  v1::School school_msg;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(
          out({"--json", "school", "create", "Step Back Academy"}), &school_msg)
          .ok());
  const std::string school = school_msg.school_id();
  key = out({"key", "create", "--school", school, "--role", "admin", "--label",
             "Ms Admin"});
  v1::Learner ellie;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  out({"--json", "learner", "create", "--school", school,
                       "--forename", "Ellie", "--surname", "Moss", "--year",
                       "7", "--reg-group", "7A"}),
                  &ellie)
                  .ok());
  std::ofstream(dir.File("mis.csv"))
      << "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
         "registration_group,email\n"
         "m-eleanor,,Eleanor,Carter,2013-11-12,7,7A,eleanor@example.org\n"
         "m-zoe,,\"Zoe, \"\"Jo\"\"\",Lee,2013-01-02,7,7A,\n"
         "m-eq,,=1+2,Cole,2013-03-04,7,7A,\n";
  run({"mis", "upload", "--school", school, "--format", "plain",
       dir.File("mis.csv")});
  const std::string session = [&] {
    std::string started = out({"sync", "start", "--school", school});
    const size_t at = started.find("ses_");
    return started.substr(at, started.find(' ', at) - at);
  }();
  run({"sync", "proceed", session});
  run({"sync", "scope", session, "--all"});  // emails forgotten
  run({"sync", "proceed", session});
  run({"sync", "rows", session});  // until every row is in
  run({"sync", "match", session, ellie.learner_id(), "m-eleanor"});

  RunResult back = run({"sync", "back", session});
  EXPECT_THAT(back.out, HasSubstr("step        Pupils panel"));
  EXPECT_THAT(back.out, HasSubstr("decisions   1 kept"));
  run({"sync", "scope", session, "--all", "--sync-emails"});
  RunResult proceed = run({"sync", "proceed", session});
  EXPECT_THAT(proceed.out, HasSubstr("step        Sync screen"));
  EXPECT_THAT(proceed.out, HasSubstr("decisions   1 kept, 0 dropped"));
  EXPECT_THAT(proceed.out, HasSubstr("sync pupil email addresses"));

  RunResult rows = run({"--json", "sync", "rows", session});
  bool matched = false;
  for (absl::string_view l :
       absl::StrSplit(rows.out, '\n', absl::SkipEmpty())) {
    v1::Row r;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(l), &r).ok());
    if (r.hub().learner_id() == ellie.learner_id()) {
      EXPECT_EQ(r.status(), v1::ROW_STATUS_MATCHED);
      EXPECT_EQ(r.mis().mis_id(), "m-eleanor");
      EXPECT_TRUE(r.decided_by_admin());
      matched = true;
    }
  }
  EXPECT_TRUE(matched) << rows.out;

  const std::vector<std::vector<std::string>> csv =
      ParseCsv(run({"sync", "rows", session, "--csv"}).out);
  ASSERT_EQ(csv.size(), 4u);  // header, Ellie + Eleanor, Zoe, =1+2
  EXPECT_EQ(csv[0],
            std::vector<std::string>(
                {"status", "learner_id", "hub_name", "mis_id", "mis_name",
                 "year_group", "registration_group", "import", "sync_email",
                 "decided_by_admin", "score", "reason", "evidence"}));
  std::map<std::string, std::vector<std::string>> by_mis;
  for (size_t i = 1; i < csv.size(); ++i) {
    ASSERT_EQ(csv[i].size(), csv[0].size()) << absl::StrJoin(csv[i], "|");
    by_mis[csv[i][3]] = csv[i];
  }
  const std::vector<std::string>& e = by_mis["m-eleanor"];
  EXPECT_EQ(e[0], "Matched");
  EXPECT_EQ(e[1], ellie.learner_id());
  EXPECT_EQ(e[2], "Ellie Moss");
  EXPECT_EQ(e[4], "Eleanor Carter");
  EXPECT_EQ(e[5], "7");
  EXPECT_EQ(e[6], "7A");
  EXPECT_EQ(e[9], "yes");
  EXPECT_FALSE(e[10].empty());
  EXPECT_THAT(e[11], HasSubstr("matched by the admin"));
  EXPECT_THAT(e[12], HasSubstr("surname:"));
  EXPECT_EQ(by_mis["m-zoe"][0], "New");
  EXPECT_EQ(by_mis["m-zoe"][4], "Zoe, \"Jo\" Lee");
  EXPECT_EQ(by_mis["m-eq"][4], "'=1+2 Cole") << "a formula is neutralised";
}

}  // namespace
}  // namespace hubsync::testing
