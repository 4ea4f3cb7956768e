// `hubsync console`: the full-screen terminal console (client/console/).
#include <unistd.h>

#include <cstdlib>

#include "client/cli/commands.h"
#include "client/console/console.h"

namespace hubsync::cli {
namespace {

int Console(const Parsed& p, client::HubsyncClient& c, Io& io) {
  const bool by_session = !p.positionals.empty();
  if (by_session == p.Has("school")) {
    return Usage(p,
                 "give a SESSION id to open, or --school ID to start a new "
                 "session (exactly one)",
                 io);
  }
  if (p.globals.json) {
    return Usage(p,
                 "--json does not apply to the console (use the sync "
                 "commands in scripts)",
                 io);
  }
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    return Usage(p,
                 "the console needs a terminal on stdin and stdout (use the "
                 "sync commands in scripts)",
                 io);
  }
  console::ConsoleOptions options;
  if (by_session) options.session_id = p.positionals[0];
  options.school_id = p.Get("school");
  const char* user = std::getenv("USER");
  options.admin = p.Get("admin", user != nullptr && *user ? user : "console");
  return console::RunConsole(c, options, io.out, io.err);
}

}  // namespace

std::vector<Command> ConsoleCommands() {
  return {
      {{.path = "console",
        .optional = {"SESSION"},
        .flags = {{.name = "school",
                   .kind = FlagKind::kString,
                   .value = "ID",
                   .help = "start a new session for this school "
                           "(default: $HUBSYNC_SCHOOL, else the API key's "
                           "own school)",
                   .implied = true},
                  {.name = "admin",
                   .kind = FlagKind::kString,
                   .value = "NAME",
                   .help = "who is at the keyboard, for the audit trail "
                           "(default $USER)"}},
        .summary =
            "Full-screen terminal console: the pupil sync screen.\n"
            "Opens SESSION, or starts a session for --school (default: "
            "the key's school),\nthen walks Class sync, "
            "the Pupils panel and the sync screen. Press ? on the sync "
            "screen for the keys;\n"
            "Ctrl-C quits at once (exit 0: changes are already in the "
            "session). Needs a UTF-8\n"
            "locale (LANG=C.UTF-8) and 80x24 or more; NO_COLOR turns colour "
            "off.",
        .example = "hubsync console   # a new session for the key's "
                   "school; or: hubsync console ses_..."},
       Console},
  };
}

}  // namespace hubsync::cli
