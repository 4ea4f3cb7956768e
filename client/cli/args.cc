#include "client/cli/args.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace hubsync::cli {
namespace {

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"server", true, "HOST:PORT of hubsyncd (default $HUBSYNC_SERVER or 127.0.0.1:50051)"},
      {"json", false, "print JSON Lines (one message per line) instead of tables"},
      {"timeout", true, "seconds to wait for each call (default 30)"},
      {"help", false, "show help"},
  };
  return *flags;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags, const std::string& name) {
  for (const FlagSpec& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

std::string Parsed::Get(const std::string& flag, const std::string& def) const {
  auto it = flags.find(flag);
  return it == flags.end() || it->second.empty() ? def : it->second.back();
}

std::vector<std::string> Parsed::All(const std::string& flag) const {
  std::vector<std::string> out;
  auto it = flags.find(flag);
  if (it == flags.end()) return out;
  for (const std::string& v : it->second) {
    for (absl::string_view p : absl::StrSplit(v, ',', absl::SkipEmpty())) {
      out.push_back(std::string(p));
    }
  }
  return out;
}

std::string Parse(const std::vector<std::string>& args,
                  const std::vector<CommandSpec>& commands,
                  const std::string& default_server, Parsed* out) {
  out->globals.server = default_server;
  std::vector<std::string> words;  // everything that is not a global flag
  std::vector<std::pair<std::string, std::string>> flag_tokens;
  // First pass: pull out global flags wherever they are.
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      rest.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagSpec* g = FindFlag(GlobalFlags(), name);
    if (g == nullptr) {
      rest.push_back(a);
      continue;
    }
    if (g->takes_value && !has_value) {
      if (i + 1 >= args.size()) return absl::StrCat("--", name, " needs a value");
      value = args[++i];
    }
    if (name == "server") out->globals.server = value;
    if (name == "json") out->globals.json = true;
    if (name == "help") out->help = true;
    if (name == "timeout" && (!absl::SimpleAtoi(value, &out->globals.timeout_s) ||
                              out->globals.timeout_s <= 0)) {
      return absl::StrCat("--timeout '", value, "' is not a positive number of seconds");
    }
  }
  if (rest.empty() || rest[0] == "help") {
    out->command = nullptr;
    return "";
  }
  // The command: the longest path that matches the leading words.
  size_t used = 0;
  for (const CommandSpec& c : commands) {
    std::vector<std::string> path = absl::StrSplit(c.path, ' ');
    if (path.size() > rest.size() || path.size() <= used) continue;
    if (std::equal(path.begin(), path.end(), rest.begin())) {
      out->command = &c;
      used = path.size();
    }
  }
  if (out->command == nullptr) {
    std::string group = rest[0];
    bool known_group = std::any_of(commands.begin(), commands.end(), [&](const CommandSpec& c) {
      return c.path.rfind(group + " ", 0) == 0;
    });
    if (known_group && rest.size() == 1) return absl::StrCat("'", group, "' needs a subcommand");
    return absl::StrCat("unknown command '",
                        known_group && rest.size() > 1 ? group + " " + rest[1] : group,
                        "'; run 'hubsync --help' for the list");
  }
  if (out->help) return "";
  const CommandSpec& spec = *out->command;
  for (size_t i = used; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a.substr(2), value;
      bool has_value = false;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        has_value = true;
      }
      const FlagSpec* f = FindFlag(spec.flags, name);
      if (f == nullptr) {
        return absl::StrCat("unknown flag --", name, " for 'hubsync ", spec.path, "'");
      }
      if (f->takes_value && !has_value) {
        if (i + 1 >= rest.size()) return absl::StrCat("--", name, " needs a value");
        value = rest[++i];
      } else if (!f->takes_value && has_value) {
        return absl::StrCat("--", name, " takes no value");
      }
      out->flags[name].push_back(value);
    } else {
      out->positionals.push_back(a);
    }
  }
  if (out->positionals.size() < spec.positionals.size()) {
    return absl::StrCat("missing ", spec.positionals[out->positionals.size()],
                        " for 'hubsync ", spec.path, "'");
  }
  if (!spec.more_positionals && out->positionals.size() > spec.positionals.size()) {
    return absl::StrCat("unexpected argument '", out->positionals[spec.positionals.size()],
                        "' for 'hubsync ", spec.path, "'");
  }
  return "";
}

std::string CommandHelp(const CommandSpec& spec) {
  std::string usage = absl::StrCat("usage: hubsync [--server HOST:PORT] [--json] ", spec.path);
  for (const std::string& p : spec.positionals) absl::StrAppend(&usage, " ", p);
  if (spec.more_positionals) absl::StrAppend(&usage, " ...");
  if (!spec.flags.empty()) absl::StrAppend(&usage, " [flags]");
  std::string out = absl::StrCat(usage, "\n\n", spec.summary, "\n");
  if (!spec.flags.empty()) {
    absl::StrAppend(&out, "\nflags:\n");
    for (const FlagSpec& f : spec.flags) {
      std::string left = absl::StrCat("  --", f.name, f.takes_value ? " VALUE" : "");
      left.resize(std::max<size_t>(left.size() + 2, 26), ' ');
      absl::StrAppend(&out, left, f.help, "\n");
    }
  }
  absl::StrAppend(&out, "\nglobal flags: --server HOST:PORT, --json, --timeout SECONDS, --help\n");
  if (!spec.example.empty()) absl::StrAppend(&out, "\nexample:\n  ", spec.example, "\n");
  return out;
}

std::string TopLevelHelp(const std::vector<CommandSpec>& commands) {
  std::string out =
      "hubsync: bring the Admin Hub in line with the MIS (client of hubsyncd)\n\n"
      "usage: hubsync [--server HOST:PORT] [--json] [--timeout S] COMMAND [ARGS] [--help]\n\n"
      "commands:\n";
  for (const CommandSpec& c : commands) {
    std::string left = absl::StrCat("  ", c.path);
    left.resize(std::max<size_t>(left.size() + 2, 22), ' ');
    absl::StrAppend(&out, left, c.summary.substr(0, c.summary.find('\n')), "\n");
  }
  absl::StrAppend(&out,
                  "\nglobal flags:\n"
                  "  --server HOST:PORT    hubsyncd address (default $HUBSYNC_SERVER or "
                  "127.0.0.1:50051)\n"
                  "  --json                JSON Lines output, one message per line\n"
                  "  --timeout SECONDS     deadline of each call (default 30)\n"
                  "\n'hubsync COMMAND --help' shows a command's arguments and an example.\n"
                  "Errors print 'error: CODE: message' and exit 1; usage errors exit 2.\n");
  return out;
}

}  // namespace hubsync::cli
