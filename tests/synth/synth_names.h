// Internals of the synthetic-school generator: the random helpers, the name
// tables, and the edits a person makes when typing a name by hand. Not part
// of synth.h's contract; shared with synth.cc and its test.
#ifndef HUBSYNC_TESTS_SYNTH_SYNTH_NAMES_H_
#define HUBSYNC_TESTS_SYNTH_SYNTH_NAMES_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace hubsync::synth::internal {

using Rng = std::mt19937_64;

// Our own draws rather than <random>'s distributions, whose results differ
// between standard libraries: the same seed gives the same school anywhere.
inline double Uniform01(Rng& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}
inline bool Chance(Rng& rng, double p) { return Uniform01(rng) < p; }
// Uniform in [0, n); the modulo bias is below 2^-40 for any n we use.
inline uint64_t Below(Rng& rng, uint64_t n) { return rng() % n; }

// Names with relative frequencies, drawn in proportion to them.
class WeightedNames {
 public:
  void Add(std::string name, double weight);
  const std::string& Pick(Rng& rng) const;
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::vector<double> cumulative_;
};

struct NameTables {
  WeightedNames male, female, surnames;
  // Legal forename -> short forms a hand-made record might carry instead.
  absl::flat_hash_map<std::string, std::vector<std::string>> nicknames;
};

// Reads forenames_male.csv, forenames_female.csv, surnames.csv and
// nicknames.csv from `dir`. NOT_FOUND names the file that is missing;
// INVALID_ARGUMENT names the file and line that does not parse.
absl::StatusOr<NameTables> LoadNameTables(const std::string& dir);

bool IsAscii(std::string_view s);
// Latin letters with diacritics to their plain forms (Zoë -> Zoe,
// Łukasz -> Lukasz, Søndergaard -> Sondergaard); other bytes unchanged.
std::string StripAccents(std::string_view s);
// Has a hyphen, an apostrophe or a space.
bool HasPunctuation(std::string_view s);
// One of: hyphen -> space, hyphen dropped, apostrophe dropped, apostrophe
// -> space, spaces dropped ("van der Berg" -> "Vanderberg"), words
// capitalised ("van der Berg" -> "Van Der Berg").
std::string ChangePunctuation(std::string_view s, Rng& rng);
// One keystroke wrong on an ASCII letter: substitution, deletion, insertion
// or transposition of neighbours. Returns `s` unchanged when it has fewer
// than three ASCII letters.
std::string Typo(std::string_view s, Rng& rng);
std::string AsciiUpper(std::string_view s);
std::string AsciiLower(std::string_view s);

}  // namespace hubsync::synth::internal

#endif  // HUBSYNC_TESTS_SYNTH_SYNTH_NAMES_H_
