// Verification tokens and codes (docs/ACCOUNTS.md, "Tokens"). Each email's
// token and code are derived from the server's token key, the email's id and
// the nonce the outbox gave its first attempt (HMAC-SHA-256): a retry after a
// crash sends the very same message, and the database holds only keyed
// hashes, so a copy of it alone neither reveals nor forges a token.
#ifndef HUBSYNC_SERVER_MAIL_TOKENS_H_
#define HUBSYNC_SERVER_MAIL_TOKENS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hubsync::mail {

class TokenKey {
 public:
  static constexpr size_t kBytes = 32;
  // Reads the key file, or creates it (mode 0600, kBytes random bytes) when
  // it does not exist. FAILED_PRECONDITION if it has another size or can be
  // read by anyone but its owner.
  static absl::StatusOr<TokenKey> LoadOrCreate(const std::string& path);
  // For tests.
  static TokenKey FromBytes(const std::array<unsigned char, kBytes>& bytes);

  const unsigned char* data() const { return bytes_.data(); }

 private:
  std::array<unsigned char, kBytes> bytes_{};
};

struct IssuedToken {
  std::string token;       // 32 characters a-z2-7 (160 bits): the link's
  std::string code;        // "ABCD-EFGH": 8 of 31 letters and digits
  std::string token_hash;  // what the store keeps (hex)
  std::string code_hash;
};

IssuedToken DeriveToken(const TokenKey& key, int64_t email_id,
                        absl::string_view nonce, absl::string_view address);

// The hashes RedeemToken looks up: of a token as typed (spaces trimmed), and
// of a code for an address (case, spaces and dashes do not matter). "" for
// an input that cannot be one.
std::string HashToken(const TokenKey& key, absl::string_view token);
std::string HashCode(const TokenKey& key, absl::string_view address,
                     absl::string_view code);

// An address as stored and compared: trimmed, lower case.
std::string NormaliseAddress(absl::string_view address);

}  // namespace hubsync::mail

#endif  // HUBSYNC_SERVER_MAIL_TOKENS_H_
