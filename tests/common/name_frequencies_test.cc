// Term frequencies: a rare name agreeing is stronger evidence than a common
// one, and the admin is told so.
#include "common/name_frequencies.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::Not;

MisLearner Mis(std::string id, std::string forename, std::string surname,
               Date dob) {
  MisLearner m;
  m.mis_id = std::move(id);
  m.legal_forename = std::move(forename);
  m.legal_surname = std::move(surname);
  m.date_of_birth = dob;
  return m;
}

HubLearner Hub(std::string forename, std::string surname) {
  HubLearner h;
  h.id = "h";
  h.legal_forename = std::move(forename);
  h.legal_surname = std::move(surname);
  return h;  // no date of birth: names carry the score
}

// A trust-sized roll: 2,000 learners, 200 of them Smith, one Okonkwo.
std::vector<PreparedLearner> Roll() {
  std::vector<PreparedLearner> mis;
  for (int i = 0; i < 2000; ++i) {
    const std::string surname = i < 200    ? "Smith"
                                : i == 200 ? "Okonkwo"
                                           : "Surname" + std::to_string(i);
    mis.push_back(Prepare(Mis("m" + std::to_string(i), i % 2 ? "Amy" : "Zeb",
                              surname, Date{2012, 1 + i % 12, 1 + i % 28})));
  }
  AnnotateNameFrequencies(&mis);
  return mis;
}

TEST(NameFrequencies, ARareExactSurnameOutweighsACommonOne) {
  const std::vector<PreparedLearner> mis = Roll();
  const PairScore common = ScorePair(Prepare(Hub("Amy", "Smith")), mis[1]);
  const PairScore rare = ScorePair(Prepare(Hub("Zeb", "Okonkwo")), mis[200]);
  ASSERT_EQ(common.surname, NameLevel::kExact);
  ASSERT_EQ(rare.surname, NameLevel::kExact);
  EXPECT_LT(common.surname_frequency, 0) << "Smith is 1 in 10 here";
  EXPECT_GT(rare.surname_frequency, 0);
  EXPECT_GT(rare.score, common.score + 4);
}

TEST(NameFrequencies, ExplanationNamesTheFrequencyAndStillAddsUp) {
  const std::vector<PreparedLearner> mis = Roll();
  const PairScore s = ScorePair(Prepare(Hub("Zeb", "Okonkwo")), mis[200]);
  const Explanation e = *Describe(s);
  EXPECT_THAT(e.fields,
              Contains(AllOf(Field(&FieldEvidence::field, "surname_frequency"),
                             Field(&FieldEvidence::level, "rare"))));
  EXPECT_THAT(e.reason, HasSubstr("a rare surname counts more"));
  EXPECT_DOUBLE_EQ(e.score, s.score);
}

TEST(NameFrequencies, ASmallScopeKeepsAboutTheFixedWeights) {
  // One registration group: every name is "rare" among 28, which says
  // little; the weights stay near the fixed 7 and 8.
  std::vector<PreparedLearner> mis;
  for (int i = 0; i < 28; ++i) {
    mis.push_back(
        Prepare(Mis("m" + std::to_string(i), "Name" + std::to_string(i),
                    "Surname" + std::to_string(i), Date{2012, 1, 1 + i})));
  }
  AnnotateNameFrequencies(&mis);
  ASSERT_TRUE(mis[0].name_weights);
  EXPECT_NEAR(mis[0].forename_weights[0], 7.0, 0.75);
  EXPECT_NEAR(mis[0].surname_weights[0], 8.0, 0.75);
}

TEST(NameFrequencies, WithoutThemScoringIsUnchanged) {
  const PreparedLearner m = Prepare(Mis("m", "Amy", "Smith", Date{2012, 1, 1}));
  const PairScore s = ScorePair(Prepare(Hub("Amy", "Smith")), m);
  EXPECT_EQ(s.forename_frequency, 0);
  EXPECT_EQ(s.surname_frequency, 0);
  for (const FieldEvidence& f : Describe(s)->fields) {
    EXPECT_THAT(f.field, Not(HasSubstr("frequency")));
  }
}

}  // namespace
}  // namespace hubsync
