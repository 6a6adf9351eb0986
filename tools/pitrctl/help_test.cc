#include "tools/pitrctl/help.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr::ctl {
namespace {

using ::testing::HasSubstr;

Command BranchCreate() {
  return {"branch create",
          "NAME [--from PARENT] [--at POINT] [--dry_run]",
          "Create a branch.",
          {{"from", true, "the parent branch"},
           {"at", true, "the branch point"},
           {"dry_run", false, "only check"}},
          1,
          1,
          nullptr};
}

TEST(HelpTest, CommandUsageHasALineForEachOption) {
  EXPECT_EQ(CommandUsage(BranchCreate()),
            "usage: pitrctl branch create NAME [--from PARENT] [--at POINT] "
            "[--dry_run]\n"
            "  Create a branch.\n"
            "options:\n"
            "  --from PARENT  the parent branch\n"
            "  --at POINT     the branch point\n"
            "  --dry_run      only check\n"
            "and the global options (pitrctl help)\n");
}

TEST(HelpTest, ValueNamesComeFromTheSynopsis) {
  EXPECT_EQ(ValueName("NAME [--from PARENT] [--at POINT]", "from"), "PARENT");
  EXPECT_EQ(ValueName("NAME [--from PARENT] [--at POINT]", "at"), "POINT");
  EXPECT_EQ(ValueName("[--out FILE | --raw]", "out"), "FILE");
  EXPECT_EQ(ValueName("LSN --ttl DURATION", "ttl"), "DURATION");
  EXPECT_EQ(ValueName("NAME", "from"), "VALUE");
}

TEST(HelpTest, UsageOfAGroupAndTheGlobalOptions) {
  Command info = {"info", "", "The store's facts.", {}, 0, 0, nullptr};
  std::string usage = Usage({BranchCreate(), info}, "branch");
  EXPECT_THAT(usage, HasSubstr("  branch create NAME"));
  EXPECT_FALSE(absl::StrContains(usage, "  info\n")) << usage;
  EXPECT_THAT(usage, HasSubstr("  --server HOST:PORT"));
  EXPECT_THAT(usage, HasSubstr("  --token_file FILE"));
  EXPECT_THAT(usage, HasSubstr("PITR_SERVER"));
  EXPECT_THAT(usage, HasSubstr("PITR_TOKEN_FILE"));
  EXPECT_THAT(usage, HasSubstr("completion bash"));
  // An unknown prefix lists every command.
  EXPECT_THAT(Usage({BranchCreate(), info}, "nothing"), HasSubstr("  info\n"));
}

// Every option of every real command has a help text, and its synopsis
// shows it (a value option with its value's name), so that the help and
// the synopsis agree.
TEST(HelpTest, EveryOptionOfEveryCommandIsDocumented) {
  std::set<std::string> names;
  for (const Command& c : AllCommands()) {
    EXPECT_TRUE(names.insert(c.name).second) << "twice: " << c.name;
    EXPECT_FALSE(c.summary.empty()) << c.name;
    for (const OptionSpec& o : c.options) {
      EXPECT_FALSE(o.help.empty()) << c.name << " --" << o.name;
      EXPECT_THAT(c.synopsis, HasSubstr("--" + o.name)) << c.name;
      if (o.takes_value) {
        EXPECT_NE(ValueName(c.synopsis, o.name), "VALUE")
            << c.name << " --" << o.name;
      }
      EXPECT_THAT(CommandUsage(c), HasSubstr(o.help));
    }
  }
  for (const OptionSpec& o : GlobalOptions()) {
    EXPECT_FALSE(o.help.empty()) << o.name;
    if (o.takes_value) {
      EXPECT_NE(ValueName(kGlobalSynopsis, o.name), "VALUE") << o.name;
    }
  }
}

}  // namespace
}  // namespace pitr::ctl
