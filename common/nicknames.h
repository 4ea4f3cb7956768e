// Short forms of forenames (Tom/Thomas, Izzy/Isabella), from the table in
// common/data/nicknames.csv, compiled into the library.
#ifndef HUBSYNC_COMMON_NICKNAMES_H_
#define HUBSYNC_COMMON_NICKNAMES_H_

#include <string>
#include <string_view>
#include <vector>

namespace hubsync {

// True when one compact normalised forename is a listed short form of the
// other, in either order ("bill", "william"). Equal names are not
// nicknames. Only forms a school office would recognise at once are listed:
// a false pair here can turn two children into a May match.
bool IsKnownNickname(std::string_view a, std::string_view b);

// Every name listed with `name`, as a short form of it or as a full form it
// shortens ("harry" -> henry, harold, harrison, haz, hazza); empty when the
// table does not know the name. The reference stays valid for the life of
// the program. Thread-safe.
const std::vector<std::string>& NicknameVariants(std::string_view name);

// How many (short form, full name) pairs the table holds.
size_t NicknamePairCount();

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_NICKNAMES_H_
