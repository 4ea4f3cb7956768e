// The manifest.csv of a OneRoster CSV set (private to the OneRoster parser).
#ifndef HUBSYNC_COMMON_ONEROSTER_MANIFEST_H_
#define HUBSYNC_COMMON_ONEROSTER_MANIFEST_H_

#include <string>
#include <vector>

#include "common/mis_import.h"
#include "common/types.h"

namespace hubsync {

// Reads manifest.csv from `files` and returns its oneroster.version ("1.1"
// or "1.2"), or "" after appending a problem: the manifest is missing or not
// CSV, has no propertyName/value columns, or no supported version. Also
// reports, on the manifest line, a file.* value other than bulk, delta or
// absent; a file hubsync reads (users.csv included) listed as delta (an
// upload is the whole roster); and a file hubsync reads that the manifest
// lists as bulk but that is not in `files` (an export cut short would
// otherwise read as learners without classes).
std::string ReadOneRosterManifest(const UploadFiles& files,
                                  std::vector<Problem>* problems);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_ONEROSTER_MANIFEST_H_
