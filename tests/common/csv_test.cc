#include "common/csv.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/problem_matchers.h"

namespace hubsync {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

using Fields = std::vector<std::string>;

TEST(ParseCsv, HeaderAndRecordsWithLineNumbers) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "id,name\n1,Ann\n2,Bob\n", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  EXPECT_THAT(t.header, ElementsAre("id", "name"));
  ASSERT_THAT(t.records, SizeIs(2));
  EXPECT_EQ(t.records[0].line, 2);
  EXPECT_THAT(t.records[0].fields, ElementsAre("1", "Ann"));
  EXPECT_EQ(t.records[1].line, 3);
  EXPECT_THAT(t.records[1].fields, ElementsAre("2", "Bob"));
}

TEST(ParseCsv, ColumnLookupIsCaseInsensitive) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "sourcedId,givenName\n", &problems);
  EXPECT_EQ(t.Column("SOURCEDID"), 0);
  EXPECT_EQ(t.Column("givenname"), 1);
  EXPECT_EQ(t.Column("familyName"), -1);
}

TEST(ParseCsv, ByteOrderMarkIsRemovedFromTheFirstHeader) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "\xEF\xBB\xBFid,name\n1,Ann\n", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  EXPECT_THAT(t.header, ElementsAre("id", "name"));
  EXPECT_EQ(t.Column("id"), 0);
}

TEST(ParseCsv, CrlfLineEndsLeaveNoCarriageReturns) {
  std::vector<Problem> problems;
  CsvTable t =
      ParseCsv("a.csv", "id,name\r\n1,Ann\r\n2,\"Bob\"\r\n", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  EXPECT_THAT(t.header, ElementsAre("id", "name"));
  ASSERT_THAT(t.records, SizeIs(2));
  EXPECT_THAT(t.records[0].fields, ElementsAre("1", "Ann"));
  EXPECT_THAT(t.records[1].fields, ElementsAre("2", "Bob"));
  EXPECT_EQ(t.records[1].line, 3);
}

TEST(ParseCsv, QuotedCommasAndDoubledQuotes) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv(
      "a.csv",
      "id,name,ids\n1,\"O\"\"Brien, Ann\",\"{UPN:B801200005001},{MIS:7}\"\n",
      &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  ASSERT_THAT(t.records, SizeIs(1));
  EXPECT_THAT(t.records[0].fields,
              ElementsAre("1", "O\"Brien, Ann", "{UPN:B801200005001},{MIS:7}"));
}

TEST(ParseCsv, UnquotedFieldsAreTrimmedQuotedFieldsAreNot) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", " id , name \n 1 ,\" Ann \" \n", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  EXPECT_THAT(t.header, ElementsAre("id", "name"));
  ASSERT_THAT(t.records, SizeIs(1));
  EXPECT_THAT(t.records[0].fields, ElementsAre("1", " Ann "));
}

TEST(ParseCsv, EmbeddedNewlineKeepsLaterLineNumbersRight) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv",
                        "id,note\n"
                        "1,\"first\nsecond\nthird\"\n"  // lines 2-4
                        "2,plain\n"                     // line 5
                        "3\n",                          // line 6: one field
                        &problems);
  ASSERT_THAT(t.records, SizeIs(2));
  EXPECT_EQ(t.records[0].line, 2);
  EXPECT_THAT(t.records[0].fields, ElementsAre("1", "first\nsecond\nthird"));
  EXPECT_EQ(t.records[1].line, 5);
  EXPECT_THAT(t.records[1].fields, ElementsAre("2", "plain"));
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("a.csv", 6, 0, "expected 2 fields")));
}

TEST(ParseCsv, UnbalancedQuoteNamesTheLineWhereItOpened) {
  std::vector<Problem> problems;
  CsvTable t =
      ParseCsv("a.csv", "id,name\n1,Ann\n2,\"Bob\n3,Cat\n4,Dan\n", &problems);
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("a.csv", 3, 0, "never closed")));
  EXPECT_THAT(t.records, IsEmpty());
}

TEST(ParseCsv, QuoteInsideAnUnquotedFieldNamesItsColumn) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "id,name\n1,Ann\n2,Bo\"b\"\n", &problems);
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("a.csv", 3, 5,
                                    "a quote inside an unquoted field")));
  ASSERT_THAT(t.records, SizeIs(1));  // the bad record is left out
  EXPECT_THAT(t.records[0].fields, ElementsAre("1", "Ann"));
}

TEST(ParseCsv, TextAfterAClosingQuoteNamesItsColumn) {
  std::vector<Problem> problems;
  ParseCsv("a.csv", "id,name\n1,\"Ann\"x\n", &problems);
  EXPECT_THAT(
      Rendered(problems),
      ElementsAre(ProblemAt("a.csv", 2, 8, "text after a closing quote")));
}

TEST(ParseCsv, WrongFieldCountNamesEveryBadLine) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv(
      "a.csv", "id,name,year\n1,Ann,7\n2,Bob\n3,Cat,7,extra\n4,Dan,8\n",
      &problems);
  EXPECT_THAT(
      Rendered(problems),
      ElementsAre(
          ProblemAt("a.csv", 3, 0, "expected 3 fields as in the header, got 2"),
          ProblemAt("a.csv", 4, 0, "got 4")));
  ASSERT_THAT(t.records, SizeIs(2));
  EXPECT_EQ(t.records[0].line, 2);
  EXPECT_EQ(t.records[1].line, 5);
}

TEST(ParseCsv, InvalidUtf8NamesLineAndColumn) {
  std::vector<Problem> problems;
  // Line 3: "2,Bé" is valid (é is two bytes, one column), then a lone 0xFF at
  // column 5. Line 4 has a truncated 3-byte sequence at column 3.
  CsvTable t = ParseCsv(
      "a.csv", "id,name\n1,Ann\n2,B\xC3\xA9\xFF\n3,\xE2\x82\n", &problems);
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("a.csv", 3, 5, "invalid UTF-8"),
                          ProblemAt("a.csv", 4, 3, "invalid UTF-8")));
  EXPECT_THAT(t.records, IsEmpty());  // nothing is read from a non-UTF-8 file
}

TEST(ParseCsv, Latin1FileIsRejected) {
  std::vector<Problem> problems;
  // "Zoë" saved as Windows-1252: 0xEB on its own.
  ParseCsv("users.csv", "name\nZo\xEB\n", &problems);
  EXPECT_THAT(
      Rendered(problems),
      ElementsAre(ProblemAt("users.csv", 2, 3, "save the file as UTF-8")));
}

TEST(ParseCsv, OverlongAndSurrogateEncodingsAreInvalid) {
  for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    std::vector<Problem> problems;
    ParseCsv("a.csv", std::string("name\n") + bad + "\n", &problems);
    EXPECT_THAT(Rendered(problems),
                ElementsAre(ProblemAt("a.csv", 2, 1, "invalid UTF-8")));
  }
}

TEST(ParseCsv, BlankLinesAreSkippedButCountedInLineNumbers) {
  std::vector<Problem> problems;
  CsvTable t =
      ParseCsv("a.csv", "id,name\n\n1,Ann\n   \n\r\n2,Bob\n\n", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  ASSERT_THAT(t.records, SizeIs(2));
  EXPECT_EQ(t.records[0].line, 3);
  EXPECT_EQ(t.records[1].line, 6);
}

TEST(ParseCsv, LastRecordWithoutNewline) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "id,name\n1,\"Ann\"", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  ASSERT_THAT(t.records, SizeIs(1));
  EXPECT_THAT(t.records[0].fields, ElementsAre("1", "Ann"));
}

TEST(ParseCsv, EmptyFieldsAreKept) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "a,b,c\n,,\n1,\"\",\n", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  ASSERT_THAT(t.records, SizeIs(2));
  EXPECT_THAT(t.records[0].fields, ElementsAre("", "", ""));
  EXPECT_THAT(t.records[1].fields, ElementsAre("1", "", ""));
}

TEST(ParseCsv, EmptyFileNeedsAHeader) {
  for (const char* data : {"", "\n\n", "\xEF\xBB\xBF", "\r\n"}) {
    std::vector<Problem> problems;
    CsvTable t = ParseCsv("a.csv", data, &problems);
    EXPECT_THAT(Rendered(problems),
                ElementsAre(ProblemAt("a.csv", 1, 0, "the file is empty")))
        << "'" << data << "'";
    EXPECT_THAT(t.header, IsEmpty());
  }
}

TEST(ParseCsv, HeaderOnlyIsAnEmptyTable) {
  std::vector<Problem> problems;
  CsvTable t = ParseCsv("a.csv", "id,name\n", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  EXPECT_THAT(t.header, ElementsAre("id", "name"));
  EXPECT_THAT(t.records, IsEmpty());
}

TEST(ParseCsv, AppendsToExistingProblems) {
  std::vector<Problem> problems = {{"other.csv", 1, 1, "earlier"}};
  ParseCsv("a.csv", "id\n1,2\n", &problems);
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("other.csv", 1, 1, "earlier"),
                          ProblemAt("a.csv", 2, 0, "expected 1 fields")));
}

TEST(ParseCsv, LinesEndedByCrAloneAreLines) {
  // Older Excel for Mac ("CSV (Macintosh)") ends lines with a bare CR.
  std::vector<Problem> problems;
  CsvTable t =
      ParseCsv("a.csv", "id,name\r1,Ann\r2,\"Bo\rb\"\r3,Cy", &problems);
  EXPECT_THAT(Rendered(problems), IsEmpty());
  EXPECT_THAT(t.header, ElementsAre("id", "name"));
  ASSERT_THAT(t.records, SizeIs(3));
  EXPECT_THAT(t.records[1].fields, ElementsAre("2", "Bo\rb"));  // quoted: kept
  EXPECT_EQ(t.records[2].line, 5);  // the quoted CR counts as a line too
}

TEST(ParseCsv, Utf16FileIsNamedAsSuch) {
  for (const char* bom : {"\xFF\xFE", "\xFE\xFF"}) {
    std::vector<Problem> problems;
    CsvTable t =
        ParseCsv("users.csv", std::string(bom) + std::string("i\0d\0\n\0", 6),
                 &problems);
    EXPECT_THAT(
        Rendered(problems),
        ElementsAre(ProblemAt("users.csv", 1, 1, "the file is UTF-16")));
    EXPECT_THAT(t.header, IsEmpty());
  }
}

TEST(ParseCsv, ColumnsCountCharactersNotBytes) {
  std::vector<Problem> problems;
  // "Zoë" is 4 bytes but 3 characters: the stray quote is character 6 of
  // its line (byte 7).
  ParseCsv("a.csv", "id,name\n1,Zo\xC3\xAB\"x\"\n", &problems);
  EXPECT_THAT(Rendered(problems),
              ElementsAre(ProblemAt("a.csv", 2, 6,
                                    "a quote inside an unquoted field")));
}

}  // namespace
}  // namespace hubsync
