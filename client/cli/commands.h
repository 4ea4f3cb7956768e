// The CLI's commands: their specs (for parsing and help) and handlers.
#ifndef HUBSYNC_CLIENT_CLI_COMMANDS_H_
#define HUBSYNC_CLIENT_CLI_COMMANDS_H_

#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client/cli/args.h"
#include "client/lib/client.h"

namespace hubsync::cli {

struct Io {
  std::ostream& out;
  std::ostream& err;
};

using Handler = int (*)(const Parsed&, client::HubsyncClient&, Io&);

struct Command {
  CommandSpec spec;
  Handler run;
};

const std::vector<Command>& AllCommands();
std::vector<Command> RecordCommands();  // school, learner, class, mis, emails, audit
std::vector<Command> SyncCommands();    // sync ...

// "error: NOT_FOUND: ..." on err; returns 1.
int Fail(const absl::Status& status, Io& io);

std::string JsonLineOf(const google::protobuf::Message& m);

// Prints `m` as one JSON line, or with `human` otherwise.
template <typename M, typename F>
int Show(const absl::StatusOr<M>& result, const Parsed& p, Io& io, F human) {
  if (!result.ok()) return Fail(result.status(), io);
  if (p.globals.json) {
    io.out << JsonLineOf(*result) << "\n";
  } else {
    human(*result);
  }
  return 0;
}

}  // namespace hubsync::cli

#endif  // HUBSYNC_CLIENT_CLI_COMMANDS_H_
