// Tables and JSON Lines, on hand-built messages: the text a user would see
// (client/cli/render.cc and render_sync.cc, from the hubsync_cli library).

#include "client/cli/render.h"

#include <sstream>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

v1::Learner Hub(const std::string& id, const std::string& fore,
                const std::string& sur, const std::string& year,
                const std::string& reg) {
  v1::Learner l;
  l.set_learner_id(id);
  l.set_legal_forename(fore);
  l.set_legal_surname(sur);
  l.set_year_group(year);
  l.set_registration_group(reg);
  return l;
}

v1::MisLearnerRecord Mis(const std::string& id, const std::string& fore,
                         const std::string& sur, const std::string& year,
                         const std::string& reg) {
  v1::MisLearnerRecord m;
  m.set_mis_id(id);
  m.set_legal_forename(fore);
  m.set_legal_surname(sur);
  m.set_year_group(year);
  m.set_registration_group(reg);
  return m;
}

v1::Row MakeRow(int64_t id, v1::RowStatus status) {
  v1::Row r;
  r.set_row_id(id);
  r.set_status(status);
  return r;
}

// The sync screen of a small school: one row of each status.
std::vector<v1::Row> Screen() {
  std::vector<v1::Row> rows;
  v1::Row r = MakeRow(1, v1::ROW_STATUS_MATCHED);
  *r.mutable_hub() = Hub("lrn_1", "Amelia", "Khan", "7", "7A");
  *r.mutable_mis() = Mis("stu-001", "Amelia", "Khan", "8", "8B");
  r.mutable_explanation()->set_score(17.25);
  r.mutable_explanation()->set_reason("same valid UPN");
  auto* f = r.mutable_explanation()->add_fields();
  f->set_field("upn");
  f->set_level("agree");
  f->set_weight(12.5);
  f = r.mutable_explanation()->add_fields();
  f->set_field("date_of_birth");
  f->set_level("agree");
  f->set_weight(4.75);
  r.set_email_available(true);
  r.set_sync_email(true);
  rows.push_back(r);
  r = MakeRow(2, v1::ROW_STATUS_NEW);
  *r.mutable_mis() = Mis("stu-002", "Noah", "Patel", "7", "7B");
  r.set_import(true);
  rows.push_back(r);
  r = MakeRow(3, v1::ROW_STATUS_NEW);
  *r.mutable_mis() = Mis("stu-003", "Zoë", "Brontë", "7", "7B");
  rows.push_back(r);
  r = MakeRow(4, v1::ROW_STATUS_NOT_MATCHED);
  *r.mutable_hub() = Hub("lrn_4", "Ellie", "Moss", "7", "7A");
  rows.push_back(r);
  r = MakeRow(5, v1::ROW_STATUS_MAY_MATCH);
  *r.mutable_hub() = Hub("lrn_5", "Freddie", "Wood", "7", "7A");
  *r.mutable_mis() = Mis("stu-005", "Freddie", "Woods", "7", "7A");
  r.mutable_explanation()->set_score(6.5);
  rows.push_back(r);
  r = MakeRow(6, v1::ROW_STATUS_SYNCED);
  *r.mutable_hub() = Hub("lrn_6", "Isla", "Grey", "8", "8A");
  *r.mutable_mis() = Mis("stu-006", "Isla", "Grey", "8", "8A");
  r.set_decided_by_admin(true);
  rows.push_back(r);
  r = MakeRow(7, v1::ROW_STATUS_DESYNCED);
  *r.mutable_hub() = Hub("lrn_7", "Oliver", "Stone", "8", "8A");
  rows.push_back(r);
  return rows;
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

TEST(RenderTest, SyncScreenShowsBothColumnsStatusesAndTicks) {
  std::ostringstream os;
  PrintRows(Screen(), {.explain = false}, os);
  std::vector<std::string> lines = Lines(os.str());
  ASSERT_EQ(lines.size(), 9u) << os.str();  // header, 7 rows, the '*' legend
  EXPECT_EQ(lines[0],
            "ROW  HUB LEARNER  NAME          YEAR  REG  STATUS       MIS ID   "
            "NAME           YEAR  "
            "REG  IMPORT?  EMAIL?");
  EXPECT_EQ(lines[1],
            "1    lrn_1        Amelia Khan   7     7A   Matched      stu-001  "
            "Amelia Khan    8     "
            "8B            [x]");
  EXPECT_EQ(lines[2],
            "2                                          New          stu-002  "
            "Noah Patel     7     "
            "7B   [x]");
  // Non-ASCII names take their width in characters, so the columns still line
  // up.
  EXPECT_EQ(lines[3],
            "3                                          New          stu-003  "
            "Zoë Brontë     7     "
            "7B   [ ]");
  EXPECT_EQ(lines[4], "4    lrn_4        Ellie Moss    7     7A   Not matched");
  EXPECT_THAT(lines[5], HasSubstr("May match    stu-005  Freddie Woods"));
  EXPECT_THAT(lines[6], HasSubstr("Synced *"));
  EXPECT_EQ(lines[7], "7    lrn_7        Oliver Stone  8     8A   Desynced");
  EXPECT_EQ(lines[8], "* decided by the admin");
  EXPECT_THAT(os.str(), Not(HasSubstr("score")));
}

TEST(RenderTest, ExplainPutsEvidenceUnderEachPairedRow) {
  std::ostringstream os;
  PrintRows(Screen(), {.explain = true}, os);
  std::vector<std::string> lines = Lines(os.str());
  ASSERT_GE(lines.size(), 5u);
  EXPECT_THAT(lines[1], HasSubstr("Amelia Khan"));
  EXPECT_EQ(lines[2], "      upn                  agree           +12.50");
  EXPECT_EQ(lines[3], "      date_of_birth        agree            +4.75");
  EXPECT_EQ(
      lines[4],
      "      score                                +17.25  same valid UPN");
  EXPECT_THAT(lines[5], HasSubstr("Noah Patel")) << "New rows have no evidence";
  // The May match row has a score but no field lines.
  auto may = std::find_if(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("May match") != l.npos;
  });
  ASSERT_NE(may, lines.end());
  EXPECT_EQ(*(may + 1), "      score                                 +6.50");
  EXPECT_THAT(os.str(), HasSubstr("why each pair was made"));
}

TEST(RenderTest, EmailColumnOnlyWhenTheSessionSyncsEmails) {
  std::ostringstream os;
  PrintRows(Screen(), {.email_column = false}, os);
  std::vector<std::string> lines = Lines(os.str());
  EXPECT_THAT(lines[0], ::testing::EndsWith("REG  IMPORT?"));
  EXPECT_THAT(lines[1], ::testing::EndsWith("8B"))
      << "no Email? tick on Amelia's row";
  EXPECT_THAT(lines[2], ::testing::EndsWith("[x]"))
      << "Noah's Import? tick stays";
}

TEST(RenderTest, SummaryLineCountsEveryStatus) {
  v1::StatusSummary s;
  s.set_not_matched(1);
  s.set_new_(2);
  s.set_matched(3);
  s.set_may_match(4);
  s.set_synced(5);
  s.set_desynced(6);
  s.set_total(21);
  s.set_import_ticked(2);
  std::ostringstream os;
  PrintSummary(s, os);
  EXPECT_EQ(os.str(),
            "Not matched 1 | New 2 | Matched 3 | May match 4 | Synced 5 | "
            "Desynced 6 | total 21 | "
            "Import? ticked 2 | Email? ticked 0\n");
}

TEST(RenderTest, JsonLinesUseLowerCamelNamesAndOmitDefaults) {
  v1::Row row = Screen()[1];
  std::string json = JsonLine(row);
  EXPECT_EQ(json,
            "{\"rowId\":\"2\",\"status\":\"ROW_STATUS_NEW\",\"mis\":{\"misId\":"
            "\"stu-002\","
            "\"legalForename\":\"Noah\",\"legalSurname\":\"Patel\","
            "\"yearGroup\":\"7\","
            "\"registrationGroup\":\"7B\"},\"import\":true}");
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_EQ(JsonLine(v1::Session()), "{}");
}

TEST(RenderTest, SessionAndSave) {
  v1::Session s;
  s.set_session_id("ses_1");
  s.set_step(v1::SESSION_STEP_PUPILS_PANEL);
  s.set_version(3);
  s.mutable_scope()->set_kind(v1::SCOPE_KIND_YEAR_GROUPS);
  s.mutable_scope()->add_year_groups("7");
  s.mutable_scope()->add_year_groups("8");
  s.set_sync_email_addresses(true);
  std::ostringstream os;
  PrintSession(s, os);
  EXPECT_THAT(os.str(), HasSubstr("step        Pupils panel\n"));
  EXPECT_THAT(os.str(), HasSubstr("version     3\n"));
  EXPECT_THAT(os.str(), HasSubstr("scope       year groups 7, 8\n"));
  EXPECT_THAT(os.str(), HasSubstr("emails      sync pupil email addresses\n"));
  EXPECT_THAT(os.str(), Not(HasSubstr("rows"))) << "not classified yet";

  v1::SaveResponse saved;
  *saved.mutable_session() = s;
  saved.mutable_summary()->set_linked(2);
  saved.mutable_summary()->set_imported(1);
  saved.mutable_summary()->set_emails_queued(1);
  std::ostringstream out;
  PrintSaveSummary(saved, out);
  EXPECT_THAT(out.str(),
              HasSubstr("linked         2  (Matched and May match rows)"));
  EXPECT_THAT(out.str(),
              HasSubstr("imported       1  (New rows ticked Import?)"));
  EXPECT_THAT(out.str(), HasSubstr("emails queued  1"));
}

TEST(RenderTest, ErrorsAndUploadProblems) {
  EXPECT_EQ(ErrorLine(absl::NotFoundError("no session ses_9")),
            "error: NOT_FOUND: no session ses_9");
  v1::UploadProblems problems;
  auto* p = problems.add_problems();
  p->set_file("users.csv");
  p->set_line(3);
  p->set_column(2);
  p->set_message("UPN A12 has a bad check letter");
  p = problems.add_problems();
  p->set_file("manifest.csv");
  p->set_message("missing");
  EXPECT_EQ(
      ProblemLines(problems),
      "users.csv:3:2: UPN A12 has a bad check letter\nmanifest.csv: missing\n");
}

TEST(RenderTest, LearnerTable) {
  v1::Learner l = Hub("lrn_1", "Eleanor", "Moss", "7", "7A");
  l.set_preferred_forename("Ellie");
  l.add_classes("7x/Ma1");
  l.add_classes("7y/En2");
  l.set_sync_state(v1::SYNC_STATE_DESYNCED);
  std::ostringstream os;
  PrintLearners({l}, os);
  std::vector<std::string> lines = Lines(os.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1], HasSubstr("Eleanor Moss (Ellie)"));
  EXPECT_THAT(lines[1], HasSubstr("7x/Ma1;7y/En2"));
  EXPECT_THAT(lines[1], HasSubstr("desynced"));
  EXPECT_EQ(lines[2], "1 learner(s)");
}

}  // namespace
}  // namespace hubsync::cli
