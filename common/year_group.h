// UK National Curriculum year groups. Canonical forms: "N1", "N2", "R",
// "1" .. "13". See docs/FORMATS.md for the mapping from MIS values.
#ifndef HUBSYNC_COMMON_YEAR_GROUP_H_
#define HUBSYNC_COMMON_YEAR_GROUP_H_

#include <optional>
#include <string>
#include <string_view>

namespace hubsync {

// Accepts "7", "07", "Y7", "Year 7", "R", "Reception", "KG", "N1", "N2",
// "PK" (-> N2), "Nursery" (-> N2) ... case-insensitively. nullopt if unknown.
std::optional<std::string> CanonicalYearGroup(std::string_view raw);

// True for exactly the canonical forms ("N1", "N2", "R", "1" .. "13"); "07"
// and "Year 7" are not canonical.
bool IsCanonicalYearGroup(std::string_view s);

// Sort order: N1 < N2 < R < 1 < ... < 13.
int YearGroupOrder(std::string_view canonical);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_YEAR_GROUP_H_
