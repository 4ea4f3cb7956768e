// One free-text rule on every path into the server (common/text_rule.h):
// C1 controls, bidi overrides, escapes, NUL and newlines are refused in
// names, school names and key labels, and a blank name (quoted spaces, only
// NBSP, only a zero-width space) is refused, whether it comes by
// CreateLearner, the hub CSV import, a plain CSV upload, a OneRoster upload
// or PushMisRecords. Each refusal names the field, and nothing is stored.
// Through a real server on a real SQLite file.
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/oneroster_sets.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

struct Hostile {
  std::string what;   // for failure messages
  std::string value;  // a legal forename
  std::string says;   // what the refusal says of it
};

std::vector<Hostile> HostileNames() {
  return {
      {"C1 CSI", "Zo\u009b2Jë", "control character (U+009B"},
      {"RLO", "Eve\u202egnp", "bidirectional control character (U+202E"},
      {"LRI", "Eve\u2066x", "bidirectional control character (U+2066"},
      {"ESC", "Ann\x1b[2J", "control character (U+001B, escape)"},
      {"quoted spaces", "   ", "is blank"},
      {"NBSP only", "\u00a0\u00a0", "is blank"},
      {"ZWSP only", "\u200b", "is blank"},
      {"NBSP and ZWSP", " \u00a0\u200b ", "is blank"},
  };
}

// A CSV field holding `v` exactly (quoted, so that spaces stay).
std::string Quoted(const std::string& v) { return "\"" + v + "\""; }

grpc::Status ImportHub(TestServer& server, const std::string& school,
                       const std::string& csv) {
  v1::ImportLearnersResponse out;
  auto ctx = Ctx();
  auto writer = server.hub().ImportLearners(ctx.get(), &out);
  v1::ImportLearnersRequest req;
  req.set_school_id(school);
  req.set_chunk(csv);
  writer->Write(req);
  writer->WritesDone();
  return writer->Finish();
}

grpc::Status Upload(TestServer& server, const std::string& school,
                    v1::MisFormat format,
                    const std::map<std::string, std::string>& files) {
  v1::MisSnapshot out;
  auto ctx = Ctx();
  auto writer = server.mis().UploadMisExport(ctx.get(), &out);
  v1::UploadMisExportRequest header;
  header.mutable_header()->set_school_id(school);
  header.mutable_header()->set_format(format);
  writer->Write(header);
  for (const auto& [name, data] : files) {
    v1::UploadMisExportRequest chunk;
    chunk.mutable_chunk()->set_file_name(name);
    chunk.mutable_chunk()->set_data(data);
    writer->Write(chunk);
  }
  writer->WritesDone();
  return writer->Finish();
}

int SnapshotCount(TestServer& server, const std::string& school) {
  v1::ListSnapshotsRequest r;
  r.set_school_id(school);
  v1::ListSnapshotsResponse out;
  grpc::Status s = server.mis().ListSnapshots(Ctx().get(), r, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out.snapshots_size();
}

void ExpectRefused(const grpc::Status& s, const std::string& path,
                   const Hostile& h, const std::string& field) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << path << ", " << h.what << ": " << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr(field)) << path << ", " << h.what;
  EXPECT_THAT(s.error_message(), HasSubstr(h.says)) << path << ", " << h.what;
}

TEST(TextRuleServiceTest, HostileAndBlankNamesAreRefusedOnEveryPath) {
  TestServer server;
  const std::string school = CreateSchool(server, "Text Rule Academy");
  for (const Hostile& h : HostileNames()) {
    // CreateLearner.
    grpc::Status s;
    v1::Learner created;
    s = server.hub().CreateLearner(
        Ctx().get(),
        LearnerRequest(school, {h.value, "Lee", "2013-01-01", "", "7", "", ""}),
        &created);
    ExpectRefused(s, "CreateLearner", h, "learner.legal_forename");

    // The hub CSV import.
    s = ImportHub(server, school,
                  "legal_forename,legal_surname,year_group\n" +
                      Quoted(h.value) + ",Lee,7\n");
    ExpectRefused(s, "hub CSV", h, "learners.csv:2:1: legal_forename");

    // A plain CSV MIS export.
    s = Upload(server, school, v1::MIS_FORMAT_PLAIN_CSV,
               {{"pupils.csv",
                 "mis_id,legal_forename,legal_surname,year_group\n"
                 "m-1," +
                     Quoted(h.value) + ",Lee,7\n"}});
    ExpectRefused(s, "plain CSV", h, "pupils.csv:2:2: legal_forename");

    // A OneRoster set: Bob's givenName (users.csv line 2, column 9).
    UploadFiles oneroster = oneroster_testing::V11();
    oneroster_testing::Edit(&oneroster, "users.csv", ",Bob,Ray,",
                            "," + Quoted(h.value) + ",Ray,");
    s = Upload(server, school, v1::MIS_FORMAT_ONEROSTER,
               {oneroster.begin(), oneroster.end()});
    ExpectRefused(s, "OneRoster", h, "users.csv:2:9: givenName");

    // PushMisRecords.
    v1::PushMisRecordsRequest push;
    push.set_school_id(school);
    *push.add_learners() =
        MisRecord("p-1", {h.value, "Lee", "2013-01-01", "", "7", "", ""});
    v1::MisSnapshot snapshot;
    s = server.mis().PushMisRecords(Ctx().get(), push, &snapshot);
    ExpectRefused(s, "push", h, "legal_forename");
  }
  // Nothing was stored by any of them.
  EXPECT_TRUE(Learners(server, school).empty());
  EXPECT_EQ(SnapshotCount(server, school), 0);
}

TEST(TextRuleServiceTest, AHostileSurnameIsRefusedToo) {
  TestServer server;
  const std::string school = CreateSchool(server, "Surname Academy");
  v1::Learner created;
  grpc::Status s = server.hub().CreateLearner(
      Ctx().get(),
      LearnerRequest(school,
                     {"Ann", "Lee\u202e", "2013-01-01", "", "7", "", ""}),
      &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("legal_surname"));
  s = ImportHub(server, school,
                "legal_forename,legal_surname\nAnn,\"\u00a0\"\n");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("learners.csv:2:2: legal_surname is blank"));
}

TEST(TextRuleServiceTest, OrdinaryNamesInAnyScriptAreStillAccepted) {
  TestServer server;
  const std::string school = CreateSchool(server, "Accepting Academy");
  for (const char* name :
       {"Zoë", "Nguyễn", "محمد", "李", "O'Brien", "Anne-Marie"}) {
    v1::Learner created;
    grpc::Status s = server.hub().CreateLearner(
        Ctx().get(),
        LearnerRequest(school, {name, "Lee", "2013-01-01", "", "7", "", ""}),
        &created);
    EXPECT_TRUE(s.ok()) << name << ": " << s.error_message();
  }
  grpc::Status s = ImportHub(server, school,
                             "legal_forename,legal_surname\n\" Zoë \",Lee\n");
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST(TextRuleServiceTest, SchoolNamesFollowTheRule) {
  TestServer server;
  for (const auto& [name, says] :
       std::vector<std::pair<std::string, std::string>>{
           {"Hill\u009bside", "U+009B"},
           {"Hillside \u202eymedacA", "U+202E"},
           {"Hill\nside", "line feed"},
           {"\u00a0\u200b", "is blank"}}) {
    v1::CreateSchoolRequest r;
    r.set_name(name);
    v1::School out;
    grpc::Status s = server.schools().CreateSchool(Ctx().get(), r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_THAT(s.error_message(), HasSubstr("name")) << name;
    EXPECT_THAT(s.error_message(), HasSubstr(says)) << name;
  }
  v1::ListSchoolsResponse schools;
  ASSERT_TRUE(server.schools().ListSchools(Ctx().get(), {}, &schools).ok());
  EXPECT_EQ(schools.schools_size(), 0);
}

TEST(TextRuleServiceTest, KeyLabelsFollowTheRule) {
  TestServer server;
  const std::string school = CreateSchool(server, "Label Academy");
  for (const auto& [label, says] :
       std::vector<std::pair<std::string, std::string>>{
           {"\x1b[2J\x1b[Hoperator", "U+001B, escape"},
           {std::string("nightly\0job", 11), "U+0000, NUL"},
           {"job\n2026-12-07 create_key forged", "U+000A, line feed"},
           {"job\u202e", "U+202E"},
           {"job\u009b", "U+009B"}}) {
    v1::CreateApiKeyRequest r;
    r.set_school_id(school);
    r.set_role(v1::ROLE_VIEWER);
    r.set_label(label);
    v1::CreateApiKeyResponse out;
    grpc::Status s = server.keys().CreateApiKey(Ctx().get(), r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << label;
    EXPECT_THAT(s.error_message(), HasSubstr("label")) << label;
    EXPECT_THAT(s.error_message(), HasSubstr(says)) << label;
    EXPECT_TRUE(out.secret().empty());
  }
  v1::ListApiKeysRequest list;
  list.set_school_id(school);
  v1::ListApiKeysResponse keys;
  ASSERT_TRUE(server.keys().ListApiKeys(Ctx().get(), list, &keys).ok());
  for (const v1::ApiKey& k : keys.keys()) {
    EXPECT_EQ(k.label().find_first_of(std::string("\x1b\n\0", 3)),
              std::string::npos);
  }
}

}  // namespace
}  // namespace hubsync::testing
