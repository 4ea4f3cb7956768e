// The verification emails' outbox: listing, the delivery worker's claims and
// outcomes, and resends (docs/ACCOUNTS.md, "Delivery").
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

constexpr absl::string_view kOutboxColumns =
    "id, school_id, learner_id, address, kind, status, create_time, "
    "attempts, next_attempt_time, last_attempt_time, sent_time, last_error";

void DecodeOutbox(const Statement& st, OutboxEmail& e) {
  e.id = st.Int(0);
  e.school_id = st.Text(1);
  e.learner_id = st.Text(2);
  e.address = st.Text(3);
  e.kind = st.Text(4);
  e.status = st.Text(5);
  e.create_time_unix = st.Int(6);
  e.attempts = st.Int(7);
  e.next_attempt_time_unix = st.Int(8);
  e.last_attempt_time_unix = st.Int(9);
  e.sent_time_unix = st.Int(10);
  e.last_error = st.Text(11);
}

// The products `learner_id` of `school_id` may use: subscribed by the school
// and granted to the learner or to a class the learner is in.
absl::StatusOr<std::vector<std::string>> GrantedProducts(
    Db* db, const std::string& school_id, const std::string& learner_id) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db->Prepare(
          "SELECT DISTINCT p.product FROM school_products p "
          "JOIN product_grants g ON g.school_id = p.school_id AND "
          "g.product = p.product "
          "WHERE p.school_id = ?1 AND ((g.kind = 'learner' AND "
          "g.subject_id = ?2) OR (g.kind = 'class' AND g.subject_id IN "
          "(SELECT class_id FROM hub_class_members WHERE learner_id = ?2))) "
          "ORDER BY p.product"));
  st.BindRef(1, school_id).BindRef(2, learner_id);
  std::vector<std::string> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(st.Text(0));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<OutboxEmail>> SqliteStore::ListOutbox(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat("SELECT ", kOutboxColumns,
                               " FROM email_outbox WHERE school_id = ? "
                               "ORDER BY id")));
  st.Bind(1, school_id);
  std::vector<OutboxEmail> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    DecodeOutbox(st, out.emplace_back());
  }
  return out;
}

absl::StatusOr<Page<OutboxEmail>> SqliteStore::PageOutbox(
    const std::string& school_id, const OutboxFilter& filter,
    const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 1));
  int64_t after_id = 0;
  if (!page.after.empty()) {
    STORE_ASSIGN_OR_RETURN(after_id, PageKeyInt(page.after[0]));
  }
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st, db_.Prepare(absl::StrCat(
                        "SELECT ", kOutboxColumns,
                        " FROM email_outbox WHERE school_id = ?1 AND id > ?3",
                        filter.learner_id.empty() ? "" : " AND learner_id = ?4",
                        filter.status.empty() ? "" : " AND status = ?5",
                        " ORDER BY id LIMIT ?2")));
  st.BindRef(1, school_id)
      .Bind(2, static_cast<int64_t>(page.size + 1))
      .Bind(3, after_id);
  if (!filter.learner_id.empty()) st.BindRef(4, filter.learner_id);
  if (!filter.status.empty()) st.BindRef(5, filter.status);
  Page<OutboxEmail> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      out.next = {absl::StrCat(out.items.back().id)};
      break;
    }
    DecodeOutbox(st, out.items.emplace_back());
  }
  return out;
}

absl::StatusOr<std::vector<OutboxWork>> SqliteStore::ClaimDueEmails(
    int64_t now_unix, int64_t lease_seconds, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  // The partial index holds only queued and sending emails: the due ones are
  // a range scan whatever the outbox's history.
  STORE_ASSIGN_OR_RETURN(
      Statement due,
      db_.Prepare(absl::StrCat(
          "SELECT ", kOutboxColumns,
          ", nonce FROM email_outbox INDEXED BY email_outbox_due "
          "WHERE status IN ('queued', 'sending') AND next_attempt_time <= ?1 "
          "AND (status = 'queued' OR last_attempt_time <= ?2) "
          "ORDER BY next_attempt_time, id LIMIT ?3")));
  due.Bind(1, now_unix).Bind(2, now_unix - lease_seconds).Bind(3, limit);
  std::vector<OutboxWork> out;
  std::vector<std::string> nonces;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, due.Step());
    if (!row) break;
    OutboxWork& w = out.emplace_back();
    DecodeOutbox(due, w.email);
    w.nonce = due.Text(12);
  }
  due.Reset();
  if (out.empty()) return out;
  STORE_ASSIGN_OR_RETURN(
      Statement learner,
      db_.Prepare("SELECT l.legal_forename, l.legal_surname, "
                  "l.preferred_forename, l.archive_time, s.name "
                  "FROM hub_learners l JOIN schools s ON s.id = l.school_id "
                  "WHERE l.id = ?"));
  STORE_ASSIGN_OR_RETURN(
      Statement claim,
      db_.Prepare("UPDATE email_outbox SET status = 'sending', attempts = "
                  "attempts + 1, last_attempt_time = ?2, nonce = ?3 "
                  "WHERE id = ?1"));
  STORE_ASSIGN_OR_RETURN(
      Statement withdraw,
      db_.Prepare("UPDATE email_outbox SET status = 'withdrawn', "
                  "last_error = ?2 WHERE id = ?1"));
  std::vector<OutboxWork> claimed;
  claimed.reserve(out.size());
  for (OutboxWork& w : out) {
    learner.Reset().BindRef(1, w.email.learner_id);
    STORE_ASSIGN_OR_RETURN(bool found, learner.Step());
    if (!found || learner.Int(3) != 0) {
      // Archived, purged or removed by a revert since it was queued: nobody
      // to verify.
      withdraw.Reset()
          .Bind(1, w.email.id)
          .Bind(2, found ? "the learner was archived" : "the learner is gone");
      STORE_RETURN_IF_ERROR(withdraw.Run());
      continue;
    }
    const std::string preferred = learner.Text(2);
    w.forename = preferred.empty() ? learner.Text(0) : preferred;
    w.surname = learner.Text(1);
    w.school_name = learner.Text(4);
    if (w.nonce.empty()) w.nonce = ids_->NewId("n");
    claim.Reset().Bind(1, w.email.id).Bind(2, now_unix).BindRef(3, w.nonce);
    STORE_RETURN_IF_ERROR(claim.Run());
    w.email.status = "sending";
    ++w.email.attempts;
    w.email.last_attempt_time_unix = now_unix;
    STORE_ASSIGN_OR_RETURN(w.products, GrantedProducts(&db_, w.email.school_id,
                                                       w.email.learner_id));
    claimed.push_back(std::move(w));
  }
  STORE_RETURN_IF_ERROR(txn.Commit());
  return claimed;
}

absl::StatusOr<int64_t> SqliteStore::RecordVerificationToken(
    const VerificationToken& token) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  // A resend gave the email a new nonce, so a new token: the old one goes,
  // even if it was redeemed (an email has one token: the unique index). A
  // retry derives the same token, which stays as first recorded (its expiry
  // too).
  STORE_ASSIGN_OR_RETURN(
      Statement replace,
      db_.Prepare("DELETE FROM verification_tokens WHERE email_id = ? AND "
                  "token_hash != ?"));
  replace.Bind(1, token.email_id).BindRef(2, token.token_hash);
  STORE_RETURN_IF_ERROR(replace.Run());
  STORE_ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare("INSERT INTO verification_tokens (token_hash, code_hash, "
                  "email_id, school_id, learner_id, address, create_time, "
                  "expire_time) VALUES (?,?,?,?,?,?,?,?) "
                  "ON CONFLICT DO NOTHING"));
  insert.BindRef(1, token.token_hash)
      .BindRef(2, token.code_hash)
      .Bind(3, token.email_id)
      .BindRef(4, token.school_id)
      .BindRef(5, token.learner_id)
      .BindRef(6, token.address)
      .Bind(7, token.create_time_unix)
      .Bind(8, token.expire_time_unix);
  STORE_RETURN_IF_ERROR(insert.Run());
  STORE_ASSIGN_OR_RETURN(
      Statement retire,
      db_.Prepare("UPDATE verification_tokens SET retired_time = ?1 "
                  "WHERE learner_id = ?2 AND email_id != ?3 AND "
                  "used_time = 0 AND retired_time = 0"));
  retire.Bind(1, token.create_time_unix)
      .BindRef(2, token.learner_id)
      .Bind(3, token.email_id);
  STORE_RETURN_IF_ERROR(retire.Run());
  STORE_ASSIGN_OR_RETURN(
      Statement first,
      db_.Prepare("SELECT create_time FROM verification_tokens WHERE "
                  "token_hash = ?"));
  first.BindRef(1, token.token_hash);
  STORE_ASSIGN_OR_RETURN(bool found, first.Step());
  if (!found) {
    return absl::InternalError(
        absl::StrCat("the token of email ", token.email_id, " was not stored"));
  }
  const int64_t first_time = first.Int(0);
  first.Reset();
  STORE_RETURN_IF_ERROR(txn.Commit());
  return first_time;
}

absl::Status SqliteStore::FinishEmail(int64_t email_id,
                                      const EmailOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  const int64_t now = clock_->NowUnixSeconds();
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("UPDATE email_outbox SET status = ?2, next_attempt_time = "
                  "?3, sent_time = ?4, last_error = ?5, attempts = attempts - "
                  "?6 WHERE id = ?1 AND status = 'sending'"));
  st.Bind(1, email_id).Bind(6, outcome.kind == EmailOutcome::kHeld ? 1 : 0);
  switch (outcome.kind) {
    case EmailOutcome::kSent:
      st.Bind(2, "sent").Bind(3, int64_t{0}).Bind(4, now).Bind(5, "");
      break;
    case EmailOutcome::kRetry:
    case EmailOutcome::kHeld:
      st.Bind(2, "queued")
          .Bind(3, outcome.next_attempt_time_unix)
          .Bind(4, int64_t{0})
          .Bind(5, outcome.error);
      break;
    case EmailOutcome::kFailed:
      st.Bind(2, "failed")
          .Bind(3, int64_t{0})
          .Bind(4, int64_t{0})
          .Bind(5, outcome.error);
      break;
  }
  STORE_RETURN_IF_ERROR(st.Run());
  return txn.Commit();
}

absl::StatusOr<std::vector<OutboxEmail>> SqliteStore::ResendEmails(
    const std::string& school_id, const std::vector<int64_t>& ids,
    const Actor& actor) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  std::vector<OutboxEmail> chosen;
  if (ids.empty()) {
    STORE_ASSIGN_OR_RETURN(
        Statement failed,
        db_.Prepare(absl::StrCat("SELECT ", kOutboxColumns,
                                 " FROM email_outbox WHERE school_id = ? AND "
                                 "status = 'failed' ORDER BY id")));
    failed.BindRef(1, school_id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, failed.Step());
      if (!row) break;
      DecodeOutbox(failed, chosen.emplace_back());
    }
  } else {
    STORE_ASSIGN_OR_RETURN(
        Statement one,
        db_.Prepare(absl::StrCat("SELECT ", kOutboxColumns,
                                 " FROM email_outbox WHERE id = ?")));
    for (int64_t id : ids) {
      one.Reset().Bind(1, id);
      STORE_ASSIGN_OR_RETURN(bool found, one.Step());
      if (!found || one.Text(1) != school_id) {
        return absl::NotFoundError(
            absl::StrCat("email ", id, " not found in school ", school_id));
      }
      OutboxEmail e;
      DecodeOutbox(one, e);
      if (e.status != "failed" && e.status != "sent") {
        return absl::FailedPreconditionError(
            absl::StrCat("email ", id, " is ", e.status,
                         ": only a failed or sent email can be resent"));
      }
      chosen.push_back(std::move(e));
    }
  }
  const int64_t now = clock_->NowUnixSeconds();
  // A fresh nonce: the resend carries a new token, which retires the old.
  STORE_ASSIGN_OR_RETURN(
      Statement queue,
      db_.Prepare("UPDATE email_outbox SET status = 'queued', attempts = 0, "
                  "next_attempt_time = ?2, sent_time = 0, last_error = '', "
                  "nonce = '' WHERE id = ?1"));
  for (OutboxEmail& e : chosen) {
    queue.Reset().Bind(1, e.id).Bind(2, now);
    STORE_RETURN_IF_ERROR(queue.Run());
    AuditRecord a;
    a.school_id = school_id;
    a.actor = actor;
    a.verb = "resend_email";
    a.learner_id = e.learner_id;
    a.record_id = absl::StrCat(e.id);
    a.before_json = absl::StrCat("{\"status\":\"", e.status,
                                 "\",\"attempts\":", e.attempts, "}");
    a.after_json = "{\"status\":\"queued\",\"attempts\":0}";
    a.time_unix = now;
    STORE_RETURN_IF_ERROR(WriteAuditLocked(a));
    e.status = "queued";
    e.attempts = 0;
    e.next_attempt_time_unix = now;
    e.sent_time_unix = 0;
    e.last_error.clear();
  }
  STORE_RETURN_IF_ERROR(txn.Commit());
  return chosen;
}

}  // namespace hubsync::storage
