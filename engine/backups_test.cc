// Base backups and retention in the bucket, on both backends: a backup
// needs a remote; GC of the bucket keeps every backup, WAL piece and
// catalog image that a restore to any point still inside retention needs
// (checked by restoring at every commit from the oldest needed point to
// the latest, each read against the original), and deletes the rest (the
// older backup, its files and the WAL before the kept one), also when a
// snapshot that held them back is deleted.
#include "engine/backups.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/testing/test_files.h"
#include "engine/remote_restore.h"
#include "engine/testing/engine_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/testing/test_storage.h"
#include "remote/wal_fetch.h"

namespace pitr {
namespace {

using remote::testing::Backend;
using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPages = 5;

TEST(BackupsWithoutRemoteTest, AreRefusedNamingTheFlag) {
  std::unique_ptr<Engine> engine =
      testing::OpenTestEngine(testing::TestEngineOptions("local", kPageSize));
  ASSERT_NE(engine, nullptr);
  absl::StatusOr<remote::BackupManifest> made = engine->backups().Create();
  EXPECT_EQ(made.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(made.status().message(), HasSubstr("--remote"));
}

class BucketRetentionTest : public testing::EngineFixture,
                            public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    storage_ = remote::testing::OpenTestStorage(GetParam(), "bucket_gc");
    ASSERT_NE(storage_, nullptr);
    options_ = testing::TestEngineOptions("bucket_gc", kPageSize);
    options_.wal_segment_size = 32 << 10;
    options_.remote = storage_.get();
    options_.archive_sync = true;
    // The archive uploads only when an append waits for it, so the bucket
    // holds still while the test measures it.
    options_.archive_delay = absl::Hours(1);
    options_.gc_period = absl::InfiniteDuration();
    Reopen();
  }
  void TearDown() override {
    engine_.reset();
    if (storage_ != nullptr) remote::testing::DeleteAllObjects(storage_.get());
  }

  void Write(int n) {
    for (int i = 0; i < n; ++i, ++step_) {
      absl::StatusOr<WalBatch> batch = engine_->NewBatch(kMainBranch);
      ASSERT_TRUE(batch.ok());
      ASSERT_TRUE(batch
                      ->PutPageImage({1, static_cast<uint32_t>(step_ % kPages)},
                                     std::string(kPageSize, 'a' + step_ % 26))
                      .ok());
      commits_.push_back(AppendBatch(kMainBranch, *batch));
    }
  }
  remote::BackupManifest Backup() {
    absl::StatusOr<remote::BackupManifest> made = engine_->backups().Create();
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? *made : remote::BackupManifest();
  }
  uint64_t BucketBytes() {
    absl::StatusOr<uint64_t> bytes = engine_->backups().MeasureBucket();
    EXPECT_TRUE(bytes.ok()) << bytes.status();
    return bytes.value_or(0);
  }

  std::unique_ptr<remote::RemoteStorage> storage_;
  std::vector<Lsn> commits_;
  int step_ = 0;
};

TEST_P(BucketRetentionTest, KeepsWhatRetentionNeedsAndDeletesTheRest) {
  Write(20);
  const Lsn pinned = commits_[4];
  ASSERT_TRUE(engine_->snapshots()
                  .Create("old", kMainBranch, PointInTime{pinned, {}})
                  .ok());
  const remote::BackupManifest first = Backup();
  Write(20);
  const remote::BackupManifest second = Backup();
  Write(20);
  const remote::BackupManifest third = Backup();
  // Nothing written since: the same backup, not a second one of the name.
  const remote::BackupManifest again = Backup();
  EXPECT_EQ(again.lsn, third.lsn);
  EXPECT_EQ(again.created_us, third.created_us);
  Write(5);
  // main keeps the WAL back to halfway between the second and third
  // backups; the snapshot holds everything back for now.
  const Lsn oldest_needed = second.lsn + (third.lsn - second.lsn) / 2;
  ASSERT_TRUE(engine_
                  ->SetRetention(kMainBranch,
                                 {std::nullopt,
                                  engine_->latest_lsn() - oldest_needed})
                  .ok());
  absl::StatusOr<remote::BucketGarbage> garbage =
      engine_->backups().CollectGarbage();
  ASSERT_TRUE(garbage.ok()) << garbage.status();
  EXPECT_TRUE(garbage->manifests.empty());
  EXPECT_TRUE(garbage->objects.empty());
  EXPECT_EQ(garbage->restorable_from, first.lsn);

  // Without the snapshot, the first backup and the WAL before the second's
  // segment go.
  ASSERT_TRUE(engine_->snapshots().Delete("old").ok());
  const uint64_t before = BucketBytes();
  garbage = engine_->backups().CollectGarbage();
  ASSERT_TRUE(garbage.ok()) << garbage.status();
  EXPECT_EQ(garbage->manifests.size(), 1u);
  EXPECT_FALSE(garbage->objects.empty());
  EXPECT_EQ(garbage->restorable_from, second.lsn);
  EXPECT_EQ(BucketBytes(), before - garbage->bytes);
  absl::StatusOr<std::vector<remote::BackupManifest>> listed =
      engine_->backups().List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].lsn, second.lsn);
  absl::StatusOr<remote::FetchedWal> fetched = remote::FetchWal(
      storage_.get(), engine_->stats().archive_generation, 0,
      pitr::testing::NewTestDir("bucket_gc_fetch"));
  EXPECT_FALSE(fetched.ok()) << "the WAL from lsn 0 is still in the bucket";
  // Again: nothing more to delete.
  garbage = engine_->backups().CollectGarbage();
  ASSERT_TRUE(garbage.ok());
  EXPECT_TRUE(garbage->manifests.empty() && garbage->objects.empty());

  // Every point from the oldest needed one on restores, and reads as the
  // original does; before the kept backup, none does.
  for (Lsn point : commits_) {
    if (point < oldest_needed) continue;
    SCOPED_TRACE(absl::StrCat("restore at lsn ", FormatLsn(point)));
    EngineOptions options = testing::TestEngineOptions("restored", kPageSize);
    RemoteRestoreOptions restore;
    restore.at.lsn = point;
    restore.detached = true;
    absl::StatusOr<RemoteRestoreReport> made =
        RestoreFromRemote(storage_.get(), options.dir, restore);
    ASSERT_TRUE(made.ok()) << made.status();
    std::unique_ptr<Engine> restored = testing::OpenTestEngine(options);
    ASSERT_NE(restored, nullptr);
    ASSERT_EQ(restored->latest_lsn(), point);
    for (uint32_t page = 0; page < kPages; ++page) {
      absl::StatusOr<std::string> want =
          engine_->GetPage(kMainBranch, {1, page}, point);
      absl::StatusOr<std::string> got =
          restored->GetPage(kMainBranch, {1, page}, point);
      ASSERT_TRUE(want.ok() && got.ok()) << page;
      ASSERT_TRUE(*want == *got) << "page " << page;
    }
  }
  RemoteRestoreOptions too_early;
  too_early.at.lsn = second.lsn - 1;
  too_early.detached = true;
  EXPECT_EQ(RestoreFromRemote(storage_.get(),
                              pitr::testing::NewTestDir("bucket_gc_early"),
                              too_early)
                .status()
                .code(),
            absl::StatusCode::kOutOfRange);
}

INSTANTIATE_TEST_SUITE_P(Backends, BucketRetentionTest,
                         ::testing::Values(Backend::kFile, Backend::kS3),
                         ::testing::PrintToStringParamName());

}  // namespace
}  // namespace pitr
