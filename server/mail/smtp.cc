#include "server/mail/smtp.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/mime.h"

namespace hubsync::mail {
namespace {

using Security = SmtpOptions::Security;

int DefaultPort(Security security) {
  switch (security) {
    case Security::kNone:
      return 25;
    case Security::kStartTls:
      return 587;
    case Security::kImplicitTls:
      return 465;
  }
  return 25;
}

// An IPv6 literal without the brackets a URL puts around it.
absl::string_view Unbracketed(absl::string_view host) {
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host.remove_prefix(1);
    host.remove_suffix(1);
  }
  return host;
}

bool IsIpv6(absl::string_view host) {
  in6_addr addr;
  return inet_pton(AF_INET6, std::string(Unbracketed(host)).c_str(), &addr) ==
         1;
}

bool IsHostName(absl::string_view host) {
  return !host.empty() && host.front() != '-' && host.front() != '.' &&
         std::all_of(host.begin(), host.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '-' || c == '.';
         });
}

// The relay's replies as the debug callback sees them: "550 5.1.1 ...\r\n"
// (each line of a multi-line reply in turn). The last failure (4xx, 5xx) is
// kept: libcurl's QUIT after it gets "221 Bye", which says nothing. Only
// replies are looked at, never what libcurl sends (AUTH holds the password).
int KeepFailedReply(CURL*, curl_infotype type, char* data, size_t size,
                    void* failed_reply) {
  if (type != CURLINFO_HEADER_IN || size == 0 ||
      (data[0] != '4' && data[0] != '5')) {
    return 0;
  }
  std::string line(absl::StripTrailingAsciiWhitespace(
      absl::string_view(data, std::min<size_t>(size, 200))));
  for (char& c : line) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  *static_cast<std::string*>(failed_reply) = std::move(line);
  return 0;
}

struct Upload {
  const std::string* message;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* upload) {
  auto* up = static_cast<Upload*>(upload);
  const size_t n = std::min(size * count, up->message->size() - up->offset);
  std::memcpy(buffer, up->message->data() + up->offset, n);
  up->offset += n;
  return n;
}

// libcurl rewinds the upload when it sends again on a new connection (the
// reused one was found closed).
int SeekUpload(void* upload, curl_off_t offset, int origin) {
  auto* up = static_cast<Upload*>(upload);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<size_t>(offset) > up->message->size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  up->offset = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

absl::Status GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("curl_global_init: ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Security> ParseSmtpSecurity(absl::string_view name) {
  for (Security s :
       {Security::kNone, Security::kStartTls, Security::kImplicitTls}) {
    if (name == SmtpSecurityName(s)) return s;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--smtp_security=", name, ": use none, starttls or tls"));
}

absl::string_view SmtpSecurityName(Security security) {
  switch (security) {
    case Security::kNone:
      return "none";
    case Security::kStartTls:
      return "starttls";
    case Security::kImplicitTls:
      return "tls";
  }
  return "?";
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string bare(Unbracketed(host));
  in_addr v4;
  if (inet_pton(AF_INET, bare.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  return inet_pton(AF_INET6, bare.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

absl::Status ValidateSmtpOptions(const SmtpOptions& o) {
  const auto invalid = [](auto&&... parts) {
    return absl::InvalidArgumentError(absl::StrCat(parts...));
  };
  if (o.host.empty()) {
    return invalid("--smtp_host is empty: name the mail relay to send through");
  }
  if (!IsHostName(o.host) && !IsIpv6(o.host)) {
    return invalid("--smtp_host=", o.host,
                   " is not a host name or IP address (no scheme, port or "
                   "path: the port is --smtp_port)");
  }
  if (o.port < 0 || o.port > 65535) {
    return invalid("--smtp_port=", o.port,
                   " is not a port: use 1 to 65535, or 0 for the default of "
                   "--smtp_security (none 25, starttls 587, tls 465)");
  }
  const bool loopback = IsLoopbackHost(o.host);
  const bool tls = o.security != Security::kNone;
  if (!tls && !loopback && !o.allow_plaintext) {
    return invalid(
        "--smtp_security=none would send mail to ", o.host,
        " unencrypted: use --smtp_security=starttls or tls, or "
        "--smtp_allow_plaintext if the network to the relay is trusted");
  }
  if (o.username.empty() != o.password.empty()) {
    return invalid(o.username.empty() ? "a password without --smtp_user"
                                      : "--smtp_user without a password",
                   ": give both --smtp_user and --smtp_password_file, or "
                   "neither");
  }
  if (!o.username.empty() && !tls && !loopback) {
    return invalid(
        "--smtp_user with --smtp_security=none would send the "
        "password to ",
        o.host,
        " in clear (even with --smtp_allow_plaintext): use "
        "--smtp_security=starttls or tls");
  }
  if (!o.ca_file.empty() && access(o.ca_file.c_str(), R_OK) != 0) {
    return invalid("the SMTP CA file ", o.ca_file, " cannot be read");
  }
  if (o.timeout_seconds < 1) {
    return invalid("the SMTP timeout must be at least 1 second, not ",
                   o.timeout_seconds);
  }
  return absl::OkStatus();
}

std::string SmtpUrl(const SmtpOptions& o) {
  const absl::string_view host = Unbracketed(o.host);
  const bool v6 = absl::StrContains(host, ':');
  return absl::StrCat(
      o.security == Security::kImplicitTls ? "smtps://" : "smtp://",
      v6 ? "[" : "", host, v6 ? "]" : "", ":",
      o.port != 0 ? o.port : DefaultPort(o.security));
}

absl::StatusOr<std::unique_ptr<CurlSmtpSender>> CurlSmtpSender::Create(
    const SmtpOptions& options) {
  if (absl::Status s = GlobalInit(); !s.ok()) return s;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  return std::unique_ptr<CurlSmtpSender>(new CurlSmtpSender(options, curl));
}

CurlSmtpSender::CurlSmtpSender(const SmtpOptions& options, void* curl)
    : url_(SmtpUrl(options)), curl_(curl), error_(CURL_ERROR_SIZE, '\0') {
  // The options every message shares; libcurl copies the strings.
  curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in threads
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(options.timeout_seconds));
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT,
                   static_cast<long>(options.timeout_seconds));
  curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_.data());
  curl_easy_setopt(curl_, CURLOPT_USE_SSL,
                   options.security == Security::kNone
                       ? static_cast<long>(CURLUSESSL_NONE)
                       : static_cast<long>(CURLUSESSL_ALL));
  if (!options.ca_file.empty()) {
    curl_easy_setopt(curl_, CURLOPT_CAINFO, options.ca_file.c_str());
  }
  if (!options.username.empty()) {
    curl_easy_setopt(curl_, CURLOPT_USERNAME, options.username.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, options.password.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, &KeepFailedReply);
  curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, &failed_reply_);
  curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L);  // feeds KeepFailedReply only
  curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(curl_, CURLOPT_SEEKFUNCTION, &SeekUpload);
}

CurlSmtpSender::~CurlSmtpSender() { curl_easy_cleanup(curl_); }

absl::Status CurlSmtpSender::Send(const std::string& from,
                                  const std::string& to,
                                  const std::string& message) {
  for (const auto& [field, address] :
       {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (!IsPlausibleMailAddress(*address)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " address \"", absl::CHexEscape(*address),
                       "\" is not a plausible mail address"));
    }
  }
  const std::string mail_from = absl::StrCat("<", from, ">");
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
  if (rcpt == nullptr) return absl::ResourceExhaustedError("curl_slist_append");
  Upload upload{&message};
  curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl_, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl_, CURLOPT_SEEKDATA, &upload);
  curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(message.size()));
  error_[0] = '\0';  // libcurl writes a message there only on failure
  failed_reply_.clear();

  const CURLcode code = curl_easy_perform(curl_);
  long reply = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply);
  // Nothing of this Send may outlive it in the handle.
  curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl_, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(curl_, CURLOPT_SEEKDATA, nullptr);
  curl_slist_free_all(rcpt);
  if (code == CURLE_OK) return absl::OkStatus();
  return Failure(code, reply);
}

absl::Status CurlSmtpSender::Failure(int curl_code, long reply_code) const {
  const auto code = static_cast<CURLcode>(curl_code);
  const char* text =
      error_[0] != '\0' ? error_.c_str() : curl_easy_strerror(code);
  std::string detail =
      absl::StrCat("SMTP relay ", url_, ": ", text, " (curl error ", curl_code);
  if (!failed_reply_.empty()) {
    absl::StrAppend(&detail, "; the relay replied \"", failed_reply_, "\"");
  }
  detail += ")";
  if (code == CURLE_USE_SSL_FAILED) {
    absl::StrAppend(&detail,
                    "; the relay does not offer STARTTLS: "
                    "--smtp_security=tls (port 465) may be wanted");
  }
  if (code == CURLE_LOGIN_DENIED) {
    absl::StrAppend(&detail, "; check --smtp_user and --smtp_password_file");
  }
  if (reply_code >= 500 && reply_code < 600 && code != CURLE_LOGIN_DENIED) {
    return absl::FailedPreconditionError(detail);
  }
  return absl::UnavailableError(detail);
}

absl::StatusOr<std::unique_ptr<MailSender>> NewCurlSmtpSender(
    const SmtpOptions& options) {
  if (absl::Status s = ValidateSmtpOptions(options); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<CurlSmtpSender>> sender =
      CurlSmtpSender::Create(options);
  if (!sender.ok()) return sender.status();
  return std::unique_ptr<MailSender>(std::move(sender).value());
}

}  // namespace hubsync::mail
