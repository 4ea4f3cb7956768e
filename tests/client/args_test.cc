// The CLI's argument parser and help text (client/cli/args.cc, from the
// hubsync_cli library that client_test links).

#include "client/cli/args.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hubsync::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<CommandSpec> Specs() {
  return {
      {.path = "school list", .summary = "List schools."},
      {.path = "learner list",
       .flags = {{.name = "school",
                  .kind = FlagKind::kString,
                  .value = "ID",
                  .required = true}}},
      {.path = "sync rows",
       .positionals = {"SESSION"},
       .flags = {{.name = "status",
                  .kind = FlagKind::kString,
                  .value = "STATUS",
                  .help = "only these",
                  .repeated = true},
                 {.name = "after",
                  .kind = FlagKind::kNumber,
                  .value = "ROW_ID"},
                 {.name = "explain",
                  .kind = FlagKind::kSwitch,
                  .help = "show evidence"}},
       .summary = "Print the sync screen.",
       .example = "hubsync sync rows ses_1 --explain"},
      {.path = "sync match",
       .positionals = {"SESSION", "LEARNER_ID", "MIS_ID"}},
      {.path = "sync unmatch",
       .positionals = {"SESSION"},
       .optional = {"LEARNER_ID"}},
      {.path = "mis upload",
       .positionals = {"FILE_OR_DIR"},
       .rest = "FILE_OR_DIR"},
  };
}

std::string ParseArgs(std::vector<std::string> args, Parsed* out,
                      const std::vector<CommandSpec>& specs) {
  return Parse(args, specs, "127.0.0.1:50051", out);
}

TEST(ParseTest, CommandPositionalsAndFlags) {
  auto specs = Specs();
  Parsed p;
  ASSERT_EQ(ParseArgs({"sync", "rows", "ses_1", "--status", "new,may_match",
                       "--status=synced", "--after", "40", "--explain"},
                      &p, specs),
            "");
  ASSERT_NE(p.command, nullptr);
  EXPECT_EQ(p.command->path, "sync rows");
  EXPECT_THAT(p.positionals, ElementsAre("ses_1"));
  EXPECT_THAT(p.All("status"), ElementsAre("new", "may_match", "synced"));
  EXPECT_EQ(p.Number("after"), 40);
  EXPECT_TRUE(p.Has("explain"));
  EXPECT_FALSE(p.globals.json);
  EXPECT_EQ(p.globals.server, "127.0.0.1:50051");
  EXPECT_EQ(p.globals.timeout_s, 30);
}

TEST(ParseTest, GlobalFlagsGoAnywhere) {
  auto specs = Specs();
  Parsed p;
  ASSERT_EQ(ParseArgs({"--json", "sync", "rows", "--server", "10.0.0.2:9000",
                       "ses_1", "--timeout=5"},
                      &p, specs),
            "");
  EXPECT_TRUE(p.globals.json);
  EXPECT_EQ(p.globals.server, "10.0.0.2:9000");
  EXPECT_EQ(p.globals.timeout_s, 5);
  EXPECT_THAT(p.positionals, ElementsAre("ses_1"));
}

TEST(ParseTest, UnknownFlagIsAUsageErrorNamingIt) {
  auto specs = Specs();
  Parsed p;
  std::string error = ParseArgs({"sync", "rows", "ses_1", "--frob"}, &p, specs);
  EXPECT_THAT(error, HasSubstr("unknown flag --frob"));
  EXPECT_THAT(error, HasSubstr("sync rows"));
  ASSERT_NE(p.command, nullptr)
      << "the command is known, so usage can be shown";
}

TEST(ParseTest, MissingPositionalIsNamed) {
  auto specs = Specs();
  Parsed p;
  EXPECT_EQ(ParseArgs({"sync", "match", "ses_1", "lrn_1"}, &p, specs),
            "missing MIS_ID for 'hubsync sync match'");
  EXPECT_EQ(ParseArgs({"sync", "rows"}, &p, specs),
            "missing SESSION for 'hubsync sync rows'");
}

TEST(ParseTest, MissingRequiredFlagIsNamed) {
  auto specs = Specs();
  Parsed p;
  EXPECT_EQ(ParseArgs({"learner", "list"}, &p, specs),
            "missing --school ID for 'hubsync learner list'");
  EXPECT_EQ(ParseArgs({"learner", "list", "--school"}, &p, specs),
            "--school needs a value (ID)");
}

TEST(ParseTest, ExtraArgumentIsNamed) {
  auto specs = Specs();
  Parsed p;
  EXPECT_EQ(ParseArgs({"sync", "rows", "ses_1", "ses_2"}, &p, specs),
            "unexpected argument 'ses_2' for 'hubsync sync rows'");
  EXPECT_EQ(ParseArgs({"sync", "unmatch", "ses_1", "lrn_1"}, &p, specs), "");
  EXPECT_THAT(ParseArgs({"sync", "unmatch", "ses_1", "lrn_1", "x"}, &p, specs),
              HasSubstr("unexpected argument 'x'"));
  EXPECT_EQ(ParseArgs({"mis", "upload", "a.csv", "b.csv", "dir"}, &p, specs),
            "");
  EXPECT_THAT(p.positionals, ElementsAre("a.csv", "b.csv", "dir"));
}

TEST(ParseTest, BadValues) {
  auto specs = Specs();
  Parsed p;
  EXPECT_EQ(ParseArgs({"sync", "rows", "ses_1", "--after", "x7"}, &p, specs),
            "--after 'x7' is not a whole number");
  EXPECT_EQ(ParseArgs({"sync", "rows", "ses_1", "--explain=yes"}, &p, specs),
            "--explain takes no value");
  EXPECT_EQ(ParseArgs({"sync", "rows", "ses_1", "--after", "1", "--after", "2"},
                      &p, specs),
            "--after given twice for 'hubsync sync rows'");
  EXPECT_EQ(ParseArgs({"school", "list", "--timeout", "0"}, &p, specs),
            "--timeout must be at least 1 second");
  EXPECT_EQ(ParseArgs({"school", "list", "--timeout", "soon"}, &p, specs),
            "--timeout 'soon' is not a whole number");
}

TEST(ParseTest, UnknownCommandsAndGroups) {
  auto specs = Specs();
  Parsed p;
  EXPECT_THAT(ParseArgs({"frob"}, &p, specs),
              HasSubstr("unknown command 'frob'"));
  EXPECT_THAT(
      ParseArgs({"sync", "frob"}, &p, specs),
      HasSubstr("unknown command 'sync frob' (one of: rows, match, unmatch)"));
  EXPECT_THAT(ParseArgs({"sync"}, &p, specs),
              HasSubstr("'sync' needs a subcommand"));
}

TEST(ParseTest, HelpAtEveryLevel) {
  auto specs = Specs();
  Parsed p;
  ASSERT_EQ(ParseArgs({}, &p, specs), "");
  EXPECT_EQ(p.command, nullptr);
  EXPECT_TRUE(p.help);
  ASSERT_EQ(ParseArgs({"sync", "--help"}, &p, specs), "");
  EXPECT_EQ(p.command, nullptr);
  EXPECT_EQ(p.group, "sync");
  // Help wins over missing arguments and unknown flags.
  ASSERT_EQ(ParseArgs({"sync", "match", "--help"}, &p, specs), "");
  ASSERT_NE(p.command, nullptr);
  EXPECT_TRUE(p.help);
  ASSERT_EQ(ParseArgs({"sync", "rows", "-h", "--frob"}, &p, specs), "");
  EXPECT_TRUE(p.help);
}

TEST(ParseTest, DoubleDashEndsFlags) {
  auto specs = Specs();
  Parsed p;
  ASSERT_EQ(ParseArgs({"sync", "rows", "--", "--odd-session"}, &p, specs), "");
  EXPECT_THAT(p.positionals, ElementsAre("--odd-session"));
  EXPECT_THAT(p.flags, IsEmpty());
}

TEST(HelpTest, CommandHelpListsArgumentsFlagsAndAnExample) {
  auto specs = Specs();
  std::string help = CommandHelp(specs[2]);
  EXPECT_THAT(help,
              HasSubstr("usage: hubsync sync rows SESSION [--status STATUS...] "
                        "[--after ROW_ID] [--explain]"));
  EXPECT_THAT(help, HasSubstr("--explain"));
  EXPECT_THAT(help, HasSubstr("show evidence"));
  EXPECT_THAT(help, HasSubstr("--server HOST:PORT"));
  EXPECT_THAT(help, HasSubstr("example:\n  hubsync sync rows ses_1 --explain"));
  EXPECT_EQ(UsageLine(specs[1]), "usage: hubsync learner list --school ID");
  EXPECT_EQ(UsageLine(specs[4]),
            "usage: hubsync sync unmatch SESSION [LEARNER_ID]");
  EXPECT_EQ(UsageLine(specs[5]),
            "usage: hubsync mis upload FILE_OR_DIR [FILE_OR_DIR...]");
}

TEST(HelpTest, GroupAndTopLevelHelpListCommands) {
  auto specs = Specs();
  std::string group = GroupHelp("sync", specs);
  EXPECT_THAT(group, HasSubstr("sync rows"));
  EXPECT_THAT(group, HasSubstr("Print the sync screen."));
  EXPECT_THAT(group, ::testing::Not(HasSubstr("school list")));
  std::string top = TopLevelHelp(specs);
  EXPECT_THAT(top, HasSubstr("school list"));
  EXPECT_THAT(top, HasSubstr("--json"));
  EXPECT_THAT(top, HasSubstr("exit 1"));
}

}  // namespace
}  // namespace hubsync::cli
