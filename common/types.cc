#include "common/types.h"

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/session_types.h"

namespace hubsync {

const char* RowStatusName(RowStatus s) {
  switch (s) {
    case RowStatus::kNotMatched:
      return "Not matched";
    case RowStatus::kNew:
      return "New";
    case RowStatus::kMatched:
      return "Matched";
    case RowStatus::kMayMatch:
      return "May match";
    case RowStatus::kSynced:
      return "Synced";
    case RowStatus::kDesynced:
      return "Desynced";
  }
  return "?";
}

const char* SyncStateName(SyncState s) {
  switch (s) {
    case SyncState::kUnsynced:
      return "UNSYNCED";
    case SyncState::kSynced:
      return "SYNCED";
    case SyncState::kDesynced:
      return "DESYNCED";
  }
  return "?";
}

const char* SessionStepName(SessionStep s) {
  switch (s) {
    case SessionStep::kClassSync:
      return "CLASS_SYNC";
    case SessionStep::kPupilsPanel:
      return "PUPILS_PANEL";
    case SessionStep::kClassifying:
      return "CLASSIFYING";
    case SessionStep::kSyncScreen:
      return "SYNC_SCREEN";
    case SessionStep::kSaved:
      return "SAVED";
    case SessionStep::kCancelled:
      return "CANCELLED";
  }
  return "?";
}

std::string FormatDate(const Date& d) {
  if (d.year >= 0 && d.year <= 9999 && d.month >= 0 && d.month <= 99 &&
      d.day >= 0 && d.day <= 99) {
    // The common case by hand: snprintf was about 9 % of storing a snapshot.
    std::string out = "0000-00-00";
    out[0] = static_cast<char>('0' + d.year / 1000);
    out[1] = static_cast<char>('0' + d.year / 100 % 10);
    out[2] = static_cast<char>('0' + d.year / 10 % 10);
    out[3] = static_cast<char>('0' + d.year % 10);
    out[5] = static_cast<char>('0' + d.month / 10);
    out[6] = static_cast<char>('0' + d.month % 10);
    out[8] = static_cast<char>('0' + d.day / 10);
    out[9] = static_cast<char>('0' + d.day % 10);
    return out;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

StatusCounts CountRows(const std::vector<Row>& rows) {
  StatusCounts c;
  for (const Row& r : rows) {
    switch (r.status) {
      case RowStatus::kNotMatched:
        ++c.not_matched;
        break;
      case RowStatus::kNew:
        ++c.new_records;
        if (r.import) ++c.import_ticked;
        break;
      case RowStatus::kMatched:
        ++c.matched;
        break;
      case RowStatus::kMayMatch:
        ++c.may_match;
        if (!r.reviewed) ++c.unreviewed_may_match;
        break;
      case RowStatus::kSynced:
        ++c.synced;
        break;
      case RowStatus::kDesynced:
        ++c.desynced;
        break;
    }
    if (r.sync_email) ++c.email_ticked;
  }
  return c;
}

std::string_view InternEvidenceWord(std::string_view word) {
  static std::mutex mu;
  // Node-based: the strings never move, so views of them stay valid.
  static auto* words = new std::unordered_set<std::string>();
  std::lock_guard<std::mutex> lock(mu);
  return *words->emplace(word).first;
}

RowExplanation RowExplanation::ReasonOnly(std::string reason) {
  auto e = std::make_shared<Explanation>();
  e->reason = std::move(reason);
  return RowExplanation(std::move(e));
}

const std::vector<FieldEvidence>& RowExplanation::fields() const {
  static const auto* none = new std::vector<FieldEvidence>();
  return evidence_ ? evidence_->fields : *none;
}

std::string RowExplanation::reason() const {
  std::string out;
  AppendReason(&out);
  return out;
}

void RowExplanation::AppendReason(std::string* out) const {
  if (!evidence_) return;
  if (wording_ == nullptr) {
    out->append(evidence_->reason);
    return;
  }
  out->reserve(out->size() + wording_->before.size() +
               evidence_->reason.size() + wording_->after.size());
  out->append(wording_->before)
      .append(evidence_->reason)
      .append(wording_->after);
}

bool RowExplanation::empty() const {
  return !evidence_ ||
         (evidence_->fields.empty() && evidence_->reason.empty() &&
          (wording_ == nullptr ||
           (wording_->before.empty() && wording_->after.empty())));
}

}  // namespace hubsync
