#include "server/storage/learner_rows.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/storage/codec.h"
#include "server/storage/page_keys.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {

namespace {

constexpr absl::string_view kLearnerColumns =
    "l.id, l.school_id, l.legal_forename, l.legal_surname, "
    "l.preferred_forename, l.preferred_surname, l.date_of_birth, "
    "l.gender, l.upn, l.year_group, l.registration_group, l.email, "
    "l.mis_id, l.sync_state, l.update_time, l.archive_time";

// Reads the kLearnerColumns of the current row (classes left empty).
absl::Status DecodeLearner(const Statement& st, HubLearner& l) {
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
  l.archive_time_unix = st.Int(15);
  return absl::OkStatus();
}

// The columns LearnerWriter::Update may set, by bit; parameter numbers are
// those of the upsert statement (?1 id, ?2 school_id, ?3.. the columns).
struct UpdColumn {
  const char* name;
  int param;
};
constexpr UpdColumn kUpdColumns[] = {
    {"legal_forename", 3},
    {"legal_surname", 4},
    {"preferred_forename", 5},
    {"preferred_surname", 6},
    {"date_of_birth", 7},
    {"gender", 8},
    {"upn", 9},
    {"year_group", 10},
    {"registration_group", 11},
    {"email", 12},
    {"mis_id", 13},
};

std::string DateText(const HubLearner& l) {
  return l.date_of_birth ? FormatDate(*l.date_of_birth) : "";
}

}  // namespace

absl::StatusOr<std::vector<HubLearner>> ReadLearners(Db* db,
                                                     absl::string_view where,
                                                     const std::string& arg) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db->Prepare(absl::StrCat(
          "SELECT ", kLearnerColumns, " FROM hub_learners l WHERE ", where,
          " ORDER BY l.legal_surname, l.legal_forename, l.id")));
  st.Bind(1, arg);
  std::vector<HubLearner> out;
  absl::flat_hash_map<std::string, size_t> index;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    HubLearner& l = out.emplace_back();
    STORE_RETURN_IF_ERROR(DecodeLearner(st, l));
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

absl::StatusOr<Page<HubLearner>> ReadLearnerPage(Db* db,
                                                 const std::string& school_id,
                                                 const PageRequest& page,
                                                 bool archived) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 3));
  // A row value compared with the index's columns: SQLite seeks to it.
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db->Prepare(absl::StrCat(
          "SELECT ", kLearnerColumns,
          " FROM hub_learners l INDEXED BY hub_learners_by_name "
          "WHERE l.school_id = ?1 AND l.archive_time ",
          archived ? "!= 0" : "= 0",
          page.after.empty() ? ""
                             : " AND (l.legal_surname, l.legal_forename, "
                               "l.id) > (?3, ?4, ?5)",
          " ORDER BY l.legal_surname, l.legal_forename, l.id LIMIT ?2")));
  st.BindRef(1, school_id).Bind(2, static_cast<int64_t>(page.size + 1));
  for (size_t i = 0; i < page.after.size(); ++i) {
    st.BindRef(static_cast<int>(i) + 3, page.after[i]);
  }
  Page<HubLearner> out;
  out.items.reserve(page.size);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      const HubLearner& last = out.items.back();
      out.next = {last.legal_surname, last.legal_forename, last.id};
      break;
    }
    HubLearner& l = out.items.emplace_back();
    STORE_RETURN_IF_ERROR(DecodeLearner(st, l));
  }
  // Subject classes learner by learner (the membership key leads with the
  // learner): a page costs the same wherever it is in the school.
  STORE_ASSIGN_OR_RETURN(
      Statement classes,
      db->Prepare("SELECT c.name FROM hub_class_members m "
                  "JOIN hub_classes c ON c.id = m.class_id "
                  "WHERE m.learner_id = ? AND c.kind = 'subject' "
                  "ORDER BY c.name"));
  for (HubLearner& l : out.items) {
    classes.Reset().BindRef(1, l.id);
    while (true) {
      STORE_ASSIGN_OR_RETURN(bool row, classes.Step());
      if (!row) break;
      l.classes.push_back(classes.Text(0));
    }
  }
  return out;
}

absl::StatusOr<std::vector<HubLearner>> ReadSchoolLearners(
    Db* db, const std::string& school_id) {
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db->Prepare(
          absl::StrCat("SELECT ", kLearnerColumns,
                       " FROM hub_learners l INDEXED BY hub_learners_by_school "
                       "WHERE l.school_id = ? AND l.archive_time = 0")));
  st.BindRef(1, school_id);
  // Counted first (off the small school index) so that the vector is
  // allocated once: grown by doubling, a million learners of 440 bytes
  // would be moved about twenty times and touch twice the memory.
  STORE_ASSIGN_OR_RETURN(
      int64_t count, db->QueryInt("SELECT count(*) FROM hub_learners "
                                  "INDEXED BY hub_learners_by_school "
                                  "WHERE school_id = ? AND archive_time = 0",
                                  school_id));
  std::vector<HubLearner> out;
  out.reserve(static_cast<size_t>(count));
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    HubLearner& l = out.emplace_back();
    STORE_RETURN_IF_ERROR(DecodeLearner(st, l));
  }
  if (out.empty()) return out;
  // Ids viewed in place: `out` no longer grows.
  absl::flat_hash_map<absl::string_view, size_t> index;
  index.reserve(out.size());
  for (size_t i = 0; i < out.size(); ++i) index.emplace(out[i].id, i);
  // Memberships of subject classes, class by class (a school has few).
  STORE_ASSIGN_OR_RETURN(
      Statement classes,
      db->Prepare("SELECT m.learner_id, c.name FROM hub_classes c "
                  "JOIN hub_class_members m ON m.class_id = c.id "
                  "WHERE c.school_id = ? AND c.kind = 'subject'"));
  classes.BindRef(1, school_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, classes.Step());
    if (!row) break;
    auto it = index.find(classes.Text(0));
    if (it != index.end()) out[it->second].classes.push_back(classes.Text(1));
  }
  for (HubLearner& l : out) {
    if (l.classes.size() > 1) std::sort(l.classes.begin(), l.classes.end());
  }
  return out;
}

absl::StatusOr<LearnerReader> LearnerReader::Create(Db* db) {
  // One step per learner: its memberships come along as one text column,
  // "class_id US kind US name" joined with RS (ids and names never hold
  // those control characters; see JoinList).
  STORE_ASSIGN_OR_RETURN(
      Statement learner,
      db->Prepare(absl::StrCat(
          "SELECT ", kLearnerColumns,
          ", (SELECT group_concat(m.class_id || char(31) || c.kind || "
          "char(31) || c.name, char(30)) FROM hub_class_members m "
          "JOIN hub_classes c ON c.id = m.class_id WHERE m.learner_id = l.id) "
          "FROM hub_learners l WHERE l.id = ?1 AND l.school_id = ?2")));
  STORE_ASSIGN_OR_RETURN(
      Statement class_ids,
      db->Prepare(
          "SELECT class_id FROM hub_class_members WHERE learner_id = ?"));
  return LearnerReader(std::move(learner), std::move(class_ids));
}

absl::Status LearnerReader::ClassIds(const std::string& learner_id,
                                     std::vector<std::string>* out) {
  out->clear();
  class_ids_.Reset().BindRef(1, learner_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, class_ids_.Step());
    if (!row) break;
    out->push_back(class_ids_.Text(0));
  }
  class_ids_.Reset();
  // The primary key's order (BINARY, as std::string compares); sorted again
  // in case the plan ever reads another index.
  if (!std::is_sorted(out->begin(), out->end())) {
    std::sort(out->begin(), out->end());
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> LearnerReader::Get(const std::string& school_id,
                                        const std::string& learner_id,
                                        StoredLearner* out) {
  learner_.Reset().BindRef(1, learner_id).BindRef(2, school_id);
  STORE_ASSIGN_OR_RETURN(bool found, learner_.Step());
  if (!found) return false;
  out->learner = HubLearner{};
  STORE_RETURN_IF_ERROR(DecodeLearner(learner_, out->learner));
  out->class_ids.clear();
  const std::string members = learner_.Text(16);
  learner_.Reset();
  for (absl::string_view m :
       absl::StrSplit(members, '\x1e', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(m, '\x1f');
    if (parts.size() != 3) {
      return absl::InternalError(absl::StrCat(
          "learner ", learner_id, ": malformed class membership \"", m, "\""));
    }
    out->class_ids.emplace_back(parts[0]);
    if (parts[1] == "subject") out->learner.classes.emplace_back(parts[2]);
  }
  std::sort(out->class_ids.begin(), out->class_ids.end());
  std::sort(out->learner.classes.begin(), out->learner.classes.end());
  return true;
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
      Statement insert,
      db->Prepare(
          "INSERT INTO hub_learners (id, school_id, legal_forename, "
          "legal_surname, preferred_forename, preferred_surname, "
          "date_of_birth, gender, upn, year_group, registration_group, email, "
          "mis_id, sync_state, update_time) "
          "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)"));
  STORE_ASSIGN_OR_RETURN(
      Statement set_state,
      db->Prepare("UPDATE hub_learners SET sync_state = ?2, update_time = ?3 "
                  "WHERE id = ?1 AND school_id = ?4 AND update_time = ?5 AND "
                  "sync_state = ?6"));
  STORE_ASSIGN_OR_RETURN(
      Statement clear,
      db->Prepare("DELETE FROM hub_class_members WHERE learner_id = ?"));
  STORE_ASSIGN_OR_RETURN(
      Statement add,
      db->Prepare("INSERT OR IGNORE INTO hub_class_members (learner_id, "
                  "class_id) VALUES (?, ?)"));
  STORE_ASSIGN_OR_RETURN(
      Statement remove,
      db->Prepare("DELETE FROM hub_class_members WHERE learner_id = ? AND "
                  "class_id = ?"));
  return LearnerWriter(db, std::move(upsert), std::move(insert),
                       std::move(set_state), std::move(clear), std::move(add),
                       std::move(remove));
}

namespace {

// Binds every parameter of the upsert / insert statement.
void BindLearner(Statement& st, const HubLearner& l, const std::string& date) {
  st.BindRef(1, l.id)
      .BindRef(2, l.school_id)
      .BindRef(3, l.legal_forename)
      .BindRef(4, l.legal_surname)
      .BindRef(5, l.preferred_forename)
      .BindRef(6, l.preferred_surname)
      .BindOptional(7, date)
      .BindRef(8, l.gender)
      .BindRef(9, l.upn)
      .BindRef(10, l.year_group)
      .BindRef(11, l.registration_group)
      .BindRef(12, l.email)
      .BindOptional(13, l.mis_id)
      .BindStatic(14, ToText(l.sync_state))
      .Bind(15, l.update_time_unix);
}

absl::Status Named(const HubLearner& l, absl::Status s) {
  if (s.ok()) return s;
  return absl::Status(s.code(),
                      absl::StrCat("learner ", l.id, ": ", s.message()));
}

}  // namespace

absl::Status LearnerWriter::Upsert(const HubLearner& l) {
  const std::string date = DateText(l);
  BindLearner(upsert_.Reset(), l, date);
  return Named(l, upsert_.Run());
}

absl::Status LearnerWriter::Insert(const HubLearner& l) {
  const std::string date = DateText(l);
  BindLearner(insert_.Reset(), l, date);
  return Named(l, insert_.Run());
}

namespace {

// The stored row is not the one `before` describes (changed or removed
// since it was read): nothing was written.
absl::Status NotAsRead(const HubLearner& before) {
  return absl::FailedPreconditionError(absl::StrCat(
      "learner ", before.id, " of school ", before.school_id,
      " is not as it was read (updated at ", before.update_time_unix, ", ",
      ToText(before.sync_state), "); ", kClassifyAgain));
}

}  // namespace

absl::Status LearnerWriter::Update(const HubLearner& before,
                                   const HubLearner& after) {
  const bool differs[] = {
      before.legal_forename != after.legal_forename,
      before.legal_surname != after.legal_surname,
      before.preferred_forename != after.preferred_forename,
      before.preferred_surname != after.preferred_surname,
      before.date_of_birth != after.date_of_birth,
      before.gender != after.gender,
      before.upn != after.upn,
      before.year_group != after.year_group,
      before.registration_group != after.registration_group,
      before.email != after.email,
      before.mis_id != after.mis_id,
  };
  uint32_t mask = 0;
  for (size_t i = 0; i < std::size(differs); ++i) {
    if (differs[i]) mask |= 1u << i;
  }
  auto it = updates_.find(mask);
  if (it == updates_.end()) {
    // sync_state (?14) and update_time (?15) are always set; ?16 and ?17 are
    // the update time and state the row must still have.
    std::string sql = "UPDATE hub_learners SET ";
    for (size_t i = 0; i < std::size(kUpdColumns); ++i) {
      if (mask & (1u << i)) {
        absl::StrAppend(&sql, kUpdColumns[i].name, " = ?", kUpdColumns[i].param,
                        ", ");
      }
    }
    absl::StrAppend(&sql,
                    "sync_state = ?14, update_time = ?15 WHERE id = ?1 "
                    "AND school_id = ?2 AND update_time = ?16 AND "
                    "sync_state = ?17");
    STORE_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
    it = updates_.emplace(mask, std::move(st)).first;
  }
  // Only the parameters the statement uses; the date is formatted only when
  // it is written.
  Statement& st = it->second.Reset();
  st.BindRef(1, after.id).BindRef(2, after.school_id);
  const std::string* const text[] = {&after.legal_forename,
                                     &after.legal_surname,
                                     &after.preferred_forename,
                                     &after.preferred_surname,
                                     nullptr,
                                     &after.gender,
                                     &after.upn,
                                     &after.year_group,
                                     &after.registration_group,
                                     &after.email,
                                     nullptr};
  std::string date;
  for (size_t i = 0; i < std::size(kUpdColumns); ++i) {
    if (!(mask & (1u << i))) continue;
    const int param = kUpdColumns[i].param;
    if (text[i] != nullptr) {
      st.BindRef(param, *text[i]);
    } else if (param == 7) {
      date = DateText(after);
      st.BindOptional(param, date);
    } else if (after.mis_id.empty()) {
      st.BindNull(param);
    } else {
      st.BindRef(param, after.mis_id);
    }
  }
  st.BindStatic(14, ToText(after.sync_state))
      .Bind(15, after.update_time_unix)
      .Bind(16, before.update_time_unix)
      .BindStatic(17, ToText(before.sync_state));
  STORE_RETURN_IF_ERROR(Named(after, st.Run()));
  if (db_->Changes() != 1) return NotAsRead(before);
  return absl::OkStatus();
}

absl::Status LearnerWriter::SetState(const HubLearner& before, SyncState state,
                                     int64_t update_time) {
  set_state_.Reset()
      .BindRef(1, before.id)
      .BindStatic(2, ToText(state))
      .Bind(3, update_time)
      .BindRef(4, before.school_id)
      .Bind(5, before.update_time_unix)
      .BindStatic(6, ToText(before.sync_state));
  STORE_RETURN_IF_ERROR(set_state_.Run());
  if (db_->Changes() != 1) return NotAsRead(before);
  return absl::OkStatus();
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

absl::Status LearnerWriter::SetClasses(const std::string& learner_id,
                                       const std::vector<std::string>& current,
                                       std::vector<std::string> wanted) {
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  size_t i = 0, j = 0;
  while (i < current.size() || j < wanted.size()) {
    if (j == wanted.size() || (i < current.size() && current[i] < wanted[j])) {
      remove_.Reset().BindRef(1, learner_id).BindRef(2, current[i++]);
      STORE_RETURN_IF_ERROR(remove_.Run());
    } else if (i == current.size() || wanted[j] < current[i]) {
      add_.Reset().BindRef(1, learner_id).BindRef(2, wanted[j++]);
      STORE_RETURN_IF_ERROR(add_.Run());
    } else {
      ++i;
      ++j;
    }
  }
  return absl::OkStatus();
}

}  // namespace hubsync::storage
