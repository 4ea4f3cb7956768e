// The sync screen's model: rows arriving in batches, counts, the filter and
// search, the cursor, and the requests the keys send (with the session's
// version), including the two-step Match.
#include "client/console/model.h"

#include <clocale>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::console {
namespace {

using ::testing::HasSubstr;

v1::Row HubRow(int64_t id, v1::RowStatus status, const std::string& learner,
               const std::string& forename, const std::string& surname) {
  v1::Row r;
  r.set_row_id(id);
  r.set_status(status);
  r.mutable_hub()->set_learner_id(learner);
  r.mutable_hub()->set_legal_forename(forename);
  r.mutable_hub()->set_legal_surname(surname);
  return r;
}

v1::Row MisRow(int64_t id, const std::string& mis, const std::string& forename,
               const std::string& surname, bool email = false) {
  v1::Row r;
  r.set_row_id(id);
  r.set_status(v1::ROW_STATUS_NEW);
  r.mutable_mis()->set_mis_id(mis);
  r.mutable_mis()->set_legal_forename(forename);
  r.mutable_mis()->set_legal_surname(surname);
  if (email) {
    r.mutable_mis()->set_email(forename + "@example.org");
    r.set_email_available(true);
  }
  return r;
}

v1::Row Pair(int64_t id, v1::RowStatus status, const std::string& learner,
             const std::string& mis, const std::string& forename,
             const std::string& surname) {
  v1::Row r = HubRow(id, status, learner, forename, surname);
  *r.mutable_mis() = MisRow(id, mis, forename, surname).mis();
  return r;
}

v1::RowBatch Batch(std::vector<v1::Row> rows, bool done = false) {
  v1::RowBatch b;
  for (auto& r : rows) *b.add_rows() = r;
  b.set_classified(b.rows_size());
  b.set_done(done);
  return b;
}

v1::Session Session(int64_t version, bool emails = false) {
  v1::Session s;
  s.set_session_id("ses_1");
  s.set_version(version);
  s.set_step(v1::SESSION_STEP_SYNC_SCREEN);
  s.set_sync_email_addresses(emails);
  return s;
}

// The rows of the demo's second sync, in short.
SyncModel Demo(bool emails = false) {
  SyncModel m;
  m.SetSession(Session(7, emails));
  m.AddBatch(
      Batch({Pair(1, v1::ROW_STATUS_SYNCED, "lrn_a", "m-a", "Amelia", "Jones"),
             HubRow(2, v1::ROW_STATUS_DESYNCED, "lrn_o", "Oliver", "Smith"),
             HubRow(3, v1::ROW_STATUS_NOT_MATCHED, "lrn_e", "Ellie", "Moss")}));
  m.AddBatch(Batch(
      {MisRow(4, "m-eleanor", "Eleanor", "Carter", true),
       Pair(5, v1::ROW_STATUS_MAY_MATCH, "lrn_f", "m-f", "Freddie", "Wood"),
       MisRow(6, "m-lukasz", "\xc5\x81ukasz", "Nowak")},
      true));
  return m;
}

TEST(SyncModelTest, BatchesAppendAndCountsFollow) {
  SyncModel m;
  m.SetSession(Session(3));
  m.AddBatch(Batch({HubRow(1, v1::ROW_STATUS_NOT_MATCHED, "lrn_1", "A", "B")}));
  EXPECT_EQ(m.visible_size(), 1u) << "the first batch shows at once";
  EXPECT_FALSE(m.stream_done());
  m.AddBatch(
      Batch({MisRow(2, "m-2", "C", "D"), MisRow(3, "m-3", "E", "F")}, true));
  EXPECT_TRUE(m.stream_done());
  const Counts c = m.counts();
  EXPECT_EQ(c.not_matched, 1);
  EXPECT_EQ(c.new_rows, 2);
  EXPECT_EQ(c.total, 3);
  // A row sent again (a resumed stream) replaces, it does not duplicate.
  v1::Row again = MisRow(2, "m-2", "C", "D");
  again.set_import(true);
  m.AddBatch(Batch({again}, true));
  EXPECT_EQ(m.counts().total, 3);
  EXPECT_EQ(m.counts().import_ticked, 1);
}

TEST(SyncModelTest, FilterCyclesThroughEveryStatusAndKeepsTheCursorRow) {
  SyncModel m = Demo();
  m.Move(4);  // Freddie (May match)
  ASSERT_EQ(m.Current()->row_id(), 5);
  std::vector<std::string> seen;
  for (int i = 0; i < 7; ++i) {
    m.CycleFilter();
    seen.push_back(FilterLabel(m.filter()));
  }
  EXPECT_THAT(
      seen, ::testing::ElementsAre("Not matched", "New", "Matched", "May match",
                                   "Synced", "Desynced", "All"));
  m.SetFilter(v1::ROW_STATUS_NEW);
  EXPECT_EQ(m.visible_size(), 2u);
  m.SetFilter(v1::ROW_STATUS_UNSPECIFIED);
  m.SetFilter(v1::ROW_STATUS_MAY_MATCH);
  ASSERT_NE(m.Current(), nullptr);
  EXPECT_EQ(m.Current()->row_id(), 5);
  m.SetFilter(v1::ROW_STATUS_MATCHED);
  EXPECT_EQ(m.visible_size(), 0u);
  EXPECT_EQ(m.Current(), nullptr);
  EXPECT_FALSE(m.ToggleImport().ok()) << "no row, no request";
}

TEST(SyncModelTest, SearchIsCaseInsensitiveIncludingNonAscii) {
  std::setlocale(LC_ALL, "C.UTF-8");
  SyncModel m = Demo();
  m.SetSearch("\xc5\x82ukasz");  // "łukasz" finds "Łukasz"
  ASSERT_EQ(m.visible_size(), 1u);
  EXPECT_EQ(m.Current()->mis().mis_id(), "m-lukasz");
  m.SetSearch("MOSS");
  ASSERT_EQ(m.visible_size(), 1u);
  EXPECT_EQ(m.Current()->hub().learner_id(), "lrn_e");
  m.SetSearch("lrn_f");  // ids too
  EXPECT_EQ(m.visible_size(), 1u);
  m.SetSearch("nobody");
  EXPECT_EQ(m.visible_size(), 0u);
  m.SetSearch("");
  EXPECT_EQ(m.visible_size(), 6u);
}

// An admin types plain letters: the search folds accents, case and
// apostrophes as the matcher does (common/normalise.h), on names and ids.
TEST(SyncModelTest, SearchFoldsAccentsAsTheMatcherDoes) {
  std::setlocale(LC_ALL, "C.UTF-8");
  SyncModel m = Demo();
  v1::RowBatch more =
      Batch({HubRow(7, v1::ROW_STATUS_NOT_MATCHED, "lrn_z", "Zo\xc3\xab",
                    "Bront\xc3\xab"),
             MisRow(8, "m-obrien", "Siobh\xc3\xa1n", "O'Brien-Smith")},
            true);
  m.AddBatch(more);
  m.SetSearch("lukasz");  // Łukasz
  ASSERT_EQ(m.visible_size(), 1u);
  EXPECT_EQ(m.Current()->mis().mis_id(), "m-lukasz");
  m.SetSearch("zoe");  // Zoë
  ASSERT_EQ(m.visible_size(), 1u);
  EXPECT_EQ(m.Current()->row_id(), 7);
  m.SetSearch("ZO\xc3\x8b bronte");  // ZOË bronte: the whole name
  EXPECT_EQ(m.visible_size(), 1u);
  m.SetSearch("siobhan obrien");
  ASSERT_EQ(m.visible_size(), 1u);
  EXPECT_EQ(m.Current()->row_id(), 8);
  m.SetSearch("obrien smith");  // the hyphen folds to a space
  EXPECT_EQ(m.visible_size(), 1u);
  m.SetSearch("M-OBRIEN");  // an id, any case
  EXPECT_EQ(m.visible_size(), 1u);
  m.SetSearch("lrn_z");
  EXPECT_EQ(m.visible_size(), 1u);
  m.SetSearch("zoey");
  EXPECT_EQ(m.visible_size(), 0u);
}

// `a` ticks Import? on every New row, whatever is ticked already (README);
// `A` unticks every New row.
TEST(SyncModelTest, KeyATicksEveryNewRowEvenWhenAllAreTicked) {
  SyncModel m = Demo();
  EXPECT_TRUE(m.TickAllNew().import());
  v1::EditResponse e;
  *e.mutable_session() = Session(8);
  for (int64_t id : {4, 6}) {
    v1::Row r = id == 4 ? MisRow(4, "m-eleanor", "Eleanor", "Carter", true)
                        : MisRow(6, "m-lukasz", "\xc5\x81ukasz", "Nowak");
    r.set_import(true);
    *e.add_changed_rows() = r;
  }
  m.ApplyEdit(e);
  ASSERT_EQ(m.counts().import_ticked, 2) << "every New row is ticked";
  const v1::SetImportAllRequest tick = m.TickAllNew();
  EXPECT_TRUE(tick.import()) << "a ticks, it never unticks";
  EXPECT_EQ(tick.session_id(), "ses_1");
  EXPECT_EQ(tick.expected_version(), 8);
  EXPECT_FALSE(m.UntickAllNew().import());
}

TEST(SyncModelTest, CursorStaysInsideAndThePageFollowsIt) {
  SyncModel m = Demo();
  m.Move(-3);
  EXPECT_EQ(m.cursor(), 0u);
  m.Move(100);
  EXPECT_EQ(m.cursor(), 5u);
  EXPECT_EQ(m.Top(4), 2u) << "the last row is on the last line";
  m.Home();
  EXPECT_EQ(m.Top(4), 0u);
  m.End();
  EXPECT_EQ(m.Current()->row_id(), 6);
  EXPECT_EQ(m.Top(10), 0u) << "all rows fit";
}

TEST(SyncModelTest, KeysBecomeRequestsWithTheSessionVersion) {
  SyncModel m = Demo(/*emails=*/true);
  m.Move(3);  // Eleanor, New, has an email
  absl::StatusOr<v1::SetImportRequest> imp = m.ToggleImport();
  ASSERT_TRUE(imp.ok()) << imp.status();
  EXPECT_EQ(imp->session_id(), "ses_1");
  EXPECT_EQ(imp->expected_version(), 7);
  EXPECT_EQ(imp->mis_id(), "m-eleanor");
  EXPECT_TRUE(imp->import());
  absl::StatusOr<v1::SetSyncEmailRequest> email = m.ToggleEmail();
  ASSERT_TRUE(email.ok()) << email.status();
  EXPECT_TRUE(email->sync());
  EXPECT_FALSE(m.Unmatch().ok());

  m.Home();  // Amelia, Synced
  EXPECT_THAT(std::string(m.ToggleImport().status().message()),
              HasSubstr("this row is Synced"));
  m.Move(4);  // Freddie, May match
  absl::StatusOr<v1::UnmatchRequest> un = m.Unmatch();
  ASSERT_TRUE(un.ok());
  EXPECT_EQ(un->learner_id(), "lrn_f");
  EXPECT_EQ(un->expected_version(), 7);

  EXPECT_TRUE(m.TickAllNew().import());
  EXPECT_EQ(m.Save().expected_version(), 7);
}

// v on a May match row asks the server to mark it reviewed (or, once it is,
// not); the Save dialog lists the May match rows still unreviewed.
TEST(SyncModelTest, ReviewedTogglesOnMayMatchRowsOnly) {
  SyncModel m = Demo();
  EXPECT_EQ(m.counts().unreviewed_may_match, 1);
  ASSERT_EQ(m.UnreviewedMayMatch().size(), 1u);
  EXPECT_EQ(m.UnreviewedMayMatch()[0].hub().learner_id(), "lrn_f");
  m.Home();  // Amelia, Synced
  EXPECT_THAT(std::string(m.ToggleReviewed().status().message()),
              HasSubstr("this row is Synced"));
  m.Move(4);  // Freddie, May match
  absl::StatusOr<v1::SetReviewedRequest> review = m.ToggleReviewed();
  ASSERT_TRUE(review.ok()) << review.status();
  EXPECT_EQ(review->learner_id(), "lrn_f");
  EXPECT_TRUE(review->reviewed());
  EXPECT_EQ(review->expected_version(), 7);

  // The server's reply: Freddie's row, reviewed.
  v1::EditResponse reply;
  *reply.mutable_session() = m.session();
  reply.mutable_session()->set_version(8);
  v1::Row freddie = *m.Current();
  freddie.set_reviewed(true);
  *reply.add_changed_rows() = freddie;
  m.ApplyEdit(reply);
  EXPECT_EQ(m.counts().unreviewed_may_match, 0);
  EXPECT_TRUE(m.UnreviewedMayMatch().empty());
  review = m.ToggleReviewed();
  ASSERT_TRUE(review.ok());
  EXPECT_FALSE(review->reviewed()) << "v again: not reviewed";
}

TEST(SyncModelTest, EmailNeedsTheOptionAndAnAddress) {
  SyncModel off = Demo(/*emails=*/false);
  off.Move(3);
  EXPECT_THAT(std::string(off.ToggleEmail().status().message()),
              HasSubstr("email option is off"));
  EXPECT_FALSE(off.ToggleEmailAll().ok());
  SyncModel on = Demo(/*emails=*/true);
  on.End();  // Łukasz: no email
  EXPECT_THAT(std::string(on.ToggleEmail().status().message()),
              HasSubstr("no MIS email"));
  EXPECT_TRUE(on.ToggleEmailAll().ok());
}

TEST(SyncModelTest, MatchIsMarkThenPartner) {
  SyncModel m = Demo();
  m.Home();  // Synced: cannot be marked
  EXPECT_THAT(std::string(m.MarkOrMatch().status().message()),
              HasSubstr("this row is Synced"));
  m.Move(2);  // Ellie, Not matched
  absl::StatusOr<std::optional<v1::MatchRequest>> first = m.MarkOrMatch();
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
  ASSERT_TRUE(m.mark().has_value());
  EXPECT_EQ(m.mark()->name, "Ellie Moss");
  // Only a New row can be its partner: a Desynced row is refused.
  m.Move(-1);  // Oliver, Desynced
  EXPECT_FALSE(m.MarkOrMatch().ok());
  m.Move(2);  // Eleanor, New
  absl::StatusOr<std::optional<v1::MatchRequest>> second = m.MarkOrMatch();
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->learner_id(), "lrn_e");
  EXPECT_EQ((*second)->mis_id(), "m-eleanor");
  EXPECT_EQ((*second)->expected_version(), 7);

  // Marking the marked row again clears the mark.
  SyncModel n = Demo();
  n.Move(3);
  ASSERT_TRUE(n.MarkOrMatch().ok());
  ASSERT_TRUE(n.MarkOrMatch().ok());
  EXPECT_FALSE(n.mark().has_value());
}

TEST(SyncModelTest, EditRepliesReplaceRemoveAndInsertInPlace) {
  SyncModel m = Demo();
  m.Move(2);
  ASSERT_TRUE(m.MarkOrMatch().ok());  // Ellie marked
  // The server's reply to Match(Ellie, Eleanor): rows 3 and 4 go, row 7 comes.
  v1::EditResponse match;
  *match.mutable_session() = Session(8);
  v1::Row merged = Pair(7, v1::ROW_STATUS_MATCHED, "lrn_e", "m-eleanor",
                        "Eleanor", "Carter");
  merged.set_decided_by_admin(true);
  *match.add_changed_rows() = merged;
  match.add_removed_row_ids(3);
  match.add_removed_row_ids(4);
  m.ApplyEdit(match);
  EXPECT_EQ(m.session().version(), 8)
      << "the next edit carries the new version";
  EXPECT_FALSE(m.mark().has_value()) << "the marked row is gone";
  ASSERT_EQ(m.visible_size(), 5u);
  EXPECT_EQ(m.visible(2).row_id(), 7) << "where Ellie's row was";
  EXPECT_EQ(m.Current()->row_id(), 7) << "the cursor lands on the result";
  EXPECT_EQ(m.counts().matched, 1);
  EXPECT_EQ(m.counts().not_matched, 0);
  EXPECT_EQ(m.ToggleImport().status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A late batch from the stream does not bring removed rows back.
  m.AddBatch(Batch(
      {HubRow(3, v1::ROW_STATUS_NOT_MATCHED, "lrn_e", "Ellie", "Moss")}, true));
  EXPECT_EQ(m.counts().total, 5);
  // A changed row with a known id replaces in place.
  v1::EditResponse tick;
  *tick.mutable_session() = Session(9);
  v1::Row lukasz = MisRow(6, "m-lukasz", "\xc5\x81ukasz", "Nowak");
  lukasz.set_import(true);
  *tick.add_changed_rows() = lukasz;
  m.ApplyEdit(tick);
  EXPECT_EQ(m.counts().import_ticked, 1);
  EXPECT_EQ(m.visible(4).row_id(), 6);
}

TEST(SyncModelTest, SavedSessionIsReadOnly) {
  SyncModel m = Demo();
  EXPECT_FALSE(m.read_only());
  v1::Session s = Session(9);
  s.set_step(v1::SESSION_STEP_SAVED);
  m.SetSession(s);
  EXPECT_TRUE(m.read_only());
}

}  // namespace
}  // namespace hubsync::console
