// hubsyncd --help and --version. Abseil's own --help lists only the flags of
// a file named after the program (so "No flags matched" for server/main.cc),
// spells them with '_' and exits 1; its --version names only the build type.
#ifndef HUBSYNC_SERVER_USAGE_H_
#define HUBSYNC_SERVER_USAGE_H_

#include "absl/strings/string_view.h"

namespace hubsync {

// If argv asks for help (--help, -h) or the version (--version) before any
// "--", prints it on stdout and returns 0, the exit status; else returns -1.
// The help lists the flags defined in `flags_file` (main.cc's __FILE__) with
// their help text and defaults, spelled with '-' as documented.
int PrintHelpOrVersion(int argc, char** argv, absl::string_view flags_file);

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_USAGE_H_
