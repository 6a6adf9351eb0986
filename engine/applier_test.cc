// Applier at its own level, over a real PageStore: the version keys, space
// events and applied LSN a batch writes, the truncations it remembers, and
// the image tasks it reports when a page's delta chain reaches the
// threshold, counted exactly across restarts and branch points.
#include "engine/applier.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "base/testing/test_files.h"
#include "engine/page_store.h"
#include "engine/store_keys.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

namespace sk = store_keys;

constexpr uint32_t kImageAfterDeltas = 3;
const PageKey kKey{7, 3};
const TimelineId kParent = kMainTimeline;
const TimelineId kChild = TimelineId(2);
constexpr Lsn kBranchPoint = 1000;  // of kChild on kParent

class ApplierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PageStoreOptions options;
    options.dir = testing::NewTestDir("applier");
    absl::StatusOr<std::unique_ptr<PageStore>> store = PageStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    NewApplier();
  }

  // A new applier over the same store, as after a restart.
  void NewApplier() {
    // kChild branched from kParent at kBranchPoint.
    auto ancestry = [](TimelineId timeline,
                       Lsn lsn) -> absl::StatusOr<std::vector<ReadStep>> {
      if (timeline == kChild) {
        return std::vector<ReadStep>{{kChild, lsn},
                                     {kParent, std::min(lsn, kBranchPoint)}};
      }
      return std::vector<ReadStep>{{timeline, lsn}};
    };
    applier_ = std::make_unique<Applier>(
        store_.get(), &hot_pages_, ancestry, kImageAfterDeltas,
        [this](const ImageTask& task) { tasks_.push_back(task); });
    ASSERT_TRUE(applier_->Load().ok());
  }

  WalRecordView Image(PageKey key, char fill) {
    WalRecordView record;
    record.kind = RecordKind::kPageImage;
    record.key = key;
    record.data = Keep(std::string(64, fill));
    return record;
  }
  WalRecordView Delta(PageKey key, uint32_t offset, const std::string& bytes) {
    WalRecordView record;
    record.kind = RecordKind::kPageDelta;
    record.key = key;
    record.offset = offset;
    record.data = Keep(bytes);
    return record;
  }
  WalRecordView Truncate(uint32_t space, uint32_t page_count) {
    WalRecordView record;
    record.kind = RecordKind::kSpaceTruncate;
    record.key = {space, 0};
    record.page_count = page_count;
    return record;
  }

  void Apply(TimelineId timeline, Lsn commit_lsn,
             std::vector<WalRecordView> records) {
    absl::Status s =
        applier_->Apply({BatchToApply{timeline, commit_lsn, records}});
    ASSERT_TRUE(s.ok()) << s;
  }

  // Every row of the store under `prefix`, key to value.
  std::map<std::string, std::string> Rows(absl::string_view prefix) {
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> rows =
        store_->Scan(prefix);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return {};
    return std::map<std::string, std::string>(rows->begin(), rows->end());
  }

  std::unique_ptr<PageStore> store_;
  HotPages hot_pages_{1 << 20, 8192};
  std::unique_ptr<Applier> applier_;
  std::vector<ImageTask> tasks_;

 private:
  // Bytes the record views point at, alive as long as the test.
  absl::string_view Keep(std::string bytes) {
    return kept_.emplace_back(std::move(bytes));
  }
  std::deque<std::string> kept_;
};

TEST_F(ApplierTest, AnImageAndADeltaWriteTheirVersionsAtTheirPositions) {
  Apply(kParent, 100, {Image(kKey, 'a'), Delta(kKey, 5, "xy")});
  const std::map<std::string, std::string> expected = {
      {sk::VersionKey(kParent, kKey, {100, 0}, sk::VersionKeyKind::kImage),
       sk::ImageValue(std::string(64, 'a'))},
      {sk::VersionKey(kParent, kKey, {100, 1}, sk::VersionKeyKind::kDelta),
       sk::DeltaValue(5, "xy")},
  };
  EXPECT_EQ(Rows("V"), expected);
}

TEST_F(ApplierTest, EachBatchKeepsItsOwnCommitLsn) {
  ASSERT_TRUE(applier_
                  ->Apply({{kParent, 100, {Image(kKey, 'a')}},
                           {kParent, 200, {Delta(kKey, 0, "x")}}})
                  .ok());
  const std::map<std::string, std::string> rows = Rows("V");
  EXPECT_EQ(rows.count(sk::VersionKey(kParent, kKey, {100, 0},
                                      sk::VersionKeyKind::kImage)),
            1u);
  EXPECT_EQ(rows.count(sk::VersionKey(kParent, kKey, {200, 0},
                                      sk::VersionKeyKind::kDelta)),
            1u);
}

TEST_F(ApplierTest, TheAppliedLsnIsTheLastBatchsCommitLsn) {
  ASSERT_TRUE(applier_
                  ->Apply({{kParent, 100, {Image(kKey, 'a')}},
                           {kParent, 200, {Image(kKey, 'b')}}})
                  .ok());
  absl::StatusOr<std::optional<std::string>> applied =
      store_->GetMeta(sk::kMetaAppliedLsn);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, sk::EncodeU64(200));
}

TEST_F(ApplierTest, NoBatchesWriteNothing) {
  ASSERT_TRUE(applier_->Apply({}).ok());
  absl::StatusOr<std::optional<std::string>> applied =
      store_->GetMeta(sk::kMetaAppliedLsn);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, std::nullopt);
}

TEST_F(ApplierTest, AWritePastTheEndGrowsTheSpace) {
  Apply(kParent, 100, {Image({1, 3}, 'a')});
  Apply(kParent, 200, {Image({1, 1}, 'b')});  // inside: no event
  Apply(kParent, 300, {Delta({1, 5}, 0, "c")});
  const std::map<std::string, std::string> expected = {
      {sk::SizeKey(kParent, 1, {100, 0}), sk::EncodeU32(4)},
      {sk::SizeKey(kParent, 1, {300, 0}), sk::EncodeU32(6)},
  };
  EXPECT_EQ(Rows("s"), expected);
}

TEST_F(ApplierTest, ATruncationBelowTheSizeShrinksTheSpace) {
  Apply(kParent, 100, {Image({1, 5}, 'a')});
  Apply(kParent, 200, {Truncate(1, 2)});
  EXPECT_EQ(Rows("t"),
            (std::map<std::string, std::string>{
                {sk::TruncationKey(kParent, 1, {200, 0}), sk::EncodeU32(2)}}));
  EXPECT_EQ(Rows("s"),
            (std::map<std::string, std::string>{
                {sk::SizeKey(kParent, 1, {100, 0}), sk::EncodeU32(6)},
                {sk::SizeKey(kParent, 1, {200, 0}), sk::EncodeU32(2)}}));
}

TEST_F(ApplierTest, ATruncationAtOrAboveTheSizeIsRecordedWithoutASize) {
  Apply(kParent, 100, {Image({1, 1}, 'a')});
  Apply(kParent, 200, {Truncate(1, 2)});
  EXPECT_EQ(Rows("t").size(), 1u);
  EXPECT_EQ(Rows("s"),
            (std::map<std::string, std::string>{
                {sk::SizeKey(kParent, 1, {100, 0}), sk::EncodeU32(2)}}));
}

TEST_F(ApplierTest, AChildStartsFromItsParentsSizeAtTheBranchPoint) {
  Apply(kParent, 100, {Image({1, 3}, 'a')});  // 4 pages at the branch point
  Apply(kChild, 2000, {Image({1, 2}, 'c')});  // inside: no event
  EXPECT_EQ(Rows(sk::SpacePrefix('s', kChild, 1)).size(), 0u);
  Apply(kChild, 2100, {Image({1, 4}, 'c')});
  EXPECT_EQ(Rows(sk::SpacePrefix('s', kChild, 1)),
            (std::map<std::string, std::string>{
                {sk::SizeKey(kChild, 1, {2100, 0}), sk::EncodeU32(5)}}));
}

TEST_F(ApplierTest, RemembersWhichSpacesWereTruncated) {
  EXPECT_FALSE(applier_->AnyTruncations());
  Apply(kParent, 100, {Truncate(1, 0)});
  EXPECT_TRUE(applier_->AnyTruncations());
  EXPECT_TRUE(applier_->MayHaveTruncations(kParent, 1));
  EXPECT_FALSE(applier_->MayHaveTruncations(kParent, 2));
  EXPECT_FALSE(applier_->MayHaveTruncations(kChild, 1));
}

TEST_F(ApplierTest, LoadFindsTheTruncationsAlreadyInTheStore) {
  Apply(kParent, 100, {Truncate(1, 0)});
  NewApplier();
  EXPECT_TRUE(applier_->AnyTruncations());
  EXPECT_TRUE(applier_->MayHaveTruncations(kParent, 1));
  EXPECT_FALSE(applier_->MayHaveTruncations(kParent, 2));
}

TEST_F(ApplierTest, ReportsAnImageTaskAtTheDeltaThatReachesTheThreshold) {
  Apply(kParent, 100, {Image(kKey, 'a')});
  Apply(kParent, 200, {Delta(kKey, 0, "1")});
  Apply(kParent, 300, {Delta(kKey, 0, "2")});
  EXPECT_TRUE(tasks_.empty());
  Apply(kParent, 400, {Image({7, 4}, 'b'), Delta(kKey, 0, "3")});
  ASSERT_EQ(tasks_.size(), 1u);
  EXPECT_EQ(tasks_[0].timeline, kParent);
  EXPECT_EQ(tasks_[0].key, kKey);
  EXPECT_EQ(tasks_[0].at, (sk::Position{400, 1}));
}

TEST_F(ApplierTest, TheCountStartsAgainAfterATask) {
  Apply(kParent, 100,
        {Delta(kKey, 0, "1"), Delta(kKey, 0, "2"), Delta(kKey, 0, "3"),
         Delta(kKey, 0, "4"), Delta(kKey, 0, "5")});
  ASSERT_EQ(tasks_.size(), 1u);
  Apply(kParent, 200, {Delta(kKey, 0, "6")});
  ASSERT_EQ(tasks_.size(), 2u);
  EXPECT_EQ(tasks_[1].at, (sk::Position{200, 0}));
}

TEST_F(ApplierTest, AnImageStartsTheCountAgain) {
  Apply(kParent, 100,
        {Delta(kKey, 0, "1"), Delta(kKey, 0, "2"), Image(kKey, 'a'),
         Delta(kKey, 0, "3"), Delta(kKey, 0, "4")});
  EXPECT_TRUE(tasks_.empty());
}

TEST_F(ApplierTest, TheTaskIsReportedOnceTheDeltaIsInTheStore) {
  std::vector<std::optional<std::string>> seen;
  applier_ = std::make_unique<Applier>(
      store_.get(), &hot_pages_,
      [](TimelineId timeline, Lsn lsn) {
        return absl::StatusOr<std::vector<ReadStep>>(
            std::vector<ReadStep>{{timeline, lsn}});
      },
      1,
      [&](const ImageTask& task) {
        absl::StatusOr<PageRead> read = store_->ReadPage(
            task.key, {{task.timeline, task.at, std::nullopt}}, 64);
        seen.push_back(read.ok() ? read->page : std::nullopt);
      });
  Apply(kParent, 100, {Delta(kKey, 0, "x")});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "x" + std::string(63, '\0'));
}

TEST_F(ApplierTest, CountsTheDeltasAlreadyInTheStoreAfterARestart) {
  Apply(kParent, 100, {Image(kKey, 'a')});
  Apply(kParent, 200, {Delta(kKey, 0, "1"), Delta(kKey, 0, "2")});
  NewApplier();  // forgets its counts
  Apply(kParent, 300, {Delta(kKey, 0, "3")});
  ASSERT_EQ(tasks_.size(), 1u);
  EXPECT_EQ(tasks_[0].at, (sk::Position{300, 0}));
}

TEST_F(ApplierTest, AChildCountsTheDeltasItInheritsFromItsParent) {
  Apply(kParent, 100, {Image(kKey, 'a')});
  Apply(kParent, 200, {Delta(kKey, 0, "1"), Delta(kKey, 0, "2")});
  Apply(kParent, 1500, {Image(kKey, 'b')});  // after the branch point
  Apply(kChild, 2000, {Delta(kKey, 0, "3")});
  ASSERT_EQ(tasks_.size(), 1u);
  EXPECT_EQ(tasks_[0].timeline, kChild);
  EXPECT_EQ(tasks_[0].at, (sk::Position{2000, 0}));
}

}  // namespace
}  // namespace pitr
