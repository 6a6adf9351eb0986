// History deeper than the local disk (EngineOptions::local_history): a
// model test over three hours of history (commit times set in the past)
// with branches and a snapshot, base backups at the start, in the middle
// and at the end. After GC leaves everything older than an hour to the
// bucket, every page of every branch at every commit LSN reads exactly as
// before (the old ones from cold stores built from the bucket, the first
// read of each paying the fetch, later ones not), and so after a restart;
// bounds say where the local range begins; a branch made at a cold point is
// metadata only and reads from the bucket; an export at a cold point holds
// what it held; a cache of one byte keeps one store at a time.
#include "engine/engine.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/testing/engine_fixture.h"
#include "engine/testing/history_reads.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/testing/test_storage.h"

namespace pitr {
namespace {

using remote::testing::Backend;
using testing::ExpectReadsAlike;
using testing::HistoryReads;
using testing::ReadHistory;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPages = 6;

class ColdHistoryTest : public testing::EngineFixture,
                        public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    storage_ = remote::testing::OpenTestStorage(GetParam(), "cold_history");
    ASSERT_NE(storage_, nullptr);
    options_ = testing::TestEngineOptions("cold_history", kPageSize);
    options_.wal_segment_size = 16 << 10;
    options_.remote = storage_.get();
    options_.archive_sync = true;
    options_.gc_period = absl::InfiniteDuration();
    options_.local_history = absl::Hours(1);
    Reopen();
  }
  void TearDown() override {
    engine_.reset();
    if (storage_ != nullptr) remote::testing::DeleteAllObjects(storage_.get());
  }

  // Step `step`, committed `ago` before now.
  void Write(BranchId branch, int step, absl::Duration ago) {
    commits_.push_back(testing::AppendStep(
        engine_.get(), branch, step % kPages, step, kPages,
        absl::ToUnixMicros(absl::Now() - ago)));
  }

  void Backup() { ASSERT_TRUE(engine_->backups().Create().ok()); }

  std::unique_ptr<remote::RemoteStorage> storage_;
  std::vector<Lsn> commits_;
};

TEST_P(ColdHistoryTest, OldHistoryReadsFromTheBucketExactlyAsItDidLocally) {
  Backup();  // of the empty store: the bucket reaches back to the start
  const absl::Duration step_time = absl::Minutes(3);
  int step = 0;
  for (; step < 20; ++step) Write(kMainBranch, step, absl::Hours(3) - step * step_time);
  absl::StatusOr<Branch> dev = engine_->CreateBranch(
      "dev", kMainBranch, PointInTime{commits_[10], {}});
  ASSERT_TRUE(dev.ok());
  for (; step < 30; ++step) Write(dev->id, step, absl::Hours(3) - step * step_time);
  ASSERT_TRUE(engine_->snapshots()
                  .Create("old", kMainBranch, PointInTime{commits_[15], {}})
                  .ok());
  Backup();  // in the middle (1.5 hours ago, by its commits)
  for (; step < 60; ++step) Write(kMainBranch, step, absl::Hours(3) - step * step_time);
  Backup();
  const HistoryReads before = ReadHistory(engine_.get(), commits_, kPages);

  absl::StatusOr<GcReport> gc = engine_->gc().Run(/*compact=*/true);
  ASSERT_TRUE(gc.ok()) << gc.status();
  EXPECT_GT(gc->versions_removed, 10u);
  EXPECT_LT(gc->store_bytes_after, gc->store_bytes_before);
  // dev reads main at its branch point: main keeps that much locally; dev
  // wrote nothing in the last hour: the disk keeps its state there, where
  // it stands (its history before is in the bucket).
  absl::StatusOr<HistoryBounds> bounds = engine_->GetHistoryBounds(kMainBranch);
  ASSERT_TRUE(bounds.ok());
  EXPECT_EQ(bounds->oldest_lsn, 0u);  // retention (7 days) is unchanged
  EXPECT_EQ(bounds->local_oldest_lsn, commits_[10]);
  absl::StatusOr<HistoryBounds> dev_bounds = engine_->GetHistoryBounds(dev->id);
  ASSERT_TRUE(dev_bounds.ok());
  ASSERT_TRUE(dev_bounds->local_oldest_lsn.has_value());
  EXPECT_EQ(*dev_bounds->local_oldest_lsn, commits_[29]);
  EXPECT_EQ(dev_bounds->latest_lsn, commits_[29]);
  ASSERT_TRUE(dev_bounds->local_oldest_timestamp_us.has_value());
  EXPECT_LT(*dev_bounds->local_oldest_timestamp_us,
            absl::ToUnixMicros(absl::Now() - absl::Minutes(59)));

  ExpectReadsAlike(engine_.get(), before);
  const ColdHistoryStats cold = engine_->stats().cold;
  EXPECT_GT(cold.reads, 0u);
  EXPECT_GE(cold.stores_built, 1u);
  EXPECT_GT(cold.bytes_fetched, 0u);
  // Warm: the same reads fetch nothing more.
  ExpectReadsAlike(engine_.get(), before);
  EXPECT_EQ(engine_->stats().cold.stores_built, cold.stores_built);

  // A branch at a cold point: metadata only, its reads from the bucket.
  absl::StatusOr<Branch> late = engine_->CreateBranch(
      "late", kMainBranch, PointInTime{commits_[5], {}});
  ASSERT_TRUE(late.ok()) << late.status();
  for (uint32_t page = 0; page < kPages; ++page) {
    absl::StatusOr<std::string> main_then =
        engine_->GetPage(kMainBranch, {1, page}, commits_[5]);
    absl::StatusOr<std::string> on_late = engine_->GetPage(late->id, {1, page});
    ASSERT_EQ(main_then.status().code(), on_late.status().code()) << page;
    if (main_then.ok()) {
      EXPECT_TRUE(*main_then == *on_late) << page;
    }
  }
  absl::StatusOr<HistoryBounds> late_bounds = engine_->GetHistoryBounds(late->id);
  ASSERT_TRUE(late_bounds.ok());
  EXPECT_FALSE(late_bounds->local_oldest_lsn.has_value());
  ASSERT_TRUE(engine_->DeleteBranch(late->id, false).ok());

  // A restore of dev to a cold point: metadata only too, and its reads
  // (and its backup branch's, which holds dev's old timeline) alike.
  absl::StatusOr<Catalog::Restored> restored = engine_->RestoreBranch(
      dev->id, kMainBranch, PointInTime{commits_[3], {}});
  ASSERT_TRUE(restored.ok()) << restored.status();
  for (uint32_t page = 0; page < kPages; ++page) {
    absl::StatusOr<std::string> main_then =
        engine_->GetPage(kMainBranch, {1, page}, commits_[3]);
    absl::StatusOr<std::string> on_dev = engine_->GetPage(dev->id, {1, page});
    ASSERT_EQ(main_then.status().code(), on_dev.status().code()) << page;
    if (main_then.ok()) {
      EXPECT_TRUE(*main_then == *on_dev) << page;
    }
  }
  ASSERT_TRUE(engine_->DeleteBranch(restored->backup.id, false).ok());

  // An export at a cold point (the snapshot's) holds what it did.
  uint64_t pages_exported = 0;
  absl::StatusOr<ExportSummary> exported = engine_->ExportSnapshot(
      "old", [](absl::string_view) { return absl::OkStatus(); });
  ASSERT_TRUE(exported.ok()) << exported.status();
  for (uint32_t page = 0; page < kPages; ++page) {
    if (before.pages.count({"main", commits_[15], page}) > 0 &&
        before.pages.at({"main", commits_[15], page})) {
      ++pages_exported;
    }
  }
  EXPECT_EQ(exported->pages, pages_exported);

  // Without dev, main's old history leaves the disk too.
  ASSERT_TRUE(engine_->DeleteBranch(dev->id, false).ok());
  ASSERT_TRUE(engine_->gc().Run(/*compact=*/true).ok());
  bounds = engine_->GetHistoryBounds(kMainBranch);
  ASSERT_TRUE(bounds.ok());
  ASSERT_TRUE(bounds->local_oldest_lsn.has_value());
  EXPECT_GT(*bounds->local_oldest_lsn, commits_[30]);
  HistoryReads main_only = before;
  main_only.branches.erase("dev");
  for (auto it = main_only.pages.begin(); it != main_only.pages.end();) {
    it = std::get<0>(it->first) == "dev" ? main_only.pages.erase(it) : ++it;
  }
  ExpectReadsAlike(engine_.get(), main_only);

  // After a restart, what GC left to the bucket is still read from there.
  Reopen();
  ExpectReadsAlike(engine_.get(), main_only);
  bounds = engine_->GetHistoryBounds(kMainBranch);
  ASSERT_TRUE(bounds.ok());
  EXPECT_GT(*bounds->local_oldest_lsn, commits_[30]);
}

TEST_P(ColdHistoryTest, ACacheTooSmallForTwoStoresKeepsOne) {
  options_.remote_cache_bytes = 1;
  Reopen();
  Backup();
  int step = 0;
  for (; step < 20; ++step) Write(kMainBranch, step, absl::Hours(3) - step * absl::Minutes(3));
  Backup();
  for (; step < 60; ++step) Write(kMainBranch, step, absl::Hours(3) - step * absl::Minutes(3));
  Backup();
  const HistoryReads before = ReadHistory(engine_.get(), commits_, kPages);
  ASSERT_TRUE(engine_->gc().Run(/*compact=*/true).ok());
  // A point after the middle backup is read from a store of it; one before
  // needs the first backup, whose store replaces it (and then serves both).
  ASSERT_TRUE(engine_->GetPage(kMainBranch, {1, 0}, commits_[30]).ok());
  EXPECT_EQ(engine_->stats().cold.stores_built, 1u);
  ASSERT_TRUE(engine_->GetPage(kMainBranch, {1, 0}, commits_[5]).ok());
  ASSERT_TRUE(engine_->GetPage(kMainBranch, {1, 0}, commits_[30]).ok());
  ColdHistoryStats cold = engine_->stats().cold;
  EXPECT_EQ(cold.stores_built, 2u);
  EXPECT_EQ(cold.stores_evicted, 1u);
  EXPECT_GT(cold.cache_bytes, 0u);  // one store, whatever its size
  ExpectReadsAlike(engine_.get(), before);
  EXPECT_EQ(engine_->stats().cold.stores_built, 2u);
}

// Without a backup that reaches back to the oldest point retention keeps,
// GC keeps everything locally.
TEST_P(ColdHistoryTest, NothingLeavesTheDiskBeforeTheBucketCanServeIt) {
  for (int step = 0; step < 30; ++step) {
    Write(kMainBranch, step, absl::Hours(3) - step * absl::Minutes(5));
  }
  Backup();  // after the history began: not old enough
  ASSERT_TRUE(engine_->gc().Run(/*compact=*/true).ok());
  absl::StatusOr<HistoryBounds> bounds = engine_->GetHistoryBounds(kMainBranch);
  ASSERT_TRUE(bounds.ok());
  ASSERT_TRUE(bounds->local_oldest_lsn.has_value());
  EXPECT_EQ(*bounds->local_oldest_lsn, bounds->oldest_lsn);
  EXPECT_EQ(engine_->stats().cold.reads, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ColdHistoryTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace pitr
