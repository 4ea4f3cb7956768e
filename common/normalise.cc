#include "common/normalise.h"

#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "unicode/translit.h"
#include "unicode/unistr.h"
#include "unicode/utypes.h"

namespace hubsync {
namespace {

// Any-Latin: other scripts to Latin. NFKD + mark removal: diacritics that
// decompose (ë, é, ç). Latin-ASCII: letters that do not decompose (Ł, Ø, ß,
// Æ) and typographic punctuation (’ -> ', – -> -). Lower: the few letters
// that are still outside ASCII.
constexpr char kTransliteratorId[] =
    "Any-Latin; NFKD; [:Nonspacing Mark:] Remove; NFKC; Latin-ASCII; Lower";

// ICU transliterators are not thread-safe, and creating one parses rules
// (milliseconds). So one prototype is built once; each thread clones it once.
const icu::Transliterator* Prototype() {
  static const icu::Transliterator* const prototype = [] {
    UErrorCode status = U_ZERO_ERROR;
    icu::Transliterator* t = icu::Transliterator::createInstance(
        icu::UnicodeString::fromUTF8(kTransliteratorId), UTRANS_FORWARD,
        status);
    return U_SUCCESS(status) ? t : nullptr;
  }();
  return prototype;
}

icu::Transliterator* ThreadTransliterator() {
  static std::mutex clone_mu;
  thread_local std::unique_ptr<icu::Transliterator> local = [] {
    const icu::Transliterator* proto = Prototype();
    if (proto == nullptr) return std::unique_ptr<icu::Transliterator>();
    std::lock_guard<std::mutex> lock(clone_mu);
    return std::unique_ptr<icu::Transliterator>(proto->clone());
  }();
  return local.get();
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return false;
  }
  return true;
}

// Most names are plain ASCII: they skip ICU entirely, which keeps
// normalising a whole school well under a millisecond per hundred names.
std::string Transliterate(std::string_view name) {
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  if (icu::Transliterator* t = ThreadTransliterator(); t != nullptr) {
    t->transliterate(text);
  } else {
    text.toLower();
  }
  // fromUTF8 turns invalid bytes into U+FFFD; they are not part of a name.
  text.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0xFFFD)),
                      icu::UnicodeString());
  std::string out;
  text.toUTF8String(out);
  return out;
}

// Transliteration costs microseconds a name, and a school's non-ASCII names
// repeat (every Zoë, every Łukasz): each thread remembers the ones it has
// done, up to a bound, then starts afresh.
std::string ToAsciiLower(std::string_view name) {
  if (IsAscii(name)) return std::string(name);
  constexpr size_t kCacheLimit = 8192;
  thread_local absl::flat_hash_map<std::string, std::string> cache;
  if (auto it = cache.find(absl::string_view(name.data(), name.size()));
      it != cache.end()) {
    return it->second;
  }
  std::string out = Transliterate(name);
  if (cache.size() >= kCacheLimit) cache.clear();
  cache.emplace(std::string(name), out);
  return out;
}

}  // namespace

std::string NormaliseName(std::string_view name) {
  const std::string folded = ToAsciiLower(name);
  std::string out;
  out.reserve(folded.size());
  bool pending_space = false;
  for (unsigned char c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    const bool word_char = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                           c >= 0x80;  // a letter ICU left as it was
    if (word_char) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.push_back(static_cast<char>(c));
    } else if (c == '\'' || c == '`') {
      // O'Brien and OBrien are the same name: join the parts.
    } else {
      pending_space = true;  // space, hyphen, dot, comma, other punctuation
    }
  }
  return out;
}

std::string_view TrimAscii(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitNormalised(std::string_view normalised) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < normalised.size()) {
    size_t end = normalised.find(' ', start);
    if (end == std::string_view::npos) end = normalised.size();
    if (end > start) out.emplace_back(normalised.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string CompactNormalised(std::string_view normalised) {
  std::string out;
  out.reserve(normalised.size());
  for (char c : normalised) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

std::vector<std::string> NameTokens(std::string_view name) {
  return SplitNormalised(NormaliseName(name));
}

std::string CompactNameKey(std::string_view name) {
  return CompactNormalised(NormaliseName(name));
}

}  // namespace hubsync
