// API key strings: made, parsed and hashed here (libsodium), nowhere else.
//
// A key is "hsk_" + 16 hex digits (the key id, public: it names the key in
// lists and audit) + "_" + 64 hex digits (256 random bits, the secret). The
// server stores only BLAKE2b-256 of the whole string. The secret is random
// and long, so a fast hash is as safe as a slow password hash (there is no
// dictionary to try), and it costs microseconds per RPC instead of the
// deliberate ~100 ms of Argon2. Comparison is constant-time.
#ifndef HUBSYNC_SERVER_AUTH_KEYS_H_
#define HUBSYNC_SERVER_AUTH_KEYS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/storage/api_key_record.h"

namespace hubsync::auth {

struct NewKey {
  ApiKeyRecord record;  // id and secret_hash filled in
  std::string secret;   // the whole key string, to show once
};

// A fresh random key. `record` supplies school, role, label, created_by and
// create time; its id and hash are replaced.
NewKey MakeKey(ApiKeyRecord record);

// The key id ("key_...") inside a presented key string; INVALID_ARGUMENT
// (without echoing the string) when it is not shaped like a key.
absl::StatusOr<std::string> KeyIdOf(absl::string_view presented);

// Hex of BLAKE2b-256 of `presented`.
std::string HashKey(absl::string_view presented);

// Constant-time comparison of HashKey(presented) with `stored_hash`.
bool KeyMatches(absl::string_view presented, absl::string_view stored_hash);

}  // namespace hubsync::auth

#endif  // HUBSYNC_SERVER_AUTH_KEYS_H_
