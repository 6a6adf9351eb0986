// Named spaces, GetChanges and conditional appends: what a client that
// caches pages and writes optimistically (the SQLite extension) relies on.
// GetChanges is checked against brute force (it must name every page that
// differs between the two positions), and conditional appends by racing
// writers must add up to a serial order.
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/coding.h"
#include "engine/engine.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint32_t kPage = 512;

class SpacesTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("spaces", kPage);
    options_.gc_period = absl::InfiniteDuration();
    Reopen();
  }

  // Writes page `page` of `space` on `branch`, filled with `c`.
  Lsn Write(BranchId branch, uint32_t space, uint32_t page, char c) {
    WalBatch batch = *engine_->NewBatch(branch);
    EXPECT_TRUE(batch.PutPageImage({space, page}, std::string(kPage, c)).ok());
    return AppendBatch(branch, batch);
  }

  SpaceChanges Changes(BranchId branch, uint32_t space,
                       std::optional<BranchPosition> since) {
    absl::StatusOr<SpaceChanges> changes =
        engine_->GetChanges(branch, space, since);
    EXPECT_TRUE(changes.ok()) << changes.status();
    return changes.ok() ? *changes : SpaceChanges{};
  }
};

TEST_F(SpacesTest, ANameResolvesToOneIdOnEveryBranchAndAfterARestart) {
  EXPECT_TRUE(
      absl::IsNotFound(engine_->ResolveSpace("orders.db", false).status()));
  const NamedSpace orders = *engine_->ResolveSpace("orders.db", true);
  EXPECT_EQ(orders.id, SpaceCatalog::kFirstNamedSpace);
  Write(kMainBranch, orders.id, 0, 'o');
  Reopen();
  EXPECT_EQ(*engine_->ResolveSpace("orders.db", false), orders);
  EXPECT_THAT(engine_->ListSpaces(), ElementsAre(orders));
  const Branch dev = *engine_->CreateBranch("dev", kMainBranch, {});
  EXPECT_EQ(*engine_->GetPage(dev.id, {orders.id, 0}), std::string(kPage, 'o'));
  EXPECT_TRUE(
      absl::IsInvalidArgument(engine_->ResolveSpace("../x", true).status()));
}

TEST_F(SpacesTest, GetChangesNamesThePagesWrittenSinceAPosition) {
  const SpaceChanges first = Changes(kMainBranch, 1, std::nullopt);
  EXPECT_TRUE(first.all_changed);
  EXPECT_EQ(first.position.timeline, kMainTimeline);
  EXPECT_EQ(first.space_pages, 0u);

  Write(kMainBranch, 1, 3, 'a');
  Write(kMainBranch, 2, 9, 'b');  // another space: not listed
  const Lsn last = Write(kMainBranch, 1, 5, 'c');
  const SpaceChanges later = Changes(kMainBranch, 1, first.position);
  EXPECT_FALSE(later.all_changed);
  EXPECT_THAT(later.pages, ElementsAre(3, 5));
  EXPECT_EQ(later.space_pages, 6u);
  EXPECT_EQ(later.position.lsn, last);
  // Nothing since.
  EXPECT_TRUE(Changes(kMainBranch, 1, later.position).pages.empty());
  // A child branch: its own writes, not its parent's after the branch point.
  const Branch dev = *engine_->CreateBranch("dev", kMainBranch, {});
  const SpaceChanges at_branch = Changes(dev.id, 1, std::nullopt);
  Write(kMainBranch, 1, 7, 'm');
  Write(dev.id, 1, 4, 'd');
  EXPECT_THAT(Changes(dev.id, 1, at_branch.position).pages, ElementsAre(4));
}

TEST_F(SpacesTest, ARestoreOrAPositionGcPassedChangesEverything) {
  const Lsn a = Write(kMainBranch, 1, 0, 'a');
  const SpaceChanges before = Changes(kMainBranch, 1, std::nullopt);
  Write(kMainBranch, 1, 1, 'b');
  ASSERT_TRUE(
      engine_->RestoreBranch(kMainBranch, kMainBranch, {a, std::nullopt}).ok());
  const SpaceChanges restored = Changes(kMainBranch, 1, before.position);
  EXPECT_TRUE(restored.all_changed);
  EXPECT_NE(restored.position.timeline, before.position.timeline);
  // An unknown timeline, and a position from the future.
  EXPECT_TRUE(
      Changes(kMainBranch, 1, BranchPosition{a, TimelineId(99)}).all_changed);
  EXPECT_TRUE(Changes(kMainBranch, 1,
                      BranchPosition{restored.position.lsn + 1000,
                                     restored.position.timeline})
                  .all_changed);
}

// Brute force: over a random history with truncations, GetChanges from
// every earlier position names at least every page that reads differently.
TEST_F(SpacesTest, GetChangesNeverMissesAChangedPage) {
  std::mt19937 rng(7);
  std::vector<BranchPosition> positions = {
      Changes(kMainBranch, 1, std::nullopt).position};
  for (int step = 0; step < 60; ++step) {
    WalBatch batch = *engine_->NewBatch(kMainBranch);
    if (rng() % 5 == 0) batch.PutSpaceTruncate(1, rng() % 12);
    for (int i = 0; i < 1 + static_cast<int>(rng() % 3); ++i) {
      ASSERT_TRUE(batch
                      .PutPageImage({1 + static_cast<uint32_t>(rng() % 2),
                                     static_cast<uint32_t>(rng() % 12)},
                                    std::string(kPage, 'a' + step % 26))
                      .ok());
    }
    AppendBatch(kMainBranch, batch);
    positions.push_back(Changes(kMainBranch, 1, std::nullopt).position);
  }
  const BranchPosition now = positions.back();
  for (const BranchPosition& since : positions) {
    const SpaceChanges changes = Changes(kMainBranch, 1, since);
    ASSERT_FALSE(changes.all_changed);
    const std::set<uint32_t> listed(changes.pages.begin(), changes.pages.end());
    for (uint32_t page = 0; page < 12; ++page) {
      absl::StatusOr<std::string> then =
          engine_->GetPage(kMainBranch, {1, page}, since.lsn);
      absl::StatusOr<std::string> later =
          engine_->GetPage(kMainBranch, {1, page}, now.lsn);
      const bool same =
          then.ok() == later.ok() && (!then.ok() || *then == *later);
      if (!same) {
        EXPECT_EQ(listed.count(page), 1u)
            << "page " << page << " changed after lsn " << since.lsn;
      }
    }
  }
}

TEST_F(SpacesTest, AConditionalAppendFailsOnceTheBranchMoved) {
  const BranchPosition start = Changes(kMainBranch, 1, std::nullopt).position;
  WalBatch first = *engine_->NewBatch(kMainBranch);
  ASSERT_TRUE(first.PutPageImage({1, 0}, std::string(kPage, '1')).ok());
  ASSERT_TRUE(engine_->Append(kMainBranch, first, start).ok());
  // The same position again: the branch has moved.
  WalBatch second = *engine_->NewBatch(kMainBranch);
  ASSERT_TRUE(second.PutPageImage({1, 0}, std::string(kPage, '2')).ok());
  absl::StatusOr<AppendResult> stale =
      engine_->Append(kMainBranch, second, start);
  EXPECT_TRUE(absl::IsAborted(stale.status())) << stale.status();
  EXPECT_THAT(stale.status().message(), HasSubstr("has moved since lsn"));
  EXPECT_EQ(*engine_->GetPage(kMainBranch, {1, 0}), std::string(kPage, '1'));
  // From the new position it goes in.
  const BranchPosition now = Changes(kMainBranch, 1, std::nullopt).position;
  ASSERT_TRUE(engine_->Append(kMainBranch, second, now).ok());
  // A write on another branch does not move this one.
  const Branch dev = *engine_->CreateBranch("dev", kMainBranch, {});
  const BranchPosition main_now =
      Changes(kMainBranch, 1, std::nullopt).position;
  Write(dev.id, 1, 0, 'd');
  WalBatch third = *engine_->NewBatch(kMainBranch);
  ASSERT_TRUE(third.PutPageImage({1, 1}, std::string(kPage, '3')).ok());
  EXPECT_TRUE(engine_->Append(kMainBranch, third, main_now).ok());
  // A restore does.
  const BranchPosition before_restore =
      Changes(kMainBranch, 1, std::nullopt).position;
  ASSERT_TRUE(engine_
                  ->RestoreBranch(kMainBranch, kMainBranch,
                                  {before_restore.lsn, std::nullopt})
                  .ok());
  WalBatch fourth = *engine_->NewBatch(kMainBranch);
  ASSERT_TRUE(fourth.PutPageImage({1, 1}, std::string(kPage, '4')).ok());
  absl::StatusOr<AppendResult> restored =
      engine_->Append(kMainBranch, fourth, before_restore);
  EXPECT_TRUE(absl::IsAborted(restored.status())) << restored.status();
  EXPECT_THAT(restored.status().message(), HasSubstr("it was restored"));
}

// Writers that read a counter page, add one and write it back with a
// conditional append, retrying on ABORTED, end with every increment
// counted: the appends behave as some serial order.
TEST_F(SpacesTest, RacingConditionalIncrementsAddUp) {
  constexpr int kWriters = 4;
  constexpr int kIncrements = 25;
  auto read_counter = [&](Lsn lsn) -> uint64_t {
    absl::StatusOr<std::string> page =
        engine_->GetPage(kMainBranch, {1, 0}, lsn);
    return page.ok() ? DecodeFixed64(page->data()) : 0;
  };
  std::vector<std::thread> writers;
  std::atomic<int> aborted{0};
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&] {
      for (int i = 0; i < kIncrements;) {
        absl::StatusOr<SpaceChanges> at =
            engine_->GetChanges(kMainBranch, 1, std::nullopt);
        ASSERT_TRUE(at.ok()) << at.status();
        std::string page(kPage, '\0');
        EncodeFixed64(&page[0], read_counter(at->position.lsn) + 1);
        WalBatch batch = *engine_->NewBatch(kMainBranch);
        ASSERT_TRUE(batch.PutPageImage({1, 0}, page).ok());
        absl::StatusOr<AppendResult> r =
            engine_->Append(kMainBranch, batch, at->position);
        if (r.ok()) {
          ++i;
        } else {
          ASSERT_TRUE(absl::IsAborted(r.status())) << r.status();
          ++aborted;
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(read_counter(engine_->latest_lsn()),
            static_cast<uint64_t>(kWriters * kIncrements));
  RecordProperty("aborted", aborted.load());
}

}  // namespace
}  // namespace pitr
