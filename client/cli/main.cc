// hubsync: the command-line client of hubsyncd.
#include <cstdlib>
#include <iostream>

#include "client/cli/args.h"
#include "client/cli/commands.h"

int main(int argc, char** argv) {
  using namespace hubsync::cli;
  std::vector<CommandSpec> specs;
  for (const Command& c : AllCommands()) specs.push_back(c.spec);
  const char* env = std::getenv("HUBSYNC_SERVER");
  Parsed parsed;
  std::string error = Parse(std::vector<std::string>(argv + 1, argv + argc), specs,
                            env && *env ? env : "127.0.0.1:50051", &parsed);
  if (!error.empty()) {
    std::cerr << "hubsync: " << error << "\n";
    return 2;
  }
  if (parsed.command == nullptr) {
    std::cout << TopLevelHelp(specs);
    return 0;
  }
  if (parsed.help) {
    std::cout << CommandHelp(*parsed.command);
    return 0;
  }
  auto client = hubsync::client::HubsyncClient::Connect(parsed.globals.server);
  client->set_timeout(std::chrono::seconds(parsed.globals.timeout_s));
  Io io{std::cout, std::cerr};
  for (const Command& c : AllCommands()) {
    if (c.spec.path == parsed.command->path) return c.run(parsed, *client, io);
  }
  return 2;
}
