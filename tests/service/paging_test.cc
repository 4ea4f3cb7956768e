// AIP-158 paging of every list that grows with a school, on a real server:
// page_size honoured (0: the default, capped at the maximum, negative
// refused), next_page_token followed to the end gives every item exactly
// once in the unpaged order, and a token is refused (INVALID_ARGUMENT) when
// it is garbage or is used with another list, school or filter.
#include "server/service/paging.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/sync_helpers.h"
#include "tests/testing/test_server.h"

namespace hubsync::testing {
namespace {

using ::testing::HasSubstr;

// One list RPC seen generically: a request for a page, its items' ids and
// next_page_token.
struct Pager {
  std::string name;
  // Calls the RPC with the list's usual parameters and the paging ones.
  std::function<grpc::Status(int32_t page_size, const std::string& token,
                             std::vector<std::string>* ids, std::string* next)>
      call;
};

struct Followed {
  std::vector<std::string> ids;
  std::vector<size_t> page_sizes;
};

// Follows the list from the first page to the end.
Followed Follow(const Pager& pager, int32_t page_size) {
  Followed f;
  std::string token;
  for (int guard = 0; guard < 10000; ++guard) {
    std::vector<std::string> ids;
    std::string next;
    grpc::Status s = pager.call(page_size, token, &ids, &next);
    EXPECT_TRUE(s.ok()) << pager.name << ": " << s.error_message();
    if (!s.ok()) break;
    f.page_sizes.push_back(ids.size());
    f.ids.insert(f.ids.end(), ids.begin(), ids.end());
    if (next.empty()) break;
    EXPECT_NE(next, token) << pager.name;
    token = next;
  }
  return f;
}

template <typename Req, typename Resp, typename Items, typename Id>
Pager MakePager(
    std::string name,
    std::function<grpc::Status(grpc::ClientContext*, const Req&, Resp*)> rpc,
    Req base, Items items, Id id) {
  return Pager{name, [=](int32_t page_size, const std::string& token,
                         std::vector<std::string>* ids, std::string* next) {
                 Req req = base;
                 req.set_page_size(page_size);
                 req.set_page_token(token);
                 Resp resp;
                 grpc::Status s = rpc(Ctx().get(), req, &resp);
                 for (const auto& item : items(resp)) ids->push_back(id(item));
                 *next = resp.next_page_token();
                 return s;
               }};
}

// A school with a few of everything: hand-made learners (two with the same
// name), a save that imported MIS learners and queued their verification
// emails (its audit records packed in one row), three snapshots, four
// sessions, several API keys.
struct PagedSchool {
  std::string school;
  std::string saved_session;
  std::string learner;  // Dee, hand-made, then linked by the Save
};

PagedSchool SetUpSchool(TestServer& server, const std::string& name) {
  PagedSchool p;
  p.school = CreateSchool(server, name);
  const std::vector<LearnerSpec> hand_made = {
      {"Ava", "Same", "2012-01-01", "", "7", "7A", ""},
      {"Ava", "Same", "2012-01-02", "", "7", "7A", ""},
      {"Ben", "Brown", "2012-01-03", "", "7", "7A", ""},
      {"Cal", "Adams", "2012-01-04", "", "7", "7A", ""},
      {"Dee", "Young", "2012-01-05", "", "7", "7A", ""},
  };
  for (const LearnerSpec& spec : hand_made) {
    p.learner = CreateLearner(server, p.school, spec);
  }
  std::vector<v1::MisLearnerRecord> mis;
  for (int i = 0; i < 6; ++i) {
    mis.push_back(MisRecord(
        absl::StrCat("m-", i),
        {absl::StrCat("Mis", i), "Zed", absl::StrCat("2011-02-0", i + 1), "",
         "8", i % 2 == 0 ? "8A" : "8B", absl::StrCat("m", i, "@example.org")}));
  }
  // Dee's MIS record: Matched, so the Save links her (a second audit record
  // for the learner filter).
  mis.push_back(
      MisRecord("m-dee", {"Dee", "Young", "2012-01-05", "", "7", "8C", ""}));
  const std::vector<v1::MisClassRecord> classes = {
      RegClass("reg-8A", "8A", "8"), RegClass("reg-8B", "8B", "8"),
      RegClass("reg-8C", "8C", "8")};
  Push(server, p.school, classes, mis);
  p.saved_session =
      ToSyncScreen(server, p.school, AllStudents(), true, nullptr);
  int64_t version = GetSession(server, p.saved_session).version();
  v1::EditResponse edit;
  v1::SetImportAllRequest import;
  import.set_session_id(p.saved_session);
  import.set_expected_version(version);
  import.set_import(true);
  EXPECT_TRUE(server.sync().SetImportAll(Ctx().get(), import, &edit).ok());
  v1::SetSyncEmailAllRequest email;
  email.set_session_id(p.saved_session);
  email.set_expected_version(edit.session().version());
  email.set_sync(true);
  EXPECT_TRUE(server.sync().SetSyncEmailAll(Ctx().get(), email, &edit).ok());
  v1::SaveRequest save;
  save.set_session_id(p.saved_session);
  save.set_expected_version(edit.session().version());
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Two more snapshots, and a session started and cancelled on each.
  for (int n = 0; n < 3; ++n) {
    if (n > 0) Push(server, p.school, classes, mis);
    v1::StartSessionRequest start;
    start.set_school_id(p.school);
    v1::Session session;
    s = server.sync().StartSession(Ctx().get(), start, &session);
    EXPECT_TRUE(s.ok()) << s.error_message();
    v1::CancelSessionRequest cancel;
    cancel.set_session_id(session.session_id());
    cancel.set_expected_version(session.version());
    s = server.sync().CancelSession(Ctx().get(), cancel, &session);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  for (int n = 0; n < 4; ++n) server.NewKey(p.school, Role::kViewer);
  return p;
}

// Every paged list of `school` (the audit trail also filtered by session
// and by learner).
std::vector<Pager> Pagers(TestServer& server, const PagedSchool& p) {
  const auto learner_id = [](const v1::Learner& l) { return l.learner_id(); };
  std::vector<Pager> out;
  {
    v1::ListLearnersRequest req;
    req.set_school_id(p.school);
    out.push_back(MakePager<v1::ListLearnersRequest, v1::ListLearnersResponse>(
        "ListLearners",
        [&server](auto* c, const auto& r, auto* o) {
          return server.hub().ListLearners(c, r, o);
        },
        req, [](const auto& r) { return r.learners(); }, learner_id));
  }
  {
    v1::ListClassesRequest req;
    req.set_school_id(p.school);
    out.push_back(MakePager<v1::ListClassesRequest, v1::ListClassesResponse>(
        "ListClasses",
        [&server](auto* c, const auto& r, auto* o) {
          return server.hub().ListClasses(c, r, o);
        },
        req, [](const auto& r) { return r.classes(); },
        [](const v1::HubClass& c) { return c.class_id(); }));
  }
  {
    v1::ListSnapshotsRequest req;
    req.set_school_id(p.school);
    out.push_back(
        MakePager<v1::ListSnapshotsRequest, v1::ListSnapshotsResponse>(
            "ListSnapshots",
            [&server](auto* c, const auto& r, auto* o) {
              return server.mis().ListSnapshots(c, r, o);
            },
            req, [](const auto& r) { return r.snapshots(); },
            [](const v1::MisSnapshot& s) { return s.snapshot_id(); }));
  }
  {
    v1::ListSessionsRequest req;
    req.set_school_id(p.school);
    out.push_back(MakePager<v1::ListSessionsRequest, v1::ListSessionsResponse>(
        "ListSessions",
        [&server](auto* c, const auto& r, auto* o) {
          return server.sync().ListSessions(c, r, o);
        },
        req, [](const auto& r) { return r.sessions(); },
        [](const v1::Session& s) { return s.session_id(); }));
  }
  {
    v1::ListVerificationEmailsRequest req;
    req.set_school_id(p.school);
    out.push_back(MakePager<v1::ListVerificationEmailsRequest,
                            v1::ListVerificationEmailsResponse>(
        "ListVerificationEmails",
        [&server](auto* c, const auto& r, auto* o) {
          return server.accounts().ListVerificationEmails(c, r, o);
        },
        req, [](const auto& r) { return r.emails(); },
        [](const v1::VerificationEmail& e) {
          return absl::StrCat(e.email_id());
        }));
  }
  const auto audit = [&](const std::string& name, const std::string& session,
                         const std::string& learner) {
    v1::ListAuditRecordsRequest req;
    req.set_school_id(p.school);
    req.set_session_id(session);
    req.set_learner_id(learner);
    return MakePager<v1::ListAuditRecordsRequest, v1::ListAuditRecordsResponse>(
        name,
        [&server](auto* c, const auto& r, auto* o) {
          return server.accounts().ListAuditRecords(c, r, o);
        },
        req, [](const auto& r) { return r.records(); },
        [](const v1::AuditRecord& a) {
          return absl::StrCat(a.audit_id(), " ", a.verb(), " ", a.learner_id());
        });
  };
  out.push_back(audit("ListAuditRecords", "", ""));
  out.push_back(audit("ListAuditRecords(session)", p.saved_session, ""));
  out.push_back(audit("ListAuditRecords(learner)", "", p.learner));
  {
    v1::ListApiKeysRequest req;
    req.set_school_id(p.school);
    out.push_back(MakePager<v1::ListApiKeysRequest, v1::ListApiKeysResponse>(
        "ListApiKeys",
        [&server](auto* c, const auto& r, auto* o) {
          return server.keys().ListApiKeys(c, r, o);
        },
        req, [](const auto& r) { return r.keys(); },
        [](const v1::ApiKey& k) { return k.key_id(); }));
  }
  return out;
}

TEST(PagingTest, EveryListFollowedPageByPageGivesEveryItemOnceInOrder) {
  TestServer server;
  const PagedSchool p = SetUpSchool(server, "Paging Academy");
  for (const Pager& pager : Pagers(server, p)) {
    SCOPED_TRACE(pager.name);
    // Without page_size: one page (the default is far above these sizes)
    // and no token.
    const Followed whole = Follow(pager, 0);
    ASSERT_EQ(whole.page_sizes.size(), 1u);
    ASSERT_GE(whole.ids.size(), 1u);
    for (int32_t size : {1, 2, 3}) {
      SCOPED_TRACE(absl::StrCat("page_size ", size));
      const Followed paged = Follow(pager, size);
      EXPECT_EQ(paged.ids, whole.ids);
      EXPECT_EQ(
          std::set<std::string>(paged.ids.begin(), paged.ids.end()).size(),
          paged.ids.size());
      // Full pages, then the rest; no empty page at the end.
      const size_t n = whole.ids.size();
      EXPECT_EQ(paged.page_sizes.size(), (n + size - 1) / size);
      for (size_t i = 0; i + 1 < paged.page_sizes.size(); ++i) {
        EXPECT_EQ(paged.page_sizes[i], static_cast<size_t>(size));
      }
    }
  }
}

TEST(PagingTest, TheSaveAndItsEmailsArePagedToo) {
  // The fixture's Save imported six learners: their audit records are
  // packed in one row, which pages of one and two split.
  TestServer server;
  const PagedSchool p = SetUpSchool(server, "Paging Academy");
  const std::vector<Pager> pagers = Pagers(server, p);
  for (const Pager& pager : pagers) {
    if (pager.name == "ListAuditRecords(session)") {
      const Followed f = Follow(pager, 2);
      int imports = 0;
      for (const std::string& id : f.ids) {
        if (id.find(" import ") != std::string::npos) ++imports;
      }
      EXPECT_EQ(imports, 6);
    }
    if (pager.name == "ListVerificationEmails") {
      EXPECT_EQ(Follow(pager, 4).ids.size(), 6u);
    }
  }
}

TEST(PagingTest, NegativePageSizeIsInvalidArgument) {
  TestServer server;
  const PagedSchool p = SetUpSchool(server, "Paging Academy");
  for (const Pager& pager : Pagers(server, p)) {
    std::vector<std::string> ids;
    std::string next;
    grpc::Status s = pager.call(-1, "", &ids, &next);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << pager.name;
    EXPECT_THAT(s.error_message(), HasSubstr("page_size")) << pager.name;
  }
}

TEST(PagingTest, AGarbageOrForeignTokenIsInvalidArgument) {
  TestServer server;
  const PagedSchool p = SetUpSchool(server, "Paging Academy");
  const std::vector<Pager> pagers = Pagers(server, p);
  // Each list's token after its first item.
  std::vector<std::string> tokens;
  for (const Pager& pager : pagers) {
    std::vector<std::string> ids;
    std::string next;
    ASSERT_TRUE(pager.call(1, "", &ids, &next).ok()) << pager.name;
    ASSERT_FALSE(next.empty()) << pager.name << " has one item";
    tokens.push_back(next);
  }
  for (size_t i = 0; i < pagers.size(); ++i) {
    SCOPED_TRACE(pagers[i].name);
    for (const std::string& garbage :
         {std::string("not a token"), std::string("cDE"),
          tokens[i].substr(0, tokens[i].size() / 2), tokens[i] + "AAAA",
          std::string(5000, 'A')}) {
      std::vector<std::string> ids;
      std::string next;
      grpc::Status s = pagers[i].call(1, garbage, &ids, &next);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << garbage;
      EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
      EXPECT_TRUE(ids.empty());
    }
    // Another list's token (the audit trail with other filters included).
    for (size_t j = 0; j < pagers.size(); ++j) {
      if (j == i) continue;
      std::vector<std::string> ids;
      std::string next;
      grpc::Status s = pagers[i].call(1, tokens[j], &ids, &next);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << "token of " << pagers[j].name;
      EXPECT_THAT(s.error_message(), HasSubstr("page_token"));
    }
  }
}

TEST(PagingTest, ATokenOfAnotherSchoolIsInvalidArgument) {
  TestServer server;
  const PagedSchool a = SetUpSchool(server, "School A");
  std::vector<std::string> tokens;
  for (const Pager& pager : Pagers(server, a)) {
    std::vector<std::string> ids;
    std::string next;
    ASSERT_TRUE(pager.call(1, "", &ids, &next).ok()) << pager.name;
    tokens.push_back(next);
  }
  server.UseKey(server.operator_key());
  const PagedSchool b = SetUpSchool(server, "School B");  // B's admin key now
  const std::vector<Pager> pagers = Pagers(server, b);
  ASSERT_EQ(pagers.size(), tokens.size());
  for (size_t i = 0; i < pagers.size(); ++i) {
    std::vector<std::string> ids;
    std::string next;
    grpc::Status s = pagers[i].call(1, tokens[i], &ids, &next);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << pagers[i].name;
    EXPECT_THAT(s.error_message(), HasSubstr("page_token")) << pagers[i].name;
    EXPECT_TRUE(ids.empty()) << pagers[i].name;
  }
}

std::string ImportCsv(int from, int count) {
  std::string csv = "legal_forename,legal_surname,year_group\n";
  for (int i = from; i < from + count; ++i) {
    absl::StrAppend(&csv, "F", i, ",S", 100000 + i, ",7\n");
  }
  return csv;
}

void Import(TestServer& server, const std::string& school,
            const std::string& csv) {
  v1::ImportLearnersResponse resp;
  grpc::ClientContext ctx;
  auto writer = server.hub().ImportLearners(&ctx, &resp);
  v1::ImportLearnersRequest req;
  req.set_school_id(school);
  req.set_chunk(csv);
  ASSERT_TRUE(writer->Write(req));
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
}

TEST(PagingTest, LearnersComeInPagesOfTheDefaultSizeAndAtMostTheMaximum) {
  TestServer server;
  const std::string school = CreateSchool(server, "Big Academy");
  Import(server, school, ImportCsv(0, kMaxPageSize + 1));
  v1::ListLearnersRequest req;
  req.set_school_id(school);
  v1::ListLearnersResponse resp;
  // No page_size (every caller before paging): the first page and a token.
  ASSERT_TRUE(server.hub().ListLearners(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.learners_size(), kDefaultPageSize);
  EXPECT_FALSE(resp.next_page_token().empty());
  // More than the maximum: the maximum, then the one left.
  req.set_page_size(1'000'000);
  ASSERT_TRUE(server.hub().ListLearners(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.learners_size(), kMaxPageSize);
  ASSERT_FALSE(resp.next_page_token().empty());
  req.set_page_token(resp.next_page_token());
  ASSERT_TRUE(server.hub().ListLearners(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.learners_size(), 1);
  EXPECT_EQ(resp.next_page_token(), "");
}

TEST(PagingTest, LearnersAddedWhilePagingSkipAndRepeatNoOne) {
  TestServer server;
  const std::string school = CreateSchool(server, "Growing Academy");
  // Surnames S100000.. S100009.
  Import(server, school, ImportCsv(0, 10));
  v1::ListLearnersRequest req;
  req.set_school_id(school);
  req.set_page_size(4);
  v1::ListLearnersResponse resp;
  std::vector<std::string> seen;
  ASSERT_TRUE(server.hub().ListLearners(Ctx().get(), req, &resp).ok());
  for (const auto& l : resp.learners()) seen.push_back(l.legal_surname());
  // Two sort before the page read (A...), one among the rest (S1000055),
  // one after everything (Z...).
  Import(server, school,
         "legal_forename,legal_surname,year_group\n"
         "New,A1,7\nNew,A2,7\nNew,S1000055,7\nNew,Z1,7\n");
  while (!resp.next_page_token().empty()) {
    req.set_page_token(resp.next_page_token());
    ASSERT_TRUE(server.hub().ListLearners(Ctx().get(), req, &resp).ok());
    for (const auto& l : resp.learners()) seen.push_back(l.legal_surname());
  }
  EXPECT_THAT(
      seen, ::testing::ElementsAre("S100000", "S100001", "S100002", "S100003",
                                   "S100004", "S100005", "S1000055", "S100006",
                                   "S100007", "S100008", "S100009", "Z1"));
}

}  // namespace
}  // namespace hubsync::testing
