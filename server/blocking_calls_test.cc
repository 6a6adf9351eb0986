#include "server/blocking_calls.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace pitr {
namespace {

TEST(BlockingCallsTest, EachCallRunsOnItsOwnThreadAndWaitJoinsThemAll) {
  BlockingCalls calls;
  absl::Notification release;
  std::atomic<int> started{0};
  std::atomic<int> finished{0};
  for (int i = 0; i < 8; ++i) {
    calls.Run([&] {
      ++started;
      release.WaitForNotification();
      ++finished;
    });
  }
  // All eight block at once: none waits for another's thread.
  while (started.load() < 8) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(calls.running(), 8);
  EXPECT_EQ(finished.load(), 0);
  release.Notify();
  calls.Wait();
  EXPECT_EQ(finished.load(), 8);
  EXPECT_EQ(calls.running(), 0);
}

TEST(BlockingCallsTest, FinishedThreadsAreJoinedAsNewCallsCome) {
  BlockingCalls calls;
  std::atomic<int> finished{0};
  for (int i = 0; i < 1000; ++i) {
    calls.Run([&] { ++finished; });
  }
  calls.Wait();
  EXPECT_EQ(finished.load(), 1000);
  EXPECT_EQ(calls.running(), 0);
}

TEST(BlockingCallsTest, DestructionWaitsForRunningCalls) {
  std::atomic<bool> finished{false};
  {
    BlockingCalls calls;
    calls.Run([&] {
      absl::SleepFor(absl::Milliseconds(50));
      finished = true;
    });
  }
  EXPECT_TRUE(finished.load());
}

}  // namespace
}  // namespace pitr
