#include "proto/record_convert.h"

#include <vector>

#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(RecordConvertTest, RecordsGoIntoTheBatchAndComeBackTheSame) {
  google::protobuf::RepeatedPtrField<v1::WalRecord> records;
  WalRecord image{0, RecordKind::kPageImage, TimelineId(1), {7, 3}, 0,
                  0, "image bytes"};
  WalRecord delta{0,     RecordKind::kPageDelta, TimelineId(1), {7, 3}, 16, 0,
                  "abcd"};
  WalRecord truncate{0, RecordKind::kSpaceTruncate, TimelineId(1), {7, 0}, 0, 2,
                     ""};
  for (const WalRecord& r : {image, delta, truncate}) {
    *records.Add() = RecordProto(r);
  }
  WalBatch batch(TimelineId(1));
  ASSERT_TRUE(AddRecords(records, &batch).ok());
  const std::vector<WalRecord> back = batch.Records(0);
  ASSERT_EQ(back.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    v1::WalRecord again = RecordProto(back[i]);
    EXPECT_EQ(again.SerializeAsString(), records[i].SerializeAsString()) << i;
  }
}

TEST(RecordConvertTest, ARecordWithNoChangeIsRefusedNamingItsIndex) {
  google::protobuf::RepeatedPtrField<v1::WalRecord> records;
  records.Add()->mutable_truncate()->set_space(1);
  records.Add();  // no change set
  WalBatch batch(TimelineId(1));
  absl::Status status = AddRecords(records, &batch);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("record 1 of 2"), absl::string_view::npos)
      << status;
}

}  // namespace
}  // namespace pitr
