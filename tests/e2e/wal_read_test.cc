// ReadWal through the real server: the log read back from 0 holds every
// appended batch, in order, with its records, branch, LSNs and commit time;
// end_lsn stops the stream; `follow` delivers a batch appended after the
// call started.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"

namespace pitr::e2e {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr uint32_t kPageSize = 4096;
constexpr int kBatches = 12;

class WalReadTest : public PitrdFixture {
 protected:
  void SetUp() override {
    StartPitrd({"--gc_period=inf", absl::StrCat("--page_size=", kPageSize)});
    v1::CreateBranchRequest branch;
    branch.set_name("dev");
    ASSERT_TRUE(Call(client_->branches.get(),
                     &v1::BranchService::Stub::CreateBranch, branch)
                    .ok());
  }

  // Appends batch `i`: to main or dev in turn, an image, a delta and
  // sometimes a truncation, with a commit time one second after the last.
  void AppendBatch(int i) {
    v1::AppendRequest request;
    request.set_branch(i % 2 == 0 ? "main" : "dev");
    *request.add_records() =
        Image(1, i, MarkedPage(kPageSize, absl::StrCat("batch", i)));
    *request.add_records() = Delta(1, i, 10 + i, absl::StrCat("delta", i));
    if (i % 3 == 0) {
      v1::WalRecord truncate;
      truncate.mutable_truncate()->set_space(2);
      truncate.mutable_truncate()->set_page_count(i);
      *request.add_records() = truncate;
    }
    const int64_t micros = absl::ToUnixMicros(base_time_ + absl::Seconds(i));
    request.mutable_commit_time()->set_seconds(micros / 1000000);
    request.mutable_commit_time()->set_nanos(micros % 1000000 * 1000);
    v1::AppendResponse response;
    auto context = CallContext();
    const grpc::Status status =
        client_->wal->Append(context.get(), request, &response);
    ASSERT_TRUE(status.ok()) << Describe(status);
    sent_.push_back(request);
    acked_.push_back(response);
  }

  // The batch read back is batch `i` as sent and acknowledged.
  void ExpectBatch(const v1::WalBatch& batch, int i) {
    SCOPED_TRACE(absl::StrCat("batch ", i));
    EXPECT_EQ(batch.start_lsn(), acked_[i].start_lsn());
    EXPECT_EQ(batch.commit_lsn(), acked_[i].commit_lsn());
    EXPECT_EQ(batch.branch(), sent_[i].branch());
    EXPECT_TRUE(MessageDifferencer::Equals(batch.commit_time(),
                                           sent_[i].commit_time()))
        << batch.commit_time().ShortDebugString();
    ASSERT_EQ(batch.records_size(), sent_[i].records_size());
    for (int r = 0; r < batch.records_size(); ++r) {
      EXPECT_TRUE(MessageDifferencer::Equals(batch.records(r),
                                             sent_[i].records(r)))
          << "record " << r;
    }
  }

  const absl::Time base_time_ = absl::Now();
  std::vector<v1::AppendRequest> sent_;
  std::vector<v1::AppendResponse> acked_;
};

TEST_F(WalReadTest, FromZeroReturnsEveryBatchInOrder) {
  for (int i = 0; i < kBatches; ++i) AppendBatch(i);
  std::vector<v1::WalBatch> batches;
  const grpc::Status status = ReadWal(*client_, v1::ReadWalRequest(), &batches);
  ASSERT_TRUE(status.ok()) << Describe(status);
  ASSERT_EQ(batches.size(), static_cast<size_t>(kBatches));
  for (int i = 0; i < kBatches; ++i) ExpectBatch(batches[i], i);
  // Branches write their own timelines.
  EXPECT_NE(batches[0].timeline_id(), batches[1].timeline_id());
}

TEST_F(WalReadTest, FromACommitLsnAndUpToEndLsn) {
  for (int i = 0; i < kBatches; ++i) AppendBatch(i);
  v1::ReadWalRequest request;
  request.set_start_lsn(acked_[2].commit_lsn());  // after batch 2
  request.set_end_lsn(acked_[6].commit_lsn());    // through batch 6
  std::vector<v1::WalBatch> batches;
  const grpc::Status status = ReadWal(*client_, request, &batches);
  ASSERT_TRUE(status.ok()) << Describe(status);
  ASSERT_EQ(batches.size(), 4u);
  for (int i = 0; i < 4; ++i) ExpectBatch(batches[i], 3 + i);

  // An end inside a batch stops after that batch.
  request.set_end_lsn(acked_[6].start_lsn() + 1);
  batches.clear();
  ASSERT_TRUE(ReadWal(*client_, request, &batches).ok());
  EXPECT_EQ(batches.size(), 4u);
}

TEST_F(WalReadTest, FollowDeliversABatchAppendedLater) {
  for (int i = 0; i < 3; ++i) AppendBatch(i);
  v1::ReadWalRequest request;
  request.set_start_lsn(acked_[2].commit_lsn());
  request.set_follow(true);
  auto context = CallContext("", absl::Seconds(30));
  auto stream = client_->wal->ReadWal(context.get(), request);
  // Give the call time to reach the end of the log and wait there.
  absl::SleepFor(absl::Milliseconds(300));
  AppendBatch(3);
  v1::WalBatch batch;
  ASSERT_TRUE(stream->Read(&batch)) << Describe(stream->Finish());
  ExpectBatch(batch, 3);
  AppendBatch(4);
  ASSERT_TRUE(stream->Read(&batch)) << Describe(stream->Finish());
  ExpectBatch(batch, 4);
  context->TryCancel();
  while (stream->Read(&batch)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

// A follower waiting at the end of the log when pitrd gets SIGTERM: the
// stream ends with UNAVAILABLE, pitrd exits 0 within `grace` (+ slack),
// and returns how long the shutdown took.
absl::Duration StopWithFollower(PitrdProcess& pitrd, PitrClient& client,
                                uint64_t start_lsn, absl::Duration grace) {
  v1::ReadWalRequest request;
  request.set_start_lsn(start_lsn);
  request.set_follow(true);
  auto context = CallContext("", absl::Seconds(60));
  auto stream = client.wal->ReadWal(context.get(), request);
  absl::SleepFor(absl::Milliseconds(300));  // until it waits at the end
  const absl::Time start = absl::Now();
  const absl::StatusOr<int> exit_code = pitrd.Stop(grace + absl::Seconds(20));
  const absl::Duration took = absl::Now() - start;
  EXPECT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(exit_code.value_or(-1), 0);
  v1::WalBatch batch;
  while (stream->Read(&batch)) {
  }
  const grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << Describe(status);
  return took;
}

using WalFollowTest = PitrdFixture;

TEST_F(WalFollowTest, FollowerEndsWhenTheServerStops) {
  StartPitrd({"--shutdown_grace=2s"});
  v1::AppendResponse appended;
  ASSERT_TRUE(Append(*client_, "main", {Delta(1, 0, 0, "x")}, &appended).ok());
  EXPECT_LT(StopWithFollower(*pitrd_, *client_, appended.commit_lsn(),
                             absl::Seconds(2)),
            absl::Seconds(10));
}

// An idle follower must not hold a SIGTERM for the whole --shutdown_grace:
// the server tells ReadWal it is stopping before it waits for calls.
TEST_F(WalFollowTest, FollowerDoesNotHoldTheShutdown) {
  StartPitrd({"--shutdown_grace=10s"});
  EXPECT_LT(StopWithFollower(*pitrd_, *client_, 0, absl::Seconds(10)),
            absl::Seconds(5));
}

}  // namespace
}  // namespace pitr::e2e
