#include "server/convert.h"

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(ConvertTest, TimestampsRoundTripIncludingBeforeTheEpoch) {
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

TEST(ConvertTest, BadTimestampsAreRefusedNamingTheField) {
  google::protobuf::Timestamp proto;
  proto.set_nanos(-1);
  absl::StatusOr<int64_t> got = TimestampUs(proto, "commit_time");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(got.status().message().find("commit_time"), absl::string_view::npos);
  proto.set_nanos(0);
  proto.set_seconds(253402300800);  // 10000-01-01
  EXPECT_FALSE(TimestampUs(proto, "t").ok());
}

TEST(ConvertTest, DurationsRoundTripAndNegativeOnesAreRefused) {
  absl::StatusOr<absl::Duration> back =
      ToDuration(DurationProto(absl::Milliseconds(1500)), "d");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, absl::Milliseconds(1500));
  google::protobuf::Duration negative;
  negative.set_seconds(-3);
  EXPECT_EQ(ToDuration(negative, "window").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConvertTest, RetentionKeepsUnsetFieldsUnset) {
  Retention only_distance{std::nullopt, 4096};
  absl::StatusOr<Retention> back = ToRetention(RetentionProto(only_distance));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, only_distance);
  Retention only_window{absl::Hours(3), std::nullopt};
  back = ToRetention(RetentionProto(only_window));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, only_window);
}

TEST(ConvertTest, RecordsGoIntoTheBatchAndComeBackTheSame) {
  google::protobuf::RepeatedPtrField<v1::WalRecord> records;
  WalRecord image{0, RecordKind::kPageImage, 1, {7, 3}, 0, 0, "image bytes"};
  WalRecord delta{0, RecordKind::kPageDelta, 1, {7, 3}, 16, 0, "abcd"};
  WalRecord truncate{0, RecordKind::kSpaceTruncate, 1, {7, 0}, 0, 2, ""};
  for (const WalRecord& r : {image, delta, truncate}) {
    *records.Add() = RecordProto(r);
  }
  WalBatch batch(1);
  ASSERT_TRUE(AddRecords(records, &batch).ok());
  const std::vector<WalRecord> back = batch.Records(0);
  ASSERT_EQ(back.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    v1::WalRecord again = RecordProto(back[i]);
    EXPECT_EQ(again.SerializeAsString(), records[i].SerializeAsString()) << i;
  }
}

TEST(ConvertTest, ARecordWithNoChangeIsRefusedNamingItsIndex) {
  google::protobuf::RepeatedPtrField<v1::WalRecord> records;
  records.Add()->mutable_truncate()->set_space(1);
  records.Add();  // no change set
  WalBatch batch(1);
  absl::Status status = AddRecords(records, &batch);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("record 1 of 2"), absl::string_view::npos)
      << status;
}

}  // namespace
}  // namespace pitr
