// hubsync_load: N concurrent admins, each doing whole sync sessions on its
// own school for a bounded time, plus readers streaming rows; then a check
// that every school's hub is exactly what its sessions saved.
// scripts/load.sh starts the server and runs this; docs/BENCHMARKS.md has
// the results.
//
// Each client's school starts with `learners` hand-made learners (with
// UPNs). Session i pushes a MIS snapshot with all of them (registration
// group 7A on even sessions, 7B on odd) plus joiners j0 .. ji, then:
// Proceed, SetScope (all, emails on), Proceed, stream every row, and the
// edits SetImportAll on/off, SetImport ji, SetSyncEmailAll on/off,
// SetSyncEmail for one learner, (session 0) Unmatch and Match one learner,
// then Save. So after the last saved session L the hub must hold every
// learner linked and in L's group, joiners j0 .. jL imported, and the
// emails of the learners ticked so far, each with one verification email.
//
// Credentials (docs/SECURITY.md): the operator key in $HUBSYNC_OPERATOR_KEY
// (scripts/load.sh makes it with `hubsyncd --init-operator-key`) creates each
// school and, through KeyService, an admin key and a viewer key of that
// school. Each admin works with its own school's admin key; readers stream a
// school's rows with that school's viewer key. The operator key reads nothing.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/lib/client.h"
#include "common/upn.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "hubsyncd address");
ABSL_FLAG(int, clients, 50, "concurrent admins, each on its own school");
ABSL_FLAG(int, readers, 5, "concurrent readers streaming sessions' rows");
ABSL_FLAG(int, duration, 60,
          "seconds to run sessions for (a session under way finishes)");
ABSL_FLAG(int, learners, 100, "hand-made learners per school");

namespace hubsync {
namespace {

using Steady = std::chrono::steady_clock;

std::string Letters(int n) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    s.insert(s.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  }
  s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string LoadUpn(int school, int i) {
  std::string body = absl::StrFormat("80%03d%07d", school % 1000, i);
  std::optional<char> check = UpnCheckLetter(body);
  return check ? std::string(1, *check) + body : "";
}

// Latencies of one verb, in microseconds.
struct Samples {
  std::vector<int64_t> us;
  void Add(Steady::duration d) {
    us.push_back(
        std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  }
  double Percentile(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    size_t i =
        std::min(us.size() - 1, static_cast<size_t>(p * (us.size() - 1) + 0.5));
    return static_cast<double>(us[i]) / 1000.0;
  }
};

struct Stats {
  std::mutex mu;
  std::map<std::string, Samples> verbs;
  std::vector<std::string> errors;
  int64_t sessions = 0;
  int64_t rows_read = 0;
  int64_t streams = 0;
  void Error(const std::string& what) {
    std::lock_guard<std::mutex> l(mu);
    if (errors.size() < 20) std::fprintf(stderr, "error: %s\n", what.c_str());
    errors.push_back(what);
  }
};

// The sessions readers stream: each client's newest, and the viewer-key
// client of each school to stream it with (set before the threads start).
struct Board {
  std::mutex mu;
  std::vector<std::string> sessions;
  std::vector<client::HubsyncClient*> viewers;
};

// A client of `server` sending `key` on every call.
std::unique_ptr<client::HubsyncClient> ClientWithKey(const std::string& server,
                                                     const std::string& key) {
  auto c = std::make_unique<client::HubsyncClient>(server);
  c->set_api_key(key);
  return c;
}

class Admin {
 public:
  Admin(int index, const std::string& server, Stats* stats, Board* board)
      : index_(index), server_(server), stats_(stats), board_(board) {}

  // With the operator's client: creates the school and its admin and viewer
  // keys; then, with the admin key, the hand-made learners.
  bool SetUp(client::HubsyncClient& op, int learners) {
    learners_ = learners;
    auto school = op.CreateSchool(absl::StrCat("Load School ", index_));
    if (!Ok(school.status(), "CreateSchool")) return false;
    school_ = school->school_id();
    auto key = [&](v1::Role role, const std::string& label) -> std::string {
      v1::CreateApiKeyRequest req;
      req.set_school_id(school_);
      req.set_role(role);
      req.set_label(label);
      auto made = op.CreateApiKey(req);
      return Ok(made.status(), "CreateApiKey") ? made->secret() : "";
    };
    const std::string admin_key =
        key(v1::ROLE_ADMIN, absl::StrCat("load admin ", index_));
    const std::string viewer_key =
        key(v1::ROLE_VIEWER, absl::StrCat("load reader ", index_));
    if (admin_key.empty() || viewer_key.empty()) return false;
    client_ = ClientWithKey(server_, admin_key);
    viewer_ = ClientWithKey(server_, viewer_key);
    std::string csv =
        "legal_forename,legal_surname,preferred_forename,preferred_surname,"
        "date_of_birth,gender,upn,year_group,registration_group,classes,"
        "email\n";
    for (int i = 0; i < learners; ++i) {
      absl::StrAppend(&csv, "Kid", Letters(i), ",Fam", Letters(index_ * 31 + i),
                      ",,,", Dob(i), ",F,", LoadUpn(index_, i), ",7,7A,,\n");
    }
    return Ok(client_->ImportLearners(school_, csv).status(), "ImportLearners");
  }

  // One whole session; false on any error.
  bool Session(int n) {
    if (!Push(n)) return false;
    v1::StartSessionRequest start;
    start.set_school_id(school_);
    start.set_admin(absl::StrCat("load admin ", index_));
    auto session = client_->StartSession(start);
    if (!Ok(session.status(), "StartSession")) return false;
    const std::string id = session->session_id();
    v1::ProceedRequest proceed;
    proceed.set_session_id(id);
    if (!Ok(client_->Proceed(proceed).status(), "Proceed")) return false;
    v1::SetScopeRequest scope;
    scope.set_session_id(id);
    scope.mutable_scope()->set_kind(v1::SCOPE_KIND_ALL);
    scope.set_sync_email_addresses(true);
    if (!Ok(client_->SetScope(scope).status(), "SetScope")) return false;
    if (!Ok(client_->Proceed(proceed).status(), "Proceed (classify)"))
      return false;
    v1::StreamRowsRequest rows;
    rows.set_session_id(id);
    int64_t streamed = 0;
    if (!Ok(client_->StreamRows(rows,
                                [&](const v1::RowBatch& b) {
                                  streamed += b.rows_size();
                                  return true;
                                }),
            "StreamRows")) {
      return false;
    }
    if (streamed != learners_ + n + 1) {
      stats_->Error(absl::StrCat("school ", index_, " session ", n, ": ",
                                 streamed, " rows, expected ",
                                 learners_ + n + 1));
      return false;
    }
    {
      std::lock_guard<std::mutex> l(board_->mu);
      board_->sessions[index_] = id;
    }
    int64_t version = 0;
    auto edit = [&](const char* verb, auto call) {
      const auto t0 = Steady::now();
      absl::StatusOr<v1::EditResponse> r = call();
      const auto dt = Steady::now() - t0;
      if (!Ok(r.status(), verb)) return false;
      version = r->session().version();
      std::lock_guard<std::mutex> l(stats_->mu);
      stats_->verbs[verb].Add(dt);
      return true;
    };
    version = client_->GetSession(id)->version();
    auto import_all = [&](bool on) {
      v1::SetImportAllRequest r;
      r.set_session_id(id), r.set_expected_version(version), r.set_import(on);
      return client_->SetImportAll(r);
    };
    auto email_all = [&](bool on) {
      v1::SetSyncEmailAllRequest r;
      r.set_session_id(id), r.set_expected_version(version), r.set_sync(on);
      return client_->SetSyncEmailAll(r);
    };
    if (!edit("SetImportAll", [&] { return import_all(true); })) return false;
    if (!edit("SetImportAll", [&] { return import_all(false); })) return false;
    if (!edit("SetImport", [&] {
          v1::SetImportRequest r;
          r.set_session_id(id), r.set_expected_version(version),
              r.set_mis_id(absl::StrCat("j", n)), r.set_import(true);
          return client_->SetImport(r);
        })) {
      return false;
    }
    if (!edit("SetSyncEmailAll", [&] { return email_all(true); })) return false;
    if (!edit("SetSyncEmailAll", [&] { return email_all(false); }))
      return false;
    const int ticked = n % learners_;
    if (!edit("SetSyncEmail", [&] {
          v1::SetSyncEmailRequest r;
          r.set_session_id(id), r.set_expected_version(version),
              r.set_mis_id(absl::StrCat("m", ticked)), r.set_sync(true);
          return client_->SetSyncEmail(r);
        })) {
      return false;
    }
    if (n == 0) {  // the hand-made records are Matched by UPN once
      if (!edit("Unmatch", [&] {
            v1::UnmatchRequest r;
            r.set_session_id(id), r.set_expected_version(version),
                r.set_mis_id("m1");
            return client_->Unmatch(r);
          })) {
        return false;
      }
      if (!edit("Match", [&] {
            v1::MatchRequest r;
            r.set_session_id(id), r.set_expected_version(version),
                r.set_learner_id(hand_made_[1]), r.set_mis_id("m1");
            return client_->Match(r);
          })) {
        return false;
      }
    }
    v1::SaveRequest save;
    save.set_session_id(id);
    save.set_expected_version(version);
    save.set_request_id(absl::StrCat("load-", index_, "-", n));
    // A scripted save: any May match rows go unreviewed, as with
    // `hubsync sync save --accept-unreviewed` (docs/SYNC.md).
    save.set_allow_unreviewed(true);
    const auto t0 = Steady::now();
    auto saved = client_->SaveAndSyncPupils(save);
    const auto dt = Steady::now() - t0;
    if (!Ok(saved.status(), "SaveAndSyncPupils")) return false;
    {
      std::lock_guard<std::mutex> l(stats_->mu);
      stats_->verbs["SaveAndSyncPupils"].Add(dt);
      ++stats_->sessions;
    }
    emailed_.insert(ticked);
    last_saved_ = n;
    return true;
  }

  // Reads the hub back and compares it with what the sessions saved.
  bool Verify() {
    if (last_saved_ < 0) return true;
    auto learners = client_->ListLearners(school_);
    if (!Ok(learners.status(), "ListLearners")) return false;
    const std::string group = last_saved_ % 2 == 0 ? "7A" : "7B";
    std::map<std::string, const v1::Learner*> by_mis;
    for (const v1::Learner& l : learners->learners()) by_mis[l.mis_id()] = &l;
    std::vector<std::string> wrong;
    if (learners->learners_size() != learners_ + last_saved_ + 1 ||
        static_cast<int>(by_mis.size()) != learners_ + last_saved_ + 1) {
      wrong.push_back(absl::StrCat(learners->learners_size(),
                                   " learners, expected ",
                                   learners_ + last_saved_ + 1));
    }
    auto check = [&](const std::string& mis_id, const std::string& forename,
                     const std::string& email) {
      auto it = by_mis.find(mis_id);
      if (it == by_mis.end()) {
        wrong.push_back(mis_id + " missing");
        return;
      }
      const v1::Learner& l = *it->second;
      if (l.sync_state() != v1::SYNC_STATE_SYNCED ||
          l.registration_group() != group || l.legal_forename() != forename ||
          l.email() != email) {
        wrong.push_back(absl::StrCat(mis_id, ": ", l.ShortDebugString()));
      }
    };
    for (int i = 0; i < learners_; ++i) {
      check(absl::StrCat("m", i), absl::StrCat("Kid", Letters(i)),
            emailed_.count(i) ? Email("m", i) : "");
    }
    for (int j = 0; j <= last_saved_; ++j) {
      check(absl::StrCat("j", j), absl::StrCat("New", Letters(j)), "");
    }
    auto emails = client_->ListVerificationEmails(school_);
    if (!Ok(emails.status(), "ListVerificationEmails")) return false;
    if (emails->emails_size() != last_saved_ + 1) {
      wrong.push_back(absl::StrCat(emails->emails_size(),
                                   " verification emails, expected ",
                                   last_saved_ + 1));
    }
    for (const std::string& w : wrong) {
      stats_->Error(absl::StrCat("school ", index_, " hub differs: ", w));
    }
    return wrong.empty();
  }

  int last_saved() const { return last_saved_; }
  client::HubsyncClient* viewer() const { return viewer_.get(); }

 private:
  static std::string Dob(int i) {
    return absl::StrFormat("2014-%02d-%02d", 1 + i % 12, 1 + i % 28);
  }
  std::string Email(const char* prefix, int i) const {
    return absl::StrCat(prefix, i, ".s", index_, "@example.org");
  }

  bool Ok(const absl::Status& s, const std::string& what) {
    if (s.ok()) return true;
    stats_->Error(
        absl::StrCat("school ", index_, ": ", what, ": ", s.ToString()));
    return false;
  }

  bool Push(int n) {
    if (hand_made_.empty()) {
      auto all = client_->ListLearners(school_);
      if (!Ok(all.status(), "ListLearners")) return false;
      hand_made_.resize(learners_);
      for (const v1::Learner& l : all->learners()) {
        int i = 0;
        while (i < learners_ && l.upn() != LoadUpn(index_, i)) ++i;
        if (i < learners_) hand_made_[i] = l.learner_id();
      }
    }
    const std::string group = n % 2 == 0 ? "7A" : "7B";
    v1::PushMisRecordsRequest req;
    req.set_school_id(school_);
    for (const char* g : {"7A", "7B"}) {
      v1::MisClassRecord* c = req.add_classes();
      c->set_mis_id(absl::StrCat("reg:", g));
      c->set_name(g);
      c->set_kind(v1::CLASS_KIND_REGISTRATION);
      c->set_year_group("7");
    }
    auto add = [&](const std::string& mis_id, const std::string& forename,
                   const std::string& surname, const std::string& upn, int i,
                   const std::string& email) {
      v1::MisLearnerRecord* m = req.add_learners();
      m->set_mis_id(mis_id);
      m->set_upn(upn);
      m->set_legal_forename(forename);
      m->set_legal_surname(surname);
      m->set_date_of_birth(Dob(i));
      m->set_gender("F");
      m->set_year_group("7");
      m->set_registration_group(group);
      m->set_registration_group_mis_id(absl::StrCat("reg:", group));
      m->set_email(email);
    };
    for (int i = 0; i < learners_; ++i) {
      add(absl::StrCat("m", i), absl::StrCat("Kid", Letters(i)),
          absl::StrCat("Fam", Letters(index_ * 31 + i)), LoadUpn(index_, i), i,
          Email("m", i));
    }
    for (int j = 0; j <= n; ++j) {
      add(absl::StrCat("j", j), absl::StrCat("New", Letters(j)),
          absl::StrCat("Join", Letters(index_ * 17 + j)), "", 1000 + j,
          Email("j", j));
    }
    return Ok(client_->PushMisRecords(req).status(), "PushMisRecords");
  }

  const int index_;
  const std::string server_;
  std::unique_ptr<client::HubsyncClient> client_;  // the school's admin key
  std::unique_ptr<client::HubsyncClient> viewer_;  // the school's viewer key
  Stats* stats_;
  Board* board_;
  std::string school_;
  int learners_ = 0;
  std::vector<std::string> hand_made_;
  std::set<int> emailed_;
  int last_saved_ = -1;
};

int Main() {
  const std::string server = absl::GetFlag(FLAGS_server);
  const int clients = absl::GetFlag(FLAGS_clients);
  const int readers = absl::GetFlag(FLAGS_readers);
  const int duration = absl::GetFlag(FLAGS_duration);
  const int learners = absl::GetFlag(FLAGS_learners);
  if (clients < 1 || readers < 0 || duration < 1 || learners < 2) {
    std::fprintf(
        stderr,
        "hubsync_load: --clients >= 1, --readers >= 0, --duration >= 1, "
        "--learners >= 2\n");
    return 2;
  }
  const char* op_key = std::getenv("HUBSYNC_OPERATOR_KEY");
  if (op_key == nullptr || *op_key == '\0') {
    std::fprintf(stderr,
                 "hubsync_load: set HUBSYNC_OPERATOR_KEY to an operator key "
                 "(hubsyncd --db DB --init-operator-key prints one)\n");
    return 2;
  }
  std::unique_ptr<client::HubsyncClient> op = ClientWithKey(server, op_key);
  Stats stats;
  Board board;
  board.sessions.resize(clients);
  std::vector<std::unique_ptr<Admin>> admins;
  for (int i = 0; i < clients; ++i) {
    admins.push_back(std::make_unique<Admin>(i, server, &stats, &board));
  }
  std::printf(
      "load: %d clients x %d s, %d readers, %d learners per school, server "
      "%s\n",
      clients, duration, readers, learners, server.c_str());
  std::fflush(stdout);
  for (auto& a : admins) {
    if (!a->SetUp(*op, learners)) return 1;
    board.viewers.push_back(a->viewer());
  }

  const auto start = Steady::now();
  const auto deadline = start + std::chrono::seconds(duration);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& a : admins) {
    threads.emplace_back([&, admin = a.get()] {
      for (int n = 0; Steady::now() < deadline; ++n) {
        if (!admin->Session(n)) return;
      }
    });
  }
  std::vector<std::thread> reader_threads;
  for (int r = 0; r < readers; ++r) {
    reader_threads.emplace_back([&, r] {
      std::mt19937 rng(r);
      while (!stop.load()) {
        std::string id;
        client::HubsyncClient* c = nullptr;
        {
          std::lock_guard<std::mutex> l(board.mu);
          const size_t school = rng() % board.sessions.size();
          id = board.sessions[school];
          c = board.viewers[school];
        }
        if (id.empty()) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        v1::StreamRowsRequest req;
        req.set_session_id(id);
        int64_t rows = 0;
        absl::Status s = c->StreamRows(req, [&](const v1::RowBatch& b) {
          rows += b.rows_size();
          return true;
        });
        std::lock_guard<std::mutex> l(stats.mu);
        if (!s.ok()) {
          stats.errors.push_back("reader: " + s.ToString());
          std::fprintf(stderr, "error: reader: %s\n", s.ToString().c_str());
        }
        stats.rows_read += rows;
        ++stats.streams;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(Steady::now() - start).count();
  stop = true;
  for (auto& t : reader_threads) t.join();

  int64_t edits = 0;
  Samples all_edits;
  std::printf("\n%-18s %8s %10s %10s\n", "verb", "calls", "p50 ms", "p99 ms");
  for (auto& [verb, samples] : stats.verbs) {
    if (verb != "SaveAndSyncPupils") {
      edits += static_cast<int64_t>(samples.us.size());
      all_edits.us.insert(all_edits.us.end(), samples.us.begin(),
                          samples.us.end());
    }
    const size_t calls = samples.us.size();
    std::printf("%-18s %8zu %10.2f %10.2f\n", verb.c_str(), calls,
                samples.Percentile(0.50), samples.Percentile(0.99));
  }
  std::printf("%-18s %8lld %10.2f %10.2f\n", "all edit verbs",
              static_cast<long long>(edits), all_edits.Percentile(0.50),
              all_edits.Percentile(0.99));
  std::printf(
      "\nsessions saved: %lld in %.1f s (%.1f sessions/s, %.1f edits/s)\n",
      static_cast<long long>(stats.sessions), seconds,
      static_cast<double>(stats.sessions) / seconds,
      static_cast<double>(edits) / seconds);
  std::printf("readers: %lld streams, %lld rows (%.0f rows/s)\n",
              static_cast<long long>(stats.streams),
              static_cast<long long>(stats.rows_read),
              static_cast<double>(stats.rows_read) / seconds);

  int verified = 0;
  for (auto& a : admins) verified += a->Verify() ? 1 : 0;
  std::printf(
      "verify: %d of %d schools' hubs are exactly what their sessions saved\n",
      verified, clients);
  std::printf("errors: %zu\n", stats.errors.size());
  const bool pass =
      stats.errors.empty() && verified == clients && stats.sessions > 0;
  std::printf("load: %s\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace hubsync

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "HUBSYNC_OPERATOR_KEY=hsk_... hubsync_load --server HOST:PORT [--clients "
      "50]\n"
      "    [--duration 60] [--readers 5]\n"
      "Concurrent whole sync sessions, one school per client; see "
      "scripts/load.sh.");
  absl::ParseCommandLine(argc, argv);
  return hubsync::Main();
}
