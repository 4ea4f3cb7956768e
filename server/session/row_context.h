// The records a session's rows refer to: the hub learners as classified and
// the MIS snapshot. Immutable once built, shared by streams and edits.
#ifndef HUBSYNC_SERVER_SESSION_ROW_CONTEXT_H_
#define HUBSYNC_SERVER_SESSION_ROW_CONTEXT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/classify.h"
#include "common/types.h"

namespace hubsync {

class RowContext {
 public:
  // hub_version: the school's hub version the learners were read at (-1:
  // unknown), so a context can be reused while the hub has not changed.
  RowContext(std::vector<HubLearner> hub, MisSnapshot snapshot,
             int64_t hub_version = -1);

  // Not copyable: the indexes hold views of this context's own strings.
  RowContext(const RowContext&) = delete;
  RowContext& operator=(const RowContext&) = delete;

  int64_t hub_version() const { return hub_version_; }
  const std::vector<HubLearner>& hub() const { return hub_; }
  const MisSnapshot& snapshot() const { return snapshot_; }
  // nullptr when unknown.
  const HubLearner* FindHub(const std::string& learner_id) const;
  const MisLearner* FindMis(const std::string& mis_id) const;
  // Built with the context (before Proceed), for Classify.
  const ClassifyIndex& classify_index() const { return classify_index_; }
  bool MisHasEmail(const std::string& mis_id) const {
    const MisLearner* m = FindMis(mis_id);
    return m != nullptr && !m->email.empty();
  }

 private:
  std::vector<HubLearner> hub_;
  MisSnapshot snapshot_;
  int64_t hub_version_ = -1;
  // Views of the ids in hub_ and snapshot_ (never copied or moved: the
  // context is immutable once built).
  absl::flat_hash_map<std::string_view, size_t> hub_index_;
  absl::flat_hash_map<std::string_view, size_t> mis_index_;
  ClassifyIndex classify_index_;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_SESSION_ROW_CONTEXT_H_
