// LoadForClassification: both sides of a sync as stored. The snapshot is
// read on a second connection while the hub is read on the first
// (sqlite_store.h), so these check that the second connection sees what the
// first has just committed, and that its errors come back.
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
using ::testing::UnorderedElementsAre;

std::vector<std::string> HubNames(const std::vector<HubLearner>& hub) {
  std::vector<std::string> out;
  for (const HubLearner& l : hub) {
    out.push_back(l.legal_forename + " " + l.legal_surname);
  }
  return out;
}

std::vector<std::string> MisIds(const MisSnapshot& s) {
  std::vector<std::string> out;
  for (const MisLearner& l : s.learners) out.push_back(l.mis_id);
  return out;
}

TEST(LoadForClassificationTest, ReadsBothSidesAsJustCommitted) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HubLearner zoe = SampleHubLearner("Zoë", "O'Brien");
  zoe.date_of_birth = Date{2013, 9, 4};
  zoe.classes = {"7x/Ma1"};
  ASSERT_THAT(t->store->CreateLearners(school.id, {zoe}).status(), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      MisSnapshot first, t->store->SaveSnapshot(SampleSnapshot(school.id)));

  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Store::ClassifyInput in,
      t->store->LoadForClassification(school.id, first.id));
  EXPECT_EQ(in.hub_version, *t->store->HubVersion(school.id));
  ASSERT_THAT(HubNames(in.hub), ElementsAre("Zoë O'Brien"));
  EXPECT_EQ(in.hub[0].date_of_birth, (Date{2013, 9, 4}));
  EXPECT_EQ(in.snapshot.id, first.id);
  EXPECT_EQ(in.snapshot.school_id, school.id);
  ASSERT_THAT(MisIds(in.snapshot), UnorderedElementsAre("m1", "m2"));
  const MisLearner& amelia =
      in.snapshot.learners[in.snapshot.learners[0].mis_id == "m1" ? 0 : 1];
  EXPECT_EQ(amelia.preferred_surname, "Jones-Smith");
  EXPECT_EQ(amelia.date_of_birth, (Date{2013, 9, 4}));
  EXPECT_THAT(amelia.class_mis_ids, ElementsAre("cls:7x/En1", "cls:7x/Ma1"));
  EXPECT_EQ(amelia.email, "amelia@example.org");
  EXPECT_EQ(in.snapshot.classes.size(), 3u);

  // A snapshot and a learner committed a moment ago are both seen, by the
  // reading connection as by the writing one.
  MisSnapshot next = SampleSnapshot(school.id);
  next.learners.pop_back();
  next.learners[0].mis_id = "m9";
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot second,
                               t->store->SaveSnapshot(next));
  ASSERT_THAT(
      t->store->CreateLearners(school.id, {SampleHubLearner("Ali", "Khan")})
          .status(),
      IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      in, t->store->LoadForClassification(school.id, second.id));
  EXPECT_THAT(HubNames(in.hub),
              UnorderedElementsAre("Zoë O'Brien", "Ali Khan"));
  EXPECT_THAT(MisIds(in.snapshot), ElementsAre("m9"));
  EXPECT_EQ(in.hub_version, *t->store->HubVersion(school.id));
}

TEST(LoadForClassificationTest, SnapshotErrorsNameTheSnapshot) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School oak, t->store->CreateSchool("Oak"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School ash, t->store->CreateSchool("Ash"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot ash_snapshot,
                               t->store->SaveSnapshot(SampleSnapshot(ash.id)));
  EXPECT_THAT(
      t->store->LoadForClassification(oak.id, "snp_nope"),
      StatusIs(absl::StatusCode::kNotFound, "snapshot snp_nope not found"));
  EXPECT_THAT(t->store->LoadForClassification(oak.id, ash_snapshot.id),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("not found for school " + oak.id)));
  // The store still reads after the failures.
  EXPECT_TRUE(t->store->LoadForClassification(ash.id, ash_snapshot.id).ok());
}

TEST(LoadForClassificationTest, ReadsAfterTheStoreIsReopened) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      MisSnapshot snapshot, t->store->SaveSnapshot(SampleSnapshot(school.id)));
  ASSERT_THAT(t->store->LoadForClassification(school.id, snapshot.id).status(),
              IsOk());
  t->Reopen();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      Store::ClassifyInput in,
      t->store->LoadForClassification(school.id, snapshot.id));
  EXPECT_THAT(MisIds(in.snapshot), UnorderedElementsAre("m1", "m2"));
}

}  // namespace
}  // namespace hubsync::testing
