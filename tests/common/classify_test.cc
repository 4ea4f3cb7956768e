#include "common/classify.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/normalise.h"
#include "common/types.h"
#include "common/upn.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/synth/synth.h"
#include "tests/testing/learner_builders.h"

namespace hubsync {
namespace {

using ::hubsync::testing::Mis;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Date D(int y, int m, int d) { return Date{y, m, d}; }

HubLearner Hub(std::string id, std::string forename, std::string surname,
               std::optional<Date> dob, std::string year = "7",
               std::string reg = "7A") {
  HubLearner h;
  h.id = std::move(id);
  h.school_id = "sch_1";
  h.legal_forename = std::move(forename);
  h.legal_surname = std::move(surname);
  h.date_of_birth = dob;
  h.year_group = std::move(year);
  h.registration_group = std::move(reg);
  return h;
}

HubLearner Linked(HubLearner h, std::string mis_id,
                  SyncState state = SyncState::kSynced) {
  h.mis_id = std::move(mis_id);
  h.sync_state = state;
  return h;
}

// A valid UPN: the check letter for a 12-character body, then the body.
std::string ValidUpn(const std::string& body12) {
  std::optional<char> check = UpnCheckLetter(body12);
  EXPECT_TRUE(check.has_value()) << body12;
  return std::string(1, check.value_or('?')) + body12;
}

// What the admin sees: status, left id, right id, in screen order.
using Line = std::tuple<RowStatus, std::string, std::string>;
std::vector<Line> Lines(const std::vector<Row>& rows) {
  std::vector<Line> out;
  for (const Row& r : rows)
    out.emplace_back(r.status, r.hub_learner_id, r.mis_id);
  return out;
}

const Scope kAll{};

TEST(Classify, EachOfTheSixStatusesInScreenOrder) {
  std::vector<HubLearner> hub = {
      Hub("h_notmatched", "Nora", "Quinn", D(2012, 1, 5)),
      Hub("h_maymatch", "Priya", "Shah", D(2012, 2, 6)),
      Hub("h_matched", "Oscar", "Reid", D(2012, 3, 7)),
      Linked(Hub("h_desynced", "Leo", "Hart", D(2012, 4, 8)), "m_gone"),
      Linked(Hub("h_synced", "Ava", "Bell", D(2012, 5, 9)), "m_ava",
             SyncState::kDesynced),
  };
  std::vector<MisLearner> mis = {
      Mis("m_new", "Ruby", "Stone", D(2012, 6, 10)),
      Mis("m_oscar", "Oscar", "Reid", D(2012, 3, 7)),
      Mis("m_priya", "Priya", "Patel", D(2012, 2, 6)),  // surname changed
      Mis("m_ava", "Ava", "Bell", D(2012, 5, 9)),
  };
  std::vector<Row> rows = Classify(hub, mis, kAll);
  EXPECT_THAT(Lines(rows),
              ElementsAre(Line{RowStatus::kSynced, "h_synced", "m_ava"},
                          Line{RowStatus::kDesynced, "h_desynced", ""},
                          Line{RowStatus::kMatched, "h_matched", "m_oscar"},
                          Line{RowStatus::kMayMatch, "h_maymatch", "m_priya"},
                          Line{RowStatus::kNotMatched, "h_notmatched", ""},
                          Line{RowStatus::kNew, "", "m_new"}));
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].row_id, static_cast<int64_t>(i) + 1);
    EXPECT_FALSE(rows[i].import);  // Import? starts unticked
    EXPECT_FALSE(rows[i].sync_email);
  }
  // Paired rows explain themselves.
  EXPECT_THAT(rows[2].explanation.reason(),
              HasSubstr("Same forename, surname"));
  EXPECT_THAT(rows[3].explanation.reason(), HasSubstr("different surname"));
  EXPECT_GT(rows[2].explanation.score(), rows[3].explanation.score());
}

TEST(Classify, ScopeByYearGroup) {
  std::vector<HubLearner> hub = {
      Hub("h_y7", "Amir", "Khan", D(2012, 9, 1), "7"),
      Hub("h_y8_hidden", "Beth", "Lowe", D(2011, 9, 2), "8"),
      // Hub still says year 8, MIS says 7: shown because it pairs.
      Hub("h_y8_pairs", "Cara", "Moss", D(2012, 9, 3), "8"),
      Linked(Hub("h_y7_linked_out", "Dan", "Nash", D(2012, 9, 4), "7"),
             "m_dan"),
      Linked(Hub("h_y8_linked_out", "Eve", "Owen", D(2011, 9, 5), "8"),
             "m_eve"),
      Linked(Hub("h_y8_linked_in", "Finn", "Park", D(2012, 9, 6), "8"),
             "m_finn"),
  };
  std::vector<MisLearner> mis = {
      Mis("m_cara", "Cara", "Moss", D(2012, 9, 3), "7"),
      Mis("m_dan", "Dan", "Nash", D(2012, 9, 4), "8"),  // moved out of scope
      Mis("m_eve", "Eve", "Owen", D(2011, 9, 5), "8"),
      Mis("m_finn", "Finn", "Park", D(2012, 9, 6), "7"),
      Mis("m_y8_new", "Gus", "Reed", D(2011, 9, 7), "8"),
      Mis("m_y7_new", "Hana", "Sato", D(2012, 9, 8), "7"),
  };
  Scope scope{ScopeKind::kYearGroups, {"7"}};
  EXPECT_THAT(Lines(Classify(hub, mis, scope)),
              ElementsAre(Line{RowStatus::kSynced, "h_y8_linked_in", "m_finn"},
                          Line{RowStatus::kDesynced, "h_y7_linked_out", ""},
                          Line{RowStatus::kMatched, "h_y8_pairs", "m_cara"},
                          Line{RowStatus::kNotMatched, "h_y7", ""},
                          Line{RowStatus::kNew, "", "m_y7_new"}));
}

TEST(Classify, ScopeByRegistrationGroup) {
  std::vector<HubLearner> hub = {
      Hub("h_7a", "Ida", "Tate", D(2012, 10, 1), "7", " 7A "),
      Hub("h_7b", "Jay", "Udal", D(2012, 10, 2), "7", "7B"),
      Hub("h_7b_pairs", "Kim", "Vance", D(2012, 10, 3), "7", "7B"),
      Linked(Hub("h_7a_linked", "Lia", "Ward", D(2012, 10, 4), "7", "7A"),
             "m_lia"),
  };
  std::vector<MisLearner> mis = {
      Mis("m_kim", "Kim", "Vance", D(2012, 10, 3), "7", "7A"),
      Mis("m_lia", "Lia", "Ward", D(2012, 10, 4), "7", "7B"),
      Mis("m_7b", "Max", "Young", D(2012, 10, 5), "7", "7B"),
  };
  Scope scope{ScopeKind::kRegistrationGroups, {"7A"}};
  EXPECT_THAT(Lines(Classify(hub, mis, scope)),
              ElementsAre(Line{RowStatus::kDesynced, "h_7a_linked", ""},
                          Line{RowStatus::kMatched, "h_7b_pairs", "m_kim"},
                          Line{RowStatus::kNotMatched, "h_7a", ""}));
}

TEST(Classify, LinkedLearnerWhoseMisRecordLeftIsDesyncedWithAReason) {
  std::vector<Row> rows = Classify(
      {Linked(Hub("h1", "Ann", "Cole", D(2012, 1, 1)), "m_left")}, {}, kAll);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, RowStatus::kDesynced);
  EXPECT_THAT(rows[0].explanation.reason(), HasSubstr("not in the MIS data"));
}

TEST(Classify, SameValidUpnWithDifferentSpellingIsMatched) {
  const std::string upn = ValidUpn("201102300001");
  HubLearner h = Hub("h1", "Jon", "Smyth", D(2012, 3, 4));
  h.upn = upn;
  MisLearner m = Mis("m1", "John", "Smith", D(2012, 3, 4));
  m.upn = upn;
  std::vector<Row> rows = Classify({h}, {m}, kAll);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, RowStatus::kMatched);
  EXPECT_THAT(rows[0].explanation.fields(),
              Contains(AllOf(Field(&FieldEvidence::field, "upn"),
                             Field(&FieldEvidence::level, "exact"))));
  EXPECT_THAT(rows[0].explanation.reason(), HasSubstr("valid UPN"));
}

TEST(Classify, SameValidUpnOutweighsAChangedSurnameAndNoBirthday) {
  const std::string upn = ValidUpn("201102300002");
  HubLearner h = Hub("h1", "Lily", "Evans", std::nullopt, "8", "8C");
  h.upn = upn;
  MisLearner m = Mis("m1", "Lily", "Potter", D(2011, 1, 30), "9", "9A");
  m.upn = upn;
  EXPECT_THAT(Lines(Classify({h}, {m}, kAll)),
              ElementsAre(Line{RowStatus::kMatched, "h1", "m1"}));
}

TEST(Classify, SameInvalidUpnDoesNotPairDifferentChildren) {
  HubLearner h = Hub("h1", "Amy", "Jones", D(2012, 3, 4));
  h.upn = "A12345";
  MisLearner m = Mis("m1", "Beth", "Jones", D(2012, 3, 4));
  m.upn = "A12345";
  EXPECT_THAT(Lines(Classify({h}, {m}, kAll)),
              ElementsAre(Line{RowStatus::kNotMatched, "h1", ""},
                          Line{RowStatus::kNew, "", "m1"}));
  EXPECT_THAT(Explain(h, m).fields,
              Contains(AllOf(Field(&FieldEvidence::field, "upn"),
                             Field(&FieldEvidence::level, "invalid"),
                             Field(&FieldEvidence::weight, 0.0))));
}

TEST(Classify, TwinsAreNeverCrossPaired) {
  std::vector<HubLearner> hub = {Hub("h_amy", "Amy", "Smith", D(2012, 6, 1)),
                                 Hub("h_beth", "Beth", "Smith", D(2012, 6, 1))};
  std::vector<MisLearner> mis = {Mis("m_beth", "Beth", "Smith", D(2012, 6, 1)),
                                 Mis("m_amy", "Amy", "Smith", D(2012, 6, 1))};
  EXPECT_THAT(Lines(Classify(hub, mis, kAll)),
              ElementsAre(Line{RowStatus::kMatched, "h_amy", "m_amy"},
                          Line{RowStatus::kMatched, "h_beth", "m_beth"}));
}

TEST(Classify, OneTwinInEachSystemIsNoPairAtAll) {
  EXPECT_THAT(
      Lines(Classify({Hub("h_amy", "Amy", "Smith", D(2012, 6, 1))},
                     {Mis("m_beth", "Beth", "Smith", D(2012, 6, 1))}, kAll)),
      ElementsAre(Line{RowStatus::kNotMatched, "h_amy", ""},
                  Line{RowStatus::kNew, "", "m_beth"}));
}

TEST(Classify, ChangedSurnameIsMayMatch) {
  std::vector<Row> rows =
      Classify({Hub("h1", "Grace", "Miller", D(2013, 2, 14))},
               {Mis("m1", "Grace", "Okafor", D(2013, 2, 14))}, kAll);
  EXPECT_THAT(Lines(rows), ElementsAre(Line{RowStatus::kMayMatch, "h1", "m1"}));
}

TEST(Classify, DoubleBarrelledSurnameIsMayMatch) {
  EXPECT_THAT(
      Lines(Classify({Hub("h1", "Isla", "Smith", D(2013, 2, 14))},
                     {Mis("m1", "Isla", "Smith-Jones", D(2013, 2, 14))}, kAll)),
      ElementsAre(Line{RowStatus::kMayMatch, "h1", "m1"}));
}

TEST(Classify, NicknameWithoutDateOfBirthOrWithAnotherDateIsMayMatch) {
  std::vector<HubLearner> hub = {Hub("h1", "Tom", "Fenwick", std::nullopt),
                                 Hub("h2", "Izzy", "Roe", D(2013, 5, 4))};
  std::vector<MisLearner> mis = {Mis("m1", "Thomas", "Fenwick", D(2013, 4, 3)),
                                 Mis("m2", "Isabella", "Roe", D(2013, 4, 5))};
  EXPECT_THAT(Lines(Classify(hub, mis, kAll)),
              ElementsAre(Line{RowStatus::kMayMatch, "h1", "m1"},
                          Line{RowStatus::kMayMatch, "h2", "m2"}));
}

TEST(Classify, MissingDateOfBirthWithExactNamesIsMayMatch) {
  std::vector<Row> rows =
      Classify({Hub("h1", "Harvey", "Lane", std::nullopt)},
               {Mis("m1", "Harvey", "Lane", D(2013, 7, 2))}, kAll);
  EXPECT_THAT(Lines(rows), ElementsAre(Line{RowStatus::kMayMatch, "h1", "m1"}));
  EXPECT_THAT(rows[0].explanation.reason(), HasSubstr("date of birth missing"));
}

// The contract allows Matched for "a known nickname or a single typo with
// every other field agreeing" where measured as safe (docs/MATCHING.md:
// no wrong Matched added at 200,000 learners).
TEST(Classify, SingleTypoAndNicknameWithEverythingElseAgreeingAreMatched) {
  std::vector<HubLearner> hub = {Hub("h1", "Jasmine", "Hollins", D(2013, 1, 9)),
                                 Hub("h2", "Tom", "Fenwick", D(2013, 4, 3)),
                                 Hub("h3", "Jasmine", "Cooke", D(2013, 6, 9))};
  std::vector<MisLearner> mis = {Mis("m1", "Jasmine", "Holins", D(2013, 1, 9)),
                                 Mis("m2", "Thomas", "Fenwick", D(2013, 4, 3)),
                                 Mis("m3", "Jasmine", "Cook", D(2013, 6, 9))};
  // Cooke / Cook: four letters is too short to call a typo clear (Ball /
  // Bell are two families), so that one stays May match.
  EXPECT_THAT(Lines(Classify(hub, mis, kAll)),
              UnorderedElementsAre(Line{RowStatus::kMatched, "h1", "m1"},
                                   Line{RowStatus::kMatched, "h2", "m2"},
                                   Line{RowStatus::kMayMatch, "h3", "m3"}));
  EXPECT_THAT(Explain(hub[1], mis[1]).fields,
              Contains(AllOf(Field(&FieldEvidence::field, "forename"),
                             Field(&FieldEvidence::level, "nickname"))));
}

TEST(Classify, DifferentDateOfBirthDoesNotPair) {
  EXPECT_THAT(
      Lines(Classify({Hub("h1", "Oliver", "Smith", D(2012, 3, 1))},
                     {Mis("m1", "Oliver", "Smith", D(2012, 11, 20))}, kAll)),
      ElementsAre(Line{RowStatus::kNotMatched, "h1", ""},
                  Line{RowStatus::kNew, "", "m1"}));
}

TEST(Classify, PairingIsOneToOneAndRivalsPreventMatched) {
  std::vector<HubLearner> hub = {Hub("h2", "Mia", "Clark", D(2012, 8, 8)),
                                 Hub("h1", "Mia", "Clark", D(2012, 8, 8))};
  std::vector<MisLearner> mis = {Mis("m1", "Mia", "Clark", D(2012, 8, 8))};
  std::vector<Row> rows = Classify(hub, mis, kAll);
  EXPECT_THAT(Lines(rows), ElementsAre(Line{RowStatus::kMayMatch, "h1", "m1"},
                                       Line{RowStatus::kNotMatched, "h2", ""}));
  EXPECT_THAT(rows[0].explanation.reason(), HasSubstr("Another record"));
}

TEST(Classify, LinkedMisRecordIsNotOfferedToOthers) {
  std::vector<HubLearner> hub = {
      Linked(Hub("h_linked", "Noah", "Bird", D(2012, 2, 2)), "m1"),
      Hub("h_copy", "Noah", "Bird", D(2012, 2, 2))};
  EXPECT_THAT(
      Lines(Classify(hub, {Mis("m1", "Noah", "Bird", D(2012, 2, 2))}, kAll)),
      ElementsAre(Line{RowStatus::kSynced, "h_linked", "m1"},
                  Line{RowStatus::kNotMatched, "h_copy", ""}));
}

// UnlinkLearner's pair: the same child on both sides, which would be
// Matched, stays apart (Not matched and New, each saying why), while the
// other learners pair as before.
TEST(Classify, AnUnlinkedPairIsNeverMadeAgain) {
  std::vector<HubLearner> hub = {
      Hub("h_oliver", "Oliver", "Smith", D(2012, 3, 5)),
      Hub("h_ruby", "Ruby", "Stone", D(2012, 6, 10))};
  std::vector<MisLearner> mis = {
      Mis("m_oliver", "Oliver", "Smith", D(2012, 3, 5)),
      Mis("m_ruby", "Ruby", "Stone", D(2012, 6, 10))};
  ASSERT_THAT(Lines(Classify(hub, mis, kAll)),
              Contains(Line{RowStatus::kMatched, "h_oliver", "m_oliver"}));
  const std::vector<UnlinkedPair> unlinked = {{"h_oliver", "m_oliver"},
                                              {"h_gone", "m_ruby"}};
  std::vector<Row> rows =
      Classify(hub, mis, kAll, nullptr, {.unlinked = &unlinked});
  EXPECT_THAT(Lines(rows),
              ElementsAre(Line{RowStatus::kMatched, "h_ruby", "m_ruby"},
                          Line{RowStatus::kNotMatched, "h_oliver", ""},
                          Line{RowStatus::kNew, "", "m_oliver"}));
  EXPECT_THAT(rows[1].explanation.reason(),
              HasSubstr("unlinked this learner from MIS record m_oliver"));
  EXPECT_THAT(rows[2].explanation.reason(),
              HasSubstr("unlinked this MIS record from hub learner h_oliver"));
}

// The unlinked pair is no rival either: a second hub record of the same
// child is Matched with the MIS record, not held back as contested.
TEST(Classify, AnUnlinkedPairDoesNotContestAnother) {
  std::vector<HubLearner> hub = {Hub("h_old", "Mia", "Clark", D(2012, 8, 8)),
                                 Hub("h_new", "Mia", "Clark", D(2012, 8, 8))};
  std::vector<MisLearner> mis = {Mis("m1", "Mia", "Clark", D(2012, 8, 8))};
  const std::vector<UnlinkedPair> unlinked = {{"h_old", "m1"}};
  EXPECT_THAT(Lines(Classify(hub, mis, kAll, nullptr, {.unlinked = &unlinked})),
              ElementsAre(Line{RowStatus::kMatched, "h_new", "m1"},
                          Line{RowStatus::kNotMatched, "h_old", ""}));
}

TEST(Classify, NamesCompareAfterNormalisation) {
  std::vector<HubLearner> hub = {
      Hub("h1", "Zoë", "Adams", D(2012, 1, 11)),
      Hub("h2", "Łukasz", "Nowak", D(2012, 1, 12)),
      Hub("h3", "Sean", "O'Brien", D(2012, 1, 13)),
      Hub("h4", "Pieter", "van der Berg", D(2012, 1, 14))};
  std::vector<MisLearner> mis = {
      Mis("m1", "Zoe", "Adams", D(2012, 1, 11)),
      Mis("m2", "Lukasz", "Nowak", D(2012, 1, 12)),
      Mis("m3", "Sean", "OBrien", D(2012, 1, 13)),
      Mis("m4", "Pieter", "Van Der Berg", D(2012, 1, 14))};
  EXPECT_THAT(Lines(Classify(hub, mis, kAll)),
              UnorderedElementsAre(Line{RowStatus::kMatched, "h1", "m1"},
                                   Line{RowStatus::kMatched, "h2", "m2"},
                                   Line{RowStatus::kMatched, "h3", "m3"},
                                   Line{RowStatus::kMatched, "h4", "m4"}));
}

TEST(Classify, ExplainListsEveryFieldAndScoreIsTheirSum) {
  Explanation e = Explain(Hub("h1", "Ella", "Fox", D(2012, 5, 6), "7", "7B"),
                          Mis("m1", "Ella", "Fox", D(2012, 6, 5), "7", "7A"));
  std::vector<std::string> fields;
  double sum = 0;
  for (const FieldEvidence& f : e.fields) {
    fields.push_back(std::string(f.field));
    sum += f.weight;
  }
  EXPECT_THAT(fields,
              ElementsAre("upn", "forename", "surname", "date_of_birth",
                          "gender", "year_group", "registration_group"));
  EXPECT_DOUBLE_EQ(e.score, sum);
  EXPECT_THAT(e.fields,
              Contains(Field(&FieldEvidence::level, "day_month_swapped")));
  EXPECT_THAT(e.reason, HasSubstr("different registration group"));
}

// A small school with the awkward cases mixed in.
void School(std::vector<HubLearner>* hub, std::vector<MisLearner>* mis) {
  const char* fore[] = {"Amy", "Ben", "Cal", "Dee", "Eli", "Fay", "Gil", "Hal"};
  const char* sur[] = {"Ash", "Birch", "Cedar", "Dale", "Elm"};
  int n = 0;
  for (const char* f : fore) {
    for (const char* s : sur) {
      ++n;
      Date dob = D(2012, 1 + n % 12, 1 + n % 28);
      std::string id = std::to_string(100 + n);
      if (n % 3 != 0) hub->push_back(Hub("h" + id, f, s, dob));
      if (n % 4 != 0) mis->push_back(Mis("m" + id, f, s, dob));
      if (n % 7 == 0) hub->push_back(Hub("hdup" + id, f, s, dob));
    }
  }
  hub->push_back(Linked(Hub("hl1", "Ian", "Fir", D(2012, 3, 3)), "ml1"));
  hub->push_back(Linked(Hub("hl2", "Jo", "Gum", D(2012, 3, 4)), "gone"));
  mis->push_back(Mis("ml1", "Ian", "Fir", D(2012, 3, 3)));
}

TEST(Classify, InputOrderDoesNotChangeTheRows) {
  std::vector<HubLearner> hub;
  std::vector<MisLearner> mis;
  School(&hub, &mis);
  const std::vector<Row> want = Classify(hub, mis, kAll);
  std::mt19937 rng(42);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(hub.begin(), hub.end(), rng);
    std::shuffle(mis.begin(), mis.end(), rng);
    std::vector<Row> got = Classify(hub, mis, kAll);
    ASSERT_EQ(Lines(got), Lines(want)) << "round " << round;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].row_id, want[i].row_id);
      EXPECT_EQ(got[i].explanation.reason(), want[i].explanation.reason());
    }
  }
}

// What the admin sees of every row, evidence included.
using FullLine = std::tuple<int64_t, RowStatus, std::string, std::string,
                            double, std::string>;
std::vector<FullLine> FullLines(const std::vector<Row>& rows) {
  std::vector<FullLine> out;
  for (const Row& r : rows) {
    out.emplace_back(r.row_id, r.status, r.hub_learner_id, r.mis_id,
                     r.explanation.score(), r.explanation.reason());
  }
  return out;
}

// The server builds the MIS side of matching on the Pupils panel (SetScope)
// and hands it to Classify: the rows must be exactly those Classify makes on
// its own, for the scope it was built for; one built for another scope is
// not used.
TEST(Classify, MatchIndexBuiltInAdvanceGivesTheSameRows) {
  std::vector<HubLearner> hub;
  std::vector<MisLearner> mis;
  School(&hub, &mis);
  // A re-keyed record (its MIS record gone, a free one with its UPN): the
  // free MIS record it takes must not also be paired or shown as New.
  const std::string upn = ValidUpn("820300101001");
  hub.push_back(Linked(Hub("hrekey", "Kit", "Oak", D(2012, 5, 6)), "old-id"));
  hub.back().upn = upn;
  mis.push_back(Mis("new-id", "Kit", "Oak", D(2012, 5, 6)));
  mis.back().upn = upn;
  // Year 8 learners, for a scope that leaves some out.
  hub.push_back(Hub("h8", "Lou", "Yew", D(2011, 2, 3), "8", "8B"));
  mis.push_back(Mis("m8", "Lou", "Yew", D(2011, 2, 3), "8", "8B"));
  const Scope year7{ScopeKind::kYearGroups, {"7"}};
  const ClassifyIndex index = IndexForClassify(hub, mis);
  for (const Scope& scope : {kAll, year7}) {
    const std::vector<Row> alone = Classify(hub, mis, scope);
    ASSERT_THAT(Lines(alone),
                Contains(Line{RowStatus::kMatched, "hrekey", "new-id"}));
    EXPECT_EQ(std::count_if(alone.begin(), alone.end(),
                            [](const Row& r) { return r.mis_id == "new-id"; }),
              1);
    const std::vector<Row> ready = Classify(
        hub, mis, scope, nullptr,
        {.index = &index, .match = BuildMatchIndex(mis, index, scope)});
    EXPECT_EQ(FullLines(ready), FullLines(alone));
  }
  // Built for Year 7, used for all: rebuilt, so Year 8 is matched too.
  const std::vector<Row> other =
      Classify(hub, mis, kAll, nullptr,
               {.index = &index, .match = BuildMatchIndex(mis, index, year7)});
  EXPECT_THAT(Lines(other), Contains(Line{RowStatus::kMatched, "h8", "m8"}));
  EXPECT_EQ(FullLines(other), FullLines(Classify(hub, mis, kAll)));
}

TEST(Classify, EveryLearnerAppearsInExactlyOneRow) {
  std::vector<HubLearner> hub;
  std::vector<MisLearner> mis;
  School(&hub, &mis);
  std::vector<std::string> hub_ids, mis_ids;
  for (const Row& r : Classify(hub, mis, kAll)) {
    if (!r.hub_learner_id.empty()) hub_ids.push_back(r.hub_learner_id);
    if (!r.mis_id.empty()) mis_ids.push_back(r.mis_id);
  }
  EXPECT_EQ(hub_ids.size(), hub.size());
  EXPECT_EQ(mis_ids.size(), mis.size());
  std::sort(hub_ids.begin(), hub_ids.end());
  std::sort(mis_ids.begin(), mis_ids.end());
  EXPECT_EQ(std::adjacent_find(hub_ids.begin(), hub_ids.end()), hub_ids.end());
  EXPECT_EQ(std::adjacent_find(mis_ids.begin(), mis_ids.end()), mis_ids.end());
}

TEST(Classify, OnBatchReceivesEveryRowInOrder) {
  std::vector<HubLearner> hub;
  std::vector<MisLearner> mis;
  School(&hub, &mis);
  std::vector<std::vector<Row>> batches;
  const std::vector<Row> returned = Classify(
      hub, mis, kAll,
      [&](std::vector<Row> b) { batches.push_back(std::move(b)); },
      ClassifyOptions{.batch_size = 4});
  // The batches are the only copy; the same rows as without on_batch.
  EXPECT_THAT(returned, IsEmpty());
  const std::vector<Row> rows = Classify(hub, mis, kAll);
  ASSERT_GT(batches.size(), 2u);
  std::vector<Row> joined;
  size_t full = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    // At most batch_size; the first Synced slice goes out early, short.
    EXPECT_LE(batches[i].size(), 4u);
    full += batches[i].size() == 4u;
    EXPECT_THAT(batches[i], ::testing::Not(IsEmpty()));
    joined.insert(joined.end(), batches[i].begin(), batches[i].end());
  }
  EXPECT_GE(full, batches.size() - 2);  // all but the early one and the last
  EXPECT_EQ(Lines(joined), Lines(rows));
  for (size_t i = 0; i < joined.size(); ++i) {
    EXPECT_EQ(joined[i].row_id, static_cast<int64_t>(i) + 1);
  }
}

TEST(Classify, LargeSchoolMatchesEveryoneByName) {
  // 2,000 distinct children; also the size the 50 ms budget is set for.
  std::vector<HubLearner> hub;
  std::vector<MisLearner> mis;
  for (int i = 0; i < 2000; ++i) {
    std::string f = "Fore" + std::to_string(i % 97);
    // Surnames at least two keystrokes apart (a letter code written
    // twice), so no two children differ by one typo of the surname.
    const int k = i / 97;
    const std::string code = {static_cast<char>('a' + k % 26),
                              static_cast<char>('a' + k / 26)};
    std::string s = "S" + code + "ton" + code;
    Date dob = D(2008 + i % 7, 1 + i % 12, 1 + (i / 12) % 28);
    hub.push_back(Hub("h" + std::to_string(i), f, s, dob));
    mis.push_back(Mis("m" + std::to_string(i), f, s, dob));
  }
  std::vector<Row> rows = Classify(hub, mis, kAll);
  ASSERT_EQ(rows.size(), 2000u);
  for (const Row& r : rows) {
    ASSERT_EQ(r.status, RowStatus::kMatched)
        << r.hub_learner_id << " " << r.mis_id << " " << r.explanation.reason();
    ASSERT_EQ(r.hub_learner_id.substr(1), r.mis_id.substr(1));
  }
}

TEST(Classify, NewRowsComeInNameOrderWhateverTheNames) {
  // Names built to share long prefixes ("Abernathy", "Abernathy-Smith",
  // "abernathyson"), differ only in case, accents or punctuation, or be
  // short; 10,000 of them, so the two-thread sort and its merge run too.
  const std::vector<std::string> stems = {
      "Abernathy",      "Abernathy-Smith", "abernathyson", "Ab",
      "O'Brien",        "OBrien",          "Zoë",          "Zoe",
      "Christopherson", "Christophers",    "Lee",          "Li"};
  std::mt19937_64 rng(11);
  std::vector<MisLearner> mis;
  for (int i = 0; i < 10000; ++i) {
    mis.push_back(
        Mis("m" + std::to_string(rng() % 100000) + "_" + std::to_string(i),
            stems[rng() % stems.size()] + (rng() % 2 ? "" : "x"),
            stems[rng() % stems.size()], std::nullopt));
  }
  std::vector<std::tuple<std::string, std::string, std::string>> expected;
  for (const MisLearner& m : mis) {
    expected.emplace_back(NormaliseName(m.legal_surname),
                          NormaliseName(m.legal_forename), m.mis_id);
  }
  std::sort(expected.begin(), expected.end());
  const std::vector<Row> rows = Classify({}, mis, kAll);
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    ASSERT_EQ(rows[k].status, RowStatus::kNew);
    ASSERT_EQ(rows[k].mis_id, std::get<2>(expected[k])) << "row " << k;
  }
}

// Every Synced row reads exactly as Explain(hub, mis) has it. Returns the
// number of Synced rows.
int ExpectSyncedRowsExplainedLikeExplain(const std::vector<HubLearner>& hub,
                                         const std::vector<MisLearner>& mis) {
  absl::flat_hash_map<std::string, const HubLearner*> hub_by_id;
  for (const HubLearner& h : hub) hub_by_id[h.id] = &h;
  absl::flat_hash_map<std::string, const MisLearner*> mis_by_id;
  for (const MisLearner& m : mis) mis_by_id.try_emplace(m.mis_id, &m);
  int synced = 0;
  for (const Row& r : Classify(hub, mis, kAll)) {
    if (r.status != RowStatus::kSynced) continue;
    ++synced;
    const Explanation want =
        Explain(*hub_by_id[r.hub_learner_id], *mis_by_id[r.mis_id]);
    EXPECT_EQ(r.explanation.score(), want.score) << r.hub_learner_id;
    EXPECT_EQ(r.explanation.reason(),
              "Linked by an earlier sync. " + want.reason)
        << r.hub_learner_id;
    EXPECT_EQ(r.explanation.fields().size(), want.fields.size())
        << r.hub_learner_id;
    for (size_t k = 0;
         k < want.fields.size() && k < r.explanation.fields().size(); ++k) {
      EXPECT_EQ(r.explanation.fields()[k].level, want.fields[k].level)
          << r.hub_learner_id;
    }
  }
  return synced;
}

// Synced rows whose hub record holds exactly the MIS fields are explained by
// the shape of the record (which fields are present), not by preparing each
// one. In a generated school, and in records that differ from one another
// in one field's presence each, where presence is not what it seems (a name
// of punctuation only, a gender "Unknown", a UPN that is not valid, a year
// of spaces; a non-ASCII name takes the long way), every row must still
// read exactly as Explain has it.
TEST(Classify, SyncedRowsOfEveryShapeExplainLikeExplain) {
  absl::StatusOr<synth::School> school = synth::Generate(3000, 11);
  ASSERT_TRUE(school.ok()) << school.status();
  EXPECT_GT(ExpectSyncedRowsExplainedLikeExplain(school->hub, school->mis),
            1000);

  MisLearner base = Mis("m", "Amy", "Ash", D(2012, 1, 2), "7", "7A");
  base.upn = ValidUpn("820400100006");
  base.gender = "F";
  std::vector<MisLearner> variants(12, base);
  variants[1].legal_forename = "--";
  variants[2].preferred_forename = "Ames";
  variants[3].legal_surname = "'";
  variants[4].preferred_surname = "Ash-Elm";
  variants[5].upn = "not a upn";
  variants[6].upn = "";
  variants[7].date_of_birth.reset();
  variants[8].gender = "Unknown";
  variants[9].year_group = " ";
  variants[10].registration_group = "  ";
  variants[11].legal_forename = "Zoë";
  std::vector<HubLearner> hub;
  std::vector<MisLearner> mis;
  for (size_t k = 0; k < variants.size(); ++k) {
    MisLearner m = variants[k];
    m.mis_id = "m" + std::to_string(k);
    HubLearner h =
        Linked(Hub("h" + std::to_string(k), m.legal_forename, m.legal_surname,
                   m.date_of_birth, m.year_group, m.registration_group),
               m.mis_id);
    h.preferred_forename = m.preferred_forename;
    h.preferred_surname = m.preferred_surname;
    h.upn = m.upn;
    h.gender = m.gender;
    hub.push_back(h);
    mis.push_back(m);
  }
  // Few rows: one thread, so every shape meets every other in one cache.
  EXPECT_EQ(ExpectSyncedRowsExplainedLikeExplain(hub, mis), 12);
}

TEST(Classify, SyncedRowsExplainThemselvesLikeExplain) {
  // One learner exactly as the MIS holds it (the usual Synced row, which
  // takes a shorter path), one whose hub record still has a nickname and an
  // old registration group.
  MisLearner same = Mis("m1", "Zoë", "O'Brien", D(2012, 3, 4), "8", "8QT");
  same.upn =
      "A820400100006";  // may be invalid: the explanation says so either way
  same.gender = "F";
  HubLearner same_hub =
      Linked(Hub("h1", "Zoë", "O'Brien", D(2012, 3, 4), "8", "8QT"), "m1");
  same_hub.upn = same.upn;
  same_hub.gender = "F";
  const MisLearner other =
      Mis("m2", "Oliver", "Smith", D(2011, 5, 6), "9", "9B");
  const HubLearner other_hub =
      Linked(Hub("h2", "Ollie", "Smith", D(2011, 5, 6), "9", "8B"), "m2");
  const std::vector<Row> rows =
      Classify({same_hub, other_hub}, {same, other}, kAll);
  ASSERT_EQ(rows.size(), 2u);
  for (const Row& r : rows) {
    ASSERT_EQ(r.status, RowStatus::kSynced);
    const bool first = r.hub_learner_id == "h1";
    const Explanation want =
        first ? Explain(same_hub, same) : Explain(other_hub, other);
    EXPECT_EQ(r.explanation.score(), want.score) << r.hub_learner_id;
    EXPECT_THAT(r.explanation.reason(), ::testing::HasSubstr(want.reason))
        << r.hub_learner_id;
    ASSERT_EQ(r.explanation.fields().size(), want.fields.size());
    for (size_t k = 0; k < want.fields.size(); ++k) {
      EXPECT_EQ(r.explanation.fields()[k].field, want.fields[k].field);
      EXPECT_EQ(r.explanation.fields()[k].level, want.fields[k].level);
      EXPECT_EQ(r.explanation.fields()[k].weight, want.fields[k].weight);
    }
  }
}

TEST(Classify, RowsThatScoredAlikeShareOneExplanation) {
  // At trust scale a million Synced rows hold a few thousand explanations,
  // not a million copies of them: each row says the same words, and rows
  // whose fields compared alike hold one object between them.
  std::vector<HubLearner> hub;
  std::vector<MisLearner> mis;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    mis.push_back(
        Mis("m" + n, "Name" + n, "Surname" + n, D(2012, 1, 1 + i % 28)));
    hub.push_back(
        Linked(Hub("h" + n, "Name" + n, "Surname" + n, D(2012, 1, 1 + i % 28)),
               "m" + n));
  }
  const std::vector<Row> rows = Classify(hub, mis, kAll);
  ASSERT_EQ(rows.size(), 40u);
  for (const Row& r : rows) {
    ASSERT_EQ(r.status, RowStatus::kSynced);
    EXPECT_EQ(r.explanation.reason(), rows[0].explanation.reason());
    EXPECT_EQ(r.explanation.evidence(), rows[0].explanation.evidence())
        << r.hub_learner_id;
  }
  EXPECT_THAT(rows[0].explanation.reason(),
              ::testing::StartsWith(
                  "Linked by an earlier sync. Same forename, surname"));
}

}  // namespace
}  // namespace hubsync
