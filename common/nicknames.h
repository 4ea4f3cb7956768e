// Common English short forms of forenames (Tom/Thomas, Bill/William).
#ifndef HUBSYNC_COMMON_NICKNAMES_H_
#define HUBSYNC_COMMON_NICKNAMES_H_

#include <string_view>

namespace hubsync {

// True when one normalised forename is a well-known short form of the other,
// in either order ("bill", "william"). Equal names are not nicknames. The
// list is deliberately small: a false pair here can turn two children into
// a May match, so only forms a school office would recognise at once.
bool IsKnownNickname(std::string_view a, std::string_view b);

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_NICKNAMES_H_
