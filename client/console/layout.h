// Where the sync screen puts things, as pure functions of the terminal's
// width (no curses here, so it is unit-tested at 80x24 and wider): the
// columns of the row table, the counts wrapped onto as many lines as they
// need, the title bar and the key hint, each cut so that what an admin needs
// (the step, the session's version, S: save, ?: keys, q: quit) stays.
#ifndef HUBSYNC_CLIENT_CONSOLE_LAYOUT_H_
#define HUBSYNC_CLIENT_CONSOLE_LAYOUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "client/console/model.h"

namespace hubsync::console {

struct Column {
  int x = 0;
  int w = 0;  // cells drawn; at least one blank column follows
};

// The row table: marker, hub (name, year, reg), status, MIS (name, year,
// reg), Import? and, with the session's email option, Email?.
struct SyncColumns {
  Column marker, hub, hub_year, hub_reg, status, mis, mis_year, mis_reg, import,
      email;
  bool emails = false;
  std::string import_header;  // "IMPORT?", or "IMP" when narrow
  std::string email_header;   // "EMAIL?", or "EML" when narrow
};
SyncColumns LayoutColumns(int cols, bool emails);

// "Not matched 3", "New 12", ..., "total 40", "Import? 2" (and "Email? 1").
std::vector<std::string> CountSegments(const Counts& counts, bool emails);

// The segments joined by `sep` on lines of at most `width` columns, each
// line starting with a space; a segment is never split between lines (one
// longer than a line gets a line of its own, cut when drawn).
std::vector<std::string> PackSegments(const std::vector<std::string>& segments,
                                      int width,
                                      const std::string& sep = " | ");

// " hubsync console | SCHOOL | session ID vN | STEP", shortened to `width`
// columns: first without "hubsync console", then with the school name cut;
// the step and the version always show.
std::string TitleLine(const std::string& school, const std::string& session_id,
                      int64_t version, const std::string& step, int width);

// The sync screen's key hint, under `width` columns (the bottom-right cell
// cannot be written): less used keys go first, S: save, ?: keys and q: quit
// always stay.
std::string SyncKeyHint(int width);

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_LAYOUT_H_
