// The credential itself: missing, malformed, unknown, wrong or revoked keys
// are UNAUTHENTICATED; health and reflection need none; the database holds
// no key, only hashes.
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "server/auth/keys.h"
#include "tests/auth/every_rpc.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

grpc::Status ListSchoolsWith(TestServer& server,
                             const std::string& authorization,
                             bool send = true) {
  auto stub = v1::SchoolService::NewStub(server.RawChannel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (send) ctx.AddMetadata("authorization", authorization);
  v1::ListSchoolsResponse out;
  return stub->ListSchools(&ctx, {}, &out);
}

TEST(CredentialsTest, BadKeysAreUnauthenticated) {
  TestServer server;
  const std::string good = server.operator_key();
  ASSERT_TRUE(ListSchoolsWith(server, "Bearer " + good).ok());

  grpc::Status s = ListSchoolsWith(server, "", /*send=*/false);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("authorization: Bearer"));

  std::string wrong_secret = good;
  wrong_secret.back() = wrong_secret.back() == '0' ? '1' : '0';
  std::string unknown_id = good;
  unknown_id[4] = unknown_id[4] == '0' ? '1' : '0';
  for (const std::string& bad :
       {std::string("Bearer"), std::string("Bearer "),
        std::string("Bearer garbage"), "Basic " + good, "bearer " + good,
        "Bearer " + good + "x", "Bearer " + good.substr(0, good.size() - 1),
        "Bearer " + wrong_secret, "Bearer " + unknown_id}) {
    s = ListSchoolsWith(server, bad);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << bad;
    // The refusal never echoes what was sent.
    EXPECT_THAT(s.error_message(), Not(HasSubstr(good.substr(21)))) << bad;
  }
}

TEST(CredentialsTest, EveryRpcRefusesAMissingKey) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Keyless Academy");
  KeyedApi nobody(server.RawChannel(), "");
  for (const RpcCase& rpc : EveryRpc()) {
    grpc::Status s = rpc.call(nobody, ids);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << rpc.name << ": " << s.error_message();
  }
}

TEST(CredentialsTest, ARevokedKeyStopsWorkingAtOnce) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Revoking Academy");
  v1::CreateApiKeyRequest req;
  req.set_school_id(ids.school);
  req.set_role(v1::ROLE_SERVICE);
  req.set_label("nightly MIS job");
  v1::CreateApiKeyResponse created;
  ASSERT_TRUE(server.keys().CreateApiKey(Ctx().get(), req, &created).ok());
  EXPECT_THAT(created.secret(), ::testing::StartsWith("hsk_"));
  ASSERT_TRUE(ListSchoolsWith(server, "Bearer " + created.secret()).ok());

  v1::RevokeApiKeyRequest revoke;
  revoke.set_key_id(created.key().key_id());
  v1::ApiKey revoked;
  ASSERT_TRUE(server.keys().RevokeApiKey(Ctx().get(), revoke, &revoked).ok());
  EXPECT_TRUE(revoked.has_revoke_time());
  grpc::Status s = ListSchoolsWith(server, "Bearer " + created.secret());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("revoked"));

  // Listed without any secret, as revoked.
  v1::ListApiKeysRequest list;
  list.set_school_id(ids.school);
  v1::ListApiKeysResponse keys;
  ASSERT_TRUE(server.keys().ListApiKeys(Ctx().get(), list, &keys).ok());
  bool found = false;
  for (const v1::ApiKey& k : keys.keys()) {
    if (k.key_id() != created.key().key_id()) continue;
    found = true;
    EXPECT_TRUE(k.has_revoke_time());
    EXPECT_EQ(k.label(), "nightly MIS job");
    EXPECT_THAT(k.DebugString(), Not(HasSubstr(created.secret().substr(21))));
  }
  EXPECT_TRUE(found);
}

TEST(CredentialsTest, HealthAndReflectionNeedNoKey) {
  TestServer server;
  auto health = grpc::health::v1::Health::NewStub(server.RawChannel());
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse out;
  grpc::Status s = health->Check(&ctx, req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CredentialsTest, TheDatabaseHoldsNoKeyOnlyAHash) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Hashing Academy");
  v1::CreateApiKeyRequest req;
  req.set_school_id(ids.school);
  req.set_role(v1::ROLE_ADMIN);
  v1::CreateApiKeyResponse created;
  ASSERT_TRUE(server.keys().CreateApiKey(Ctx().get(), req, &created).ok());
  const std::string secret = created.secret();
  const std::string secret_part = secret.substr(21);  // the 64 hex digits
  ASSERT_EQ(secret_part.size(), 64u);
  server.Stop();  // checkpoints and closes the database
  std::string bytes =
      Slurp(server.db_path()) + Slurp(server.db_path() + "-wal");
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(secret_part), std::string::npos)
      << "the key's secret is in the file";
  EXPECT_EQ(bytes.find(server.operator_key().substr(21)), std::string::npos);
  // What is there is the hash of the whole key (so the test looks at the
  // right bytes).
  EXPECT_NE(bytes.find(auth::HashKey(secret)), std::string::npos);
}

TEST(KeysTest, KeysAreLongRandomAndParse) {
  ApiKeyRecord record;
  record.role = Role::kViewer;
  auth::NewKey a = auth::MakeKey(record);
  auth::NewKey b = auth::MakeKey(record);
  EXPECT_NE(a.secret, b.secret);
  EXPECT_NE(a.record.id, b.record.id);
  EXPECT_EQ(a.secret.size(), 4u + 16 + 1 + 64);
  auto id = auth::KeyIdOf(a.secret);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, a.record.id);
  EXPECT_TRUE(auth::KeyMatches(a.secret, a.record.secret_hash));
  EXPECT_FALSE(auth::KeyMatches(b.secret, a.record.secret_hash));
  EXPECT_FALSE(
      auth::KeyIdOf("hsk_" + std::string(16, 'g') + "_" + std::string(64, '0'))
          .ok());
  EXPECT_FALSE(auth::KeyIdOf("").ok());
}

}  // namespace
}  // namespace hubsync::testing
