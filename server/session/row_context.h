// The records a session's rows refer to: the hub learners as classified and
// the MIS snapshot. Immutable once built, shared by streams and edits.
#ifndef HUBSYNC_SERVER_SESSION_ROW_CONTEXT_H_
#define HUBSYNC_SERVER_SESSION_ROW_CONTEXT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "common/classify.h"
#include "common/types.h"

namespace hubsync {

// The positions of `records` by their string id (`Id` reads it), holding a
// 4-byte position per record rather than a copy or view of the id: the ids
// are read from the records when compared. At a million learners a side
// this is about 10 MB, where a map from id views to positions was 50 MB.
template <typename Record, const std::string& (*Id)(const Record&)>
class IdIndex {
 public:
  // Empty until Build(), so that two indexes can be built on two threads.
  explicit IdIndex(const std::vector<Record>* records)
      : positions_(0, Hash{records}, Eq{records}), records_(records) {}
  // Indexes every record (once: `records` must not change afterwards).
  void Build() {
    positions_.reserve(records_->size());
    for (size_t i = 0; i < records_->size(); ++i)
      positions_.insert(static_cast<uint32_t>(i));
  }
  // The first record with this id; nullptr when none has it.
  const Record* Find(std::string_view id) const {
    auto it = positions_.find(id);
    return it == positions_.end() ? nullptr : &(*records_)[*it];
  }

 private:
  struct Hash {
    using is_transparent = void;
    const std::vector<Record>* records;
    size_t operator()(std::string_view id) const {
      return absl::Hash<std::string_view>{}(id);
    }
    size_t operator()(uint32_t i) const { return (*this)(Id((*records)[i])); }
  };
  struct Eq {
    using is_transparent = void;
    const std::vector<Record>* records;
    std::string_view At(uint32_t i) const { return Id((*records)[i]); }
    static std::string_view At(std::string_view id) { return id; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return At(a) == At(b);
    }
  };
  absl::flat_hash_set<uint32_t, Hash, Eq> positions_;
  const std::vector<Record>* records_;
};

inline const std::string& HubId(const HubLearner& h) { return h.id; }
inline const std::string& MisId(const MisLearner& m) { return m.mis_id; }

class RowContext {
 public:
  // hub_version: the school's hub version the learners were read at (-1:
  // unknown), so a context can be reused while the hub has not changed.
  // unlinked: the school's pairs an admin unlinked (Store::ClassifyInput),
  // which Classify must never make.
  // verified: (learner id, lower-case address) of the school's learner
  // accounts (Store::ClassifyInput).
  RowContext(
      std::vector<HubLearner> hub, MisSnapshot snapshot,
      int64_t hub_version = -1, std::vector<UnlinkedPair> unlinked = {},
      const std::vector<std::pair<std::string, std::string>>& verified = {});

  // Not copyable: the indexes hold views of this context's own strings.
  RowContext(const RowContext&) = delete;
  RowContext& operator=(const RowContext&) = delete;

  int64_t hub_version() const { return hub_version_; }
  // An estimate of the memory this context holds (computed once): both
  // sides' learner records with their strings and class lists, the two id
  // indexes and the classifier's index (SessionMemoryOptions counts it).
  int64_t ApproxBytes() const { return approx_bytes_; }
  const std::vector<HubLearner>& hub() const { return hub_; }
  const MisSnapshot& snapshot() const { return snapshot_; }
  // nullptr when unknown.
  const HubLearner* FindHub(const std::string& learner_id) const;
  const MisLearner* FindMis(const std::string& mis_id) const;
  // The row's learners: at the row's index hints when the records there
  // have the row's ids (rows classified from this context), else by id.
  const HubLearner* HubOf(const Row& row) const;
  const MisLearner* MisOf(const Row& row) const;
  // Asks the CPU to fetch, ahead of HubOf / MisOf and their rendering, the
  // row's learners (stage 0: the records themselves, a few cache lines
  // each) or what those records point to (stage 1: ids, class lists,
  // emails; issue it for a row whose stage 0 was issued a few rows
  // earlier). Rows are streamed in name order, their learners sit in load
  // order: without it nearly every learner is a chain of cache misses.
  void Prefetch(const Row& row, int stage) const;
  // Built with the context (before Proceed), for Classify.
  const ClassifyIndex& classify_index() const { return classify_index_; }
  const std::vector<UnlinkedPair>& unlinked() const { return unlinked_; }
  // True when `address` (any case) is the learner's verified address.
  bool IsVerified(const std::string& learner_id,
                  const std::string& address) const;
  bool MisHasEmail(const std::string& mis_id) const {
    const MisLearner* m = FindMis(mis_id);
    return m != nullptr && !m->email.empty();
  }

 private:
  std::vector<HubLearner> hub_;
  MisSnapshot snapshot_;
  int64_t hub_version_ = -1;
  std::vector<UnlinkedPair> unlinked_;
  absl::flat_hash_map<std::string, std::string> verified_;
  // Over hub_ and snapshot_.learners (never copied or moved: the context
  // is immutable once built).
  IdIndex<HubLearner, HubId> hub_index_;
  IdIndex<MisLearner, MisId> mis_index_;
  ClassifyIndex classify_index_;
  int64_t EstimateBytes() const;
  int64_t approx_bytes_ = 0;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_ROW_CONTEXT_H_
