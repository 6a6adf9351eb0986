// Read replicas with the real pitrd processes and the real S3 server: a
// primary and two replicas (each restored from the bucket by itself);
// clients reading from the replicas while writing to the primary, each
// read at the commit LSN the primary returned (read-your-writes) or at an
// older LSN, compared with the primary's answer; writes refused on a
// replica; the replicas' whole view (branches, snapshots, schedules,
// bounds, pages at old points) equal to the primary's; a replica stopped,
// written past and restarted; the primary SIGKILLed in the middle of
// ingest and a replica promoted: every acknowledged batch there, the old
// primary fenced when it comes back, the other replica following the new
// primary.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "clients/common/client.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_process.h"
#include "tests/e2e/remote_fixture.h"
#include "tests/e2e/requests.h"
#include "tests/e2e/store_view.h"

namespace pitr::e2e {
namespace {

using ::testing::HasSubstr;

constexpr uint32_t kPageSize = 4096;
constexpr uint32_t kPages = 8;

class ReplicationE2eTest : public RemotePitrdTest {
 protected:
  ReplicationE2eTest() : RemotePitrdTest("e2e_replica") {}

  std::unique_ptr<PitrdProcess> StartReplica(const PitrdProcess& primary,
                                             const std::string& data_dir = "") {
    return StartPitrd({"--replica_of=" + primary.address()}, data_dir);
  }

  // Appends page `i % kPages` of `branch`, marked with `i`: its commit
  // LSN, 0 if refused.
  static uint64_t Write(PitrClient& client, const std::string& branch, int i) {
    v1::AppendResponse response;
    grpc::Status status =
        Append(client, branch, {Image(1, i % kPages, Content(branch, i))},
               &response);
    return status.ok() ? response.commit_lsn() : 0;
  }
  static std::string Content(const std::string& branch, int i) {
    return MarkedPage(kPageSize, absl::StrCat(branch, " write ", i, " "));
  }

  // The page as `client` reads it at `lsn` (0: latest), waiting for the
  // LSN first if min_lsn is set; "" on an error, which fails the test.
  static std::string Read(PitrClient& client, const std::string& branch,
                          uint32_t page, uint64_t lsn, uint64_t min_lsn) {
    grpc::Status status;
    std::string data = ReadOrError(client, branch, page, lsn, min_lsn, &status);
    EXPECT_TRUE(status.ok()) << branch << " page " << page << " at " << lsn
                             << ": " << Describe(status);
    return data;
  }

  // The same, with the error as the call returned it.
  static std::string ReadOrError(PitrClient& client, const std::string& branch,
                                 uint32_t page, uint64_t lsn, uint64_t min_lsn,
                                 grpc::Status* status) {
    v1::GetPageRequest request;
    request.set_branch(branch);
    *request.mutable_key() = Key(1, page);
    if (lsn != 0) *request.mutable_point() = AtLsn(lsn);
    auto context = CallContext();
    if (min_lsn != 0) {
      context->AddMetadata(clients::kMinLsnMetadata, absl::StrCat(min_lsn));
    }
    v1::Page response;
    *status = client.pages->GetPage(context.get(), request, &response);
    return status->ok() ? response.data() : "";
  }

  static uint64_t LatestLsn(PitrClient& client) {
    v1::StoreInfo info;
    grpc::Status status = client.pages->GetStoreInfo(
        CallContext().get(), v1::GetStoreInfoRequest(), &info);
    EXPECT_TRUE(status.ok()) << Describe(status);
    return info.latest_lsn();
  }

  static v1::ReplicationStatus Status(PitrClient& client) {
    v1::ReplicationStatus status;
    grpc::Status called = client.replication->GetReplicationStatus(
        CallContext().get(), v1::GetReplicationStatusRequest(), &status);
    EXPECT_TRUE(called.ok()) << Describe(called);
    return status;
  }

  // Waits until the replica is connected and holds `lsn`; false if not
  // within 30 s.
  static bool WaitCaughtUp(PitrClient& replica, uint64_t lsn) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      v1::ReplicationStatus status = Status(replica);
      if (status.connected() && status.applied_lsn() >= lsn) return true;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  std::string View(PitrClient& client, const std::vector<uint64_t>& lsns) {
    StoreViewOptions view;
    for (uint32_t page = 0; page < kPages; ++page) {
      view.keys.push_back(Key(1, page));
    }
    for (uint64_t lsn : lsns) view.old_points.push_back(AtLsn(lsn));
    view.store_position_only = true;
    return StoreView(client, view);
  }
};

TEST_F(ReplicationE2eTest, ReplicasServeAsThePrimaryAndOneIsPromoted) {
  std::unique_ptr<PitrdProcess> primary =
      StartPitrd({"--archive_sync", "--backup_every=0"});
  ASSERT_NE(primary, nullptr);
  PitrClient writer(primary->NewChannel());
  std::vector<uint64_t> points;
  for (int i = 0; i < 20; ++i) points.push_back(Write(writer, "main", i));
  v1::Backup backup;
  ASSERT_TRUE(writer.backups
                  ->CreateBackup(CallContext().get(), v1::CreateBackupRequest(),
                                 &backup)
                  .ok());
  v1::CreateBranchRequest branch;
  branch.set_name("dev");
  *branch.mutable_point() = AtLsn(points[10]);
  ASSERT_TRUE(Call(writer.branches.get(), &v1::BranchService::Stub::CreateBranch,
                   branch)
                  .ok());
  for (int i = 20; i < 30; ++i) points.push_back(Write(writer, "dev", i));

  // Two replicas, each restored from the bucket (base backup and archived
  // WAL), then following the primary.
  std::unique_ptr<PitrdProcess> first = StartReplica(*primary);
  std::unique_ptr<PitrdProcess> second = StartReplica(*primary);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  PitrClient replicas[] = {PitrClient(first->NewChannel()),
                           PitrClient(second->NewChannel())};

  // Catalog changes reach them too.
  v1::CreateSnapshotRequest snapshot;
  snapshot.set_name("before-load");
  ASSERT_TRUE(Call(writer.snapshots.get(),
                   &v1::SnapshotService::Stub::CreateSnapshot, snapshot)
                  .ok());
  v1::CreateScheduleRequest schedule;
  schedule.mutable_schedule()->set_name("hourly");
  schedule.mutable_schedule()->set_branch("main");
  *schedule.mutable_schedule()->mutable_every() = Seconds(3600);
  schedule.mutable_schedule()->set_keep_last(2);
  ASSERT_TRUE(Call(writer.snapshots.get(),
                   &v1::SnapshotService::Stub::CreateSchedule, schedule)
                  .ok());
  ASSERT_TRUE(WaitForScheduleRun(writer, "hourly"));

  // Writes on the primary; each read back at once from a replica at its
  // commit LSN (read-your-writes), while another client reads old points
  // from both replicas and from the primary and compares.
  std::atomic<bool> done{false};
  std::atomic<int> old_reads{0};
  const std::vector<uint64_t> old_points = points;
  std::thread old_reader([&] {
    PitrClient from_primary(primary->NewChannel());
    std::mt19937 random(7);
    for (int n = 0; !done && !::testing::Test::HasFailure(); ++n) {
      const uint64_t lsn = old_points[random() % 20];  // main's
      const uint32_t page = random() % kPages;
      grpc::Status on_replica, on_primary;
      const std::string read =
          ReadOrError(replicas[n % 2], "main", page, lsn, 0, &on_replica);
      const std::string expected =
          ReadOrError(from_primary, "main", page, lsn, 0, &on_primary);
      ASSERT_EQ(Describe(on_replica), Describe(on_primary))
          << "page " << page << " at lsn " << lsn;
      ASSERT_TRUE(read == expected) << "page " << page << " at lsn " << lsn;
      ++old_reads;
    }
  });
  for (int i = 30; i < 130; ++i) {
    const uint64_t commit = Write(writer, "main", i);
    ASSERT_NE(commit, 0u);
    points.push_back(commit);
    ASSERT_EQ(Read(replicas[i % 2], "main", i % kPages, 0, commit),
              Content("main", i))
        << "write " << i << " at lsn " << commit << " read from replica "
        << i % 2;
  }
  done = true;
  old_reader.join();
  EXPECT_GT(old_reads.load(), 10);

  // A replica refuses writes, naming its primary.
  v1::AppendResponse refused_append;
  grpc::Status refused = Append(replicas[0], "main",
                                {Image(1, 0, Content("main", 999))},
                                &refused_append);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr(primary->address()));
  // ...and watches: no writer there waits for its watchers.
  {
    auto context = CallContext();
    auto watch = replicas[0].pages->WatchChanges(context.get());
    v1::WatchChangesRequest first;
    first.set_renewal(1);
    watch->Write(first);
    v1::WatchNotice notice;
    EXPECT_FALSE(watch->Read(&notice));
    grpc::Status status = watch->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(status.error_message(), HasSubstr("primary"));
  }

  // Both hold exactly what the primary holds.
  uint64_t latest = LatestLsn(writer);
  const std::string primary_view = View(writer, points);
  for (PitrClient& replica : replicas) {
    ASSERT_TRUE(WaitCaughtUp(replica, latest));
    EXPECT_EQ(FirstDifference(View(replica, points), primary_view), "");
  }
  EXPECT_EQ(Status(replicas[0]).role(), v1::ReplicationStatus::REPLICA);
  EXPECT_EQ(Status(writer).role(), v1::ReplicationStatus::PRIMARY);

  // The second replica, stopped while the primary goes on, catches up.
  ASSERT_TRUE(second->Stop().ok());
  for (int i = 130; i < 150; ++i) points.push_back(Write(writer, "dev", i));
  ASSERT_TRUE(second->Restart().ok());
  replicas[1] = PitrClient(second->NewChannel());
  latest = LatestLsn(writer);
  ASSERT_TRUE(WaitCaughtUp(replicas[1], latest));
  EXPECT_EQ(FirstDifference(View(replicas[1], points), View(writer, points)),
            "");

  // The primary dies in the middle of ingest. With --archive_sync every
  // acknowledged batch is in the bucket.
  std::map<uint32_t, std::pair<int, uint64_t>> acknowledged;  // page -> write
  std::atomic<int> acked{0};
  std::thread ingest([&] {
    for (int i = 150;; ++i) {
      const uint64_t commit = Write(writer, "main", i);
      if (commit == 0) return;  // the primary is gone
      acknowledged[i % kPages] = {i, commit};
      ++acked;
    }
  });
  while (acked < 40) absl::SleepFor(absl::Milliseconds(5));
  primary->Kill();
  ingest.join();
  const std::string old_primary_dir = primary->data_dir();

  // The replicas keep serving what they have, and say that the primary is
  // gone: a read that needs more is UNAVAILABLE naming how far behind it
  // is, and health reports replication NOT_SERVING (the server as a whole
  // still SERVING: --replica_not_serving_when_lost is not set).
  {
    const uint64_t beyond = Status(replicas[1]).applied_lsn() + 4096;
    grpc::Status behind;
    auto context = CallContext("", absl::Seconds(2));
    context->AddMetadata(clients::kMinLsnMetadata, absl::StrCat(beyond));
    v1::GetPageRequest request;
    *request.mutable_key() = Key(1, 0);
    v1::Page page;
    behind = replicas[1].pages->GetPage(context.get(), request, &page);
    EXPECT_EQ(behind.error_code(), grpc::StatusCode::UNAVAILABLE)
        << Describe(behind);
    EXPECT_THAT(behind.error_message(), HasSubstr("4096 bytes behind"));
    auto health = grpc::health::v1::Health::NewStub(second->NewChannel());
    auto serving = [&](const std::string& service) {
      grpc::health::v1::HealthCheckRequest check;
      check.set_service(service);
      grpc::health::v1::HealthCheckResponse response;
      EXPECT_TRUE(health->Check(CallContext().get(), check, &response).ok());
      return response.status();
    };
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (serving("pitr.v1.ReplicationService") !=
               grpc::health::v1::HealthCheckResponse::NOT_SERVING &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_EQ(serving("pitr.v1.ReplicationService"),
              grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    EXPECT_EQ(serving(""), grpc::health::v1::HealthCheckResponse::SERVING);
    EXPECT_FALSE(Status(replicas[1]).connected());
  }

  v1::PromoteResponse promoted;
  grpc::Status promotion = replicas[0].replication->Promote(
      CallContext("", absl::Seconds(60)).get(), v1::PromoteRequest(), &promoted);
  ASSERT_TRUE(promotion.ok()) << Describe(promotion);
  EXPECT_EQ(Status(replicas[0]).role(), v1::ReplicationStatus::PRIMARY);
  for (const auto& [page, write] : acknowledged) {
    EXPECT_GE(promoted.lsn(), write.second);
    EXPECT_EQ(Read(replicas[0], "main", page, write.second, 0),
              Content("main", write.first))
        << "acknowledged write " << write.first << " at lsn " << write.second;
    // At the latest, the last acknowledged write or the one in flight
    // when the primary died (committed there, never acknowledged).
    const std::string latest_page = Read(replicas[0], "main", page, 0, 0);
    EXPECT_TRUE(latest_page == Content("main", write.first) ||
                latest_page == Content("main", write.first + kPages))
        << "page " << page << ": " << latest_page.substr(0, 40);
  }

  // The old primary, back, may not write to the bucket any more.
  EXPECT_THAT(RefusedStart(RemoteFlags(), old_primary_dir),
              HasSubstr("replaced"));

  // The new primary takes writes; the other replica follows it.
  PitrClient& new_primary = replicas[0];
  for (int i = 1000; i < 1020; ++i) {
    points.push_back(Write(new_primary, "main", i));
    ASSERT_NE(points.back(), 0u);
  }
  ASSERT_TRUE(second->Stop().ok());
  std::unique_ptr<PitrdProcess> follower =
      StartReplica(*first, second->data_dir());
  ASSERT_NE(follower, nullptr);
  PitrClient third(follower->NewChannel());
  latest = LatestLsn(new_primary);
  ASSERT_TRUE(WaitCaughtUp(third, latest));
  EXPECT_EQ(FirstDifference(View(third, points), View(new_primary, points)),
            "");
}

}  // namespace
}  // namespace pitr::e2e
