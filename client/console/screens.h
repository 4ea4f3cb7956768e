// The console's screens (internal to client/console): each draws with Ui,
// sends requests through the client, and returns when its step is done or
// the admin quits.
#ifndef HUBSYNC_CLIENT_CONSOLE_SCREENS_H_
#define HUBSYNC_CLIENT_CONSOLE_SCREENS_H_

#include <string>

#include "absl/status/status.h"
#include "client/console/ui.h"
#include "client/lib/client.h"

namespace hubsync::console {

struct Context {
  client::HubsyncClient& client;
  Ui& ui;
  v1::Session session;
  std::string school_name;
  std::string message;  // the status line
  bool message_error = false;
  std::string farewell;  // printed after the screen closes
};

enum class Next { kQuit, kStepDone };

Next ClassSyncScreen(Context& ctx);
Next PupilsPanelScreen(Context& ctx);
Next SyncScreen(Context& ctx);

// "FAILED_PRECONDITION: message" for the status line.
std::string ErrorText(const absl::Status& s);
void SetError(Context& ctx, const absl::Status& s);
void SetInfo(Context& ctx, const std::string& text);
// The title bar (row 0) and the status line (row rows()-2).
void DrawTitle(Context& ctx, const std::string& step);
void DrawStatus(Context& ctx);

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_SCREENS_H_
