#include "server/auth/policy.h"

namespace hubsync::auth {
namespace {

struct VerbInfo {
  Verb verb;
  const char* name;
  Access access;
};

// Operators hold no pupil data rights (least privilege): they set schools and
// keys up, and a school's own admin key reads and syncs its pupils.
constexpr VerbInfo kVerbs[] = {
    {Verb::kCreateSchool, "CreateSchool", Access::kSchools},
    {Verb::kGetSchool, "GetSchool", Access::kSchoolInfo},
    {Verb::kListSchools, "ListSchools", Access::kSchoolInfo},
    {Verb::kCreateLearner, "CreateLearner", Access::kHubWrite},
    {Verb::kImportLearners, "ImportLearners", Access::kHubWrite},
    {Verb::kGetLearner, "GetLearner", Access::kRead},
    {Verb::kListLearners, "ListLearners", Access::kRead},
    {Verb::kListClasses, "ListClasses", Access::kRead},
    {Verb::kUpdateLearner, "UpdateLearner", Access::kHubWrite},
    {Verb::kArchiveLearner, "ArchiveLearner", Access::kHubWrite},
    {Verb::kRestoreLearner, "RestoreLearner", Access::kHubWrite},
    {Verb::kUnlinkLearner, "UnlinkLearner", Access::kHubWrite},
    {Verb::kUploadMisExport, "UploadMisExport", Access::kSync},
    {Verb::kPushMisRecords, "PushMisRecords", Access::kSync},
    {Verb::kListSnapshots, "ListSnapshots", Access::kRead},
    {Verb::kListMisLearners, "ListMisLearners", Access::kRead},
    {Verb::kListVerificationEmails, "ListVerificationEmails", Access::kRead},
    {Verb::kListAuditRecords, "ListAuditRecords", Access::kRead},
    {Verb::kResendVerificationEmails, "ResendVerificationEmails",
     Access::kHubWrite},
    {Verb::kListSubscriptions, "ListSubscriptions", Access::kRead},
    {Verb::kSetSubscription, "SetSubscription", Access::kHubWrite},
    {Verb::kListGrants, "ListGrants", Access::kRead},
    {Verb::kSetGrant, "SetGrant", Access::kHubWrite},
    {Verb::kRedeemVerification, "RedeemVerification", Access::kAccounts},
    {Verb::kLogin, "Login", Access::kAccounts},
    {Verb::kStartSession, "StartSession", Access::kSync},
    {Verb::kGetSession, "GetSession", Access::kRead},
    {Verb::kListSessions, "ListSessions", Access::kRead},
    {Verb::kProceed, "Proceed", Access::kSync},
    {Verb::kSetScope, "SetScope", Access::kSync},
    {Verb::kStreamRows, "StreamRows", Access::kRead},
    {Verb::kSetImport, "SetImport", Access::kSync},
    {Verb::kSetImportAll, "SetImportAll", Access::kSync},
    {Verb::kMatch, "Match", Access::kSync},
    {Verb::kUnmatch, "Unmatch", Access::kSync},
    {Verb::kSetSyncEmail, "SetSyncEmail", Access::kSync},
    {Verb::kSetSyncEmailAll, "SetSyncEmailAll", Access::kSync},
    {Verb::kSaveAndSyncPupils, "SaveAndSyncPupils", Access::kSync},
    {Verb::kCancelSession, "CancelSession", Access::kSync},
    {Verb::kWatchSession, "WatchSession", Access::kRead},
    {Verb::kListSaves, "ListSaves", Access::kRead},
    {Verb::kGetSave, "GetSave", Access::kRead},
    {Verb::kRevertSave, "RevertSave", Access::kHubWrite},
    {Verb::kSetReviewed, "SetReviewed", Access::kSync},
    {Verb::kSetReviewedAll, "SetReviewedAll", Access::kSync},
    {Verb::kStepBack, "StepBack", Access::kSync},
    {Verb::kCreateApiKey, "CreateApiKey", Access::kKeys},
    {Verb::kListApiKeys, "ListApiKeys", Access::kKeys},
    {Verb::kRevokeApiKey, "RevokeApiKey", Access::kKeys},
    {Verb::kWhoAmI, "WhoAmI", Access::kSelf},
};

const VerbInfo& Info(Verb verb) {
  for (const VerbInfo& v : kVerbs) {
    if (v.verb == verb) return v;
  }
  return kVerbs[0];  // unreachable: every Verb is in the table (policy_test)
}

}  // namespace

Access AccessOf(Verb verb) { return Info(verb).access; }
const char* VerbName(Verb verb) { return Info(verb).name; }

bool RoleMay(Role role, Verb verb) {
  switch (AccessOf(verb)) {
    case Access::kSchools:
      return role == Role::kOperator;
    case Access::kSchoolInfo:
      return role != Role::kProduct;
    case Access::kSelf:
      return true;
    case Access::kRead:
      return role != Role::kOperator && role != Role::kProduct;
    case Access::kSync:
      return role == Role::kService || role == Role::kAdmin;
    case Access::kHubWrite:
      return role == Role::kAdmin;
    case Access::kKeys:
      return role == Role::kOperator || role == Role::kAdmin;
    case Access::kAccounts:
      return role == Role::kProduct;
  }
  return false;
}

const std::vector<Verb>& AllVerbs() {
  static const auto* all = [] {
    auto* v = new std::vector<Verb>;
    for (const VerbInfo& i : kVerbs) v->push_back(i.verb);
    return v;
  }();
  return *all;
}

}  // namespace hubsync::auth
