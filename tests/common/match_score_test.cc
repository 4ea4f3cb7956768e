// Field levels a school office would recognise: short forms, swapped
// boxes, one-keystroke slips in short names.
#include "common/match_score.h"

#include <string>

#include "common/name_frequencies.h"
#include "common/nicknames.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/synth/synth.h"

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
  for (auto [nick, full] :
       {std::pair{"Izzy", "Isabelle"}, std::pair{"Luke", "Lucas"},
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
  const Explanation e = *Describe(s);
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
  EXPECT_EQ(Score(Hub("Mx", "Lee"), Mis("Max", "Lee")).forename,
            NameLevel::kTypo);
  EXPECT_EQ(Score(Hub("Aa", "Lee"), Mis("Ada", "Lee")).forename,
            NameLevel::kTypo);
  EXPECT_EQ(Score(Hub("Ian", "Lee"), Mis("Jan", "Lee")).forename,
            NameLevel::kDifferent);
}

TEST(MatchScore, NicknameTableIsShippedAndWorksBothWays) {
  EXPECT_GE(NicknamePairCount(), 150u);
  for (auto [nick, full] :
       {std::pair{"Izzy", "Isabella"}, std::pair{"Seb", "Sebastian"},
        std::pair{"Zach", "Zachary"}, std::pair{"Flo", "Florence"},
        std::pair{"Alfie", "Alfred"}, std::pair{"Harry", "Henry"},
        std::pair{"Ollie", "Oliver"}, std::pair{"Sammy", "Samuel"}}) {
    SCOPED_TRACE(nick);
    EXPECT_EQ(Score(Hub(nick, "Patel"), Mis(full, "Patel")).forename,
              NameLevel::kNickname);
    EXPECT_EQ(Score(Hub(full, "Patel"), Mis(nick, "Patel")).forename,
              NameLevel::kNickname);
  }
  EXPECT_FALSE(IsKnownNickname("oliver", "olivia"));
  EXPECT_FALSE(IsKnownNickname("jack", "jack"));
}

TEST(MatchScore, TypoInAShortFormIsNamedAndIsACandidate) {
  const PairScore s =
      Score(Hub("Chalrie", "Hopkins"), Mis("Charlotte", "Hopkins"));
  EXPECT_EQ(s.forename, NameLevel::kNicknameTypo);
  EXPECT_TRUE(IsCandidate(s));
  EXPECT_THAT(Describe(s)->reason, HasSubstr("short form with a typo"));
  // Not just any name one keystroke from some short form.
  EXPECT_EQ(Score(Hub("Bill", "Hopkins"), Mis("Charlotte", "Hopkins")).forename,
            NameLevel::kDifferent);
}

TEST(MatchScore, SwappedNamesWithATypoAreStillASwap) {
  const PairScore s = Score(Hub("Potter", "Josua"), Mis("Joshua", "Potter"));
  EXPECT_TRUE(s.names_swapped);
  EXPECT_EQ(s.forename, NameLevel::kTypo);
  EXPECT_EQ(s.surname, NameLevel::kExact);
  EXPECT_TRUE(IsCandidate(s));
  EXPECT_FALSE(MeetsMatchedRule(s));
}

TEST(MatchScore, LastYearsGroupsAreNotCountedAgainst) {
  HubLearner h = Hub("Tom", "Powell");
  h.date_of_birth.reset();
  h.year_group = "8";
  h.registration_group = "8QT";
  MisLearner m = Mis("Thomas", "Powell");
  m.year_group = "9";
  m.registration_group = "9QT";
  const PairScore s = Score(h, m);
  EXPECT_EQ(s.year_group, WeakLevel::kLastYear);
  EXPECT_EQ(s.registration_group, WeakLevel::kLastYear);
  EXPECT_TRUE(IsCandidate(s)) << "a hand-made record a year out of date";
  const Explanation e = *Describe(s);
  EXPECT_THAT(e.reason, HasSubstr("last year's registration group"));
  // The other way round (hub a year ahead) is a plain disagreement.
  m.year_group = "7";
  m.registration_group = "7QT";
  const PairScore ahead = Score(h, m);
  EXPECT_EQ(ahead.year_group, WeakLevel::kDifferent);
  EXPECT_EQ(ahead.registration_group, WeakLevel::kDifferent);
  EXPECT_LT(ahead.score, s.score);
}

TEST(MatchScore, NicknameOrOneTypoWithEverythingElseExactMeetsTheMatchedRule) {
  EXPECT_TRUE(
      MeetsMatchedRule(Score(Hub("Izzy", "Patel"), Mis("Isabella", "Patel"))));
  EXPECT_TRUE(MeetsMatchedRule(
      Score(Hub("Jasmine", "Hollins"), Mis("Jasmine", "Holins"))));
  EXPECT_TRUE(
      MeetsMatchedRule(Score(Hub("Jasmnie", "Cook"), Mis("Jasmine", "Cook"))));
  // Two real names a keystroke apart, or a short name, are not a clear
  // typo: still a candidate, but May match.
  for (auto [hub, mis] :
       {std::pair{"Jason", "Mason"}, std::pair{"Priya", "Riya"},
        std::pair{"Lily", "Lilly"}}) {
    SCOPED_TRACE(hub);
    const PairScore s = Score(Hub(hub, "Cook"), Mis(mis, "Cook"));
    EXPECT_TRUE(IsCandidate(s));
    EXPECT_FALSE(MeetsMatchedRule(s));
  }
  EXPECT_FALSE(MeetsMatchedRule(Score(Hub("Kai", "Ball"), Mis("Kai", "Bell"))));
  // Two changes, or a shared word of a double barrel, stay May match.
  EXPECT_FALSE(
      MeetsMatchedRule(Score(Hub("Izzy", "Patell"), Mis("Isabella", "Patel"))));
  EXPECT_FALSE(MeetsMatchedRule(
      Score(Hub("Isla", "Smith"), Mis("Isla", "Smith-Jones"))));
  // A nickname with another date of birth is not enough.
  HubLearner h = Hub("Izzy", "Patel");
  h.date_of_birth = Date{2012, 9, 5};  // day and month swapped
  EXPECT_FALSE(MeetsMatchedRule(Score(h, Mis("Isabella", "Patel"))));
}

TEST(MatchScore, TwinsWithDifferentForenamesAreNeverCandidates) {
  // Same surname, birthday, year and class: only the forename tells twins
  // apart, and it vetoes the pair whatever else agrees.
  HubLearner h = Hub("Jack", "Jones");
  h.year_group = "7";
  h.registration_group = "7A";
  h.gender = "Male";
  MisLearner twin = Mis("Oscar", "Jones");
  twin.year_group = "7";
  twin.registration_group = "7A";
  twin.gender = "M";
  const PairScore s = Score(h, twin);
  EXPECT_EQ(s.forename, NameLevel::kDifferent);
  EXPECT_FALSE(IsCandidate(s));
  EXPECT_FALSE(MeetsMatchedRule(s));
}

}  // namespace
}  // namespace hubsync

namespace hubsync {
namespace {

// The pair loop rejects blocked pairs on QuickUpperBound; a bound below the
// real one would drop true pairs silently. Every hub record of a generated
// school against a spread of MIS records (same surname block or not), with
// term frequencies on: the packed bound equals ScoreUpperBound, which is at
// least the score.
TEST(MatchScore, PackedBoundEqualsTheBoundAndNeverUndercutsTheScore) {
  absl::StatusOr<synth::School> school = synth::Generate(2000, 7);
  ASSERT_TRUE(school.ok()) << school.status();
  std::vector<PreparedLearner> hub, mis;
  for (const HubLearner& h : school->hub) hub.push_back(Prepare(h));
  for (const MisLearner& m : school->mis) mis.push_back(Prepare(m));
  AnnotateNameFrequencies(&mis);
  std::vector<QuickFields> mis_quick;
  for (const PreparedLearner& m : mis) mis_quick.push_back(Quick(m));
  int64_t compared = 0, above_threshold = 0;
  for (size_t i = 0; i < hub.size(); ++i) {
    const QuickFields hq = Quick(hub[i]);
    for (size_t j = i % 13; j < mis.size(); j += 13) {
      const double bound = ScoreUpperBound(hub[i], mis[j]);
      const double quick = QuickUpperBound(hq, mis_quick[j]);
      ASSERT_GE(quick, bound)
          << school->hub[i].id << " / " << school->mis[j].mis_id;
      ASSERT_NEAR(quick, bound, 0.01)
          << school->hub[i].id << " / " << school->mis[j].mis_id;
      ASSERT_GE(bound, ScorePair(hub[i], mis[j]).score)
          << school->hub[i].id << " / " << school->mis[j].mis_id;
      above_threshold += quick >= kMayMatchThreshold;
      ++compared;
    }
  }
  EXPECT_GT(compared, 300000);
  // Both outcomes occur, so the comparison covered rejected and kept pairs.
  EXPECT_GT(above_threshold, 0);
  EXPECT_LT(above_threshold, compared);
}

// Identical names and birthday outrank any pair the loose blocking keys
// alone could find (a birthday one digit off at best), unless the weak
// fields leave a rival room within kRivalMargin, or the hub learner has a
// second name a rival could agree on instead.
TEST(MatchScore, ExactPairsOutrankLooseRivalsOnlyWithRoomToSpare) {
  HubLearner h = Hub("Amelia", "Khan");
  MisLearner m = Mis("Amelia", "Khan");
  EXPECT_TRUE(OutranksLooseRivals(Prepare(h), Score(h, m)));

  HubLearner with_preferred = h;
  with_preferred.preferred_forename = "Millie";
  EXPECT_FALSE(
      OutranksLooseRivals(Prepare(with_preferred), Score(with_preferred, m)));

  MisLearner other_day = m;
  other_day.date_of_birth = Date{2012, 5, 8};
  EXPECT_FALSE(OutranksLooseRivals(Prepare(h), Score(h, other_day)));

  // Hub year, gender and class all disagree with this MIS record: a rival
  // agreeing on all three, a digit off in the birthday, comes within 6.
  HubLearner stale = h;
  stale.year_group = "7";
  stale.gender = "F";
  stale.registration_group = "7A";
  MisLearner moved = m;
  moved.year_group = "9";
  moved.gender = "M";
  moved.registration_group = "9C";
  EXPECT_FALSE(OutranksLooseRivals(Prepare(stale), Score(stale, moved)));
  // The same hub record against a MIS record agreeing on them: room enough.
  MisLearner agreeing = m;
  agreeing.year_group = "7";
  agreeing.gender = "F";
  agreeing.registration_group = "7A";
  EXPECT_TRUE(OutranksLooseRivals(Prepare(stale), Score(stale, agreeing)));
}

// The packed check never says "no swap" where the full one says there may
// be one, and says "no swap" for most unrelated names.
TEST(MatchScore, QuickSwapCheckAgreesWithTheFullOne) {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"John", "Smith"},  {"Smith", "John"},  {"Niamh", "Walsh"},
      {"Walsh", "Niamh"}, {"Mary", "Jones"},  {"Jones", "Harper"},
      {"Harper", "Lee"},  {"Lee", "Mary"},    {"Zoë", "Łukasz"},
      {"Lukasz", "Zoe"},  {"Ava", "O'Brien"}, {"OBrien", "Ava"}};
  int full_no = 0;
  for (const auto& [hf, hs] : names) {
    for (const auto& [mf, ms] : names) {
      const PreparedLearner h = Prepare(Hub(hf, hs));
      const PreparedLearner m = Prepare(Mis(mf, ms));
      const bool full = MaybeSwapped(h, m);
      const bool quick = QuickMaybeSwapped(Quick(h), Quick(m), h, m);
      EXPECT_EQ(quick, full) << hf << " " << hs << " / " << mf << " " << ms;
      full_no += full ? 0 : 1;
    }
  }
  EXPECT_GT(full_no, 100);  // most of the 144 pairs are no swap
}

}  // namespace
}  // namespace hubsync
