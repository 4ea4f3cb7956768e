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

// Adds a name and its compact key unless the key is there already; returns
// the key ("" for no name), so that the legal name is normalised only once.
std::string AddName(std::string_view raw, std::vector<std::string>* names,
                    std::vector<std::string>* keys) {
  std::string n = NormaliseName(raw);
  if (n.empty()) return "";
  std::string k = CompactNormalised(n);
  if (std::find(keys->begin(), keys->end(), k) == keys->end()) {
    names->push_back(std::move(n));
    keys->push_back(k);
  }
  return k;
}

std::string NormaliseGender(std::string_view raw) {
  std::string g = absl::AsciiStrToLower(std::string(TrimAscii(raw)));
  if (g == "m" || g == "male" || g == "boy") return "m";
  if (g == "f" || g == "female" || g == "girl") return "f";
  if (g == "u" || g == "unknown" || g == "not known") return "";
  return g;
}

template <typename L>
PreparedLearner PrepareCommon(const L& l, std::string id) {
  PreparedLearner p;
  p.id = std::move(id);
  p.legal_forename_key = AddName(l.legal_forename, &p.forenames, &p.forename_keys);
  AddName(l.preferred_forename, &p.forenames, &p.forename_keys);
  for (const std::string& f : p.forenames) {
    p.forename_tokens.push_back(SplitNormalised(f));
  }
  for (const std::string& k : p.forename_keys) {
    p.forename_variants.push_back(&NicknameVariants(k));
  }
  {
    // Over the keys and words, each ended by a byte no name holds.
    Fnv1a h;
    for (size_t k = 0; k < p.forename_keys.size(); ++k) {
      h.Part(p.forename_keys[k]);
      for (const std::string& t : p.forename_tokens[k]) h.Part(t);
      h.Part("|");
    }
    p.forename_hash = h.value();
  }
  std::vector<std::string> surnames;
  p.legal_surname_key = AddName(l.legal_surname, &surnames, &p.surname_keys);
  AddName(l.preferred_surname, &surnames, &p.surname_keys);
  for (const std::string& s : surnames) {
    p.surname_tokens.push_back(SplitNormalised(s));
  }
  p.date_of_birth = l.date_of_birth;
  p.upn = NormaliseUpn(l.upn);
  p.upn_valid = IsValidUpn(p.upn);
  p.gender = NormaliseGender(l.gender);
  std::string_view year = TrimAscii(l.year_group);
  p.year_group = CanonicalYearGroup(year).value_or(std::string(year));
  p.registration_group =
      absl::AsciiStrToLower(std::string(TrimAscii(l.registration_group)));
  const int order = p.year_group.empty() ? -1 : YearGroupOrder(p.year_group);
  p.year_order = order >= 0 && order < 100 ? order : -1;  // no nursery, no "unknown"
  size_t digits = 0;
  while (digits < p.registration_group.size() && digits < 2 &&
         absl::ascii_isdigit(static_cast<unsigned char>(p.registration_group[digits]))) {
    ++digits;
  }
  if (digits > 0 && digits < p.registration_group.size()) {
    p.registration_year = std::stoi(p.registration_group.substr(0, digits));
    p.registration_rest = p.registration_group.substr(digits);
  }
  return p;
}

}  // namespace

std::optional<uint32_t> PresenceShape(const MisLearner& l) {
  uint32_t shape = 0;
  int bit = 0;
  auto add = [&](bool present) { shape |= static_cast<uint32_t>(present) << bit++; };
  // NormaliseName keeps letters and digits of an ASCII name, nothing else.
  for (const std::string* name : {&l.legal_forename, &l.preferred_forename, &l.legal_surname,
                                  &l.preferred_surname}) {
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
  add(!year.empty() && !CanonicalYearGroup(year).value_or(std::string(year)).empty());
  add(!TrimAscii(l.registration_group).empty());
  return shape;
}

PreparedLearner Prepare(const HubLearner& hub) {
  return PrepareCommon(hub, hub.id);
}

PreparedLearner Prepare(const MisLearner& mis) {
  return PrepareCommon(mis, mis.mis_id);
}

}  // namespace hubsync
