// Sessions and rows: round trip, versioned updates.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/storage/codec.h"
#include "server/storage/sqlite.h"
#include "tests/storage/store_fixture.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

struct Setup {
  std::unique_ptr<TestStore> t = NewStore();
  School school;
  MisSnapshot snapshot;
  SessionRecord session;
};

std::unique_ptr<Setup> MakeSession() {
  auto s = std::make_unique<Setup>();
  s->school = *s->t->store->CreateSchool("Oak");
  s->snapshot = *s->t->store->SaveSnapshot(SampleSnapshot(s->school.id));
  SessionRecord r;
  r.school_id = s->school.id;
  r.snapshot_id = s->snapshot.id;
  r.admin = "ms.head";
  s->session = *s->t->store->CreateSession(r);
  return s;
}

Row PairedRow(int64_t id) {
  Row r;
  r.row_id = id;
  r.status = RowStatus::kMayMatch;
  r.hub_learner_id = "lrn_1";
  r.mis_id = "m1";
  r.sync_email = true;
  r.decided_by_admin = true;
  r.explanation = RowExplanation(std::make_shared<const Explanation>(
      Explanation{7.123456789012345,
                  {{"forename", "exact", 3.25},
                   {"date_of_birth", "missing", 0},
                   {"odd\tfield", "new\nline", -1.0 / 3}},
                  "same name, date of birth missing"}));
  return r;
}

TEST(SessionStoreTest, RecordRoundTripsEveryField) {
  auto s = MakeSession();
  EXPECT_EQ(s->session.id.substr(0, 4), "ses_");
  EXPECT_EQ(s->session.version, 1);
  EXPECT_EQ(s->session.create_time_unix, 1790000000);
  SessionRecord next = s->session;
  next.version = 2;
  next.step = SessionStep::kSyncScreen;
  next.scope = {ScopeKind::kRegistrationGroups, {"7A", "7B"}};
  next.sync_emails = true;
  next.hub_version = 4;
  next.update_time_unix = 1790000100;
  next.class_sync = {3, 2, 1};
  next.save_request_id = "req-1";
  next.save_summary = {1, 2, 3, 4, 5, 6, 7, ""};
  ASSERT_THAT(s->t->store->UpdateSession(next, {}, {}), IsOk());
  s->t->Reopen();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SessionRecord got,
                               s->t->store->GetSession(next.id));
  EXPECT_EQ(got.school_id, s->school.id);
  EXPECT_EQ(got.snapshot_id, s->snapshot.id);
  EXPECT_EQ(got.admin, "ms.head");
  EXPECT_EQ(got.step, SessionStep::kSyncScreen);
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.scope.kind, ScopeKind::kRegistrationGroups);
  EXPECT_THAT(got.scope.values, ElementsAre("7A", "7B"));
  EXPECT_TRUE(got.sync_emails);
  EXPECT_EQ(got.hub_version, 4);
  EXPECT_EQ(got.create_time_unix, 1790000000);
  EXPECT_EQ(got.update_time_unix, 1790000100);
  EXPECT_EQ(got.class_sync.created, 3);
  EXPECT_EQ(got.class_sync.updated, 2);
  EXPECT_EQ(got.class_sync.unchanged, 1);
  EXPECT_EQ(got.save_request_id, "req-1");
  EXPECT_EQ(got.save_summary.linked, 1);
  EXPECT_EQ(got.save_summary.refreshed, 2);
  EXPECT_EQ(got.save_summary.imported, 3);
  EXPECT_EQ(got.save_summary.desynced, 4);
  EXPECT_EQ(got.save_summary.unaffected, 5);
  EXPECT_EQ(got.save_summary.emails_queued, 6);
  EXPECT_EQ(got.save_summary.audit_records, 7);
  EXPECT_THAT(s->t->store->ListSessions(s->school.id), IsOkAndHolds(SizeIs(1)));
}

TEST(SessionStoreTest, KeptDecisionsRoundTripThroughTheRecord) {
  auto setup = MakeSession();
  const SessionRecord* s = &setup->session;
  auto d = std::make_shared<SessionDecisions>();
  d->unmatched.push_back(
      {KeptDecision::Kind::kUnmatch, "lrn_1", "m:1\n", false, false});
  d->kept.push_back({KeptDecision::Kind::kMatch, "lrn_2", "m-2", false, true});
  d->kept.push_back({KeptDecision::Kind::kTicks, "", "m 3", true, false});
  d->applied = 4;
  d->dropped_count = 7;
  d->dropped.push_back(
      {"Match Ann Lee (lrn_9) <-> m-17 (Ann Lee)", "m-17 is out of scope"});
  SessionRecord next = *s;
  next.version = s->version + 1;
  next.decisions = d;
  ASSERT_THAT(setup->t->store->UpdateSession(next, {}, {}), IsOk());
  setup->t->Reopen();
  absl::StatusOr<SessionRecord> back = setup->t->store->GetSession(s->id);
  ASSERT_THAT(back, IsOk());
  ASSERT_NE(back->decisions, nullptr);
  EXPECT_EQ(storage::EncodeDecisions(back->decisions.get()),
            storage::EncodeDecisions(d.get()));
  EXPECT_EQ(back->decisions->kept[1].mis_id, "m 3");
  EXPECT_TRUE(back->decisions->kept[1].import);
  EXPECT_TRUE(back->decisions->kept[0].sync_email);
  EXPECT_EQ(back->decisions->unmatched[0].mis_id, "m:1\n");
  EXPECT_EQ(back->decisions->dropped[0].reason, "m-17 is out of scope");
  EXPECT_EQ(back->decisions->dropped_count, 7);
  // None is "" and reads back as none.
  EXPECT_EQ(storage::EncodeDecisions(nullptr), "");
  EXPECT_THAT(storage::DecodeDecisions("N 1\n"),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(SessionStoreTest, RowsReadBackWithTheirWordingAndShareTheirEvidence) {
  // A reopened session holds its distinct explanations once each, as when
  // it was classified (a trust's rows share a fifth as many).
  auto s = MakeSession();
  static constexpr ReasonWording kLinked{"Linked by an earlier sync. ", ""};
  const auto evidence = std::make_shared<const Explanation>(
      Explanation{14.5,
                  {{"forename", "exact", 7}, {"surname", "exact", 7.5}},
                  "Same names."});
  std::vector<Row> rows(3);
  for (int i = 0; i < 3; ++i) {
    rows[i].row_id = i + 1;
    rows[i].status = RowStatus::kSynced;
    rows[i].hub_learner_id = absl::StrCat("lrn_", i);
    rows[i].mis_id = absl::StrCat("m", i);
    rows[i].explanation = RowExplanation(evidence, &kLinked);
  }
  SessionRecord next = s->session;
  next.version = 2;
  ASSERT_THAT(s->t->store->UpdateSession(next, rows, {}), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> got,
                               s->t->store->LoadRows(next.id));
  ASSERT_THAT(got, SizeIs(3));
  for (const Row& r : got) {
    EXPECT_EQ(r.explanation.reason(), "Linked by an earlier sync. Same names.");
    EXPECT_EQ(r.explanation.score(), 14.5);
    EXPECT_THAT(r.explanation.fields(), SizeIs(2));
    EXPECT_EQ(r.explanation.evidence(), got[0].explanation.evidence())
        << r.row_id;
  }
}

// Each explanation rows share is stored once (docs/STORAGE.md): rows
// holding the same explanation name one stored explanation, the same
// evidence in another wording is another; an edit that rewrites rows adds
// none for explanations whose content is stored already (a copy that reads
// alike included); a new screen (replace_all_rows) starts again from none.
TEST(SessionStoreTest, EachDistinctExplanationIsStoredOnce) {
  auto s = MakeSession();
  static constexpr ReasonWording kLinked{"Linked by an earlier sync. ", ""};
  auto evidence = [](double score) {
    return std::make_shared<const Explanation>(
        Explanation{score, {{"forename", "exact", score}}, "Same names."});
  };
  const auto shared = evidence(7);
  std::vector<Row> rows(5);
  for (int i = 0; i < 5; ++i) {
    rows[i].row_id = i + 1;
    rows[i].status = RowStatus::kMatched;
    rows[i].hub_learner_id = absl::StrCat("lrn_", i);
    rows[i].mis_id = absl::StrCat("m", i);
  }
  rows[0].explanation = RowExplanation(shared);
  rows[1].explanation = RowExplanation(shared);
  rows[2].explanation = RowExplanation(evidence(7));  // a copy, alike
  rows[3].explanation = RowExplanation(shared, &kLinked);
  rows[4].status = RowStatus::kNew;  // nothing to explain
  rows[4].hub_learner_id.clear();
  auto stored = [&]() -> int64_t {
    absl::StatusOr<storage::Db> db = storage::Db::Open(s->t->path);
    if (!db.ok()) return -1;
    return db->QueryInt("SELECT count(*) FROM session_evidence").value_or(-1);
  };
  SessionRecord next = s->session;
  next.version = 2;
  ASSERT_THAT(s->t->store->UpdateSession(next, rows, {}, true), IsOk());
  EXPECT_EQ(stored(), 3);  // shared, its copy, shared in other words

  // An edit rewriting rows (a tick, a hand match) adds only what is new.
  rows[2].import = true;
  rows[1].explanation = RowExplanation(evidence(3));
  next.version = 3;
  ASSERT_THAT(s->t->store->UpdateSession(next, {rows[1], rows[2]}, {}), IsOk());
  EXPECT_EQ(stored(), 4);  // only the new one
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> got,
                               s->t->store->LoadRows(next.id));
  ASSERT_THAT(got, SizeIs(5));
  EXPECT_EQ(got[2].explanation.score(), 7);
  EXPECT_EQ(got[1].explanation.score(), 3);
  EXPECT_EQ(got[2].explanation.reason(), "Same names.");
  EXPECT_EQ(got[3].explanation.reason(),
            "Linked by an earlier sync. Same names.");
  EXPECT_TRUE(got[4].explanation.empty());

  next.version = 4;
  ASSERT_THAT(s->t->store->UpdateSession(next, {rows[4]}, {}, true), IsOk());
  EXPECT_EQ(stored(), 0);
}

// Rows are stored 1,024 row ids to a chunk (docs/STORAGE.md): rows on both
// sides of a chunk boundary, ids holding the chunk format's own separators,
// an edit that empties a chunk and one that adds a row to a chunk that has
// none all read back exactly; a damaged chunk is reported, naming it.
TEST(SessionStoreTest, RowsAcrossChunksAndAwkwardIdsRoundTrip) {
  auto s = MakeSession();
  std::vector<Row> rows;
  for (int64_t id : {1, 1023, 1024, 1025, 5000}) {
    Row r;
    r.row_id = id;
    r.status = RowStatus::kNew;
    r.mis_id = absl::StrCat("m", id);
    rows.push_back(r);
  }
  rows[1].mis_id = "7:a b\n9:c";  // a length, a space, a newline
  rows[1].hub_learner_id = "";
  rows[2].status = RowStatus::kDesynced;
  rows[2].hub_learner_id = "lrn: x";
  rows[2].mis_id = "";
  rows[3].import = true;
  rows[4].sync_email = true;
  rows[4].decided_by_admin = true;
  SessionRecord next = s->session;
  next.version = 2;
  ASSERT_THAT(s->t->store->UpdateSession(next, rows, {}, true), IsOk());
  auto ids = [&]() {
    std::vector<int64_t> out;
    absl::StatusOr<std::vector<Row>> got = s->t->store->LoadRows(next.id);
    EXPECT_THAT(got, IsOk());
    if (got.ok()) {
      for (const Row& r : *got) out.push_back(r.row_id);
    }
    return out;
  };
  EXPECT_THAT(ids(), ElementsAre(1, 1023, 1024, 1025, 5000));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> got,
                               s->t->store->LoadRows(next.id));
  EXPECT_EQ(got[1].mis_id, "7:a b\n9:c");
  EXPECT_EQ(got[1].hub_learner_id, "");
  EXPECT_EQ(got[2].status, RowStatus::kDesynced);
  EXPECT_EQ(got[2].hub_learner_id, "lrn: x");
  EXPECT_EQ(got[2].mis_id, "");
  EXPECT_TRUE(got[3].import);
  EXPECT_FALSE(got[3].sync_email);
  EXPECT_TRUE(got[4].sync_email);
  EXPECT_TRUE(got[4].decided_by_admin);
  EXPECT_FALSE(got[4].import);

  // Remove the only row of chunk 4 (5000), add one to chunk 2 (2100), and
  // change one in chunk 1: given out of order, as an edit may.
  Row added = rows[0];
  added.row_id = 2100;
  added.mis_id = "m2100";
  Row changed = rows[3];
  changed.import = false;
  next.version = 3;
  ASSERT_THAT(s->t->store->UpdateSession(next, {added, changed}, {5000}),
              IsOk());
  EXPECT_THAT(ids(), ElementsAre(1, 1023, 1024, 1025, 2100));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(got, s->t->store->LoadRows(next.id));
  EXPECT_FALSE(got[3].import);
  EXPECT_EQ(got[4].mis_id, "m2100");
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(storage::Db db, storage::Db::Open(s->t->path));
    EXPECT_THAT(db.QueryInt("SELECT count(*) FROM session_row_chunks"),
                IsOkAndHolds(3));
    ASSERT_THAT(
        db.Exec(
            "UPDATE session_row_chunks SET rows = '1024 desynced 0 0 9:lrn' "
            "WHERE chunk = 1"),
        IsOk());
  }
  EXPECT_THAT(s->t->store->LoadRows(next.id),
              StatusIs(absl::StatusCode::kInternal,
                       AllOf(HasSubstr("malformed row in chunk 1"),
                             HasSubstr(next.id))));
}

// The reviewed mark is flag 8 of a row's line (docs/STORAGE.md). A line
// written before the mark existed (flags at most 7) reads as not reviewed,
// and the counts read from the chunks count it as unreviewed.
TEST(SessionStoreTest, ReviewedRoundTripsAndOldLinesReadAsNotReviewed) {
  auto s = MakeSession();
  Row reviewed = PairedRow(1);
  reviewed.reviewed = true;
  Row unreviewed = PairedRow(2);
  unreviewed.hub_learner_id = "lrn_2";
  unreviewed.mis_id = "m2";
  SessionRecord next = s->session;
  next.version = 2;
  ASSERT_THAT(s->t->store->UpdateSession(next, {reviewed, unreviewed}, {}),
              IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows,
                               s->t->store->LoadRows(next.id));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_TRUE(rows[0].reviewed);
  EXPECT_TRUE(rows[0].decided_by_admin) << "the other flags are kept";
  EXPECT_TRUE(rows[0].sync_email);
  EXPECT_FALSE(rows[1].reviewed);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(StatusCounts counts,
                               s->t->store->SessionRowCounts(next.id));
  EXPECT_EQ(counts.may_match, 2);
  EXPECT_EQ(counts.unreviewed_may_match, 1);
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(storage::Db db, storage::Db::Open(s->t->path));
    // As an older hubsyncd wrote it: sync_email + decided_by_admin, no 8.
    ASSERT_THAT(db.Exec("UPDATE session_row_chunks SET row_count = 1, rows = "
                        "'1 may_match 6 0 5:lrn_12:m1\n' WHERE chunk = 0"),
                IsOk());
  }
  HUBSYNC_ASSERT_OK_AND_ASSIGN(rows, s->t->store->LoadRows(next.id));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].status, RowStatus::kMayMatch);
  EXPECT_TRUE(rows[0].decided_by_admin);
  EXPECT_FALSE(rows[0].reviewed);
  {
    HUBSYNC_ASSERT_OK_AND_ASSIGN(storage::Db db, storage::Db::Open(s->t->path));
    ASSERT_THAT(db.Exec("UPDATE session_row_chunks SET rows = "
                        "'1 may_match 16 0 5:lrn_12:m1\n' WHERE chunk = 0"),
                IsOk());
  }
  EXPECT_THAT(s->t->store->LoadRows(next.id),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("malformed row in chunk 0")));
}

TEST(SessionStoreTest, CreateNeedsTheSchoolsOwnSnapshot) {
  auto s = MakeSession();
  HUBSYNC_ASSERT_OK_AND_ASSIGN(School other, s->t->store->CreateSchool("Ash"));
  SessionRecord r;
  r.school_id = other.id;
  r.snapshot_id = s->snapshot.id;
  EXPECT_THAT(s->t->store->CreateSession(r),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(s->snapshot.id)));
  r.school_id = "sch_nope";
  EXPECT_THAT(s->t->store->CreateSession(r),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("sch_nope")));
}

TEST(SessionStoreTest, RowsRoundTripWithExplanations) {
  auto s = MakeSession();
  Row new_row;
  new_row.row_id = 2;
  new_row.status = RowStatus::kNew;
  new_row.mis_id = "m2";
  new_row.import = true;
  SessionRecord next = s->session;
  next.version = 2;
  ASSERT_THAT(s->t->store->UpdateSession(next, {new_row, PairedRow(1)}, {}),
              IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows,
                               s->t->store->LoadRows(next.id));
  ASSERT_THAT(rows, SizeIs(2));
  const Row& r = rows[0];  // ordered by row_id
  const Row want = PairedRow(1);
  EXPECT_EQ(r.row_id, 1);
  EXPECT_EQ(r.status, RowStatus::kMayMatch);
  EXPECT_EQ(r.hub_learner_id, "lrn_1");
  EXPECT_EQ(r.mis_id, "m1");
  EXPECT_FALSE(r.import);
  EXPECT_TRUE(r.sync_email);
  EXPECT_TRUE(r.decided_by_admin);
  EXPECT_EQ(r.explanation.score(), want.explanation.score());  // exact
  EXPECT_EQ(r.explanation.reason(), want.explanation.reason());
  ASSERT_THAT(r.explanation.fields(), SizeIs(3));
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.explanation.fields()[i].field,
              want.explanation.fields()[i].field);
    EXPECT_EQ(r.explanation.fields()[i].level,
              want.explanation.fields()[i].level);
    EXPECT_EQ(r.explanation.fields()[i].weight,
              want.explanation.fields()[i].weight);
  }
  EXPECT_EQ(rows[1].status, RowStatus::kNew);
  EXPECT_TRUE(rows[1].import);
  EXPECT_THAT(rows[1].explanation.fields(), IsEmpty());

  // Upsert one, remove the other.
  Row changed = PairedRow(1);
  changed.status = RowStatus::kNotMatched;
  changed.mis_id = "";
  next.version = 3;
  ASSERT_THAT(s->t->store->UpdateSession(next, {changed}, {2}), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(rows, s->t->store->LoadRows(next.id));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].status, RowStatus::kNotMatched);
  EXPECT_EQ(rows[0].mis_id, "");

  // replace_all_rows drops every existing row first.
  next.version = 4;
  ASSERT_THAT(s->t->store->UpdateSession(next, {new_row}, {}, true), IsOk());
  HUBSYNC_ASSERT_OK_AND_ASSIGN(rows, s->t->store->LoadRows(next.id));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].row_id, 2);
}

TEST(SessionStoreTest, StaleVersionIsAbortedAndChangesNothing) {
  auto s = MakeSession();
  SessionRecord next = s->session;
  next.version = 2;
  ASSERT_THAT(s->t->store->UpdateSession(next, {PairedRow(1)}, {}), IsOk());
  SessionRecord stale = s->session;  // written against version 1 again
  stale.version = 2;
  stale.step = SessionStep::kCancelled;
  EXPECT_THAT(s->t->store->UpdateSession(stale, {PairedRow(5)}, {1}, true),
              StatusIs(absl::StatusCode::kAborted,
                       absl::StrCat("session ", s->session.id,
                                    " is at version 2, request expected 1")));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(SessionRecord got,
                               s->t->store->GetSession(s->session.id));
  EXPECT_EQ(got.version, 2);
  EXPECT_EQ(got.step, SessionStep::kClassSync);
  HUBSYNC_ASSERT_OK_AND_ASSIGN(std::vector<Row> rows,
                               s->t->store->LoadRows(s->session.id));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_EQ(rows[0].row_id, 1);
  SessionRecord skipping = got;
  skipping.version = 4;
  EXPECT_THAT(s->t->store->UpdateSession(skipping, {}, {}),
              StatusIs(absl::StatusCode::kAborted));
  SessionRecord unknown = got;
  unknown.id = "ses_nope";
  unknown.version = 3;
  EXPECT_THAT(s->t->store->UpdateSession(unknown, {}, {}),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("ses_nope")));
}

// An edit's audit records are written with it, in its transaction: the
// store fills in the school and session; a stale edit writes none.
TEST(SessionStoreTest, AuditRecordsAreWrittenOnlyWithTheirEdit) {
  auto s = MakeSession();
  auto trail = [&] { return s->t->store->ListAudit(s->school.id).value(); };
  const size_t at_start = trail().size();  // create_school, start_session
  AuditRecord edit;
  edit.actor = Actor{"key_00000000000000ab", "office", "admin"};
  edit.verb = "set_import";
  edit.before_json = "{\"rows\":[]}";
  edit.after_json = "{\"rows\":[]}";
  SessionRecord next = s->session;
  next.version = 2;
  next.update_time_unix = 1790000500;
  ASSERT_THAT(
      s->t->store->UpdateSession(next, {PairedRow(1)}, {}, false, {edit}),
      IsOk());
  std::vector<AuditRecord> after = trail();
  ASSERT_EQ(after.size(), at_start + 1);
  EXPECT_EQ(after.back().school_id, s->school.id);
  EXPECT_EQ(after.back().session_id, s->session.id);
  EXPECT_EQ(after.back().actor.key_id, "key_00000000000000ab");
  EXPECT_EQ(after.back().time_unix, 1790000500);
  EXPECT_EQ(after.back().after_json, "{\"rows\":[]}");

  SessionRecord stale = s->session;  // version 2 again
  stale.version = 2;
  EXPECT_THAT(s->t->store->UpdateSession(stale, {}, {}, false, {edit}),
              StatusIs(absl::StatusCode::kAborted));
  EXPECT_EQ(trail().size(), at_start + 1);
}

}  // namespace
}  // namespace hubsync::testing
