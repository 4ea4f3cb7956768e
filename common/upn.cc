#include "common/upn.h"

#include <cctype>

#include "absl/strings/str_cat.h"

namespace hubsync {
namespace {

constexpr char kCheckAlphabet[] = "ABCDEFGHJKLMNPQRTUVWXYZ";  // no I, O, S

int AlphabetIndex(char c) {
  for (int i = 0; kCheckAlphabet[i] != '\0'; ++i) {
    if (kCheckAlphabet[i] == c) return i;
  }
  return -1;
}

}  // namespace

std::optional<char> UpnCheckLetter(std::string_view body) {
  if (body.size() != 12) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < 12; ++i) {
    const int weight = static_cast<int>(i) + 2;  // positions 2..13
    const char c = body[i];
    int value;
    if (std::isdigit(static_cast<unsigned char>(c))) {
      value = c - '0';
    } else if (i == 11 && AlphabetIndex(c) >= 0) {
      value = AlphabetIndex(c);  // temporary UPN: final letter
    } else {
      return std::nullopt;
    }
    sum += weight * value;
  }
  return kCheckAlphabet[sum % 23];
}

std::string UpnProblem(std::string_view upn) {
  if (upn.size() != 13) {
    return absl::StrCat("expected 13 characters, got ", upn.size());
  }
  if (AlphabetIndex(upn[0]) < 0) {
    return absl::StrCat("first character '", std::string(1, upn[0]),
                        "' is not a check letter");
  }
  for (size_t i = 1; i < 12; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(upn[i]))) {
      return "characters 2-12 must be digits";
    }
  }
  std::optional<char> check = UpnCheckLetter(upn.substr(1));
  if (!check) return "character 13 must be a digit or a check-alphabet letter";
  if (*check != upn[0]) {
    return absl::StrCat("check letter should be ", std::string(1, *check),
                        ", not ", std::string(1, upn[0]));
  }
  return "";
}

std::string NormaliseUpn(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c == ' ' || c == '\t') continue;
    out.push_back(
        static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace hubsync
