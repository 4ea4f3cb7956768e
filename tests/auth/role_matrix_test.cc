// Each role against every RPC, through a real server on a real SQLite file:
// the table below is docs/SECURITY.md's, written out by hand so that a change
// to the policy that the docs do not share fails here.
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/auth/every_rpc.h"

namespace hubsync::testing {
namespace {

// O = operator, A = admin, S = service, V = viewer, P = product: the roles
// allowed.
const std::map<std::string, std::string>& Allowed() {
  static const auto* table = new std::map<std::string, std::string>{
      {"CreateSchool", "O"},
      {"GetSchool", "OASV"},
      {"ListSchools", "OASV"},
      {"CreateLearner", "A"},
      {"ImportLearners", "A"},
      {"GetLearner", "ASV"},
      {"ListLearners", "ASV"},
      {"ListClasses", "ASV"},
      {"UploadMisExport", "AS"},
      {"PushMisRecords", "AS"},
      {"ListSnapshots", "ASV"},
      {"ListMisLearners", "ASV"},
      {"ListVerificationEmails", "ASV"},
      {"ListAuditRecords", "ASV"},
      {"ResendVerificationEmails", "A"},
      {"ListSubscriptions", "ASV"},
      {"SetSubscription", "A"},
      {"ListGrants", "ASV"},
      {"SetGrant", "A"},
      {"RedeemVerification", "P"},
      {"Login", "P"},
      {"StartSession", "AS"},
      {"GetSession", "ASV"},
      {"ListSessions", "ASV"},
      {"Proceed", "AS"},
      {"SetScope", "AS"},
      {"StreamRows", "ASV"},
      {"SetImport", "AS"},
      {"SetImportAll", "AS"},
      {"Match", "AS"},
      {"Unmatch", "AS"},
      {"SetSyncEmail", "AS"},
      {"SetSyncEmailAll", "AS"},
      {"SetReviewed", "AS"},
      {"SetReviewedAll", "AS"},
      {"WatchSession", "ASV"},
      {"ListSaves", "ASV"},
      {"GetSave", "ASV"},
      {"RevertSave", "A"},
      {"CreateApiKey", "OA"},
      {"ListApiKeys", "OA"},
      {"RevokeApiKey", "OA"},
      {"WhoAmI", "OASVP"},
      {"SaveAndSyncPupils", "AS"},
      {"CancelSession", "AS"},
      {"StepBack", "AS"},
      {"UpdateLearner", "A"},
      {"ArchiveLearner", "A"},
      {"RestoreLearner", "A"},
      {"UnlinkLearner", "A"},
  };
  return *table;
}

void CheckRole(Role role, char letter) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Matrix Academy");
  const std::string key = role == Role::kOperator ? server.operator_key()
                          : role == Role::kProduct
                              ? server.NewKey("", role)
                              : server.NewKey(ids.school, role);
  KeyedApi api(server.RawChannel(), key);
  std::vector<RpcCase> rpcs = EveryRpc();
  ASSERT_EQ(rpcs.size(), Allowed().size()) << "every RPC is in the table";
  for (const RpcCase& rpc : rpcs) {
    auto row = Allowed().find(rpc.name);
    ASSERT_NE(row, Allowed().end()) << rpc.name;
    const bool allowed = row->second.find(letter) != std::string::npos;
    grpc::Status s = rpc.call(api, ids);
    if (allowed) {
      // Past the checks: whatever the verb itself says (OK, or a step or
      // input error), but never a credential, role or isolation refusal.
      EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << RoleName(role) << " " << rpc.name << ": " << s.error_message();
      EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << RoleName(role) << " " << rpc.name << ": " << s.error_message();
      EXPECT_NE(s.error_code(), grpc::StatusCode::NOT_FOUND)
          << RoleName(role) << " " << rpc.name << ": " << s.error_message();
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << RoleName(role) << " " << rpc.name << ": " << s.error_message();
      EXPECT_THAT(s.error_message(), ::testing::HasSubstr(rpc.name));
    }
  }
}

TEST(RoleMatrixTest, Operator) { CheckRole(Role::kOperator, 'O'); }
TEST(RoleMatrixTest, Admin) { CheckRole(Role::kAdmin, 'A'); }
TEST(RoleMatrixTest, Service) { CheckRole(Role::kService, 'S'); }
TEST(RoleMatrixTest, Viewer) { CheckRole(Role::kViewer, 'V'); }
TEST(RoleMatrixTest, Product) { CheckRole(Role::kProduct, 'P'); }

TEST(RoleMatrixTest, ViewerChangesNothing) {
  TestServer server;
  SchoolIds ids = SetUpSchool(server, "Read Only Academy");
  const v1::Session before = GetSession(server, ids.session);
  const size_t learners = Learners(server, ids.school).size();
  KeyedApi viewer(server.RawChannel(),
                  server.NewKey(ids.school, Role::kViewer));
  for (const RpcCase& rpc : EveryRpc()) (void)rpc.call(viewer, ids);
  const v1::Session after = GetSession(server, ids.session);
  EXPECT_EQ(after.version(), before.version());
  EXPECT_EQ(after.step(), before.step());
  EXPECT_EQ(Learners(server, ids.school).size(), learners);
}

TEST(RoleMatrixTest, AdminMayNotMakeOperatorKeysOrKeysOfAnotherSchool) {
  TestServer server;
  SchoolIds a = SetUpSchool(server, "Oak");
  const std::string other = CreateSchool(server, "Ash");
  KeyedApi admin(server.RawChannel(), a.admin_key);
  v1::CreateApiKeyRequest req;
  req.set_role(v1::ROLE_OPERATOR);
  v1::CreateApiKeyResponse out;
  grpc::Status s = admin.keys_->CreateApiKey(admin.Context().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  req.set_role(v1::ROLE_ADMIN);
  req.set_school_id(other);
  s = admin.keys_->CreateApiKey(admin.Context().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_TRUE(out.secret().empty());
}

}  // namespace
}  // namespace hubsync::testing
