#include "server/service/convert.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/import_checks.h"
#include "common/mis_import.h"
#include "common/normalise.h"
#include "common/text_rule.h"
#include "common/year_group.h"

namespace hubsync {
namespace {

v1::SyncState ToProto(SyncState s) {
  switch (s) {
    case SyncState::kUnsynced:
      return v1::SYNC_STATE_UNSYNCED;
    case SyncState::kSynced:
      return v1::SYNC_STATE_SYNCED;
    case SyncState::kDesynced:
      return v1::SYNC_STATE_DESYNCED;
  }
  return v1::SYNC_STATE_UNSPECIFIED;
}

v1::ClassKind ToProto(ClassKind k) {
  return k == ClassKind::kRegistration ? v1::CLASS_KIND_REGISTRATION
                                       : v1::CLASS_KIND_SUBJECT;
}

v1::SessionStep ToProto(SessionStep s) {
  switch (s) {
    case SessionStep::kClassSync:
      return v1::SESSION_STEP_CLASS_SYNC;
    case SessionStep::kPupilsPanel:
      return v1::SESSION_STEP_PUPILS_PANEL;
    case SessionStep::kClassifying:
      return v1::SESSION_STEP_CLASSIFYING;
    case SessionStep::kSyncScreen:
      return v1::SESSION_STEP_SYNC_SCREEN;
    case SessionStep::kSaved:
      return v1::SESSION_STEP_SAVED;
    case SessionStep::kCancelled:
      return v1::SESSION_STEP_CANCELLED;
  }
  return v1::SESSION_STEP_UNSPECIFIED;
}

v1::MisFormat ToProto(MisFormat f) {
  switch (f) {
    case MisFormat::kOneRoster:
      return v1::MIS_FORMAT_ONEROSTER;
    case MisFormat::kPlainCsv:
      return v1::MIS_FORMAT_PLAIN_CSV;
    case MisFormat::kPushed:
      return v1::MIS_FORMAT_PUSHED;
  }
  return v1::MIS_FORMAT_UNSPECIFIED;
}

absl::Status Bad(const std::string& field, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::StatusOr<std::optional<Date>> DateFromProto(const std::string& s,
                                                  const std::string& field) {
  if (s.empty()) return std::optional<Date>();
  std::optional<Date> d = ParseDate(s);
  if (!d)
    return Bad(field, absl::StrCat("'", s, "' is not a date (YYYY-MM-DD)"));
  return d;
}

absl::StatusOr<std::string> YearFromProto(const std::string& s,
                                          const std::string& field) {
  if (s.empty()) return std::string();
  std::optional<std::string> y = CanonicalYearGroup(s);
  if (!y) return Bad(field, absl::StrCat("'", s, "' is not a UK year group"));
  return *y;
}

constexpr size_t kMaxField = 256;

absl::Status CheckLengths(
    std::initializer_list<std::pair<const char*, const std::string*>> fields,
    const std::string& prefix) {
  for (const auto& [name, value] : fields) {
    if (value->size() > kMaxField) {
      return Bad(absl::StrCat(prefix, ".", name),
                 absl::StrCat("longer than ", kMaxField, " bytes"));
    }
    if (std::string bad = ControlCharacterProblem(*value); !bad.empty()) {
      return Bad(absl::StrCat(prefix, ".", name), bad);
    }
  }
  return absl::OkStatus();
}

}  // namespace

void ToProto(int64_t unix_seconds, google::protobuf::Timestamp* out) {
  out->set_seconds(unix_seconds);
}

void ToProto(const School& in, v1::School* out) {
  out->set_school_id(in.id);
  out->set_name(in.name);
  ToProto(in.create_time_unix, out->mutable_create_time());
  if (in.classes_synced_time_unix != 0) {
    ToProto(in.classes_synced_time_unix, out->mutable_classes_synced_time());
  }
}

void ToProto(const HubLearner& in, v1::Learner* out) {
  out->set_learner_id(in.id);
  out->set_school_id(in.school_id);
  out->set_legal_forename(in.legal_forename);
  out->set_legal_surname(in.legal_surname);
  out->set_preferred_forename(in.preferred_forename);
  out->set_preferred_surname(in.preferred_surname);
  if (in.date_of_birth) out->set_date_of_birth(FormatDate(*in.date_of_birth));
  out->set_gender(in.gender);
  out->set_upn(in.upn);
  out->set_year_group(in.year_group);
  out->set_registration_group(in.registration_group);
  for (const std::string& c : in.classes) out->add_classes(c);
  out->set_email(in.email);
  out->set_mis_id(in.mis_id);
  out->set_sync_state(ToProto(in.sync_state));
  if (in.archive_time_unix != 0) {
    ToProto(in.archive_time_unix, out->mutable_archive_time());
  }
  if (in.update_time_unix != 0) {
    ToProto(in.update_time_unix, out->mutable_update_time());
  }
}

void ToProto(const HubClass& in, v1::HubClass* out) {
  out->set_class_id(in.id);
  out->set_school_id(in.school_id);
  out->set_mis_id(in.mis_id);
  out->set_name(in.name);
  out->set_kind(ToProto(in.kind));
  out->set_year_group(in.year_group);
}

void ToProto(const MisLearner& in, v1::MisLearnerRecord* out) {
  out->set_mis_id(in.mis_id);
  out->set_upn(in.upn);
  out->set_legal_forename(in.legal_forename);
  out->set_legal_surname(in.legal_surname);
  out->set_preferred_forename(in.preferred_forename);
  out->set_preferred_surname(in.preferred_surname);
  if (in.date_of_birth) out->set_date_of_birth(FormatDate(*in.date_of_birth));
  out->set_gender(in.gender);
  out->set_year_group(in.year_group);
  out->set_registration_group(in.registration_group);
  out->set_registration_group_mis_id(in.registration_group_mis_id);
  for (const std::string& c : in.class_mis_ids) out->add_class_mis_ids(c);
  for (const std::string& c : in.classes) out->add_classes(c);
  out->set_email(in.email);
}

void ToProto(const MisClass& in, v1::MisClassRecord* out) {
  out->set_mis_id(in.mis_id);
  out->set_name(in.name);
  out->set_kind(ToProto(in.kind));
  out->set_year_group(in.year_group);
}

void ToProto(const MisSnapshot& in, int64_t learners, int64_t classes,
             v1::MisSnapshot* out) {
  out->set_snapshot_id(in.id);
  out->set_school_id(in.school_id);
  out->set_format(ToProto(in.format));
  out->set_oneroster_version(in.oneroster_version);
  ToProto(in.create_time_unix, out->mutable_create_time());
  out->set_learner_count(learners);
  out->set_class_count(classes);
}

void ToProto(const StatusCounts& in, v1::StatusSummary* out) {
  out->set_not_matched(in.not_matched);
  out->set_new_(in.new_records);
  out->set_matched(in.matched);
  out->set_may_match(in.may_match);
  out->set_synced(in.synced);
  out->set_desynced(in.desynced);
  out->set_total(in.total());
  out->set_import_ticked(in.import_ticked);
  out->set_email_ticked(in.email_ticked);
  out->set_unreviewed_may_match(in.unreviewed_may_match);
}

void ToProto(const SessionView& in, v1::Session* out) {
  const SessionRecord& r = in.record;
  out->set_session_id(r.id);
  out->set_school_id(r.school_id);
  out->set_snapshot_id(r.snapshot_id);
  out->set_admin(r.admin);
  out->set_step(ToProto(r.step));
  out->set_version(r.version);
  v1::Scope* scope = out->mutable_scope();
  switch (r.scope.kind) {
    case ScopeKind::kAll:
      scope->set_kind(v1::SCOPE_KIND_ALL);
      break;
    case ScopeKind::kYearGroups:
      scope->set_kind(v1::SCOPE_KIND_YEAR_GROUPS);
      for (const auto& v : r.scope.values) scope->add_year_groups(v);
      break;
    case ScopeKind::kRegistrationGroups:
      scope->set_kind(v1::SCOPE_KIND_REGISTRATION_GROUPS);
      for (const auto& v : r.scope.values) scope->add_registration_groups(v);
      break;
  }
  out->set_sync_email_addresses(r.sync_emails);
  ToProto(in.counts, out->mutable_summary());
  out->mutable_class_sync()->set_created(r.class_sync.created);
  out->mutable_class_sync()->set_updated(r.class_sync.updated);
  out->mutable_class_sync()->set_unchanged(r.class_sync.unchanged);
  ToProto(r.create_time_unix, out->mutable_create_time());
  ToProto(r.update_time_unix, out->mutable_update_time());
  const SessionDecisions* d = r.decisions.get();
  if (d != nullptr &&
      (!d->kept.empty() || d->applied != 0 || d->dropped_count != 0)) {
    v1::DecisionReport* report = out->mutable_decisions();
    report->set_pending(static_cast<int64_t>(d->kept.size()));
    report->set_applied(d->applied);
    report->set_dropped(d->dropped_count);
    for (const DroppedDecision& x : d->dropped) {
      v1::DroppedDecision* p = report->add_dropped_decisions();
      p->set_decision(x.decision);
      p->set_reason(x.reason);
    }
  }
}

void ToProto(const SaveSummary& in, v1::SaveSummary* out) {
  out->set_linked(in.linked);
  out->set_refreshed(in.refreshed);
  out->set_imported(in.imported);
  out->set_desynced(in.desynced);
  out->set_unaffected(in.unaffected);
  out->set_emails_queued(in.emails_queued);
  out->set_audit_records(in.audit_records);
}

void ToProto(const RevertSummary& in, v1::RevertSummary* out) {
  out->set_restored(in.restored);
  out->set_removed(in.removed);
  out->set_recreated(in.recreated);
  out->set_emails_withdrawn(in.emails_withdrawn);
  out->set_emails_requeued(in.emails_requeued);
  out->set_emails_left(in.emails_left);
  out->set_audit_records(in.audit_records);
}

void ToProto(const SaveRecord& in, v1::SaveRecord* out) {
  out->set_save_id(in.id);
  out->set_school_id(in.school_id);
  out->set_session_id(in.session_id);
  out->set_revert(in.is_revert);
  out->set_reverts_save_id(in.reverts_save_id);
  out->set_reverted_by(in.reverted_by);
  out->set_actor(in.actor.name);
  out->set_actor_key_id(in.actor.key_id);
  ToProto(in.create_time_unix, out->mutable_create_time());
  if (in.is_revert) {
    ToProto(in.revert_summary, out->mutable_revert_summary());
  } else {
    ToProto(in.summary, out->mutable_summary());
  }
  out->set_learners_changed(in.learners_changed);
  out->set_changes_kept(in.changes_kept);
  out->set_revertible(in.changes_kept && in.reverted_by.empty());
}

v1::RowStatus ToProto(RowStatus s) {
  switch (s) {
    case RowStatus::kNotMatched:
      return v1::ROW_STATUS_NOT_MATCHED;
    case RowStatus::kNew:
      return v1::ROW_STATUS_NEW;
    case RowStatus::kMatched:
      return v1::ROW_STATUS_MATCHED;
    case RowStatus::kMayMatch:
      return v1::ROW_STATUS_MAY_MATCH;
    case RowStatus::kSynced:
      return v1::ROW_STATUS_SYNCED;
    case RowStatus::kDesynced:
      return v1::ROW_STATUS_DESYNCED;
  }
  return v1::ROW_STATUS_UNSPECIFIED;
}

absl::StatusOr<RowStatus> FromProto(v1::RowStatus s) {
  switch (s) {
    case v1::ROW_STATUS_NOT_MATCHED:
      return RowStatus::kNotMatched;
    case v1::ROW_STATUS_NEW:
      return RowStatus::kNew;
    case v1::ROW_STATUS_MATCHED:
      return RowStatus::kMatched;
    case v1::ROW_STATUS_MAY_MATCH:
      return RowStatus::kMayMatch;
    case v1::ROW_STATUS_SYNCED:
      return RowStatus::kSynced;
    case v1::ROW_STATUS_DESYNCED:
      return RowStatus::kDesynced;
    default:
      return Bad("statuses",
                 absl::StrCat("unknown row status ", static_cast<int>(s)));
  }
}

void ToProto(const Row& in, const RowContext* context, v1::Row* out) {
  out->set_row_id(in.row_id);
  out->set_status(ToProto(in.status));
  if (context != nullptr) {
    if (const HubLearner* h = context->HubOf(in)) {
      ToProto(*h, out->mutable_hub());
    }
    if (const MisLearner* m = context->MisOf(in)) {
      ToProto(*m, out->mutable_mis());
      out->set_email_available(!m->email.empty());
    }
  }
  if (!out->has_hub() && !in.hub_learner_id.empty()) {
    out->mutable_hub()->set_learner_id(in.hub_learner_id);
  }
  if (!out->has_mis() && !in.mis_id.empty()) {
    out->mutable_mis()->set_mis_id(in.mis_id);
  }
  out->set_import(in.import);
  out->set_sync_email(in.sync_email);
  out->set_decided_by_admin(in.decided_by_admin);
  out->set_reviewed(in.reviewed);
  if (!in.explanation.empty()) {
    v1::Explanation* e = out->mutable_explanation();
    e->set_score(in.explanation.score());
    in.explanation.AppendReason(e->mutable_reason());
    for (const FieldEvidence& f : in.explanation.fields()) {
      v1::FieldEvidence* pf = e->add_fields();
      pf->set_field(f.field.data(), f.field.size());
      pf->set_level(f.level.data(), f.level.size());
      pf->set_weight(f.weight);
    }
  }
}

void ToProto(const SessionEvent& in, v1::SessionEvent* out) {
  out->set_version(in.version);
  out->set_verb(in.verb);
  ToProto(in.session, out->mutable_session());
  for (const Row& r : in.changed)
    ToProto(r, in.context.get(), out->add_changed_rows());
  for (int64_t id : in.removed) out->add_removed_row_ids(id);
  ToProto(in.time_unix, out->mutable_time());
}

void ToProto(const AuditRecord& in, v1::AuditRecord* out) {
  out->set_audit_id(in.id);
  out->set_school_id(in.school_id);
  out->set_session_id(in.session_id);
  out->set_actor(in.actor.name);
  out->set_actor_key_id(in.actor.key_id);
  out->set_actor_role(in.actor.role);
  out->set_verb(in.verb);
  out->set_learner_id(in.learner_id);
  out->set_record_id(in.record_id);
  out->set_before_json(in.before_json);
  out->set_after_json(in.after_json);
  ToProto(in.time_unix, out->mutable_time());
}

void ToProto(const OutboxEmail& in, v1::VerificationEmail* out) {
  out->set_email_id(in.id);
  out->set_school_id(in.school_id);
  out->set_learner_id(in.learner_id);
  out->set_address(in.address);
  out->set_status(in.status);
  ToProto(in.create_time_unix, out->mutable_create_time());
  out->set_attempts(in.attempts);
  if (in.status == "queued" && in.next_attempt_time_unix != 0)
    ToProto(in.next_attempt_time_unix, out->mutable_next_attempt_time());
  if (in.last_attempt_time_unix != 0)
    ToProto(in.last_attempt_time_unix, out->mutable_last_attempt_time());
  if (in.sent_time_unix != 0)
    ToProto(in.sent_time_unix, out->mutable_sent_time());
  out->set_last_error(in.last_error);
}

absl::StatusOr<Scope> FromProto(const v1::Scope& in) {
  Scope out;
  switch (in.kind()) {
    case v1::SCOPE_KIND_UNSPECIFIED:
    case v1::SCOPE_KIND_ALL:
      if (in.year_groups_size() || in.registration_groups_size()) {
        return Bad("scope",
                   "all students takes no year or registration groups");
      }
      out.kind = ScopeKind::kAll;
      return out;
    case v1::SCOPE_KIND_YEAR_GROUPS:
      out.kind = ScopeKind::kYearGroups;
      out.values.assign(in.year_groups().begin(), in.year_groups().end());
      if (in.registration_groups_size()) {
        return Bad("scope.registration_groups",
                   "must be empty with SCOPE_KIND_YEAR_GROUPS");
      }
      break;
    case v1::SCOPE_KIND_REGISTRATION_GROUPS:
      out.kind = ScopeKind::kRegistrationGroups;
      out.values.assign(in.registration_groups().begin(),
                        in.registration_groups().end());
      if (in.year_groups_size()) {
        return Bad("scope.year_groups",
                   "must be empty with SCOPE_KIND_REGISTRATION_GROUPS");
      }
      break;
    default:
      return Bad("scope.kind", absl::StrCat("unknown kind ", in.kind()));
  }
  // What can be checked without the snapshot, checked before the step is:
  // a bad request is INVALID_ARGUMENT whatever step the session is at.
  // Registration group names are checked against the snapshot by SetScope.
  const bool years = out.kind == ScopeKind::kYearGroups;
  const std::string field =
      years ? "scope.year_groups" : "scope.registration_groups";
  if (out.values.empty()) {
    return Bad(field, "is empty: name at least one, or choose all students");
  }
  if (out.values.size() > 1000) return Bad(field, "more than 1000 entries");
  for (size_t i = 0; i < out.values.size(); ++i) {
    const std::string name = absl::StrCat(field, "[", i, "]");
    const std::string& v = out.values[i];
    if (v.size() > kMaxField) {
      return Bad(name, absl::StrCat("longer than ", kMaxField, " bytes"));
    }
    if (std::string bad = ControlCharacterProblem(v); !bad.empty())
      return Bad(name, bad);
    if (years && !CanonicalYearGroup(v)) {
      return Bad(
          name,
          absl::StrCat("'", v, "' is not a UK year group (N1, N2, R, 1-13)"));
    }
  }
  return out;
}

absl::StatusOr<HubLearner> FromProto(const v1::Learner& in,
                                     const std::string& field) {
  if (!in.learner_id().empty())
    return Bad(field + ".learner_id", "is assigned by the server");
  if (!in.mis_id().empty())
    return Bad(field + ".mis_id", "is set only by a sync");
  if (in.sync_state() != v1::SYNC_STATE_UNSPECIFIED &&
      in.sync_state() != v1::SYNC_STATE_UNSYNCED) {
    return Bad(field + ".sync_state", "is set only by a sync");
  }
  // Empty, or blank (only spaces, NBSP, zero-width...): the importers' rule
  // (common/text_rule.h).
  if (in.legal_forename().empty()) {
    return Bad(field + ".legal_forename", "is required");
  }
  if (IsBlank(in.legal_forename())) {
    return Bad(field + ".legal_forename",
               "is blank: only spaces or invisible characters");
  }
  if (in.legal_surname().empty()) {
    return Bad(field + ".legal_surname", "is required");
  }
  if (IsBlank(in.legal_surname())) {
    return Bad(field + ".legal_surname",
               "is blank: only spaces or invisible characters");
  }
  if (in.classes_size() > 1000) {
    return Bad(field + ".classes", "more than 1000 classes");
  }
  for (int i = 0; i < in.classes_size(); ++i) {
    const std::string name = absl::StrCat(field, ".classes[", i, "]");
    if (IsBlank(in.classes(i))) return Bad(name, "is empty");
    if (in.classes(i).size() > kMaxField) {
      return Bad(name, absl::StrCat("longer than ", kMaxField, " bytes"));
    }
    if (std::string bad = ControlCharacterProblem(in.classes(i));
        !bad.empty()) {
      return Bad(name, bad);
    }
  }
  if (absl::Status s =
          CheckLengths({{"legal_forename", &in.legal_forename()},
                        {"legal_surname", &in.legal_surname()},
                        {"preferred_forename", &in.preferred_forename()},
                        {"preferred_surname", &in.preferred_surname()},
                        {"gender", &in.gender()},
                        {"upn", &in.upn()},
                        {"registration_group", &in.registration_group()},
                        {"email", &in.email()}},
                       field);
      !s.ok()) {
    return s;
  }
  HubLearner out;
  out.legal_forename = in.legal_forename();
  out.legal_surname = in.legal_surname();
  out.preferred_forename = in.preferred_forename();
  out.preferred_surname = in.preferred_surname();
  absl::StatusOr<std::optional<Date>> dob =
      DateFromProto(in.date_of_birth(), field + ".date_of_birth");
  if (!dob.ok()) return dob.status();
  out.date_of_birth = *dob;
  out.gender = in.gender();
  out.upn = in.upn();
  absl::StatusOr<std::string> year =
      YearFromProto(in.year_group(), field + ".year_group");
  if (!year.ok()) return year.status();
  out.year_group = *year;
  out.registration_group = in.registration_group();
  out.classes.assign(in.classes().begin(), in.classes().end());
  std::sort(out.classes.begin(), out.classes.end());
  out.email = in.email();
  return out;
}

absl::StatusOr<MisLearner> FromProto(const v1::MisLearnerRecord& in,
                                     const std::string& field) {
  if (in.mis_id().empty()) return Bad(field + ".mis_id", "is required");
  MisLearner out;
  out.mis_id = in.mis_id();
  out.upn = in.upn();
  out.legal_forename = in.legal_forename();
  out.legal_surname = in.legal_surname();
  out.preferred_forename = in.preferred_forename();
  out.preferred_surname = in.preferred_surname();
  // Pushed records are held to the documented forms (docs/FORMATS.md,
  // "Pushed MIS records"): an ISO date, and a canonical year group, which
  // ValidateMisRecords checks and names; a service sends "7", not "07".
  if (!in.date_of_birth().empty()) {
    out.date_of_birth = ParseIsoDate(in.date_of_birth());
    if (!out.date_of_birth) {
      return Bad(field + ".date_of_birth",
                 absl::StrCat("'", in.date_of_birth(),
                              "' is not an ISO date (YYYY-MM-DD) that exists"));
    }
  }
  out.gender = in.gender();
  out.year_group = in.year_group();
  out.registration_group = in.registration_group();
  out.registration_group_mis_id = in.registration_group_mis_id();
  out.class_mis_ids.assign(in.class_mis_ids().begin(),
                           in.class_mis_ids().end());
  out.classes.assign(in.classes().begin(), in.classes().end());
  if (out.classes.size() != out.class_mis_ids.size()) {
    return Bad(field + ".classes",
               "must have one name per class_mis_ids entry");
  }
  out.email = in.email();
  return out;
}

absl::StatusOr<MisClass> FromProto(const v1::MisClassRecord& in,
                                   const std::string& field) {
  if (in.mis_id().empty()) return Bad(field + ".mis_id", "is required");
  if (in.name().empty()) return Bad(field + ".name", "is required");
  MisClass out;
  out.mis_id = in.mis_id();
  out.name = in.name();
  switch (in.kind()) {
    case v1::CLASS_KIND_REGISTRATION:
      out.kind = ClassKind::kRegistration;
      break;
    case v1::CLASS_KIND_SUBJECT:
      out.kind = ClassKind::kSubject;
      break;
    default:
      return Bad(field + ".kind",
                 absl::StrCat("must be CLASS_KIND_REGISTRATION or "
                              "CLASS_KIND_SUBJECT, not ",
                              in.kind()));
  }
  out.year_group = in.year_group();  // canonical or refused: ValidateMisRecords
  return out;
}

}  // namespace hubsync
