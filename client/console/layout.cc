#include "client/console/layout.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "client/console/text.h"

namespace hubsync::console {
namespace {

// As drawn: server text shown escaped (text.h, Shown).
int Width(const std::string& s) { return DisplayWidth(Shown(s)); }

}  // namespace

SyncColumns LayoutColumns(int cols, bool emails) {
  SyncColumns c;
  c.emails = emails;
  // Narrow: the widths that 80 columns allow; the names take what is left.
  int year = 2, reg = 5, status = 13, imp = 3, em = 3;
  c.import_header = "IMP";
  c.email_header = "EML";
  auto fixed = [&] {
    // marker 2; per side: name + 1, year + 1, reg + 1; status + 1;
    // import (+ 1 + email).
    return 2 + 2 * (1 + year + 1 + reg + 1) + status + 1 + imp +
           (emails ? 1 + em : 0);
  };
  if ((cols - fixed()) / 2 >= 24) {  // room to spare: the full headers
    year = 3;
    reg = 6;
    imp = 7;
    em = 6;
    c.import_header = "IMPORT?";
    c.email_header = "EMAIL?";
  }
  const int name = std::max(8, (cols - fixed()) / 2);
  int x = 0;
  auto col = [&](int w) {
    Column out{x, w};
    x += w + 1;
    return out;
  };
  c.marker = {0, 2};
  x = 2;
  c.hub = col(name);
  c.hub_year = col(year);
  c.hub_reg = col(reg);
  c.status = col(status);
  c.mis = col(name);
  c.mis_year = col(year);
  c.mis_reg = col(reg);
  c.import = col(imp);
  if (emails) c.email = col(em);
  return c;
}

std::vector<std::string> CountSegments(const Counts& n, bool emails) {
  std::vector<std::string> out = {absl::StrCat("Not matched ", n.not_matched),
                                  absl::StrCat("New ", n.new_rows),
                                  absl::StrCat("Matched ", n.matched),
                                  absl::StrCat("May match ", n.may_match),
                                  absl::StrCat("Synced ", n.synced),
                                  absl::StrCat("Desynced ", n.desynced),
                                  absl::StrCat("total ", n.total),
                                  absl::StrCat("Import? ", n.import_ticked)};
  if (emails) out.push_back(absl::StrCat("Email? ", n.email_ticked));
  return out;
}

std::vector<std::string> PackSegments(const std::vector<std::string>& segments,
                                      int width, const std::string& sep) {
  std::vector<std::string> lines;
  std::string line;
  for (const std::string& s : segments) {
    if (line.empty()) {
      line = absl::StrCat(" ", s);
      continue;
    }
    if (Width(line) + Width(sep) + Width(s) <= width) {
      absl::StrAppend(&line, sep, s);
    } else {
      lines.push_back(std::move(line));
      line = absl::StrCat(" ", s);
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::string TitleLine(const std::string& school, const std::string& session_id,
                      int64_t version, const std::string& step, int width) {
  const std::string tail =
      absl::StrCat(" | session ", session_id, " v", version, " | ", step);
  std::string full = absl::StrCat(" hubsync console | ", school, tail);
  if (Width(full) <= width) return full;
  full = absl::StrCat(" ", school, tail);
  if (Width(full) <= width) return full;
  const int room = width - 1 - Width(tail);
  if (room >= 6) {
    return absl::StrCat(" ", Narrow(Fit(Shown(school), room)), tail);
  }
  // Very narrow: the step and version first, the rest as it fits.
  return absl::StrCat(" ", step, " | v", version, " | ", school);
}

std::string SyncKeyHint(int width) {
  struct Hint {
    const char* text;
    int keep;  // higher stays longer
  };
  static const Hint kHints[] = {{"j/k/PgUp/PgDn: move", 7},
                                {"/: search", 6},
                                {"f: filter", 5},
                                {"space: import", 6},
                                {"a: tick all New", 3},
                                {"e: email", 1},
                                {"m: match", 4},
                                {"u: unmatch", 2},
                                {"v: reviewed", 2},
                                {"x: why", 2},
                                {"S: save", 9},
                                {"b: back", 8},
                                {"C: cancel", 1},
                                {"?: keys", 9},
                                {"q: quit", 9}};
  std::vector<const Hint*> shown;
  for (const Hint& h : kHints) shown.push_back(&h);
  auto join = [&] {
    std::string s;
    for (const Hint* h : shown)
      absl::StrAppend(&s, s.empty() ? " " : "  ", h->text);
    return s;
  };
  std::string line = join();
  while (Width(line) >= width && shown.size() > 3) {
    // Drop the least needed hint (the last of them on a tie).
    auto least = shown.begin();
    for (auto it = shown.begin(); it != shown.end(); ++it) {
      if ((*it)->keep <= (*least)->keep) least = it;
    }
    shown.erase(least);
    line = join();
  }
  return line;
}

}  // namespace hubsync::console
