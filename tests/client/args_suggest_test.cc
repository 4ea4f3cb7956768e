// What the parser tells a user who mistypes (a "did you mean" suggestion)
// and where a --server without a port dials (client/cli/args.cc).

#include "client/cli/args.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<CommandSpec> Specs() {
  return {
      {.path = "school list"},
      {.path = "learner list",
       .flags = {{.name = "school", .kind = FlagKind::kString, .value = "ID"}}},
      {.path = "learner import",
       .positionals = {"FILE"},
       .flags = {{.name = "school", .kind = FlagKind::kString, .value = "ID"}}},
      {.path = "sync rows",
       .positionals = {"SESSION"},
       .flags = {{.name = "status", .kind = FlagKind::kString},
                 {.name = "explain"}}},
      {.path = "sync match", .positionals = {"SESSION", "A", "B"}},
  };
}

std::string ParseArgs(std::vector<std::string> args) {
  Parsed p;
  auto specs = Specs();
  return Parse(args, specs, "127.0.0.1:50051", &p);
}

TEST(SuggestTest, MisspeltCommandGetsADidYouMean) {
  EXPECT_THAT(ParseArgs({"lerner", "list"}),
              HasSubstr("unknown command 'lerner'; did you mean 'learner'?"));
  EXPECT_THAT(ParseArgs({"snyc", "rows", "s"}),
              HasSubstr("did you mean 'sync'?"));
  EXPECT_THAT(
      ParseArgs({"sync", "row", "s"}),
      HasSubstr("unknown command 'sync row'; did you mean 'sync rows'?"));
  EXPECT_THAT(ParseArgs({"learner", "imprt", "f.csv"}),
              HasSubstr("did you mean 'learner import'?"));
  // Nothing close: no guess, the list as before.
  EXPECT_THAT(ParseArgs({"frobnicate"}), Not(HasSubstr("did you mean")));
  EXPECT_THAT(ParseArgs({"frobnicate"}), HasSubstr("commands: "));
}

TEST(SuggestTest, MisspeltFlagGetsADidYouMean) {
  EXPECT_THAT(ParseArgs({"learner", "list", "--schol", "sch_1"}),
              HasSubstr("unknown flag --schol for 'hubsync learner list'; did "
                        "you mean --school?"));
  EXPECT_THAT(ParseArgs({"sync", "rows", "s", "--explian"}),
              HasSubstr("did you mean --explain?"));
  // A global flag misspelt after the command is suggested too.
  EXPECT_THAT(ParseArgs({"school", "list", "--jsno"}),
              HasSubstr("did you mean --json?"));
  // And before it.
  EXPECT_THAT(ParseArgs({"--sever", "h:1", "school", "list"}),
              HasSubstr("unknown flag --sever; did you mean --server?"));
  EXPECT_THAT(ParseArgs({"sync", "rows", "s", "--frobnicate"}),
              Not(HasSubstr("did you mean")));
}

TEST(ServerTargetTest, ABareHostDialsPort50051) {
  EXPECT_EQ(ServerTarget("localhost"), "localhost:50051");
  EXPECT_EQ(ServerTarget("hub.example.org"), "hub.example.org:50051");
  EXPECT_EQ(ServerTarget("10.0.0.2"), "10.0.0.2:50051");
  EXPECT_EQ(ServerTarget("[::1]"), "[::1]:50051");
  EXPECT_EQ(ServerTarget("::1"), "[::1]:50051");
  EXPECT_EQ(ServerTarget("dns:///hub.example.org"),
            "dns:///hub.example.org:50051");
}

TEST(ServerTargetTest, AGivenPortIsKept) {
  EXPECT_EQ(ServerTarget("localhost:7000"), "localhost:7000");
  EXPECT_EQ(ServerTarget("[::1]:7000"), "[::1]:7000");
  EXPECT_EQ(ServerTarget("hub.example.org:443"), "hub.example.org:443");
  EXPECT_EQ(ServerTarget("dns:///hub.example.org:443"),
            "dns:///hub.example.org:443");
  EXPECT_EQ(ServerTarget("unix:/run/hubsync.sock"), "unix:/run/hubsync.sock");
}

TEST(ServerTargetTest, ParseAppliesTheDefaultPort) {
  Parsed p;
  auto specs = Specs();
  ASSERT_EQ(Parse({"--server", "localhost", "school", "list"}, specs,
                  "127.0.0.1:50051", &p),
            "");
  EXPECT_EQ(p.globals.server, "localhost:50051");
  ASSERT_EQ(Parse({"school", "list"}, specs, "hub.example.org", &p), "");
  EXPECT_EQ(p.globals.server, "hub.example.org:50051");
}

}  // namespace
}  // namespace hubsync::cli
