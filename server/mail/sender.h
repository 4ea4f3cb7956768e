// Handing a message to a mail relay. The delivery worker (delivery.h) calls
// a MailSender; smtp.h's is the real one (libcurl), tests may fake faults.
#ifndef HUBSYNC_SERVER_MAIL_SENDER_H_
#define HUBSYNC_SERVER_MAIL_SENDER_H_

#include <string>

#include "absl/status/status.h"

namespace hubsync::mail {

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Sends `message` (RenderMime's bytes) from `from` to `to` (addr-specs).
  // OK once the relay has accepted it (250 after DATA). Otherwise:
  // - UNAVAILABLE: worth trying again later (no connection, timeout, TLS
  //   handshake failure, a 4xx reply);
  // - FAILED_PRECONDITION: the relay refused for good (a 5xx reply);
  // the message names the relay's reply code and text when there was one.
  // A login the relay refuses (535) is UNAVAILABLE, not FAILED_PRECONDITION:
  // the sender's credentials are wrong, not the message, which should go
  // once they are fixed (smtp.h).
  // Thread-compatible: one sender per thread.
  virtual absl::Status Send(const std::string& from, const std::string& to,
                            const std::string& message) = 0;
};

}  // namespace hubsync::mail

#endif  // HUBSYNC_SERVER_MAIL_SENDER_H_
