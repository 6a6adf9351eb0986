// Concurrent appends: group commit, ordering, and the poisoned log after a
// failed write or fdatasync.
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "base/testing/fault_file_system.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wal/testing/wal_test_util.h"
#include "wal/wal.h"

namespace pitr {
namespace {

using ::pitr::testing::FaultFileSystem;
using ::pitr::testing::MakeBatch;
using ::pitr::testing::NewTestDir;
using ::pitr::testing::ReadAll;
using ::testing::HasSubstr;

// A batch of `records` deltas, each carrying "<thread>:<seq>:<record>".
WalBatch TaggedBatch(int thread, int seq, int records) {
  WalBatch batch{TimelineId(thread)};
  for (int r = 0; r < records; ++r) {
    EXPECT_TRUE(batch
                    .PutPageDelta({static_cast<uint32_t>(thread),
                                   static_cast<uint32_t>(seq)},
                                  static_cast<uint32_t>(r),
                                  absl::StrCat(thread, ":", seq, ":", r))
                    .ok());
  }
  return batch;
}

TEST(GroupCommitTest, ConcurrentBatchesNeverInterleave) {
  WalOptions options;
  options.dir = NewTestDir("group");
  options.segment_size = 16 << 10;  // roll segments while racing
  auto wal = Wal::Open(options);
  ASSERT_TRUE(wal.ok());

  constexpr int kThreads = 8, kBatches = 60;
  std::vector<std::vector<AppendResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBatches; ++i) {
        absl::StatusOr<AppendResult> r =
            (*wal)->Append(TaggedBatch(t, i, 1 + (t + i) % 4));
        ASSERT_TRUE(r.ok()) << r.status();
        results[t].push_back(*r);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  for (int t = 0; t < kThreads; ++t) {
    for (int i = 1; i < kBatches; ++i) {
      EXPECT_GT(results[t][i].start_lsn, results[t][i - 1].commit_lsn - 1);
    }
  }
  std::vector<CommittedBatch> read = ReadAll(wal->get(), 0);
  ASSERT_EQ(read.size(), size_t{kThreads * kBatches});
  std::map<int, int> next_seq;
  Lsn expected_start = 0;
  for (const CommittedBatch& batch : read) {
    EXPECT_EQ(batch.start_lsn, expected_start);
    expected_start = batch.commit_lsn;
    const int t = static_cast<int>(batch.timeline.value());
    const int seq = next_seq[t]++;
    EXPECT_EQ(results[t][seq].commit_lsn, batch.commit_lsn);
    ASSERT_EQ(batch.records.size(), size_t(1 + (t + seq) % 4));
    for (size_t r = 0; r < batch.records.size(); ++r) {
      EXPECT_EQ(batch.records[r].data, absl::StrCat(t, ":", seq, ":", r));
    }
  }
  EXPECT_GT((*wal)->stats().segments, 1u);
}

TEST(GroupCommitTest, OneSyncCoversTheBatchesQueuedBehindIt) {
  FaultFileSystem fs;
  WalOptions options;
  options.dir = NewTestDir("group_sync");
  options.fs = &fs;
  auto wal = Wal::Open(options);
  ASSERT_TRUE(wal.ok());

  // Hold the first batch's fdatasync until every other writer has called
  // Append and had time to queue behind it.
  constexpr int kWriters = 16;
  std::atomic<int> started{0};
  absl::Notification first_sync;
  fs.SetSyncHook([&](const std::string&) {
    if (!first_sync.HasBeenNotified()) {
      first_sync.Notify();
      while (started.load() < kWriters) absl::SleepFor(absl::Milliseconds(1));
      absl::SleepFor(absl::Milliseconds(200));
    }
    return absl::OkStatus();
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      if (t > 0) first_sync.WaitForNotification();
      started.fetch_add(1);
      EXPECT_TRUE((*wal)->Append(TaggedBatch(t, 0, 1)).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  WalStats stats = (*wal)->stats();
  EXPECT_EQ(stats.batches, uint64_t{kWriters});
  // Without group commit there would be one group per batch.
  EXPECT_LE(stats.groups, 3u);
}

TEST(GroupCommitTest, ATailingReaderSeesEveryBatchInOrderWhileWritersRace) {
  WalOptions options;
  options.dir = NewTestDir("tail_race");
  options.segment_size = 8 << 10;
  auto wal = Wal::Open(options);
  ASSERT_TRUE(wal.ok());
  constexpr int kThreads = 4, kBatches = 50;

  std::vector<CommittedBatch> seen;
  std::thread tail([&] {
    auto reader = (*wal)->NewReader(0);
    ASSERT_TRUE(reader.ok());
    while (seen.size() < size_t{kThreads * kBatches}) {
      CommittedBatch batch;
      absl::StatusOr<bool> more = (*reader)->Next(&batch);
      ASSERT_TRUE(more.ok()) << more.status();
      if (*more) {
        seen.push_back(std::move(batch));
      } else {
        ASSERT_TRUE((*reader)->WaitForMore(absl::InfiniteFuture()).ok());
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kBatches; ++i) {
        ASSERT_TRUE((*wal)->Append(TaggedBatch(t, i, 2)).ok());
      }
    });
  }
  for (std::thread& w : writers) w.join();
  tail.join();
  std::vector<CommittedBatch> all = ReadAll(wal->get(), 0);
  ASSERT_EQ(seen.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(seen[i].commit_lsn, all[i].commit_lsn);
    EXPECT_TRUE(seen[i].records == all[i].records);
  }
}

class PoisonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.dir = NewTestDir("poison");
    options_.fs = &fs_;
  }
  FaultFileSystem fs_;
  WalOptions options_;
};

TEST_F(PoisonTest, AFailedSyncFailsThatAppendAndEveryLaterOne) {
  auto wal = Wal::Open(options_);
  ASSERT_TRUE(wal.ok());
  std::vector<AppendResult> acked;
  for (int i = 0; i < 3; ++i) acked.push_back(*(*wal)->Append(MakeBatch(TimelineId(1), i)));

  int syncs = 0;
  fs_.SetSyncHook([&](const std::string&) {
    return ++syncs == 1 ? absl::InternalError("fdatasync: Input/output error")
                        : absl::OkStatus();
  });
  absl::StatusOr<AppendResult> failed = (*wal)->Append(MakeBatch(TimelineId(1), 3));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(failed.status().message(), HasSubstr("poisoned"));
  EXPECT_THAT(failed.status().message(), HasSubstr("Input/output error"));

  // The sync would work now, but the log must not carry on: its state on
  // disk is unknown.
  for (int i = 4; i < 7; ++i) {
    absl::StatusOr<AppendResult> later = (*wal)->Append(MakeBatch(TimelineId(1), i));
    EXPECT_EQ(later.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(later.status().message(), HasSubstr("poisoned"));
  }
  EXPECT_EQ(syncs, 1);
  EXPECT_EQ((*wal)->end_lsn(), acked.back().commit_lsn);
  EXPECT_EQ(ReadAll(wal->get(), 0).size(), acked.size());

  // Reopening recovers every acknowledged batch.
  wal->reset();
  fs_.SetSyncHook(nullptr);
  auto reopened = Wal::Open(options_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  std::vector<CommittedBatch> read = ReadAll(reopened->get(), 0);
  ASSERT_GE(read.size(), acked.size());
  for (size_t i = 0; i < acked.size(); ++i) {
    EXPECT_EQ(read[i].commit_lsn, acked[i].commit_lsn);
  }
  EXPECT_TRUE((*reopened)->Append(MakeBatch(TimelineId(1), 9)).ok());
}

TEST_F(PoisonTest, AFailedWritePoisonsTheLogToo) {
  auto wal = Wal::Open(options_);
  ASSERT_TRUE(wal.ok());
  ASSERT_TRUE((*wal)->Append(MakeBatch(TimelineId(1), 0)).ok());
  fs_.SetWriteHook([](const std::string&) {
    return absl::ResourceExhaustedError("write: No space left on device");
  });
  EXPECT_EQ((*wal)->Append(MakeBatch(TimelineId(1), 1)).status().code(),
            absl::StatusCode::kResourceExhausted);
  fs_.SetWriteHook(nullptr);
  absl::StatusOr<AppendResult> later = (*wal)->Append(MakeBatch(TimelineId(1), 2));
  EXPECT_EQ(later.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(later.status().message(), HasSubstr("No space left"));
}

TEST_F(PoisonTest, AnyOtherIoErrorIsReportedAsInternal) {
  // errno's own codes would tell a client that its request was at fault
  // (EINVAL: INVALID_ARGUMENT, EROFS: PERMISSION_DENIED) or nothing (EIO:
  // UNKNOWN); a poisoned log is the server's failure.
  for (int error : {EIO, EINVAL, EROFS, EBADF}) {
    SCOPED_TRACE(error);
    options_.dir = NewTestDir("poison_errno");
    auto wal = Wal::Open(options_);
    ASSERT_TRUE(wal.ok());
    fs_.SetSyncHook([error](const std::string& path) {
      return absl::ErrnoToStatus(error, "fdatasync " + path);
    });
    absl::StatusOr<AppendResult> failed = (*wal)->Append(MakeBatch(TimelineId(1), 0));
    fs_.SetSyncHook(nullptr);
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(failed.status().message(), HasSubstr(std::strerror(error)));
    EXPECT_EQ((*wal)->Append(MakeBatch(TimelineId(1), 1)).status().code(),
              absl::StatusCode::kInternal);
  }
}

TEST_F(PoisonTest, EveryWriterOfAFailedGroupSeesTheFailure) {
  auto wal = Wal::Open(options_);
  ASSERT_TRUE(wal.ok());
  std::atomic<bool> fail{false};
  fs_.SetSyncHook([&](const std::string&) {
    absl::SleepFor(absl::Milliseconds(5));
    return fail.load() ? absl::InternalError("fdatasync failed")
                       : absl::OkStatus();
  });
  std::atomic<int> failures{0};
  std::atomic<int> ok_after_failure{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      bool failed = false;
      for (int i = 0; i < 20; ++i) {
        if (t == 0 && i == 5) fail = true;
        absl::StatusOr<AppendResult> r = (*wal)->Append(TaggedBatch(t, i, 1));
        if (!r.ok()) {
          failed = true;
          failures++;
        } else if (failed) {
          ok_after_failure++;  // this thread's own later append succeeded
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_GT(failures.load(), 0);
  EXPECT_EQ(ok_after_failure.load(), 0);
}

}  // namespace
}  // namespace pitr
