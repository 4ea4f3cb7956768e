// Schools, hub learners and classes, MIS snapshots and class sync.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/codec.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(SchoolTest, CreateGetList) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School oak, t->store->CreateSchool("Oak"));
  t->clock.Advance(10);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School ash, t->store->CreateSchool("Ash"));
  EXPECT_EQ(oak.id, "sch_0000000000000001");
  EXPECT_EQ(oak.create_time_unix, 1790000000);
  EXPECT_EQ(oak.classes_synced_time_unix, 0);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School got, t->store->GetSchool(ash.id));
  EXPECT_EQ(got.name, "Ash");
  EXPECT_EQ(got.create_time_unix, 1790000010);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<School> all,
                               t->store->ListSchools());
  ASSERT_THAT(all, SizeIs(2));
  EXPECT_EQ(all[0].name, "Ash");  // by name
  EXPECT_EQ(all[1].id, oak.id);
  EXPECT_THAT(t->store->HubVersion(oak.id), IsOkAndHolds(0));
  EXPECT_THAT(t->store->CreateSchool(""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SchoolTest, UnknownIdsAreNotFoundAndNamed) {
  auto t = NewStore();
  const auto kNotFound = absl::StatusCode::kNotFound;
  EXPECT_THAT(t->store->GetSchool("sch_nope"),
              StatusIs(kNotFound, "school sch_nope not found"));
  EXPECT_THAT(t->store->HubVersion("sch_nope"),
              StatusIs(kNotFound, HasSubstr("sch_nope")));
  EXPECT_THAT(t->store->ListLearners("sch_nope"),
              StatusIs(kNotFound, HasSubstr("sch_nope")));
  EXPECT_THAT(t->store->ListClasses("sch_nope"), StatusIs(kNotFound));
  EXPECT_THAT(t->store->ListSnapshots("sch_nope"), StatusIs(kNotFound));
  EXPECT_THAT(t->store->ListSessions("sch_nope"), StatusIs(kNotFound));
  EXPECT_THAT(t->store->ListAudit("sch_nope"), StatusIs(kNotFound));
  EXPECT_THAT(t->store->ListOutbox("sch_nope"), StatusIs(kNotFound));
  EXPECT_THAT(
      t->store->CreateLearners("sch_nope", {SampleHubLearner("A", "B")}),
      StatusIs(kNotFound, "school sch_nope not found"));
  EXPECT_THAT(t->store->GetLearner("lrn_nope"),
              StatusIs(kNotFound, "learner lrn_nope not found"));
  EXPECT_THAT(t->store->GetSnapshot("snp_nope"),
              StatusIs(kNotFound, "snapshot snp_nope not found"));
  EXPECT_THAT(t->store->SnapshotCounts("snp_nope"),
              StatusIs(kNotFound, HasSubstr("snp_nope")));
  EXPECT_THAT(t->store->GetSession("ses_nope"),
              StatusIs(kNotFound, "session ses_nope not found"));
  EXPECT_THAT(t->store->LoadRows("ses_nope"),
              StatusIs(kNotFound, HasSubstr("ses_nope")));
}

TEST(LearnerTest, CreateLearnersRoundTripsEveryField) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HubLearner full = SampleHubLearner("Zoë", "O'Brien");
  full.preferred_forename = "Zo";
  full.preferred_surname = "OB";
  full.date_of_birth = Date{2012, 2, 29};
  full.gender = "F";
  full.upn = "A123456789012";
  full.year_group = "8";
  full.registration_group = "8B";
  full.classes = {"8x/Sc1", "8x/Ma1"};
  full.email = "zoe@example.org";
  full.sync_state = SyncState::kSynced;  // ignored: new learners are UNSYNCED
  HubLearner bare = SampleHubLearner("Adam", "Able");
  bare.year_group = "";
  bare.registration_group = "";
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<HubLearner> made,
      t->store->CreateLearners(school.id, {full, bare}));
  ASSERT_THAT(made, SizeIs(2));
  EXPECT_THAT(t->store->HubVersion(school.id), IsOkAndHolds(1));

  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner got,
                               t->store->GetLearner(made[0].id));
  EXPECT_EQ(got.id, made[0].id);
  EXPECT_EQ(got.school_id, school.id);
  EXPECT_EQ(got.legal_forename, "Zoë");
  EXPECT_EQ(got.legal_surname, "O'Brien");
  EXPECT_EQ(got.preferred_forename, "Zo");
  EXPECT_EQ(got.preferred_surname, "OB");
  EXPECT_EQ(got.date_of_birth, (Date{2012, 2, 29}));
  EXPECT_EQ(got.gender, "F");
  EXPECT_EQ(got.upn, "A123456789012");
  EXPECT_EQ(got.year_group, "8");
  EXPECT_EQ(got.registration_group, "8B");
  EXPECT_THAT(got.classes, ElementsAre("8x/Ma1", "8x/Sc1"));  // sorted
  EXPECT_EQ(got.email, "zoe@example.org");
  EXPECT_EQ(got.mis_id, "");
  EXPECT_EQ(got.sync_state, SyncState::kUnsynced);
  EXPECT_EQ(got.update_time_unix, 1790000000);

  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner b, t->store->GetLearner(made[1].id));
  EXPECT_FALSE(b.date_of_birth.has_value());
  EXPECT_THAT(b.classes, IsEmpty());
  EXPECT_EQ(b.registration_group, "");

  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<HubLearner> list,
                               t->store->ListLearners(school.id));
  ASSERT_THAT(list, SizeIs(2));
  EXPECT_EQ(list[0].legal_surname, "Able");  // by surname
  EXPECT_THAT(list[1].classes, ElementsAre("8x/Ma1", "8x/Sc1"));

  // Subject classes named on a learner become hand-made hub classes.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<HubClass> classes,
                               t->store->ListClasses(school.id));
  ASSERT_THAT(classes, SizeIs(2));
  EXPECT_EQ(classes[0].name, "8x/Ma1");
  EXPECT_EQ(classes[0].mis_id, "");
  EXPECT_EQ(classes[0].kind, ClassKind::kSubject);
}

TEST(LearnerTest, CreateLearnersReusesAClassOfTheSameName) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HubLearner a = SampleHubLearner("A", "A");
  a.classes = {"Art"};
  ASSERT_THAT(t->store->CreateLearners(school.id, {a}), IsOk());
  ASSERT_THAT(t->store->CreateLearners(school.id, {a, a}), IsOk());
  EXPECT_THAT(t->store->ListClasses(school.id), IsOkAndHolds(SizeIs(1)));
}

TEST(LearnerTest, BadRecordWritesNothing) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HubLearner good = SampleHubLearner("Amy", "Ash");
  good.classes = {"Art"};
  HubLearner bad = SampleHubLearner("Ben", "");
  EXPECT_THAT(t->store->CreateLearners(school.id, {good, good, bad}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "learners[2].legal_surname is required"));
  bad = SampleHubLearner("", "Bell");
  EXPECT_THAT(t->store->CreateLearners(school.id, {bad}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("learners[0].legal_forename")));
  // A conflict found only inside the transaction rolls back earlier inserts.
  HubLearner linked = SampleHubLearner("Cat", "Cole");
  linked.mis_id = "m1";
  ASSERT_THAT(t->store->CreateLearners(school.id, {linked}), IsOk());
  EXPECT_THAT(t->store->CreateLearners(school.id, {good, linked}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("mis_id m1 is already linked")));
  EXPECT_THAT(t->store->ListLearners(school.id), IsOkAndHolds(SizeIs(1)));
  EXPECT_THAT(t->store->ListClasses(school.id), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(t->store->HubVersion(school.id), IsOkAndHolds(1));
}

TEST(LearnerTest, EveryCreatedLearnerIsAuditedInTheSameTransaction) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<HubLearner> made,
      t->store->CreateLearners(
          school.id,
          {SampleHubLearner("Amy", "Ash"), SampleHubLearner("Ben", "Bell")},
          Actor{"key_00000000000000ff", "office", "admin"}));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               t->store->ListAudit(school.id));
  ASSERT_THAT(audit, SizeIs(3));
  EXPECT_EQ(audit[0].verb, "create_school");  // CreateSchool's own record
  audit.erase(audit.begin());
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(audit[i].verb, "create");
    EXPECT_EQ(audit[i].actor.name, "office");
    EXPECT_EQ(audit[i].actor.key_id, "key_00000000000000ff");
    EXPECT_EQ(audit[i].actor.role, "admin");
    EXPECT_EQ(audit[i].session_id, "");
    EXPECT_EQ(audit[i].learner_id, made[i].id);
    EXPECT_EQ(audit[i].before_json, "");
    EXPECT_EQ(audit[i].after_json, storage::LearnerJson(made[i]));
  }
  // A rejected batch leaves no audit record behind.
  HubLearner linked = SampleHubLearner("Cat", "Cole");
  linked.mis_id = "m1";
  ASSERT_THAT(t->store->CreateLearners(school.id, {linked}), IsOk());
  EXPECT_THAT(t->store->CreateLearners(
                  school.id, {SampleHubLearner("Dan", "Dee"), linked}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(t->store->ListAudit(school.id),
              IsOkAndHolds(SizeIs(4)));  // + school
}

TEST(SnapshotTest, RoundTripsEveryField) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  MisSnapshot in = SampleSnapshot(school.id);
  in.learners[1].date_of_birth.reset();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot saved, t->store->SaveSnapshot(in));
  EXPECT_EQ(saved.id, "snp_0000000000000002");
  EXPECT_EQ(saved.create_time_unix, 1790000000);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot got,
                               t->store->GetSnapshot(saved.id));
  EXPECT_EQ(got.school_id, school.id);
  EXPECT_EQ(got.format, MisFormat::kOneRoster);
  EXPECT_EQ(got.oneroster_version, "1.2");
  ASSERT_THAT(got.classes, SizeIs(3));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got.classes[i].mis_id, in.classes[i].mis_id);
    EXPECT_EQ(got.classes[i].name, in.classes[i].name);
    EXPECT_EQ(got.classes[i].kind, in.classes[i].kind);
    EXPECT_EQ(got.classes[i].year_group, in.classes[i].year_group);
  }
  ASSERT_THAT(got.learners, SizeIs(2));
  for (size_t i = 0; i < 2; ++i) {
    const MisLearner& a = got.learners[i];
    const MisLearner& b = in.learners[i];
    EXPECT_EQ(a.mis_id, b.mis_id);
    EXPECT_EQ(a.upn, b.upn);
    EXPECT_EQ(a.legal_forename, b.legal_forename);
    EXPECT_EQ(a.legal_surname, b.legal_surname);
    EXPECT_EQ(a.preferred_forename, b.preferred_forename);
    EXPECT_EQ(a.preferred_surname, b.preferred_surname);
    EXPECT_EQ(a.date_of_birth, b.date_of_birth);
    EXPECT_EQ(a.gender, b.gender);
    EXPECT_EQ(a.year_group, b.year_group);
    EXPECT_EQ(a.registration_group, b.registration_group);
    EXPECT_EQ(a.registration_group_mis_id, b.registration_group_mis_id);
    EXPECT_EQ(a.class_mis_ids, b.class_mis_ids);
    EXPECT_EQ(a.classes, b.classes);
    EXPECT_EQ(a.email, b.email);
  }
  EXPECT_FALSE(got.learners[1].date_of_birth.has_value());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Store::Counts counts,
                               t->store->SnapshotCounts(saved.id));
  EXPECT_EQ(counts.learners, 2);
  EXPECT_EQ(counts.classes, 3);
}

// Learners are inserted 64 to a statement and the rest in a shorter one:
// 2 x 64 + 7 learners, each field different per learner, read back in order.
TEST(SnapshotTest, ManyLearnersRoundTripAcrossInsertBatches) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  MisSnapshot in = SampleSnapshot(school.id);
  const MisLearner model = in.learners[0];
  in.learners.clear();
  for (int i = 0; i < 135; ++i) {
    MisLearner l = model;
    l.mis_id = absl::StrCat("m", 1000 + i);
    l.legal_forename = absl::StrCat("F", i);
    l.legal_surname = absl::StrCat("S", i);
    l.preferred_forename = i % 3 == 0 ? "" : absl::StrCat("P", i);
    l.email = absl::StrCat("e", i, "@school.example");
    if (i % 5 == 0)
      l.date_of_birth.reset();
    else
      l.date_of_birth = Date{2010, 1 + i % 12, 1 + i % 28};
    in.learners.push_back(std::move(l));
  }
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot saved, t->store->SaveSnapshot(in));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot got,
                               t->store->GetSnapshot(saved.id));
  ASSERT_THAT(got.learners, SizeIs(135));
  for (size_t i = 0; i < 135; ++i) {
    const MisLearner& a = got.learners[i];
    const MisLearner& b = in.learners[i];
    EXPECT_EQ(a.mis_id, b.mis_id) << i;
    EXPECT_EQ(a.legal_forename, b.legal_forename) << i;
    EXPECT_EQ(a.legal_surname, b.legal_surname) << i;
    EXPECT_EQ(a.preferred_forename, b.preferred_forename) << i;
    EXPECT_EQ(a.date_of_birth, b.date_of_birth) << i;
    EXPECT_EQ(a.class_mis_ids, b.class_mis_ids) << i;
    EXPECT_EQ(a.classes, b.classes) << i;
    EXPECT_EQ(a.email, b.email) << i;
  }
  HUBSYNC_ASSERT_OK_AND_ASSIGN(Store::Counts counts,
                               t->store->SnapshotCounts(saved.id));
  EXPECT_EQ(counts.learners, 135);
}

TEST(SnapshotTest, ListIsNewestFirstAndDuplicatesAreRejected) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      MisSnapshot first, t->store->SaveSnapshot(SampleSnapshot(school.id)));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      MisSnapshot second, t->store->SaveSnapshot(SampleSnapshot(school.id)));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<MisSnapshot> list,
                               t->store->ListSnapshots(school.id));
  ASSERT_THAT(list, SizeIs(2));
  EXPECT_EQ(list[0].id, second.id);  // same second: later save first
  EXPECT_THAT(list[0].learners, IsEmpty());
  MisSnapshot dup = SampleSnapshot(school.id);
  dup.learners[1].mis_id = "m1";
  EXPECT_THAT(t->store->SaveSnapshot(dup),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("MIS learner m1 appears twice")));
  EXPECT_THAT(t->store->SaveSnapshot(SampleSnapshot("sch_nope")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("sch_nope")));
  EXPECT_THAT(t->store->ListSnapshots(school.id), IsOkAndHolds(SizeIs(2)));
}

TEST(ClassSyncTest, CountsAndIdempotency) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      MisSnapshot snap, t->store->SaveSnapshot(SampleSnapshot(school.id)));
  t->clock.Advance(60);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(ClassSyncResult first,
                               t->store->SyncClasses(school.id, snap.id));
  EXPECT_EQ(first.created, 3);
  EXPECT_EQ(first.updated, 0);
  EXPECT_EQ(first.unchanged, 0);
  EXPECT_THAT(t->store->HubVersion(school.id), IsOkAndHolds(1));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School stamped, t->store->GetSchool(school.id));
  EXPECT_EQ(stamped.classes_synced_time_unix, 1790000060);

  HUBSYNC_ASSERT_OK_AND_ASSIGN(ClassSyncResult again,
                               t->store->SyncClasses(school.id, snap.id));
  EXPECT_EQ(again.created, 0);
  EXPECT_EQ(again.updated, 0);
  EXPECT_EQ(again.unchanged, 3);
  EXPECT_THAT(t->store->HubVersion(school.id), IsOkAndHolds(1));  // no change

  MisSnapshot renamed = SampleSnapshot(school.id);
  renamed.classes[1].name = "7x/Maths1";
  renamed.classes.push_back({"cls:7x/Sc1", "7x/Sc1", ClassKind::kSubject, "7"});
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot snap2,
                               t->store->SaveSnapshot(renamed));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(ClassSyncResult third,
                               t->store->SyncClasses(school.id, snap2.id));
  EXPECT_EQ(third.created, 1);
  EXPECT_EQ(third.updated, 1);
  EXPECT_EQ(third.unchanged, 2);
  EXPECT_THAT(t->store->HubVersion(school.id), IsOkAndHolds(2));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<HubClass> classes,
                               t->store->ListClasses(school.id));
  ASSERT_THAT(classes, SizeIs(4));
  EXPECT_EQ(classes[0].kind, ClassKind::kRegistration);
  EXPECT_EQ(classes[0].mis_id, "reg:7A");
  EXPECT_EQ(classes[0].year_group, "7");
  EXPECT_EQ(classes[2].name, "7x/Maths1");
  EXPECT_EQ(classes[2].mis_id, "cls:7x/Ma1");

  HUBSYNC_ASSERT_OK_AND_ASSIGN(School other, t->store->CreateSchool("Ash"));
  EXPECT_THAT(t->store->SyncClasses(other.id, snap.id),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(snap.id)));
}

TEST(ClassSyncTest, LinksAHandMadeClassOfTheSameNameInsteadOfDuplicatingIt) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HubLearner hand_made;
  hand_made.legal_forename = "Ellie";
  hand_made.legal_surname = "Moss";
  hand_made.classes = {"7x/Ma1"};
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<HubLearner> created,
      t->store->CreateLearners(school.id, {hand_made}));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      MisSnapshot snap, t->store->SaveSnapshot(SampleSnapshot(school.id)));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(ClassSyncResult result,
                               t->store->SyncClasses(school.id, snap.id));
  EXPECT_EQ(result.created, 2);
  EXPECT_EQ(result.updated, 1);  // the hand-made 7x/Ma1, now linked
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<HubClass> classes,
                               t->store->ListClasses(school.id));
  int named = 0;
  for (const HubClass& c : classes) {
    if (c.name != "7x/Ma1") continue;
    ++named;
    EXPECT_EQ(c.mis_id, "cls:7x/Ma1");
  }
  EXPECT_EQ(named, 1);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(HubLearner ellie,
                               t->store->GetLearner(created[0].id));
  EXPECT_THAT(ellie.classes, ElementsAre("7x/Ma1")) << "membership kept";
}

}  // namespace
}  // namespace hubsync::testing
