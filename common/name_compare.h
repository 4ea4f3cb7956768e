// Grading one learner's names against another's (used by ScorePair): the
// NameLevel of the best pair among legal and preferred names.
#ifndef HUBSYNC_COMMON_NAME_COMPARE_H_
#define HUBSYNC_COMMON_NAME_COMPARE_H_

#include <array>
#include <string>
#include <vector>

#include "common/match_score.h"

namespace hubsync {

// One side's name list: compact keys and, same order, their words and
// (forenames only) their known short / full forms.
// A learner's forenames or surnames: compact keys, the normalised names
// (for their words), and for forenames their known short / full forms.
struct Names {
  NameKeys keys;
  NameKeys names;
  const std::array<const std::vector<std::string>*, 2>* variants = nullptr;
};
Names Forenames(const PreparedLearner& p);
Names Surnames(const PreparedLearner& p);

NameLevel BestForename(const Names& h, const Names& m,
                       double (*weight)(NameLevel));
NameLevel BestSurname(const Names& h, const Names& m,
                      double (*weight)(NameLevel));

bool AnyClearTypo(const NameKeys& a, const NameKeys& b);

bool SharesKey(const NameKeys& a, const NameKeys& b);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_NAME_COMPARE_H_
