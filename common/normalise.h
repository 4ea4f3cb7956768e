// Name normalisation for matching: the same person's name typed in two
// systems ("Zoë O'Brien-Smith", "Zoe OBrien Smith") compares equal.
#ifndef HUBSYNC_COMMON_NORMALISE_H_
#define HUBSYNC_COMMON_NORMALISE_H_

#include <string>
#include <string_view>
#include <vector>

namespace hubsync {

// Lower-case ASCII words separated by single spaces. Non-Latin scripts are
// transliterated and diacritics removed (Zoë -> zoe, Łukasz -> lukasz,
// Ørsted -> orsted); apostrophes are dropped (O'Brien -> obrien); hyphens,
// dots, commas and runs of white space become one space ("Smith-Jones" ->
// "smith jones"). Input is UTF-8; invalid bytes are dropped. Thread-safe.
std::string NormaliseName(std::string_view name);

// The words of NormaliseName(name): "van der Berg" -> {"van", "der", "berg"}.
std::vector<std::string> NameTokens(std::string_view name);

// NormaliseName without spaces: "van der Berg" and "Vanderberg" both give
// "vanderberg".
std::string CompactNameKey(std::string_view name);

// `s` without leading and trailing ASCII white space.
// (absl::StripAsciiWhitespace takes absl::string_view, which Debian's Abseil
// does not alias to std::string_view.)
std::string_view TrimAscii(std::string_view s);

// The same on an already normalised name (no second pass through ICU).
std::vector<std::string> SplitNormalised(std::string_view normalised);
std::string CompactNormalised(std::string_view normalised);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_NORMALISE_H_
