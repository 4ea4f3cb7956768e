// The text of the console's dialogs, apart from drawing (so it is tested):
// a row's explanation, what Save will do, and the mass-desync question.
#ifndef HUBSYNC_CLIENT_CONSOLE_DIALOGS_H_
#define HUBSYNC_CLIENT_CONSOLE_DIALOGS_H_

#include <string>
#include <vector>

#include "client/console/model.h"
#include "hubsync/v1/sync.pb.h"

namespace hubsync::console {

// "Row 12: May match (decided by an admin)".
std::string ExplainTitle(const v1::Row& row);
// Both learners' details, then each field's level and weight and the score
// (what `hubsync sync rows --explain` prints), or why a row is unpaired.
std::vector<std::string> ExplainLines(const v1::Row& row);

// What Save and sync pupils will do: `will` is the server's dry run of the
// save (SaveRequest.validate_only), so the preview is what the save does;
// the counts add the New rows left unticked; `unreviewed` (May match rows
// nobody marked reviewed) are listed by name, the first few of them, as the
// save would link them unseen. Lines fit a dialog at 80x24 (72 columns);
// a long list scrolls.
std::vector<std::string> SaveLines(const v1::SaveSummary& will,
                                   const Counts& counts,
                                   const std::vector<v1::Row>& unreviewed = {});

// The count and share the mass-desync guard refused, and how to confirm.
std::vector<std::string> MassDesyncLines(const v1::MassDesync& guard);

// The keys of the sync screen, for `?`: at most 18 lines of at most 72
// columns, so the whole list fits a dialog at 80x24.
const std::vector<std::string>& HelpLines();

}  // namespace hubsync::console

#endif  // HUBSYNC_CLIENT_CONSOLE_DIALOGS_H_
