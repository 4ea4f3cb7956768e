#include "common/oneroster_manifest.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/import_checks.h"

namespace hubsync {
namespace {

constexpr char kManifest[] = "manifest.csv";

// The files ParseOneRoster reads. users.csv is required whatever the
// manifest says (and reported as missing on its own), but its mode counts.
constexpr const char* kReadFiles[] = {"users",       "roles",        "classes",
                                      "enrollments", "demographics", "orgs"};

bool IsReadFile(std::string_view name) {
  for (const char* f : kReadFiles) {
    if (name == f) return true;
  }
  return false;
}

}  // namespace

std::string ReadOneRosterManifest(const UploadFiles& files,
                                  std::vector<Problem>* problems) {
  auto it = files.find(kManifest);
  if (it == files.end()) {
    problems->push_back({kManifest, 0, 0, "required file is missing"});
    return "";
  }
  const size_t before = problems->size();
  const CsvTable table = ParseCsv(kManifest, it->second, problems);
  if (problems->size() != before) return "";
  const int name_col = table.Column("propertyName");
  const int value_col = table.Column("value");
  for (const char* column : {"propertyName", "value"}) {
    if (table.Column(column) < 0) {
      problems->push_back(
          {kManifest, 1, 0,
           absl::StrCat("missing required column '", column, "'")});
    }
  }
  if (problems->size() != before) return "";

  std::string version;
  bool version_ok = false;
  for (const CsvRecord& r : table.records) {
    const std::string& name = r.fields[name_col];
    const std::string& value = r.fields[value_col];
    auto report = [&](std::string message) {
      problems->push_back(
          {kManifest, r.line, value_col + 1, std::move(message)});
    };
    if (name == "oneroster.version") {
      version = value;
      version_ok = value == "1.1" || value == "1.2";
      if (!version_ok) {
        report(
            absl::StrCat("oneroster.version '", value, "' is not 1.1 or 1.2"));
      }
      continue;
    }
    if (!absl::StartsWith(Av(name), "file.")) continue;
    const std::string mode = absl::AsciiStrToLower(Av(value));
    if (mode != "bulk" && mode != "delta" && mode != "absent") {
      report(absl::StrCat(name, " is '", value,
                          "': expected bulk, delta or absent"));
      continue;
    }
    const std::string file = name.substr(5);
    // A delta holds only the changes: read as the whole roster it would make
    // every learner it leaves out look like a leaver and desync them.
    if (mode == "delta" && IsReadFile(file)) {
      report(absl::StrCat(name,
                          " is delta: hubsync needs the whole roster; "
                          "export ",
                          file, ".csv as bulk"));
      continue;
    }
    if (mode != "absent" && IsReadFile(file) && file != "users" &&
        files.find(file + ".csv") == files.end()) {
      report(absl::StrCat("the manifest lists ", file, ".csv as ", mode,
                          ", but it was not uploaded"));
    }
  }
  if (version.empty()) {
    problems->push_back({kManifest, 0, 0, "oneroster.version is missing"});
  }
  return version_ok ? version : "";
}

}  // namespace hubsync
