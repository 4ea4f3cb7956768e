// The CLI's commands: their specs (for parsing and help) and handlers. A
// handler turns parsed arguments into one or more client calls and hands the
// replies to render.h; it returns the process exit code (0 ok, 1 RPC or I/O
// error, 2 usage error).
#ifndef HUBSYNC_CLIENT_CLI_COMMANDS_H_
#define HUBSYNC_CLIENT_CLI_COMMANDS_H_

#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/cli/args.h"
#include "client/cli/render.h"
#include "client/lib/client.h"

namespace hubsync::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

struct Io {
  std::ostream& out;
  std::ostream& err;
  // Where a command that asks (sync save, before a mass desync) reads the
  // answer; nullptr = nobody to ask, so the command fails instead. main()
  // sets it only when stdin is a terminal: a script's piped "y" is no
  // answer, it must pass the flag (--accept-unreviewed, --confirm-desync).
  std::istream* in = nullptr;
  // Where --password-stdin reads a password from (stdin, terminal or not).
  std::istream* data = nullptr;
};

using Handler = int (*)(const Parsed&, client::HubsyncClient&, Io&);

struct Command {
  CommandSpec spec;
  Handler run;
};

const std::vector<Command>& AllCommands();
std::vector<CommandSpec> AllSpecs();
std::vector<Command>
RecordCommands();  // school, learner, class, mis, emails, audit
std::vector<Command> SyncCommands();     // sync ...
std::vector<Command> SaveCommands();     // save ...
std::vector<Command> KeyCommands();      // key ...
std::vector<Command> AccountCommands();  // emails, product, grant, account
std::vector<Command> ConsoleCommands();  // console

// Parses `args` (argv without the program name) and runs the command against
// a client made by `connect` (called only when a command will run). Prints
// help, usage errors and RPC errors; returns the exit code.
// `default_api_key` ($HUBSYNC_API_KEY) is used when --api-key is absent.
using Connector =
    std::function<absl::StatusOr<std::unique_ptr<client::HubsyncClient>>(
        const client::ConnectOptions& options)>;
// A command's --school, when absent, is `default_school` ($HUBSYNC_SCHOOL),
// else the school of the API key (asked with WhoAmI); an operator key has
// none, and then the flag is a usage error as before.
int RunCli(const std::vector<std::string>& args,
           const std::string& default_server, Connector connect, Io& io,
           const std::string& default_api_key = "",
           const std::string& default_school = "");

// --school ID, for the commands that work on one school (see RunCli).
FlagSpec SchoolFlag();
// A flag taking one text VALUE.
FlagSpec StringFlag(const std::string& name, const std::string& value,
                    const std::string& help, bool required = false);

// Prints "error: CODE: message" on io.err; returns kExitError.
int Fail(const absl::Status& status, Io& io);
// Prints "error: <message>" and the command's usage line; returns kExitUsage.
int Usage(const Parsed& p, const std::string& message, Io& io);

// Prints `m` as one JSON line with --json, else with `human`.
template <typename M, typename F>
int Show(const absl::StatusOr<M>& result, const Parsed& p, Io& io, F human) {
  if (!result.ok()) return Fail(result.status(), io);
  if (p.globals.json) {
    io.out << JsonLine(*result) << "\n";
  } else {
    human(*result);
  }
  return kExitOk;
}

// Prints each element of a list reply as one JSON line with --json, else
// the whole reply with `human`.
// `items` maps the reply to its repeated field.
template <typename M, typename Items, typename F>
int ShowList(const absl::StatusOr<M>& result, const Parsed& p, Io& io,
             Items items, F human) {
  if (!result.ok()) return Fail(result.status(), io);
  if (p.globals.json) {
    for (const auto& item : items(*result)) io.out << JsonLine(item) << "\n";
  } else {
    human(*result);
  }
  return kExitOk;
}

// Follows a list from `req` page by page (client::ForEachPage, `list` making
// one call), printing each page as it arrives: with --json each element as
// one JSON line, else `human(page, first)` (first: print the header). The
// output is flushed after each page, so the first rows show before the last
// are fetched. `items` maps a reply to its repeated field.
template <typename Req, typename List, typename Items, typename F>
int ShowPages(Req req, List list, const Parsed& p, Io& io, Items items,
              F human) {
  bool first = true;
  absl::Status s =
      client::ForEachPage(std::move(req), list, [&](const auto& page) {
        if (p.globals.json) {
          for (const auto& item : items(page)) {
            io.out << JsonLine(item) << "\n";
          }
        } else {
          human(page, first);
        }
        first = false;
        io.out.flush();
        return absl::OkStatus();
      });
  if (!s.ok()) return Fail(s, io);
  return kExitOk;
}

}  // namespace hubsync::cli

#endif  // HUBSYNC_CLIENT_CLI_COMMANDS_H_
