#include "server/service/reflection.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.pb.h"

namespace hubsync {

// Written by server/service/embed_bytes.cmake from protoc's
// --descriptor_set_out (CMakeLists.txt).
extern const unsigned char kApiDescriptorSet[];
extern const size_t kApiDescriptorSetSize;

namespace {

namespace pb = google::protobuf;

// Adds `file` and, after it, every file it imports (directly or not) that
// is not in `sent` yet.
void AddFileAndImports(const ApiDescriptors& d, const pb::FileDescriptor* file,
                       std::set<std::string>* sent,
                       std::vector<const std::string*>* out) {
  if (!sent->insert(file->name()).second) return;
  const std::string* bytes = d.FileBytes(file->name());
  if (bytes != nullptr) out->push_back(bytes);
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddFileAndImports(d, file->dependency(i), sent, out);
  }
}

// One reply to one request; the same for v1 and v1alpha, whose messages
// have the same fields.
template <typename Request, typename Response>
void Answer(const ApiDescriptors& d, const Request& req, Response* resp) {
  resp->set_valid_host(req.host());
  *resp->mutable_original_request() = req;
  const pb::DescriptorPool& pool = d.pool();
  auto not_found = [&](const std::string& what) {
    resp->mutable_error_response()->set_error_code(
        static_cast<int>(grpc::StatusCode::NOT_FOUND));
    resp->mutable_error_response()->set_error_message(what);
  };
  auto send_file = [&](const pb::FileDescriptor* file) {
    std::set<std::string> sent;
    std::vector<const std::string*> files;
    AddFileAndImports(d, file, &sent, &files);
    auto* fd = resp->mutable_file_descriptor_response();
    for (const std::string* f : files) fd->add_file_descriptor_proto(*f);
  };
  switch (req.message_request_case()) {
    case Request::kFileByFilename: {
      const pb::FileDescriptor* file =
          pool.FindFileByName(req.file_by_filename());
      if (file == nullptr) {
        return not_found(absl::StrCat("no file ", req.file_by_filename()));
      }
      return send_file(file);
    }
    case Request::kFileContainingSymbol: {
      const pb::FileDescriptor* file =
          pool.FindFileContainingSymbol(req.file_containing_symbol());
      if (file == nullptr) {
        return not_found(
            absl::StrCat("no symbol ", req.file_containing_symbol()));
      }
      return send_file(file);
    }
    case Request::kFileContainingExtension: {
      const auto& ext = req.file_containing_extension();
      const pb::Descriptor* type =
          pool.FindMessageTypeByName(ext.containing_type());
      if (type == nullptr) {
        return not_found(absl::StrCat("no type ", ext.containing_type()));
      }
      const pb::FieldDescriptor* field =
          pool.FindExtensionByNumber(type, ext.extension_number());
      if (field == nullptr) {
        return not_found(absl::StrCat("no extension ", ext.extension_number(),
                                      " of ", ext.containing_type()));
      }
      return send_file(field->file());
    }
    case Request::kAllExtensionNumbersOfType: {
      const pb::Descriptor* type =
          pool.FindMessageTypeByName(req.all_extension_numbers_of_type());
      if (type == nullptr) {
        return not_found(
            absl::StrCat("no type ", req.all_extension_numbers_of_type()));
      }
      std::vector<const pb::FieldDescriptor*> extensions;
      pool.FindAllExtensions(type, &extensions);
      auto* numbers = resp->mutable_all_extension_numbers_response();
      numbers->set_base_type_name(type->full_name());
      std::vector<int> sorted;
      for (const pb::FieldDescriptor* f : extensions) {
        sorted.push_back(f->number());
      }
      std::sort(sorted.begin(), sorted.end());
      for (int n : sorted) numbers->add_extension_number(n);
      return;
    }
    case Request::kListServices: {
      auto* list = resp->mutable_list_services_response();
      for (const std::string& s : d.services())
        list->add_service()->set_name(s);
      return;
    }
    default:
      resp->mutable_error_response()->set_error_code(
          static_cast<int>(grpc::StatusCode::UNIMPLEMENTED));
      resp->mutable_error_response()->set_error_message(
          "the request names no known reflection question");
      return;
  }
}

template <typename Request, typename Response>
grpc::Status Serve(const ApiDescriptors& d,
                   grpc::ServerReaderWriter<Response, Request>* stream) {
  Request req;
  while (stream->Read(&req)) {
    Response resp;
    Answer(d, req, &resp);
    if (!stream->Write(resp)) break;
  }
  return grpc::Status::OK;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ApiDescriptors>> ApiDescriptors::Embedded() {
  return FromSet(std::string(reinterpret_cast<const char*>(kApiDescriptorSet),
                             kApiDescriptorSetSize));
}

absl::StatusOr<std::unique_ptr<ApiDescriptors>> ApiDescriptors::FromSet(
    const std::string& serialized) {
  pb::FileDescriptorSet set;
  if (!set.ParseFromString(serialized)) {
    return absl::InternalError("the API's descriptor set does not parse");
  }
  std::unique_ptr<ApiDescriptors> d(new ApiDescriptors);
  // protoc writes each file after the files it imports.
  for (const pb::FileDescriptorProto& file : set.file()) {
    const pb::FileDescriptor* built = d->pool_.BuildFile(file);
    if (built == nullptr) {
      return absl::InternalError(
          absl::StrCat("the API's descriptor set: cannot build ", file.name()));
    }
    d->files_[file.name()] = file.SerializeAsString();
    for (int i = 0; i < built->service_count(); ++i) {
      d->services_.push_back(built->service(i)->full_name());
    }
  }
  std::sort(d->services_.begin(), d->services_.end());
  return d;
}

const std::string* ApiDescriptors::FileBytes(const std::string& name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

grpc::Status ReflectionV1Service::ServerReflectionInfo(
    grpc::ServerContext*,
    grpc::ServerReaderWriter<grpc::reflection::v1::ServerReflectionResponse,
                             grpc::reflection::v1::ServerReflectionRequest>*
        stream) {
  return Serve(*d_, stream);
}

grpc::Status ReflectionV1AlphaService::ServerReflectionInfo(
    grpc::ServerContext*,
    grpc::ServerReaderWriter<
        grpc::reflection::v1alpha::ServerReflectionResponse,
        grpc::reflection::v1alpha::ServerReflectionRequest>* stream) {
  return Serve(*d_, stream);
}

}  // namespace hubsync
