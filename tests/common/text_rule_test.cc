// The free-text rule (common/text_rule.h): what may be stored, what counts
// as a blank name, and how a client shows what should not have been stored.
#include "common/text_rule.h"

#include "common/import_checks.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::IsEmpty;

TEST(TextRuleTest, OrdinaryNamesInAnyScriptPass) {
  for (const char* ok :
       {"Ann", "O'Brien", "Zoë Ångström", "Nguyễn Thị Minh", "李小龍", "محمد",
        "\u05d3\u05d5\u05d3",              // Hebrew
        "Anne-Marie", "Smith\u200eJones",  // an implicit LRM mark
        "emoji \U0001F600", "back\\slash", ""}) {
    EXPECT_THAT(TextProblem(ok), IsEmpty()) << ok;
  }
}

TEST(TextRuleTest, ControlCharactersAreRefusedAndNamed) {
  EXPECT_EQ(TextProblem("a\x1b[2J"),
            "has a control character (U+001B, escape) at character 2");
  EXPECT_EQ(TextProblem(std::string("Ann\0", 4)),
            "has a control character (U+0000, NUL) at character 4");
  EXPECT_EQ(TextProblem("two\nlines"),
            "has a control character (U+000A, line feed) at character 4");
  EXPECT_EQ(TextProblem("\tAnn"),
            "has a control character (U+0009, tab) at character 1");
  EXPECT_EQ(TextProblem("Lee\r"),
            "has a control character (U+000D, carriage return) at character 4");
  EXPECT_EQ(TextProblem("a\x7f"),
            "has a control character (U+007F) at character 2");
  // C1: U+009B is a one-byte CSI to many terminals. Characters, not bytes,
  // are counted.
  EXPECT_EQ(TextProblem("Zoë\u009b2J"),
            "has a control character (U+009B, control sequence introducer) at "
            "character 4");
  EXPECT_EQ(TextProblem("a\u0085b"),
            "has a control character (U+0085, next line) at character 2");
  EXPECT_EQ(TextProblem("a\u2028b"),
            "has a control character (U+2028, line separator) at character 2");
}

TEST(TextRuleTest, BidiOverridesEmbeddingsAndIsolatesAreRefused) {
  EXPECT_EQ(TextProblem("Eve\u202egnp.exe"),
            "has a bidirectional control character (U+202E, right-to-left "
            "override) at character 4");
  for (char32_t cp : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067,
                      0x2068, 0x2069}) {
    EXPECT_TRUE(IsRefusedCodePoint(cp)) << static_cast<int>(cp);
  }
  EXPECT_EQ(TextProblem("x\u2067y"),
            "has a bidirectional control character (U+2067, right-to-left "
            "isolate) at character 2");
  // The implicit marks are allowed.
  for (char32_t cp : {0x200E, 0x200F, 0x061C}) {
    EXPECT_FALSE(IsRefusedCodePoint(cp)) << static_cast<int>(cp);
  }
}

TEST(TextRuleTest, InvalidUtf8IsRefused) {
  EXPECT_EQ(TextProblem("Zo\xeb"),
            "is not valid UTF-8 (byte 0xEB at character 3)");
  EXPECT_THAT(TextProblem("\xc0\xaf"), ::testing::HasSubstr("not valid UTF-8"))
      << "overlong";
  EXPECT_THAT(TextProblem("\xed\xa0\x80"),
              ::testing::HasSubstr("not valid UTF-8"))
      << "surrogate";
  EXPECT_THAT(TextProblem("\xf4\x90\x80\x80"),
              ::testing::HasSubstr("not valid UTF-8"))
      << "past U+10FFFF";
  EXPECT_THAT(TextProblem("ab\xe2\x80"), ::testing::HasSubstr("not valid"))
      << "cut short";
}

TEST(TextRuleTest, TheImportersCheckIsTheSameRule) {
  EXPECT_EQ(ControlCharacterProblem("Eve\u202e"), TextProblem("Eve\u202e"));
  std::vector<Problem> problems;
  bool over = false;
  EXPECT_FALSE(CheckValue("f.csv", 2, 3, "legal_forename", "Zoë\u009b", {},
                          &problems, &over));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message,
            "legal_forename has a control character (U+009B, control sequence "
            "introducer) at character 4");
  EXPECT_TRUE(
      CheckValue("f.csv", 2, 3, "legal_forename", "Zoë", {}, &problems, &over));
}

TEST(TextRuleTest, BlankMeansNothingAPersonCouldRead) {
  for (const char* blank :
       {"", " ", "   ", "\u00a0", "\u00a0\u00a0", "\u200b", " \u200b\u00a0",
        "\u2003", "\u3000", "\ufeff", "\u2060", "\u3164", "\u200d"}) {
    EXPECT_TRUE(IsBlank(blank)) << blank;
  }
  for (const char* name :
       {"A", " Ann ", "\u00a0Zoë", "\u200bLi", "李", "-", "\xff"}) {
    EXPECT_FALSE(IsBlank(name)) << name;
  }
}

TEST(TextRuleTest, EscapingShowsWhatATerminalWouldObey) {
  EXPECT_EQ(EscapeUnprintable("Ann"), "Ann");
  EXPECT_EQ(EscapeUnprintable("Zoë \u202e李"), "Zoë \\u202e李");
  EXPECT_EQ(EscapeUnprintable("\x1b[2J\x1b[Hforged\n"),
            "\\x1b[2J\\x1b[Hforged\\x0a");
  EXPECT_EQ(EscapeUnprintable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(EscapeUnprintable("a\u009b2J"), "a\\x9b2J");
  EXPECT_EQ(EscapeUnprintable("Zo\xeb!"), "Zo\\xeb!");
  EXPECT_EQ(EscapeUnprintable("back\\slash"), "back\\slash");
  // Nothing the escaping writes is refused itself.
  EXPECT_THAT(TextProblem(EscapeUnprintable("\x1b\u202e\xff\u2066")),
              IsEmpty());
}

TEST(TextRuleTest, JsonEscapingLeavesValidJsonWithNoControls) {
  EXPECT_EQ(EscapeUnprintableJson("{\"a\":\"Ann\"}"), "{\"a\":\"Ann\"}");
  EXPECT_EQ(EscapeUnprintableJson("{\"a\":\"Eve\u202e\u009b\"}"),
            "{\"a\":\"Eve\\u202e\\u009b\"}");
}

}  // namespace
}  // namespace hubsync
