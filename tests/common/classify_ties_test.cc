// A hub learner who fits two MIS learners equally well is not paired with
// either: the MIS is the authority, so those are two different children.
#include "common/classify.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::HasSubstr;

template <typename L>
L Person(std::string forename, std::string surname) {
  L l;
  l.legal_forename = std::move(forename);
  l.legal_surname = std::move(surname);
  l.date_of_birth = Date{2012, 6, 1};
  l.year_group = "7";
  l.registration_group = "7A";
  return l;
}

const Row* Find(const std::vector<Row>& rows, const std::string& id) {
  for (const Row& r : rows) {
    if (r.hub_learner_id == id || r.mis_id == id) return &r;
  }
  return nullptr;
}

TEST(ClassifyTies, HubTypoBetweenTwinsPairsWithNeither) {
  // "Jaco" is one letter from both "Jack" and "Jacob", twins on the MIS.
  HubLearner jaco = Person<HubLearner>("Jaco", "Jones");
  jaco.id = "h_jaco";
  MisLearner jack = Person<MisLearner>("Jack", "Jones");
  jack.mis_id = "m_jack";
  MisLearner jacob = Person<MisLearner>("Jacob", "Jones");
  jacob.mis_id = "m_jacob";
  std::vector<Row> rows = Classify({jaco}, {jack, jacob}, Scope{});
  ASSERT_EQ(rows.size(), 3u);
  ASSERT_NE(Find(rows, "h_jaco"), nullptr);
  EXPECT_EQ(Find(rows, "h_jaco")->status, RowStatus::kNotMatched);
  EXPECT_THAT(Find(rows, "h_jaco")->explanation.reason(),
              HasSubstr("match by hand"));
  EXPECT_EQ(Find(rows, "m_jack")->status, RowStatus::kNew);
  EXPECT_EQ(Find(rows, "m_jacob")->status, RowStatus::kNew);
}

TEST(ClassifyTies, TheTwinWithAnExactRecordStillPairs) {
  // Hub Jack is exact for MIS Jack, so that pair is taken first (May match
  // only, as Jaco is a close rival); Jaco is then left with Jacob alone and
  // no tie remains.
  HubLearner jack_hub = Person<HubLearner>("Jack", "Jones");
  jack_hub.id = "h_jack";
  HubLearner jaco = Person<HubLearner>("Jaco", "Jones");
  jaco.id = "h_jaco";
  MisLearner jack = Person<MisLearner>("Jack", "Jones");
  jack.mis_id = "m_jack";
  MisLearner jacob = Person<MisLearner>("Jacob", "Jones");
  jacob.mis_id = "m_jacob";
  std::vector<Row> rows = Classify({jaco, jack_hub}, {jacob, jack}, Scope{});
  EXPECT_EQ(Find(rows, "h_jack")->status, RowStatus::kMayMatch);
  EXPECT_EQ(Find(rows, "h_jack")->mis_id, "m_jack");
  EXPECT_EQ(Find(rows, "h_jaco")->status, RowStatus::kMayMatch);
  EXPECT_EQ(Find(rows, "h_jaco")->mis_id, "m_jacob");
}

}  // namespace
}  // namespace hubsync
