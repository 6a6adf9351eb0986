// A read replica copies its primary exactly: a model test feeds a replica
// the primary's batches and catalog images as pitrd's replication stream
// does (server/replica_follower.h), through a history with branches, a
// restore, snapshots, a schedule, retention and GC on both sides, and
// compares every page of every branch at every commit LSN, the branches,
// the snapshots and the WAL segments. Then: every write refused on the
// replica naming the primary, the data directory's role kept across
// restarts, and a promotion after the primary is gone that loses no batch
// the bucket holds, fences the old primary and archives on.
#include "engine/replication.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "engine/engine.h"
#include "engine/remote_restore.h"
#include "engine/replication_source.h"
#include "engine/testing/engine_fixture.h"
#include "engine/testing/history_reads.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/testing/test_storage.h"

namespace pitr {
namespace {

using remote::testing::Backend;
using testing::ExpectReadsAlike;
using testing::ReadHistory;
using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPages = 6;
constexpr char kPrimary[] = "primary.example:7400";

class ReplicationTest : public testing::EngineFixture,
                        public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    storage_ = remote::testing::OpenTestStorage(GetParam(), "replication");
    ASSERT_NE(storage_, nullptr);
    options_ = testing::TestEngineOptions("primary", kPageSize);
    options_.wal_segment_size = 16 << 10;  // many segments
    options_.remote = storage_.get();
    options_.archive_sync = true;
    options_.gc_period = absl::InfiniteDuration();
    Reopen();
  }
  void TearDown() override {
    replica_.reset();
    engine_.reset();
    if (storage_ != nullptr) remote::testing::DeleteAllObjects(storage_.get());
  }

  void Write(BranchId branch, uint32_t page, int step) {
    commits_.push_back(
        testing::AppendStep(engine_.get(), branch, page, step, kPages));
  }

  // A replica of the primary: a detached restore of the bucket, opened
  // as a replica.
  void StartReplica() {
    replica_options_ = testing::TestEngineOptions("replica", kPageSize);
    RemoteRestoreOptions restore;
    restore.detached = true;
    absl::StatusOr<RemoteRestoreReport> made =
        RestoreFromRemote(storage_.get(), replica_options_.dir, restore);
    ASSERT_TRUE(made.ok()) << made.status();
    replica_options_.remote = storage_.get();
    replica_options_.replica_of = kPrimary;
    replica_options_.wal_segment_size = 4 << 10;  // its own rule differs
    replica_options_.gc_period = absl::InfiniteDuration();
    replica_ = testing::OpenTestEngine(replica_options_);
    ASSERT_NE(replica_, nullptr);
  }

  // What pitrd's replication stream does: everything a ReplicationSource
  // from the replica's end gives.
  void Follow() {
    absl::StatusOr<std::unique_ptr<ReplicationSource>> source =
        ReplicationSource::Start(engine_.get(), replica_->latest_lsn());
    if (absl::IsOutOfRange(source.status())) {
      // The primary trimmed what the replica needs: the bucket has it.
      absl::StatusOr<ArchiveCatchUp> caught_up =
          replica_->CatchUpFromArchive();
      ASSERT_TRUE(caught_up.ok()) << caught_up.status();
      EXPECT_GT(caught_up->batches, 0u);
      ++catch_ups_;
      source = ReplicationSource::Start(engine_.get(), replica_->latest_lsn());
    }
    ASSERT_TRUE(source.ok()) << source.status();
    ReplicationEvent event;
    while (true) {
      absl::StatusOr<bool> more = (*source)->Next(&event);
      ASSERT_TRUE(more.ok()) << more.status();
      if (!*more) break;
      absl::Status applied =
          event.kind == ReplicationEvent::Kind::kBatch
              ? replica_->ApplyCommittedBatch(event.batch, event.starts_segment)
              : replica_->ApplyCatalogImage(event.catalog);
      ASSERT_TRUE(applied.ok()) << applied;
    }
    replica_->SetPrimaryArchivedLsn(engine_->stats().archive.archived_lsn);
  }

  void ExpectReplicaReadsAlike() {
    ExpectReadsAlike(replica_.get(),
                     ReadHistory(engine_.get(), commits_, kPages));
    // The same segments where both still hold them.
    std::map<Lsn, Lsn> primary, replica;
    for (const Wal::Segment& s : engine_->wal().Segments()) primary[s.start] = s.end;
    for (const Wal::Segment& s : replica_->wal().Segments()) replica[s.start] = s.end;
    const Lsn from = std::max(primary.begin()->first, replica.begin()->first);
    size_t compared = 0;
    for (auto it = primary.lower_bound(from); it != primary.end(); ++it) {
      ASSERT_EQ(replica.count(it->first), 1u)
          << "the primary has a segment at " << it->first
          << ", the replica none";
      EXPECT_EQ(replica[it->first], it->second);
      ++compared;
    }
    EXPECT_EQ(compared, static_cast<size_t>(std::distance(
                            replica.lower_bound(from), replica.end())));
  }

  std::unique_ptr<remote::RemoteStorage> storage_;
  EngineOptions replica_options_;
  std::unique_ptr<Engine> replica_;
  std::vector<Lsn> commits_;
  int catch_ups_ = 0;  // of Follow, from the bucket
};

TEST_P(ReplicationTest, AReplicaReadsExactlyAsThePrimaryAtEveryPoint) {
  for (int step = 0; step < 10; ++step) Write(kMainBranch, step % kPages, step);
  ASSERT_TRUE(engine_->backups().Create().ok());
  for (int step = 10; step < 14; ++step) Write(kMainBranch, step % kPages, step);
  StartReplica();
  ExpectReadsAlike(replica_.get(), ReadHistory(engine_.get(), commits_, kPages),
                   /*at_least=*/50);

  absl::StatusOr<Branch> dev =
      engine_->CreateBranch("dev", kMainBranch, PointInTime{commits_[5], {}});
  ASSERT_TRUE(dev.ok()) << dev.status();
  for (int step = 14; step < 30; ++step) Write(dev->id, step % kPages, step);
  ASSERT_TRUE(engine_->snapshots().Create("before", kMainBranch, {}).ok());
  Follow();
  ExpectReplicaReadsAlike();

  ASSERT_TRUE(engine_->RestoreBranch(kMainBranch, kMainBranch,
                                     PointInTime{commits_[8], {}})
                  .ok());
  for (int step = 30; step < 50; ++step) Write(kMainBranch, step % kPages, step);
  SnapshotSchedule hourly;
  hourly.name = "hourly";
  hourly.branch = kMainBranch;
  hourly.every = absl::Hours(1);
  hourly.keep_last = 3;
  ASSERT_TRUE(engine_->snapshots().CreateSchedule(hourly).ok());
  // Its first snapshot now (the background may have taken it already).
  ASSERT_TRUE(engine_->snapshots().RunSchedules(absl::Now()).ok());
  ASSERT_TRUE(engine_->DeleteBranch(dev->id, /*cascade=*/false).ok());
  // History below the last 2 KiB of WAL goes: GC on the primary, then on
  // the replica, which deletes no more than the primary gave up.
  ASSERT_TRUE(engine_->SetDefaultRetention({std::nullopt, 2048}).ok());
  for (int step = 50; step < 60; ++step) Write(kMainBranch, step % kPages, step);
  ASSERT_TRUE(engine_->gc().Run(/*compact=*/true).ok());
  Follow();
  absl::StatusOr<GcReport> replica_gc = replica_->gc().Run(/*compact=*/true);
  ASSERT_TRUE(replica_gc.ok()) << replica_gc.status();
  EXPECT_GT(replica_gc->versions_removed, 0u);
  ExpectReplicaReadsAlike();
  EXPECT_EQ(replica_->snapshots().ListSchedules().size(), 1u);
  EXPECT_EQ(replica_->default_retention(), engine_->default_retention());

  // The primary's WAL was trimmed past the replica's end by then.
  EXPECT_EQ(catch_ups_, 1);

  // Restarted, it goes on from where it was.
  replica_.reset();
  replica_ = testing::OpenTestEngine(replica_options_);
  ASSERT_NE(replica_, nullptr);
  for (int step = 60; step < 70; ++step) Write(kMainBranch, step % kPages, step);
  Follow();
  ExpectReplicaReadsAlike();
}

TEST_P(ReplicationTest, AReplicaRefusesEveryWriteNamingItsPrimary) {
  for (int step = 0; step < 4; ++step) Write(kMainBranch, step % kPages, step);
  ASSERT_TRUE(engine_->backups().Create().ok());
  ASSERT_TRUE(engine_->snapshots().Create("s", kMainBranch, {}).ok());
  absl::StatusOr<Branch> side = engine_->CreateBranch("side", kMainBranch, {});
  ASSERT_TRUE(side.ok());
  StartReplica();
  Follow();
  const Lsn latest = replica_->latest_lsn();
  auto refused = [](const absl::Status& status) {
    EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
    EXPECT_THAT(std::string(status.message()),
                HasSubstr("read replica of primary.example:7400"));
  };
  absl::StatusOr<WalBatch> batch = replica_->NewBatch(kMainBranch);
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE(batch->PutPageImage({1, 0}, std::string(kPageSize, 'x')).ok());
  refused(replica_->Append(kMainBranch, *batch).status());
  refused(replica_->CreateBranch("b", kMainBranch, {}).status());
  refused(replica_->RestoreBranch(kMainBranch, kMainBranch,
                                  PointInTime{commits_[1], {}})
              .status());
  refused(replica_->DeleteBranch(side->id, true).status());
  refused(replica_->snapshots().Create("t", kMainBranch, {}).status());
  refused(replica_->snapshots().Delete("s"));
  refused(replica_->SetRetention(kMainBranch, {absl::Hours(1), std::nullopt}));
  refused(replica_->SetDefaultRetention({absl::Hours(1), std::nullopt}));
  refused(replica_->backups().Create().status());
  SnapshotSchedule schedule;
  schedule.name = "daily";
  schedule.branch = kMainBranch;
  schedule.every = absl::Hours(24);
  schedule.keep_last = 1;
  refused(replica_->snapshots().CreateSchedule(schedule));
  EXPECT_EQ(replica_->latest_lsn(), latest);
  EXPECT_EQ(replica_->ListBranches().size(), 2u);
  EXPECT_EQ(replica_->snapshots().List().size(), 1u);
  // Reads and backups' list are the primary's.
  EXPECT_TRUE(replica_->GetPage(kMainBranch, {1, 0}).ok());
  absl::StatusOr<std::vector<remote::BackupManifest>> backups =
      replica_->backups().List();
  ASSERT_TRUE(backups.ok()) << backups.status();
  EXPECT_EQ(backups->size(), 1u);
  // The replicated stream is checked: a batch that does not continue the
  // log is refused.
  CommittedBatch stray;
  stray.start_lsn = latest + 100;
  stray.commit_lsn = latest + 200;
  stray.timeline = kMainTimeline;
  stray.timestamp_us = absl::ToUnixMicros(absl::Now());
  stray.records.push_back(WalRecord{});
  stray.records.back().kind = RecordKind::kSpaceTruncate;
  stray.records.back().key = {1, 0};
  EXPECT_TRUE(absl::IsFailedPrecondition(
      replica_->ApplyCommittedBatch(stray, false)));
  // A primary takes no replicated batch.
  EXPECT_TRUE(absl::IsFailedPrecondition(
      engine_->ApplyCommittedBatch(stray, false)));
}

TEST_P(ReplicationTest, TheDataDirectoryKeepsItsRoleUntilPromoted) {
  Write(kMainBranch, 0, 0);
  ASSERT_TRUE(engine_->backups().Create().ok());
  StartReplica();
  replica_.reset();
  EngineOptions as_primary = replica_options_;
  as_primary.replica_of.clear();
  absl::StatusOr<std::unique_ptr<Engine>> opened = Engine::Open(as_primary);
  ASSERT_FALSE(opened.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(opened.status()));
  EXPECT_THAT(std::string(opened.status().message()),
              HasSubstr("read replica of primary.example:7400"));
  // An empty directory is no replica: it starts from a restore.
  EngineOptions empty = testing::TestEngineOptions("empty_replica", kPageSize);
  empty.remote = storage_.get();
  empty.replica_of = kPrimary;
  opened = Engine::Open(empty);
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(std::string(opened.status().message()), HasSubstr("no store"));
}

TEST_P(ReplicationTest, PromotionLosesNoArchivedBatchAndFencesTheOldPrimary) {
  for (int step = 0; step < 8; ++step) Write(kMainBranch, step % kPages, step);
  ASSERT_TRUE(engine_->backups().Create().ok());
  StartReplica();
  absl::StatusOr<Branch> dev = engine_->CreateBranch("dev", kMainBranch, {});
  ASSERT_TRUE(dev.ok());
  for (int step = 8; step < 20; ++step) Write(dev->id, step % kPages, step);
  Follow();
  // These reach the bucket (archive_sync) but never the replica's stream.
  for (int step = 20; step < 40; ++step) Write(kMainBranch, step % kPages, step);
  const testing::HistoryReads before = ReadHistory(engine_.get(), commits_, kPages);
  // The primary dies (its directory is gone with its machine).
  const std::string primary_dir = options_.dir;
  engine_.reset();

  absl::StatusOr<PromoteReport> promoted = replica_->Promote();
  ASSERT_TRUE(promoted.ok()) << promoted.status();
  EXPECT_EQ(promoted->caught_up.batches, 20u);
  EXPECT_EQ(promoted->lsn, before.lsn);
  EXPECT_FALSE(replica_->replica_of().has_value());
  ExpectReadsAlike(replica_.get(), before);

  // The old primary, back, may not write to the bucket any more.
  absl::StatusOr<std::unique_ptr<Engine>> old = Engine::Open(options_);
  ASSERT_FALSE(old.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(old.status())) << old.status();

  // The new primary writes, archives and backs up; a restore of the bucket
  // reads everything, from before and after the promotion.
  engine_ = std::move(replica_);
  for (int step = 40; step < 50; ++step) Write(kMainBranch, step % kPages, step);
  ASSERT_TRUE(engine_->backups().Create().ok());
  const testing::HistoryReads after = ReadHistory(engine_.get(), commits_, kPages);
  engine_.reset();
  EngineOptions restored_options =
      testing::TestEngineOptions("restored", kPageSize);
  RemoteRestoreOptions latest;
  latest.detached = true;
  absl::StatusOr<RemoteRestoreReport> restored =
      RestoreFromRemote(storage_.get(), restored_options.dir, latest);
  ASSERT_TRUE(restored.ok()) << restored.status();
  std::unique_ptr<Engine> again = testing::OpenTestEngine(restored_options);
  ASSERT_NE(again, nullptr);
  ExpectReadsAlike(again.get(), after);
  // And a restore to a point before the promotion, too: the history runs
  // through it.
  again.reset();
  restored_options = testing::TestEngineOptions("restored_before", kPageSize);
  RemoteRestoreOptions at_promotion;
  at_promotion.detached = true;
  at_promotion.at.lsn = before.lsn;
  restored = RestoreFromRemote(storage_.get(), restored_options.dir,
                               at_promotion);
  ASSERT_TRUE(restored.ok()) << restored.status();
  again = testing::OpenTestEngine(restored_options);
  ASSERT_NE(again, nullptr);
  ExpectReadsAlike(again.get(), before);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReplicationTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace pitr
