// A running hubsync server: store, session manager, services, reflection
// and health. Used by main.cc and by in-process tests.
#ifndef HUBSYNC_SERVER_SERVICE_SERVER_H_
#define HUBSYNC_SERVER_SERVICE_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "server/service/reflection.h"
#include "server/service/retention.h"
#include "server/service/services.h"

namespace hubsync {

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // port 0 picks a free port
  std::string db_path = "hubsync.db";
  // TLS: PEM files. With a client CA, clients must present a certificate it
  // signed. Without cert and key the server speaks plaintext, and then only
  // on a loopback address unless allow_plaintext_remote.
  std::string tls_cert_path;
  std::string tls_key_path;
  std::string tls_client_ca_path;
  bool allow_plaintext_remote = false;
  Limits limits;
  Clock* clock = nullptr;      // default: the real clock
  IdGenerator* ids = nullptr;  // default: random ids
  // What sessions classify with (default: Classify); the benchmark's
  // load-and-stream baseline passes UnclassifiedRows.
  ClassifyFn classify;
  // Save refuses, unless confirmed, to desync more than this share of a
  // school's synced learners (hubsyncd --max_desync_percent).
  double max_desync_percent = 10.0;
  // How much memory sessions may hold, and the classification pool
  // (hubsyncd --session_idle_seconds, --session_memory_mb,
  // --classify_threads; docs/ARCHITECTURE.md, "Session memory").
  SessionMemoryOptions session_memory;
  // How long archived learners are kept before they are purged (hubsyncd
  // --retention_days); purged at start-up and every hour.
  RetentionOptions retention;
  // Verification emails and learner accounts (docs/ACCOUNTS.md).
  // `mail_sender` makes the relay's sender for the delivery worker; unset,
  // nothing is sent and the emails stay queued (hubsyncd without
  // --smtp_host).
  std::function<absl::StatusOr<std::unique_ptr<mail::MailSender>>()>
      mail_sender;
  mail::DeliveryOptions delivery;
  std::string token_key_path;  // "": the database's path + ".token-key"
  auth::PasswordCost password_cost;
  auth::LoginThrottle::Options login_throttle;
  std::function<double()> random;  // the backoff's jitter; default: random
};

class HubsyncServer {
 public:
  // Opens the database and starts serving. FAILED_PRECONDITION/UNAVAILABLE
  // if the database cannot be opened or the address cannot be bound;
  // INVALID_ARGUMENT for unreadable or incomplete TLS files;
  // FAILED_PRECONDITION for plaintext on a non-loopback address.
  // Every RPC but health and reflection needs an API key.
  static absl::StatusOr<std::unique_ptr<HubsyncServer>> Start(
      const ServerOptions& options);
  ~HubsyncServer();

  int port() const { return port_; }
  std::shared_ptr<grpc::Channel> InProcessChannel();
  Store* store() { return store_.get(); }

  // Ends streams, stops accepting calls, and waits for running ones.
  void Shutdown();
  void Wait();

 private:
  HubsyncServer() = default;

  std::unique_ptr<Store> store_;
  std::unique_ptr<SessionManager> sessions_;
  std::unique_ptr<RetentionSweeper> retention_;
  std::unique_ptr<auth::LoginThrottle> throttle_;
  std::unique_ptr<mail::DeliveryWorker> delivery_;
  std::unique_ptr<auth::Authorizer> authorizer_;
  std::unique_ptr<KeyServiceImpl> keys_;
  std::unique_ptr<SchoolServiceImpl> schools_;
  std::unique_ptr<HubServiceImpl> hub_;
  std::unique_ptr<MisServiceImpl> mis_;
  std::unique_ptr<AccountServiceImpl> accounts_;
  std::unique_ptr<SyncServiceImpl> sync_;
  std::unique_ptr<ApiDescriptors> descriptors_;
  std::unique_ptr<ReflectionV1Service> reflection_v1_;
  std::unique_ptr<ReflectionV1AlphaService> reflection_v1alpha_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SERVICE_SERVER_H_
