// Keyset paging in the store (store.h, PageRequest): pages in the list's
// order, each item once, the end marked by an empty key, rows added between
// pages neither skipped nor repeated, and a key of the wrong shape refused.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/storage/store_fixture.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

std::vector<std::string> Ids(const std::vector<HubLearner>& learners) {
  std::vector<std::string> ids;
  for (const HubLearner& l : learners) ids.push_back(l.id);
  return ids;
}

// Every page of the school's learners, `size` at a time.
std::vector<HubLearner> AllPages(Store* store, const std::string& school,
                                 size_t size, int* pages) {
  std::vector<HubLearner> all;
  PageRequest page{size, {}};
  *pages = 0;
  while (true) {
    absl::StatusOr<Page<HubLearner>> got = store->PageLearners(school, page);
    EXPECT_TRUE(got.ok()) << got.status();
    if (!got.ok()) break;
    ++*pages;
    EXPECT_LE(got->items.size(), size);
    all.insert(all.end(), got->items.begin(), got->items.end());
    if (got->next.empty()) break;
    page.after = got->next;
  }
  return all;
}

TEST(PagingStoreTest, LearnerPagesFollowTheListOrderWithTiesBrokenById) {
  auto t = NewStore();
  School school = *t->store->CreateSchool("Paging");
  std::vector<HubLearner> learners = {
      SampleHubLearner("Ava", "Same"),  SampleHubLearner("Ava", "Same"),
      SampleHubLearner("Ava", "Same"),  SampleHubLearner("Zoe", "Adams"),
      SampleHubLearner("Ben", "Young"), SampleHubLearner("Cal", "Same")};
  learners[4].classes = {"Maths", "Art"};
  ASSERT_TRUE(t->store->CreateLearners(school.id, learners).ok());
  absl::StatusOr<std::vector<HubLearner>> whole =
      t->store->ListLearners(school.id);
  ASSERT_TRUE(whole.ok());
  for (size_t size : {1u, 2u, 4u, 6u, 7u}) {
    int pages = 0;
    std::vector<HubLearner> paged =
        AllPages(t->store.get(), school.id, size, &pages);
    EXPECT_THAT(Ids(paged), ElementsAreArray(Ids(*whole))) << size;
    EXPECT_EQ(pages, (6 + static_cast<int>(size) - 1) / static_cast<int>(size))
        << size;
    // The records are whole, subject classes included.
    for (size_t i = 0; i < paged.size() && i < whole->size(); ++i) {
      EXPECT_EQ(paged[i].legal_surname, (*whole)[i].legal_surname);
      EXPECT_EQ(paged[i].classes, (*whole)[i].classes);
      EXPECT_EQ(paged[i].registration_group, "7A");
    }
  }
}

TEST(PagingStoreTest, LearnersAddedBetweenPagesSkipOrRepeatNoOne) {
  auto t = NewStore();
  School school = *t->store->CreateSchool("Paging");
  std::vector<HubLearner> first;
  for (const char* surname : {"B", "D", "F", "H", "J"}) {
    first.push_back(SampleHubLearner("X", surname));
  }
  ASSERT_TRUE(t->store->CreateLearners(school.id, first).ok());
  absl::StatusOr<Page<HubLearner>> page =
      t->store->PageLearners(school.id, {2, {}});
  ASSERT_TRUE(page.ok());
  std::vector<std::string> seen;
  for (const HubLearner& l : page->items) seen.push_back(l.legal_surname);
  // Before the page read, between the page's two, at its edge and after.
  ASSERT_TRUE(t->store
                  ->CreateLearners(
                      school.id,
                      {SampleHubLearner("X", "A"), SampleHubLearner("X", "C"),
                       SampleHubLearner("X", "D"), SampleHubLearner("X", "G")})
                  .ok());
  while (!page->next.empty()) {
    page = t->store->PageLearners(school.id, {2, page->next});
    ASSERT_TRUE(page.ok());
    for (const HubLearner& l : page->items) seen.push_back(l.legal_surname);
  }
  // The second "D" sorts after the first by id (ids grow): it follows.
  EXPECT_THAT(seen, ElementsAre("B", "D", "D", "F", "G", "H", "J"));
}

TEST(PagingStoreTest, AnEmptySchoolIsOneEmptyPage) {
  auto t = NewStore();
  School school = *t->store->CreateSchool("Empty");
  absl::StatusOr<Page<HubLearner>> page =
      t->store->PageLearners(school.id, {10, {}});
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->items, IsEmpty());
  EXPECT_THAT(page->next, IsEmpty());
}

TEST(PagingStoreTest, AKeyOfTheWrongShapeIsInvalidArgument) {
  auto t = NewStore();
  School school = *t->store->CreateSchool("Paging");
  const auto invalid = [](const absl::Status& s) {
    return s.code() == absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(invalid(
      t->store->PageLearners(school.id, {2, {"only", "two"}}).status()));
  EXPECT_TRUE(
      invalid(t->store->PageSnapshots(school.id, {2, {"x", "1"}}).status()));
  EXPECT_TRUE(invalid(t->store->PageSessions(school.id, {2, {"1"}}).status()));
  EXPECT_TRUE(
      invalid(t->store->PageAudit(school.id, "", "", {2, {"1.5"}}).status()));
  EXPECT_TRUE(
      invalid(t->store->PageOutbox(school.id, {}, {2, {"", ""}}).status()));
  EXPECT_TRUE(
      invalid(t->store->PageApiKeys(school.id, {2, {"when", "key"}}).status()));
  EXPECT_TRUE(invalid(t->store->PageClasses(school.id, {0, {}}).status()));
  EXPECT_EQ(t->store->PageLearners("sch_nope", {2, {}}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PagingStoreTest, SnapshotPagesAreNewestFirstWithinTheSameSecond) {
  auto t = NewStore();
  School school = *t->store->CreateSchool("Paging");
  std::vector<std::string> saved;
  for (int i = 0; i < 5; ++i) {
    MisSnapshot s = SampleSnapshot(school.id);
    if (i == 3) t->clock.Advance(1);
    absl::StatusOr<MisSnapshot> out = t->store->SaveSnapshot(s);
    ASSERT_TRUE(out.ok()) << out.status();
    saved.insert(saved.begin(), out->id);
  }
  std::vector<std::string> paged;
  PageRequest page{2, {}};
  while (true) {
    absl::StatusOr<Page<MisSnapshot>> got =
        t->store->PageSnapshots(school.id, page);
    ASSERT_TRUE(got.ok()) << got.status();
    for (const MisSnapshot& s : got->items) paged.push_back(s.id);
    if (got->next.empty()) break;
    page.after = got->next;
  }
  EXPECT_EQ(paged, saved);
}

}  // namespace
}  // namespace hubsync::testing
