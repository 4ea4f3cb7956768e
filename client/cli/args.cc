#include "client/cli/args.h"

#include <algorithm>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace hubsync::cli {
namespace {

const std::vector<FlagSpec>& GlobalFlags() {
  static const auto* flags = new std::vector<FlagSpec>{
      {"server", FlagKind::kString, "HOST:PORT",
       "hubsyncd address (default $HUBSYNC_SERVER, else 127.0.0.1:50051)"},
      {"api-key", FlagKind::kString, "KEY",
       "API key (default $HUBSYNC_API_KEY; prefer the variable: arguments "
       "show in ps)"},
      {"tls-ca", FlagKind::kString, "FILE",
       "TLS: the CA (PEM) that signed the server's certificate; plaintext "
       "without it"},
      {"tls-cert", FlagKind::kString, "FILE",
       "TLS: client certificate (PEM), for servers that require one"},
      {"tls-key", FlagKind::kString, "FILE",
       "TLS: the client certificate's key"},
      {"json", FlagKind::kSwitch, "",
       "JSON Lines output: one JSON object per line"},
      {"timeout", FlagKind::kNumber, "SECONDS",
       "deadline of each call (default 30)"},
      {"help", FlagKind::kSwitch, "", "show help for the command"},
      {"version", FlagKind::kSwitch, "",
       "print the version and the git commit, and exit"},
  };
  return *flags;
}

const FlagSpec* FindFlag(const std::vector<FlagSpec>& flags,
                         const std::string& name) {
  for (const FlagSpec& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Pad(std::string s, size_t width) {
  s.resize(std::max(s.size() + 2, width), ' ');
  return s;
}

std::string FlagUsage(const FlagSpec& f) {
  std::string out = absl::StrCat("--", f.name);
  if (f.kind != FlagKind::kSwitch)
    absl::StrAppend(&out, " ", f.value.empty() ? "VALUE" : f.value);
  if (f.repeated) absl::StrAppend(&out, "...");
  return out;
}

// Splits "--name=value" into its parts; `has_value` says whether '=' was there.
void SplitFlag(const std::string& token, std::string* name, std::string* value,
               bool* has_value) {
  *name = token.substr(2);
  *has_value = false;
  if (size_t eq = name->find('='); eq != std::string::npos) {
    *value = name->substr(eq + 1);
    *name = name->substr(0, eq);
    *has_value = true;
  }
}

// Reads the value of `spec` (from "=value" or the next token) into `value`.
std::string TakeValue(const FlagSpec& spec,
                      const std::vector<std::string>& args, size_t* i,
                      bool has_value, std::string* value) {
  if (spec.kind == FlagKind::kSwitch) {
    return has_value ? absl::StrCat("--", spec.name, " takes no value") : "";
  }
  if (!has_value) {
    if (*i + 1 >= args.size()) {
      return absl::StrCat("--", spec.name, " needs a value (", spec.value, ")");
    }
    *value = args[++*i];
  }
  int64_t n;
  if (spec.kind == FlagKind::kNumber &&
      (!absl::SimpleAtoi(*value, &n) || n < 0)) {
    return absl::StrCat("--", spec.name, " '", *value,
                        "' is not a whole number");
  }
  return "";
}

// Edit distance (insertions, deletions, substitutions and swaps of two
// neighbours each count 1) between two short words.
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] =
          std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The candidate closest to `word`, if it is close enough to be a typo
// (at most a third of the word's letters wrong, at least one allowed),
// else "". A candidate that starts with the word ("learn" for "learner")
// counts as close.
std::string Closest(const std::string& word,
                    const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = Distance(word, c);
    if (word.size() >= 3 && c.rfind(word, 0) == 0) d = 1;
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(const std::string& suggestion) {
  return suggestion.empty() ? ""
                            : absl::StrCat("; did you mean ", suggestion, "?");
}

std::string SuggestFlag(const std::string& name,
                        const std::vector<FlagSpec>& flags) {
  std::vector<std::string> names;
  for (const FlagSpec& f : flags) names.push_back(f.name);
  for (const FlagSpec& f : GlobalFlags()) names.push_back(f.name);
  const std::string best = Closest(name, names);
  return best.empty() ? "" : "--" + best;
}

std::set<std::string> Groups(const std::vector<CommandSpec>& commands) {
  std::set<std::string> groups;
  for (const CommandSpec& c : commands)
    groups.insert(c.path.substr(0, c.path.find(' ')));
  return groups;
}

}  // namespace

std::string ServerTarget(const std::string& server) {
  if (server.rfind("unix:", 0) == 0 || server.rfind("unix-abstract:", 0) == 0)
    return server;
  // "dns:///host" or "dns://authority/host": the host part is after the
  // last '/'.
  size_t host_at = 0;
  if (server.rfind("dns:", 0) == 0) {
    const size_t slash = server.rfind('/');
    host_at = slash == std::string::npos ? 4 : slash + 1;
  }
  const std::string prefix = server.substr(0, host_at);
  const std::string host = server.substr(host_at);
  if (host.empty()) return server;
  if (host.front() == '[') {  // "[::1]" or "[::1]:7000"
    return host.find("]:") == std::string::npos
               ? absl::StrCat(prefix, host, ":", kDefaultPort)
               : server;
  }
  const size_t colons = std::count(host.begin(), host.end(), ':');
  if (colons == 0) return absl::StrCat(prefix, host, ":", kDefaultPort);
  if (colons > 1) {  // a bare IPv6 address
    return absl::StrCat(prefix, "[", host, "]:", kDefaultPort);
  }
  return server;
}

std::string Parsed::Get(const std::string& flag, const std::string& def) const {
  auto it = flags.find(flag);
  return it == flags.end() || it->second.empty() ? def : it->second.back();
}

int64_t Parsed::Number(const std::string& flag, int64_t def) const {
  int64_t n;
  return Has(flag) && absl::SimpleAtoi(Get(flag), &n) ? n : def;
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
  *out = Parsed();
  out->globals.server = default_server;
  // First pass: global flags, wherever they are. "--" ends flag parsing.
  std::vector<std::string> rest;
  size_t end_of_flags = args.size();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      end_of_flags = rest.size();
      rest.insert(rest.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a == "-h") {
      out->help = true;
      continue;
    }
    std::string name, value;
    bool has_value;
    const FlagSpec* g = nullptr;
    if (a.rfind("--", 0) == 0) {
      SplitFlag(a, &name, &value, &has_value);
      g = FindFlag(GlobalFlags(), name);
    }
    if (g == nullptr) {
      rest.push_back(a);
      continue;
    }
    if (std::string e = TakeValue(*g, args, &i, has_value, &value); !e.empty())
      return e;
    if (name == "server") out->globals.server = value;
    if (name == "api-key") out->globals.api_key = value;
    if (name == "tls-ca") out->globals.tls_ca = value;
    if (name == "tls-cert") out->globals.tls_cert = value;
    if (name == "tls-key") out->globals.tls_key = value;
    if (name == "json") out->globals.json = true;
    if (name == "help") out->help = true;
    if (name == "timeout")
      (void)absl::SimpleAtoi(value, &out->globals.timeout_s);
  }
  if (end_of_flags > rest.size()) end_of_flags = rest.size();
  if (out->globals.timeout_s <= 0) return "--timeout must be at least 1 second";
  if (out->globals.server.empty()) return "--server must be HOST:PORT";
  out->globals.server = ServerTarget(out->globals.server);
  if (rest.empty() || (rest[0] == "help" && rest.size() == 1)) {
    out->help = true;
    return "";
  }
  // The command: the path that matches the leading words.
  size_t used = 0;
  for (const CommandSpec& c : commands) {
    std::vector<std::string> path = absl::StrSplit(c.path, ' ');
    if (path.size() <= rest.size() && path.size() > used &&
        std::equal(path.begin(), path.end(), rest.begin())) {
      out->command = &c;
      used = path.size();
    }
  }
  if (out->command == nullptr) {
    const std::set<std::string> groups = Groups(commands);
    if (rest[0].rfind("--", 0) == 0 && rest[0].size() > 2) {
      std::string name, value;
      bool has_value;
      SplitFlag(rest[0], &name, &value, &has_value);
      return absl::StrCat("unknown flag --", name,
                          DidYouMean(SuggestFlag(name, {})));
    }
    if (groups.count(rest[0]) == 0) {
      const std::string best = Closest(
          rest[0], std::vector<std::string>(groups.begin(), groups.end()));
      if (!best.empty()) {
        return absl::StrCat("unknown command '", rest[0], "'",
                            DidYouMean(absl::StrCat("'", best, "'")),
                            " (commands: ", absl::StrJoin(groups, ", "), ")");
      }
      return absl::StrCat("unknown command '", rest[0],
                          "' (commands: ", absl::StrJoin(groups, ", "), ")");
    }
    out->group = rest[0];
    if (out->help && rest.size() == 1) return "";
    std::vector<std::string> verbs;
    for (const CommandSpec& c : commands) {
      if (c.path.rfind(rest[0] + " ", 0) == 0)
        verbs.push_back(c.path.substr(rest[0].size() + 1));
    }
    std::string what =
        rest.size() == 1
            ? absl::StrCat("'", rest[0], "' needs a subcommand")
            : absl::StrCat("unknown command '", rest[0], " ", rest[1], "'");
    if (rest.size() > 1) {
      const std::string best = Closest(rest[1], verbs);
      if (!best.empty()) {
        absl::StrAppend(&what,
                        DidYouMean(absl::StrCat("'", rest[0], " ", best, "'")));
      }
    }
    return absl::StrCat(what, " (one of: ", absl::StrJoin(verbs, ", "), ")");
  }
  if (out->help) return "";
  const CommandSpec& spec = *out->command;
  for (size_t i = used; i < rest.size(); ++i) {
    const std::string& a = rest[i];
    if (i < end_of_flags && a.rfind("--", 0) == 0) {
      std::string name, value;
      bool has_value;
      SplitFlag(a, &name, &value, &has_value);
      const FlagSpec* f = FindFlag(spec.flags, name);
      if (f == nullptr) {
        return absl::StrCat("unknown flag --", name, " for 'hubsync ",
                            spec.path, "'",
                            DidYouMean(SuggestFlag(name, spec.flags)));
      }
      if (std::string e = TakeValue(*f, rest, &i, has_value, &value);
          !e.empty())
        return e;
      if (!f->repeated && out->Has(name)) {
        return absl::StrCat("--", name, " given twice for 'hubsync ", spec.path,
                            "'");
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
  const size_t most = spec.positionals.size() + spec.optional.size();
  if (spec.rest.empty() && out->positionals.size() > most) {
    return absl::StrCat("unexpected argument '", out->positionals[most],
                        "' for 'hubsync ", spec.path, "'");
  }
  for (const FlagSpec& f : spec.flags) {
    if (f.required && !f.implied && !out->Has(f.name)) {
      return absl::StrCat("missing --", f.name, " ", f.value, " for 'hubsync ",
                          spec.path, "'");
    }
  }
  return "";
}

std::string UsageLine(const CommandSpec& spec) {
  std::string out = absl::StrCat("usage: hubsync ", spec.path);
  for (const std::string& p : spec.positionals) absl::StrAppend(&out, " ", p);
  for (const std::string& p : spec.optional)
    absl::StrAppend(&out, " [", p, "]");
  if (!spec.rest.empty()) absl::StrAppend(&out, " [", spec.rest, "...]");
  for (const FlagSpec& f : spec.flags) {
    if (f.required && !f.implied) absl::StrAppend(&out, " ", FlagUsage(f));
  }
  for (const FlagSpec& f : spec.flags) {
    if (!f.required || f.implied)
      absl::StrAppend(&out, " [", FlagUsage(f), "]");
  }
  return out;
}

std::string CommandHelp(const CommandSpec& spec) {
  std::string out = absl::StrCat(UsageLine(spec), "\n\n", spec.summary, "\n");
  if (!spec.flags.empty()) {
    absl::StrAppend(&out, "\nflags:\n");
    for (const FlagSpec& f : spec.flags) {
      absl::StrAppend(&out, Pad("  " + FlagUsage(f), 28), f.help,
                      f.required && !f.implied ? " (required)" : "", "\n");
    }
  }
  absl::StrAppend(&out, "\nglobal flags:\n");
  for (const FlagSpec& f : GlobalFlags()) {
    absl::StrAppend(&out, Pad("  " + FlagUsage(f), 28), f.help, "\n");
  }
  if (!spec.example.empty())
    absl::StrAppend(&out, "\nexample:\n  ", spec.example, "\n");
  return out;
}

std::string GroupHelp(const std::string& group,
                      const std::vector<CommandSpec>& commands) {
  std::string out = absl::StrCat("usage: hubsync ", group,
                                 " COMMAND [ARGS] [--help]\n\n", "commands:\n");
  for (const CommandSpec& c : commands) {
    if (c.path.rfind(group + " ", 0) != 0) continue;
    absl::StrAppend(&out, Pad("  " + c.path, 24),
                    c.summary.substr(0, c.summary.find('\n')), "\n");
  }
  absl::StrAppend(
      &out, "\n'hubsync ", group,
      " COMMAND --help' shows a command's arguments and an example.\n");
  return out;
}

std::string TopLevelHelp(const std::vector<CommandSpec>& commands) {
  std::string out =
      "hubsync: bring the Admin Hub in line with the MIS (a client of "
      "hubsyncd)\n\n"
      "usage: hubsync [--server HOST:PORT] [--tls-ca FILE] [--json] "
      "[--timeout SECONDS] "
      "COMMAND [ARGS] "
      "[--help]\n\ncommands:\n";
  for (const CommandSpec& c : commands) {
    absl::StrAppend(&out, Pad("  " + c.path, 24),
                    c.summary.substr(0, c.summary.find('\n')), "\n");
  }
  absl::StrAppend(&out, "\nglobal flags:\n");
  for (const FlagSpec& f : GlobalFlags()) {
    absl::StrAppend(&out, Pad("  " + FlagUsage(f), 24), f.help, "\n");
  }
  absl::StrAppend(
      &out,
      "\n'hubsync COMMAND --help' shows a command's arguments and an example.\n"
      "Errors print 'error: CODE: message' to stderr and exit 1; usage errors "
      "exit 2.\n"
      "Every command but --help needs an API key: export "
      "HUBSYNC_API_KEY=hsk_...\n\n"
      "example:\n  hubsync --server 127.0.0.1:50051 sync rows ses_... "
      "--explain\n");
  return out;
}

}  // namespace hubsync::cli
