// Blocking for the classifier: which MIS learners a hub learner is scored
// against. Keys are hashed; a block larger than the cap is not searched
// (its lookups are counted and reported), so cost grows about linearly
// with the school even for the commonest surnames and birthdays.
#ifndef HUBSYNC_COMMON_BLOCKING_H_
#define HUBSYNC_COMMON_BLOCKING_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "common/match_score.h"

namespace hubsync {

// Blocks with more members than this are skipped at lookup (a surname alone
// has a smaller cap, see blocking.cc).
inline constexpr size_t kMaxBlock = 1000;

// A loose key (surname with a forename initial and a year, and the like)
// whose block is bigger than this is searched through its parts, split by
// letters of a name (see blocking.cc), not whole: the cost per learner then
// stays about the same as the trust grows.
inline constexpr size_t kRefineAbove = 4;

class BlockIndex {
 public:
  // Indexes MIS learners by: valid UPN; date of birth with a forename
  // initial, and with a surname initial; each surname with each forename
  // initial; each surname alone; each word of a multi-word surname.
  explicit BlockIndex(const std::vector<PreparedLearner>& mis);

  // The MIS learners sharing a key with `hub` (also its date of birth with
  // day and month swapped, and its forename and surname swapped), sorted
  // and distinct. `capped` counts the oversized blocks skipped.
  std::vector<int> Lookup(const PreparedLearner& hub, int64_t* capped) const;

  // The same learners as Lookup, unsorted and possibly repeated (a learner
  // in two of hub's blocks comes twice): for the pair loop, which drops
  // repeats itself more cheaply than sorting. The exact keys (UPN, date of
  // birth) come first; then `loose()` is asked whether the loose keys
  // (surnames, forenames, years) are still wanted: not when an exact key
  // found a pair no loose one could rival (OutranksLooseRivals).
  void Visit(const PreparedLearner& hub, int64_t* capped,
             absl::FunctionRef<void(int)> visit,
             absl::FunctionRef<bool()> loose) const;

 private:
  // Each key's block as (start, size) in members_.
  absl::flat_hash_map<uint64_t, std::pair<uint32_t, uint32_t>> blocks_;
  std::vector<int> members_;
};

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_BLOCKING_H_
