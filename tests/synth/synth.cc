#include "tests/synth/synth.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/upn.h"
#include "tests/synth/synth_names.h"

namespace hubsync::synth {
namespace {

using internal::Below;
using internal::Chance;
using internal::NameTables;
using internal::Rng;
using internal::WeightedNames;
namespace chr = std::chrono;

constexpr int kFirstYear = 7;
constexpr int kLastYear = 11;
constexpr size_t kPupilsPerRegGroup = 28;
// Of twin pairs, the share whose forenames were chosen to share an initial
// (Jack and Jacob): the hard case for a typo-tolerant matcher.
constexpr double kTwinSameInitial = 0.25;

// A bijection on 64 bits (the splitmix64 finaliser): distinct counters give
// distinct ids, which look random so that id order carries no truth.
uint64_t Mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string RegGroupName(int year, size_t index) {
  std::string letters;
  do {
    letters.insert(letters.begin(), static_cast<char>('A' + index % 26));
    index /= 26;
  } while (index-- > 0);
  return absl::StrCat(year, letters);
}

bool ValidDate(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1) return false;
  return chr::year_month_day(chr::year(y), chr::month(m), chr::day(d)).ok();
}

// The long tail of surnames (Profile::surname_tail_share): first part,
// optional middle, ending, each combination once; weights fall off as
// rank^-0.7 in an order fixed by these tables alone (no draw from the
// school's generator, so the rest of the school does not move).
WeightedNames SurnameTail() {
  static constexpr const char* kFirst[] = {
      "Ash",  "Brad", "Brook", "Bur",  "Carl",  "Chad",  "Clay", "Crom", "Dal",
      "Dun",  "Elm",  "Fair",  "Fen",  "Gold",  "Green", "Hal",  "Hart", "Hay",
      "Hol",  "Kirk", "Lang",  "Lind", "Marl",  "Mel",   "Mid",  "Mor",  "New",
      "Nor",  "Oak",  "Pem",   "Pen",  "Rad",   "Red",   "Rock", "Ros",  "Rud",
      "Sal",  "Sand", "Shel",  "Stan", "Stock", "Thorn", "Thur", "Wake", "Wal",
      "War",  "Wes",  "Whit",  "Wil",  "Win",   "Wood",  "Wor",  "Ald",  "Bel",
      "Bram", "Cal",  "Dar",   "Ed",   "Har",   "Lyn"};
  static constexpr const char* kMiddle[] = {
      "", "en", "er", "in", "le", "den", "ling", "ing", "bor", "mer", "rid"};
  static constexpr const char* kEnd[] = {
      "ford",  "ley",  "ton",   "wood",   "field",  "worth",  "by",     "ham",
      "well",  "more", "hurst", "stone",  "bridge", "dale",   "cott",   "wick",
      "land",  "son",  "man",   "ridge",  "brook",  "croft",  "den",    "bury",
      "combe", "holt", "mere",  "thorpe", "shaw",   "side",   "gate",   "hill",
      "low",   "ney",  "stead", "ward",   "win",    "wright", "cliffe", "lock"};
  std::vector<std::string> names;
  for (const char* a : kFirst) {
    for (const char* b : kMiddle) {
      for (const char* c : kEnd) names.push_back(absl::StrCat(a, b, c));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  // A fixed shuffle, so that rank does not follow the alphabet.
  for (size_t i = names.size(); i > 1; --i) {
    std::swap(names[i - 1], names[Mix(i * 0x9e3779b97f4a7c15ULL) % i]);
  }
  WeightedNames tail;
  for (size_t r = 0; r < names.size(); ++r) {
    tail.Add(std::move(names[r]), std::pow(static_cast<double>(r + 1), -0.7));
  }
  return tail;
}

class Generator {
 public:
  Generator(size_t size, uint64_t seed, const Profile& p, NameTables names)
      : size_(size),
        p_(p),
        names_(std::move(names)),
        rng_(seed),
        id_salt_(Mix(seed ^ 0x5eed5eed5eed5eedULL)),
        tail_(p.surname_tail_share > 0 ? SurnameTail() : WeightedNames()) {
    const size_t per_year =
        std::max<size_t>(1, size / (kLastYear - kFirstYear + 1));
    groups_per_year_ = std::max<size_t>(
        1, (per_year + kPupilsPerRegGroup - 1) / kPupilsPerRegGroup);
  }

  School Run() {
    school_.mis.reserve(size_);
    school_.hub.reserve(size_ + size_ / 8);
    const double twin_birth = p_.twin_child_rate / (2 - p_.twin_child_rate);
    while (school_.mis.size() < size_) {
      if (school_.mis.size() + 2 <= size_ && Chance(rng_, twin_birth)) {
        AddTwins();
      } else {
        MisLearner m = NewChild();
        AddHubFor(m, /*twin=*/false);
        school_.mis.push_back(std::move(m));
      }
    }
    const auto extra = [&](double rate) {
      return static_cast<size_t>(rate * static_cast<double>(size_) + 0.5);
    };
    for (size_t i = extra(p_.leaver_rate); i > 0; --i) {
      MisLearner gone = NewChild();
      HubLearner h = Copy(gone);
      h.sync_state = SyncState::kSynced;
      h.mis_id = gone.mis_id;
      AddHub(std::move(h), {"", 0, true});
    }
    for (size_t i = extra(p_.orphan_rate); i > 0; --i) {
      auto [h, flags] = HandMade(NewChild());
      AddHub(std::move(h), {"", flags, false});
    }
    Shuffle(school_.mis);
    Shuffle(school_.hub);
    return std::move(school_);
  }

 private:
  std::string NextId(const char* prefix) {
    return absl::StrFormat("%s%016x", prefix, Mix(++ids_ ^ id_salt_));
  }

  // A valid UPN, unique within the school: a random LA code, then nine
  // digits that are a bijection of a counter (3^18 is prime to 10^9).
  std::string NextUpn() {
    const uint64_t serial = (++upns_ * 387420489ULL) % 1000000000ULL;
    const std::string body = absl::StrFormat(
        "%03d%09d", static_cast<int>(201 + Below(rng_, 738)), serial);
    return absl::StrCat(std::string(1, *UpnCheckLetter(body)), body);
  }

  const std::string& Forename(bool male) {
    return (male ? names_.male : names_.female).Pick(rng_);
  }

  // The table-only profile draws nothing extra, so it stays as it was.
  const std::string& Surname() {
    if (p_.surname_tail_share > 0 && Chance(rng_, p_.surname_tail_share)) {
      return tail_.Pick(rng_);
    }
    return names_.surnames.Pick(rng_);
  }

  MisLearner NewChild() {
    MisLearner m;
    m.mis_id = NextId("mis_");
    if (!Chance(rng_, p_.mis_upn_missing)) m.upn = NextUpn();
    const bool male = Chance(rng_, 0.5);
    m.gender = male ? "M" : "F";
    m.legal_forename = Forename(male);
    m.legal_surname = Surname();
    const int year = kFirstYear + static_cast<int>(Below(rng_, 5));
    m.year_group = absl::StrCat(year);
    // Born 1 September (Y-year-5) to 31 August (Y-year-4): UK school years.
    const chr::sys_days first = chr::year_month_day(
        chr::year(p_.academic_year - year - 5), chr::September, chr::day(1));
    const chr::sys_days last = chr::year_month_day(
        chr::year(p_.academic_year - year - 4), chr::August, chr::day(31));
    const chr::year_month_day dob(
        first + chr::days(Below(rng_, (last - first).count() + 1)));
    m.date_of_birth = Date{static_cast<int>(dob.year()),
                           static_cast<int>(static_cast<unsigned>(dob.month())),
                           static_cast<int>(static_cast<unsigned>(dob.day()))};
    const size_t group = Below(rng_, groups_per_year_);
    m.registration_group = RegGroupName(year, group);
    m.registration_group_mis_id = absl::StrCat("reg:", m.registration_group);
    if (Chance(rng_, p_.mis_preferred_rate)) {
      auto it = names_.nicknames.find(m.legal_forename);
      if (it != names_.nicknames.end()) {
        m.preferred_forename = it->second[Below(rng_, it->second.size())];
      }
    }
    if (Chance(rng_, p_.mis_email_rate)) {
      // Accents go before the initial is taken: the first byte of "Ł" alone
      // is not UTF-8.
      m.email = absl::StrCat(
          internal::AsciiLower(
              internal::StripAccents(m.legal_forename).substr(0, 1) +
              internal::StripAccents(m.legal_surname)),
          Below(rng_, 100), "@pupils.example.sch.uk");
      m.email.erase(std::remove_if(m.email.begin(), m.email.end(),
                                   [](char c) {
                                     return c == ' ' || c == '\'' ||
                                            static_cast<unsigned char>(c) >=
                                                0x80;
                                   }),
                    m.email.end());
    }
    return m;
  }

  void AddTwins() {
    MisLearner a = NewChild();
    MisLearner b = NewChild();
    b.legal_surname = a.legal_surname;
    b.date_of_birth = a.date_of_birth;
    b.year_group = a.year_group;
    b.registration_group = Chance(rng_, 0.5)
                               ? a.registration_group
                               : RegGroupName(std::stoi(a.year_group),
                                              Below(rng_, groups_per_year_));
    b.registration_group_mis_id = absl::StrCat("reg:", b.registration_group);
    const bool same_initial = Chance(rng_, kTwinSameInitial);
    for (int tries = 0; tries < 50; ++tries) {
      const bool ok =
          b.legal_forename != a.legal_forename &&
          (!same_initial || b.legal_forename[0] == a.legal_forename[0]);
      if (ok) break;
      b.legal_forename = Forename(b.gender == "M");
    }
    if (b.legal_forename == a.legal_forename) {  // a rare one-name table
      b.legal_forename = Forename(b.gender != "M");
    }
    b.preferred_forename.clear();
    school_.twin_pairs.emplace(std::min(a.mis_id, b.mis_id),
                               std::max(a.mis_id, b.mis_id));
    AddHubFor(a, /*twin=*/true);
    AddHubFor(b, /*twin=*/true);
    school_.mis.push_back(std::move(a));
    school_.mis.push_back(std::move(b));
  }

  HubLearner Copy(const MisLearner& m) {
    HubLearner h;
    h.id = NextId("lrn_");
    h.school_id = "sch_synth";
    h.legal_forename = m.legal_forename;
    h.legal_surname = m.legal_surname;
    h.preferred_forename = m.preferred_forename;
    h.date_of_birth = m.date_of_birth;
    h.gender = m.gender;
    h.upn = m.upn;
    h.year_group = m.year_group;
    h.registration_group = m.registration_group;
    h.email = m.email;
    return h;
  }

  // Joiners get no hub record; twins always get a hand-made one, so that
  // every twin pair is a test of the classifier.
  void AddHubFor(const MisLearner& m, bool twin) {
    if (!twin && Chance(rng_, p_.joiner_rate)) return;
    if (!twin && Chance(rng_, p_.linked_rate)) {
      HubLearner h = Copy(m);
      h.mis_id = m.mis_id;
      h.sync_state = SyncState::kSynced;
      AddHub(std::move(h), {m.mis_id, 0, true});
      return;
    }
    auto [h, flags] = HandMade(m);
    AddHub(std::move(h), {m.mis_id, flags | (twin ? kTwin : 0u), false});
  }

  void AddHub(HubLearner h, Truth t) {
    school_.truth.emplace(h.id, std::move(t));
    school_.hub.push_back(std::move(h));
  }

  std::pair<HubLearner, uint32_t> HandMade(const MisLearner& m);
  std::optional<Date> OneDigitOff(const Date& d);

  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      std::swap(v[i - 1], v[Below(rng_, i)]);
    }
  }

  const size_t size_;
  const Profile& p_;
  const NameTables names_;
  Rng rng_;
  const uint64_t id_salt_;
  const WeightedNames tail_;
  uint64_t ids_ = 0;
  uint64_t upns_ = 0;
  size_t groups_per_year_ = 1;
  School school_;
};

std::optional<Date> Generator::OneDigitOff(const Date& d) {
  for (int tries = 0; tries < 20; ++tries) {
    Date e = d;
    const int digit = static_cast<int>(Below(rng_, 10));
    switch (Below(rng_, 3)) {
      case 0:
        e.day = e.day / 10 * 10 + digit;
        break;
      case 1:
        e.month = e.month / 10 * 10 + digit;
        break;
      default:
        e.year = e.year / 10 * 10 + digit;
        break;
    }
    if (e != d && ValidDate(e.year, e.month, e.day)) return e;
  }
  return std::nullopt;
}

// The hub record a school office typed by hand for child `m`, and what
// differs from the MIS record.
std::pair<HubLearner, uint32_t> Generator::HandMade(const MisLearner& m) {
  HubLearner h = Copy(m);
  h.preferred_forename.clear();
  h.email = Chance(rng_, 0.2) ? m.email : "";
  uint32_t f = 0;
  if (!m.preferred_forename.empty() && Chance(rng_, p_.uses_preferred)) {
    h.legal_forename = m.preferred_forename;
    f |= kNickname;
  } else if (Chance(rng_, p_.nickname)) {
    if (auto it = names_.nicknames.find(m.legal_forename);
        it != names_.nicknames.end()) {
      h.legal_forename = it->second[Below(rng_, it->second.size())];
      f |= kNickname;
    }
  }
  if (Chance(rng_, p_.surname_changed)) {
    std::string s = m.legal_surname;
    while (s == m.legal_surname) s = Surname();
    h.legal_surname = s;
    f |= kSurnameChanged;
  } else if (Chance(rng_, p_.double_barrel)) {
    const size_t dash = m.legal_surname.find('-');
    if (dash != std::string::npos) {
      h.legal_surname = Chance(rng_, 0.5) ? m.legal_surname.substr(0, dash)
                                          : m.legal_surname.substr(dash + 1);
    } else {
      const std::string& other = Surname();
      h.legal_surname = Chance(rng_, 0.5)
                            ? absl::StrCat(m.legal_surname, "-", other)
                            : absl::StrCat(other, "-", m.legal_surname);
    }
    f |= kDoubleBarrel;
  }
  for (auto [name, rate, bit] :
       {std::tuple{&h.legal_forename, p_.forename_typo, kForenameTypo},
        std::tuple{&h.legal_surname, p_.surname_typo, kSurnameTypo}}) {
    if (!Chance(rng_, rate)) continue;
    std::string t = internal::Typo(*name, rng_);
    if (t != *name) {
      *name = std::move(t);
      f |= bit;
    }
  }
  if ((!internal::IsAscii(h.legal_forename) ||
       !internal::IsAscii(h.legal_surname)) &&
      Chance(rng_, p_.accents_stripped)) {
    h.legal_forename = internal::StripAccents(h.legal_forename);
    h.legal_surname = internal::StripAccents(h.legal_surname);
    f |= kAccentsStripped;
  }
  for (std::string* name : {&h.legal_forename, &h.legal_surname}) {
    if (internal::HasPunctuation(*name) &&
        Chance(rng_, p_.punctuation_changed)) {
      std::string c = internal::ChangePunctuation(*name, rng_);
      if (c != *name) {
        *name = std::move(c);
        f |= kPunctuationChanged;
      }
    }
  }
  if (Chance(rng_, p_.case_changed)) {
    h.legal_surname = internal::AsciiUpper(h.legal_surname);
    h.legal_forename = internal::AsciiLower(h.legal_forename);
    f |= kCaseChanged;
  }
  if (Chance(rng_, p_.names_swapped)) {
    std::swap(h.legal_forename, h.legal_surname);
    f |= kNamesSwapped;
  }
  const Date& dob = *m.date_of_birth;
  if (Chance(rng_, p_.missing_dob)) {
    h.date_of_birth.reset();
    f |= kMissingDob;
  } else if (dob.day <= 12 && dob.day != dob.month &&
             Chance(rng_, p_.dob_swapped)) {
    h.date_of_birth = Date{dob.year, dob.day, dob.month};
    f |= kDobSwapped;
  } else if (Chance(rng_, p_.dob_one_digit)) {
    if (std::optional<Date> e = OneDigitOff(dob)) {
      h.date_of_birth = e;
      f |= kDobOneDigit;
    }
  }
  if (m.upn.empty() || Chance(rng_, p_.missing_upn)) {
    h.upn.clear();
    f |= kMissingUpn;
  }
  if (Chance(rng_, p_.stale_groups)) {
    const int year = std::stoi(m.year_group) - 1;
    h.year_group = absl::StrCat(year);
    h.registration_group =
        absl::StrCat(year, m.registration_group.substr(m.year_group.size()));
    f |= kStaleGroups;
  }
  if (Chance(rng_, p_.hub_gender_missing)) {
    h.gender.clear();
  } else {
    h.gender = m.gender == "M" ? "Male" : "Female";
  }
  return {std::move(h), f};
}

}  // namespace

const char* PerturbationName(uint32_t bit) {
  switch (bit) {
    case kMissingUpn:
      return "missing_upn";
    case kMissingDob:
      return "missing_dob";
    case kNickname:
      return "nickname";
    case kForenameTypo:
      return "forename_typo";
    case kSurnameTypo:
      return "surname_typo";
    case kAccentsStripped:
      return "accents_stripped";
    case kPunctuationChanged:
      return "punctuation_changed";
    case kDoubleBarrel:
      return "double_barrel";
    case kSurnameChanged:
      return "surname_changed";
    case kNamesSwapped:
      return "names_swapped";
    case kDobSwapped:
      return "dob_swapped";
    case kDobOneDigit:
      return "dob_one_digit";
    case kStaleGroups:
      return "stale_groups";
    case kCaseChanged:
      return "case_changed";
    case kTwin:
      return "twin";
    default:
      return "?";
  }
}

absl::StatusOr<School> Generate(size_t size, uint64_t seed,
                                const Profile& profile) {
  absl::StatusOr<NameTables> names = internal::LoadNameTables(profile.data_dir);
  if (!names.ok()) return names.status();
  return Generator(size, seed, profile, *std::move(names)).Run();
}

}  // namespace hubsync::synth
