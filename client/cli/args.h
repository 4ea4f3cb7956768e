// Command-line parsing for the hubsync CLI: global flags, a command path of
// one or two words, then the command's flags and positional arguments.
#ifndef HUBSYNC_CLIENT_CLI_ARGS_H_
#define HUBSYNC_CLIENT_CLI_ARGS_H_

#include <map>
#include <string>
#include <vector>

namespace hubsync::cli {

struct FlagSpec {
  std::string name;  // without "--"
  bool takes_value = false;
  std::string help;
};

struct CommandSpec {
  std::string path;                      // "sync rows"
  std::vector<std::string> positionals;  // required, in order ("SESSION")
  bool more_positionals = false;         // accepts extra positionals (files)
  std::vector<FlagSpec> flags;
  std::string summary;
  std::string example;
};

struct Globals {
  std::string server;
  bool json = false;
  int timeout_s = 30;
};

struct Parsed {
  const CommandSpec* command = nullptr;  // nullptr: top-level help
  bool help = false;
  Globals globals;
  std::vector<std::string> positionals;
  std::map<std::string, std::vector<std::string>> flags;  // "" for bools

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string Get(const std::string& flag, const std::string& def = "") const;
  // Every value of a repeated flag, comma-separated values split.
  std::vector<std::string> All(const std::string& flag) const;
};

// Returns "" and fills `out`, or returns a usage error naming the bad flag
// or argument. `default_server` is used when --server is absent.
std::string Parse(const std::vector<std::string>& args,
                  const std::vector<CommandSpec>& commands,
                  const std::string& default_server, Parsed* out);

std::string CommandHelp(const CommandSpec& spec);
std::string TopLevelHelp(const std::vector<CommandSpec>& commands);

}  // namespace hubsync::cli

#endif  // HUBSYNC_CLIENT_CLI_ARGS_H_
