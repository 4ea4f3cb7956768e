#include "server/session/row_context.h"

#include <thread>

namespace hubsync {

RowContext::RowContext(std::vector<HubLearner> hub, MisSnapshot snapshot,
                       int64_t hub_version)
    : hub_(std::move(hub)),
      snapshot_(std::move(snapshot)),
      hub_version_(hub_version),
      hub_index_(&hub_),
      mis_index_(&snapshot_.learners) {
  // A side per core: at a million learners each takes about a quarter of a
  // second, with the other core otherwise idle.
  std::thread mis([this] { mis_index_.Build(); });
  hub_index_.Build();
  mis.join();
  classify_index_ = IndexForClassify(hub_, snapshot_.learners);
}

const HubLearner* RowContext::FindHub(const std::string& learner_id) const {
  return hub_index_.Find(learner_id);
}

const MisLearner* RowContext::FindMis(const std::string& mis_id) const {
  return mis_index_.Find(mis_id);
}

const HubLearner* RowContext::HubOf(const Row& row) const {
  if (row.hub_index >= 0 && static_cast<size_t>(row.hub_index) < hub_.size() &&
      hub_[row.hub_index].id == row.hub_learner_id) {
    return &hub_[row.hub_index];
  }
  return FindHub(row.hub_learner_id);
}

const MisLearner* RowContext::MisOf(const Row& row) const {
  const std::vector<MisLearner>& mis = snapshot_.learners;
  // Only the first record of a repeated MIS id is ever the one meant.
  if (row.mis_index >= 0 && static_cast<size_t>(row.mis_index) < mis.size() &&
      classify_index_.mis_first[row.mis_index] &&
      mis[row.mis_index].mis_id == row.mis_id) {
    return &mis[row.mis_index];
  }
  return FindMis(row.mis_id);
}

namespace {

template <typename T>
void PrefetchRecord(const T& record) {
  const char* p = reinterpret_cast<const char*>(&record);
  for (size_t off = 0; off < sizeof(T); off += 64) __builtin_prefetch(p + off);
}

void PrefetchData(const std::string& s) { __builtin_prefetch(s.data()); }

}  // namespace

void RowContext::Prefetch(const Row& row, int stage) const {
  const std::vector<MisLearner>& mis = snapshot_.learners;
  const bool hub_ok =
      row.hub_index >= 0 && static_cast<size_t>(row.hub_index) < hub_.size();
  const bool mis_ok =
      row.mis_index >= 0 && static_cast<size_t>(row.mis_index) < mis.size();
  if (stage == 0) {
    if (hub_ok) PrefetchRecord(hub_[row.hub_index]);
    if (mis_ok) PrefetchRecord(mis[row.mis_index]);
    return;
  }
  if (hub_ok) {
    const HubLearner& h = hub_[row.hub_index];
    PrefetchData(h.id);
    PrefetchData(h.email);
    __builtin_prefetch(h.classes.data());
  }
  if (mis_ok) {
    const MisLearner& m = mis[row.mis_index];
    PrefetchData(m.mis_id);
    PrefetchData(m.email);
    __builtin_prefetch(m.class_mis_ids.data());
    __builtin_prefetch(m.classes.data());
  }
}

}  // namespace hubsync
