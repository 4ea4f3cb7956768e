#include "server/auth/keys.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hubsync::auth {
namespace {

constexpr absl::string_view kPrefix = "hsk_";
constexpr size_t kIdBytes = 8;       // 16 hex digits
constexpr size_t kSecretBytes = 32;  // 256 bits, 64 hex digits
constexpr size_t kKeyLength = 4 + 2 * kIdBytes + 1 + 2 * kSecretBytes;

void InitSodium() {
  static const bool ok = [] { return sodium_init() >= 0; }();
  if (!ok) {
    std::fprintf(stderr, "hubsync: libsodium failed to initialise\n");
    std::abort();  // no safe random source: refuse to make keys
  }
}

std::string RandomHex(size_t bytes) {
  unsigned char buf[64];
  randombytes_buf(buf, bytes);
  char hex[2 * sizeof buf + 1];
  sodium_bin2hex(hex, sizeof hex, buf, bytes);
  sodium_memzero(buf, sizeof buf);
  return std::string(hex, 2 * bytes);
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

NewKey MakeKey(ApiKeyRecord record) {
  InitSodium();
  const std::string id_hex = RandomHex(kIdBytes);
  NewKey out;
  out.secret = absl::StrCat(kPrefix, id_hex, "_", RandomHex(kSecretBytes));
  record.id = absl::StrCat("key_", id_hex);
  record.secret_hash = HashKey(out.secret);
  out.record = std::move(record);
  return out;
}

absl::StatusOr<std::string> KeyIdOf(absl::string_view presented) {
  if (presented.size() != kKeyLength || !absl::StartsWith(presented, kPrefix) ||
      presented[4 + 2 * kIdBytes] != '_' ||
      !IsLowerHex(presented.substr(4, 2 * kIdBytes)) ||
      !IsLowerHex(presented.substr(4 + 2 * kIdBytes + 1))) {
    return absl::InvalidArgumentError(
        "the API key is malformed (expected hsk_ + 16 hex digits + _ + 64 hex "
        "digits)");
  }
  return absl::StrCat("key_", presented.substr(4, 2 * kIdBytes));
}

std::string HashKey(absl::string_view presented) {
  InitSodium();
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest,
                     reinterpret_cast<const unsigned char*>(presented.data()),
                     presented.size(), nullptr, 0);
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, 2 * sizeof digest);
}

bool KeyMatches(absl::string_view presented, absl::string_view stored_hash) {
  const std::string computed = HashKey(presented);
  if (computed.size() != stored_hash.size()) return false;
  return sodium_memcmp(computed.data(), stored_hash.data(), computed.size()) ==
         0;
}

}  // namespace hubsync::auth
