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

TEST(SyncRowsCsv, ExplanationColumnsAndEscapedNames) {
  google::protobuf::RepeatedPtrField<v1::Row> rows;
  v1::Row* r = rows.Add();
  r->set_status(v1::ROW_STATUS_MAY_MATCH);
  r->mutable_hub()->set_learner_id("lrn_1");
  r->mutable_hub()->set_legal_forename("Freddie");
  r->mutable_hub()->set_legal_surname("Taylor");
  r->mutable_mis()->set_mis_id("m-1");
  r->mutable_mis()->set_legal_forename("=Fred, \"F\"");
  r->mutable_mis()->set_legal_surname("Wood");
  r->mutable_mis()->set_year_group("7");
  r->mutable_mis()->set_registration_group("7A");
  r->mutable_explanation()->set_score(0.8125);
  r->mutable_explanation()->set_reason("surname differs");
  v1::FieldEvidence* f = r->mutable_explanation()->add_fields();
  f->set_field("forename");
  f->set_level("exact");
  f = r->mutable_explanation()->add_fields();
  f->set_field("surname");
  f->set_level("differs");
  v1::Row* n = rows.Add();
  n->set_status(v1::ROW_STATUS_NOT_MATCHED);
  n->mutable_hub()->set_learner_id("lrn_2");
  n->mutable_hub()->set_legal_forename("Ellie");
  n->mutable_hub()->set_legal_surname("Moss");
  n->mutable_hub()->set_year_group("7");
  n->mutable_hub()->set_registration_group("7B");
  n->set_decided_by_admin(true);
  EXPECT_EQ(SyncRowsCsvHeader() + SyncRowsCsvRows(rows),
            "status,learner_id,hub_name,mis_id,mis_name,year_group,"
            "registration_group,import,sync_email,decided_by_admin,score,"
            "reason,evidence\r\n"
            "May match,lrn_1,Freddie Taylor,m-1,\"'=Fred, \"\"F\"\" Wood\",7,"
            "7A,no,no,no,0.81,surname differs,forename:exact; "
            "surname:differs\r\n"
            "Not matched,lrn_2,Ellie Moss,,,7,7B,no,no,yes,,,\r\n");
}

}  // namespace
}  // namespace hubsync::cli
