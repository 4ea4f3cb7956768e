// hubsyncd: the hubsync server.
#include <csignal>
#include <cstdio>
#include <semaphore.h>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "server/service/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "address to listen on; port 0 picks a free port (printed)");
ABSL_FLAG(std::string, db, "hubsync.db",
          "the SQLite database file (created if missing)");
ABSL_FLAG(int64_t, max_upload_bytes, int64_t{512} << 20,
          "largest accepted MIS export or learner CSV, all files together");

ABSL_FLAG(double, max_desync_percent, 10.0,
          "a save that would desync more than this percentage of a school's "
          "synced learners is refused unless the admin confirms the count "
          "(0-100; 100 turns the guard off)");

namespace {
sem_t stop;
void OnSignal(int) { sem_post(&stop); }  // async-signal-safe
}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "hubsyncd --listen 127.0.0.1:50051 --db hubsync.db\n"
      "Serves the hubsync.v1 API (reflection and grpc.health.v1 included).");
  absl::ParseCommandLine(argc, argv);
  hubsync::ServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.db_path = absl::GetFlag(FLAGS_db);
  if (absl::GetFlag(FLAGS_max_upload_bytes) <= 0) {
    std::fprintf(stderr, "hubsyncd: --max_upload_bytes must be positive\n");
    return 2;
  }
  options.limits.max_upload_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_upload_bytes));
  const double max_desync = absl::GetFlag(FLAGS_max_desync_percent);
  if (!(max_desync >= 0 && max_desync <= 100)) {
    std::fprintf(stderr,
                 "hubsyncd: --max_desync_percent must be between 0 and 100\n");
    return 2;
  }
  options.max_desync_percent = max_desync;

  sem_init(&stop, 0, 0);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  auto server = hubsync::HubsyncServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "hubsyncd: %s\n", server.status().ToString().c_str());
    return 1;
  }
  const std::string host = options.listen.substr(0, options.listen.rfind(':'));
  std::printf("hubsyncd listening on %s:%d (database %s)\n", host.c_str(),
              (*server)->port(), options.db_path.c_str());
  std::fflush(stdout);
  while (sem_wait(&stop) != 0) {
  }
  std::printf("hubsyncd: shutting down\n");
  std::fflush(stdout);
  (*server)->Shutdown();
  return 0;
}
