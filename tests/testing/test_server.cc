#include "tests/testing/test_server.h"

#include <chrono>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"
#include "server/auth/authorizer.h"
#include "server/auth/keys.h"

namespace hubsync::testing {
namespace {

namespace exp = grpc::experimental;

// Adds "authorization: Bearer <key>" to every call, with the key of the
// moment (so a test can switch keys without new stubs).
class KeyInterceptor : public exp::Interceptor {
 public:
  explicit KeyInterceptor(std::shared_ptr<TestServer::KeyBox> box)
      : box_(std::move(box)) {}
  void Intercept(exp::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            exp::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::string key;
      {
        std::lock_guard<std::mutex> lock(box_->mu);
        key = box_->key;
      }
      if (!key.empty()) {
        methods->GetSendInitialMetadata()->insert(
            {"authorization", "Bearer " + key});
      }
    }
    methods->Proceed();
  }

 private:
  std::shared_ptr<TestServer::KeyBox> box_;
};

class KeyInterceptorFactory : public exp::ClientInterceptorFactoryInterface {
 public:
  explicit KeyInterceptorFactory(std::shared_ptr<TestServer::KeyBox> box)
      : box_(std::move(box)) {}
  exp::Interceptor* CreateClientInterceptor(exp::ClientRpcInfo*) override {
    return new KeyInterceptor(box_);
  }

 private:
  std::shared_ptr<TestServer::KeyBox> box_;
};

}  // namespace

TestServer::TestServer(Limits limits, double max_desync_percent)
    : db_path_(dir_.File("hub.db")),
      limits_(limits),
      max_desync_percent_(max_desync_percent) {
  StartServer();
  absl::StatusOr<auth::NewKey> op = auth::InitOperatorKey(
      store(), &clock_, "test operator", /*another=*/true);
  if (!op.ok()) {
    std::fprintf(stderr, "test server: %s\n", op.status().ToString().c_str());
    std::abort();
  }
  operator_key_ = op->secret;
  UseKey(operator_key_);
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
    std::fprintf(stderr, "test server: %s\n",
                 server.status().ToString().c_str());
    std::abort();
  }
  server_ = *std::move(server);
  std::vector<std::unique_ptr<exp::ClientInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<KeyInterceptorFactory>(key_box_));
  channel_ = exp::CreateCustomChannelWithInterceptors(
      absl::StrCat("127.0.0.1:", server_->port()),
      grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
      std::move(creators));
  schools_ = v1::SchoolService::NewStub(channel_);
  hub_ = v1::HubService::NewStub(channel_);
  mis_ = v1::MisService::NewStub(channel_);
  sync_ = v1::SyncService::NewStub(channel_);
  accounts_ = v1::AccountService::NewStub(channel_);
  keys_ = v1::KeyService::NewStub(channel_);
}

void TestServer::UseKey(const std::string& key) {
  std::lock_guard<std::mutex> lock(key_box_->mu);
  key_box_->key = key;
}

std::string TestServer::current_key() const {
  std::lock_guard<std::mutex> lock(key_box_->mu);
  return key_box_->key;
}

std::string TestServer::NewKey(const std::string& school_id, Role role,
                               const std::string& label) {
  ApiKeyRecord record;
  record.school_id = school_id;
  record.role = role;
  record.label = label;
  record.create_time_unix = clock_.NowUnixSeconds();
  auth::NewKey key = auth::MakeKey(std::move(record));
  absl::Status s = store()->CreateApiKey(key.record);
  if (!s.ok()) {
    std::fprintf(stderr, "test server: %s\n", s.ToString().c_str());
    std::abort();
  }
  return key.secret;
}

std::shared_ptr<grpc::Channel> TestServer::RawChannel() {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                             grpc::InsecureChannelCredentials());
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
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(30));
  return ctx;
}

}  // namespace hubsync::testing
