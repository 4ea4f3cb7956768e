#include "common/import_checks.h"

namespace hubsync {

bool LooksLikeEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size())
    return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  if (s.find_first_of(" \t,;<>") != std::string_view::npos) return false;
  const std::string_view domain = s.substr(at + 1);
  const size_t dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size();
}

}  // namespace hubsync
