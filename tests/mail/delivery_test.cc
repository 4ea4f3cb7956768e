// The delivery worker (server/mail/delivery.cc) on a real SQLite store whose
// save queued the emails: to the real SMTP sink for the happy path, and
// through a fault-injecting sender (with a fake clock and fake randomness)
// for retries, give-ups, refusals and the school's rate.
#include "server/mail/delivery.h"

#include <unistd.h>

#include <csignal>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/read_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/mail/smtp.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/outbox_world.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"

namespace hubsync::mail {
namespace delivery_test {
namespace {

using ::hubsync::testing::IsOk;
using ::hubsync::testing::IsOkAndHolds;
using ::hubsync::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

TokenKey TestKey() {
  std::array<unsigned char, TokenKey::kBytes> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<unsigned char>(i);
  return TokenKey::FromBytes(bytes);
}

DeliveryOptions Options() {
  DeliveryOptions o;
  o.from = {"Oak Academy", "noreply@oak.example.org"};
  o.link_base = "https://accounts.example.org/verify?token=";
  o.max_per_second = 0;  // no pacing: a test waits for nothing
  return o;
}

// tests/testing/smtp_sink.py as a child process (as in smtp_test.cc).
class Sink {
 public:
  Sink()
      : child_({"/usr/bin/python3",
                HUBSYNC_SOURCE_DIR "/tests/testing/smtp_sink.py", "--dir",
                dir_.path()}) {
    const std::string line = child_.WaitForLine("listening on");
    EXPECT_TRUE(absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &port_));
  }
  SmtpOptions Relay() const {
    SmtpOptions o;
    o.host = "127.0.0.1";
    o.port = port_;
    o.security = SmtpOptions::Security::kNone;
    o.timeout_seconds = 10;
    return o;
  }
  std::string Json(int n) const {
    absl::StatusOr<std::string> s =
        ReadFileToString(dir_.File(absl::StrFormat("%06d.json", n)));
    return s.ok() ? *s : s.status().ToString();
  }
  bool Has(int n) const {
    return access(dir_.File(absl::StrFormat("%06d.json", n)).c_str(), F_OK) ==
           0;
  }
  testing::Child& child() { return child_; }

 private:
  testing::TempDir dir_;
  testing::Child child_;
  int port_ = 0;
};

// What the fake relay received, and what it answers next (OK when empty).
struct Relay {
  std::vector<std::string> messages;
  std::deque<absl::Status> answers;
};

class FaultySender : public MailSender {
 public:
  explicit FaultySender(Relay* relay) : relay_(relay) {}
  absl::Status Send(const std::string&, const std::string&,
                    const std::string& message) override {
    relay_->messages.push_back(message);
    if (relay_->answers.empty()) return absl::OkStatus();
    absl::Status s = relay_->answers.front();
    if (relay_->answers.size() > 1) relay_->answers.pop_front();
    return s;
  }

 private:
  Relay* relay_;
};

struct World {
  std::unique_ptr<testing::TestStore> t = testing::NewStore();
  Store* store = t->store.get();
  testing::QueuedSchool oak;
  double random = 0.25;  // the jitter's draw
  Relay relay;

  std::unique_ptr<DeliveryWorker> Worker(DeliveryOptions o = Options()) {
    return std::make_unique<DeliveryWorker>(
        store, std::make_unique<FaultySender>(&relay), TestKey(), o, &t->clock,
        [this] { return random; });
  }
  OutboxEmail Email(int i) {
    const std::vector<OutboxEmail> all = *store->ListOutbox(oak.school.id);
    return all[i];
  }
  int64_t Now() { return t->clock.NowUnixSeconds(); }
};

std::unique_ptr<World> MakeWorld(int emails) {
  auto w = std::make_unique<World>();
  w->oak = *testing::QueueVerificationEmails(w->store, "Oak Academy", emails);
  return w;
}

// What follows `lead` in `text` up to `end` ("" when either is missing).
// (Not std::regex: gcc 12 warns inside <regex> at -O1, which -Werror stops.)
std::string Capture(const std::string& text, const std::string& lead,
                    const std::string& end) {
  const size_t at = text.find(lead);
  if (at == std::string::npos) return "";
  const size_t stop = text.find(end, at + lead.size());
  if (stop == std::string::npos) return "";
  return text.substr(at + lead.size(), stop - at - lead.size());
}

TEST(DeliveryWorker, DeliversEachDueEmailOnceToARealRelay) {
  auto w = MakeWorld(2);
  const std::string boost(kBoostLearning);
  ASSERT_THAT(w->store->SetSubscription(w->oak.school.id, boost, true, {}),
              IsOk());
  ASSERT_THAT(w->store->SetGrant(
                  {w->oak.school.id, boost, "class", w->oak.math_class_id, 0},
                  true, {}),
              IsOk());
  Sink sink;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::unique_ptr<MailSender> sender,
                               NewCurlSmtpSender(sink.Relay()));
  DeliveryWorker worker(w->store, std::move(sender), TestKey(), Options(),
                        &w->t->clock, [] { return 0.5; });
  EXPECT_THAT(worker.RunOnce(), IsOkAndHolds(2));
  EXPECT_THAT(worker.RunOnce(), IsOkAndHolds(0)) << "nothing twice";
  ASSERT_TRUE(sink.Has(2));
  EXPECT_FALSE(sink.Has(3));
  for (int i : {0, 1}) {
    EXPECT_EQ(w->Email(i).status, "sent");
    EXPECT_EQ(w->Email(i).attempts, 1);
    EXPECT_EQ(w->Email(i).sent_time_unix, w->Now());
  }
  // Learner 1 is in 7x/Ma1, granted Boost Learning; learner 2 is not.
  const std::string first = sink.Json(1);
  EXPECT_THAT(first, HasSubstr("\"rcpt_tos\": [\n  \"learner1@example.org\""));
  EXPECT_THAT(first,
              HasSubstr(R"("to": "Learner1 Surname1 <learner1@example.org>")"));
  EXPECT_THAT(first,
              HasSubstr(R"("subject": "Oak Academy: verify your email)"));
  EXPECT_THAT(first, HasSubstr("Hello Learner1,"));
  EXPECT_THAT(first, HasSubstr("log in to Boost Learning."));
  EXPECT_THAT(first, HasSubstr(R"("defects": [])"));
  const std::string token = Capture(first, "verify?token=", "\\n");
  const std::string code = Capture(first, "email address: ", "\\n");
  ASSERT_EQ(token.size(), 32u) << first;
  ASSERT_EQ(code.size(), 9u) << first;
  EXPECT_THAT(sink.Json(2), HasSubstr("has not given you access"));
  EXPECT_THAT(sink.Json(2), Not(HasSubstr(token)));
  // The link redeems once; the code of the second email too.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      LearnerAccount a,
      w->store->RedeemToken(HashToken(TestKey(), token), "", "", "pw"));
  EXPECT_EQ(a.learner_id, w->oak.learners[0].id);
  const std::string code2 = Capture(sink.Json(2), "email address: ", "\\n");
  EXPECT_THAT(w->store->RedeemToken(
                  "", "learner2@example.org",
                  HashCode(TestKey(), "learner2@example.org", code2), "pw"),
              IsOk());
  EXPECT_EQ(sink.child().Stop(SIGTERM), 0);
}

// Each UNAVAILABLE waits base x 2^(n-1) x (0.5 + random), at most
// retry_max; after max_attempts the email has failed.
TEST(DeliveryWorker, BacksOffWithJitterUpToTheCapThenGivesUp) {
  auto w = MakeWorld(1);
  w->relay.answers = {absl::UnavailableError("451 4.3.0 try again later")};
  DeliveryOptions o = Options();
  o.retry_base_seconds = 30;
  o.retry_max_seconds = 600;
  o.max_attempts = 7;
  auto worker = w->Worker(o);
  const double draws[] = {0.25, 0.0, 0.75, 0.5, 0.99, 0.99};
  const int64_t expected_wait[] = {23, 30, 150, 240, 600, 600};
  for (int n = 1; n <= 6; ++n) {
    w->random = draws[n - 1];
    ASSERT_THAT(worker->RunOnce(), IsOkAndHolds(1)) << "attempt " << n;
    const OutboxEmail e = w->Email(0);
    EXPECT_EQ(e.status, "queued");
    EXPECT_EQ(e.attempts, n);
    EXPECT_EQ(e.next_attempt_time_unix - w->Now(), expected_wait[n - 1])
        << "attempt " << n;
    EXPECT_EQ(e.last_error, "451 4.3.0 try again later");
    w->t->clock.Advance(e.next_attempt_time_unix - w->Now() - 1);
    EXPECT_THAT(worker->RunOnce(), IsOkAndHolds(0)) << "not due yet";
    w->t->clock.Advance(1);
  }
  ASSERT_THAT(worker->RunOnce(), IsOkAndHolds(1));
  const OutboxEmail e = w->Email(0);
  EXPECT_EQ(e.status, "failed");
  EXPECT_EQ(e.attempts, 7);
  EXPECT_EQ(e.last_error,
            "gave up after 7 attempts: 451 4.3.0 try again later");
  EXPECT_THAT(w->relay.messages, SizeIs(7));
  EXPECT_THAT(worker->RunOnce(), IsOkAndHolds(0));
}

TEST(DeliveryWorker, RefusedForGoodFailsAtOnceWithTheRelaysReply) {
  auto w = MakeWorld(2);
  w->relay.answers = {absl::FailedPreconditionError(
                          "550 5.1.1 <learner1@example.org>: no such user"),
                      absl::OkStatus()};
  auto worker = w->Worker();
  EXPECT_THAT(worker->RunOnce(), IsOkAndHolds(2));
  EXPECT_EQ(w->Email(0).status, "failed");
  EXPECT_EQ(w->Email(0).attempts, 1);
  EXPECT_EQ(w->Email(0).last_error,
            "550 5.1.1 <learner1@example.org>: no such user");
  EXPECT_EQ(w->Email(1).status, "sent") << "the next email is not held up";
}

// At least once: the retry is the same message, so the relay (or the
// learner's mail client) can tell it is a duplicate, and the token in it is
// the one stored.
TEST(DeliveryWorker, RetrySendsTheIdenticalMessage) {
  auto w = MakeWorld(1);
  w->relay.answers = {absl::UnavailableError("421 closing"), absl::OkStatus()};
  auto worker = w->Worker();
  ASSERT_THAT(worker->RunOnce(), IsOkAndHolds(1));
  w->t->clock.Advance(3600);
  ASSERT_THAT(worker->RunOnce(), IsOkAndHolds(1));
  ASSERT_THAT(w->relay.messages, SizeIs(2));
  EXPECT_EQ(w->Email(0).status, "sent");
  const std::string id = Capture(w->relay.messages[0], "Message-ID: <", ">");
  EXPECT_THAT(id, HasSubstr(absl::StrCat("eml-", w->Email(0).id, ".")));
  EXPECT_EQ(Capture(w->relay.messages[1], "Message-ID: <", ">"), id);
  EXPECT_EQ(w->relay.messages[1], w->relay.messages[0]);
}

TEST(DeliveryWorker, SchoolsMinuteLimitHoldsTheRestUncounted) {
  auto w = MakeWorld(3);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      testing::QueuedSchool elm,
      testing::QueueVerificationEmails(w->store, "Elm", 1, "elm.example.org"));
  DeliveryOptions o = Options();
  o.max_per_school_minute = 2;
  auto worker = w->Worker(o);
  EXPECT_THAT(worker->RunOnce(), IsOkAndHolds(4));
  EXPECT_EQ(w->Email(0).status, "sent");
  EXPECT_EQ(w->Email(1).status, "sent");
  const OutboxEmail held = w->Email(2);
  EXPECT_EQ(held.status, "queued");
  EXPECT_EQ(held.attempts, 0) << "held back, not attempted";
  EXPECT_EQ(held.next_attempt_time_unix, (w->Now() / 60 + 1) * 60);
  EXPECT_THAT(held.last_error, HasSubstr("2 emails a minute"));
  EXPECT_EQ(w->store->ListOutbox(elm.school.id)->at(0).status, "sent")
      << "another school has its own limit";
  EXPECT_THAT(w->relay.messages, SizeIs(3));
  w->t->clock.Advance(held.next_attempt_time_unix - w->Now());
  EXPECT_THAT(worker->RunOnce(), IsOkAndHolds(1));
  EXPECT_EQ(w->Email(2).status, "sent");
  EXPECT_EQ(w->Email(2).attempts, 1);
}

OutboxWork Work(std::string school, std::vector<std::string> products) {
  OutboxWork w;
  w.email.id = 42;
  w.email.address = "zoe@example.org";
  w.school_name = std::move(school);
  w.forename = "Zoë";
  w.surname = "O'Brien";
  w.nonce = "n_1";
  w.products = std::move(products);
  return w;
}

TEST(ComposeVerificationEmail, NamesTheProductsAndNeverTheAdminHub) {
  const IssuedToken token =
      DeriveToken(TestKey(), 42, "n_1", "zoe@example.org");
  const MailMessage both = ComposeVerificationEmail(
      Work("Oak", {std::string(kBoostLearning), std::string(kHodderMagazines)}),
      token, Options(), 1790000000);
  EXPECT_THAT(both.text,
              HasSubstr("log in to Boost Learning and Hodder Education "
                        "Magazines."));
  EXPECT_THAT(both.text, HasSubstr("You cannot use it to log in to Boost "
                                   "Insights, which is for school staff."));
  EXPECT_THAT(both.html,
              HasSubstr("Boost Insights, which is for school staff"));
  EXPECT_THAT(both.text, HasSubstr(Options().link_base + token.token));
  EXPECT_THAT(both.text, HasSubstr(token.code));
  EXPECT_THAT(both.text, HasSubstr("for 7 days"));
  EXPECT_EQ(both.to.name, "Zoë O'Brien");
  EXPECT_EQ(both.message_id, "eml-42.n_1@oak.example.org");
  const MailMessage none =
      ComposeVerificationEmail(Work("Oak", {}), token, Options(), 1790000000);
  EXPECT_THAT(none.text, HasSubstr("has not given you access to a product"));
  EXPECT_THAT(none.text,
              HasSubstr("Boost Insights, which is for school staff"));
}

TEST(ComposeVerificationEmail, EscapesTheSchoolNameInHtml) {
  const IssuedToken token =
      DeriveToken(TestKey(), 42, "n_1", "zoe@example.org");
  const MailMessage m = ComposeVerificationEmail(
      Work("Smith & <Jones> \"High\"", {}), token, Options(), 1790000000);
  EXPECT_THAT(m.html, HasSubstr("Smith &amp; &lt;Jones&gt; &quot;High&quot;"));
  EXPECT_THAT(m.html, Not(HasSubstr("<Jones>")));
  EXPECT_THAT(m.html, Not(HasSubstr("& <")));
  EXPECT_THAT(m.html, HasSubstr("Zo\xC3\xAB")) << "UTF-8 kept";
  EXPECT_THAT(m.text, HasSubstr("Smith & <Jones> \"High\" has given you"));
  EXPECT_EQ(
      m.subject,
      "Smith & <Jones> \"High\": verify your email and set your password");
}

}  // namespace
}  // namespace delivery_test
}  // namespace hubsync::mail
