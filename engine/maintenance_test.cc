#include "engine/maintenance.h"

#include <atomic>
#include <memory>

#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

// Polls `done` until it holds or 10 s pass; returns whether it held.
template <typename Predicate>
bool Eventually(Predicate done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = testing::NewTestDir("maintenance");
    PageStoreOptions store_options;
    store_options.dir = JoinPath(dir, "pages");
    auto store = PageStore::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    WalOptions wal_options;
    wal_options.dir = JoinPath(dir, "wal");
    auto wal = Wal::Open(wal_options);
    ASSERT_TRUE(wal.ok()) << wal.status();
    wal_ = *std::move(wal);
    work_.materialize = [this](const ImageTask& task) -> absl::StatusOr<bool> {
      ++materialized_;
      return task.key.page % 2 == 0;  // odd pages have nothing to write
    };
    work_.run_snapshot_schedules = [this](absl::Time) {
      ++schedule_runs_;
      return schedules_status_;
    };
    work_.run_gc = [this] {
      ++gc_runs_;
      return absl::OkStatus();
    };
    work_.latest_lsn = [this] { return latest_.load(); };
    options_.gc_period = absl::InfiniteDuration();
    options_.interval = absl::Milliseconds(5);
  }

  std::unique_ptr<Maintenance> Make(Lsn flushed_lsn = 0) {
    return std::make_unique<Maintenance>(options_, store_.get(), wal_.get(),
                                         work_, flushed_lsn);
  }

  // Appends a batch to the log; returns its commit LSN (what a flush may
  // trim the log to).
  Lsn Append() {
    WalBatch batch(kMainTimeline);
    EXPECT_TRUE(batch.PutPageDelta({1, 0}, 0, "x").ok());
    absl::StatusOr<AppendResult> result = wal_->Append(batch);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->commit_lsn : 0;
  }

  static ImageTask Task(uint32_t page) {
    return ImageTask{kMainTimeline, {1, page}, {100, 0}};
  }

  std::unique_ptr<PageStore> store_;
  std::unique_ptr<Wal> wal_;
  MaintenanceOptions options_;
  MaintenanceWork work_;
  std::atomic<Lsn> latest_{0};
  std::atomic<int> materialized_{0};
  std::atomic<int> schedule_runs_{0};
  std::atomic<int> gc_runs_{0};
  absl::Status schedules_status_ = absl::OkStatus();
};

TEST_F(MaintenanceTest, StartsFromWhatTheFlushedLayersHold) {
  EXPECT_EQ(Make(/*flushed_lsn=*/1234)->stats().flushed_lsn, 1234u);
}

TEST_F(MaintenanceTest, FlushRecordsTheLatestLsn) {
  auto maintenance = Make();
  latest_ = Append();
  ASSERT_TRUE(maintenance->Flush().ok());
  EXPECT_EQ(maintenance->stats().flushes, 1u);
  EXPECT_EQ(maintenance->stats().flushed_lsn, latest_);
}

TEST_F(MaintenanceTest, AFlushKeepsTheWalThatSomeoneElseStillNeeds) {
  WalOptions small;  // segments of one batch each, so trims are visible
  small.dir = testing::NewTestDir("maintenance_wal");
  small.segment_size = 16;
  auto wal = Wal::Open(small);
  ASSERT_TRUE(wal.ok()) << wal.status();
  wal_ = *std::move(wal);
  std::vector<Lsn> commits;
  for (int i = 0; i < 6; ++i) commits.push_back(Append());
  std::atomic<Lsn> needed_from{commits[1]};
  work_.wal_needed_from = [&] { return needed_from.load(); };
  auto maintenance = Make();
  latest_ = commits.back();
  ASSERT_TRUE(maintenance->Flush().ok());
  // The store holds everything, but the WAL from commits[1] on is kept.
  EXPECT_EQ(maintenance->stats().flushed_lsn, commits.back());
  EXPECT_LE(wal_->oldest_lsn(), commits[1]);
  EXPECT_GT(wal_->oldest_lsn(), 0u);
  // Once nobody needs it, the next flush trims up to the store.
  needed_from = commits.back();
  ASSERT_TRUE(maintenance->Flush().ok());
  EXPECT_GT(wal_->oldest_lsn(), commits[1]);
}

TEST_F(MaintenanceTest, TheQueueIsBoundedAndCountsWhatItDrops) {
  options_.max_pending_images = 2;
  auto maintenance = Make();
  for (uint32_t page : {0, 1, 2}) maintenance->EnqueueImage(Task(page));
  EXPECT_EQ(maintenance->stats().images_dropped, 1u);
  ASSERT_TRUE(maintenance->MaterializePendingImages().ok());
  EXPECT_EQ(materialized_, 2);
  // Page 1 had nothing to write: only page 0 counts.
  EXPECT_EQ(maintenance->stats().images_materialized, 1u);
  ASSERT_TRUE(maintenance->MaterializePendingImages().ok());
  EXPECT_EQ(materialized_, 2);  // the queue is empty now
}

TEST_F(MaintenanceTest, TheBackgroundMaterialisesQueuedImages) {
  auto maintenance = Make();
  maintenance->Start();
  maintenance->EnqueueImage(Task(4));
  EXPECT_TRUE(Eventually(
      [&] { return maintenance->stats().images_materialized == 1; }));
  maintenance->Stop();
}

TEST_F(MaintenanceTest, TheBackgroundFlushesOnlyWhatIsDirty) {
  options_.flush_age = absl::Milliseconds(20);
  auto maintenance = Make();
  maintenance->Start();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(maintenance->stats().flushes, 0u);  // nothing to flush
  latest_ = Append();
  maintenance->MarkDirty();
  EXPECT_TRUE(Eventually([&] { return maintenance->stats().flushes == 1; }));
  EXPECT_EQ(maintenance->stats().flushed_lsn, latest_);
  maintenance->Stop();
}

TEST_F(MaintenanceTest, TheBackgroundFlushesWhenTheWalBehindIsLarge) {
  const Lsn first = Append();
  const Lsn second = Append();
  options_.flush_age = absl::Hours(1);
  options_.flush_wal_bytes = second;
  auto maintenance = Make();
  maintenance->Start();
  latest_ = first;
  maintenance->MarkDirty();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(maintenance->stats().flushes, 0u);  // not that much WAL yet
  latest_ = second;
  EXPECT_TRUE(Eventually([&] { return maintenance->stats().flushes == 1; }));
  maintenance->Stop();
}

TEST_F(MaintenanceTest, GcRunsEveryPeriodAndAnyRunResetsTheClock) {
  options_.gc_period = absl::Milliseconds(50);
  auto maintenance = Make();
  maintenance->Start();
  EXPECT_TRUE(Eventually([&] { return gc_runs_ >= 2; }));
  maintenance->Stop();

  options_.gc_period = absl::Hours(1);
  gc_runs_ = 0;
  auto idle = Make();
  idle->Start();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(gc_runs_, 0);  // the first run is a whole period away
  idle->Stop();
}

TEST_F(MaintenanceTest, AFailureIsRetriedAndStopsNothingElse) {
  schedules_status_ = absl::UnavailableError("scheduler down");
  auto maintenance = Make();
  maintenance->Start();
  // After a failure the loop waits a second, then tries again.
  EXPECT_TRUE(Eventually([&] { return schedule_runs_ >= 2; }));
  maintenance->Stop();
}

TEST_F(MaintenanceTest, StopEndsTheWorkAndIsIdempotent) {
  auto maintenance = Make();
  maintenance->Start();
  EXPECT_TRUE(Eventually([&] { return schedule_runs_ >= 1; }));
  maintenance->Stop();
  const int runs = schedule_runs_;
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(schedule_runs_, runs);
  maintenance->Stop();
}

}  // namespace
}  // namespace pitr
