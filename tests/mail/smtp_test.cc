#include "server/mail/smtp.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/mime.h"
#include "common/read_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fakes.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace hubsync::mail {
namespace {

using ::hubsync::testing::IsOk;
using ::hubsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Security = SmtpOptions::Security;

// tests/testing/smtp_sink.py as a child process, keeping what it accepts in
// a temporary directory.
class SmtpSink {
 public:
  explicit SmtpSink(const std::vector<std::string>& flags = {})
      : child_(Argv(dir_.path(), flags)) {
    const std::string line = child_.WaitForLine("listening on");
    EXPECT_TRUE(absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &port_))
        << "smtp_sink printed: " << line;
  }
  int port() const { return port_; }
  testing::Child& child() { return child_; }
  // The n-th accepted message's file ("eml" or "json"), or the error.
  std::string Read(int n, const char* ext) const {
    absl::StatusOr<std::string> s =
        ReadFileToString(dir_.File(absl::StrFormat("%06d.%s", n, ext)));
    return s.ok() ? *s : s.status().ToString();
  }
  bool Has(int n) const {
    return access(dir_.File(absl::StrFormat("%06d.json", n)).c_str(), F_OK) ==
           0;
  }

 private:
  static std::vector<std::string> Argv(const std::string& dir,
                                       const std::vector<std::string>& flags) {
    std::vector<std::string> argv = {
        "/usr/bin/python3", HUBSYNC_SOURCE_DIR "/tests/testing/smtp_sink.py",
        "--dir", dir};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return argv;
  }

  testing::TempDir dir_;  // before child_: the sink writes into it
  testing::Child child_;
  int port_ = 0;
};

SmtpOptions PlainTo(int port) {
  SmtpOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.security = Security::kNone;
  o.timeout_seconds = 10;
  return o;
}

std::unique_ptr<MailSender> MustSender(const SmtpOptions& options) {
  absl::StatusOr<std::unique_ptr<MailSender>> s = NewCurlSmtpSender(options);
  EXPECT_THAT(s, IsOk());
  return s.ok() ? std::move(s).value() : nullptr;
}

MailMessage ToZoe(const std::string& id) {
  MailMessage m;
  m.from = {"Hubsync", "noreply@school.example.org"};
  m.to = {"Zoë O'Brien", "zoe@example.org"};
  m.subject = "Zoë";
  m.text = "Hello Zoë,\n\nYour code is 123 456.\n.\n";
  m.html = "<p>Hello Zoë,</p>\n";
  m.message_id = id;
  m.date_unix = 1790000000;
  return m;
}

std::string Rendered(const MailMessage& m) {
  absl::StatusOr<std::string> bytes = RenderMime(m);
  EXPECT_THAT(bytes, IsOk());
  return bytes.ok() ? *bytes : "";
}

// A port with nothing listening on it: bound, then closed.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(CurlSmtpSender, RelayGetsTheRenderedMessageAsIs) {
  SmtpSink sink;
  const MailMessage m = ToZoe("eml-1.a@hubsync.invalid");
  const std::string bytes = Rendered(m);
  std::unique_ptr<MailSender> sender = MustSender(PlainTo(sink.port()));
  ASSERT_NE(sender, nullptr);
  ASSERT_THAT(sender->Send(m.from.address, m.to.address, bytes), IsOk());
  // The sink wrote both files before it replied 250.
  EXPECT_EQ(sink.Read(1, "eml"), bytes);
  const std::string json = sink.Read(1, "json");
  EXPECT_THAT(json, HasSubstr(R"("mail_from": "noreply@school.example.org")"));
  EXPECT_THAT(json, HasSubstr("\"rcpt_tos\": [\n  \"zoe@example.org\"\n ]"));
  EXPECT_THAT(json, HasSubstr(R"("subject": "Zoë")"));
  EXPECT_THAT(json, HasSubstr(R"("to": "Zoë O'Brien <zoe@example.org>")"));
  EXPECT_THAT(json, HasSubstr(R"("message_id": "<eml-1.a@hubsync.invalid>")"));
  EXPECT_THAT(json, HasSubstr(R"("is_multipart": true)"));
  EXPECT_THAT(
      json, HasSubstr(R"("content": "Hello Zoë,\n\nYour code is 123 456.\n.\n")"
                      ",\n   \"content_type\": \"text/plain\""));
  EXPECT_THAT(json, HasSubstr(R"("content": "<p>Hello Zoë,</p>\n")"
                              ",\n   \"content_type\": \"text/html\""));
  EXPECT_THAT(json, HasSubstr(R"("defects": [])"));
  EXPECT_FALSE(sink.Has(2));
  EXPECT_EQ(sink.child().Stop(SIGTERM), 0);
}

// libcurl dot-stuffs lines that start with '.' (a lone "." would end DATA);
// raw bytes, as RenderMime already encodes a leading '.'.
TEST(CurlSmtpSender, LinesStartingWithADotSurvive) {
  SmtpSink sink;
  const std::string bytes =
      "From: a@example.org\r\nTo: b@example.org\r\nSubject: dots\r\n\r\n"
      ".\r\n..two\r\n.three\r\nend\r\n";
  std::unique_ptr<MailSender> sender = MustSender(PlainTo(sink.port()));
  ASSERT_NE(sender, nullptr);
  ASSERT_THAT(sender->Send("a@example.org", "b@example.org", bytes), IsOk());
  EXPECT_EQ(sink.Read(1, "eml"), bytes);
}

TEST(CurlSmtpSender, SecondMessageReusesTheConnection) {
  SmtpSink sink;
  std::unique_ptr<MailSender> sender = MustSender(PlainTo(sink.port()));
  ASSERT_NE(sender, nullptr);
  const std::string first = Rendered(ToZoe("eml-1.a@hubsync.invalid"));
  const std::string second = Rendered(ToZoe("eml-2.a@hubsync.invalid"));
  ASSERT_THAT(
      sender->Send("noreply@school.example.org", "zoe@example.org", first),
      IsOk());
  ASSERT_THAT(
      sender->Send("noreply@school.example.org", "zoe@example.org", second),
      IsOk());
  EXPECT_EQ(sink.Read(1, "eml"), first);
  EXPECT_EQ(sink.Read(2, "eml"), second);
  EXPECT_THAT(sink.Read(1, "json"), HasSubstr(R"("connection": 1,)"));
  EXPECT_THAT(sink.Read(2, "json"), HasSubstr(R"("connection": 1,)"));
}

TEST(CurlSmtpSender, RefusedRecipientIsFailedPrecondition) {
  SmtpSink sink({"--reject-rcpt", "gone@example.org"});
  std::unique_ptr<MailSender> sender = MustSender(PlainTo(sink.port()));
  ASSERT_NE(sender, nullptr);
  const std::string bytes = Rendered(ToZoe("eml-1.a@hubsync.invalid"));
  EXPECT_THAT(
      sender->Send("noreply@school.example.org", "gone@example.org", bytes),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               AllOf(HasSubstr("550"), HasSubstr("recipient rejected"),
                     HasSubstr(absl::StrCat("127.0.0.1:", sink.port())))));
  EXPECT_FALSE(sink.Has(1));
  // The sender is still good for the next message.
  EXPECT_THAT(
      sender->Send("noreply@school.example.org", "zoe@example.org", bytes),
      IsOk());
  EXPECT_THAT(sink.Read(1, "json"),
              HasSubstr("\"rcpt_tos\": [\n  \"zoe@example.org\"\n ]"));
}

TEST(CurlSmtpSender, TemporaryFailureIsUnavailableAndARetryGoesThrough) {
  SmtpSink sink({"--tempfail-first", "1"});
  std::unique_ptr<MailSender> sender = MustSender(PlainTo(sink.port()));
  ASSERT_NE(sender, nullptr);
  const std::string bytes = Rendered(ToZoe("eml-1.a@hubsync.invalid"));
  EXPECT_THAT(
      sender->Send("noreply@school.example.org", "zoe@example.org", bytes),
      StatusIs(absl::StatusCode::kUnavailable,
               AllOf(HasSubstr("451"), HasSubstr("try again later"))));
  EXPECT_FALSE(sink.Has(1));
  EXPECT_THAT(
      sender->Send("noreply@school.example.org", "zoe@example.org", bytes),
      IsOk());
  EXPECT_EQ(sink.Read(1, "eml"), bytes);
  EXPECT_FALSE(sink.Has(2));
}

TEST(CurlSmtpSender, NoListenerIsUnavailable) {
  const int port = ClosedPort();
  std::unique_ptr<MailSender> sender = MustSender(PlainTo(port));
  ASSERT_NE(sender, nullptr);
  EXPECT_THAT(sender->Send("noreply@school.example.org", "zoe@example.org",
                           Rendered(ToZoe("eml-1.a@hubsync.invalid"))),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr(absl::StrCat("smtp://127.0.0.1:", port))));
}

// A relay that accepts the connection and never greets: Send gives up after
// timeout_seconds instead of hanging the delivery worker.
TEST(CurlSmtpSender, SilentRelayIsUnavailableAfterTheTimeout) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(fd, 4), 0);  // the kernel accepts; nobody answers
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  SmtpOptions options = PlainTo(ntohs(addr.sin_port));
  options.timeout_seconds = 1;
  std::unique_ptr<MailSender> sender = MustSender(options);
  ASSERT_NE(sender, nullptr);
  EXPECT_THAT(sender->Send("noreply@school.example.org", "zoe@example.org",
                           Rendered(ToZoe("eml-1.a@hubsync.invalid"))),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("timed out")));
  close(fd);
}

TEST(CurlSmtpSender, LogsInAndARefusedLoginNeverShowsThePassword) {
  SmtpSink sink({"--auth", "hubsync:right-horse-battery"});
  SmtpOptions options = PlainTo(sink.port());  // loopback: allowed in clear
  options.username = "hubsync";
  options.password = "wrong-horse-battery";
  std::unique_ptr<MailSender> wrong = MustSender(options);
  ASSERT_NE(wrong, nullptr);
  const std::string bytes = Rendered(ToZoe("eml-1.a@hubsync.invalid"));
  const absl::Status refused =
      wrong->Send("noreply@school.example.org", "zoe@example.org", bytes);
  // Unavailable: the mail waits until the credentials are fixed.
  EXPECT_THAT(refused,
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("535"), HasSubstr("--smtp_user"),
                             Not(HasSubstr("wrong-horse-battery")))));
  EXPECT_FALSE(sink.Has(1));
  options.password = "right-horse-battery";
  std::unique_ptr<MailSender> right = MustSender(options);
  ASSERT_NE(right, nullptr);
  EXPECT_THAT(
      right->Send("noreply@school.example.org", "zoe@example.org", bytes),
      IsOk());
  EXPECT_EQ(sink.Read(1, "eml"), bytes);
}

// A self-signed certificate for 127.0.0.1 in `dir`: "cert.pem", "key.pem".
void MakeCertificate(const testing::TempDir& dir) {
  const testing::RunResult r = testing::Run(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
       "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
       "/CN=smtp-sink.test", "-addext", "subjectAltName=IP:127.0.0.1",
       "-keyout", dir.File("key.pem"), "-out", dir.File("cert.pem")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(CurlSmtpSender, StartTlsToARelayWhoseCertificateIsTrusted) {
  testing::TempDir certs;
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(certs));
  // The sink requires STARTTLS before MAIL FROM (530 otherwise).
  SmtpSink sink({"--tls", certs.File("cert.pem"), certs.File("key.pem")});
  SmtpOptions options = PlainTo(sink.port());
  options.security = Security::kStartTls;
  const std::string bytes = Rendered(ToZoe("eml-1.a@hubsync.invalid"));
  // Not trusted: the system's CAs do not know the certificate.
  std::unique_ptr<MailSender> untrusting = MustSender(options);
  ASSERT_NE(untrusting, nullptr);
  EXPECT_THAT(
      untrusting->Send("noreply@school.example.org", "zoe@example.org", bytes),
      StatusIs(absl::StatusCode::kUnavailable, HasSubstr("certificate")));
  EXPECT_FALSE(sink.Has(1));
  options.ca_file = certs.File("cert.pem");
  std::unique_ptr<MailSender> sender = MustSender(options);
  ASSERT_NE(sender, nullptr);
  ASSERT_THAT(
      sender->Send("noreply@school.example.org", "zoe@example.org", bytes),
      IsOk());
  EXPECT_EQ(sink.Read(1, "eml"), bytes);
}

TEST(CurlSmtpSender, ImplicitTlsToARelayWhoseCertificateIsTrusted) {
  testing::TempDir certs;
  ASSERT_NO_FATAL_FAILURE(MakeCertificate(certs));
  SmtpSink sink({"--tls", certs.File("cert.pem"), certs.File("key.pem"),
                 "--implicit-tls"});
  SmtpOptions options = PlainTo(sink.port());
  options.security = Security::kImplicitTls;
  options.ca_file = certs.File("cert.pem");
  std::unique_ptr<MailSender> sender = MustSender(options);
  ASSERT_NE(sender, nullptr);
  const std::string bytes = Rendered(ToZoe("eml-1.a@hubsync.invalid"));
  ASSERT_THAT(
      sender->Send("noreply@school.example.org", "zoe@example.org", bytes),
      IsOk());
  EXPECT_EQ(sink.Read(1, "eml"), bytes);
}

// The sink speaks plain SMTP only: a sender that insists on TLS gives up
// there, before MAIL FROM, and may try again later.
TEST(CurlSmtpSender, TlsThatCannotStartIsUnavailable) {
  SmtpSink sink;
  SmtpOptions options = PlainTo(sink.port());
  options.security = Security::kStartTls;
  std::unique_ptr<MailSender> starttls = MustSender(options);
  ASSERT_NE(starttls, nullptr);
  const std::string bytes = Rendered(ToZoe("eml-1.a@hubsync.invalid"));
  EXPECT_THAT(
      starttls->Send("noreply@school.example.org", "zoe@example.org", bytes),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr("the relay does not offer STARTTLS")));
  options.security = Security::kImplicitTls;
  std::unique_ptr<MailSender> tls = MustSender(options);
  ASSERT_NE(tls, nullptr);
  EXPECT_THAT(
      tls->Send("noreply@school.example.org", "zoe@example.org", bytes),
      StatusIs(absl::StatusCode::kUnavailable,
               HasSubstr(absl::StrCat("smtps://127.0.0.1:", sink.port()))));
  EXPECT_FALSE(sink.Has(1));
}

TEST(CurlSmtpSender, RefusesAddressesThatWouldBreakTheCommand) {
  std::unique_ptr<MailSender> sender = MustSender(PlainTo(ClosedPort()));
  ASSERT_NE(sender, nullptr);
  EXPECT_THAT(sender->Send("noreply@school.example.org",
                           "zoe@example.org>\r\nRCPT TO:<all@example.org", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to")));
  EXPECT_THAT(sender->Send("", "zoe@example.org", "x"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from")));
}

TEST(ValidateSmtpOptions, AcceptsTlsAnywhereAndPlainOnLoopback) {
  SmtpOptions o;
  o.host = "smtp.example.org";
  o.username = "hubsync";
  o.password = "secret";
  for (Security s : {Security::kStartTls, Security::kImplicitTls}) {
    o.security = s;
    EXPECT_THAT(ValidateSmtpOptions(o), IsOk()) << SmtpSecurityName(s);
  }
  o.security = Security::kNone;
  for (const char* host :
       {"localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "LOCALHOST"}) {
    o.host = host;
    EXPECT_THAT(ValidateSmtpOptions(o), IsOk()) << host;
  }
  o = SmtpOptions{};
  o.host = "relay.internal";
  o.security = Security::kNone;
  o.allow_plaintext = true;
  EXPECT_THAT(ValidateSmtpOptions(o), IsOk());
}

TEST(ValidateSmtpOptions, NamesTheFlagToChange) {
  const auto problem = [](auto change) {
    SmtpOptions o;
    o.host = "smtp.example.org";
    change(o);
    return ValidateSmtpOptions(o);
  };
  const auto invalid = [](const char* text) {
    return StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(text));
  };
  EXPECT_THAT(problem([](SmtpOptions& o) { o.host = ""; }),
              invalid("--smtp_host is empty"));
  EXPECT_THAT(problem([](SmtpOptions& o) { o.host = "smtp://x.org:25"; }),
              invalid("--smtp_port"));
  EXPECT_THAT(problem([](SmtpOptions& o) { o.port = 70000; }),
              invalid("--smtp_port=70000"));
  EXPECT_THAT(problem([](SmtpOptions& o) { o.security = Security::kNone; }),
              AllOf(invalid("--smtp_security=starttls or tls"),
                    invalid("--smtp_allow_plaintext")));
  // 128.0.0.1 is not loopback; localhost.example.org is not localhost.
  for (const char* host : {"128.0.0.1", "localhost.example.org", "::2"}) {
    EXPECT_THAT(problem([&](SmtpOptions& o) {
                  o.host = host;
                  o.security = Security::kNone;
                }),
                invalid("unencrypted"))
        << host;
  }
  EXPECT_THAT(problem([](SmtpOptions& o) {
                o.security = Security::kNone;
                o.allow_plaintext = true;
                o.username = "hubsync";
                o.password = "secret";
              }),
              AllOf(invalid("in clear"), Not(invalid("secret"))));
  EXPECT_THAT(problem([](SmtpOptions& o) { o.username = "hubsync"; }),
              invalid("--smtp_password_file"));
  EXPECT_THAT(problem([](SmtpOptions& o) { o.password = "secret"; }),
              invalid("--smtp_user"));
  EXPECT_THAT(problem([](SmtpOptions& o) { o.ca_file = "/nonexistent.pem"; }),
              invalid("/nonexistent.pem"));
  EXPECT_THAT(problem([](SmtpOptions& o) { o.timeout_seconds = 0; }),
              invalid("timeout"));
}

TEST(SmtpUrl, DefaultPortFollowsSecurity) {
  SmtpOptions o;
  o.host = "smtp.example.org";
  o.security = Security::kNone;
  EXPECT_EQ(SmtpUrl(o), "smtp://smtp.example.org:25");
  o.security = Security::kStartTls;
  EXPECT_EQ(SmtpUrl(o), "smtp://smtp.example.org:587");
  o.security = Security::kImplicitTls;
  EXPECT_EQ(SmtpUrl(o), "smtps://smtp.example.org:465");
  o.host = "::1";
  o.port = 2525;
  EXPECT_EQ(SmtpUrl(o), "smtps://[::1]:2525");
  o.host = "[::1]";
  EXPECT_EQ(SmtpUrl(o), "smtps://[::1]:2525");
}

TEST(ParseSmtpSecurity, TheThreeFlagValues) {
  EXPECT_EQ(ParseSmtpSecurity("none").value(), Security::kNone);
  EXPECT_EQ(ParseSmtpSecurity("starttls").value(), Security::kStartTls);
  EXPECT_EQ(ParseSmtpSecurity("tls").value(), Security::kImplicitTls);
  EXPECT_THAT(ParseSmtpSecurity("ssl"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("none, starttls or tls")));
}

}  // namespace
}  // namespace hubsync::mail
