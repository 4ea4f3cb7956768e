// AccountService beyond the lists (docs/ACCOUNTS.md): resends, the school's
// product subscriptions and grants, and the learner's redeem and login.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/accounts_types.h"
#include "common/mime.h"
#include "server/service/authorize.h"
#include "server/service/convert.h"
#include "server/service/paging.h"
#include "server/service/services.h"
#include "server/service/status.h"
#include "server/service/validate.h"

namespace hubsync {
namespace {

constexpr int kMaxResendIds = 10000;

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

grpc::Status CheckPartnerProduct(const std::string& product) {
  if (IsPartnerProduct(product)) return grpc::Status::OK;
  if (product == kAdminHub) {
    return Invalid(
        "product: the admin hub (Boost Insights) is for school staff; learners "
        "cannot be given it");
  }
  return Invalid(absl::StrCat(
      "product must be one of ", absl::StrJoin(PartnerProducts(), ", "),
      product.empty() ? "" : absl::StrCat(", not ", product)));
}

// The one answer a refused login gets, whatever the reason.
grpc::Status LoginRefused() {
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "the email address, password or product was not "
                      "accepted");
}

// "ipv4:127.0.0.1:5555" -> "127.0.0.1".
std::string PeerHost(const std::string& peer) {
  const size_t first = peer.find(':');
  const size_t last = peer.rfind(':');
  if (first == std::string::npos || last == first) return peer;
  return peer.substr(first + 1, last - first - 1);
}

void ToProto(const ProductGrant& in, v1::ProductGrant* out) {
  out->set_product(in.product);
  if (in.kind == "learner") {
    out->set_learner_id(in.subject_id);
  } else {
    out->set_class_id(in.subject_id);
  }
  ::hubsync::ToProto(in.create_time_unix, out->mutable_create_time());
}

}  // namespace

// Holds one of kMaxHashing slots while a password is hashed or checked.
class AccountServiceImpl::HashSlot {
 public:
  explicit HashSlot(AccountServiceImpl* s) : s_(s) {
    absl::MutexLock lock(&s_->hash_mu_);
    auto free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s_->hash_mu_) {
      return s_->hashing_ < kMaxHashing;
    };
    s_->hash_mu_.Await(absl::Condition(&free));
    ++s_->hashing_;
  }
  ~HashSlot() {
    absl::MutexLock lock(&s_->hash_mu_);
    --s_->hashing_;
  }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;

 private:
  AccountServiceImpl* s_;
};

grpc::Status AccountServiceImpl::ResendVerificationEmails(
    grpc::ServerContext* context,
    const v1::ResendVerificationEmailsRequest* req,
    v1::ResendVerificationEmailsResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kResendVerificationEmails,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  if (req->email_ids_size() > kMaxResendIds) {
    return Invalid(absl::StrCat("email_ids: at most ", kMaxResendIds,
                                " at a time, not ", req->email_ids_size()));
  }
  for (int i = 0; i < req->email_ids_size(); ++i) {
    if (req->email_ids(i) <= 0) {
      return Invalid(absl::StrCat("email_ids[", i, "] must be positive"));
    }
  }
  absl::StatusOr<std::vector<OutboxEmail>> queued = store_->ResendEmails(
      req->school_id(), {req->email_ids().begin(), req->email_ids().end()},
      actor);
  if (!queued.ok()) return ToGrpcStatus(queued.status());
  for (const OutboxEmail& e : *queued) ToProto(e, out->add_emails());
  if (delivery_ != nullptr && !queued->empty()) delivery_->Wake();
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::ListSubscriptions(
    grpc::ServerContext* context, const v1::ListSubscriptionsRequest* req,
    v1::ListSubscriptionsResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListSubscriptions,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  absl::StatusOr<std::vector<std::string>> products =
      store_->ListSubscriptions(req->school_id());
  if (!products.ok()) return ToGrpcStatus(products.status());
  for (const std::string& p : *products) out->add_products(p);
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::SetSubscription(
    grpc::ServerContext* context, const v1::SetSubscriptionRequest* req,
    v1::ListSubscriptionsResponse* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetSubscription,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  if (grpc::Status s = CheckPartnerProduct(req->product()); !s.ok()) return s;
  HUBSYNC_RETURN_IF_ERROR_GRPC(store_->SetSubscription(
      req->school_id(), req->product(), req->subscribed(), actor));
  absl::StatusOr<std::vector<std::string>> products =
      store_->ListSubscriptions(req->school_id());
  if (!products.ok()) return ToGrpcStatus(products.status());
  for (const std::string& p : *products) out->add_products(p);
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::ListGrants(grpc::ServerContext* context,
                                            const v1::ListGrantsRequest* req,
                                            v1::ListGrantsResponse* out) {
  HUBSYNC_AUTHORIZE(
      *auth_, context, auth::Verb::kListGrants,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  const std::vector<std::string> binding = {req->school_id()};
  PageRequest page;
  HUBSYNC_RETURN_IF_INVALID(ReadPageRequest(
      "ListGrants", binding, req->page_size(), req->page_token(), &page));
  absl::StatusOr<Page<ProductGrant>> grants =
      store_->PageGrants(req->school_id(), page);
  if (!grants.ok()) return ToGrpcStatus(grants.status());
  for (const ProductGrant& g : grants->items) ToProto(g, out->add_grants());
  out->set_next_page_token(NextPageToken("ListGrants", binding, grants->next));
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::SetGrant(grpc::ServerContext* context,
                                          const v1::SetGrantRequest* req,
                                          v1::ProductGrant* out) {
  HUBSYNC_AUTHORIZE_AS(
      actor, *auth_, context, auth::Verb::kSetGrant,
      auth::Target{Resource::kSchool, req->school_id(), "school_id"});
  const v1::ProductGrant& g = req->grant();
  if (grpc::Status s = CheckPartnerProduct(g.product()); !s.ok()) return s;
  if (g.learner_id().empty() == g.class_id().empty()) {
    return Invalid("grant: name exactly one of learner_id and class_id");
  }
  const bool learner = !g.learner_id().empty();
  HUBSYNC_RETURN_IF_INVALID(
      CheckId(learner ? "grant.learner_id" : "grant.class_id",
              learner ? g.learner_id() : g.class_id()));
  ProductGrant grant;
  grant.school_id = req->school_id();
  grant.product = g.product();
  grant.kind = learner ? "learner" : "class";
  grant.subject_id = learner ? g.learner_id() : g.class_id();
  absl::StatusOr<ProductGrant> stored =
      store_->SetGrant(grant, req->granted(), actor);
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  ToProto(*stored, out);
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::RedeemVerification(
    grpc::ServerContext* context, const v1::RedeemVerificationRequest* req,
    v1::RedeemVerificationResponse* out) {
  HUBSYNC_AUTHORIZE(*auth_, context, auth::Verb::kRedeemVerification);
  const bool by_token = !req->token().empty();
  if (by_token == (!req->address().empty() || !req->code().empty())) {
    return Invalid(
        "give the token from the link, or the address and the code from "
        "the email (not both)");
  }
  if (!by_token && (req->address().empty() || req->code().empty())) {
    return Invalid("a code needs the address the email went to");
  }
  const std::string address = mail::NormaliseAddress(req->address());
  if (!by_token && !IsPlausibleMailAddress(address)) {
    return Invalid("address: not an email address");
  }
  const std::string token_hash =
      by_token ? mail::HashToken(key_, req->token()) : "";
  const std::string code_hash =
      by_token ? "" : mail::HashCode(key_, address, req->code());
  // A malformed token or code is as unknown as a wrong one, but throttled
  // per address like a login (a code is short enough to guess at).
  const std::string throttle_key = absl::StrCat("redeem:", address);
  if (!by_token) {
    if (int64_t wait = throttle_->WaitSeconds(throttle_key); wait > 0) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("too many wrong codes for this address: "
                                       "try again in ",
                                       wait, " seconds"));
    }
  }
  if (token_hash.empty() && code_hash.empty()) {
    if (!by_token) throttle_->Failed(throttle_key);
    return ToGrpcStatus(absl::NotFoundError(
        "the verification link or code is not valid: it may have expired, "
        "been used, or been replaced by a newer email"));
  }
  // The password is checked before the token is spent, against the address
  // the token was sent to when it is known.
  if (absl::Status rules = auth::CheckNewPassword(
          req->new_password(), address.empty() ? "" : address);
      !rules.ok()) {
    return ToGrpcStatus(rules);
  }
  absl::StatusOr<std::string> hash = [&] {
    HashSlot slot(this);
    return auth::HashPassword(req->new_password(), cost_);
  }();
  if (!hash.ok()) return ToGrpcStatus(hash.status());
  absl::StatusOr<LearnerAccount> account =
      store_->RedeemToken(token_hash, address, code_hash, *hash);
  if (!account.ok()) {
    if (!by_token && absl::IsNotFound(account.status()))
      throttle_->Failed(throttle_key);
    return ToGrpcStatus(account.status());
  }
  if (!by_token) throttle_->Succeeded(throttle_key);
  out->set_learner_id(account->learner_id);
  out->set_school_id(account->school_id);
  out->set_address(account->address);
  return grpc::Status::OK;
}

grpc::Status AccountServiceImpl::Login(grpc::ServerContext* context,
                                       const v1::LoginRequest* req,
                                       v1::LoginResponse* out) {
  HUBSYNC_AUTHORIZE(*auth_, context, auth::Verb::kLogin);
  // A malformed request says what is wrong with it (that tells nothing of
  // any account); every well-formed refusal is the same.
  if (req->address().empty()) return Required("address");
  if (req->product().empty()) return Required("product");
  if (req->address().size() > 320)
    return InvalidField("address", "longer than an email address can be");
  if (req->password().size() > auth::kMaxPasswordBytes)
    return InvalidField("password", "longer than a password can be");
  if (req->product().size() > 64)
    return InvalidField("product", "not a product name");
  if (req->client_address().size() > 64)
    return InvalidField("client_address", "not an IP address");
  const std::string address = mail::NormaliseAddress(req->address());
  const std::string source = absl::StrCat(
      "source:", req->client_address().empty() ? PeerHost(context->peer())
                                               : req->client_address());
  const std::string account_key = absl::StrCat("login:", address);
  const int64_t wait = std::max(throttle_->WaitSeconds(account_key),
                                throttle_->WaitSeconds(source));
  if (wait > 0) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("too many failed logins: try again in ",
                                     wait, " seconds"));
  }
  absl::StatusOr<std::vector<LoginCandidate>> candidates =
      store_->FindLoginCandidates(address, req->product());
  if (!candidates.ok()) return ToGrpcStatus(candidates.status());
  // Every candidate's password is checked (siblings may share an address),
  // and one dummy check when there is none, so that the answer takes as
  // long whatever the reason.
  const LoginCandidate* match = nullptr;
  HashSlot slot(this);
  for (const LoginCandidate& c : *candidates) {
    if (auth::VerifyPassword(req->password(), c.password_hash) &&
        match == nullptr) {
      match = &c;
    }
  }
  if (candidates->empty()) auth::VerifyNothing(req->password(), cost_);
  const bool allowed = match != nullptr && IsPartnerProduct(req->product()) &&
                       match->subscribed && match->granted &&
                       !match->archived &&
                       match->sync_state == SyncState::kSynced;
  if (!allowed) {
    throttle_->Failed(account_key);
    throttle_->Failed(source, /*source=*/true);
    return LoginRefused();
  }
  throttle_->Succeeded(account_key);
  out->set_learner_id(match->account.learner_id);
  out->set_school_id(match->account.school_id);
  out->set_product(req->product());
  return grpc::Status::OK;
}

}  // namespace hubsync
