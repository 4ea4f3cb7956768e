// A whole large school through the store: a 10,000-learner snapshot and a
// save that imports every learner. Checks results, not time: the timings
// are recorded in docs/STORAGE.md.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

constexpr int kLearners = 10000;

MisSnapshot BigSnapshot(const std::string& school_id) {
  MisSnapshot s = SampleSnapshot(school_id);
  const MisLearner model = s.learners[0];
  s.learners.clear();
  for (int i = 0; i < kLearners; ++i) {
    MisLearner l = model;
    l.mis_id = absl::StrCat("m", i);
    l.legal_surname = absl::StrCat("Surname", i);
    s.learners.push_back(l);
  }
  return s;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

TEST(ScaleTest, TenThousandLearnerSnapshotAndSave) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Big"));
  auto start = std::chrono::steady_clock::now();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot snap,
                               t->store->SaveSnapshot(BigSnapshot(school.id)));
  ::testing::Test::RecordProperty("save_snapshot_ms",
                                  static_cast<int>(SecondsSince(start) * 1000));
  start = std::chrono::steady_clock::now();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(MisSnapshot got, t->store->GetSnapshot(snap.id));
  ::testing::Test::RecordProperty("get_snapshot_ms",
                                  static_cast<int>(SecondsSince(start) * 1000));
  ASSERT_THAT(got.learners, ::testing::SizeIs(kLearners));
  EXPECT_EQ(got.learners.back().mis_id, absl::StrCat("m", kLearners - 1));
  ASSERT_THAT(t->store->SyncClasses(school.id, snap.id), IsOk());

  SessionRecord r;
  r.school_id = school.id;
  r.snapshot_id = snap.id;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SessionRecord session,
                               t->store->CreateSession(r));
  SavePlan plan;
  plan.session_id = session.id;
  plan.school_id = school.id;
  plan.expected_hub_version = *t->store->HubVersion(school.id);
  for (const MisLearner& m : got.learners) {
    PlannedChange c;
    c.change = LearnerChange::kImport;
    c.after.legal_forename = m.legal_forename;
    c.after.legal_surname = m.legal_surname;
    c.after.mis_id = m.mis_id;
    c.after.email = m.email;
    c.queue_verification_email = true;
    c.class_mis_ids = m.class_mis_ids;
    c.class_mis_ids.push_back(m.registration_group_mis_id);
    plan.changes.push_back(c);
  }
  SessionRecord saved = session;
  saved.version = 2;
  saved.step = SessionStep::kSaved;
  start = std::chrono::steady_clock::now();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SaveSummary sum,
                               t->store->ApplySave(plan, saved));
  ::testing::Test::RecordProperty("apply_save_ms",
                                  static_cast<int>(SecondsSince(start) * 1000));
  EXPECT_EQ(sum.imported, kLearners);
  EXPECT_EQ(sum.emails_queued, kLearners);
  start = std::chrono::steady_clock::now();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<HubLearner> learners,
                               t->store->ListLearners(school.id));
  ::testing::Test::RecordProperty("list_learners_ms",
                                  static_cast<int>(SecondsSince(start) * 1000));
  ASSERT_THAT(learners, ::testing::SizeIs(kLearners));
  EXPECT_THAT(learners[0].classes, ::testing::ElementsAre("7x/En1", "7x/Ma1"));
}

TEST(ScaleTest, ConcurrentCallersAreSerialised) {
  auto t = NewStore();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School school, t->store->CreateSchool("Oak"));
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        HubLearner l = SampleHubLearner("T", absl::StrCat("S", i, "_", j));
        l.classes = {absl::StrCat("Club", j % 3)};
        if (!t->store->CreateLearners(school.id, {l}).ok()) ++failures[i];
        if (!t->store->ListLearners(school.id).ok()) ++failures[i];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(failures, ::testing::Each(0));
  EXPECT_THAT(t->store->ListLearners(school.id),
              IsOkAndHolds(::testing::SizeIs(kThreads * kEach)));
  EXPECT_THAT(t->store->ListClasses(school.id),
              IsOkAndHolds(::testing::SizeIs(3)));
  EXPECT_THAT(t->store->HubVersion(school.id), IsOkAndHolds(kThreads * kEach));
}

}  // namespace
}  // namespace hubsync::testing
