// hubsyncd: the hubsync server.
#include <csignal>
#include <cstdint>
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
ABSL_FLAG(int64_t, max_upload_rows, 2'000'000,
          "most data rows in any one file of an upload");
ABSL_FLAG(int64_t, max_field_bytes, 256,
          "longest accepted value of any one field of an uploaded or pushed "
          "record");
ABSL_FLAG(int64_t, max_push_records, 2'000'000,
          "most learners and classes together in one PushMisRecords call");
ABSL_FLAG(int64_t, max_message_bytes, int64_t{64} << 20,
          "largest single gRPC message the server accepts");

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
  struct LimitFlag {
    const char* name;
    int64_t value;
    int64_t most;
    size_t* out;
  };
  const LimitFlag limits[] = {
      {"max_upload_bytes", absl::GetFlag(FLAGS_max_upload_bytes),
       int64_t{1} << 40, &options.limits.max_upload_bytes},
      {"max_upload_rows", absl::GetFlag(FLAGS_max_upload_rows), int64_t{1} << 40,
       &options.limits.max_upload_rows},
      {"max_field_bytes", absl::GetFlag(FLAGS_max_field_bytes), int64_t{1} << 20,
       &options.limits.max_field_bytes},
      {"max_push_records", absl::GetFlag(FLAGS_max_push_records),
       int64_t{1} << 40, &options.limits.max_push_records},
      {"max_message_bytes", absl::GetFlag(FLAGS_max_message_bytes),
       int64_t{INT32_MAX}, &options.limits.max_message_bytes},
  };
  for (const LimitFlag& f : limits) {
    if (f.value <= 0 || f.value > f.most) {
      std::fprintf(stderr, "hubsyncd: --%s must be 1 to %lld, not %lld\n", f.name,
                   static_cast<long long>(f.most), static_cast<long long>(f.value));
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
