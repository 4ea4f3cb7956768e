// Learner accounts for partner products: the verification emails' delivery
// records, tokens, accounts, subscriptions and grants (docs/ACCOUNTS.md).
#ifndef HUBSYNC_COMMON_ACCOUNTS_TYPES_H_
#define HUBSYNC_COMMON_ACCOUNTS_TYPES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/session_types.h"

namespace hubsync {

// The partner products a learner may log in to, by their API names.
inline constexpr absl::string_view kBoostLearning = "boost-learning";
inline constexpr absl::string_view kHodderMagazines = "hodder-magazines";
// The admin hub itself ("Boost Insights"): never a learner login.
inline constexpr absl::string_view kAdminHub = "admin-hub";

// True for a product a school may subscribe to (not the admin hub).
bool IsPartnerProduct(absl::string_view product);
// "Boost Learning", "Hodder Education Magazines"; the name itself if unknown.
std::string ProductDisplayName(absl::string_view product);
const std::vector<std::string>& PartnerProducts();

// An outbox email claimed for an attempt, with what its message needs.
struct OutboxWork {
  OutboxEmail email;
  std::string school_name;
  std::string forename;  // the learner's preferred forename, else legal
  std::string surname;
  std::string nonce;  // fixed at the first attempt: the token derives from it
  // The partner products the school subscribes to and the learner is
  // granted (directly or through a class), sorted.
  std::vector<std::string> products;
};

// How an attempt ended: sent; queued again for a later attempt; failed for
// good; or held back unsent (a rate limit), the attempt not counted.
struct EmailOutcome {
  enum Kind { kSent, kRetry, kFailed, kHeld } kind = kSent;
  int64_t next_attempt_time_unix = 0;  // kRetry, kHeld
  std::string error;                   // kRetry, kFailed, kHeld
};

// A verification token as stored: hashes only (keyed BLAKE2b), never the
// token or the code.
struct VerificationToken {
  std::string token_hash;
  std::string code_hash;
  int64_t email_id = 0;
  std::string school_id;
  std::string learner_id;
  std::string address;  // lower case
  int64_t create_time_unix = 0;
  int64_t expire_time_unix = 0;
};

// A learner's account once a token was redeemed.
struct LearnerAccount {
  std::string learner_id;
  std::string school_id;
  std::string address;  // the verified address, lower case
  int64_t verify_time_unix = 0;
  int64_t password_time_unix = 0;
};

// One account a login's address names, with what decides the login.
struct LoginCandidate {
  LearnerAccount account;
  std::string password_hash;  // crypto_pwhash_str's string
  SyncState sync_state = SyncState::kUnsynced;
  bool archived = false;
  bool subscribed = false;  // the school subscribes to the product
  bool granted = false;     // the learner is granted it (or a class of theirs)
};

// A grant of a product to a learner or to every member of a class.
struct ProductGrant {
  std::string school_id;
  std::string product;
  std::string kind;  // "learner" or "class"
  std::string subject_id;
  int64_t create_time_unix = 0;
};

}  // namespace hubsync

#endif  // HUBSYNC_COMMON_ACCOUNTS_TYPES_H_
