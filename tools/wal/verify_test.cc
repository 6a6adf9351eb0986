// Verify on a small WAL with byte-level damage: every flipped byte and
// every cut is found, a torn tail is told from corruption, the files are
// never changed, and a WAL in use is refused.
#include "tools/wal/verify.h"

#include "gtest/gtest.h"
#include "spdlog/spdlog.h"
#include "tools/wal/test_util.h"
#include "wal/log_format.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::waltool {
namespace {

using Outcome = VerifyReport::Outcome;
using pitr::testing::ReadFileBytes;
using pitr::testing::SegmentPaths;
using pitr::testing::WriteFileBytes;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::off);
    GenerateOptions o = testing::SmallWorkload(3, 6);
    o.branches = 0;
    o.image_ratio = 0;  // small records: a short segment
    dir_ = testing::GenerateWalDir("verify", o);
    segment_ = SegmentPaths(dir_).back();
    original_ = ReadFileBytes(segment_);
  }

  VerifyReport Check() {
    auto report = Verify({dir_, false});
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : VerifyReport();
  }

  std::string dir_;
  std::string segment_;
  std::string original_;
};

TEST_F(VerifyTest, CleanLog) {
  VerifyReport report = Check();
  EXPECT_EQ(report.outcome, Outcome::kClean);
  EXPECT_EQ(report.batches, 6u);
  EXPECT_EQ(report.end_lsn, original_.size() - log_format::kSegmentHeaderSize);
  EXPECT_TRUE(report.notes.empty());
}

TEST_F(VerifyTest, EveryFlippedByteIsFound) {
  for (size_t i = 0; i < original_.size(); ++i) {
    std::string damaged = original_;
    damaged[i] ^= 0x01;
    WriteFileBytes(segment_, damaged);
    VerifyReport report = Check();
    EXPECT_NE(report.outcome, Outcome::kClean) << "byte " << i;
    EXPECT_EQ(ReadFileBytes(segment_), damaged) << "verify changed the file";
  }
}

TEST_F(VerifyTest, DamageBeforeTheTailIsCorruptionWithItsOffset) {
  std::string damaged = original_;
  damaged[log_format::kSegmentHeaderSize + 10] ^= 0x40;  // first record
  WriteFileBytes(segment_, damaged);
  VerifyReport report = Check();
  EXPECT_EQ(report.outcome, Outcome::kCorrupt);
  EXPECT_NE(report.problem.find("offset 40"), std::string::npos)
      << report.problem;
  EXPECT_NE(report.problem.find("lsn 0/0"), std::string::npos)
      << report.problem;
}

TEST_F(VerifyTest, EveryCutIsFoundAndACutInsideABatchIsATornTail) {
  const std::vector<Lsn> commits = testing::CommitLsns(dir_);
  for (size_t size = 0; size < original_.size(); ++size) {
    WriteFileBytes(segment_, original_.substr(0, size));
    VerifyReport report = Check();
    EXPECT_NE(report.outcome, Outcome::kClean) << "cut at " << size;
    const size_t last_batch_start =
        log_format::kSegmentHeaderSize + commits[commits.size() - 2];
    if (size > last_batch_start) {
      // Inside the last batch: what a crash leaves.
      EXPECT_EQ(report.outcome, Outcome::kTornTail) << "cut at " << size;
      EXPECT_EQ(report.end_lsn, commits[commits.size() - 2]);
    }
  }
}

TEST_F(VerifyTest, TornTailIsReportedWithTheSegmentAndOffset) {
  WriteFileBytes(segment_, original_.substr(0, original_.size() - 5));
  VerifyReport report = Check();
  ASSERT_EQ(report.outcome, Outcome::kTornTail);
  ASSERT_FALSE(report.notes.empty());
  EXPECT_NE(report.notes[0].find(segment_), std::string::npos)
      << report.notes[0];
  EXPECT_EQ(report.batches, 5u);
}

TEST_F(VerifyTest, LockedWalIsRefusedUnlessIgnoringTheLock) {
  WalOptions options;
  options.dir = dir_;
  auto wal = Wal::Open(options);
  ASSERT_TRUE(wal.ok());
  auto report = Verify({dir_, false});
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition)
      << report.status();
  auto ignoring = Verify({dir_, true});
  ASSERT_TRUE(ignoring.ok()) << ignoring.status();
  EXPECT_EQ(ignoring->outcome, Outcome::kClean);
}

}  // namespace
}  // namespace pitr::waltool
