#include "server/session/row_context.h"

namespace hubsync {

RowContext::RowContext(std::vector<HubLearner> hub, MisSnapshot snapshot,
                       int64_t hub_version)
    : hub_(std::move(hub)),
      snapshot_(std::move(snapshot)),
      hub_version_(hub_version),
      hub_index_(&hub_),
      mis_index_(&snapshot_.learners) {
  classify_index_ = IndexForClassify(hub_, snapshot_.learners);
}

const HubLearner* RowContext::FindHub(const std::string& learner_id) const {
  return hub_index_.Find(learner_id);
}

const MisLearner* RowContext::FindMis(const std::string& mis_id) const {
  return mis_index_.Find(mis_id);
}

}  // namespace hubsync
