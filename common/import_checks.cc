#include "common/import_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/text_rule.h"

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
  return TextProblem(value);
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
  // Nearly every value is printable ASCII: look for any other byte before
  // decoding UTF-8 and building the message that names a problem.
  bool clean = true;
  for (char ch : value) {
    const unsigned char c = static_cast<unsigned char>(ch);
    clean &= c >= 0x20 && c < 0x7F;
  }
  if (clean) return true;
  if (std::string bad = ControlCharacterProblem(value); !bad.empty()) {
    problems->push_back({file, line, column, absl::StrCat(Av(name), " ", bad)});
    return false;
  }
  return true;
}

}  // namespace hubsync
