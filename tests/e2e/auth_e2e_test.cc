// Credentials, TLS and logs through the real binaries: hubsyncd as a child
// process (its output in a file), the hubsync CLI, certificates made with the
// openssl CLI at test time.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kBin = HUBSYNC_BINARY_DIR;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(const std::string& s) {
  return std::string(absl::StripAsciiWhitespace(s));
}

// hubsyncd with stdout and stderr in `log`; port() once it is listening.
class Server {
 public:
  Server(const std::string& log, std::vector<std::string> args) : log_(log) {
    std::vector<std::string> quoted;
    for (const std::string& a : args) quoted.push_back("'" + a + "'");
    child_ = std::make_unique<Child>(std::vector<std::string>{
        "/bin/sh", "-c",
        absl::StrCat("exec '", kBin, "/hubsyncd' ", absl::StrJoin(quoted, " "),
                     " >'", log, "' 2>&1")});
    for (int i = 0; i < 300 && port_ == 0; ++i) {
      const std::string text = Slurp(log_);
      const size_t at = text.find("listening on ");
      if (at != std::string::npos) {
        const size_t colon = text.find(':', at);
        const size_t end = text.find(' ', colon);
        if (colon != std::string::npos && end != std::string::npos) {
          port_ = std::stoi(text.substr(colon + 1, end - colon - 1));
        }
      }
      if (port_ == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  int port() const { return port_; }
  std::string target() const { return absl::StrCat("127.0.0.1:", port_); }
  int Stop() { return child_->Stop(SIGTERM); }
  std::string Log() const { return Slurp(log_); }

 private:
  std::string log_;
  std::unique_ptr<Child> child_;
  int port_ = 0;
};

std::string InitOperatorKey(const std::string& db) {
  RunResult r = hubsync::testing::Run(
      {kBin + "/hubsyncd", "--db", db, "--init-operator-key"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Trim(r.out);
}

RunResult Cli(const std::string& target, const std::string& key,
              std::vector<std::string> args,
              std::vector<std::string> flags = {}) {
  std::vector<std::string> argv = {kBin + "/hubsync", "--server", target,
                                   "--api-key", key};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

TEST(InitOperatorKeyTest, PrintsOnceRefusesASecondUnlessAsked) {
  TempDir dir;
  const std::string db = dir.File("hub.db");
  RunResult first = hubsync::testing::Run(
      {kBin + "/hubsyncd", "--db", db, "--init-operator-key"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::string key = Trim(first.out);
  EXPECT_THAT(key, StartsWith("hsk_"));
  EXPECT_EQ(key.size(), 85u);
  EXPECT_THAT(first.err, HasSubstr("shown once"));

  RunResult again = hubsync::testing::Run(
      {kBin + "/hubsyncd", "--db", db, "--init-operator-key"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("already has 1 operator key"));
  EXPECT_EQ(Trim(again.out), "") << "no key printed when refused";

  RunResult another = hubsync::testing::Run({kBin + "/hubsyncd", "--db", db,
                                             "--add-operator-key",
                                             "--key-label", "second operator"});
  ASSERT_EQ(another.exit_code, 0) << another.err;
  const std::string second = Trim(another.out);
  EXPECT_NE(second, key);

  Server server(dir.File("server.log"),
                {"--listen", "127.0.0.1:0", "--db", db});
  ASSERT_NE(server.port(), 0) << server.Log();
  // Both work; the key list shows two operator keys and no secrets.
  RunResult list = Cli(server.target(), key, {"key", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("second operator"));
  EXPECT_THAT(list.out, HasSubstr("2 key(s)"));
  EXPECT_THAT(list.out, ::testing::Not(HasSubstr(key.substr(21))));
  ASSERT_EQ(Cli(server.target(), second, {"school", "list"}).exit_code, 0);
  // No key, or the wrong one: UNAUTHENTICATED, exit 1.
  RunResult none = Cli(server.target(), "", {"school", "list"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("UNAUTHENTICATED"));
  // The key from the environment (what the docs recommend).
  setenv("HUBSYNC_API_KEY", key.c_str(), 1);
  RunResult from_env = hubsync::testing::Run(
      {kBin + "/hubsync", "--server", server.target(), "school", "list"});
  unsetenv("HUBSYNC_API_KEY");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(server.Stop(), 0);
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, made
// with the openssl CLI.
struct Certs {
  explicit Certs(const TempDir& dir) : dir_(dir.path()) {
    const std::string script = absl::StrCat(
        "set -e; cd '", dir_, "'\n",
        "ec='-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes'\n"
        "openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj "
        "'/CN=hubsync test CA'\n"
        "openssl req -x509 $ec -keyout other_ca.key -out other_ca.pem -days 2 "
        "-subj '/CN=other CA'\n"
        "openssl req $ec -keyout server.key -out server.csr -subj "
        "'/CN=localhost'\n"
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial "
        "-out server.pem -days 2 -extfile server.ext\n"
        "openssl req $ec -keyout client.key -out client.csr -subj '/CN=hubsync "
        "client'\n"
        "printf 'extendedKeyUsage=clientAuth\\n' > client.ext\n"
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial "
        "-out client.pem -days 2 -extfile client.ext\n");
    RunResult r = hubsync::testing::Run({"/bin/sh", "-c", script});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  std::string operator()(const std::string& name) const {
    return dir_ + "/" + name;
  }
  std::string dir_;
};

TEST(TlsTest, TheCliTalksTlsWithTheCaAndFailsWithout) {
  TempDir dir;
  Certs certs(dir);
  const std::string db = dir.File("hub.db");
  const std::string key = InitOperatorKey(db);
  // TLS may listen beyond loopback; the test connects through 127.0.0.1.
  Server server(dir.File("server.log"),
                {"--listen", "0.0.0.0:0", "--db", db, "--tls-cert",
                 certs("server.pem"), "--tls-key", certs("server.key")});
  ASSERT_NE(server.port(), 0) << server.Log();
  EXPECT_THAT(server.Log(), HasSubstr("TLS"));

  RunResult ok =
      Cli(server.target(), key, {"school", "create", "Encrypted Academy"},
          {"--tls-ca", certs("ca.pem")});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("Encrypted Academy"));

  RunResult plain =
      Cli(server.target(), key, {"--timeout", "5", "school", "list"});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("UNAVAILABLE"));
  RunResult wrong_ca =
      Cli(server.target(), key, {"--timeout", "5", "school", "list"},
          {"--tls-ca", certs("other_ca.pem")});
  EXPECT_EQ(wrong_ca.exit_code, 1);
  EXPECT_THAT(wrong_ca.err, HasSubstr("UNAVAILABLE"));
  RunResult missing_ca = Cli(server.target(), key, {"school", "list"},
                             {"--tls-ca", dir.File("nope.pem")});
  EXPECT_EQ(missing_ca.exit_code, 1);
  EXPECT_THAT(missing_ca.err, HasSubstr("--tls-ca"));
  EXPECT_EQ(server.Stop(), 0);
}

TEST(TlsTest, ClientCertificatesAreVerifiedWhenConfigured) {
  TempDir dir;
  Certs certs(dir);
  const std::string db = dir.File("hub.db");
  const std::string key = InitOperatorKey(db);
  Server server(
      dir.File("server.log"),
      {"--listen", "127.0.0.1:0", "--db", db, "--tls-cert", certs("server.pem"),
       "--tls-key", certs("server.key"), "--tls-client-ca", certs("ca.pem")});
  ASSERT_NE(server.port(), 0) << server.Log();
  RunResult no_cert =
      Cli(server.target(), key, {"--timeout", "5", "school", "list"},
          {"--tls-ca", certs("ca.pem")});
  EXPECT_EQ(no_cert.exit_code, 1);
  EXPECT_THAT(no_cert.err, HasSubstr("UNAVAILABLE"));
  RunResult with_cert =
      Cli(server.target(), key, {"school", "list"},
          {"--tls-ca", certs("ca.pem"), "--tls-cert", certs("client.pem"),
           "--tls-key", certs("client.key")});
  EXPECT_EQ(with_cert.exit_code, 0) << with_cert.err;
  // A certificate the server's client CA did not sign is refused: the
  // server's own certificate, signed by the same CA but for serverAuth only,
  // would pass, so use one from another CA.
  RunResult foreign =
      Cli(server.target(), key, {"--timeout", "5", "school", "list"},
          {"--tls-ca", certs("ca.pem"), "--tls-cert", certs("other_ca.pem"),
           "--tls-key", certs("other_ca.key")});
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(TlsTest, PlaintextIsRefusedOnANonLoopbackAddressUnlessAllowed) {
  TempDir dir;
  RunResult refused =
      hubsync::testing::Run({kBin + "/hubsyncd", "--listen", "0.0.0.0:0",
                             "--db", dir.File("hub.db")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err,
              HasSubstr("refusing to serve plaintext on 0.0.0.0:0"));
  EXPECT_THAT(refused.err, HasSubstr("--tls-cert"));
  Server allowed(dir.File("server.log"),
                 {"--listen", "0.0.0.0:0", "--db", dir.File("hub.db"),
                  "--allow-plaintext-remote"});
  EXPECT_NE(allowed.port(), 0) << allowed.Log();
  EXPECT_EQ(allowed.Stop(), 0);
}

// A full sync of distinctive personal data: none of it, and no key, may
// appear in what the server prints.
TEST(LogsTest, NoPersonalDataOrKeysInTheServerOutput) {
  TempDir dir;
  const std::string db = dir.File("hub.db");
  const std::string op = InitOperatorKey(db);
  Server server(dir.File("server.log"),
                {"--listen", "127.0.0.1:0", "--db", db});
  ASSERT_NE(server.port(), 0) << server.Log();
  const std::string t = server.target();
  auto ok = [&](const std::string& key, std::vector<std::string> args) {
    RunResult r = Cli(t, key, args);
    EXPECT_EQ(r.exit_code, 0) << absl::StrJoin(args, " ") << "\n" << r.err;
    return r;
  };
  auto json_field = [](const std::string& line, const std::string& field) {
    const std::string tag = "\"" + field + "\":\"";
    const size_t at = line.find(tag);
    if (at == std::string::npos) return std::string();
    return line.substr(at + tag.size(),
                       line.find('"', at + tag.size()) - at - tag.size());
  };
  const std::string school = json_field(
      ok(op, {"--json", "school", "create", "Quillfeather Academy"}).out,
      "schoolId");
  ASSERT_FALSE(school.empty());
  const std::string admin = Trim(
      ok(op, {"key", "create", "--school", school, "--role", "admin"}).out);
  const std::string upn = Upn("801299887766");
  const std::vector<std::string> personal = {"Zebediah",
                                             "Quillfeather",
                                             "Philomena",
                                             "Ashbourne-Vex",
                                             "2011-02-03",
                                             "2012-07-29",
                                             "zq.secret@example.org",
                                             "pav.private@example.org",
                                             upn};
  ok(admin, {"learner", "create", "--school", school, "--forename", "Zebediah",
             "--surname", "Quillfeather", "--dob", "2011-02-03", "--year", "7",
             "--reg-group", "7Q", "--email", "zq.secret@example.org"});
  const std::string csv = dir.File("mis.csv");
  std::ofstream(csv)
      << "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
         "registration_group,email\n"
      << "m-zq,,"
      << "Zebediah,Quillfeather,2011-02-03,7,7Q,zq.secret@example.org\n"
      << "m-pav," << upn
      << ",Philomena,Ashbourne-Vex,2012-07-29,7,7Q,pav.private@example.org\n";
  ok(admin, {"mis", "upload", "--school", school, "--format", "plain", csv});
  // A rejected upload that names a pupil: the error goes to the caller only.
  const std::string bad = dir.File("bad.csv");
  std::ofstream(bad) << "mis_id,legal_forename\nm-x,Zebediah\n";
  EXPECT_EQ(Cli(t, admin,
                {"mis", "upload", "--school", school, "--format", "plain", bad})
                .exit_code,
            1);
  const std::string session =
      json_field(ok(admin, {"--json", "sync", "start", "--school", school,
                            "--admin", "Ms Quillfeather"})
                     .out,
                 "sessionId");
  ASSERT_FALSE(session.empty());
  ok(admin, {"sync", "proceed", session});
  ok(admin, {"sync", "scope", session, "--all", "--sync-emails"});
  ok(admin, {"sync", "proceed", session});
  ok(admin, {"sync", "rows", session, "--explain"});
  ok(admin, {"sync", "import-all", session});
  ok(admin, {"sync", "email-all", session});
  ok(admin, {"sync", "save", session});
  RunResult learners = ok(admin, {"learner", "list", "--school", school});
  EXPECT_THAT(learners.out, HasSubstr("Ashbourne-Vex")) << "the sync did run";
  ok(admin, {"audit", "list", "--school", school});
  ok(admin, {"emails", "list", "--school", school});
  // Refused calls with keys in them.
  EXPECT_EQ(Cli(t, admin + "x", {"school", "list"}).exit_code, 1);
  EXPECT_EQ(Cli(t, op, {"learner", "list", "--school", school}).exit_code, 1);
  EXPECT_EQ(server.Stop(), 0);

  const std::string log = server.Log();
  EXPECT_THAT(log, HasSubstr("listening on")) << "the log is the server's";
  for (const std::string& p : personal) {
    EXPECT_THAT(log, ::testing::Not(HasSubstr(p)))
        << p << " is in the server output:\n"
        << log;
  }
  for (const std::string& k : {op, admin}) {
    EXPECT_THAT(log, ::testing::Not(HasSubstr(k.substr(21))))
        << "a key is in the server output";
  }
}

}  // namespace
}  // namespace hubsync::testing
