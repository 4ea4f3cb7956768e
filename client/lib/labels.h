// The words a person sees for a row's status and a session's step, shared by
// the CLI and the console so that both say what the help page says.
#ifndef HUBSYNC_CLIENT_LIB_LABELS_H_
#define HUBSYNC_CLIENT_LIB_LABELS_H_

#include <string>

#include "hubsync/v1/sync.pb.h"

namespace hubsync::client {

// "Not matched", "New", "Matched", "May match", "Synced", "Desynced"; "?" for
// ROW_STATUS_UNSPECIFIED or a value this client does not know.
std::string StatusLabel(v1::RowStatus s);
// "Class sync", "Pupils panel", "Classifying", "Sync screen", "Saved",
// "Cancelled"; "?" for SESSION_STEP_UNSPECIFIED or an unknown value.
std::string StepLabel(v1::SessionStep s);

}  // namespace hubsync::client

#endif  // HUBSYNC_CLIENT_LIB_LABELS_H_
