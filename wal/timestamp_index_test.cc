#include "wal/timestamp_index.h"

#include "base/coding.h"
#include "base/crc32c.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wal/log_format.h"
#include "wal/testing/wal_test_util.h"

namespace pitr {
namespace {

using ::pitr::testing::NewTestDir;
using ::pitr::testing::ReadFileBytes;
using ::pitr::testing::WriteFileBytes;
using ::testing::HasSubstr;
using Entry = TimestampIndex::Entry;

namespace lf = log_format;

class TimestampIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = NewTestDir("tsi") + "/" + lf::kIndexFileName;
  }

  std::unique_ptr<TimestampIndex> Open() {
    auto index = TimestampIndex::Open(FileSystem::Default(), path_);
    EXPECT_TRUE(index.ok()) << index.status();
    return index.ok() ? std::move(*index) : nullptr;
  }

  std::string path_;
};

TEST_F(TimestampIndexTest, SearchesByTimestampAndByLsn) {
  auto index = Open();
  EXPECT_EQ(index->end_ordinal(), 0u);
  ASSERT_TRUE(index->Append({{10, 100}, {20, 200}, {20, 300}, {40, 400}}).ok());
  EXPECT_EQ(index->end_ordinal(), 4u);
  EXPECT_FALSE(index->LastAtOrBefore(9)->has_value());
  EXPECT_EQ(index->LastAtOrBefore(10)->value().commit_lsn, 100u);
  EXPECT_EQ(index->LastAtOrBefore(25)->value().commit_lsn, 300u);
  EXPECT_EQ(index->LastAtOrBefore(99)->value().commit_lsn, 400u);
  for (Lsn lsn : {100, 200, 300, 400}) EXPECT_TRUE(*index->ContainsLsn(lsn));
  for (Lsn lsn : {0, 99, 250, 401}) EXPECT_FALSE(*index->ContainsLsn(lsn));
  EXPECT_FALSE(index->LastAtOrBeforeLsn(99)->has_value());
  EXPECT_EQ(index->LastAtOrBeforeLsn(100)->value().timestamp_us, 10);
  EXPECT_EQ(index->LastAtOrBeforeLsn(299)->value().commit_lsn, 200u);
  EXPECT_EQ(index->LastAtOrBeforeLsn(5000)->value().commit_lsn, 400u);
  EXPECT_EQ(index->Get(4).status().code(), absl::StatusCode::kOutOfRange);
}

TEST_F(TimestampIndexTest, ReopensAndIgnoresATornLastEntry) {
  {
    auto index = Open();
    ASSERT_TRUE(index->Append({{1, 10}, {2, 20}}).ok());
    ASSERT_TRUE(index->Sync().ok());
  }
  std::string bytes = ReadFileBytes(path_);
  WriteFileBytes(path_, bytes.substr(0, bytes.size() - 7));
  auto index = Open();
  EXPECT_EQ(index->end_ordinal(), 1u);
  ASSERT_TRUE(index->Append({{3, 30}}).ok());
  EXPECT_EQ(index->Get(1)->commit_lsn, 30u);
}

TEST_F(TimestampIndexTest, ReplaceFromKeepsTheMatchingPrefix) {
  auto index = Open();
  ASSERT_TRUE(index->Append({{1, 10}, {2, 20}, {3, 30}}).ok());
  ASSERT_TRUE(index->ReplaceFrom(1, {{2, 20}, {5, 50}, {6, 60}}).ok());
  EXPECT_EQ(index->end_ordinal(), 4u);
  EXPECT_EQ(index->Get(1)->commit_lsn, 20u);
  EXPECT_EQ(index->Get(2)->commit_lsn, 50u);
  EXPECT_EQ(index->Get(3)->commit_lsn, 60u);
  ASSERT_TRUE(index->ReplaceFrom(1, {}).ok());
  EXPECT_EQ(index->end_ordinal(), 1u);
}

TEST_F(TimestampIndexTest, ACorruptEntryIsReportedWithItsOffset) {
  {
    auto index = Open();
    ASSERT_TRUE(index->Append({{1, 10}, {2, 20}, {3, 30}}).ok());
  }
  std::string bytes = ReadFileBytes(path_);
  bytes[lf::kIndexHeaderSize + lf::kIndexEntrySize + 3] ^= 1;
  WriteFileBytes(path_, bytes);
  auto index = Open();
  absl::StatusOr<Entry> entry = index->Get(1);
  EXPECT_EQ(entry.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(entry.status().message(), HasSubstr("entry 1 at offset 56"));
}

TEST_F(TimestampIndexTest, RefusesADamagedHeaderOrAnotherVersion) {
  { Open(); }
  std::string header = ReadFileBytes(path_);
  std::string damaged = header;
  damaged[2] ^= 1;
  WriteFileBytes(path_, damaged);
  auto index = TimestampIndex::Open(FileSystem::Default(), path_);
  EXPECT_EQ(index.status().code(), absl::StatusCode::kDataLoss);

  std::string newer = header;
  EncodeFixed32(&newer[8], lf::kFormatVersion + 1);
  EncodeFixed32(&newer[28], crc32c::Mask(crc32c::Extend(0, newer.data(), 28)));
  WriteFileBytes(path_, newer);
  index = TimestampIndex::Open(FileSystem::Default(), path_);
  EXPECT_EQ(index.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(index.status().message(), HasSubstr("format version 2"));
}

}  // namespace
}  // namespace pitr
