// Learner passwords for partner products (docs/ACCOUNTS.md, "Passwords"):
// the rules a new one must meet, and Argon2id hashing (libsodium's
// crypto_pwhash_str). A password is never logged, stored or returned; only
// its hash is stored.
#ifndef HUBSYNC_SERVER_AUTH_PASSWORDS_H_
#define HUBSYNC_SERVER_AUTH_PASSWORDS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hubsync::auth {

// Argon2id's cost. The defaults are libsodium's "interactive" limits (2
// passes over 64 MiB): about 0.1 s a hash on this project's CI machine
// (docs/BENCHMARKS.md, "Argon2id").
struct PasswordCost {
  uint64_t ops = 2;
  size_t mem_bytes = size_t{64} << 20;
};

inline constexpr size_t kMinPasswordChars = 10;
inline constexpr size_t kMaxPasswordBytes = 256;

// OK, or INVALID_ARGUMENT saying what is wrong: shorter than
// kMinPasswordChars characters (UTF-8 code points), longer than
// kMaxPasswordBytes bytes, not valid UTF-8, one of the most common
// passwords (case-insensitive), or containing the address's local part.
// The message never repeats the password.
absl::Status CheckNewPassword(absl::string_view password,
                              absl::string_view address);

absl::StatusOr<std::string> HashPassword(absl::string_view password,
                                         const PasswordCost& cost);
// True when `password` matches `hash` (a HashPassword string). A malformed
// or empty hash matches nothing.
bool VerifyPassword(absl::string_view password, const std::string& hash);
// Spends about what VerifyPassword does, for a login whose address names no
// account, so that the answer takes as long as for a wrong password.
void VerifyNothing(absl::string_view password, const PasswordCost& cost);

}  // namespace hubsync::auth

#endif  // HUBSYNC_SERVER_AUTH_PASSWORDS_H_
