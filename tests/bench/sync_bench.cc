// Speed of the pupil sync at school and trust scale (Google Benchmark).
// Run through scripts/bench.sh; results go to docs/BENCHMARKS.md.
//
//   BM_Classify/N         the classifier alone, N hub x N MIS learners
//   BM_ProceedToLastRow/N a real server on a real SQLite file: Proceed on the
//                         Pupils panel until a client has the last row;
//                         counters: first_batch_ms, rows, peak_rss_mb
//   BM_UploadPlainCsv/N   client upload + server parse/validate + store
//   BM_Save/N             Save and sync pupils with N changed learners
#include <sys/resource.h>

#include <chrono>
#include <map>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "client/lib/client.h"
#include "common/classify.h"
#include "common/upn.h"
#include "server/service/server.h"
#include "tests/synth/synth.h"
#include "tests/testing/fakes.h"

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

double PeakRssMb() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
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

std::unique_ptr<Served> Serve(const School& s) {
  auto out = std::make_unique<Served>();
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.db_path = out->dir.File("hub.db");
  out->server = *HubsyncServer::Start(options);
  out->client = client::HubsyncClient::Connect(absl::StrCat("127.0.0.1:", out->server->port()));
  Store* store = out->server->store();
  out->school = store->CreateSchool("Bench Trust")->id;
  MisSnapshot snap;
  snap.school_id = out->school;
  snap.learners = s.mis;
  std::map<std::string, MisClass> classes;
  for (MisLearner& m : snap.learners) {
    m.class_mis_ids.clear();  // registration groups are enough here
    m.classes.clear();
    if (m.registration_group_mis_id.empty()) continue;
    classes[m.registration_group_mis_id] = {m.registration_group_mis_id, m.registration_group,
                                            ClassKind::kRegistration, ""};
  }
  for (auto& [id, c] : classes) snap.classes.push_back(c);
  (void)store->SaveSnapshot(std::move(snap));
  (void)store->SyncClasses(out->school, store->ListSnapshots(out->school)->front().id);
  // Linked hub records arrive as a first sync would leave them (imported
  // through Store::ApplySave); the rest are hand-made, unlinked copies.
  const std::string snapshot_id = store->ListSnapshots(out->school)->front().id;
  SessionRecord first;
  first.school_id = out->school;
  first.snapshot_id = snapshot_id;
  first.admin = "bench";
  first = *store->CreateSession(first);
  SavePlan plan;
  plan.school_id = out->school;
  plan.session_id = first.id;
  plan.expected_hub_version = *store->HubVersion(out->school);
  std::map<std::string, const MisLearner*> by_mis_id;
  for (const MisLearner& m : s.mis) by_mis_id[m.mis_id] = &m;
  std::vector<HubLearner> unlinked;
  for (size_t i = 0; i < s.hub.size(); ++i) {
    HubLearner h = s.hub[i];
    h.id.clear();
    h.school_id = out->school;
    h.classes.clear();
    if (h.sync_state != SyncState::kUnsynced && !h.mis_id.empty()) {
      PlannedChange c;
      c.change = LearnerChange::kImport;
      c.after = h;
      auto m = by_mis_id.find(h.mis_id);
      if (m != by_mis_id.end() && !m->second->registration_group_mis_id.empty()) {
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
  if (!unlinked.empty()) (void)store->CreateLearners(out->school, std::move(unlinked));
  return out;
}

// Start, class sync, scope all: a session waiting on the Pupils panel.
std::string ToPupilsPanel(Served& s) {
  v1::StartSessionRequest start;
  start.set_school_id(s.school);
  std::string id = s.client->StartSession(start)->session_id();
  v1::ProceedRequest proceed;
  proceed.set_session_id(id);
  (void)s.client->Proceed(proceed);
  v1::SetScopeRequest scope;
  scope.set_session_id(id);
  scope.mutable_scope()->set_kind(v1::SCOPE_KIND_ALL);
  (void)s.client->SetScope(scope);
  return id;
}

void BM_ProceedToLastRow(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  School school = MakeSchool(n);
  std::unique_ptr<Served> served = Serve(school);
  double first_ms = 0;
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string id = ToPupilsPanel(*served);
    state.ResumeTiming();
    auto t0 = std::chrono::steady_clock::now();
    v1::ProceedRequest proceed;
    proceed.set_session_id(id);
    (void)served->client->Proceed(proceed);
    v1::StreamRowsRequest req;
    req.set_session_id(id);
    req.set_batch_size(5000);
    bool first = true;
    rows = 0;
    (void)served->client->StreamRows(req, [&](const v1::RowBatch& b) {
      if (first && b.rows_size() > 0) {
        first = false;
        first_ms = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - t0)
                       .count();
      }
      rows += b.rows_size();
      return true;
    });
  }
  state.counters["first_batch_ms"] = first_ms;
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["peak_rss_mb"] = PeakRssMb();
}
BENCHMARK(BM_ProceedToLastRow)
    ->Arg(2000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

void BM_Save(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  School school = MakeSchool(n);
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Served> served = Serve(school);
    std::string id = ToPupilsPanel(*served);
    v1::ProceedRequest proceed;
    proceed.set_session_id(id);
    (void)served->client->Proceed(proceed);
    v1::StreamRowsRequest req;
    req.set_session_id(id);
    (void)served->client->StreamRows(req, [](const v1::RowBatch&) { return true; });
    state.ResumeTiming();
    v1::SaveRequest save;
    save.set_session_id(id);
    auto saved = served->client->SaveAndSyncPupils(save);
    if (!saved.ok()) state.SkipWithError(std::string(saved.status().message()).c_str());
    state.counters["linked"] = saved.ok() ? saved->summary().linked() : 0;
  }
}
BENCHMARK(BM_Save)->Arg(2000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime()
    ->Iterations(1);

void BM_UploadPlainCsv(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  School school = MakeSchool(n);
  std::string csv = "mis_id,upn,legal_forename,legal_surname,date_of_birth,year_group,"
                    "registration_group\n";
  for (const MisLearner& m : school.mis) {
    absl::StrAppend(&csv, m.mis_id, ",", m.upn, ",", m.legal_forename, ",", m.legal_surname,
                    ",", FormatDate(*m.date_of_birth), ",", m.year_group, ",",
                    m.registration_group, "\n");
  }
  School empty;
  std::unique_ptr<Served> served = Serve(empty);
  for (auto _ : state) {
    auto snap = served->client->UploadMisExport(served->school, v1::MIS_FORMAT_PLAIN_CSV,
                                                {{"pupils.csv", csv}});
    if (!snap.ok()) state.SkipWithError(std::string(snap.status().message()).c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_UploadPlainCsv)->Arg(2000)->Arg(100000)->Unit(benchmark::kMillisecond)
    ->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace hubsync

BENCHMARK_MAIN();
