#include "common/mime.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/fnv.h"

namespace hubsync {
namespace {

constexpr size_t kMaxLine = 78;         // RFC 5322 2.1.1, without the CRLF
constexpr size_t kMaxEncodedWord = 75;  // RFC 2047 2
constexpr size_t kMaxQpLine = 76;       // RFC 2045 6.7 (5), with the '='
// "<address>" after the space that starts a folded line: 1 + 1 + 75 + 1.
constexpr size_t kMaxAddress = kMaxLine - 3;

// The length of the UTF-8 sequence at s[i], or 0 where s is not UTF-8
// (overlong forms, surrogates and code points past U+10FFFF included).
size_t Utf8Length(absl::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the second byte's range
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return n;
}

bool IsUtf8(absl::string_view s) {
  for (size_t i = 0, n; i < s.size(); i += n) {
    if ((n = Utf8Length(s, i)) == 0) return false;
  }
  return true;
}

bool IsAtext(char c) {  // RFC 5322 3.2.3
  return absl::ascii_isalnum(c) ||
         (c != '\0' && absl::string_view("!#$%&'*+-/=?^_`{|}~").find(c) !=
                           absl::string_view::npos);
}

bool IsPrintableAscii(absl::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// One header field, folded (RFC 5322 2.2.3) so that no line is longer than
// kMaxLine: tokens are separated by one space, and a token that does not fit
// on the current line starts a new one ("CRLF SP token").
class Field {
 public:
  explicit Field(absl::string_view name) : text_(absl::StrCat(name, ":")) {}

  // How long the next token may be to stay on the current line.
  size_t Room() const {
    const size_t used = text_.size() - line_start_ + 1;  // + the space
    return used >= kMaxLine ? 0 : kMaxLine - used;
  }
  void Fold() {
    text_ += "\r\n";
    line_start_ = text_.size();
  }
  void Token(absl::string_view token) {
    if (token.size() > Room()) Fold();
    absl::StrAppend(&text_, " ", token);
  }
  std::string Finish() && { return std::move(text_) + "\r\n"; }

 private:
  std::string text_;
  size_t line_start_ = 0;
};

// `text` (UTF-8) as "=?UTF-8?B?...?=" encoded words (RFC 2047), each as long
// as fits on its line and holding whole characters only: a decoder joins
// adjacent encoded words and drops the space between them.
void AppendEncodedWords(absl::string_view text, Field& field) {
  constexpr absl::string_view kOpen = "=?UTF-8?B?", kClose = "?=";
  // The bytes an encoded word of at most `room` characters can hold.
  const auto capacity = [&](size_t room) -> size_t {
    const size_t width = std::min(room, kMaxEncodedWord);
    const size_t overhead = kOpen.size() + kClose.size();
    return width < overhead ? 0 : (width - overhead) / 4 * 3;
  };
  for (size_t i = 0; i < text.size();) {
    size_t bytes = capacity(field.Room());
    if (Utf8Length(text, i) > bytes) {
      field.Fold();  // a fresh line holds 45 bytes, any character
      bytes = capacity(field.Room());
    }
    size_t end = i;
    while (end < text.size() && end - i + Utf8Length(text, end) <= bytes) {
      end += Utf8Length(text, end);
    }
    field.Token(absl::StrCat(kOpen, absl::Base64Escape(text.substr(i, end - i)),
                             kClose));
    i = end;
  }
}

// True when `text` can go in a header as it is, folded at its spaces: words
// of printable ASCII (atext only in a display name) separated by single
// spaces, with nothing a decoder would take for an encoded word.
bool IsPlainWords(absl::string_view text, bool phrase) {
  if (text.empty() || absl::StrContains(text, "=?")) return false;
  for (absl::string_view word : absl::StrSplit(text, ' ')) {
    if (word.empty() || word.size() >= kMaxLine) return false;
    for (char c : word) {
      if (phrase ? !IsAtext(c) : (c <= 0x20 || c > 0x7e)) return false;
    }
  }
  return true;
}

void AppendWords(absl::string_view text, Field& field) {
  for (absl::string_view word : absl::StrSplit(text, ' ')) field.Token(word);
}

// name-addr (RFC 5322 3.4): "Ann Smith <a@b.org>", "\"Smith, Ann\" <...>"
// or "=?UTF-8?B?...?= <...>".
void AppendMailbox(const MailAddress& mailbox, Field& field) {
  const std::string& name = mailbox.name;
  if (IsPlainWords(name, /*phrase=*/true)) {
    AppendWords(name, field);
  } else if (!name.empty()) {
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += '"';
    if (IsPrintableAscii(name) && !absl::StrContains(name, "=?") &&
        quoted.size() <= field.Room()) {
      field.Token(quoted);
    } else {
      AppendEncodedWords(name, field);
    }
  }
  field.Token(absl::StrCat("<", mailbox.address, ">"));
}

std::string DateField(int64_t unix_seconds) {  // RFC 5322 3.3, in UTC
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu",
                                          "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  const absl::CivilSecond t = absl::ToCivilSecond(
      absl::FromUnixSeconds(unix_seconds), absl::UTCTimeZone());
  const int weekday = static_cast<int>(absl::GetWeekday(absl::CivilDay(t)));
  return absl::StrFormat("Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
                         kDays[weekday], t.day(), kMonths[t.month() - 1],
                         t.year(), t.hour(), t.minute(), t.second());
}

// Quoted-printable (RFC 2045 6.7) of one line of text, without its line end:
// '=', controls, non-ASCII bytes and a trailing space or tab as "=XX", soft
// line breaks ("=" CRLF) keeping each line within kMaxQpLine. A '.' that
// starts a line is "=2E" too, so the line survives a relay that mishandles
// SMTP's dot-stuffing.
void AppendQpLine(absl::string_view line, std::string& out) {
  size_t column = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = line[i];
    const bool last = i + 1 == line.size();
    const bool literal = (c > 0x20 && c < 0x7f && c != '=') ||
                         ((c == ' ' || c == '\t') && !last);
    std::string piece =
        literal ? std::string(1, c) : absl::StrFormat("=%02X", c);
    // The last piece may take the column a soft break's '=' would need.
    if (column + piece.size() > (last ? kMaxQpLine : kMaxQpLine - 1)) {
      out += "=\r\n";
      column = 0;
    }
    if (column == 0 && c == '.') piece = "=2E";
    out += piece;
    column += piece.size();
  }
}

// `text`'s lines ('\n' or "\r\n") as quoted-printable lines ending in CRLF;
// no CRLF after the last line unless `text` ends with a line end.
std::string QuotedPrintable(absl::string_view text) {
  std::string out;
  for (size_t start = 0;;) {
    const size_t end = text.find('\n', start);
    absl::string_view line = text.substr(start, end - start);
    if (end == absl::string_view::npos) {
      AppendQpLine(line, out);
      return out;
    }
    if (absl::EndsWith(line, "\r")) line.remove_suffix(1);
    AppendQpLine(line, out);
    out += "\r\n";
    start = end + 1;
  }
}

bool HasLineBreak(absl::string_view s) {
  return s.find_first_of("\r\n") != absl::string_view::npos;
}

absl::Status CheckText(absl::string_view field, absl::string_view value,
                       bool header) {
  if (header && HasLineBreak(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " contains a line break (CR or LF)"));
  }
  if (!IsUtf8(value)) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is not UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckMailbox(absl::string_view field, const MailAddress& a) {
  if (absl::Status s = CheckText(absl::StrCat(field, ".name"), a.name, true);
      !s.ok()) {
    return s;
  }
  if (!IsPlausibleMailAddress(a.address)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".address \"", absl::CHexEscape(a.address),
                     "\" is not a plausible mail address"));
  }
  return absl::OkStatus();
}

// id-left "@" id-right (RFC 5322 3.6.4), kept to atext and dots.
absl::Status CheckMessageId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("message_id is empty");
  if (HasLineBreak(id)) {
    return absl::InvalidArgumentError(
        "message_id contains a line break (CR or LF)");
  }
  const size_t at = id.find('@');
  const bool ok =
      id.size() <= kMaxAddress && at != 0 && at != absl::string_view::npos &&
      at + 1 < id.size() && id.find('@', at + 1) == absl::string_view::npos &&
      std::all_of(id.begin(), id.end(),
                  [](char c) { return IsAtext(c) || c == '.' || c == '@'; });
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "message_id \"", absl::CHexEscape(id),
        "\" is not left@right of at most 75 letters, digits and punctuation"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsPlausibleMailAddress(absl::string_view address) {
  if (address.size() > kMaxAddress) return false;
  const size_t at = address.find('@');
  if (at == absl::string_view::npos ||
      address.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  // The local part as a dot-atom: no quoted local parts.
  const absl::string_view local = address.substr(0, at);
  if (local.empty() || local.size() > 64 || local.front() == '.' ||
      local.back() == '.' || absl::StrContains(local, "..")) {
    return false;
  }
  for (char c : local) {
    if (!IsAtext(c) && c != '.') return false;
  }
  // The domain as two or more DNS labels.
  const std::vector<absl::string_view> labels =
      absl::StrSplit(address.substr(at + 1), '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(c) && c != '-') return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> RenderMime(const MailMessage& message) {
  for (absl::Status s :
       {CheckMailbox("from", message.from), CheckMailbox("to", message.to),
        CheckText("subject", message.subject, true),
        CheckMessageId(message.message_id),
        CheckText("text", message.text, false),
        CheckText("html", message.html, false)}) {
    if (!s.ok()) return s;
  }
  // A boundary with "=_" in it cannot occur in a quoted-printable body,
  // where every '=' is followed by two hex digits or a line end.
  const std::string boundary = absl::StrFormat(
      "=_hubsync_%016x", Fnv1a().Bytes(message.message_id).value());

  std::string out = DateField(message.date_unix);
  Field from("From");
  AppendMailbox(message.from, from);
  out += std::move(from).Finish();
  Field to("To");
  AppendMailbox(message.to, to);
  out += std::move(to).Finish();
  Field subject("Subject");
  const std::string& text = message.subject;
  if (IsPlainWords(text, /*phrase=*/false)) {
    AppendWords(text, subject);
  } else {
    AppendEncodedWords(text, subject);
  }
  out += std::move(subject).Finish();
  Field id("Message-ID");
  id.Token(absl::StrCat("<", message.message_id, ">"));
  out += std::move(id).Finish();
  out += "MIME-Version: 1.0\r\n";
  Field type("Content-Type");
  type.Token("multipart/alternative;");
  type.Token(absl::StrCat("boundary=\"", boundary, "\""));
  out += std::move(type).Finish();
  out += "\r\n";

  for (const auto& [content_type, body] :
       {std::pair{"text/plain", &message.text},
        std::pair{"text/html", &message.html}}) {
    absl::StrAppend(&out, "--", boundary, "\r\nContent-Type: ", content_type,
                    "; charset=utf-8\r\n",
                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                    QuotedPrintable(*body), "\r\n");
  }
  absl::StrAppend(&out, "--", boundary, "--\r\n");
  return out;
}

}  // namespace hubsync
