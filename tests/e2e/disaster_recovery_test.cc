// Disaster recovery through the real pitrd and the real S3 server:
// - a store with branches, a snapshot and a schedule, base backups (the
//   first at start, one on demand) and more writes; the machine is lost
//   (SIGKILL, the data directory gone); pitrd --restore_from_remote on an
//   empty directory serves the same store: every branch, snapshot,
//   schedule and page, at the latest and at older points;
// - --restore_at an earlier LSN, detached, while the restored store runs:
//   the store as it was then, and the bucket untouched;
// - a non-empty directory is refused;
// - pitrd killed again and again during base backups: every restore from
//   the bucket, whenever it is taken, opens and holds every acknowledged
//   batch.
#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/file_system.h"
#include "base/testing/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "remote/generation.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/e2e/remote_fixture.h"
#include "tests/e2e/requests.h"
#include "tests/e2e/store_view.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPages = 8;

class DisasterRecoveryTest : public RemotePitrdTest {
 protected:
  DisasterRecoveryTest() : RemotePitrdTest("e2e_dr") {}

  // Appends one page to `branch`: its commit LSN (0 if refused).
  static uint64_t Write(PitrClient& client, const std::string& branch, int i) {
    v1::AppendResponse response;
    grpc::Status status = Append(
        client, branch,
        {Image(1, i % kPages, MarkedPage(kPageSize, absl::StrCat(branch, i)))},
        &response);
    return status.ok() ? response.commit_lsn() : 0;
  }

  StoreViewOptions ViewAt(const std::vector<uint64_t>& lsns) {
    StoreViewOptions view;
    for (uint32_t page = 0; page < kPages; ++page) {
      view.keys.push_back(Key(1, page));
    }
    for (uint64_t lsn : lsns) view.old_points.push_back(AtLsn(lsn));
    return view;
  }

  // The store as a client sees it (store_view.h), but for the store's
  // archive, which a restore changes.
  std::string View(PitrClient& client, const std::vector<uint64_t>& lsns) {
    StoreViewOptions view = ViewAt(lsns);
    view.store_position_only = true;
    return StoreView(client, view);
  }

  std::vector<v1::Backup> ListBackups(PitrClient& client) {
    v1::ListBackupsResponse response;
    grpc::Status status = client.backups->ListBackups(
        CallContext().get(), v1::ListBackupsRequest(), &response);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return {response.backups().begin(), response.backups().end()};
  }
};

TEST_F(DisasterRecoveryTest, TheWholeStoreComesBackFromTheBucketAlone) {
  std::unique_ptr<PitrdProcess> pitrd = StartPitrd({"--archive_sync"});
  ASSERT_NE(pitrd, nullptr);
  PitrClient client(pitrd->NewChannel());
  std::vector<uint64_t> points;
  for (int i = 0; i < 20; ++i) points.push_back(Write(client, "main", i));

  v1::CreateBranchRequest branch;
  branch.set_name("dev");
  *branch.mutable_point() = AtLsn(points[10]);
  ASSERT_TRUE(Call(client.branches.get(), &v1::BranchService::Stub::CreateBranch,
                   branch)
                  .ok());
  for (int i = 20; i < 30; ++i) points.push_back(Write(client, "dev", i));
  v1::CreateSnapshotRequest snapshot;
  snapshot.set_name("before-cleanup");
  ASSERT_TRUE(Call(client.snapshots.get(),
                   &v1::SnapshotService::Stub::CreateSnapshot, snapshot)
                  .ok());
  v1::CreateScheduleRequest schedule;
  schedule.mutable_schedule()->set_name("hourly");
  schedule.mutable_schedule()->set_branch("main");
  *schedule.mutable_schedule()->mutable_every() = Seconds(3600);
  schedule.mutable_schedule()->set_keep_last(24);
  grpc::Status scheduled = Call(
      client.snapshots.get(), &v1::SnapshotService::Stub::CreateSchedule,
      schedule);
  ASSERT_TRUE(scheduled.ok()) << Describe(scheduled);
  ASSERT_TRUE(WaitForScheduleRun(client, "hourly"));
  points.push_back(Write(client, "main", 30));
  const std::vector<uint64_t> points_then = points;
  const std::string view_then = View(client, points_then);
  const uint64_t then = points.back();

  // The first backup was taken at start; one more on demand.
  v1::Backup made;
  grpc::Status created = client.backups->CreateBackup(
      CallContext("", absl::Minutes(2)).get(), v1::CreateBackupRequest(),
      &made);
  ASSERT_TRUE(created.ok()) << Describe(created);
  EXPECT_GE(made.lsn(), then);
  EXPECT_LT(made.new_bytes(), made.size_bytes());
  const std::vector<v1::Backup> backups = ListBackups(client);
  ASSERT_EQ(backups.size(), 2u);
  EXPECT_EQ(backups[1].lsn(), made.lsn());

  for (int i = 31; i < 45; ++i) points.push_back(Write(client, "dev", i));
  const std::string view_last = View(client, points);

  // The machine is lost.
  pitrd->Kill();
  pitrd.reset();

  // A directory that holds anything is refused.
  const std::string busy = pitr::testing::NewTestDir("e2e_dr_busy");
  pitr::testing::WriteFileBytes(JoinPath(busy, "keep.me"), "x");
  std::vector<std::string> refused_flags = RemoteFlags();
  refused_flags.push_back("--restore_from_remote");
  refused_flags.push_back(absl::StrCat("--data_dir=", busy));
  EXPECT_THAT(RefusedStart(refused_flags), HasSubstr("keep.me"));

  std::unique_ptr<PitrdProcess> restored =
      StartPitrd({"--restore_from_remote", "--archive_sync"});
  ASSERT_NE(restored, nullptr);
  PitrClient restored_client(restored->NewChannel());
  EXPECT_EQ(FirstDifference(View(restored_client, points), view_last), "");
  EXPECT_THAT(restored->Log(), HasSubstr("restored"));
  // It archives on, as the new generation.
  EXPECT_GT(Write(restored_client, "main", 50), points.back());
  EXPECT_EQ(remote::ListGenerations(storage_.get())->size(), 3u);

  // An earlier point, detached: the bucket is left alone.
  std::unique_ptr<PitrdProcess> earlier = StartPitrd(
      {"--restore_from_remote", absl::StrCat("--restore_at=", then),
       "--restore_detached"});
  ASSERT_NE(earlier, nullptr);
  PitrClient earlier_client(earlier->NewChannel());
  EXPECT_EQ(FirstDifference(View(earlier_client, points_then), view_then), "")
      << "the store restored at lsn " << then << " differs";
  EXPECT_EQ(remote::ListGenerations(storage_.get())->size(), 3u);
}

TEST_F(DisasterRecoveryTest, KilledDuringBackupsEveryRestoreIsWhole) {
  std::unique_ptr<PitrdProcess> pitrd =
      StartPitrd({"--archive_sync", "--backup_every=0"});
  ASSERT_NE(pitrd, nullptr);
  std::vector<uint64_t> acknowledged;
  int i = 0;
  for (int round = 0; round < 3; ++round) {
    if (round > 0) {
      ASSERT_TRUE(pitrd->Restart().ok());
    }
    PitrClient client(pitrd->NewChannel());
    for (int n = 0; n < 40; ++n) {
      if (uint64_t lsn = Write(client, "main", i++); lsn > 0) {
        acknowledged.push_back(lsn);
      }
    }
    // A backup in flight when the kill lands (after a completed one in
    // the first round, so that there is one to restore from).
    if (round == 0) {
      v1::Backup made;
      ASSERT_TRUE(client.backups
                      ->CreateBackup(CallContext("", absl::Minutes(2)).get(),
                                     v1::CreateBackupRequest(), &made)
                      .ok());
    }
    std::thread backup([&] {
      v1::Backup made;
      client.backups->CreateBackup(CallContext("", absl::Minutes(2)).get(),
                                   v1::CreateBackupRequest(), &made);
    });
    absl::SleepFor(absl::Milliseconds(20 + 40 * round));
    pitrd->Kill();
    backup.join();

    // Restored from the bucket now: whole, with every acknowledged batch.
    const std::string dir = pitr::testing::NewTestDir("e2e_dr_kill");
    std::unique_ptr<PitrdProcess> restored = StartPitrd(
        {"--restore_from_remote", "--restore_detached"}, dir);
    ASSERT_NE(restored, nullptr);
    PitrClient restored_client(restored->NewChannel());
    v1::StoreInfo info;
    ASSERT_TRUE(restored_client.pages
                    ->GetStoreInfo(CallContext().get(),
                                   v1::GetStoreInfoRequest(), &info)
                    .ok());
    EXPECT_GE(info.latest_lsn(), acknowledged.back()) << "round " << round;
    v1::GetPageRequest read;
    read.set_branch("main");
    *read.mutable_key() = Key(1, (i - 1) % kPages);
    v1::Page page;
    ASSERT_TRUE(restored_client.pages
                    ->GetPage(CallContext().get(), read, &page)
                    .ok());
    EXPECT_EQ(page.data(),
              MarkedPage(kPageSize, absl::StrCat("main", i - 1)));
  }
  // Back once more: the next backup clears what a killed one left.
  ASSERT_TRUE(pitrd->Restart().ok());
  PitrClient client(pitrd->NewChannel());
  v1::Backup made;
  ASSERT_TRUE(client.backups
                  ->CreateBackup(CallContext("", absl::Minutes(2)).get(),
                                 v1::CreateBackupRequest(), &made)
                  .ok());
  EXPECT_GE(made.lsn(), acknowledged.back());
}

}  // namespace
}  // namespace pitr::e2e
