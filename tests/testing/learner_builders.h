// Domain learners for the classification and blocking tests, built from the
// few fields those tests vary.
#ifndef HUBSYNC_TESTS_TESTING_LEARNER_BUILDERS_H_
#define HUBSYNC_TESTS_TESTING_LEARNER_BUILDERS_H_

#include <optional>
#include <string>

#include "common/types.h"

namespace hubsync::testing {

// A MIS learner in year `year`, registration group `reg`; every other field
// (UPN, preferred names, classes, email) empty.
MisLearner Mis(std::string id, std::string forename, std::string surname,
               std::optional<Date> dob, std::string year = "7",
               std::string reg = "7A");

}  // namespace hubsync::testing

#endif  // HUBSYNC_TESTS_TESTING_LEARNER_BUILDERS_H_
