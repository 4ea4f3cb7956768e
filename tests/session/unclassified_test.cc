// The benchmark baseline's stand-in for Classify: rows without matching.
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/session/session_manager.h"

namespace hubsync {
namespace {

TEST(UnclassifiedRowsTest, HubNotMatchedThenMisNewInBatches) {
  std::vector<HubLearner> hub(700);
  for (size_t i = 0; i < hub.size(); ++i)
    hub[i].id = "lrn_" + std::to_string(i);
  std::vector<MisLearner> mis(400);
  for (size_t i = 0; i < mis.size(); ++i)
    mis[i].mis_id = "m" + std::to_string(i);
  mis[3].email = "a@example.org";
  std::vector<Row> rows;
  std::vector<size_t> sizes;
  std::vector<Row> returned =
      UnclassifiedRows(hub, mis, Scope{}, [&](std::vector<Row> batch) {
        sizes.push_back(batch.size());
        for (Row& r : batch) rows.push_back(std::move(r));
      });
  EXPECT_TRUE(returned.empty());
  EXPECT_THAT(sizes, ::testing::ElementsAre(500, 500, 100));
  ASSERT_EQ(rows.size(), 1100u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].row_id, static_cast<int64_t>(i + 1));
    if (i < hub.size()) {
      EXPECT_EQ(rows[i].status, RowStatus::kNotMatched);
      EXPECT_EQ(rows[i].hub_learner_id, hub[i].id);
      EXPECT_EQ(rows[i].mis_id, "");
    } else {
      EXPECT_EQ(rows[i].status, RowStatus::kNew);
      EXPECT_EQ(rows[i].mis_id, mis[i - hub.size()].mis_id);
      EXPECT_EQ(rows[i].sync_email, i - hub.size() == 3);
    }
  }
}

}  // namespace
}  // namespace hubsync
