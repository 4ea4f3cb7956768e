// Shared setup for the storage tests: a real SQLite file in a temp dir, a
// fake clock, sequential ids, and small sample records.
#ifndef HUBSYNC_TESTS_STORAGE_STORE_FIXTURE_H_
#define HUBSYNC_TESTS_STORAGE_STORE_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/session_types.h"
#include "common/types.h"
#include "gmock/gmock.h"
#include "server/storage/store.h"
#include "tests/testing/fakes.h"

namespace hubsync::testing {

// Matches an OK StatusOr whose value matches `m`.
MATCHER_P(IsOkAndHolds, m, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(m, *arg, result_listener);
}

struct TestStore {
  TempDir dir;
  FakeClock clock;
  SequentialIds ids;
  std::string path = dir.File("hub.db");
  std::unique_ptr<Store> store;

  // Closes and reopens the same file.
  void Reopen() {
    store.reset();
    store = *Store::Open(path, &clock, &ids);
  }
  Store* operator->() { return store.get(); }
};

// Opens a fresh database (the test crashes if it cannot).
inline std::unique_ptr<TestStore> NewStore() {
  auto t = std::make_unique<TestStore>();
  t->Reopen();
  return t;
}

inline HubLearner SampleHubLearner(std::string forename, std::string surname) {
  HubLearner l;
  l.legal_forename = std::move(forename);
  l.legal_surname = std::move(surname);
  l.year_group = "7";
  l.registration_group = "7A";
  return l;
}

// A snapshot for `school_id` with a registration group 7A (reg:7A), subject
// classes 7x/Ma1 and 7x/En1, and two learners in both.
inline MisSnapshot SampleSnapshot(const std::string& school_id) {
  MisSnapshot s;
  s.school_id = school_id;
  s.format = MisFormat::kOneRoster;
  s.oneroster_version = "1.2";
  s.classes = {{"reg:7A", "7A", ClassKind::kRegistration, "7"},
               {"cls:7x/Ma1", "7x/Ma1", ClassKind::kSubject, "7"},
               {"cls:7x/En1", "7x/En1", ClassKind::kSubject, "7"}};
  MisLearner a;
  a.mis_id = "m1";
  a.upn = "A123456789012";
  a.legal_forename = "Amelia";
  a.legal_surname = "Jones";
  a.preferred_forename = "Millie";
  a.preferred_surname = "Jones-Smith";
  a.date_of_birth = Date{2013, 9, 4};
  a.gender = "F";
  a.year_group = "7";
  a.registration_group = "7A";
  a.registration_group_mis_id = "reg:7A";
  a.class_mis_ids = {"cls:7x/En1", "cls:7x/Ma1"};
  a.classes = {"7x/En1", "7x/Ma1"};
  a.email = "amelia@example.org";
  MisLearner b;
  b.mis_id = "m2";
  b.legal_forename = "Oliver";
  b.legal_surname = "Brown";
  b.year_group = "7";
  b.registration_group = "7A";
  b.registration_group_mis_id = "reg:7A";
  b.class_mis_ids = {"cls:7x/Ma1"};
  b.classes = {"7x/Ma1"};
  s.learners = {a, b};
  return s;
}

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_STORAGE_STORE_FIXTURE_H_
