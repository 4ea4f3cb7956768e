#include "server/session/row_context.h"

#include <thread>

#include "absl/strings/ascii.h"

namespace hubsync {

RowContext::RowContext(
    std::vector<HubLearner> hub, MisSnapshot snapshot, int64_t hub_version,
    std::vector<UnlinkedPair> unlinked,
    const std::vector<std::pair<std::string, std::string>>& verified)
    : hub_(std::move(hub)),
      snapshot_(std::move(snapshot)),
      hub_version_(hub_version),
      unlinked_(std::move(unlinked)),
      hub_index_(&hub_),
      mis_index_(&snapshot_.learners) {
  // A side per core: at a million learners each takes about a quarter of a
  // second, with the other core otherwise idle.
  std::thread mis([this] { mis_index_.Build(); });
  hub_index_.Build();
  mis.join();
  classify_index_ = IndexForClassify(hub_, snapshot_.learners);
  for (const auto& [learner_id, address] : verified)
    verified_.emplace(learner_id, address);
  approx_bytes_ = EstimateBytes();
}

bool RowContext::IsVerified(const std::string& learner_id,
                            const std::string& address) const {
  auto it = verified_.find(learner_id);
  return it != verified_.end() &&
         it->second ==
             absl::AsciiStrToLower(absl::StripAsciiWhitespace(address));
}

namespace {

// Heap bytes of a string beyond the object itself (libstdc++ keeps up to 15
// characters inside it).
int64_t Heap(const std::string& s) {
  return s.capacity() > 15 ? static_cast<int64_t>(s.capacity()) + 1 : 0;
}

int64_t Heap(const std::vector<std::string>& v) {
  int64_t n = static_cast<int64_t>(v.capacity() * sizeof(std::string));
  for (const std::string& s : v) n += Heap(s);
  return n;
}

}  // namespace

int64_t RowContext::EstimateBytes() const {
  int64_t n = static_cast<int64_t>(sizeof(RowContext));
  n += static_cast<int64_t>(hub_.capacity() * sizeof(HubLearner));
  for (const HubLearner& h : hub_) {
    n += Heap(h.id) + Heap(h.school_id) + Heap(h.legal_forename) +
         Heap(h.legal_surname) + Heap(h.preferred_forename) +
         Heap(h.preferred_surname) + Heap(h.gender) + Heap(h.upn) +
         Heap(h.year_group) + Heap(h.registration_group) + Heap(h.classes) +
         Heap(h.email) + Heap(h.mis_id);
  }
  const std::vector<MisLearner>& mis = snapshot_.learners;
  n += static_cast<int64_t>(mis.capacity() * sizeof(MisLearner));
  for (const MisLearner& m : mis) {
    n += Heap(m.mis_id) + Heap(m.upn) + Heap(m.legal_forename) +
         Heap(m.legal_surname) + Heap(m.preferred_forename) +
         Heap(m.preferred_surname) + Heap(m.gender) + Heap(m.year_group) +
         Heap(m.registration_group) + Heap(m.registration_group_mis_id) +
         Heap(m.class_mis_ids) + Heap(m.classes) + Heap(m.email);
  }
  n += static_cast<int64_t>(snapshot_.classes.capacity() * sizeof(MisClass));
  // The id indexes: a 4-byte position and a control byte a slot, at most
  // 7/8 full; the classifier's: about six ints and a map entry (a view and
  // an int, with its control byte) a learner.
  const int64_t learners = static_cast<int64_t>(hub_.size() + mis.size());
  n += learners * 5 * 8 / 7;
  n += learners * 6 * static_cast<int64_t>(sizeof(int)) +
       static_cast<int64_t>(mis.size()) *
           static_cast<int64_t>(sizeof(std::string_view) + sizeof(int) + 1) *
           8 / 7;
  return n;
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
