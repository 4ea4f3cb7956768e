// A small school synced once (term 1) and then given a term-2 snapshot whose
// sync screen has all six statuses:
//   Amelia  Synced      (linked in term 1, moved 8A -> 8B, has an email)
//   Oliver  Desynced    (linked in term 1, left)
//   Noah    New         (joined, has an email)
//   Isla    Matched     (hand-made hub record, same names and date of birth)
//   Freddie May match   (hand-made "Freddie Taylor", MIS "Freddie Wood")
//   Ellie   Not matched (hand-made "Ellie Moss"), and Eleanor Carter New:
//           the same child under a new name, which only the admin can tell.
#ifndef HUBSYNC_TESTS_SERVICE_TWO_TERMS_H_
#define HUBSYNC_TESTS_SERVICE_TWO_TERMS_H_

#include <string>
#include <vector>

#include "tests/testing/sync_helpers.h"

namespace hubsync::testing {

struct TwoTerms {
  std::string school;
  std::string amelia, oliver, isla, freddie, ellie;  // hub learner ids
  std::string term2_snapshot;
};

inline TwoTerms SetUpTwoTerms(TestServer& server) {
  TwoTerms t;
  t.school = CreateSchool(server, "Riverside Test Academy");
  const std::string amelia_upn = Upn("801200005001");
  t.amelia = CreateLearner(
      server, t.school,
      {"Amelia", "Jones", "2012-10-01", amelia_upn, "7", "7A", ""});
  t.oliver = CreateLearner(
      server, t.school, {"Oliver", "Smith", "2012-03-05", "", "8", "8A", ""});
  std::vector<v1::MisClassRecord> classes = {RegClass("reg-7A", "7A", "7"),
                                             RegClass("reg-8A", "8A", "8"),
                                             RegClass("reg-8B", "8B", "8")};
  Push(server, t.school, classes,
       {MisRecord("m-amelia", {"Amelia", "Jones", "2012-10-01", amelia_upn, "8",
                               "8A", "amelia@example.org"}),
        MisRecord("m-oliver",
                  {"Oliver", "Smith", "2012-03-05", "", "8", "8A", ""})});
  std::vector<v1::Row> rows;
  std::string first =
      ToSyncScreen(server, t.school, AllStudents(), false, &rows);
  v1::SaveRequest save;
  save.set_session_id(first);
  v1::SaveResponse saved;
  grpc::Status s = server.sync().SaveAndSyncPupils(Ctx().get(), save, &saved);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(saved.summary().linked(), 2);

  t.isla = CreateLearner(server, t.school,
                         {"Isla", "Brown", "2013-01-02", "", "7", "7A", ""});
  t.freddie = CreateLearner(
      server, t.school, {"Freddie", "Taylor", "2013-05-06", "", "7", "7A", ""});
  t.ellie =
      CreateLearner(server, t.school, {"Ellie", "Moss", "", "", "7", "7A", ""});
  t.term2_snapshot = Push(
      server, t.school, classes,
      {MisRecord("m-amelia", {"Amelia", "Jones", "2012-10-01", amelia_upn, "8",
                              "8B", "amelia@example.org"}),
       MisRecord("m-noah", {"Noah", "Patel", "2013-02-03", Upn("801200005002"),
                            "7", "7A", "noah@example.org"}),
       MisRecord("m-isla", {"Isla", "Brown", "2013-01-02", "", "7", "7A",
                            "isla@example.org"}),
       MisRecord("m-freddie",
                 {"Freddie", "Wood", "2013-05-06", "", "7", "7A", ""}),
       MisRecord("m-eleanor",
                 {"Eleanor", "Carter", "2013-11-12", "", "7", "7A", ""})});
  return t;
}

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_SERVICE_TWO_TERMS_H_
