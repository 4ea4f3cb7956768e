// Field levels a school office would recognise: short forms, swapped
// boxes, one-keystroke slips in short names.
#include "common/match_score.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::HasSubstr;

HubLearner Hub(std::string forename, std::string surname) {
  HubLearner h;
  h.id = "h";
  h.legal_forename = std::move(forename);
  h.legal_surname = std::move(surname);
  h.date_of_birth = Date{2012, 5, 9};
  return h;
}

MisLearner Mis(std::string forename, std::string surname) {
  MisLearner m;
  m.mis_id = "m";
  m.legal_forename = std::move(forename);
  m.legal_surname = std::move(surname);
  m.date_of_birth = Date{2012, 5, 9};
  return m;
}

PairScore Score(const HubLearner& h, const MisLearner& m) {
  return ScorePair(Prepare(h), Prepare(m));
}

TEST(MatchScore, UkShortFormsAreNicknames) {
  for (auto [nick, full] : {std::pair{"Izzy", "Isabelle"}, std::pair{"Luke", "Lucas"},
                            std::pair{"Frank", "Francis"}, std::pair{"Florrie", "Florence"},
                            std::pair{"Josh", "Joshua"}, std::pair{"Kuba", "Jakub"}}) {
    SCOPED_TRACE(nick);
    const PairScore s = Score(Hub(nick, "Patel"), Mis(full, "Patel"));
    EXPECT_EQ(s.forename, NameLevel::kNickname);
    EXPECT_TRUE(IsCandidate(s));
  }
}

TEST(MatchScore, SwappedForenameAndSurnameAreFoundAndSaidSo) {
  const PairScore s = Score(Hub("Walsh", "Niamh"), Mis("Niamh", "Walsh"));
  EXPECT_TRUE(s.names_swapped);
  EXPECT_TRUE(IsCandidate(s));
  EXPECT_FALSE(MeetsMatchedRule(s)) << "a swap is for the admin to confirm";
  const Explanation e = Describe(s);
  EXPECT_THAT(e.reason, HasSubstr("swapped"));
  double sum = 0;
  for (const FieldEvidence& f : e.fields) sum += f.weight;
  EXPECT_DOUBLE_EQ(sum, s.score);
}

TEST(MatchScore, DifferentNamesAreNotASwap) {
  const PairScore s = Score(Hub("Walsh", "Niamh"), Mis("Niamh", "Brady"));
  EXPECT_FALSE(s.names_swapped);
  EXPECT_FALSE(IsCandidate(s));
}

TEST(MatchScore, OneKeystrokeInAShortNameIsATypoOnlyWithTheSameInitial) {
  EXPECT_EQ(Score(Hub("Mx", "Lee"), Mis("Max", "Lee")).forename, NameLevel::kTypo);
  EXPECT_EQ(Score(Hub("Aa", "Lee"), Mis("Ada", "Lee")).forename, NameLevel::kTypo);
  EXPECT_EQ(Score(Hub("Ian", "Lee"), Mis("Jan", "Lee")).forename, NameLevel::kDifferent);
}

}  // namespace
}  // namespace hubsync
