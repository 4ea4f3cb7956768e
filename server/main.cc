// hubsyncd: the hubsync server.
#include <semaphore.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/mime.h"
#include "common/read_file.h"
#include "server/auth/authorizer.h"
#include "server/mail/smtp.h"
#include "server/service/server.h"
#include "server/usage.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on; port 0 picks a free port (printed)");
ABSL_FLAG(std::string, db, "hubsync.db",
          "the SQLite database file (created if missing)");
ABSL_FLAG(int64_t, max_upload_bytes, int64_t{512} << 20,
          "largest accepted MIS export or learner CSV, all files together");
ABSL_FLAG(int64_t, max_upload_rows, 2'000'000,
          "most data rows in any one file of an upload");
ABSL_FLAG(int64_t, max_field_bytes, 256,
          "longest accepted value of any one field of an uploaded or pushed "
          "record");
ABSL_FLAG(int64_t, max_push_records, 2'000'000,
          "most learners and classes together in one PushMisRecords call");
ABSL_FLAG(int64_t, max_message_bytes, int64_t{64} << 20,
          "largest single gRPC message the server accepts");
ABSL_FLAG(std::string, tls_cert, "",
          "TLS: the server's certificate chain (PEM)");
ABSL_FLAG(std::string, tls_key, "", "TLS: the server's private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "TLS: require client certificates signed by this CA (PEM)");
ABSL_FLAG(bool, allow_plaintext_remote, false,
          "serve plaintext on a non-loopback address (only behind something "
          "that encrypts, e.g. a TLS-terminating proxy)");
ABSL_FLAG(
    bool, init_operator_key, false,
    "create the first operator API key, print it once on stdout, and exit; "
    "refuses if one exists");
ABSL_FLAG(bool, add_operator_key, false,
          "like --init-operator-key, but adds another even if one exists");
ABSL_FLAG(std::string, key_label, "first operator",
          "label of the key made by --init-operator-key / --add-operator-key");

ABSL_FLAG(double, max_desync_percent, 10.0,
          "a save that would desync more than this percentage of a school's "
          "synced learners is refused unless the admin confirms the count "
          "(0-100; 100 turns the guard off)");

ABSL_FLAG(int64_t, session_idle_seconds, 600,
          "an open sync session unused for this long leaves memory (rebuilt "
          "from the database when next used); 0 keeps it");
ABSL_FLAG(int64_t, session_memory_mb, 4096,
          "past this estimate of what all sync sessions hold in memory, the "
          "least recently used leave it (never one being classified or "
          "saved); 0: no cap");
ABSL_FLAG(int64_t, retention_days, 90,
          "archived learners, and what undoing a save needs, are kept this "
          "many days, then deleted for good (checked at start-up and every "
          "hour); 1 or more");
ABSL_FLAG(int32_t, classify_threads, 2,
          "sync sessions classify on this many worker threads; more wait "
          "their turn");

// Verification emails (docs/ACCOUNTS.md). Any flag may come from a file
// with --flagfile=FILE; the relay's password only ever from a file.
ABSL_FLAG(std::string, smtp_host, "",
          "the SMTP relay verification emails go to; empty: none are sent "
          "(they stay queued)");
ABSL_FLAG(int32_t, smtp_port, 0,
          "the relay's port; 0: 587 for starttls, 465 for tls, 25 for none");
ABSL_FLAG(std::string, smtp_security, "starttls",
          "starttls (required), tls (implicit, smtps) or none (loopback "
          "relays only, unless --smtp_allow_plaintext)");
ABSL_FLAG(std::string, smtp_user, "", "the relay's user name, if it needs one");
ABSL_FLAG(std::string, smtp_password_file, "",
          "a file holding the relay's password (never on the command line)");
ABSL_FLAG(std::string, smtp_ca_file, "",
          "PEM certificates to trust for the relay; empty: the system's");
ABSL_FLAG(bool, smtp_allow_plaintext, false,
          "allow --smtp_security=none to a relay that is not on loopback");
ABSL_FLAG(int32_t, smtp_timeout_seconds, 30,
          "the longest one message may take to hand over");
ABSL_FLAG(std::string, mail_from, "",
          "the sender of verification emails, e.g. no-reply@school.example "
          "(required with --smtp_host)");
ABSL_FLAG(std::string, mail_from_name, "Admin Hub",
          "the sender's display name");
ABSL_FLAG(std::string, verify_url,
          "https://accounts.hubsync.invalid/verify?token=",
          "the verification link: this, then the token");
ABSL_FLAG(int32_t, email_max_attempts, 8,
          "attempts at one email before it is marked failed");
ABSL_FLAG(double, email_retry_seconds, 30,
          "the wait before a second attempt; it doubles after each, with "
          "jitter of +-50%");
ABSL_FLAG(double, email_retry_max_seconds, 3600,
          "the longest wait between attempts");
ABSL_FLAG(int64_t, email_lease_seconds, 300,
          "an email left sending this long (the server died mid-attempt) is "
          "sent again");
ABSL_FLAG(double, email_rate_per_second, 20,
          "the most emails the server sends a second; 0: no limit");
ABSL_FLAG(int64_t, email_school_rate_per_minute, 600,
          "the most emails one school sends a minute; 0: no limit");
ABSL_FLAG(int64_t, token_ttl_days, 7,
          "how long a verification link and code work");
ABSL_FLAG(std::string, token_key_file, "",
          "the key verification tokens are derived from (created, mode 0600, "
          "if missing); empty: the database's path + .token-key");

namespace {
sem_t stop;
void OnSignal(int) { sem_post(&stop); }  // async-signal-safe

// Abseil flag names use '_'; accept the documented '-' spelling too
// (--tls-cert, --init-operator-key).
std::vector<char*> DashesToUnderscores(int argc, char** argv,
                                       std::vector<std::string>* storage) {
  storage->reserve(static_cast<size_t>(argc));
  std::vector<char*> out;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i > 0 && arg.rfind("--", 0) == 0 && arg.size() > 2) {
      const size_t end = std::min(arg.find('='), arg.size());
      for (size_t j = 2; j < end; ++j) {
        if (arg[j] == '-') arg[j] = '_';
      }
    }
    storage->push_back(std::move(arg));
    out.push_back(storage->back().data());
  }
  return out;
}

int MakeOperatorKey(const std::string& db_path, bool another) {
  auto store = hubsync::Store::Open(db_path, hubsync::Clock::Real(),
                                    hubsync::IdGenerator::Real());
  if (!store.ok()) {
    std::fprintf(stderr, "hubsyncd: %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto key =
      hubsync::auth::InitOperatorKey(store->get(), hubsync::Clock::Real(),
                                     absl::GetFlag(FLAGS_key_label), another);
  if (!key.ok()) {
    std::fprintf(stderr, "hubsyncd: %s\n", key.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr,
               "hubsyncd: operator key %s created in %s. It is shown once, "
               "below; keep it secret (e.g. export HUBSYNC_API_KEY=...).\n",
               key->record.id.c_str(), db_path.c_str());
  std::printf("%s\n", key->secret.c_str());
  return 0;
}

// The verification emails' flags into `options`: the relay (checked here, so
// that a wrong flag stops the start), the sender, the worker's limits.
absl::Status MailOptions(hubsync::ServerOptions* options) {
  options->token_key_path = absl::GetFlag(FLAGS_token_key_file);
  const int64_t ttl_days = absl::GetFlag(FLAGS_token_ttl_days);
  if (ttl_days < 1 || ttl_days > 365) {
    return absl::InvalidArgumentError("--token_ttl_days must be 1 to 365");
  }
  hubsync::mail::DeliveryOptions& d = options->delivery;
  d.token_ttl_seconds = ttl_days * 86400;
  d.link_base = absl::GetFlag(FLAGS_verify_url);
  d.max_attempts = absl::GetFlag(FLAGS_email_max_attempts);
  d.retry_base_seconds = absl::GetFlag(FLAGS_email_retry_seconds);
  d.retry_max_seconds = absl::GetFlag(FLAGS_email_retry_max_seconds);
  d.lease_seconds = absl::GetFlag(FLAGS_email_lease_seconds);
  d.max_per_second = absl::GetFlag(FLAGS_email_rate_per_second);
  d.max_per_school_minute = absl::GetFlag(FLAGS_email_school_rate_per_minute);
  if (d.max_attempts < 1 || d.max_attempts > 100 ||
      !(d.retry_base_seconds > 0) ||
      !(d.retry_max_seconds >= d.retry_base_seconds) || d.lease_seconds < 1 ||
      !(d.max_per_second >= 0) || d.max_per_school_minute < 0) {
    return absl::InvalidArgumentError(
        "--email_max_attempts must be 1 to 100, --email_retry_seconds more "
        "than 0 and at most --email_retry_max_seconds, --email_lease_seconds "
        "1 or more, the rates 0 or more");
  }
  const std::string host = absl::GetFlag(FLAGS_smtp_host);
  if (host.empty()) return absl::OkStatus();
  hubsync::mail::SmtpOptions smtp;
  smtp.host = host;
  smtp.port = absl::GetFlag(FLAGS_smtp_port);
  absl::StatusOr<hubsync::mail::SmtpOptions::Security> security =
      hubsync::mail::ParseSmtpSecurity(absl::GetFlag(FLAGS_smtp_security));
  if (!security.ok()) return security.status();
  smtp.security = *security;
  smtp.username = absl::GetFlag(FLAGS_smtp_user);
  const std::string password_file = absl::GetFlag(FLAGS_smtp_password_file);
  if (!password_file.empty()) {
    absl::StatusOr<std::string> password =
        hubsync::ReadFileToString(password_file);
    if (!password.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--smtp_password_file ", password_file, ": cannot read it"));
    }
    smtp.password = std::string(absl::StripTrailingAsciiWhitespace(*password));
  }
  smtp.ca_file = absl::GetFlag(FLAGS_smtp_ca_file);
  smtp.allow_plaintext = absl::GetFlag(FLAGS_smtp_allow_plaintext);
  smtp.timeout_seconds = absl::GetFlag(FLAGS_smtp_timeout_seconds);
  if (absl::Status valid = hubsync::mail::ValidateSmtpOptions(smtp);
      !valid.ok()) {
    return valid;
  }
  d.from.address = absl::GetFlag(FLAGS_mail_from);
  d.from.name = absl::GetFlag(FLAGS_mail_from_name);
  if (!hubsync::IsPlausibleMailAddress(d.from.address)) {
    return absl::InvalidArgumentError(
        "--mail_from must be the sender's email address (with --smtp_host)");
  }
  options->mail_sender = [smtp] {
    return hubsync::mail::NewCurlSmtpSender(smtp);
  };
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "hubsyncd --listen 127.0.0.1:50051 --db hubsync.db "
      "[--tls-cert F --tls-key F [--tls-client-ca F]]\n"
      "hubsyncd --db hubsync.db --init-operator-key\n"
      "Serves the hubsync.v1 API (reflection and grpc.health.v1 included).\n"
      "Every call but health and reflection needs an API key "
      "(docs/SECURITY.md).");
  if (int code = hubsync::PrintHelpOrVersion(argc, argv, __FILE__); code >= 0) {
    return code;
  }
  std::vector<std::string> storage;
  std::vector<char*> args = DashesToUnderscores(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  if (absl::GetFlag(FLAGS_init_operator_key) ||
      absl::GetFlag(FLAGS_add_operator_key)) {
    return MakeOperatorKey(absl::GetFlag(FLAGS_db),
                           absl::GetFlag(FLAGS_add_operator_key));
  }
  hubsync::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.db_path = absl::GetFlag(FLAGS_db);
  options.tls_cert_path = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_path = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_path = absl::GetFlag(FLAGS_tls_client_ca);
  options.allow_plaintext_remote = absl::GetFlag(FLAGS_allow_plaintext_remote);
  struct LimitFlag {
    const char* name;
    int64_t value;
    int64_t most;
    size_t* out;
  };
  const LimitFlag limits[] = {
      {"max_upload_bytes", absl::GetFlag(FLAGS_max_upload_bytes),
       int64_t{1} << 40, &options.limits.max_upload_bytes},
      {"max_upload_rows", absl::GetFlag(FLAGS_max_upload_rows),
       int64_t{1} << 40, &options.limits.max_upload_rows},
      {"max_field_bytes", absl::GetFlag(FLAGS_max_field_bytes),
       int64_t{1} << 20, &options.limits.max_field_bytes},
      {"max_push_records", absl::GetFlag(FLAGS_max_push_records),
       int64_t{1} << 40, &options.limits.max_push_records},
      {"max_message_bytes", absl::GetFlag(FLAGS_max_message_bytes),
       int64_t{INT32_MAX}, &options.limits.max_message_bytes},
  };
  for (const LimitFlag& f : limits) {
    if (f.value <= 0 || f.value > f.most) {
      std::fprintf(stderr, "hubsyncd: --%s must be 1 to %lld, not %lld\n",
                   f.name, static_cast<long long>(f.most),
                   static_cast<long long>(f.value));
      return 2;
    }
    *f.out = static_cast<size_t>(f.value);
  }
  const double max_desync = absl::GetFlag(FLAGS_max_desync_percent);
  if (!(max_desync >= 0 && max_desync <= 100)) {
    std::fprintf(stderr,
                 "hubsyncd: --max_desync_percent must be between 0 and 100\n");
    return 2;
  }
  options.max_desync_percent = max_desync;
  const int64_t idle = absl::GetFlag(FLAGS_session_idle_seconds);
  const int64_t memory_mb = absl::GetFlag(FLAGS_session_memory_mb);
  const int32_t threads = absl::GetFlag(FLAGS_classify_threads);
  if (idle < 0 || memory_mb < 0 || memory_mb > (int64_t{1} << 30) ||
      threads < 1 || threads > 256) {
    std::fprintf(stderr,
                 "hubsyncd: --session_idle_seconds and --session_memory_mb "
                 "must be 0 or more (memory at most 2^30), --classify_threads "
                 "1 to 256\n");
    return 2;
  }
  options.session_memory.idle_seconds = idle;
  options.session_memory.memory_bytes = memory_mb << 20;
  options.session_memory.classify_threads = threads;
  const int64_t retention_days = absl::GetFlag(FLAGS_retention_days);
  if (retention_days < 1 || retention_days > 36500) {
    std::fprintf(stderr, "hubsyncd: --retention_days must be 1 to 36500\n");
    return 2;
  }
  options.retention.days = retention_days;
  if (absl::Status mail = MailOptions(&options); !mail.ok()) {
    std::fprintf(stderr, "hubsyncd: %s\n", std::string(mail.message()).c_str());
    return 2;
  }

  sem_init(&stop, 0, 0);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  auto server = hubsync::HubsyncServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "hubsyncd: %s\n", server.status().ToString().c_str());
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::printf("hubsyncd listening on %s:%d (database %s, %s)\n", host.c_str(),
              (*server)->port(), options.db_path.c_str(),
              options.tls_cert_path.empty() ? "plaintext" : "TLS");
  std::fflush(stdout);
  while (sem_wait(&stop) != 0) {
  }
  std::printf("hubsyncd: shutting down\n");
  std::fflush(stdout);
  (*server)->Shutdown();
  return 0;
}
