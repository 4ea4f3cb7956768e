#include "common/mime.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace hubsync {
namespace {

using ::hubsync::testing::IsOk;
using ::hubsync::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

MailMessage WelcomeZoe() {
  MailMessage m;
  m.from = {"Hubsync", "noreply@school.example.org"};
  m.to = {"Zoë O'Brien", "zoe@example.org"};
  m.subject = "Zoë";
  m.text = "Hello Zoë,\n\nYour code is 123 456.\n";
  m.html = "<p>Hello Zoë,</p>\n<p>Your code is <b>123 456</b>.</p>\n";
  m.message_id = "eml-42.7f3a@hubsync.invalid";
  m.date_unix = 1790000000;  // Mon, 21 Sep 2026 14:13:20 UTC
  return m;
}

std::string MustRender(const MailMessage& m) {
  absl::StatusOr<std::string> out = RenderMime(m);
  EXPECT_THAT(out, IsOk());
  return out.ok() ? *out : "";
}

// The message's lines, split at CRLF (the last, after the final CRLF, is
// dropped when empty).
std::vector<std::string> MimeLines(const std::string& message) {
  std::vector<std::string> lines = absl::StrSplit(message, "\r\n");
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// A header field's value unfolded (RFC 5322 2.2.3), "" when absent.
std::string MimeHeader(const std::string& message, const std::string& name) {
  const std::string head = "\r\n" + message.substr(0, message.find("\r\n\r\n"));
  size_t start = head.find("\r\n" + name + ":");
  if (start == std::string::npos) return "";
  start += name.size() + 3;
  size_t end = start;
  while ((end = head.find("\r\n", end)) != std::string::npos &&
         head[end + 2] == ' ') {
    end += 2;
  }
  return absl::StrReplaceAll(head.substr(start, end - start), {{"\r\n", ""}});
}

// The raw (still encoded) body of the part with `content_type`.
std::string MimePartBody(const std::string& message,
                         const std::string& content_type) {
  const size_t type = message.find("\r\nContent-Type: " + content_type + ";");
  if (type == std::string::npos) return "<no " + content_type + " part>";
  const size_t start = message.find("\r\n\r\n", type) + 4;
  return message.substr(start, message.find("\r\n--=_", start) - start);
}

// Decodes quoted-printable (RFC 2045 6.7): soft breaks and =XX; CRLF -> LF.
std::string DecodeQp(const std::string& qp) {
  std::string out;
  for (size_t i = 0; i < qp.size(); ++i) {
    if (qp.compare(i, 3, "=\r\n") == 0) {
      i += 2;
    } else if (qp[i] == '=') {
      out += absl::HexStringToBytes(qp.substr(i + 1, 2));
      i += 2;
    } else if (qp.compare(i, 2, "\r\n") == 0) {
      out += '\n';
      i += 1;
    } else {
      out += qp[i];
    }
  }
  return out;
}

// The text of an unfolded header made of "=?UTF-8?B?...?=" words, and the
// words themselves.
std::string DecodeWords(const std::string& value,
                        std::vector<std::string>* words) {
  std::string out;
  for (absl::string_view word : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&word, "=?UTF-8?B?") ||
        !absl::ConsumeSuffix(&word, "?=")) {
      return absl::StrCat("<not an encoded word: ", word, ">");
    }
    std::string bytes;
    absl::Base64Unescape(word, &bytes);
    words->push_back(bytes);
    out += bytes;
  }
  return out;
}

TEST(RenderMime, SameMessageSameBytes) {
  const std::string first = MustRender(WelcomeZoe());
  EXPECT_EQ(first, MustRender(WelcomeZoe()));
  MailMessage other = WelcomeZoe();
  other.message_id = "eml-43.7f3a@hubsync.invalid";
  // The boundary follows the Message-ID.
  EXPECT_NE(MimeHeader(first, "Content-Type"),
            MimeHeader(MustRender(other), "Content-Type"));
}

TEST(RenderMime, HeadersAsARelayReadsThem) {
  const std::string m = MustRender(WelcomeZoe());
  const std::vector<std::string> lines = MimeLines(m);
  ASSERT_GE(lines.size(), 8u);
  EXPECT_EQ(lines[0], "Date: Mon, 21 Sep 2026 14:13:20 +0000");
  EXPECT_EQ(lines[1], "From: Hubsync <noreply@school.example.org>");
  EXPECT_EQ(lines[2], "To: =?UTF-8?B?Wm/DqyBPJ0JyaWVu?= <zoe@example.org>");
  EXPECT_EQ(lines[3], "Subject: =?UTF-8?B?Wm/Dqw==?=");
  EXPECT_EQ(lines[4], "Message-ID: <eml-42.7f3a@hubsync.invalid>");
  EXPECT_EQ(lines[5], "MIME-Version: 1.0");
  EXPECT_THAT(lines[6],
              ::testing::MatchesRegex("Content-Type: multipart/alternative; "
                                      "boundary=\"=_hubsync_[0-9a-f]{16}\""));
  EXPECT_EQ(lines[7], "");
}

TEST(RenderMime, DisplayNamesAsAtomsQuotedOrEncoded) {
  MailMessage m = WelcomeZoe();
  m.to = {"Łukasz Nowak", "lukasz@example.org"};
  EXPECT_EQ(MimeHeader(MustRender(m), "To"),
            " =?UTF-8?B?xYF1a2FzeiBOb3dhaw==?= <lukasz@example.org>");
  m.to = {"Zoe O'Brien", "zoe@example.org"};  // ' is an atom character
  EXPECT_EQ(MimeHeader(MustRender(m), "To"), " Zoe O'Brien <zoe@example.org>");
  m.to = {"O'Brien, Zoe \"Z\"", "zoe@example.org"};
  EXPECT_EQ(MimeHeader(MustRender(m), "To"),
            R"( "O'Brien, Zoe \"Z\"" <zoe@example.org>)");
  m.to = {"", "zoe@example.org"};
  EXPECT_EQ(MimeHeader(MustRender(m), "To"), " <zoe@example.org>");
  m.to = {"Not =?UTF-8?B?QQ==?= a word", "zoe@example.org"};
  EXPECT_EQ(MimeHeader(MustRender(m), "To"),
            " =?UTF-8?B?Tm90ID0/VVRGLTg/Qj9RUT09Pz0gYSB3b3Jk?= "
            "<zoe@example.org>");
}

TEST(RenderMime, CrlfOnlyAndNoLineOver78) {
  MailMessage m = WelcomeZoe();
  m.to = {"Łukasz Wojciechowski-Szczęsny-Żółtowski-Brzęczyszczykiewicz",
          "lukasz.wojciechowski-szczesny@uczniowie.szkola.example.org"};
  m.subject = "Witaj, " + m.to.name + "! Twój kod weryfikacyjny: 123456 " +
              std::string(90, 'x') + " 🎉";
  m.text = std::string(500, 'a') + "\n" + std::string(200, 'e') + "é\r\n" +
           "tab\tand space \n\nlone\rCR\n";
  m.html = "<p>" + std::string(300, '=') + "</p>";
  const std::string out = MustRender(m);
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\n') {
      EXPECT_TRUE(i > 0 && out[i - 1] == '\r') << "bare LF at " << i;
    } else if (out[i] == '\r') {
      EXPECT_TRUE(i + 1 < out.size() && out[i + 1] == '\n')
          << "bare CR at " << i;
    }
  }
  EXPECT_TRUE(absl::EndsWith(out, "--\r\n"));
  for (const std::string& line : MimeLines(out)) {
    EXPECT_LE(line.size(), 78u) << line;
  }
  // The bodies' lines, soft breaks included, keep QP's 76.
  for (const char* type : {"text/plain", "text/html"}) {
    for (const std::string& line : MimeLines(MimePartBody(out, type))) {
      EXPECT_LE(line.size(), 76u) << line;
    }
  }
  EXPECT_EQ(DecodeQp(MimePartBody(out, "text/plain")),
            std::string(500, 'a') + "\n" + std::string(200, 'e') +
                "é\ntab\tand space \n\nlone\rCR\n");
  EXPECT_EQ(DecodeQp(MimePartBody(out, "text/html")), m.html);
}

TEST(RenderMime, LongSubjectFoldsBetweenWholeCharacters) {
  MailMessage m = WelcomeZoe();
  // Two- three- and four-byte characters, so a word boundary cannot always
  // fall on a multiple of three bytes.
  for (int i = 0; i < 12; ++i) m.subject += "Zoë Łódź 日本 🎉 ";
  const std::string out = MustRender(m);
  std::vector<std::string> words;
  EXPECT_EQ(DecodeWords(MimeHeader(out, "Subject"), &words), m.subject);
  ASSERT_GT(words.size(), 3u);
  for (const std::string& w : words) {
    // No word starts with a UTF-8 continuation byte: none splits a character.
    EXPECT_NE(static_cast<unsigned char>(w[0]) & 0xc0, 0x80) << w;
  }
  for (const std::string& line : MimeLines(out)) {
    EXPECT_LE(line.size(), 78u) << line;
  }
}

TEST(RenderMime, QuotedPrintableEscapesWhatARelayWouldMangle) {
  MailMessage m = WelcomeZoe();
  m.text = "a=b\n.hidden line\n..\ntrailing space \ntrailing tab\t\n";
  const std::string body = MimePartBody(MustRender(m), "text/plain");
  EXPECT_EQ(body,
            "a=3Db\r\n=2Ehidden line\r\n=2E.\r\ntrailing space=20\r\n"
            "trailing tab=09\r\n");
  EXPECT_EQ(DecodeQp(body), m.text);
}

TEST(RenderMime, LongLineGetsSoftBreaksAt76) {
  MailMessage m = WelcomeZoe();
  m.text = std::string(75, 'a') + "." + std::string(80, 'b');
  const std::string body = MimePartBody(MustRender(m), "text/plain");
  const std::vector<std::string> lines = MimeLines(body);
  ASSERT_EQ(lines.size(), 3u) << body;
  EXPECT_EQ(lines[0], std::string(75, 'a') + "=");
  // The '.' now starts a line: escaped too.
  EXPECT_EQ(lines[1], "=2E" + std::string(72, 'b') + "=");
  EXPECT_EQ(lines[2], std::string(8, 'b'));
  EXPECT_EQ(DecodeQp(body), m.text);
}

TEST(RenderMime, RefusesHeaderInjectionNamingTheField) {
  MailMessage m = WelcomeZoe();
  m.subject = "Hello\r\nBcc: everyone@example.org";
  EXPECT_THAT(RenderMime(m), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("subject")));
  m = WelcomeZoe();
  m.to.name = "Zoë\nBcc: everyone@example.org";
  EXPECT_THAT(RenderMime(m), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("to.name")));
  m = WelcomeZoe();
  m.from.address = "noreply@example.org>\r\nRCPT TO:<everyone@example.org";
  EXPECT_THAT(RenderMime(m), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("from.address")));
  m = WelcomeZoe();
  m.message_id = "x@y\r\nBcc: everyone@example.org";
  EXPECT_THAT(RenderMime(m), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("message_id")));
}

TEST(RenderMime, RefusesImplausibleAddressesAndMissingId) {
  MailMessage m = WelcomeZoe();
  m.to.address = "zoe at example.org";
  EXPECT_THAT(RenderMime(m), StatusIs(absl::StatusCode::kInvalidArgument,
                                      AllOf(HasSubstr("to.address"),
                                            HasSubstr("zoe at example.org"))));
  m = WelcomeZoe();
  m.message_id = "";
  EXPECT_THAT(RenderMime(m), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("message_id is empty")));
  m = WelcomeZoe();
  m.text = "\xff\xfe";
  EXPECT_THAT(RenderMime(m), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("text is not UTF-8")));
}

TEST(IsPlausibleMailAddress, AcceptsOrdinaryAddresses) {
  for (const char* a : {"zoe@example.org", "zoe.o'brien+yr7@mail.example.co.uk",
                        "a@b.co", "x-y_z@xn--bcher-kva.example"}) {
    EXPECT_TRUE(IsPlausibleMailAddress(a)) << a;
  }
}

TEST(IsPlausibleMailAddress, RefusesWhatWouldBreakAHeaderOrCommand) {
  const std::string long_local = std::string(65, 'a') + "@example.org";
  const std::string too_long =
      std::string(60, 'a') + "@" + std::string(15, 'b') + ".org";  // 80
  for (const std::string& a :
       {std::string(""), std::string("zoe"), std::string("zoe@localhost"),
        std::string("@example.org"), std::string("zoe@"),
        std::string("zoe@@example.org"), std::string("zo e@example.org"),
        std::string("zoe@example.org\r\n"), std::string("<zoe@example.org>"),
        std::string("zoe@exa_mple.org"), std::string(".zoe@example.org"),
        std::string("zo..e@example.org"), std::string("zoe@-example.org"),
        std::string("zoë@example.org"), std::string("\"zoe\"@example.org"),
        long_local, too_long}) {
    EXPECT_FALSE(IsPlausibleMailAddress(a)) << a;
  }
}

// Python's email package (policy.default) as the reader: what a mail client
// shows from the rendered bytes. The parts' text keeps the wire's CRLF line
// ends, shown here as '\n' like the text given to RenderMime.
constexpr char kPythonReader[] = R"(
import email, email.policy, json, sys
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
to = m['to'].addresses[0]
out = {'subject': str(m['subject']), 'to_name': to.display_name,
       'to_address': to.addr_spec, 'from': str(m['from']),
       'message_id': m['message-id'], 'date': m['date'].datetime.isoformat(),
       'type': m.get_content_type()}
for i, part in enumerate(m.iter_parts()):
    out[f'part{i}'] = [part.get_content_type(), part.get_content_charset(),
                       part.get_content().replace('\r\n', '\n')]
out['defects'] = [repr(d) for p in m.walk() for d in p.defects] + [
    repr(d) for h in ('subject', 'to', 'from') for d in m[h].defects]
for k, v in out.items():
    print(k + '=' + json.dumps(v, ensure_ascii=False))
)";

TEST(RenderMime, PythonsMimeParserReadsWhatWasMeant) {
  MailMessage m = WelcomeZoe();
  m.text += ".a line with a dot\n" + std::string(100, 'z') + " \n";
  const std::string rendered = MustRender(m);
  testing::RunResult r = testing::RunWithInput(
      {"/usr/bin/python3", "-c", kPythonReader}, rendered);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("subject=\"Zoë\"\n"));
  EXPECT_THAT(r.out, HasSubstr("to_name=\"Zoë O'Brien\"\n"));
  EXPECT_THAT(r.out, HasSubstr("to_address=\"zoe@example.org\"\n"));
  EXPECT_THAT(r.out,
              HasSubstr("from=\"Hubsync <noreply@school.example.org>\"\n"));
  EXPECT_THAT(r.out,
              HasSubstr("message_id=\"<eml-42.7f3a@hubsync.invalid>\"\n"));
  EXPECT_THAT(r.out, HasSubstr("date=\"2026-09-21T14:13:20+00:00\"\n"));
  EXPECT_THAT(r.out, HasSubstr("type=\"multipart/alternative\"\n"));
  EXPECT_THAT(r.out,
              HasSubstr(absl::StrCat(
                  R"(part0=["text/plain", "utf-8", "Hello Zoë,\n\nYour code )",
                  R"(is 123 456.\n.a line with a dot\n)", std::string(100, 'z'),
                  R"( \n"])", "\n")));
  EXPECT_THAT(r.out, HasSubstr(R"(part1=["text/html", "utf-8", )"
                               R"("<p>Hello Zoë,</p>\n<p>Your code is )"
                               R"(<b>123 456</b>.</p>\n"])"
                               "\n"));
  EXPECT_THAT(r.out, HasSubstr("defects=[]\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("part2")));
}

}  // namespace
}  // namespace hubsync
