// CsvCell / LearnersCsv: formula neutralisation (OWASP) and RFC 4180 quoting.
#include "client/cli/csv_export.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::cli {
namespace {

TEST(CsvCell, PlainValuesAreLeftAlone) {
  EXPECT_EQ(CsvCell("Ann"), "Ann");
  EXPECT_EQ(CsvCell(""), "");
  EXPECT_EQ(CsvCell("O'Brien"), "O'Brien");
  EXPECT_EQ(CsvCell("Smith-Jones"), "Smith-Jones");  // '-' inside is harmless
  EXPECT_EQ(CsvCell("a=b"), "a=b");
}

TEST(CsvCell, EveryDangerousLeadingCharacterIsNeutralised) {
  EXPECT_EQ(CsvCell("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  EXPECT_EQ(CsvCell("+SUM(A1)"), "\"'+SUM(A1)\"");
  EXPECT_EQ(CsvCell("-2+3"), "\"'-2+3\"");
  EXPECT_EQ(CsvCell("@cmd"), "\"'@cmd\"");
  EXPECT_EQ(CsvCell("\t=1"), "\"'\t=1\"");
  EXPECT_EQ(CsvCell("\r=1"), "\"'\r=1\"");
}

TEST(CsvCell, CommasQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(CsvCell("Mary, Jane"), "\"Mary, Jane\"");
  EXPECT_EQ(CsvCell("O\"Brien"), "\"O\"\"Brien\"");
  EXPECT_EQ(CsvCell("a\nb"), "\"a\nb\"");
}

TEST(LearnersCsv, HeaderThenOneRowPerLearner) {
  v1::Learner l;
  l.set_learner_id("lrn_1");
  l.set_legal_forename("=cmd");
  l.set_legal_surname("Lee");
  l.add_classes("7x/Ma1");
  l.add_classes("7y/En2");
  l.set_sync_state(v1::SYNC_STATE_SYNCED);
  l.set_mis_id("m1");
  EXPECT_EQ(LearnersCsv({l}),
            "learner_id,legal_forename,legal_surname,preferred_forename,"
            "preferred_surname,date_of_birth,gender,upn,year_group,"
            "registration_group,classes,email,mis_id,sync_state\r\n"
            "lrn_1,\"'=cmd\",Lee,,,,,,,,7x/Ma1; 7y/En2,,m1,synced\r\n");
}

}  // namespace
}  // namespace hubsync::cli
