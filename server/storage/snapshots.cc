// MIS snapshots and class sync.
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "server/storage/codec.h"
#include "server/storage/learner_rows.h"
#include "server/storage/page_keys.h"
#include "server/storage/sqlite_store.h"
#include "server/storage/status_macros.h"

namespace hubsync::storage {
namespace {

absl::Status SnapshotNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("snapshot ", id, " not found"));
}

absl::Status ValidateSnapshot(const MisSnapshot& s) {
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < s.classes.size(); ++i) {
    if (s.classes[i].mis_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("classes[", i, "].mis_id is required"));
    }
    if (!seen.insert(s.classes[i].mis_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("classes[", i, "]: MIS class ", s.classes[i].mis_id,
                       " appears twice"));
    }
  }
  seen.clear();
  seen.reserve(s.learners.size());
  for (size_t i = 0; i < s.learners.size(); ++i) {
    if (s.learners[i].mis_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("learners[", i, "].mis_id is required"));
    }
    if (!seen.insert(s.learners[i].mis_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("learners[", i, "]: MIS learner ", s.learners[i].mis_id,
                       " appears twice"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<MisSnapshot> ReadSnapshot(Db* db, const std::string& snapshot_id,
                                         bool file_order) {
  STORE_ASSIGN_OR_RETURN(
      Statement head,
      db->Prepare("SELECT school_id, format, oneroster_version, create_time "
                  "FROM mis_snapshots WHERE id = ?"));
  head.Bind(1, snapshot_id);
  STORE_ASSIGN_OR_RETURN(bool found, head.Step());
  if (!found) return SnapshotNotFound(snapshot_id);
  MisSnapshot s;
  s.id = snapshot_id;
  s.school_id = head.Text(0);
  STORE_ASSIGN_OR_RETURN(s.format, MisFormatFromText(head.Text(1)));
  s.oneroster_version = head.Text(2);
  s.create_time_unix = head.Int(3);

  STORE_ASSIGN_OR_RETURN(
      Statement cls,
      db->Prepare("SELECT mis_id, name, kind, year_group FROM mis_classes "
                  "WHERE snapshot_id = ? ORDER BY ord"));
  cls.Bind(1, snapshot_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, cls.Step());
    if (!row) break;
    MisClass& c = s.classes.emplace_back();
    c.mis_id = cls.Text(0);
    c.name = cls.Text(1);
    STORE_ASSIGN_OR_RETURN(c.kind, ClassKindFromText(cls.Text(2)));
    c.year_group = cls.Text(3);
  }

  STORE_ASSIGN_OR_RETURN(
      Statement lrn,
      db->Prepare(absl::StrCat(
          "SELECT mis_id, upn, legal_forename, legal_surname, "
          "preferred_forename, preferred_surname, date_of_birth, "
          "gender, year_group, registration_group, "
          "registration_group_mis_id, class_mis_ids, classes, email "
          "FROM mis_learners WHERE snapshot_id = ?",
          // Without ORDER BY the rows come in key (mis_id) order,
          // straight off the table: no sort of a million rows.
          file_order ? " ORDER BY ord" : "")));
  lrn.Bind(1, snapshot_id);
  // Counted first so that the vector is allocated once (ReadSchoolLearners).
  STORE_ASSIGN_OR_RETURN(
      int64_t count,
      db->QueryInt("SELECT count(*) FROM mis_learners WHERE snapshot_id = ?",
                   snapshot_id));
  s.learners.reserve(static_cast<size_t>(count));
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, lrn.Step());
    if (!row) break;
    MisLearner& l = s.learners.emplace_back();
    l.mis_id = lrn.Text(0);
    l.upn = lrn.Text(1);
    l.legal_forename = lrn.Text(2);
    l.legal_surname = lrn.Text(3);
    l.preferred_forename = lrn.Text(4);
    l.preferred_surname = lrn.Text(5);
    STORE_ASSIGN_OR_RETURN(l.date_of_birth, DateFromText(lrn.Text(6)));
    l.gender = lrn.Text(7);
    l.year_group = lrn.Text(8);
    l.registration_group = lrn.Text(9);
    l.registration_group_mis_id = lrn.Text(10);
    l.class_mis_ids = SplitList(lrn.Text(11));
    l.classes = SplitList(lrn.Text(12));
    l.email = lrn.Text(13);
  }
  return s;
}

}  // namespace

absl::StatusOr<MisSnapshot> SqliteStore::SaveSnapshot(MisSnapshot snapshot,
                                                      const Actor& actor) {
  STORE_RETURN_IF_ERROR(ValidateSnapshot(snapshot));
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(snapshot.school_id).status());
  snapshot.id = ids_->NewId("snp");
  snapshot.create_time_unix = clock_->NowUnixSeconds();
  STORE_ASSIGN_OR_RETURN(
      Statement head,
      db_.Prepare("INSERT INTO mis_snapshots (id, school_id, format, "
                  "oneroster_version, create_time) VALUES (?,?,?,?,?)"));
  head.Bind(1, snapshot.id)
      .Bind(2, snapshot.school_id)
      .Bind(3, ToText(snapshot.format))
      .Bind(4, snapshot.oneroster_version)
      .Bind(5, snapshot.create_time_unix);
  STORE_RETURN_IF_ERROR(head.Run());
  STORE_ASSIGN_OR_RETURN(
      Statement cls,
      db_.Prepare("INSERT INTO mis_classes (snapshot_id, mis_id, ord, name, "
                  "kind, year_group) VALUES (?,?,?,?,?,?)"));
  for (size_t i = 0; i < snapshot.classes.size(); ++i) {
    const MisClass& c = snapshot.classes[i];
    cls.Reset()
        .Bind(1, snapshot.id)
        .Bind(2, c.mis_id)
        .Bind(3, static_cast<int64_t>(i))
        .Bind(4, c.name)
        .Bind(5, ToText(c.kind))
        .Bind(6, c.year_group);
    STORE_RETURN_IF_ERROR(cls.Run());
  }
  // Learners go in kBatch rows to an INSERT (?1 the snapshot id, shared),
  // the rest in one shorter statement: one statement per row took two thirds
  // more instructions in sqlite3_step (callgrind, 100,000 learners).
  constexpr size_t kBatch = 64;
  constexpr int kPerRow = 15;
  auto insert_sql = [](size_t rows) {
    std::string sql =
        "INSERT INTO mis_learners (snapshot_id, mis_id, ord, upn, "
        "legal_forename, legal_surname, preferred_forename, "
        "preferred_surname, date_of_birth, gender, year_group, "
        "registration_group, registration_group_mis_id, "
        "class_mis_ids, classes, email) VALUES ";
    for (size_t r = 0; r < rows; ++r) {
      absl::StrAppend(&sql, r == 0 ? "" : ",", "(?1");
      for (int k = 0; k < kPerRow; ++k) absl::StrAppend(&sql, ",?");
      absl::StrAppend(&sql, ")");
    }
    return sql;
  };
  const size_t n = snapshot.learners.size();
  // Every bound string outlives its step: bound without copies.
  std::vector<std::string> dates(kBatch), class_ids(kBatch),
      class_names(kBatch);
  auto insert = [&](Statement& st, size_t first, size_t rows) -> absl::Status {
    st.Reset().BindRef(1, snapshot.id);
    for (size_t r = 0; r < rows; ++r) {
      const MisLearner& l = snapshot.learners[first + r];
      dates[r] = l.date_of_birth ? FormatDate(*l.date_of_birth) : "";
      class_ids[r] = JoinList(l.class_mis_ids);
      class_names[r] = JoinList(l.classes);
      const int p = 2 + kPerRow * static_cast<int>(r);  // this row's first
      st.BindRef(p, l.mis_id)
          .Bind(p + 1, static_cast<int64_t>(first + r))
          .BindRef(p + 2, l.upn)
          .BindRef(p + 3, l.legal_forename)
          .BindRef(p + 4, l.legal_surname)
          .BindRef(p + 5, l.preferred_forename)
          .BindRef(p + 6, l.preferred_surname)
          .BindOptional(p + 7, dates[r])
          .BindRef(p + 8, l.gender)
          .BindRef(p + 9, l.year_group)
          .BindRef(p + 10, l.registration_group)
          .BindRef(p + 11, l.registration_group_mis_id)
          .BindRef(p + 12, class_ids[r])
          .BindRef(p + 13, class_names[r])
          .BindRef(p + 14, l.email);
    }
    return st.Run();
  };
  size_t at = 0;
  if (n >= kBatch) {
    STORE_ASSIGN_OR_RETURN(Statement full, db_.Prepare(insert_sql(kBatch)));
    for (; at + kBatch <= n; at += kBatch) {
      STORE_RETURN_IF_ERROR(insert(full, at, kBatch));
    }
  }
  if (at < n) {
    STORE_ASSIGN_OR_RETURN(Statement rest, db_.Prepare(insert_sql(n - at)));
    STORE_RETURN_IF_ERROR(insert(rest, at, n - at));
  }
  AuditRecord audit;
  audit.school_id = snapshot.school_id;
  audit.actor = actor;
  audit.verb = "save_snapshot";
  audit.record_id = snapshot.id;
  audit.after_json =
      absl::StrCat("{\"snapshot_id\":", JsonString(snapshot.id),
                   ",\"format\":", JsonString(ToText(snapshot.format)),
                   ",\"learners\":", snapshot.learners.size(),
                   ",\"classes\":", snapshot.classes.size(), "}");
  audit.time_unix = snapshot.create_time_unix;
  STORE_RETURN_IF_ERROR(WriteAuditLocked(audit));
  STORE_RETURN_IF_ERROR(txn.Commit());
  return snapshot;
}

absl::StatusOr<MisSnapshot> SqliteStore::GetSnapshot(
    const std::string& snapshot_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  return ReadSnapshot(&db_, snapshot_id, /*file_order=*/true);
}

absl::StatusOr<Store::ClassifyInput> SqliteStore::LoadForClassification(
    const std::string& school_id, const std::string& snapshot_id) {
  std::lock_guard<std::mutex> lock(mu_);
  // One read transaction: the version and the learners agree.
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  ClassifyInput in;
  STORE_ASSIGN_OR_RETURN(in.hub_version, HubVersionLocked(school_id));
  // The snapshot is read at the same time on the second connection, by a
  // second thread: a stored snapshot never changes, and while mu_ is held
  // nothing else writes, so both reads see the same database. At trust
  // scale the two reads are most of the Pupils panel's wait (a million
  // learners a side: about 2.5 s each, much of it the kernel handing over
  // fresh pages), and each takes a core.
  absl::StatusOr<MisSnapshot> snapshot;
  Db* reader = ReaderLocked();
  std::thread read_snapshot;
  if (reader != nullptr) {
    read_snapshot = std::thread([&snapshot, reader, &snapshot_id] {
      absl::StatusOr<Transaction> txn = Transaction::BeginRead(reader);
      if (!txn.ok()) {
        snapshot = txn.status();
        return;
      }
      snapshot = ReadSnapshot(reader, snapshot_id, /*file_order=*/false);
    });
  }
  absl::StatusOr<std::vector<HubLearner>> hub =
      ReadSchoolLearners(&db_, school_id);
  if (read_snapshot.joinable()) {
    read_snapshot.join();
  } else {
    snapshot = ReadSnapshot(&db_, snapshot_id, /*file_order=*/false);
  }
  if (!hub.ok()) return hub.status();
  if (!snapshot.ok()) return snapshot.status();
  STORE_ASSIGN_OR_RETURN(
      Statement unlinked,
      db_.Prepare("SELECT learner_id, mis_id FROM unlinked_pairs "
                  "WHERE school_id = ? ORDER BY learner_id, mis_id"));
  unlinked.BindRef(1, school_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, unlinked.Step());
    if (!row) break;
    in.unlinked.push_back({unlinked.Text(0), unlinked.Text(1)});
  }
  STORE_ASSIGN_OR_RETURN(
      Statement verified,
      db_.Prepare("SELECT learner_id, address FROM learner_accounts "
                  "INDEXED BY learner_accounts_by_school WHERE school_id = ?"));
  verified.BindRef(1, school_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, verified.Step());
    if (!row) break;
    in.verified.emplace_back(verified.Text(0), verified.Text(1));
  }
  in.hub = *std::move(hub);
  in.snapshot = *std::move(snapshot);
  if (in.snapshot.school_id != school_id) {
    return absl::NotFoundError(absl::StrCat(
        "snapshot ", snapshot_id, " not found for school ", school_id));
  }
  return in;
}

absl::StatusOr<std::vector<MisSnapshot>> SqliteStore::ListSnapshots(
    const std::string& school_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  // rowid breaks ties between snapshots saved in the same second.
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT id, format, oneroster_version, create_time FROM "
                  "mis_snapshots WHERE school_id = ? "
                  "ORDER BY create_time DESC, rowid DESC"));
  st.Bind(1, school_id);
  std::vector<MisSnapshot> out;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    MisSnapshot& s = out.emplace_back();
    s.id = st.Text(0);
    s.school_id = school_id;
    STORE_ASSIGN_OR_RETURN(s.format, MisFormatFromText(st.Text(1)));
    s.oneroster_version = st.Text(2);
    s.create_time_unix = st.Int(3);
  }
  return out;
}

absl::StatusOr<Page<MisSnapshot>> SqliteStore::PageSnapshots(
    const std::string& school_id, const PageRequest& page) {
  STORE_RETURN_IF_ERROR(CheckPageKey(page, 2));
  int64_t after_time = 0, after_rowid = 0;
  if (!page.after.empty()) {
    STORE_ASSIGN_OR_RETURN(after_time, PageKeyInt(page.after[0]));
    STORE_ASSIGN_OR_RETURN(after_rowid, PageKeyInt(page.after[1]));
  }
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::BeginRead(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare(absl::StrCat(
          "SELECT id, format, oneroster_version, create_time, rowid FROM "
          "mis_snapshots WHERE school_id = ?1",
          page.after.empty() ? "" : " AND (create_time, rowid) < (?3, ?4)",
          " ORDER BY create_time DESC, rowid DESC LIMIT ?2")));
  st.BindRef(1, school_id).Bind(2, static_cast<int64_t>(page.size + 1));
  if (!page.after.empty()) st.Bind(3, after_time).Bind(4, after_rowid);
  Page<MisSnapshot> out;
  int64_t last_rowid = 0;
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    if (out.items.size() == page.size) {
      out.next = {absl::StrCat(out.items.back().create_time_unix),
                  absl::StrCat(last_rowid)};
      break;
    }
    MisSnapshot& s = out.items.emplace_back();
    s.id = st.Text(0);
    s.school_id = school_id;
    STORE_ASSIGN_OR_RETURN(s.format, MisFormatFromText(st.Text(1)));
    s.oneroster_version = st.Text(2);
    s.create_time_unix = st.Int(3);
    last_rowid = st.Int(4);
  }
  return out;
}

absl::StatusOr<Store::Counts> SqliteStore::SnapshotCounts(
    const std::string& snapshot_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT (SELECT count(*) FROM mis_learners WHERE "
                  "snapshot_id = ?1), (SELECT count(*) FROM mis_classes WHERE "
                  "snapshot_id = ?1), EXISTS (SELECT 1 FROM mis_snapshots "
                  "WHERE id = ?1)"));
  st.Bind(1, snapshot_id);
  STORE_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.Int(2) == 0) return SnapshotNotFound(snapshot_id);
  return Counts{st.Int(0), st.Int(1)};
}

absl::StatusOr<ClassSyncResult> SqliteStore::SyncClasses(
    const std::string& school_id, const std::string& snapshot_id,
    const Actor& actor, const std::string& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  STORE_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(&db_));
  STORE_RETURN_IF_ERROR(GetSchoolLocked(school_id).status());
  STORE_ASSIGN_OR_RETURN(
      Statement owner,
      db_.Prepare("SELECT school_id FROM mis_snapshots WHERE id = ?"));
  owner.Bind(1, snapshot_id);
  STORE_ASSIGN_OR_RETURN(bool found, owner.Step());
  if (!found || owner.Text(0) != school_id) {
    return absl::NotFoundError(absl::StrCat(
        "snapshot ", snapshot_id, " not found for school ", school_id));
  }

  struct Existing {
    std::string id, name, kind, year_group;
  };
  absl::flat_hash_map<std::string, Existing> by_mis_id;
  STORE_ASSIGN_OR_RETURN(
      Statement hub,
      db_.Prepare("SELECT mis_id, id, name, kind, year_group FROM hub_classes "
                  "WHERE school_id = ? AND mis_id IS NOT NULL"));
  hub.Bind(1, school_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, hub.Step());
    if (!row) break;
    by_mis_id[hub.Text(0)] =
        Existing{hub.Text(1), hub.Text(2), hub.Text(3), hub.Text(4)};
  }

  // Hand-made classes (no MIS id) by name: a MIS class whose name exactly
  // one of them has is linked to it, so learners already in it stay in it
  // and the hub does not end up with two "7x/Ma1" classes.
  absl::flat_hash_map<std::string, std::vector<std::string>> hand_made;
  STORE_ASSIGN_OR_RETURN(Statement unlinked,
                         db_.Prepare("SELECT name, id FROM hub_classes "
                                     "WHERE school_id = ? AND mis_id IS NULL"));
  unlinked.Bind(1, school_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, unlinked.Step());
    if (!row) break;
    hand_made[unlinked.Text(0)].push_back(unlinked.Text(1));
  }
  STORE_ASSIGN_OR_RETURN(
      Statement link,
      db_.Prepare("UPDATE hub_classes SET mis_id = ?, kind = ?, year_group = ? "
                  "WHERE id = ?"));

  STORE_ASSIGN_OR_RETURN(
      Statement mis,
      db_.Prepare("SELECT mis_id, name, kind, year_group FROM mis_classes "
                  "WHERE snapshot_id = ? ORDER BY ord"));
  STORE_ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare("INSERT INTO hub_classes (id, school_id, mis_id, name, kind, "
                  "year_group) VALUES (?,?,?,?,?,?)"));
  STORE_ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare("UPDATE hub_classes SET name = ?, kind = ?, year_group = ? "
                  "WHERE id = ?"));
  ClassSyncResult result;
  // One audit record per class created or changed, in this transaction.
  auto class_json = [](const std::string& id, const std::string& mis_id,
                       const std::string& name, const std::string& kind,
                       const std::string& year) {
    return absl::StrCat(
        "{\"class_id\":", JsonString(id),
        ",\"mis_id\":", mis_id.empty() ? "null" : JsonString(mis_id),
        ",\"name\":", JsonString(name), ",\"kind\":", JsonString(kind),
        ",\"year_group\":", JsonString(year), "}");
  };
  auto audit = [&](const char* verb, const std::string& id, std::string before,
                   std::string after) {
    AuditRecord a;
    a.school_id = school_id;
    a.session_id = session_id;
    a.actor = actor;
    a.verb = verb;
    a.record_id = id;
    a.before_json = std::move(before);
    a.after_json = std::move(after);
    return WriteAuditLocked(a);
  };
  STORE_ASSIGN_OR_RETURN(
      Statement hand_made_class,
      db_.Prepare(
          "SELECT name, kind, year_group FROM hub_classes WHERE id = ?"));
  mis.Bind(1, snapshot_id);
  while (true) {
    STORE_ASSIGN_OR_RETURN(bool row, mis.Step());
    if (!row) break;
    const std::string mis_id = mis.Text(0), name = mis.Text(1),
                      kind = mis.Text(2), year = mis.Text(3);
    auto it = by_mis_id.find(mis_id);
    auto named = hand_made.find(name);
    if (it == by_mis_id.end() && named != hand_made.end() &&
        named->second.size() == 1) {
      const std::string id = named->second.front();
      hand_made_class.Reset().Bind(1, id);
      STORE_ASSIGN_OR_RETURN(bool was, hand_made_class.Step());
      std::string before =
          was ? class_json(id, "", hand_made_class.Text(0),
                           hand_made_class.Text(1), hand_made_class.Text(2))
              : "";
      link.Reset().Bind(1, mis_id).Bind(2, kind).Bind(3, year).Bind(4, id);
      STORE_RETURN_IF_ERROR(link.Run());
      STORE_RETURN_IF_ERROR(audit("class_update", id, std::move(before),
                                  class_json(id, mis_id, name, kind, year)));
      hand_made.erase(named);
      ++result.updated;
    } else if (it == by_mis_id.end()) {
      const std::string id = ids_->NewId("cls");
      insert.Reset()
          .Bind(1, id)
          .Bind(2, school_id)
          .Bind(3, mis_id)
          .Bind(4, name)
          .Bind(5, kind)
          .Bind(6, year);
      STORE_RETURN_IF_ERROR(insert.Run());
      STORE_RETURN_IF_ERROR(audit("class_create", id, "",
                                  class_json(id, mis_id, name, kind, year)));
      ++result.created;
    } else if (it->second.name != name || it->second.kind != kind ||
               it->second.year_group != year) {
      update.Reset().Bind(1, name).Bind(2, kind).Bind(3, year).Bind(
          4, it->second.id);
      STORE_RETURN_IF_ERROR(update.Run());
      STORE_RETURN_IF_ERROR(
          audit("class_update", it->second.id,
                class_json(it->second.id, mis_id, it->second.name,
                           it->second.kind, it->second.year_group),
                class_json(it->second.id, mis_id, name, kind, year)));
      ++result.updated;
    } else {
      ++result.unchanged;
    }
  }

  STORE_ASSIGN_OR_RETURN(
      Statement stamp,
      db_.Prepare("UPDATE schools SET classes_synced_time = ? WHERE id = ?"));
  stamp.Bind(1, clock_->NowUnixSeconds()).Bind(2, school_id);
  STORE_RETURN_IF_ERROR(stamp.Run());
  if (result.created + result.updated > 0) {
    STORE_RETURN_IF_ERROR(BumpHubVersionLocked(school_id));
  }
  STORE_RETURN_IF_ERROR(txn.Commit());
  return result;
}

}  // namespace hubsync::storage
