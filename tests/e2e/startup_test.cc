// Start-up of the real binaries: every way hubsyncd can fail to start prints
// its reason and exits 1 (never a crash), a port in use is refused rather
// than shared, the database and its -wal/-shm files are the owner's alone,
// and both programs answer --help and --version.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"

namespace hubsync::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

const std::string kBin = HUBSYNC_BINARY_DIR;

// hubsyncd with `args`; a start that fails exits at once, so the timeout only
// bounds a server that wrongly starts (it is then killed: exit_code -1).
RunResult Hubsyncd(std::vector<std::string> args) {
  args.insert(args.begin(), kBin + "/hubsyncd");
  return hubsync::testing::Run(args, /*timeout_s=*/10);
}

// The refusal every start-up failure must be: exit status 1 (not a signal),
// one "hubsyncd: ..." line naming the reason, nothing on stdout.
void ExpectRefused(const RunResult& r, const std::string& reason) {
  EXPECT_EQ(r.exit_code, 1) << "stderr: " << r.err;
  EXPECT_THAT(r.err, HasSubstr("hubsyncd: "));
  EXPECT_THAT(r.err, HasSubstr(reason));
  EXPECT_THAT(r.out, Not(HasSubstr("listening on")));
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The permission bits of `path`, or -1 if it does not exist.
int Mode(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

std::string Octal(int mode) { return absl::StrFormat("%o", mode); }

// The umask the test runs its children under (the usual 022, so that a file
// created with the default mode would be 0644), restored afterwards.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(umask(mask)) {}
  ~Umask() { umask(old_); }

 private:
  mode_t old_;
};

std::string InitOperatorKey(const std::string& db) {
  RunResult r = hubsync::testing::Run(
      {kBin + "/hubsyncd", "--db", db, "--init-operator-key"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return std::string(absl::StripAsciiWhitespace(r.out));
}

// A running hubsyncd on 127.0.0.1 (port 0: a free one) and its port.
struct Running {
  std::unique_ptr<Child> child;
  int port = 0;
};

Running Serve(const std::string& db) {
  Running s;
  s.child = std::make_unique<Child>(std::vector<std::string>{
      kBin + "/hubsyncd", "--listen", "127.0.0.1:0", "--db", db});
  const std::string line = s.child->WaitForLine("listening on");
  EXPECT_FALSE(line.empty()) << "hubsyncd did not start on " << db;
  if (!line.empty()) {
    s.port = std::stoi(line.substr(line.find(':', line.find("127.0.0.1")) + 1));
  }
  return s;
}

// ---- the database ----

TEST(StartupTest, AGarbageDatabaseFileIsRefusedAndLeftAlone) {
  TempDir dir;
  const std::string db = dir.File("hub.db");
  std::string garbage;
  for (int i = 0; i < 100; ++i) garbage += "these are not the pages you seek\n";
  std::ofstream(db) << garbage;
  ASSERT_EQ(chmod(db.c_str(), 0644), 0);
  ExpectRefused(Hubsyncd({"--listen", "127.0.0.1:0", "--db", db}),
                "not a database");
  ExpectRefused(Hubsyncd({"--db", db, "--init-operator-key"}),
                "not a database");
  EXPECT_EQ(Slurp(db), garbage) << "nothing written to the file";
  EXPECT_EQ(Octal(Mode(db)), "644") << "not even its mode changed";
  EXPECT_FALSE(Exists(db + "-wal"));
}

TEST(StartupTest, ADirectoryAsTheDatabaseIsRefused) {
  TempDir dir;
  const RunResult r = Hubsyncd({"--listen", "127.0.0.1:0", "--db", dir.path()});
  ExpectRefused(r, "is a directory");
  EXPECT_THAT(r.err, HasSubstr(dir.path()));
}

TEST(StartupTest, ADatabaseInAMissingDirectoryIsRefused) {
  TempDir dir;
  const std::string db = dir.File("no-such-dir/hub.db");
  const RunResult r = Hubsyncd({"--listen", "127.0.0.1:0", "--db", db});
  ExpectRefused(r, "No such file or directory");
  EXPECT_THAT(r.err, HasSubstr(db));
  EXPECT_FALSE(Exists(dir.File("no-such-dir")));
}

TEST(StartupTest, ADatabaseOfANewerSchemaIsRefused) {
  TempDir dir;
  const std::string db = dir.File("hub.db");
  InitOperatorKey(db);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw, "PRAGMA user_version = 999", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(raw);
  // What docs/STORAGE.md promises.
  const RunResult r = Hubsyncd({"--listen", "127.0.0.1:0", "--db", db});
  ExpectRefused(r, "FAILED_PRECONDITION");
  EXPECT_THAT(r.err, HasSubstr("database schema version 999 is newer than "
                               "this server"));
}

// ---- the address ----

TEST(StartupTest, AListenAddressWithoutAValidPortIsRefused) {
  TempDir dir;
  const std::string db = dir.File("hub.db");
  const RunResult letters = Hubsyncd({"--listen", "127.0.0.1:abc", "--db", db});
  ExpectRefused(letters, "invalid port");
  EXPECT_THAT(letters.err, HasSubstr("127.0.0.1:abc"));
  // Not served on 99999 - 65536 = 34463.
  const RunResult big = Hubsyncd({"--listen", "127.0.0.1:99999", "--db", db});
  ExpectRefused(big, "invalid port");
  EXPECT_THAT(big.err, HasSubstr("0 to 65535"));
  ExpectRefused(Hubsyncd({"--listen", "127.0.0.1", "--db", db}),
                "invalid port");
  ExpectRefused(Hubsyncd({"--listen", "127.0.0.1:-1", "--db", db}),
                "invalid port");
}

TEST(StartupTest, ASecondServerOnAPortInUseRefusesAndTheFirstKeepsServing) {
  TempDir dir;
  const std::string db = dir.File("hub.db");
  const std::string key = InitOperatorKey(db);
  Running first = Serve(db);
  ASSERT_NE(first.port, 0);
  const std::string target = absl::StrCat("127.0.0.1:", first.port);

  const RunResult second =
      Hubsyncd({"--listen", target, "--db", dir.File("other.db")});
  ExpectRefused(second, "address already in use");
  EXPECT_THAT(second.err, HasSubstr(target));

  // Every call reaches the first server's database.
  const auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {kBin + "/hubsync", "--server", target, "--api-key", key});
    return hubsync::testing::Run(args);
  };
  RunResult created = cli({"school", "create", "Still Here Academy"});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  for (int i = 0; i < 4; ++i) {
    RunResult listed = cli({"school", "list"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_THAT(listed.out, HasSubstr("Still Here Academy"));
  }
  EXPECT_EQ(first.child->Stop(SIGTERM), 0);
}

// ---- TLS files ----

// Two self-signed certificates with their keys, and a file of garbage, made
// with the openssl CLI.
struct Certs {
  explicit Certs(const TempDir& dir) : dir_(dir.path()) {
    const std::string script = absl::StrCat(
        "set -e; cd '", dir_, "'\n",
        "ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'\n"
        "openssl req -x509 $ec -keyout a.key -out a.pem -days 2 "
        "-subj '/CN=localhost'\n"
        "openssl req -x509 $ec -keyout b.key -out b.pem -days 2 "
        "-subj '/CN=localhost'\n"
        "printf 'not a certificate\\n' > garbage.pem\n");
    RunResult r = hubsync::testing::Run({"/bin/sh", "-c", script});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  std::string operator()(const std::string& name) const {
    return dir_ + "/" + name;
  }
  std::string dir_;
};

TEST(StartupTest, TlsFilesThatDoNotFitAreRefused) {
  TempDir dir;
  Certs certs(dir);
  const std::string db = dir.File("hub.db");
  const std::vector<std::string> base = {"--listen", "127.0.0.1:0", "--db", db};
  const auto with = [&](std::vector<std::string> tls) {
    std::vector<std::string> args = base;
    args.insert(args.end(), tls.begin(), tls.end());
    return Hubsyncd(args);
  };
  const RunResult mismatched =
      with({"--tls-cert", certs("a.pem"), "--tls-key", certs("b.key")});
  ExpectRefused(mismatched, "does not match");
  EXPECT_THAT(mismatched.err,
              AllOf(HasSubstr(certs("a.pem")), HasSubstr(certs("b.key"))));

  const RunResult bad_cert =
      with({"--tls-cert", certs("garbage.pem"), "--tls-key", certs("a.key")});
  ExpectRefused(bad_cert, "--tls-cert");
  EXPECT_THAT(bad_cert.err, HasSubstr("no PEM certificate"));

  const RunResult bad_key =
      with({"--tls-cert", certs("a.pem"), "--tls-key", certs("garbage.pem")});
  ExpectRefused(bad_key, "--tls-key");
  EXPECT_THAT(bad_key.err, HasSubstr("no PEM private key"));

  const RunResult bad_ca =
      with({"--tls-cert", certs("a.pem"), "--tls-key", certs("a.key"),
            "--tls-client-ca", certs("garbage.pem")});
  ExpectRefused(bad_ca, "--tls-client-ca");
  EXPECT_THAT(bad_ca.err, HasSubstr("no PEM certificate"));

  // The matching pair starts (so the refusals above were about the files).
  Child good({kBin + "/hubsyncd", "--listen", "127.0.0.1:0", "--db", db,
              "--tls-cert", certs("a.pem"), "--tls-key", certs("a.key"),
              "--tls-client-ca", certs("b.pem")});
  EXPECT_THAT(good.WaitForLine("listening on"), HasSubstr("TLS"));
  EXPECT_EQ(good.Stop(SIGTERM), 0);
}

// ---- file modes ----

TEST(StartupTest, TheDatabaseAndItsWalAndShmAreTheOwnersAlone) {
  Umask umask022(022);
  TempDir dir;
  const std::string db = dir.File("hub.db");
  InitOperatorKey(db);
  EXPECT_EQ(Octal(Mode(db)), "600") << "after --init-operator-key";
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string f = db + suffix;
    if (Exists(f)) {
      EXPECT_EQ(Octal(Mode(f)), "600") << f;
    }
  }

  // A fresh database made by a start, and the files of a running server.
  const std::string fresh = dir.File("fresh.db");
  Running server = Serve(fresh);
  ASSERT_NE(server.port, 0);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string f = fresh + suffix;
    EXPECT_EQ(Octal(Mode(f)), "600") << f << " while serving";
  }
  EXPECT_EQ(server.child->Stop(SIGTERM), 0);
  EXPECT_EQ(Octal(Mode(fresh)), "600");
}

TEST(StartupTest, AnExistingDatabaseReadableByOthersIsTightened) {
  Umask umask022(022);
  TempDir dir;
  const std::string db = dir.File("hub.db");
  InitOperatorKey(db);
  // As hubsyncd before this change left it, -wal and -shm included (a server
  // that was killed leaves them behind).
  ASSERT_EQ(chmod(db.c_str(), 0644), 0);
  for (const char* suffix : {"-wal", "-shm"}) {
    std::ofstream(db + suffix);  // empty: SQLite rebuilds both
    ASSERT_EQ(chmod((db + suffix).c_str(), 0644), 0);
  }
  Running server = Serve(db);
  ASSERT_NE(server.port, 0);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    EXPECT_EQ(Octal(Mode(db + suffix)), "600") << db + suffix;
  }
  EXPECT_EQ(server.child->Stop(SIGTERM), 0);
}

// ---- --help and --version ----

TEST(StartupTest, HubsyncdHelpListsItsFlagsWithTheirHelp) {
  const RunResult r = hubsync::testing::Run({kBin + "/hubsyncd", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("No flags matched")));
  EXPECT_THAT(r.out, HasSubstr("usage: hubsyncd"));
  EXPECT_THAT(r.out, HasSubstr("--listen"));
  EXPECT_THAT(r.out, HasSubstr("address to listen on"));
  EXPECT_THAT(r.out, HasSubstr("--db"));
  EXPECT_THAT(r.out, HasSubstr("the SQLite database file"));
  EXPECT_THAT(r.out, HasSubstr("--tls-client-ca"));
  EXPECT_THAT(r.out, HasSubstr("--init-operator-key"));
  EXPECT_THAT(r.out, HasSubstr("--max-desync-percent"));
  EXPECT_THAT(r.out, HasSubstr("--version"));
  EXPECT_THAT(r.out, HasSubstr("default: 127.0.0.1:50051"));
}

TEST(StartupTest, BothProgramsNameTheirVersionAndCommit) {
  // Built from a git checkout (as CI is), the commit is a hash; from a copy
  // of the sources without git, "unknown".
  const bool git =
      hubsync::testing::Run(
          {"/bin/sh", "-c",
           absl::StrCat("git -C '", HUBSYNC_SOURCE_DIR, "' rev-parse HEAD")})
          .exit_code == 0;
  const std::string commit = git ? "[0-9a-f]{7,}(-dirty)?" : "unknown";
  for (const std::string program : {"hubsyncd", "hubsync"}) {
    const RunResult r =
        hubsync::testing::Run({kBin + "/" + program, "--version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, Not(HasSubstr("Debug build")));
    // "hubsyncd 0.1.0 (commit 23f313d1a2b4)", "-dirty" for uncommitted
    // changes to tracked files.
    EXPECT_THAT(r.out,
                MatchesRegex(program + " [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit " +
                             commit + "\\)\n"))
        << program;
  }
}

TEST(StartupTest, TheCliHelpListsItsFlagsAndVersion) {
  const RunResult r = hubsync::testing::Run({kBin + "/hubsync", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("--server HOST:PORT"));
  EXPECT_THAT(r.out, HasSubstr("--version"));
  EXPECT_THAT(r.out, HasSubstr("print the version"));
}

}  // namespace
}  // namespace hubsync::testing
