// Replay of a generated WAL into a fresh store reproduces the reference
// store (the same workload applied to an engine directly): the same LSNs,
// branches and pages at every commit LSN; --until stops exactly.
#include "gtest/gtest.h"
#include "spdlog/spdlog.h"
#include "tools/wal/engine_target.h"
#include "tools/wal/replayer.h"
#include "tools/wal/source_tree.h"
#include "tools/wal/test_util.h"
#include "tools/wal/wal_source.h"
#include "wal/testing/wal_test_util.h"

namespace pitr::waltool {
namespace {

using testing::CommitLsns;
using testing::ExpectSameHistory;
using testing::GenerateWalDir;
using testing::OpenFreshEngine;
using testing::SmallWorkload;

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    workload_ = SmallWorkload(7);
    wal_dir_ = GenerateWalDir("replay_source", workload_);
    reference_ = OpenFreshEngine("replay_reference", workload_.page_size);
    EngineTarget target(reference_.get());
    ASSERT_TRUE(Generate(workload_, &target).ok());
    commits_ = CommitLsns(wal_dir_);
  }

  // Replays the generated WAL into a new store.
  std::unique_ptr<Engine> ReplayIntoNewStore(const ReplayOptions& options,
                                             ReplaySummary* summary) {
    auto source = WalSource::Open({wal_dir_, false});
    EXPECT_TRUE(source.ok()) << source.status();
    auto tree = LoadTimelineTree(wal_dir_);
    EXPECT_TRUE(tree.ok()) << tree.status();
    auto engine = OpenFreshEngine("replay_target", tree->page_size());
    EngineTarget target(engine.get());
    auto result = Replay((*source)->wal(), *tree, options, &target);
    EXPECT_TRUE(result.ok()) << result.status();
    if (result.ok()) *summary = *std::move(result);
    return engine;
  }

  GenerateOptions workload_;
  std::string wal_dir_;
  std::unique_ptr<Engine> reference_;
  std::vector<Lsn> commits_;
};

TEST_F(ReplayTest, SameLsnsBranchesAndPagesAtEveryCommit) {
  ReplaySummary summary;
  auto replayed = ReplayIntoNewStore({}, &summary);
  EXPECT_EQ(summary.batches, workload_.batches);
  EXPECT_EQ(summary.branches_created, workload_.branches);
  EXPECT_EQ(replayed->latest_lsn(), reference_->latest_lsn());
  for (const auto& [source, target] : summary.lsn_map) {
    EXPECT_EQ(source, target);
  }
  EXPECT_EQ(replayed->ListBranches().size(), reference_->ListBranches().size());
  ExpectSameHistory(*reference_, *replayed, workload_, commits_);
}

TEST_F(ReplayTest, TimestampsArePreserved) {
  ReplaySummary summary;
  auto replayed = ReplayIntoNewStore({}, &summary);
  for (Lsn lsn : commits_) {
    auto want = reference_->wal().TimestampAtLsn(lsn);
    auto got = replayed->wal().TimestampAtLsn(lsn);
    ASSERT_TRUE(want.ok() && got.ok());
    EXPECT_EQ(*want, *got) << FormatLsn(lsn);
  }
}

TEST_F(ReplayTest, UntilStopsAtTheLastCommitAtOrBeforeIt) {
  const Lsn middle = commits_[commits_.size() / 2];
  for (Lsn until :
       {middle, middle + 1, commits_[commits_.size() / 2 + 1] - 1}) {
    ReplayOptions options;
    options.until = until;
    ReplaySummary summary;
    auto replayed = ReplayIntoNewStore(options, &summary);
    EXPECT_EQ(replayed->latest_lsn(), middle) << FormatLsn(until);
    EXPECT_EQ(summary.source_end, middle);
    EXPECT_EQ(summary.batches, commits_.size() / 2 + 1);
    // Exactly the branches whose point the replay reached.
    size_t expected_branches = 0;
    for (const Branch& b : reference_->ListBranches()) {
      if (b.branch_point <= middle) ++expected_branches;
    }
    EXPECT_EQ(replayed->ListBranches().size(), expected_branches);
    std::vector<Lsn> upto(commits_.begin(),
                          commits_.begin() + commits_.size() / 2 + 1);
    for (const Branch& b : replayed->ListBranches()) {
      auto want = reference_->FindBranch(b.name);
      ASSERT_TRUE(want.ok());
      for (Lsn lsn : upto) {
        if (lsn < b.branch_point) continue;
        for (uint32_t space = 0; space < workload_.spaces; ++space) {
          for (uint32_t page = 0; page < workload_.pages; ++page) {
            auto x = reference_->GetPage(want->id, {space, page}, lsn);
            auto y = replayed->GetPage(b.id, {space, page}, lsn);
            ASSERT_EQ(x.status().code(), y.status().code());
            if (x.ok()) {
              ASSERT_EQ(*x, *y);
            }
          }
        }
      }
    }
  }
}

TEST_F(ReplayTest, UnknownTimelineIsRefused) {
  auto source = WalSource::Open({wal_dir_, false});
  ASSERT_TRUE(source.ok());
  TimelineTree main_only;  // as if timelines.txt were missing
  auto engine = OpenFreshEngine("replay_unknown", workload_.page_size);
  EngineTarget target(engine.get());
  auto result = Replay((*source)->wal(), main_only, {}, &target);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition)
      << result.status();
}

// A stopped store's data directory replays with the branches its catalog
// describes, including the timelines a restore leaves behind.
TEST_F(ReplayTest, DataDirectoryReplaysWithItsCatalog) {
  EngineOptions options;
  options.dir = pitr::testing::NewTestDir("replay_data_dir");
  options.page_size = workload_.page_size;
  options.gc_period = absl::InfiniteDuration();
  {
    auto store = Engine::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    EngineTarget target(store->get());
    ASSERT_TRUE(Generate(workload_, &target).ok());
    auto dev = (*store)->FindBranch("gen-1");
    ASSERT_TRUE(dev.ok());
    PointInTime at;
    at.lsn = commits_[commits_.size() / 2];
    ASSERT_TRUE((*store)->RestoreBranch(dev->id, dev->id, at).ok());
    CommittedBatch batch;
    batch.timestamp_us = workload_.start_time_us + 1000000000;
    batch.records.push_back({});
    batch.records.back().data = std::string(workload_.page_size, 'r');
    ASSERT_TRUE(target.Append("gen-1", batch).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  auto source = WalSource::Open({options.dir, false});
  ASSERT_TRUE(source.ok()) << source.status();
  auto tree = LoadSourceTree(**source);
  ASSERT_TRUE(tree.ok()) << tree.status();
  // main, three branches, and gen-1's timeline from before the restore.
  EXPECT_EQ(tree->timelines().size(), 5u) << tree->Serialize();
  EXPECT_EQ(tree->page_size(), workload_.page_size);
  auto replayed = OpenFreshEngine("replay_from_data_dir", workload_.page_size);
  EngineTarget target(replayed.get());
  auto summary = Replay((*source)->wal(), *tree, {}, &target);
  ASSERT_TRUE(summary.ok()) << summary.status();
  source->reset();

  auto original = Engine::Open(options);
  ASSERT_TRUE(original.ok()) << original.status();
  EXPECT_EQ(replayed->latest_lsn(), (*original)->latest_lsn());
  std::vector<Lsn> lsns = commits_;
  lsns.push_back((*original)->latest_lsn());
  ExpectSameHistory(**original, *replayed, workload_, lsns);
}

}  // namespace
}  // namespace pitr::waltool
