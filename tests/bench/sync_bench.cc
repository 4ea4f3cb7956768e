// Speed of the pupil sync at school and trust scale (Google Benchmark).
// Run through scripts/bench.sh; results go to docs/BENCHMARKS.md.
//
//   BM_Classify/N         the classifier alone, N hub x N MIS learners
//   BM_ProceedToLastRow/N a server in a child process (this binary, started
//                         with --serve) on a real SQLite file: Proceed on the
//                         Pupils panel until a client has the last row;
//                         counters: first_batch_ms, rows, server_peak_mb
//                         (the child's VmHWM), setup_s (generate + fill db),
//                         panel_ms (Start, class sync, SetScope: untimed;
//                         SetScope loads both sides, Proceed reuses them)
//   BM_LoadAndStream/N    the same path with the classifier swapped for
//                         UnclassifiedRows (every hub learner Not matched,
//                         every MIS learner New): the baseline that matching
//                         is compared against
//   BM_UploadPlainCsv/N   client upload + server parse/validate + store
//   BM_Save/N             Save and sync pupils; "changed" learners counted
//   BM_SessionMemory/N    a child server (default options): 30 sessions
//                         started, classified, streamed and cancelled in
//                         turn; counters: the child's VmRSS after the 2nd,
//                         5th and 30th (issue 18: at most 1.5 x the 2nd's
//                         + 50 MB after the 30th; within_bound 1 or 0)
//   BM_ListLearners/N     `learner list` through a child server on the same
//                         database: time to the first page (the default
//                         1000) and to the last of every page; counters:
//                         first_page_ms, last_page_ms (a page deep in the
//                         school, fetched alone), pages, learners
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "client/lib/client.h"
#include "common/classify.h"
#include "common/upn.h"
#include "server/auth/keys.h"
#include "server/service/server.h"
#include "server/session/session_manager.h"
#include "server/storage/sqlite.h"
#include "tests/synth/synth.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"

namespace hubsync {
namespace {

// A realistic school or trust from the labelled generator (tests/synth):
// about half the hub already linked by an earlier sync, hand-made records
// with the perturbations of docs/MATCHING.md, joiners, leavers and twins.
using School = synth::School;

School MakeSchool(int n, uint64_t seed = 1) {
  absl::StatusOr<School> s = synth::Generate(static_cast<size_t>(n), seed);
  if (!s.ok()) {
    std::fprintf(stderr, "generator: %s\n", s.status().ToString().c_str());
    std::abort();
  }
  return *std::move(s);
}

void BM_Classify(benchmark::State& state) {
  School s = MakeSchool(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    std::vector<Row> rows = Classify(s.hub, s.mis, Scope{});
    benchmark::DoNotOptimize(rows.data());
  }
  state.counters["learners"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_Classify)->Arg(2000)->Arg(100000)->Unit(benchmark::kMillisecond);

// A server on a temp database holding one school and one snapshot.
struct Served {
  testing::TempDir dir;
  std::unique_ptr<HubsyncServer> server;
  std::unique_ptr<client::HubsyncClient> client;
  std::string school;
};

// An admin key of `school`, made as `hubsync key create` would; every server
// call of the benchmarks carries one, as a real client's do.
std::string AdminKey(Store* store, const std::string& school) {
  ApiKeyRecord record;
  record.school_id = school;
  record.role = Role::kAdmin;
  record.label = "bench";
  auth::NewKey key = auth::MakeKey(std::move(record));
  if (!store->CreateApiKey(key.record).ok()) std::abort();
  return key.secret;
}

std::unique_ptr<client::HubsyncClient> ConnectWithKey(int port,
                                                      const std::string& key) {
  auto c =
      std::make_unique<client::HubsyncClient>(absl::StrCat("127.0.0.1:", port));
  c->set_api_key(key);
  // Not the CLI's 30 s: under valgrind --tool=callgrind a save of 10,000
  // learners takes minutes.
  c->set_timeout(std::chrono::minutes(30));
  return c;
}

// Fills `store` with one school and one snapshot; returns the school id.
std::string Populate(Store* store, const School& s) {
  const std::string school = store->CreateSchool("Bench Trust")->id;
  MisSnapshot snap;
  snap.school_id = school;
  snap.learners = s.mis;
  std::map<std::string, MisClass> classes;
  for (MisLearner& m : snap.learners) {
    m.class_mis_ids.clear();  // registration groups are enough here
    m.classes.clear();
    if (m.registration_group_mis_id.empty()) continue;
    classes[m.registration_group_mis_id] = {m.registration_group_mis_id,
                                            m.registration_group,
                                            ClassKind::kRegistration, ""};
  }
  for (auto& [id, c] : classes) snap.classes.push_back(c);
  (void)store->SaveSnapshot(std::move(snap));
  (void)store->SyncClasses(school, store->ListSnapshots(school)->front().id);
  // Linked hub records arrive as a first sync would leave them (imported
  // through Store::ApplySave); the rest are hand-made, unlinked copies.
  const std::string snapshot_id = store->ListSnapshots(school)->front().id;
  SessionRecord first;
  first.school_id = school;
  first.snapshot_id = snapshot_id;
  first.admin = "bench";
  first = *store->CreateSession(first);
  SavePlan plan;
  plan.school_id = school;
  plan.session_id = first.id;
  plan.expected_hub_version = *store->HubVersion(school);
  std::map<std::string, const MisLearner*> by_mis_id;
  for (const MisLearner& m : s.mis) by_mis_id[m.mis_id] = &m;
  std::vector<HubLearner> unlinked;
  for (size_t i = 0; i < s.hub.size(); ++i) {
    HubLearner h = s.hub[i];
    h.id.clear();
    h.school_id = school;
    h.classes.clear();
    if (h.sync_state != SyncState::kUnsynced && !h.mis_id.empty()) {
      PlannedChange c;
      c.change = LearnerChange::kImport;
      c.after = h;
      auto m = by_mis_id.find(h.mis_id);
      if (m != by_mis_id.end() &&
          !m->second->registration_group_mis_id.empty()) {
        c.class_mis_ids = {m->second->registration_group_mis_id};
      }
      plan.changes.push_back(std::move(c));
    } else {
      h.mis_id.clear();
      unlinked.push_back(std::move(h));
    }
  }
  SessionRecord saved = first;
  saved.step = SessionStep::kSaved;
  saved.version = first.version + 1;
  if (!plan.changes.empty()) (void)store->ApplySave(plan, saved);
  if (!unlinked.empty())
    (void)store->CreateLearners(school, std::move(unlinked));
  return school;
}

std::unique_ptr<Served> Serve(const School& s) {
  auto out = std::make_unique<Served>();
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.db_path = out->dir.File("hub.db");
  // BM_Save desyncs more than the guard's 10 %; the guard still counts (its
  // cost is measured) but lets the save through unconfirmed.
  options.max_desync_percent = 100.0;
  out->server = *HubsyncServer::Start(options);
  out->school = Populate(out->server->store(), s);
  out->client = ConnectWithKey(out->server->port(),
                               AdminKey(out->server->store(), out->school));
  return out;
}

// One generated school and its filled database per size, shared by the
// benchmarks of that size (generating and filling 1,000,000 takes a while).
struct Prepared {
  int n = 0;
  School school;
  testing::TempDir dir;
  std::string db_path;
  std::string school_id;
  std::string api_key;
  double setup_s = 0;
};

Prepared& PreparedOf(int n) {
  static std::unique_ptr<Prepared> cached;
  if (cached == nullptr || cached->n != n) {
    cached.reset();
    auto t0 = std::chrono::steady_clock::now();
    cached = std::make_unique<Prepared>();
    cached->n = n;
    cached->school = MakeSchool(n);
    cached->db_path = cached->dir.File("hub.db");
    {
      std::unique_ptr<Store> store =
          *Store::Open(cached->db_path, Clock::Real(), IdGenerator::Real());
      cached->school_id = Populate(store.get(), cached->school);
      cached->api_key = AdminKey(store.get(), cached->school_id);
    }
    cached->setup_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
  }
  return *cached;
}

std::string SelfExe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) std::abort();
  return std::string(buf, static_cast<size_t>(n));
}

// A server in a child process (this binary with --serve), so that its
// memory is measured apart from the generated data and the client.
struct ChildServer {
  std::unique_ptr<testing::Child> child;
  std::unique_ptr<client::HubsyncClient> client;

  ChildServer(const std::string& db_path, const std::string& api_key,
              bool unclassified) {
    std::vector<std::string> argv = {SelfExe(), "--serve", db_path};
    if (unclassified) argv.push_back("--unclassified");
    child = std::make_unique<testing::Child>(argv);
    std::string line = child->WaitForLine("listening on", 120);
    if (line.empty()) {
      std::fprintf(stderr, "the child server did not start\n");
      std::abort();
    }
    const std::string port = line.substr(line.rfind(' ') + 1);
    client = ConnectWithKey(std::stoi(port), api_key);
  }
  ~ChildServer() {
    client.reset();
    child->Stop(SIGKILL);
  }
  // CPU time (user + system, every thread) the child has used so far, in
  // ms: unlike wall time, hardly moved by other work on a shared machine.
  double CpuMs() const {
    std::ifstream stat(absl::StrCat("/proc/", child->pid(), "/stat"));
    std::string line;
    std::getline(stat, line);
    // Fields after the command name (which may hold spaces) in parentheses:
    // utime and stime are the 14th and 15th of the whole line.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int k = 3; k <= 15 && rest >> field; ++k) {
      if (k >= 14) ticks += std::atof(field.c_str());
    }
    return ticks * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  // "VmHWM" (peak resident) or "VmRSS" of the child, in MiB.
  double MemoryMb(const char* key) const {
    std::ifstream status(absl::StrCat("/proc/", child->pid(), "/status"));
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind(key, 0) == 0) {
        return std::atof(line.c_str() + std::strlen(key) + 1) / 1024.0;
      }
    }
    return 0;
  }
};

// The child's side: serve the database until killed.
int ServeMain(int argc, char** argv) {
  if (argc < 3) return 2;
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.db_path = argv[2];
  if (argc > 3 && std::string(argv[3]) == "--unclassified") {
    options.classify = UnclassifiedRows;
  }
  absl::StatusOr<std::unique_ptr<HubsyncServer>> server =
      HubsyncServer::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  std::printf("listening on %d\n", (*server)->port());
  std::fflush(stdout);
  (*server)->Wait();
  return 0;
}

// Start, class sync, scope all: a session waiting on the Pupils panel.
std::string ToPupilsPanel(client::HubsyncClient& client,
                          const std::string& school) {
  v1::StartSessionRequest start;
  start.set_school_id(school);
  std::string id = client.StartSession(start)->session_id();
  v1::ProceedRequest proceed;
  proceed.set_session_id(id);
  (void)client.Proceed(proceed);
  v1::SetScopeRequest scope;
  scope.set_session_id(id);
  scope.mutable_scope()->set_kind(v1::SCOPE_KIND_ALL);
  (void)client.SetScope(scope);
  return id;
}
std::string ToPupilsPanel(Served& s) {
  return ToPupilsPanel(*s.client, s.school);
}

// Proceed until the client holds the last row, on a fresh child server per
// benchmark (its peak memory is this path's alone).
void ProceedToLastRow(benchmark::State& state, bool unclassified) {
  const int n = static_cast<int>(state.range(0));
  Prepared& prepared = PreparedOf(n);
  ChildServer server(prepared.db_path, prepared.api_key, unclassified);
  const double idle_mb = server.MemoryMb("VmRSS");
  double first_ms = 0, panel_ms = 0, last_rows_ms = 0, server_cpu_ms = 0,
         panel_cpu_ms = 0;
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // Start, class sync and SetScope: SetScope loads both sides (the
    // Pupils panel validates the scope against the snapshot), and Proceed
    // starts from them while the hub is unchanged. Timed apart: panel_ms.
    auto p0 = std::chrono::steady_clock::now();
    const double panel_cpu0 = server.CpuMs();
    std::string id = ToPupilsPanel(*server.client, prepared.school_id);
    panel_cpu_ms = server.CpuMs() - panel_cpu0;
    panel_ms = std::chrono::duration<double, std::milli>(
                   std::chrono::steady_clock::now() - p0)
                   .count();
    state.ResumeTiming();
    auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = server.CpuMs();
    v1::ProceedRequest proceed;
    proceed.set_session_id(id);
    (void)server.client->Proceed(proceed);
    v1::StreamRowsRequest req;
    req.set_session_id(id);
    req.set_batch_size(5000);
    bool first = true;
    rows = 0;
    absl::Status streamed =
        server.client->StreamRows(req, [&](const v1::RowBatch& b) {
          if (first && b.rows_size() > 0) {
            first = false;
            first_ms = std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - t0)
                           .count();
          }
          rows += b.rows_size();
          if (b.rows_size() > 0) {
            last_rows_ms = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - t0)
                               .count();
          }
          return true;
        });
    if (!streamed.ok()) {
      state.SkipWithError(std::string(streamed.message()).c_str());
      break;
    }
    server_cpu_ms = server.CpuMs() - cpu0;
  }
  state.counters["first_batch_ms"] = first_ms;
  // The server's CPU time from Proceed to the end of the stream (rows
  // stored), and for the panel: the steadier figure on a busy machine.
  state.counters["server_cpu_ms"] = server_cpu_ms;
  state.counters["panel_cpu_ms"] = panel_cpu_ms;
  // When the last row arrived; the rest of the time the server spent
  // storing the screen (the end of the stream waits for it).
  state.counters["last_row_ms"] = last_rows_ms;
  state.counters["panel_ms"] = panel_ms;
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["server_idle_mb"] = idle_mb;
  state.counters["server_peak_mb"] = server.MemoryMb("VmHWM");
  state.counters["setup_s"] = prepared.setup_s;
}

void BM_ProceedToLastRow(benchmark::State& state) {
  ProceedToLastRow(state, false);
}
void BM_LoadAndStream(benchmark::State& state) {
  ProceedToLastRow(state, true);
}

// The school's learners page by page, as `hubsync learner list` reads them
// (page_size 0: the server's default). The time is the whole list's.
void BM_ListLearners(benchmark::State& state) {
  Prepared& prepared = PreparedOf(static_cast<int>(state.range(0)));
  ChildServer server(prepared.db_path, prepared.api_key, false);
  v1::ListLearnersRequest req;
  req.set_school_id(prepared.school_id);
  double first_page_ms = 0;
  double last_page_ms = 0;
  int64_t learners = 0;
  int pages = 0;
  std::string last_token;  // the token of the last page
  for (auto _ : state) {
    learners = 0;
    pages = 0;
    const auto t0 = std::chrono::steady_clock::now();
    absl::Status s = client::ForEachPage(
        req,
        [&](const v1::ListLearnersRequest& r) {
          if (!r.page_token().empty()) last_token = r.page_token();
          return server.client->ListLearners(r);
        },
        [&](const v1::ListLearnersResponse& page) {
          if (pages++ == 0) {
            first_page_ms = std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - t0)
                                .count();
          }
          learners += page.learners_size();
          return absl::OkStatus();
        });
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  if (!last_token.empty()) {
    v1::ListLearnersRequest last = req;
    last.set_page_token(last_token);
    const auto t0 = std::chrono::steady_clock::now();
    (void)server.client->ListLearners(last);
    last_page_ms = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count();
  }
  state.counters["first_page_ms"] = first_page_ms;
  state.counters["last_page_ms"] = last_page_ms;
  state.counters["pages"] = pages;
  state.counters["learners"] = static_cast<double>(learners);
}

// Registered size by size (see main) so that each generated school and its
// database serve every benchmark of that size.
void RegisterProceedBenchmarks() {
  for (int n : {2000, 100000, 1000000}) {
    benchmark::RegisterBenchmark("BM_ListLearners", BM_ListLearners)
        ->Arg(n)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1);
    for (auto [name, fn] :
         {std::pair{"BM_LoadAndStream", &BM_LoadAndStream},
          std::pair{"BM_ProceedToLastRow", &BM_ProceedToLastRow}}) {
      benchmark::RegisterBenchmark(name, fn)
          ->Arg(n)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->Iterations(1);
    }
  }
}

// Issue 18: sessions started, classified and cancelled in turn must not
// pile up in the server's memory. A fresh child server with hubsyncd's
// defaults; each session goes through the Pupils panel, Proceed, every row
// streamed, and Cancel.
void BM_SessionMemory(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  constexpr int kSessions = 30;
  Prepared& prepared = PreparedOf(n);
  ChildServer server(prepared.db_path, prepared.api_key, false);
  const double idle_mb = server.MemoryMb("VmRSS");
  double after_2 = 0, after_5 = 0, after_30 = 0;
  int64_t rows = 0;
  for (auto _ : state) {
    for (int i = 1; i <= kSessions; ++i) {
      std::string id = ToPupilsPanel(*server.client, prepared.school_id);
      v1::ProceedRequest proceed;
      proceed.set_session_id(id);
      (void)server.client->Proceed(proceed);
      v1::StreamRowsRequest req;
      req.set_session_id(id);
      req.set_batch_size(5000);
      rows = 0;
      absl::Status streamed =
          server.client->StreamRows(req, [&](const v1::RowBatch& b) {
            rows += b.rows_size();
            return true;
          });
      v1::CancelSessionRequest cancel;
      cancel.set_session_id(id);
      absl::Status cancelled = server.client->CancelSession(cancel).status();
      if (!streamed.ok() || !cancelled.ok()) {
        state.SkipWithError(
            std::string((streamed.ok() ? cancelled : streamed).message())
                .c_str());
        return;
      }
      const double rss = server.MemoryMb("VmRSS");
      if (i == 2) after_2 = rss;
      if (i == 5) after_5 = rss;
      if (i == kSessions) after_30 = rss;
    }
  }
  const double bound = 1.5 * after_2 + 50;
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["rss_idle_mb"] = idle_mb;
  state.counters["rss_after_2_mb"] = after_2;
  state.counters["rss_after_5_mb"] = after_5;
  state.counters["rss_after_30_mb"] = after_30;
  state.counters["bound_mb"] = bound;
  state.counters["within_bound"] = after_30 <= bound ? 1 : 0;
  state.counters["server_peak_mb"] = server.MemoryMb("VmHWM");
  if (after_30 > bound) {
    state.SkipWithError("server memory grew past 1.5 x (after 2) + 50 MB");
  }
}
BENCHMARK(BM_SessionMemory)
    ->Arg(40000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

// User + system CPU time of this whole process (the server runs in it; the
// client thread only waits): less disturbed than wall time by other work on
// a shared machine.
double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// A session of `served` on the sync screen with every New row ticked for
// import, so that its save links, refreshes, imports and desyncs.
std::string ToSaveReady(Served& served) {
  std::string id = ToPupilsPanel(served);
  v1::ProceedRequest proceed;
  proceed.set_session_id(id);
  (void)served.client->Proceed(proceed);
  v1::StreamRowsRequest req;
  req.set_session_id(id);
  (void)served.client->StreamRows(req,
                                  [](const v1::RowBatch&) { return true; });
  v1::SetImportAllRequest import_all;
  import_all.set_session_id(id);
  import_all.set_import(true);
  (void)served.client->SetImportAll(import_all);
  return id;
}

void SaveCounters(benchmark::State& state, const v1::SaveSummary& sum) {
  state.counters["linked"] = static_cast<double>(sum.linked());
  state.counters["refreshed"] = static_cast<double>(sum.refreshed());
  state.counters["imported"] = static_cast<double>(sum.imported());
  state.counters["desynced"] = static_cast<double>(sum.desynced());
  state.counters["changed"] = static_cast<double>(sum.audit_records());
}

// Every New row is ticked for import, so the save links, refreshes, imports
// and desyncs: "changed" counts all four (the audit records written).
void BM_Save(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  School school = MakeSchool(n);
  std::unique_ptr<Served> served;  // destroyed outside the timed region
  for (auto _ : state) {
    state.PauseTiming();
    served.reset();
    served = Serve(school);
    const std::string id = ToSaveReady(*served);
    state.ResumeTiming();
    const double cpu0 = ProcessCpuSeconds();
    v1::SaveRequest save;
    save.set_session_id(id);
    // The save as a script that means it makes it: the generated school's
    // May match rows are saved unreviewed (docs/SYNC.md, "Reviewed rows").
    save.set_allow_unreviewed(true);
    auto saved = served->client->SaveAndSyncPupils(save);
    state.counters["cpu_ms"] = (ProcessCpuSeconds() - cpu0) * 1000;
    if (!saved.ok()) {
      state.SkipWithError(std::string(saved.status().message()).c_str());
      break;
    }
    SaveCounters(state, saved->summary());
  }
}
BENCHMARK(BM_Save)
    ->Arg(2000)
    ->Arg(20000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

// RevertSave of the save BM_Save makes, timed; the same save is timed too
// (save_ms), so revert/save is a ratio of one run on one machine. bytes per
// learner: what the save keeps for its revert (save_changes), per learner
// it changed.
void BM_RevertSave(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  School school = MakeSchool(n);
  std::unique_ptr<Served> served;
  for (auto _ : state) {
    state.PauseTiming();
    served.reset();
    served = Serve(school);
    const std::string id = ToSaveReady(*served);
    v1::SaveRequest save;
    save.set_session_id(id);
    save.set_allow_unreviewed(true);  // as BM_Save: every guess saved
    const auto t0 = std::chrono::steady_clock::now();
    auto saved = served->client->SaveAndSyncPupils(save);
    const double save_ms = std::chrono::duration<double, std::milli>(
                               std::chrono::steady_clock::now() - t0)
                               .count();
    if (!saved.ok()) {
      state.SkipWithError(std::string(saved.status().message()).c_str());
      break;
    }
    state.ResumeTiming();
    const auto t1 = std::chrono::steady_clock::now();
    v1::RevertSaveRequest revert;
    revert.set_save_id(saved->save_id());
    auto reverted = served->client->RevertSave(revert);
    const double revert_ms = std::chrono::duration<double, std::milli>(
                                 std::chrono::steady_clock::now() - t1)
                                 .count();
    state.PauseTiming();
    if (!reverted.ok()) {
      state.SkipWithError(std::string(reverted.status().message()).c_str());
      break;
    }
    SaveCounters(state, saved->summary());
    state.counters["save_ms"] = save_ms;
    state.counters["revert_ms"] = revert_ms;
    state.counters["revert_over_save"] = revert_ms / save_ms;
    absl::StatusOr<storage::Db> db =
        storage::Db::Open(served->dir.File("hub.db"));
    if (db.ok()) {
      absl::StatusOr<int64_t> bytes = db->QueryInt(
          "SELECT coalesce(sum(length(changes)), 0) FROM save_changes, saves "
          "WHERE save_changes.save_id = saves.id AND saves.kind = 'save' AND "
          "saves.session_id = '" +
          id + "'");
      const double changed =
          static_cast<double>(saved->summary().audit_records());
      if (bytes.ok() && changed > 0) {
        state.counters["bytes_per_learner"] =
            static_cast<double>(*bytes) / changed;
      }
    }
    state.ResumeTiming();
  }
}
BENCHMARK(BM_RevertSave)
    ->Arg(2000)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

void BM_UploadPlainCsv(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  School school = MakeSchool(n);
  std::string csv =
      "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
      "registration_group\n";
  for (const MisLearner& m : school.mis) {
    absl::StrAppend(&csv, m.mis_id, ",", m.upn, ",", m.legal_forename, ",",
                    m.legal_surname, ",", FormatDate(*m.date_of_birth), ",",
                    m.year_group, ",", m.registration_group, "\n");
  }
  School empty;
  std::unique_ptr<Served> served = Serve(empty);
  for (auto _ : state) {
    const double cpu0 = ProcessCpuSeconds();
    auto snap = served->client->UploadMisExport(
        served->school, v1::MIS_FORMAT_PLAIN_CSV, {{"pupils.csv", csv}});
    state.counters["cpu_ms"] = (ProcessCpuSeconds() - cpu0) * 1000;
    if (!snap.ok())
      state.SkipWithError(std::string(snap.status().message()).c_str());
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_UploadPlainCsv)
    ->Arg(2000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
}  // namespace hubsync

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--serve")
    return hubsync::ServeMain(argc, argv);
  hubsync::RegisterProceedBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
