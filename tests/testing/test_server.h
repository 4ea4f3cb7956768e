// A real hubsync server on a temporary SQLite file, listening on loopback
// port 0, with stubs for every service. Restart() keeps the database.
//
// The stubs' calls carry the API key set by UseKey (through a client
// interceptor); it starts as an operator key minted for the test, and
// CreateSchool (sync_helpers.h) switches it to an admin key of the new
// school. RawChannel() carries no key, for tests of the credential checks.
#ifndef HUBSYNC_TESTS_TESTING_TEST_SERVER_H_
#define HUBSYNC_TESTS_TESTING_TEST_SERVER_H_

#include <memory>
#include <mutex>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "hubsync/v1/accounts.grpc.pb.h"
#include "hubsync/v1/admin.grpc.pb.h"
#include "hubsync/v1/hub.grpc.pb.h"
#include "hubsync/v1/keys.grpc.pb.h"
#include "hubsync/v1/mis.grpc.pb.h"
#include "hubsync/v1/sync.grpc.pb.h"
#include "server/service/server.h"
#include "tests/testing/fakes.h"

namespace hubsync::testing {

class TestServer {
 public:
  // max_desync_percent: the mass-desync guard's limit (hubsyncd's default).
  explicit TestServer(Limits limits = {}, double max_desync_percent = 10.0);
  ~TestServer();

  // Stops the server (as a shutdown would) and starts a new one on the same
  // database file, on a new port.
  void Restart();
  void Stop();

  const std::string& db_path() const { return db_path_; }

  // The key the stubs send from now on ("" = none).
  void UseKey(const std::string& key);
  const std::string& operator_key() const { return operator_key_; }
  std::string current_key() const;  // what UseKey set last
  // A new key of `role` for `school_id` ("" for operator), made through the
  // store as hubsyncd --init-operator-key would; returns the key string.
  std::string NewKey(const std::string& school_id, Role role,
                     const std::string& label = "test");
  std::shared_ptr<grpc::Channel> RawChannel();

  // The server's clock (it survives Restart).
  FakeClock& clock() { return clock_; }
  int port() const { return server_->port(); }
  Store* store() { return server_->store(); }

  v1::SchoolService::Stub& schools() { return *schools_; }
  v1::HubService::Stub& hub() { return *hub_; }
  v1::MisService::Stub& mis() { return *mis_; }
  v1::SyncService::Stub& sync() { return *sync_; }
  v1::AccountService::Stub& accounts() { return *accounts_; }
  v1::KeyService::Stub& keys() { return *keys_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }

 private:
  void StartServer();

  TempDir dir_;
  std::string db_path_;
  Limits limits_;
  double max_desync_percent_;
  FakeClock clock_;
  std::unique_ptr<HubsyncServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SchoolService::Stub> schools_;
  std::unique_ptr<v1::HubService::Stub> hub_;
  std::unique_ptr<v1::MisService::Stub> mis_;
  std::unique_ptr<v1::SyncService::Stub> sync_;
  std::unique_ptr<v1::AccountService::Stub> accounts_;
  std::unique_ptr<v1::KeyService::Stub> keys_;

 public:
  // Shared with the channel's interceptor.
  struct KeyBox {
    std::mutex mu;
    std::string key;
  };

 private:
  std::shared_ptr<KeyBox> key_box_ = std::make_shared<KeyBox>();
  std::string operator_key_;
};

// A client context with a 30 s deadline.
std::unique_ptr<grpc::ClientContext> Ctx();

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_TEST_SERVER_H_
