// Who may do what (docs/SECURITY.md): the one place that turns a presented
// API key into a Principal and decides whether it may call a verb on an id.
// Transport-free: the service layer hands it the `authorization` metadata.
//
// Codes: UNAUTHENTICATED for a missing, malformed, unknown or revoked key;
// PERMISSION_DENIED for a role that may not call the verb; NOT_FOUND for an
// id of another school, with the same message as an id that does not exist;
// INVALID_ARGUMENT for an empty required id.
#ifndef HUBSYNC_SERVER_AUTH_AUTHORIZER_H_
#define HUBSYNC_SERVER_AUTH_AUTHORIZER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/keys.h"
#include "server/auth/policy.h"
#include "server/storage/store.h"

namespace hubsync::auth {

struct Principal {
  std::string key_id;
  Role role = Role::kViewer;
  std::string school_id;  // empty for an operator
  std::string label;
};

// The record a verb touches, named by the request field that holds its id.
struct Target {
  Resource kind;
  std::string id;
  const char* field;  // for "FIELD is required"
};

class Authorizer {
 public:
  explicit Authorizer(Store* store) : store_(store) {}

  // `authorization` is the metadata value (nullopt when absent). Checks the
  // key and that its role may call `verb`.
  absl::StatusOr<Principal> Authenticate(
      const std::optional<absl::string_view>& authorization, Verb verb) const;

  // OK if `target` belongs to the principal's school (an operator: if the
  // school exists; operators reach no other kind of record).
  absl::Status CheckTarget(const Principal& principal,
                           const Target& target) const;

 private:
  Store* const store_;
};

// `hubsyncd --init-operator-key`: a new operator key, stored as a hash.
// FAILED_PRECONDITION if an operator key that works already exists, unless
// `another`.
absl::StatusOr<NewKey> InitOperatorKey(Store* store, Clock* clock,
                                       const std::string& label, bool another);

}  // namespace hubsync::auth

#endif  // HUBSYNC_SERVER_AUTH_AUTHORIZER_H_
