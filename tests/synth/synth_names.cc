#include "tests/synth/synth_names.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/import_checks.h"

namespace hubsync::synth::internal {
namespace {

// The non-ASCII Latin letters of the name tables, UTF-8, and their plain
// forms. A letter missing here stays as it is (the test checks the tables).
constexpr std::pair<const char*, const char*> kAccents[] = {
    {"á", "a"},  {"à", "a"},  {"â", "a"},  {"ä", "a"}, {"å", "a"}, {"ã", "a"},
    {"æ", "ae"}, {"ç", "c"},  {"č", "c"},  {"ć", "c"}, {"é", "e"}, {"è", "e"},
    {"ê", "e"},  {"ë", "e"},  {"ě", "e"},  {"í", "i"}, {"ì", "i"}, {"î", "i"},
    {"ï", "i"},  {"ı", "i"},  {"ł", "l"},  {"ń", "n"}, {"ñ", "n"}, {"ň", "n"},
    {"ó", "o"},  {"ò", "o"},  {"ô", "o"},  {"ö", "o"}, {"õ", "o"}, {"ő", "o"},
    {"ø", "o"},  {"ř", "r"},  {"ś", "s"},  {"š", "s"}, {"ş", "s"}, {"ú", "u"},
    {"ù", "u"},  {"û", "u"},  {"ü", "u"},  {"ů", "u"}, {"ý", "y"}, {"ź", "z"},
    {"ż", "z"},  {"ž", "z"},  {"ß", "ss"}, {"Á", "A"}, {"À", "A"}, {"Ä", "A"},
    {"Å", "A"},  {"Æ", "AE"}, {"Ç", "C"},  {"Č", "C"}, {"É", "E"}, {"È", "E"},
    {"Í", "I"},  {"İ", "I"},  {"Ł", "L"},  {"Ñ", "N"}, {"Ó", "O"}, {"Ö", "O"},
    {"Ø", "O"},  {"Ś", "S"},  {"Š", "S"},  {"Ş", "S"}, {"Ú", "U"}, {"Ü", "U"},
    {"Ý", "Y"},  {"Ź", "Z"},  {"Ż", "Z"},  {"Ž", "Z"},
};

bool IsAsciiLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadCsv(
    const std::string& dir, const std::string& name) {
  const std::string path = absl::StrCat(dir, "/", name);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::vector<std::pair<std::string, std::string>> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    const size_t comma = line.find(',');
    if (comma == std::string::npos || comma == 0 || comma + 1 == line.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", n, ": expected name,value"));
    }
    rows.emplace_back(line.substr(0, comma), line.substr(comma + 1));
  }
  return rows;
}

absl::Status LoadWeighted(const std::string& dir, const std::string& name,
                          WeightedNames* out) {
  auto rows = ReadCsv(dir, name);
  if (!rows.ok()) return rows.status();
  for (auto& [n, count] : *rows) {
    double w = 0;
    if (!absl::SimpleAtod(Av(count), &w) || w <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(dir, "/", name, ": bad count for ", n));
    }
    out->Add(std::move(n), w);
  }
  if (out->names().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(dir, "/", name, ": empty"));
  }
  return absl::OkStatus();
}

}  // namespace

void WeightedNames::Add(std::string name, double weight) {
  names_.push_back(std::move(name));
  cumulative_.push_back((cumulative_.empty() ? 0 : cumulative_.back()) +
                        weight);
}

const std::string& WeightedNames::Pick(Rng& rng) const {
  const double x = Uniform01(rng) * cumulative_.back();
  const size_t i = std::upper_bound(cumulative_.begin(), cumulative_.end(), x) -
                   cumulative_.begin();
  return names_[std::min(i, names_.size() - 1)];
}

absl::StatusOr<NameTables> LoadNameTables(const std::string& dir) {
  NameTables t;
  for (auto [file, table] : {std::pair{"forenames_male.csv", &t.male},
                             std::pair{"forenames_female.csv", &t.female},
                             std::pair{"surnames.csv", &t.surnames}}) {
    if (absl::Status s = LoadWeighted(dir, file, table); !s.ok()) return s;
  }
  auto rows = ReadCsv(dir, "nicknames.csv");
  if (!rows.ok()) return rows.status();
  for (auto& [full, shorts] : *rows) {
    for (absl::string_view s : absl::StrSplit(Av(shorts), ' ')) {
      if (!s.empty()) t.nicknames[full].emplace_back(s.data(), s.size());
    }
  }
  return t;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  });
}

std::string StripAccents(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out.push_back(s[i++]);
      continue;
    }
    bool replaced = false;
    for (const auto& [from, to] : kAccents) {
      const std::string_view f(from);
      if (s.substr(i, f.size()) == f) {
        out.append(to);
        i += f.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(s[i++]);
  }
  return out;
}

bool HasPunctuation(std::string_view s) {
  return s.find_first_of("-' ") != std::string_view::npos;
}

std::string ChangePunctuation(std::string_view s, Rng& rng) {
  std::string out(s);
  const bool hyphen = out.find('-') != std::string::npos;
  const bool apostrophe = out.find('\'') != std::string::npos;
  const bool space = out.find(' ') != std::string::npos;
  if (hyphen) {
    const char to = Chance(rng, 0.7) ? ' ' : '\0';
    std::string r;
    for (char c : out) {
      if (c != '-')
        r.push_back(c);
      else if (to != '\0')
        r.push_back(to);
    }
    out = std::move(r);
  } else if (apostrophe) {
    const bool drop = Chance(rng, 0.7);
    std::string r;
    for (char c : out) {
      if (c != '\'')
        r.push_back(c);
      else if (!drop)
        r.push_back(' ');
    }
    out = std::move(r);
  } else if (space) {
    if (Chance(rng, 0.5)) {  // "van der Berg" -> "Vanderberg"
      std::string r;
      for (char c : out) {
        if (c != ' ')
          r.push_back(
              static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      }
      if (!r.empty() && IsAsciiLetter(r[0])) {
        r[0] =
            static_cast<char>(std::toupper(static_cast<unsigned char>(r[0])));
      }
      out = std::move(r);
    } else {  // "van der Berg" -> "Van Der Berg"
      for (size_t i = 0; i < out.size(); ++i) {
        if ((i == 0 || out[i - 1] == ' ') && out[i] >= 'a' && out[i] <= 'z') {
          out[i] = static_cast<char>(out[i] - 'a' + 'A');
        }
      }
    }
  }
  return out;
}

std::string Typo(std::string_view s, Rng& rng) {
  std::vector<size_t> letters;
  for (size_t i = 0; i < s.size(); ++i) {
    if (IsAsciiLetter(s[i])) letters.push_back(i);
  }
  if (letters.size() < 3) return std::string(s);
  std::string out(s);
  // Not the first letter: people rarely mistype the initial, and it keeps
  // the edit a typo rather than another name.
  const size_t k = 1 + Below(rng, letters.size() - 1);
  const size_t pos = letters[k];
  const char letter = static_cast<char>('a' + Below(rng, 26));
  switch (Below(rng, 4)) {
    case 0:  // substitution
      out[pos] = letter == std::tolower(static_cast<unsigned char>(out[pos]))
                     ? static_cast<char>('a' + (letter - 'a' + 1) % 26)
                     : letter;
      break;
    case 1:  // deletion
      out.erase(pos, 1);
      break;
    case 2:  // insertion
      out.insert(pos, 1, letter);
      break;
    default:  // transposition with the letter after
      if (pos + 1 < out.size() && out[pos + 1] != out[pos] &&
          IsAsciiLetter(out[pos + 1])) {
        std::swap(out[pos], out[pos + 1]);
      } else {
        out.erase(pos, 1);
      }
      break;
  }
  return out;
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace hubsync::synth::internal
