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

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
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

class OpenStreams;

// A server stream's hold on the key that opened it (Authorizer::OpenStream):
// revoked() turns true once the key is revoked through RevokeKey, and the
// stream sends nothing more. Unregisters itself when destroyed.
class StreamLease {
 public:
  StreamLease(StreamLease&&) = delete;
  StreamLease& operator=(StreamLease&&) = delete;
  ~StreamLease();

  bool revoked() const { return revoked_.load(std::memory_order_acquire); }
  const std::string& key_id() const { return key_id_; }

 private:
  friend class OpenStreams;
  StreamLease(OpenStreams* streams, std::string key_id)
      : streams_(streams), key_id_(std::move(key_id)) {}

  OpenStreams* const streams_;
  const std::string key_id_;
  std::atomic<bool> revoked_{false};
};

// The streams open per key, so that revoking a key ends them: one lookup
// and a flag per stream on revocation, one atomic load per message sent.
class OpenStreams {
 public:
  std::unique_ptr<StreamLease> Open(const std::string& key_id);
  // Flags every stream of `key_id`, and any opened later (a stream that
  // authenticated just before the revocation, and registers just after).
  void Revoked(const std::string& key_id);

 private:
  friend class StreamLease;
  void Close(StreamLease* lease);

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<StreamLease*>> open_
      ABSL_GUARDED_BY(mu_);
  // Keys revoked while this server runs (a few: revocation is rare).
  absl::flat_hash_set<std::string> revoked_ ABSL_GUARDED_BY(mu_);
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

  // A server stream (StreamRows, WatchSession) of `principal` registers
  // here after authenticating, and asks the lease before every message.
  std::unique_ptr<StreamLease> OpenStream(const Principal& principal) const {
    return streams_.Open(principal.key_id);
  }
  // Called once a key's revocation is committed: ends its open streams.
  void KeyRevoked(const std::string& key_id) const { streams_.Revoked(key_id); }

 private:
  Store* const store_;
  mutable OpenStreams streams_;  // thread-safe; not part of the policy
};

// `hubsyncd --init-operator-key`: a new operator key, stored as a hash.
// FAILED_PRECONDITION if an operator key that works already exists, unless
// `another`.
absl::StatusOr<NewKey> InitOperatorKey(Store* store, Clock* clock,
                                       const std::string& label, bool another);

}  // namespace hubsync::auth

#endif  // HUBSYNC_SERVER_AUTH_AUTHORIZER_H_
