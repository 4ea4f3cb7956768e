// The records a session's rows refer to, found by id or by a row's hints.
#include "server/session/row_context.h"

#include <vector>

#include "common/classify.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

HubLearner Hub(std::string id, std::string forename, std::string mis_id = "") {
  HubLearner h;
  h.id = std::move(id);
  h.legal_forename = std::move(forename);
  h.legal_surname = "Rose";
  h.mis_id = std::move(mis_id);
  h.sync_state = h.mis_id.empty() ? SyncState::kUnsynced : SyncState::kSynced;
  return h;
}

MisLearner Mis(std::string id, std::string forename) {
  MisLearner m;
  m.mis_id = std::move(id);
  m.legal_forename = std::move(forename);
  m.legal_surname = "Rose";
  m.date_of_birth = Date{2013, 9, 4};
  return m;
}

RowContext Context() {
  MisSnapshot snapshot;
  snapshot.learners = {Mis("m1", "Amy"), Mis("m2", "Ben"), Mis("m3", "Cal"),
                       Mis("m2", "Dup")};
  return RowContext(
      {Hub("h1", "Amy", "m1"), Hub("h2", "Ben"), Hub("h3", "Cal")},
      std::move(snapshot));
}

TEST(RowContext, FindsLearnersByIdAndTheFirstOfARepeatedMisId) {
  const RowContext c = Context();
  ASSERT_NE(c.FindHub("h2"), nullptr);
  EXPECT_EQ(c.FindHub("h2")->legal_forename, "Ben");
  EXPECT_EQ(c.FindHub("h9"), nullptr);
  EXPECT_EQ(c.FindHub(""), nullptr);
  ASSERT_NE(c.FindMis("m2"), nullptr);
  EXPECT_EQ(c.FindMis("m2")->legal_forename, "Ben");  // not the later "Dup"
  EXPECT_EQ(c.FindMis("m9"), nullptr);
}

TEST(RowContext, RowHintsAreUsedOnlyWhenTheRecordThereHasTheRowsId) {
  const RowContext c = Context();
  Row row;
  row.hub_learner_id = "h3";
  row.mis_id = "m3";
  // No hints, right hints, hints at other records, hints out of range:
  // always the records with the row's ids.
  for (auto [hub_index, mis_index] :
       std::vector<std::pair<int, int>>{{-1, -1}, {2, 2}, {0, 1}, {7, 9}}) {
    row.hub_index = hub_index;
    row.mis_index = mis_index;
    ASSERT_NE(c.HubOf(row), nullptr) << hub_index;
    EXPECT_EQ(c.HubOf(row)->legal_forename, "Cal") << hub_index;
    ASSERT_NE(c.MisOf(row), nullptr) << mis_index;
    EXPECT_EQ(c.MisOf(row)->legal_forename, "Cal") << mis_index;
  }
  // A hint at a later record with a repeated MIS id still gives the first.
  row.mis_id = "m2";
  row.mis_index = 3;
  EXPECT_EQ(c.MisOf(row)->legal_forename, "Ben");
  row.hub_learner_id = "h9";
  row.mis_id = "";
  row.hub_index = row.mis_index = 0;
  EXPECT_EQ(c.HubOf(row), nullptr);
  EXPECT_EQ(c.MisOf(row), nullptr);
}

TEST(RowContext, ClassifiedRowsPointAtTheirOwnLearners) {
  const RowContext c = Context();
  std::vector<Row> rows;
  Classify(c.hub(), c.snapshot().learners, Scope{},
           [&](std::vector<Row> batch) {
             for (Row& r : batch) rows.push_back(std::move(r));
           });
  ASSERT_FALSE(rows.empty());
  for (const Row& row : rows) {
    if (!row.hub_learner_id.empty()) {
      ASSERT_GE(row.hub_index, 0) << row.hub_learner_id;
      EXPECT_EQ(c.hub()[row.hub_index].id, row.hub_learner_id);
    }
    if (!row.mis_id.empty()) {
      ASSERT_GE(row.mis_index, 0) << row.mis_id;
      EXPECT_EQ(c.snapshot().learners[row.mis_index].mis_id, row.mis_id);
    }
  }
}

}  // namespace
}  // namespace hubsync
