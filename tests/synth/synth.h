// A synthetic UK secondary school (or trust) with ground truth, for
// measuring the classifier: a MIS roll, a hub whose records are the MIS
// children perturbed the way hand-made records are, and the truth of which
// hub record is which child. Deterministic for a given size, seed and
// profile (std::mt19937_64, no global state). See docs/MATCHING.md.
#ifndef HUBSYNC_TESTS_SYNTH_SYNTH_H_
#define HUBSYNC_TESTS_SYNTH_SYNTH_H_

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "common/types.h"

namespace hubsync::synth {

// Where a hub record came from, and what was done to it. One bit each.
enum Perturbation : uint32_t {
  kMissingUpn = 1u << 0,
  kMissingDob = 1u << 1,
  kNickname = 1u << 2,
  kForenameTypo = 1u << 3,
  kSurnameTypo = 1u << 4,
  kAccentsStripped = 1u << 5,
  kPunctuationChanged = 1u << 6,  // hyphen, apostrophe or particle spacing
  kDoubleBarrel = 1u << 7,        // added to or removed from the surname
  kSurnameChanged = 1u << 8,      // another surname entirely
  kNamesSwapped = 1u << 9,        // forename and surname swapped
  kDobSwapped = 1u << 10,         // day and month swapped
  kDobOneDigit = 1u << 11,
  kStaleGroups = 1u << 12,  // last year's year group and registration group
  kCaseChanged = 1u << 13,  // SURNAME in capitals, forename in lower case
  kTwin = 1u << 14,         // one of a twin pair (both on both sides)
};
inline constexpr int kPerturbationBits = 15;
const char* PerturbationName(uint32_t bit);  // "missing_upn", ...

// Rates are probabilities; documented with their reasons in
// docs/MATCHING.md. Perturbation rates apply independently to each
// unlinked hub record that has a MIS counterpart.
struct Profile {
  // The academic year the MIS export belongs to (2024 = 2024/25).
  int academic_year = 2024;
  // MIS side.
  double joiner_rate = 0.05;         // MIS children with no hub record yet
  double twin_child_rate = 0.03;     // children who are one of twins
  double mis_upn_missing = 0.01;     // MIS records without a UPN
  double mis_preferred_rate = 0.05;  // a preferred forename (a short form)
  double mis_email_rate = 0.7;
  // Share of children whose surname comes from a long tail of generated
  // British-style surnames (about 26,000: "Ashenford", "Pendleby") rather
  // than the 313-name table. Real surnames are that spread out: the 313
  // commonest in England and Wales hold roughly a third of people, so with
  // the table alone a trust of 1,000,000 would have ~3,000 children per
  // surname, and same-name, different-child pairs far commoner than in
  // life. 0 reproduces the table-only ("hard") profile exactly.
  double surname_tail_share = 0.6;
  // Hub side, per MIS child that has a hub record.
  double linked_rate = 0.55;  // SYNCED with mis_id by an earlier sync
  // Extra hub records, as a share of the MIS roll.
  double leaver_rate = 0.04;  // SYNCED, but the MIS record is gone
  double orphan_rate = 0.03;  // hand-made, no MIS record at all
  // Perturbations of unlinked (hand-made) hub records.
  double missing_upn = 0.60;
  double missing_dob = 0.20;
  double nickname = 0.08;       // when the forename has a known short form
  double uses_preferred = 0.6;  // hub has the MIS preferred forename
  double forename_typo = 0.03;
  double surname_typo = 0.03;
  double accents_stripped = 0.5;     // when the name has any
  double punctuation_changed = 0.3;  // when the name has any
  double double_barrel = 0.02;
  double surname_changed = 0.015;
  double names_swapped = 0.005;
  double dob_swapped = 0.01;  // when the day is 12 or less
  double dob_one_digit = 0.01;
  double stale_groups = 0.20;
  double case_changed = 0.05;
  double hub_gender_missing = 0.3;
  // Where the name tables live (set by CMake; tests may point elsewhere).
  std::string data_dir = HUBSYNC_SYNTH_DATA_DIR;
};

// What every hub record is, by hub id.
struct Truth {
  std::string mis_id;   // the same child's MIS id; "" when not on the MIS
  uint32_t flags = 0;   // Perturbation bits
  bool linked = false;  // SYNCED by an earlier sync (mis_id may be gone)
};

struct School {
  std::vector<MisLearner> mis;
  std::vector<HubLearner> hub;
  absl::flat_hash_map<std::string, Truth> truth;  // every hub id
  // Twins by MIS id, the smaller id first.
  std::set<std::pair<std::string, std::string>> twin_pairs;
};

// A school of `size` MIS learners (Years 7-11) and its hub. Both vectors are
// shuffled so that order carries no truth. Fails only when the name tables
// cannot be read.
absl::StatusOr<School> Generate(size_t size, uint64_t seed,
                                const Profile& profile = {});

}  // namespace hubsync::synth

#endif  // HUBSYNC_TESTS_SYNTH_SYNTH_H_
