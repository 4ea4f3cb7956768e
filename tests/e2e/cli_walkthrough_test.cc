// The help page's walkthrough through the real binaries: hubsyncd as a child
// process on port 0 with a fresh SQLite file, driven by the hubsync CLI, then
// the hub's records checked one by one.
#include <csignal>
#include <fstream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hubsync/v1/accounts.pb.h"
#include "hubsync/v1/sync.pb.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

const std::string kBin = HUBSYNC_BINARY_DIR;

class Cli {
 public:
  explicit Cli(int port) : server_(absl::StrCat("127.0.0.1:", port)) {}
  void set_key(const std::string& key) { key_ = key; }

  // `input` on a pipe, as a script would give it.
  RunResult Run(std::vector<std::string> args, const std::string& input = "") {
    return testing::RunWithInput(Argv(std::move(args)), input);
  }
  // The admin at a terminal, typing `typed`.
  RunResult Typed(std::vector<std::string> args, const std::string& typed) {
    return testing::RunOnTerminal(Argv(std::move(args)), typed);
  }
  std::vector<std::string> Argv(std::vector<std::string> args) const {
    std::vector<std::string> argv = {kBin + "/hubsync", "--server", server_,
                                     "--api-key", key_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  // Runs with --json, expects success, and parses each output line as M.
  template <typename M>
  std::vector<M> Json(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    std::vector<M> out;
    for (absl::string_view line :
         absl::StrSplit(r.out, '\n', absl::SkipEmpty())) {
      M m;
      auto s =
          google::protobuf::util::JsonStringToMessage(std::string(line), &m);
      EXPECT_TRUE(s.ok()) << line;
      out.push_back(m);
    }
    return out;
  }
  template <typename M>
  M One(std::vector<std::string> args) {
    std::vector<M> all = Json<M>(std::move(args));
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? M() : all[0];
  }
  void Ok(std::vector<std::string> args) {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
  }

 private:
  std::string server_;
  std::string key_;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

const char kHeader[] =
    "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
    "registration_group,email\n";

TEST(CliWalkthroughTest, FullSyncThroughTheRealBinaries) {
  TempDir dir;
  RunResult init = testing::Run(
      {kBin + "/hubsyncd", "--db", dir.File("hub.db"), "--init-operator-key"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string operator_key(absl::StripAsciiWhitespace(init.out));
  Child server({kBin + "/hubsyncd", "--listen", "127.0.0.1:0", "--db",
                dir.File("hub.db")});
  std::string line = server.WaitForLine("listening on");
  ASSERT_FALSE(line.empty()) << "hubsyncd did not start";
  const int port =
      std::stoi(line.substr(line.find(':', line.find("127.0.0.1")) + 1));
  Cli cli(port);

  cli.set_key(operator_key);
  const std::string school =
      cli.One<v1::School>({"school", "create", "Walkthrough Academy"})
          .school_id();
  ASSERT_FALSE(school.empty());
  RunResult admin = cli.Run({"key", "create", "--school", school, "--role",
                             "admin", "--label", "Ms Admin"});
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  cli.set_key(std::string(absl::StripAsciiWhitespace(admin.out)));
  const std::string upn = Upn("801200005001");
  auto learner = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"learner", "create", "--school", school};
    args.insert(args.end(), extra.begin(), extra.end());
    return cli.One<v1::Learner>(args).learner_id();
  };
  const std::string amelia =
      learner({"--forename", "Amelia", "--surname", "Jones", "--dob",
               "2012-10-01", "--upn", upn, "--year", "7", "--reg-group", "7A"});
  const std::string oliver =
      learner({"--forename", "Oliver", "--surname", "Smith", "--dob",
               "2012-03-05", "--year", "8", "--reg-group", "8A"});

  // Term 1: link both.
  WriteFile(dir.File("term1.csv"),
            absl::StrCat(kHeader, "m-amelia,", upn,
                         ",Amelia,Jones,2012-10-01,8,8A,amelia@example.org\n"
                         "m-oliver,,Oliver,Smith,05/03/2012,8,8A,\n"));
  cli.Ok({"mis", "upload", "--school", school, "--format", "plain",
          dir.File("term1.csv")});
  auto walk_to_screen = [&](bool emails) {
    const std::string s = cli.One<v1::Session>({"sync", "start", "--school",
                                                school, "--admin", "Ms Admin"})
                              .session_id();
    EXPECT_EQ(cli.One<v1::Session>({"sync", "proceed", s}).step(),
              v1::SESSION_STEP_PUPILS_PANEL);
    std::vector<std::string> scope = {"sync", "scope", s, "--all"};
    if (emails) scope.push_back("--sync-emails");
    cli.Ok(scope);
    cli.Ok({"sync", "proceed", s});
    return s;
  };
  std::string first = walk_to_screen(false);
  std::vector<v1::Row> rows = cli.Json<v1::Row>({"sync", "rows", first});
  EXPECT_EQ(RowOf(rows, amelia).status(), v1::ROW_STATUS_MATCHED)
      << "same valid UPN";
  EXPECT_EQ(RowOf(rows, oliver).status(), v1::ROW_STATUS_MATCHED)
      << "same names and dob";
  cli.Ok({"sync", "save", first});

  // Term 2: Oliver left, three joiners, three hand-made records.
  const std::string isla =
      learner({"--forename", "Isla", "--surname", "Brown", "--dob",
               "2013-01-02", "--year", "7", "--reg-group", "7A"});
  const std::string freddie =
      learner({"--forename", "Freddie", "--surname", "Taylor", "--dob",
               "2013-05-06", "--year", "7"});
  const std::string ellie =
      learner({"--forename", "Ellie", "--surname", "Moss", "--year", "7"});
  WriteFile(dir.File("term2.csv"),
            absl::StrCat(kHeader, "m-amelia,", upn,
                         ",Amelia,Jones,2012-10-01,8,8B,amelia@example.org\n",
                         "m-noah,", Upn("801200005002"),
                         ",Noah,Patel,2013-02-03,7,7A,noah@example.org\n"
                         "m-isla,,Isla,Brown,2013-01-02,7,7A,isla@example.org\n"
                         "m-freddie,,Freddie,Wood,2013-05-06,7,7A,\n"
                         "m-eleanor,,Eleanor,Carter,2013-11-12,7,7A,\n"));
  cli.Ok({"mis", "upload", "--school", school, "--format", "plain",
          dir.File("term2.csv")});
  std::string second = walk_to_screen(true);
  rows = cli.Json<v1::Row>({"sync", "rows", second});
  EXPECT_EQ(RowOf(rows, amelia).status(), v1::ROW_STATUS_SYNCED);
  EXPECT_EQ(RowOf(rows, oliver).status(), v1::ROW_STATUS_DESYNCED);
  EXPECT_EQ(RowOf(rows, "m-noah").status(), v1::ROW_STATUS_NEW);
  EXPECT_EQ(RowOf(rows, isla).status(), v1::ROW_STATUS_MATCHED);
  EXPECT_EQ(RowOf(rows, freddie).status(), v1::ROW_STATUS_MAY_MATCH);
  EXPECT_EQ(RowOf(rows, ellie).status(), v1::ROW_STATUS_NOT_MATCHED);

  // The human screen shows all six statuses and explains the May match.
  RunResult screen = cli.Run({"sync", "rows", second, "--explain"});
  ASSERT_EQ(screen.exit_code, 0) << screen.err;
  for (const char* status :
       {"Not matched", "New", "Matched", "May match", "Synced", "Desynced"}) {
    EXPECT_THAT(screen.out, HasSubstr(status));
  }
  EXPECT_THAT(screen.out, HasSubstr("why each pair was made"));

  // Review: unmatch Isla, match Ellie with Eleanor, import Noah, two emails.
  cli.Ok({"sync", "unmatch", second, isla});
  cli.Ok({"sync", "match", second, ellie, "m-eleanor"});
  cli.Ok({"sync", "import", second, "m-noah"});
  cli.Ok({"sync", "email", second, "m-amelia"});
  cli.Ok({"sync", "email", second, "m-noah"});
  // Freddie's May match looked at and kept: the saves below are not asked
  // about it (CliWalkthroughTest.UnreviewedMayMatch... shows the asking).
  cli.Ok({"sync", "review", second, freddie});
  // Wrong status and unknown ids fail with the code's name and change nothing.
  RunResult bad = cli.Run({"sync", "match", second, amelia, "m-isla"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("FAILED_PRECONDITION"));
  bad = cli.Run({"sync", "import", second, "m-nobody"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("NOT_FOUND"));
  bad = cli.Run({"sync", "import", second});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("MIS_ID"));

  // Oliver leaving is 1 of the school's 2 synced learners: more than the
  // server's 10 %, so the CLI shows the count and, at a terminal, asks.
  // A script (stdin not a terminal, even with the count piped in) is not
  // asked: nothing is saved, and the message names the flag.
  RunResult unasked = cli.Run({"sync", "save", second}, "1\n");
  EXPECT_EQ(unasked.exit_code, 1);
  EXPECT_THAT(unasked.err,
              HasSubstr("desync 1 of the school's 2 synced learners (50.0%"));
  EXPECT_THAT(unasked.err, ::testing::Not(HasSubstr("Type 1")));
  EXPECT_THAT(unasked.err, HasSubstr("not saved"));
  EXPECT_THAT(unasked.err, HasSubstr("--confirm-desync 1"));
  EXPECT_THAT(unasked.err, HasSubstr("FAILED_PRECONDITION"));
  // At a terminal the CLI asks; a wrong answer does not save, nor a
  // confirmation of another count given as a flag (which asks nothing).
  RunResult wrong = cli.Typed({"sync", "save", second}, "yes\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("Type 1 to desync them and save"));
  EXPECT_THAT(wrong.err, HasSubstr("not saved"));
  RunResult stale =
      cli.Typed({"sync", "save", second, "--confirm-desync", "2"}, "1\n");
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.err, HasSubstr("was for 2, not 1"));
  EXPECT_THAT(stale.err, ::testing::Not(HasSubstr("Type 1")));
  EXPECT_EQ(cli.One<v1::Session>({"sync", "show", second}).step(),
            v1::SESSION_STEP_SYNC_SCREEN);
  EXPECT_EQ(
      cli.Json<v1::VerificationEmail>({"emails", "list", "--school", school})
          .size(),
      0u);

  // A dry run says what the save will do and saves nothing: no guard
  // question, no email, the session still on the sync screen.
  RunResult dry = cli.Run({"sync", "save", second, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("Dry run: the save would do this"));
  EXPECT_THAT(dry.out, HasSubstr("imported       2"));
  EXPECT_THAT(dry.out, HasSubstr("desynced       1"));
  EXPECT_THAT(dry.out, HasSubstr("emails queued  2"));
  RunResult dry_json = cli.Run({"--json", "sync", "save", second, "--dry-run"});
  ASSERT_EQ(dry_json.exit_code, 0) << dry_json.err;
  v1::SaveResponse will;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  std::string(absl::StripAsciiWhitespace(dry_json.out)), &will)
                  .ok())
      << dry_json.out;
  EXPECT_EQ(cli.One<v1::Session>({"sync", "show", second}).step(),
            v1::SESSION_STEP_SYNC_SCREEN);
  EXPECT_EQ(
      cli.Json<v1::VerificationEmail>({"emails", "list", "--school", school})
          .size(),
      0u);

  // What the hub looks like before the save, as the admin exports it.
  auto export_hub = [&] {
    RunResult r = cli.Run({"learner", "export", "--school", school});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    RunResult classes =
        cli.Run({"--json", "class", "list", "--school", school});
    EXPECT_EQ(classes.exit_code, 0) << classes.err;
    return r.out + "\n--classes--\n" + classes.out;
  };
  const std::string before_save = export_hub();

  // The admin types the count: saved.
  RunResult confirmed = cli.Typed({"--json", "sync", "save", second}, "1\n");
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.err;
  v1::SaveResponse saved;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(
          std::string(absl::StripAsciiWhitespace(confirmed.out)), &saved)
          .ok())
      << confirmed.out;
  EXPECT_EQ(saved.summary().imported(), 2);  // Noah, and Isla's MIS record
  EXPECT_EQ(saved.summary().linked(), 2);    // Freddie, Ellie/Eleanor
  EXPECT_EQ(saved.summary().desynced(), 1);
  EXPECT_EQ(saved.summary().emails_queued(), 2);
  EXPECT_EQ(saved.summary().SerializeAsString(),
            will.summary().SerializeAsString())
      << "the dry run said " << will.summary().ShortDebugString();

  // The hub, record by record.
  std::map<std::string, v1::Learner> hub;
  for (const v1::Learner& l :
       cli.Json<v1::Learner>({"learner", "list", "--school", school})) {
    hub[l.learner_id()] = l;
  }
  ASSERT_EQ(hub.size(), 7u);
  EXPECT_EQ(hub[amelia].sync_state(), v1::SYNC_STATE_SYNCED);  // refreshed
  EXPECT_EQ(hub[amelia].registration_group(), "8B")
      << "class overwritten from the MIS";
  EXPECT_EQ(hub[amelia].year_group(), "8") << "year overwritten from the MIS";
  EXPECT_EQ(hub[amelia].email(), "amelia@example.org") << "email ticked";
  EXPECT_EQ(hub[oliver].sync_state(), v1::SYNC_STATE_DESYNCED);
  EXPECT_EQ(hub[oliver].year_group(), "8") << "desynced keeps its year";
  EXPECT_EQ(hub[oliver].registration_group(), "8A")
      << "desynced keeps its class";
  EXPECT_EQ(hub[isla].sync_state(), v1::SYNC_STATE_UNSYNCED)
      << "unmatched: unaffected";
  EXPECT_EQ(hub[freddie].sync_state(), v1::SYNC_STATE_SYNCED)
      << "May match saved as matched";
  EXPECT_EQ(hub[freddie].legal_surname(), "Wood");
  EXPECT_EQ(hub[freddie].email(), "");
  EXPECT_EQ(hub[ellie].mis_id(), "m-eleanor") << "linked by the admin's match";
  EXPECT_EQ(hub[ellie].legal_forename(), "Eleanor");
  int imported = 0;
  for (const auto& [id, l] : hub) {
    if (id == amelia || id == oliver || id == isla || id == freddie ||
        id == ellie)
      continue;
    ++imported;
    EXPECT_EQ(l.sync_state(), v1::SYNC_STATE_SYNCED);
    if (l.mis_id() == "m-noah") {
      EXPECT_EQ(l.email(), "noah@example.org");
    } else {
      EXPECT_EQ(l.mis_id(), "m-isla");
      EXPECT_EQ(l.email(), "") << "Isla's email was never ticked";
    }
  }
  EXPECT_EQ(imported, 2);
  std::vector<v1::VerificationEmail> emails =
      cli.Json<v1::VerificationEmail>({"emails", "list", "--school", school});
  EXPECT_EQ(emails.size(), 2u);

  // The audit trail of one learner, as a person reads it: created by hand,
  // linked in term 1, email ticked and refreshed in term 2 with the fields
  // that changed.
  RunResult audit =
      cli.Run({"audit", "list", "--school", school, "--learner", amelia});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("created Amelia Jones"));
  EXPECT_THAT(audit.out, HasSubstr("link"));
  EXPECT_THAT(audit.out, HasSubstr("registration_group: 8A -> 8B"));
  EXPECT_THAT(audit.out, HasSubstr("email:  -> amelia@example.org"));
  // Who: the admin's key, by label, role and id; never a name typed in.
  EXPECT_THAT(audit.out, HasSubstr("Ms Admin (admin, key_"));
  // The email tick on the sync screen, row by row.
  EXPECT_THAT(audit.out, HasSubstr("set_sync_email"));
  EXPECT_THAT(audit.out, HasSubstr("(m-amelia): sync_email false -> true"));
  std::vector<std::string> verbs;
  for (const auto& r : cli.Json<v1::AuditRecord>(
           {"audit", "list", "--school", school, "--learner", amelia})) {
    verbs.push_back(r.verb());
  }
  EXPECT_THAT(verbs, ::testing::ElementsAre("create", "link", "set_sync_email",
                                            "refresh"));
  size_t saves = 0, edits = 0;
  for (const auto& r : cli.Json<v1::AuditRecord>(
           {"audit", "list", "--school", school, "--session", second})) {
    EXPECT_EQ(r.actor(), "Ms Admin");
    if (r.verb() == "link" || r.verb() == "refresh" || r.verb() == "import" ||
        r.verb() == "desync") {
      ++saves;
    } else {
      ++edits;
    }
  }
  EXPECT_EQ(saves, static_cast<size_t>(saved.summary().audit_records()));
  EXPECT_GT(edits, 0u);

  // Freddie Taylor was a May match overwritten by Freddie Wood: the save is
  // undone. The human output names the save and how to undo it.
  const std::string after_save = export_hub();
  ASSERT_FALSE(saved.save_id().empty());
  RunResult listed = cli.Run({"save", "list", "--school", school});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(saved.save_id()));
  EXPECT_THAT(listed.out, HasSubstr("2 linked, 1 refreshed, 2 imported"));
  RunResult dry_revert =
      cli.Run({"save", "revert", saved.save_id(), "--dry-run"});
  ASSERT_EQ(dry_revert.exit_code, 0) << dry_revert.err;
  EXPECT_THAT(dry_revert.out, HasSubstr("nothing changed"));
  EXPECT_EQ(export_hub(), after_save) << "a dry run changes nothing";
  RunResult reverted = cli.Run({"save", "revert", saved.save_id()});
  ASSERT_EQ(reverted.exit_code, 0) << reverted.err;
  EXPECT_THAT(reverted.out, HasSubstr("removed           2"));
  EXPECT_THAT(reverted.out, HasSubstr("emails withdrawn  2"));
  EXPECT_EQ(export_hub(), before_save)
      << "byte for byte the export and the class list from before the save";
  hub.clear();
  for (const v1::Learner& l :
       cli.Json<v1::Learner>({"learner", "list", "--school", school})) {
    hub[l.learner_id()] = l;
  }
  EXPECT_EQ(hub[freddie].legal_surname(), "Taylor");
  EXPECT_EQ(hub[freddie].sync_state(), v1::SYNC_STATE_UNSYNCED);
  for (const v1::VerificationEmail& e : cli.Json<v1::VerificationEmail>(
           {"emails", "list", "--school", school})) {
    EXPECT_EQ(e.status(), "withdrawn");
  }
  // Reverting it twice is refused; reverting the revert brings it back.
  RunResult twice = cli.Run({"save", "revert", saved.save_id()});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("already reverted"));
  const size_t at = reverted.out.find("(revert sav_");
  ASSERT_NE(at, std::string::npos) << reverted.out;
  const std::string revert_id = reverted.out.substr(at + 8, 20);
  cli.Ok({"save", "revert", revert_id});
  EXPECT_EQ(export_hub(), after_save);

  // Term 3 moves Amelia to 8A: a later save on a learner the term 2 save
  // changed. Reverting term 2 is refused, naming her and the later save;
  // once that save is reverted, term 2 reverts and the hub is as before it.
  WriteFile(dir.File("term3.csv"),
            absl::StrCat(kHeader, "m-amelia,", upn,
                         ",Amelia,Jones,2012-10-01,8,8A,amelia@example.org\n",
                         "m-noah,", Upn("801200005002"),
                         ",Noah,Patel,2013-02-03,7,7A,noah@example.org\n"
                         "m-isla,,Isla,Brown,2013-01-02,7,7A,isla@example.org\n"
                         "m-freddie,,Freddie,Wood,2013-05-06,7,7A,\n"
                         "m-eleanor,,Eleanor,Carter,2013-11-12,7,7A,\n"));
  cli.Ok({"mis", "upload", "--school", school, "--format", "plain",
          dir.File("term3.csv")});
  const std::string third = walk_to_screen(false);
  RunResult third_saved = cli.Run({"--json", "sync", "save", third});
  ASSERT_EQ(third_saved.exit_code, 0) << third_saved.err;
  v1::SaveResponse later;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(
          std::string(absl::StripAsciiWhitespace(third_saved.out)), &later)
          .ok())
      << third_saved.out;
  EXPECT_EQ(later.summary().refreshed(), 1) << "Amelia back to 8A";
  RunResult refused_revert = cli.Run({"save", "revert", saved.save_id()});
  EXPECT_EQ(refused_revert.exit_code, 1);
  EXPECT_THAT(refused_revert.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(refused_revert.err, HasSubstr("Amelia Jones"));
  EXPECT_THAT(refused_revert.err, HasSubstr(later.save_id()));
  cli.Ok({"save", "revert", later.save_id()});
  EXPECT_EQ(export_hub(), after_save) << "term 3 undone";
  cli.Ok({"save", "revert", saved.save_id()});
  EXPECT_EQ(export_hub(), before_save) << "then term 2 undone";

  EXPECT_EQ(server.Stop(SIGTERM), 0)
      << "hubsyncd shuts down cleanly on SIGTERM";
}

// What was seen: `hubsync sync save` linked hand-made Freddie Taylor to MIS
// Freddie Wood, a May match nobody had looked at, and overwrote him, with no
// warning. Now the save lists the row and asks; with nobody to answer it
// saves nothing unless --accept-unreviewed says to.
TEST(CliWalkthroughTest, UnreviewedMayMatchIsListedAndSavedOnlyWhenAccepted) {
  TempDir dir;
  RunResult init = testing::Run(
      {kBin + "/hubsyncd", "--db", dir.File("hub.db"), "--init-operator-key"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string operator_key(absl::StripAsciiWhitespace(init.out));
  Child server({kBin + "/hubsyncd", "--listen", "127.0.0.1:0", "--db",
                dir.File("hub.db")});
  std::string line = server.WaitForLine("listening on");
  ASSERT_FALSE(line.empty()) << "hubsyncd did not start";
  Cli cli(std::stoi(line.substr(line.find(':', line.find("127.0.0.1")) + 1)));

  // A school whose sync screen has one May match (Freddie) and one Matched
  // row (Amelia); returns the session, with the CLI on the school's key.
  struct School {
    std::string school, session, freddie;
  };
  int made = 0;
  auto school_on_screen = [&]() {
    School out;
    cli.set_key(operator_key);
    out.school = cli.One<v1::School>({"school", "create",
                                      absl::StrCat("Review Academy ", ++made)})
                     .school_id();
    RunResult key = cli.Run({"key", "create", "--school", out.school, "--role",
                             "admin", "--label", "Ms Admin"});
    EXPECT_EQ(key.exit_code, 0) << key.err;
    cli.set_key(std::string(absl::StripAsciiWhitespace(key.out)));
    out.freddie =
        cli.One<v1::Learner>({"learner", "create", "--school", out.school,
                              "--forename", "Freddie", "--surname", "Taylor",
                              "--dob", "2013-05-06", "--year", "7"})
            .learner_id();
    cli.Ok({"learner", "create", "--school", out.school, "--forename", "Amelia",
            "--surname", "Jones", "--dob", "2012-10-01", "--year", "7"});
    const std::string csv = dir.File(absl::StrCat("mis", made, ".csv"));
    WriteFile(csv, absl::StrCat(kHeader,
                                "m-freddie,,Freddie,Wood,2013-05-06,7,7A,\n"
                                "m-amelia,,Amelia,Jones,2012-10-01,7,7A,\n"));
    cli.Ok({"mis", "upload", "--school", out.school, "--format", "plain", csv});
    out.session = cli.One<v1::Session>({"sync", "start", "--school", out.school,
                                        "--admin", "Ms Admin"})
                      .session_id();
    cli.Ok({"sync", "proceed", out.session});
    cli.Ok({"sync", "scope", out.session, "--all"});
    cli.Ok({"sync", "proceed", out.session});
    std::vector<v1::Row> rows =
        cli.Json<v1::Row>({"sync", "rows", out.session});
    EXPECT_EQ(RowOf(rows, out.freddie).status(), v1::ROW_STATUS_MAY_MATCH);
    EXPECT_FALSE(RowOf(rows, out.freddie).reviewed());
    return out;
  };
  auto freddie_in_hub = [&](const School& s) {
    for (const v1::Learner& l :
         cli.Json<v1::Learner>({"learner", "list", "--school", s.school})) {
      if (l.learner_id() == s.freddie) return l;
    }
    return v1::Learner();
  };

  // 1. Nobody to answer (stdin empty, as in a script): listed, not saved,
  //    and the message names the flag.
  School a = school_on_screen();
  RunResult screen = cli.Run({"sync", "rows", a.session});
  ASSERT_EQ(screen.exit_code, 0) << screen.err;
  EXPECT_THAT(screen.out, HasSubstr("May match rows not reviewed: 1"));
  RunResult dry = cli.Run({"sync", "save", a.session, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("not reviewed   1"));
  RunResult refused = cli.Run({"sync", "save", a.session});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("1 May match row(s) nobody has reviewed"));
  EXPECT_THAT(refused.err, HasSubstr("Freddie Taylor (" + a.freddie +
                                     ")  may be  Freddie Wood (m-freddie)"));
  EXPECT_THAT(refused.err, HasSubstr("not saved"));
  EXPECT_THAT(refused.err, HasSubstr("--accept-unreviewed"));
  EXPECT_THAT(refused.err, HasSubstr("FAILED_PRECONDITION"));
  // Not on a terminal, a "y" piped in is no answer: a script is refused
  // unless it passes the flag.
  RunResult piped = cli.Run({"sync", "save", a.session}, "y\n");
  EXPECT_EQ(piped.exit_code, 1);
  EXPECT_THAT(piped.err, ::testing::Not(HasSubstr("Save anyway?")));
  EXPECT_THAT(piped.err, HasSubstr("--accept-unreviewed"));
  EXPECT_EQ(freddie_in_hub(a).sync_state(), v1::SYNC_STATE_UNSYNCED);
  // At a terminal, a "no" (or anything but y) saves nothing either.
  RunResult no = cli.Typed({"sync", "save", a.session}, "n\n");
  EXPECT_EQ(no.exit_code, 1);
  EXPECT_THAT(no.err, HasSubstr("Save anyway? [y/N]"));
  EXPECT_THAT(no.err, HasSubstr("not saved"));
  EXPECT_EQ(cli.One<v1::Session>({"sync", "show", a.session}).step(),
            v1::SESSION_STEP_SYNC_SCREEN);
  EXPECT_EQ(freddie_in_hub(a).legal_surname(), "Taylor") << "hub unchanged";
  EXPECT_EQ(freddie_in_hub(a).sync_state(), v1::SYNC_STATE_UNSYNCED);
  // The script that means it says so.
  RunResult accepted =
      cli.Run({"sync", "save", a.session, "--accept-unreviewed"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_THAT(accepted.out, HasSubstr("Saved and synced pupils"));
  EXPECT_THAT(accepted.err, ::testing::Not(HasSubstr("nobody has reviewed")));
  EXPECT_EQ(freddie_in_hub(a).legal_surname(), "Wood");

  // 2. On a terminal the admin answers y: saved.
  School b = school_on_screen();
  RunResult yes = cli.Typed({"sync", "save", b.session}, "y\n");
  ASSERT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_THAT(yes.err, HasSubstr("Freddie Taylor (" + b.freddie + ")"));
  EXPECT_EQ(freddie_in_hub(b).sync_state(), v1::SYNC_STATE_SYNCED);

  // 3. Reviewed first: saved without a question.
  School c = school_on_screen();
  cli.Ok({"sync", "review", c.session, c.freddie});
  EXPECT_TRUE(RowOf(cli.Json<v1::Row>({"sync", "rows", c.session}), c.freddie)
                  .reviewed());
  screen = cli.Run({"sync", "rows", c.session});
  EXPECT_THAT(screen.out, HasSubstr("May match (reviewed)"));
  EXPECT_THAT(screen.out, ::testing::Not(HasSubstr("not reviewed")));
  cli.Ok({"sync", "review", c.session, "--mis", "m-freddie", "--undo"});
  EXPECT_FALSE(RowOf(cli.Json<v1::Row>({"sync", "rows", c.session}), c.freddie)
                   .reviewed());
  // Every row at once needs the count it marks.
  RunResult all = cli.Run({"sync", "review", c.session, "--all"});
  EXPECT_EQ(all.exit_code, 2);
  EXPECT_THAT(all.err, HasSubstr("--confirm N"));
  all = cli.Run({"sync", "review", c.session, "--all", "--confirm", "2"});
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_THAT(all.err, HasSubstr("confirm_count = 1"));
  cli.Ok({"sync", "review", c.session, "--all", "--confirm", "1"});
  RunResult amelia =
      cli.Run({"sync", "review", c.session, "--mis", "m-amelia"});
  EXPECT_EQ(amelia.exit_code, 1) << "Amelia's row is Matched, not May match";
  EXPECT_THAT(amelia.err, HasSubstr("May match rows only"));
  RunResult saved = cli.Run({"sync", "save", c.session});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_THAT(saved.err, ::testing::Not(HasSubstr("nobody has reviewed")));
  EXPECT_EQ(freddie_in_hub(c).legal_surname(), "Wood");
  // The trail says who reviewed it.
  std::vector<std::string> verbs;
  for (const auto& r : cli.Json<v1::AuditRecord>(
           {"audit", "list", "--school", c.school, "--session", c.session})) {
    verbs.push_back(r.verb());
  }
  EXPECT_THAT(verbs, ::testing::IsSupersetOf(
                         {"set_reviewed", "set_reviewed_all", "link"}));
}

TEST(CliWalkthroughTest, HelpAndUsageErrors) {
  RunResult help = testing::Run({kBin + "/hubsync", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("sync save"));
  RunResult sub = testing::Run({kBin + "/hubsync", "sync", "match", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_THAT(sub.out, HasSubstr("LEARNER_ID MIS_ID"));
  RunResult save_help =
      testing::Run({kBin + "/hubsync", "sync", "save", "--help"});
  EXPECT_THAT(save_help.out, HasSubstr("--accept-unreviewed"));
  RunResult review_help =
      testing::Run({kBin + "/hubsync", "sync", "review", "--help"});
  EXPECT_EQ(review_help.exit_code, 0);
  EXPECT_THAT(review_help.out, HasSubstr("--confirm N"));
  EXPECT_THAT(review_help.out, HasSubstr("--undo"));
  RunResult unknown =
      testing::Run({kBin + "/hubsync", "sync", "rows", "ses_x", "--frob"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("--frob"));
  RunResult down = testing::Run({kBin + "/hubsync", "--server", "127.0.0.1:1",
                                 "--timeout", "2", "school", "list"});
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.err, HasSubstr("UNAVAILABLE"));
}

}  // namespace
}  // namespace hubsync::testing
