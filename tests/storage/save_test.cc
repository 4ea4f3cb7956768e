// ApplySave: every effect per change kind, and all-or-nothing.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/codec.h"
#include "server/storage/sqlite.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The school's audit records written by saves (the trail also holds a
// "create" per hand-made learner, "create_school", "start_session" and the
// class sync's records).
absl::StatusOr<std::vector<AuditRecord>> SaveAudit(
    Store* store, const std::string& school_id) {
  absl::StatusOr<std::vector<AuditRecord>> all = store->ListAudit(school_id);
  if (!all.ok()) return all;
  std::vector<AuditRecord> saved;
  for (AuditRecord& a : *all) {
    if (a.verb == "link" || a.verb == "refresh" || a.verb == "import" ||
        a.verb == "desync") {
      saved.push_back(std::move(a));
    }
  }
  return saved;
}

// A school whose classes are synced from SampleSnapshot, with two hand-made
// learners: `amelia` (to pair with MIS m1) and `oliver` (MIS m2).
struct World {
  std::unique_ptr<TestStore> t = NewStore();
  Store* store = t->store.get();
  School school;
  MisSnapshot snapshot;
  HubLearner amelia, oliver;
  SessionRecord session;
};

std::unique_ptr<World> MakeWorld() {
  auto w = std::make_unique<World>();
  w->school = *w->store->CreateSchool("Oak");
  w->snapshot = *w->store->SaveSnapshot(SampleSnapshot(w->school.id));
  EXPECT_THAT(w->store->SyncClasses(w->school.id, w->snapshot.id), IsOk());
  HubLearner a = SampleHubLearner("Amelia", "Jonse");
  a.year_group = "6";
  a.registration_group = "6Z";
  a.classes = {"Handmade"};
  a.gender = "F";
  HubLearner o = SampleHubLearner("Oliver", "Brown");
  o.classes = {"7x/Ma1"};  // the synced class of that name
  std::vector<HubLearner> made =
      *w->store->CreateLearners(w->school.id, {a, o});
  w->amelia = made[0];
  w->oliver = made[1];
  SessionRecord r;
  r.school_id = w->school.id;
  r.snapshot_id = w->snapshot.id;
  r.admin = "ms.head";
  w->session = *w->store->CreateSession(r);
  return w;
}

// A plan against the school's current hub version, and the SAVED record.
SavePlan Plan(World& w) {
  SavePlan p;
  p.session_id = w.session.id;
  p.school_id = w.school.id;
  p.actor = Actor{"key_00000000000000aa", "ms.head", "admin"};
  p.request_id = "req-1";
  p.expected_hub_version = *w.store->HubVersion(w.school.id);
  return p;
}

SessionRecord Saved(const World& w) {
  SessionRecord s = w.session;
  s.version = w.session.version + 1;
  s.step = SessionStep::kSaved;
  s.save_request_id = "req-1";
  return s;
}

// Link (or refresh) `hub` to MIS learner `mis` of the sample snapshot.
PlannedChange LinkTo(const HubLearner& hub, const MisLearner& mis,
                     LearnerChange kind = LearnerChange::kLink) {
  PlannedChange c;
  c.change = kind;
  c.before = hub;
  c.after = hub;
  c.after.legal_forename = mis.legal_forename;
  c.after.legal_surname = mis.legal_surname;
  c.after.preferred_forename = mis.preferred_forename;
  c.after.preferred_surname = mis.preferred_surname;
  c.after.date_of_birth = mis.date_of_birth;
  c.after.upn = mis.upn;
  c.after.year_group = mis.year_group;
  c.after.registration_group = mis.registration_group;
  c.after.classes = mis.classes;
  c.after.mis_id = mis.mis_id;
  c.after.sync_state = SyncState::kSynced;
  c.class_mis_ids = mis.class_mis_ids;
  c.class_mis_ids.push_back(mis.registration_group_mis_id);
  return c;
}

// Everything a save can touch, for before/after comparisons.
std::string Dump(World& w) {
  const std::string& id = w.school.id;
  std::string out =
      absl::StrCat("hub_version=", w.store->HubVersion(id).value(), "\n");
  const std::vector<HubLearner> learners = w.store->ListLearners(id).value();
  for (const HubLearner& l : learners) {
    absl::StrAppend(&out, storage::LearnerJson(l), " t=", l.update_time_unix,
                    "\n");
  }
  const std::vector<AuditRecord> audit = w.store->ListAudit(id).value();
  for (const AuditRecord& a : audit) {
    absl::StrAppend(&out, "audit ", a.verb, " ", a.learner_id, "\n");
  }
  const std::vector<OutboxEmail> outbox = w.store->ListOutbox(id).value();
  for (const OutboxEmail& e : outbox) {
    absl::StrAppend(&out, "email ", e.address, "\n");
  }
  const SessionRecord s = w.store->GetSession(w.session.id).value();
  absl::StrAppend(&out, "session v", s.version, " ", SessionStepName(s.step),
                  "\n");
  return out;
}

TEST(ApplySaveTest, LinkOverwritesFieldsAndClassesAndQueuesEmail) {
  auto w = MakeWorld();
  const MisLearner& m1 = w->snapshot.learners[0];
  SavePlan plan = Plan(*w);
  plan.changes.push_back(LinkTo(w->amelia, m1));
  plan.changes.back().after.email = m1.email;
  plan.changes.back().queue_verification_email = true;
  plan.unaffected = 1;
  const int64_t version_before = plan.expected_hub_version;
  w->t->clock.Advance(100);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               w->store->ApplySave(plan, Saved(*w)));
  EXPECT_EQ(sum.linked, 1);
  EXPECT_EQ(sum.unaffected, 1);
  EXPECT_EQ(sum.emails_queued, 1);
  EXPECT_EQ(sum.audit_records, 1);

  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner got,
                               w->store->GetLearner(w->amelia.id));
  EXPECT_EQ(got.legal_surname, "Jones");
  EXPECT_EQ(got.preferred_forename, "Millie");
  EXPECT_EQ(got.date_of_birth, (Date{2013, 9, 4}));
  EXPECT_EQ(got.upn, m1.upn);
  EXPECT_EQ(got.year_group, "7");
  EXPECT_EQ(got.registration_group, "7A");
  EXPECT_THAT(got.classes, ElementsAre("7x/En1", "7x/Ma1"));  // Handmade gone
  EXPECT_EQ(got.email, "amelia@example.org");
  EXPECT_EQ(got.mis_id, "m1");
  EXPECT_EQ(got.sync_state, SyncState::kSynced);
  EXPECT_EQ(got.update_time_unix, 1790000100);
  EXPECT_THAT(w->store->HubVersion(w->school.id),
              IsOkAndHolds(version_before + 1));

  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               SaveAudit(w->store, w->school.id));
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].verb, "link");
  EXPECT_EQ(audit[0].actor.name, "ms.head");
  EXPECT_EQ(audit[0].actor.key_id, "key_00000000000000aa");
  EXPECT_EQ(audit[0].actor.role, "admin");
  EXPECT_EQ(audit[0].session_id, w->session.id);
  EXPECT_EQ(audit[0].learner_id, w->amelia.id);
  EXPECT_EQ(audit[0].time_unix, 1790000100);
  EXPECT_THAT(audit[0].before_json, HasSubstr("\"legal_surname\":\"Jonse\""));
  EXPECT_THAT(audit[0].before_json, HasSubstr("\"classes\":[\"Handmade\"]"));
  EXPECT_THAT(audit[0].after_json, HasSubstr("\"legal_surname\":\"Jones\""));
  EXPECT_THAT(audit[0].after_json, HasSubstr("\"sync_state\":\"SYNCED\""));

  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxEmail> outbox,
                               w->store->ListOutbox(w->school.id));
  ASSERT_THAT(outbox, SizeIs(1));
  EXPECT_EQ(outbox[0].learner_id, w->amelia.id);
  EXPECT_EQ(outbox[0].address, "amelia@example.org");
  EXPECT_EQ(outbox[0].kind, "verification");
  EXPECT_EQ(outbox[0].status, "queued");

  HUBSYNC_ASSERT_OK_AND_ASSIGN(SessionRecord s,
                               w->store->GetSession(w->session.id));
  EXPECT_EQ(s.step, SessionStep::kSaved);
  EXPECT_EQ(s.version, 2);
  EXPECT_EQ(s.save_request_id, "req-1");
  EXPECT_EQ(s.save_summary.linked, 1);
  EXPECT_EQ(s.save_summary.emails_queued, 1);
}

TEST(ApplySaveTest, ImportCreatesAndEmailsOnlyWhereFlagged) {
  auto w = MakeWorld();
  const MisLearner& m2 = w->snapshot.learners[1];
  SavePlan plan = Plan(*w);
  PlannedChange import = LinkTo(HubLearner{}, m2, LearnerChange::kImport);
  import.after.email = "not-ticked@example.org";  // present, not flagged
  plan.changes.push_back(import);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               w->store->ApplySave(plan, Saved(*w)));
  EXPECT_EQ(sum.imported, 1);
  EXPECT_EQ(sum.emails_queued, 0);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<HubLearner> all,
                               w->store->ListLearners(w->school.id));
  ASSERT_THAT(all, SizeIs(3));
  const HubLearner* made = nullptr;
  for (const HubLearner& l : all) {
    if (l.mis_id == "m2") made = &l;
  }
  ASSERT_NE(made, nullptr);
  EXPECT_EQ(made->id.substr(0, 4), "lrn_");
  EXPECT_NE(made->id, w->oliver.id);
  EXPECT_EQ(made->sync_state, SyncState::kSynced);
  EXPECT_EQ(made->legal_forename, "Oliver");
  EXPECT_EQ(made->registration_group, "7A");
  EXPECT_THAT(made->classes, ElementsAre("7x/Ma1"));
  EXPECT_FALSE(made->date_of_birth.has_value());
  EXPECT_THAT(w->store->ListOutbox(w->school.id), IsOkAndHolds(IsEmpty()));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               SaveAudit(w->store, w->school.id));
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].verb, "import");
  EXPECT_EQ(audit[0].learner_id, made->id);
  EXPECT_EQ(audit[0].before_json, "");
}

TEST(ApplySaveTest, DesyncKeepsClassYearAndMisId) {
  auto w = MakeWorld();
  const MisLearner& m2 = w->snapshot.learners[1];
  SavePlan first = Plan(*w);
  first.changes.push_back(LinkTo(w->oliver, m2));
  ASSERT_THAT(w->store->ApplySave(first, Saved(*w)), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner linked,
                               w->store->GetLearner(w->oliver.id));

  SessionRecord r;
  r.school_id = w->school.id;
  r.snapshot_id = w->snapshot.id;
  w->session = *w->store->CreateSession(r);
  SavePlan plan = Plan(*w);
  PlannedChange desync;
  desync.change = LearnerChange::kDesync;
  desync.before = linked;
  desync.after = linked;
  desync.after.year_group = "13";  // ignored: a desync changes only the state
  desync.after.sync_state = SyncState::kDesynced;
  desync.class_mis_ids = {"cls:unknown"};  // ignored too
  plan.changes.push_back(desync);
  w->t->clock.Advance(5);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               w->store->ApplySave(plan, Saved(*w)));
  EXPECT_EQ(sum.desynced, 1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner got,
                               w->store->GetLearner(w->oliver.id));
  EXPECT_EQ(got.sync_state, SyncState::kDesynced);
  EXPECT_EQ(got.year_group, "7");
  EXPECT_EQ(got.registration_group, "7A");
  EXPECT_THAT(got.classes, ElementsAre("7x/Ma1"));
  EXPECT_EQ(got.mis_id, "m2");
  EXPECT_EQ(got.update_time_unix, 1790000005);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               SaveAudit(w->store, w->school.id));
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_EQ(audit[1].verb, "desync");
  EXPECT_THAT(audit[1].after_json, HasSubstr("\"sync_state\":\"DESYNCED\""));
}

// A plan built from the session's own copies of the learners
// (before_is_stored, as SessionManager::Save makes it) does what a plan whose
// learners the store reads back does: the memberships it does not hold are
// still replaced, and the audit's "before" is the stored record.
TEST(ApplySaveTest, PlanWithStoredCopiesLinksAndDesyncsAsBefore) {
  auto w = MakeWorld();
  const MisLearner& m1 = w->snapshot.learners[0];
  const MisLearner& m2 = w->snapshot.learners[1];
  SavePlan first = Plan(*w);
  first.changes.push_back(LinkTo(w->oliver, m2));
  ASSERT_THAT(w->store->ApplySave(first, Saved(*w)), IsOk());

  SessionRecord r;
  r.school_id = w->school.id;
  r.snapshot_id = w->snapshot.id;
  w->session = *w->store->CreateSession(r);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner amelia,
                               w->store->GetLearner(w->amelia.id));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner oliver,
                               w->store->GetLearner(w->oliver.id));
  SavePlan plan = Plan(*w);
  plan.before_is_stored = true;
  plan.changes.push_back(LinkTo(amelia, m1));
  PlannedChange desync;
  desync.change = LearnerChange::kDesync;
  desync.before = oliver;
  desync.after = oliver;
  desync.after.sync_state = SyncState::kDesynced;
  plan.changes.push_back(desync);
  w->t->clock.Advance(7);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               w->store->ApplySave(plan, Saved(*w)));
  EXPECT_EQ(sum.linked, 1);
  EXPECT_EQ(sum.desynced, 1);

  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner got,
                               w->store->GetLearner(w->amelia.id));
  EXPECT_EQ(got.legal_surname, "Jones");
  EXPECT_EQ(got.registration_group, "7A");
  EXPECT_THAT(got.classes, ElementsAre("7x/En1", "7x/Ma1"));  // Handmade gone
  EXPECT_EQ(got.mis_id, "m1");
  EXPECT_EQ(got.sync_state, SyncState::kSynced);
  EXPECT_EQ(got.update_time_unix, 1790000007);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner desynced,
                               w->store->GetLearner(w->oliver.id));
  EXPECT_EQ(desynced.sync_state, SyncState::kDesynced);
  EXPECT_THAT(desynced.classes, ElementsAre("7x/Ma1"));
  EXPECT_EQ(desynced.mis_id, "m2");

  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               SaveAudit(w->store, w->school.id));
  ASSERT_THAT(audit, SizeIs(3));
  EXPECT_EQ(audit[1].verb, "link");
  EXPECT_EQ(audit[1].before_json, storage::LearnerJson(amelia));
  EXPECT_EQ(audit[1].after_json, storage::LearnerJson(got));
  EXPECT_EQ(audit[2].verb, "desync");
  EXPECT_EQ(audit[2].before_json, storage::LearnerJson(oliver));
  EXPECT_EQ(audit[2].after_json, storage::LearnerJson(desynced));
}

// A plan that vouches for copies the store does not hold (here a learner's
// older update time) is refused whole, even at the right hub version.
TEST(ApplySaveTest, PlanWithCopiesNotAsStoredChangesNothing) {
  for (LearnerChange kind : {LearnerChange::kLink, LearnerChange::kDesync}) {
    auto w = MakeWorld();
    SavePlan plan = Plan(*w);
    plan.before_is_stored = true;
    plan.changes.push_back(LinkTo(w->oliver, w->snapshot.learners[1]));
    PlannedChange change = LinkTo(w->amelia, w->snapshot.learners[0], kind);
    change.before.update_time_unix -= 1;
    if (kind == LearnerChange::kDesync) {
      change.after = change.before;
      change.after.sync_state = SyncState::kDesynced;
    }
    plan.changes.push_back(change);
    const std::string before = Dump(*w);
    EXPECT_THAT(w->store->ApplySave(plan, Saved(*w)),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr(absl::StrCat("learner ", w->amelia.id,
                                                " of school ", w->school.id,
                                                " is not as it was read"))));
    EXPECT_EQ(Dump(*w), before);
  }
}

TEST(ApplySaveTest, StaleHubVersionChangesNothing) {
  auto w = MakeWorld();
  SavePlan plan = Plan(*w);
  PlannedChange link = LinkTo(w->amelia, w->snapshot.learners[0]);
  link.after.email = "amelia@example.org";
  link.queue_verification_email = true;
  plan.changes.push_back(link);
  // The hub moves on after classification.
  ASSERT_THAT(
      w->store->CreateLearners(w->school.id, {SampleHubLearner("N", "N")}),
      IsOk());
  const std::string before = Dump(*w);
  EXPECT_THAT(
      w->store->ApplySave(plan, Saved(*w)),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               absl::StrCat("the hub changed since this session "
                            "classified it (hub version ",
                            plan.expected_hub_version + 1, ", session saw ",
                            plan.expected_hub_version, "); ", kClassifyAgain)));
  EXPECT_EQ(Dump(*w), before);
}

TEST(ApplySaveTest, FailureInTheLastChangeRollsBackEverything) {
  auto w = MakeWorld();
  SavePlan plan = Plan(*w);
  PlannedChange link = LinkTo(w->amelia, w->snapshot.learners[0]);
  link.after.email = "amelia@example.org";
  link.queue_verification_email = true;
  plan.changes.push_back(link);
  plan.changes.push_back(
      LinkTo(HubLearner{}, w->snapshot.learners[1], LearnerChange::kImport));
  plan.changes.back().class_mis_ids.push_back("cls:never-synced");
  const std::string before = Dump(*w);
  EXPECT_THAT(w->store->ApplySave(plan, Saved(*w)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "class cls:never-synced has not been synced"));
  EXPECT_EQ(Dump(*w), before);
  // The same plan without the bad class then applies in full.
  plan.changes.back().class_mis_ids.pop_back();
  EXPECT_THAT(w->store->ApplySave(plan, Saved(*w)), IsOk());
  EXPECT_NE(Dump(*w), before);
}

TEST(ApplySaveTest, StaleSessionVersionIsAbortedAndChangesNothing) {
  auto w = MakeWorld();
  SavePlan plan = Plan(*w);
  plan.changes.push_back(LinkTo(w->amelia, w->snapshot.learners[0]));
  SessionRecord saved = Saved(*w);
  saved.version = 5;
  const std::string before = Dump(*w);
  EXPECT_THAT(w->store->ApplySave(plan, saved),
              StatusIs(absl::StatusCode::kAborted,
                       HasSubstr("is at version 1, request expected 4")));
  EXPECT_EQ(Dump(*w), before);
}

TEST(ApplySaveTest, LinkingAnAlreadyLinkedMisIdFails) {
  auto w = MakeWorld();
  const MisLearner& m1 = w->snapshot.learners[0];
  SavePlan plan = Plan(*w);
  plan.changes.push_back(LinkTo(w->amelia, m1));
  plan.changes.push_back(LinkTo(w->oliver, m1));  // one-to-one broken
  const std::string before = Dump(*w);
  EXPECT_THAT(
      w->store->ApplySave(plan, Saved(*w)),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr(w->oliver.id)));
  EXPECT_EQ(Dump(*w), before);
}

// Audit records are stored compactly (the stored fields and the changed
// ones); ListAudit gives exactly the JSON of the learner before and after,
// whatever characters the fields hold.
TEST(ApplySaveTest, AuditJsonIsExactForAwkwardValues) {
  auto w = MakeWorld();
  HubLearner odd = SampleHubLearner("Zo\xc3\xab \"Jo\"", "O'Brien\\Smith");
  // 13 characters, an embedded NUL and every separator of the compact and
  // packed encodings among them (the literal holds them all).
  odd.preferred_forename = std::string(
      "a\x1f"
      "b\x1e"
      "c\x1d"
      "d\\e\0f"
      "\x1cg",
      13);
  odd.classes = {"Set\\1", "x\x1dy"};
  odd.gender = "";
  odd.date_of_birth.reset();
  HubLearner made = w->store->CreateLearners(w->school.id, {odd})->front();
  const HubLearner stored = *w->store->GetLearner(made.id);
  SavePlan plan = Plan(*w);
  PlannedChange link = LinkTo(stored, w->snapshot.learners[0]);
  link.after.preferred_surname = "tab\there\nnewline";
  plan.changes.push_back(link);
  PlannedChange import =
      LinkTo(HubLearner{}, w->snapshot.learners[1], LearnerChange::kImport);
  plan.changes.push_back(import);
  ASSERT_THAT(w->store->ApplySave(plan, Saved(*w)), IsOk());

  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               SaveAudit(w->store, w->school.id));
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_EQ(audit[0].verb, "link");
  EXPECT_EQ(audit[0].before_json, storage::LearnerJson(stored));
  EXPECT_EQ(audit[0].after_json,
            storage::LearnerJson(*w->store->GetLearner(made.id)));
  EXPECT_EQ(audit[1].verb, "import");
  EXPECT_EQ(audit[1].before_json, "");
  EXPECT_EQ(audit[1].after_json,
            storage::LearnerJson(*w->store->GetLearner(audit[1].learner_id)));
}

// A big save's learner records are packed many to an audit_log row; each
// still reads back as its own record, with its own id, in the plan's order,
// and the next record made after the save has a higher id than all of them.
TEST(ApplySaveTest, PackedAuditRecordsEachHaveTheirOwnIdInPlanOrder) {
  auto w = MakeWorld();
  std::vector<HubLearner> many;
  for (int i = 0; i < 2345; ++i) {
    many.push_back(SampleHubLearner(absl::StrCat("Kid", i), "Many"));
  }
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<HubLearner> made,
                               w->store->CreateLearners(w->school.id, many));
  SavePlan plan = Plan(*w);
  for (auto it = made.rbegin(); it != made.rend(); ++it) {  // not id order
    PlannedChange desync;
    desync.change = LearnerChange::kDesync;
    desync.before = *it;
    desync.after = *it;
    desync.after.sync_state = SyncState::kDesynced;
    plan.changes.push_back(std::move(desync));
  }
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               w->store->ApplySave(plan, Saved(*w)));
  EXPECT_EQ(sum.audit_records, 2345);
  ASSERT_THAT(w->store->CreateLearners(w->school.id,
                                       {SampleHubLearner("Late", "Comer")}),
              IsOk());

  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> all,
                               w->store->ListAudit(w->school.id));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> saved,
                               SaveAudit(w->store, w->school.id));
  ASSERT_THAT(saved, SizeIs(2345));
  for (size_t k = 0; k < saved.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(saved[k].verb, "desync");
    EXPECT_EQ(saved[k].learner_id, made[made.size() - 1 - k].id);
    EXPECT_EQ(saved[k].session_id, w->session.id);
    EXPECT_EQ(saved[k].actor.key_id, "key_00000000000000aa");
    EXPECT_EQ(saved[k].before_json,
              storage::LearnerJson(made[made.size() - 1 - k]));
    EXPECT_THAT(saved[k].after_json, HasSubstr("\"sync_state\":\"DESYNCED\""));
    if (k > 0) {
      EXPECT_EQ(saved[k].id, saved[k - 1].id + 1);
    }
  }
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].id, all[i].id);
  EXPECT_EQ(all.back().verb, "create");
  EXPECT_EQ(all.back().id, saved.back().id + 1);
}

// Audit and outbox rows follow the plan's order even though learners are
// written in id order.
TEST(ApplySaveTest, AuditFollowsThePlanOrder) {
  auto w = MakeWorld();
  SavePlan plan = Plan(*w);
  // oliver's id sorts after amelia's (sequential ids); plan him first.
  ASSERT_LT(w->amelia.id, w->oliver.id);
  plan.changes.push_back(LinkTo(w->oliver, w->snapshot.learners[1]));
  plan.changes.push_back(LinkTo(w->amelia, w->snapshot.learners[0]));
  ASSERT_THAT(w->store->ApplySave(plan, Saved(*w)), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               SaveAudit(w->store, w->school.id));
  ASSERT_THAT(audit, SizeIs(2));
  EXPECT_EQ(audit[0].learner_id, w->oliver.id);
  EXPECT_EQ(audit[1].learner_id, w->amelia.id);
}

// Every row of the school's learners and memberships as stored, every column.
std::string RawRows(World& w) {
  absl::StatusOr<storage::Db> db = storage::Db::Open(w.t->path);
  EXPECT_TRUE(db.ok()) << db.status();
  std::string out;
  for (const char* sql :
       {"SELECT group_concat(quote(id) || quote(legal_forename) || "
        "quote(legal_surname) || quote(preferred_forename) || "
        "quote(preferred_surname) || quote(date_of_birth) || quote(gender) || "
        "quote(upn) || quote(year_group) || quote(registration_group) || "
        "quote(email) || quote(mis_id) || quote(sync_state) || "
        "quote(update_time), char(10)) FROM (SELECT * FROM hub_learners "
        "ORDER BY id)",
        "SELECT group_concat(learner_id || ' ' || class_id, char(10)) FROM "
        "(SELECT * FROM hub_class_members ORDER BY learner_id, class_id)"}) {
    absl::StatusOr<std::string> text = db->QueryText(sql);
    EXPECT_TRUE(text.ok()) << text.status();
    if (text.ok()) absl::StrAppend(&out, *text, "\n--\n");
  }
  return out;
}

TEST(RevertStoreTest, RevertRestoresEveryColumnAndMembership) {
  auto w = MakeWorld();
  const MisLearner& m1 = w->snapshot.learners[0];
  const std::string before = RawRows(*w);
  SavePlan plan = Plan(*w);
  plan.changes.push_back(LinkTo(w->amelia, m1));
  plan.changes.back().after.email = m1.email;
  plan.changes.back().queue_verification_email = true;
  PlannedChange desync;
  desync.change = LearnerChange::kDesync;
  desync.before = w->oliver;
  plan.changes.push_back(desync);
  w->t->clock.Advance(100);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               w->store->ApplySave(plan, Saved(*w)));
  ASSERT_NE(RawRows(*w), before);
  w->t->clock.Advance(100);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      SaveRecord revert, w->store->RevertSave(sum.save_id, Actor{}, false));
  EXPECT_EQ(RawRows(*w), before) << "update times and memberships included";
  EXPECT_EQ(revert.revert_summary.restored, 2);
  EXPECT_EQ(revert.revert_summary.emails_withdrawn, 1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<OutboxEmail> outbox,
                               w->store->ListOutbox(w->school.id));
  ASSERT_THAT(outbox, SizeIs(1));
  EXPECT_EQ(outbox[0].status, "withdrawn");
}

TEST(RevertStoreTest, PastTheRetentionPeriodASaveCannotBeReverted) {
  auto w = MakeWorld();
  SavePlan plan = Plan(*w);
  plan.changes.push_back(LinkTo(w->amelia, w->snapshot.learners[0]));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary old,
                               w->store->ApplySave(plan, Saved(*w)));
  const int64_t saved_at = w->t->clock.NowUnixSeconds();
  constexpr int64_t kDay = 86400;
  w->t->clock.Advance(60 * kDay);
  // Kept for 90 days: nothing expires at 60.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      int64_t expired,
      w->store->ExpireSaveChanges(w->t->clock.NowUnixSeconds() - 90 * kDay));
  EXPECT_EQ(expired, 0);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveRecord kept, w->store->GetSave(old.save_id));
  EXPECT_TRUE(kept.changes_kept);
  EXPECT_EQ(kept.create_time_unix, saved_at);

  w->t->clock.Advance(31 * kDay);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      expired,
      w->store->ExpireSaveChanges(w->t->clock.NowUnixSeconds() - 90 * kDay));
  EXPECT_EQ(expired, 1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveRecord gone, w->store->GetSave(old.save_id));
  EXPECT_FALSE(gone.changes_kept);
  EXPECT_EQ(gone.summary.linked, 1) << "the record itself stays";
  absl::StatusOr<SaveRecord> refused =
      w->store->RevertSave(old.save_id, Actor{}, false);
  EXPECT_THAT(refused.status(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("retention")));
}

TEST(RevertStoreTest, ADryRunWritesNothing) {
  auto w = MakeWorld();
  SavePlan plan = Plan(*w);
  plan.changes.push_back(LinkTo(w->amelia, w->snapshot.learners[0]));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               w->store->ApplySave(plan, Saved(*w)));
  const std::string after = Dump(*w) + RawRows(*w);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      SaveRecord dry, w->store->RevertSave(sum.save_id, Actor{}, true));
  EXPECT_EQ(dry.revert_summary.restored, 1);
  EXPECT_EQ(Dump(*w) + RawRows(*w), after);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveRecord still,
                               w->store->GetSave(sum.save_id));
  EXPECT_EQ(still.reverted_by, "");
}

}  // namespace
}  // namespace hubsync::testing
