// Learner accounts: redeeming a verification token, the accounts a login
// names, and the school's product subscriptions and grants
// (docs/ACCOUNTS.md).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

absl::Status NoSuchToken() {
  return absl::NotFoundError(
      "the verification link or code is not valid: it may have expired, "
      "been used, or been replaced by a newer email");
}

}  // namespace

absl::StatusOr<LearnerAccount> SqliteStore::RedeemToken(
    const std::string& token_hash, const std::string& address,
    const std::string& code_hash, const std::string& password_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  const int64_t now = clock_->NowUnixSeconds();
  STORE_ASSIGN_OR_RETURN(
      Statement find,
      db_.Prepare(token_hash.empty()
                      ? "SELECT t.token_hash, t.school_id, t.learner_id, "
                        "t.address FROM verification_tokens t "
                        "JOIN hub_learners l ON l.id = t.learner_id "
                        "WHERE t.address = ?1 AND t.code_hash = ?2 AND "
                        "t.used_time = 0 AND t.retired_time = 0 AND "
                        "t.expire_time > ?3 AND l.archive_time = 0"
                      : "SELECT t.token_hash, t.school_id, t.learner_id, "
                        "t.address FROM verification_tokens t "
                        "JOIN hub_learners l ON l.id = t.learner_id "
                        "WHERE t.token_hash = ?1 AND t.used_time = 0 AND "
                        "t.retired_time = 0 AND t.expire_time > ?3 AND "
                        "l.archive_time = 0"));
  if (token_hash.empty()) {
    find.BindRef(1, address).BindRef(2, code_hash);
  } else {
    find.BindRef(1, token_hash);
  }
  find.Bind(3, now);
  STORE_ASSIGN_OR_RETURN(bool found, find.Step());
  if (!found) return NoSuchToken();
  LearnerAccount account;
  const std::string used_hash = find.Text(0);
  account.school_id = find.Text(1);
  account.learner_id = find.Text(2);
  account.address = find.Text(3);
  account.verify_time_unix = now;
  account.password_time_unix = now;
  find.Reset();
  STORE_ASSIGN_OR_RETURN(
      Statement use,
      db_.Prepare("UPDATE verification_tokens SET used_time = ? WHERE "
                  "token_hash = ? AND used_time = 0"));
  use.Bind(1, now).BindRef(2, used_hash);
  STORE_RETURN_IF_ERROR(use.Run());
  if (db_.Changes() != 1) return NoSuchToken();
  STORE_ASSIGN_OR_RETURN(
      Statement upsert,
      db_.Prepare("INSERT INTO learner_accounts (learner_id, school_id, "
                  "address, password_hash, verify_time, password_time) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (learner_id) "
                  "DO UPDATE SET address = ?3, password_hash = ?4, "
                  "verify_time = ?5, password_time = ?5"));
  upsert.BindRef(1, account.learner_id)
      .BindRef(2, account.school_id)
      .BindRef(3, account.address)
      .BindRef(4, password_hash)
      .Bind(5, now);
  STORE_RETURN_IF_ERROR(upsert.Run());
  AuditRecord a;
  a.school_id = account.school_id;
  a.actor.name = "learner (verification email)";
  a.verb = "redeem";
  a.learner_id = account.learner_id;
  a.after_json =
      absl::StrCat("{\"address\":", JsonString(account.address), "}");
  a.time_unix = now;
  STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return account;
}

absl::StatusOr<std::vector<LoginCandidate>> SqliteStore::FindLoginCandidates(
    const std::string& address, const std::string& product) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(
          "SELECT a.learner_id, a.school_id, a.address, a.password_hash, "
          "a.verify_time, a.password_time, l.sync_state, l.archive_time, "
          "EXISTS (SELECT 1 FROM school_products p WHERE p.school_id = "
          "a.school_id AND p.product = ?2), "
          "EXISTS (SELECT 1 FROM product_grants g WHERE g.school_id = "
          "a.school_id AND g.product = ?2 AND ((g.kind = 'learner' AND "
          "g.subject_id = a.learner_id) OR (g.kind = 'class' AND "
          "g.subject_id IN (SELECT class_id FROM hub_class_members m WHERE "
          "m.learner_id = a.learner_id)))) "
          "FROM learner_accounts a JOIN hub_learners l ON l.id = a.learner_id "
          "WHERE a.address = ?1 ORDER BY a.learner_id"));
  st.BindRef(1, address).BindRef(2, product);
  std::vector<LoginCandidate> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    LoginCandidate& c = out.emplace_back();
    c.account.learner_id = st.Text(0);
    c.account.school_id = st.Text(1);
    c.account.address = st.Text(2);
    c.password_hash = st.Text(3);
    c.account.verify_time_unix = st.Int(4);
    c.account.password_time_unix = st.Int(5);
    STORE_ASSIGN_OR_RETURN(c.sync_state, SyncStateFromText(st.Text(6)));
    c.archived = st.Int(7) != 0;
    c.subscribed = st.Int(8) != 0;
    c.granted = st.Int(9) != 0;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> SqliteStore::ListSubscriptions(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT product FROM school_products WHERE school_id = ? "
                  "ORDER BY product"));
  st.BindRef(1, school_id);
  std::vector<std::string> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.Text(0));
  }
  return out;
}

absl::Status SqliteStore::SetSubscription(const std::string& school_id,
                                          const std::string& product,
                                          bool subscribed, const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  const int64_t now = clock_->NowUnixSeconds();
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(subscribed
                      ? "INSERT OR IGNORE INTO school_products (school_id, "
                        "product, create_time) VALUES (?, ?, ?)"
                      : "DELETE FROM school_products WHERE school_id = ? AND "
                        "product = ?"));
  st.BindRef(1, school_id).BindRef(2, product);
  if (subscribed) st.Bind(3, now);
  STORE_RETURN_IF_ERROR(st.Run());
  if (db_.Changes() == 0) return absl::OkStatus();
  AuditRecord a;
  a.school_id = school_id;
  a.actor = actor;
  a.verb = subscribed ? "subscribe" : "unsubscribe";
  a.record_id = school_id;
  (subscribed ? a.after_json : a.before_json) =
      absl::StrCat("{\"product\":", JsonString(product), "}");
  a.time_unix = now;
  STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
  return txn.Commit();
}

absl::StatusOr<ProductGrant> SqliteStore::SetGrant(const ProductGrant& grant,
                                                   bool granted,
                                                   const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(grant.school_id).status());
  const bool learner = grant.kind == "learner";
  STORE_ASSIGN_OR_RETURN(
      Statement subject,
      db_.Prepare(learner ? "SELECT 1 FROM hub_learners WHERE id = ?1 AND "
                            "school_id = ?2"
                          : "SELECT 1 FROM hub_classes WHERE id = ?1 AND "
                            "school_id = ?2"));
  subject.BindRef(1, grant.subject_id).BindRef(2, grant.school_id);
  STORE_ASSIGN_OR_RETURN(const bool exists, subject.Step());
  subject.Reset();
  if (!exists) {
    return absl::NotFoundError(
        absl::StrCat(learner ? "learner " : "class ", grant.subject_id,
                     " not found in school ", grant.school_id));
  }
  const int64_t now = clock_->NowUnixSeconds();
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(granted ? "INSERT OR IGNORE INTO product_grants (school_id, "
                            "product, kind, subject_id, create_time) VALUES "
                            "(?, ?, ?, ?, ?)"
                          : "DELETE FROM product_grants WHERE school_id = ? "
                            "AND product = ? AND kind = ? AND subject_id = ?"));
  st.BindRef(1, grant.school_id)
      .BindRef(2, grant.product)
      .BindRef(3, grant.kind)
      .BindRef(4, grant.subject_id);
  if (granted) st.Bind(5, now);
  STORE_RETURN_IF_ERROR(st.Run());
  ProductGrant stored = grant;
  stored.create_time_unix = 0;
  const bool changed = db_.Changes() > 0;
  if (granted) {
    STORE_ASSIGN_OR_RETURN(
        Statement when,
        db_.Prepare("SELECT create_time FROM product_grants WHERE school_id = "
                    "? AND product = ? AND kind = ? AND subject_id = ?"));
    when.BindRef(1, grant.school_id)
        .BindRef(2, grant.product)
        .BindRef(3, grant.kind)
        .BindRef(4, grant.subject_id);
    STORE_ASSIGN_OR_RETURN(bool found, when.Step());
    if (found) stored.create_time_unix = when.Int(0);
  }
  if (!changed) return stored;
  AuditRecord a;
  a.school_id = grant.school_id;
  a.actor = actor;
  a.verb = granted ? "grant" : "revoke_grant";
  if (learner) a.learner_id = grant.subject_id;
  a.record_id = grant.subject_id;
  (granted ? a.after_json : a.before_json) =
      absl::StrCat("{\"product\":", JsonString(grant.product),
                   ",\"kind\":", JsonString(grant.kind),
                   ",\"subject_id\":", JsonString(grant.subject_id), "}");
  a.time_unix = now;
  STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return stored;
}

absl::StatusOr<Page<ProductGrant>> SqliteStore::PageGrants(
    const std::string& school_id, const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 3));
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  // A row value compared with the primary key's columns: SQLite seeks.
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat(
          "SELECT product, kind, subject_id, create_time FROM product_grants "
          "WHERE school_id = ?1",
          page.after.empty()
              ? ""
              : " AND (product, kind, subject_id) > (?3, ?4, ?5)",
          " ORDER BY product, kind, subject_id LIMIT ?2")));
  st.BindRef(1, school_id).Bind(2, static_cast<int64_t>(page.size + 1));
  for (size_t i = 0; i < page.after.size(); ++i) {
    st.BindRef(static_cast<int>(i) + 3, page.after[i]);
  }
  Page<ProductGrant> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      const ProductGrant& last = out.items.back();
      out.next = {last.product, last.kind, last.subject_id};
      break;
    }
    ProductGrant& g = out.items.emplace_back();
    g.school_id = school_id;
    g.product = st.Text(0);
    g.kind = st.Text(1);
    g.subject_id = st.Text(2);
    g.create_time_unix = st.Int(3);
  }
  return out;
}

}  // namespace hubsync::storage
