#include "server/service/server.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/read_file.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace hubsync {
namespace {

// "127.0.0.1:50051", "localhost:0", "[::1]:50051" are loopback; "0.0.0.0",
// "[::]" and every other address are not.
bool IsLoopback(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& o) {
  const bool tls = !o.tls_cert_path.empty() || !o.tls_key_path.empty() ||
                   !o.tls_client_ca_path.empty();
  if (!tls) {
    if (!IsLoopback(o.listen) && !o.allow_plaintext_remote) {
      return absl::FailedPreconditionError(
          absl::StrCat("refusing to serve plaintext on ", o.listen,
                       ", which is not a loopback address: give --tls-cert and "
                       "--tls-key, or "
                       "pass --allow-plaintext-remote if something else "
                       "encrypts the traffic"));
    }
    return grpc::InsecureServerCredentials();
  }
  if (o.tls_cert_path.empty() || o.tls_key_path.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both --tls-cert and --tls-key");
  }
  absl::StatusOr<std::string> cert = ReadPemFile(o.tls_cert_path, "--tls-cert");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFile(o.tls_key_path, "--tls-key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!o.tls_client_ca_path.empty()) {
    absl::StatusOr<std::string> ca =
        ReadPemFile(o.tls_client_ca_path, "--tls-client-ca");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<HubsyncServer>> HubsyncServer::Start(
    const ServerOptions& options) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      Credentials(options);
  if (!credentials.ok()) return credentials.status();
  std::unique_ptr<HubsyncServer> s(new HubsyncServer);
  Clock* clock = options.clock ? options.clock : Clock::Real();
  IdGenerator* ids = options.ids ? options.ids : IdGenerator::Real();
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(options.db_path, clock, ids);
  if (!store.ok()) return store.status();
  s->store_ = *std::move(store);
  s->sessions_ = std::make_unique<SessionManager>(
      s->store_.get(), clock, options.classify, options.max_desync_percent,
      options.session_memory);
  s->authorizer_ = std::make_unique<auth::Authorizer>(s->store_.get());
  const auth::Authorizer* authz = s->authorizer_.get();
  s->schools_ = std::make_unique<SchoolServiceImpl>(s->store_.get(), authz);
  s->hub_ =
      std::make_unique<HubServiceImpl>(s->store_.get(), options.limits, authz);
  s->mis_ =
      std::make_unique<MisServiceImpl>(s->store_.get(), options.limits, authz);
  s->accounts_ = std::make_unique<AccountServiceImpl>(s->store_.get(), authz);
  s->sync_ = std::make_unique<SyncServiceImpl>(s->sessions_.get(), authz);
  s->keys_ = std::make_unique<KeyServiceImpl>(s->store_.get(), clock, authz);

  // Reflection from protoc's descriptor set (reflection.h), not gRPC's
  // plugin: it keeps json_name and the comments.
  absl::StatusOr<std::unique_ptr<ApiDescriptors>> descriptors =
      ApiDescriptors::Embedded();
  if (!descriptors.ok()) return descriptors.status();
  s->descriptors_ = *std::move(descriptors);
  s->reflection_v1_ =
      std::make_unique<ReflectionV1Service>(s->descriptors_.get());
  s->reflection_v1alpha_ =
      std::make_unique<ReflectionV1AlphaService>(s->descriptors_.get());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &s->port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(
      std::min<size_t>(options.limits.max_message_bytes, INT32_MAX)));
  builder.RegisterService(s->schools_.get());
  builder.RegisterService(s->hub_.get());
  builder.RegisterService(s->mis_.get());
  builder.RegisterService(s->accounts_.get());
  builder.RegisterService(s->sync_.get());
  builder.RegisterService(s->keys_.get());
  builder.RegisterService(s->reflection_v1_.get());
  builder.RegisterService(s->reflection_v1alpha_.get());
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen));
  }
  return s;
}

HubsyncServer::~HubsyncServer() { Shutdown(); }

std::shared_ptr<grpc::Channel> HubsyncServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

void HubsyncServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  sessions_->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server_->Wait();
}

void HubsyncServer::Wait() { server_->Wait(); }

}  // namespace hubsync
