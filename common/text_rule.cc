#include "common/text_rule.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "unicode/uchar.h"

namespace hubsync {
namespace {

// The length of the well-formed UTF-8 sequence at s[i] (its code point in
// *cp), or 0 if it is not one: a stray continuation byte, a sequence cut
// short, an overlong form, a surrogate or a value past U+10FFFF.
size_t Decode(std::string_view s, size_t i, char32_t* cp) {
  const unsigned char b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    *cp = b;
    return 1;
  }
  size_t extra = 0;
  char32_t c = 0;
  if ((b & 0xE0) == 0xC0) {
    extra = 1;
    c = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    extra = 2;
    c = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    extra = 3;
    c = b & 0x07;
  } else {
    return 0;
  }
  if (i + extra >= s.size()) return 0;  // cut short
  for (size_t k = 1; k <= extra; ++k) {
    const unsigned char n = static_cast<unsigned char>(s[i + k]);
    if ((n & 0xC0) != 0x80) return 0;
    c = (c << 6) | (n & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (c < kMin[extra] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    return 0;
  }
  *cp = c;
  return extra + 1;
}

bool IsBidiControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// ", tab": the name a message gives a refused code point, if it has one.
const char* NameOf(char32_t cp) {
  switch (cp) {
    case 0x00:
      return ", NUL";
    case 0x09:
      return ", tab";
    case 0x0A:
      return ", line feed";
    case 0x0D:
      return ", carriage return";
    case 0x1B:
      return ", escape";
    case 0x85:
      return ", next line";
    case 0x9B:
      return ", control sequence introducer";
    case 0x2028:
      return ", line separator";
    case 0x2029:
      return ", paragraph separator";
    case 0x202A:
      return ", left-to-right embedding";
    case 0x202B:
      return ", right-to-left embedding";
    case 0x202C:
      return ", pop directional formatting";
    case 0x202D:
      return ", left-to-right override";
    case 0x202E:
      return ", right-to-left override";
    case 0x2066:
      return ", left-to-right isolate";
    case 0x2067:
      return ", right-to-left isolate";
    case 0x2068:
      return ", first strong isolate";
    case 0x2069:
      return ", pop directional isolate";
    default:
      return "";
  }
}

}  // namespace

bool IsRefusedCodePoint(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
         cp == 0x2029 || IsBidiControl(cp);
}

std::string TextProblem(std::string_view value) {
  int character = 0;
  size_t i = 0;
  while (i < value.size()) {
    ++character;
    const unsigned char b = static_cast<unsigned char>(value[i]);
    if (b >= 0x20 && b < 0x7F) {  // printable ASCII, nearly every byte
      ++i;
      continue;
    }
    char32_t cp = 0;
    const size_t n = Decode(value, i, &cp);
    if (n == 0) {
      return absl::StrFormat("is not valid UTF-8 (byte 0x%02X at character %d)",
                             b, character);
    }
    if (IsRefusedCodePoint(cp)) {
      return absl::StrFormat("has a %s (U+%04X%s) at character %d",
                             IsBidiControl(cp)
                                 ? "bidirectional control character"
                                 : "control character",
                             static_cast<uint32_t>(cp), NameOf(cp), character);
    }
    i += n;
  }
  return "";
}

bool IsBlank(std::string_view value) {
  size_t i = 0;
  while (i < value.size()) {
    char32_t cp = 0;
    const size_t n = Decode(value, i, &cp);
    if (n == 0) return false;
    const UChar32 c = static_cast<UChar32>(cp);
    if (!u_isUWhiteSpace(c) && u_charType(c) != U_FORMAT_CHAR &&
        !u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
      return false;
    }
    i += n;
  }
  return true;
}

std::string RequiredNameProblem(std::string_view name, std::string_view value) {
  if (value.empty()) return absl::StrCat(std::string(name), " is empty");
  if (IsBlank(value)) {
    return absl::StrCat(std::string(name),
                        " is blank: only spaces or invisible characters");
  }
  return "";
}

bool CheckRequiredName(const std::string& file, int line, int column,
                       std::string_view name, std::string_view value,
                       std::vector<Problem>* problems) {
  std::string bad = RequiredNameProblem(name, value);
  if (bad.empty()) return true;
  problems->push_back({file, line, column, std::move(bad)});
  return false;
}

std::string EscapeUnprintable(std::string_view value) {
  // Clean text (the usual case) comes back as it is.
  if (TextProblem(value).empty()) return std::string(value);
  std::string out;
  out.reserve(value.size() + 16);
  size_t i = 0;
  while (i < value.size()) {
    char32_t cp = 0;
    const size_t n = Decode(value, i, &cp);
    if (n == 0) {
      out += absl::StrFormat("\\x%02x", static_cast<unsigned char>(value[i]));
      ++i;
      continue;
    }
    if (IsRefusedCodePoint(cp)) {
      out += cp < 0x100 ? absl::StrFormat("\\x%02x", static_cast<uint32_t>(cp))
                        : absl::StrFormat("\\u%04x", static_cast<uint32_t>(cp));
    } else {
      out.append(value.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string EscapeUnprintableJson(std::string_view json) {
  if (TextProblem(json).empty()) return std::string(json);
  std::string out;
  out.reserve(json.size() + 16);
  size_t i = 0;
  while (i < json.size()) {
    char32_t cp = 0;
    const size_t n = Decode(json, i, &cp);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (IsRefusedCodePoint(cp)) {
      out += absl::StrFormat("\\u%04x", static_cast<uint32_t>(cp));
    } else {
      out.append(json.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace hubsync
