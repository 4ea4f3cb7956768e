// Prepare(): each learner normalised once, before any pair is scored.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/fnv.h"
#include "common/match_score.h"
#include "common/nicknames.h"
#include "common/normalise.h"
#include "common/upn.h"
#include "common/year_group.h"

namespace hubsync {
namespace {

std::string NormaliseGender(std::string_view raw) {
  std::string g = absl::AsciiStrToLower(std::string(TrimAscii(raw)));
  if (g == "m" || g == "male" || g == "boy") return "m";
  if (g == "f" || g == "female" || g == "girl") return "f";
  if (g == "u" || g == "unknown" || g == "not known") return "";
  return g;
}

}  // namespace

NameWords WordsOf(std::string_view normalised) {
  NameWords out;
  size_t start = 0;
  while (start < normalised.size()) {
    size_t end = normalised.find(' ', start);
    if (end == std::string_view::npos) end = normalised.size();
    if (end > start) out.push_back(normalised.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Builds a PreparedLearner's text and pieces.
class LearnerPreparer {
 public:
  template <typename L>
  static PreparedLearner Prepare(const L& l) {
    PreparedLearner p;
    LearnerPreparer b(&p);
    p.legal_forename_ = b.AddName(l.legal_forename, &p.forename_name_,
                                  &p.forename_key_, &p.forename_count_);
    b.AddName(l.preferred_forename, &p.forename_name_, &p.forename_key_,
              &p.forename_count_);
    p.legal_surname_ = b.AddName(l.legal_surname, &p.surname_name_,
                                 &p.surname_key_, &p.surname_count_);
    b.AddName(l.preferred_surname, &p.surname_name_, &p.surname_key_,
              &p.surname_count_);
    p.upn_ = b.Add(NormaliseUpn(l.upn));
    p.upn_valid = IsValidUpn(p.upn());
    p.gender_ = b.Add(NormaliseGender(l.gender));
    const std::string_view year = TrimAscii(l.year_group);
    const std::optional<std::string> canonical = CanonicalYearGroup(year);
    p.year_group_ = b.Add(canonical ? std::string_view(*canonical) : year);
    const std::string registration =
        absl::AsciiStrToLower(std::string(TrimAscii(l.registration_group)));
    p.registration_group_ = b.Add(registration);
    const int order =
        p.year_group().empty() ? -1 : YearGroupOrder(p.year_group());
    p.year_order =
        order >= 0 && order < 100 ? order : -1;  // no nursery, no "unknown"
    size_t digits = 0;
    while (
        digits < registration.size() && digits < 2 &&
        absl::ascii_isdigit(static_cast<unsigned char>(registration[digits]))) {
      ++digits;
    }
    if (digits > 0 && digits < registration.size()) {
      p.registration_year = std::stoi(registration.substr(0, digits));
      p.registration_rest_ = {
          p.registration_group_.offset + static_cast<uint32_t>(digits),
          p.registration_group_.size - static_cast<uint32_t>(digits)};
    }
    p.text_.shrink_to_fit();
    p.date_of_birth = l.date_of_birth;
    const NameKeys keys = p.forename_keys();
    const NameKeys names = p.forename_names();
    // Over the keys and words, each ended by a byte no name holds.
    Fnv1a h;
    for (size_t k = 0; k < keys.size(); ++k) {
      p.forename_variants[k] = &NicknameVariants(keys[k]);
      h.Part(keys[k]);
      for (std::string_view w : WordsOf(names[k])) h.Part(w);
      h.Part("|");
    }
    p.forename_hash = h.value();
    return p;
  }

 private:
  explicit LearnerPreparer(PreparedLearner* p) : p_(p) {}

  PreparedLearner::Piece Add(std::string_view s) {
    PreparedLearner::Piece piece{static_cast<uint32_t>(p_->text_.size()),
                                 static_cast<uint32_t>(s.size())};
    p_->text_.append(s);
    return piece;
  }

  // Adds a name and its compact key unless the key is there already (or
  // two names are); true when the name is not empty.
  bool AddName(std::string_view raw,
               std::array<PreparedLearner::Piece, 2>* names,
               std::array<PreparedLearner::Piece, 2>* keys, uint8_t* count) {
    const std::string n = NormaliseName(raw);
    if (n.empty()) return false;
    const std::string k = CompactNormalised(n);
    for (uint8_t i = 0; i < *count; ++i) {
      if (p_->At((*keys)[i]) == k) return true;
    }
    if (*count == 2) return true;
    (*keys)[*count] = Add(k);
    (*names)[*count] =
        n == k ? (*keys)[*count] : Add(n);  // one word: the same text
    ++*count;
    return true;
  }

  PreparedLearner* p_;
};

std::optional<uint32_t> PresenceShape(const MisLearner& l) {
  uint32_t shape = 0;
  int bit = 0;
  auto add = [&](bool present) {
    shape |= static_cast<uint32_t>(present) << bit++;
  };
  // NormaliseName keeps letters and digits of an ASCII name, nothing else.
  for (const std::string* name : {&l.legal_forename, &l.preferred_forename,
                                  &l.legal_surname, &l.preferred_surname}) {
    bool any = false;
    for (unsigned char c : *name) {
      if (c >= 0x80) return std::nullopt;
      any = any || absl::ascii_isalnum(c);
    }
    add(any);
  }
  const std::string upn = NormaliseUpn(l.upn);
  add(!upn.empty());
  add(IsValidUpn(upn));
  add(l.date_of_birth.has_value());
  add(!NormaliseGender(l.gender).empty());
  const std::string_view year = TrimAscii(l.year_group);
  add(!year.empty() &&
      !CanonicalYearGroup(year).value_or(std::string(year)).empty());
  add(!TrimAscii(l.registration_group).empty());
  return shape;
}

PreparedLearner Prepare(const HubLearner& hub) {
  return LearnerPreparer::Prepare(hub);
}

PreparedLearner Prepare(const MisLearner& mis) {
  return LearnerPreparer::Prepare(mis);
}

}  // namespace hubsync
