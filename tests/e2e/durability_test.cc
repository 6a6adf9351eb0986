// Durability through the real server (invariants 1 and 2 of docs/design.md):
// - SIGTERM while clients append: pitrd exits 0, and after a restart every
//   acknowledged batch reads back exactly, at its commit LSN and at the
//   latest, and no batch is half visible at any LSN;
// - SIGKILL while clients append: the same, without the clean exit;
// - a restart keeps branches with their points, snapshots, schedules,
//   retention, pages at old LSNs and times, and history bounds.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"
#include "tests/e2e/store_view.h"

namespace pitr::e2e {
namespace {

constexpr int kWriters = 4;
// Pages each batch writes, all with the batch's marker.
constexpr uint32_t kPagesPerBatch = 3;
constexpr uint32_t kPageSize = 4096;
// Batches acknowledged (over all writers) before the signal is sent.
constexpr int kBatchesBeforeSignal = 200;

// What one writer did: the batches acknowledged, in order, and whether one
// more was sent and not acknowledged (it may or may not have committed).
struct WriterLog {
  std::vector<v1::AppendResponse> acked;
  bool unacknowledged = false;
};

// Writer `w` writes pages 0..kPagesPerBatch-1 of space 100 + w; batch `seq`
// fills each with this marker.
std::string Marker(int writer, int seq) {
  return absl::StrCat("w", writer, "-s", seq, "|");
}

// Appends batches until a call fails.
void Write(PitrClient& client, int writer, std::atomic<int>* total,
           WriterLog* log) {
  for (int seq = 0;; ++seq) {
    std::vector<v1::WalRecord> records;
    for (uint32_t page = 0; page < kPagesPerBatch; ++page) {
      records.push_back(Image(100 + writer, page,
                              MarkedPage(kPageSize, Marker(writer, seq))));
    }
    v1::AppendResponse response;
    if (!Append(client, "main", std::move(records), &response).ok()) {
      log->unacknowledged = true;
      return;
    }
    log->acked.push_back(response);
    total->fetch_add(1);
  }
}

// The marker each page of writer `w` holds at `point`, "" for a page that
// does not exist; fails the test on another error.
std::vector<std::string> MarkersAt(PitrClient& client, int writer,
                                   const v1::PointInTime& point) {
  v1::GetPagesRequest request;
  for (uint32_t page = 0; page < kPagesPerBatch; ++page) {
    *request.add_keys() = Key(100 + writer, page);
  }
  *request.mutable_point() = point;
  v1::GetPagesResponse response;
  auto context = CallContext();
  const grpc::Status status =
      client.pages->GetPages(context.get(), request, &response);
  EXPECT_TRUE(status.ok()) << Describe(status);
  std::vector<std::string> markers;
  for (const v1::PageResult& result : response.results()) {
    const std::string& data = result.data();
    const size_t end = data.find('|');
    markers.push_back(result.code() == 0 && end != std::string::npos
                          ? data.substr(0, end + 1)
                          : "");
    if (result.code() == 0) {
      EXPECT_EQ(data, MarkedPage(kPageSize, markers.back()))
          << "page " << result.key().ShortDebugString() << " is mixed";
    }
  }
  return markers;
}

class DurabilityTest : public PitrdFixture {
 protected:
  void StartServer(std::vector<std::string> flags) {
    flags.push_back(absl::StrCat("--page_size=", kPageSize));
    StartPitrd(std::move(flags));
  }

  // Writers append until the server goes; `stop` ends it (SIGTERM or
  // SIGKILL) once kBatchesBeforeSignal batches are acknowledged. Then the
  // server is restarted and every writer's history checked.
  void IngestAndStop(bool kill) {
    StartServer({"--gc_period=inf"});
    std::vector<WriterLog> logs(kWriters);
    std::atomic<int> total{0};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back(Write, std::ref(*client_), w, &total, &logs[w]);
    }
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (total.load() < kBatchesBeforeSignal && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    if (kill) {
      pitrd_->Kill();
    } else {
      const absl::StatusOr<int> exit_code = pitrd_->Stop();
      ASSERT_TRUE(exit_code.ok()) << exit_code.status();
      EXPECT_EQ(*exit_code, 0) << "pitrd did not shut down cleanly on SIGTERM";
    }
    for (std::thread& t : writers) t.join();
    ASSERT_GE(total.load(), kBatchesBeforeSignal);
    RestartPitrd();
    for (int w = 0; w < kWriters; ++w) CheckWriter(w, logs[w]);
  }

  // Each acknowledged batch is whole at its commit LSN, and its
  // predecessor whole just before its start; the latest state is the last
  // acknowledged batch or the one sent after it, whole.
  void CheckWriter(int w, const WriterLog& log) {
    SCOPED_TRACE(absl::StrCat("writer ", w));
    const std::vector<std::string> none(kPagesPerBatch, "");
    for (size_t seq = 0; seq < log.acked.size(); ++seq) {
      const std::vector<std::string> mine(kPagesPerBatch, Marker(w, seq));
      ASSERT_EQ(MarkersAt(*client_, w, AtLsn(log.acked[seq].commit_lsn())),
                mine)
          << "batch " << seq << " at its commit lsn";
      const std::vector<std::string> before =
          seq == 0
              ? none
              : std::vector<std::string>(kPagesPerBatch, Marker(w, seq - 1));
      ASSERT_EQ(MarkersAt(*client_, w, AtLsn(log.acked[seq].start_lsn())),
                before)
          << "just before batch " << seq;
    }
    const std::vector<std::string> latest =
        MarkersAt(*client_, w, v1::PointInTime());
    const int last = static_cast<int>(log.acked.size()) - 1;
    const std::vector<std::string> acked(kPagesPerBatch, Marker(w, last));
    const std::vector<std::string> next(kPagesPerBatch, Marker(w, last + 1));
    EXPECT_TRUE(latest == acked || (log.unacknowledged && latest == next))
        << "latest: " << latest[0] << " " << latest[1] << " " << latest[2]
        << "; last acknowledged: " << Marker(w, last);
  }
};

TEST_F(DurabilityTest, SigtermDuringIngestLosesNothingAcknowledged) {
  IngestAndStop(/*kill=*/false);
}

TEST_F(DurabilityTest, SigkillDuringIngestLosesNothingAcknowledged) {
  IngestAndStop(/*kill=*/true);
}

TEST_F(DurabilityTest, RestartKeepsEverything) {
  StartServer({"--gc_period=inf", "--default_retention=72h"});
  PitrClient& c = *client_;
  std::vector<uint64_t> lsns;
  std::vector<v1::PointInTime> times;
  for (const char* marker : {"a", "b", "c", "d"}) {
    v1::AppendResponse response;
    ASSERT_TRUE(Append(c, "main",
                       {Image(1, 0, MarkedPage(kPageSize, marker)),
                        Delta(1, 1, 100, marker)},
                       &response)
                    .ok());
    lsns.push_back(response.commit_lsn());
    v1::PointInTime at_time;
    *at_time.mutable_timestamp() = response.commit_time();
    times.push_back(at_time);
  }
  auto create_branch = [&](const std::string& name, const std::string& parent,
                           const v1::PointInTime& point) {
    v1::CreateBranchRequest request;
    request.set_name(name);
    request.set_parent(parent);
    *request.mutable_point() = point;
    ASSERT_TRUE(
        Call(c.branches.get(), &v1::BranchService::Stub::CreateBranch, request)
            .ok());
  };
  create_branch("dev", "main", AtLsn(lsns[1]));
  v1::AppendResponse on_dev;
  ASSERT_TRUE(Append(c, "dev", {Delta(1, 0, 0, "dev")}, &on_dev).ok());
  create_branch("dev2", "dev", v1::PointInTime());
  create_branch("at_time", "main", times[2]);
  v1::RestoreBranchRequest restore;
  restore.set_name("dev");
  *restore.mutable_point() = AtLsn(lsns[1]);
  ASSERT_TRUE(
      Call(c.branches.get(), &v1::BranchService::Stub::RestoreBranch, restore)
          .ok());
  v1::CreateSnapshotRequest snapshot;
  snapshot.set_name("snap");
  *snapshot.mutable_point() = AtLsn(lsns[2]);
  *snapshot.mutable_keep_for() = Seconds(86400);
  ASSERT_TRUE(Call(c.snapshots.get(),
                   &v1::SnapshotService::Stub::CreateSnapshot, snapshot)
                  .ok());
  v1::CreateScheduleRequest schedule;
  schedule.mutable_schedule()->set_name("nightly");
  schedule.mutable_schedule()->set_branch("dev2");
  *schedule.mutable_schedule()->mutable_every() = Seconds(86400);
  *schedule.mutable_schedule()->mutable_keep_for() = Seconds(7 * 86400);
  ASSERT_TRUE(Call(c.snapshots.get(),
                   &v1::SnapshotService::Stub::CreateSchedule, schedule)
                  .ok());
  ASSERT_TRUE(WaitForScheduleRun(c, "nightly"));
  v1::UpdateRetentionRequest retention;
  retention.set_branch("dev2");
  *retention.mutable_retention()->mutable_window() = Seconds(48 * 3600);
  retention.mutable_retention()->set_lsn_distance(1 << 20);
  ASSERT_TRUE(Call(c.retention.get(),
                   &v1::RetentionService::Stub::UpdateRetention, retention)
                  .ok());
  // The default set at run time outlives the restart, flag or not.
  v1::Retention default_retention;
  *default_retention.mutable_window() = Seconds(96 * 3600);
  ASSERT_TRUE(Call(c.retention.get(),
                   &v1::RetentionService::Stub::UpdateDefaultRetention,
                   default_retention)
                  .ok());
  auto default_window = [&] {
    v1::Retention now;
    EXPECT_TRUE(client_->retention
                    ->GetDefaultRetention(CallContext("").get(),
                                          google::protobuf::Empty(), &now)
                    .ok());
    return now.window().seconds();
  };
  EXPECT_EQ(default_window(), 96 * 3600);

  StoreViewOptions options;
  options.keys = {Key(1, 0), Key(1, 1), Key(2, 0)};
  for (uint64_t lsn : lsns) options.old_points.push_back(AtLsn(lsn));
  options.old_points.insert(options.old_points.end(), times.begin(),
                            times.end());
  auto view = [&] { return StoreView(*client_, options); };
  const std::string before = view();
  ASSERT_FALSE(absl::StrContains(before, kViewError)) << before;

  const absl::StatusOr<int> exit_code = pitrd_->Stop();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  RestartPitrd();  // with --default_retention=72h again
  EXPECT_EQ(view(), before);
  EXPECT_EQ(default_window(), 96 * 3600);

  // And the store goes on from where it was.
  v1::AppendResponse after;
  ASSERT_TRUE(Append(*client_, "main", {Delta(2, 0, 0, "after")}, &after).ok());
  EXPECT_GE(after.start_lsn(), on_dev.commit_lsn());
}

}  // namespace
}  // namespace pitr::e2e
