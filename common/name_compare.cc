// Name against name: the levels of NameLevel, for ScorePair.
#include "common/name_compare.h"

#include <algorithm>
#include <string_view>

#include "common/nicknames.h"
#include "common/similarity.h"

namespace hubsync {
namespace {

// Every word of the shorter name appears in the longer one.
bool TokenSubset(std::string_view a_name, std::string_view b_name) {
  const NameWords a = WordsOf(a_name), b = WordsOf(b_name);
  const auto& small = a.size() <= b.size() ? a : b;
  const auto& large = a.size() <= b.size() ? b : a;
  if (small.empty()) return false;
  for (std::string_view t : small) {
    if (std::find(large.begin(), large.end(), t) == large.end()) return false;
  }
  return true;
}

bool IsTypo(std::string_view a, std::string_view b) {
  // One keystroke in a name of four letters or more; in a shorter name only
  // when the first letter agrees (Mx / Max, Aa / Ada, not Ian / Ivan's
  // cousin Jan).
  const size_t shorter = std::min(a.size(), b.size());
  if ((shorter >= 4 || (shorter >= 2 && a[0] == b[0])) && WithinOneEdit(a, b)) {
    return true;
  }
  return JaroWinkler(a, b) >= 0.92;
}

// A typo safe enough for Matched: one keystroke, the initial kept, in a
// name of five letters or more. Measured at 1,000,000 learners, shorter or
// re-initialled "typos" are often two real names (Jason / Mason, Priya /
// Riya, Ball / Bell, Lily / Lilly), and Jaro-Winkler alone (Mason /
// Madison) is no single keystroke.
bool IsClearTypo(std::string_view a, std::string_view b) {
  return std::min(a.size(), b.size()) >= 5 && a[0] == b[0] && a != b &&
         WithinOneEdit(a, b);
}

// The known short / full forms of b's name j (a learner that was not
// Prepare()d, or a surname, has none listed: look the name up).
const std::vector<std::string>& VariantsOf(const Names& b, size_t j) {
  if (b.variants != nullptr && (*b.variants)[j] != nullptr) {
    return *(*b.variants)[j];
  }
  return NicknameVariants(b.keys[j]);
}

// `a` is the hub's name i (typed by hand), `b` the MIS's name j.
NameLevel CompareForename(const Names& a, size_t i, const Names& b, size_t j) {
  const std::string_view a_key = a.keys[i];
  const std::string_view b_key = b.keys[j];
  if (a_key == b_key) return NameLevel::kExact;
  const std::vector<std::string>& b_forms = VariantsOf(b, j);
  if (std::find(b_forms.begin(), b_forms.end(), a_key) != b_forms.end()) {
    return NameLevel::kNickname;
  }
  if (TokenSubset(a.names[i], b.names[j])) return NameLevel::kOverlap;
  if (IsTypo(a_key, b_key)) return NameLevel::kTypo;
  const std::string_view s = a_key.size() <= b_key.size() ? a_key : b_key;
  const std::string_view l = a_key.size() <= b_key.size() ? b_key : a_key;
  if (s.size() >= 3 && l.substr(0, s.size()) == s) return NameLevel::kPrefix;
  if (s.size() == 1 && l[0] == s[0]) return NameLevel::kInitial;
  // A typo in a short form ("chalrie" for Charlotte via Charlie, "harr"
  // for Henry via Harry), the hub side being the one typed by hand: one
  // keystroke, the initial kept. Most forms fail on the initial or the
  // length before anything is computed.
  if (a_key.size() >= 3) {
    for (const std::string& v : b_forms) {
      if (v[0] == a_key[0] && v.size() + 1 >= a_key.size() &&
          a_key.size() + 1 >= v.size() && WithinOneEdit(a_key, v)) {
        return NameLevel::kNicknameTypo;
      }
    }
  }
  return NameLevel::kDifferent;
}

NameLevel CompareSurname(const Names& a, size_t i, const Names& b, size_t j) {
  if (a.keys[i] == b.keys[j]) return NameLevel::kExact;
  if (TokenSubset(a.names[i], b.names[j])) return NameLevel::kOverlap;
  if (IsTypo(a.keys[i], b.keys[j])) return NameLevel::kTypo;
  return NameLevel::kDifferent;
}

// The best level over every pair of names (legal and preferred on each
// side), graded by `compare` and ranked by `weight`.
template <typename Compare, typename Weight>
NameLevel Best(const Names& h, const Names& m, Compare compare, Weight weight) {
  if (h.keys.empty() || m.keys.empty()) return NameLevel::kMissing;
  NameLevel best = NameLevel::kDifferent;
  for (size_t i = 0; i < h.keys.size(); ++i) {
    for (size_t j = 0; j < m.keys.size(); ++j) {
      NameLevel l = compare(h, i, m, j);
      if (weight(l) > weight(best)) best = l;
    }
  }
  return best;
}

}  // namespace

Names Forenames(const PreparedLearner& p) {
  return {p.forename_keys(), p.forename_names(), &p.forename_variants};
}

Names Surnames(const PreparedLearner& p) {
  return {p.surname_keys(), p.surname_names()};
}

bool AnyClearTypo(const NameKeys& a, const NameKeys& b) {
  for (std::string_view x : a) {
    for (std::string_view y : b) {
      if (IsClearTypo(x, y)) return true;
    }
  }
  return false;
}

NameLevel BestForename(const Names& h, const Names& m,
                       double (*weight)(NameLevel)) {
  return Best(h, m, CompareForename, weight);
}

NameLevel BestSurname(const Names& h, const Names& m,
                      double (*weight)(NameLevel)) {
  return Best(h, m, CompareSurname, weight);
}

bool SharesKey(const NameKeys& a, const NameKeys& b) {
  for (std::string_view x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  }
  return false;
}

}  // namespace hubsync
