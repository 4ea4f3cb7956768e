// The version of hubsyncd and hubsync and the git commit they were built
// from. Defined in a source written at build time (cmake/write_version.cmake,
// library hubsync_version), which only the two programs link.
#ifndef HUBSYNC_COMMON_VERSION_H_
#define HUBSYNC_COMMON_VERSION_H_

#include <string>
#include <string_view>

namespace hubsync {

extern const char kVersion[];    // "0.1.0": project(VERSION) in CMakeLists.txt
extern const char kGitCommit[];  // "23f313d1a2b4", "...-dirty" or "unknown"

// "hubsyncd 0.1.0 (commit 23f313d1a2b4)": what --version prints.
std::string VersionLine(std::string_view program);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_VERSION_H_
