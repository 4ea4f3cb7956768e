#include "common/import_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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

std::string ControlCharacterProblem(std::string_view value) {
  int character = 0;
  for (char ch : value) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++character;  // count characters, not bytes
    if (c >= 0x20 && c != 0x7F) continue;
    const char* what = c == 0      ? ", NUL"
                       : c == '\t' ? ", tab"
                       : c == '\r' ? ", carriage return"
                       : c == '\n' ? ", line feed"
                                   : "";
    return absl::StrFormat("has a control character (U+%04X%s) at character %d",
                           c, what, character);
  }
  return "";
}

bool CheckValue(const std::string& file, int line, int column,
                std::string_view name, std::string_view value,
                const ParseLimits& limits, std::vector<Problem>* problems,
                bool* over_limit) {
  if (value.size() > limits.max_field_bytes) {
    problems->push_back(
        {file, line, column,
         absl::StrCat(Av(name), " is longer than ", limits.max_field_bytes,
                      " bytes (the server's field limit)")});
    *over_limit = true;
    return false;
  }
  // Nearly every value is clean: look for a control byte before building
  // the message that names it.
  bool clean = true;
  for (char ch : value) {
    const unsigned char c = static_cast<unsigned char>(ch);
    clean &= c >= 0x20 && c != 0x7F;
  }
  if (clean) return true;
  if (std::string bad = ControlCharacterProblem(value); !bad.empty()) {
    problems->push_back({file, line, column, absl::StrCat(Av(name), " ", bad)});
    return false;
  }
  return true;
}

}  // namespace hubsync
