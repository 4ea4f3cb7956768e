// A property over generated schools (tests/synth, 50 to 5,000 learners) and
// random decisions on the sync screen (Match, Unmatch, Import?, email
// ticks), through the real server: the dry run's summary is the real save's,
// every time; a save then its revert leaves the hub exactly as before; the
// revert of that revert brings the save back exactly. Two terms per school,
// so that the second save refreshes, relinks and desyncs learners the first
// linked or imported.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/synth/synth.h"
#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {
namespace {

// Every learner (all fields), every class and the emails waiting to go
// out (a withdrawn email stays in the outbox as a record of it), one line
// each.
std::string PropertyHubView(TestServer& server, const std::string& school) {
  std::string state;
  for (const v1::Learner& l : Learners(server, school)) {
    state += l.ShortDebugString() + "\n";
  }
  v1::ListClassesRequest classes_req;
  classes_req.set_school_id(school);
  v1::ListClassesResponse classes;
  EXPECT_TRUE(
      server.hub().ListClasses(Ctx().get(), classes_req, &classes).ok());
  v1::ListVerificationEmailsRequest emails_req;
  emails_req.set_school_id(school);
  v1::ListVerificationEmailsResponse emails;
  EXPECT_TRUE(server.accounts()
                  .ListVerificationEmails(Ctx().get(), emails_req, &emails)
                  .ok());
  for (const v1::HubClass& c : classes.classes()) {
    state += c.ShortDebugString() + "\n";
  }
  for (const v1::VerificationEmail& e : emails.emails()) {
    if (e.status() == "queued") state += e.ShortDebugString() + "\n";
  }
  return state;
}

// The first line where two views differ, for a readable failure.
std::string FirstDifference(const std::string& got, const std::string& want) {
  std::vector<std::string> a = absl::StrSplit(got, '\n');
  std::vector<std::string> b = absl::StrSplit(want, '\n');
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(none)";
    const std::string y = i < b.size() ? b[i] : "(none)";
    if (x != y)
      return "line " + std::to_string(i) + ":\n  got  " + x + "\n  want " + y;
  }
  return "";
}

// The MIS side of `s` as a snapshot of registration groups (subject classes
// left out), with `drop` of the learners left off (leavers).
MisSnapshot SnapshotOf(const std::string& school,
                       const std::vector<MisLearner>& learners) {
  MisSnapshot snap;
  snap.school_id = school;
  std::map<std::string, MisClass> classes;
  for (MisLearner m : learners) {
    m.class_mis_ids.clear();
    m.classes.clear();
    if (!m.registration_group_mis_id.empty()) {
      classes[m.registration_group_mis_id] = {m.registration_group_mis_id,
                                              m.registration_group,
                                              ClassKind::kRegistration, ""};
    }
    snap.learners.push_back(std::move(m));
  }
  for (auto& [id, c] : classes) snap.classes.push_back(c);
  return snap;
}

// Random decisions on the screen: about `edits` of them, each one the
// admin could make (a refused one, on a row already changed, is skipped).
void Decide(TestServer& server, const std::string& session, std::mt19937& rng,
            int edits) {
  std::vector<v1::Row> rows = StreamAll(server, session);
  std::shuffle(rows.begin(), rows.end(), rng);
  std::vector<std::string> free_hub, free_mis;
  for (const v1::Row& r : rows) {
    if (r.status() == v1::ROW_STATUS_NOT_MATCHED) {
      free_hub.push_back(r.hub().learner_id());
    }
    if (r.status() == v1::ROW_STATUS_NEW) free_mis.push_back(r.mis().mis_id());
  }
  std::bernoulli_distribution coin(0.5);
  v1::EditResponse out;
  int made = 0;
  for (const v1::Row& r : rows) {
    if (made >= edits) break;
    switch (r.status()) {
      case v1::ROW_STATUS_NEW: {
        v1::SetImportRequest req;
        req.set_session_id(session);
        req.set_mis_id(r.mis().mis_id());
        req.set_import(coin(rng));
        made += server.sync().SetImport(Ctx().get(), req, &out).ok();
        break;
      }
      case v1::ROW_STATUS_MATCHED:
      case v1::ROW_STATUS_MAY_MATCH:
        if (coin(rng) && coin(rng)) {
          v1::UnmatchRequest req;
          req.set_session_id(session);
          req.set_learner_id(r.hub().learner_id());
          made += server.sync().Unmatch(Ctx().get(), req, &out).ok();
          break;
        }
        [[fallthrough]];
      case v1::ROW_STATUS_SYNCED:
        if (r.email_available() && coin(rng)) {
          v1::SetSyncEmailRequest req;
          req.set_session_id(session);
          req.set_mis_id(r.mis().mis_id());
          req.set_sync(true);
          made += server.sync().SetSyncEmail(Ctx().get(), req, &out).ok();
        }
        break;
      default:
        break;
    }
  }
  // A few hand matches of a Not matched learner with a New record.
  for (size_t i = 0;
       i < std::min<size_t>({free_hub.size(), free_mis.size(), 3}); ++i) {
    v1::MatchRequest req;
    req.set_session_id(session);
    req.set_learner_id(free_hub[i]);
    req.set_mis_id(free_mis[i]);
    (void)server.sync().Match(Ctx().get(), req, &out);
  }
}

// One term: a session to the sync screen, random decisions, the dry run and
// the save compared, then revert and revert-of-revert checked.
void Term(TestServer& server, const std::string& school, std::mt19937& rng,
          int size) {
  const std::string session = ToSyncScreen(server, school, AllStudents(),
                                           /*sync_emails=*/true, nullptr);
  Decide(server, session, rng, std::max(20, size / 25));
  const std::string before = PropertyHubView(server, school);

  v1::SaveRequest req;
  req.set_session_id(session);
  req.set_allow_unreviewed(true);  // the guesses are part of the property
  req.set_validate_only(true);
  v1::SaveResponse dry, real;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), req, &dry);
  ASSERT_TRUE(s.ok()) << s.error_message();
  req.set_validate_only(false);
  s = server.sync().SaveAndSyncPupils(Ctx().get(), req, &real);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(dry.summary().SerializeAsString(),
            real.summary().SerializeAsString())
      << "dry run " << dry.summary().ShortDebugString() << " vs save "
      << real.summary().ShortDebugString();
  const std::string after = PropertyHubView(server, school);

  v1::RevertSaveRequest revert;
  revert.set_save_id(real.save_id());
  v1::RevertSaveResponse undone;
  s = server.sync().RevertSave(Ctx().get(), revert, &undone);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(FirstDifference(PropertyHubView(server, school), before), "")
      << "save + revert restores the hub exactly";
  revert.set_save_id(undone.revert().save_id());
  v1::RevertSaveResponse redone;
  s = server.sync().RevertSave(Ctx().get(), revert, &redone);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(FirstDifference(PropertyHubView(server, school), after), "")
      << "reverting the revert brings the save back exactly";
}

TEST(RevertPropertyTest, DryRunEqualsSaveAndRevertRestoresExactly) {
  const int kSizes[] = {50, 200, 1000, 5000};
  uint64_t seed = 19;
  for (int size : kSizes) {
    SCOPED_TRACE(::testing::Message() << size << " learners, seed " << seed);
    absl::StatusOr<synth::School> gen =
        synth::Generate(static_cast<size_t>(size), seed);
    ASSERT_TRUE(gen.ok()) << gen.status();
    TestServer server({}, /*max_desync_percent=*/100.0);
    const std::string school = CreateSchool(server, "Generated Academy");
    Store* store = server.store();
    ASSERT_TRUE(store->SaveSnapshot(SnapshotOf(school, gen->mis)).ok());
    std::vector<HubLearner> hub;
    for (HubLearner h : gen->hub) {
      h.id.clear();
      h.school_id = school;
      h.classes.clear();
      h.mis_id.clear();
      h.sync_state = SyncState::kUnsynced;
      hub.push_back(std::move(h));
    }
    ASSERT_TRUE(store->CreateLearners(school, std::move(hub)).ok());
    std::mt19937 rng(static_cast<uint32_t>(seed));
    Term(server, school, rng, size);
    if (::testing::Test::HasFatalFailure()) return;
    // The next term: a tenth have left, the rest move up a registration
    // group's worth of change in names (refresh) where the generator says.
    std::vector<MisLearner> next;
    for (const MisLearner& m : gen->mis) {
      if (std::uniform_int_distribution<int>(0, 9)(rng) != 0) {
        next.push_back(m);
      }
    }
    ASSERT_TRUE(store->SaveSnapshot(SnapshotOf(school, next)).ok());
    Term(server, school, rng, size);
    if (::testing::Test::HasFatalFailure()) return;
    ++seed;
  }
}

}  // namespace
}  // namespace hubsync::testing
