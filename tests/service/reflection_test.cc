// Server reflection, as grpcurl uses it: grpc.reflection.v1 and v1alpha are
// both served, with no API key; the descriptors they send keep each field's
// json_name (grpcurl 1.8.5 prints `school_id` without it) and the .proto
// files' comments (what `grpcurl describe` shows), and come with the files
// they import.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/test_server.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
namespace pb = google::protobuf;

// Asks each request on one stream (as grpcurl does) and returns the replies.
template <typename Stub, typename Request, typename Response>
std::vector<Response> Ask(Stub& stub, const std::vector<Request>& requests) {
  grpc::ClientContext ctx;
  auto stream = stub.ServerReflectionInfo(&ctx);
  std::vector<Response> out;
  for (const Request& r : requests) {
    EXPECT_TRUE(stream->Write(r));
    Response resp;
    if (!stream->Read(&resp)) break;
    out.push_back(resp);
  }
  stream->WritesDone();
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.size(), requests.size());
  return out;
}

template <typename Response>
std::map<std::string, pb::FileDescriptorProto> Files(const Response& resp) {
  std::map<std::string, pb::FileDescriptorProto> files;
  for (const std::string& raw :
       resp.file_descriptor_response().file_descriptor_proto()) {
    pb::FileDescriptorProto f;
    EXPECT_TRUE(f.ParseFromString(raw));
    files[f.name()] = f;
  }
  return files;
}

const pb::FieldDescriptorProto* Field(const pb::FileDescriptorProto& file,
                                      const std::string& message,
                                      const std::string& field) {
  for (const auto& m : file.message_type()) {
    if (m.name() != message) continue;
    for (const auto& f : m.field()) {
      if (f.name() == field) return &f;
    }
  }
  return nullptr;
}

// Every comment attached to anything in the file, joined.
std::string Comments(const pb::FileDescriptorProto& file) {
  std::string out;
  for (const auto& loc : file.source_code_info().location()) {
    out += loc.leading_comments() + loc.trailing_comments();
  }
  return out;
}

template <typename Stub, typename Request, typename Response>
void CheckReflection(Stub& stub) {
  Request list;
  list.set_list_services("");
  Request symbol;
  symbol.set_file_containing_symbol("hubsync.v1.SyncService");
  Request method;
  method.set_file_containing_symbol("hubsync.v1.SchoolService.CreateSchool");
  Request health;
  health.set_file_containing_symbol("grpc.health.v1.Health");
  Request by_name;
  by_name.set_file_by_filename("hubsync/v1/admin.proto");
  Request missing;
  missing.set_file_containing_symbol("hubsync.v1.NoSuchService");
  Request numbers;
  numbers.set_all_extension_numbers_of_type("hubsync.v1.School");
  Request extension;
  extension.mutable_file_containing_extension()->set_containing_type(
      "hubsync.v1.School");
  extension.mutable_file_containing_extension()->set_extension_number(100);
  std::vector<Response> r = Ask<Stub, Request, Response>(
      stub,
      {list, symbol, method, health, by_name, missing, numbers, extension});
  ASSERT_EQ(r.size(), 8u);

  std::set<std::string> services;
  for (const auto& s : r[0].list_services_response().service()) {
    services.insert(s.name());
  }
  EXPECT_THAT(services,
              IsSupersetOf({"hubsync.v1.SchoolService", "hubsync.v1.HubService",
                            "hubsync.v1.MisService", "hubsync.v1.SyncService",
                            "hubsync.v1.AccountService",
                            "hubsync.v1.KeyService", "grpc.health.v1.Health",
                            "grpc.reflection.v1.ServerReflection",
                            "grpc.reflection.v1alpha.ServerReflection"}));

  // sync.proto, with what it imports (directly or not).
  auto sync = Files(r[1]);
  ASSERT_TRUE(sync.count("hubsync/v1/sync.proto"));
  EXPECT_TRUE(sync.count("hubsync/v1/mis.proto"));
  EXPECT_TRUE(sync.count("hubsync/v1/records.proto"));
  EXPECT_TRUE(sync.count("google/protobuf/timestamp.proto"));
  pb::FileDescriptorProto first;
  ASSERT_TRUE(first.ParseFromString(
      r[1].file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(first.name(), "hubsync/v1/sync.proto")
      << "the asked-for file comes first";
  // The documentation `grpcurl describe` prints.
  EXPECT_THAT(Comments(sync["hubsync/v1/sync.proto"]),
              HasSubstr("The pupil sync session: the steps and verbs"));
  EXPECT_THAT(Comments(sync["hubsync/v1/sync.proto"]),
              HasSubstr("Rows in batches as they are classified"));
  // json_name, as the API's JSON spells the field.
  const pb::FieldDescriptorProto* session_id =
      Field(sync["hubsync/v1/sync.proto"], "StartSessionRequest", "school_id");
  ASSERT_NE(session_id, nullptr);
  EXPECT_EQ(session_id->json_name(), "schoolId");

  // CreateSchool's file and the file of its reply (School), with json_name.
  auto admin = Files(r[2]);
  ASSERT_TRUE(admin.count("hubsync/v1/admin.proto"));
  ASSERT_TRUE(admin.count("hubsync/v1/records.proto"));
  const pb::FieldDescriptorProto* school_id =
      Field(admin["hubsync/v1/records.proto"], "School", "school_id");
  ASSERT_NE(school_id, nullptr);
  EXPECT_EQ(school_id->json_name(), "schoolId");
  const pb::FieldDescriptorProto* get_id =
      Field(admin["hubsync/v1/admin.proto"], "GetSchoolRequest", "school_id");
  ASSERT_NE(get_id, nullptr);
  EXPECT_EQ(get_id->json_name(), "schoolId");
  EXPECT_EQ(Files(r[4]).count("hubsync/v1/admin.proto"), 1u);

  EXPECT_TRUE(Files(r[3]).count("grpc/health/v1/health.proto"));

  EXPECT_EQ(r[5].error_response().error_code(),
            static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_THAT(r[5].error_response().error_message(),
              HasSubstr("hubsync.v1.NoSuchService"));
  EXPECT_EQ(r[5].original_request().file_containing_symbol(),
            "hubsync.v1.NoSuchService");

  EXPECT_EQ(r[6].all_extension_numbers_response().base_type_name(),
            "hubsync.v1.School");
  EXPECT_EQ(r[6].all_extension_numbers_response().extension_number_size(), 0);
  EXPECT_EQ(r[7].error_response().error_code(),
            static_cast<int>(grpc::StatusCode::NOT_FOUND));
}

TEST(ReflectionTest, V1KeepsJsonNamesCommentsAndImports) {
  TestServer server;
  auto stub = grpc::reflection::v1::ServerReflection::NewStub(
      server.RawChannel());  // no API key
  CheckReflection<grpc::reflection::v1::ServerReflection::Stub,
                  grpc::reflection::v1::ServerReflectionRequest,
                  grpc::reflection::v1::ServerReflectionResponse>(*stub);
}

TEST(ReflectionTest, V1AlphaKeepsJsonNamesCommentsAndImports) {
  TestServer server;
  auto stub =
      grpc::reflection::v1alpha::ServerReflection::NewStub(server.RawChannel());
  CheckReflection<grpc::reflection::v1alpha::ServerReflection::Stub,
                  grpc::reflection::v1alpha::ServerReflectionRequest,
                  grpc::reflection::v1alpha::ServerReflectionResponse>(*stub);
}

}  // namespace
}  // namespace hubsync::testing
