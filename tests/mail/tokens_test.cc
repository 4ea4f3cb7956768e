// Verification tokens and codes (server/mail/tokens.h): derived, hashed and
// read back as a learner types them; the token key file.
#include "server/mail/tokens.h"

#include <sys/stat.h>

#include <array>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fakes.h"
#include "tests/testing/status_matchers.h"

namespace hubsync::mail {
namespace tokens_test {
namespace {

using ::hubsync::testing::IsOk;
using ::hubsync::testing::StatusIs;
using ::testing::HasSubstr;

TokenKey Key(unsigned char seed) {
  std::array<unsigned char, TokenKey::kBytes> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<unsigned char>(seed + i);
  }
  return TokenKey::FromBytes(bytes);
}

TEST(DeriveToken, SameInputsSameTokenOtherwiseAnother) {
  const IssuedToken a = DeriveToken(Key(1), 7, "n_1", "zoe@example.org");
  const IssuedToken again = DeriveToken(Key(1), 7, "n_1", "zoe@example.org");
  EXPECT_EQ(a.token, again.token);
  EXPECT_EQ(a.code, again.code);
  EXPECT_EQ(a.token_hash, again.token_hash);
  EXPECT_THAT(a.token, ::testing::MatchesRegex("[a-z2-7]{32}"));
  EXPECT_THAT(a.code,
              ::testing::MatchesRegex("[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}"));
  for (const IssuedToken& other :
       {DeriveToken(Key(1), 7, "n_2", "zoe@example.org"),
        DeriveToken(Key(2), 7, "n_1", "zoe@example.org"),
        DeriveToken(Key(1), 8, "n_1", "zoe@example.org")}) {
    EXPECT_NE(other.token, a.token);
    EXPECT_NE(other.code, a.code);
    EXPECT_NE(other.token_hash, a.token_hash);
  }
  // The stored hashes are what a learner's link and code hash to, and
  // neither is the token itself.
  EXPECT_EQ(HashToken(Key(1), a.token), a.token_hash);
  EXPECT_EQ(HashCode(Key(1), "zoe@example.org", a.code), a.code_hash);
  EXPECT_NE(HashToken(Key(2), a.token), a.token_hash);
  EXPECT_EQ(a.token_hash.find(a.token), std::string::npos);
  EXPECT_NE(HashCode(Key(1), "other@example.org", a.code), a.code_hash);
}

TEST(HashToken, TrimsSpacesAndRejectsWhatCannotBeAToken) {
  const IssuedToken a = DeriveToken(Key(1), 7, "n_1", "zoe@example.org");
  EXPECT_EQ(HashToken(Key(1), " " + a.token + "\n"), a.token_hash);
  for (const std::string& bad :
       {std::string(""), a.token.substr(1), a.token + "a", std::string(32, 'A'),
        std::string(31, 'a') + "0", std::string(31, 'a') + "1",
        std::string(31, 'a') + std::string(1, '\0'),
        std::string(31, 'a') + "-"}) {
    EXPECT_EQ(HashToken(Key(1), bad), "") << bad;
  }
}

TEST(HashCode, CaseSpacesAndDashesDoNotMatter) {
  const IssuedToken a = DeriveToken(Key(1), 7, "n_1", "zoe@example.org");
  std::string lower = a.code;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  const std::string bare = a.code.substr(0, 4) + a.code.substr(5);
  const std::string spaced = a.code.substr(0, 4) + " " + a.code.substr(5);
  for (const std::string& typed : {lower, bare, spaced}) {
    EXPECT_EQ(HashCode(Key(1), "zoe@example.org", typed), a.code_hash) << typed;
  }
  EXPECT_EQ(HashCode(Key(1), " Zoe@Example.ORG ", a.code), a.code_hash)
      << "the address as stored: trimmed, lower case";
  for (const char* bad : {"", "ABCD-EFG", "ABCD-EFGHJ", "ABCD-EFG0",
                          "ABCD-EFGO", "ABCD-EFG1", "ABCD-EFGI", "ABCD-EF!H"}) {
    EXPECT_EQ(HashCode(Key(1), "zoe@example.org", bad), "") << bad;
  }
}

TEST(TokenKey, CreatedOwnerOnlyAndReadBack) {
  testing::TempDir dir;
  const std::string path = dir.File("token.key");
  HUBSYNC_ASSERT_OK_AND_ASSIGN(TokenKey made, TokenKey::LoadOrCreate(path));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(st.st_size, static_cast<off_t>(TokenKey::kBytes));
  HUBSYNC_ASSERT_OK_AND_ASSIGN(TokenKey loaded, TokenKey::LoadOrCreate(path));
  // The same key: a restarted server derives the same tokens.
  EXPECT_EQ(DeriveToken(made, 1, "n", "a@b.c").token,
            DeriveToken(loaded, 1, "n", "a@b.c").token);
  testing::TempDir other;
  HUBSYNC_ASSERT_OK_AND_ASSIGN(TokenKey fresh,
                               TokenKey::LoadOrCreate(other.File("token.key")));
  EXPECT_NE(DeriveToken(fresh, 1, "n", "a@b.c").token,
            DeriveToken(made, 1, "n", "a@b.c").token);
}

TEST(TokenKey, RefusesAGroupReadableOrWrongSizeFile) {
  testing::TempDir dir;
  const std::string path = dir.File("token.key");
  ASSERT_THAT(TokenKey::LoadOrCreate(path), IsOk());
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  EXPECT_THAT(TokenKey::LoadOrCreate(path),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("can be read by others")));
  for (size_t size : {TokenKey::kBytes - 1, TokenKey::kBytes + 1}) {
    const std::string short_path = dir.File("key" + std::to_string(size));
    std::ofstream(short_path) << std::string(size, 'k');
    ASSERT_EQ(chmod(short_path.c_str(), 0600), 0);
    EXPECT_THAT(TokenKey::LoadOrCreate(short_path),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr("is not 32 bytes long")));
  }
}

}  // namespace
}  // namespace tokens_test
}  // namespace hubsync::mail
