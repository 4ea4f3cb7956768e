// The sync screen's layout at the sizes admins use, 80x24 first: columns
// that never run into each other, header lines, the title and the key hint
// that keep what matters (the step, Save, help, quit), and dialogs that fit.
#include "client/console/layout.h"

#include <clocale>

#include "absl/strings/str_join.h"
#include "client/console/dialogs.h"
#include "client/console/text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::console {
namespace {

using ::testing::HasSubstr;

class LayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(std::setlocale(LC_ALL, "C.UTF-8"), nullptr);
  }
};

int Width(const std::string& s) { return DisplayWidth(Widen(s)); }

void ExpectApart(const SyncColumns& c, int cols) {
  const std::vector<std::pair<const char*, Column>> order = {
      {"marker", c.marker},     {"hub", c.hub},
      {"hub year", c.hub_year}, {"hub reg", c.hub_reg},
      {"status", c.status},     {"mis", c.mis},
      {"mis year", c.mis_year}, {"mis reg", c.mis_reg},
      {"import", c.import}};
  for (size_t i = 1; i < order.size(); ++i) {
    const Column& prev = order[i - 1].second;
    EXPECT_GE(order[i].second.x, prev.x + prev.w + (i == 1 ? 0 : 1))
        << order[i].first << " starts inside " << order[i - 1].first
        << " (no blank column between them)";
  }
  const Column last = c.emails ? c.email : c.import;
  if (c.emails) {
    EXPECT_GE(c.email.x, c.import.x + c.import.w + 1);
  }
  EXPECT_LE(last.x + last.w, cols) << "the last column is cut off";
}

TEST_F(LayoutTest, ColumnsAt80NeverRunIntoEachOther) {
  for (bool emails : {false, true}) {
    SCOPED_TRACE(emails ? "email column" : "no email column");
    const SyncColumns c = LayoutColumns(80, emails);
    ExpectApart(c, 80);
    EXPECT_GE(c.hub.w, 16) << "room for a name such as Amelia Clarke";
    EXPECT_EQ(c.mis.w, c.hub.w);
    EXPECT_GE(c.status.w, Width("Not matched *"));
    EXPECT_GE(c.hub_year.w, 2);
    EXPECT_GE(c.hub_reg.w, 4);
    EXPECT_GE(c.import.w, Width(c.import_header));
    EXPECT_GE(c.import.w, 3) << "[x]";
    if (emails) {
      EXPECT_GE(c.email.w, 3);
    }
  }
}

TEST_F(LayoutTest, WiderTerminalsGiveTheNamesTheRoom) {
  const SyncColumns narrow = LayoutColumns(80, true);
  const SyncColumns wide = LayoutColumns(160, true);
  ExpectApart(wide, 160);
  EXPECT_GT(wide.hub.w, narrow.hub.w + 20);
  EXPECT_EQ(wide.import_header, "IMPORT?");
}

TEST_F(LayoutTest, CountsWrapOntoLinesThatFitWithEverySegmentWhole) {
  Counts n;
  n.not_matched = 123;
  n.new_rows = 4567;
  n.matched = 890;
  n.may_match = 12;
  n.synced = 34567;
  n.desynced = 8;
  n.total = 40147;
  n.import_ticked = 4500;
  n.email_ticked = 321;
  const std::vector<std::string> segments = CountSegments(n, true);
  const std::vector<std::string> lines = PackSegments(segments, 80);
  ASSERT_GE(lines.size(), 2u) << "one 80-column line cannot hold them all";
  for (const std::string& l : lines) EXPECT_LE(Width(l), 80) << l;
  const std::string all = absl::StrJoin(lines, "\n");
  for (const char* want : {"Not matched 123", "New 4567", "Matched 890",
                           "May match 12", "Synced 34567", "Desynced 8",
                           "total 40147", "Import? 4500", "Email? 321"}) {
    EXPECT_THAT(all, HasSubstr(want));
  }
  EXPECT_EQ(PackSegments(segments, 200).size(), 1u) << "wide: one line";
}

TEST_F(LayoutTest, TitleKeepsTheStepAndVersionAt80) {
  const std::string t =
      TitleLine("Saint Bartholomew's Church of England Academy Trust",
                "ses_0123456789abcdef0123", 12, "Sync screen", 80);
  EXPECT_LE(Width(t), 80);
  EXPECT_THAT(t, HasSubstr("Sync screen"));
  EXPECT_THAT(t, HasSubstr("v12"));
  EXPECT_THAT(t, HasSubstr("Saint Bart"));
  const std::string wide =
      TitleLine("Riverside Academy", "ses_1", 3, "Sync screen", 120);
  EXPECT_THAT(wide, HasSubstr("hubsync console | Riverside Academy"));
}

TEST_F(LayoutTest, KeyHintAt80ShowsSaveHelpAndQuit) {
  const std::string hint = SyncKeyHint(80);
  EXPECT_LT(Width(hint), 80) << "the last cell of the screen stays empty";
  EXPECT_THAT(hint, HasSubstr("S: save"));
  EXPECT_THAT(hint, HasSubstr("?: keys"));
  EXPECT_THAT(hint, HasSubstr("q: quit"));
  EXPECT_THAT(hint, HasSubstr("/: search"));
  const std::string wide = SyncKeyHint(200);
  EXPECT_THAT(wide, HasSubstr("m: match"));
  EXPECT_THAT(wide, HasSubstr("a: tick all New"));
}

// A dialog box at 80x24 holds 18 lines of at most 72 columns (ui.cc's Box).
TEST_F(LayoutTest, HelpAndSavePreviewFitAt80x24) {
  const std::vector<std::string>& help = HelpLines();
  EXPECT_LE(help.size(), 18u);
  for (const std::string& l : help) EXPECT_LE(Width(l), 72) << l;
  EXPECT_THAT(absl::StrJoin(help, "\n"), HasSubstr("q "));
  v1::SaveSummary s;
  s.set_imported(1234);
  s.set_linked(12345);
  s.set_refreshed(123456);
  s.set_desynced(12);
  s.set_emails_queued(99999);
  s.set_unaffected(100000);
  Counts c;
  c.may_match = 7;
  c.new_rows = 20;
  const std::vector<std::string> lines = SaveLines(s, c);
  EXPECT_LE(lines.size(), 18u);
  for (const std::string& l : lines) EXPECT_LE(Width(l), 72) << l;
}

}  // namespace
}  // namespace hubsync::console
