// Grading one learner's names against another's (used by ScorePair): the
// NameLevel of the best pair among legal and preferred names.
#ifndef HUBSYNC_COMMON_NAME_COMPARE_H_
#define HUBSYNC_COMMON_NAME_COMPARE_H_

#include <string>
#include <vector>

#include "common/match_score.h"

namespace hubsync {

// One side's name list: compact keys and, same order, their words and
// (forenames only) their known short / full forms.
struct Names {
  const std::vector<std::string>& keys;
  const std::vector<std::vector<std::string>>& tokens;
  const std::vector<const std::vector<std::string>*>* variants = nullptr;
};
Names Forenames(const PreparedLearner& p);
Names Surnames(const PreparedLearner& p);

// The best level over every pair of names, `h` being the hub's (typed by
// hand) and `m` the MIS's, ranked by `weight`; kMissing when a side has no
// name. Forenames: exact, nickname, overlap (a shared word), typo,
// nickname_typo, prefix, initial or different. Surnames: exact, overlap,
// typo or different.
NameLevel BestForename(const Names& h, const Names& m, double (*weight)(NameLevel));
NameLevel BestSurname(const Names& h, const Names& m, double (*weight)(NameLevel));

// Some key of `a` is a clear typo of some key of `b`: one keystroke
// (Damerau-Levenshtein 1), the initial kept, five letters or more.
bool AnyClearTypo(const std::vector<std::string>& a, const std::vector<std::string>& b);

// Some key of `a` equals some key of `b`.
bool SharesKey(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_NAME_COMPARE_H_
