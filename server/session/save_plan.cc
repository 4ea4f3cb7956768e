#include "server/session/save_plan.h"

#include "absl/strings/str_cat.h"

namespace hubsync {
namespace {

bool SameRecord(const HubLearner& a, const HubLearner& b) {
  return a.legal_forename == b.legal_forename &&
         a.legal_surname == b.legal_surname &&
         a.preferred_forename == b.preferred_forename &&
         a.preferred_surname == b.preferred_surname &&
         a.date_of_birth == b.date_of_birth && a.gender == b.gender &&
         a.upn == b.upn && a.year_group == b.year_group &&
         a.registration_group == b.registration_group &&
         a.classes == b.classes && a.email == b.email && a.mis_id == b.mis_id &&
         a.sync_state == b.sync_state;
}

std::vector<std::string> ClassMisIds(const MisLearner& mis) {
  std::vector<std::string> ids = mis.class_mis_ids;
  if (!mis.registration_group_mis_id.empty()) {
    ids.push_back(mis.registration_group_mis_id);
  }
  return ids;
}

void KeepIfBlank(std::string* field, const std::string& mis_value) {
  if (!mis_value.empty()) *field = mis_value;
}

// SameRecord(hub, OverwriteFromMis(hub, mis, take_email)) without building
// the copy: most Synced rows of a big school change nothing.
bool OverwriteChangesNothing(const HubLearner& hub, const MisLearner& mis,
                             bool take_email) {
  auto same = [](const std::string& hub_value, const std::string& mis_value) {
    return mis_value.empty() || hub_value == mis_value;  // KeepIfBlank
  };
  return same(hub.legal_forename, mis.legal_forename) &&
         same(hub.legal_surname, mis.legal_surname) &&
         hub.preferred_forename == mis.preferred_forename &&
         hub.preferred_surname == mis.preferred_surname &&
         (!mis.date_of_birth || hub.date_of_birth == mis.date_of_birth) &&
         same(hub.gender, mis.gender) && same(hub.upn, mis.upn) &&
         hub.year_group == mis.year_group &&
         hub.registration_group == mis.registration_group &&
         hub.classes == mis.classes &&
         (!take_email || same(hub.email, mis.email)) &&
         hub.mis_id == mis.mis_id && hub.sync_state == SyncState::kSynced;
}

}  // namespace

HubLearner OverwriteFromMis(const HubLearner& hub, const MisLearner& mis,
                            bool take_email) {
  HubLearner out = hub;
  KeepIfBlank(&out.legal_forename, mis.legal_forename);
  KeepIfBlank(&out.legal_surname, mis.legal_surname);
  out.preferred_forename = mis.preferred_forename;
  out.preferred_surname = mis.preferred_surname;
  if (mis.date_of_birth) out.date_of_birth = mis.date_of_birth;
  KeepIfBlank(&out.gender, mis.gender);
  KeepIfBlank(&out.upn, mis.upn);
  out.year_group = mis.year_group;
  out.registration_group = mis.registration_group;
  out.classes = mis.classes;
  if (take_email && !mis.email.empty()) out.email = mis.email;
  out.mis_id = mis.mis_id;
  out.sync_state = SyncState::kSynced;
  return out;
}

absl::StatusOr<SavePlan> BuildSavePlan(const SessionRecord& session,
                                       const std::vector<Row>& rows,
                                       const RowContext& context) {
  SavePlan plan;
  plan.session_id = session.id;
  plan.school_id = session.school_id;
  plan.expected_hub_version = session.hub_version;
  // The context's learners were read with the hub version the session
  // classified against: if the store still has that version, they are the
  // stored records.
  plan.before_is_stored = context.hub_version() >= 0 &&
                          context.hub_version() == session.hub_version;
  plan.changes.reserve(rows.size());  // no moves of a 100,000-change plan
  for (const Row& row : rows) {
    const HubLearner* hub = nullptr;
    const MisLearner* mis = nullptr;
    if (!row.hub_learner_id.empty()) {
      hub = context.HubOf(row);
      if (hub == nullptr) {
        return absl::InternalError(absl::StrCat("row ", row.row_id,
                                                " names unknown hub learner ",
                                                row.hub_learner_id));
      }
    }
    if (!row.mis_id.empty()) {
      mis = context.MisOf(row);
      if (mis == nullptr) {
        return absl::InternalError(absl::StrCat(
            "row ", row.row_id, " names unknown MIS learner ", row.mis_id));
      }
    }
    const bool email = session.sync_emails && row.sync_email &&
                       mis != nullptr && !mis->email.empty();
    // The address is taken either way; a verification goes only to an
    // address the learner has not verified already.
    const bool send =
        email && (hub == nullptr || !context.IsVerified(hub->id, mis->email));
    // Each change is built where it will stay (a PlannedChange is two
    // learners: moving one in costs about what building it does).
    switch (row.status) {
      case RowStatus::kNotMatched:
        ++plan.unaffected;
        continue;
      case RowStatus::kNew: {
        if (!row.import) continue;
        PlannedChange& change = plan.changes.emplace_back();
        change.change = LearnerChange::kImport;
        change.after = OverwriteFromMis(change.after, *mis, email);
        change.after.school_id = session.school_id;
        change.queue_verification_email = send;
        change.class_mis_ids = ClassMisIds(*mis);
        continue;
      }
      case RowStatus::kMatched:
      case RowStatus::kMayMatch:
      case RowStatus::kSynced: {
        const LearnerChange verb = row.status == RowStatus::kSynced
                                       ? LearnerChange::kRefresh
                                       : LearnerChange::kLink;
        if (verb == LearnerChange::kRefresh && !send &&
            OverwriteChangesNothing(*hub, *mis, email)) {
          ++plan.unaffected;
          continue;
        }
        PlannedChange& change = plan.changes.emplace_back();
        change.change = verb;
        change.before = *hub;
        change.after = OverwriteFromMis(*hub, *mis, email);
        // A Synced learner whose record already equals the MIS data and who
        // gets no email is left alone: nothing to write or audit.
        if (verb == LearnerChange::kRefresh && !send &&
            SameRecord(change.before, change.after)) {
          plan.changes.pop_back();
          ++plan.unaffected;
          continue;
        }
        change.queue_verification_email = send;
        change.class_mis_ids = ClassMisIds(*mis);
        continue;
      }
      case RowStatus::kDesynced: {
        if (hub->sync_state == SyncState::kDesynced) {
          ++plan.unaffected;
          continue;
        }
        PlannedChange& change = plan.changes.emplace_back();
        change.change = LearnerChange::kDesync;
        change.before = *hub;
        change.after = *hub;
        change.after.sync_state = SyncState::kDesynced;
        continue;
      }
    }
  }
  return plan;
}

SaveSummary SummariseSavePlan(const SavePlan& plan) {
  SaveSummary summary;
  summary.unaffected = plan.unaffected;
  for (const PlannedChange& c : plan.changes) {
    switch (c.change) {
      case LearnerChange::kLink:
        ++summary.linked;
        break;
      case LearnerChange::kRefresh:
        ++summary.refreshed;
        break;
      case LearnerChange::kImport:
        ++summary.imported;
        break;
      case LearnerChange::kDesync:
        ++summary.desynced;
        break;
    }
    if (c.queue_verification_email) ++summary.emails_queued;
  }
  summary.audit_records = static_cast<int64_t>(plan.changes.size());
  return summary;
}

}  // namespace hubsync
