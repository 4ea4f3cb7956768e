#include "server/mail/tokens.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace hubsync::mail {
namespace {

constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
// No 0/O, 1/I/L: a code is read off a screen and typed.
constexpr char kCodeAlphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
constexpr size_t kTokenChars = 32;
constexpr size_t kCodeChars = 8;

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> Mac(
    const TokenKey& key, absl::string_view label, int64_t email_id,
    absl::string_view nonce) {
  const std::string input =
      absl::StrCat(label, "\x1f", email_id, "\x1f", nonce);
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac;
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), TokenKey::kBytes);
  crypto_auth_hmacsha256_update(
      &state, reinterpret_cast<const unsigned char*>(input.data()),
      input.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  return mac;
}

std::string KeyedHash(const TokenKey& key, absl::string_view label,
                      absl::string_view text) {
  const std::string input = absl::StrCat(label, "\x1f", text);
  unsigned char out[32];
  crypto_generichash(out, sizeof out,
                     reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), key.data(), TokenKey::kBytes);
  char hex[sizeof out * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::string NormaliseCode(absl::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

absl::StatusOr<TokenKey> TokenKey::LoadOrCreate(const std::string& path) {
  if (sodium_init() < 0) return absl::InternalError("libsodium did not start");
  TokenKey key;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    randombytes_buf(key.bytes_.data(), kBytes);
    fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create the token key file ", path, ": ", strerror(errno)));
    }
    const ssize_t n = write(fd, key.bytes_.data(), kBytes);
    const bool synced = fsync(fd) == 0;
    close(fd);
    if (n != static_cast<ssize_t>(kBytes) || !synced) {
      unlink(path.c_str());
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write the token key file ", path));
    }
    return key;
  }
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot read the token key file ", path, ": ", strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "the token key file ", path,
        " can be read by others: chmod 600 it (and consider it leaked)"));
  }
  const ssize_t n = read(fd, key.bytes_.data(), kBytes);
  char extra;
  const ssize_t more = read(fd, &extra, 1);
  close(fd);
  if (n != static_cast<ssize_t>(kBytes) || more != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the token key file ", path, " is not ", kBytes, " bytes long"));
  }
  return key;
}

TokenKey TokenKey::FromBytes(const std::array<unsigned char, kBytes>& bytes) {
  TokenKey key;
  key.bytes_ = bytes;
  return key;
}

std::string NormaliseAddress(absl::string_view address) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(address));
}

IssuedToken DeriveToken(const TokenKey& key, int64_t email_id,
                        absl::string_view nonce, absl::string_view address) {
  IssuedToken out;
  const auto token_mac = Mac(key, "token", email_id, nonce);
  // 32 base32 characters: the first 20 bytes, 5 bits at a time.
  uint64_t buffer = 0;
  int bits = 0;
  size_t i = 0;
  while (out.token.size() < kTokenChars) {
    if (bits < 5) {
      buffer = (buffer << 8) | token_mac[i++];
      bits += 8;
    }
    out.token.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
    bits -= 5;
  }
  const auto code_mac = Mac(key, "code", email_id, nonce);
  // Each character from two bytes (65,536 mod 31 is 2: a bias of 1 in
  // 2,114, immaterial to a guess that is throttled).
  std::string code;
  for (size_t k = 0; k < kCodeChars; ++k) {
    const unsigned v = (unsigned{code_mac[2 * k]} << 8) | code_mac[2 * k + 1];
    code.push_back(kCodeAlphabet[v % (sizeof kCodeAlphabet - 1)]);
  }
  out.code = absl::StrCat(code.substr(0, 4), "-", code.substr(4));
  out.token_hash = HashToken(key, out.token);
  out.code_hash = HashCode(key, address, out.code);
  return out;
}

std::string HashToken(const TokenKey& key, absl::string_view token) {
  token = absl::StripAsciiWhitespace(token);
  if (token.size() != kTokenChars) return "";
  for (char c : token) {
    if (std::strchr(kBase32, c) == nullptr || c == '\0') return "";
  }
  return KeyedHash(key, "token", token);
}

std::string HashCode(const TokenKey& key, absl::string_view address,
                     absl::string_view code) {
  const std::string normal = NormaliseCode(code);
  if (normal.size() != kCodeChars) return "";
  for (char c : normal) {
    if (std::strchr(kCodeAlphabet, c) == nullptr || c == '\0') return "";
  }
  return KeyedHash(key, "code",
                   absl::StrCat(NormaliseAddress(address), "\x1f", normal));
}

}  // namespace hubsync::mail
