// Field-by-field comparison of one hub learner with one MIS learner, scored
// Fellegi-Sunter style: each field adds a log2 likelihood ratio
// log2(P(observed level | same child) / P(observed level | different
// children)), so +10 means "about a thousand times likelier if they are the
// same child". The weights are estimates for a UK school roll (a few
// thousand learners, ~7 birth years); they are named constants in
// match_score.cc.
#ifndef HUBSYNC_COMMON_MATCH_SCORE_H_
#define HUBSYNC_COMMON_MATCH_SCORE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "common/types.h"

namespace hubsync {

// The words of a normalised name (split at its spaces, none empty).
using NameWords = absl::InlinedVector<std::string_view, 4>;
NameWords WordsOf(std::string_view normalised);

// At most two of a learner's names (legal, then preferred; distinct),
// viewed in the PreparedLearner they come from.
class NameKeys {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view operator[](size_t i) const { return items_[i]; }
  const std::string_view* begin() const { return items_.data(); }
  const std::string_view* end() const { return items_.data() + size_; }

 private:
  friend struct PreparedLearner;
  std::array<std::string_view, 2> items_{};
  size_t size_ = 0;
};

// A learner from either side, normalised once so that scoring a pair does
// no allocation-heavy work (no ICU, no re-normalising). Its strings live
// in one buffer (`text`), each field a piece of it: half a million MIS
// learners are held prepared while a trust is matched, and a learner of
// separate strings and vectors took about 730 bytes and ten allocations,
// where this takes about 280 and one. The accessors' views are valid while
// the learner is neither changed nor destroyed.
struct PreparedLearner {
  // Distinct forenames (legal first, then preferred) as compact keys, and
  // each one's words (the normalised name split at spaces); same order.
  NameKeys forename_keys() const {
    return Keys(forename_key_, forename_count_);
  }
  NameKeys forename_names() const {
    return Keys(forename_name_, forename_count_);
  }
  // Distinct surnames likewise.
  NameKeys surname_keys() const { return Keys(surname_key_, surname_count_); }
  NameKeys surname_names() const { return Keys(surname_name_, surname_count_); }
  // The compact legal names; "" when missing.
  std::string_view legal_forename_key() const {
    return legal_forename_ ? At(forename_key_[0]) : std::string_view();
  }
  std::string_view legal_surname_key() const {
    return legal_surname_ ? At(surname_key_[0]) : std::string_view();
  }
  std::string_view upn() const { return At(upn_); }  // normalised
  std::string_view gender() const {
    return At(gender_);
  }  // "m", "f", a word, ""
  std::string_view year_group() const {
    return At(year_group_);
  }  // canonical if known
  std::string_view registration_group() const {
    return At(registration_group_);
  }  // lower
  // The registration group after its leading year number ("8qt" -> "qt").
  std::string_view registration_rest() const { return At(registration_rest_); }

  // Each forename's known short / full forms (NicknameVariants), looked up
  // once here rather than per pair; same order as forename_keys().
  std::array<const std::vector<std::string>*, 2> forename_variants{};
  std::optional<Date> date_of_birth;
  bool upn_valid = false;
  // For "last year's groups": the year group's order (YearGroupOrder, -1
  // when unknown), and the registration group's leading year number (-1
  // when none).
  int year_order = -1;
  int registration_year = -1;
  // A hash of the forename keys and words: two learners with equal hashes
  // grade alike against any third (memoised forename levels).
  uint64_t forename_hash = 0;
  // Filled on the MIS side by AnnotateNameFrequencies (name_frequencies.h);
  // without it (name_weights false) scoring uses the fixed weights. The
  // weight of exact agreement on each forename key and surname key (same
  // order as the keys), from how common the name is among the MIS learners.
  bool name_weights = false;
  std::array<float, 2> forename_weights{};
  std::array<float, 2> surname_weights{};

 private:
  friend class LearnerPreparer;  // match_prepare.cc fills the pieces
  struct Piece {
    uint32_t offset = 0, size = 0;
  };
  std::string_view At(Piece p) const {
    return std::string_view(text_).substr(p.offset, p.size);
  }
  NameKeys Keys(const std::array<Piece, 2>& pieces, uint8_t count) const {
    NameKeys k;
    for (uint8_t i = 0; i < count; ++i) k.items_[i] = At(pieces[i]);
    k.size_ = count;
    return k;
  }
  std::string text_;  // every string above, one after another
  std::array<Piece, 2> forename_key_{}, forename_name_{}, surname_key_{},
      surname_name_{};
  Piece upn_, gender_, year_group_, registration_group_, registration_rest_;
  uint8_t forename_count_ = 0, surname_count_ = 0;
  bool legal_forename_ = false, legal_surname_ = false;
};

PreparedLearner Prepare(const HubLearner& hub);
PreparedLearner Prepare(const MisLearner& mis);

// Which of the fields Prepare reads are present (as Prepare sees them: a
// name of punctuation only, a gender "unknown", a UPN given but not valid),
// one bit each. A learner scored against itself (a Synced learner whose hub
// record holds exactly the MIS record's fields) gets levels that depend on
// nothing else, so learners of one shape explain alike. nullopt when a name
// is not plain ASCII: only ICU can tell whether it normalises to nothing.
std::optional<uint32_t> PresenceShape(const MisLearner& mis);

enum class UpnLevel { kMissing, kSame, kDifferent };
enum class NameLevel {
  kMissing,
  kExact,
  kNickname,
  kOverlap,
  kTypo,
  kNicknameTypo,  // one keystroke from a known short form ("chalrie")
  kPrefix,
  kInitial,
  kDifferent
};
enum class DobLevel { kMissing, kExact, kSwapped, kOneDigit, kDifferent };
// kLastYear: the hub holds last year's group, the MIS this year's (hub year
// 8, MIS year 9; hub "8QT", MIS "9QT"): hand-made records lag a year.
enum class WeakLevel { kMissing, kExact, kLastYear, kDifferent };

// The levels of every field and the score. Plain values: the pair loop
// scores many pairs and builds words only for the rows it keeps.
struct PairScore {
  UpnLevel upn = UpnLevel::kMissing;
  bool upn_given = false;  // both sides have a UPN, valid or not
  NameLevel forename = NameLevel::kMissing;
  NameLevel surname = NameLevel::kMissing;
  DobLevel dob = DobLevel::kMissing;
  WeakLevel gender = WeakLevel::kMissing;
  WeakLevel year_group = WeakLevel::kMissing;
  WeakLevel registration_group = WeakLevel::kMissing;
  bool identical_legal_names = false;  // normalised legal forename + surname
  // Forename and surname agree only crosswise (hub "Smith John", MIS "John
  // Smith"): the name levels then describe the crosswise comparison.
  bool names_swapped = false;
  // Term frequency: how much an exact forename / surname agreement counts
  // above (rare name) or below (common name) the fixed weight. 0 without
  // AnnotateNameFrequencies.
  double forename_frequency = 0;
  double surname_frequency = 0;
  // A typo level above is one keystroke in a name of five letters or more
  // with the initial kept (the kind MeetsMatchedRule accepts).
  bool clear_typo = false;
  double score = 0;  // the sum of the field weights
};

// `forename`, when given, is ForenameLevel(hub, mis), already known.
PairScore ScorePair(const PreparedLearner& hub, const PreparedLearner& mis,
                    std::optional<NameLevel> forename = std::nullopt);

// The forename level ScorePair gives before any swap check: a function of
// the two learners' forenames only (so of their forename_hash values).
NameLevel ForenameLevel(const PreparedLearner& hub, const PreparedLearner& mis);

// A forename of one side equals a surname of the other: the only case in
// which ScorePair grades names crosswise. Without it (and without a shared
// valid UPN) a kDifferent forename level means "not a candidate".
bool MaybeSwapped(const PreparedLearner& hub, const PreparedLearner& mis);

// At least ScorePair(hub, mis).score, without comparing names (the costly
// part): most blocked pairs (same surname, another birthday) fall below
// kMayMatchThreshold on this bound alone. Pairs that share a valid UPN are
// always worth scoring, so their bound is effectively unlimited.
double ScoreUpperBound(const PreparedLearner& hub, const PreparedLearner& mis);

// The fields ScoreUpperBound reads, packed without strings into one cache
// line each (56 bytes, aligned to 64: unaligned, most of a trust's MIS
// learners straddled two lines), so that the pair loop rejects most
// blocked pairs with one memory access and without touching either
// learner's strings.
struct alignas(64) QuickFields {
  uint64_t upn = 0;     // hash of a valid UPN; 0 when none
  uint32_t dob = 0;     // year << 9 | month << 5 | day; 0 when missing
  uint32_t gender = 0;  // hashes of the normalised fields; 0 when empty
  uint32_t year_group = 0;
  uint32_t registration_group = 0;
  uint32_t registration_rest = 0;
  int16_t year_order = -1;
  int16_t registration_year = -1;
  float name_max = 0;  // the most the two names can add (term frequencies too)
  uint64_t forename_hash = 0;  // PreparedLearner::forename_hash
  // One bit per forename key and per surname key (of 32, by hash): two
  // learners whose forename and surname bits do not meet share no key
  // crosswise, so MaybeSwapped is false without reading their names.
  uint32_t forename_bits = 0, surname_bits = 0;
};
QuickFields Quick(const PreparedLearner& p);

// MaybeSwapped(hub, mis), deciding from the packed fields when it can.
bool QuickMaybeSwapped(const QuickFields& hq, const QuickFields& mq,
                       const PreparedLearner& hub, const PreparedLearner& mis);

// ScoreUpperBound from the packed fields: never below it (two different
// values that hash alike only make the bound looser), and equal otherwise.
double QuickUpperBound(const QuickFields& hub, const QuickFields& mis);

// Each field's contribution to PairScore::score (log2 likelihood ratio).
struct FieldWeights {
  double upn, forename, surname, date_of_birth, gender, year_group,
      registration_group, names_swapped, forename_frequency, surname_frequency;
};
FieldWeights WeighFields(const PairScore& s);

// Every field's level and weight, the score, and a sentence for the admin
// ("Same forename, surname, date of birth; different registration group.").
// Scores that agree in every level and weight get the same object.
std::shared_ptr<const Explanation> Describe(const PairScore& s);

// Decision thresholds on PairScore (see match_score.cc for the reasoning).
// Passes the vetoes (twins, contradicting forenames) and the May-match score,
// or shares a valid UPN without contradicting forenames.
bool IsCandidate(const PairScore& s);
// Evidence strong enough for Matched on its own; the caller still checks
// that no rival candidate comes within kRivalMargin.
bool MeetsMatchedRule(const PairScore& s);

// True when `s` (hub against one MIS learner, found by the exact keys: the
// same valid UPN, or the same date of birth with two letters of a name)
// is so strong that no pair the loose keys alone could find (date of birth
// not exact or swapped, UPN not shared) can come within kRivalMargin of it:
// identical legal names, exact date of birth, no contradicting UPN, and the
// most the other fields could add to a rival still kRivalMargin short. The
// loose keys then have nothing to add for this hub learner (see
// blocking.h).
bool OutranksLooseRivals(const PreparedLearner& hub, const PairScore& s);

// A pair's rival is another candidate for the same hub or MIS learner whose
// score is at least (score - kRivalMargin): 6 bits = 64 times likelier is
// the least gap at which we call one candidate clearly better.
inline constexpr double kRivalMargin = 6.0;
// Candidates need at least this score (about 4000:1 for the same child
// before the prior): see match_score.cc.
inline constexpr double kMayMatchThreshold = 12.0;

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_MATCH_SCORE_H_
