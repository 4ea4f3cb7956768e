// A shared server must not grow until it dies (issue 18): saved and
// cancelled sessions leave memory at once, idle ones drop their state and
// rebuild it from the database, a cap bounds what all sessions hold,
// classification runs on a bounded pool, and a session's event history is
// bounded. Real SQLite file, fake clock.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/session/session_manager.h"
#include "server/storage/store.h"
#include "tests/testing/fakes.h"
#include "tests/testing/learner_builders.h"

namespace hubsync::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const Actor kAdmin{"key_test", "test admin", "admin"};

// A school with `n` MIS learners in 7A (every third with an email) and a hub
// holding a hand-made copy of each of the first n / 2.
struct World {
  TempDir dir;
  FakeClock clock;
  SequentialIds ids;
  std::unique_ptr<Store> store;
  std::string school;

  explicit World(int n = 40) {
    store = *Store::Open(dir.File("hub.db"), &clock, &ids);
    school = store->CreateSchool("Memory School")->id;
    MisSnapshot snap;
    snap.school_id = school;
    snap.classes = {{"reg:7A", "7A", ClassKind::kRegistration, "7"}};
    std::vector<HubLearner> hub;
    for (int i = 0; i < n; ++i) {
      MisLearner m = Mis(
          "m" + std::to_string(i), "Forename" + std::to_string(i),
          "Surname" + std::to_string(i), Date{2013, 1 + i % 12, 1 + i % 28});
      m.registration_group_mis_id = "reg:7A";
      if (i % 3 == 0) m.email = "l" + std::to_string(i) + "@example.org";
      if (i < n / 2) {
        HubLearner h;
        h.legal_forename = m.legal_forename;
        h.legal_surname = m.legal_surname;
        h.date_of_birth = m.date_of_birth;
        h.year_group = "7";
        h.registration_group = "7A";
        hub.push_back(std::move(h));
      }
      snap.learners.push_back(std::move(m));
    }
    EXPECT_TRUE(store->SaveSnapshot(std::move(snap)).ok());
    EXPECT_TRUE(store->CreateLearners(school, std::move(hub)).ok());
  }

  std::unique_ptr<SessionManager> Manager(SessionMemoryOptions memory = {},
                                          ClassifyFn classify = nullptr) {
    return std::make_unique<SessionManager>(store.get(), &clock,
                                            std::move(classify), 100.0, memory);
  }
};

std::vector<Row> StreamAll(SessionManager& m, const std::string& id) {
  std::vector<Row> rows;
  absl::Status s = m.StreamRows(id, {}, 0, 1000, [&](const RowBatchOut& b) {
    rows.insert(rows.end(), b.rows.begin(), b.rows.end());
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return rows;
}

// Start, class sync, scope (all, emails on): a session on the Pupils panel.
std::string ToPupilsPanel(SessionManager& m, World& w) {
  absl::StatusOr<SessionView> v = m.Start(w.school, "", "admin", kAdmin);
  EXPECT_TRUE(v.ok()) << v.status();
  const std::string id = v->record.id;
  EXPECT_TRUE(m.Proceed(id, 0, kAdmin).ok());
  EXPECT_TRUE(m.SetScope(id, 0, Scope{}, true, kAdmin).ok());
  return id;
}

// ... and classified: every row streamed.
std::string ToSyncScreen(SessionManager& m, World& w,
                         std::vector<Row>* rows = nullptr) {
  const std::string id = ToPupilsPanel(m, w);
  absl::StatusOr<SessionView> p = m.Proceed(id, 0, kAdmin);
  EXPECT_TRUE(p.ok()) << p.status();
  std::vector<Row> all = StreamAll(m, id);
  if (rows != nullptr) *rows = std::move(all);
  return id;
}

// What the admin sees of a row.
std::vector<std::string> Screen(const std::vector<Row>& rows) {
  std::vector<std::string> out;
  for (const Row& r : rows) {
    out.push_back(std::to_string(r.row_id) + " " + RowStatusName(r.status) +
                  " " + r.hub_learner_id + "/" + r.mis_id +
                  (r.import ? " import" : "") + (r.sync_email ? " email" : ""));
  }
  return out;
}

// The MIS id of a New row.
std::string NewRow(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    if (r.status == RowStatus::kNew) return r.mis_id;
  }
  ADD_FAILURE() << "no New row";
  return "";
}

TEST(SessionMemoryTest, ASavedSessionLeavesMemoryAndStaysReadable) {
  World w;
  auto m = w.Manager();
  std::vector<Row> rows;
  const std::string id = ToSyncScreen(*m, w, &rows);
  ASSERT_TRUE(m->SetImportAll(id, 0, true, kAdmin).ok());
  EXPECT_EQ(m->Memory().sessions, 1);
  EXPECT_GT(m->Memory().bytes, 0);
  const StatusCounts before = m->Get(id)->counts;

  absl::StatusOr<SaveOutcome> saved = m->Save(id, 0, "req-1", 0, kAdmin);
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(m->Memory().sessions, 0);
  EXPECT_EQ(m->Memory().bytes, 0);

  // Still readable, from the database, without coming back into memory.
  absl::StatusOr<SessionView> got = m->Get(id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->record.step, SessionStep::kSaved);
  EXPECT_EQ(got->counts.total(), before.total());
  EXPECT_EQ(got->counts.import_ticked, before.import_ticked);
  EXPECT_EQ(got->counts.new_records, before.new_records);
  absl::StatusOr<SaveOutcome> again = m->Save(id, 0, "req-1", 0, kAdmin);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->summary.imported, saved->summary.imported);
  EXPECT_EQ(again->session.counts.total(), before.total());
  EXPECT_EQ(m->Memory().sessions, 0);
  // The saved screen can still be streamed.
  std::vector<Row> after = StreamAll(*m, id);
  EXPECT_EQ(after.size(), rows.size());
  EXPECT_EQ(m->Memory().sessions, 0);
  EXPECT_EQ(m->Memory().bytes, 0);
}

TEST(SessionMemoryTest, ACancelledSessionLeavesMemory) {
  World w;
  auto m = w.Manager();
  const std::string on_screen = ToSyncScreen(*m, w);
  const std::string on_panel = ToPupilsPanel(*m, w);  // both sides loaded
  EXPECT_EQ(m->Memory().sessions, 2);
  const StatusCounts counts = m->Get(on_screen)->counts;
  ASSERT_GT(counts.total(), 0);
  ASSERT_TRUE(m->Cancel(on_screen, 0, kAdmin).ok());
  ASSERT_TRUE(m->Cancel(on_panel, 0, kAdmin).ok());
  EXPECT_EQ(m->Memory().sessions, 0);
  EXPECT_EQ(m->Memory().bytes, 0);

  absl::StatusOr<SessionView> got = m->Get(on_screen);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->record.step, SessionStep::kCancelled);
  EXPECT_EQ(got->counts.total(), counts.total());
  EXPECT_EQ(got->counts.new_records, counts.new_records);
  // A watcher of an ended session gets its state and the end.
  std::vector<SessionEvent> seen;
  ASSERT_TRUE(m->Watch(on_screen, 0, [&](const SessionEvent& e) {
                 seen.push_back(e);
                 return true;
               }).ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().session.record.step, SessionStep::kCancelled);
  EXPECT_EQ(m->Memory().sessions, 0);
}

TEST(SessionMemoryTest, GettingOldSessionsAfterARestartLoadsNothing) {
  World w;
  std::string saved, cancelled;
  StatusCounts saved_counts, cancelled_counts;
  {
    auto m = w.Manager();
    saved = ToSyncScreen(*m, w);
    saved_counts = m->Get(saved)->counts;
    ASSERT_GT(saved_counts.matched, 0);
    ASSERT_TRUE(m->Save(saved, 0, "", 0, kAdmin).ok());
    cancelled = ToSyncScreen(*m, w);
    cancelled_counts = m->Get(cancelled)->counts;
    ASSERT_GT(cancelled_counts.synced, 0);  // linked by the save
    ASSERT_TRUE(m->Cancel(cancelled, 0, kAdmin).ok());
  }
  auto m = w.Manager();  // a restart
  for (auto [id, counts] : {std::pair{saved, saved_counts},
                            std::pair{cancelled, cancelled_counts}}) {
    absl::StatusOr<SessionView> got = m->Get(id);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->counts.total(), counts.total());
    EXPECT_EQ(got->counts.matched, counts.matched);
    EXPECT_EQ(got->counts.synced, counts.synced);
    EXPECT_EQ(got->counts.new_records, counts.new_records);
  }
  EXPECT_EQ(m->Memory().sessions, 0);
  EXPECT_EQ(m->Memory().bytes, 0);
}

TEST(SessionMemoryTest, AnIdleSessionDropsItsStateAndRebuildsIt) {
  World w;
  auto m = w.Manager({.idle_seconds = 60});
  std::vector<Row> rows;
  const std::string id = ToSyncScreen(*m, w, &rows);
  const int64_t version = m->Get(id)->record.version;

  w.clock.Advance(59);
  m->Sweep();
  EXPECT_THAT(m->ResidentSessions(), ElementsAre(id));  // not idle yet

  w.clock.Advance(2);
  m->Sweep();
  EXPECT_THAT(m->ResidentSessions(), IsEmpty());
  EXPECT_EQ(m->Memory().bytes, 0);

  // Rebuilt on next use: the same rows at the same version.
  absl::StatusOr<SessionView> got = m->Get(id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->record.version, version);
  EXPECT_EQ(Screen(StreamAll(*m, id)), Screen(rows));
  absl::StatusOr<SessionEvent> edit =
      m->SetImport(id, version, NewRow(rows), true, kAdmin);
  ASSERT_TRUE(edit.ok()) << edit.status();
  EXPECT_EQ(edit->version, version + 1);
  ASSERT_EQ(edit->changed.size(), 1u);
  EXPECT_TRUE(edit->changed[0].import);
  EXPECT_EQ(StreamAll(*m, id).size(), rows.size());
  EXPECT_THAT(m->ResidentSessions(), ElementsAre(id));
}

TEST(SessionMemoryTest, AWatcherKeepsWatchingAcrossAnIdleDrop) {
  World w;
  auto m = w.Manager({.idle_seconds = 60});
  std::vector<Row> rows;
  const std::string id = ToSyncScreen(*m, w, &rows);
  const int64_t version = m->Get(id)->record.version;
  std::vector<SessionEvent> seen;
  std::thread watcher([&] {
    absl::Status s = m->Watch(id, version, [&](const SessionEvent& e) {
      seen.push_back(e);
      return e.verb != "SetImport";
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  w.clock.Advance(61);
  m->Sweep();
  ASSERT_TRUE(m->SetImport(id, version, NewRow(rows), true, kAdmin).ok());
  watcher.join();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().verb, "SetImport");
  EXPECT_EQ(seen.back().version, version + 1);
  ASSERT_EQ(seen.back().changed.size(), 1u);
  EXPECT_EQ(seen.back().changed[0].mis_id, NewRow(rows));
}

TEST(SessionMemoryTest, PastTheCapTheLeastRecentlyUsedIsDropped) {
  World w;
  int64_t one = 0;
  {
    auto m = w.Manager();
    const std::string id = ToSyncScreen(*m, w);
    one = m->Memory().bytes;
    ASSERT_GT(one, 0);
    ASSERT_TRUE(m->Cancel(id, 0, kAdmin).ok());
  }
  auto m = w.Manager({.memory_bytes = one * 3 / 2});
  std::vector<Row> rows_a;
  const std::string a = ToSyncScreen(*m, w, &rows_a);
  const std::string b = ToSyncScreen(*m, w);
  m->Sweep();
  EXPECT_THAT(m->ResidentSessions(), ElementsAre(b));
  EXPECT_LE(m->Memory().bytes, one * 3 / 2);
  // Using a again brings it back and drops b, now the least recently used.
  ASSERT_TRUE(m->SetImport(a, 0, NewRow(rows_a), true, kAdmin).ok());
  m->Sweep();
  EXPECT_THAT(m->ResidentSessions(), ElementsAre(a));
  EXPECT_EQ(StreamAll(*m, b).size(), rows_a.size());
}

// Classifies with UnclassifiedRows, but the first call for a hub of
// `block_hub_size` learners sends its first batch and waits for Release().
struct BlockingClassifier {
  absl::Mutex mu;
  bool block = false;
  bool released = false;
  bool blocked = false;

  ClassifyFn Fn() {
    return [this](const std::vector<HubLearner>& hub,
                  const std::vector<MisLearner>& mis, const Scope& scope,
                  const std::function<void(std::vector<Row>)>& on_batch) {
      bool wait = false;
      {
        absl::MutexLock l(&mu);
        wait = block;
        block = false;
      }
      std::vector<Row> all;
      UnclassifiedRows(hub, mis, scope, [&](std::vector<Row> b) {
        all.insert(all.end(), b.begin(), b.end());
      });
      if (!wait) {
        on_batch(std::move(all));
        return std::vector<Row>{};
      }
      on_batch(std::vector<Row>(all.begin(), all.begin() + 5));
      absl::MutexLock l(&mu);
      blocked = true;
      mu.Await(absl::Condition(&released));
      on_batch(std::vector<Row>(all.begin() + 5, all.end()));
      return std::vector<Row>{};
    };
  }
  void WaitUntilBlocked() {
    absl::MutexLock l(&mu);
    mu.Await(absl::Condition(&blocked));
  }
  void Release() {
    absl::MutexLock l(&mu);
    released = true;
  }
};

TEST(SessionMemoryTest, TheCapNeverDropsASessionBeingClassified) {
  World w;
  BlockingClassifier classifier;
  auto m = w.Manager({.memory_bytes = 1}, classifier.Fn());
  const std::string a = ToSyncScreen(*m, w);
  {
    absl::MutexLock l(&classifier.mu);
    classifier.block = true;
  }
  const std::string b = ToPupilsPanel(*m, w);
  ASSERT_TRUE(m->Proceed(b, 0, kAdmin).ok());
  classifier.WaitUntilBlocked();
  m->Sweep();
  EXPECT_THAT(m->ResidentSessions(), ElementsAre(b));  // a dropped, b kept
  classifier.Release();
  EXPECT_EQ(StreamAll(*m, b).size(), 60u);  // 20 hub + 40 MIS learners
  m->Sweep();
  EXPECT_THAT(m->ResidentSessions(), IsEmpty());
  EXPECT_EQ(StreamAll(*m, a).size(), 60u);
  EXPECT_EQ(StreamAll(*m, b).size(), 60u);
}

TEST(SessionMemoryTest, ClassificationRunsOnABoundedPoolOfThreads) {
  World w;
  absl::Mutex mu;
  std::set<std::thread::id> threads;
  int running = 0, most = 0;
  ClassifyFn counting = [&](const std::vector<HubLearner>& hub,
                            const std::vector<MisLearner>& mis,
                            const Scope& scope,
                            const std::function<void(std::vector<Row>)>& out) {
    {
      absl::MutexLock l(&mu);
      threads.insert(std::this_thread::get_id());
      most = std::max(most, ++running);
    }
    std::vector<Row> rows = UnclassifiedRows(hub, mis, scope, out);
    absl::MutexLock l(&mu);
    --running;
    return rows;
  };
  auto m = w.Manager({.classify_threads = 2}, counting);
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(ToPupilsPanel(*m, w));
  for (const std::string& id : ids) ASSERT_TRUE(m->Proceed(id, 0, kAdmin).ok());
  for (const std::string& id : ids) EXPECT_EQ(StreamAll(*m, id).size(), 60u);
  absl::MutexLock l(&mu);
  EXPECT_LE(most, 2);
  EXPECT_LE(threads.size(), 2u);
}

TEST(SessionMemoryTest, EventHistoryIsBoundedAndALateWatcherGetsTheState) {
  World w;
  auto m = w.Manager();
  std::vector<Row> rows;
  const std::string id = ToSyncScreen(*m, w, &rows);
  const int64_t start = m->Get(id)->record.version;
  const int64_t before = m->Memory().bytes;
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(m->SetImportAll(id, 0, i % 2 == 0, kAdmin).ok());
  }
  // 300 edits of 20 rows each would be 6,000 rows held for watchers.
  EXPECT_LT(m->Memory().bytes,
            before + 3000 * static_cast<int64_t>(sizeof(Row)));
  const SessionView now = *m->Get(id);
  ASSERT_EQ(now.record.version, start + 300);

  // Fallen behind: the current state, then what comes next.
  std::vector<SessionEvent> seen;
  absl::Notification first;
  std::thread watcher([&] {
    EXPECT_TRUE(m->Watch(id, start, [&](const SessionEvent& e) {
                   seen.push_back(e);
                   if (!first.HasBeenNotified()) first.Notify();
                   return e.verb != "SetImport";
                 }).ok());
  });
  first.WaitForNotification();
  // The newest edit is still there for a watcher just one behind.
  std::vector<SessionEvent> recent;
  ASSERT_TRUE(m->Watch(id, now.record.version - 1, [&](const SessionEvent& e) {
                 recent.push_back(e);
                 return false;
               }).ok());
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].verb, "SetImportAll");
  EXPECT_EQ(recent[0].version, now.record.version);

  ASSERT_TRUE(m->SetImport(id, 0, NewRow(rows), true, kAdmin).ok());
  watcher.join();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0].verb, "Current");
  EXPECT_EQ(seen[0].version, now.record.version);
  EXPECT_EQ(seen[0].session.counts.import_ticked, now.counts.import_ticked);
  EXPECT_EQ(seen[0].session.counts.total(), now.counts.total());
  EXPECT_EQ(seen.back().verb, "SetImport");
  EXPECT_EQ(seen.back().version, now.record.version + 1);
}

}  // namespace
}  // namespace hubsync::testing
