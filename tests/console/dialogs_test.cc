// The console's dialog texts: a row's explanation, the Save summary, and the
// mass-desync question.
#include "client/console/dialogs.h"

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::console {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DialogsTest, ExplanationListsEachFieldAndTheScore) {
  v1::Row r;
  r.set_row_id(12);
  r.set_status(v1::ROW_STATUS_MAY_MATCH);
  r.mutable_hub()->set_learner_id("lrn_f");
  r.mutable_hub()->set_legal_forename("Freddie");
  r.mutable_hub()->set_legal_surname("Taylor");
  r.mutable_hub()->set_date_of_birth("2013-11-06");
  r.mutable_mis()->set_mis_id("stu-022");
  r.mutable_mis()->set_legal_forename("Freddie");
  r.mutable_mis()->set_legal_surname("Wood");
  auto* f = r.mutable_explanation()->add_fields();
  f->set_field("surname");
  f->set_level("different");
  f->set_weight(-4.5);
  f = r.mutable_explanation()->add_fields();
  f->set_field("date_of_birth");
  f->set_level("exact");
  f->set_weight(6.25);
  r.mutable_explanation()->set_score(7.75);
  r.mutable_explanation()->set_reason("surname differs");
  EXPECT_EQ(ExplainTitle(r), "Row 12: May match");
  const std::string text = absl::StrJoin(ExplainLines(r), "\n");
  EXPECT_THAT(text, HasSubstr("Hub: Freddie Taylor  lrn_f"));
  EXPECT_THAT(text, HasSubstr("born 2013-11-06"));
  EXPECT_THAT(text, HasSubstr("MIS: Freddie Wood  stu-022"));
  EXPECT_THAT(text,
              HasSubstr("surname                different           -4.50"));
  EXPECT_THAT(text,
              HasSubstr("date_of_birth          exact               +6.25"));
  EXPECT_THAT(text, HasSubstr("+7.75"));
  EXPECT_THAT(text, HasSubstr("surname differs"));
}

TEST(DialogsTest, UnpairedRowsSayWhy) {
  v1::Row r;
  r.set_status(v1::ROW_STATUS_NOT_MATCHED);
  r.mutable_hub()->set_learner_id("lrn_e");
  r.mutable_hub()->set_legal_forename("Ellie");
  EXPECT_THAT(absl::StrJoin(ExplainLines(r), "\n"), HasSubstr("unaffected"));
  r.set_decided_by_admin(true);
  EXPECT_THAT(ExplainTitle(r), HasSubstr("(decided by an admin)"));
}

TEST(DialogsTest, SaveSummaryCountsEachEffectAndWarnsOfMayMatch) {
  // The numbers are the server's dry run of the save (validate_only).
  v1::SaveSummary p;
  p.set_imported(2);
  p.set_linked(3);
  p.set_refreshed(18);
  p.set_desynced(1);
  p.set_emails_queued(4);
  p.set_unaffected(5);
  Counts c;
  c.new_rows = 8;
  c.import_ticked = 2;
  const std::string quiet = absl::StrJoin(SaveLines(p, c), "\n");
  EXPECT_THAT(quiet, HasSubstr("import      2 new learners"));
  EXPECT_THAT(quiet, HasSubstr("link        3 learners"));
  EXPECT_THAT(quiet, HasSubstr("refresh     18 Synced"));
  EXPECT_THAT(quiet, HasSubstr("desync      1 learners"));
  EXPECT_THAT(quiet, HasSubstr("emails      4 verification emails"));
  EXPECT_THAT(quiet, HasSubstr("unaffected  5 (Not matched"));
  EXPECT_THAT(quiet, HasSubstr("not imported 6 (New rows not ticked)"));
  EXPECT_THAT(quiet, Not(HasSubstr("May match row")));
  c.may_match = 2;
  EXPECT_THAT(absl::StrJoin(SaveLines(p, c), "\n"),
              HasSubstr("2 May match row(s), all reviewed, will be saved"));
}

// Unreviewed May match rows are listed by name: the save would link them
// unseen, so the admin sees who before saying yes.
TEST(DialogsTest, SavePreviewListsTheUnreviewedMayMatchRows) {
  auto row = [](const std::string& hub, const std::string& mis) {
    v1::Row r;
    r.set_status(v1::ROW_STATUS_MAY_MATCH);
    r.mutable_hub()->set_learner_id("lrn_" + hub);
    r.mutable_hub()->set_legal_forename(hub);
    r.mutable_hub()->set_legal_surname("Taylor");
    r.mutable_mis()->set_mis_id("m-" + mis);
    r.mutable_mis()->set_legal_forename(mis);
    r.mutable_mis()->set_legal_surname("Wood");
    return r;
  };
  Counts c;
  c.may_match = 8;
  std::vector<v1::Row> unreviewed;
  for (const char* n : {"Freddie", "Ann", "Bea", "Cy", "Di", "Ed", "Flo"}) {
    unreviewed.push_back(row(n, n));
  }
  const std::vector<std::string> lines =
      SaveLines(v1::SaveSummary(), c, unreviewed);
  const std::string text = absl::StrJoin(lines, "\n");
  EXPECT_THAT(text, HasSubstr("7 May match row(s) nobody has reviewed"));
  EXPECT_THAT(text, HasSubstr("Freddie Taylor  may be  Freddie Wood"));
  EXPECT_THAT(text, HasSubstr("Di Taylor  may be  Di Wood"));
  EXPECT_THAT(text, Not(HasSubstr("Ed Taylor"))) << "five listed";
  EXPECT_THAT(text, HasSubstr("... and 2 more"));
  EXPECT_THAT(text, HasSubstr("v marks one reviewed"));
  for (const std::string& l : lines) EXPECT_LE(l.size(), 72u) << l;
}

TEST(DialogsTest, MassDesyncShowsCountShareAndLimit) {
  v1::MassDesync g;
  g.set_desync_count(12);
  g.set_synced_learners(80);
  g.set_max_percent(10);
  const std::string text = absl::StrJoin(MassDesyncLines(g), "\n");
  EXPECT_THAT(text,
              HasSubstr("desync 12 of the school's 80 synced learners (15.0%; "
                        "the server asks above 10%)"));
  EXPECT_THAT(text, HasSubstr("Type yes"));
}

}  // namespace
}  // namespace hubsync::console
