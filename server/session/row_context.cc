#include "server/session/row_context.h"

namespace hubsync {

RowContext::RowContext(std::vector<HubLearner> hub, MisSnapshot snapshot,
                       int64_t hub_version)
    : hub_(std::move(hub)),
      snapshot_(std::move(snapshot)),
      hub_version_(hub_version) {
  hub_index_.reserve(hub_.size());
  for (size_t i = 0; i < hub_.size(); ++i) hub_index_[hub_[i].id] = i;
  mis_index_.reserve(snapshot_.learners.size());
  for (size_t i = 0; i < snapshot_.learners.size(); ++i) {
    mis_index_[snapshot_.learners[i].mis_id] = i;
  }
  classify_index_ = IndexForClassify(hub_, snapshot_.learners);
}

const HubLearner* RowContext::FindHub(const std::string& learner_id) const {
  auto it = hub_index_.find(learner_id);
  return it == hub_index_.end() ? nullptr : &hub_[it->second];
}

const MisLearner* RowContext::FindMis(const std::string& mis_id) const {
  auto it = mis_index_.find(mis_id);
  return it == mis_index_.end() ? nullptr : &snapshot_.learners[it->second];
}

}  // namespace hubsync
