// Crash safety of Save: the real hubsyncd, as a child process on a real
// SQLite file, is SIGKILLed at many points while it saves a large sync screen
// (links, refreshes, imports, desyncs, emails ticked), then restarted. Each
// time the hub is exactly as before the save or exactly as after it, the
// session agrees with it and is intact (an unsaved one can still be saved),
// and the queued verification emails match the records saved.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/lib/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fakes.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

const std::string kBin = HUBSYNC_BINARY_DIR;

constexpr int kLinked = 3000;   // linked in term 1
constexpr int kLeavers = 400;   // of those, gone in term 2: desynced
constexpr int kHandMade = 500;  // unlinked hub records the MIS matches
constexpr int kJoiners = 500;   // new in term 2: imported
constexpr int kKills = 12;      // SIGKILLs during a save

// "Aab", "Aac", ...: names without digits, distinct per number.
std::string Letters(int n) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    s.insert(s.begin(), static_cast<char>('a' + n % 26));
    n /= 26;
  }
  s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string CrashUpn(int i) { return Upn(absl::StrFormat("8012%08d", i)); }

std::string Dob(int i) {
  return absl::StrFormat("2012-%02d-%02d", 1 + i % 12, 1 + i % 28);
}

// The key the clients send: the operator's until the school exists, then its
// admin's (both live in the database, so copies of it carry them).
std::string g_api_key;

// A running hubsyncd on `db` and a client of it.
struct Server {
  std::unique_ptr<Child> child;
  std::unique_ptr<client::HubsyncClient> client;
};

Server StartServer(const std::string& db) {
  Server s;
  s.child = std::make_unique<Child>(std::vector<std::string>{
      kBin + "/hubsyncd", "--listen", "127.0.0.1:0", "--db", db});
  std::string line = s.child->WaitForLine("listening on");
  EXPECT_FALSE(line.empty()) << "hubsyncd did not start on " << db;
  if (line.empty()) return s;
  const int port =
      std::stoi(line.substr(line.find(':', line.find("127.0.0.1")) + 1));
  s.client =
      std::make_unique<client::HubsyncClient>(absl::StrCat("127.0.0.1:", port));
  s.client->set_api_key(g_api_key);
  return s;
}

template <typename T>
T Must(absl::StatusOr<T> r, const char* what) {
  EXPECT_TRUE(r.ok()) << what << ": " << r.status();
  return r.ok() ? *std::move(r) : T();
}

std::vector<v1::Row> AllRows(client::HubsyncClient& c,
                             const std::string& session) {
  std::vector<v1::Row> rows;
  v1::StreamRowsRequest req;
  req.set_session_id(session);
  req.set_batch_size(5000);
  absl::Status s = c.StreamRows(req, [&](const v1::RowBatch& b) {
    for (const v1::Row& r : b.rows()) rows.push_back(r);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return rows;
}

std::string HubCsv(int from, int to, bool with_upn) {
  std::string csv =
      "legal_forename,legal_surname,preferred_forename,preferred_surname,"
      "date_of_birth,gender,upn,year_group,registration_group,classes,email\n";
  for (int i = from; i < to; ++i) {
    absl::StrAppend(&csv, "Kid", Letters(i), ",Fam", Letters(i * 7 + 3), ",,,",
                    Dob(i), ",F,", with_upn ? CrashUpn(i) : "", ",8,8A,,\n");
  }
  return csv;
}

v1::MisLearnerRecord Mis(int i, const std::string& mis_id,
                         const std::string& reg, bool email) {
  v1::MisLearnerRecord m =
      MisRecord(mis_id, {absl::StrCat("Kid", Letters(i)),
                         absl::StrCat("Fam", Letters(i * 7 + 3)), Dob(i),
                         i < kLinked ? CrashUpn(i) : "", "8", reg,
                         email ? absl::StrCat("kid", i, "@example.org") : ""});
  m.set_gender("F");
  return m;
}

void Push(client::HubsyncClient& c, const std::string& school,
          const std::vector<v1::MisLearnerRecord>& learners) {
  v1::PushMisRecordsRequest req;
  req.set_school_id(school);
  *req.add_classes() = RegClass("reg-8A", "8A", "8");
  *req.add_classes() = RegClass("reg-8B", "8B", "8");
  for (const auto& l : learners) *req.add_learners() = l;
  Must(c.PushMisRecords(req), "PushMisRecords");
}

// StartSession .. Proceed (classify) and every row streamed.
std::string ToSyncScreen(client::HubsyncClient& c, const std::string& school,
                         bool sync_emails) {
  v1::StartSessionRequest start;
  start.set_school_id(school);
  start.set_admin("crash test");
  const std::string id =
      Must(c.StartSession(start), "StartSession").session_id();
  v1::ProceedRequest proceed;
  proceed.set_session_id(id);
  Must(c.Proceed(proceed), "Proceed (classes)");
  v1::SetScopeRequest scope;
  scope.set_session_id(id);
  scope.mutable_scope()->set_kind(v1::SCOPE_KIND_ALL);
  scope.set_sync_email_addresses(sync_emails);
  Must(c.SetScope(scope), "SetScope");
  Must(c.Proceed(proceed), "Proceed (classify)");
  AllRows(c, id);
  return id;
}

// What a user can see of the school, with the ids of imported learners (new
// random ids on every run) replaced by their MIS ids and times left out.
struct Dump {
  std::string hub;     // every learner
  std::string emails;  // the outbox
  std::string audit;   // verb and learner of each record
  v1::SessionStep step = v1::SESSION_STEP_UNSPECIFIED;
  int64_t version = 0;
  std::string rows;  // the sync screen, while not saved
  // Outbox addresses by learner key, and learners' emails by key.
  std::map<std::string, std::string> outbox, learner_email;
};

Dump Take(client::HubsyncClient& c, const std::string& school,
          const std::string& session, const std::set<std::string>& known_ids) {
  Dump d;
  std::map<std::string, std::string> key_of;
  v1::ListLearnersResponse learners =
      Must(c.ListLearners(school), "ListLearners");
  std::map<std::string, std::string> hub;
  for (v1::Learner l : learners.learners()) {
    const std::string key = known_ids.count(l.learner_id())
                                ? l.learner_id()
                                : absl::StrCat("imported:", l.mis_id());
    key_of[l.learner_id()] = key;
    l.set_learner_id(key);
    l.clear_update_time();
    if (!l.email().empty()) d.learner_email[key] = l.email();
    hub[key] = l.SerializeAsString();
  }
  for (const auto& [k, v] : hub) absl::StrAppend(&d.hub, k, "=", v, "\n");
  const v1::ListVerificationEmailsResponse emails =
      Must(c.ListVerificationEmails(school), "ListVerificationEmails");
  for (const v1::VerificationEmail& e : emails.emails()) {
    const std::string key = key_of.count(e.learner_id())
                                ? key_of[e.learner_id()]
                                : "unknown:" + e.learner_id();
    EXPECT_EQ(d.outbox.count(key), 0u) << "two emails queued for " << key;
    d.outbox[key] = e.address();
    absl::StrAppend(&d.emails, key, " ", e.address(), " ", e.status(), "\n");
  }
  std::vector<std::string> audit;
  const v1::ListAuditRecordsResponse records =
      Must(c.ListAuditRecords(school), "ListAuditRecords");
  for (const v1::AuditRecord& a : records.records()) {
    audit.push_back(absl::StrCat(a.session_id(), " ", a.verb(), " ",
                                 key_of.count(a.learner_id())
                                     ? key_of[a.learner_id()]
                                     : a.learner_id()));
  }
  std::sort(audit.begin(), audit.end());
  for (const std::string& a : audit) absl::StrAppend(&d.audit, a, "\n");
  v1::Session s = Must(c.GetSession(session), "GetSession");
  d.step = s.step();
  d.version = s.version();
  if (d.step == v1::SESSION_STEP_SYNC_SCREEN) {
    for (const v1::Row& r : AllRows(c, session))
      d.rows += r.SerializeAsString();
  }
  return d;
}

void CopyDb(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::remove(to + suffix);
    if (fs::exists(from + suffix)) fs::copy_file(from + suffix, to + suffix);
  }
}

TEST(CrashTest, SigkillDuringALargeSaveLeavesBeforeOrAfterNeverHalf) {
  TempDir dir;
  const std::string template_db = dir.File("template.db");
  std::string school, session;
  std::set<std::string> known_ids;
  {
    RunResult init = testing::Run(
        {kBin + "/hubsyncd", "--db", template_db, "--init-operator-key"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    g_api_key = std::string(absl::StripAsciiWhitespace(init.out));
    Server srv = StartServer(template_db);
    ASSERT_NE(srv.client, nullptr);
    client::HubsyncClient& c = *srv.client;
    school =
        Must(c.CreateSchool("Crash Test Academy"), "CreateSchool").school_id();
    v1::CreateApiKeyRequest key;
    key.set_school_id(school);
    key.set_role(v1::ROLE_ADMIN);
    g_api_key = Must(c.CreateApiKey(key), "CreateApiKey").secret();
    c.set_api_key(g_api_key);
    Must(c.ImportLearners(school, HubCsv(0, kLinked, true)), "ImportLearners");
    std::vector<v1::MisLearnerRecord> term1;
    for (int i = 0; i < kLinked; ++i)
      term1.push_back(Mis(i, absl::StrCat("m-", i), "8A", false));
    Push(c, school, term1);
    const std::string first = ToSyncScreen(c, school, false);
    v1::SaveRequest save;
    save.set_session_id(first);
    ASSERT_EQ(Must(c.SaveAndSyncPupils(save), "term-1 save").summary().linked(),
              kLinked);

    // Term 2: leavers, everyone else moved to 8B, hand-made records the MIS
    // now has, and joiners; every MIS record has an email.
    Must(c.ImportLearners(school, HubCsv(kLinked, kLinked + kHandMade, false)),
         "ImportLearners (hand-made)");
    std::vector<v1::MisLearnerRecord> term2;
    for (int i = kLeavers; i < kLinked; ++i)
      term2.push_back(Mis(i, absl::StrCat("m-", i), "8B", true));
    for (int i = kLinked; i < kLinked + kHandMade + kJoiners; ++i) {
      term2.push_back(Mis(i, absl::StrCat("m-", i), "8B", true));
    }
    Push(c, school, term2);
    session = ToSyncScreen(c, school, true);
    v1::SetImportAllRequest import_all;
    import_all.set_session_id(session);
    import_all.set_import(true);
    Must(c.SetImportAll(import_all), "SetImportAll");
    v1::SetSyncEmailAllRequest email_all;
    email_all.set_session_id(session);
    email_all.set_sync(true);
    Must(c.SetSyncEmailAll(email_all), "SetSyncEmailAll");
    const v1::ListLearnersResponse all =
        Must(c.ListLearners(school), "ListLearners");
    for (const v1::Learner& l : all.learners())
      known_ids.insert(l.learner_id());
    ASSERT_EQ(srv.child->Stop(SIGTERM), 0);
  }

  const std::string db = dir.File("hub.db");
  v1::SaveRequest save;
  save.set_session_id(session);
  save.set_confirm_desync_count(kLeavers);  // 400 of 3000: above the 10 % guard

  // The save once without a kill: the "after" state, and how long it takes.
  CopyDb(template_db, db);
  Dump before, after;
  std::chrono::microseconds save_time{};
  {
    Server srv = StartServer(db);
    ASSERT_NE(srv.client, nullptr);
    before = Take(*srv.client, school, session, known_ids);
    ASSERT_EQ(before.step, v1::SESSION_STEP_SYNC_SCREEN);
    EXPECT_TRUE(before.outbox.empty());
    const auto t0 = Steady::now();
    v1::SaveResponse saved = Must(srv.client->SaveAndSyncPupils(save), "Save");
    save_time = std::chrono::duration_cast<std::chrono::microseconds>(
        Steady::now() - t0);
    EXPECT_EQ(saved.summary().desynced(), kLeavers);
    EXPECT_EQ(saved.summary().linked(), kHandMade);
    EXPECT_EQ(saved.summary().imported(), kJoiners);
    EXPECT_EQ(saved.summary().refreshed(), kLinked - kLeavers);
    EXPECT_EQ(saved.summary().emails_queued(),
              kLinked - kLeavers + kHandMade + kJoiners);
    after = Take(*srv.client, school, session, known_ids);
    ASSERT_EQ(after.step, v1::SESSION_STEP_SAVED);
    // The queued emails are exactly the saved records' addresses.
    EXPECT_EQ(after.outbox, after.learner_email);
    EXPECT_EQ(static_cast<int64_t>(after.outbox.size()),
              saved.summary().emails_queued());
    EXPECT_NE(before.hub, after.hub);
    srv.child->Stop(SIGKILL);
  }

  // Kills at delays drawn (seeded) over 0 .. 1.5 x the save's time: before
  // the request lands, while rows load, while learners are written, around
  // the commit, and after the reply.
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<int64_t> delay_us(0, save_time.count() * 3 / 2);
  int saw_before = 0, saw_after = 0, saved_again = 0, replied = 0;
  for (int k = 0; k < kKills; ++k) {
    SCOPED_TRACE(absl::StrCat("kill ", k));
    CopyDb(template_db, db);
    const auto delay = std::chrono::microseconds(k == 0 ? 0 : delay_us(rng));
    {
      Server srv = StartServer(db);
      ASSERT_NE(srv.client, nullptr);
      absl::StatusOr<v1::SaveResponse> reply;
      std::thread saver([&] { reply = srv.client->SaveAndSyncPupils(save); });
      if (k == kKills - 1) {
        saver.join();  // the last kill comes after the reply
      } else {
        std::this_thread::sleep_for(delay);
      }
      srv.child->Stop(SIGKILL);
      if (saver.joinable()) saver.join();
      if (reply.ok()) ++replied;
    }
    Server srv = StartServer(db);
    ASSERT_NE(srv.client, nullptr);
    Dump now = Take(*srv.client, school, session, known_ids);
    if (now.step == v1::SESSION_STEP_SAVED) {
      ++saw_after;
      EXPECT_EQ(now.version, after.version);
      EXPECT_TRUE(now.hub == after.hub)
          << "saved session, but the hub is not the saved hub";
      EXPECT_EQ(now.emails, after.emails);
      EXPECT_EQ(now.audit, after.audit);
    } else {
      ++saw_before;
      EXPECT_EQ(now.step, v1::SESSION_STEP_SYNC_SCREEN);
      EXPECT_EQ(now.version, before.version);
      EXPECT_TRUE(now.hub == before.hub)
          << "unsaved session, but the hub changed";
      EXPECT_EQ(now.emails, before.emails);
      EXPECT_EQ(now.audit, before.audit);
      EXPECT_TRUE(now.rows == before.rows) << "the sync screen changed";
      if (saved_again < 2) {  // the session can still be saved, and is whole
        ++saved_again;
        ASSERT_TRUE(srv.client->SaveAndSyncPupils(save).ok());
        Dump resaved = Take(*srv.client, school, session, known_ids);
        EXPECT_TRUE(resaved.hub == after.hub);
        EXPECT_EQ(resaved.emails, after.emails);
        EXPECT_EQ(resaved.audit, after.audit);
      }
    }
    srv.child->Stop(SIGKILL);
  }
  std::printf(
      "crash test: save took %lld ms; %d kills: %d before, %d after (%d "
      "replied)\n",
      static_cast<long long>(save_time.count() / 1000), kKills, saw_before,
      saw_after, replied);
  // The first kill lands before the request does, the last after the reply.
  EXPECT_GE(saw_before, 1);
  EXPECT_GE(saw_after, 1);
}

// ImportLearners with a request id, SIGKILLed at delays over the import's
// time, then sent again with the same id once the server is back (as
// `hubsync learner import` does on UNAVAILABLE): the school ends with
// exactly one copy of the file, whether the kill came before the commit or
// after it, and never part of one.
TEST(CrashTest, ImportRetriedWithItsRequestIdAfterSigkillCreatesOnce) {
  constexpr int kRows = 4000;
  constexpr int kImportKills = 6;
  TempDir dir;
  const std::string template_db = dir.File("template.db");
  std::string school;
  {
    RunResult init = testing::Run(
        {kBin + "/hubsyncd", "--db", template_db, "--init-operator-key"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    g_api_key = std::string(absl::StripAsciiWhitespace(init.out));
    Server srv = StartServer(template_db);
    ASSERT_NE(srv.client, nullptr);
    school = Must(srv.client->CreateSchool("Retry Academy"), "CreateSchool")
                 .school_id();
    v1::CreateApiKeyRequest key;
    key.set_school_id(school);
    key.set_role(v1::ROLE_ADMIN);
    g_api_key = Must(srv.client->CreateApiKey(key), "CreateApiKey").secret();
    ASSERT_EQ(srv.child->Stop(SIGTERM), 0);
  }
  const std::string csv = HubCsv(0, kRows, true);
  v1::ImportLearnersRequest first;
  first.set_request_id("crash-import-1");
  const std::string db = dir.File("hub.db");
  auto count = [&](client::HubsyncClient& c) {
    return Must(c.ListLearners(school), "ListLearners").learners_size();
  };

  std::chrono::microseconds import_time{};
  {
    CopyDb(template_db, db);
    Server srv = StartServer(db);
    ASSERT_NE(srv.client, nullptr);
    const auto t0 = Steady::now();
    Must(srv.client->ImportLearners(school, csv, nullptr, first), "import");
    import_time = std::chrono::duration_cast<std::chrono::microseconds>(
        Steady::now() - t0);
    srv.child->Stop(SIGKILL);
  }
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int64_t> delay_us(0,
                                                  import_time.count() * 3 / 2);
  int saw_before = 0, saw_after = 0;
  for (int k = 0; k < kImportKills; ++k) {
    SCOPED_TRACE(absl::StrCat("kill ", k));
    CopyDb(template_db, db);
    absl::StatusOr<v1::ImportLearnersResponse> reply;
    {
      Server srv = StartServer(db);
      ASSERT_NE(srv.client, nullptr);
      std::thread importer([&] {
        reply = srv.client->ImportLearners(school, csv, nullptr, first);
      });
      if (k == kImportKills - 1) {
        importer.join();  // the last kill comes after the reply
      } else {
        std::this_thread::sleep_for(
            std::chrono::microseconds(k == 0 ? 0 : delay_us(rng)));
      }
      srv.child->Stop(SIGKILL);
      if (importer.joinable()) importer.join();
    }
    Server srv = StartServer(db);
    ASSERT_NE(srv.client, nullptr);
    const int found = count(*srv.client);
    EXPECT_TRUE(found == 0 || found == kRows) << found << " learners";
    (found == 0 ? saw_before : saw_after) += 1;
    // The retry: the same file with the same id.
    absl::StatusOr<v1::ImportLearnersResponse> retried =
        srv.client->ImportLearners(school, csv, nullptr, first);
    ASSERT_TRUE(retried.ok()) << retried.status();
    EXPECT_EQ(retried->created(), kRows);
    if (reply.ok()) {
      EXPECT_EQ(retried->SerializeAsString(), reply->SerializeAsString());
    }
    EXPECT_EQ(count(*srv.client), kRows);
    srv.child->Stop(SIGKILL);
  }
  std::printf(
      "crash test: import took %lld ms; %d kills: %d before, %d after\n",
      static_cast<long long>(import_time.count() / 1000), kImportKills,
      saw_before, saw_after);
  EXPECT_GE(saw_before, 1);
  EXPECT_GE(saw_after, 1);
}

}  // namespace
}  // namespace hubsync::testing
