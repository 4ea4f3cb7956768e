#include "common/match_score.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "common/fnv.h"
#include "common/name_compare.h"

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
constexpr double kForenameNicknameTypo = 3.5;  // "chalrie" for charlotte
constexpr double kForenamePrefix = 3.5;        // "sam" vs "samuel"
constexpr double kForenameInitial = 1.5;       // "j" vs "james"
constexpr double kForenameDifferent = -10.0;
// Surname: rarer than forenames, but it does change (families, adoption),
// so disagreement costs less than a forename disagreement.
constexpr double kSurnameExact = 8.0;
constexpr double kSurnameOverlap = 5.0;  // double-barrel added or removed
constexpr double kSurnameTypo = 4.5;
constexpr double kSurnameDifferent = -4.0;
// Forename and surname typed into each other's boxes: both names agree
// crosswise, which is strong evidence, but less than agreeing in place.
constexpr double kNamesSwapped = -2.0;
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
constexpr double kYearLastYear = 0.0;  // hub a year behind: common, neutral
constexpr double kYearDifferent = -1.5;
constexpr double kRegSame = 1.0;
constexpr double kRegLastYear = 0.5;  // "8QT" then "9QT": the same form group
constexpr double kRegDifferent = -0.5;

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
    case NameLevel::kNicknameTypo:
      return kForenameNicknameTypo;
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

DobLevel CompareDates(const Date& a, const Date& b) {
  if (a == b) return DobLevel::kExact;
  if (a.year == b.year && a.day == b.month && a.month == b.day) {
    return DobLevel::kSwapped;
  }
  // One digit off means exactly one of year, month and day differs (most
  // pairs differ in two: no divisions for them).
  if ((a.year != b.year) + (a.month != b.month) + (a.day != b.day) != 1) {
    return DobLevel::kDifferent;
  }
  // One mistyped digit in YYYY-MM-DD (no formatting: this runs per pair).
  auto digits_differ = [](int x, int y, int width) {
    int n = 0;
    for (int i = 0; i < width; ++i, x /= 10, y /= 10) n += (x % 10) != (y % 10);
    return n;
  };
  if (digits_differ(a.year, b.year, 4) + digits_differ(a.month, b.month, 2) +
          digits_differ(a.day, b.day, 2) ==
      1) {
    return DobLevel::kOneDigit;
  }
  return DobLevel::kDifferent;
}

DobLevel CompareDob(const std::optional<Date>& a,
                    const std::optional<Date>& b) {
  if (!a || !b) return DobLevel::kMissing;
  return CompareDates(*a, *b);
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

WeakLevel CompareWeak(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return WeakLevel::kMissing;
  return a == b ? WeakLevel::kExact : WeakLevel::kDifferent;
}

// Year group, hub `h` against MIS `m`: exact, or the hub a year behind.
WeakLevel CompareYear(const PreparedLearner& h, const PreparedLearner& m) {
  WeakLevel l = CompareWeak(h.year_group(), m.year_group());
  if (l == WeakLevel::kDifferent && h.year_order >= 0 &&
      h.year_order + 1 == m.year_order) {
    l = WeakLevel::kLastYear;
  }
  return l;
}

// Registration group: exact, or the same form moved up a year ("8qt" ->
// "9qt").
WeakLevel CompareRegistration(const PreparedLearner& h,
                              const PreparedLearner& m) {
  WeakLevel l = CompareWeak(h.registration_group(), m.registration_group());
  if (l == WeakLevel::kDifferent && h.registration_year >= 0 &&
      h.registration_year + 1 == m.registration_year &&
      h.registration_rest() == m.registration_rest()) {
    l = WeakLevel::kLastYear;
  }
  return l;
}

double WeakWeight(WeakLevel l, double same, double different,
                  double last_year = 0) {
  switch (l) {
    case WeakLevel::kExact:
      return same;
    case WeakLevel::kLastYear:
      return last_year;
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
         w.year_group + w.registration_group + w.names_swapped +
         w.forename_frequency + w.surname_frequency;
}

// For an exact agreement, the term-frequency weight of the rarest name
// both sides share, minus the fixed weight; 0 without frequencies.
double FrequencyDelta(NameLevel level, bool weighted, const NameKeys& hub_keys,
                      const NameKeys& mis_keys,
                      const std::array<float, 2>& mis_weights, double fixed) {
  if (level != NameLevel::kExact || !weighted) return 0;
  double best = -1;
  for (std::string_view h : hub_keys) {
    for (size_t j = 0; j < mis_keys.size() && j < mis_weights.size(); ++j) {
      if (h == mis_keys[j]) best = std::max<double>(best, mis_weights[j]);
    }
  }
  return best < 0 ? 0 : best - fixed;
}

}  // namespace

FieldWeights WeighFields(const PairScore& s) {
  return {
      UpnWeight(s.upn),
      ForenameWeight(s.forename),
      SurnameWeight(s.surname),
      DobWeight(s.dob),
      WeakWeight(s.gender, kGenderSame, kGenderDifferent),
      WeakWeight(s.year_group, kYearSame, kYearDifferent, kYearLastYear),
      WeakWeight(s.registration_group, kRegSame, kRegDifferent, kRegLastYear),
      s.names_swapped ? kNamesSwapped : 0.0,
      s.forename_frequency,
      s.surname_frequency};
}

namespace {

// The most a MIS learner's two names can add to a score: with term
// frequencies, a rare name counts for more than the fixed weight.
double NameMax(const PreparedLearner& m) {
  double forename = kForenameExact, surname = kSurnameExact;
  if (m.name_weights) {
    for (size_t j = 0; j < m.forename_keys().size() && j < 2; ++j) {
      forename = std::max<double>(forename, m.forename_weights[j]);
    }
    for (size_t j = 0; j < m.surname_keys().size() && j < 2; ++j) {
      surname = std::max<double>(surname, m.surname_weights[j]);
    }
  }
  return forename + surname;
}

}  // namespace

double ScoreUpperBound(const PreparedLearner& h, const PreparedLearner& m) {
  PairScore s;
  if (h.upn_valid && m.upn_valid) {
    s.upn = h.upn() == m.upn() ? UpnLevel::kSame : UpnLevel::kDifferent;
  }
  if (s.upn == UpnLevel::kSame) return kUpnSame + 1000;  // always scored
  s.dob = CompareDob(h.date_of_birth, m.date_of_birth);
  s.gender = CompareWeak(h.gender(), m.gender());
  s.year_group = CompareYear(h, m);
  s.registration_group = CompareRegistration(h, m);
  return FieldSum(s) + NameMax(m);
}

namespace {

// 32 bits of a string's hash, never 0 (0 means empty).
uint32_t Hash32(std::string_view s) {
  if (s.empty()) return 0;
  uint64_t h = Fnv1a().Bytes(s).value();
  h ^= h >> 29;
  const auto out = static_cast<uint32_t>(h ^ (h >> 32));
  return out == 0 ? 1 : out;
}

Date Unpack(uint32_t d) {
  return {static_cast<int>(d >> 9), static_cast<int>((d >> 5) & 15),
          static_cast<int>(d & 31)};
}

WeakLevel QuickWeak(uint32_t a, uint32_t b) {
  if (a == 0 || b == 0) return WeakLevel::kMissing;
  return a == b ? WeakLevel::kExact : WeakLevel::kDifferent;
}

}  // namespace

QuickFields Quick(const PreparedLearner& p) {
  QuickFields q;
  if (p.upn_valid) {
    const uint64_t h =
        (uint64_t{Hash32(p.upn())} << 32) | Hash32(std::string(p.upn()) + "#");
    q.upn = h == 0 ? 1 : h;
  }
  if (p.date_of_birth) {
    const Date& d = *p.date_of_birth;
    q.dob = static_cast<uint32_t>(d.year) << 9 |
            static_cast<uint32_t>(d.month & 15) << 5 |
            static_cast<uint32_t>(d.day & 31);
  }
  q.gender = Hash32(p.gender());
  q.year_group = Hash32(p.year_group());
  q.registration_group = Hash32(p.registration_group());
  q.registration_rest = Hash32(p.registration_rest());
  q.year_order = static_cast<int16_t>(p.year_order);
  q.registration_year = static_cast<int16_t>(p.registration_year);
  // Rounded up, so the float never undercuts the double sum.
  q.name_max = static_cast<float>(NameMax(p)) + 1e-3f;
  q.forename_hash = p.forename_hash;
  for (std::string_view k : p.forename_keys())
    q.forename_bits |= 1u << (Hash32(k) & 31);
  for (std::string_view k : p.surname_keys())
    q.surname_bits |= 1u << (Hash32(k) & 31);
  return q;
}

bool QuickMaybeSwapped(const QuickFields& hq, const QuickFields& mq,
                       const PreparedLearner& hub, const PreparedLearner& mis) {
  if ((hq.surname_bits & mq.forename_bits) == 0 &&
      (hq.forename_bits & mq.surname_bits) == 0) {
    return false;
  }
  return MaybeSwapped(hub, mis);
}

double QuickUpperBound(const QuickFields& h, const QuickFields& m) {
  PairScore s;
  if (h.upn != 0 && m.upn != 0) {
    if (h.upn == m.upn) return kUpnSame + 1000;  // always scored
    s.upn = UpnLevel::kDifferent;
  }
  if (h.dob != 0 && m.dob != 0)
    s.dob = CompareDates(Unpack(h.dob), Unpack(m.dob));
  s.gender = QuickWeak(h.gender, m.gender);
  s.year_group = QuickWeak(h.year_group, m.year_group);
  if (s.year_group == WeakLevel::kDifferent && h.year_order >= 0 &&
      h.year_order + 1 == m.year_order) {
    s.year_group = WeakLevel::kLastYear;
  }
  s.registration_group = QuickWeak(h.registration_group, m.registration_group);
  if (s.registration_group == WeakLevel::kDifferent &&
      h.registration_year >= 0 &&
      h.registration_year + 1 == m.registration_year &&
      h.registration_rest == m.registration_rest) {
    s.registration_group = WeakLevel::kLastYear;
  }
  return FieldSum(s) + m.name_max;
}

NameLevel ForenameLevel(const PreparedLearner& h, const PreparedLearner& m) {
  return BestForename(Forenames(h), Forenames(m), ForenameWeight);
}

bool MaybeSwapped(const PreparedLearner& h, const PreparedLearner& m) {
  return SharesKey(h.surname_keys(), m.forename_keys()) ||
         SharesKey(h.forename_keys(), m.surname_keys());
}

PairScore ScorePair(const PreparedLearner& h, const PreparedLearner& m,
                    std::optional<NameLevel> forename) {
  PairScore s;
  if (h.upn_valid && m.upn_valid) {
    s.upn = h.upn() == m.upn() ? UpnLevel::kSame : UpnLevel::kDifferent;
  }
  s.upn_given = !h.upn().empty() && !m.upn().empty();
  s.forename = forename ? *forename : ForenameLevel(h, m);
  s.surname = BestSurname(Surnames(h), Surnames(m), SurnameWeight);
  if (s.forename == NameLevel::kDifferent &&
      s.surname == NameLevel::kDifferent && MaybeSwapped(h, m)) {
    // Typed into each other's boxes ("Smith John"): graded crosswise, and
    // a swap only when both names agree at least as a typo or short form.
    const NameLevel f = BestForename(Surnames(h), Forenames(m), ForenameWeight);
    const NameLevel l = BestSurname(Forenames(h), Surnames(m), SurnameWeight);
    if (f != NameLevel::kDifferent && f != NameLevel::kMissing &&
        l != NameLevel::kDifferent && l != NameLevel::kMissing &&
        (f == NameLevel::kExact || l == NameLevel::kExact)) {
      s.names_swapped = true;
      s.forename = f;
      s.surname = l;
    }
  }
  if (!s.names_swapped) {
    s.forename_frequency =
        FrequencyDelta(s.forename, m.name_weights, h.forename_keys(),
                       m.forename_keys(), m.forename_weights, kForenameExact);
    s.surname_frequency =
        FrequencyDelta(s.surname, m.name_weights, h.surname_keys(),
                       m.surname_keys(), m.surname_weights, kSurnameExact);
  }
  if (!s.names_swapped) {
    s.clear_typo = (s.forename == NameLevel::kTypo &&
                    AnyClearTypo(h.forename_keys(), m.forename_keys())) ||
                   (s.surname == NameLevel::kTypo &&
                    AnyClearTypo(h.surname_keys(), m.surname_keys()));
  }
  s.identical_legal_names = !h.legal_forename_key().empty() &&
                            !h.legal_surname_key().empty() &&
                            h.legal_forename_key() == m.legal_forename_key() &&
                            h.legal_surname_key() == m.legal_surname_key();
  s.dob = CompareDob(h.date_of_birth, m.date_of_birth);
  s.gender = CompareWeak(h.gender(), m.gender());
  s.year_group = CompareYear(h, m);
  s.registration_group = CompareRegistration(h, m);
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
    return s.forename != NameLevel::kDifferent || s.score >= kMayMatchThreshold;
  }
  if (s.forename == NameLevel::kDifferent) return false;
  return s.score >= kMayMatchThreshold;
}

// Matched needs proof, not just a high score: the same valid UPN with a
// forename that agrees at least loosely and no contradicting date of birth;
// or identical names and date of birth without two different valid UPNs.
// "Identical names" counts the MIS preferred forename. The contract also
// allows "a known nickname or a single typo with every other field
// agreeing" where measurement shows it is as safe: at 200,000 learners
// (hubsync_eval, docs/MATCHING.md) these rules added no wrong Matched and
// no twin error, while a shared word of a double-barrelled surname did
// (Alexander Jones vs Alexander Smith-Jones, the same birthday), so that
// stays May match, as do swapped names, a typo in a short form, a typo
// that is not a clear one (IsClearTypo) and any date of birth that is not
// exact. The caller still requires that no rival comes within kRivalMargin.
bool OutranksLooseRivals(const PreparedLearner& hub, const PairScore& s) {
  // Only one name on each side: a rival that agrees exactly on a name then
  // agrees on this one, with the same frequency weight, and any lesser level
  // weighs at most what the exact one does (kForenameNickname 5 <= the
  // lowest forename weight 5; kSurnameOverlap 5 <= 5.5).
  if (!s.identical_legal_names || s.names_swapped ||
      s.dob != DobLevel::kExact || s.upn == UpnLevel::kDifferent ||
      hub.forename_keys().size() != 1 || hub.surname_keys().size() != 1) {
    return false;
  }
  // A rival found only by the loose keys shares no valid UPN with the hub
  // learner (the UPN key would have found it) and has at best a date of
  // birth one digit off (a swapped one is an exact key too).
  const FieldWeights w = WeighFields(s);
  const double weak = w.gender + w.year_group + w.registration_group;
  const double rival_weak = (hub.gender().empty() ? 0 : kGenderSame) +
                            (hub.year_group().empty() ? 0 : kYearSame) +
                            (hub.registration_group().empty() ? 0 : kRegSame);
  const double gap = w.upn + (kDobExact - kDobOneDigit) + weak - rival_weak;
  return gap > kRivalMargin;
}

bool MeetsMatchedRule(const PairScore& s) {
  if (!IsCandidate(s)) return false;
  if (s.upn == UpnLevel::kSame && s.forename != NameLevel::kDifferent &&
      s.forename != NameLevel::kMissing && s.dob != DobLevel::kDifferent) {
    return true;
  }
  if (s.dob != DobLevel::kExact || s.upn == UpnLevel::kDifferent) return false;
  if (s.identical_legal_names) return true;
  if (s.names_swapped || s.year_group == WeakLevel::kDifferent ||
      s.gender == WeakLevel::kDifferent) {
    return false;
  }
  // A twin whose forename is also near the hub's is a rival candidate, and
  // the caller's rival check keeps the pair May match; a twin whose forename
  // differs is no candidate at all (IsCandidate's veto).
  const bool near_forename = s.forename == NameLevel::kNickname ||
                             (s.forename == NameLevel::kTypo && s.clear_typo);
  return (s.surname == NameLevel::kExact &&
          (s.forename == NameLevel::kExact || near_forename)) ||
         (s.forename == NameLevel::kExact && s.surname == NameLevel::kTypo &&
          s.clear_typo);
}

}  // namespace hubsync
