// What a save keeps so that it can be reverted (tables saves, save_changes,
// save_emails; docs/STORAGE.md): each changed learner's stored row and
// memberships before and after, packed many to a row. Internal to the
// storage layer: ApplySave writes them, RevertSave reads them.
#ifndef HUBSYNC_SERVER_STORAGE_SAVE_RECORDS_H_
#define HUBSYNC_SERVER_STORAGE_SAVE_RECORDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/session_types.h"
#include "common/types.h"
#include "server/storage/sqlite.h"

namespace hubsync::storage {

// A learner's stored state as one string: its update and archive times
// (0 when not archived), the ids of the
// hub classes it is a member of (sorted), and its fields as
// EncodeAuditLearner writes them. Two states are the same exactly when
// their images are equal. "" stands for "no such learner".
// `audit` is EncodeAuditLearner(l), when the caller has made it already.
void AppendLearnerImage(std::string* out, const HubLearner& l,
                        const std::vector<std::string>& class_ids,
                        absl::string_view audit);
void AppendLearnerImage(std::string* out, const HubLearner& l,
                        const std::vector<std::string>& class_ids);
// The learner (school_id left empty) and its class ids; INTERNAL when
// malformed.
absl::Status DecodeLearnerImage(absl::string_view image, HubLearner* l,
                                std::vector<std::string>* class_ids);

// One learner changed by a save: its state before and after ("" where it
// did not exist).
struct SaveChange {
  std::string learner_id;
  std::string before;
  std::string after;
};

// Writes a save's changes in chunks of kChangesPerChunk, in order.
class SaveChangeWriter {
 public:
  static constexpr int64_t kChangesPerChunk = 1000;
  static absl::StatusOr<SaveChangeWriter> Create(Db* db,
                                                 const std::string& save_id);
  // Appends one change; writes a chunk when it is full.
  absl::Status Add(absl::string_view learner_id, absl::string_view before,
                   absl::string_view after);
  // Writes what is left. Call once, at the end.
  absl::Status Finish();
  int64_t count() const { return total_; }

 private:
  SaveChangeWriter(Statement insert, const std::string& save_id)
      : insert_(std::move(insert)), save_id_(save_id) {}
  absl::Status Flush();
  Statement insert_;
  std::string save_id_;
  std::string packed_;
  int64_t in_chunk_ = 0;
  int64_t chunk_ = 0;
  int64_t total_ = 0;
};

// The changes of one packed chunk, in order; INTERNAL when malformed.
absl::Status UnpackSaveChanges(absl::string_view packed,
                               std::vector<SaveChange>* out);

// The highest audit_log id given so far (packed rows reserve the ids of
// their records: codec.h, PackedAudit).
absl::StatusOr<int64_t> LastAuditId(Db* db);

// A SaveSummary or RevertSummary as the saves.summary column holds it.
std::string EncodeSaveCounts(const SaveRecord& r);
absl::Status DecodeSaveCounts(absl::string_view s, SaveRecord* r);

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_SAVE_RECORDS_H_
