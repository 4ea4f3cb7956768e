// Internet mail messages (RFC 5322 with MIME, RFC 2045-2047): the
// verification email as bytes a relay accepts. Pure: no I/O.
#ifndef HUBSYNC_COMMON_MIME_H_
#define HUBSYNC_COMMON_MIME_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hubsync {

struct MailAddress {
  std::string name;     // display name, UTF-8, may be empty ("Zoë O'Brien")
  std::string address;  // addr-spec, ASCII ("zoe@example.org")
};

struct MailMessage {
  MailAddress from;
  MailAddress to;
  std::string subject;  // UTF-8
  std::string text;     // the text/plain part, UTF-8, '\n' line ends
  std::string html;     // the text/html part, UTF-8
  // Without the angle brackets: "eml-42.7f3a@hubsync.invalid". Stays the
  // same across retries of one email, so a relay can de-duplicate.
  std::string message_id;
  int64_t date_unix = 0;  // the Date header
};

// The whole message: headers and a multipart/alternative body (text, then
// HTML), CRLF line ends, no line longer than 78 characters, non-ASCII
// header text as RFC 2047 encoded words and bodies quoted-printable UTF-8.
// The same message renders to the same bytes (the boundary is derived from
// the Message-ID). INVALID_ARGUMENT, naming the field, for an address that
// is not a plausible ASCII addr-spec, a CR or LF in any header field, or an
// empty Message-ID; also for text that is not UTF-8 and a Message-ID that is
// not "left@right" (at most 75 letters, digits, dots and atext punctuation).
// Display names that are ASCII words stay as they are, other ASCII ones are
// quoted; the rest, and a subject that is not plain ASCII words, are
// "=?UTF-8?B?...?=" words, each holding whole characters. A '.' starting a
// body line is encoded too ("=2E").
absl::StatusOr<std::string> RenderMime(const MailMessage& message);

// True for an ASCII addr-spec "local@domain" with a dot in the domain and
// none of the characters that would break a header or an SMTP command: the
// local part a dot-atom of at most 64 characters (no quoted local parts),
// the domain DNS labels (letters, digits, hyphens), and the whole at most 75
// characters, so that "<address>" fits on a folded header line.
bool IsPlausibleMailAddress(absl::string_view address);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_MIME_H_
