// The hub database: one SQLite file (WAL, foreign keys on, schema migrated by
// version on Open). Every method is one transaction; every failure comes back
// as a Status and leaves the database unchanged. Thread-safe.
//
// Codes: NOT_FOUND for an unknown id (the message names it),
// INVALID_ARGUMENT for a record that breaks a rule, FAILED_PRECONDITION for a
// state conflict, ABORTED for a stale session version, UNAVAILABLE when the
// database is busy, INTERNAL for anything else SQLite reports.
#ifndef HUBSYNC_SERVER_STORAGE_STORE_H_
#define HUBSYNC_SERVER_STORAGE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/accounts_types.h"
#include "common/clock.h"
#include "common/session_types.h"
#include "common/types.h"
#include "server/storage/api_key_record.h"

namespace hubsync {

// A client-chosen id that makes a create safe to retry (CreateLearner and
// ImportLearners' request_id): the first call with it is applied, a repeat
// of the same request returns the first call's learners and writes nothing.
struct RequestKey {
  std::string id;           // empty: no request id, always applied
  std::string verb;         // the RPC: "CreateLearner", "ImportLearners"
  std::string fingerprint;  // a digest of the request, the id excluded
};

// Keyset ("seek") paging of the lists that grow with a school (AIP-158 at
// the API: server/service/paging.h). A Page* method returns at most `size`
// items that sort strictly after `after`, the sort key of the previous
// page's last item as the method's comment spells it (empty: from the
// start). It seeks through an index to `after` instead of counting past
// earlier rows (no OFFSET), so a page costs the same at the millionth item
// as at the first, and rows added or removed between pages make no other
// row be skipped or repeated. Every order ends in a unique column, so it is
// total. An `after` of the wrong shape is INVALID_ARGUMENT
// "page_token is not valid".
struct PageRequest {
  size_t size = 0;  // > 0
  std::vector<std::string> after;
};
template <typename T>
struct Page {
  std::vector<T> items;
  // `after` for the next page: the last item's sort key when more items
  // follow, empty at the end.
  std::vector<std::string> next;
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating if needed) the database at `path` and migrates it to the
  // latest schema version. `clock` and `ids` must outlive the store.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     Clock* clock,
                                                     IdGenerator* ids);

  virtual int SchemaVersion() = 0;

  // Schools.
  // Every change below writes its audit record(s) (AuditRecord, naming
  // `actor`) in the same transaction as the change: nothing is audited that
  // did not happen, nothing changes unaudited. The service layer passes the
  // authenticated caller; the default (no actor) is for tests and tools.
  virtual absl::StatusOr<School> CreateSchool(const std::string& name,
                                              const Actor& actor = {}) = 0;
  virtual absl::StatusOr<School> GetSchool(const std::string& school_id) = 0;
  virtual absl::StatusOr<std::vector<School>> ListSchools() = 0;
  // Bumped by every change to a school's hub learners or classes.
  virtual absl::StatusOr<int64_t> HubVersion(const std::string& school_id) = 0;

  // Hub learners. CreateLearners assigns ids, sets UNSYNCED and writes all
  // or none (one transaction); it rejects a mis_id already linked. Each
  // learner gets an audit record (verb "create", no session) naming `actor`.
  // With request.id set, the id is stored with the learners' ids in the same
  // transaction; a later call with the same school, id, verb and fingerprint
  // returns those learners as they are now (in creation order) and writes
  // nothing, and one with the same id but another verb or fingerprint is
  // FAILED_PRECONDITION naming the id.
  virtual absl::StatusOr<std::vector<HubLearner>> CreateLearners(
      const std::string& school_id, std::vector<HubLearner> learners,
      const Actor& actor = {}, const RequestKey& request = {}) = 0;
  virtual absl::StatusOr<HubLearner> GetLearner(
      const std::string& learner_id) = 0;
  // Sorted by surname, forename, id.
  virtual absl::StatusOr<std::vector<HubLearner>> ListLearners(
      const std::string& school_id) = 0;
  virtual absl::StatusOr<std::vector<HubClass>> ListClasses(
      const std::string& school_id) = 0;
  // One page of ListLearners; key {legal_surname, legal_forename, id}.
  // `archived`: only the archived learners instead of only the others.
  virtual absl::StatusOr<Page<HubLearner>> PageLearners(
      const std::string& school_id, const PageRequest& page,
      bool archived = false) = 0;

  // Learner edits (docs/STORAGE.md, "Learner edits"). Each is one
  // transaction that sets the learner's update_time to now, bumps the
  // school's hub version (so an open session classified before it cannot
  // save over it) and writes one audit record naming `actor`; it returns the
  // learner as stored after it. NOT_FOUND "learner ID not found" for an
  // unknown id; FAILED_PRECONDITION, changing nothing, when the learner is
  // in the wrong state for the verb (the message says which and what to do).
  //
  // UpdateLearner sets the fields named in `fields` (HubLearner's field
  // names: legal_forename, legal_surname, preferred_forename,
  // preferred_surname, date_of_birth, gender, upn, year_group,
  // registration_group, email) from `values`, which the caller has
  // validated. A learner linked to the MIS (an MIS id) keeps every field the
  // MIS owns (all but email): naming one is FAILED_PRECONDITION "FIELD of
  // NAME (ID) is managed by the MIS; ...". An archived learner cannot be
  // edited. Audited "update" (before / after); an edit that changes nothing
  // writes nothing.
  struct LearnerUpdate {
    std::vector<std::string> fields;
    HubLearner values;
  };
  virtual absl::StatusOr<HubLearner> UpdateLearner(
      const std::string& learner_id, const LearnerUpdate& update,
      const Actor& actor = {}) = 0;
  // Sets archive_time (the learner leaves ListLearners, PageLearners and
  // LoadForClassification; its memberships stay stored). A linked learner is
  // unlinked in the same change (no MIS id, UNSYNCED), so the MIS record is
  // free to come back as New. Audited "archive".
  virtual absl::StatusOr<HubLearner> ArchiveLearner(
      const std::string& learner_id, const Actor& actor = {}) = 0;
  // Clears archive_time: the learner is back with its memberships. Audited
  // "restore".
  virtual absl::StatusOr<HubLearner> RestoreLearner(
      const std::string& learner_id, const Actor& actor = {}) = 0;
  // A SYNCED or DESYNCED learner loses its MIS id and becomes UNSYNCED, its
  // fields and memberships kept, and the pair is recorded for
  // LoadForClassification (ClassifyInput::unlinked): the classifier never
  // pairs them again, so the MIS record comes back as New. Audited "unlink".
  virtual absl::StatusOr<HubLearner> UnlinkLearner(
      const std::string& learner_id, const Actor& actor = {}) = 0;
  // Deletes, in every school, the learners archived at or before
  // `archived_until` (Unix seconds), with their memberships and the
  // verification emails queued for them; each gets an audit record "purge"
  // in its school (before: the learner) and each school's hub version is
  // bumped. Returns how many were deleted.
  virtual absl::StatusOr<int64_t> PurgeArchivedLearners(
      int64_t archived_until) = 0;
  // One page of ListClasses (by kind, name, id); key {kind, name, id}.
  virtual absl::StatusOr<Page<HubClass>> PageClasses(
      const std::string& school_id, const PageRequest& page) = 0;

  // MIS snapshots. SaveSnapshot assigns id and create time; audited as
  // "save_snapshot" (id, format, counts; no learner data).
  virtual absl::StatusOr<MisSnapshot> SaveSnapshot(MisSnapshot snapshot,
                                                   const Actor& actor = {}) = 0;
  // With classes and learners.
  virtual absl::StatusOr<MisSnapshot> GetSnapshot(
      const std::string& snapshot_id) = 0;
  // Newest first; classes and learners left empty, counts in the sizes of
  // nothing: use SnapshotCounts.
  virtual absl::StatusOr<std::vector<MisSnapshot>> ListSnapshots(
      const std::string& school_id) = 0;
  // One page of ListSnapshots; key {create_time, rowid}.
  virtual absl::StatusOr<Page<MisSnapshot>> PageSnapshots(
      const std::string& school_id, const PageRequest& page) = 0;
  struct Counts {
    int64_t learners = 0;
    int64_t classes = 0;
  };
  virtual absl::StatusOr<Counts> SnapshotCounts(
      const std::string& snapshot_id) = 0;

  // What a session classifies: the school's hub version, its learners and
  // the snapshot, read in one transaction (so the version and the learners
  // agree) in storage order, not sorted (the classifier does not care, and a
  // million learners load several times faster unsorted).
  struct ClassifyInput {
    int64_t hub_version = 0;
    std::vector<HubLearner> hub;
    MisSnapshot snapshot;
    // The school's pairs UnlinkLearner recorded, for Classify to leave be.
    std::vector<UnlinkedPair> unlinked;
    // (learner id, address) of each learner account's verified address
    // (lower case): a save sends no verification to an address verified.
    std::vector<std::pair<std::string, std::string>> verified;
  };
  virtual absl::StatusOr<ClassifyInput> LoadForClassification(
      const std::string& school_id, const std::string& snapshot_id) = 0;

  // Class sync: creates hub classes for MIS classes whose MIS id the school
  // lacks, refreshes name/kind/year of linked ones, and stamps the school's
  // classes_synced_time. Bumps the hub version if anything changed. Each
  // class created or changed gets an audit record ("class_create",
  // "class_update") with `session_id`.
  virtual absl::StatusOr<ClassSyncResult> SyncClasses(
      const std::string& school_id, const std::string& snapshot_id,
      const Actor& actor = {}, const std::string& session_id = "") = 0;

  // Sessions and their rows.
  // Audited as "start_session".
  virtual absl::StatusOr<SessionRecord> CreateSession(
      SessionRecord s, const Actor& actor = {}) = 0;
  virtual absl::StatusOr<SessionRecord> GetSession(
      const std::string& session_id) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<SessionRecord>> ListSessions(
      const std::string& school_id) = 0;
  // One page of ListSessions; key {create_time, rowid}.
  virtual absl::StatusOr<Page<SessionRecord>> PageSessions(
      const std::string& school_id, const PageRequest& page) = 0;
  // Ordered by row_id.
  virtual absl::StatusOr<std::vector<Row>> LoadRows(
      const std::string& session_id) = 0;
  // CountRows of the stored rows, read a chunk at a time without keeping
  // them (nor their explanations): for a session that is not in memory.
  virtual absl::StatusOr<StatusCounts> SessionRowCounts(
      const std::string& session_id) = 0;
  // Writes `s` (whose version must be exactly one more than the stored
  // version, else ABORTED), upserts `changed` rows by row_id, deletes
  // `removed_row_ids`; all in one transaction. With replace_all_rows, every
  // existing row is deleted first. `audit` (school and session ids filled
  // in from `s`) is written in the same transaction.
  virtual absl::Status UpdateSession(
      const SessionRecord& s, const std::vector<Row>& changed,
      const std::vector<int64_t>& removed_row_ids,
      bool replace_all_rows = false,
      const std::vector<AuditRecord>& audit = {}) = 0;

  // Applies a save in one transaction: checks the school's hub version equals
  // plan.expected_hub_version (else FAILED_PRECONDITION "hub changed since
  // classification"), applies every change (kImport gets a new id; class
  // memberships set from class_mis_ids via hub classes' MIS ids; the
  // registration group class is included), writes one audit record per
  // learner changed, queues a verification email per change with
  // queue_verification_email, bumps the hub version, and writes `session`
  // (step SAVED, version checked as in UpdateSession).
  virtual absl::StatusOr<SaveSummary> ApplySave(
      const SavePlan& plan, const SessionRecord& session) = 0;

  // Saves and their reverts (docs/SYNC.md, "Reverting a save"). ApplySave
  // records each save (SaveSummary.save_id) with what a revert needs.
  // NOT_FOUND "save ID not found".
  virtual absl::StatusOr<SaveRecord> GetSave(const std::string& save_id) = 0;
  // The school's saves and reverts, newest first (in the order made); key
  // {rowid}.
  virtual absl::StatusOr<Page<SaveRecord>> PageSaves(
      const std::string& school_id, const PageRequest& page) = 0;
  // Undoes a save (or a revert) in one transaction: every learner it changed
  // back to its stored row and memberships before it, the learners it
  // created removed (or, for a revert, the ones it removed created again
  // with their ids), its queued emails that have not gone out withdrawn (or
  // requeued), audited ("revert_restore", "revert_remove", "revert_recreate"
  // per learner and "revert_save"), the hub version bumped. The revert is
  // itself a save record, which can be reverted. FAILED_PRECONDITION, changing
  // nothing, when the save was already reverted, when what it needs has passed
  // the retention period, or when a learner it changed has changed since (the
  // message names them and the later saves to revert first, newest first).
  // `validate_only`: the same checks and summary, nothing written.
  virtual absl::StatusOr<SaveRecord> RevertSave(const std::string& save_id,
                                                const Actor& actor,
                                                bool validate_only) = 0;
  // Deletes what a revert needs of the saves made before `before_unix`
  // (their records stay, `changes_kept` false). Returns how many saves.
  virtual absl::StatusOr<int64_t> ExpireSaveChanges(int64_t before_unix) = 0;

  // Oldest first.
  virtual absl::StatusOr<std::vector<AuditRecord>> ListAudit(
      const std::string& school_id) = 0;
  virtual absl::StatusOr<std::vector<OutboxEmail>> ListOutbox(
      const std::string& school_id) = 0;
  // One page of ListAudit, keeping only the records of `session_id` and of
  // `learner_id` when they are set; key {audit id}. (A Save's records are
  // stored packed, many to a row: a page may start or end inside one.)
  virtual absl::StatusOr<Page<AuditRecord>> PageAudit(
      const std::string& school_id, const std::string& session_id,
      const std::string& learner_id, const PageRequest& page) = 0;
  // One page of ListOutbox (oldest first), keeping only `filter`'s learner
  // and status when set; key {email id}.
  struct OutboxFilter {
    std::string learner_id;
    std::string status;
  };
  virtual absl::StatusOr<Page<OutboxEmail>> PageOutbox(
      const std::string& school_id, const OutboxFilter& filter,
      const PageRequest& page) = 0;

  // ---- Learner accounts (docs/ACCOUNTS.md) ----
  // Claims up to `limit` emails due at `now` for an attempt, oldest first:
  // queued ones whose next attempt time has come, and "sending" ones whose
  // attempt began `lease_seconds` or more ago (the server died mid-attempt,
  // so the relay may or may not have the message: at-least-once). Each is
  // set "sending" with one more attempt, and given its nonce at the first.
  // Emails of archived learners are withdrawn instead of claimed.
  virtual absl::StatusOr<std::vector<OutboxWork>> ClaimDueEmails(
      int64_t now_unix, int64_t lease_seconds, int limit) = 0;
  // Stores the token of an attempt (kept if the email already has one: a
  // retry sends the same token) and retires every other unused token of the
  // learner. Before the message goes out. Returns the time the token was
  // first stored (its first attempt): the message's Date, so that a retry
  // sends the very same bytes.
  virtual absl::StatusOr<int64_t> RecordVerificationToken(
      const VerificationToken& token) = 0;
  // Records how an attempt ended: sent, queued again for later, or failed.
  // Only an email that is "sending" changes (a revert may not touch it).
  virtual absl::Status FinishEmail(int64_t email_id,
                                   const EmailOutcome& outcome) = 0;
  // Queues again the school's emails named (every failed one when `ids` is
  // empty), from a fresh attempt count. Only failed emails, and sent ones
  // when named (a lost message), are resent; NOT_FOUND names an id that is
  // not the school's, FAILED_PRECONDITION one that is queued, sending or
  // withdrawn. Audited "resend_email". Returns the emails queued.
  virtual absl::StatusOr<std::vector<OutboxEmail>> ResendEmails(
      const std::string& school_id, const std::vector<int64_t>& ids,
      const Actor& actor) = 0;
  // Redeems an unused, unexpired, unretired token (by its hash, or by the
  // address and its code's hash when token_hash is empty): marks it used
  // and sets the learner's verified address and password hash, in one
  // transaction. NOT_FOUND for anything else (unknown, used, expired,
  // retired, or the learner archived): one answer, so a guess learns
  // nothing. Audited "redeem" (the address; never a hash).
  virtual absl::StatusOr<LearnerAccount> RedeemToken(
      const std::string& token_hash, const std::string& address,
      const std::string& code_hash, const std::string& password_hash) = 0;
  // The accounts whose verified address is `address` (lower case), with
  // what decides a login to `product`.
  virtual absl::StatusOr<std::vector<LoginCandidate>> FindLoginCandidates(
      const std::string& address, const std::string& product) = 0;
  // The school's partner-product subscriptions, sorted.
  virtual absl::StatusOr<std::vector<std::string>> ListSubscriptions(
      const std::string& school_id) = 0;
  // Subscribes (or, `subscribed` false, unsubscribes) the school; audited
  // "subscribe" / "unsubscribe" when it changes anything.
  virtual absl::Status SetSubscription(const std::string& school_id,
                                       const std::string& product,
                                       bool subscribed, const Actor& actor) = 0;
  // Grants (or revokes) a product to a learner or a class of the school:
  // NOT_FOUND for a subject that is not the school's. Audited "grant" /
  // "revoke_grant" when it changes anything. Returns the grant as stored
  // (its first grant time), or as given with time 0 once revoked.
  virtual absl::StatusOr<ProductGrant> SetGrant(const ProductGrant& grant,
                                                bool granted,
                                                const Actor& actor) = 0;
  // One page of the school's grants by product, kind and subject id; key
  // {product, kind, subject_id}.
  virtual absl::StatusOr<Page<ProductGrant>> PageGrants(
      const std::string& school_id, const PageRequest& page) = 0;

  // API keys (hashes only). CreateApiKey: NOT_FOUND if school_id is set and
  // unknown, ALREADY_EXISTS for a duplicate id. A school's key is audited
  // in that school ("create_key": id, role, label; never the secret or its
  // hash). Operator keys belong to no school and are not in any trail.
  virtual absl::Status CreateApiKey(const ApiKeyRecord& key,
                                    const Actor& actor = {}) = 0;
  // NOT_FOUND "key ID not found".
  virtual absl::StatusOr<ApiKeyRecord> GetApiKey(const std::string& key_id) = 0;
  // One school's keys, or every key when school_id is empty; by create time.
  virtual absl::StatusOr<std::vector<ApiKeyRecord>> ListApiKeys(
      const std::string& school_id) = 0;
  // One page of ListApiKeys; key {create_time, id}.
  virtual absl::StatusOr<Page<ApiKeyRecord>> PageApiKeys(
      const std::string& school_id, const PageRequest& page) = 0;
  // Sets the revoke time (kept if already revoked); NOT_FOUND if unknown.
  // A school key's first revocation is audited ("revoke_key").
  virtual absl::StatusOr<ApiKeyRecord> RevokeApiKey(
      const std::string& key_id, const Actor& actor = {}) = 0;
  // Operator keys not revoked.
  virtual absl::StatusOr<int64_t> CountActiveOperatorKeys() = 0;

  // The school an id belongs to, read cheaply (no rows loaded). NOT_FOUND
  // with the same message as the full read of that id ("session ID not
  // found", ...), so an id of another school reads as one that does not exist.
  virtual absl::StatusOr<std::string> SchoolOf(Resource kind,
                                               const std::string& id) = 0;
};

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_STORAGE_STORE_H_
