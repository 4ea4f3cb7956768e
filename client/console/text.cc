#include "client/console/text.h"

#include <cstdint>
#include <cwchar>
#include <cwctype>

#include "common/text_rule.h"

namespace hubsync::console {
namespace {

constexpr wchar_t kReplacement = 0xFFFD;

int CharWidth(wchar_t c) {
  const int w = ::wcwidth(c);
  return w < 0 ? 1 : w;
}

}  // namespace

std::wstring Widen(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    int extra = 0;
    uint32_t cp = 0;
    if (b < 0x80) {
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      extra = 1;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3;
      cp = b & 0x07;
    } else {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    bool ok = i + extra < s.size();  // a sequence cut off at the end is bad
    for (int k = 1; ok && k <= extra; ++k) {
      const unsigned char c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (c & 0x3F);
      }
    }
    // Overlong forms, surrogates and values past U+10FFFF are malformed.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (!ok || cp < kMin[extra] || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(kReplacement);
      ++i;
      continue;
    }
    out.push_back(static_cast<wchar_t>(cp));
    i += extra + 1;
  }
  return out;
}

std::wstring Shown(std::string_view utf8) {
  return Widen(EscapeUnprintable(utf8));
}

std::string Narrow(std::wstring_view w) {
  std::string out;
  out.reserve(w.size());
  for (wchar_t wc : w) {
    uint32_t c = static_cast<uint32_t>(wc);
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = kReplacement;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

int DisplayWidth(std::wstring_view s) {
  int w = 0;
  for (wchar_t c : s) w += CharWidth(c);
  return w;
}

std::wstring Fit(std::wstring_view s, int width) {
  if (width <= 0) return L"";
  std::wstring out;
  int used = 0;
  if (DisplayWidth(s) <= width) {
    out.assign(s);
    used = DisplayWidth(s);
  } else {
    // Leave one column for the ellipsis.
    for (wchar_t c : s) {
      const int cw = CharWidth(c);
      if (used + cw > width - 1) break;
      out.push_back(c);
      used += cw;
    }
    out.push_back(L'\u2026');
    used += 1;
  }
  out.append(static_cast<size_t>(width - used), L' ');
  return out;
}

std::wstring Lower(std::wstring_view s) {
  std::wstring out(s);
  for (wchar_t& c : out) c = static_cast<wchar_t>(std::towlower(c));
  return out;
}

}  // namespace hubsync::console
