// A store rebuilt from the bucket alone reads exactly what the original
// read: a model test over a history with branches, snapshots, a branch
// restore and a branch deletion, two base backups (the second
// incremental), and restores at several points (by LSN, by time, the
// latest). At each chosen point the original's reads of every branch at
// every commit LSN up to the point were recorded then; the restored store
// must answer every one alike, and hold the same branches and snapshots.
// Then the faults: a directory not empty, a point before the oldest
// backup, a missing object, an interrupted restore; and a restore that
// takes the prefix over, fences the original and archives on.
#include "engine/remote_restore.h"

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "engine/testing/engine_fixture.h"
#include "engine/testing/history_reads.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/base_backup.h"
#include "remote/lineage.h"
#include "remote/testing/test_storage.h"

namespace pitr {
namespace {

using remote::testing::Backend;
using ::testing::HasSubstr;
using testing::ExpectReadsAlike;
using testing::HistoryReads;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPages = 6;

class RemoteRestoreTest : public testing::EngineFixture,
                          public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    storage_ = remote::testing::OpenTestStorage(GetParam(), "remote_restore");
    ASSERT_NE(storage_, nullptr);
    options_ = testing::TestEngineOptions("restore_original", kPageSize);
    options_.wal_segment_size = 32 << 10;  // many segments
    options_.remote = storage_.get();
    options_.archive_sync = true;
    Reopen();
  }
  void TearDown() override {
    engine_.reset();
    if (storage_ != nullptr) remote::testing::DeleteAllObjects(storage_.get());
  }

  void Write(BranchId branch, uint32_t page, int step) {
    commits_.push_back(
        testing::AppendStep(engine_.get(), branch, page, step, kPages));
  }

  // Restores into a new directory and opens the result without a remote.
  std::unique_ptr<Engine> Restore(const RemoteRestoreOptions& restore) {
    EngineOptions options = testing::TestEngineOptions("restored", kPageSize);
    absl::StatusOr<RemoteRestoreReport> made =
        RestoreFromRemote(storage_.get(), options.dir, restore);
    EXPECT_TRUE(made.ok()) << made.status();
    if (!made.ok()) return nullptr;
    return testing::OpenTestEngine(options);
  }

  std::unique_ptr<remote::RemoteStorage> storage_;
  std::vector<Lsn> commits_;
};

TEST_P(RemoteRestoreTest, ARestoredStoreReadsExactlyAsTheOriginalDid) {
  std::vector<HistoryReads> points;
  for (int step = 0; step < 12; ++step) Write(kMainBranch, step % kPages, step);
  absl::StatusOr<remote::BackupManifest> first = engine_->backups().Create();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->new_bytes, first->total_bytes());

  absl::StatusOr<Branch> dev =
      engine_->CreateBranch("dev", kMainBranch, PointInTime{commits_[5], {}});
  ASSERT_TRUE(dev.ok()) << dev.status();
  for (int step = 12; step < 20; ++step) Write(dev->id, step % kPages, step);
  ASSERT_TRUE(engine_->snapshots()
                  .Create("before-restore", kMainBranch, PointInTime{})
                  .ok());
  points.push_back(testing::ReadHistory(engine_.get(), commits_, kPages));
  points.back().time_us = absl::ToUnixMicros(absl::Now());
  absl::SleepFor(absl::Milliseconds(5));
  // Catalog changes between the same two batches are one point: the
  // restore below must come after a batch to be a point of its own.
  Write(dev->id, 0, 20);

  ASSERT_TRUE(engine_->RestoreBranch(kMainBranch, kMainBranch,
                                     PointInTime{commits_[8], {}})
                  .ok());
  for (int step = 21; step < 30; ++step) Write(kMainBranch, step % kPages, step);
  absl::StatusOr<Branch> qa =
      engine_->CreateBranch("qa", dev->id, PointInTime{});
  ASSERT_TRUE(qa.ok());
  points.push_back(testing::ReadHistory(engine_.get(), commits_, kPages));

  absl::StatusOr<remote::BackupManifest> second = engine_->backups().Create();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_LT(second->new_bytes, second->total_bytes());  // incremental
  Write(qa->id, 2, 29);  // a point of its own for what follows
  absl::StatusOr<Branch> scratch =
      engine_->CreateBranch("scratch", kMainBranch, PointInTime{});
  ASSERT_TRUE(scratch.ok());
  Write(scratch->id, 1, 30);
  ASSERT_TRUE(engine_->DeleteBranch(scratch->id, /*cascade=*/false).ok());
  for (int step = 31; step < 40; ++step) Write(qa->id, step % kPages, step);
  points.push_back(testing::ReadHistory(engine_.get(), commits_, kPages));

  absl::StatusOr<std::vector<remote::BackupManifest>> listed =
      engine_->backups().List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].lsn, first->lsn);
  EXPECT_EQ((*listed)[1].lsn, second->lsn);

  // By LSN at each point, detached: the bucket is not changed.
  for (const HistoryReads& point : points) {
    SCOPED_TRACE(absl::StrCat("restore at lsn ", FormatLsn(point.lsn)));
    RemoteRestoreOptions restore;
    restore.at.lsn = point.lsn;
    restore.detached = true;
    std::unique_ptr<Engine> restored = Restore(restore);
    ASSERT_NE(restored, nullptr);
    ExpectReadsAlike(restored.get(), point);
  }
  // By time: the first point's time, after which nothing was committed
  // for a few milliseconds.
  {
    RemoteRestoreOptions restore;
    restore.at.timestamp_us = points[0].time_us;
    restore.detached = true;
    std::unique_ptr<Engine> restored = Restore(restore);
    ASSERT_NE(restored, nullptr);
    ExpectReadsAlike(restored.get(), points[0]);
  }
  // The latest, once the original is gone; taking the prefix over.
  const uint64_t original_generation = engine_->stats().archive_generation;
  ASSERT_TRUE(engine_->Close().ok());
  EngineOptions options = testing::TestEngineOptions("restored", kPageSize);
  absl::StatusOr<RemoteRestoreReport> report =
      RestoreFromRemote(storage_.get(), options.dir, RemoteRestoreOptions{});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->backup.lsn, second->lsn);
  EXPECT_GT(report->generation, original_generation);
  options.remote = storage_.get();
  options.archive_sync = true;
  std::unique_ptr<Engine> restored = testing::OpenTestEngine(options);
  ASSERT_NE(restored, nullptr);
  ExpectReadsAlike(restored.get(), points.back());
  // It archives on, and its backups are its own database's: a new
  // identity, the files it downloaded not uploaded again.
  engine_ = std::move(restored);
  Write(kMainBranch, 3, 40);
  absl::StatusOr<remote::BackupManifest> third = engine_->backups().Create();
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_NE(third->identity, second->identity);
  EXPECT_LT(third->new_bytes, third->total_bytes());
  EXPECT_GT(third->generation, original_generation);
}

TEST_P(RemoteRestoreTest, RefusesWhatItCannotRestoreAndNamesWhy) {
  for (int step = 0; step < 6; ++step) Write(kMainBranch, step % kPages, step);
  const Lsn before_backup = commits_[2];
  absl::StatusOr<remote::BackupManifest> backup = engine_->backups().Create();
  ASSERT_TRUE(backup.ok()) << backup.status();
  for (int step = 6; step < 10; ++step) Write(kMainBranch, step % kPages, step);

  // A directory that holds something.
  const std::string busy = pitr::testing::NewTestDir("restore_busy");
  ASSERT_TRUE(WriteFileDurably(FileSystem::Default(),
                               JoinPath(busy, "notes.txt"), "x")
                  .ok());
  RemoteRestoreOptions restore;
  restore.detached = true;
  absl::StatusOr<RemoteRestoreReport> made =
      RestoreFromRemote(storage_.get(), busy, restore);
  EXPECT_EQ(made.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(made.status().message(), HasSubstr("notes.txt"));

  // A point before the oldest backup, and one past the archive.
  restore.at.lsn = before_backup;
  made = RestoreFromRemote(storage_.get(),
                           pitr::testing::NewTestDir("restore_early"), restore);
  EXPECT_EQ(made.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(made.status().message(), HasSubstr("oldest base backup"));
  restore.at.lsn = engine_->latest_lsn() + 1000;
  made = RestoreFromRemote(storage_.get(),
                           pitr::testing::NewTestDir("restore_late"), restore);
  EXPECT_EQ(made.status().code(), absl::StatusCode::kOutOfRange);

  // A missing object of the backup: DATA_LOSS naming it; the directory is
  // marked as an interrupted restore, which Engine::Open refuses and the
  // next restore starts over.
  const std::string lost = backup->files.front().key;
  absl::StatusOr<remote::Object> saved = storage_->Get(lost);
  ASSERT_TRUE(saved.ok());
  ASSERT_TRUE(storage_->Delete(lost).ok());
  const std::string dir = pitr::testing::NewTestDir("restore_damaged");
  restore.at = PointInTime{};
  made = RestoreFromRemote(storage_.get(), dir, restore);
  EXPECT_EQ(made.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(made.status().message(), HasSubstr(lost));
  EngineOptions options = testing::TestEngineOptions("unused", kPageSize);
  options.dir = dir;
  EXPECT_THAT(Engine::Open(options).status().message(),
              HasSubstr("did not finish"));
  ASSERT_TRUE(storage_->Put(lost, saved->data).ok());
  // A damaged object (a byte changed in the bucket's own file, so its
  // checksum no longer matches): DATA_LOSS naming it too.
  if (GetParam() == Backend::kFile) {
    const std::string root = storage_->Describe().substr(strlen("file://"));
    const std::string path = JoinPath(JoinPath(root, "objects"), lost);
    absl::StatusOr<std::string> bytes =
        ReadWholeFile(FileSystem::Default(), path);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    std::string damaged = *bytes;
    damaged[damaged.size() / 3] ^= 0x40;
    pitr::testing::WriteFileBytes(path, damaged);
    made = RestoreFromRemote(storage_.get(), dir, restore);
    EXPECT_EQ(made.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(made.status().message(), HasSubstr(lost));
    pitr::testing::WriteFileBytes(path, *bytes);
  }
  made = RestoreFromRemote(storage_.get(), dir, restore);
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->lsn, engine_->latest_lsn());
}

INSTANTIATE_TEST_SUITE_P(Backends, RemoteRestoreTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace pitr
