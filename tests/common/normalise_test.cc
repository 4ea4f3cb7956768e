#include "common/normalise.h"

#include <string>
#include <thread>
#include <vector>

#include "common/similarity.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(NormaliseName, RemovesDiacritics) {
  EXPECT_EQ(NormaliseName("Zoë"), "zoe");
  EXPECT_EQ(NormaliseName("Zoë"), NormaliseName("Zoe"));
  EXPECT_EQ(NormaliseName("Zoe\xCC\x88"), "zoe");  // e + combining diaeresis
  EXPECT_EQ(NormaliseName("José Núñez"), "jose nunez");
  EXPECT_EQ(NormaliseName("François"), "francois");
}

TEST(NormaliseName, LettersThatDoNotDecompose) {
  EXPECT_EQ(NormaliseName("Łukasz"), "lukasz");
  EXPECT_EQ(NormaliseName("Łukasz"), NormaliseName("Lukasz"));
  EXPECT_EQ(NormaliseName("Søren"), "soren");
  EXPECT_EQ(NormaliseName("Strauß"), "strauss");
}

TEST(NormaliseName, OtherScriptsAreTransliterated) {
  EXPECT_EQ(NormaliseName("Иван"), "ivan");
}

TEST(NormaliseName, ApostrophesAreDropped) {
  EXPECT_EQ(NormaliseName("O'Brien"), "obrien");
  EXPECT_EQ(NormaliseName("O\xE2\x80\x99"
                          "Brien"),
            "obrien");  // ’
  EXPECT_EQ(NormaliseName("OBrien"), "obrien");
}

TEST(NormaliseName, HyphensAndSpacesBecomeOneSpace) {
  EXPECT_EQ(NormaliseName("  Mary-Jane   Smith "), "mary jane smith");
  EXPECT_EQ(NormaliseName("van der Berg"), "van der berg");
  EXPECT_EQ(NormaliseName("Van Der Berg"), "van der berg");
  EXPECT_EQ(NormaliseName("St. John"), "st john");
  EXPECT_EQ(NormaliseName("Ann\xE2\x80\x93Marie"), "ann marie");  // en dash
  EXPECT_EQ(NormaliseName(""), "");
  EXPECT_EQ(NormaliseName(" - "), "");
}

TEST(NormaliseName, InvalidUtf8IsDropped) {
  EXPECT_EQ(NormaliseName("Zo\xC3"), "zo");
  EXPECT_EQ(NormaliseName("Amy\xFF"), "amy");
}

TEST(NormaliseName, TokensAndCompactKey) {
  EXPECT_THAT(NameTokens("van der Berg"), ElementsAre("van", "der", "berg"));
  EXPECT_THAT(NameTokens("Smith-Jones"), ElementsAre("smith", "jones"));
  EXPECT_THAT(NameTokens("  "), ElementsAre());
  EXPECT_EQ(CompactNameKey("van der Berg"), "vanderberg");
  EXPECT_EQ(CompactNameKey("Vanderberg"), "vanderberg");
  EXPECT_EQ(CompactNameKey("O'Brien"), CompactNameKey("OBrien"));
}

TEST(NormaliseName, TrimAscii) {
  EXPECT_EQ(TrimAscii("  7A\t"), "7A");
  EXPECT_EQ(TrimAscii(" "), "");
}

TEST(NormaliseName, SafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&failures, t] {
      for (int i = 0; i < 200; ++i) {
        if (NormaliseName("Łukasz Zoë") != "lukasz zoe") ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(failures, ElementsAre(0, 0, 0, 0));
}

TEST(Similarity, DamerauLevenshtein) {
  EXPECT_EQ(DamerauLevenshtein("john", "john"), 0);
  EXPECT_EQ(DamerauLevenshtein("jon", "john"), 1);
  EXPECT_EQ(DamerauLevenshtein("ab", "ba"), 1);
  EXPECT_EQ(DamerauLevenshtein("aimee", "aiemee"), 1);
  EXPECT_EQ(DamerauLevenshtein("kitten", "sitting"), 3);
  EXPECT_EQ(DamerauLevenshtein("", "abc"), 3);
  EXPECT_EQ(DamerauLevenshtein("abc", ""), 3);
}

// The typo checks ask WithinOneEdit rather than computing the distance: it
// must agree with DamerauLevenshtein(a, b) <= 1 on every pair of strings of
// up to five letters over a small alphabet (where swaps, repeats and
// near-misses are dense).
TEST(Similarity, WithinOneEditIsDistanceAtMostOne) {
  std::vector<std::string> words = {""};
  for (size_t start = 0; start < words.size(); ++start) {
    if (words[start].size() == 5) continue;
    for (char c : {'a', 'b', 'c'}) words.push_back(words[start] + c);
  }
  ASSERT_EQ(words.size(), 364u);  // 1 + 3 + 9 + 27 + 81 + 243
  int disagreements = 0, within = 0;
  for (const std::string& a : words) {
    for (const std::string& b : words) {
      const bool want = DamerauLevenshtein(a, b) <= 1;
      within += want;
      if (WithinOneEdit(a, b) != want) {
        ADD_FAILURE() << "\"" << a << "\" / \"" << b << "\"";
        if (++disagreements > 5) return;
      }
    }
  }
  EXPECT_GT(within, 364);  // more than the equal pairs
  EXPECT_TRUE(WithinOneEdit("aimee", "aiemee"));
  EXPECT_TRUE(WithinOneEdit("jonathon", "jonahton"));
  EXPECT_FALSE(WithinOneEdit("jonathon", "jonahtno"));
}

TEST(Similarity, JaroWinkler) {
  EXPECT_DOUBLE_EQ(JaroWinkler("martha", "martha"), 1.0);
  EXPECT_THAT(JaroWinkler("martha", "marhta"), DoubleNear(0.961, 0.001));
  EXPECT_THAT(JaroWinkler("dwayne", "duane"), DoubleNear(0.840, 0.001));
  // Longer than the flags kept on the stack: the same measure.
  const std::string long_a(70, 'a'), long_b = std::string(69, 'a') + "b";
  const double jaro =
      (69.0 / 70 + 69.0 / 70 + 1.0) / 3;  // 69 matches, no swaps
  EXPECT_THAT(JaroWinkler(long_a, long_b),
              DoubleNear(jaro + 0.4 * (1 - jaro), 1e-9));
  EXPECT_THAT(JaroWinkler("dixon", "dicksonx"), DoubleNear(0.813, 0.001));
  EXPECT_DOUBLE_EQ(JaroWinkler("abc", "xyz"), 0.0);
  EXPECT_DOUBLE_EQ(JaroWinkler("", "abc"), 0.0);
  EXPECT_DOUBLE_EQ(JaroWinkler("", ""), 1.0);
}

}  // namespace
}  // namespace hubsync
