// Invariant checks for the fuzz targets: a broken invariant aborts, which
// libFuzzer reports as a crash with the input that caused it.
#ifndef HUBSYNC_TESTS_FUZZ_FUZZ_CHECK_H_
#define HUBSYNC_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                               \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                   \
      std::abort();                                                    \
    }                                                                  \
  } while (0)

namespace hubsync::fuzz {

// True if `s` is well-formed UTF-8 (no overlong forms, no surrogates).
inline bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (n == 0 || i + n > s.size()) return false;
    unsigned cp = n == 1   ? c
                  : n == 2 ? (c & 0x1F)
                  : n == 3 ? (c & 0x0F)
                           : (c & 0x07);
    for (size_t k = 1; k < n; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp > 0x10FFFF) {
      return false;
    }
    i += n;
  }
  return true;
}

// No C0 control character or DEL: what the importers promise of every value
// they accept.
inline bool IsOneLine(std::string_view s) {
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

}  // namespace hubsync::fuzz

#endif  // HUBSYNC_TESTS_FUZZ_FUZZ_CHECK_H_
