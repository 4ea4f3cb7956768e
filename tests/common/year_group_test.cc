#include "common/year_group.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::ElementsAre;

std::optional<std::string> Y(const char* s) { return std::string(s); }

TEST(CanonicalYearGroup, NumbersWithAndWithoutLeadingZero) {
  EXPECT_EQ(CanonicalYearGroup("07"), Y("7"));
  EXPECT_EQ(CanonicalYearGroup("7"), Y("7"));
  EXPECT_EQ(CanonicalYearGroup("01"), Y("1"));
  EXPECT_EQ(CanonicalYearGroup("1"), Y("1"));
  EXPECT_EQ(CanonicalYearGroup("12"), Y("12"));
  EXPECT_EQ(CanonicalYearGroup("13"), Y("13"));
  EXPECT_EQ(CanonicalYearGroup(" 10 "), Y("10"));
}

TEST(CanonicalYearGroup, YearPrefixes) {
  EXPECT_EQ(CanonicalYearGroup("Year 7"), Y("7"));
  EXPECT_EQ(CanonicalYearGroup("year 07"), Y("7"));
  EXPECT_EQ(CanonicalYearGroup("YEAR 11"), Y("11"));
  EXPECT_EQ(CanonicalYearGroup("Y7"), Y("7"));
  EXPECT_EQ(CanonicalYearGroup("y13"), Y("13"));
  EXPECT_EQ(CanonicalYearGroup("Yr 7"), Y("7"));
  EXPECT_EQ(CanonicalYearGroup("Yr7"), Y("7"));
  EXPECT_EQ(CanonicalYearGroup("Year_9"), Y("9"));
}

TEST(CanonicalYearGroup, Reception) {
  for (const char* s : {"R", "r", "Reception", "RECEPTION", "KG", "kg", "YR",
                        "Rec", "Year R", "year r"}) {
    EXPECT_EQ(CanonicalYearGroup(s), Y("R")) << s;
  }
}

TEST(CanonicalYearGroup, Nursery) {
  for (const char* s : {"N2", "n2", "Nursery", "PK", "pk", "N", "Nursery 2"}) {
    EXPECT_EQ(CanonicalYearGroup(s), Y("N2")) << s;
  }
  for (const char* s : {"N1", "n1", "IT", "PR", "Nursery 1"}) {
    EXPECT_EQ(CanonicalYearGroup(s), Y("N1")) << s;
  }
}

TEST(CanonicalYearGroup, UnknownValues) {
  for (const char* s : {"", "   ", "14", "0", "00", "19", "Year 14", "Year",
                        "Y", "007", "7A", "Seven", "N3", "TK"}) {
    EXPECT_EQ(CanonicalYearGroup(s), std::nullopt) << "'" << s << "'";
  }
}

// Every canonical form maps to itself, and nothing else is canonical.
TEST(IsCanonicalYearGroup, ExactlyTheCanonicalForms) {
  std::vector<std::string> canonical = {"N1", "N2", "R"};
  for (int i = 1; i <= 13; ++i) canonical.push_back(std::to_string(i));
  for (const std::string& c : canonical) {
    EXPECT_TRUE(IsCanonicalYearGroup(c)) << c;
    EXPECT_EQ(CanonicalYearGroup(c), c) << c;
  }
  for (const char* s :
       {"07", "Year 7", "r", "n1", "Reception", " 7", "", "14"}) {
    EXPECT_FALSE(IsCanonicalYearGroup(s)) << "'" << s << "'";
  }
}

TEST(YearGroupOrder, NurseryThenReceptionThenYearsInNumericOrder) {
  std::vector<std::string> years = {"13", "R", "2", "N2", "10", "1", "N1", "7"};
  std::sort(years.begin(), years.end(),
            [](const std::string& a, const std::string& b) {
              return YearGroupOrder(a) < YearGroupOrder(b);
            });
  EXPECT_THAT(years, ElementsAre("N1", "N2", "R", "1", "2", "7", "10", "13"));
}

TEST(YearGroupOrder, EveryCanonicalValueSortsBeforeUnknown) {
  EXPECT_LT(YearGroupOrder("N1"), YearGroupOrder("N2"));
  EXPECT_LT(YearGroupOrder("N2"), YearGroupOrder("R"));
  EXPECT_LT(YearGroupOrder("R"), YearGroupOrder("1"));
  EXPECT_LT(YearGroupOrder("9"), YearGroupOrder("10"));  // not string order
  EXPECT_LT(YearGroupOrder("13"), YearGroupOrder("unknown"));
  EXPECT_LT(YearGroupOrder("13"), YearGroupOrder(""));
}

}  // namespace
}  // namespace hubsync
