#include "proto/time_convert.h"

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(TimeConvertTest, TimestampsRoundTripIncludingBeforeTheEpoch) {
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{1763700000123456},
                     int64_t{-1}, int64_t{-1500000}}) {
    const google::protobuf::Timestamp proto = TimestampProto(us);
    EXPECT_GE(proto.nanos(), 0);
    EXPECT_LT(proto.nanos(), 1000000000);
    absl::StatusOr<int64_t> back = TimestampUs(proto, "t");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, us);
  }
}

TEST(TimeConvertTest, TimestampBeforeEpochHasPositiveNanos) {
  auto ts = TimestampProto(-1);
  EXPECT_EQ(ts.seconds(), -1);
  EXPECT_EQ(ts.nanos(), 999999000);
  auto d = DurationProto(absl::Milliseconds(1500));
  EXPECT_EQ(d.seconds(), 1);
  EXPECT_EQ(d.nanos(), 500000000);
}

TEST(TimeConvertTest, BadTimestampsAreRefusedNamingTheField) {
  google::protobuf::Timestamp proto;
  proto.set_nanos(-1);
  absl::StatusOr<int64_t> got = TimestampUs(proto, "commit_time");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("commit_time"),
            absl::string_view::npos);
  proto.set_nanos(0);
  proto.set_seconds(253402300800);  // 10000-01-01
  EXPECT_FALSE(TimestampUs(proto, "t").ok());
}

TEST(TimeConvertTest, DurationsRoundTripAndNegativeOnesAreRefused) {
  absl::StatusOr<absl::Duration> back =
      ToDuration(DurationProto(absl::Milliseconds(1500)), "d");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, absl::Milliseconds(1500));
  google::protobuf::Duration negative;
  negative.set_seconds(-3);
  EXPECT_EQ(ToDuration(negative, "window").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace pitr
