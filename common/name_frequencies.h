// Term frequencies for matching: an exact agreement on a rare name ("Ptolemy
// Okonkwo-Vance") is stronger evidence than on a common one ("Oliver
// Smith"). Computed from the MIS learners being matched, once per
// classification, and stored on them so that scoring a pair does no lookup.
#ifndef HUBSYNC_COMMON_NAME_FREQUENCIES_H_
#define HUBSYNC_COMMON_NAME_FREQUENCIES_H_

#include <vector>

#include "common/match_score.h"

namespace hubsync {

// Fills forename_weights and surname_weights of every learner in `mis`
// (Prepare()d MIS learners; call once, before scoring).
// The weight of agreeing on a name is log2(1 / f), f being the name's share
// of the learners, smoothed towards the fixed weight's share (1 in 128 for
// forenames, 1 in 256 for surnames) as if 500 more learners had been seen,
// so that a small scope (one registration group) keeps about the fixed
// weights; then clamped (forenames 5-10, surnames 5.5-11). Single-threaded;
// about linear in the number of names.
void AnnotateNameFrequencies(std::vector<PreparedLearner>* mis);

// The weight AnnotateNameFrequencies gives a name seen `count` times among
// `n` learners: for tests and for the explanation.
double ForenameFrequencyWeight(size_t count, size_t n);
double SurnameFrequencyWeight(size_t count, size_t n);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_NAME_FREQUENCIES_H_
