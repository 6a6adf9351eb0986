// PageService.WatchChanges against the real pitrd: the first notice, a
// notice per change with the pages it touched, a change's reply held until
// the watcher acknowledges it, a silent watcher evicted when its lease ends,
// renewals echoed, the end notice of a deleted branch, errors.
#include <atomic>
#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/pitrd_fixture.h"
#include "tests/e2e/requests.h"

namespace pitr::e2e {
namespace {

constexpr uint32_t kSpace = 5;
constexpr char kLease[] = "--watch_lease=1s";

using Stream =
    grpc::ClientReaderWriter<v1::WatchChangesRequest, v1::WatchNotice>;

class WatchChangesTest : public PitrdFixture {
 protected:
  void SetUp() override { StartPitrd({kLease}); }

  // Opens a watch of kSpace on `branch` (renewal 1) and reads its first
  // notice into *first.
  std::unique_ptr<Stream> Watch(const std::string& branch,
                                grpc::ClientContext* context,
                                v1::WatchNotice* first) {
    std::unique_ptr<Stream> stream = client_->pages->WatchChanges(context);
    v1::WatchChangesRequest request;
    request.set_branch(branch);
    request.set_space(kSpace);
    request.set_renewal(1);
    EXPECT_TRUE(stream->Write(request));
    EXPECT_TRUE(stream->Read(first));
    return stream;
  }

  static void Ack(Stream* stream, uint64_t version, uint64_t renewal = 0) {
    v1::WatchChangesRequest request;
    request.set_ack_version(version);
    request.set_renewal(renewal);
    EXPECT_TRUE(stream->Write(request));
  }

  // Appends page `page` of kSpace to main on a thread of its own; `done`
  // is notified when the reply came.
  std::thread AppendAsync(uint32_t page, absl::Notification* done,
                          uint64_t* commit_lsn) {
    return std::thread([this, page, done, commit_lsn] {
      v1::AppendResponse response;
      grpc::Status status =
          Append(*client_, "main", {Image(kSpace, page, MarkedPage(8192, "x"))},
                 &response);
      EXPECT_TRUE(status.ok()) << Describe(status);
      *commit_lsn = response.commit_lsn();
      done->Notify();
    });
  }
};

TEST_F(WatchChangesTest, NoticesCarryEachChangeAndItsReplyWaitsForTheAck) {
  grpc::ClientContext context;
  v1::WatchNotice first;
  std::unique_ptr<Stream> stream = Watch("main", &context, &first);
  EXPECT_EQ(first.renewal(), 1u);
  EXPECT_EQ(first.lease().seconds(), 1);
  EXPECT_TRUE(first.changes().all_changed()) << "no since: all changed";
  Ack(stream.get(), first.version());

  absl::Notification done;
  uint64_t commit_lsn = 0;
  std::thread append = AppendAsync(3, &done, &commit_lsn);
  v1::WatchNotice notice;
  ASSERT_TRUE(stream->Read(&notice));
  EXPECT_GT(notice.version(), first.version());
  ASSERT_EQ(notice.changes().pages_size(), 1);
  EXPECT_EQ(notice.changes().pages(0), 3u);
  EXPECT_EQ(notice.changes().space_pages(), 4u);
  EXPECT_FALSE(notice.changes().all_changed());
  // Not acknowledged yet: the writer is still held (for up to the lease).
  EXPECT_FALSE(done.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  Ack(stream.get(), notice.version());
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  append.join();
  EXPECT_EQ(notice.changes().position().lsn(), commit_lsn);

  // A renewal is answered at once, echoing it, with nothing changed.
  Ack(stream.get(), notice.version(), 2);
  v1::WatchNotice renewed;
  ASSERT_TRUE(stream->Read(&renewed));
  EXPECT_EQ(renewed.renewal(), 2u);
  EXPECT_EQ(renewed.changes().pages_size(), 0);
  EXPECT_EQ(renewed.changes().position().lsn(), commit_lsn);
  context.TryCancel();
}

TEST_F(WatchChangesTest, WatchFromAPositionSeesOnlyWhatChangedSince) {
  v1::AppendResponse response;
  ASSERT_TRUE(Append(*client_, "main",
                     {Image(kSpace, 1, MarkedPage(8192, "a"))}, &response)
                  .ok());
  v1::BranchPosition since;
  {
    v1::GetChangesRequest request;
    request.set_space(kSpace);
    v1::GetChangesResponse changes;
    ASSERT_TRUE(
        client_->pages->GetChanges(CallContext().get(), request, &changes)
            .ok());
    since = changes.position();
  }
  ASSERT_TRUE(Append(*client_, "main",
                     {Image(kSpace, 2, MarkedPage(8192, "b"))}, &response)
                  .ok());
  grpc::ClientContext context;
  auto stream = client_->pages->WatchChanges(&context);
  v1::WatchChangesRequest request;
  request.set_space(kSpace);
  *request.mutable_since() = since;
  request.set_renewal(1);
  ASSERT_TRUE(stream->Write(request));
  v1::WatchNotice first;
  ASSERT_TRUE(stream->Read(&first));
  EXPECT_FALSE(first.changes().all_changed());
  ASSERT_EQ(first.changes().pages_size(), 1);
  EXPECT_EQ(first.changes().pages(0), 2u);
  EXPECT_EQ(first.changes().position().lsn(), response.commit_lsn());
  context.TryCancel();
}

TEST_F(WatchChangesTest, SilentWatcherIsEvictedAndHoldsTheWriterOnlyItsLease) {
  grpc::ClientContext context;
  v1::WatchNotice first;
  std::unique_ptr<Stream> stream = Watch("main", &context, &first);
  Ack(stream.get(), first.version());
  // No renewal, no acknowledgement: the append waits for the lease (1 s)
  // and then goes on; the watch is cancelled.
  absl::Notification done;
  uint64_t commit_lsn = 0;
  std::thread append = AppendAsync(0, &done, &commit_lsn);
  EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(60)));
  append.join();
  v1::WatchNotice notice;
  while (stream->Read(&notice)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The next append does not wait for it.
  absl::Notification again;
  std::thread second = AppendAsync(1, &again, &commit_lsn);
  EXPECT_TRUE(again.WaitForNotificationWithTimeout(absl::Seconds(30)));
  second.join();
}

TEST_F(WatchChangesTest, RestoreIsNoticedAsEverythingChanged) {
  v1::AppendResponse first;
  ASSERT_TRUE(Append(*client_, "main",
                     {Image(kSpace, 0, MarkedPage(8192, "a"))}, &first)
                  .ok());
  absl::Notification appended;
  uint64_t lsn = 0;
  AppendAsync(1, &appended, &lsn).join();  // no watcher yet: not held
  grpc::ClientContext context;
  v1::WatchNotice notice;
  std::unique_ptr<Stream> stream = Watch("main", &context, &notice);
  Ack(stream.get(), notice.version());
  absl::Notification restored;
  std::thread restore([&] {
    v1::RestoreBranchRequest request;
    request.set_name("main");
    request.mutable_point()->set_lsn(first.commit_lsn());
    v1::RestoreBranchResponse response;
    grpc::Status status = client_->branches->RestoreBranch(CallContext().get(),
                                                           request, &response);
    EXPECT_TRUE(status.ok()) << Describe(status);
    restored.Notify();
  });
  ASSERT_TRUE(stream->Read(&notice));
  // The branch moved to a new timeline: a cache must drop everything.
  EXPECT_TRUE(notice.changes().all_changed());
  EXPECT_EQ(notice.changes().space_pages(), 1u);
  EXPECT_FALSE(restored.WaitForNotificationWithTimeout(absl::Milliseconds(200)))
      << "the restore answered before its watcher acknowledged it";
  Ack(stream.get(), notice.version());
  EXPECT_TRUE(restored.WaitForNotificationWithTimeout(absl::Seconds(30)));
  restore.join();
  context.TryCancel();
}

TEST_F(WatchChangesTest, DeletedBranchEndsTheWatchSayingSo) {
  v1::CreateBranchRequest create;
  create.set_name("dev");
  v1::Branch branch;
  ASSERT_TRUE(
      client_->branches->CreateBranch(CallContext().get(), create, &branch)
          .ok());
  grpc::ClientContext context;
  v1::WatchNotice first;
  std::unique_ptr<Stream> stream = Watch("dev", &context, &first);
  Ack(stream.get(), first.version());
  // The watcher keeps acknowledging on its own thread, as a client does.
  std::thread reader([&] {
    v1::WatchNotice notice;
    while (stream->Read(&notice)) {
      if (notice.end_code() != 0) {
        EXPECT_EQ(notice.end_code(), static_cast<int>(grpc::NOT_FOUND));
        EXPECT_NE(notice.end_message().find("dev"), std::string::npos)
            << notice.end_message();
        return;
      }
      Ack(stream.get(), notice.version());
    }
    ADD_FAILURE() << "the watch ended without an end notice";
  });
  v1::DeleteBranchRequest request;
  request.set_name("dev");
  v1::DeleteBranchResponse response;
  grpc::Status status =
      client_->branches->DeleteBranch(CallContext().get(), request, &response);
  EXPECT_TRUE(status.ok()) << Describe(status);
  reader.join();
}

TEST_F(WatchChangesTest, UnknownBranchIsNotFound) {
  grpc::ClientContext context;
  auto stream = client_->pages->WatchChanges(&context);
  v1::WatchChangesRequest request;
  request.set_branch("no_such_branch");
  request.set_renewal(1);
  stream->Write(request);
  v1::WatchNotice notice;
  EXPECT_FALSE(stream->Read(&notice));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("no_such_branch"), std::string::npos)
      << status.error_message();
}

}  // namespace
}  // namespace pitr::e2e
