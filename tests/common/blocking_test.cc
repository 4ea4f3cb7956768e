#include "common/blocking.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/match_score.h"
#include "common/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/learner_builders.h"

namespace hubsync {
namespace {

using ::hubsync::testing::Mis;
using ::testing::Contains;
using ::testing::Not;

// A hand-made hub record: no date of birth, so only the name keys (surname
// with a forename initial and the year group, and the like) can find it.
HubLearner Handmade(std::string forename, std::string surname,
                    std::string year = "7") {
  HubLearner h;
  h.id = "h_1";
  h.legal_forename = std::move(forename);
  h.legal_surname = std::move(surname);
  h.year_group = std::move(year);
  return h;
}

// Six-letter forenames that all start with J and end in Y, distinct, none
// starting "Ja" (so none shares two letters with Jack, James or Jacob).
std::string JName(int k) {
  const char* vowels = "eiou";
  return absl::StrCat("J", std::string(1, vowels[k % 4]),
                      std::string(1, 'b' + k % 19),
                      std::string(1, vowels[(k / 4) % 4]),
                      std::string(1, 'l' + (k / 16) % 8), "y");
}

// A trust-sized block: `others` Year 7 Smiths whose forenames start with J
// (so "smith, year 7, j" holds them all), plus Jack Smith at index 0.
std::vector<PreparedLearner> BigSmithBlock(int others,
                                           std::string target = "Jack") {
  std::vector<PreparedLearner> mis;
  mis.push_back(Prepare(Mis("m_target", target, "Smith", Date{2013, 4, 2})));
  for (int k = 0; k < others; ++k) {
    mis.push_back(Prepare(Mis(absl::StrCat("m_", k), JName(k), "Smith",
                              Date{2013, 1 + k % 12, 1 + k % 28})));
  }
  return mis;
}

std::vector<int> Lookup(const BlockIndex& index, const HubLearner& hub) {
  int64_t capped = 0;
  return index.Lookup(Prepare(hub), &capped);
}

TEST(BlockingTest, SmallBlockIsSearchedWhole) {
  const std::vector<PreparedLearner> mis = BigSmithBlock(2);
  const BlockIndex index(mis);
  // Three J. Smiths: under the split threshold, each is offered.
  const std::vector<int> found = Lookup(index, Handmade("Jack", "Smith"));
  EXPECT_EQ(found.size(), 3u);
}

TEST(BlockingTest, BigBlockIsSplitByName) {
  const std::vector<PreparedLearner> mis = BigSmithBlock(600, "Jasper");
  const BlockIndex index(mis);
  const std::vector<int> found = Lookup(index, Handmade("Jasper", "Smith"));
  EXPECT_THAT(found, Contains(0));
  // Not the whole year's J. Smiths (the surname-only block is over its cap,
  // and no other J. Smith shares two letters with Jasper).
  EXPECT_LT(found.size(), 10u);
}

// Each single typo in the forename of a hand-made record still finds the
// MIS record in a block far over the split threshold.
TEST(BlockingTest, SplitKeepsSingleTypos) {
  struct Case {
    const char* mis_forename;
    const char* hub_forename;
  };
  const Case cases[] = {
      {"Jack", "Jakc"},        {"Jack", "Jcak"},        {"Jack", "Jac"},
      {"Jack", "Jacck"},       {"Jack", "Jeck"},        {"Jacob", "Jcaob"},
      {"Jacob", "Jakob"},      {"Jacob", "Jacb"},       {"Joe", "Jeo"},
      {"Joe", "Jon"},          {"Jo", "Joe"},           {"Jessica", "Jesica"},
      {"Jessica", "Jessicca"}, {"Jessica", "Jessikca"}, {"Jayden", "Jaydne"},
  };
  for (const Case& c : cases) {
    const std::vector<PreparedLearner> mis = BigSmithBlock(600, c.mis_forename);
    const BlockIndex index(mis);
    EXPECT_THAT(Lookup(index, Handmade(c.hub_forename, "Smith")), Contains(0))
        << c.mis_forename << " vs " << c.hub_forename;
  }
}

// Nicknames and the next year group (hub records lag) survive the split too.
TEST(BlockingTest, SplitKeepsNicknamesAndLaggingYear) {
  const std::vector<PreparedLearner> mis = BigSmithBlock(600, "James");
  const BlockIndex index(mis);
  EXPECT_THAT(Lookup(index, Handmade("Jamie", "Smith")), Contains(0));
  EXPECT_THAT(Lookup(index, Handmade("Jim", "Smith")), Contains(0));
  EXPECT_THAT(Lookup(index, Handmade("James", "Smith", "6")), Contains(0));
  // A different child of the same surname and year is not pulled in just
  // for sharing the initial.
  EXPECT_THAT(Lookup(index, Handmade("Jolyon", "Smith")), Not(Contains(0)));
}

// The forename-plus-surname-initial key is split by the surname: a surname
// typo on a common forename still finds the record.
TEST(BlockingTest, SplitKeepsSurnameTyposOnCommonForenames) {
  std::vector<PreparedLearner> mis;
  mis.push_back(
      Prepare(Mis("m_target", "Oliver", "Sanderson", Date{2013, 4, 2})));
  for (int k = 0; k < 600; ++k) {
    mis.push_back(Prepare(Mis(absl::StrCat("m_", k), "Oliver",
                              absl::StrCat("S", JName(k)),
                              Date{2013, 1 + k % 12, 1 + k % 28})));
  }
  const BlockIndex index(mis);
  EXPECT_THAT(Lookup(index, Handmade("Oliver", "Sandreson")), Contains(0));
  EXPECT_THAT(Lookup(index, Handmade("Oliver", "Sanderon")), Contains(0));
}

// Visit's exact keys (UPN, date of birth with two letters of a name) come
// before the loose ones, which are searched only while `loose()` says so.
std::vector<int> VisitExactOnly(const BlockIndex& index, const HubLearner& hub,
                                std::vector<int>* before_loose) {
  std::vector<int> seen;
  int64_t capped = 0;
  index.Visit(
      Prepare(hub), &capped, [&](int j) { seen.push_back(j); },
      [&] {
        *before_loose = seen;
        return false;
      });
  return seen;
}

TEST(BlockingTest, LooseKeysAreSkippedWhenNotWanted) {
  std::vector<PreparedLearner> mis;
  // Found by the date of birth: same day, same names.
  mis.push_back(Prepare(Mis("m_same_day", "Jack", "Smith", Date{2013, 4, 2})));
  // Found only by the loose keys: the same names, another day.
  mis.push_back(Prepare(Mis("m_other_day", "Jack", "Smith", Date{2013, 4, 3})));
  const BlockIndex index(mis);
  HubLearner hub = Handmade("Jack", "Smith");
  hub.date_of_birth = Date{2013, 4, 2};
  std::vector<int> before_loose;
  const std::vector<int> seen = VisitExactOnly(index, hub, &before_loose);
  EXPECT_THAT(before_loose, Contains(0));
  EXPECT_THAT(seen, Not(Contains(1)));
  // With the loose keys, both.
  EXPECT_THAT(Lookup(index, hub), Contains(1));
}

// A record with forename and surname swapped and the same birthday is
// found by the exact keys, so it is never missed as a rival when the loose
// keys are skipped.
TEST(BlockingTest, SwappedNamesWithTheSameBirthdayAreAnExactKey) {
  std::vector<PreparedLearner> mis;
  mis.push_back(Prepare(Mis("m_swapped", "Smith", "Jack", Date{2013, 4, 2})));
  const BlockIndex index(mis);
  HubLearner hub = Handmade("Jack", "Smith");
  hub.date_of_birth = Date{2013, 4, 2};
  std::vector<int> before_loose;
  VisitExactOnly(index, hub, &before_loose);
  EXPECT_THAT(before_loose, Contains(0));
}

}  // namespace
}  // namespace hubsync
