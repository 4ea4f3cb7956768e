#include "server/auth/passwords.h"

#include <sodium.h>

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hubsync::auth {
namespace {

// Among the most used passwords of the lists published from breaches, and
// school words a pupil reaches for; lower case. Any password at least
// kMinPasswordChars long that is one of these is refused.
const absl::flat_hash_set<std::string>& CommonPasswords() {
  static const auto* set = new absl::flat_hash_set<std::string>{
      "1234567890",  "12345678910",      "123456789a",   "0123456789",
      "1111111111",  "0000000000",       "9876543210",   "1q2w3e4r5t",
      "qwertyuiop",  "1qaz2wsx3edc",     "password1",    "password12",
      "password123", "password1234",     "passw0rd123",  "iloveyou12",
      "iloveyou123", "qwerty1234",       "qwerty12345",  "qwerty123456",
      "abcdefghij",  "abcd123456",       "abc1234567",   "asdfghjkl1",
      "asdfghjkl;",  "zxcvbnm123",       "football12",   "football123",
      "footballer",  "liverpool1",       "liverpool123", "arsenal123",
      "chelsea123",  "manchester",       "manutd1234",   "basketball",
      "basketball1", "baseball12",       "minecraft1",   "minecraft123",
      "fortnite123", "roblox1234",       "pokemon123",   "princess12",
      "sunshine12",  "sunshine123",      "letmein123",   "welcome123",
      "welcome1234", "trustno1234",      "monkey1234",   "dragon1234",
      "superman12",  "batman1234",       "spiderman1",   "starwars12",
      "whatever12",  "changeme12",       "changeme123",  "computer12",
      "homework123", "school1234",       "school12345",  "teacher123",
      "student123",  "student1234",      "learning123",  "mypassword",
      "mypassword1", "secret1234",       "blink18212",   "qazwsxedcr",
      "q1w2e3r4t5",  "a1b2c3d4e5",       "1a2b3c4d5e",   "11223344556",
      "1122334455",  "abcabcabca",       "password!1",   "p@ssw0rd12",
      "p@ssword123", "passwordpassword", "qwertyqwerty", "boostlearning",
      "hodder1234",  "magazines1",       "verifyme123",
  };
  return *set;
}

// Code points, or -1 for invalid UTF-8.
int64_t CodePoints(absl::string_view s) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80         ? 1
                 : (c >> 5) == 6  ? 2
                 : (c >> 4) == 14 ? 3
                 : (c >> 3) == 30 ? 4
                                  : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return -1;
    }
    i += len;
    ++n;
  }
  return n;
}

}  // namespace

absl::Status CheckNewPassword(absl::string_view password,
                              absl::string_view address) {
  if (password.size() > kMaxPasswordBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "password: at most ", kMaxPasswordBytes, " bytes, please"));
  }
  const int64_t chars = CodePoints(password);
  if (chars < 0) {
    return absl::InvalidArgumentError("password: not valid UTF-8 text");
  }
  if (chars < static_cast<int64_t>(kMinPasswordChars)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "password: at least ", kMinPasswordChars, " characters, please"));
  }
  const std::string lower = absl::AsciiStrToLower(password);
  if (CommonPasswords().contains(lower)) {
    return absl::InvalidArgumentError(
        "password: it is one of the most common passwords; choose another");
  }
  const absl::string_view local = address.substr(0, address.find('@'));
  if (local.size() >= 4 &&
      absl::StrContains(lower, absl::AsciiStrToLower(local))) {
    return absl::InvalidArgumentError(
        "password: it contains your email address; choose another");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HashPassword(absl::string_view password,
                                         const PasswordCost& cost) {
  if (sodium_init() < 0) return absl::InternalError("libsodium did not start");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops,
                            cost.mem_bytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError(
        "not enough memory to hash the password; try again");
  }
  return std::string(out);
}

bool VerifyPassword(absl::string_view password, const std::string& hash) {
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(),
                                  password.size()) == 0;
}

void VerifyNothing(absl::string_view password, const PasswordCost& cost) {
  static const std::string* dummy = [&] {
    absl::StatusOr<std::string> h = HashPassword("not a password", cost);
    return new std::string(h.ok() ? *h : "");
  }();
  (void)VerifyPassword(password, *dummy);
}

}  // namespace hubsync::auth
