// An API key as the store keeps it: never the secret, only its hash
// (server/auth/keys.h makes both).
#ifndef HUBSYNC_SERVER_STORAGE_API_KEY_RECORD_H_
#define HUBSYNC_SERVER_STORAGE_API_KEY_RECORD_H_

#include <cstdint>
#include <string>

namespace hubsync {

// kProduct: a partner product's login service (RedeemVerification, Login),
// belonging to no school, like an operator.
enum class Role { kOperator, kAdmin, kService, kViewer, kProduct };

// "operator", "admin", "service", "viewer", "product" (as stored and as the
// CLI takes).
const char* RoleName(Role role);
bool ParseRole(const std::string& name, Role* role);

struct ApiKeyRecord {
  std::string id;         // "key_" + 16 hex digits
  std::string school_id;  // empty for operator and product keys
  Role role = Role::kViewer;
  std::string label;
  std::string secret_hash;  // hex of the keyed hash of the whole key string
  int64_t create_time_unix = 0;
  std::string created_by;        // key id, or "" when made by hubsyncd
  int64_t revoke_time_unix = 0;  // 0 while the key works
};

// What an id names, for Store::SchoolOf.
enum class Resource { kSchool, kLearner, kSnapshot, kSession, kKey, kSave };

}  // namespace hubsync

#endif  // HUBSYNC_SERVER_STORAGE_API_KEY_RECORD_H_
