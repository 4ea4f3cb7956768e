// Helpers that drive a TestServer through the sync steps with the raw
// generated stubs, failing the current test on an unexpected error.
#ifndef HUBSYNC_TESTS_TESTING_SYNC_HELPERS_H_
#define HUBSYNC_TESTS_TESTING_SYNC_HELPERS_H_

#include <string>
#include <vector>

#include "hubsync/v1/mis.pb.h"
#include "hubsync/v1/sync.pb.h"
#include "tests/testing/test_server.h"

namespace hubsync::testing {

// A valid UPN from a 12-character body (check letter computed).
std::string Upn(const std::string& body12);

// Creates the school with the operator key, then switches the server's stubs
// to a new admin key of that school (TestServer::UseKey).
std::string CreateSchool(TestServer& server, const std::string& name);

struct LearnerSpec {
  std::string forename, surname, dob, upn, year, reg, email;
};
// A CreateLearner request for a hand-made learner of `spec`.
v1::CreateLearnerRequest LearnerRequest(const std::string& school_id,
                                        const LearnerSpec& spec);
std::string CreateLearner(TestServer& server, const std::string& school_id,
                          const LearnerSpec& spec);

v1::MisLearnerRecord MisRecord(const std::string& mis_id,
                               const LearnerSpec& spec);
v1::MisClassRecord RegClass(const std::string& mis_id, const std::string& name,
                            const std::string& year);

// Pushes records as a new snapshot; returns its id.
std::string Push(TestServer& server, const std::string& school_id,
                 const std::vector<v1::MisClassRecord>& classes,
                 const std::vector<v1::MisLearnerRecord>& learners);

// StartSession, Proceed (class sync), SetScope, Proceed (classify), then
// streams every row to the end. Returns the session id.
std::string ToSyncScreen(TestServer& server, const std::string& school_id,
                         const v1::Scope& scope, bool sync_emails,
                         std::vector<v1::Row>* rows);

std::vector<v1::Row> StreamAll(TestServer& server,
                               const std::string& session_id,
                               v1::StatusSummary* summary = nullptr);
v1::Session GetSession(TestServer& server, const std::string& session_id);
// Every page of the school's learners.
std::vector<v1::Learner> Learners(TestServer& server,
                                  const std::string& school_id);

// Whether an audit verb is one a Save writes (one per learner it changed):
// the trail also holds the session's own verbs (start_session, the edits...).
inline bool IsSaveVerb(const std::string& verb) {
  return verb == "link" || verb == "refresh" || verb == "import" ||
         verb == "desync";
}
v1::Learner FindLearner(const std::vector<v1::Learner>& all,
                        const std::string& forename);
// The row whose hub learner or MIS learner has this id; a default row if none.
v1::Row RowOf(const std::vector<v1::Row>& rows, const std::string& id);

v1::Scope AllStudents();

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_SYNC_HELPERS_H_
