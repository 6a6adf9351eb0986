#include "clients/common/format.h"

#include "gtest/gtest.h"

namespace pitr::clients {
namespace {

TEST(FormatTest, Time) {
  google::protobuf::Timestamp t;
  t.set_seconds(1795255200);
  t.set_nanos(125000);
  EXPECT_EQ(FormatTime(t), "2026-11-21T10:00:00.000125Z");
}

TEST(FormatTest, Durations) {
  EXPECT_EQ(DurationString(absl::Hours(24 * 7)), "7d");
  EXPECT_EQ(DurationString(absl::Hours(36)), "1d12h");
  EXPECT_EQ(DurationString(absl::Minutes(90)), "1h30m");
  EXPECT_EQ(DurationString(absl::ZeroDuration()), "0");
  google::protobuf::Duration d;
  d.set_seconds(1);
  d.set_nanos(500000000);
  EXPECT_EQ(DurationString(d), "1.5s");
}

TEST(FormatTest, Bytes) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(27ull << 20), "27.0 MiB");
  EXPECT_EQ(FormatBytes(3ull << 40), "3.0 TiB");
}

}  // namespace
}  // namespace pitr::clients
