// A key of school A against every id of school B: NOT_FOUND, with the very
// message an id that does not exist gets, and school B unchanged.
#include <set>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/auth/every_rpc.h"

namespace hubsync::testing {
namespace {

// B's ids swapped for ids of the same shape that exist nowhere.
SchoolIds Missing(const SchoolIds& b) {
  SchoolIds m = b;
  m.school = "sch_0000000000000001";
  m.learner = "lrn_0000000000000002";
  m.snapshot = "snp_0000000000000003";
  m.session = "ses_0000000000000004";
  m.victim_key_id = "key_0000000000000005";
  return m;
}

std::string Normalised(const std::string& message, const SchoolIds& ids) {
  return absl::StrReplaceAll(message, {{ids.school, "SCHOOL"},
                                       {ids.learner, "LEARNER"},
                                       {ids.snapshot, "SNAPSHOT"},
                                       {ids.session, "SESSION"},
                                       {ids.victim_key_id, "KEY"}});
}

TEST(IsolationTest, EveryIdOfAnotherSchoolReadsAsMissing) {
  TestServer server;
  SchoolIds a = SetUpSchool(server, "Oak Academy");
  SchoolIds b = SetUpSchool(server, "Ash Academy");
  const v1::Session b_before = GetSession(server, b.session);
  const size_t b_learners = Learners(server, b.school).size();

  for (Role role : {Role::kAdmin, Role::kService, Role::kViewer}) {
    KeyedApi api(server.RawChannel(), role == Role::kAdmin
                                          ? a.admin_key
                                          : server.NewKey(a.school, role));
    for (const RpcCase& rpc : EveryRpc()) {
      if (rpc.name == "CreateSchool" || rpc.name == "ListSchools" ||
          rpc.name == "WhoAmI")
        continue;  // no id
      grpc::Status theirs = rpc.call(api, b);
      if (theirs.error_code() == grpc::StatusCode::PERMISSION_DENIED)
        continue;  // role
      EXPECT_EQ(theirs.error_code(), grpc::StatusCode::NOT_FOUND)
          << RoleName(role) << " " << rpc.name << ": "
          << theirs.error_message();
      grpc::Status missing = rpc.call(api, Missing(b));
      EXPECT_EQ(missing.error_code(), theirs.error_code()) << rpc.name;
      EXPECT_EQ(Normalised(theirs.error_message(), b),
                Normalised(missing.error_message(), Missing(b)))
          << RoleName(role) << " " << rpc.name;
    }
  }

  // B is as it was: same session version and step, same learners, its
  // victim key still works.
  server.UseKey(b.admin_key);
  const v1::Session b_after = GetSession(server, b.session);
  EXPECT_EQ(b_after.version(), b_before.version());
  EXPECT_EQ(b_after.step(), b_before.step());
  EXPECT_EQ(Learners(server, b.school).size(), b_learners);
  v1::ListApiKeysRequest list;
  list.set_school_id(b.school);
  v1::ListApiKeysResponse keys;
  ASSERT_TRUE(server.keys().ListApiKeys(Ctx().get(), list, &keys).ok());
  for (const v1::ApiKey& k : keys.keys()) {
    EXPECT_FALSE(k.has_revoke_time())
        << k.key_id() << " of school B was revoked";
  }
}

TEST(IsolationTest, OwnSessionWithAnotherSchoolsRecordIdsIsNotFound) {
  TestServer server;
  SchoolIds a = SetUpSchool(server, "Oak Academy");
  SchoolIds b = SetUpSchool(server, "Ash Academy");
  KeyedApi api(server.RawChannel(), a.admin_key);
  // A's session, B's learner: as if the learner did not exist.
  v1::MatchRequest match;
  match.set_session_id(a.session);
  match.set_learner_id(b.learner);
  match.set_mis_id(a.mis_id);
  v1::EditResponse out;
  grpc::Status s = api.sync_->Match(api.Context().get(), match, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  // A's school, B's snapshot.
  v1::StartSessionRequest start;
  start.set_school_id(a.school);
  start.set_snapshot_id(b.snapshot);
  v1::Session session;
  s = api.sync_->StartSession(api.Context().get(), start, &session);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
}

TEST(IsolationTest, ListSchoolsShowsASchoolKeyOnlyItsOwnSchool) {
  TestServer server;
  SchoolIds a = SetUpSchool(server, "Oak Academy");
  SchoolIds b = SetUpSchool(server, "Ash Academy");
  KeyedApi api(server.RawChannel(), a.admin_key);
  v1::ListSchoolsResponse out;
  ASSERT_TRUE(api.schools_->ListSchools(api.Context().get(), {}, &out).ok());
  ASSERT_EQ(out.schools_size(), 1);
  EXPECT_EQ(out.schools(0).school_id(), a.school);
  KeyedApi op(server.RawChannel(), server.operator_key());
  ASSERT_TRUE(op.schools_->ListSchools(op.Context().get(), {}, &out).ok());
  EXPECT_EQ(out.schools_size(), 2);
}

TEST(IsolationTest, IdsAreRandomNotSequential) {
  // Real ids (not the tests' fakes): 16 hex digits from the kernel's CSPRNG.
  std::set<std::string> seen;
  std::string previous;
  int adjacent = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string id = IdGenerator::Real()->NewId("ses");
    ASSERT_EQ(id.size(), 20u);
    EXPECT_TRUE(seen.insert(id).second) << "repeated id " << id;
    if (!previous.empty() &&
        std::stoull(id.substr(4), nullptr, 16) -
                std::stoull(previous.substr(4), nullptr, 16) <
            1000) {
      ++adjacent;
    }
    previous = id;
  }
  EXPECT_LT(adjacent, 3) << "ids should not follow one another";
}

}  // namespace
}  // namespace hubsync::testing
