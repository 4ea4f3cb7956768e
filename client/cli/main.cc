// hubsync: the command-line client of hubsyncd. See `hubsync --help`.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/commands.h"
#include "common/version.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--version") {
      std::cout << hubsync::VersionLine("hubsync") << "\n";
      return 0;
    }
  }
  const char* env = std::getenv("HUBSYNC_SERVER");
  const std::string default_server =
      env != nullptr && *env ? env : "127.0.0.1:50051";
  const char* key = std::getenv("HUBSYNC_API_KEY");
  const char* school = std::getenv("HUBSYNC_SCHOOL");
  // Questions are asked only of someone at a terminal (commands.h, Io::in).
  hubsync::cli::Io io{std::cout, std::cerr,
                      isatty(STDIN_FILENO) ? &std::cin : nullptr, &std::cin};
  return hubsync::cli::RunCli(
      std::vector<std::string>(argv + 1, argv + argc), default_server,
      &hubsync::client::HubsyncClient::Connect, io, key != nullptr ? key : "",
      school != nullptr ? school : "");
}
