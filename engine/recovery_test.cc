#include "engine/recovery.h"

#include <memory>
#include <vector>

#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "engine/store_keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"

namespace pitr {
namespace {

namespace sk = store_keys;
using ::testing::HasSubstr;

// A store, its catalog, an applier and a WAL in one directory, as
// Engine::Open puts them together.
class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTestDir("recovery");
    PageStoreOptions store_options;
    store_options.dir = JoinPath(dir_, "pages");
    auto store = PageStore::Open(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto catalog = Catalog::Open(store_.get());
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    catalog_ = *std::move(catalog);
    applier_ = std::make_unique<Applier>(
        store_.get(), &hot_pages_,
        [this](TimelineId timeline, Lsn lsn) {
          return catalog_->TimelinePath(timeline, lsn);
        },
        /*image_after_deltas=*/16, [](const ImageTask&) {});
    ASSERT_TRUE(applier_->Load().ok());
    WalOptions wal_options;
    wal_options.dir = JoinPath(dir_, "wal");
    auto wal = Wal::Open(wal_options);
    ASSERT_TRUE(wal.ok()) << wal.status();
    wal_ = *std::move(wal);
  }

  // Appends one image of page 1/`page` on `timeline`; returns the commit
  // LSN.
  Lsn Append(TimelineId timeline, uint32_t page) {
    WalBatch batch(timeline);
    EXPECT_TRUE(batch.PutPageImage({1, page}, "image").ok());
    absl::StatusOr<AppendResult> result = wal_->Append(batch);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? result->commit_lsn : 0;
  }

  // The timelines of every version in the store.
  std::vector<TimelineId> VersionTimelines() {
    std::vector<TimelineId> timelines;
    EXPECT_TRUE(store_
                    ->ForEachVersion(
                        [&](const sk::ParsedVersionKey& v, absl::string_view) {
                          timelines.push_back(v.timeline);
                          return true;
                        })
                    .ok());
    return timelines;
  }

  std::string dir_;
  std::unique_ptr<PageStore> store_;
  std::unique_ptr<Catalog> catalog_;
  HotPages hot_pages_{0, 4096};  // reads are not what this test is about
  std::unique_ptr<Applier> applier_;
  std::unique_ptr<Wal> wal_;
};

TEST_F(RecoveryTest, ANewStoreHoldsNothingOfTheWal) {
  absl::StatusOr<Lsn> applied = AppliedLsn(*store_);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 0u);
  EXPECT_TRUE(CheckWalCoversStore(0, *wal_).ok());
}

TEST_F(RecoveryTest, ReplaysEveryBatchAfterWhatTheStoreHolds) {
  Append(kMainTimeline, 0);
  const Lsn end = Append(kMainTimeline, 1);
  absl::StatusOr<uint64_t> replayed =
      ReplayWal(wal_.get(), 0, *catalog_, applier_.get());
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, 2u);
  EXPECT_EQ(VersionTimelines().size(), 2u);
  EXPECT_EQ(*AppliedLsn(*store_), end);
  // From there on there is nothing left to replay.
  replayed = ReplayWal(wal_.get(), end, *catalog_, applier_.get());
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, 0u);
}

TEST_F(RecoveryTest, ReplayStartsAtTheAppliedLsn) {
  const Lsn first = Append(kMainTimeline, 0);
  Append(kMainTimeline, 1);
  absl::StatusOr<uint64_t> replayed =
      ReplayWal(wal_.get(), first, *catalog_, applier_.get());
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, 1u);
  EXPECT_EQ(VersionTimelines().size(), 1u);
}

TEST_F(RecoveryTest, ACollectedTimelineOnlyMovesTheAppliedLsnOn) {
  Append(kMainTimeline, 0);
  const Lsn end = Append(TimelineId(99), 0);  // no such timeline (collected)
  absl::StatusOr<uint64_t> replayed =
      ReplayWal(wal_.get(), 0, *catalog_, applier_.get());
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  EXPECT_EQ(*replayed, 2u);
  EXPECT_EQ(VersionTimelines(), std::vector<TimelineId>{kMainTimeline});
  EXPECT_EQ(*AppliedLsn(*store_), end);
}

TEST_F(RecoveryTest, AStoreAheadOfTheWalIsDataLoss) {
  const Lsn end = Append(kMainTimeline, 0);
  absl::Status status = CheckWalCoversStore(end + 1, *wal_);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("one of them lost data"));
  EXPECT_TRUE(CheckWalCoversStore(end, *wal_).ok());
}

TEST_F(RecoveryTest, AMalformedAppliedLsnIsDataLoss) {
  rocksdb::WriteBatch write;
  write.Put(sk::MetaKey(sk::kMetaAppliedLsn), "bad");
  ASSERT_TRUE(store_->Write(&write).ok());
  EXPECT_EQ(AppliedLsn(*store_).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace pitr
