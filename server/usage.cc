#include "server/usage.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/version.h"

namespace hubsync {
namespace {

// "--max-upload-bytes=N": the documented spelling and the kind of value.
std::string FlagUsage(const absl::CommandLineFlag& flag) {
  std::string out =
      absl::StrCat("--", absl::StrReplaceAll(flag.Name(), {{"_", "-"}}));
  if (flag.IsOfType<bool>()) return out;
  if (flag.IsOfType<std::string>()) return absl::StrCat(out, "=TEXT");
  if (flag.IsOfType<double>()) return absl::StrCat(out, "=NUMBER");
  return absl::StrCat(out, "=N");
}

std::string Help(absl::string_view flags_file) {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // Filename() may be normalised (a leading '/' dropped): a suffix.
    if (!flag->IsRetired() && !flag->Filename().empty() &&
        absl::EndsWith(flags_file, flag->Filename())) {
      flags.push_back(flag);
    }
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  std::string out =
      absl::StrCat("usage: ", absl::ProgramUsageMessage(), "\n\nflags:\n");
  for (const absl::CommandLineFlag* flag : flags) {
    absl::StrAppend(&out, "  ", FlagUsage(*flag), "\n      ", flag->Help());
    const std::string def = flag->DefaultValue();
    if (!def.empty() && !(flag->IsOfType<bool>() && def == "false")) {
      absl::StrAppend(&out, " (default: ", def, ")");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(
      &out,
      "  --help\n      print this help and exit\n"
      "  --version\n      print the version and the git commit, and exit\n"
      "\nFlags may also be spelled with '_' (--tls_cert) and given as "
      "--flag=value or --flag value.\n");
  return out;
}

}  // namespace

int PrintHelpOrVersion(int argc, char** argv, absl::string_view flags_file) {
  // What Abseil's own --helpshort, --help=SUBSTRING and --version print.
  absl::FlagsUsageConfig config;
  const std::string file(flags_file);
  config.contains_help_flags = [file](absl::string_view f) {
    return !f.empty() && absl::EndsWith(file, f);
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.version_string = [] { return VersionLine("hubsyncd") + "\n"; };
  absl::SetFlagsUsageConfig(config);
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      std::fputs(Help(flags_file).c_str(), stdout);
      return 0;
    }
    if (arg == "--version" || arg == "-version") {
      std::printf("%s\n", VersionLine("hubsyncd").c_str());
      return 0;
    }
  }
  return -1;
}

}  // namespace hubsync
