// Verification emails and passwords (issue 20), in hubsync_bench (main in
// sync_bench.cc). Run through scripts/bench.sh; docs/BENCHMARKS.md,
// "Verification emails and passwords, issue 20".
//
//   BM_DeliverQueuedEmails/N  N emails queued by one save on a real SQLite
//                             file (untimed), then DeliveryWorker::RunOnce
//                             (timed) through the real CurlSmtpSender to
//                             tests/testing/smtp_sink.py on loopback (one
//                             sink per run, started at the first case); no
//                             global or school rate. Counters: emails_per_s,
//                             cpu_us_per_email (this process: claim, token,
//                             render, libcurl, outcome), sink_cpu_us_per_email
//                             (the Python sink's, for scale)
//   BM_Argon2idHash/OPS/MIB   one crypto_pwhash_str (Argon2id) at OPS passes
//                             over MIB MiB: the server's default PasswordCost
//                             is 2/64; 3/64 and 2/19 for comparison
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "server/auth/passwords.h"
#include "server/mail/delivery.h"
#include "server/mail/smtp.h"
#include "tests/testing/fakes.h"
#include "tests/testing/outbox_world.h"
#include "tests/testing/subprocess.h"

namespace hubsync {
namespace {

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// CPU seconds (user + system) process `pid` has used so far.
double ChildCpuSeconds(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(stat, line);
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int k = 3; k <= 15 && rest >> field; ++k) {
    if (k >= 14) ticks += std::atof(field.c_str());
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The SMTP sink, started once for the whole run.
struct Sink {
  testing::TempDir dir;
  testing::Child child{{"/usr/bin/python3",
                        HUBSYNC_SOURCE_DIR "/tests/testing/smtp_sink.py",
                        "--dir", dir.path()}};
  int port = 0;
};

Sink& TheSink() {
  static Sink* sink = [] {
    auto* s = new Sink;
    const std::string line = s->child.WaitForLine("listening on");
    if (!absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &s->port)) {
      std::abort();  // no relay, no benchmark
    }
    return s;
  }();
  return *sink;
}

void BM_DeliverQueuedEmails(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Sink& sink = TheSink();
  for (auto _ : state) {
    state.PauseTiming();
    testing::TempDir dir;
    testing::FakeClock clock;
    testing::SequentialIds ids;
    std::unique_ptr<Store> store =
        *Store::Open(dir.File("hub.db"), &clock, &ids);
    absl::StatusOr<testing::QueuedSchool> school =
        testing::QueueVerificationEmails(store.get(), "Oak Academy", n);
    mail::SmtpOptions relay;
    relay.host = "127.0.0.1";
    relay.port = sink.port;
    relay.security = mail::SmtpOptions::Security::kNone;
    absl::StatusOr<std::unique_ptr<mail::MailSender>> sender =
        mail::NewCurlSmtpSender(relay);
    if (!school.ok() || !sender.ok()) {
      state.SkipWithError("setup failed");
      break;
    }
    mail::DeliveryOptions options;
    options.from = {"Oak Academy", "noreply@oak.example.org"};
    options.max_per_second = 0;
    options.max_per_school_minute = 0;
    std::array<unsigned char, mail::TokenKey::kBytes> key{};
    mail::DeliveryWorker worker(store.get(), std::move(*sender),
                                mail::TokenKey::FromBytes(key), options, &clock,
                                [] { return 0.5; });
    const double cpu0 = SelfCpuSeconds();
    const double sink_cpu0 = ChildCpuSeconds(sink.child.pid());
    state.ResumeTiming();
    absl::StatusOr<int64_t> sent = worker.RunOnce();
    state.PauseTiming();
    const double cpu = SelfCpuSeconds() - cpu0;
    const double sink_cpu = ChildCpuSeconds(sink.child.pid()) - sink_cpu0;
    if (!sent.ok() || *sent != n) {
      state.SkipWithError(sent.ok()
                              ? "not every email was sent"
                              : std::string(sent.status().message()).c_str());
      break;
    }
    state.counters["cpu_us_per_email"] = cpu * 1e6 / n;
    state.counters["sink_cpu_us_per_email"] = sink_cpu * 1e6 / n;
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["emails_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DeliverQueuedEmails)
    ->Arg(500)  // scripts/bench.sh --quick: that it runs
    ->Arg(2000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

void BM_Argon2idHash(benchmark::State& state) {
  auth::PasswordCost cost;
  cost.ops = static_cast<uint64_t>(state.range(0));
  cost.mem_bytes = static_cast<size_t>(state.range(1)) << 20;
  for (auto _ : state) {
    absl::StatusOr<std::string> hash =
        auth::HashPassword("correct horse battery staple", cost);
    if (!hash.ok()) {
      state.SkipWithError(std::string(hash.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(hash->data());
  }
}
BENCHMARK(BM_Argon2idHash)
    ->Args({2, 64})
    ->Args({3, 64})
    ->Args({2, 19})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1)
    ->Repetitions(9)
    ->ReportAggregatesOnly(true);

}  // namespace
}  // namespace hubsync
