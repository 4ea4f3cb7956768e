#include "tests/testing/learner_builders.h"

#include <utility>

namespace hubsync::testing {

MisLearner Mis(std::string id, std::string forename, std::string surname,
               std::optional<Date> dob, std::string year, std::string reg) {
  MisLearner m;
  m.mis_id = std::move(id);
  m.legal_forename = std::move(forename);
  m.legal_surname = std::move(surname);
  m.date_of_birth = dob;
  m.year_group = std::move(year);
  m.registration_group = std::move(reg);
  return m;
}

}  // namespace hubsync::testing
