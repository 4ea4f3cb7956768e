// Commands on records: schools, learners, classes, MIS data, emails, audit.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/cli/commands.h"
#include "client/cli/csv_export.h"
#include "common/read_file.h"
#include "common/text_rule.h"

namespace hubsync::cli {
namespace {

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Files named on the command line; a directory stands for its *.csv files
// (sorted by name), each uploaded under its base name.
absl::StatusOr<std::vector<client::UploadFile>> CollectFiles(
    const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0)
      return absl::NotFoundError(absl::StrCat("no such file ", p));
    if (!S_ISDIR(st.st_mode)) {
      files.push_back(p);
      continue;
    }
    DIR* dir = opendir(p.c_str());
    if (dir == nullptr)
      return absl::NotFoundError(absl::StrCat("cannot read directory ", p));
    std::vector<std::string> found;
    while (dirent* e = readdir(dir)) {
      std::string name = e->d_name;
      if (absl::EndsWithIgnoreCase(name, ".csv"))
        found.push_back(absl::StrCat(p, "/", name));
    }
    closedir(dir);
    if (found.empty())
      return absl::NotFoundError(absl::StrCat("no *.csv files in ", p));
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  std::vector<client::UploadFile> out;
  for (const std::string& f : files) {
    absl::StatusOr<std::string> data = ReadFileToString(f);
    if (!data.ok()) return data.status();
    out.push_back({BaseName(f), *std::move(data)});
  }
  return out;
}

// The request id of one invocation of a create: --request-id, else a new
// random one. Every retry of the invocation carries it, so the server
// applies the request once.
std::string RequestIdOf(const Parsed& p) {
  if (p.Has("request-id")) return p.Get("request-id");
  std::random_device rd;
  return absl::StrFormat("cli-%08x%08x", rd(), rd());
}

// Attempts of a create while the server is UNAVAILABLE (down, restarting,
// busy, or its reply lost: the request may have been applied), 0.5 s, 1 s
// and 2 s apart.
constexpr int kAttempts = 4;

// Calls `call` (which sends `request_id`) again while it fails UNAVAILABLE,
// saying so on io.err; if it still does, says how to retry by hand.
template <typename Call>
auto WithRetries(const std::string& request_id, Io& io, Call call)
    -> decltype(call()) {
  auto result = call();
  auto unavailable = [&result] {
    return !result.ok() &&
           result.status().code() == absl::StatusCode::kUnavailable;
  };
  std::chrono::milliseconds wait(500);
  for (int attempt = 1; attempt < kAttempts && unavailable(); ++attempt) {
    io.err << "server unavailable (" << result.status().message()
           << "); retrying in " << absl::StrFormat("%.1f", wait.count() / 1e3)
           << " s with request id " << request_id << "\n";
    io.err.flush();
    std::this_thread::sleep_for(wait);
    wait *= 2;
    result = call();
  }
  if (unavailable()) {
    io.err << "the server may or may not have applied it: run the same "
              "command with --request-id "
           << request_id << " to apply it at most once\n";
  }
  return result;
}

// The error line, then one line per problem the server listed. The status
// message lists the first problems too (for clients that read no metadata):
// with the list, only its first line (the count) is printed, so that each
// problem shows once.
int FailWithProblems(const absl::Status& status,
                     const v1::UploadProblems& problems, Io& io) {
  if (problems.problems().empty()) return Fail(status, io);
  const absl::string_view message = status.message();
  Fail(absl::Status(status.code(), message.substr(0, message.find('\n'))), io);
  io.err << ProblemLines(problems);
  return kExitError;
}

int SchoolCreate(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.CreateSchool(p.positionals[0]), p, io,
              [&](const v1::School& s) {
                io.out << "created school " << s.school_id() << " ("
                       << EscapeUnprintable(s.name()) << ")\n";
              });
}

int SchoolList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return ShowList(
      c.ListSchools(), p, io,
      [](const auto& r) -> const auto& { return r.schools(); },
      [&](const v1::ListSchoolsResponse& r) {
        PrintSchools({r.schools().begin(), r.schools().end()}, io.out);
      });
}

int SchoolGet(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.GetSchool(p.positionals[0]), p, io,
              [&](const v1::School& s) { PrintSchools({s}, io.out); });
}

int LearnerCreate(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::CreateLearnerRequest req;
  req.set_school_id(p.Get("school"));
  v1::Learner* l = req.mutable_learner();
  l->set_legal_forename(p.Get("forename"));
  l->set_legal_surname(p.Get("surname"));
  l->set_preferred_forename(p.Get("preferred-forename"));
  l->set_preferred_surname(p.Get("preferred-surname"));
  l->set_date_of_birth(p.Get("dob"));
  l->set_gender(p.Get("gender"));
  l->set_upn(p.Get("upn"));
  l->set_year_group(p.Get("year"));
  l->set_registration_group(p.Get("reg-group"));
  for (const std::string& cls : p.All("class")) l->add_classes(cls);
  l->set_email(p.Get("email"));
  req.set_request_id(RequestIdOf(p));
  auto created =
      WithRetries(req.request_id(), io, [&] { return c.CreateLearner(req); });
  return Show(created, p, io, [&](const v1::Learner& out) {
    io.out << "created learner " << out.learner_id() << " ("
           << EscapeUnprintable(out.legal_forename()) << " "
           << EscapeUnprintable(out.legal_surname()) << ")\n";
  });
}

int LearnerImport(const Parsed& p, client::HubsyncClient& c, Io& io) {
  absl::StatusOr<std::string> csv = ReadFileToString(p.positionals[0]);
  if (!csv.ok()) return Fail(csv.status(), io);
  v1::ImportLearnersRequest first;
  first.set_request_id(RequestIdOf(p));
  first.set_ignore_unknown_columns(p.Has("ignore-unknown-columns"));
  v1::UploadProblems problems;
  auto r = WithRetries(first.request_id(), io, [&] {
    problems.Clear();
    return c.ImportLearners(p.Get("school"), *csv, &problems, first);
  });
  if (!r.ok()) return FailWithProblems(r.status(), problems, io);
  return Show(r, p, io, [&](const v1::ImportLearnersResponse& out) {
    io.out << "imported " << out.created() << " hand-made learner(s)\n";
  });
}

int LearnerList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListLearnersRequest req;
  req.set_school_id(p.Get("school"));
  req.set_archived(p.Has("archived"));
  size_t total = 0;
  const int code = ShowPages(
      req, [&](const v1::ListLearnersRequest& r) { return c.ListLearners(r); },
      p, io, [](const auto& r) -> const auto& { return r.learners(); },
      [&](const v1::ListLearnersResponse& r, bool first) {
        PrintLearnerRows({r.learners().begin(), r.learners().end()}, first,
                         io.out);
        total += static_cast<size_t>(r.learners_size());
      });
  if (code == kExitOk && !p.globals.json) {
    io.out << total << (p.Has("archived") ? " archived" : "")
           << " learner(s)\n";
  }
  return code;
}

// learner edit's flags (named as learner create's) and the Learner fields
// they set.
struct EditFlag {
  const char* flag;
  const char* field;
  void (v1::Learner::*set)(const std::string&);
};
const EditFlag kEditFlags[] = {
    {"forename", "legal_forename", &v1::Learner::set_legal_forename},
    {"surname", "legal_surname", &v1::Learner::set_legal_surname},
    {"preferred-forename", "preferred_forename",
     &v1::Learner::set_preferred_forename},
    {"preferred-surname", "preferred_surname",
     &v1::Learner::set_preferred_surname},
    {"dob", "date_of_birth", &v1::Learner::set_date_of_birth},
    {"gender", "gender", &v1::Learner::set_gender},
    {"upn", "upn", &v1::Learner::set_upn},
    {"year", "year_group", &v1::Learner::set_year_group},
    {"reg-group", "registration_group", &v1::Learner::set_registration_group},
    {"email", "email", &v1::Learner::set_email},
};

// "what LEARNER_ID (Forename Surname)" on io.out, as learner create says it.
void SayLearner(const char* what, const v1::Learner& l, Io& io) {
  io.out << what << " learner " << l.learner_id() << " ("
         << EscapeUnprintable(l.legal_forename()) << " "
         << EscapeUnprintable(l.legal_surname()) << ")\n";
}

int LearnerEdit(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::UpdateLearnerRequest req;
  req.mutable_learner()->set_learner_id(p.positionals[0]);
  for (const EditFlag& f : kEditFlags) {
    if (!p.Has(f.flag)) continue;
    (req.mutable_learner()->*f.set)(p.Get(f.flag));
    req.mutable_update_mask()->add_paths(f.field);
  }
  if (req.update_mask().paths().empty()) {
    return Fail(absl::InvalidArgumentError(
                    "nothing to change: give at least one field flag "
                    "(--forename, --year, ...; an empty value clears it)"),
                io);
  }
  return Show(c.UpdateLearner(req), p, io, [&](const v1::Learner& l) {
    SayLearner("updated", l, io);
    PrintLearners({l}, io.out);
  });
}

// Archives or restores each LEARNER_ID in turn, stopping at the first that
// fails (those before it stay done, and were printed).
template <typename Call>
int EachLearner(const Parsed& p, Io& io, const char* what, Call call) {
  for (const std::string& id : p.positionals) {
    const int code = Show(call(id), p, io, [&](const v1::Learner& l) {
      SayLearner(what, l, io);
    });
    if (code != kExitOk) return code;
  }
  return kExitOk;
}

int LearnerArchive(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return EachLearner(p, io, "archived", [&](const std::string& id) {
    return c.ArchiveLearner(id);
  });
}

int LearnerRestore(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return EachLearner(p, io, "restored", [&](const std::string& id) {
    return c.RestoreLearner(id);
  });
}

int LearnerUnlink(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.UnlinkLearner(p.positionals[0]), p, io,
              [&](const v1::Learner& l) {
                SayLearner("unlinked", l, io);
                io.out << "it is hand-made now; its MIS record is free for "
                          "the next sync\n";
              });
}

// CSV of the school's hub learners, to stdout or --output FILE, with
// formula-like values neutralised (csv_export.h), written page by page as
// the pages arrive. A file is written beside its name and renamed into place
// once every page is in it: a failed export leaves no partial file.
int LearnerExport(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListLearnersRequest req;
  req.set_school_id(p.Get("school"));
  const bool to_file = p.Has("output");
  const std::string path = p.Get("output");
  const std::string partial = path + ".partial";
  std::ofstream file;
  if (to_file) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Fail(absl::UnavailableError(absl::StrCat("cannot write ", path)),
                  io);
    }
  }
  std::ostream& out = to_file ? static_cast<std::ostream&>(file) : io.out;
  out << LearnersCsvHeader();
  size_t total = 0;
  absl::Status s = client::ForEachPage(
      req, [&](const v1::ListLearnersRequest& r) { return c.ListLearners(r); },
      [&](const v1::ListLearnersResponse& page) {
        out << LearnersCsvRows(
            {page.learners().begin(), page.learners().end()});
        out.flush();
        total += static_cast<size_t>(page.learners_size());
        return out ? absl::OkStatus()
                   : absl::UnavailableError(absl::StrCat(
                         "cannot write ", to_file ? path : "stdout"));
      });
  if (!to_file) return s.ok() ? kExitOk : Fail(s, io);
  file.close();
  if (s.ok() && !file) {
    s = absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  if (s.ok() && std::rename(partial.c_str(), path.c_str()) != 0) {
    s = absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  if (!s.ok()) {
    std::remove(partial.c_str());
    return Fail(s, io);
  }
  io.err << "wrote " << total << " learner(s) to " << path << "\n";
  return kExitOk;
}

int LearnerGet(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.GetLearner(p.positionals[0]), p, io,
              [&](const v1::Learner& l) { PrintLearners({l}, io.out); });
}

int ClassList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListClassesRequest req;
  req.set_school_id(p.Get("school"));
  return ShowPages(
      req, [&](const v1::ListClassesRequest& r) { return c.ListClasses(r); }, p,
      io, [](const auto& r) -> const auto& { return r.classes(); },
      [&](const v1::ListClassesResponse& r, bool first) {
        PrintClasses(r, io.out, first);
      });
}

int MisUpload(const Parsed& p, client::HubsyncClient& c, Io& io) {
  const std::string format = p.Get("format");
  v1::MisFormat f;
  if (format == "oneroster") {
    f = v1::MIS_FORMAT_ONEROSTER;
  } else if (format == "plain") {
    f = v1::MIS_FORMAT_PLAIN_CSV;
  } else {
    return Usage(
        p, absl::StrCat("--format '", format, "' is not oneroster or plain"),
        io);
  }
  auto files = CollectFiles(p.positionals);
  if (!files.ok()) return Fail(files.status(), io);
  v1::UploadProblems problems;
  auto r = c.UploadMisExport(p.Get("school"), f, *files, &problems,
                             p.Has("allow-empty"));
  if (!r.ok()) return FailWithProblems(r.status(), problems, io);
  return Show(r, p, io, [&](const v1::MisSnapshot& s) {
    io.out << "stored snapshot " << s.snapshot_id() << ": " << s.learner_count()
           << " learner(s), " << s.class_count() << " class(es)\n";
  });
}

int MisSnapshots(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListSnapshotsRequest req;
  req.set_school_id(p.Get("school"));
  return ShowPages(
      req,
      [&](const v1::ListSnapshotsRequest& r) { return c.ListSnapshots(r); }, p,
      io, [](const auto& r) -> const auto& { return r.snapshots(); },
      [&](const v1::ListSnapshotsResponse& r, bool first) {
        PrintSnapshots({r.snapshots().begin(), r.snapshots().end()}, io.out,
                       first);
      });
}

int MisLearners(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return ShowList(
      c.ListMisLearners(p.positionals[0]), p, io,
      [](const auto& r) -> const auto& { return r.learners(); },
      [&](const v1::ListMisLearnersResponse& r) {
        PrintMisLearners(r, io.out);
      });
}

int AuditList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  v1::ListAuditRecordsRequest req;
  req.set_school_id(p.Get("school"));
  req.set_session_id(p.Get("session"));
  req.set_learner_id(p.Get("learner"));
  return ShowPages(
      req,
      [&](const v1::ListAuditRecordsRequest& r) {
        return c.ListAuditRecords(r);
      },
      p, io, [](const auto& r) -> const auto& { return r.records(); },
      [&](const v1::ListAuditRecordsResponse& r, bool first) {
        PrintAudit(r, io.out, first);
      });
}

FlagSpec RequestIdFlag() {
  return {.name = "request-id",
          .kind = FlagKind::kString,
          .value = "ID",
          .help =
              "apply at most once: a retry with the same id creates "
              "nothing new (default: a new id for each run, reused by "
              "its own retries)"};
}

}  // namespace

std::vector<Command> RecordCommands() {
  FlagSpec klass =
      StringFlag("class", "NAME", "subject class name (repeatable)");
  klass.repeated = true;
  return {
      {{.path = "school create",
        .positionals = {"NAME"},
        .summary = "Create a school.",
        .example = "hubsync school create 'Riverside Academy'"},
       SchoolCreate},
      {{.path = "school list",
        .summary = "List schools.",
        .example = "hubsync school list"},
       SchoolList},
      {{.path = "school get",
        .positionals = {"SCHOOL_ID"},
        .summary = "Show one school.",
        .example = "hubsync school get sch_0123456789abcdef"},
       SchoolGet},
      {{.path = "learner create",
        .flags = {SchoolFlag(),
                  StringFlag("forename", "F", "legal forename", true),
                  StringFlag("surname", "S", "legal surname", true),
                  StringFlag("preferred-forename", "F", "preferred forename"),
                  StringFlag("preferred-surname", "S", "preferred surname"),
                  StringFlag("dob", "YYYY-MM-DD", "date of birth"),
                  StringFlag("gender", "G", "gender"),
                  StringFlag("upn", "UPN", "Unique Pupil Number"),
                  StringFlag("year", "Y", "year group: N1, N2, R, 1 .. 13"),
                  StringFlag("reg-group", "G", "registration group name"),
                  klass, StringFlag("email", "ADDRESS", "email address"),
                  RequestIdFlag()},
        .summary =
            "Create a hand-made hub learner (unsynced).\n"
            "While the server is unavailable the command tries again (4\n"
            "attempts) with the same request id, so it is created once.",
        .example = "hubsync learner create --school sch_... --forename Ellie "
                   "--surname Moss "
                   "--year 7 --reg-group 7A --class 7x/Ma1"},
       LearnerCreate},
      {{.path = "learner import",
        .positionals = {"FILE.csv"},
        .flags = {SchoolFlag(),
                  {.name = "ignore-unknown-columns",
                   .help = "leave columns the hub CSV does not read unread "
                           "(without it each is a problem)"},
                  RequestIdFlag()},
        .summary =
            "Bulk-create hand-made hub learners from a CSV.\n"
            "The CSV's columns are described in docs/FORMATS.md; any other\n"
            "column is a problem unless --ignore-unknown-columns.\n"
            "All rows are created or, on any problem, none; each problem is\n"
            "printed as file:line:column: message. While the server is\n"
            "unavailable the command tries again (4 attempts) with the same\n"
            "request id, so the file is imported once.",
        .example = "hubsync learner import --school sch_... hub_seed.csv"},
       LearnerImport},
      {{.path = "learner list",
        .flags = {SchoolFlag(),
                  {.name = "archived",
                   .help = "list the archived learners instead (those "
                           "learner restore can bring back)"}},
        .summary = "List a school's hub learners.",
        .example = "hubsync learner list --school sch_..."},
       LearnerList},
      {{.path = "learner edit",
        .positionals = {"LEARNER_ID"},
        .flags = {StringFlag("forename", "F", "legal forename"),
                  StringFlag("surname", "S", "legal surname"),
                  StringFlag("preferred-forename", "F", "preferred forename"),
                  StringFlag("preferred-surname", "S", "preferred surname"),
                  StringFlag("dob", "YYYY-MM-DD", "date of birth"),
                  StringFlag("gender", "G", "gender"),
                  StringFlag("upn", "UPN", "Unique Pupil Number"),
                  StringFlag("year", "Y", "year group: N1, N2, R, 1 .. 13"),
                  StringFlag("reg-group", "G", "registration group name"),
                  StringFlag("email", "ADDRESS", "email address")},
        .summary =
            "Change fields of a hub learner (only the flags given).\n"
            "A hand-made learner: any of them. A learner linked to the MIS\n"
            "(synced or desynced): only --email; the MIS owns the others\n"
            "(change them in the MIS and sync, or unlink the learner first).",
        .example = "hubsync learner edit lrn_0123456789abcdef --year 8 "
                   "--reg-group 8A"},
       LearnerEdit},
      {{.path = "learner archive",
        .positionals = {"LEARNER_ID"},
        .rest = "LEARNER_ID",
        .summary =
            "Archive (delete) hub learners; learner restore undoes it.\n"
            "Each, one after another, leaves every list, class and sync\n"
            "session, and can be restored until the server purges it\n"
            "(hubsyncd --retention-days, default 90).\n"
            "A learner linked to the MIS is unlinked: its MIS record shows\n"
            "as New at the next sync. Stops at the first that fails.",
        .example = "hubsync learner archive lrn_0123456789abcdef"},
       LearnerArchive},
      {{.path = "learner restore",
        .positionals = {"LEARNER_ID"},
        .rest = "LEARNER_ID",
        .summary = "Bring archived learners back, with their classes.\n"
                   "learner list --archived shows what can be restored.",
        .example = "hubsync learner restore lrn_0123456789abcdef"},
       LearnerRestore},
      {{.path = "learner unlink",
        .positionals = {"LEARNER_ID"},
        .summary = "Unlink a synced or desynced learner from its MIS record.\n"
                   "It becomes hand-made, its fields and classes kept as they\n"
                   "are; its MIS record is free again at the next sync (New,\n"
                   "unless it pairs with a hand-made learner).",
        .example = "hubsync learner unlink lrn_0123456789abcdef"},
       LearnerUnlink},
      {{.path = "learner export",
        .flags = {SchoolFlag(),
                  StringFlag("output", "FILE", "write to FILE, not stdout")},
        .summary =
            "Write a school's hub learners as CSV (UTF-8, CRLF).\n"
            "A value starting with =, +, -, @, tab or carriage return is\n"
            "written quoted with a leading apostrophe ('=SUM(A1)) so that a\n"
            "spreadsheet shows it as text and never runs it as a formula.",
        .example =
            "hubsync learner export --school sch_... --output learners.csv"},
       LearnerExport},
      {{.path = "learner get",
        .positionals = {"LEARNER_ID"},
        .summary = "Show one hub learner.",
        .example = "hubsync learner get lrn_0123456789abcdef"},
       LearnerGet},
      {{.path = "class list",
        .flags = {SchoolFlag()},
        .summary = "List a school's hub classes (registration groups and "
                   "subject classes).",
        .example = "hubsync class list --school sch_..."},
       ClassList},
      {{.path = "mis upload",
        .positionals = {"FILE_OR_DIR"},
        .rest = "FILE_OR_DIR",
        .flags = {SchoolFlag(),
                  StringFlag("format", "oneroster|plain", "export format",
                             true),
                  {.name = "allow-empty",
                   .help = "store an export with no learners (refused "
                           "without it: a sync would desync everyone)"}},
        .summary =
            "Upload a MIS export (OneRoster CSV set or plain learner CSV).\n"
            "A directory uploads every *.csv in it, by base name.\n"
            "A rejected export stores nothing; each problem is printed as\n"
            "file:line:column: message.",
        .example = "hubsync mis upload --school sch_... --format oneroster "
                   "exports/term1"},
       MisUpload},
      {{.path = "mis snapshots",
        .flags = {SchoolFlag()},
        .summary = "List a school's stored MIS snapshots.",
        .example = "hubsync mis snapshots --school sch_..."},
       MisSnapshots},
      {{.path = "mis learners",
        .positionals = {"SNAPSHOT_ID"},
        .summary = "List the learners in a MIS snapshot.",
        .example = "hubsync mis learners snp_0123456789abcdef"},
       MisLearners},
      {{.path = "audit list",
        .flags = {SchoolFlag(),
                  {.name = "session",
                   .kind = FlagKind::kString,
                   .value = "SESSION",
                   .help = "only what happened in this session"},
                  {.name = "learner",
                   .kind = FlagKind::kString,
                   .value = "LEARNER_ID",
                   .help = "only this learner's records"}},
        .summary =
            "List the audit trail: which API key (label, role, id) did\n"
            "what, when, to which record: learners (create, link, refresh,\n"
            "import, desync), session edits with their rows, class sync,\n"
            "schools and keys; and what went from what to what. --json\n"
            "gives the whole before and after.",
        .example = "hubsync audit list --school sch_... --learner lrn_..."},
       AuditList},
  };
}

}  // namespace hubsync::cli
