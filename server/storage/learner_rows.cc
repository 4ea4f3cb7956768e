#include "server/storage/learner_rows.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {

absl::StatusOr<std::vector<HubLearner>> ReadLearners(Db* db,
                                                     absl::string_view where,
                                                     const std::string& arg) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db->Prepare(absl::StrCat(
          "SELECT l.id, l.school_id, l.legal_forename, l.legal_surname, "
          "l.preferred_forename, l.preferred_surname, l.date_of_birth, "
          "l.gender, l.upn, l.year_group, l.registration_group, l.email, "
          "l.mis_id, l.sync_state, l.update_time FROM hub_learners l WHERE ",
          where, " ORDER BY l.legal_surname, l.legal_forename, l.id")));
  st.Bind(1, arg);
  std::vector<HubLearner> out;
  absl::flat_hash_map<std::string, size_t> index;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    HubLearner& l = out.emplace_back();
    l.id = st.Text(0);
    l.school_id = st.Text(1);
    l.legal_forename = st.Text(2);
    l.legal_surname = st.Text(3);
    l.preferred_forename = st.Text(4);
    l.preferred_surname = st.Text(5);
    STORE_ASSIGN_OR_RETURN(l.date_of_birth, DateFromText(st.Text(6)));
    l.gender = st.Text(7);
    l.upn = st.Text(8);
    l.year_group = st.Text(9);
    l.registration_group = st.Text(10);
    l.email = st.Text(11);
    l.mis_id = st.Text(12);
    STORE_ASSIGN_OR_RETURN(l.sync_state, SyncStateFromText(st.Text(13)));
    l.update_time_unix = st.Int(14);
    index[l.id] = out.size() - 1;
  }
  if (out.empty()) return out;
  STORE_ASSIGN_OR_RETURN(
      Statement classes,
      db->Prepare(
          absl::StrCat("SELECT m.learner_id, c.name FROM hub_class_members m "
                       "JOIN hub_classes c ON c.id = m.class_id "
                       "JOIN hub_learners l ON l.id = m.learner_id WHERE ",
                       where, " AND c.kind = 'subject' ORDER BY c.name")));
  classes.Bind(1, arg);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, classes.Step());
    if (!row) break;
    auto it = index.find(classes.Text(0));
    if (it != index.end()) out[it->second].classes.push_back(classes.Text(1));
  }
  return out;
}

absl::StatusOr<LearnerWriter> LearnerWriter::Create(Db* db) {
  STORE_ASSIGN_OR_RETURN(
      Statement upsert,
      db->Prepare(
          "INSERT INTO hub_learners (id, school_id, legal_forename, "
          "legal_surname, preferred_forename, preferred_surname, "
          "date_of_birth, gender, upn, year_group, registration_group, email, "
          "mis_id, sync_state, update_time) "
          "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15) "
          "ON CONFLICT(id) DO UPDATE SET "
          "legal_forename = excluded.legal_forename, "
          "legal_surname = excluded.legal_surname, "
          "preferred_forename = excluded.preferred_forename, "
          "preferred_surname = excluded.preferred_surname, "
          "date_of_birth = excluded.date_of_birth, gender = excluded.gender, "
          "upn = excluded.upn, year_group = excluded.year_group, "
          "registration_group = excluded.registration_group, "
          "email = excluded.email, mis_id = excluded.mis_id, "
          "sync_state = excluded.sync_state, "
          "update_time = excluded.update_time"));
  STORE_ASSIGN_OR_RETURN(
      Statement set_state,
      db->Prepare("UPDATE hub_learners SET sync_state = ?2, update_time = ?3 "
                  "WHERE id = ?1"));
  STORE_ASSIGN_OR_RETURN(
      Statement clear,
      db->Prepare("DELETE FROM hub_class_members WHERE learner_id = ?"));
  STORE_ASSIGN_OR_RETURN(
      Statement add,
      db->Prepare("INSERT OR IGNORE INTO hub_class_members (learner_id, "
                  "class_id) VALUES (?, ?)"));
  return LearnerWriter(std::move(upsert), std::move(set_state),
                       std::move(clear), std::move(add));
}

absl::Status LearnerWriter::Upsert(const HubLearner& l) {
  upsert_.Reset()
      .Bind(1, l.id)
      .Bind(2, l.school_id)
      .Bind(3, l.legal_forename)
      .Bind(4, l.legal_surname)
      .Bind(5, l.preferred_forename)
      .Bind(6, l.preferred_surname)
      .BindOptional(7, l.date_of_birth ? FormatDate(*l.date_of_birth) : "")
      .Bind(8, l.gender)
      .Bind(9, l.upn)
      .Bind(10, l.year_group)
      .Bind(11, l.registration_group)
      .Bind(12, l.email)
      .BindOptional(13, l.mis_id)
      .Bind(14, ToText(l.sync_state))
      .Bind(15, l.update_time_unix);
  absl::Status s = upsert_.Run();
  if (!s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat("learner ", l.id, ": ", s.message()));
  }
  return s;
}

absl::Status LearnerWriter::SetState(const std::string& learner_id,
                                     SyncState state, int64_t update_time) {
  set_state_.Reset()
      .Bind(1, learner_id)
      .Bind(2, ToText(state))
      .Bind(3, update_time);
  return set_state_.Run();
}

absl::Status LearnerWriter::SetClasses(
    const std::string& learner_id, const std::vector<std::string>& class_ids) {
  clear_.Reset().Bind(1, learner_id);
  STORE_RETURN_IF_ERROR(clear_.Run());
  for (const std::string& class_id : class_ids) {
    add_.Reset().Bind(1, learner_id).Bind(2, class_id);
    STORE_RETURN_IF_ERROR(add_.Run());
  }
  return absl::OkStatus();
}

}  // namespace hubsync::storage
