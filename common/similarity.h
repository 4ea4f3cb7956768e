// String similarity measures used to grade name agreement. Byte-wise: call
// them on normalised (ASCII) names.
#ifndef HUBSYNC_COMMON_SIMILARITY_H_
#define HUBSYNC_COMMON_SIMILARITY_H_

#include <string_view>

namespace hubsync {

// Optimal string alignment distance: insertions, deletions, substitutions
// and transpositions of adjacent characters each cost 1 ("jon"/"joan" = 1,
// "aimee"/"aiemee" = 1, "ab"/"ba" = 1).
int DamerauLevenshtein(std::string_view a, std::string_view b);

// DamerauLevenshtein(a, b) <= 1, in one pass and without allocating: equal,
// or one character changed, added or dropped, or two adjacent ones swapped.
bool WithinOneEdit(std::string_view a, std::string_view b);

// Jaro-Winkler similarity in [0, 1], 1 for equal strings, with the usual
// prefix scale 0.1 over at most 4 characters. Two empty strings give 1.
double JaroWinkler(std::string_view a, std::string_view b);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_SIMILARITY_H_
