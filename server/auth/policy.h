// The role x verb table (docs/SECURITY.md). One entry per RPC.
#ifndef HUBSYNC_SERVER_AUTH_POLICY_H_
#define HUBSYNC_SERVER_AUTH_POLICY_H_

#include <vector>

#include "server/storage/api_key_record.h"

namespace hubsync::auth {

enum class Verb {
  // SchoolService
  kCreateSchool,
  kGetSchool,
  kListSchools,
  // HubService
  kCreateLearner,
  kImportLearners,
  kGetLearner,
  kListLearners,
  kListClasses,
  kUpdateLearner,
  kArchiveLearner,
  kRestoreLearner,
  kUnlinkLearner,
  // MisService
  kUploadMisExport,
  kPushMisRecords,
  kListSnapshots,
  kListMisLearners,
  // AccountService
  kListVerificationEmails,
  kListAuditRecords,
  kResendVerificationEmails,
  kListSubscriptions,
  kSetSubscription,
  kListGrants,
  kSetGrant,
  kRedeemVerification,
  kLogin,
  // SyncService
  kStartSession,
  kGetSession,
  kListSessions,
  kProceed,
  kSetScope,
  kStreamRows,
  kSetImport,
  kSetImportAll,
  kMatch,
  kUnmatch,
  kSetSyncEmail,
  kSetSyncEmailAll,
  kSaveAndSyncPupils,
  kCancelSession,
  kWatchSession,
  kListSaves,
  kGetSave,
  kRevertSave,
  kSetReviewed,
  kSetReviewedAll,
  kStepBack,
  // KeyService
  kCreateApiKey,
  kListApiKeys,
  kRevokeApiKey,
  kWhoAmI,
};

// What a verb does, which decides the roles that may call it.
enum class Access {
  kSchools,     // create schools: operator
  kSchoolInfo,  // a school's name and dates: every role (school keys: own)
  kRead,        // pupil data, sessions, audit: viewer, service, admin
  kSync,        // MIS data and the sync session verbs: service, admin
  kHubWrite,    // hub learners written directly: admin
  kKeys,        // API keys: operator (any school), admin (own school)
  kSelf,        // the caller's own key: every role
  kAccounts,    // a learner's verification and login: product
};

Access AccessOf(Verb verb);
const char* VerbName(Verb verb);  // the RPC's name, "StartSession"
bool RoleMay(Role role, Verb verb);
const std::vector<Verb>& AllVerbs();

}  // namespace hubsync::auth

#endif  // HUBSYNC_SERVER_AUTH_POLICY_H_
