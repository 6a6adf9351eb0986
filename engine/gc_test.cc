// Retention and GC through the engine: what stays readable, what is refused,
// what is removed, and that the disk space comes back.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"
#include "engine/engine.h"
#include "engine/testing/engine_fixture.h"
#include "engine/testing/history_reads.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPage = 4096;

class GcTest : public testing::EngineFixture {
 protected:
  void SetUp() override {
    options_ = testing::TestEngineOptions("gc", kPage);
    options_.gc_period = absl::InfiniteDuration();  // only when asked
    options_.default_retention = Retention{};       // keep everything
    Reopen();
  }
  std::string Content(uint32_t page, int version) {
    return testing::RandomBytes(kPage, page * 100003 + version);
  }
  // Writes `versions` images of pages 0..pages-1 of space 1 on `branch`,
  // recording every (lsn, page) -> content.
  void Churn(BranchId branch, uint32_t pages, int versions) {
    for (int v = 0; v < versions; ++v) {
      absl::StatusOr<WalBatch> batch = engine_->NewBatch(branch);
      for (uint32_t p = 0; p < pages; ++p) {
        ASSERT_TRUE(batch->PutPageImage({1, p}, Content(p, v)).ok());
      }
      absl::StatusOr<AppendResult> r = engine_->Append(branch, *batch);
      ASSERT_TRUE(r.ok()) << r.status();
      history_.push_back({r->commit_lsn, v});
    }
  }
  // Every recorded version at or after `from` still reads exactly.
  void ExpectHistoryFrom(BranchId branch, Lsn from, uint32_t pages) {
    for (const auto& [lsn, v] : history_) {
      if (lsn < from) continue;
      for (uint32_t p = 0; p < pages; ++p) {
        absl::StatusOr<std::string> page =
            engine_->GetPage(branch, {1, p}, lsn);
        ASSERT_TRUE(page.ok()) << page.status();
        ASSERT_EQ(*page, Content(p, v))
            << "page " << p << " at " << FormatLsn(lsn);
      }
    }
  }

  std::vector<std::pair<Lsn, int>> history_;
};

TEST_F(GcTest, KeepsTheWindowRefusesBelowItAndReclaimsTheRest) {
  Churn(kMainBranch, 8, 60);  // 60 versions of 8 pages
  const Lsn keep_from = history_[50].first;
  ASSERT_TRUE(engine_
                  ->SetRetention(kMainBranch,
                                 Retention{std::nullopt,
                                           engine_->latest_lsn() - keep_from})
                  .ok());

  absl::StatusOr<GcReport> report = engine_->gc().Run(/*compact=*/true);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->versions_examined, 480u);
  EXPECT_EQ(report->versions_removed, 8u * 50);
  // The store shrinks to about the versions kept (10 of 60).
  EXPECT_LT(report->store_bytes_after, report->store_bytes_before / 3);

  ExpectHistoryFrom(kMainBranch, keep_from, 8);
  absl::StatusOr<std::string> below =
      engine_->GetPage(kMainBranch, {1, 0}, history_[49].first);
  EXPECT_EQ(below.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(below.status().message(), HasSubstr("below the GC horizon"));
  EXPECT_THAT(below.status().message(), HasSubstr("bytes of WAL"));

  HistoryBounds bounds = *engine_->GetHistoryBounds(kMainBranch);
  EXPECT_EQ(bounds.oldest_lsn, keep_from);
  EXPECT_EQ(bounds.latest_lsn, engine_->latest_lsn());
  EXPECT_GT(bounds.oldest_timestamp_us, 0);
  EXPECT_LE(bounds.oldest_timestamp_us, bounds.latest_timestamp_us);
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

TEST_F(GcTest, TheDataDirectoryShrinksToAboutTheLatestState) {
  options_.wal_segment_size = 64 << 10;
  Reopen();
  Churn(kMainBranch, 32, 40);  // 40 versions of 128 KiB of pages: 5 MiB
  ASSERT_TRUE(engine_->Flush().ok());
  // Reads leave idle iterators in the page store's pool; GC must not let
  // them keep the files it compacts away.
  ExpectHistoryFrom(kMainBranch, history_[0].first, 32);
  const uint64_t before = DirectoryBytes(options_.dir);
  ASSERT_TRUE(
      engine_->SetRetention(kMainBranch, Retention{std::nullopt, 1}).ok());
  absl::StatusOr<GcReport> report = engine_->gc().Run(true);
  ASSERT_TRUE(report.ok()) << report.status();
  const EngineStats stats = engine_->stats();
  EXPECT_EQ(stats.gc_runs, 1u);
  EXPECT_EQ(stats.gc_versions_removed, report->versions_removed);
  EXPECT_EQ(report->bytes_reclaimed,
            report->store_bytes_before - report->store_bytes_after);
  EXPECT_EQ(stats.gc_bytes_reclaimed, report->bytes_reclaimed);
  EXPECT_GT(stats.gc_bytes_reclaimed, 0u);
  const uint64_t latest_state = 32 * kPage;
  const uint64_t after = DirectoryBytes(options_.dir);
  EXPECT_GT(before, 30 * latest_state);
  // The latest state, plus the active WAL segment and RocksDB's own small
  // files (manifest, options, log).
  EXPECT_LT(after, latest_state + options_.wal_segment_size + (512 << 10))
      << "before " << before << " after " << after;
  ExpectHistoryFrom(kMainBranch, engine_->latest_lsn(), 32);
}

// The flush GC does first writes out data that was there before the run:
// it is reported as flushed, and the sizes before and after leave it out.
TEST_F(GcTest, WhatGcsFlushAddsIsNotTakenForGrowthOrReclaimed) {
  Churn(kMainBranch, 32, 20);  // in the memtable; retention keeps it all
  const uint64_t reclaimed_before = engine_->stats().gc_bytes_reclaimed;
  absl::StatusOr<GcReport> report = engine_->gc().Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->versions_removed, 0u);
  EXPECT_GT(report->bytes_flushed, 20u * kPage);
  EXPECT_GE(report->store_bytes_before, report->bytes_flushed);
  // Only GC's own small catalog writes come after "before".
  EXPECT_LT(report->store_bytes_after - report->store_bytes_before,
            report->bytes_flushed / 10)
      << report->store_bytes_before << " -> " << report->store_bytes_after;
  EXPECT_EQ(report->bytes_reclaimed, 0u);
  EXPECT_EQ(engine_->stats().gc_bytes_reclaimed, reclaimed_before);
}

TEST_F(GcTest, ARunThatRemovesVersionsReportsWhatItReclaimed) {
  Churn(kMainBranch, 8, 30);
  ASSERT_TRUE(
      engine_->SetRetention(kMainBranch, Retention{std::nullopt, 1}).ok());
  Churn(kMainBranch, 8, 1);  // unflushed, as GC finds it
  absl::StatusOr<GcReport> report = engine_->gc().Run(/*compact=*/true);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->versions_removed, 8u * 25);
  EXPECT_GT(report->bytes_reclaimed, 20u * 8 * kPage);
  EXPECT_EQ(report->bytes_reclaimed,
            report->store_bytes_before - report->store_bytes_after);
  EXPECT_EQ(engine_->stats().gc_bytes_reclaimed, report->bytes_reclaimed);
}

TEST_F(GcTest, ProgressTellsEachPhaseWithTheWalksEstimate) {
  Churn(kMainBranch, 8, 10);
  std::vector<GcProgress> seen;
  absl::StatusOr<GcReport> report = engine_->gc().Run(
      /*compact=*/true, [&seen](const GcProgress& p) { seen.push_back(p); });
  ASSERT_TRUE(report.ok()) << report.status();
  std::vector<std::string> phases;
  for (const GcProgress& p : seen) {
    if (phases.empty() || phases.back() != GcPhaseName(p.phase)) {
      phases.push_back(GcPhaseName(p.phase));
    }
  }
  EXPECT_EQ(phases, (std::vector<std::string>{"flush", "plan", "delete",
                                              "compact"}));
  EXPECT_GT(seen.back().versions_estimate, 0u);
  EXPECT_EQ(seen.back().versions_examined, report->versions_examined);
}

TEST_F(GcTest, AChildsBranchPointStaysReadable) {
  Churn(kMainBranch, 4, 20);
  const Lsn point = history_[5].first;
  Branch child =
      *engine_->CreateBranch("child", kMainBranch, {point, std::nullopt});
  Churn(kMainBranch, 4, 20);
  ASSERT_TRUE(
      engine_->SetRetention(kMainBranch, Retention{std::nullopt, 1}).ok());
  ASSERT_TRUE(engine_->SetRetention(child.id, Retention{std::nullopt, 1}).ok());
  ASSERT_TRUE(engine_->gc().Run(true).ok());

  // main keeps its history from the child's branch point on.
  EXPECT_EQ(engine_->GetHistoryBounds(kMainBranch)->oldest_lsn, point);
  ExpectHistoryFrom(kMainBranch, point, 4);
  for (uint32_t p = 0; p < 4; ++p) {
    EXPECT_EQ(*engine_->GetPage(child.id, {1, p}), Content(p, 5));
  }
  // Deleting the child lets main's history go.
  ASSERT_TRUE(engine_->DeleteBranch(child.id, false).ok());
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(engine_->GetHistoryBounds(kMainBranch)->oldest_lsn,
            engine_->latest_lsn() - 1);
  ExpectHistoryFrom(kMainBranch, engine_->latest_lsn(), 4);
}

TEST_F(GcTest, ADeletedBranchsDataGoesAway) {
  Churn(kMainBranch, 2, 2);
  Branch dev = *engine_->CreateBranch("dev", kMainBranch, {});
  history_.clear();
  Churn(dev.id, 16, 20);
  ASSERT_TRUE(engine_->Flush().ok());
  const uint64_t with_dev = engine_->stats().store_bytes;
  ASSERT_TRUE(engine_->DeleteBranch(dev.id, false).ok());
  absl::StatusOr<GcReport> report = engine_->gc().Run(true);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->timelines_removed, 1u);
  EXPECT_EQ(report->versions_removed, 16u * 20);
  EXPECT_LT(report->store_bytes_after, with_dev / 4);
  EXPECT_EQ(engine_->GetPage(kMainBranch, {1, 0})->size(), kPage);
}

// Every recorded read of `expected` on a branch still listed, at or above
// that branch's oldest readable LSN: what the store should read after
// branches were deleted and windows moved.
testing::HistoryReads StillReadable(Engine* engine,
                                    testing::HistoryReads expected) {
  std::map<std::string, Lsn> oldest;
  for (const Branch& b : engine->ListBranches()) {
    oldest[b.name] = engine->GetHistoryBounds(b.id)->oldest_lsn;
  }
  expected.branches.clear();
  for (const auto& [name, lsn] : oldest) expected.branches.insert(name);
  for (auto it = expected.pages.begin(); it != expected.pages.end();) {
    const auto& [name, lsn, page] = it->first;
    auto floor = oldest.find(name);
    it = floor == oldest.end() || lsn < floor->second ? expected.pages.erase(it)
                                                      : std::next(it);
  }
  return expected;
}

// A restore's backup can be deleted: main and the branches made from the
// old state read exactly as before, through the delete and every GC after
// it; GC drops the old future at once and the rest of the backup's history
// once the windows of its descendants have passed it.
TEST_F(GcTest, ARestoresBackupGoesAndEveryOtherReadStays) {
  constexpr uint32_t kPages = 8;
  std::vector<Lsn> commits;
  int step = 0;
  size_t future_images = 0;  // main's images after feature's branch point
  auto write = [&](BranchId branch, int n, bool future = false) {
    for (int i = 0; i < n; ++i, ++step) {
      commits.push_back(testing::AppendStep(engine_.get(), branch,
                                            step % kPages, step, kPages));
      if (future) ++future_images;
    }
  };
  write(kMainBranch, 16);
  Branch feature =
      *engine_->CreateBranch("feature", kMainBranch, {commits[13], {}});
  write(kMainBranch, 10, /*future=*/true);
  write(feature.id, 6);
  absl::StatusOr<Catalog::Restored> restored =
      engine_->RestoreBranch(kMainBranch, kMainBranch, {commits[9], {}});
  ASSERT_TRUE(restored.ok()) << restored.status();
  write(kMainBranch, 12);
  ASSERT_TRUE(engine_->snapshots().Create("after", kMainBranch, {}).ok());
  ASSERT_TRUE(engine_->gc().Run(true).ok());  // keeps everything
  const uint64_t before = engine_->stats().store_bytes;
  const testing::HistoryReads all =
      testing::ReadHistory(engine_.get(), commits, kPages);

  ASSERT_TRUE(engine_->DeleteBranch(restored->backup.id, false).ok());
  const testing::HistoryReads rest = StillReadable(engine_.get(), all);
  EXPECT_EQ(rest.branches, (std::set<std::string>{"main", "feature"}));
  testing::ExpectReadsAlike(engine_.get(), rest);
  absl::StatusOr<GcReport> report = engine_->gc().Run(true);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GE(report->versions_removed, future_images);
  EXPECT_EQ(report->timelines_removed, 0u);
  testing::ExpectReadsAlike(engine_.get(), rest);
  EXPECT_LT(engine_->stats().store_bytes, before);
  Reopen();
  testing::ExpectReadsAlike(engine_.get(), rest);

  // The windows pass the branch points: what is left of the old timeline
  // is the state main and feature start from.
  for (BranchId b : {kMainBranch, feature.id}) {
    ASSERT_TRUE(engine_->SetRetention(b, Retention{std::nullopt, 1}).ok());
  }
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  testing::ExpectReadsAlike(engine_.get(), StillReadable(engine_.get(), rest),
                            2 * kPages);
  ASSERT_TRUE(engine_->DeleteBranch(feature.id, false).ok());
  report = engine_->gc().Run(true);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->timelines_removed, 1u);  // feature's own
  testing::ExpectReadsAlike(engine_.get(), StillReadable(engine_.get(), rest),
                            kPages);
}

TEST_F(GcTest, HorizonsSurviveRestartsAndNeverGoBack) {
  Churn(kMainBranch, 2, 30);
  const Lsn keep_from = history_[20].first;
  ASSERT_TRUE(engine_
                  ->SetRetention(kMainBranch,
                                 Retention{std::nullopt,
                                           engine_->latest_lsn() - keep_from})
                  .ok());
  ASSERT_TRUE(engine_->gc().Run(false).ok());
  // Keeping everything again cannot bring collected history back.
  ASSERT_TRUE(engine_
                  ->SetRetention(kMainBranch,
                                 Retention{absl::Hours(1000), std::nullopt})
                  .ok());
  Reopen();
  EXPECT_EQ(engine_->GetHistoryBounds(kMainBranch)->oldest_lsn, keep_from);
  EXPECT_EQ(
      engine_->GetPage(kMainBranch, {1, 0}, history_[19].first).status().code(),
      absl::StatusCode::kOutOfRange);
  ExpectHistoryFrom(kMainBranch, keep_from, 2);
}

TEST_F(GcTest, BranchesCannotStartBelowTheHorizon) {
  Churn(kMainBranch, 1, 10);
  ASSERT_TRUE(
      engine_->SetRetention(kMainBranch, Retention{std::nullopt, 1}).ok());
  ASSERT_TRUE(engine_->gc().Run(false).ok());
  absl::StatusOr<Branch> old = engine_->CreateBranch(
      "old", kMainBranch, {history_[2].first, std::nullopt});
  EXPECT_EQ(old.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(old.status().message(), HasSubstr("below the GC horizon"));
  EXPECT_EQ(engine_->ListBranches().size(), 1u);
  EXPECT_TRUE(engine_->CreateBranch("now", kMainBranch, {}).ok());
}

TEST_F(GcTest, DefaultRetentionAppliesToBranchesWithoutTheirOwn) {
  Churn(kMainBranch, 1, 10);
  ASSERT_TRUE(engine_->SetDefaultRetention(Retention{std::nullopt, 1}).ok());
  ASSERT_TRUE(engine_->gc().Run(false).ok());
  EXPECT_EQ(engine_->GetHistoryBounds(kMainBranch)->retention.lsn_distance, 1u);
  EXPECT_EQ(engine_->GetHistoryBounds(kMainBranch)->oldest_lsn,
            engine_->latest_lsn() - 1);
}

TEST_F(GcTest, ASetDefaultRetentionOutlivesRestartsAndTheOptions) {
  // An operator set "keep everything" at run time; the process restarts
  // with options that keep almost nothing. GC must go by what was set.
  Churn(kMainBranch, 2, 6);
  ASSERT_TRUE(engine_->SetDefaultRetention(Retention{}).ok());
  options_.default_retention = Retention{std::nullopt, 1};
  Reopen();
  EXPECT_EQ(engine_->default_retention(), Retention{});
  ASSERT_TRUE(engine_->gc().Run(true).ok());
  EXPECT_EQ(engine_->GetHistoryBounds(kMainBranch)->oldest_lsn, 0u);
  ExpectHistoryFrom(kMainBranch, 0, 2);

  // Set again, it applies again, and stays.
  ASSERT_TRUE(engine_->SetDefaultRetention(Retention{std::nullopt, 1}).ok());
  options_.default_retention = Retention{};
  Reopen();
  ASSERT_TRUE(engine_->gc().Run(false).ok());
  EXPECT_EQ(engine_->GetHistoryBounds(kMainBranch)->oldest_lsn,
            engine_->latest_lsn() - 1);
}

TEST_F(GcTest, ExactInsideTheWindowWithDeltasAndImages) {
  options_.image_after_deltas = 3;
  Reopen();
  // Deltas on one page; images get materialised every 3.
  std::vector<std::pair<Lsn, std::string>> states;
  std::string page(kPage, '.');
  WalBatch first(kMainTimeline);
  ASSERT_TRUE(first.PutPageImage({2, 0}, page).ok());
  states.push_back({engine_->Append(first)->commit_lsn, page});
  for (int i = 0; i < 40; ++i) {
    WalBatch batch(kMainTimeline);
    std::string bytes = absl::StrCat(i % 10);
    ASSERT_TRUE(batch.PutPageDelta({2, 0}, i, bytes).ok());
    page.replace(i, 1, bytes);
    states.push_back({engine_->Append(batch)->commit_lsn, page});
  }
  ASSERT_TRUE(engine_->MaterializePendingImages().ok());
  const Lsn keep_from = states[25].first;
  ASSERT_TRUE(engine_
                  ->SetRetention(kMainBranch,
                                 Retention{std::nullopt,
                                           engine_->latest_lsn() - keep_from})
                  .ok());
  absl::StatusOr<GcReport> report = engine_->gc().Run(true);
  ASSERT_TRUE(report.ok());
  EXPECT_GT(report->versions_removed, 0u);
  for (const auto& [lsn, state] : states) {
    if (lsn >= keep_from) {
      EXPECT_EQ(*engine_->GetPage(kMainBranch, {2, 0}, lsn), state);
    }
  }
}

}  // namespace
}  // namespace pitr
