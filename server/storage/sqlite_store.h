// Store on SQLite. One connection, guarded by one mutex: every public method
// locks it for the whole call (and its transaction), so calls are serialised.
// SQLite allows one writer at a time anyway, and a sync school is small
// enough that reads do not need a pool (see docs/STORAGE.md). The one
// exception: loading both sides for classification reads the snapshot on a
// second, read-only connection while the hub is read on the first.
#ifndef HUBSYNC_SERVER_STORAGE_SQLITE_STORE_H_
#define HUBSYNC_SERVER_STORAGE_SQLITE_STORE_H_

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "server/storage/sqlite.h"
#include "server/storage/store.h"

namespace hubsync::storage {

class SqliteStore : public Store {
 public:
  SqliteStore(Db db, int schema_version, Clock* clock, IdGenerator* ids)
      : db_(std::move(db)),
        schema_version_(schema_version),
        clock_(clock),
        ids_(ids) {}

  int SchemaVersion() override { return schema_version_; }

  absl::StatusOr<School> CreateSchool(const std::string& name,
                                      const Actor& actor) override;
  absl::StatusOr<School> GetSchool(const std::string& school_id) override;
  absl::StatusOr<std::vector<School>> ListSchools() override;
  absl::StatusOr<int64_t> HubVersion(const std::string& school_id) override;

  absl::StatusOr<std::vector<HubLearner>> CreateLearners(
      const std::string& school_id, std::vector<HubLearner> learners,
      const Actor& actor, const RequestKey& request) override;
  absl::StatusOr<HubLearner> GetLearner(const std::string& learner_id) override;
  absl::StatusOr<std::vector<HubLearner>> ListLearners(
      const std::string& school_id) override;
  absl::StatusOr<std::vector<HubClass>> ListClasses(
      const std::string& school_id) override;
  absl::StatusOr<Page<HubLearner>> PageLearners(const std::string& school_id,
                                                const PageRequest& page,
                                                bool archived) override;
  absl::StatusOr<HubLearner> UpdateLearner(const std::string& learner_id,
                                           const LearnerUpdate& update,
                                           const Actor& actor) override;
  absl::StatusOr<HubLearner> ArchiveLearner(const std::string& learner_id,
                                            const Actor& actor) override;
  absl::StatusOr<HubLearner> RestoreLearner(const std::string& learner_id,
                                            const Actor& actor) override;
  absl::StatusOr<HubLearner> UnlinkLearner(const std::string& learner_id,
                                           const Actor& actor) override;
  absl::StatusOr<int64_t> PurgeArchivedLearners(
      int64_t archived_until) override;
  absl::StatusOr<Page<HubClass>> PageClasses(const std::string& school_id,
                                             const PageRequest& page) override;

  absl::StatusOr<MisSnapshot> SaveSnapshot(MisSnapshot snapshot,
                                           const Actor& actor) override;
  absl::StatusOr<ClassifyInput> LoadForClassification(
      const std::string& school_id, const std::string& snapshot_id) override;
  absl::StatusOr<MisSnapshot> GetSnapshot(
      const std::string& snapshot_id) override;
  absl::StatusOr<std::vector<MisSnapshot>> ListSnapshots(
      const std::string& school_id) override;
  absl::StatusOr<Page<MisSnapshot>> PageSnapshots(
      const std::string& school_id, const PageRequest& page) override;
  absl::StatusOr<Counts> SnapshotCounts(
      const std::string& snapshot_id) override;
  absl::StatusOr<ClassSyncResult> SyncClasses(
      const std::string& school_id, const std::string& snapshot_id,
      const Actor& actor, const std::string& session_id) override;

  absl::StatusOr<SessionRecord> CreateSession(SessionRecord s,
                                              const Actor& actor) override;
  absl::StatusOr<SessionRecord> GetSession(
      const std::string& session_id) override;
  absl::StatusOr<std::vector<SessionRecord>> ListSessions(
      const std::string& school_id) override;
  absl::StatusOr<Page<SessionRecord>> PageSessions(
      const std::string& school_id, const PageRequest& page) override;
  absl::StatusOr<std::vector<Row>> LoadRows(
      const std::string& session_id) override;
  absl::StatusOr<StatusCounts> SessionRowCounts(
      const std::string& session_id) override;
  absl::Status UpdateSession(const SessionRecord& s,
                             const std::vector<Row>& changed,
                             const std::vector<int64_t>& removed_row_ids,
                             bool replace_all_rows,
                             const std::vector<AuditRecord>& audit) override;

  absl::StatusOr<SaveSummary> ApplySave(const SavePlan& plan,
                                        const SessionRecord& session) override;
  absl::StatusOr<std::vector<AuditRecord>> ListAudit(
      const std::string& school_id) override;
  absl::StatusOr<std::vector<OutboxEmail>> ListOutbox(
      const std::string& school_id) override;
  absl::StatusOr<Page<AuditRecord>> PageAudit(const std::string& school_id,
                                              const std::string& session_id,
                                              const std::string& learner_id,
                                              const PageRequest& page) override;
  absl::StatusOr<Page<OutboxEmail>> PageOutbox(
      const std::string& school_id, const OutboxFilter& filter,
      const PageRequest& page) override;
  absl::StatusOr<std::vector<OutboxWork>> ClaimDueEmails(int64_t now_unix,
                                                         int64_t lease_seconds,
                                                         int limit) override;
  absl::StatusOr<int64_t> RecordVerificationToken(
      const VerificationToken& token) override;
  absl::Status FinishEmail(int64_t email_id,
                           const EmailOutcome& outcome) override;
  absl::StatusOr<std::vector<OutboxEmail>> ResendEmails(
      const std::string& school_id, const std::vector<int64_t>& ids,
      const Actor& actor) override;
  absl::StatusOr<LearnerAccount> RedeemToken(
      const std::string& token_hash, const std::string& address,
      const std::string& code_hash, const std::string& password_hash) override;
  absl::StatusOr<std::vector<LoginCandidate>> FindLoginCandidates(
      const std::string& address, const std::string& product) override;
  absl::StatusOr<std::vector<std::string>> ListSubscriptions(
      const std::string& school_id) override;
  absl::Status SetSubscription(const std::string& school_id,
                               const std::string& product, bool subscribed,
                               const Actor& actor) override;
  absl::StatusOr<ProductGrant> SetGrant(const ProductGrant& grant, bool granted,
                                        const Actor& actor) override;
  absl::StatusOr<Page<ProductGrant>> PageGrants(
      const std::string& school_id, const PageRequest& page) override;

  absl::Status CreateApiKey(const ApiKeyRecord& key,
                            const Actor& actor) override;
  absl::StatusOr<SaveRecord> GetSave(const std::string& save_id) override;
  absl::StatusOr<Page<SaveRecord>> PageSaves(const std::string& school_id,
                                             const PageRequest& page) override;
  absl::StatusOr<SaveRecord> RevertSave(const std::string& save_id,
                                        const Actor& actor,
                                        bool validate_only) override;
  absl::StatusOr<int64_t> ExpireSaveChanges(int64_t before_unix) override;
  absl::StatusOr<ApiKeyRecord> GetApiKey(const std::string& key_id) override;
  absl::StatusOr<std::vector<ApiKeyRecord>> ListApiKeys(
      const std::string& school_id) override;
  absl::StatusOr<Page<ApiKeyRecord>> PageApiKeys(
      const std::string& school_id, const PageRequest& page) override;
  absl::StatusOr<ApiKeyRecord> RevokeApiKey(const std::string& key_id,
                                            const Actor& actor) override;
  absl::StatusOr<int64_t> CountActiveOperatorKeys() override;
  absl::StatusOr<std::string> SchoolOf(Resource kind,
                                       const std::string& id) override;

 private:
  // Helpers named *Locked expect mu_ held (std::mutex carries no thread
  // annotations under GCC, so this is by convention).
  absl::StatusOr<School> GetSchoolLocked(const std::string& school_id);
  absl::StatusOr<int64_t> HubVersionLocked(const std::string& school_id);
  absl::Status BumpHubVersionLocked(const std::string& school_id);
  absl::Status CheckSessionVersionLocked(const SessionRecord& s);
  absl::Status WriteSessionLocked(const SessionRecord& s, bool insert);
  // A session's changed and removed rows, in their chunks (docs/STORAGE.md);
  // none_stored: the session has no rows stored (a new screen).
  absl::Status WriteRowsLocked(const std::string& session_id,
                               const std::vector<Row>& changed,
                               const std::vector<int64_t>& removed_row_ids,
                               bool none_stored);
  // One audit record, in the caller's transaction (JSON as given; the time
  // is now unless set).
  absl::Status WriteAuditLocked(const AuditRecord& a);
  // The learner edits' shared step (learner_edits.cc): reads the learner,
  // lets `edit` change a copy (or refuse), writes the columns that differ
  // with update_time now, bumps the hub version and writes the audit record
  // `verb`, in one transaction.
  template <typename Edit>
  absl::StatusOr<HubLearner> EditLearnerLocked(const std::string& learner_id,
                                               absl::string_view verb,
                                               const Actor& actor, Edit edit);
  // A second, read-only connection to the same file, opened on first use;
  // nullptr when it cannot be opened (the caller then reads on db_).
  Db* ReaderLocked();

  std::mutex mu_;
  Db db_;  // guarded by mu_
  // Reads that run beside one on db_ (LoadForClassification), under mu_.
  std::optional<Db> reader_;    // guarded by mu_
  bool reader_failed_ = false;  // guarded by mu_
  const int schema_version_;
  Clock* const clock_;
  IdGenerator* const ids_;
};

}  // namespace hubsync::storage

#endif  // HUBSYNC_SERVER_STORAGE_SQLITE_STORE_H_
