#include "common/nicknames.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "common/normalise.h"

namespace hubsync {

// common/data/nicknames.csv, embedded by CMake (common/data/embed_text.cmake).
extern const char kNicknamesCsv[];

namespace {

struct Table {
  absl::flat_hash_map<std::string, std::vector<std::string>> variants;
  size_t pairs = 0;
};

void Link(Table* t, const std::string& a, const std::string& b) {
  std::vector<std::string>& v = t->variants[a];
  if (std::find(v.begin(), v.end(), b) == v.end()) v.push_back(b);
}

// Lines are "full,short,short,..."; '#' starts a comment line. Names are
// compacted as the matcher compacts them, so the file may use capitals.
const Table& GetTable() {
  static const Table* const table = [] {
    auto* t = new Table();
    // (Debian's Abseil has its own string_view: split into strings.)
    const std::vector<std::string> lines = absl::StrSplit(kNicknamesCsv, '\n');
    for (const std::string& raw : lines) {
      const std::string_view line = TrimAscii(raw);
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> names;
      const std::vector<std::string> fields =
          absl::StrSplit(std::string(line), ',');
      for (const std::string& field : fields) {
        std::string k = CompactNormalised(TrimAscii(field));
        if (!k.empty()) names.push_back(std::move(k));
      }
      for (size_t i = 1; i < names.size(); ++i) {
        if (names[i] == names[0]) continue;
        Link(t, names[0], names[i]);
        Link(t, names[i], names[0]);
        ++t->pairs;
      }
    }
    return t;
  }();
  return *table;
}

}  // namespace

bool IsKnownNickname(std::string_view a, std::string_view b) {
  if (a == b) return false;
  const std::vector<std::string>& v = NicknameVariants(a);
  return std::find(v.begin(), v.end(), b) != v.end();
}

const std::vector<std::string>& NicknameVariants(std::string_view name) {
  static const std::vector<std::string> kNone;
  const Table& t = GetTable();
  auto it = t.variants.find(absl::string_view(name.data(), name.size()));
  return it == t.variants.end() ? kNone : it->second;
}

size_t NicknamePairCount() { return GetTable().pairs; }

}  // namespace hubsync
