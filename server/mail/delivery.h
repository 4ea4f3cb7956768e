// The delivery worker: sends the outbox's verification emails after the
// save that queued them has committed (docs/ACCOUNTS.md, "Delivery").
//
// Each attempt is three commits around the relay: claim (the email becomes
// "sending", one more attempt), the token (kept across retries), then the
// outcome (sent, queued again after a backoff, or failed). A server that dies
// between the relay's acceptance and the outcome leaves the email "sending";
// after the lease it is sent again, the same message with the same
// Message-ID and token: at least once, and twice only within that window.
#ifndef HUBSYNC_SERVER_MAIL_DELIVERY_H_
#define HUBSYNC_SERVER_MAIL_DELIVERY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/accounts_types.h"
#include "common/clock.h"
#include "common/mime.h"
#include "server/mail/sender.h"
#include "server/mail/tokens.h"
#include "server/storage/store.h"

namespace hubsync::mail {

struct DeliveryOptions {
  MailAddress from;  // the sender the learners see
  // The verification link is link_base followed by the token, e.g.
  // "https://accounts.example.org/verify?token=".
  std::string link_base = "https://accounts.hubsync.invalid/verify?token=";
  int max_attempts = 8;             // then "failed"
  double retry_base_seconds = 30;   // before the 2nd attempt; doubles after
  double retry_max_seconds = 3600;  // the longest wait, jitter included
  // A "sending" email whose attempt began this long ago is tried again (its
  // server died mid-attempt). Longer than any one attempt can take.
  int64_t lease_seconds = 300;
  double max_per_second = 20;           // the whole server, 0: no limit
  int64_t max_per_school_minute = 600;  // each school, 0: no limit
  int64_t token_ttl_seconds = 7 * 86400;
  // Emails claimed at a time. 1: an email is "sending" only while it is
  // with the relay, so a crash leaves at most one to resend after the lease
  // (a claim is one small transaction on the due index).
  int batch = 1;
  std::chrono::milliseconds idle_poll{1000};
};

// The message a learner receives for one attempt (pure: no I/O).
MailMessage ComposeVerificationEmail(const OutboxWork& work,
                                     const IssuedToken& token,
                                     const DeliveryOptions& options,
                                     int64_t now_unix);

class DeliveryWorker {
 public:
  // `random` returns values in [0, 1) for the backoff's jitter.
  DeliveryWorker(Store* store, std::unique_ptr<MailSender> sender, TokenKey key,
                 DeliveryOptions options, Clock* clock,
                 std::function<double()> random);
  ~DeliveryWorker();  // Stop()

  // Runs passes on a thread of its own until Stop(): each pass delivers what
  // is due, then waits for Wake() or idle_poll.
  void Start();
  void Stop();
  // Something may be due now (a save queued emails, a resend).
  void Wake();
  // One pass on the caller's thread: claims and attempts what is due, batch
  // by batch, until nothing is. Returns the attempts made.
  absl::StatusOr<int64_t> RunOnce();

 private:
  absl::Status Attempt(const OutboxWork& work);
  // Waits for the global rate; false when stopping.
  bool Pace();

  Store* store_;
  std::unique_ptr<MailSender> sender_;
  TokenKey key_;
  DeliveryOptions options_;
  Clock* clock_;
  std::function<double()> random_;
  std::chrono::steady_clock::time_point next_send_{};
  // Sends per school in the current minute (by clock_), for the school limit.
  int64_t minute_ = -1;
  absl::flat_hash_map<std::string, int64_t> school_sends_;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace hubsync::mail

#endif  // HUBSYNC_SERVER_MAIL_DELIVERY_H_
