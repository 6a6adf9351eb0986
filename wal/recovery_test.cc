// Recovery on open: torn tails are dropped, damage before the tail is
// refused (or cut with repair), and nothing wrong is ever read.
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wal/log_format.h"
#include "wal/testing/wal_test_util.h"
#include "wal/wal.h"

namespace pitr {
namespace {

using ::pitr::testing::CopyDir;
using ::pitr::testing::ExpectBatchEq;
using ::pitr::testing::MakeBatch;
using ::pitr::testing::NewTestDir;
using ::pitr::testing::ReadAll;
using ::pitr::testing::ReadFileBytes;
using ::pitr::testing::SegmentPaths;
using ::pitr::testing::WriteFileBytes;
using ::testing::HasSubstr;

namespace lf = log_format;

struct Written {
  WalBatch batch;
  AppendResult result;
};

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { options_.dir = NewTestDir("recovery"); }

  // Appends n batches to a fresh log and closes it.
  void WriteLog(int n) {
    auto wal = Wal::Open(options_);
    ASSERT_TRUE(wal.ok()) << wal.status();
    for (int i = 0; i < n; ++i) {
      WalBatch batch = MakeBatch(TimelineId(1 + i % 2), i, 1 + i % 3);
      absl::StatusOr<AppendResult> r = (*wal)->Append(batch);
      ASSERT_TRUE(r.ok()) << r.status();
      written_.push_back({batch, *r});
    }
  }

  // Opens a copy of the log whose segment `segment` has been replaced by
  // `bytes`.
  absl::StatusOr<std::unique_ptr<Wal>> OpenDamaged(size_t segment,
                                                   const std::string& bytes,
                                                   bool repair = false) {
    WalOptions copy = options_;
    copy.dir = options_.dir + "_copy";
    copy.repair = repair;
    CopyDir(options_.dir, copy.dir);
    WriteFileBytes(SegmentPaths(copy.dir)[segment], bytes);
    return Wal::Open(copy);
  }

  // The log reads exactly the first `count` batches written, then accepts
  // a new one right after them.
  void ExpectPrefix(Wal* wal, size_t count) {
    std::vector<CommittedBatch> read = ReadAll(wal, wal->oldest_lsn());
    ASSERT_EQ(read.size(), count);
    for (size_t i = 0; i < count; ++i) {
      ExpectBatchEq(written_[i].batch, written_[i].result, read[i]);
    }
    const Lsn end = count == 0 ? 0 : written_[count - 1].result.commit_lsn;
    EXPECT_EQ(wal->end_lsn(), end);
    absl::StatusOr<AppendResult> next = wal->Append(MakeBatch(TimelineId(9), 9));
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->start_lsn, end);
  }

  // How many batches end at or before `lsn`.
  size_t BatchesEndingBy(Lsn lsn) const {
    size_t n = 0;
    while (n < written_.size() && written_[n].result.commit_lsn <= lsn) ++n;
    return n;
  }

  WalOptions options_;
  std::vector<Written> written_;
};

TEST_F(RecoveryTest, TornAtEveryByteOffsetKeepsExactlyTheWholeBatches) {
  WriteLog(6);
  const std::string segment = ReadFileBytes(SegmentPaths(options_.dir)[0]);
  for (size_t cut = lf::kSegmentHeaderSize; cut < segment.size(); ++cut) {
    SCOPED_TRACE(absl::StrCat("cut at offset ", cut));
    auto wal = OpenDamaged(0, segment.substr(0, cut));
    ASSERT_TRUE(wal.ok()) << wal.status();
    ExpectPrefix(wal->get(), BatchesEndingBy(cut - lf::kSegmentHeaderSize));
  }
}

TEST_F(RecoveryTest, AFlippedBitAnywhereIsDetected) {
  WriteLog(5);
  const std::string segment = ReadFileBytes(SegmentPaths(options_.dir)[0]);
  const Lsn last_record_start =
      written_.back().result.commit_lsn - lf::kCommitRecordSize;
  for (size_t offset = 0; offset < segment.size(); ++offset) {
    SCOPED_TRACE(absl::StrCat("bit flipped at offset ", offset));
    std::string damaged = segment;
    damaged[offset] ^= static_cast<char>(1 << (offset % 8));
    auto wal = OpenDamaged(0, damaged);
    const Lsn lsn = offset - lf::kSegmentHeaderSize;
    if (offset >= lf::kSegmentHeaderSize && lsn >= last_record_start) {
      // The very last record (the last batch's commit): a torn tail.
      ASSERT_TRUE(wal.ok()) << wal.status();
      ExpectPrefix(wal->get(), written_.size() - 1);
      continue;
    }
    ASSERT_FALSE(wal.ok()) << "damage went unnoticed";
    EXPECT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(wal.status().message(), HasSubstr("0000000000000000.wal"));
    if (offset >= lf::kSegmentHeaderSize) {
      EXPECT_THAT(wal.status().message(), HasSubstr("at offset"));
      EXPECT_THAT(wal.status().message(), HasSubstr("reopen with repair"));
    }
  }
}

TEST_F(RecoveryTest, DamageBeforeTheTailNamesSegmentAndOffset) {
  WriteLog(4);
  std::string segment = ReadFileBytes(SegmentPaths(options_.dir)[0]);
  const size_t offset =
      lf::kSegmentHeaderSize + written_[1].result.start_lsn + 20;
  segment[offset] ^= 0x10;
  auto wal = OpenDamaged(0, segment);
  ASSERT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(),
              HasSubstr(absl::StrCat(
                  "0000000000000000.wal at offset ",
                  lf::kSegmentHeaderSize + written_[1].result.start_lsn)));
  EXPECT_THAT(wal.status().message(), HasSubstr("checksum mismatch"));
}

TEST_F(RecoveryTest, RepairCutsAtTheLastGoodBatch) {
  WriteLog(4);
  std::string segment = ReadFileBytes(SegmentPaths(options_.dir)[0]);
  segment[lf::kSegmentHeaderSize + written_[2].result.start_lsn + 12] ^= 1;
  auto wal = OpenDamaged(0, segment, /*repair=*/true);
  ASSERT_TRUE(wal.ok()) << wal.status();
  ExpectPrefix(wal->get(), 2);
}

TEST_F(RecoveryTest, AChecksummedButInvalidLastRecordIsCorruptionNotATornTail) {
  WriteLog(3);
  // A torn write cannot produce a frame with a valid checksum, so a last
  // commit whose count is wrong was written wrong, not torn.
  const std::string path = SegmentPaths(options_.dir)[0];
  std::string bytes =
      ReadFileBytes(path) +
      testing::RawFrame(lf::kSpaceTruncate, std::string(16, '\0')) +
      testing::RawCommit(TimelineId(0), written_.back().result.timestamp_us, 7);
  auto wal = OpenDamaged(0, bytes);
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(), HasSubstr("commit record counts 7"));
}

TEST_F(RecoveryTest, ADecreasingCommitTimestampIsRefusedAndRepairCutsBeforeIt) {
  WriteLog(3);
  const std::string path = SegmentPaths(options_.dir)[0];
  const int64_t earlier = written_.back().result.timestamp_us - 1;
  std::string bytes =
      ReadFileBytes(path) +
      testing::RawFrame(lf::kSpaceTruncate, std::string(16, '\0')) +
      testing::RawCommit(TimelineId(0), earlier, 1);
  auto refused = OpenDamaged(0, bytes);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("earlier than the commit before it"));
  auto repaired = OpenDamaged(0, bytes, /*repair=*/true);
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  ExpectPrefix(repaired->get(), 3);
}

class MultiSegmentRecoveryTest : public RecoveryTest {
 protected:
  void SetUp() override {
    RecoveryTest::SetUp();
    options_.segment_size = 600;
    WriteLog(24);
    segments_ = SegmentPaths(options_.dir);
    ASSERT_GE(segments_.size(), 4u);
  }

  // The index of the first batch in segment i.
  size_t FirstBatchOf(size_t i) {
    auto start = std::filesystem::path(segments_[i]).filename().string();
    Lsn lsn = std::stoull(start.substr(0, 16), nullptr, 16);
    return BatchesEndingBy(lsn);
  }

  std::vector<std::string> segments_;
};

TEST_F(MultiSegmentRecoveryTest, DamageInASealedSegmentIsRefused) {
  std::string bytes = ReadFileBytes(segments_[1]);
  bytes[bytes.size() - 3] ^= 4;  // its last record: not a tail, more follow
  auto wal = OpenDamaged(1, bytes);
  ASSERT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(
      wal.status().message(),
      HasSubstr(std::filesystem::path(segments_[1]).filename().string()));
}

TEST_F(MultiSegmentRecoveryTest, ASealedSegmentCutShortIsRefused) {
  std::string bytes = ReadFileBytes(segments_[1]);
  auto wal = OpenDamaged(1, bytes.substr(0, bytes.size() - 1));
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(MultiSegmentRecoveryTest, RepairInASealedSegmentDropsTheSegmentsAfter) {
  std::string bytes = ReadFileBytes(segments_[1]);
  const size_t first_of_next = FirstBatchOf(2);
  bytes[bytes.size() - 3] ^= 4;  // damages the last batch of segment 1
  auto wal = OpenDamaged(1, bytes, /*repair=*/true);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_EQ(SegmentPaths(options_.dir + "_copy").size(), 2u);
  ExpectPrefix(wal->get(), first_of_next - 1);
}

TEST_F(MultiSegmentRecoveryTest, RepairCutsAtAMiddleSegmentWithABadHeader) {
  std::string bytes = ReadFileBytes(segments_[2]);
  bytes[20] ^= 1;
  EXPECT_EQ(OpenDamaged(2, bytes).status().code(), absl::StatusCode::kDataLoss);
  auto wal = OpenDamaged(2, bytes, /*repair=*/true);
  ASSERT_TRUE(wal.ok()) << wal.status();
  EXPECT_EQ(SegmentPaths(options_.dir + "_copy").size(), 2u);
  ExpectPrefix(wal->get(), FirstBatchOf(2));
}

TEST_F(MultiSegmentRecoveryTest, RepairFinishesACutThatACrashInterrupted) {
  // A repair that crashed after cutting segment 1 but before deleting the
  // segments after it leaves a gap; the next repair must finish the job.
  const size_t kept = FirstBatchOf(1) + 1;  // segment 1 keeps one batch
  std::string bytes = ReadFileBytes(segments_[1]);
  const Lsn cut = written_[kept - 1].result.commit_lsn;
  const Lsn start1 = written_[FirstBatchOf(1)].result.start_lsn;
  bytes.resize(lf::kSegmentHeaderSize + (cut - start1));
  auto refused = OpenDamaged(1, bytes);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDataLoss);
  auto wal = OpenDamaged(1, bytes, /*repair=*/true);
  ASSERT_TRUE(wal.ok()) << wal.status();
  ExpectPrefix(wal->get(), kept);
}

TEST_F(MultiSegmentRecoveryTest, TheOldestSegmentsHeaderCannotBeRepairedAway) {
  std::string bytes = ReadFileBytes(segments_[0]);
  bytes[3] ^= 1;
  auto wal = OpenDamaged(0, bytes, /*repair=*/true);
  EXPECT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(), HasSubstr("bad header"));
}

TEST_F(MultiSegmentRecoveryTest, AMissingSegmentIsRefused) {
  WalOptions copy = options_;
  copy.dir = options_.dir + "_gap";
  CopyDir(options_.dir, copy.dir);
  std::filesystem::remove(SegmentPaths(copy.dir)[2]);
  auto wal = Wal::Open(copy);
  ASSERT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(), HasSubstr("a segment is missing"));
}

TEST_F(MultiSegmentRecoveryTest, ATornNewSegmentHeaderIsRemoved) {
  // A crash while rolling: the new last segment has only part of a header.
  const size_t last = segments_.size() - 1;
  const size_t first_of_last = FirstBatchOf(last);
  std::string header = ReadFileBytes(segments_[last]).substr(0, 17);
  auto wal = OpenDamaged(last, header);
  ASSERT_TRUE(wal.ok()) << wal.status();
  ExpectPrefix(wal->get(), first_of_last);
}

TEST_F(MultiSegmentRecoveryTest, ASegmentRenamedToTheWrongLsnIsRefused) {
  WalOptions copy = options_;
  copy.dir = options_.dir + "_renamed";
  CopyDir(options_.dir, copy.dir);
  std::vector<std::string> paths = SegmentPaths(copy.dir);
  std::filesystem::rename(paths[1], copy.dir + "/0000000000000001.wal");
  auto wal = Wal::Open(copy);
  ASSERT_EQ(wal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(wal.status().message(),
              HasSubstr("not at the lsn its name gives"));
}

}  // namespace
}  // namespace pitr
