#include "common/name_frequencies.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace hubsync {
namespace {

// The prior: the fixed weights' shares (kForenameExact 7, kSurnameExact 8 in
// match_score.cc), worth this many learners.
constexpr double kPriorLearners = 500;
constexpr double kForenamePriorShare = 1.0 / 128;
constexpr double kSurnamePriorShare = 1.0 / 256;

double Weight(size_t count, size_t n, double prior_share, double lo,
              double hi) {
  const double share =
      (static_cast<double>(count) + kPriorLearners * prior_share) /
      (static_cast<double>(n) + kPriorLearners);
  return std::clamp(-std::log2(share), lo, hi);
}

absl::string_view Av(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

double ForenameFrequencyWeight(size_t count, size_t n) {
  return Weight(count, n, kForenamePriorShare, 5.0, 10.0);
}

double SurnameFrequencyWeight(size_t count, size_t n) {
  return Weight(count, n, kSurnamePriorShare, 5.5, 11.0);
}

void AnnotateNameFrequencies(std::vector<PreparedLearner>* mis) {
  // Keys point into the learners' own strings, which outlive the maps.
  // Each name's slot in `counts` is found once and remembered per learner,
  // so the second pass does no hashing.
  absl::flat_hash_map<absl::string_view, uint32_t> forename_slot, surname_slot;
  forename_slot.reserve(mis->size() / 8);
  surname_slot.reserve(mis->size() / 8);
  std::vector<uint32_t> counts;
  std::vector<uint32_t>
      slots;  // per learner: forename slots, then surname slots
  slots.reserve(mis->size() * 3);
  auto slot = [&](absl::flat_hash_map<absl::string_view, uint32_t>& map,
                  std::string_view k) {
    auto [it, inserted] =
        map.try_emplace(Av(k), static_cast<uint32_t>(counts.size()));
    if (inserted) counts.push_back(0);
    ++counts[it->second];
    slots.push_back(it->second);
  };
  for (const PreparedLearner& p : *mis) {
    for (std::string_view k : p.forename_keys()) slot(forename_slot, k);
    for (std::string_view k : p.surname_keys()) slot(surname_slot, k);
  }
  const size_t n = mis->size();
  size_t next = 0;
  for (PreparedLearner& p : *mis) {
    // Prepare keeps at most two keys (legal, preferred); a third would be
    // counted above but keep the fixed weight.
    p.name_weights = true;
    for (size_t j = 0; j < p.forename_keys().size(); ++j, ++next) {
      if (j < 2) {
        p.forename_weights[j] =
            static_cast<float>(ForenameFrequencyWeight(counts[slots[next]], n));
      }
    }
    for (size_t j = 0; j < p.surname_keys().size(); ++j, ++next) {
      if (j < 2) {
        p.surname_weights[j] =
            static_cast<float>(SurnameFrequencyWeight(counts[slots[next]], n));
      }
    }
  }
}

}  // namespace hubsync
