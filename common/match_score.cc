#include "common/match_score.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "common/nicknames.h"
#include "common/similarity.h"

namespace hubsync {
namespace {

// Weights, log2(P(level | same child) / P(level | different children)).
// UPN: a valid UPN is unique nationally, so agreement is near-proof; two
// different valid UPNs are rare for one child (a temporary UPN replaced).
constexpr double kUpnSame = 14.0;
constexpr double kUpnDifferent = -10.0;
// Forename: about 1 in 150 children share a given forename. A clearly
// different forename almost never happens for one child (the preferred name
// is compared too), hence the large penalty, and the veto in IsCandidate.
constexpr double kForenameExact = 7.0;
constexpr double kForenameNickname = 5.0;
constexpr double kForenameOverlap = 5.0;  // "mary jane" vs "mary"
constexpr double kForenameTypo = 4.0;
constexpr double kForenamePrefix = 3.5;   // "sam" vs "samuel"
constexpr double kForenameInitial = 1.5;  // "j" vs "james"
constexpr double kForenameDifferent = -10.0;
// Surname: rarer than forenames, but it does change (families, adoption),
// so disagreement costs less than a forename disagreement.
constexpr double kSurnameExact = 8.0;
constexpr double kSurnameOverlap = 5.0;  // double-barrel added or removed
constexpr double kSurnameTypo = 4.5;
constexpr double kSurnameDifferent = -4.0;
// Forename and surname typed into each other's boxes: both names agree
// crosswise, which is strong evidence, but less than agreeing in place.
constexpr double kNamesSwapped = -3.0;
// Date of birth: one day in ~2,500 across a school's birth years.
constexpr double kDobExact = 11.0;
constexpr double kDobSwapped = 5.0;   // 04/09 typed as 09/04
constexpr double kDobOneDigit = 4.0;  // a single mistyped digit
constexpr double kDobDifferent = -6.0;
// Weak fields: hub year and class data are often stale (the MIS overwrites
// them on Save), so they barely move the score.
constexpr double kGenderSame = 0.5;
constexpr double kGenderDifferent = -2.0;
constexpr double kYearSame = 1.0;
constexpr double kYearDifferent = -1.5;
constexpr double kRegSame = 1.0;
constexpr double kRegDifferent = -0.5;

// Every word of the shorter list appears in the longer one.
bool TokenSubset(const std::vector<std::string>& a,
                 const std::vector<std::string>& b) {
  const auto& small = a.size() <= b.size() ? a : b;
  const auto& large = a.size() <= b.size() ? b : a;
  if (small.empty()) return false;
  for (const std::string& t : small) {
    if (std::find(large.begin(), large.end(), t) == large.end()) return false;
  }
  return true;
}

bool IsTypo(std::string_view a, std::string_view b) {
  // One keystroke in a name of four letters or more; in a shorter name only
  // when the first letter agrees (Mx / Max, Aa / Ada, not Ian / Ivan's
  // cousin Jan).
  const size_t shorter = std::min(a.size(), b.size());
  if ((shorter >= 4 || (shorter >= 2 && a[0] == b[0])) &&
      DamerauLevenshtein(a, b) <= 1) {
    return true;
  }
  return JaroWinkler(a, b) >= 0.92;
}

// Some key of `a` equals some key of `b`.
bool Crosses(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  }
  return false;
}

double ForenameWeight(NameLevel l) {
  switch (l) {
    case NameLevel::kExact:
      return kForenameExact;
    case NameLevel::kNickname:
      return kForenameNickname;
    case NameLevel::kOverlap:
      return kForenameOverlap;
    case NameLevel::kTypo:
      return kForenameTypo;
    case NameLevel::kPrefix:
      return kForenamePrefix;
    case NameLevel::kInitial:
      return kForenameInitial;
    case NameLevel::kDifferent:
      return kForenameDifferent;
    case NameLevel::kMissing:
      return 0;
  }
  return 0;
}

double SurnameWeight(NameLevel l) {
  switch (l) {
    case NameLevel::kExact:
      return kSurnameExact;
    case NameLevel::kOverlap:
      return kSurnameOverlap;
    case NameLevel::kTypo:
      return kSurnameTypo;
    case NameLevel::kDifferent:
      return kSurnameDifferent;
    default:
      return 0;
  }
}

NameLevel CompareForename(const PreparedLearner& h, size_t i,
                          const PreparedLearner& m, size_t j) {
  const std::string& a_key = h.forename_keys[i];
  const std::string& b_key = m.forename_keys[j];
  if (a_key == b_key) return NameLevel::kExact;
  if (IsKnownNickname(a_key, b_key)) return NameLevel::kNickname;
  if (TokenSubset(h.forename_tokens[i], m.forename_tokens[j])) {
    return NameLevel::kOverlap;
  }
  if (IsTypo(a_key, b_key)) return NameLevel::kTypo;
  const std::string& s = a_key.size() <= b_key.size() ? a_key : b_key;
  const std::string& l = a_key.size() <= b_key.size() ? b_key : a_key;
  if (s.size() >= 3 && l.compare(0, s.size(), s) == 0)
    return NameLevel::kPrefix;
  if (s.size() == 1 && l[0] == s[0]) return NameLevel::kInitial;
  return NameLevel::kDifferent;
}

NameLevel BestForename(const PreparedLearner& h, const PreparedLearner& m) {
  if (h.forenames.empty() || m.forenames.empty()) return NameLevel::kMissing;
  NameLevel best = NameLevel::kDifferent;
  for (size_t i = 0; i < h.forenames.size(); ++i) {
    for (size_t j = 0; j < m.forenames.size(); ++j) {
      NameLevel l = CompareForename(h, i, m, j);
      if (ForenameWeight(l) > ForenameWeight(best)) best = l;
    }
  }
  return best;
}

NameLevel BestSurname(const PreparedLearner& h, const PreparedLearner& m) {
  if (h.surname_keys.empty() || m.surname_keys.empty()) {
    return NameLevel::kMissing;
  }
  NameLevel best = NameLevel::kDifferent;
  for (size_t i = 0; i < h.surname_keys.size(); ++i) {
    for (size_t j = 0; j < m.surname_keys.size(); ++j) {
      NameLevel l = NameLevel::kDifferent;
      if (h.surname_keys[i] == m.surname_keys[j]) {
        l = NameLevel::kExact;
      } else if (TokenSubset(h.surname_tokens[i], m.surname_tokens[j])) {
        l = NameLevel::kOverlap;
      } else if (IsTypo(h.surname_keys[i], m.surname_keys[j])) {
        l = NameLevel::kTypo;
      }
      if (SurnameWeight(l) > SurnameWeight(best)) best = l;
    }
  }
  return best;
}

DobLevel CompareDob(const std::optional<Date>& a,
                    const std::optional<Date>& b) {
  if (!a || !b) return DobLevel::kMissing;
  if (*a == *b) return DobLevel::kExact;
  if (a->year == b->year && a->day == b->month && a->month == b->day) {
    return DobLevel::kSwapped;
  }
  // One mistyped digit in YYYY-MM-DD (no formatting: this runs per pair).
  auto digits_differ = [](int x, int y, int width) {
    int n = 0;
    for (int i = 0; i < width; ++i, x /= 10, y /= 10) n += (x % 10) != (y % 10);
    return n;
  };
  if (digits_differ(a->year, b->year, 4) +
          digits_differ(a->month, b->month, 2) +
          digits_differ(a->day, b->day, 2) ==
      1) {
    return DobLevel::kOneDigit;
  }
  return DobLevel::kDifferent;
}

double DobWeight(DobLevel l) {
  switch (l) {
    case DobLevel::kExact:
      return kDobExact;
    case DobLevel::kSwapped:
      return kDobSwapped;
    case DobLevel::kOneDigit:
      return kDobOneDigit;
    case DobLevel::kDifferent:
      return kDobDifferent;
    case DobLevel::kMissing:
      return 0;
  }
  return 0;
}

double UpnWeight(UpnLevel l) {
  switch (l) {
    case UpnLevel::kSame:
      return kUpnSame;
    case UpnLevel::kDifferent:
      return kUpnDifferent;
    case UpnLevel::kMissing:
      return 0;
  }
  return 0;
}

WeakLevel CompareWeak(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return WeakLevel::kMissing;
  return a == b ? WeakLevel::kExact : WeakLevel::kDifferent;
}

double WeakWeight(WeakLevel l, double same, double different) {
  switch (l) {
    case WeakLevel::kExact:
      return same;
    case WeakLevel::kDifferent:
      return different;
    case WeakLevel::kMissing:
      return 0;
  }
  return 0;
}

double FieldSum(const PairScore& s) {
  const FieldWeights w = WeighFields(s);
  return w.upn + w.forename + w.surname + w.date_of_birth + w.gender +
         w.year_group + w.registration_group + w.names_swapped;
}

}  // namespace

FieldWeights WeighFields(const PairScore& s) {
  return {UpnWeight(s.upn),
          ForenameWeight(s.forename),
          SurnameWeight(s.surname),
          DobWeight(s.dob),
          WeakWeight(s.gender, kGenderSame, kGenderDifferent),
          WeakWeight(s.year_group, kYearSame, kYearDifferent),
          WeakWeight(s.registration_group, kRegSame, kRegDifferent),
          s.names_swapped ? kNamesSwapped : 0.0};
}

double ScoreUpperBound(const PreparedLearner& h, const PreparedLearner& m) {
  PairScore s;
  if (h.upn_valid && m.upn_valid) {
    s.upn = h.upn == m.upn ? UpnLevel::kSame : UpnLevel::kDifferent;
  }
  if (s.upn == UpnLevel::kSame) return kUpnSame + 1000;  // always scored
  s.dob = CompareDob(h.date_of_birth, m.date_of_birth);
  s.gender = CompareWeak(h.gender, m.gender);
  s.year_group = CompareWeak(h.year_group, m.year_group);
  s.registration_group =
      CompareWeak(h.registration_group, m.registration_group);
  return FieldSum(s) + kForenameExact + kSurnameExact;
}

PairScore ScorePair(const PreparedLearner& h, const PreparedLearner& m) {
  PairScore s;
  if (h.upn_valid && m.upn_valid) {
    s.upn = h.upn == m.upn ? UpnLevel::kSame : UpnLevel::kDifferent;
  }
  s.upn_given = !h.upn.empty() && !m.upn.empty();
  s.forename = BestForename(h, m);
  s.surname = BestSurname(h, m);
  if (s.forename == NameLevel::kDifferent && s.surname == NameLevel::kDifferent &&
      Crosses(h.forename_keys, m.surname_keys) &&
      Crosses(h.surname_keys, m.forename_keys)) {
    s.names_swapped = true;
    s.forename = NameLevel::kExact;
    s.surname = NameLevel::kExact;
  }
  s.identical_legal_names = !h.legal_forename_key.empty() &&
                            !h.legal_surname_key.empty() &&
                            h.legal_forename_key == m.legal_forename_key &&
                            h.legal_surname_key == m.legal_surname_key;
  s.dob = CompareDob(h.date_of_birth, m.date_of_birth);
  s.gender = CompareWeak(h.gender, m.gender);
  s.year_group = CompareWeak(h.year_group, m.year_group);
  s.registration_group =
      CompareWeak(h.registration_group, m.registration_group);
  s.score = FieldSum(s);
  return s;
}

// Two learners whose forenames clearly differ are two children, whatever
// else agrees (twins share surname, birthday, year and often class), unless
// a valid UPN says otherwise. The May-match threshold (12) sits above what
// weak fields and one strong field can reach together (surname + year + reg
// + gender = 10.5) and below "forename and dob agree, surname changed" (14)
// and "names agree, dob missing" (15). A shared valid UPN with a forename
// that does not contradict it is always worth a row, whatever the score.
bool IsCandidate(const PairScore& s) {
  if (s.upn == UpnLevel::kSame) {
    return s.forename != NameLevel::kDifferent ||
           s.score >= kMayMatchThreshold;
  }
  if (s.forename == NameLevel::kDifferent) return false;
  return s.score >= kMayMatchThreshold;
}

// Matched needs proof, not just a high score: the same valid UPN with a
// forename that agrees at least loosely and no contradicting date of birth,
// or identical legal names and date of birth without two different valid
// UPNs. Nicknames and single typos stay May match until measured safe.
bool MeetsMatchedRule(const PairScore& s) {
  if (!IsCandidate(s)) return false;
  if (s.upn == UpnLevel::kSame && s.forename != NameLevel::kDifferent &&
      s.forename != NameLevel::kMissing && s.dob != DobLevel::kDifferent) {
    return true;
  }
  return s.identical_legal_names && s.dob == DobLevel::kExact &&
         s.upn != UpnLevel::kDifferent;
}

}  // namespace hubsync
