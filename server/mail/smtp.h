// Sending mail through an SMTP relay with libcurl: the options the server's
// --smtp_* flags fill in, their start-up check, and the real MailSender.
#ifndef HUBSYNC_SERVER_MAIL_SMTP_H_
#define HUBSYNC_SERVER_MAIL_SMTP_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/mail/sender.h"

namespace hubsync::mail {

struct SmtpOptions {
  enum class Security {
    kNone,         // plain SMTP: loopback relays only, unless allow_plaintext
    kStartTls,     // SMTP, then STARTTLS before anything else (required)
    kImplicitTls,  // SMTP inside TLS from the first byte ("smtps")
  };
  std::string host;  // --smtp_host: a name, IPv4 or IPv6 address
  int port = 0;      // --smtp_port; 0: 25, 587 or 465 by `security`
  Security security = Security::kStartTls;  // --smtp_security
  std::string username;      // --smtp_user; with `password` or not at all
  std::string password;      // read from --smtp_password_file
  int timeout_seconds = 30;  // the most one Send may take
  std::string ca_file;       // PEM CAs to verify the relay; "" = the system's
  bool allow_plaintext = false;  // --smtp_allow_plaintext
};

// "none", "starttls" or "tls" (--smtp_security); INVALID_ARGUMENT naming the
// choices for anything else.
absl::StatusOr<SmtpOptions::Security> ParseSmtpSecurity(absl::string_view name);
absl::string_view SmtpSecurityName(SmtpOptions::Security security);

// True for "localhost", 127.0.0.0/8 and ::1 (bracketed or not).
bool IsLoopbackHost(absl::string_view host);

// OK when `options` can be used; otherwise INVALID_ARGUMENT saying which flag
// to set or change: a host is required; a port is 0..65535; plain SMTP
// (--smtp_security=none) only to a loopback host unless allow_plaintext;
// a user and a password together or neither, and never over plain SMTP to a
// host that is not loopback (not even with allow_plaintext); a ca_file that
// can be read; timeout_seconds at least 1.
absl::Status ValidateSmtpOptions(const SmtpOptions& options);

// "smtp://host:587" or "smtps://[::1]:465": where `options` sends to, with
// the default port filled in. Never holds the credentials.
std::string SmtpUrl(const SmtpOptions& options);

// A MailSender over one libcurl easy handle, kept across Send calls so that
// consecutive messages reuse the relay connection (libcurl opens a new one
// when the relay has closed it). Send's errors follow sender.h; their
// messages name the relay's URL, libcurl's error text ("RCPT failed: 550")
// and the relay's refusal ("550 5.1.1 ...") when there was one, never the
// password. An implausible `from` or `to` (IsPlausibleMailAddress) is
// INVALID_ARGUMENT, before anything is sent.
// A login the relay refuses (535) is UNAVAILABLE, not FAILED_PRECONDITION:
// it is the sender's configuration that is wrong, not the message, and the
// message should go once the credentials are fixed.
// Thread-compatible, as MailSender.
class CurlSmtpSender : public MailSender {
 public:
  // `options` must pass ValidateSmtpOptions (NewCurlSmtpSender checks).
  // INTERNAL if libcurl cannot be initialised.
  static absl::StatusOr<std::unique_ptr<CurlSmtpSender>> Create(
      const SmtpOptions& options);
  ~CurlSmtpSender() override;
  CurlSmtpSender(const CurlSmtpSender&) = delete;
  CurlSmtpSender& operator=(const CurlSmtpSender&) = delete;

  absl::Status Send(const std::string& from, const std::string& to,
                    const std::string& message) override;

 private:
  CurlSmtpSender(const SmtpOptions& options, void* curl);
  absl::Status Failure(int curl_code, long reply_code) const;

  const std::string url_;
  void* const curl_;          // CURL*: libcurl's handle type is void* in C++
  std::string error_;         // CURLOPT_ERRORBUFFER, CURL_ERROR_SIZE bytes
  std::string failed_reply_;  // the relay's last 4xx/5xx line in this Send
};

// ValidateSmtpOptions, then CurlSmtpSender::Create.
absl::StatusOr<std::unique_ptr<MailSender>> NewCurlSmtpSender(
    const SmtpOptions& options);

}  // namespace hubsync::mail

#endif  // HUBSYNC_SERVER_MAIL_SMTP_H_
