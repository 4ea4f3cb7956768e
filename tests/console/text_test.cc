// UTF-8 names on a terminal: decoding, widths and cells of an exact width.
#include "client/console/text.h"

#include <clocale>

#include "gtest/gtest.h"

namespace hubsync::console {
namespace {

class TextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(std::setlocale(LC_ALL, "C.UTF-8"), nullptr);
  }
};

TEST_F(TextTest, DecodesAndEncodesNames) {
  const std::string zoe = "Zo\xc3\xab";        // Zoë
  const std::string lukasz = "\xc5\x81ukasz";  // Łukasz
  EXPECT_EQ(Widen(zoe), L"Zo\u00eb");
  EXPECT_EQ(Widen(lukasz), L"\u0141ukasz");
  EXPECT_EQ(Narrow(Widen(zoe)), zoe);
  EXPECT_EQ(Narrow(Widen(lukasz)), lukasz);
  EXPECT_EQ(Narrow(Widen("\xe7\x8e\x8b\xf0\x9f\x98\x80")),
            "\xe7\x8e\x8b\xf0\x9f\x98\x80");
}

TEST_F(TextTest, MalformedBytesBecomeReplacementCharacters) {
  EXPECT_EQ(Widen("a\xff"
                  "b"),
            L"a\ufffdb");
  EXPECT_EQ(Widen("Zo\xc3"), L"Zo\ufffd") << "cut off at the end";
  EXPECT_EQ(Widen("\xc0\xaf"), L"\ufffd\ufffd") << "overlong";
  EXPECT_EQ(Widen("\xed\xa0\x80").substr(0, 1), L"\ufffd") << "surrogate";
}

// What the screen draws of text from the server: nothing a terminal would
// act on (docs/SECURITY.md, "Text that reaches a terminal").
TEST_F(TextTest, ShownTextHasNoEscapesC1OrBidiControls) {
  EXPECT_EQ(Shown("Zo\xc3\xab"), L"Zo\u00eb");
  EXPECT_EQ(Shown("\x1b[2J\x1b[Hforged\nline"),
            L"\\x1b[2J\\x1b[Hforged\\x0aline");
  EXPECT_EQ(Shown("Eve\u202egnp"), L"Eve\\u202egnp");
  EXPECT_EQ(Shown("Mal\u009b2J"), L"Mal\\x9b2J");
  EXPECT_EQ(Shown("a\xff"), L"a\\xff");
  // Escaped text still has a width, so cells stay aligned.
  EXPECT_EQ(DisplayWidth(Shown("\x1b")), 4);
}

TEST_F(TextTest, WidthsCountColumnsNotBytes) {
  EXPECT_EQ(DisplayWidth(Widen("Zo\xc3\xab")), 3);
  EXPECT_EQ(DisplayWidth(Widen("\xc5\x81ukasz")), 6);
  EXPECT_EQ(DisplayWidth(L"\u738b\u82b3"), 4) << "CJK: two columns each";
  EXPECT_EQ(DisplayWidth(L"Zoe\u0308"), 3)
      << "a combining diaeresis takes none";
}

TEST_F(TextTest, FitPadsAndCutsToExactWidth) {
  EXPECT_EQ(Fit(L"Zo\u00eb", 6), L"Zo\u00eb   ");
  EXPECT_EQ(Fit(L"\u0141ukasz Nowak", 8), L"\u0141ukasz \u2026");
  EXPECT_EQ(DisplayWidth(Fit(L"\u0141ukasz Nowak", 8)), 8);
  // A wide character that would straddle the edge is left out, not split.
  const std::wstring cut = Fit(L"\u738b\u82b3\u738b", 4);
  EXPECT_EQ(cut, L"\u738b\u2026 ");
  EXPECT_EQ(DisplayWidth(cut), 4);
  EXPECT_EQ(Fit(L"abc", 0), L"");
}

TEST_F(TextTest, LowerFoldsNonAscii) {
  EXPECT_EQ(Lower(L"\u0141UKASZ"), L"\u0142ukasz");
  EXPECT_EQ(Lower(L"ZO\u00cb"), L"zo\u00eb");
}

}  // namespace
}  // namespace hubsync::console
