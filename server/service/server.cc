#include "server/service/server.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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

bool IsUnixSocket(const std::string& listen) {
  return absl::StartsWith(listen, "unix:") ||
         absl::StartsWith(listen, "unix-abstract:");
}

// HOST:PORT with PORT 0 to 65535 (gRPC would take 99999 modulo 65536 and
// serve on 34463). Unix socket addresses pass as they are.
absl::Status CheckListenAddress(const std::string& listen) {
  if (IsUnixSocket(listen)) return absl::OkStatus();
  const size_t colon = listen.rfind(':');
  const std::string port =
      colon == std::string::npos ? "" : listen.substr(colon + 1);
  uint32_t value = 0;
  const bool digits =
      !port.empty() && port.size() <= 5 &&
      std::all_of(port.begin(), port.end(), absl::ascii_isdigit);
  if (!digits || !absl::SimpleAtoi(port, &value) || value > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid port in --listen ", listen,
                     ": give HOST:PORT with PORT 0 to 65535 (0 picks a free "
                     "port)"));
  }
  return absl::OkStatus();
}

// Why `listen` (a HOST:PORT gRPC could not bind) cannot be bound: binds a
// socket there the way gRPC does (SO_REUSEADDR, no SO_REUSEPORT) and names
// the error, e.g. "address already in use". "" if that bind works.
std::string BindError(const std::string& listen) {
  if (IsUnixSocket(listen)) return "";
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(),
                                 port.c_str(), &hints, &found);
      rc != 0) {
    return gai_strerror(rc);
  }
  std::string error;
  for (addrinfo* a = found; a != nullptr && error.empty(); a = a->ai_next) {
    const int fd =
        socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno == EADDRINUSE      ? "address already in use"
              : errno == EADDRNOTAVAIL ? "not an address of this machine"
              : errno == EACCES        ? "permission denied"
                                       : strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(found);
  return error;
}

// PEM text parsed with OpenSSL, so that a file that is not what its flag
// says is refused by name at start-up (gRPC would only fail to start, or
// fail each handshake, without saying why).
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Bio MemoryBio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
             &BIO_free);
}

// The certificates in `pem`, first one first.
std::vector<X509Ptr> ReadCertificates(const std::string& pem) {
  std::vector<X509Ptr> certs;
  Bio bio = MemoryBio(pem);
  while (bio != nullptr) {
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    certs.emplace_back(cert, &X509_free);
  }
  ERR_clear_error();  // the end of the file is an "error" too
  return certs;
}

// Never asks for a passphrase (an encrypted key fails to read instead).
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::Status CheckTlsFiles(const ServerOptions& o, const std::string& cert_pem,
                           const std::string& key_pem,
                           const std::string* client_ca_pem) {
  std::vector<X509Ptr> certs = ReadCertificates(cert_pem);
  if (certs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-cert ", o.tls_cert_path, " holds no PEM certificate"));
  }
  Bio bio = MemoryBio(key_pem);
  KeyPtr key(bio == nullptr ? nullptr
                            : PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                                      &NoPassphrase, nullptr),
             &EVP_PKEY_free);
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key ", o.tls_key_path,
                     " holds no PEM private key (an encrypted key is not "
                     "supported)"));
  }
  const int matches = X509_check_private_key(certs.front().get(), key.get());
  ERR_clear_error();
  if (matches != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-cert ", o.tls_cert_path,
        " does not match the private key in --tls-key ", o.tls_key_path));
  }
  if (client_ca_pem != nullptr && ReadCertificates(*client_ca_pem).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-client-ca ", o.tls_client_ca_path, " holds no PEM certificate"));
  }
  return absl::OkStatus();
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
  if (absl::Status checked = CheckTlsFiles(
          o, *cert, *key,
          o.tls_client_ca_path.empty() ? nullptr : &ssl.pem_root_certs);
      !checked.ok()) {
    return checked;
  }
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<HubsyncServer>> HubsyncServer::Start(
    const ServerOptions& options) {
  if (absl::Status listen = CheckListenAddress(options.listen); !listen.ok()) {
    return listen;
  }
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
  s->retention_ = std::make_unique<RetentionSweeper>(s->store_.get(), clock,
                                                     options.retention);
  s->authorizer_ = std::make_unique<auth::Authorizer>(s->store_.get());
  absl::StatusOr<mail::TokenKey> token_key = mail::TokenKey::LoadOrCreate(
      options.token_key_path.empty() ? options.db_path + ".token-key"
                                     : options.token_key_path);
  if (!token_key.ok()) return token_key.status();
  s->throttle_ =
      std::make_unique<auth::LoginThrottle>(clock, options.login_throttle);
  if (options.mail_sender) {
    absl::StatusOr<std::unique_ptr<mail::MailSender>> sender =
        options.mail_sender();
    if (!sender.ok()) return sender.status();
    std::function<double()> random = options.random;
    if (!random) {
      // Called from the delivery worker's thread only.
      random = [engine = std::make_shared<std::mt19937_64>(
                    std::random_device{}())]() {
        return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
      };
    }
    s->delivery_ = std::make_unique<mail::DeliveryWorker>(
        s->store_.get(), *std::move(sender), *token_key, options.delivery,
        clock, std::move(random));
  }
  const auth::Authorizer* authz = s->authorizer_.get();
  s->schools_ = std::make_unique<SchoolServiceImpl>(s->store_.get(), authz);
  s->hub_ =
      std::make_unique<HubServiceImpl>(s->store_.get(), options.limits, authz);
  s->mis_ =
      std::make_unique<MisServiceImpl>(s->store_.get(), options.limits, authz);
  s->accounts_ = std::make_unique<AccountServiceImpl>(
      s->store_.get(), authz, s->delivery_.get(), *token_key,
      options.password_cost, s->throttle_.get());
  s->sync_ = std::make_unique<SyncServiceImpl>(
      s->sessions_.get(), s->store_.get(), authz, s->delivery_.get());
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
  // gRPC sets SO_REUSEPORT by default: a second server on the same port
  // would start and take a share of the connections (to its own database).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
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
    const std::string why = BindError(options.listen);
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.listen, why.empty() ? "" : ": ", why));
  }
  // Emails queued before a restart (or left "sending" by a crash) go out
  // from here on.
  if (s->delivery_ != nullptr) s->delivery_->Start();
  return s;
}

HubsyncServer::~HubsyncServer() { Shutdown(); }

std::shared_ptr<grpc::Channel> HubsyncServer::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

// Start may give up part way (the database or the address refused): only
// what was made is shut down.
void HubsyncServer::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (sessions_ != nullptr) sessions_->Shutdown();
  retention_.reset();
  if (delivery_ != nullptr) delivery_->Stop();
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(5));
    server_->Wait();
  }
}

void HubsyncServer::Wait() {
  if (server_ != nullptr) server_->Wait();
}

}  // namespace hubsync
