// A school whose save queued verification emails, on the store given: the
// outbox, delivery and benchmark tests start from it. The emails come from
// a real ApplySave, as the sync screen's Save makes them.
#ifndef HUBSYNC_TESTS_TESTING_OUTBOX_WORLD_H_
#define HUBSYNC_TESTS_TESTING_OUTBOX_WORLD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/types.h"
#include "server/storage/store.h"

namespace hubsync::testing {

struct QueuedSchool {
  School school;
  std::string math_class_id;  // hub class "7x/Ma1" (MIS id cls:7x/Ma1)
  // One per email, in the outbox's order: "Learner1 Surname1" at
  // learner1@<domain>, ... The odd ones (1st, 3rd, ...) are in 7x/Ma1.
  std::vector<HubLearner> learners;
  std::vector<OutboxEmail> emails;
  std::string save_id;
  std::string snapshot_id;
};

// Creates school `name`, syncs its classes (registration group 7A and
// subject class 7x/Ma1) and imports `n` learners with a save that queues a
// verification email to each, at `domain`.
absl::StatusOr<QueuedSchool> QueueVerificationEmails(
    Store* store, const std::string& name, int n,
    const std::string& domain = "example.org");

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_OUTBOX_WORLD_H_
