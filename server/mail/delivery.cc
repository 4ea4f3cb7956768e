#include "server/mail/delivery.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"

namespace hubsync::mail {
namespace {

std::string HtmlEscape(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"},
                                 {"<", "&lt;"},
                                 {">", "&gt;"},
                                 {"\"", "&quot;"},
                                 {"'", "&#39;"}});
}

// "Boost Learning and Hodder Education Magazines".
std::string ProductList(const std::vector<std::string>& products) {
  std::vector<std::string> names;
  for (const std::string& p : products) names.push_back(ProductDisplayName(p));
  if (names.size() <= 1) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "),
                      " and ", names.back());
}

// The domain of the sender's address, for Message-IDs.
std::string DomainOf(const std::string& address) {
  const size_t at = address.rfind('@');
  return at == std::string::npos ? "hubsync.invalid" : address.substr(at + 1);
}

}  // namespace

MailMessage ComposeVerificationEmail(const OutboxWork& work,
                                     const IssuedToken& token,
                                     const DeliveryOptions& options,
                                     int64_t now_unix) {
  MailMessage m;
  m.from = options.from;
  m.to.name = absl::StrCat(work.forename, " ", work.surname);
  m.to.address = work.email.address;
  m.subject = absl::StrCat(work.school_name,
                           ": verify your email and set your password");
  m.message_id = absl::StrCat("eml-", work.email.id, ".", work.nonce, "@",
                              DomainOf(options.from.address));
  m.date_unix = now_unix;
  const std::string link = absl::StrCat(options.link_base, token.token);
  const int64_t days = std::max<int64_t>(1, options.token_ttl_seconds / 86400);
  const std::string products = ProductList(work.products);
  const std::string may_use =
      work.products.empty()
          ? "Your school has not given you access to a product yet. Once it "
            "does, this password logs you in to Boost Learning and/or Hodder "
            "Education Magazines."
          : absl::StrCat("With this password you can log in to ", products,
                         ".");
  const std::string staff_only =
      "You cannot use it to log in to Boost Insights, which is for school "
      "staff.";
  m.text = absl::StrCat(
      "Hello ", work.forename, ",\n\n", work.school_name,
      " has given you a learner account with this email address. To verify "
      "the address and create your password, open this link:\n\n",
      link, "\n\nor enter this code with your email address: ", token.code,
      "\n\nThe link and the code work once, for ", days, " days. ", may_use,
      " ", staff_only,
      "\n\nIf you did not expect this email, you can ignore it.\n");
  m.html = absl::StrCat(
      "<!DOCTYPE html>\n<html><body>\n<p>Hello ", HtmlEscape(work.forename),
      ",</p>\n<p>", HtmlEscape(work.school_name),
      " has given you a learner account with this email address. To verify "
      "the address and create your password, open this link:</p>\n"
      "<p><a href=\"",
      HtmlEscape(link), "\">Verify my email and set my password</a></p>\n",
      "<p>or enter this code with your email address: <strong>",
      HtmlEscape(token.code), "</strong></p>\n<p>The link and the code work ",
      "once, for ", days, " days. ", HtmlEscape(may_use), " ",
      HtmlEscape(staff_only),
      "</p>\n<p>If you did not expect this email, you can ignore it.</p>\n"
      "</body></html>\n");
  return m;
}

DeliveryWorker::DeliveryWorker(Store* store, std::unique_ptr<MailSender> sender,
                               TokenKey key, DeliveryOptions options,
                               Clock* clock, std::function<double()> random)
    : store_(store),
      sender_(std::move(sender)),
      key_(std::move(key)),
      options_(std::move(options)),
      clock_(clock),
      random_(std::move(random)) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  thread_ = std::thread([this] {
    while (true) {
      (void)RunOnce();  // a failed pass is tried again at the next
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || woken_;
      };
      mu_.AwaitWithTimeout(
          absl::Condition(&ready),
          absl::FromChrono(std::chrono::duration_cast<std::chrono::nanoseconds>(
              options_.idle_poll)));
      if (stop_) return;
      woken_ = false;
    }
  });
}

void DeliveryWorker::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

bool DeliveryWorker::Pace() {
  if (options_.max_per_second <= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  if (next_send_ > now) {
    absl::MutexLock lock(&mu_);
    auto stopping = [this]()
                        ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping),
                             absl::FromChrono(next_send_ - now))) {
      return false;
    }
  }
  next_send_ =
      std::max(next_send_, now) +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(1.0 / options_.max_per_second));
  return true;
}

absl::StatusOr<int64_t> DeliveryWorker::RunOnce() {
  int64_t attempts = 0;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return attempts;
    }
    absl::StatusOr<std::vector<OutboxWork>> due = store_->ClaimDueEmails(
        clock_->NowUnixSeconds(), options_.lease_seconds, options_.batch);
    if (!due.ok()) return due.status();
    if (due->empty()) return attempts;
    for (size_t i = 0; i < due->size(); ++i) {
      const OutboxWork& work = (*due)[i];
      absl::Status done = Attempt(work);
      if (!done.ok()) return done;  // the rest go back after the lease
      ++attempts;
    }
  }
}

absl::Status DeliveryWorker::Attempt(const OutboxWork& work) {
  const int64_t now = clock_->NowUnixSeconds();
  // The school's rate: past it, the email waits for the next minute, the
  // attempt not counted.
  if (options_.max_per_school_minute > 0) {
    if (now / 60 != minute_) {
      minute_ = now / 60;
      school_sends_.clear();
    }
    int64_t& sent = school_sends_[work.email.school_id];
    if (sent >= options_.max_per_school_minute) {
      EmailOutcome held;
      held.kind = EmailOutcome::kHeld;
      held.next_attempt_time_unix = (minute_ + 1) * 60;
      held.error = absl::StrCat("held: the school's limit of ",
                                options_.max_per_school_minute,
                                " emails a minute was reached");
      return store_->FinishEmail(work.email.id, held);
    }
    ++sent;
  }
  const IssuedToken token =
      DeriveToken(key_, work.email.id, work.nonce, work.email.address);
  VerificationToken record;
  record.token_hash = token.token_hash;
  record.code_hash = token.code_hash;
  record.email_id = work.email.id;
  record.school_id = work.email.school_id;
  record.learner_id = work.email.learner_id;
  record.address = NormaliseAddress(work.email.address);
  record.create_time_unix = now;
  record.expire_time_unix = now + options_.token_ttl_seconds;
  // Dated at the token's first attempt: a retry is the same message, byte
  // for byte (the Message-ID alone would not make it so).
  absl::StatusOr<int64_t> first_attempt =
      store_->RecordVerificationToken(record);
  if (!first_attempt.ok()) return first_attempt.status();
  EmailOutcome outcome;
  absl::StatusOr<std::string> bytes = RenderMime(
      ComposeVerificationEmail(work, token, options_, *first_attempt));
  absl::Status sent = bytes.status();
  if (sent.ok()) {
    if (!Pace()) return absl::CancelledError("stopping");
    sent = sender_->Send(options_.from.address, work.email.address, *bytes);
  }
  if (sent.ok()) {
    outcome.kind = EmailOutcome::kSent;
  } else if (sent.code() == absl::StatusCode::kUnavailable &&
             work.email.attempts < options_.max_attempts) {
    // Exponential backoff with jitter: base x 2^(n-1), capped, then x
    // 0.5..1.5, so emails that failed together do not all return together;
    // capped again, as retry_max is the longest wait
    // (--email_retry_max_seconds).
    const double backoff = std::min(
        options_.retry_max_seconds,
        options_.retry_base_seconds *
            std::pow(2.0, static_cast<double>(work.email.attempts - 1)));
    const double delay =
        std::min(options_.retry_max_seconds, backoff * (0.5 + random_()));
    outcome.kind = EmailOutcome::kRetry;
    outcome.next_attempt_time_unix =
        clock_->NowUnixSeconds() +
        std::max<int64_t>(1, static_cast<int64_t>(std::llround(delay)));
    outcome.error = std::string(sent.message());
  } else {
    outcome.kind = EmailOutcome::kFailed;
    outcome.error = sent.code() == absl::StatusCode::kUnavailable
                        ? absl::StrCat("gave up after ", work.email.attempts,
                                       " attempts: ", sent.message())
                        : std::string(sent.message());
  }
  return store_->FinishEmail(work.email.id, outcome);
}

}  // namespace hubsync::mail
