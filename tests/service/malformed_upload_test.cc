// Malformed CSV through a real server upload (plain CSV, OneRoster set and
// the hub learner CSV): never a crash, a clear error naming file, line and
// column, and afterwards the hub and every stored snapshot read back exactly
// as before. Limits (rows, field bytes, total bytes, message size) answer
// RESOURCE_EXHAUSTED naming the limit, and store nothing either.
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using Files = std::map<std::string, std::string>;

struct Reply {
  grpc::Status status;
  v1::UploadProblems problems;
};

Reply Upload(TestServer& server, const std::string& school,
             v1::MisFormat format, const Files& files) {
  Reply r;
  v1::MisSnapshot out;
  auto ctx = Ctx();
  auto writer = server.mis().UploadMisExport(ctx.get(), &out);
  v1::UploadMisExportRequest header;
  header.mutable_header()->set_school_id(school);
  header.mutable_header()->set_format(format);
  writer->Write(header);
  for (const auto& [name, data] : files) {
    for (size_t at = 0; at < data.size() || at == 0; at += 64 << 10) {
      v1::UploadMisExportRequest chunk;
      chunk.mutable_chunk()->set_file_name(name);
      chunk.mutable_chunk()->set_data(data.substr(at, 64 << 10));
      if (!writer->Write(chunk)) break;
    }
  }
  writer->WritesDone();
  r.status = writer->Finish();
  auto md = ctx->GetServerTrailingMetadata();
  if (auto it = md.find("hubsync-upload-problems-bin"); it != md.end()) {
    r.problems.ParseFromString(
        std::string(it->second.data(), it->second.size()));
  }
  return r;
}

Reply ImportHub(TestServer& server, const std::string& school,
                const std::string& csv) {
  Reply r;
  v1::ImportLearnersResponse out;
  auto ctx = Ctx();
  auto writer = server.hub().ImportLearners(ctx.get(), &out);
  v1::ImportLearnersRequest req;
  req.set_school_id(school);
  req.set_chunk(csv);
  writer->Write(req);
  writer->WritesDone();
  r.status = writer->Finish();
  auto md = ctx->GetServerTrailingMetadata();
  if (auto it = md.find("hubsync-upload-problems-bin"); it != md.end()) {
    r.problems.ParseFromString(
        std::string(it->second.data(), it->second.size()));
  }
  return r;
}

// The hub's learners and classes, the snapshot list, and every snapshot's
// learners and classes, as bytes.
std::string HubAndSnapshots(TestServer& server, const std::string& school) {
  std::string seen;
  for (const auto& l : Learners(server, school)) seen += l.SerializeAsString();
  v1::ListClassesRequest classes_req;
  classes_req.set_school_id(school);
  v1::ListClassesResponse classes;
  EXPECT_TRUE(
      server.hub().ListClasses(Ctx().get(), classes_req, &classes).ok());
  seen += classes.SerializeAsString();
  v1::ListSnapshotsRequest req;
  req.set_school_id(school);
  v1::ListSnapshotsResponse snaps;
  EXPECT_TRUE(server.mis().ListSnapshots(Ctx().get(), req, &snaps).ok());
  seen += snaps.SerializeAsString();
  for (const auto& s : snaps.snapshots()) {
    v1::ListMisLearnersRequest lr;
    lr.set_snapshot_id(s.snapshot_id());
    v1::ListMisLearnersResponse learners;
    EXPECT_TRUE(server.mis().ListMisLearners(Ctx().get(), lr, &learners).ok());
    seen += learners.SerializeAsString();
  }
  return seen;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Files Term1() {
  Files files;
  for (const char* name :
       {"manifest.csv", "users.csv", "roles.csv", "classes.csv",
        "enrollments.csv", "demographics.csv", "orgs.csv"}) {
    files[name] = ReadFile(
        absl::StrCat(HUBSYNC_SOURCE_DIR, "/scripts/demo_data/term1/", name));
  }
  return files;
}

// `files` with `from` replaced by `to` in `file` (which must contain it).
Files Edit(Files files, const std::string& file, const std::string& from,
           const std::string& to) {
  EXPECT_NE(files[file].find(from), std::string::npos) << file << ": " << from;
  files[file] = absl::StrReplaceAll(files[file], {{from, to}});
  return files;
}

// `files` with `file` set to `text`, or left out.
Files Replace(Files files, const std::string& file,
              std::optional<std::string> text) {
  if (text) {
    files[file] = *text;
  } else {
    files.erase(file);
  }
  return files;
}

struct Bad {
  std::string what;
  v1::MisFormat format;
  Files files;
  grpc::StatusCode code;
  std::string where;    // "file:line:column:" of one problem
  std::string message;  // part of that problem's message
};

const char kPlainHeader[] =
    "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
    "registration_group,email\n";

std::vector<Bad> BadFiles() {
  using S = grpc::StatusCode;
  const auto plain = v1::MIS_FORMAT_PLAIN_CSV;
  const auto oneroster = v1::MIS_FORMAT_ONEROSTER;
  const std::string h = kPlainHeader;
  const std::string ok_row = "m1,,Ann,Lee,2013-09-04,7,7A,\n";
  const std::string upn = Upn("801200005001");
  auto one = [](std::string text) {
    return Files{{"pupils.csv", std::move(text)}};
  };
  std::string utf16 = "\xFF\xFE";
  for (char c : h) utf16 += std::string{c, '\0'};
  std::string utf16_no_bom = utf16.substr(2);
  const std::string huge(1 << 20, 'x');
  const std::string given_oliver = ",Oliver,Bennett,";
  return {
      // ---- plain CSV
      {"Windows-1252 file", plain, one(h + "m1,,Zo\xEB,Lee,2013-09-04,7,7A,\n"),
       S::INVALID_ARGUMENT, "pupils.csv:2:7:", "invalid UTF-8"},
      {"UTF-16 with a BOM", plain, one(utf16), S::INVALID_ARGUMENT,
       "pupils.csv:1:1:", "UTF-16"},
      {"UTF-16 without a BOM", plain, one(utf16_no_bom), S::INVALID_ARGUMENT,
       "pupils.csv:1:2:", "NUL byte"},
      {"NUL byte in a name", plain,
       one(h + std::string("m1,,An\0n,Lee,2013-09-04,7,7A,\n", 28)),
       S::INVALID_ARGUMENT, "pupils.csv:2:7:", "NUL byte"},
      {"unbalanced quotes", plain,
       one(h + ok_row + "m2,,\"Bob,Kay,2013-01-01,7,7A,\n"),
       S::INVALID_ARGUMENT, "pupils.csv:3:0:", "never closed"},
      {"quote inside a field", plain,
       one(h + "m1,,Bo\"b,Kay,2013-01-01,7,7A,\n"), S::INVALID_ARGUMENT,
       "pupils.csv:2:7:", "quote inside an unquoted field"},
      {"missing column", plain,
       one("mis_id,legal_forename,year_group\nm1,Ann,7\n"), S::INVALID_ARGUMENT,
       "pupils.csv:1:0:", "missing required column 'legal_surname'"},
      {"duplicated column", plain,
       one("mis_id,forename,surname,year,legal forename\nm1,Ann,Lee,7,Anne\n"),
       S::INVALID_ARGUMENT, "pupils.csv:1:5:", "both mean legal_forename"},
      {"wrong number of fields", plain, one(h + "m1,,Ann,Lee\n"),
       S::INVALID_ARGUMENT, "pupils.csv:2:0:", "expected 8 fields"},
      {"duplicate MIS ids", plain,
       one(h + ok_row + "m1,,Bob,Kay,2013-01-01,7,7A,\n"), S::INVALID_ARGUMENT,
       "pupils.csv:3:1:", "mis_id 'm1' is also on line 2"},
      {"duplicate UPNs", plain,
       one(h + "m1," + upn + ",Ann,Lee,2013-09-04,7,7A,\nm2," + upn +
           ",Bob,Kay,2013-01-01,7,7A,\n"),
       S::INVALID_ARGUMENT, "pupils.csv:3:2:", "is also on line 2"},
      {"31 February", plain, one(h + "m1,,Ann,Lee,31/02/2013,7,7A,\n"),
       S::INVALID_ARGUMENT,
       "pupils.csv:2:5:", "'31/02/2013' is not a real date"},
      {"empty file", plain, one(""), S::INVALID_ARGUMENT,
       "pupils.csv:1:0:", "the file is empty"},
      {"only a byte order mark", plain, one("\xEF\xBB\xBF"),
       S::INVALID_ARGUMENT, "pupils.csv:1:0:", "the file is empty"},
      {"tab leading a quoted name", plain,
       one(h + "m1,,\"\tAnn\",Lee,2013-09-04,7,7A,\n"), S::INVALID_ARGUMENT,
       "pupils.csv:2:3:", "control character (U+0009, tab) at character 1"},
      {"CR leading a quoted name", plain,
       one(h + "m1,,Ann,\"\rLee\",2013-09-04,7,7A,\n"), S::INVALID_ARGUMENT,
       "pupils.csv:2:4:", "U+000D, carriage return"},
      {"huge field", plain, one(h + "m1,,Ann," + huge + ",2013-09-04,7,7A,\n"),
       S::RESOURCE_EXHAUSTED, "pupils.csv:2:4:", "longer than 256 bytes"},
      {"two files as one plain export",
       plain,
       {{"a.csv", h + ok_row}, {"b.csv", h + ok_row}},
       S::INVALID_ARGUMENT,
       "a.csv:0:0:",
       "exactly one file"},
      // ---- OneRoster (the demo's term 1 set, users.csv line 3 is Oliver
      // Bennett)
      {"OneRoster: Windows-1252 users.csv", oneroster,
       Edit(Term1(), "users.csv", given_oliver, ",Oliver,Benn\xE9tt,"),
       S::INVALID_ARGUMENT, "users.csv:3:55:", "invalid UTF-8"},
      {"OneRoster: unbalanced quote", oneroster,
       Edit(Term1(), "users.csv", given_oliver, ",\"Oliver,Bennett,"),
       S::INVALID_ARGUMENT, "users.csv:3:0:", "never closed"},
      {"OneRoster: missing column", oneroster,
       Edit(Term1(), "users.csv", "givenName,", "forename,"),
       S::INVALID_ARGUMENT,
       "users.csv:1:0:", "missing required column 'givenName'"},
      {"OneRoster: duplicated column", oneroster,
       Edit(Term1(), "users.csv", "pronouns\n", "sourcedId\n"),
       S::INVALID_ARGUMENT, "users.csv:1:22:", "are both 'sourcedId'"},
      {"OneRoster: duplicate sourcedId", oneroster,
       Edit(Term1(), "users.csv", "stu-002,,,true", "stu-001,,,true"),
       S::INVALID_ARGUMENT,
       "users.csv:4:1:", "sourcedId 'stu-001' is also on line 3"},
      {"OneRoster: duplicate UPN", oneroster,
       Edit(Term1(), "users.csv", "{UPN:R919432117002}", "{UPN:C919432117001}"),
       S::INVALID_ARGUMENT,
       "users.csv:4:0:", "UPN C919432117001 is also the UPN of stu-001"},
      {"OneRoster: 31 February", oneroster,
       Edit(Term1(), "demographics.csv", "stu-002,,,2014-02-03",
            "stu-002,,,2014-02-31"),
       S::INVALID_ARGUMENT, "demographics.csv:3:4:", "is not a real date"},
      {"OneRoster: empty users.csv", oneroster,
       Replace(Term1(), "users.csv", ""), S::INVALID_ARGUMENT,
       "users.csv:1:0:", "the file is empty"},
      {"OneRoster: no users.csv", oneroster,
       Replace(Term1(), "users.csv", std::nullopt), S::INVALID_ARGUMENT,
       "users.csv:0:0:", "required file is missing"},
      {"OneRoster: NUL byte", oneroster,
       Edit(Term1(), "users.csv", given_oliver,
            std::string(",Oli\0ver,Bennett,", 17)),
       S::INVALID_ARGUMENT, "users.csv:3:47:", "NUL byte"},
      {"OneRoster: huge name", oneroster,
       Edit(Term1(), "users.csv", given_oliver, ",Oliver," + huge + ","),
       S::RESOURCE_EXHAUSTED,
       "users.csv:3:8:", "familyName is longer than 256 bytes"},
      {"OneRoster: CR in a name", oneroster,
       Edit(Term1(), "users.csv", given_oliver, ",\"\rOliver\",Bennett,"),
       S::INVALID_ARGUMENT,
       "users.csv:3:7:", "givenName has a control character"},
      {"OneRoster: huge class title", oneroster,
       Edit(Term1(), "classes.csv", "reg-7A,,,7A,", "reg-7A,,," + huge + ","),
       S::RESOURCE_EXHAUSTED,
       "classes.csv:2:4:", "title is longer than 256 bytes"},
  };
}

TEST(MalformedUploadTest, EveryBadFileIsNamedAndNothingChanges) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = HubAndSnapshots(server, t.school);
  for (const Bad& bad : BadFiles()) {
    SCOPED_TRACE(bad.what);
    Reply r = Upload(server, t.school, bad.format, bad.files);
    EXPECT_EQ(r.status.error_code(), bad.code) << r.status.error_message();
    EXPECT_THAT(r.status.error_message(), HasSubstr("nothing was stored"));
    EXPECT_THAT(r.status.error_message(), HasSubstr(bad.where + " "));
    EXPECT_THAT(r.status.error_message(), HasSubstr(bad.message));
    EXPECT_GT(r.problems.problems_size(), 0);
    EXPECT_EQ(HubAndSnapshots(server, t.school), before);
  }
  // The same server still takes a good upload afterwards.
  Reply good = Upload(server, t.school, v1::MIS_FORMAT_ONEROSTER, Term1());
  EXPECT_TRUE(good.status.ok()) << good.status.error_message();
}

TEST(MalformedUploadTest, BadHubLearnerCsvCreatesNoLearner) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = HubAndSnapshots(server, t.school);
  const struct {
    std::string csv, where, message;
  } cases[] = {
      {"forename,surname\nZo\xEB,Lee\n", "learners.csv:2:3:", "invalid UTF-8"},
      {"forename,surname\n\"\tAnn\",Lee\n",
       "learners.csv:2:1:", "control character"},
      {"forename,surname\nAnn,Lee\nBob,\"Kay\n",
       "learners.csv:3:0:", "never closed"},
      {"forename,year\nAnn,7\n",
       "learners.csv:1:0:", "missing required column"},
      {"forename,surname,dob\nAnn,Lee,29/02/2013\n",
       "learners.csv:2:3:", "not a real date"},
      {"", "learners.csv:1:0:", "the file is empty"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.where + c.message);
    Reply r = ImportHub(server, t.school, c.csv);
    EXPECT_EQ(r.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(r.status.error_message(), HasSubstr(c.where + " "));
    EXPECT_THAT(r.status.error_message(), HasSubstr(c.message));
    EXPECT_EQ(HubAndSnapshots(server, t.school), before);
  }
}

// Formula-looking names are names: stored exactly as given (CSV exports
// neutralise them, see tests/e2e), and a UTF-8 BOM is dropped.
TEST(MalformedUploadTest, FormulaLikeNamesAreStoredAsGiven) {
  TestServer server;
  std::string school = CreateSchool(server, "Formula School");
  const std::string csv =
      std::string("\xEF\xBB\xBF") + kPlainHeader +
      "m1,,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",+Lee,,7,7A,\n"
      "m2,,-Bob,@Kay,,7,7A,\n";
  Reply r =
      Upload(server, school, v1::MIS_FORMAT_PLAIN_CSV, {{"pupils.csv", csv}});
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  v1::ListSnapshotsRequest req;
  req.set_school_id(school);
  v1::ListSnapshotsResponse snaps;
  ASSERT_TRUE(server.mis().ListSnapshots(Ctx().get(), req, &snaps).ok());
  ASSERT_EQ(snaps.snapshots_size(), 1);
  v1::ListMisLearnersRequest lr;
  lr.set_snapshot_id(snaps.snapshots(0).snapshot_id());
  v1::ListMisLearnersResponse learners;
  ASSERT_TRUE(server.mis().ListMisLearners(Ctx().get(), lr, &learners).ok());
  ASSERT_EQ(learners.learners_size(), 2);
  EXPECT_EQ(learners.learners(0).legal_forename(),
            "=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_EQ(learners.learners(0).legal_surname(), "+Lee");
  EXPECT_EQ(learners.learners(1).legal_forename(), "-Bob");
  EXPECT_EQ(learners.learners(1).legal_surname(), "@Kay");
}

// ---- limits

TEST(UploadLimitsTest, RowsPastTheLimitAreResourceExhausted) {
  Limits limits;
  limits.max_upload_rows = 2;
  TestServer server(limits);
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = HubAndSnapshots(server, t.school);
  std::string csv = kPlainHeader;
  for (int i = 1; i <= 3; ++i)
    absl::StrAppend(&csv, "m", i, ",,Ann,Lee,,7,7A,\n");
  Reply r =
      Upload(server, t.school, v1::MIS_FORMAT_PLAIN_CSV, {{"pupils.csv", csv}});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(r.status.error_message(),
              HasSubstr("pupils.csv:4:0: more than 2 rows"));
  // A OneRoster set: users.csv has 21 rows.
  r = Upload(server, t.school, v1::MIS_FORMAT_ONEROSTER, Term1());
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(r.status.error_message(), HasSubstr("more than 2 rows"));
  // Hub learner CSVs too.
  r = ImportHub(server, t.school, "forename,surname\nA,B\nC,D\nE,F\n");
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(r.status.error_message(),
              HasSubstr("learners.csv:4:0: more than 2 rows"));
  EXPECT_EQ(HubAndSnapshots(server, t.school), before);
  // Exactly at the limit is fine.
  r = ImportHub(server, t.school, "forename,surname\nA,B\nC,D\n");
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
}

TEST(UploadLimitsTest, FieldBytesAreConfigurable) {
  Limits limits;
  limits.max_field_bytes = 10;
  TestServer server(limits);
  struct {
    std::string school;
  } t{CreateSchool(server, "Limits")};
  CreateLearner(server, t.school, {"Ann", "Lee", "", "", "7", "7A", ""});
  const std::string before = HubAndSnapshots(server, t.school);
  Reply r = Upload(server, t.school, v1::MIS_FORMAT_PLAIN_CSV,
                   {{"pupils.csv", std::string(kPlainHeader) +
                                       "m1,,Ann,Leeeeeeeeeeeeeeee,,7,7A,\n"}});
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(
      r.status.error_message(),
      HasSubstr("pupils.csv:2:4: legal_surname is longer than 10 bytes"));
  v1::PushMisRecordsRequest push;
  push.set_school_id(t.school);
  *push.add_learners() =
      MisRecord("m-x", {"Ann", "Leeeeeeeeeeeeeeee", "", "", "7", "", ""});
  v1::MisSnapshot out;
  grpc::Status s = server.mis().PushMisRecords(Ctx().get(), push, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(),
              HasSubstr("legal_surname is longer than 10 bytes"));
  EXPECT_EQ(HubAndSnapshots(server, t.school), before);
}

TEST(UploadLimitsTest, MessageSizeIsConfigurable) {
  Limits limits;
  limits.max_message_bytes = 4096;
  TestServer server(limits);
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = HubAndSnapshots(server, t.school);
  v1::PushMisRecordsRequest push;
  push.set_school_id(t.school);
  for (int i = 0; i < 1000; ++i) {  // about 20 kB
    *push.add_learners() =
        MisRecord(absl::StrCat("m-", i), {"Ann", "Lee", "", "", "7", "", ""});
  }
  v1::MisSnapshot out;
  grpc::Status s = server.mis().PushMisRecords(Ctx().get(), push, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("4096"));
  // An upload streams in chunks below the limit, so a bigger file still goes.
  std::string csv = kPlainHeader;
  for (int i = 0; i < 200; ++i)
    absl::StrAppend(&csv, "m", i, ",,Ann,Lee,,7,7A,\n");
  EXPECT_EQ(HubAndSnapshots(server, t.school), before);
  v1::MisSnapshot snap;
  auto ctx = Ctx();
  auto writer = server.mis().UploadMisExport(ctx.get(), &snap);
  v1::UploadMisExportRequest header;
  header.mutable_header()->set_school_id(t.school);
  header.mutable_header()->set_format(v1::MIS_FORMAT_PLAIN_CSV);
  writer->Write(header);
  for (size_t at = 0; at < csv.size(); at += 2048) {
    v1::UploadMisExportRequest chunk;
    chunk.mutable_chunk()->set_file_name("pupils.csv");
    chunk.mutable_chunk()->set_data(csv.substr(at, 2048));
    writer->Write(chunk);
  }
  writer->WritesDone();
  grpc::Status up = writer->Finish();
  EXPECT_TRUE(up.ok()) << up.error_message();
  EXPECT_EQ(snap.learner_count(), 200);
}

TEST(UploadLimitsTest, AtMost64FilesInOneUpload) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = HubAndSnapshots(server, t.school);
  Files files = Term1();
  for (int i = 0; files.size() < 65; ++i)
    files[absl::StrCat("extra", i, ".csv")] = "";
  Reply r = Upload(server, t.school, v1::MIS_FORMAT_ONEROSTER, files);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(r.status.error_message(), HasSubstr("more than 64 files"));
  EXPECT_EQ(HubAndSnapshots(server, t.school), before);
}

TEST(UploadLimitsTest, TotalBytesNameTheLimit) {
  Limits limits;
  limits.max_upload_bytes = 1000;
  TestServer server(limits);
  TwoTerms t = SetUpTwoTerms(server);
  const std::string before = HubAndSnapshots(server, t.school);
  Reply r = Upload(server, t.school, v1::MIS_FORMAT_ONEROSTER, Term1());
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(r.status.error_message(), HasSubstr("limit of 1000 bytes"));
  r = ImportHub(server, t.school,
                "forename,surname\n" + std::string(2000, 'x') + ",y\n");
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(r.status.error_message(), HasSubstr("limit of 1000 bytes"));
  EXPECT_EQ(HubAndSnapshots(server, t.school), before);
}

}  // namespace
}  // namespace hubsync::testing
