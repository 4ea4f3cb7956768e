#include "tests/testing/sync_helpers.h"

#include "common/upn.h"
#include "gtest/gtest.h"

namespace hubsync::testing {

std::string Upn(const std::string& body12) {
  std::optional<char> check = UpnCheckLetter(body12);
  EXPECT_TRUE(check.has_value()) << body12;
  return std::string(1, check.value_or('?')) + body12;
}

std::string CreateSchool(TestServer& server, const std::string& name) {
  server.UseKey(server.operator_key());
  v1::CreateSchoolRequest req;
  req.set_name(name);
  v1::School school;
  grpc::Status s = server.schools().CreateSchool(Ctx().get(), req, &school);
  EXPECT_TRUE(s.ok()) << s.error_message();
  if (s.ok()) server.UseKey(server.NewKey(school.school_id(), Role::kAdmin));
  return school.school_id();
}

v1::CreateLearnerRequest LearnerRequest(const std::string& school_id,
                                        const LearnerSpec& spec) {
  v1::CreateLearnerRequest req;
  req.set_school_id(school_id);
  v1::Learner* l = req.mutable_learner();
  l->set_legal_forename(spec.forename);
  l->set_legal_surname(spec.surname);
  l->set_date_of_birth(spec.dob);
  l->set_upn(spec.upn);
  l->set_year_group(spec.year);
  l->set_registration_group(spec.reg);
  l->set_email(spec.email);
  return req;
}

std::string CreateLearner(TestServer& server, const std::string& school_id,
                          const LearnerSpec& spec) {
  const v1::CreateLearnerRequest req = LearnerRequest(school_id, spec);
  v1::Learner out;
  grpc::Status s = server.hub().CreateLearner(Ctx().get(), req, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out.learner_id();
}

v1::MisLearnerRecord MisRecord(const std::string& mis_id,
                               const LearnerSpec& spec) {
  v1::MisLearnerRecord r;
  r.set_mis_id(mis_id);
  r.set_legal_forename(spec.forename);
  r.set_legal_surname(spec.surname);
  r.set_date_of_birth(spec.dob);
  r.set_upn(spec.upn);
  r.set_year_group(spec.year);
  r.set_registration_group(spec.reg);
  if (!spec.reg.empty()) r.set_registration_group_mis_id("reg-" + spec.reg);
  r.set_email(spec.email);
  return r;
}

v1::MisClassRecord RegClass(const std::string& mis_id, const std::string& name,
                            const std::string& year) {
  v1::MisClassRecord c;
  c.set_mis_id(mis_id);
  c.set_name(name);
  c.set_kind(v1::CLASS_KIND_REGISTRATION);
  c.set_year_group(year);
  return c;
}

std::string Push(TestServer& server, const std::string& school_id,
                 const std::vector<v1::MisClassRecord>& classes,
                 const std::vector<v1::MisLearnerRecord>& learners) {
  v1::PushMisRecordsRequest req;
  req.set_school_id(school_id);
  for (const auto& c : classes) *req.add_classes() = c;
  for (const auto& l : learners) *req.add_learners() = l;
  v1::MisSnapshot snapshot;
  grpc::Status s = server.mis().PushMisRecords(Ctx().get(), req, &snapshot);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return snapshot.snapshot_id();
}

std::vector<v1::Row> StreamAll(TestServer& server,
                               const std::string& session_id,
                               v1::StatusSummary* summary) {
  v1::StreamRowsRequest req;
  req.set_session_id(session_id);
  auto ctx = Ctx();
  auto reader = server.sync().StreamRows(ctx.get(), req);
  std::vector<v1::Row> rows;
  v1::RowBatch batch;
  bool done = false;
  while (reader->Read(&batch)) {
    for (const auto& r : batch.rows()) rows.push_back(r);
    if (batch.done()) {
      done = true;
      if (summary) *summary = batch.summary();
    }
  }
  grpc::Status s = reader->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(done) << "the stream ended without a done batch";
  return rows;
}

std::string ToSyncScreen(TestServer& server, const std::string& school_id,
                         const v1::Scope& scope, bool sync_emails,
                         std::vector<v1::Row>* rows) {
  v1::StartSessionRequest start;
  start.set_school_id(school_id);
  start.set_admin("test admin");
  v1::Session session;
  grpc::Status s = server.sync().StartSession(Ctx().get(), start, &session);
  EXPECT_TRUE(s.ok()) << s.error_message();
  v1::ProceedRequest proceed;
  proceed.set_session_id(session.session_id());
  s = server.sync().Proceed(Ctx().get(), proceed, &session);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(session.step(), v1::SESSION_STEP_PUPILS_PANEL);
  v1::SetScopeRequest set_scope;
  set_scope.set_session_id(session.session_id());
  *set_scope.mutable_scope() = scope;
  set_scope.set_sync_email_addresses(sync_emails);
  s = server.sync().SetScope(Ctx().get(), set_scope, &session);
  EXPECT_TRUE(s.ok()) << s.error_message();
  s = server.sync().Proceed(Ctx().get(), proceed, &session);
  EXPECT_TRUE(s.ok()) << s.error_message();
  std::vector<v1::Row> all = StreamAll(server, session.session_id());
  if (rows) *rows = std::move(all);
  return session.session_id();
}

v1::Session GetSession(TestServer& server, const std::string& session_id) {
  v1::GetSessionRequest req;
  req.set_session_id(session_id);
  v1::Session session;
  grpc::Status s = server.sync().GetSession(Ctx().get(), req, &session);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return session;
}

std::vector<v1::Learner> Learners(TestServer& server,
                                  const std::string& school_id) {
  v1::ListLearnersRequest req;
  req.set_school_id(school_id);
  std::vector<v1::Learner> all;
  do {  // every page
    v1::ListLearnersResponse resp;
    grpc::Status s = server.hub().ListLearners(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    all.insert(all.end(), resp.learners().begin(), resp.learners().end());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  return all;
}

v1::Learner FindLearner(const std::vector<v1::Learner>& all,
                        const std::string& forename) {
  for (const auto& l : all) {
    if (l.legal_forename() == forename) return l;
  }
  ADD_FAILURE() << "no hub learner named " << forename;
  return {};
}

v1::Row RowOf(const std::vector<v1::Row>& rows, const std::string& id) {
  for (const auto& r : rows) {
    if ((r.has_hub() && r.hub().learner_id() == id) ||
        (r.has_mis() && r.mis().mis_id() == id)) {
      return r;
    }
  }
  return {};
}

v1::Scope AllStudents() {
  v1::Scope scope;
  scope.set_kind(v1::SCOPE_KIND_ALL);
  return scope;
}

}  // namespace hubsync::testing
