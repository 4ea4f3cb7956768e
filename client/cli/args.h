// Command-line parsing for the hubsync CLI: global flags (anywhere), a command
// path of two words ("sync rows"), then the command's flags and positional
// arguments. Parsing knows nothing of RPCs or rendering; a usage error is a
// message naming the bad flag or argument.
#ifndef HUBSYNC_CLIENT_CLI_ARGS_H_
#define HUBSYNC_CLIENT_CLI_ARGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hubsync::cli {

enum class FlagKind {
  kSwitch,  // --explain
  kString,  // --school sch_1 or --school=sch_1
  kNumber,  // a whole number >= 0, checked while parsing
};

struct FlagSpec {
  std::string name = "";  // without "--"
  FlagKind kind = FlagKind::kSwitch;
  std::string value = "";  // placeholder in help, e.g. "ID"
  std::string help = "";
  bool required = false;
  bool repeated =
      false;  // may be given more than once (values also split on ',')
  // Parse lets it be absent and RunCli fills it in (--school:
  // $HUBSYNC_SCHOOL, else the API key's own school): when `required`,
  // always; otherwise only when the command was given no positional (the
  // console: a SESSION to open, else a school to start one in).
  bool implied = false;
};

struct CommandSpec {
  std::string path = "";                      // "sync rows"
  std::vector<std::string> positionals = {};  // required, in order ("SESSION")
  std::vector<std::string> optional = {};     // may follow the required ones
  std::string rest =
      "";  // if set, any number of further arguments ("FILE_OR_DIR")
  std::vector<FlagSpec> flags = {};
  std::string summary = "";  // first line is shown in the command list
  std::string example = "";
};

struct Globals {
  std::string server;
  std::string api_key;  // --api-key, else $HUBSYNC_API_KEY (RunCli)
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  bool json = false;
  int64_t timeout_s = 30;
};

struct Parsed {
  const CommandSpec* command = nullptr;  // nullptr: help for `group` or for all
  std::string group;                     // "sync" for `hubsync sync --help`
  bool help = false;
  Globals globals;
  std::vector<std::string> positionals;
  std::map<std::string, std::vector<std::string>> flags;  // "" for switches

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  // The last value given, or `def`.
  std::string Get(const std::string& flag, const std::string& def = "") const;
  // A kNumber flag's value (already checked by Parse), or `def`.
  int64_t Number(const std::string& flag, int64_t def = 0) const;
  // Every value of a repeated flag, comma-separated values split.
  std::vector<std::string> All(const std::string& flag) const;
};

// Fills `out` and returns "", or returns a usage error naming the bad flag or
// argument (`out->command` is then set if the command itself was known).
// `default_server` is used when --server is absent.
std::string Parse(const std::vector<std::string>& args,
                  const std::vector<CommandSpec>& commands,
                  const std::string& default_server, Parsed* out);

// The gRPC target for --server: a host without a port gets hubsyncd's
// default port (localhost -> localhost:50051, ::1 -> [::1]:50051), not
// gRPC's 443. "unix:" targets and given ports are kept.
inline constexpr char kDefaultPort[] = "50051";
std::string ServerTarget(const std::string& server);

// "usage: hubsync sync rows SESSION [--status STATUS,...] ..."
std::string UsageLine(const CommandSpec& spec);
std::string CommandHelp(const CommandSpec& spec);
std::string GroupHelp(const std::string& group,
                      const std::vector<CommandSpec>& commands);
std::string TopLevelHelp(const std::vector<CommandSpec>& commands);

}  // namespace hubsync::cli

#endif  // HUBSYNC_CLIENT_CLI_ARGS_H_
