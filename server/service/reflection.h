// Server reflection (grpc.reflection.v1 and v1alpha), answered from the
// descriptor set protoc wrote at build time (--include_imports
// --include_source_info, embedded in the binary; CMakeLists.txt) rather than
// from the descriptors compiled into the C++ code, which lose each field's
// json_name and every comment. So grpcurl prints `schoolId` as the API's JSON
// does, and `grpcurl describe` shows the .proto files' documentation.
//
// It describes the hubsync.v1 services, grpc.health.v1.Health and both
// reflection services: list_services, file_by_filename,
// file_containing_symbol, file_containing_extension and
// all_extension_numbers_of_type. A file is sent with every file it imports,
// directly or not, as gRPC's own reflection does. Needs no API key.
#ifndef HUBSYNC_SERVER_SERVICE_REFLECTION_H_
#define HUBSYNC_SERVER_SERVICE_REFLECTION_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace hubsync {

// The parsed descriptor set: each file's bytes as protoc wrote them, and a
// pool built from them for symbol lookups.
class ApiDescriptors {
 public:
  // From the embedded set. INTERNAL if it does not parse or build (a broken
  // build).
  static absl::StatusOr<std::unique_ptr<ApiDescriptors>> Embedded();
  // From a serialized google.protobuf.FileDescriptorSet.
  static absl::StatusOr<std::unique_ptr<ApiDescriptors>> FromSet(
      const std::string& serialized);

  const google::protobuf::DescriptorPool& pool() const { return pool_; }
  // The serialized FileDescriptorProto of `name`, or nullptr.
  const std::string* FileBytes(const std::string& name) const;
  // Every service the set defines, by full name, sorted.
  const std::vector<std::string>& services() const { return services_; }

 private:
  ApiDescriptors() = default;
  google::protobuf::DescriptorPool pool_;
  std::map<std::string, std::string> files_;
  std::vector<std::string> services_;
};

class ReflectionV1Service final
    : public grpc::reflection::v1::ServerReflection::Service {
 public:
  explicit ReflectionV1Service(const ApiDescriptors* d) : d_(d) {}
  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                               grpc::reflection::v1::ServerReflectionRequest>*
          stream) override;

 private:
  const ApiDescriptors* d_;
};

class ReflectionV1AlphaService final
    : public grpc::reflection::v1alpha::ServerReflection::Service {
 public:
  explicit ReflectionV1AlphaService(const ApiDescriptors* d) : d_(d) {}
  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<
          grpc::reflection::v1alpha::ServerReflectionResponse,
          grpc::reflection::v1alpha::ServerReflectionRequest>* stream) override;

 private:
  const ApiDescriptors* d_;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_REFLECTION_H_
