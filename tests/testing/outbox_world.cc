#include "tests/testing/outbox_world.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace hubsync::testing {

absl::StatusOr<QueuedSchool> QueueVerificationEmails(
    Store* store, const std::string& name, int n, const std::string& domain) {
  QueuedSchool out;
  absl::StatusOr<School> school = store->CreateSchool(name);
  if (!school.ok()) return school.status();
  out.school = *school;
  MisSnapshot s;
  s.school_id = out.school.id;
  s.format = MisFormat::kOneRoster;
  s.oneroster_version = "1.2";
  s.classes = {{"reg:7A", "7A", ClassKind::kRegistration, "7"},
               {"cls:7x/Ma1", "7x/Ma1", ClassKind::kSubject, "7"}};
  absl::StatusOr<MisSnapshot> snapshot = store->SaveSnapshot(s);
  if (!snapshot.ok()) return snapshot.status();
  out.snapshot_id = snapshot->id;
  if (absl::StatusOr<ClassSyncResult> synced =
          store->SyncClasses(out.school.id, snapshot->id);
      !synced.ok()) {
    return synced.status();
  }
  absl::StatusOr<std::vector<HubClass>> classes =
      store->ListClasses(out.school.id);
  if (!classes.ok()) return classes.status();
  for (const HubClass& c : *classes) {
    if (c.mis_id == "cls:7x/Ma1") out.math_class_id = c.id;
  }
  SessionRecord r;
  r.school_id = out.school.id;
  r.snapshot_id = snapshot->id;
  r.admin = "ms.head";
  absl::StatusOr<SessionRecord> session = store->CreateSession(r);
  if (!session.ok()) return session.status();
  absl::StatusOr<int64_t> hub_version = store->HubVersion(out.school.id);
  if (!hub_version.ok()) return hub_version.status();

  SavePlan plan;
  plan.session_id = session->id;
  plan.school_id = out.school.id;
  plan.actor = Actor{"key_00000000000000aa", "ms.head", "admin"};
  plan.request_id = "req-emails";
  plan.expected_hub_version = *hub_version;
  plan.changes.reserve(n);
  for (int i = 1; i <= n; ++i) {
    PlannedChange c;
    c.change = LearnerChange::kImport;
    c.after.legal_forename = absl::StrCat("Learner", i);
    c.after.legal_surname = absl::StrCat("Surname", i);
    c.after.year_group = "7";
    c.after.registration_group = "7A";
    c.after.mis_id = absl::StrCat("m", i);
    c.after.email = absl::StrCat("learner", i, "@", domain);
    c.queue_verification_email = true;
    c.class_mis_ids = {"reg:7A"};
    if (i % 2 == 1) c.class_mis_ids.push_back("cls:7x/Ma1");
    plan.changes.push_back(std::move(c));
  }
  SessionRecord saved = *session;
  saved.version = session->version + 1;
  saved.step = SessionStep::kSaved;
  saved.save_request_id = plan.request_id;
  absl::StatusOr<SaveSummary> sum = store->ApplySave(plan, saved);
  if (!sum.ok()) return sum.status();
  out.save_id = sum->save_id;

  absl::StatusOr<std::vector<OutboxEmail>> emails =
      store->ListOutbox(out.school.id);
  if (!emails.ok()) return emails.status();
  out.emails = std::move(*emails);
  for (const OutboxEmail& e : out.emails) {
    absl::StatusOr<HubLearner> l = store->GetLearner(e.learner_id);
    if (!l.ok()) return l.status();
    out.learners.push_back(std::move(*l));
  }
  return out;
}

}  // namespace hubsync::testing
