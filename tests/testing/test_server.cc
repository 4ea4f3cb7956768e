#include "tests/testing/test_server.h"

#include <chrono>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace hubsync::testing {

TestServer::TestServer(Limits limits, double max_desync_percent)
    : db_path_(dir_.File("hub.db")),
      limits_(limits),
      max_desync_percent_(max_desync_percent) {
  StartServer();
}

TestServer::~TestServer() { Stop(); }

void TestServer::StartServer() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.db_path = db_path_;
  options.limits = limits_;
  options.max_desync_percent = max_desync_percent_;
  options.clock = &clock_;
  auto server = HubsyncServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "test server: %s\n", server.status().ToString().c_str());
    std::abort();
  }
  server_ = *std::move(server);
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                 grpc::InsecureChannelCredentials());
  schools_ = v1::SchoolService::NewStub(channel_);
  hub_ = v1::HubService::NewStub(channel_);
  mis_ = v1::MisService::NewStub(channel_);
  sync_ = v1::SyncService::NewStub(channel_);
  accounts_ = v1::AccountService::NewStub(channel_);
}

void TestServer::Stop() {
  if (server_) {
    server_->Shutdown();
    server_.reset();
  }
}

void TestServer::Restart() {
  Stop();
  StartServer();
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

}  // namespace hubsync::testing
