#include "common/year_group.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "common/import_checks.h"

namespace hubsync {

namespace {

std::optional<std::string> Canonicalise(std::string_view raw) {
  std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(Av(raw)));
  s = absl::StrReplaceAll(s, {{" ", ""}, {"_", ""}, {"-", ""}});
  if (s.empty()) return std::nullopt;
  // "Year R" is how many UK primary schools write Reception; "Nursery 1" and
  // "Nursery 2" are the long forms of N1 and N2.
  if (s == "r" || s == "reception" || s == "kg" || s == "yr" || s == "rec" ||
      s == "yearr") {
    return "R";
  }
  if (s == "n1" || s == "it" || s == "pr" || s == "nursery1") return "N1";
  if (s == "n2" || s == "n" || s == "nursery" || s == "pk" || s == "nursery2")
    return "N2";
  for (std::string_view prefix : {"year", "yr", "y"}) {
    if (s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0) {
      s = s.substr(prefix.size());
      break;
    }
  }
  if (s.empty() || s.size() > 2) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int n = 0;
  if (!absl::SimpleAtoi(s, &n) || n < 1 || n > 13) return std::nullopt;
  return std::to_string(n);
}

}  // namespace

// A school writes its year groups a handful of ways, and classification
// asks for every learner: each thread remembers the answers (bounded).
std::optional<std::string> CanonicalYearGroup(std::string_view raw) {
  constexpr size_t kCacheLimit = 4096;
  thread_local absl::flat_hash_map<std::string, std::optional<std::string>>
      cache;
  if (auto it = cache.find(absl::string_view(raw.data(), raw.size()));
      it != cache.end()) {
    return it->second;
  }
  std::optional<std::string> out = Canonicalise(raw);
  if (cache.size() >= kCacheLimit) cache.clear();
  cache.emplace(std::string(raw), out);
  return out;
}

bool IsCanonicalYearGroup(std::string_view s) {
  std::optional<std::string> c = CanonicalYearGroup(s);
  return c.has_value() && *c == s;
}

int YearGroupOrder(std::string_view canonical) {
  if (canonical == "N1") return -2;
  if (canonical == "N2") return -1;
  if (canonical == "R") return 0;
  int n = 0;
  if (absl::SimpleAtoi(Av(canonical), &n)) return n;
  return 100;
}

}  // namespace hubsync
