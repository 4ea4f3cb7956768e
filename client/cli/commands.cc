// Commands on records: schools, learners, classes, MIS data, emails, audit.
#include "client/cli/commands.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/render.h"

namespace hubsync::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read file ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Files named on the command line; a directory stands for its *.csv files.
absl::StatusOr<std::vector<client::UploadFile>> CollectFiles(
    const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) return absl::NotFoundError(absl::StrCat("no such file ", p));
    if (S_ISDIR(st.st_mode)) {
      DIR* dir = opendir(p.c_str());
      if (dir == nullptr) return absl::NotFoundError(absl::StrCat("cannot read directory ", p));
      std::vector<std::string> found;
      while (dirent* e = readdir(dir)) {
        std::string name = e->d_name;
        if (absl::EndsWithIgnoreCase(name, ".csv")) found.push_back(p + "/" + name);
      }
      closedir(dir);
      std::sort(found.begin(), found.end());
      if (found.empty()) return absl::NotFoundError(absl::StrCat("no .csv files in ", p));
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(p);
    }
  }
  std::vector<client::UploadFile> out;
  for (const std::string& f : files) {
    absl::StatusOr<std::string> data = ReadFile(f);
    if (!data.ok()) return data.status();
    out.push_back({BaseName(f), *std::move(data)});
  }
  return out;
}

void PrintProblems(const v1::UploadProblems& problems, Io& io) {
  for (const auto& p : problems.problems()) {
    io.err << p.file() << ":" << p.line() << ":" << p.column() << ": " << p.message() << "\n";
  }
}

int SchoolCreate(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.CreateSchool(p.positionals[0]), p, io, [&](const v1::School& s) {
    io.out << "created school " << s.school_id() << " (" << s.name() << ")\n";
  });
}

int SchoolList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListSchools();
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& s : r->schools()) io.out << JsonLineOf(s) << "\n";
  } else {
    PrintSchools({r->schools().begin(), r->schools().end()}, io.out);
  }
  return 0;
}

int SchoolGet(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.GetSchool(p.positionals[0]), p, io, [&](const v1::School& s) {
    PrintSchools({s}, io.out);
  });
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
  return Show(c.CreateLearner(req), p, io, [&](const v1::Learner& out) {
    io.out << "created learner " << out.learner_id() << " (" << out.legal_forename() << " "
           << out.legal_surname() << ")\n";
  });
}

int LearnerImport(const Parsed& p, client::HubsyncClient& c, Io& io) {
  absl::StatusOr<std::string> csv = ReadFile(p.positionals[0]);
  if (!csv.ok()) return Fail(csv.status(), io);
  v1::UploadProblems problems;
  auto r = c.ImportLearners(p.Get("school"), *csv, &problems);
  if (!r.ok()) {
    Fail(r.status(), io);
    PrintProblems(problems, io);
    return 1;
  }
  return Show(r, p, io, [&](const v1::ImportLearnersResponse& out) {
    io.out << "imported " << out.created() << " hand-made learner(s)\n";
  });
}

int LearnerList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListLearners(p.Get("school"));
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& l : r->learners()) io.out << JsonLineOf(l) << "\n";
  } else {
    PrintLearners({r->learners().begin(), r->learners().end()}, io.out);
  }
  return 0;
}

int LearnerGet(const Parsed& p, client::HubsyncClient& c, Io& io) {
  return Show(c.GetLearner(p.positionals[0]), p, io,
              [&](const v1::Learner& l) { PrintLearners({l}, io.out); });
}

int ClassList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListClasses(p.Get("school"));
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& cl : r->classes()) io.out << JsonLineOf(cl) << "\n";
  } else {
    PrintClasses(*r, io.out);
  }
  return 0;
}

int MisUpload(const Parsed& p, client::HubsyncClient& c, Io& io) {
  const std::string format = p.Get("format", "oneroster");
  v1::MisFormat f;
  if (format == "oneroster") {
    f = v1::MIS_FORMAT_ONEROSTER;
  } else if (format == "plain") {
    f = v1::MIS_FORMAT_PLAIN_CSV;
  } else {
    io.err << "error: --format must be oneroster or plain, not '" << format << "'\n";
    return 2;
  }
  auto files = CollectFiles(p.positionals);
  if (!files.ok()) return Fail(files.status(), io);
  v1::UploadProblems problems;
  auto r = c.UploadMisExport(p.Get("school"), f, *files, &problems);
  if (!r.ok()) {
    Fail(r.status(), io);
    PrintProblems(problems, io);
    return 1;
  }
  return Show(r, p, io, [&](const v1::MisSnapshot& s) {
    io.out << "stored snapshot " << s.snapshot_id() << ": " << s.learner_count()
           << " learner(s), " << s.class_count() << " class(es)\n";
  });
}

int MisSnapshots(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListSnapshots(p.Get("school"));
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& s : r->snapshots()) io.out << JsonLineOf(s) << "\n";
  } else {
    PrintSnapshots({r->snapshots().begin(), r->snapshots().end()}, io.out);
  }
  return 0;
}

int MisLearners(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListMisLearners(p.positionals[0]);
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& l : r->learners()) io.out << JsonLineOf(l) << "\n";
  } else {
    PrintMisLearners(*r, io.out);
  }
  return 0;
}

int EmailsList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListVerificationEmails(p.Get("school"));
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& e : r->emails()) io.out << JsonLineOf(e) << "\n";
  } else {
    PrintEmails(*r, io.out);
  }
  return 0;
}

int AuditList(const Parsed& p, client::HubsyncClient& c, Io& io) {
  auto r = c.ListAuditRecords(p.Get("school"));
  if (!r.ok()) return Fail(r.status(), io);
  if (p.globals.json) {
    for (const auto& a : r->records()) io.out << JsonLineOf(a) << "\n";
  } else {
    PrintAudit(*r, io.out);
  }
  return 0;
}

const FlagSpec kSchool{"school", true, "school id (required)"};

}  // namespace

int Fail(const absl::Status& status, Io& io) {
  io.err << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
         << "\n";
  return 1;
}

std::string JsonLineOf(const google::protobuf::Message& m) { return JsonLine(m); }

std::vector<Command> RecordCommands() {
  return {
      {{"school create", {"NAME"}, false, {}, "Create a school.",
        "hubsync school create 'Riverside Academy'"},
       SchoolCreate},
      {{"school list", {}, false, {}, "List schools.", "hubsync school list"}, SchoolList},
      {{"school get", {"SCHOOL_ID"}, false, {}, "Show one school.", "hubsync school get sch_..."},
       SchoolGet},
      {{"learner create",
        {},
        false,
        {kSchool,
         {"forename", true, "legal forename (required)"},
         {"surname", true, "legal surname (required)"},
         {"preferred-forename", true, "preferred forename"},
         {"preferred-surname", true, "preferred surname"},
         {"dob", true, "date of birth YYYY-MM-DD"},
         {"gender", true, "gender"},
         {"upn", true, "Unique Pupil Number"},
         {"year", true, "year group (N1, N2, R, 1-13)"},
         {"reg-group", true, "registration group name"},
         {"class", true, "subject class name (repeatable)"},
         {"email", true, "email address"}},
        "Create a hand-made hub learner (unsynced).",
        "hubsync learner create --school sch_... --forename Ellie --surname Moss --year 7"},
       LearnerCreate},
      {{"learner import", {"FILE.csv"}, false, {kSchool},
        "Bulk-create hand-made hub learners from a CSV (see docs/FORMATS.md); all or none.",
        "hubsync learner import --school sch_... hub_seed.csv"},
       LearnerImport},
      {{"learner list", {}, false, {kSchool}, "List a school's hub learners.",
        "hubsync learner list --school sch_..."},
       LearnerList},
      {{"learner get", {"LEARNER_ID"}, false, {}, "Show one hub learner.",
        "hubsync learner get lrn_..."},
       LearnerGet},
      {{"class list", {}, false, {kSchool}, "List a school's hub classes.",
        "hubsync class list --school sch_..."},
       ClassList},
      {{"mis upload",
        {"FILE_OR_DIR"},
        true,
        {kSchool, {"format", true, "oneroster (default) or plain"}},
        "Upload a MIS export; a directory uploads every *.csv in it. A bad export lists\n"
        "every problem as file:line:column and stores nothing.",
        "hubsync mis upload --school sch_... --format oneroster scripts/demo_data/term1"},
       MisUpload},
      {{"mis snapshots", {}, false, {kSchool}, "List a school's stored MIS snapshots.",
        "hubsync mis snapshots --school sch_..."},
       MisSnapshots},
      {{"mis learners", {"SNAPSHOT_ID"}, false, {}, "List the learners in a MIS snapshot.",
        "hubsync mis learners snp_..."},
       MisLearners},
      {{"emails list", {}, false, {kSchool}, "List queued verification emails.",
        "hubsync emails list --school sch_..."},
       EmailsList},
      {{"audit list", {}, false, {kSchool}, "List the audit trail of saves.",
        "hubsync audit list --school sch_..."},
       AuditList},
  };
}

const std::vector<Command>& AllCommands() {
  static const auto* all = [] {
    auto* v = new std::vector<Command>(RecordCommands());
    for (Command& c : SyncCommands()) v->push_back(std::move(c));
    return v;
  }();
  return *all;
}

}  // namespace hubsync::cli
