// The verification emails' outbox as the delivery worker and the admin use
// it (server/storage/outbox.cc): claims, leases, outcomes, tokens, resends
// and listing, on a real SQLite file with emails queued by a real save.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/schema.h"
#include "server/storage/sqlite.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/outbox_world.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace outbox_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kLease = 300;

struct World {
  std::unique_ptr<TestStore> t = NewStore();
  Store* store = t->store.get();
  QueuedSchool oak;
};

std::unique_ptr<World> MakeWorld(int emails) {
  auto w = std::make_unique<World>();
  w->oak = *QueueVerificationEmails(w->store, "Oak Academy", emails);
  return w;
}

int64_t Now(World& w) { return w.t->clock.NowUnixSeconds(); }

absl::StatusOr<std::vector<OutboxWork>> Claim(World& w, int limit = 50) {
  return w.store->ClaimDueEmails(Now(w), kLease, limit);
}

std::vector<int64_t> Ids(const std::vector<OutboxWork>& work) {
  std::vector<int64_t> ids;
  for (const OutboxWork& x : work) ids.push_back(x.email.id);
  return ids;
}

// The email as the school's outbox lists it now.
OutboxEmail Email(World& w, int64_t id) {
  const std::vector<OutboxEmail> all =
      w.store->ListOutbox(w.oak.school.id).value();
  for (const OutboxEmail& e : all) {
    if (e.id == id) return e;
  }
  ADD_FAILURE() << "no email " << id;
  return {};
}

EmailOutcome Outcome(EmailOutcome::Kind kind, int64_t next = 0,
                     std::string error = "") {
  EmailOutcome o;
  o.kind = kind;
  o.next_attempt_time_unix = next;
  o.error = std::move(error);
  return o;
}

TEST(ClaimDueEmails, ClaimsQueuedEmailsOldestFirstOnce) {
  auto w = MakeWorld(3);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  w->t->clock.Advance(10);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> first, Claim(*w, 2));
  EXPECT_THAT(Ids(first), ElementsAre(e[0].id, e[1].id));
  const OutboxWork& a = first[0];
  EXPECT_EQ(a.email.status, "sending");
  EXPECT_EQ(a.email.attempts, 1);
  EXPECT_EQ(a.email.last_attempt_time_unix, Now(*w));
  EXPECT_EQ(a.school_name, "Oak Academy");
  EXPECT_EQ(a.forename, "Learner1");
  EXPECT_EQ(a.surname, "Surname1");
  EXPECT_EQ(a.email.address, "learner1@example.org");
  EXPECT_FALSE(a.nonce.empty());
  EXPECT_NE(a.nonce, first[1].nonce);
  EXPECT_THAT(a.products, IsEmpty()) << "no subscription, no grant";
  // What the outbox shows: the claimed ones sending, the third still queued.
  EXPECT_EQ(Email(*w, e[0].id).status, "sending");
  EXPECT_EQ(Email(*w, e[0].id).attempts, 1);
  EXPECT_EQ(Email(*w, e[2].id).status, "queued");
  // The next claim takes only what is left; then nothing is due.
  EXPECT_THAT(Claim(*w),
              IsOkAndHolds(::testing::ResultOf(Ids, ElementsAre(e[2].id))));
  EXPECT_THAT(Claim(*w), IsOkAndHolds(IsEmpty()));
}

TEST(ClaimDueEmails, RetriesComeDueInTheOrderOfTheirTimesWithTheirNonce) {
  auto w = MakeWorld(3);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> first, Claim(*w));
  ASSERT_THAT(first, SizeIs(3));
  const int64_t t0 = Now(*w);
  ASSERT_THAT(w->store->FinishEmail(
                  e[0].id, Outcome(EmailOutcome::kRetry, t0 + 50, "451 later")),
              IsOk());
  ASSERT_THAT(w->store->FinishEmail(
                  e[1].id, Outcome(EmailOutcome::kRetry, t0 + 20, "451 later")),
              IsOk());
  ASSERT_THAT(w->store->FinishEmail(e[2].id, Outcome(EmailOutcome::kSent)),
              IsOk());
  w->t->clock.Advance(19);
  EXPECT_THAT(Claim(*w), IsOkAndHolds(IsEmpty())) << "not due yet";
  w->t->clock.Advance(40);  // both due: the one due first comes first
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> again, Claim(*w));
  ASSERT_THAT(Ids(again), ElementsAre(e[1].id, e[0].id));
  EXPECT_EQ(again[0].nonce, first[1].nonce) << "the token derives from it";
  EXPECT_EQ(again[1].nonce, first[0].nonce);
  EXPECT_EQ(again[0].email.attempts, 2);
  EXPECT_EQ(Email(*w, e[2].id).status, "sent") << "a sent one is never due";
}

TEST(ClaimDueEmails, SendingEmailIsReclaimedOnlyAfterTheLease) {
  auto w = MakeWorld(1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> first, Claim(*w));
  ASSERT_THAT(first, SizeIs(1));
  // The server died mid-attempt: no outcome was recorded.
  w->t->clock.Advance(kLease - 1);
  EXPECT_THAT(Claim(*w), IsOkAndHolds(IsEmpty()));
  w->t->clock.Advance(1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> again, Claim(*w));
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].email.attempts, 2);
  EXPECT_EQ(again[0].nonce, first[0].nonce) << "the same message again";
  EXPECT_EQ(Email(*w, first[0].email.id).last_attempt_time_unix, Now(*w));
}

TEST(ClaimDueEmails, ArchivedLearnersEmailIsWithdrawnNotClaimed) {
  auto w = MakeWorld(2);
  ASSERT_THAT(w->store->ArchiveLearner(w->oak.learners[0].id), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> got, Claim(*w));
  EXPECT_THAT(Ids(got), ElementsAre(w->oak.emails[1].id));
  const OutboxEmail gone = Email(*w, w->oak.emails[0].id);
  EXPECT_EQ(gone.status, "withdrawn");
  EXPECT_EQ(gone.attempts, 0);
  EXPECT_THAT(gone.last_error, HasSubstr("archived"));
  // Restoring the learner does not bring a withdrawn email back.
  ASSERT_THAT(w->store->RestoreLearner(w->oak.learners[0].id), IsOk());
  w->t->clock.Advance(kLease);
  EXPECT_THAT(Claim(*w), IsOkAndHolds(::testing::ResultOf(
                             Ids, ElementsAre(w->oak.emails[1].id))));
}

TEST(FinishEmail, RecordsEachOutcome) {
  auto w = MakeWorld(4);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  ASSERT_THAT(Claim(*w), IsOkAndHolds(SizeIs(4)));
  w->t->clock.Advance(7);
  const int64_t now = Now(*w);
  ASSERT_THAT(w->store->FinishEmail(e[0].id, Outcome(EmailOutcome::kSent)),
              IsOk());
  ASSERT_THAT(
      w->store->FinishEmail(
          e[1].id, Outcome(EmailOutcome::kRetry, now + 60, "451 4.3.0 later")),
      IsOk());
  ASSERT_THAT(w->store->FinishEmail(
                  e[2].id, Outcome(EmailOutcome::kFailed, 0, "550 no such")),
              IsOk());
  ASSERT_THAT(w->store->FinishEmail(
                  e[3].id, Outcome(EmailOutcome::kHeld, now + 53, "held")),
              IsOk());
  const OutboxEmail sent = Email(*w, e[0].id);
  EXPECT_EQ(sent.status, "sent");
  EXPECT_EQ(sent.sent_time_unix, now);
  EXPECT_EQ(sent.attempts, 1);
  EXPECT_EQ(sent.last_error, "");
  const OutboxEmail retry = Email(*w, e[1].id);
  EXPECT_EQ(retry.status, "queued");
  EXPECT_EQ(retry.attempts, 1);
  EXPECT_EQ(retry.next_attempt_time_unix, now + 60);
  EXPECT_EQ(retry.last_error, "451 4.3.0 later");
  EXPECT_EQ(retry.sent_time_unix, 0);
  const OutboxEmail failed = Email(*w, e[2].id);
  EXPECT_EQ(failed.status, "failed");
  EXPECT_EQ(failed.last_error, "550 no such");
  const OutboxEmail held = Email(*w, e[3].id);
  EXPECT_EQ(held.status, "queued");
  EXPECT_EQ(held.attempts, 0) << "a held email was not attempted";
  EXPECT_EQ(held.next_attempt_time_unix, now + 53);
}

TEST(FinishEmail, LeavesAnEmailThatIsNotSendingAlone) {
  auto w = MakeWorld(2);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  ASSERT_THAT(Claim(*w), IsOkAndHolds(SizeIs(2)));
  ASSERT_THAT(w->store->FinishEmail(e[0].id, Outcome(EmailOutcome::kSent)),
              IsOk());
  ASSERT_THAT(w->store->FinishEmail(
                  e[1].id, Outcome(EmailOutcome::kRetry, Now(*w) + 60, "451")),
              IsOk());
  // The save is reverted while email 2 waits: it is withdrawn, the sent
  // one left.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      SaveRecord revert, w->store->RevertSave(w->oak.save_id, Actor{}, false));
  EXPECT_EQ(revert.revert_summary.emails_withdrawn, 1);
  EXPECT_EQ(revert.revert_summary.emails_left, 1);
  // A late outcome (a stale attempt) changes neither.
  w->t->clock.Advance(5);
  EXPECT_THAT(w->store->FinishEmail(e[1].id, Outcome(EmailOutcome::kSent)),
              IsOk());
  EXPECT_THAT(w->store->FinishEmail(
                  e[0].id, Outcome(EmailOutcome::kFailed, 0, "550 late")),
              IsOk());
  EXPECT_EQ(Email(*w, e[1].id).status, "withdrawn");
  EXPECT_EQ(Email(*w, e[1].id).sent_time_unix, 0);
  EXPECT_EQ(Email(*w, e[0].id).status, "sent");
  EXPECT_EQ(Email(*w, e[0].id).last_error, "");
}

TEST(ResendEmails, QueuesEveryFailedEmailWithAFreshNonce) {
  auto w = MakeWorld(3);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> first, Claim(*w));
  for (int i : {0, 2}) {
    ASSERT_THAT(w->store->FinishEmail(
                    e[i].id, Outcome(EmailOutcome::kFailed, 0, "gave up")),
                IsOk());
  }
  ASSERT_THAT(w->store->FinishEmail(e[1].id, Outcome(EmailOutcome::kSent)),
              IsOk());
  w->t->clock.Advance(100);
  const Actor admin{"key_00000000000000ab", "office", "admin"};
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxEmail> queued,
      w->store->ResendEmails(w->oak.school.id, {}, admin));
  ASSERT_THAT(queued, SizeIs(2));
  EXPECT_EQ(queued[0].id, e[0].id);
  EXPECT_EQ(queued[1].id, e[2].id);
  const OutboxEmail again = Email(*w, e[0].id);
  EXPECT_EQ(again.status, "queued");
  EXPECT_EQ(again.attempts, 0);
  EXPECT_EQ(again.last_error, "");
  EXPECT_EQ(again.next_attempt_time_unix, Now(*w));
  EXPECT_EQ(Email(*w, e[1].id).status, "sent") << "only failed ones";
  std::vector<AuditRecord> resends;
  const std::vector<AuditRecord> audit =
      w->store->ListAudit(w->oak.school.id).value();
  for (const AuditRecord& a : audit) {
    if (a.verb == "resend_email") resends.push_back(a);
  }
  ASSERT_THAT(resends, SizeIs(2));
  EXPECT_EQ(resends[0].record_id, std::to_string(e[0].id));
  EXPECT_EQ(resends[0].learner_id, e[0].learner_id);
  EXPECT_EQ(resends[0].actor.key_id, admin.key_id);
  EXPECT_THAT(resends[0].before_json, HasSubstr("\"failed\""));
  // The new attempt carries a new token: a new nonce.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxWork> second, Claim(*w));
  ASSERT_THAT(Ids(second), ElementsAre(e[0].id, e[2].id));
  EXPECT_NE(second[0].nonce, first[0].nonce);
  EXPECT_EQ(second[0].email.attempts, 1);
}

TEST(ResendEmails, NamedEmailsAreCheckedAllOrNothing) {
  auto w = MakeWorld(3);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(QueuedSchool elm,
                               QueueVerificationEmails(w->store, "Elm", 1));
  ASSERT_THAT(Claim(*w, 2), IsOkAndHolds(SizeIs(2)));  // Oak's 1 and 2
  ASSERT_THAT(w->store->FinishEmail(e[0].id, Outcome(EmailOutcome::kSent)),
              IsOk());
  ASSERT_THAT(w->store->FinishEmail(
                  e[1].id, Outcome(EmailOutcome::kFailed, 0, "550 gone")),
              IsOk());
  EXPECT_THAT(w->store->ResendEmails(w->oak.school.id,
                                     {e[1].id, elm.emails[0].id}, Actor{}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr(std::to_string(elm.emails[0].id))));
  EXPECT_THAT(
      w->store->ResendEmails(w->oak.school.id, {e[1].id, e[2].id}, Actor{}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is queued")));
  EXPECT_EQ(Email(*w, e[1].id).status, "failed") << "nothing changed";
  // A sent email named (the learner lost it) goes again, as a failed one.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxEmail> queued,
      w->store->ResendEmails(w->oak.school.id, {e[0].id, e[1].id}, Actor{}));
  EXPECT_THAT(queued, SizeIs(2));
  EXPECT_EQ(Email(*w, e[0].id).status, "queued");
  EXPECT_EQ(Email(*w, e[0].id).sent_time_unix, 0);
  EXPECT_EQ(Email(*w, e[1].id).status, "queued");
}

TEST(PageOutbox, FiltersByLearnerAndStatus) {
  auto w = MakeWorld(3);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  ASSERT_THAT(Claim(*w, 1), IsOkAndHolds(SizeIs(1)));
  ASSERT_THAT(w->store->FinishEmail(e[0].id, Outcome(EmailOutcome::kSent)),
              IsOk());
  auto ids = [](const Page<OutboxEmail>& p) {
    std::vector<int64_t> out;
    for (const OutboxEmail& x : p.items) out.push_back(x.id);
    return out;
  };
  const std::string& school = w->oak.school.id;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Page<OutboxEmail> queued,
      w->store->PageOutbox(school, {"", "queued"}, PageRequest{10, {}}));
  EXPECT_THAT(ids(queued), ElementsAre(e[1].id, e[2].id));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Page<OutboxEmail> learner,
      w->store->PageOutbox(school, {e[2].learner_id, ""}, PageRequest{10, {}}));
  EXPECT_THAT(ids(learner), ElementsAre(e[2].id));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Page<OutboxEmail> both,
      w->store->PageOutbox(school, {e[2].learner_id, "sent"},
                           PageRequest{10, {}}));
  EXPECT_THAT(both.items, IsEmpty());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Page<OutboxEmail> sent,
      w->store->PageOutbox(school, {"", "sent"}, PageRequest{10, {}}));
  ASSERT_THAT(ids(sent), ElementsAre(e[0].id));
  EXPECT_EQ(sent.items[0].attempts, 1);
  EXPECT_EQ(sent.items[0].sent_time_unix, Now(*w));
  // Pages of one, filtered, follow each other to the end.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Page<OutboxEmail> p1,
      w->store->PageOutbox(school, {"", "queued"}, PageRequest{1, {}}));
  EXPECT_THAT(ids(p1), ElementsAre(e[1].id));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Page<OutboxEmail> p2,
      w->store->PageOutbox(school, {"", "queued"}, PageRequest{1, p1.next}));
  EXPECT_THAT(ids(p2), ElementsAre(e[2].id));
  EXPECT_THAT(p2.next, IsEmpty());
}

// A database of schema version 12 (before learner accounts) keeps its API
// keys and outbox rows, and its queued email is due at once.
TEST(OutboxSchema, Version13KeepsKeysAndQueuedEmails) {
  TempDir dir;
  const std::string path = dir.File("hub.db");
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(storage::Db db, storage::Db::Open(path));
    ASSERT_THAT(storage::MigrateTo(&db, 12), IsOkAndHolds(12));
    ASSERT_THAT(
        db.Exec(
            "INSERT INTO schools (id, name, create_time) VALUES ('sch_1', "
            "'Oak', 0);"
            "INSERT INTO hub_learners (id, school_id, legal_forename, "
            "legal_surname, mis_id, sync_state, update_time) VALUES "
            "('lrn_a', 'sch_1', 'Amelia', 'Jones', 'm1', 'SYNCED', 1);"
            "INSERT INTO api_keys (id, school_id, role, label, secret_hash, "
            "create_time, created_by) VALUES "
            "('key_op', NULL, 'operator', 'ops', 'h1', 5, 'init'),"
            "('key_ad', 'sch_1', 'admin', 'office', 'h2', 6, 'key_op');"
            "INSERT INTO email_outbox (id, school_id, learner_id, address, "
            "kind, status, create_time) VALUES "
            "(7, 'sch_1', 'lrn_a', 'amelia@example.org', 'verification', "
            "'queued', 10),"
            "(8, 'sch_1', 'lrn_a', 'old@example.org', 'verification', "
            "'withdrawn', 11);"),
        IsOk());
  }
  FakeClock clock;
  SequentialIds ids;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store,
                               Store::Open(path, &clock, &ids));
  EXPECT_EQ(store->SchemaVersion(),
            static_cast<int>(storage::Migrations().size()));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<ApiKeyRecord> keys,
                               store->ListApiKeys(""));
  EXPECT_THAT(keys, SizeIs(2));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxEmail> outbox,
                               store->ListOutbox("sch_1"));
  ASSERT_THAT(outbox, SizeIs(2));
  EXPECT_EQ(outbox[0].id, 7);
  EXPECT_EQ(outbox[0].status, "queued");
  EXPECT_EQ(outbox[0].attempts, 0);
  EXPECT_EQ(outbox[1].status, "withdrawn");
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<OutboxWork> due,
      store->ClaimDueEmails(clock.NowUnixSeconds(), kLease, 10));
  ASSERT_THAT(due, SizeIs(1));
  EXPECT_EQ(due[0].email.id, 7);
  EXPECT_EQ(due[0].school_name, "Oak");
  EXPECT_EQ(due[0].forename, "Amelia");
}

}  // namespace
}  // namespace outbox_test
}  // namespace hubsync::testing
