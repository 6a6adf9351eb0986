// The WAL archive against both backends: every durable batch reaches the
// bucket, FetchWal rebuilds the log byte for byte, restarts upload nothing
// twice, many small pieces are consolidated, a replaced archiver stops, and
// a failing store holds the archive back without losing anything.
#include "remote/wal_archiver.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/generation.h"
#include "remote/testing/outage_storage.h"
#include "remote/testing/test_storage.h"
#include "remote/wal_archive_keys.h"
#include "remote/wal_fetch.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::remote {
namespace {

using testing::Backend;
using ::testing::HasSubstr;

class WalArchiverTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    storage_ = testing::OpenTestStorage(GetParam(), "wal_archiver");
    ASSERT_NE(storage_, nullptr);
    wal_options_.dir = pitr::testing::NewTestDir("wal_archiver_log");
    wal_options_.segment_size = 4096;
    OpenWal();
  }
  void TearDown() override {
    archiver_.reset();
    if (storage_ != nullptr) testing::DeleteAllObjects(storage_.get());
  }

  void OpenWal() {
    wal_.reset();
    absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(wal_options_);
    ASSERT_TRUE(wal.ok()) << wal.status();
    wal_ = std::move(*wal);
  }

  // Claims the next generation and starts an archiver with it.
  void StartArchiver(RemoteStorage* storage, WalArchiverOptions options = {}) {
    archiver_.reset();
    absl::StatusOr<Generation> g = ClaimGeneration(
        storage, claim_, wal_->end_lsn(), NewHolder(),
        [this](const LocalClaim& claim) {
          claim_ = claim;
          return absl::OkStatus();
        });
    ASSERT_TRUE(g.ok()) << g.status();
    generation_ = g->number;
    options.generation = generation_;
    absl::StatusOr<std::unique_ptr<WalArchiver>> archiver =
        WalArchiver::Start(storage, wal_.get(), options);
    ASSERT_TRUE(archiver.ok()) << archiver.status();
    archiver_ = std::move(*archiver);
  }

  void Append(int batches) {
    for (int i = 0; i < batches; ++i) {
      ASSERT_TRUE(
          wal_->Append(pitr::testing::MakeBatch(TimelineId(1), seed_++)).ok());
    }
  }

  // Fetches the archive into a new directory and checks that it holds the
  // same segment files, byte for byte, as the log (all of it, from 0).
  void ExpectFetchRebuildsTheLog() {
    const std::string dir = pitr::testing::NewTestDir("wal_fetched");
    absl::StatusOr<FetchedWal> fetched =
        FetchWal(storage_.get(), generation_, 0, dir);
    ASSERT_TRUE(fetched.ok()) << fetched.status();
    EXPECT_EQ(fetched->start, 0u);
    EXPECT_EQ(fetched->end, wal_->end_lsn());
    const std::vector<std::string> originals =
        pitr::testing::SegmentPaths(wal_options_.dir);
    const std::vector<std::string> copies = pitr::testing::SegmentPaths(dir);
    ASSERT_EQ(copies.size(), originals.size());
    for (size_t i = 0; i < copies.size(); ++i) {
      EXPECT_EQ(pitr::testing::ReadFileBytes(copies[i]),
                pitr::testing::ReadFileBytes(originals[i]))
          << copies[i];
    }
    // And the log opens there and reads the same batches.
    WalOptions options = wal_options_;
    options.dir = dir;
    absl::StatusOr<std::unique_ptr<Wal>> copy = Wal::Open(options);
    ASSERT_TRUE(copy.ok()) << copy.status();
    std::vector<CommittedBatch> a = pitr::testing::ReadAll(wal_.get(), 0);
    std::vector<CommittedBatch> b = pitr::testing::ReadAll(copy->get(), 0);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].commit_lsn, b[i].commit_lsn);
      EXPECT_EQ(a[i].timestamp_us, b[i].timestamp_us);
      EXPECT_EQ(a[i].records.size(), b[i].records.size());
    }
  }

  // The archived WAL objects, by key.
  std::vector<WalPiece> Pieces() {
    std::vector<WalPiece> pieces;
    absl::StatusOr<std::vector<ObjectInfo>> objects =
        storage_->List(kWalPrefix);
    EXPECT_TRUE(objects.ok()) << objects.status();
    for (const ObjectInfo& o : *objects) {
      std::optional<WalPiece> p = ParseWalPieceKey(o.key);
      EXPECT_TRUE(p.has_value()) << o.key;
      if (p) pieces.push_back(*p);
    }
    return pieces;
  }

  std::unique_ptr<RemoteStorage> storage_;
  WalOptions wal_options_;
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<WalArchiver> archiver_;
  std::optional<LocalClaim> claim_;
  uint64_t generation_ = 0;
  uint64_t seed_ = 1;
};

TEST_P(WalArchiverTest, EveryDurableBatchReachesTheBucketWithinTheDelay) {
  WalArchiverOptions options;
  options.delay = absl::Milliseconds(20);
  StartArchiver(storage_.get(), options);
  Append(100);  // several segments
  ASSERT_GT(wal_->Segments().size(), 3u);
  // Without asking: the thread gets there by itself.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (archiver_->archived_lsn() < wal_->end_lsn() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(archiver_->archived_lsn(), wal_->end_lsn());
  EXPECT_TRUE(archiver_->stats().caught_up_at.has_value());
  ExpectFetchRebuildsTheLog();
}

TEST_P(WalArchiverTest, WaitArchivedWakesTheArchiverAtOnce) {
  WalArchiverOptions options;
  options.delay = absl::Hours(1);  // it would otherwise wait an hour
  StartArchiver(storage_.get(), options);
  Append(3);
  const absl::Time start = absl::Now();
  ASSERT_TRUE(
      archiver_->WaitArchived(wal_->end_lsn(), start + absl::Seconds(30)).ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(30));
  ExpectFetchRebuildsTheLog();
}

TEST_P(WalArchiverTest, ARestartUploadsOnlyWhatIsNew) {
  StartArchiver(storage_.get());
  Append(30);
  ASSERT_TRUE(archiver_->ArchiveNow().ok());
  const size_t objects = Pieces().size();
  // A restart of the store: the log reopens, a new generation.
  archiver_.reset();
  OpenWal();
  WalArchiverOptions options;
  options.delay = absl::Hours(1);
  StartArchiver(storage_.get(), options);
  EXPECT_EQ(generation_, 2u);
  EXPECT_EQ(archiver_->archived_lsn(), wal_->end_lsn());
  ASSERT_TRUE(archiver_->ArchiveNow().ok());
  EXPECT_EQ(archiver_->stats().objects_uploaded, 0u);
  EXPECT_EQ(Pieces().size(), objects);
  const Lsn end_at_restart = wal_->end_lsn();
  Append(5);
  ASSERT_TRUE(archiver_->ArchiveNow().ok());
  EXPECT_GE(archiver_->stats().objects_uploaded, 1u);
  // Generation 2 uploaded only what came after the restart.
  for (const WalPiece& p : Pieces()) {
    if (p.generation == 2) {
      EXPECT_GE(p.from, end_at_restart);
    }
  }
  ExpectFetchRebuildsTheLog();
}

TEST_P(WalArchiverTest, ASegmentArchivedInManyPiecesIsUploadedWhole) {
  WalArchiverOptions options;
  options.delay = absl::Hours(1);
  options.max_pieces = 2;
  StartArchiver(storage_.get(), options);
  // One batch at a time, archived after each: many pieces per segment.
  while (wal_->Segments().size() < 3) {
    Append(1);
    ASSERT_TRUE(archiver_->ArchiveNow().ok());
  }
  const std::vector<Wal::Segment> segments = wal_->Segments();
  std::map<Lsn, int> per_segment;
  for (const WalPiece& p : Pieces()) ++per_segment[p.segment];
  // Sealed segments: one object each, the whole file.
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    EXPECT_EQ(per_segment[segments[i].start], 1) << i;
  }
  EXPECT_GT(archiver_->stats().objects_deleted, 0u);
  ExpectFetchRebuildsTheLog();
}

TEST_P(WalArchiverTest, AnOutageHoldsTheArchiveBackAndLosesNothing) {
  testing::OutageStorage flaky(storage_.get());
  WalArchiverOptions options;
  options.delay = absl::Milliseconds(20);
  StartArchiver(&flaky, options);
  Append(5);
  ASSERT_TRUE(
      archiver_->WaitArchived(wal_->end_lsn(), absl::Now() + absl::Seconds(20))
          .ok());
  flaky.down = true;
  const Lsn before = archiver_->archived_lsn();
  Append(20);
  absl::Status waited = archiver_->WaitArchived(
      wal_->end_lsn(), absl::Now() + absl::Milliseconds(300));
  EXPECT_EQ(waited.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(waited.message(), HasSubstr("the store is down"));
  EXPECT_EQ(archiver_->archived_lsn(), before);
  EXPECT_GT(archiver_->stats().failures, 0u);
  flaky.down = false;
  ASSERT_TRUE(
      archiver_->WaitArchived(wal_->end_lsn(), absl::Now() + absl::Seconds(20))
          .ok());
  EXPECT_TRUE(archiver_->stats().last_error.ok());
  ExpectFetchRebuildsTheLog();
}

TEST_P(WalArchiverTest, AReplacedArchiverStopsAndSaysSo) {
  WalArchiverOptions options;
  options.delay = absl::Hours(1);  // passes only when asked, below
  options.fence_check_interval = absl::ZeroDuration();
  StartArchiver(storage_.get(), options);
  Append(3);
  ASSERT_TRUE(archiver_->ArchiveNow().ok());
  const Lsn taken_at = wal_->end_lsn();
  ASSERT_TRUE(TakeOverGeneration(storage_.get(), taken_at, "new:9").ok());
  Append(3);
  absl::Status pass = archiver_->ArchiveNow();
  EXPECT_EQ(pass.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pass.message(), HasSubstr("replaced by generation 2"));
  EXPECT_THAT(pass.message(), HasSubstr("new:9"));
  EXPECT_TRUE(archiver_->stats().fenced);
  absl::Status waited = archiver_->WaitArchived(
      wal_->end_lsn(), absl::Now() + absl::Seconds(20));
  EXPECT_EQ(waited.code(), absl::StatusCode::kFailedPrecondition);
  // Nothing of generation 1 past the takeover; the archive stays where the
  // takeover found it.
  for (const WalPiece& p : Pieces()) {
    EXPECT_EQ(p.generation, 1u);
    EXPECT_LE(p.to, taken_at);
  }
  EXPECT_EQ(archiver_->archived_lsn(), taken_at);
}

INSTANTIATE_TEST_SUITE_P(Backends, WalArchiverTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace pitr::remote
