// What Save will write, worked out from the screen, without a database.
#include "server/session/save_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace hubsync {
namespace {

using ::hubsync::testing::IsOk;

HubLearner Hub(std::string id, std::string forename, SyncState state,
               std::string mis_id = "") {
  HubLearner h;
  h.id = std::move(id);
  h.school_id = "sch_1";
  h.legal_forename = std::move(forename);
  h.legal_surname = "Old";
  h.year_group = "7";
  h.registration_group = "7A";
  h.classes = {"7x/Ma1"};
  h.email = "old@example.org";
  h.mis_id = std::move(mis_id);
  h.sync_state = state;
  return h;
}

MisLearner Mis(std::string id, std::string forename, std::string email = "") {
  MisLearner m;
  m.mis_id = std::move(id);
  m.legal_forename = std::move(forename);
  m.legal_surname = "New";
  m.date_of_birth = Date{2013, 9, 4};
  m.year_group = "8";
  m.registration_group = "8B";
  m.registration_group_mis_id = "reg-8B";
  m.class_mis_ids = {"c-sci"};
  m.classes = {"8y/Sc1"};
  m.email = std::move(email);
  return m;
}

Row R(int64_t id, RowStatus s, std::string hub, std::string mis,
      bool import = false, bool email = false) {
  Row r;
  r.row_id = id;
  r.status = s;
  r.hub_learner_id = std::move(hub);
  r.mis_id = std::move(mis);
  r.import = import;
  r.sync_email = email;
  return r;
}

TEST(SavePlanTest, EachStatusDoesWhatTheTableSays) {
  MisSnapshot snap;
  snap.learners = {Mis("m-a", "Ann", "ann@example.org"), Mis("m-c", "Cy"),
                   Mis("m-f", "Fay", "fay@example.org"), Mis("m-g", "Gus")};
  RowContext ctx({Hub("lrn_a", "Ann", SyncState::kSynced, "m-a"),
                  Hub("lrn_b", "Bo", SyncState::kSynced, "m-gone"),
                  Hub("lrn_c", "Cy", SyncState::kUnsynced),
                  Hub("lrn_e", "Eve", SyncState::kUnsynced)},
                 snap);
  SessionRecord session;
  session.id = "ses_1";
  session.school_id = "sch_1";
  session.admin = "ms admin";
  session.sync_emails = true;
  session.hub_version = 41;
  std::vector<Row> rows = {
      R(1, RowStatus::kSynced, "lrn_a", "m-a", false, /*email=*/true),
      R(2, RowStatus::kDesynced, "lrn_b", ""),
      R(3, RowStatus::kMayMatch, "lrn_c", "m-c"),
      R(4, RowStatus::kNotMatched, "lrn_e", ""),
      R(5, RowStatus::kNew, "", "m-f", /*import=*/true),
      R(6, RowStatus::kNew, "", "m-g", /*import=*/false)};
  auto plan = BuildSavePlan(session, rows, ctx);
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->expected_hub_version, 41);
  // The session's free-text admin label is never the audit actor: Save
  // fills in the authenticated caller.
  EXPECT_EQ(plan->actor.name, "");
  EXPECT_EQ(plan->actor.key_id, "");
  EXPECT_EQ(plan->unaffected, 1);
  ASSERT_EQ(plan->changes.size(), 4u);

  const PlannedChange& refresh = plan->changes[0];
  EXPECT_EQ(refresh.change, LearnerChange::kRefresh);
  EXPECT_EQ(refresh.after.year_group, "8");
  EXPECT_EQ(refresh.after.registration_group, "8B");
  EXPECT_EQ(refresh.after.email, "ann@example.org");
  EXPECT_TRUE(refresh.queue_verification_email);
  EXPECT_THAT(refresh.class_mis_ids,
              ::testing::UnorderedElementsAre("c-sci", "reg-8B"));

  const PlannedChange& desync = plan->changes[1];
  EXPECT_EQ(desync.change, LearnerChange::kDesync);
  EXPECT_EQ(desync.after.sync_state, SyncState::kDesynced);
  EXPECT_EQ(desync.after.year_group, "7") << "keeps its year group";
  EXPECT_EQ(desync.after.registration_group, "7A") << "keeps its class";

  const PlannedChange& link = plan->changes[2];
  EXPECT_EQ(link.change, LearnerChange::kLink);
  EXPECT_EQ(link.after.id, "lrn_c");
  EXPECT_EQ(link.after.mis_id, "m-c");
  EXPECT_EQ(link.after.legal_surname, "New");
  EXPECT_EQ(link.after.sync_state, SyncState::kSynced);
  EXPECT_EQ(link.after.email, "old@example.org") << "email only when ticked";
  EXPECT_FALSE(link.queue_verification_email);

  const PlannedChange& import = plan->changes[3];
  EXPECT_EQ(import.change, LearnerChange::kImport);
  EXPECT_EQ(import.after.id, "");
  EXPECT_EQ(import.after.mis_id, "m-f");
  EXPECT_EQ(import.after.school_id, "sch_1");
  EXPECT_EQ(import.after.email, "") << "Fay's email was not ticked";
}

TEST(SavePlanTest, EmailTicksDoNothingWhenTheOptionIsOff) {
  MisSnapshot snap;
  snap.learners = {Mis("m-a", "Ann", "ann@example.org")};
  RowContext ctx({Hub("lrn_a", "Ann", SyncState::kSynced, "m-a")}, snap);
  SessionRecord session;
  session.sync_emails = false;
  auto plan = BuildSavePlan(
      session, {R(1, RowStatus::kSynced, "lrn_a", "m-a", false, true)}, ctx);
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->changes.size(), 1u);
  EXPECT_FALSE(plan->changes[0].queue_verification_email);
  EXPECT_EQ(plan->changes[0].after.email, "old@example.org");
}

// Issue 20: re-syncing an address the learner has verified sends nothing
// (and, the record being as the MIS has it, leaves the learner alone); a
// changed address sends a new verification.
TEST(SavePlanTest, AVerifiedAddressGetsNoNewVerificationAChangedOneDoes) {
  MisSnapshot snap;
  snap.learners = {Mis("m-a", "Ann", "Ann@Example.org"),
                   Mis("m-b", "Ben", "ben.new@example.org")};
  HubLearner ann = OverwriteFromMis(
      Hub("lrn_a", "Ann", SyncState::kSynced, "m-a"), snap.learners[0], true);
  HubLearner ben = OverwriteFromMis(
      Hub("lrn_b", "Ben", SyncState::kSynced, "m-b"), snap.learners[1], false);
  RowContext ctx({ann, ben}, snap, -1, {},
                 {{"lrn_a", "ann@example.org"}, {"lrn_b", "ben@example.org"}});
  SessionRecord session;
  session.sync_emails = true;
  auto plan =
      BuildSavePlan(session,
                    {R(1, RowStatus::kSynced, "lrn_a", "m-a", false, true),
                     R(2, RowStatus::kSynced, "lrn_b", "m-b", false, true)},
                    ctx);
  ASSERT_THAT(plan, IsOk());
  EXPECT_EQ(plan->unaffected, 1);  // Ann: verified, nothing to change
  ASSERT_EQ(plan->changes.size(), 1u);
  EXPECT_EQ(plan->changes[0].after.id, "lrn_b");
  EXPECT_TRUE(plan->changes[0].queue_verification_email);
  EXPECT_EQ(plan->changes[0].after.email, "ben.new@example.org");
}

TEST(SavePlanTest, UpToDateSyncedLearnerIsNotRewritten) {
  MisSnapshot snap;
  snap.learners = {Mis("m-a", "Ann")};
  HubLearner hub = OverwriteFromMis(
      Hub("lrn_a", "Ann", SyncState::kSynced, "m-a"), snap.learners[0], false);
  RowContext ctx({hub}, snap);
  auto plan = BuildSavePlan(SessionRecord{},
                            {R(1, RowStatus::kSynced, "lrn_a", "m-a")}, ctx);
  ASSERT_THAT(plan, IsOk());
  EXPECT_TRUE(plan->changes.empty());
  EXPECT_EQ(plan->unaffected, 1);
}

// The store may skip reading a learner back only when the session's copies
// were read at the hub version the session classified against.
TEST(SavePlanTest, CopiesAreVouchedForOnlyAtTheClassifiedHubVersion) {
  MisSnapshot snap;
  snap.learners = {Mis("m-a", "Ann")};
  const std::vector<Row> rows = {R(1, RowStatus::kMatched, "lrn_a", "m-a")};
  SessionRecord session;
  session.hub_version = 7;
  for (int64_t read_at : {int64_t{7}, int64_t{8}, int64_t{-1}}) {
    RowContext ctx({Hub("lrn_a", "Ann", SyncState::kUnsynced)}, snap, read_at);
    auto plan = BuildSavePlan(session, rows, ctx);
    ASSERT_THAT(plan, IsOk());
    EXPECT_EQ(plan->before_is_stored, read_at == 7) << "read at " << read_at;
  }
}

}  // namespace
}  // namespace hubsync
