// Describe(): a PairScore in words, for the admin.
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/match_score.h"

namespace hubsync {
namespace {

const char* NameLevelName(NameLevel l) {
  switch (l) {
    case NameLevel::kMissing:
      return "missing";
    case NameLevel::kExact:
      return "exact";
    case NameLevel::kNickname:
      return "nickname";
    case NameLevel::kOverlap:
      return "overlap";
    case NameLevel::kTypo:
      return "typo";
    case NameLevel::kNicknameTypo:
      return "nickname_typo";
    case NameLevel::kPrefix:
      return "prefix";
    case NameLevel::kInitial:
      return "initial";
    case NameLevel::kDifferent:
      return "different";
  }
  return "?";
}

const char* DobLevelName(DobLevel l) {
  switch (l) {
    case DobLevel::kMissing:
      return "missing";
    case DobLevel::kExact:
      return "exact";
    case DobLevel::kSwapped:
      return "day_month_swapped";
    case DobLevel::kOneDigit:
      return "one_digit";
    case DobLevel::kDifferent:
      return "different";
  }
  return "?";
}

}  // namespace

namespace {
Explanation Build(const PairScore& s);
}  // namespace

// The words depend only on the levels and weights, and a classification
// describes the same few combinations again and again (every Synced
// learner whose fields all agree): each thread keeps the ones it built and
// hands out the same object to every row that scored alike.
std::shared_ptr<const Explanation> Describe(const PairScore& s) {
  using Key = std::tuple<UpnLevel, bool, NameLevel, NameLevel, DobLevel,
                         WeakLevel, WeakLevel, WeakLevel, bool, bool, double,
                         double, bool, double>;
  const Key key{s.upn,
                s.upn_given,
                s.forename,
                s.surname,
                s.dob,
                s.gender,
                s.year_group,
                s.registration_group,
                s.identical_legal_names,
                s.names_swapped,
                s.forename_frequency,
                s.surname_frequency,
                s.clear_typo,
                s.score};
  constexpr size_t kCacheLimit = 4096;
  thread_local absl::flat_hash_map<Key, std::shared_ptr<const Explanation>>
      cache;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto e = std::make_shared<const Explanation>(Build(s));
  if (cache.size() >= kCacheLimit) cache.clear();  // the rows keep theirs
  cache.emplace(key, e);
  return e;
}

namespace {

Explanation Build(const PairScore& s) {
  Explanation e;
  const FieldWeights w = WeighFields(s);
  std::vector<std::string> agree;    // fields that agree exactly
  std::vector<std::string> notes;    // near agreements, in words
  std::vector<std::string> differs;  // disagreements

  const char* upn_level = s.upn == UpnLevel::kSame        ? "exact"
                          : s.upn == UpnLevel::kDifferent ? "different"
                          : s.upn_given                   ? "invalid"
                                                          : "missing";
  e.fields.push_back({"upn", upn_level, w.upn});
  if (s.upn == UpnLevel::kSame) agree.push_back("valid UPN");
  if (s.upn == UpnLevel::kDifferent) differs.push_back("valid UPNs");
  if (s.upn == UpnLevel::kMissing && s.upn_given) {
    notes.push_back("a UPN that is not valid was ignored");
  }

  e.fields.push_back({"forename", NameLevelName(s.forename), w.forename});
  e.fields.push_back({"surname", NameLevelName(s.surname), w.surname});
  for (auto [level, what] :
       {std::pair{s.forename, "forename"}, std::pair{s.surname, "surname"}}) {
    const std::string w = what;
    switch (level) {
      case NameLevel::kExact:
        agree.push_back(w);
        break;
      case NameLevel::kNickname:
        notes.push_back(w + " is a known short form");
        break;
      case NameLevel::kOverlap:
        notes.push_back(w + "s share a name");
        break;
      case NameLevel::kTypo:
        notes.push_back(w + "s differ by a typo");
        break;
      case NameLevel::kNicknameTypo:
        notes.push_back(w + " is a known short form with a typo");
        break;
      case NameLevel::kPrefix:
        notes.push_back(w + " is shortened");
        break;
      case NameLevel::kInitial:
        notes.push_back(w + " is an initial");
        break;
      case NameLevel::kDifferent:
        differs.push_back(w);
        break;
      case NameLevel::kMissing:
        notes.push_back(w + " missing");
        break;
    }
  }

  for (auto [delta, what] : {std::pair{w.forename_frequency, "forename"},
                             std::pair{w.surname_frequency, "surname"}}) {
    if (delta == 0) continue;
    const bool rare = delta > 0;
    e.fields.push_back({std::string_view(what) == "forename"
                            ? "forename_frequency"
                            : "surname_frequency",
                        rare ? "rare" : "common", delta});
    notes.push_back(absl::StrFormat("%s %s counts %s (%+.1f)",
                                    rare ? "a rare" : "a common", what,
                                    rare ? "more" : "less", delta));
  }
  if (s.names_swapped) {
    e.fields.push_back({"names_swapped", "yes", w.names_swapped});
    notes.push_back("forename and surname are swapped");
  }
  e.fields.push_back({"date_of_birth", DobLevelName(s.dob), w.date_of_birth});
  switch (s.dob) {
    case DobLevel::kExact:
      agree.push_back("date of birth");
      break;
    case DobLevel::kSwapped:
      notes.push_back("date of birth has day and month swapped");
      break;
    case DobLevel::kOneDigit:
      notes.push_back("dates of birth differ by one digit");
      break;
    case DobLevel::kDifferent:
      differs.push_back("date of birth");
      break;
    case DobLevel::kMissing:
      notes.push_back("date of birth missing");
      break;
  }

  const struct {
    const char* field;
    const char* words;
    WeakLevel level;
    double weight;
  } weak[] = {
      {"gender", "gender", s.gender, w.gender},
      {"year_group", "year group", s.year_group, w.year_group},
      {"registration_group", "registration group", s.registration_group,
       w.registration_group},
  };
  for (const auto& f : weak) {
    const char* level = f.level == WeakLevel::kExact       ? "exact"
                        : f.level == WeakLevel::kLastYear  ? "last_year"
                        : f.level == WeakLevel::kDifferent ? "different"
                                                           : "missing";
    e.fields.push_back({f.field, level, f.weight});
    if (f.level == WeakLevel::kDifferent) differs.push_back(f.words);
    if (f.level == WeakLevel::kLastYear) {
      notes.push_back(std::string("hub has last year's ") + f.words);
    }
  }
  for (const FieldEvidence& f : e.fields) e.score += f.weight;
  e.fields.shrink_to_fit();  // kept as long as a row holds it

  std::vector<std::string> parts;
  if (!agree.empty()) parts.push_back("same " + absl::StrJoin(agree, ", "));
  for (std::string& n : notes) parts.push_back(std::move(n));
  if (!differs.empty()) {
    parts.push_back("different " + absl::StrJoin(differs, ", "));
  }
  std::string reason = absl::StrJoin(parts, "; ");
  if (!reason.empty()) reason[0] = absl::ascii_toupper(reason[0]);
  e.reason = reason + ".";
  return e;
}

}  // namespace

}  // namespace hubsync
