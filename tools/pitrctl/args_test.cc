#include "tools/pitrctl/args.h"

#include "gtest/gtest.h"

namespace pitr::ctl {
namespace {

const std::vector<OptionSpec> kSpecs = {{"at", true, "a point"},
                                        {"keep_for", true, "a duration"},
                                        {"cascade", false, "a flag"}};

TEST(ArgsTest, SplitsPositionalAndOptions) {
  auto args = Args::Parse(
      {"a", "--at", "0/10", "b", "--keep-for=7d", "--cascade"}, kSpecs);
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->positional(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(args->Get("at"), "0/10");
  EXPECT_EQ(args->Get("keep_for"), "7d");
  EXPECT_TRUE(args->Flag("cascade"));
  EXPECT_FALSE(args->Has("missing"));
  EXPECT_EQ(args->Get("missing", "dflt"), "dflt");
}

TEST(ArgsTest, DoubleDashEndsOptions) {
  auto args = Args::Parse({"--", "--at", "-"}, kSpecs);
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->positional(), (std::vector<std::string>{"--at", "-"}));
}

TEST(ArgsTest, FlagFalse) {
  auto args = Args::Parse({"--cascade=false"}, kSpecs);
  ASSERT_TRUE(args.ok());
  EXPECT_FALSE(args->Flag("cascade"));
}

TEST(ArgsTest, MistakesAreUsageErrors) {
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"--nope"}, {"--at"}, {"--cascade=yes"}}) {
    auto args = Args::Parse(argv, kSpecs);
    ASSERT_FALSE(args.ok()) << argv[0];
    EXPECT_TRUE(IsUsageError(args.status())) << args.status();
  }
  EXPECT_EQ(Args::Parse({"--nope=1"}, kSpecs).status().message(),
            "unknown option --nope");
}

TEST(ArgsTest, ParseNumber) {
  EXPECT_EQ(*ParseNumber("space", "42"), 42u);
  EXPECT_FALSE(ParseNumber("space", "-1").ok());
  EXPECT_FALSE(ParseNumber("space", "1x").ok());
  EXPECT_FALSE(ParseNumber("space", "").ok());
  auto too_big = ParseNumber("page", "4294967296", 4294967295u);
  ASSERT_FALSE(too_big.ok());
  EXPECT_TRUE(IsUsageError(too_big.status()));
  EXPECT_EQ(too_big.status().message(),
            "invalid page \"4294967296\": expected a whole number from 0 to "
            "4294967295");
}

TEST(ArgsTest, UsageMarkOnlyOnUsageErrors) {
  EXPECT_FALSE(IsUsageError(absl::InvalidArgumentError("from a server")));
  EXPECT_TRUE(AsUsageError(absl::NotFoundError("x")).code() ==
              absl::StatusCode::kNotFound);
  EXPECT_TRUE(AsUsageError(absl::OkStatus()).ok());
}

}  // namespace
}  // namespace pitr::ctl
