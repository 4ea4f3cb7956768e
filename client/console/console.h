// `hubsync console`: the full-screen terminal console of the sync session,
// the original MIS pupil sync screen in a terminal (ncursesw). It starts a
// session for a school (or opens one by id), walks Class sync and the
// Pupils panel, then shows the two-column sync screen while rows stream in.
// Every change goes through the typed client (client/lib); the state of the
// screens lives in model.h and panel.h, the drawing in screens.
#ifndef HUBSYNC_CLIENT_CONSOLE_CONSOLE_H_
#define HUBSYNC_CLIENT_CONSOLE_CONSOLE_H_

#include <ostream>
#include <string>

#include "client/lib/client.h"

namespace hubsync::console {

struct ConsoleOptions {
  std::string session_id;  // open this session, or
  std::string school_id;   // start a new one for this school
  std::string admin;       // who is at the keyboard (audit trail)
};

// Runs until the admin quits. A failure before the screen opens (a wrong
// API key, an unknown session) is printed on `err` as "error: CODE: message"
// and returns 1; otherwise a one-line account of where the session was left
// goes to `out` and it returns 0.
int RunConsole(client::HubsyncClient& client, const ConsoleOptions& options,
               std::ostream& out, std::ostream& err);

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_CONSOLE_H_
