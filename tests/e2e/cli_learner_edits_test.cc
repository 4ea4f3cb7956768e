// Through the real binaries (hubsyncd as a child process on port 0, the
// hubsync CLI): learner edit, archive and restore, unlink, and the repair of
// an export imported back into the same school (every learner doubled).
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hubsync/v1/hub.pb.h"
#include "hubsync/v1/sync.pb.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBin = HUBSYNC_BINARY_DIR;

// hubsyncd on port 0 and the CLI against it, as a school's admin.
class Hub {
 public:
  explicit Hub(const TempDir& dir) {
    RunResult init = Run({kBin + "/hubsyncd", "--db", dir.File("hub.db"),
                          "--init-operator-key"});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    key_ = std::string(absl::StripAsciiWhitespace(init.out));
    child_ = std::make_unique<Child>(
        std::vector<std::string>{kBin + "/hubsyncd", "--listen", "127.0.0.1:0",
                                 "--db", dir.File("hub.db")});
    const std::string line = child_->WaitForLine("listening on");
    const size_t colon = line.find(':', line.find("127.0.0.1"));
    if (colon != std::string::npos) {
      address_ =
          "127.0.0.1:" + std::to_string(std::stoi(line.substr(colon + 1)));
    }
    RunResult school = Cli({"--json", "school", "create", "Edit Academy"});
    EXPECT_EQ(school.exit_code, 0) << school.err;
    const size_t at = school.out.find("sch_");
    if (at != std::string::npos) school_ = school.out.substr(at, 20);
    RunResult admin =
        Cli({"key", "create", "--school", school_, "--role", "admin"});
    EXPECT_EQ(admin.exit_code, 0) << admin.err;
    key_ = std::string(absl::StripAsciiWhitespace(admin.out));
  }

  bool up() const { return !address_.empty() && !school_.empty(); }
  const std::string& school() const { return school_; }

  RunResult Cli(std::vector<std::string> args) const {
    std::vector<std::string> argv = {kBin + "/hubsync", "--server", address_,
                                     "--api-key", key_};
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  }
  // Expects success; returns stdout.
  std::string Ok(std::vector<std::string> args) const {
    RunResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r.out;
  }
  // One JSON line of `--json args`, parsed as M.
  template <typename M>
  M One(std::vector<std::string> args) const {
    args.insert(args.begin(), "--json");
    M m;
    const std::string out = Ok(args);
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(
                    std::string(absl::StripAsciiWhitespace(out)), &m)
                    .ok())
        << out;
    return m;
  }

 private:
  std::unique_ptr<Child> child_;
  std::string address_;
  std::string key_;
  std::string school_;
};

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CliLearnerEditsTest, EditArchiveRestore) {
  TempDir dir;
  Hub hub(dir);
  ASSERT_TRUE(hub.up()) << "hubsyncd did not start";
  const std::string id =
      hub.One<v1::Learner>({"learner", "create", "--school", hub.school(),
                            "--forename", "Ann", "--surname", "Lee", "--year",
                            "7", "--reg-group", "7A", "--class", "7x/Ma1"})
          .learner_id();
  ASSERT_FALSE(id.empty());

  std::string out = hub.Ok({"learner", "edit", id, "--year", "8", "--reg-group",
                            "8A", "--surname", "Leigh"});
  EXPECT_THAT(out, HasSubstr("updated learner " + id + " (Ann Leigh)"));
  v1::Learner got = hub.One<v1::Learner>({"learner", "get", id});
  EXPECT_EQ(got.year_group(), "8");
  EXPECT_EQ(got.registration_group(), "8A");
  EXPECT_EQ(got.legal_surname(), "Leigh");
  RunResult none = hub.Cli({"learner", "edit", id});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_THAT(none.err, HasSubstr("nothing to change"));
  RunResult bad = hub.Cli({"learner", "edit", id, "--year", "Year 14"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("INVALID_ARGUMENT"));

  out = hub.Ok({"learner", "archive", id});
  EXPECT_THAT(out, HasSubstr("archived learner " + id));
  EXPECT_THAT(hub.Ok({"learner", "list", "--school", hub.school()}),
              Not(HasSubstr(id)));
  out = hub.Ok({"learner", "list", "--school", hub.school(), "--archived"});
  EXPECT_THAT(out, HasSubstr(id));
  EXPECT_THAT(out, HasSubstr("1 archived learner(s)"));
  EXPECT_THAT(out, HasSubstr("unsynced, archived"));
  out = hub.Ok({"learner", "restore", id});
  EXPECT_THAT(out, HasSubstr("restored learner " + id));
  got = hub.One<v1::Learner>({"learner", "get", id});
  EXPECT_FALSE(got.has_archive_time());
  EXPECT_THAT(got.classes(), ::testing::ElementsAre("7x/Ma1"));
  EXPECT_THAT(hub.Ok({"learner", "list", "--school", hub.school()}),
              HasSubstr(id));

  out = hub.Ok({"audit", "list", "--school", hub.school(), "--learner", id});
  for (const char* verb : {"create", "update", "archive", "restore"}) {
    EXPECT_THAT(out, HasSubstr(verb));
  }
}

// A sync of the whole school to its sync screen; returns the session id.
std::string SyncScreen(const Hub& hub) {
  const std::string session =
      hub.One<v1::Session>(
             {"sync", "start", "--school", hub.school(), "--admin", "me"})
          .session_id();
  hub.Ok({"sync", "proceed", session});
  hub.Ok({"sync", "scope", session, "--all"});
  hub.Ok({"sync", "proceed", session});
  return session;
}

// Hand-made Oliver Smith, then synced with the MIS's m-oliver (the same
// child); returns his learner id.
std::string SyncedOliver(const TempDir& dir, const Hub& hub) {
  const std::string id =
      hub.One<v1::Learner>({"learner", "create", "--school", hub.school(),
                            "--forename", "Oliver", "--surname", "Smith",
                            "--dob", "2012-03-05", "--year", "8", "--reg-group",
                            "8A"})
          .learner_id();
  WriteText(dir.File("mis.csv"),
            "mis_id,upn,legal_forename,legal_surname,date_of_birth,"
            "year_group,registration_group,email\n"
            "m-oliver,,Oliver,Smith,2012-03-05,8,8A,\n");
  hub.Ok({"mis", "upload", "--school", hub.school(), "--format", "plain",
          dir.File("mis.csv")});
  hub.Ok({"sync", "save", SyncScreen(hub)});
  EXPECT_EQ(hub.One<v1::Learner>({"learner", "get", id}).sync_state(),
            v1::SYNC_STATE_SYNCED);
  return id;
}

// The screen's rows, as --json gives them.
std::vector<v1::Row> Rows(const Hub& hub, const std::string& session) {
  std::vector<v1::Row> out;
  const std::string text = hub.Ok({"--json", "sync", "rows", session});
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    v1::Row& r = out.emplace_back();
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(l), &r).ok())
        << l;
  }
  return out;
}

TEST(CliLearnerEditsTest, UnlinkASyncedLearner) {
  TempDir dir;
  Hub hub(dir);
  ASSERT_TRUE(hub.up()) << "hubsyncd did not start";
  const std::string id = SyncedOliver(dir, hub);

  // The MIS owns the year group of a synced learner.
  RunResult refused = hub.Cli({"learner", "edit", id, "--year", "9"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(refused.err, HasSubstr("year_group of Oliver Smith (" + id +
                                     ") is managed by the MIS"));

  std::string out = hub.Ok({"learner", "unlink", id});
  EXPECT_THAT(out, HasSubstr("unlinked learner " + id + " (Oliver Smith)"));
  v1::Learner got = hub.One<v1::Learner>({"learner", "get", id});
  EXPECT_EQ(got.sync_state(), v1::SYNC_STATE_UNSYNCED);
  EXPECT_EQ(got.mis_id(), "");
  EXPECT_EQ(got.year_group(), "8");
  // Hand-made now: the year group is the hub's to change.
  hub.Ok({"learner", "edit", id, "--year", "9"});
  RunResult again = hub.Cli({"learner", "unlink", id});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("is not linked to a MIS record"));
}

// The issue: after an unlink "the MIS learner appears as New at the next
// sync", although both records still describe the same child (the
// classifier would pair them Matched). The admin can still match them by
// hand, and the save links them again.
TEST(CliLearnerEditsTest, AnUnlinkedMisRecordComesBackAsNew) {
  TempDir dir;
  Hub hub(dir);
  ASSERT_TRUE(hub.up()) << "hubsyncd did not start";
  const std::string id = SyncedOliver(dir, hub);
  hub.Ok({"learner", "unlink", id});

  const std::string session = SyncScreen(hub);
  std::vector<v1::Row> rows = Rows(hub, session);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].status(), v1::ROW_STATUS_NOT_MATCHED);
  EXPECT_EQ(rows[0].hub().learner_id(), id);
  EXPECT_EQ(rows[1].status(), v1::ROW_STATUS_NEW);
  EXPECT_EQ(rows[1].mis().mis_id(), "m-oliver");
  const std::string explained = hub.Ok({"sync", "rows", session, "--explain"});
  EXPECT_THAT(explained,
              HasSubstr("An admin unlinked this learner from MIS record "
                        "m-oliver: the two are not paired again unless "
                        "matched by hand."));

  // Saved as it stands, nothing links them.
  hub.Ok({"sync", "save", session});
  EXPECT_EQ(hub.One<v1::Learner>({"learner", "get", id}).sync_state(),
            v1::SYNC_STATE_UNSYNCED);

  // The admin's own Match is the way back.
  const std::string again = SyncScreen(hub);
  hub.Ok({"sync", "match", again, id, "m-oliver"});
  hub.Ok({"sync", "save", again});
  v1::Learner linked = hub.One<v1::Learner>({"learner", "get", id});
  EXPECT_EQ(linked.sync_state(), v1::SYNC_STATE_SYNCED);
  EXPECT_EQ(linked.mis_id(), "m-oliver");
}

// The defect: `learner export` then `learner import` of the same file
// doubles every learner (24 -> 48). Archiving the 24 the import created (the
// ids its --json reply lists) leaves the school exactly as it was.
TEST(CliLearnerEditsTest, AnExportImportedTwiceIsRepairedByArchiving) {
  TempDir dir;
  Hub hub(dir);
  ASSERT_TRUE(hub.up()) << "hubsyncd did not start";
  std::string seed = "forename,surname,year_group,reg_group,classes\n";
  for (int i = 0; i < 24; ++i) {
    absl::StrAppend(&seed, "Pupil", i, ",Surname", i % 7, ",7,7A,7x/Ma1\n");
  }
  WriteText(dir.File("seed.csv"), seed);
  hub.Ok({"learner", "import", "--school", hub.school(), dir.File("seed.csv")});
  hub.Ok({"learner", "export", "--school", hub.school(), "--output",
          dir.File("before.csv")});
  const std::string before = ReadText(dir.File("before.csv"));

  const v1::ImportLearnersResponse doubled =
      hub.One<v1::ImportLearnersResponse>({"learner", "import", "--school",
                                           hub.school(),
                                           dir.File("before.csv")});
  ASSERT_EQ(doubled.created(), 24);
  EXPECT_THAT(hub.Ok({"learner", "list", "--school", hub.school()}),
              HasSubstr("48 learner(s)"));

  std::vector<std::string> archive = {"learner", "archive"};
  archive.insert(archive.end(), doubled.learner_ids().begin(),
                 doubled.learner_ids().end());
  hub.Ok(archive);
  EXPECT_THAT(hub.Ok({"learner", "list", "--school", hub.school()}),
              HasSubstr("24 learner(s)"));
  hub.Ok({"learner", "export", "--school", hub.school(), "--output",
          dir.File("after.csv")});
  EXPECT_EQ(ReadText(dir.File("after.csv")), before);
}

}  // namespace
}  // namespace hubsync::testing
