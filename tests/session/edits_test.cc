// The sync screen's edits on rows, without a database.
#include "server/session/edits.h"

#include "common/session_types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace hubsync {
namespace {

using ::hubsync::testing::IsOk;
using ::hubsync::testing::StatusIs;
using ::testing::HasSubstr;

Row MakeRow(int64_t id, RowStatus status, std::string hub, std::string mis) {
  Row r;
  r.row_id = id;
  r.status = status;
  r.hub_learner_id = std::move(hub);
  r.mis_id = std::move(mis);
  return r;
}

std::vector<Row> Screen() {
  return {MakeRow(1, RowStatus::kSynced, "lrn_a", "m-a"),
          MakeRow(2, RowStatus::kDesynced, "lrn_b", ""),
          MakeRow(3, RowStatus::kMatched, "lrn_c", "m-c"),
          MakeRow(4, RowStatus::kMayMatch, "lrn_d", "m-d"),
          MakeRow(5, RowStatus::kNotMatched, "lrn_e", ""),
          MakeRow(6, RowStatus::kNew, "", "m-f"),
          MakeRow(7, RowStatus::kNew, "", "m-g")};
}

const Row* Find(const std::vector<Row>& rows, const std::string& id) {
  for (const Row& r : rows) {
    if (r.hub_learner_id == id || r.mis_id == id) return &r;
  }
  return nullptr;
}

TEST(EditsTest, UnmatchSplitsIntoNotMatchedAndTickedNew) {
  std::vector<Row> rows = Screen();
  int64_t next = 8;
  auto delta = RowEditor(&rows, &next).Unmatch("lrn_d");
  ASSERT_THAT(delta, IsOk());
  EXPECT_EQ(Find(rows, "lrn_d")->status, RowStatus::kNotMatched);
  EXPECT_EQ(Find(rows, "lrn_d")->mis_id, "");
  const Row* split = Find(rows, "m-d");
  ASSERT_NE(split, nullptr);
  EXPECT_EQ(split->status, RowStatus::kNew);
  EXPECT_TRUE(split->import);
  EXPECT_EQ(split->row_id, 8);
  EXPECT_EQ(next, 9);
  EXPECT_EQ(delta->changed.size(), 2u);
}

TEST(EditsTest, UnmatchOfARelinkLeavesTheLinkedLearnerDesynced) {
  // Row 3 re-links a hub learner whose old MIS record is gone (Classify's
  // re-link): undoing it must not leave the learner synced to nothing.
  std::vector<Row> rows = Screen();
  int64_t next = 8;
  auto delta =
      RowEditor(&rows, &next).Unmatch("", "m-c", [](const std::string& id) {
        return id == "lrn_c";
      });
  ASSERT_THAT(delta, IsOk());
  EXPECT_EQ(Find(rows, "lrn_c")->status, RowStatus::kDesynced);
  EXPECT_THAT(Find(rows, "lrn_c")->explanation.reason(), HasSubstr("desynced"));
  EXPECT_EQ(Find(rows, "m-c")->status, RowStatus::kNew);
  EXPECT_TRUE(Find(rows, "m-c")->import);
}

TEST(EditsTest, UnmatchOfOtherStatusesIsRefusedAndChangesNothing) {
  for (const char* id : {"lrn_a", "lrn_b", "lrn_e", "m-f"}) {
    std::vector<Row> rows = Screen();
    int64_t next = 8;
    bool by_mis = id[0] == 'm';
    auto delta =
        RowEditor(&rows, &next).Unmatch(by_mis ? "" : id, by_mis ? id : "");
    EXPECT_THAT(delta, StatusIs(absl::StatusCode::kFailedPrecondition)) << id;
    EXPECT_EQ(rows.size(), Screen().size());
    EXPECT_EQ(next, 8);
  }
}

TEST(EditsTest, MatchPairsNotMatchedWithNew) {
  std::vector<Row> rows = Screen();
  int64_t next = 8;
  Explanation why;
  why.reason = "names differ";
  auto delta = RowEditor(&rows, &next).Match("lrn_e", "m-g", why);
  ASSERT_THAT(delta, IsOk());
  const Row* paired = Find(rows, "lrn_e");
  EXPECT_EQ(paired->status, RowStatus::kMatched);
  EXPECT_EQ(paired->mis_id, "m-g");
  EXPECT_TRUE(paired->decided_by_admin);
  EXPECT_THAT(paired->explanation.reason(), HasSubstr("matched by the admin"));
  EXPECT_EQ(rows.size(), Screen().size() - 1);
  EXPECT_EQ(delta->removed_ids, std::vector<int64_t>{7});
}

TEST(EditsTest, MatchNeedsNotMatchedAndNew) {
  std::vector<Row> rows = Screen();
  int64_t next = 8;
  RowEditor editor(&rows, &next);
  EXPECT_THAT(
      editor.Match("lrn_a", "m-g", {}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Synced")));
  EXPECT_THAT(
      editor.Match("lrn_e", "m-c", {}),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("Matched")));
  EXPECT_THAT(editor.Match("lrn_zz", "m-g", {}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("lrn_zz")));
  EXPECT_THAT(editor.Match("lrn_e", "m-zz", {}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("m-zz")));
  EXPECT_EQ(rows.size(), Screen().size());
}

TEST(EditsTest, ImportTicksOnlyNewRows) {
  std::vector<Row> rows = Screen();
  int64_t next = 8;
  RowEditor editor(&rows, &next);
  EXPECT_THAT(editor.SetImport("m-f", true), IsOk());
  EXPECT_TRUE(Find(rows, "m-f")->import);
  EXPECT_THAT(editor.SetImport("m-c", true),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  auto all = editor.SetImportAll(true);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->changed.size(), 1u);  // m-g; m-f was already ticked
  EXPECT_TRUE(Find(rows, "m-g")->import);
  EXPECT_FALSE(Find(rows, "m-c")->import);
}

TEST(EditsTest, EmailTicksNeedAnEmailAndAMisRecord) {
  std::vector<Row> rows = Screen();
  int64_t next = 8;
  RowEditor editor(&rows, &next);
  auto has_email = [](const std::string& id) { return id != "m-g"; };
  EXPECT_THAT(editor.SetSyncEmail("m-a", true, has_email), IsOk());
  EXPECT_TRUE(Find(rows, "m-a")->sync_email);
  EXPECT_THAT(
      editor.SetSyncEmail("m-g", true, has_email),
      StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("no email")));
  auto all = editor.SetSyncEmailAll(true, has_email);
  ASSERT_THAT(all, IsOk());
  for (const Row& r : rows) {
    bool expect = !r.mis_id.empty() && r.mis_id != "m-g";
    EXPECT_EQ(r.sync_email, expect) << r.row_id;
  }
  ASSERT_THAT(editor.SetSyncEmailAll(false, has_email), IsOk());
  for (const Row& r : rows) EXPECT_FALSE(r.sync_email) << r.row_id;
}

TEST(EditsTest, ReviewedIsForMayMatchRowsAndAllNeedsTheCount) {
  std::vector<Row> rows = Screen();
  rows.push_back(MakeRow(8, RowStatus::kMayMatch, "lrn_h", "m-h"));
  int64_t next = 9;
  RowEditor editor(&rows, &next);
  EXPECT_THAT(editor.SetReviewed("lrn_c", "", true),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("lrn_c is Matched")));
  EXPECT_THAT(editor.SetReviewed("", "m-nobody", true),
              StatusIs(absl::StatusCode::kNotFound));
  auto one = editor.SetReviewed("", "m-d", true);
  ASSERT_THAT(one, IsOk());
  ASSERT_EQ(one->changed.size(), 1u);
  EXPECT_TRUE(one->changed[0].reviewed);
  EXPECT_FALSE(one->before[0].reviewed);
  // Again: nothing changes, so nothing to audit.
  one = editor.SetReviewed("lrn_d", "", true);
  ASSERT_THAT(one, IsOk());
  EXPECT_TRUE(one->changed.empty());

  // One May match row (lrn_h) is left: "all" must say 1, nothing else.
  for (int64_t wrong : {0, 2}) {
    EXPECT_THAT(editor.SetReviewedAll(true, wrong),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("confirm_count = 1")));
  }
  EXPECT_FALSE(Find(rows, "lrn_h")->reviewed) << "a refusal changes nothing";
  auto all = editor.SetReviewedAll(true, 1);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->changed.size(), 1u);
  EXPECT_EQ(all->changed[0].hub_learner_id, "lrn_h");
  // Unmarking every one counts the two now marked.
  EXPECT_THAT(editor.SetReviewedAll(false, 1),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("confirm_count = 2")));
  ASSERT_THAT(editor.SetReviewedAll(false, 2), IsOk());
  EXPECT_FALSE(Find(rows, "lrn_d")->reviewed);
  EXPECT_EQ(CountRows(rows).unreviewed_may_match, 2);
}

TEST(EditsTest, MatchMarksThePairReviewedAndUnmatchClearsIt) {
  std::vector<Row> rows = Screen();
  int64_t next = 8;
  RowEditor editor(&rows, &next);
  ASSERT_THAT(editor.Match("lrn_e", "m-f", Explanation{}), IsOk());
  EXPECT_TRUE(Find(rows, "lrn_e")->reviewed) << "a pair made by hand";
  ASSERT_THAT(editor.SetReviewed("lrn_d", "", true), IsOk());
  ASSERT_THAT(editor.Unmatch("lrn_d"), IsOk());
  EXPECT_FALSE(Find(rows, "lrn_d")->reviewed);
  EXPECT_FALSE(Find(rows, "m-d")->reviewed);
}

}  // namespace
}  // namespace hubsync
