// A linked learner whose MIS id vanished while a free MIS record carries
// the same valid UPN (the MIS re-keyed its records, or the school changed
// MIS provider) is offered as a re-link, not as Desynced plus New.
#include <string>
#include <vector>

#include "common/classify.h"
#include "common/upn.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::HasSubstr;

std::string Upn(std::string body12) {
  return std::string(1, *UpnCheckLetter(body12)) + body12;
}

HubLearner LinkedHub(std::string id, std::string old_mis_id, std::string upn) {
  HubLearner h;
  h.id = std::move(id);
  h.legal_forename = "Amelia";
  h.legal_surname = "Hughes";
  h.date_of_birth = Date{2012, 3, 14};
  h.year_group = "8";
  h.registration_group = "8B";
  h.upn = std::move(upn);
  h.mis_id = std::move(old_mis_id);
  h.sync_state = SyncState::kSynced;
  return h;
}

MisLearner Mis(std::string mis_id, std::string upn) {
  MisLearner m;
  m.mis_id = std::move(mis_id);
  m.legal_forename = "Amelia";
  m.legal_surname = "Hughes";
  m.date_of_birth = Date{2012, 3, 14};
  m.year_group = "8";
  m.registration_group = "8B";
  m.upn = std::move(upn);
  return m;
}

const Row* Find(const std::vector<Row>& rows, const std::string& id) {
  for (const Row& r : rows) {
    if (r.hub_learner_id == id || r.mis_id == id) return &r;
  }
  return nullptr;
}

TEST(ClassifyRelink, VanishedMisIdWithSameUpnIsAMatchedRelink) {
  const std::string upn = Upn("820400100001");
  std::vector<Row> rows =
      Classify({LinkedHub("h1", "old-1", upn)}, {Mis("new-1", upn)}, Scope{});
  ASSERT_EQ(rows.size(), 1u) << "one row, not a Desynced and a New";
  EXPECT_EQ(rows[0].status, RowStatus::kMatched);
  EXPECT_EQ(rows[0].hub_learner_id, "h1");
  EXPECT_EQ(rows[0].mis_id, "new-1");
  EXPECT_THAT(rows[0].explanation.reason(), HasSubstr("Re-link"));
  EXPECT_THAT(rows[0].explanation.reason(), HasSubstr("old-1"));
  EXPECT_FALSE(rows[0].explanation.fields().empty());
}

TEST(ClassifyRelink, UpnCarriedByTwoFreeRecordsIsNotGuessed) {
  const std::string upn = Upn("820400100002");
  std::vector<Row> rows =
      Classify({LinkedHub("h1", "old-1", upn)},
               {Mis("new-1", upn), Mis("new-2", upn)}, Scope{});
  ASSERT_NE(Find(rows, "h1"), nullptr);
  EXPECT_EQ(Find(rows, "h1")->status, RowStatus::kDesynced);
  EXPECT_EQ(Find(rows, "new-1")->status, RowStatus::kNew);
  EXPECT_EQ(Find(rows, "new-2")->status, RowStatus::kNew);
}

TEST(ClassifyRelink, ContradictingForenameIsOnlyOfferedForReview) {
  // Same UPN, but the MIS says Oscar where the hub says Amelia: the admin
  // must look, so the re-link is a May match, never a silent Matched.
  const std::string upn = Upn("820400100003");
  MisLearner other = Mis("new-1", upn);
  other.legal_forename = "Oscar";
  std::vector<Row> rows =
      Classify({LinkedHub("h1", "old-1", upn)}, {other}, Scope{});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, RowStatus::kMayMatch);
  EXPECT_THAT(rows[0].explanation.reason(), HasSubstr("Re-link"));
}

TEST(ClassifyRelink, DifferentUpnIsNotRelinked) {
  std::vector<Row> rows =
      Classify({LinkedHub("h1", "old-1", Upn("820400100006"))},
               {Mis("new-1", Upn("820400100007"))}, Scope{});
  EXPECT_EQ(Find(rows, "h1")->status, RowStatus::kDesynced);
  EXPECT_EQ(Find(rows, "new-1")->status, RowStatus::kNew);
}

TEST(ClassifyRelink, MisIdStillPresentOutOfScopeStaysDesynced) {
  // The old record is still on the MIS, only outside the chosen scope: the
  // contract makes that Desynced, whatever other record has the UPN.
  const std::string upn = Upn("820400100004");
  MisLearner old_record = Mis("old-1", upn);
  old_record.year_group = "9";
  Scope year8{ScopeKind::kYearGroups, {"8"}};
  std::vector<Row> rows = Classify({LinkedHub("h1", "old-1", upn)},
                                   {old_record, Mis("new-1", upn)}, year8);
  EXPECT_EQ(Find(rows, "h1")->status, RowStatus::kDesynced);
}

TEST(ClassifyRelink, MisRecordAlreadyLinkedElsewhereIsNotTaken) {
  const std::string upn = Upn("820400100005");
  HubLearner holder = LinkedHub("h2", "new-1", upn);
  std::vector<Row> rows = Classify({LinkedHub("h1", "old-1", upn), holder},
                                   {Mis("new-1", upn)}, Scope{});
  EXPECT_EQ(Find(rows, "h2")->status, RowStatus::kSynced);
  EXPECT_EQ(Find(rows, "h1")->status, RowStatus::kDesynced);
}

}  // namespace
}  // namespace hubsync
