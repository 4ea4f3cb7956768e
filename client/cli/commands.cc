// The command table, error printing, and the CLI's entry point.
#include "client/cli/commands.h"

#include "absl/strings/str_cat.h"

namespace hubsync::cli {

int Fail(const absl::Status& status, Io& io) {
  io.err << ErrorLine(status) << "\n";
  return kExitError;
}

int Usage(const Parsed& p, const std::string& message, Io& io) {
  io.err << "error: " << message << "\n";
  if (p.command != nullptr) {
    io.err << UsageLine(*p.command) << "\n"
           << "run 'hubsync " << p.command->path << " --help' for details\n";
  } else {
    io.err << "run 'hubsync " << (p.group.empty() ? "" : p.group + " ")
           << "--help' for the list of commands\n";
  }
  return kExitUsage;
}

const std::vector<Command>& AllCommands() {
  static const auto* all = [] {
    auto* v = new std::vector<Command>(RecordCommands());
    for (Command& c : SyncCommands()) v->push_back(std::move(c));
    for (Command& c : SaveCommands()) v->push_back(std::move(c));
    for (Command& c : KeyCommands()) v->push_back(std::move(c));
    for (Command& c : AccountCommands()) v->push_back(std::move(c));
    for (Command& c : ConsoleCommands()) v->push_back(std::move(c));
    return v;
  }();
  return *all;
}

std::vector<CommandSpec> AllSpecs() {
  std::vector<CommandSpec> specs;
  for (const Command& c : AllCommands()) specs.push_back(c.spec);
  return specs;
}

FlagSpec StringFlag(const std::string& name, const std::string& value,
                    const std::string& help, bool required) {
  return {.name = name,
          .kind = FlagKind::kString,
          .value = value,
          .help = help,
          .required = required};
}

FlagSpec SchoolFlag() {
  return {.name = "school",
          .kind = FlagKind::kString,
          .value = "ID",
          .help =
              "school id (default: $HUBSYNC_SCHOOL, else the API key's "
              "own school)",
          .required = true,
          .implied = true};
}

int RunCli(const std::vector<std::string>& args,
           const std::string& default_server, Connector connect, Io& io,
           const std::string& default_api_key,
           const std::string& default_school) {
  const std::vector<Command>& commands = AllCommands();
  std::vector<CommandSpec> specs = AllSpecs();
  Parsed parsed;
  std::string error = Parse(args, specs, default_server, &parsed);
  // Parse points into `specs`; find the same command in the table.
  const Command* command = nullptr;
  if (parsed.command != nullptr) {
    for (const Command& c : commands) {
      if (c.spec.path == parsed.command->path) {
        command = &c;
        parsed.command = &c.spec;
      }
    }
  }
  if (!error.empty()) return Usage(parsed, error, io);
  if (command == nullptr) {
    io.out << (parsed.group.empty() ? TopLevelHelp(specs)
                                    : GroupHelp(parsed.group, specs));
    return kExitOk;
  }
  if (parsed.help) {
    io.out << CommandHelp(command->spec);
    return kExitOk;
  }
  client::ConnectOptions options;
  options.target = parsed.globals.server;
  options.api_key =
      parsed.globals.api_key.empty() ? default_api_key : parsed.globals.api_key;
  options.tls_ca = parsed.globals.tls_ca;
  options.tls_cert = parsed.globals.tls_cert;
  options.tls_key = parsed.globals.tls_key;
  absl::StatusOr<std::unique_ptr<client::HubsyncClient>> connected =
      connect(options);
  if (!connected.ok()) return Fail(connected.status(), io);
  std::unique_ptr<client::HubsyncClient> client = *std::move(connected);
  client->set_timeout(std::chrono::seconds(parsed.globals.timeout_s));
  for (const FlagSpec& f : command->spec.flags) {
    if (!f.implied || parsed.Has(f.name)) continue;
    if (!f.required && !parsed.positionals.empty()) continue;
    std::string school = default_school;
    if (school.empty()) {
      // A school's key implies its school; an operator key has none (and a
      // server without WhoAmI cannot say).
      absl::StatusOr<v1::ApiKey> me = client->WhoAmI();
      if (!me.ok() && me.status().code() != absl::StatusCode::kUnimplemented)
        return Fail(me.status(), io);
      if (me.ok()) school = me->school_id();
    }
    if (school.empty()) {
      return Usage(parsed,
                   absl::StrCat("missing --", f.name, " ", f.value,
                                " for 'hubsync ", command->spec.path,
                                "' (the API key is not one school's: give "
                                "--school or set HUBSYNC_SCHOOL)"),
                   io);
    }
    parsed.flags[f.name].push_back(school);
  }
  return command->run(parsed, *client, io);
}

}  // namespace hubsync::cli
