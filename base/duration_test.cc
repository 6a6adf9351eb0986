#include "base/duration.h"

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(ParseDurationTest, UnitsAndDays) {
  EXPECT_EQ(*ParseDuration("7d"), absl::Hours(7 * 24));
  EXPECT_EQ(*ParseDuration("1d12h"), absl::Hours(36));
  EXPECT_EQ(*ParseDuration("12h"), absl::Hours(12));
  EXPECT_EQ(*ParseDuration("30m"), absl::Minutes(30));
  EXPECT_EQ(*ParseDuration("10s"), absl::Seconds(10));
  EXPECT_EQ(*ParseDuration("1.5s"), absl::Milliseconds(1500));
  EXPECT_EQ(*ParseDuration("0"), absl::ZeroDuration());
}

TEST(ParseDurationTest, BadInputs) {
  for (const char* bad : {"", "d", "7", "7x", "-1s", "1d-1h", "inf", "xd",
                          "1d2d", "7 d", "99999999999999999d"}) {
    auto d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.status().message().find("e.g. 7d"), absl::string_view::npos);
  }
}

TEST(DurationStringTest, ParsesBack) {
  for (absl::Duration d :
       {absl::Hours(7 * 24), absl::Hours(36), absl::Minutes(30),
        absl::Milliseconds(1500), absl::ZeroDuration()}) {
    EXPECT_EQ(*ParseDuration(DurationString(d)), d) << DurationString(d);
  }
  EXPECT_EQ(DurationString(absl::Hours(36)), "1d12h");
  EXPECT_EQ(DurationString(absl::InfiniteDuration()), "inf");
}

}  // namespace
}  // namespace pitr
