#include "server/service/server.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
// Linked in so that reflection can describe grpc.health.v1.Health.
#include "grpc/health/v1/health.pb.h"

namespace hubsync {

absl::StatusOr<std::unique_ptr<HubsyncServer>> HubsyncServer::Start(
    const ServerOptions& options) {
  std::unique_ptr<HubsyncServer> s(new HubsyncServer);
  Clock* clock = options.clock ? options.clock : Clock::Real();
  IdGenerator* ids = options.ids ? options.ids : IdGenerator::Real();
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(options.db_path, clock, ids);
  if (!store.ok()) return store.status();
  s->store_ = *std::move(store);
  s->sessions_ = std::make_unique<SessionManager>(
      s->store_.get(), clock, options.classify, options.max_desync_percent);
  s->schools_ = std::make_unique<SchoolServiceImpl>(s->store_.get());
  s->hub_ = std::make_unique<HubServiceImpl>(s->store_.get(), options.limits);
  s->mis_ = std::make_unique<MisServiceImpl>(s->store_.get(), options.limits);
  s->accounts_ = std::make_unique<AccountServiceImpl>(s->store_.get());
  s->sync_ = std::make_unique<SyncServiceImpl>(s->sessions_.get());

  // Make sure the health descriptors are in the generated pool.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &s->port_);
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(std::min<size_t>(options.limits.max_message_bytes, INT32_MAX)));
  builder.RegisterService(s->schools_.get());
  builder.RegisterService(s->hub_.get());
  builder.RegisterService(s->mis_.get());
  builder.RegisterService(s->accounts_.get());
  builder.RegisterService(s->sync_.get());
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
