#include "common/upn.h"

#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The worked example of the DfE rules: body 801200005001 sums to 93,
// 93 mod 23 = 1, and index 1 of ABCDEFGHJKLMNPQRTUVWXYZ is B.
TEST(UpnCheckLetter, WorkedExampleIsB) {
  EXPECT_EQ(UpnCheckLetter("801200005001"), std::optional<char>('B'));
}

TEST(UpnProblem, WorkedExampleIsValid) {
  EXPECT_THAT(UpnProblem("B801200005001"), IsEmpty());
  EXPECT_TRUE(IsValidUpn("B801200005001"));
}

TEST(UpnProblem, WrongCheckLetterNamesTheRightOne) {
  EXPECT_FALSE(IsValidUpn("A801200005001"));
  EXPECT_THAT(UpnProblem("A801200005001"),
              AllOf(HasSubstr("should be B"), HasSubstr("not A")));
}

TEST(UpnProblem, ChangingOneDigitInvalidatesTheCheckLetter) {
  EXPECT_FALSE(IsValidUpn("B801200005002"));
  EXPECT_THAT(UpnProblem("B801200005002"), HasSubstr("check letter should be"));
}

// A temporary UPN ends in a letter that counts as its index in the check
// alphabet (A = 0): 80120000500A sums to 80, 80 mod 23 = 11 -> M.
TEST(UpnCheckLetter, TemporaryUpnFinalLetterCountsByAlphabetIndex) {
  EXPECT_EQ(UpnCheckLetter("80120000500A"), std::optional<char>('M'));
  // B has index 1, so it weighs exactly what the digit 1 does.
  EXPECT_EQ(UpnCheckLetter("80120000500B"), UpnCheckLetter("801200005001"));
  // Z has index 22 (I, O and S are skipped): 80 + 13 * 22 = 366 -> 21 -> Y.
  EXPECT_EQ(UpnCheckLetter("80120000500Z"), std::optional<char>('Y'));
}

TEST(UpnProblem, TemporaryUpnsAreValid) {
  EXPECT_TRUE(IsValidUpn("M80120000500A"));
  EXPECT_TRUE(IsValidUpn("B80120000500B"));
  EXPECT_TRUE(IsValidUpn("Y80120000500Z"));
  EXPECT_THAT(UpnProblem("A80120000500A"), HasSubstr("should be M"));
}

TEST(UpnProblem, TemporaryUpnLetterOutsideTheCheckAlphabetIsRejected) {
  for (const char* upn :
       {"A80120000500I", "A80120000500O", "A80120000500S", "A80120000500a"}) {
    EXPECT_THAT(UpnProblem(upn), HasSubstr("character 13")) << upn;
    EXPECT_FALSE(IsValidUpn(upn)) << upn;
  }
}

TEST(UpnProblem, WrongLengthSaysHowLong) {
  EXPECT_THAT(UpnProblem("B80120000500"),
              HasSubstr("expected 13 characters, got 12"));
  EXPECT_THAT(UpnProblem("B8012000050011"),
              HasSubstr("expected 13 characters, got 14"));
  EXPECT_THAT(UpnProblem(""), HasSubstr("got 0"));
  EXPECT_FALSE(IsValidUpn(""));
}

TEST(UpnProblem, LettersInTheMiddleAreRejected) {
  EXPECT_THAT(UpnProblem("B80120A005001"),
              HasSubstr("characters 2-12 must be digits"));
  EXPECT_THAT(UpnProblem("B8012000050A1"),
              HasSubstr("characters 2-12 must be digits"));
  EXPECT_FALSE(IsValidUpn("B80120A005001"));
}

TEST(UpnProblem, FirstCharacterMustBeACheckLetter) {
  EXPECT_THAT(UpnProblem("I801200005001"),
              HasSubstr("first character 'I' is not a check letter"));
  EXPECT_THAT(UpnProblem("1801200005001"), HasSubstr("not a check letter"));
  // UpnProblem does not normalise: lower case is the caller's job.
  EXPECT_FALSE(IsValidUpn("b801200005001"));
}

TEST(UpnCheckLetter, MalformedBodiesHaveNoCheckLetter) {
  EXPECT_EQ(UpnCheckLetter("80120000500"), std::nullopt);    // 11 characters
  EXPECT_EQ(UpnCheckLetter("8012000050011"), std::nullopt);  // 13 characters
  EXPECT_EQ(UpnCheckLetter("8012A0005001"), std::nullopt);   // letter inside
  EXPECT_EQ(UpnCheckLetter("80120000500S"), std::nullopt);  // S not in alphabet
}

TEST(NormaliseUpn, StripsSpacesAndUpperCases) {
  EXPECT_EQ(NormaliseUpn(" b801 2000 05001 "), "B801200005001");
  EXPECT_EQ(NormaliseUpn("b801200005001"), "B801200005001");
  EXPECT_EQ(NormaliseUpn("m\t80120000500a"), "M80120000500A");
  EXPECT_EQ(NormaliseUpn(""), "");
  EXPECT_TRUE(IsValidUpn(NormaliseUpn("b 801200 005001")));
}

}  // namespace
}  // namespace hubsync
