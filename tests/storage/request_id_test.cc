// CreateLearners with a client-chosen request id: applied once, the replay
// returns the first call's learners and writes nothing, the same id with a
// different request is refused naming the id, and the id survives a reopen.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

std::vector<std::string> Ids(const std::vector<HubLearner>& learners) {
  std::vector<std::string> ids;
  for (const HubLearner& l : learners) ids.push_back(l.id);
  return ids;
}

TEST(RequestIdTest, SameIdAndRequestIsAppliedOnceEvenAfterReopening) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School oak, t->store->CreateSchool("Oak"));
  const RequestKey key{"import-1", "ImportLearners", "digest-a"};
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<HubLearner> first,
      t->store->CreateLearners(
          oak.id,
          {SampleHubLearner("Ann", "Lee"), SampleHubLearner("Bob", "Ray")}, {},
          key));
  ASSERT_THAT(first, SizeIs(2));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(int64_t version, t->store->HubVersion(oak.id));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<AuditRecord> audit,
                               t->store->ListAudit(oak.id));

  t->Reopen();  // a server restarted after a lost reply
  HUBSYNC_ASSERT_OK_AND_ASSIGN(
      std::vector<HubLearner> again,
      t->store->CreateLearners(
          oak.id,
          {SampleHubLearner("Ann", "Lee"), SampleHubLearner("Bob", "Ray")}, {},
          key));
  EXPECT_EQ(Ids(again), Ids(first));  // in creation order
  EXPECT_EQ(again[0].legal_forename, "Ann");
  EXPECT_THAT(t->store->ListLearners(oak.id), IsOkAndHolds(SizeIs(2)));
  EXPECT_THAT(t->store->HubVersion(oak.id), IsOkAndHolds(version));
  EXPECT_THAT(t->store->ListAudit(oak.id), IsOkAndHolds(SizeIs(audit.size())));
}

TEST(RequestIdTest, SameIdWithAnotherRequestIsRefusedNamingIt) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School oak, t->store->CreateSchool("Oak"));
  ASSERT_THAT(t->store->CreateLearners(oak.id, {SampleHubLearner("Ann", "Lee")},
                                       {}, {"r1", "CreateLearner", "a"}),
              IsOk());
  EXPECT_THAT(
      t->store->CreateLearners(oak.id, {SampleHubLearner("Cat", "Cox")}, {},
                               {"r1", "CreateLearner", "b"}),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("request_id 'r1' was already used in this school for "
                         "a different CreateLearner request")));
  EXPECT_THAT(
      t->store->CreateLearners(oak.id, {SampleHubLearner("Ann", "Lee")}, {},
                               {"r1", "ImportLearners", "a"}),
      StatusIs(absl::StatusCode::kFailedPrecondition,
               HasSubstr("already used in this school for CreateLearner")));
  EXPECT_THAT(t->store->ListLearners(oak.id), IsOkAndHolds(SizeIs(1)));

  // Ids are per school: another school may use the same one.
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School ash, t->store->CreateSchool("Ash"));
  EXPECT_THAT(t->store->CreateLearners(ash.id, {SampleHubLearner("Cat", "Cox")},
                                       {}, {"r1", "CreateLearner", "b"}),
              IsOkAndHolds(SizeIs(1)));
}

TEST(RequestIdTest, WithoutAnIdEveryCallCreates) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School oak, t->store->CreateSchool("Oak"));
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(
        t->store->CreateLearners(oak.id, {SampleHubLearner("Ann", "Lee")}),
        IsOk());
  }
  EXPECT_THAT(t->store->ListLearners(oak.id), IsOkAndHolds(SizeIs(2)));
}

TEST(RequestIdTest, AFailedCreateKeepsNoId) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School oak, t->store->CreateSchool("Oak"));
  HubLearner linked = SampleHubLearner("Ann", "Lee");
  linked.mis_id = "m1";
  ASSERT_THAT(t->store->CreateLearners(oak.id, {linked}), IsOk());
  const RequestKey key{"r2", "ImportLearners", "x"};
  EXPECT_THAT(t->store->CreateLearners(oak.id, {linked}, {}, key),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("already linked")));
  // Nothing was kept of the failed call: the id is free for the fixed file.
  EXPECT_THAT(t->store->CreateLearners(oak.id, {SampleHubLearner("Bob", "Ray")},
                                       {}, {"r2", "ImportLearners", "y"}),
              IsOkAndHolds(SizeIs(1)));
}

}  // namespace
}  // namespace hubsync::testing
