#include "base/duration_flag.h"

#include <string>

#include "absl/flags/marshalling.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

absl::Duration Parsed(absl::string_view text) {
  DurationFlag flag{absl::ZeroDuration()};
  std::string error;
  EXPECT_TRUE(absl::ParseFlag(text, &flag, &error)) << text << ": " << error;
  return flag.value;
}

TEST(DurationFlagTest, TakesPitrctlsFormsAndAbsls) {
  EXPECT_EQ(Parsed("7d"), absl::Hours(7 * 24));
  EXPECT_EQ(Parsed("1d12h"), absl::Hours(36));
  EXPECT_EQ(Parsed("12h"), absl::Hours(12));
  EXPECT_EQ(Parsed("30m"), absl::Minutes(30));
  EXPECT_EQ(Parsed("10s"), absl::Seconds(10));
  EXPECT_EQ(Parsed("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(Parsed("168h"), absl::Hours(168));
  EXPECT_EQ(Parsed("1h30m"), absl::Minutes(90));
  EXPECT_EQ(Parsed("0"), absl::ZeroDuration());
  EXPECT_EQ(Parsed("inf"), absl::InfiniteDuration());
}

TEST(DurationFlagTest, RefusesOtherTextNamingTheForms) {
  for (const char* bad : {"", "7", "seven days", "-1s", "1d-1h", "infinite"}) {
    DurationFlag flag{absl::Seconds(3)};
    std::string error;
    EXPECT_FALSE(absl::ParseFlag(bad, &flag, &error)) << bad;
    EXPECT_NE(error.find("e.g. 7d, 12h, 30m, 10s"), std::string::npos) << error;
    EXPECT_NE(error.find("inf"), std::string::npos) << error;
    EXPECT_EQ(flag.value, absl::Seconds(3)) << "left as it was";
  }
}

TEST(DurationFlagTest, UnparsesToWhatParsesBack) {
  for (absl::Duration d : {absl::Hours(7 * 24), absl::Minutes(10),
                           absl::InfiniteDuration(), absl::ZeroDuration()}) {
    std::string text = absl::UnparseFlag(DurationFlag{d});
    EXPECT_EQ(Parsed(text), d) << text;
  }
  EXPECT_EQ(absl::UnparseFlag(DurationFlag{absl::Hours(7 * 24)}), "7d");
}

}  // namespace
}  // namespace pitr
