// Learner accounts in the store (server/storage/accounts.cc and the tokens
// of outbox.cc): verification tokens kept, retired and redeemed once, the
// accounts a login names, and the school's subscriptions and grants. Token
// and code hashes are opaque strings here (tokens_test covers hashing).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/outbox_world.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace accounts_test {
namespace {

// Every grant of the school, by PageGrants in pages of 2 (so that paging is
// exercised too).
std::vector<ProductGrant> AllGrants(Store& store, const std::string& school) {
  std::vector<ProductGrant> out;
  PageRequest page{2, {}};
  while (true) {
    absl::StatusOr<Page<ProductGrant>> got = store.PageGrants(school, page);
    EXPECT_TRUE(got.ok()) << got.status();
    if (!got.ok()) return out;
    out.insert(out.end(), got->items.begin(), got->items.end());
    if (got->next.empty()) return out;
    page.after = got->next;
  }
}

using ::testing::AllOf;
using ::testing::Each;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr int64_t kTtl = 7 * 86400;
const Actor kAdmin{"key_00000000000000ab", "office", "admin"};

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

// The token the worker would record for `email` now, with the given hashes.
VerificationToken TokenFor(World& w, const OutboxEmail& email,
                           const std::string& hash,
                           const std::string& code_hash) {
  VerificationToken t;
  t.token_hash = hash;
  t.code_hash = code_hash;
  t.email_id = email.id;
  t.school_id = email.school_id;
  t.learner_id = email.learner_id;
  t.address = email.address;
  t.create_time_unix = Now(w);
  t.expire_time_unix = Now(w) + kTtl;
  return t;
}

absl::StatusOr<LearnerAccount> RedeemHash(World& w, const std::string& hash) {
  return w.store->RedeemToken(hash, "", "", "$argon2id$pw");
}

// A second save that gives `learner` a new address and queues an email to
// it: the learner's newer verification.
absl::StatusOr<OutboxEmail> QueueAnother(World& w, const HubLearner& learner,
                                         const std::string& address) {
  SessionRecord r;
  r.school_id = w.oak.school.id;
  r.snapshot_id = w.oak.snapshot_id;
  r.admin = "ms.head";
  absl::StatusOr<SessionRecord> session = w.store->CreateSession(r);
  if (!session.ok()) return session.status();
  SavePlan plan;
  plan.session_id = session->id;
  plan.school_id = w.oak.school.id;
  plan.request_id = "req-again";
  plan.expected_hub_version = *w.store->HubVersion(w.oak.school.id);
  PlannedChange c;
  c.change = LearnerChange::kRefresh;
  c.before = *w.store->GetLearner(learner.id);
  c.after = c.before;
  c.after.email = address;
  c.queue_verification_email = true;
  c.class_mis_ids = {"reg:7A"};
  plan.changes.push_back(c);
  SessionRecord saved = *session;
  saved.version = session->version + 1;
  saved.step = SessionStep::kSaved;
  saved.save_request_id = plan.request_id;
  absl::StatusOr<SaveSummary> sum = w.store->ApplySave(plan, saved);
  if (!sum.ok()) return sum.status();
  absl::StatusOr<std::vector<OutboxEmail>> all =
      w.store->ListOutbox(w.oak.school.id);
  if (!all.ok()) return all.status();
  return all->back();
}

std::vector<AuditRecord> AuditOf(World& w, const std::string& verb) {
  std::vector<AuditRecord> out;
  const std::vector<AuditRecord> audit =
      w.store->ListAudit(w.oak.school.id).value();
  for (const AuditRecord& a : audit) {
    if (a.verb == verb) out.push_back(a);
  }
  return out;
}

TEST(RedeemToken, ByTokenOnceOnlyAndAudited) {
  auto w = MakeWorld(1);
  const OutboxEmail& e = w->oak.emails[0];
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e, "h1", "c1")),
              IsOk());
  w->t->clock.Advance(60);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(LearnerAccount a, RedeemHash(*w, "h1"));
  EXPECT_EQ(a.learner_id, e.learner_id);
  EXPECT_EQ(a.school_id, w->oak.school.id);
  EXPECT_EQ(a.address, "learner1@example.org");
  EXPECT_EQ(a.verify_time_unix, Now(*w));
  EXPECT_THAT(RedeemHash(*w, "h1"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(w->store->RedeemToken("", e.address, "c1", "x"),
              StatusIs(absl::StatusCode::kNotFound))
      << "the code of a used token is used too";
  const std::vector<AuditRecord> redeems = AuditOf(*w, "redeem");
  ASSERT_THAT(redeems, SizeIs(1));
  EXPECT_EQ(redeems[0].learner_id, e.learner_id);
  EXPECT_THAT(redeems[0].after_json, HasSubstr("learner1@example.org"));
  EXPECT_THAT(redeems[0].after_json,
              AllOf(Not(HasSubstr("h1")), Not(HasSubstr("argon2"))));
}

TEST(RedeemToken, ByAddressAndCode) {
  auto w = MakeWorld(2);
  for (int i : {0, 1}) {
    const OutboxEmail& e = w->oak.emails[i];
    ASSERT_THAT(w->store->RecordVerificationToken(
                    TokenFor(*w, e, "h" + std::to_string(i), "same-code")),
                IsOk());
  }
  // The code alone names nobody: the address picks the learner.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      LearnerAccount a,
      w->store->RedeemToken("", "learner2@example.org", "same-code", "pw"));
  EXPECT_EQ(a.learner_id, w->oak.learners[1].id);
  EXPECT_THAT(
      w->store->RedeemToken("", "nobody@example.org", "same-code", "pw"),
      StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(RedeemHash(*w, "h0"), IsOk()) << "learner 1's is still good";
}

// Expired, retired, used, an archived learner's, or unknown: one answer, so
// a guess learns nothing.
TEST(RedeemToken, EveryDeadTokenGetsTheSameAnswer) {
  auto w = MakeWorld(4);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(
        w->store->RecordVerificationToken(TokenFor(
            *w, e[i], "h" + std::to_string(i), "c" + std::to_string(i))),
        IsOk());
  }
  // 0: used.
  ASSERT_THAT(RedeemHash(*w, "h0"), IsOk());
  // 1: retired by a newer email to the same learner.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      OutboxEmail newer,
      QueueAnother(*w, w->oak.learners[1], "new2@example.org"));
  ASSERT_THAT(w->store->RecordVerificationToken(
                  TokenFor(*w, newer, "h1-new", "c1-new")),
              IsOk());
  // 2: the learner archived.
  ASSERT_THAT(w->store->ArchiveLearner(w->oak.learners[2].id), IsOk());
  // 3: expired (exactly at its expiry time).
  w->t->clock.Advance(kTtl);
  std::vector<std::string> messages;
  for (const char* hash : {"h0", "h1", "h2", "h3", "unknown"}) {
    absl::StatusOr<LearnerAccount> got = RedeemHash(*w, hash);
    EXPECT_THAT(got, StatusIs(absl::StatusCode::kNotFound)) << hash;
    messages.push_back(std::string(got.status().message()));
  }
  EXPECT_THAT(messages, Each(Eq(messages[0])));
  EXPECT_THAT(messages[0], Not(HasSubstr("h0")));
}

TEST(RecordVerificationToken, RetryKeepsTheFirstTokenAndItsExpiry) {
  auto w = MakeWorld(1);
  const OutboxEmail& e = w->oak.emails[0];
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e, "h1", "c1")),
              IsOk());
  const int64_t first_expiry = Now(*w) + kTtl;
  // The retry an hour later derives the same token and records it again.
  w->t->clock.Advance(3600);
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e, "h1", "c1")),
              IsOk());
  w->t->clock.Advance(first_expiry - Now(*w));
  EXPECT_THAT(RedeemHash(*w, "h1"), StatusIs(absl::StatusCode::kNotFound))
      << "the link expires a week after the first email, not the retry";
}

TEST(RecordVerificationToken, RetiresTheLearnersOlderTokensOnly) {
  auto w = MakeWorld(2);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e[0], "a", "ca")),
              IsOk());
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e[1], "b", "cb")),
              IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      OutboxEmail newer,
      QueueAnother(*w, w->oak.learners[0], "new1@example.org"));
  ASSERT_THAT(
      w->store->RecordVerificationToken(TokenFor(*w, newer, "a2", "ca2")),
      IsOk());
  EXPECT_THAT(RedeemHash(*w, "a"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(w->store->RedeemToken("", "learner1@example.org", "ca", "pw"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(RedeemHash(*w, "b"), IsOk()) << "another learner's is kept";
  HUBSYNC_ASSERT_OK_AND_ASSIGN(LearnerAccount a, RedeemHash(*w, "a2"));
  EXPECT_EQ(a.address, "new1@example.org");
}

// "Password reset by a new verification": an email whose token was redeemed
// is resent (a new nonce, so a new token); the new link must work.
TEST(RecordVerificationToken, ResentAfterRedeemingTheNewTokenWorks) {
  auto w = MakeWorld(1);
  const OutboxEmail& e = w->oak.emails[0];
  ASSERT_THAT(w->store->ClaimDueEmails(Now(*w), 300, 10), IsOk());
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e, "h1", "c1")),
              IsOk());
  ASSERT_THAT(w->store->FinishEmail(e.id, EmailOutcome{}), IsOk());  // sent
  ASSERT_THAT(RedeemHash(*w, "h1"), IsOk());
  w->t->clock.Advance(86400);
  ASSERT_THAT(w->store->ResendEmails(w->oak.school.id, {e.id}, kAdmin), IsOk());
  ASSERT_THAT(w->store->ClaimDueEmails(Now(*w), 300, 10), IsOk());
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e, "h2", "c2")),
              IsOk());
  EXPECT_THAT(RedeemHash(*w, "h2"), IsOk());
  EXPECT_THAT(RedeemHash(*w, "h1"), StatusIs(absl::StatusCode::kNotFound));
}

// A failed email resent: the new token replaces the unused old one.
TEST(RecordVerificationToken, ResentFailedEmailsNewTokenReplacesTheOld) {
  auto w = MakeWorld(1);
  const OutboxEmail& e = w->oak.emails[0];
  ASSERT_THAT(w->store->ClaimDueEmails(Now(*w), 300, 10), IsOk());
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e, "h1", "c1")),
              IsOk());
  EmailOutcome failed;
  failed.kind = EmailOutcome::kFailed;
  ASSERT_THAT(w->store->FinishEmail(e.id, failed), IsOk());
  ASSERT_THAT(w->store->ResendEmails(w->oak.school.id, {}, kAdmin), IsOk());
  ASSERT_THAT(w->store->ClaimDueEmails(Now(*w), 300, 10), IsOk());
  ASSERT_THAT(w->store->RecordVerificationToken(TokenFor(*w, e, "h2", "c2")),
              IsOk());
  EXPECT_THAT(RedeemHash(*w, "h1"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(w->store->RedeemToken("", e.address, "c2", "pw"), IsOk());
}

// Learner 1 is in class 7x/Ma1, learner 2 is not; each has redeemed.
TEST(FindLoginCandidates, ReportsSubscriptionGrantsArchiveAndState) {
  auto w = MakeWorld(2);
  const std::vector<OutboxEmail>& e = w->oak.emails;
  for (int i : {0, 1}) {
    ASSERT_THAT(w->store->RecordVerificationToken(
                    TokenFor(*w, e[i], "h" + std::to_string(i), "c")),
                IsOk());
    ASSERT_THAT(w->store->RedeemToken("h" + std::to_string(i), "", "",
                                      "hash" + std::to_string(i)),
                IsOk());
  }
  const std::string boost(kBoostLearning);
  auto one = [&](const std::string& address, const std::string& product) {
    absl::StatusOr<std::vector<LoginCandidate>> c =
        w->store->FindLoginCandidates(address, product);
    EXPECT_THAT(c, IsOkAndHolds(SizeIs(1))) << address;
    return c.ok() && c->size() == 1 ? (*c)[0] : LoginCandidate{};
  };
  LoginCandidate c = one("learner1@example.org", boost);
  EXPECT_EQ(c.account.learner_id, w->oak.learners[0].id);
  EXPECT_EQ(c.password_hash, "hash0");
  EXPECT_EQ(c.sync_state, SyncState::kSynced);
  EXPECT_FALSE(c.subscribed);
  EXPECT_FALSE(c.granted);
  EXPECT_FALSE(c.archived);
  const std::string& school = w->oak.school.id;
  ASSERT_THAT(w->store->SetSubscription(school, boost, true, kAdmin), IsOk());
  ASSERT_THAT(
      w->store->SetGrant({school, boost, "class", w->oak.math_class_id, 0},
                         true, kAdmin),
      IsOk());
  c = one("learner1@example.org", boost);
  EXPECT_TRUE(c.subscribed);
  EXPECT_TRUE(c.granted) << "through class 7x/Ma1";
  c = one("learner2@example.org", boost);
  EXPECT_TRUE(c.subscribed);
  EXPECT_FALSE(c.granted) << "not in 7x/Ma1";
  ASSERT_THAT(
      w->store->SetGrant({school, boost, "learner", w->oak.learners[1].id, 0},
                         true, kAdmin),
      IsOk());
  EXPECT_TRUE(one("learner2@example.org", boost).granted);
  c = one("learner2@example.org", std::string(kHodderMagazines));
  EXPECT_FALSE(c.subscribed);
  EXPECT_FALSE(c.granted) << "granted Boost Learning, not Hodder";
  ASSERT_THAT(w->store->ArchiveLearner(w->oak.learners[0].id), IsOk());
  c = one("learner1@example.org", boost);
  EXPECT_TRUE(c.archived);
  EXPECT_EQ(c.sync_state, SyncState::kUnsynced) << "archiving unlinks";
  EXPECT_THAT(w->store->FindLoginCandidates("nobody@example.org", boost),
              IsOkAndHolds(IsEmpty()));
}

TEST(SetSubscription, AuditedOnlyWhenItChangesSomething) {
  auto w = MakeWorld(1);
  const std::string& school = w->oak.school.id;
  const std::string hodder(kHodderMagazines), boost(kBoostLearning);
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(w->store->SetSubscription(school, hodder, true, kAdmin),
                IsOk());
    ASSERT_THAT(w->store->SetSubscription(school, boost, true, kAdmin), IsOk());
  }
  EXPECT_THAT(w->store->ListSubscriptions(school),
              IsOkAndHolds(::testing::ElementsAre(boost, hodder)));
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(w->store->SetSubscription(school, hodder, false, kAdmin),
                IsOk());
  }
  EXPECT_THAT(w->store->ListSubscriptions(school),
              IsOkAndHolds(::testing::ElementsAre(boost)));
  EXPECT_THAT(AuditOf(*w, "subscribe"), SizeIs(2));
  const std::vector<AuditRecord> off = AuditOf(*w, "unsubscribe");
  ASSERT_THAT(off, SizeIs(1));
  EXPECT_THAT(off[0].before_json, HasSubstr(hodder));
  EXPECT_EQ(off[0].actor.key_id, kAdmin.key_id);
  EXPECT_THAT(w->store->SetSubscription("sch_nope", boost, true, kAdmin),
              StatusIs(absl::StatusCode::kNotFound));
}

// Grants come in pages in (product, kind, subject id) order; SetGrant
// returns the grant as stored, its first time kept on a repeat.
TEST(SetGrant, ListedInPagesAndReturnedAsStored) {
  auto w = MakeWorld(3);
  const std::string& school = w->oak.school.id;
  const std::string boost(kBoostLearning), hodder(kHodderMagazines);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      ProductGrant first,
      w->store->SetGrant({school, hodder, "learner", w->oak.learners[2].id, 0},
                         true, kAdmin));
  EXPECT_GT(first.create_time_unix, 0);
  w->t->clock.Advance(60);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      ProductGrant again,
      w->store->SetGrant({school, hodder, "learner", w->oak.learners[2].id, 0},
                         true, kAdmin));
  EXPECT_EQ(again.create_time_unix, first.create_time_unix);
  for (int k : {1, 0}) {
    ASSERT_THAT(
        w->store->SetGrant({school, boost, "learner", w->oak.learners[k].id, 0},
                           true, kAdmin),
        IsOk());
  }
  ASSERT_THAT(
      w->store->SetGrant({school, boost, "class", w->oak.math_class_id, 0},
                         true, kAdmin),
      IsOk());
  std::vector<std::string> order;
  for (const ProductGrant& g : AllGrants(*w->store, school))
    order.push_back(g.product + " " + g.kind);
  EXPECT_THAT(order, ::testing::ElementsAre(
                         "boost-learning class", "boost-learning learner",
                         "boost-learning learner", "hodder-magazines learner"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      ProductGrant revoked,
      w->store->SetGrant({school, hodder, "learner", w->oak.learners[2].id, 0},
                         false, kAdmin));
  EXPECT_EQ(revoked.create_time_unix, 0);
  EXPECT_THAT(AllGrants(*w->store, school), SizeIs(3));
}

TEST(SetGrant, AuditedOnlyWhenItChangesAndOnlyForTheSchoolsOwn) {
  auto w = MakeWorld(1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(QueuedSchool elm,
                               QueueVerificationEmails(w->store, "Elm", 1));
  const std::string& school = w->oak.school.id;
  const std::string boost(kBoostLearning);
  const ProductGrant mine{school, boost, "learner", w->oak.learners[0].id, 0};
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(w->store->SetGrant(mine, true, kAdmin), IsOk());
  }
  const std::vector<ProductGrant> grants = AllGrants(*w->store, school);
  ASSERT_THAT(grants, SizeIs(1));
  EXPECT_EQ(grants[0].subject_id, w->oak.learners[0].id);
  EXPECT_EQ(grants[0].kind, "learner");
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(w->store->SetGrant(mine, false, kAdmin), IsOk());
  }
  EXPECT_THAT(AllGrants(*w->store, school), IsEmpty());
  EXPECT_THAT(AuditOf(*w, "grant"), SizeIs(1));
  EXPECT_THAT(AuditOf(*w, "revoke_grant"), SizeIs(1));
  EXPECT_EQ(AuditOf(*w, "grant")[0].learner_id, w->oak.learners[0].id);
  // Another school's learner or class is not found, as an unknown one.
  EXPECT_THAT(
      w->store->SetGrant({school, boost, "learner", elm.learners[0].id, 0},
                         true, kAdmin),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr(elm.learners[0].id)));
  EXPECT_THAT(
      w->store->SetGrant({school, boost, "class", elm.math_class_id, 0}, true,
                         kAdmin),
      StatusIs(absl::StatusCode::kNotFound, HasSubstr(elm.math_class_id)));
  EXPECT_THAT(AllGrants(*w->store, school), IsEmpty());
  EXPECT_THAT(AllGrants(*w->store, elm.school.id), IsEmpty());
}

}  // namespace
}  // namespace accounts_test
}  // namespace hubsync::testing
