// libFuzzer target: the ICU name normaliser on arbitrary bytes. The output is
// words of lower-case ASCII letters and digits (or letters ICU left as they
// were) separated by single spaces, valid UTF-8, and NameTokens /
// CompactNameKey agree with it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/normalise.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hubsync;
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  const std::string n = NormaliseName(name);
  FUZZ_CHECK(fuzz::IsUtf8(n));
  FUZZ_CHECK(n.empty() || (n.front() != ' ' && n.back() != ' '));
  FUZZ_CHECK(n.find("  ") == std::string::npos);
  for (char ch : n) {
    const unsigned char c = static_cast<unsigned char>(ch);
    FUZZ_CHECK(c == ' ' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c >= 0x80);
  }
  std::string joined, compact;
  for (const std::string& t : NameTokens(name)) {
    FUZZ_CHECK(!t.empty() && t.find(' ') == std::string::npos);
    if (!joined.empty()) joined += ' ';
    joined += t;
    compact += t;
  }
  FUZZ_CHECK(joined == n);
  FUZZ_CHECK(CompactNameKey(name) == compact);
  return 0;
}
