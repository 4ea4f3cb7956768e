// UpdateLearner, ArchiveLearner, RestoreLearner, UnlinkLearner and the purge
// of archived learners, on a real SQLite file: each is one transaction that
// writes the learner, its audit record and the hub version together, or
// nothing.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

struct Edits {
  std::unique_ptr<TestStore> t = NewStore();
  std::string school;
  HubLearner ann;  // hand-made, in 7x/Ma1
  HubLearner bob;  // carries an MIS id (as linked)
};

std::unique_ptr<Edits> SetUpEdits() {
  auto e = std::make_unique<Edits>();
  e->school = (*e->t->store->CreateSchool("Oak")).id;
  HubLearner ann = SampleHubLearner("Ann", "Lee");
  ann.classes = {"7x/Ma1"};
  HubLearner bob = SampleHubLearner("Bob", "Hart");
  bob.mis_id = "m-bob";
  auto made = e->t->store->CreateLearners(e->school, {ann, bob});
  EXPECT_TRUE(made.ok()) << made.status();
  e->ann = (*made)[0];
  e->bob = (*made)[1];
  return e;
}

std::vector<std::string> EditVerbs(Edits& e) {
  std::vector<std::string> out;
  absl::StatusOr<std::vector<AuditRecord>> audit =
      e.t->store->ListAudit(e.school);
  EXPECT_TRUE(audit.ok()) << audit.status();
  if (!audit.ok()) return out;
  for (const AuditRecord& a : *audit) out.push_back(a.verb);
  return out;
}

std::vector<std::string> EditIds(const std::vector<HubLearner>& ls) {
  std::vector<std::string> out;
  for (const HubLearner& l : ls) out.push_back(l.id);
  return out;
}

TEST(LearnerEditsTest, UpdateSetsOnlyTheNamedFieldsAuditsAndBumps) {
  auto e = SetUpEdits();
  const int64_t version = *e->t->store->HubVersion(e->school);
  e->t->clock.Advance(60);
  Store::LearnerUpdate u;
  u.fields = {"year_group", "registration_group"};
  u.values.year_group = "8";
  u.values.registration_group = "8A";
  u.values.legal_forename = "Not named in fields";
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner after,
                               e->t->store->UpdateLearner(e->ann.id, u));
  EXPECT_EQ(after.year_group, "8");
  EXPECT_EQ(after.registration_group, "8A");
  EXPECT_EQ(after.legal_forename, "Ann");
  EXPECT_THAT(after.classes, ElementsAre("7x/Ma1"));
  EXPECT_EQ(after.update_time_unix, e->t->clock.NowUnixSeconds());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner stored,
                               e->t->store->GetLearner(e->ann.id));
  EXPECT_EQ(stored.year_group, "8");
  EXPECT_EQ(stored.update_time_unix, after.update_time_unix);
  EXPECT_THAT(e->t->store->HubVersion(e->school), IsOkAndHolds(version + 1));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               e->t->store->ListAudit(e->school));
  const AuditRecord& last = audit.back();
  EXPECT_EQ(last.verb, "update");
  EXPECT_EQ(last.learner_id, e->ann.id);
  EXPECT_THAT(last.before_json, HasSubstr("\"year_group\":\"7\""));
  EXPECT_THAT(last.after_json, HasSubstr("\"year_group\":\"8\""));
}

TEST(LearnerEditsTest,
     MisOwnedFieldOfALinkedLearnerIsRefusedAndNothingChanges) {
  auto e = SetUpEdits();
  const int64_t version = *e->t->store->HubVersion(e->school);
  const std::vector<std::string> verbs = EditVerbs(*e);
  Store::LearnerUpdate u;
  u.fields = {"email", "year_group"};  // email is allowed, year_group not
  u.values.email = "bob@example.org";
  u.values.year_group = "9";
  absl::StatusOr<HubLearner> refused = e->t->store->UpdateLearner(e->bob.id, u);
  EXPECT_THAT(refused,
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("year_group of Bob Hart (" + e->bob.id +
                                 ") is managed by the MIS")));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner stored,
                               e->t->store->GetLearner(e->bob.id));
  EXPECT_EQ(stored.email, "");
  EXPECT_EQ(stored.update_time_unix, e->bob.update_time_unix);
  EXPECT_THAT(e->t->store->HubVersion(e->school), IsOkAndHolds(version));
  EXPECT_EQ(EditVerbs(*e), verbs);

  u.fields = {"email"};
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner after,
                               e->t->store->UpdateLearner(e->bob.id, u));
  EXPECT_EQ(after.email, "bob@example.org");
  EXPECT_EQ(after.mis_id, "m-bob");
}

TEST(LearnerEditsTest, UnknownFieldsIdsAndEmptyNamesAreRefused) {
  auto e = SetUpEdits();
  Store::LearnerUpdate u;
  u.fields = {"mis_id"};
  EXPECT_THAT(
      e->t->store->UpdateLearner(e->ann.id, u),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mis_id")));
  u.fields = {"legal_surname"};
  EXPECT_THAT(e->t->store->UpdateLearner(e->ann.id, u),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("legal_surname is required")));
  u.fields = {"gender"};
  EXPECT_THAT(e->t->store->UpdateLearner("lrn_nope", u),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("learner lrn_nope not found")));
  EXPECT_THAT(e->t->store->ArchiveLearner("lrn_nope"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("lrn_nope")));
  EXPECT_THAT(EditVerbs(*e), ElementsAre("create_school", "create", "create"));
}

TEST(LearnerEditsTest,
     ArchiveHidesFromListsAndClassificationRestoreBringsBack) {
  auto e = SetUpEdits();
  const std::string snapshot =
      (*e->t->store->SaveSnapshot(SampleSnapshot(e->school))).id;
  e->t->clock.Advance(5);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner archived,
                               e->t->store->ArchiveLearner(e->ann.id));
  EXPECT_EQ(archived.archive_time_unix, e->t->clock.NowUnixSeconds());
  EXPECT_EQ(archived.update_time_unix, e->t->clock.NowUnixSeconds());
  EXPECT_THAT(EditIds(*e->t->store->ListLearners(e->school)),
              ElementsAre(e->bob.id));
  EXPECT_THAT(EditIds(e->t->store->PageLearners(e->school, {10, {}})->items),
              ElementsAre(e->bob.id));
  EXPECT_THAT(
      EditIds(e->t->store->PageLearners(e->school, {10, {}}, true)->items),
      ElementsAre(e->ann.id));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Store::ClassifyInput in,
      e->t->store->LoadForClassification(e->school, snapshot));
  EXPECT_THAT(EditIds(in.hub), ElementsAre(e->bob.id));
  // GetLearner still answers, with the archive time.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner got,
                               e->t->store->GetLearner(e->ann.id));
  EXPECT_EQ(got.archive_time_unix, archived.archive_time_unix);
  // Archived: no edit, no second archive.
  Store::LearnerUpdate u;
  u.fields = {"gender"};
  EXPECT_THAT(e->t->store->UpdateLearner(e->ann.id, u),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is archived; restore it first")));
  EXPECT_THAT(e->t->store->ArchiveLearner(e->ann.id),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("already archived")));

  e->t->clock.Advance(5);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner restored,
                               e->t->store->RestoreLearner(e->ann.id));
  EXPECT_EQ(restored.archive_time_unix, 0);
  EXPECT_THAT(restored.classes, ElementsAre("7x/Ma1"));  // memberships kept
  EXPECT_THAT(EditIds(*e->t->store->ListLearners(e->school)),
              ElementsAre(e->bob.id, e->ann.id));
  EXPECT_THAT(e->t->store->RestoreLearner(e->ann.id),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is not archived")));
  EXPECT_THAT(EditVerbs(*e),
              ElementsAre("create_school", "create", "create", "save_snapshot",
                          "archive", "restore"));
}

TEST(LearnerEditsTest, ArchivingALinkedLearnerUnlinksIt) {
  auto e = SetUpEdits();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner archived,
                               e->t->store->ArchiveLearner(e->bob.id));
  EXPECT_EQ(archived.mis_id, "");
  EXPECT_EQ(archived.sync_state, SyncState::kUnsynced);
  // The MIS id is free again: a new learner may carry it.
  HubLearner again = SampleHubLearner("Bob", "Hart");
  again.mis_id = "m-bob";
  EXPECT_TRUE(e->t->store->CreateLearners(e->school, {again}).ok());
}

TEST(LearnerEditsTest, UnlinkKeepsFieldsAndClassesAndRefusesAHandMadeLearner) {
  auto e = SetUpEdits();
  const int64_t version = *e->t->store->HubVersion(e->school);
  e->t->clock.Advance(7);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner after,
                               e->t->store->UnlinkLearner(e->bob.id));
  EXPECT_EQ(after.mis_id, "");
  EXPECT_EQ(after.sync_state, SyncState::kUnsynced);
  EXPECT_EQ(after.year_group, e->bob.year_group);
  EXPECT_EQ(after.update_time_unix, e->t->clock.NowUnixSeconds());
  EXPECT_THAT(e->t->store->HubVersion(e->school), IsOkAndHolds(version + 1));
  EXPECT_THAT(e->t->store->UnlinkLearner(e->ann.id),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("Ann Lee (" + e->ann.id +
                                 ") is not linked to a MIS record")));
  EXPECT_THAT(EditVerbs(*e),
              ElementsAre("create_school", "create", "create", "unlink"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               e->t->store->ListAudit(e->school));
  EXPECT_THAT(audit.back().before_json, HasSubstr("\"mis_id\":\"m-bob\""));
  EXPECT_THAT(audit.back().after_json, HasSubstr("\"mis_id\":\"\""));
}

std::vector<std::string> UnlinkedPairs(Edits& e) {
  std::vector<std::string> out;
  auto snapshot = e.t->store->SaveSnapshot(SampleSnapshot(e.school));
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  if (!snapshot.ok()) return out;
  auto in = e.t->store->LoadForClassification(e.school, snapshot->id);
  EXPECT_TRUE(in.ok()) << in.status();
  if (!in.ok()) return out;
  for (const UnlinkedPair& p : in->unlinked)
    out.push_back(p.learner_id + " " + p.mis_id);
  return out;
}

// The classifier is told, from the next load on, never to pair the two
// again; the memory lasts across a restart and goes with the learner.
TEST(LearnerEditsTest, UnlinkIsRememberedForClassificationUntilThePurge) {
  auto e = SetUpEdits();
  EXPECT_THAT(UnlinkedPairs(*e), IsEmpty());
  // A refused unlink remembers nothing.
  ASSERT_FALSE(e->t->store->UnlinkLearner(e->ann.id).ok());
  EXPECT_THAT(UnlinkedPairs(*e), IsEmpty());
  ASSERT_TRUE(e->t->store->UnlinkLearner(e->bob.id).ok());
  EXPECT_THAT(UnlinkedPairs(*e), ElementsAre(e->bob.id + " m-bob"));
  e->t->Reopen();
  EXPECT_THAT(UnlinkedPairs(*e), ElementsAre(e->bob.id + " m-bob"));
  // Another school's classification does not see it.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School ash, e->t->store->CreateSchool("Ash"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      MisSnapshot ash_snapshot,
      e->t->store->SaveSnapshot(SampleSnapshot(ash.id)));
  EXPECT_THAT(
      e->t->store->LoadForClassification(ash.id, ash_snapshot.id)->unlinked,
      IsEmpty());
  ASSERT_TRUE(e->t->store->ArchiveLearner(e->bob.id).ok());
  ASSERT_THAT(e->t->store->PurgeArchivedLearners(e->t->clock.NowUnixSeconds()),
              IsOkAndHolds(1));
  EXPECT_THAT(UnlinkedPairs(*e), IsEmpty());
}

TEST(LearnerEditsTest, PurgeDeletesOnlyWhatTheRetentionPeriodHasPassed) {
  auto e = SetUpEdits();
  ASSERT_TRUE(e->t->store->ArchiveLearner(e->ann.id).ok());
  const int64_t archived_at = e->t->clock.NowUnixSeconds();
  e->t->clock.Advance(100);
  ASSERT_TRUE(e->t->store->ArchiveLearner(e->bob.id).ok());
  const int64_t version = *e->t->store->HubVersion(e->school);
  // Nothing archived before the cut-off.
  EXPECT_THAT(e->t->store->PurgeArchivedLearners(archived_at - 1),
              IsOkAndHolds(0));
  EXPECT_THAT(e->t->store->HubVersion(e->school), IsOkAndHolds(version));
  // Ann only.
  EXPECT_THAT(e->t->store->PurgeArchivedLearners(archived_at), IsOkAndHolds(1));
  EXPECT_THAT(e->t->store->GetLearner(e->ann.id),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(e->t->store->GetLearner(e->bob.id).ok());
  EXPECT_THAT(e->t->store->HubVersion(e->school), IsOkAndHolds(version + 1));
  EXPECT_THAT(e->t->store->PageLearners(e->school, {10, {}}, true)->items,
              SizeIs(1));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               e->t->store->ListAudit(e->school));
  EXPECT_EQ(audit.back().verb, "purge");
  EXPECT_EQ(audit.back().learner_id, e->ann.id);
  EXPECT_THAT(audit.back().before_json, HasSubstr("\"archive_time\":"));
  EXPECT_THAT(audit.back().after_json, IsEmpty());
  // Its class is still there, with nobody in it: a restore of Bob is fine.
  EXPECT_TRUE(e->t->store->RestoreLearner(e->bob.id).ok());
}

}  // namespace
}  // namespace hubsync::testing
