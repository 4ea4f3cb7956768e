// The console end to end: a real hubsyncd (child process, port 0, a fresh
// SQLite file), the real `hubsync console` inside a detached tmux of a fixed
// size, driven with send-keys and read with capture-pane. The hub is set up
// and checked through the typed client over TCP. Screens are polled with a
// timeout, never waited for with fixed sleeps.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/lib/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBin = HUBSYNC_BINARY_DIR;
const std::string kSrc = HUBSYNC_SOURCE_DIR;

// tmux from PATH; empty if it is not installed.
std::string FindTmux() {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    const std::string candidate = absl::StrCat(dir, "/tmux");
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One tmux server on its own socket in the test's temp dir.
class Tmux {
 public:
  Tmux(std::string tmux, std::string socket)
      : tmux_(std::move(tmux)), socket_(std::move(socket)) {}
  ~Tmux() { testing::Run({tmux_, "-S", socket_, "kill-server"}, 10); }

  // Runs `command` (a shell line) in a detached session of cols x rows.
  void Start(const std::string& command, int cols = 120, int rows = 40) {
    RunResult r = testing::Run(
        {tmux_, "-S", socket_, "-f", "/dev/null", "new-session", "-d", "-x",
         absl::StrCat(cols), "-y", absl::StrCat(rows), command},
        10);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // The screen once two captures 30 ms apart agree, so a screen caught
  // halfway through a redraw is never taken for the result.
  std::string Settled() {
    std::string last = Screen();
    for (int i = 0; i < 30; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      std::string now = Screen();
      if (now == last) return now;
      last = std::move(now);
    }
    return last;
  }
  std::string Screen() {
    return testing::Run({tmux_, "-S", socket_, "capture-pane", "-p"}, 10).out;
  }
  // The screen with its attributes as escape sequences (colours included).
  std::string ScreenWithEscapes() {
    return testing::Run({tmux_, "-S", socket_, "capture-pane", "-p", "-e"}, 10)
        .out;
  }
  // Key names as tmux knows them: "Enter", "Space", "Escape", "Down", "y".
  void Keys(const std::vector<std::string>& keys) {
    std::vector<std::string> argv = {tmux_, "-S", socket_, "send-keys"};
    argv.insert(argv.end(), keys.begin(), keys.end());
    ASSERT_EQ(testing::Run(argv, 10).exit_code, 0);
  }
  void Resize(int cols, int rows) {
    ASSERT_EQ(testing::Run({tmux_, "-S", socket_, "resize-window", "-x",
                            absl::StrCat(cols), "-y", absl::StrCat(rows)},
                           10)
                  .exit_code,
              0);
  }
  // Polls until screen line `index` (0-based) starts with `prefix`.
  bool WaitForLineStart(size_t index, const std::string& prefix,
                        std::string* screen = nullptr) {
    const auto end =
        std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::string s;
    do {
      s = Settled();
      std::vector<std::string> lines = absl::StrSplit(s, '\n');
      if (lines.size() > index && lines[index].rfind(prefix, 0) == 0) {
        if (screen != nullptr) *screen = s;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    } while (std::chrono::steady_clock::now() < end);
    ADD_FAILURE() << "line " << index << " never started with '" << prefix
                  << "'; the screen shows:\n"
                  << s;
    return false;
  }
  // Literal text (UTF-8 as is).
  void Type(const std::string& text) {
    ASSERT_EQ(testing::Run({tmux_, "-S", socket_, "send-keys", "-l", text}, 10)
                  .exit_code,
              0);
  }
  // Polls the screen until it contains `needle`; returns the last screen.
  bool WaitFor(const std::string& needle, std::string* screen = nullptr,
               int timeout_ms = 15000) {
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(timeout_ms);
    std::string s;
    do {
      s = Settled();
      if (s.find(needle) != std::string::npos) {
        if (screen != nullptr) *screen = s;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    } while (std::chrono::steady_clock::now() < end);
    if (screen != nullptr) *screen = s;
    ADD_FAILURE() << "the screen never showed '" << needle << "'; it shows:\n"
                  << s;
    return false;
  }

 private:
  std::string tmux_;
  std::string socket_;
};

// hubsyncd with a fresh database, an operator key, one school and its admin
// key; `client` uses the admin key.
struct Fixture {
  TempDir dir;
  std::unique_ptr<Child> server;
  int port = 0;
  std::string school;
  std::string admin_key;
  std::string operator_key;
  std::unique_ptr<client::HubsyncClient> client;
  std::unique_ptr<Tmux> tmux;

  void Start(const std::string& school_name) {
    const std::string tmux_bin = FindTmux();
    ASSERT_FALSE(tmux_bin.empty()) << "tmux is not installed (scripts/deps.sh "
                                      "installs it); the console tests "
                                      "need it";
    ::unsetenv("TMUX");
    RunResult init = testing::Run({kBin + "/hubsyncd", "--db",
                                   dir.File("hub.db"), "--init-operator-key"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    operator_key = std::string(absl::StripAsciiWhitespace(init.out));
    server = std::make_unique<Child>(
        std::vector<std::string>{kBin + "/hubsyncd", "--listen", "127.0.0.1:0",
                                 "--db", dir.File("hub.db")});
    const std::string line = server->WaitForLine("listening on");
    ASSERT_FALSE(line.empty()) << "hubsyncd did not start";
    port = std::stoi(line.substr(line.find(':', line.find("127.0.0.1")) + 1));
    client = std::make_unique<client::HubsyncClient>(
        absl::StrCat("127.0.0.1:", port));
    client->set_api_key(operator_key);
    absl::StatusOr<v1::School> s = client->CreateSchool(school_name);
    ASSERT_TRUE(s.ok()) << s.status();
    school = s->school_id();
    v1::CreateApiKeyRequest key;
    key.set_school_id(school);
    key.set_role(v1::ROLE_ADMIN);
    key.set_label("console test");
    absl::StatusOr<v1::CreateApiKeyResponse> k = client->CreateApiKey(key);
    ASSERT_TRUE(k.ok()) << k.status();
    admin_key = k->secret();
    client->set_api_key(admin_key);
    tmux = std::make_unique<Tmux>(tmux_bin, dir.File("tmux.sock"));
  }

  // Runs `hubsync console ARGS` in tmux with the key in $HUBSYNC_API_KEY;
  // "CONSOLE-EXIT=<code>" shows when it ends.
  void Console(const std::string& args, const std::string& key = "") {
    tmux->Start(
        absl::StrCat("env LANG=C.UTF-8 LC_ALL=C.UTF-8 HUBSYNC_API_KEY='",
                     key.empty() ? admin_key : key, "' ", kBin,
                     "/hubsync --server 127.0.0.1:", port, " console ", args,
                     "; echo CONSOLE-EXIT=$?; sleep 600"));
  }
  // The same in a terminal of cols x rows, with `env` (for example
  // "LANG=C LC_ALL=C" or "NO_COLOR=1") in the console's environment; its
  // stderr shows after it exits, between CONSOLE-ERR lines.
  void ConsoleIn(Tmux& t, const std::string& args, int cols, int rows,
                 const std::string& env = "LANG=C.UTF-8 LC_ALL=C.UTF-8") {
    const std::string err = dir.File("console.err");
    t.Start(absl::StrCat("env ", env, " HUBSYNC_API_KEY='", admin_key, "' ",
                         kBin, "/hubsync --server 127.0.0.1:", port,
                         " console ", args, " 2>", err,
                         "; echo CONSOLE-EXIT=$?; echo CONSOLE-ERR; cat ", err,
                         "; echo CONSOLE-ERR; sleep 600"),
            cols, rows);
  }

  std::string Learner(const LearnerSpec& spec) {
    absl::StatusOr<v1::Learner> r =
        client->CreateLearner(LearnerRequest(school, spec));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->learner_id() : "";
  }

  void Push(const std::vector<v1::MisLearnerRecord>& learners) {
    v1::PushMisRecordsRequest req;
    req.set_school_id(school);
    std::set<std::string> regs;
    for (const auto& l : learners) {
      *req.add_learners() = l;
      if (regs.insert(l.registration_group()).second) {
        *req.add_classes() = RegClass("reg-" + l.registration_group(),
                                      l.registration_group(), l.year_group());
      }
    }
    absl::StatusOr<v1::MisSnapshot> r = client->PushMisRecords(req);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  // Start, Proceed, scope all, Proceed, and wait for the last row.
  std::string ToSyncScreen(bool emails = false) {
    v1::StartSessionRequest start;
    start.set_school_id(school);
    start.set_admin("setup");
    absl::StatusOr<v1::Session> s = client->StartSession(start);
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return "";
    v1::ProceedRequest p;
    p.set_session_id(s->session_id());
    EXPECT_TRUE(client->Proceed(p).ok());
    v1::SetScopeRequest scope;
    scope.set_session_id(s->session_id());
    scope.mutable_scope()->set_kind(v1::SCOPE_KIND_ALL);
    scope.set_sync_email_addresses(emails);
    EXPECT_TRUE(client->SetScope(scope).ok());
    EXPECT_TRUE(client->Proceed(p).ok());
    Rows(s->session_id());
    return s->session_id();
  }

  std::vector<v1::Row> Rows(const std::string& session,
                            v1::StatusSummary* summary = nullptr) {
    std::vector<v1::Row> rows;
    v1::StreamRowsRequest req;
    req.set_session_id(session);
    absl::Status st = client->StreamRows(req, [&](const v1::RowBatch& b) {
      rows.insert(rows.end(), b.rows().begin(), b.rows().end());
      if (b.done() && summary != nullptr) *summary = b.summary();
      return true;
    });
    EXPECT_TRUE(st.ok()) << st;
    return rows;
  }

  v1::Learner ByName(const std::string& forename) {
    absl::StatusOr<v1::ListLearnersResponse> all = client->ListLearners(school);
    EXPECT_TRUE(all.ok()) << all.status();
    if (all.ok()) {
      for (const auto& l : all->learners()) {
        if (l.legal_forename() == forename) return l;
      }
    }
    return v1::Learner();
  }
};

std::string SummaryLine(const v1::StatusSummary& s) {
  return absl::StrFormat(
      "Not matched %d | New %d | Matched %d | May match %d | Synced %d | "
      "Desynced %d | "
      "total %d",
      s.not_matched(), s.new_(), s.matched(), s.may_match(), s.synced(),
      s.desynced(), s.total());
}

// A learner in Year 7, 7A unless said otherwise.
LearnerSpec Spec(const std::string& forename, const std::string& surname,
                 const std::string& dob = "", const std::string& upn = "",
                 const std::string& year = "7", const std::string& reg = "7A") {
  LearnerSpec s;
  s.forename = forename;
  s.surname = surname;
  s.dob = dob;
  s.upn = upn;
  s.year = year;
  s.reg = reg;
  return s;
}

v1::MisLearnerRecord Mis(const std::string& id, const LearnerSpec& spec) {
  return MisRecord(id, spec);
}

// The demo school (scripts/demo_data: the hub seed and the term 1 OneRoster
// export) plus a hand-made Zoë Brontë, from `--school` to a saved import.
TEST(ConsoleTest, DemoSchoolFromClassSyncToSavedImport) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Riverside Academy"));
  absl::StatusOr<v1::ImportLearnersResponse> seeded = f.client->ImportLearners(
      f.school, ReadAll(kSrc + "/scripts/demo_data/hub_seed.csv"));
  ASSERT_TRUE(seeded.ok()) << seeded.status();
  std::vector<client::UploadFile> files;
  for (const char* name :
       {"manifest.csv", "orgs.csv", "users.csv", "roles.csv", "classes.csv",
        "enrollments.csv", "demographics.csv"}) {
    files.push_back({name, ReadAll(kSrc + "/scripts/demo_data/term1/" + name)});
  }
  absl::StatusOr<v1::MisSnapshot> snap =
      f.client->UploadMisExport(f.school, v1::MIS_FORMAT_ONEROSTER, files);
  ASSERT_TRUE(snap.ok()) << snap.status();
  const std::string zoe = f.Learner(Spec("Zo\xc3\xab", "Bront\xc3\xab"));

  f.Console("--school " + f.school + " --admin 'Ms Console'");
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("Class sync", &screen));
  EXPECT_THAT(screen, HasSubstr("Riverside Academy"));
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("Pupils panel: which learners", &screen));
  EXPECT_THAT(screen, HasSubstr("Classes synced:"));
  EXPECT_THAT(screen, HasSubstr("(*) Select all students"));
  EXPECT_THAT(screen, HasSubstr("[ ] Year 7"));
  EXPECT_THAT(screen, HasSubstr("[ ] 8A"));
  EXPECT_THAT(screen, HasSubstr("[ ] Sync pupil email addresses"));
  f.tmux->Keys({"p"});
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));

  // The counts are the server's own summary; the rows show names and statuses.
  absl::StatusOr<v1::ListSessionsResponse> sessions =
      f.client->ListSessions(f.school);
  ASSERT_TRUE(sessions.ok() && sessions->sessions_size() == 1);
  const std::string session = sessions->sessions(0).session_id();
  v1::StatusSummary summary;
  std::vector<v1::Row> rows = f.Rows(session, &summary);
  EXPECT_GT(summary.matched(), 0);
  EXPECT_GT(summary.new_(), 1);
  EXPECT_THAT(screen, HasSubstr(SummaryLine(summary)));
  EXPECT_THAT(screen, HasSubstr("HUB LEARNER"));
  EXPECT_THAT(screen, HasSubstr("MIS LEARNER"));
  EXPECT_THAT(screen, HasSubstr("Matched"));
  EXPECT_THAT(screen, HasSubstr("Zo\xc3\xab Bront\xc3\xab"))
      << "non-ASCII names render";
  EXPECT_EQ(RowOf(rows, zoe).status(), v1::ROW_STATUS_NOT_MATCHED);

  // A smaller terminal redraws: the help bar moves to the new last line.
  ASSERT_TRUE(f.tmux->WaitForLineStart(39, " j/k/PgUp/PgDn: move"));
  f.tmux->Resize(90, 24);
  ASSERT_TRUE(f.tmux->WaitForLineStart(23, " j/k/PgUp/PgDn: move", &screen));
  EXPECT_THAT(screen, HasSubstr("HUB LEARNER"));
  EXPECT_THAT(screen, HasSubstr(SummaryLine(summary)));
  f.tmux->Resize(120, 40);
  ASSERT_TRUE(f.tmux->WaitForLineStart(39, " j/k/PgUp/PgDn: move"));

  // The filter shows New rows only.
  f.tmux->Keys({"f", "f"});
  ASSERT_TRUE(f.tmux->WaitFor("Filter: New", &screen));
  EXPECT_THAT(screen, Not(HasSubstr("Zo\xc3\xab")))
      << "a Not matched row is filtered out";

  // Search Chloe, tick Import?, save: she is created and linked.
  f.tmux->Keys({"/"});
  ASSERT_TRUE(f.tmux->WaitFor("Search by name or id:"));
  f.tmux->Type("chloe");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("(1 shown)", &screen));
  EXPECT_THAT(screen, HasSubstr("Chloe Green"));
  f.tmux->Keys({"Space"});
  ASSERT_TRUE(f.tmux->WaitFor("Import? changed", &screen));
  EXPECT_THAT(screen, HasSubstr("[x]"));
  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?", &screen));
  EXPECT_THAT(screen, HasSubstr("import      1 new learners"));
  EXPECT_THAT(screen,
              HasSubstr(absl::StrCat("link        ",
                                     summary.matched() + summary.may_match())));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("Saved and synced pupils", &screen));
  EXPECT_THAT(screen, HasSubstr("imported 1"));
  const v1::Learner chloe = f.ByName("Chloe");
  EXPECT_EQ(chloe.legal_surname(), "Green");
  EXPECT_EQ(chloe.sync_state(), v1::SYNC_STATE_SYNCED);
  EXPECT_TRUE(f.ByName("Jacob").learner_id().empty())
      << "an unticked New row is not imported";
  EXPECT_EQ(f.ByName("Zo\xc3\xab").sync_state(), v1::SYNC_STATE_UNSYNCED);

  f.tmux->Keys({"Escape"});
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=", &screen));
  EXPECT_THAT(screen, HasSubstr("CONSOLE-EXIT=0"));
  EXPECT_THAT(screen, HasSubstr("imported 1"));
}

// Match a Not matched hub learner with a New MIS learner, then unmatch it;
// another admin's change is refused as stale and the screen refreshes.
TEST(ConsoleTest, MatchUnmatchAndAnotherAdminsChange) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Match Academy"));
  const std::string amelia_upn = Upn("801200005001");
  const std::string amelia =
      f.Learner(Spec("Amelia", "Jones", "2012-10-01", amelia_upn));
  const std::string ellie = f.Learner(Spec("Ellie", "Moss"));
  f.Push({Mis("m-amelia", Spec("Amelia", "Jones", "2012-10-01", amelia_upn)),
          Mis("m-eleanor", Spec("Eleanor", "Carter", "2013-11-12")),
          Mis("m-lukasz", Spec("\xc5\x81ukasz", "Nowak", "2013-03-04"))});
  const std::string session = f.ToSyncScreen();
  ASSERT_FALSE(session.empty());

  f.Console(session);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));
  EXPECT_THAT(screen, HasSubstr("\xc5\x81ukasz Nowak"))
      << "non-ASCII names render";
  EXPECT_THAT(screen, HasSubstr("Not matched 1 | New 2 | Matched 1"));

  // m on Ellie (Not matched), m on Eleanor (New): one Matched row.
  f.tmux->Keys({"/"});
  f.tmux->Type("ellie");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("(1 shown)"));
  f.tmux->Keys({"m"});
  ASSERT_TRUE(f.tmux->WaitFor("Marked: Ellie Moss"));
  f.tmux->Keys({"/"});
  f.tmux->Keys({"C-u"});  // the prompt starts with "ellie": clear it
  f.tmux->Type("eleanor");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("Search: eleanor"));
  f.tmux->Keys({"m"});
  ASSERT_TRUE(f.tmux->WaitFor("Matched by you: Ellie Moss", &screen));
  EXPECT_THAT(screen, HasSubstr("Matched *"));
  EXPECT_THAT(screen, HasSubstr("Not matched 0 | New 1 | Matched 2"));
  v1::Row row = RowOf(f.Rows(session), ellie);
  EXPECT_EQ(row.status(), v1::ROW_STATUS_MATCHED);
  EXPECT_EQ(row.mis().mis_id(), "m-eleanor");
  EXPECT_TRUE(row.decided_by_admin());

  // u splits it again: Not matched + New (Import? ticked).
  f.tmux->Keys({"u"});
  ASSERT_TRUE(f.tmux->WaitFor("Unmatched:", &screen));
  EXPECT_THAT(screen, HasSubstr("Not matched 1 | New 2 | Matched 1"));
  std::vector<v1::Row> rows = f.Rows(session);
  EXPECT_EQ(RowOf(rows, ellie).status(), v1::ROW_STATUS_NOT_MATCHED);
  EXPECT_EQ(RowOf(rows, "m-eleanor").status(), v1::ROW_STATUS_NEW);
  EXPECT_TRUE(RowOf(rows, "m-eleanor").import());

  // Another admin unticks Eleanor's import meanwhile: the console's next edit
  // carries a stale version, is refused (ABORTED), and the screen says so.
  v1::SetImportRequest other;
  other.set_session_id(session);
  other.set_mis_id("m-eleanor");
  other.set_import(false);
  ASSERT_TRUE(f.client->SetImport(other).ok());
  f.tmux->Keys({"Escape"});  // clear the search: every row
  ASSERT_TRUE(f.tmux->WaitFor("Search: -"));
  f.tmux->Keys({"g"});  // first row
  f.tmux->Keys({"x"});
  ASSERT_TRUE(f.tmux->WaitFor("any key: back", &screen));
  f.tmux->Keys({"Escape"});
  f.tmux->Keys({"/"});
  f.tmux->Type("amelia");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("Search: amelia"));
  f.tmux->Keys({"u"});
  ASSERT_TRUE(f.tmux->WaitFor("Another admin changed this session", &screen));
  ASSERT_TRUE(f.tmux->WaitFor("(1 shown)")) << "the rows came again";
  EXPECT_EQ(RowOf(f.Rows(session), amelia).status(), v1::ROW_STATUS_MATCHED)
      << "the stale edit changed nothing";
  // After the refresh the same key works.
  f.tmux->Keys({"u"});
  ASSERT_TRUE(f.tmux->WaitFor("Unmatched:"));
  EXPECT_EQ(RowOf(f.Rows(session), amelia).status(),
            v1::ROW_STATUS_NOT_MATCHED);

  // Unsaved edits: q asks first; n stays.
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("Quit now?"));
  f.tmux->Keys({"n"});
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("Quit now?"));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=", &screen));
  EXPECT_THAT(screen, HasSubstr("CONSOLE-EXIT=0"));
  EXPECT_THAT(screen, HasSubstr("reopen it with: hubsync console " + session));
}

// A save that would desync more than 10 % of the synced learners shows the
// count and share, and only a typed "yes" sends the confirmation.
TEST(ConsoleTest, MassDesyncShowsTheCountAndNeedsYes) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Leavers Academy"));
  std::vector<v1::MisLearnerRecord> term1;
  for (const char* name : {"Ada", "Ben", "Cai"}) {
    LearnerSpec spec =
        Spec(name, "Shaw", "2012-01-0" + std::to_string(term1.size() + 1), "",
             "8", "8A");
    f.Learner(spec);
    term1.push_back(Mis(absl::StrCat("m-", name), spec));
  }
  f.Push(term1);
  const std::string first = f.ToSyncScreen();
  v1::SaveRequest save;
  save.set_session_id(first);
  ASSERT_TRUE(f.client->SaveAndSyncPupils(save).ok());
  ASSERT_EQ(f.ByName("Ben").sync_state(), v1::SYNC_STATE_SYNCED);
  f.Push({term1[0], term1[2]});  // Ben has left
  const std::string second = f.ToSyncScreen();

  f.Console(second);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));
  EXPECT_THAT(screen, HasSubstr("Synced 2 | Desynced 1"));
  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?", &screen));
  EXPECT_THAT(screen, HasSubstr("desync      1 learners"));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("Mass desync", &screen));
  EXPECT_THAT(screen, HasSubstr("desync 1 of the school's 3 synced"));
  EXPECT_THAT(screen, HasSubstr("33.3%"));
  f.tmux->Type("no");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("not saved", &screen));
  absl::StatusOr<v1::Session> s = f.client->GetSession(second);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->step(), v1::SESSION_STEP_SYNC_SCREEN)
      << "refused: nothing saved";
  EXPECT_EQ(f.ByName("Ben").sync_state(), v1::SYNC_STATE_SYNCED);

  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?"));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("Mass desync"));
  f.tmux->Type("yes");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("Saved and synced pupils", &screen));
  EXPECT_THAT(screen, HasSubstr("desynced 1"));
  EXPECT_EQ(f.ByName("Ben").sync_state(), v1::SYNC_STATE_DESYNCED);
  EXPECT_EQ(f.ByName("Ada").sync_state(), v1::SYNC_STATE_SYNCED);
  s = f.client->GetSession(second);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->step(), v1::SESSION_STEP_SAVED);
  f.tmux->Keys({"Escape"});
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
}

// v marks the May match row under the cursor reviewed (+ on the screen, and
// on the server); the Save dialog lists the May match rows nobody reviewed
// and saves them only when the admin says yes.
TEST(ConsoleTest, ReviewedMarkAndTheSaveDialogListsUnreviewedRows) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Review Academy"));
  const std::string freddie =
      f.Learner(Spec("Freddie", "Taylor", "2013-05-06"));
  f.Learner(Spec("Amelia", "Jones", "2012-10-01"));
  f.Push({Mis("m-freddie", Spec("Freddie", "Wood", "2013-05-06")),
          Mis("m-amelia", Spec("Amelia", "Jones", "2012-10-01"))});
  const std::string session = f.ToSyncScreen();
  ASSERT_EQ(RowOf(f.Rows(session), freddie).status(), v1::ROW_STATUS_MAY_MATCH);

  f.Console(session);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));
  // Save lists Freddie; n saves nothing.
  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?", &screen));
  EXPECT_THAT(screen, HasSubstr("1 May match row(s) nobody has reviewed"));
  EXPECT_THAT(screen, HasSubstr("Freddie Taylor  may be  Freddie Wood"));
  f.tmux->Keys({"n"});
  ASSERT_TRUE(f.tmux->WaitFor("Not saved", &screen));
  absl::StatusOr<v1::Session> s = f.client->GetSession(session);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->step(), v1::SESSION_STEP_SYNC_SCREEN);
  EXPECT_EQ(f.ByName("Freddie").legal_surname(), "Taylor");

  // v on Freddie's row: reviewed, marked on the screen and on the server.
  f.tmux->Keys({"/"});
  f.tmux->Type("freddie");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("(1 shown)"));
  f.tmux->Keys({"v"});
  ASSERT_TRUE(f.tmux->WaitFor("Marked reviewed", &screen));
  EXPECT_THAT(screen, HasSubstr("May match +"));
  EXPECT_TRUE(RowOf(f.Rows(session), freddie).reviewed());
  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?", &screen));
  EXPECT_THAT(screen, HasSubstr("all reviewed"));
  EXPECT_THAT(screen, Not(HasSubstr("nobody has reviewed")));
  f.tmux->Keys({"n"});
  ASSERT_TRUE(f.tmux->WaitFor("Not saved"));

  // v again: not reviewed; the dialog lists him again, and y saves him.
  f.tmux->Keys({"v"});
  ASSERT_TRUE(f.tmux->WaitFor("Marked not reviewed", &screen));
  EXPECT_THAT(screen, Not(HasSubstr("May match +")));
  EXPECT_FALSE(RowOf(f.Rows(session), freddie).reviewed());
  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?", &screen));
  EXPECT_THAT(screen, HasSubstr("Freddie Taylor  may be  Freddie Wood"));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("Saved and synced pupils", &screen));
  EXPECT_EQ(f.ByName("Freddie").legal_surname(), "Wood");
  EXPECT_EQ(f.ByName("Freddie").sync_state(), v1::SYNC_STATE_SYNCED);
  f.tmux->Keys({"Escape"});
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
}

// V marks every May match row reviewed at once, deliberately: the dialog
// says how many and asks; n marks nothing, y marks them on the server.
TEST(ConsoleTest, CapitalVMarksEveryMayMatchReviewedAfterAsking) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Review All Academy"));
  const std::string freddie =
      f.Learner(Spec("Freddie", "Taylor", "2013-05-06"));
  const std::string isla = f.Learner(Spec("Isla", "Brown", "2012-04-03"));
  f.Push({Mis("m-freddie", Spec("Freddie", "Wood", "2013-05-06")),
          Mis("m-isla", Spec("Isla", "Green", "2012-04-03"))});
  const std::string session = f.ToSyncScreen();
  ASSERT_EQ(RowOf(f.Rows(session), freddie).status(), v1::ROW_STATUS_MAY_MATCH);
  ASSERT_EQ(RowOf(f.Rows(session), isla).status(), v1::ROW_STATUS_MAY_MATCH);

  f.Console(session);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));
  f.tmux->Keys({"V"});
  ASSERT_TRUE(f.tmux->WaitFor("Mark all 2 reviewed?", &screen));
  EXPECT_THAT(screen, HasSubstr("2 May match row(s) are not reviewed"));
  f.tmux->Keys({"n"});
  ASSERT_TRUE(f.tmux->WaitFor("Nothing marked"));
  EXPECT_FALSE(RowOf(f.Rows(session), freddie).reviewed());

  f.tmux->Keys({"V"});
  ASSERT_TRUE(f.tmux->WaitFor("Mark all 2 reviewed?"));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("Marked 2 May match row(s) reviewed", &screen));
  EXPECT_THAT(screen, HasSubstr("May match +"));
  EXPECT_TRUE(RowOf(f.Rows(session), freddie).reviewed());
  EXPECT_TRUE(RowOf(f.Rows(session), isla).reviewed());
  // Nothing left to mark, and Save asks about no row.
  f.tmux->Keys({"V"});
  ASSERT_TRUE(f.tmux->WaitFor("Every May match row is already reviewed"));
  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?", &screen));
  EXPECT_THAT(screen, HasSubstr("all reviewed"));
  EXPECT_THAT(screen, Not(HasSubstr("nobody has reviewed")));
  f.tmux->Keys({"n"});
  ASSERT_TRUE(f.tmux->WaitFor("Not saved"));
  // The marks are changes the session keeps: quitting asks first.
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("Quit now?"));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
}

// ---- issue 18: the console at 80x24, its preview, search and keys ----

// Screen line `i` (0-based) of a capture.
std::string Line(const std::string& screen, size_t i) {
  std::vector<std::string> lines = absl::StrSplit(screen, '\n');
  return i < lines.size() ? lines[i] : "";
}

// The first screen line containing `needle`.
std::string LineWith(const std::string& screen, const std::string& needle) {
  for (absl::string_view l : absl::StrSplit(screen, '\n')) {
    if (l.find(needle) != absl::string_view::npos) return std::string(l);
  }
  return "";
}

// A school of `n` learners linked by a first save, then a second snapshot in
// which only the first of them moved class, plus extra learners: hub-only
// (Not matched) and MIS-only (New). Returns the second session, on its sync
// screen, with the email option on.
std::string SecondTerm(Fixture& f, const std::vector<LearnerSpec>& linked,
                       const std::vector<LearnerSpec>& hub_only,
                       const std::vector<LearnerSpec>& mis_only) {
  std::vector<v1::MisLearnerRecord> mis;
  for (const LearnerSpec& l : linked) {
    f.Learner(l);
    v1::MisLearnerRecord r = Mis("m-" + l.forename, l);
    r.set_email(absl::AsciiStrToLower(l.forename) + "@example.org");
    mis.push_back(r);
  }
  f.Push(mis);
  v1::SaveRequest save;
  save.set_session_id(f.ToSyncScreen());
  EXPECT_TRUE(f.client->SaveAndSyncPupils(save).ok());
  for (const LearnerSpec& l : hub_only) f.Learner(l);
  mis[0].set_registration_group("7B");
  mis[0].set_registration_group_mis_id("reg-7B");
  for (const LearnerSpec& l : mis_only) {
    mis.push_back(Mis("m-" + absl::StrCat(mis.size()), l));
  }
  f.Push(mis);
  return f.ToSyncScreen(/*emails=*/true);  // the widest row table
}

// At 80x24 every part of the sync screen is there and nothing runs into
// anything: names are cut inside their column, the counts wrap, the title
// keeps the step, the key hint keeps Save, and `?` shows every key.
TEST(ConsoleTest, At80x24NamesCountsStepKeysAndHelpAllFit) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(
      f.Start("Saint Bartholomew's Church of England Academy"));
  const std::string session = SecondTerm(
      f,
      {Spec("Amelia", "Clarke", "2012-10-01", "", "7", "7A"),
       Spec("Maximilian", "Montgomery-Smythe", "2012-02-02", "", "10", "10MB")},
      {Spec("Bartholomew", "Featherstonehaugh", "", "", "10", "10MB")},
      {Spec("Noah", "Patel", "2013-02-03")});
  ASSERT_FALSE(session.empty());
  absl::StatusOr<v1::Session> s = f.client->GetSession(session);
  ASSERT_TRUE(s.ok());

  f.ConsoleIn(*f.tmux, session, 80, 24);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));
  // The title keeps the step and the version.
  EXPECT_THAT(Line(screen, 0), HasSubstr("Sync screen"));
  EXPECT_THAT(Line(screen, 0), HasSubstr(absl::StrCat(" v", s->version())));
  // Every count, whole.
  for (const char* count :
       {"Not matched 1", "New 1", "Matched 0", "May match 0", "Synced 2",
        "Desynced 0", "total 4", "Import? 0", "Email? 0"}) {
    EXPECT_THAT(screen, HasSubstr(count));
  }
  // Names stay in their column: the year after a blank, never "Clarke7".
  EXPECT_THAT(screen, Not(HasSubstr("Clarke7")));
  EXPECT_THAT(LineWith(screen, "Amelia Clarke"),
              ::testing::ContainsRegex("Amelia Clarke +7 "));
  const std::string max = LineWith(screen, "Maximilian");
  EXPECT_THAT(max, HasSubstr("\xe2\x80\xa6 10 "))
      << "a long name is cut with ... and a blank before the year";
  const std::string bart = LineWith(screen, "Bartholomew F");
  EXPECT_THAT(bart, ::testing::ContainsRegex("\xe2\x80\xa6 10 +10MB"));
  // The key hint keeps Save, the help and quit.
  const std::string hint = Line(screen, 23);
  EXPECT_THAT(hint, HasSubstr("S: save"));
  EXPECT_THAT(hint, HasSubstr("?: keys"));
  EXPECT_THAT(hint, HasSubstr("q: quit"));

  // `?` lists every key, the last ones included.
  f.tmux->Keys({"?"});
  ASSERT_TRUE(f.tmux->WaitFor("any key: back", &screen));
  EXPECT_THAT(screen, HasSubstr("search"));
  EXPECT_THAT(screen, HasSubstr("quit (asks when changes are not saved)"));
  EXPECT_THAT(screen, HasSubstr("no longer synced"));
  f.tmux->Keys({"Escape"});
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
}

// The numbers one of the Save preview's lines shows, e.g. "refresh".
int64_t PreviewNumber(const std::string& screen, const std::string& label) {
  // "LABEL", one or more spaces, digits, a space (no <regex>: gcc 12 warns
  // inside it under the sanitizer build's -O1).
  for (size_t at = screen.find(label); at != std::string::npos;
       at = screen.find(label, at + 1)) {
    size_t i = at + label.size();
    const size_t spaces = i;
    while (i < screen.size() && screen[i] == ' ') ++i;
    const size_t digits = i;
    while (i < screen.size() && absl::ascii_isdigit(screen[i])) ++i;
    if (i == spaces || digits == spaces || i == digits) continue;
    if (i >= screen.size() || screen[i] != ' ') continue;
    return std::stoll(screen.substr(digits, i - digits));
  }
  ADD_FAILURE() << "no '" << label << " N' on the screen:\n" << screen;
  return -1;
}

// The screen as one line of words (a dialog wraps its text anywhere).
std::string Words(std::string s) {
  for (const char* box : {"\xe2\x94\x82", "\xe2\x94\x80", "\xe2\x94\x8c",
                          "\xe2\x94\x90", "\xe2\x94\x94", "\xe2\x94\x98"}) {
    s = absl::StrReplaceAll(s, {{box, " "}});
  }
  return absl::StrJoin(
      absl::StrSplit(s, absl::ByAnyChar(" \n"), absl::SkipEmpty()), " ");
}

// The preview is the server's plan of this very save: what it shows is what
// the save reports. Unchanged Synced learners are unaffected, not refreshed.
TEST(ConsoleTest, SavePreviewShowsWhatTheSaveThenDoes) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Preview Academy"));
  const std::string session = SecondTerm(
      f,
      {Spec("Ada", "Shaw", "2012-01-01"), Spec("Ben", "Shaw", "2012-01-02"),
       Spec("Cai", "Shaw", "2012-01-03"), Spec("Dev", "Shaw", "2012-01-04")},
      {Spec("Ellie", "Moss")}, {Spec("Noah", "Patel", "2013-02-03")});
  ASSERT_FALSE(session.empty());
  f.ConsoleIn(*f.tmux, session, 80, 24);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));
  f.tmux->Keys({"a"});  // import Noah
  ASSERT_TRUE(f.tmux->WaitFor("Import? ticked on every New row"));
  f.tmux->Keys({"S"});
  ASSERT_TRUE(f.tmux->WaitFor("Save now?", &screen));
  const std::string preview = Words(screen);
  const int64_t link = PreviewNumber(preview, "link");
  const int64_t refresh = PreviewNumber(preview, "refresh");
  const int64_t import = PreviewNumber(preview, "import");
  const int64_t desync = PreviewNumber(preview, "desync");
  const int64_t emails = PreviewNumber(preview, "emails");
  const int64_t unaffected = PreviewNumber(preview, "unaffected");
  EXPECT_EQ(refresh, 1) << "only Ada moved class";
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("The session is closed", &screen));
  EXPECT_THAT(Words(screen),
              HasSubstr(absl::StrFormat(
                  "linked %d, refreshed %d, imported %d, desynced %d, "
                  "unaffected %d, emails queued %d",
                  link, refresh, import, desync, unaffected, emails)));
  f.tmux->Keys({"Escape"});
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
}

// `/zoe` finds Zoë and `/lukasz` Łukasz, as the matcher folds names; `a`
// ticks every New row, pressed once or twice.
TEST(ConsoleTest, SearchFoldsAccentsAndKeyATicksEveryNewRow) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Fold Academy"));
  f.Learner(Spec("Zo\xc3\xab", "Bront\xc3\xab"));
  f.Push({Mis("m-lukasz", Spec("\xc5\x81ukasz", "Nowak", "2013-03-04")),
          Mis("m-noah", Spec("Noah", "Patel", "2013-02-03"))});
  const std::string session = f.ToSyncScreen();
  ASSERT_FALSE(session.empty());
  f.ConsoleIn(*f.tmux, session, 80, 24);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received"));
  f.tmux->Keys({"/"});
  f.tmux->Type("zoe");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("Search: zoe", &screen));
  EXPECT_THAT(screen, HasSubstr("(1 shown)"));
  EXPECT_THAT(screen, HasSubstr("Zo\xc3\xab Bront\xc3\xab"));
  f.tmux->Keys({"/", "C-u"});
  f.tmux->Type("LUKASZ");
  f.tmux->Keys({"Enter"});
  ASSERT_TRUE(f.tmux->WaitFor("Search: LUKASZ", &screen));
  EXPECT_THAT(screen, HasSubstr("(1 shown)"));
  EXPECT_THAT(screen, HasSubstr("\xc5\x81ukasz Nowak"));
  f.tmux->Keys({"Escape"});

  f.tmux->Keys({"a"});
  ASSERT_TRUE(f.tmux->WaitFor("Import? ticked on every New row"));
  // Again: still every New row. Keys are handled in order, so once the
  // filter (f) shows, the second `a` has been handled.
  f.tmux->Keys({"a", "f"});
  ASSERT_TRUE(f.tmux->WaitFor("Filter: Not matched", &screen));
  EXPECT_THAT(screen, HasSubstr("Import? ticked on every New row"));
  EXPECT_THAT(screen, HasSubstr("Import? 2"));
  for (const v1::Row& r : f.Rows(session)) {
    if (r.status() == v1::ROW_STATUS_NEW) {
      EXPECT_TRUE(r.import()) << r.row_id();
    }
  }
  f.tmux->Keys({"A"});  // A clears them
  ASSERT_TRUE(f.tmux->WaitFor("Import? 0"));
  f.tmux->Keys({"q", "y"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
}

// Ctrl-C quits at once, says so, says how to reopen the session, exits 0.
TEST(ConsoleTest, CtrlCQuitsWithAMessageAndStatusZero) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Interrupt Academy"));
  f.Learner(Spec("Ellie", "Moss"));
  f.Push({Mis("m-noah", Spec("Noah", "Patel", "2013-02-03"))});
  const std::string session = f.ToSyncScreen();
  f.ConsoleIn(*f.tmux, session, 80, 24);
  ASSERT_TRUE(f.tmux->WaitFor("rows received"));
  f.tmux->Keys({"a"});  // an unsaved change: Ctrl-C does not ask
  ASSERT_TRUE(f.tmux->WaitFor("Import? ticked on every New row"));
  f.tmux->Keys({"C-c"});
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=", &screen));
  EXPECT_THAT(screen, HasSubstr("CONSOLE-EXIT=0"));
  ASSERT_TRUE(f.tmux->WaitFor("interrupted (Ctrl-C)", &screen));
  EXPECT_THAT(absl::StrReplaceAll(screen, {{"\n", ""}}),  // 80 columns wrap
              HasSubstr("reopen it with: hubsync console " + session));
  EXPECT_TRUE(RowOf(f.Rows(session), "m-noah").import())
      << "the change stays in the session";
}

// A locale that is not UTF-8 gets a clear warning before anything else.
TEST(ConsoleTest, NonUtf8LocaleWarnsFirst) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Locale Academy"));
  f.Push({Mis("m-noah", Spec("Noah", "Patel", "2013-02-03"))});
  const std::string session = f.ToSyncScreen();
  f.ConsoleIn(*f.tmux, session, 80, 24, "LANG=C LC_ALL=C");
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("not UTF-8", &screen));
  EXPECT_THAT(screen, HasSubstr("LANG=C.UTF-8"));
  f.tmux->Keys({"Enter"});  // carry on anyway
  ASSERT_TRUE(f.tmux->WaitFor("HUB LEARNER", &screen));
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=", &screen));
  EXPECT_THAT(screen, HasSubstr("CONSOLE-EXIT=0"));
  EXPECT_TRUE(f.tmux->WaitFor("warning: the locale's character set is"));
}

// Whether a capture with escapes sets a colour (SGR 30-38, 40-48, 90-97,
// 100-107); 39 and 49, back to the default, are not colours.
bool HasColour(const std::string& screen) {
  // Each CSI "ESC [ params m" (no <regex>: see PreviewNumber).
  for (size_t at = screen.find("\x1b["); at != std::string::npos;
       at = screen.find("\x1b[", at + 2)) {
    size_t end = at + 2;
    while (end < screen.size() &&
           (absl::ascii_isdigit(screen[end]) || screen[end] == ';')) {
      ++end;
    }
    if (end >= screen.size() || screen[end] != 'm') continue;
    for (absl::string_view p :
         absl::StrSplit(screen.substr(at + 2, end - at - 2), ';')) {
      int n = 0;
      if (!absl::SimpleAtoi(p, &n)) continue;
      if ((n >= 30 && n <= 38) || (n >= 40 && n <= 48) ||
          (n >= 90 && n <= 97) || (n >= 100 && n <= 107)) {
        return true;
      }
    }
  }
  return false;
}

// NO_COLOR (https://no-color.org) set and non-empty: no colour at all, the
// bars in reverse video instead. Without it the same screen has colours.
TEST(ConsoleTest, NoColorMeansNoColourAttributes) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Plain Academy"));
  f.Learner(Spec("Ellie", "Moss"));
  f.Push({Mis("m-noah", Spec("Noah", "Patel", "2013-02-03"))});
  const std::string session = f.ToSyncScreen();
  f.ConsoleIn(*f.tmux, session, 80, 24);
  ASSERT_TRUE(f.tmux->WaitFor("rows received"));
  EXPECT_TRUE(HasColour(f.tmux->ScreenWithEscapes()))
      << "the check sees colours when there are some";

  Tmux plain(FindTmux(), f.dir.File("plain.sock"));
  f.ConsoleIn(plain, session, 80, 24, "LANG=C.UTF-8 LC_ALL=C.UTF-8 NO_COLOR=1");
  ASSERT_TRUE(plain.WaitFor("rows received"));
  const std::string escaped = plain.ScreenWithEscapes();
  EXPECT_FALSE(HasColour(escaped)) << escaped;
  EXPECT_THAT(escaped, HasSubstr("\x1b[7m")) << "the bars in reverse video";
  plain.Keys({"q"});
  ASSERT_TRUE(plain.WaitFor("CONSOLE-EXIT=0"));
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
}

// `hubsync console` with neither a session nor --school starts a session for
// the admin key's own school; an operator key (of no school) is told to
// give --school, and nothing is started.
TEST(ConsoleTest, WithoutSchoolTheKeysOwnSchoolIsUsed) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Default Academy"));
  f.Push({Mis("m-noah", Spec("Noah", "Patel", "2013-02-03"))});
  f.Console("");
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("Class sync", &screen));
  EXPECT_THAT(screen, HasSubstr("Default Academy"));
  f.tmux->Keys({"C-c"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));
  absl::StatusOr<v1::ListSessionsResponse> sessions =
      f.client->ListSessions(f.school);
  ASSERT_TRUE(sessions.ok()) << sessions.status();
  EXPECT_EQ(sessions->sessions_size(), 1) << "one session, in its school";

  RunResult op =
      testing::Run({"/usr/bin/env", "HUBSYNC_API_KEY=" + f.operator_key,
                    "HUBSYNC_SCHOOL=", kBin + "/hubsync", "--server",
                    absl::StrCat("127.0.0.1:", f.port), "console"},
                   30);
  EXPECT_EQ(op.exit_code, 2) << op.out << op.err;
  EXPECT_THAT(op.err, HasSubstr("missing --school ID for 'hubsync console'"));
  sessions = f.client->ListSessions(f.school);
  ASSERT_TRUE(sessions.ok());
  EXPECT_EQ(sessions->sessions_size(), 1) << "nothing more was started";
}

// `x` on a match at 80x24 shows the whole explanation, down to the score. A
// dialog taller than the screen (here 80x14) scrolls: the border says which
// lines show, and j / PgDn reach the last line, which was cut before.
TEST(ConsoleTest, ExplainFitsAt80x24AndScrollsWhenTallerThanTheScreen) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Explain Academy"));
  const std::string upn = Upn("801200005001");
  LearnerSpec hub = Spec("Amelia", "Jones", "2012-10-01", upn, "7", "7A");
  f.Learner(hub);
  LearnerSpec mis = hub;
  mis.forename = "Amelie";
  f.Push({Mis("m-amelia", mis)});
  const std::string session = f.ToSyncScreen(/*emails=*/true);
  ASSERT_FALSE(session.empty());

  f.ConsoleIn(*f.tmux, session, 80, 24);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received"));
  f.tmux->Keys({"x"});
  ASSERT_TRUE(f.tmux->WaitFor("any key: back", &screen));
  EXPECT_THAT(screen, HasSubstr("Hub: Amelia Jones"));
  EXPECT_THAT(screen, HasSubstr("MIS: Amelie Jones"));
  EXPECT_THAT(screen, HasSubstr("score")) << screen;
  EXPECT_THAT(screen, Not(HasSubstr("scroll"))) << "it fits: nothing to scroll";
  f.tmux->Keys({"Escape"});
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0"));

  Tmux small(FindTmux(), f.dir.File("small.sock"));
  f.ConsoleIn(small, session, 80, 14);
  ASSERT_TRUE(small.WaitFor("rows received"));
  small.Keys({"x"});
  ASSERT_TRUE(small.WaitFor("j/k PgUp/PgDn: scroll", &screen));
  EXPECT_THAT(screen, HasSubstr("lines 1-8 of ")) << screen;
  EXPECT_THAT(screen, HasSubstr("Hub: Amelia Jones"));
  EXPECT_THAT(screen, Not(HasSubstr("score"))) << "below the fold at first";
  small.Keys({"NPage"});
  ASSERT_TRUE(small.WaitFor("score", &screen)) << screen;
  EXPECT_THAT(screen, Not(HasSubstr("Hub: Amelia Jones")))
      << "the first line scrolled away";
  small.Keys({"k"});
  ASSERT_TRUE(small.WaitFor("any key: back"));
  // Any other key still closes it.
  small.Keys({"Escape"});
  small.Keys({"q"});
  ASSERT_TRUE(small.WaitFor("CONSOLE-EXIT=0"));
}

TEST(ConsoleTest, WrongApiKeyIsAClearErrorAndNonZeroExit) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Keys Academy"));
  f.Console("--school " + f.school,
            "hsk_0000000000000000_" + std::string(64, '0'));
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=", &screen));
  EXPECT_THAT(screen, HasSubstr("error: UNAUTHENTICATED"));
  EXPECT_THAT(screen, HasSubstr("CONSOLE-EXIT=1"));
  absl::StatusOr<v1::ListSessionsResponse> sessions =
      f.client->ListSessions(f.school);
  ASSERT_TRUE(sessions.ok());
  EXPECT_EQ(sessions->sessions_size(), 0) << "no session was started";
}

// Usage errors need no server and no terminal.
TEST(ConsoleTest, UsageErrorsNameWhatIsWrong) {
  RunResult both = testing::Run(
      {kBin + "/hubsync", "console", "ses_x", "--school", "sch_x"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("give a SESSION id to open, or --school ID"));
  RunResult piped =
      testing::Run({kBin + "/hubsync", "console", "--school", "sch_x"});
  EXPECT_EQ(piped.exit_code, 2) << "stdin is not a terminal here";
  EXPECT_THAT(piped.err, HasSubstr("needs a terminal"));
  RunResult help = testing::Run({kBin + "/hubsync", "console", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--school"));
}

}  // namespace
}  // namespace hubsync::testing

namespace hubsync::testing {
namespace {

// The admin matched Ellie with Eleanor, then noticed the email option was
// off: b steps back to the Pupils panel, the option is ticked, p proceeds,
// and the Match is still there. C then cancels the session.
TEST(ConsoleTest, StepBackKeepsTheMatchAndCCancelsTheSession) {
  Fixture f;
  ASSERT_NO_FATAL_FAILURE(f.Start("Step Back Academy"));
  const std::string ellie = f.Learner(Spec("Ellie", "Moss"));
  f.Push({Mis("m-eleanor", Spec("Eleanor", "Carter", "2013-11-12")),
          Mis("m-noah", Spec("Noah", "Patel", "2013-02-03"))});
  const std::string session = f.ToSyncScreen(/*emails=*/false);
  ASSERT_FALSE(session.empty());
  v1::MatchRequest match;
  match.set_session_id(session);
  match.set_learner_id(ellie);
  match.set_mis_id("m-eleanor");
  ASSERT_TRUE(f.client->Match(match).ok());

  f.Console(session);
  std::string screen;
  ASSERT_TRUE(f.tmux->WaitFor("rows received", &screen));
  EXPECT_THAT(screen, HasSubstr("b: back"));
  f.tmux->Keys({"b"});
  ASSERT_TRUE(f.tmux->WaitFor("Your decisions are kept", &screen));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("which learners do you want to sync?", &screen));
  EXPECT_THAT(screen, HasSubstr("1 decisions kept for the next Proceed"));
  EXPECT_THAT(screen, HasSubstr("C: cancel session"));
  // All students, Year 7, 7A, then the email option.
  f.tmux->Keys({"j", "j", "j", "Space", "p"});
  ASSERT_TRUE(f.tmux->WaitFor("Your decisions: 1 kept, 0 dropped", &screen));
  EXPECT_THAT(screen, HasSubstr("Matched *"));
  v1::Row row = RowOf(f.Rows(session), ellie);
  EXPECT_EQ(row.status(), v1::ROW_STATUS_MATCHED);
  EXPECT_EQ(row.mis().mis_id(), "m-eleanor");
  EXPECT_TRUE(row.decided_by_admin());
  absl::StatusOr<v1::Session> s = f.client->GetSession(session);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->sync_email_addresses()) << "the option changed on the panel";

  f.tmux->Keys({"C"});
  ASSERT_TRUE(f.tmux->WaitFor("Cancel the session?"));
  f.tmux->Keys({"y"});
  ASSERT_TRUE(f.tmux->WaitFor("Session cancelled"));
  s = f.client->GetSession(session);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->step(), v1::SESSION_STEP_CANCELLED);
  f.tmux->Keys({"q"});
  ASSERT_TRUE(f.tmux->WaitFor("CONSOLE-EXIT=0", &screen));
  EXPECT_THAT(screen, HasSubstr("cancelled: nothing changed"));
}

}  // namespace
}  // namespace hubsync::testing
