// Concurrent admins: every mutating verb refuses a stale session version and
// changes nothing; Save applies once per request id even when retried at the
// same moment; a second session cannot save over a hub changed since it
// classified; and a watcher sees every change by two editing clients, in
// order, with nothing missing.
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "client/lib/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/two_terms.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

// Everything a user could see: the session, its rows, the hub, the outbox
// and the audit trail.
std::string Seen(TestServer& server, const std::string& school,
                 const std::string& session) {
  v1::Session s = GetSession(server, session);
  std::string seen = s.SerializeAsString();
  if (s.step() == v1::SESSION_STEP_SYNC_SCREEN) {
    for (const auto& r : StreamAll(server, session))
      seen += r.SerializeAsString();
  }
  for (const auto& l : Learners(server, school)) seen += l.SerializeAsString();
  v1::ListVerificationEmailsRequest emails;
  emails.set_school_id(school);
  v1::ListVerificationEmailsResponse outbox;
  EXPECT_TRUE(server.accounts()
                  .ListVerificationEmails(Ctx().get(), emails, &outbox)
                  .ok());
  v1::ListAuditRecordsRequest audit;
  audit.set_school_id(school);
  v1::ListAuditRecordsResponse trail;
  EXPECT_TRUE(
      server.accounts().ListAuditRecords(Ctx().get(), audit, &trail).ok());
  return seen + outbox.SerializeAsString() + trail.SerializeAsString();
}

std::unique_ptr<client::HubsyncClient> NewClient(TestServer& server) {
  auto c = std::make_unique<client::HubsyncClient>(
      absl::StrCat("127.0.0.1:", server.port()));
  c->set_api_key(server.current_key());
  return c;
}

using Verb =
    std::function<absl::Status(client::HubsyncClient&, int64_t version)>;

// Each verb, as a call that would succeed at the right version.
std::vector<std::pair<std::string, Verb>> SyncScreenVerbs(
    const TwoTerms& t, const std::string& id) {
  auto edit = [](auto r) { return r.status(); };
  return {
      {"SetImport",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::SetImportRequest r;
         r.set_session_id(id), r.set_expected_version(v),
             r.set_mis_id("m-noah"), r.set_import(true);
         return edit(c.SetImport(r));
       }},
      {"SetImportAll",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::SetImportAllRequest r;
         r.set_session_id(id), r.set_expected_version(v), r.set_import(true);
         return edit(c.SetImportAll(r));
       }},
      {"Match",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::MatchRequest r;
         r.set_session_id(id), r.set_expected_version(v),
             r.set_learner_id(t.ellie), r.set_mis_id("m-eleanor");
         return edit(c.Match(r));
       }},
      {"Unmatch",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::UnmatchRequest r;
         r.set_session_id(id), r.set_expected_version(v),
             r.set_learner_id(t.isla);
         return edit(c.Unmatch(r));
       }},
      {"SetSyncEmail",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::SetSyncEmailRequest r;
         r.set_session_id(id), r.set_expected_version(v),
             r.set_mis_id("m-amelia"), r.set_sync(true);
         return edit(c.SetSyncEmail(r));
       }},
      {"SetSyncEmailAll",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::SetSyncEmailAllRequest r;
         r.set_session_id(id), r.set_expected_version(v), r.set_sync(true);
         return edit(c.SetSyncEmailAll(r));
       }},
      {"SetReviewed",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::SetReviewedRequest r;
         r.set_session_id(id), r.set_expected_version(v),
             r.set_learner_id(t.freddie), r.set_reviewed(true);
         return edit(c.SetReviewed(r));
       }},
      {"SetReviewedAll",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::SetReviewedAllRequest r;  // after SetReviewed: none left to mark
         r.set_session_id(id), r.set_expected_version(v), r.set_reviewed(true),
             r.set_confirm_count(0);
         return edit(c.SetReviewedAll(r));
       }},
      {"SaveAndSyncPupils",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::SaveRequest r;
         r.set_session_id(id), r.set_expected_version(v),
             r.set_request_id("stale-save"), r.set_confirm_desync_count(1);
         return edit(c.SaveAndSyncPupils(r));
       }},
      {"CancelSession",
       [=](client::HubsyncClient& c, int64_t v) {
         v1::CancelSessionRequest r;
         r.set_session_id(id), r.set_expected_version(v);
         return edit(c.CancelSession(r));
       }},
  };
}

TEST(ConcurrencyTest, EveryMutatingVerbRefusesAStaleVersionAndChangesNothing) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  auto c = NewClient(server);

  // On the Pupils panel: Proceed, SetScope and CancelSession.
  v1::StartSessionRequest start;
  start.set_school_id(t.school);
  const std::string panel = c->StartSession(start)->session_id();
  v1::ProceedRequest proceed;
  proceed.set_session_id(panel);
  proceed.set_expected_version(1);
  ASSERT_TRUE(c->Proceed(proceed).ok());  // now at version 2
  const std::string panel_before = Seen(server, t.school, panel);
  EXPECT_EQ(c->Proceed(proceed).status().code(), absl::StatusCode::kAborted);
  v1::SetScopeRequest scope;
  scope.set_session_id(panel);
  scope.set_expected_version(1);
  *scope.mutable_scope() = AllStudents();
  absl::Status s = c->SetScope(scope).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(s.message(), HasSubstr("is at version 2, not 1"));
  v1::CancelSessionRequest cancel;
  cancel.set_session_id(panel);
  cancel.set_expected_version(1);
  EXPECT_EQ(c->CancelSession(cancel).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(Seen(server, t.school, panel), panel_before);

  // On the sync screen: every edit, Save and CancelSession. The session
  // is moved on by one edit first, so version - 1 is one a second admin
  // could still hold.
  const std::string id =
      ToSyncScreen(server, t.school, AllStudents(), true, nullptr);
  std::vector<std::pair<std::string, Verb>> verbs = SyncScreenVerbs(t, id);
  const int64_t v = GetSession(server, id).version();
  ASSERT_TRUE(verbs[1].second(*c, v).ok());  // SetImportAll(true) at v
  const std::string before = Seen(server, t.school, id);
  for (auto& [name, call] : verbs) {
    absl::Status stale = call(*c, v);
    EXPECT_EQ(stale.code(), absl::StatusCode::kAborted)
        << name << ": " << stale;
    EXPECT_THAT(stale.message(), HasSubstr(absl::StrCat("not ", v))) << name;
    EXPECT_EQ(Seen(server, t.school, id), before)
        << name << " changed something";
  }
  // At the current version each of them goes through (so the refusals above
  // were about the version, not the call).
  int64_t now = v + 1;
  for (auto& [name, call] : verbs) {
    if (name == "CancelSession") continue;  // after Save it is not allowed
    absl::Status ok = call(*c, now);
    EXPECT_TRUE(ok.ok()) << name << ": " << ok;
    now = GetSession(server, id).version();
  }
  EXPECT_EQ(GetSession(server, id).step(), v1::SESSION_STEP_SAVED);
}

TEST(ConcurrencyTest, SaveRetriedAtTheSameMomentIsAppliedOnce) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string id =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  auto a = NewClient(server), b = NewClient(server);
  v1::SetImportAllRequest all;
  all.set_session_id(id);
  all.set_import(true);
  ASSERT_TRUE(a->SetImportAll(all).ok());
  v1::SaveRequest save;
  save.set_session_id(id);
  save.set_request_id("retry-me");
  save.set_confirm_desync_count(1);
  // Freddie's May match is saved unreviewed: not what this test is about
  // (tests/service/review_test.cc).
  save.set_allow_unreviewed(true);
  absl::StatusOr<v1::SaveResponse> ra, rb;
  std::thread ta([&] { ra = a->SaveAndSyncPupils(save); });
  std::thread tb([&] { rb = b->SaveAndSyncPupils(save); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.ok()) << ra.status();
  ASSERT_TRUE(rb.ok()) << rb.status();
  EXPECT_EQ(ra->summary().SerializeAsString(),
            rb->summary().SerializeAsString());
  EXPECT_EQ(ra->summary().imported(), 2);  // Noah and Eleanor, once each
  EXPECT_EQ(Learners(server, t.school).size(), 7u);
  v1::ListAuditRecordsRequest audit;
  audit.set_school_id(t.school);
  v1::ListAuditRecordsResponse trail;
  ASSERT_TRUE(
      server.accounts().ListAuditRecords(Ctx().get(), audit, &trail).ok());
  int in_session = 0;
  for (const auto& r : trail.records()) {
    in_session += r.session_id() == id && IsSaveVerb(r.verb());
  }
  EXPECT_EQ(in_session, ra->summary().audit_records());

  // Another request id on the saved session is refused, not applied again.
  save.set_request_id("another");
  absl::Status again = a->SaveAndSyncPupils(save).status();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Learners(server, t.school).size(), 7u);
}

TEST(ConcurrencyTest,
     ASecondSessionCannotSaveOverAHubChangedSinceItClassified) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string first =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  const std::string second =
      ToSyncScreen(server, t.school, AllStudents(), false, nullptr);
  auto c = NewClient(server);
  v1::SaveRequest save;
  save.set_session_id(first);
  save.set_confirm_desync_count(1);
  // Freddie's May match is saved unreviewed: not what this test is about
  // (tests/service/review_test.cc).
  save.set_allow_unreviewed(true);
  ASSERT_TRUE(c->SaveAndSyncPupils(save).ok());
  const std::string before = Seen(server, t.school, second);
  save.set_session_id(second);
  absl::Status s = c->SaveAndSyncPupils(save).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(),
              HasSubstr("hub changed since this session classified"));
  EXPECT_EQ(Seen(server, t.school, second), before);
  // The admin of the second session starts again and sees the saved hub.
  std::vector<v1::Row> rows;
  ToSyncScreen(server, t.school, AllStudents(), false, &rows);
  EXPECT_EQ(RowOf(rows, t.isla).status(), v1::ROW_STATUS_SYNCED);
}

// One edit that went through, as its caller saw it.
struct Applied {
  std::string verb;
  std::string changed;  // serialized changed rows and removed ids
};

TEST(ConcurrencyTest, AWatcherSeesEveryChangeOfTwoEditingClientsInOrder) {
  TestServer server;
  TwoTerms t = SetUpTwoTerms(server);
  const std::string id =
      ToSyncScreen(server, t.school, AllStudents(), true, nullptr);
  const int64_t from = GetSession(server, id).version();

  auto watcher = NewClient(server);
  std::vector<v1::SessionEvent> seen;
  std::thread watch([&] {
    v1::WatchSessionRequest req;
    req.set_session_id(id);
    req.set_after_version(from);
    absl::Status s = watcher->WatchSession(req, [&](const v1::SessionEvent& e) {
      seen.push_back(e);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
  });

  // Two admins edit at once, each carrying the version it last saw and
  // retrying on ABORTED: A ticks and unticks Noah's import, B Amelia's email.
  std::mutex mu;
  std::map<int64_t, Applied> applied;  // by version
  int aborted = 0;
  auto admin = [&](bool is_a) {
    auto c = NewClient(server);
    int64_t version = from;
    for (int i = 0; i < 15; ++i) {
      while (true) {
        absl::StatusOr<v1::EditResponse> r;
        if (is_a) {
          v1::SetImportRequest req;
          req.set_session_id(id), req.set_expected_version(version),
              req.set_mis_id("m-noah"), req.set_import(i % 2 == 0);
          r = c->SetImport(req);
        } else {
          v1::SetSyncEmailRequest req;
          req.set_session_id(id), req.set_expected_version(version),
              req.set_mis_id("m-amelia"), req.set_sync(i % 2 == 0);
          r = c->SetSyncEmail(req);
        }
        if (r.ok()) {
          std::string changed;
          for (const auto& row : r->changed_rows())
            changed += row.SerializeAsString();
          for (int64_t rid : r->removed_row_ids())
            absl::StrAppend(&changed, "-", rid);
          std::lock_guard<std::mutex> l(mu);
          EXPECT_EQ(applied.count(r->session().version()), 0u)
              << "a version twice";
          applied[r->session().version()] =
              Applied{is_a ? "SetImport" : "SetSyncEmail", changed};
          version = r->session().version();
          break;
        }
        ASSERT_EQ(r.status().code(), absl::StatusCode::kAborted) << r.status();
        {
          std::lock_guard<std::mutex> l(mu);
          ++aborted;
        }
        absl::StatusOr<v1::Session> now = c->GetSession(id);
        ASSERT_TRUE(now.ok());
        version = now->version();
      }
    }
  };
  std::thread a(admin, true), b(admin, false);
  a.join();
  b.join();
  auto c = NewClient(server);
  v1::SaveRequest save;
  save.set_session_id(id);
  save.set_confirm_desync_count(1);
  // Freddie's May match is saved unreviewed: not what this test is about
  // (tests/service/review_test.cc).
  save.set_allow_unreviewed(true);
  absl::StatusOr<v1::SaveResponse> saved = c->SaveAndSyncPupils(save);
  ASSERT_TRUE(saved.ok()) << saved.status();
  watch.join();  // the watch ends with the save

  // 30 edits, on consecutive versions, and the watcher saw each of them in
  // version order with the rows its caller got back, then the save.
  ASSERT_EQ(applied.size(), 30u);
  EXPECT_EQ(applied.begin()->first, from + 1);
  EXPECT_EQ(applied.rbegin()->first, from + 30);
  std::string versions;
  for (const v1::SessionEvent& e : seen) {
    absl::StrAppend(&versions, " v", e.version(), " ", e.verb());
  }
  ASSERT_EQ(seen.size(), 31u) << "seen:" << versions;
  auto it = applied.begin();
  for (size_t i = 0; i < 30; ++i, ++it) {
    EXPECT_EQ(seen[i].version(), it->first);
    EXPECT_EQ(seen[i].verb(), it->second.verb) << "version " << it->first;
    std::string changed;
    for (const auto& row : seen[i].changed_rows())
      changed += row.SerializeAsString();
    for (int64_t rid : seen[i].removed_row_ids())
      absl::StrAppend(&changed, "-", rid);
    EXPECT_EQ(changed, it->second.changed) << "version " << it->first;
  }
  EXPECT_EQ(seen[30].verb(), "SaveAndSyncPupils");
  EXPECT_EQ(seen[30].version(), from + 31);
  // The last edits of each (i = 14: on) are what was saved: Noah imported,
  // Amelia's email synced.
  EXPECT_EQ(saved->summary().imported(), 1);
  EXPECT_EQ(saved->summary().emails_queued(), 1);
  std::printf("two admins: %d stale edits retried\n", aborted);
}

}  // namespace
}  // namespace hubsync::testing
