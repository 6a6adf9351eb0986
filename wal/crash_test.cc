// Crashes for real: a simulated power cut that drops every unsynced byte
// while appends are in flight, and a child process killed with SIGKILL.
// After either, every acknowledged batch reads back exactly, and nothing
// but whole batches is visible.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include "absl/time/clock.h"
#include "base/mutex.h"
#include "base/testing/fault_file_system.h"
#include "gtest/gtest.h"
#include "wal/testing/wal_test_util.h"
#include "wal/wal.h"

namespace pitr {
namespace {

using ::pitr::testing::ExpectBatchEq;
using ::pitr::testing::FaultFileSystem;
using ::pitr::testing::MakeBatch;
using ::pitr::testing::NewTestDir;
using ::pitr::testing::ReadAll;

// Each batch is MakeBatch(TimelineId(seed % 7 + 1), seed): its seed says what it holds.
WalBatch SeededBatch(uint64_t seed) {
  return MakeBatch(TimelineId(seed % 7 + 1), seed, 1 + seed % 5);
}

// Checks the recovered log: every acknowledged batch is there and exact,
// and every batch there is one that some writer tried to append.
void CheckRecovered(
    Wal* wal, const std::map<Lsn, std::pair<uint64_t, AppendResult>>& acked) {
  std::vector<CommittedBatch> read = ReadAll(wal, 0);
  std::map<Lsn, const CommittedBatch*> by_commit;
  for (const CommittedBatch& b : read) by_commit[b.commit_lsn] = &b;
  for (const auto& [commit, seed_and_result] : acked) {
    auto it = by_commit.find(commit);
    ASSERT_NE(it, by_commit.end())
        << "acknowledged batch at " << FormatLsn(commit) << " lost";
    ExpectBatchEq(SeededBatch(seed_and_result.first), seed_and_result.second,
                  *it->second);
  }
  if (!acked.empty()) {
    ASSERT_FALSE(read.empty());
    EXPECT_GE(read.back().commit_lsn, acked.rbegin()->first);
  }
}

TEST(CrashTest, PowerCutDuringConcurrentAppendsLosesNothingAcknowledged) {
  std::mt19937 rng(20261121);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    FaultFileSystem fs;
    WalOptions options;
    options.dir = NewTestDir("power_cut");
    options.fs = &fs;
    options.segment_size = 4096;
    auto wal = Wal::Open(options);
    ASSERT_TRUE(wal.ok());

    Mutex mu;
    std::map<Lsn, std::pair<uint64_t, AppendResult>> acked;
    std::atomic<uint64_t> next_seed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        while (true) {
          uint64_t seed = next_seed++;
          absl::StatusOr<AppendResult> r = (*wal)->Append(SeededBatch(seed));
          if (!r.ok()) return;  // the machine is gone
          MutexLock l(&mu);
          acked[r->commit_lsn] = {seed, *r};
        }
      });
    }
    absl::SleepFor(
        absl::Microseconds(std::uniform_int_distribution<>(500, 20000)(rng)));
    ASSERT_TRUE(fs.Crash().ok());
    for (std::thread& t : threads) t.join();
    wal->reset();

    fs.Restart();
    auto recovered = Wal::Open(options);
    ASSERT_TRUE(recovered.ok()) << recovered.status();
    CheckRecovered(recovered->get(), acked);
    EXPECT_TRUE((*recovered)->Append(SeededBatch(1)).ok());
  }
}

// The child appends seeded batches until it is killed, writing each
// acknowledged (seed, start, commit, timestamp) to `fd`.
[[noreturn]] void AppendUntilKilled(const std::string& dir, int fd,
                                    uint64_t first_seed) {
  WalOptions options;
  options.dir = dir;
  options.segment_size = 8192;
  auto wal = Wal::Open(options);
  if (!wal.ok()) _exit(2);
  for (uint64_t seed = first_seed;; ++seed) {
    absl::StatusOr<AppendResult> r = (*wal)->Append(SeededBatch(seed));
    if (!r.ok()) _exit(3);
    uint64_t record[4] = {seed, r->start_lsn, r->commit_lsn,
                          static_cast<uint64_t>(r->timestamp_us)};
    if (write(fd, record, sizeof(record)) != sizeof(record)) _exit(4);
  }
}

TEST(CrashTest, KillNineAtRandomMomentsLosesNothingAcknowledged) {
  const std::string dir = NewTestDir("kill9");
  std::mt19937 rng(42);
  std::map<Lsn, std::pair<uint64_t, AppendResult>> acked;
  for (int round = 0; round < 12; ++round) {
    SCOPED_TRACE(round);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      AppendUntilKilled(dir, fds[1], round * 1'000'000ull);
    }
    close(fds[1]);
    absl::SleepFor(
        absl::Milliseconds(std::uniform_int_distribution<>(5, 80)(rng)));
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself: " << status;
    uint64_t record[4];
    while (read(fds[0], record, sizeof(record)) == sizeof(record)) {
      acked[record[2]] = {
          record[0],
          AppendResult{record[1], record[2], static_cast<int64_t>(record[3])}};
    }
    close(fds[0]);

    WalOptions options;
    options.dir = dir;
    auto wal = Wal::Open(options);
    ASSERT_TRUE(wal.ok()) << wal.status();
    CheckRecovered(wal->get(), acked);
  }
  EXPECT_GT(acked.size(), 12u);
}

}  // namespace
}  // namespace pitr
